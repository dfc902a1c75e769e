// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/modfile/decompress_xz.c, called directly: a round trip of data
 * compressed here with liblzma's encoder (from a file and from a pipe, with
 * the magic already read), concatenated streams, a lying index, and the
 * errors of README's Limits table: truncated and corrupt data (-EBADMSG),
 * the size bound and the 64 MiB decoder memory bound (-EFBIG). Built only
 * with CONFIG_FEATURE_XZ (the Makefile says SKIP otherwise). */
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
#include <lzma.h>

#include "decompress.h"
#include "outbuf.h"

#define FIXTURE_NAME "xz"
#define FIXTURE_EXT "xz"
#define FIXTURE_DECOMPRESS decompress_xz
#define FIXTURE_COMPRESS xz
#include "decompress_fixture.h"

static size_t xz(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	size_t pos = 0;

	assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, in, n, out, &pos, cap), LZMA_OK);
	return pos;
}

static void round_trip(void **state)
{
	static const size_t heads[] = { 0, 1, 2, 10 };
	struct outbuf out;
	const char *why = "unset";

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		assert_int_equal(run_file("m.xz", heads[i], SIZE_MAX, &out, &why), 0);
		assert_null(why);
		expect_plain(&out, 1);
		outbuf_free(&out);
	}
}

/* From a pipe, written by another process: no trailer to take a size
 * hint from, the buffer grows as the data comes. */
static void round_trip_from_pipe(void **state)
{
	struct outbuf out = { .limit = SIZE_MAX };
	const char *why;
	pid_t pid;
	int p[2], status;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(write(p[1], packed + 3, packed_len - 3) == (ssize_t)(packed_len - 3) ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(decompress_xz(p[0], packed, 3, &out, &why), 0);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_plain(&out, 1);
	outbuf_free(&out);
}

/* Two streams (cat a.xz b.xz), with stream padding between them: both. */
static void two_streams(void **state)
{
	unsigned char *two = malloc(2 * packed_len + 8);
	struct outbuf out;
	const char *why;

	memcpy(two, packed, packed_len);
	memset(two + packed_len, 0, 8);
	memcpy(two + packed_len + 8, packed, packed_len);
	write_file("two.xz", two, 2 * packed_len + 8);
	free(two);
	assert_int_equal(run_file("two.xz", 2, SIZE_MAX, &out, &why), 0);
	expect_plain(&out, 2);
	outbuf_free(&out);
}

/* An index that claims more than the data holds (its CRC made right): a
 * hint for the first buffer only; the decoder checks the index against
 * the blocks and calls it corrupt. */
static void lying_index(void **state)
{
	unsigned char *lie = malloc(packed_len);
	size_t isize = 0, pos;
	lzma_stream_flags flags;
	struct outbuf out;
	const char *why = NULL;
	uint32_t crc;
	int err;

	memcpy(lie, packed, packed_len);
	assert_int_equal(lzma_stream_footer_decode(&flags, lie + packed_len - 12), LZMA_OK);
	isize = (size_t)flags.backward_size;
	pos = packed_len - 12 - isize;
	/* indicator 0, one record: unpadded size, uncompressed size (a VLI;
	 * its first byte's low bits raised: 1 MiB more at least) */
	assert_int_equal(lie[pos], 0);
	assert_int_equal(lie[pos + 1], 1);
	{
		size_t p = pos + 2;

		while (lie[p] & 0x80)
			p++;
		p++;
		lie[p + 2] = (unsigned char)(lie[p + 2] + 0x40);
	}
	crc = lzma_crc32(lie + pos, isize - 4, 0);
	for (int i = 0; i < 4; i++)
		lie[pos + isize - 4 + i] = (unsigned char)(crc >> (8 * i));
	write_file("lie.xz", lie, packed_len);
	free(lie);
	err = run_file("lie.xz", 0, SIZE_MAX, &out, &why);
	assert_int_equal(err, -EBADMSG);
	assert_string_equal(why, "corrupt xz data");
	outbuf_free(&out);
}

/* A dictionary of 128 MiB in the block header (its CRC made right): past
 * the decoder's 64 MiB, refused before it is allocated. */
static void decoder_memory_bound(void **state)
{
	unsigned char *big = malloc(packed_len);
	size_t hsize, i;
	struct outbuf out;
	const char *why = NULL;
	uint32_t crc;

	memcpy(big, packed, packed_len);
	hsize = ((size_t)big[12] + 1) * 4;
	/* the LZMA2 filter: ID 0x21, one byte of properties */
	for (i = 14; i + 2 < 12 + hsize - 4; i++)
		if (big[i] == 0x21 && big[i + 1] == 0x01)
			break;
	assert_true(i + 2 < 12 + hsize - 4);
	big[i + 2] = 30;  /* 2 << (30 / 2 + 11): 128 MiB */
	crc = lzma_crc32(big + 12, hsize - 4, 0);
	for (int k = 0; k < 4; k++)
		big[12 + hsize - 4 + k] = (unsigned char)(crc >> (8 * k));
	write_file("big.xz", big, packed_len);
	free(big);
	assert_int_equal(run_file("big.xz", 2, SIZE_MAX, &out, &why), -EFBIG);
	assert_string_equal(why, "xz data needs too much memory to decompress");
	outbuf_free(&out);
}

static void truncated(void **state)
{
	static const size_t cuts[] = { 10, 100, 1000 };
	struct outbuf out;
	const char *why;

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		write_file("cut.xz", packed, packed_len - cuts[i]);
		why = NULL;
		assert_int_equal(run_file("cut.xz", 2, SIZE_MAX, &out, &why), -EBADMSG);
		assert_string_equal(why, "truncated xz data");
		outbuf_free(&out);
	}
	/* nothing after the magic */
	write_file("cut.xz", packed, 6);
	assert_int_equal(run_file("cut.xz", 6, SIZE_MAX, &out, &why), -EBADMSG);
	assert_string_equal(why, "truncated xz data");
	outbuf_free(&out);
}

static void corrupt(void **state)
{
	unsigned char *bad = malloc(packed_len);
	struct outbuf out;
	const char *why;

	/* a byte in the middle of the compressed data */
	memcpy(bad, packed, packed_len);
	bad[packed_len / 2] ^= 0x55;
	write_file("bad.xz", bad, packed_len);
	why = NULL;
	assert_int_equal(run_file("bad.xz", 2, SIZE_MAX, &out, &why), -EBADMSG);
	assert_string_equal(why, "corrupt xz data");
	outbuf_free(&out);
	/* the stream header's CRC */
	memcpy(bad, packed, packed_len);
	bad[8] ^= 0x01;
	write_file("bad.xz", bad, packed_len);
	why = NULL;
	assert_int_equal(run_file("bad.xz", 2, SIZE_MAX, &out, &why), -EBADMSG);
	assert_string_equal(why, "corrupt xz data");
	outbuf_free(&out);
	/* garbage after a stream (not padding) */
	memcpy(bad, packed, packed_len);
	write_file("bad.xz", bad, packed_len);
	{
		FILE *f = fopen(path_of("bad.xz"), "ab");

		assert_non_null(f);
		fputs("junk", f);
		fclose(f);
	}
	why = NULL;
	assert_int_equal(run_file("bad.xz", 2, SIZE_MAX, &out, &why), -EBADMSG);
	assert_non_null(why);
	outbuf_free(&out);
	free(bad);
}

/* The size bound: exactly the size passes, one byte less is -EFBIG and the
 * buffer never grows past it. */
static void size_bound(void **state)
{
	struct outbuf out;
	const char *why;

	assert_int_equal(run_file("m.xz", 2, PLAIN_SIZE, &out, &why), 0);
	expect_plain(&out, 1);
	outbuf_free(&out);
	why = NULL;
	assert_int_equal(run_file("m.xz", 2, PLAIN_SIZE - 1, &out, &why), -EFBIG);
	assert_string_equal(why, "decompressed module too large");
	assert_true(out.cap <= PLAIN_SIZE - 1);
	outbuf_free(&out);
	/* exactly the size, the output full before the end of the data
	 * (the stream's end, its check, come in a later read) */
	for (size_t tail = 1; tail <= 64; tail *= 2) {
		why = NULL;
		assert_int_equal(run_split(packed_len - tail, PLAIN_SIZE, &out, &why), 0);
		assert_null(why);
		expect_plain(&out, 1);
		outbuf_free(&out);
		assert_int_equal(run_split(packed_len - tail, PLAIN_SIZE - 1, &out, &why), -EFBIG);
		assert_string_equal(why, "decompressed module too large");
		outbuf_free(&out);
	}
	/* a bound below the buffer's first 64 KiB: the output stops there
	 * too, and data of 10 KiB is refused, not taken whole */
	why = NULL;
	assert_int_equal(run_file("m.xz", 2, 4096, &out, &why), -EFBIG);
	assert_string_equal(why, "decompressed module too large");
	assert_true(out.cap <= 4096);
	assert_true(out.len <= 4096);
	outbuf_free(&out);
	write_file("small.xz", packed, xz(plain, 10 * 1024, packed, 2 * PLAIN_SIZE));
	why = NULL;
	assert_int_equal(run_file("small.xz", 2, 4096, &out, &why), -EFBIG);
	assert_string_equal(why, "decompressed module too large");
	outbuf_free(&out);
	assert_int_equal(run_file("small.xz", 2, 10 * 1024, &out, &why), 0);
	assert_int_equal(out.len, 10 * 1024);
	assert_memory_equal(out.data, plain, 10 * 1024);
	outbuf_free(&out);
	/* packed is used by later tests */
	packed_len = xz(plain, PLAIN_SIZE, packed, 2 * PLAIN_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(round_trip_from_pipe),
		cmocka_unit_test(two_streams),
		cmocka_unit_test(lying_index),
		cmocka_unit_test(decoder_memory_bound),
		cmocka_unit_test(truncated),
		cmocka_unit_test(corrupt),
		cmocka_unit_test(size_bound),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
