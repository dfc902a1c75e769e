// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/modfile/decompress_gzip.c, called directly: a round trip of data
 * compressed here with zlib's encoder (from a file and from a pipe, with
 * the magic already read), several members, the size hint of a lying
 * trailer, and the errors of README's Limits table: truncated and corrupt
 * data (-EBADMSG) and the size bound (-EFBIG). Built only with
 * CONFIG_FEATURE_GZIP (the Makefile says SKIP otherwise). */
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
#include <zlib.h>

#include "decompress.h"
#include "outbuf.h"

#define FIXTURE_NAME "gzip"
#define FIXTURE_EXT "gz"
#define FIXTURE_DECOMPRESS decompress_gzip
#define FIXTURE_COMPRESS gzip
#include "decompress_fixture.h"

static size_t gzip(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream zs = { 0 };

	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return zs.total_out;
}

static void round_trip(void **state)
{
	static const size_t heads[] = { 0, 1, 2, 10 };
	struct outbuf out;
	const char *why = "unset";

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		assert_int_equal(run_file("m.gz", heads[i], SIZE_MAX, &out, &why), 0);
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
	assert_int_equal(decompress_gzip(p[0], packed, 3, &out, &why), 0);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_plain(&out, 1);
	outbuf_free(&out);
}

/* Two members (cat a.gz b.gz) are one stream of both. */
static void two_members(void **state)
{
	unsigned char *two = malloc(2 * packed_len);
	struct outbuf out;
	const char *why;

	memcpy(two, packed, packed_len);
	memcpy(two + packed_len, packed, packed_len);
	write_file("two.gz", two, 2 * packed_len);
	free(two);
	assert_int_equal(run_file("two.gz", 2, SIZE_MAX, &out, &why), 0);
	expect_plain(&out, 2);
	outbuf_free(&out);
}

/* A trailer that claims 4 GiB - 1 (a hint only): the data still decides. */
static void lying_size_trailer(void **state)
{
	unsigned char *lie = malloc(packed_len);
	struct outbuf out;
	const char *why = NULL;
	int err;

	memcpy(lie, packed, packed_len);
	memset(lie + packed_len - 4, 0xff, 4);
	write_file("lie.gz", lie, packed_len);
	free(lie);
	err = run_file("lie.gz", 0, SIZE_MAX, &out, &why);
	/* zlib checks ISIZE: a wrong one is corrupt data */
	assert_int_equal(err, -EBADMSG);
	assert_string_equal(why, "corrupt gzip data");
	assert_true(out.cap < (size_t)16 << 20);
	outbuf_free(&out);
}

static void truncated(void **state)
{
	static const size_t cuts[] = { 10, 100, 1000 };
	struct outbuf out;
	const char *why;

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		write_file("cut.gz", packed, packed_len - cuts[i]);
		why = NULL;
		assert_int_equal(run_file("cut.gz", 2, SIZE_MAX, &out, &why), -EBADMSG);
		assert_string_equal(why, "truncated gzip data");
		outbuf_free(&out);
	}
	/* nothing after the magic */
	write_file("cut.gz", packed, 2);
	assert_int_equal(run_file("cut.gz", 2, SIZE_MAX, &out, &why), -EBADMSG);
	assert_string_equal(why, "truncated gzip data");
	outbuf_free(&out);
}

static void corrupt(void **state)
{
	unsigned char *bad = malloc(packed_len);
	struct outbuf out;
	const char *why;

	/* the CRC of the trailer */
	memcpy(bad, packed, packed_len);
	bad[packed_len - 6] ^= 0x01;
	write_file("bad.gz", bad, packed_len);
	why = NULL;
	assert_int_equal(run_file("bad.gz", 2, SIZE_MAX, &out, &why), -EBADMSG);
	assert_string_equal(why, "corrupt gzip data");
	outbuf_free(&out);
	/* a block type that does not exist, right after the 10-byte header */
	memcpy(bad, packed, packed_len);
	bad[10] |= 0x06;
	write_file("bad.gz", bad, packed_len);
	why = NULL;
	assert_int_equal(run_file("bad.gz", 2, SIZE_MAX, &out, &why), -EBADMSG);
	assert_string_equal(why, "corrupt gzip data");
	outbuf_free(&out);
	free(bad);
}

/* The size bound: exactly the size passes, one byte less is -EFBIG and the
 * buffer never grows past it. */
static void size_bound(void **state)
{
	struct outbuf out;
	const char *why;

	assert_int_equal(run_file("m.gz", 2, PLAIN_SIZE, &out, &why), 0);
	expect_plain(&out, 1);
	outbuf_free(&out);
	why = NULL;
	assert_int_equal(run_file("m.gz", 2, PLAIN_SIZE - 1, &out, &why), -EFBIG);
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
	assert_int_equal(run_file("m.gz", 2, 4096, &out, &why), -EFBIG);
	assert_string_equal(why, "decompressed module too large");
	assert_true(out.cap <= 4096);
	assert_true(out.len <= 4096);
	outbuf_free(&out);
	write_file("small.gz", packed, gzip(plain, 10 * 1024, packed, 2 * PLAIN_SIZE));
	why = NULL;
	assert_int_equal(run_file("small.gz", 2, 4096, &out, &why), -EFBIG);
	assert_string_equal(why, "decompressed module too large");
	outbuf_free(&out);
	assert_int_equal(run_file("small.gz", 2, 10 * 1024, &out, &why), 0);
	assert_int_equal(out.len, 10 * 1024);
	assert_memory_equal(out.data, plain, 10 * 1024);
	outbuf_free(&out);
	/* packed is used by later tests */
	packed_len = gzip(plain, PLAIN_SIZE, packed, 2 * PLAIN_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(round_trip_from_pipe),
		cmocka_unit_test(two_members),
		cmocka_unit_test(lying_size_trailer),
		cmocka_unit_test(truncated),
		cmocka_unit_test(corrupt),
		cmocka_unit_test(size_bound),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
