// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/modfile/decompress_zstd.c, called directly: a round trip of data
 * compressed here with libzstd's encoder (frames that state their size,
 * decoded in place, and frames that do not, through a window; from a file
 * and from a pipe, with the magic already read), several frames and a
 * skippable one, and the errors of README's Limits table: truncated and
 * corrupt data (-EBADMSG), the size bound and the window bound (-EFBIG).
 * Built only with CONFIG_FEATURE_ZSTD (the Makefile says SKIP otherwise). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <zstd.h>

#include "decompress.h"
#include "outbuf.h"

#define FIXTURE_NAME "zstd"
#define FIXTURE_EXT "zst"
#define FIXTURE_DECOMPRESS decompress_zstd
#define FIXTURE_COMPRESS zst
#include "decompress_fixture.h"

/* A frame that states its size, with a checksum (as the zstd tool
 * writes a file). */
static size_t zst(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t r;

	assert_non_null(cctx);
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)));
	r = ZSTD_compress2(cctx, out, cap, in, n);
	assert_false(ZSTD_isError(r));
	ZSTD_freeCCtx(cctx);
	return r;
}

/* A frame that does not state its size (fed in two calls, as `zstd` writes
 * a stream), with a window of 2^window_log. */
static size_t zst_stream(const unsigned char *in, size_t n, unsigned char *out, size_t cap, int window_log)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	ZSTD_inBuffer i = { in, n / 2, 0 };
	ZSTD_outBuffer o = { out, cap, 0 };

	assert_non_null(cctx);
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log)));
	assert_false(ZSTD_isError(ZSTD_compressStream2(cctx, &o, &i, ZSTD_e_continue)));
	i.size = n;
	assert_int_equal(ZSTD_compressStream2(cctx, &o, &i, ZSTD_e_end), 0);
	ZSTD_freeCCtx(cctx);
	assert_int_equal(ZSTD_getFrameContentSize(out, o.pos), ZSTD_CONTENTSIZE_UNKNOWN);
	return o.pos;
}

static void round_trip(void **state)
{
	static const size_t heads[] = { 0, 1, 4, 10 };
	struct outbuf out;
	const char *why = "unset";

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		assert_int_equal(run_file("m.zst", heads[i], SIZE_MAX, &out, &why), 0);
		assert_null(why);
		expect_plain(&out, 1);
		/* the size stated: one buffer of exactly that */
		assert_int_equal(out.cap, PLAIN_SIZE);
		outbuf_free(&out);
	}
}

/* A frame without its size, through the window, from a pipe written by
 * another process. */
static void stream_from_pipe(void **state)
{
	unsigned char *s = malloc(2 * PLAIN_SIZE);
	size_t n = zst_stream(plain, PLAIN_SIZE, s, 2 * PLAIN_SIZE, 18);
	struct outbuf out;
	const char *why;
	pid_t pid;
	int p[2], status;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(write(p[1], s, n) == (ssize_t)n ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(run_fd(p[0], 4, SIZE_MAX, &out, &why), 0);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_plain(&out, 1);
	outbuf_free(&out);
	free(s);
}

/* A sized frame, a skippable frame (no output), a streamed frame: all
 * the data of both. */
static void frames_and_skippable(void **state)
{
	unsigned char *b = malloc(4 * PLAIN_SIZE);
	static const unsigned char skip_hdr[] = { 0x5a, 0x2a, 0x4d, 0x18, 5, 0, 0, 0 };
	struct outbuf out;
	const char *why;
	size_t n;

	n = zst(plain, PLAIN_SIZE, b, 4 * PLAIN_SIZE);
	memcpy(b + n, skip_hdr, sizeof(skip_hdr));
	memcpy(b + n + sizeof(skip_hdr), "hello", 5);
	n += sizeof(skip_hdr) + 5;
	n += zst_stream(plain, PLAIN_SIZE, b + n, 4 * PLAIN_SIZE - n, 18);
	write_file("three.zst", b, n);
	free(b);
	assert_int_equal(run_file("three.zst", 4, SIZE_MAX, &out, &why), 0);
	expect_plain(&out, 2);
	outbuf_free(&out);
}

static void truncated(void **state)
{
	static const size_t cuts[] = { 1, 4, 100, 1000 };
	struct outbuf out;
	const char *why;

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		write_file("cut.zst", packed, packed_len - cuts[i]);
		why = NULL;
		assert_int_equal(run_file("cut.zst", 4, SIZE_MAX, &out, &why), -EBADMSG);
		assert_string_equal(why, "truncated zstd data");
		outbuf_free(&out);
	}
	/* a frame header cut short */
	write_file("cut.zst", packed, 5);
	why = NULL;
	assert_int_equal(run_file("cut.zst", 4, SIZE_MAX, &out, &why), -EBADMSG);
	assert_string_equal(why, "truncated zstd data");
	outbuf_free(&out);
}

static void corrupt(void **state)
{
	unsigned char *bad = malloc(packed_len + 20);
	struct outbuf out;
	const char *why;

	/* the checksum at the end */
	memcpy(bad, packed, packed_len);
	bad[packed_len - 1] ^= 0x01;
	write_file("bad.zst", bad, packed_len);
	why = NULL;
	assert_int_equal(run_file("bad.zst", 4, SIZE_MAX, &out, &why), -EBADMSG);
	assert_string_equal(why, "corrupt zstd data");
	outbuf_free(&out);
	/* bytes in the middle */
	memcpy(bad, packed, packed_len);
	bad[packed_len / 2] ^= 0x55;
	bad[packed_len / 2 + 3] ^= 0x55;
	write_file("bad.zst", bad, packed_len);
	why = NULL;
	assert_int_equal(run_file("bad.zst", 4, SIZE_MAX, &out, &why), -EBADMSG);
	assert_string_equal(why, "corrupt zstd data");
	outbuf_free(&out);
	/* garbage where a next frame would start */
	memcpy(bad, packed, packed_len);
	memcpy(bad + packed_len, "junk after the frame", 20);
	write_file("bad.zst", bad, packed_len + 20);
	why = NULL;
	assert_int_equal(run_file("bad.zst", 4, SIZE_MAX, &out, &why), -EBADMSG);
	assert_string_equal(why, "corrupt zstd data");
	outbuf_free(&out);
	free(bad);
}

/* The size bound. A frame that states more is refused before a byte is
 * decoded or a buffer made; exactly its size passes (a bound that is not
 * a power of two, below the frame's window: 200 KiB + 3 here), also when
 * the end of the frame (its checksum) comes in a later read. */
static void size_bound(void **state)
{
	struct outbuf out;
	const char *why;

	assert_int_equal(run_file("m.zst", 4, PLAIN_SIZE, &out, &why), 0);
	expect_plain(&out, 1);
	outbuf_free(&out);
	why = NULL;
	assert_int_equal(run_file("m.zst", 4, PLAIN_SIZE - 1, &out, &why), -EFBIG);
	assert_string_equal(why, "decompressed module too large");
	assert_int_equal(out.cap, 0);
	outbuf_free(&out);
	for (size_t tail = 1; tail <= 64; tail *= 2) {
		why = NULL;
		assert_int_equal(run_split(packed_len - tail, PLAIN_SIZE, &out, &why), 0);
		assert_null(why);
		expect_plain(&out, 1);
		outbuf_free(&out);
	}
}

/* A frame without its size: its window counts against the bound. A window
 * of 1 MiB under a bound of 512 KiB is refused before decoding; under a
 * bound of 1 MiB + 100 KiB the output may have what the window leaves
 * (100 KiB), less than the 200 KiB of data; with room for both it passes. */
static void window_bound(void **state)
{
	unsigned char *s = malloc(2 * PLAIN_SIZE);
	size_t n = zst_stream(plain, PLAIN_SIZE, s, 2 * PLAIN_SIZE, 20);
	struct outbuf out;
	const char *why;

	write_file("w20.zst", s, n);
	free(s);
	why = NULL;
	assert_int_equal(run_file("w20.zst", 4, 512 << 10, &out, &why), -EFBIG);
	assert_string_equal(why, "zstd data needs too much memory to decompress");
	assert_int_equal(out.cap, 0);
	outbuf_free(&out);
	why = NULL;
	assert_int_equal(run_file("w20.zst", 4, (1 << 20) + (100 << 10), &out, &why), -EFBIG);
	assert_string_equal(why, "decompressed module too large");
	assert_true(out.cap <= 100 << 10);
	outbuf_free(&out);
	assert_int_equal(run_file("w20.zst", 4, (1 << 20) + PLAIN_SIZE, &out, &why), 0);
	expect_plain(&out, 1);
	outbuf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(stream_from_pipe),
		cmocka_unit_test(frames_and_skippable),
		cmocka_unit_test(truncated),
		cmocka_unit_test(corrupt),
		cmocka_unit_test(size_bound),
		cmocka_unit_test(window_bound),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
