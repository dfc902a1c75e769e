// SPDX-License-Identifier: GPL-2.0-or-later
/* modfile: compression detection and user-space decompression. The
 * compressed fixtures are made here with the same libraries' encoders. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "autoconf.h"
#include "kconfig.h"
#include "modfile.h"

#define PLAIN_SIZE (300 * 1024 + 17)   /* several decoder chunks */

static unsigned char *plain;
static char dir[] = "/tmp/test_modfile.XXXXXX";

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static const char *path_of(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static size_t make_gzip(unsigned char *out, size_t cap)
{
	z_stream zs = { 0 };

	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = plain;
	zs.avail_in = PLAIN_SIZE;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return zs.total_out;
}

static size_t make_xz(unsigned char *out, size_t cap)
{
	size_t pos = 0;

	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, plain, PLAIN_SIZE,
						 out, &pos, cap), LZMA_OK);
	return pos;
}

static size_t make_zstd(unsigned char *out, size_t cap)
{
	/* With a checksum, as the zstd tool writes by default. */
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t n;

	assert_non_null(cctx);
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)));
	n = ZSTD_compress2(cctx, out, cap, plain, PLAIN_SIZE);
	assert_false(ZSTD_isError(n));
	ZSTD_freeCCtx(cctx);
	return n;
}

static int setup(void **state)
{
	unsigned char *buf = malloc(2 * PLAIN_SIZE);
	size_t n;

	assert_non_null(mkdtemp(dir));
	plain = malloc(PLAIN_SIZE);
	memcpy(plain, "\177ELF", 4);
	/* Compressible but not trivial: a repeating pattern with noise. */
	for (size_t i = 4; i < PLAIN_SIZE; i++)
		plain[i] = (unsigned char)((i * 7) ^ (i >> 9) ^ (i % 251 == 0 ? 0x5a : 0));
	write_file("plain.ko", plain, PLAIN_SIZE);
	n = make_gzip(buf, 2 * PLAIN_SIZE);
	write_file("m.ko.gz", buf, n);
	write_file("trunc.ko.gz", buf, n / 2);
	buf[n / 2] ^= 0xff;
	buf[n / 2 + 1] ^= 0xff;
	write_file("corrupt.ko.gz", buf, n);
	n = make_xz(buf, 2 * PLAIN_SIZE);
	write_file("m.ko.xz", buf, n);
	write_file("trunc.ko.xz", buf, n - 20);
	buf[n / 2] ^= 0x55;
	write_file("corrupt.ko.xz", buf, n);
	n = make_zstd(buf, 2 * PLAIN_SIZE);
	write_file("m.ko.zst", buf, n);
	write_file("trunc.ko.zst", buf, n / 2);
	buf[n / 2] ^= 0x55;
	buf[n / 2 + 3] ^= 0x55;
	write_file("corrupt.ko.zst", buf, n);
	/* gzip magic on a plain-named file: the magic wins. */
	n = make_gzip(buf, 2 * PLAIN_SIZE);
	write_file("lies.ko", buf, n);
	write_file("empty.ko", "", 0);
	free(buf);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	free(plain);
	return system(cmd) == 0 ? 0 : -1;
}

static void detect_by_magic(void **state)
{
	static const unsigned char gz[] = { 0x1f, 0x8b, 8 }, xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 },
		zs[] = { 0x28, 0xb5, 0x2f, 0xfd }, elf[] = { 0x7f, 'E', 'L', 'F' };

	assert_int_equal(modcomp_detect(gz, sizeof(gz)), MODCOMP_GZIP);
	assert_int_equal(modcomp_detect(xz, sizeof(xz)), MODCOMP_XZ);
	assert_int_equal(modcomp_detect(zs, sizeof(zs)), MODCOMP_ZSTD);
	assert_int_equal(modcomp_detect(elf, sizeof(elf)), MODCOMP_NONE);
	assert_int_equal(modcomp_detect(xz, 5), MODCOMP_NONE);
	assert_int_equal(modcomp_detect(gz, 1), MODCOMP_NONE);
	assert_string_equal(modcomp_name(MODCOMP_GZIP), "gzip");
	assert_string_equal(modcomp_name(MODCOMP_XZ), "xz");
	assert_string_equal(modcomp_name(MODCOMP_ZSTD), "zstd");
}

static void expect_image(const char *name, enum modcomp comp)
{
	struct modfile mf;

	assert_int_equal(modfile_open(&mf, path_of(name)), 0);
	assert_int_equal(mf.comp, comp);
	assert_true(mf.is_regular);
	assert_int_equal(modfile_image(&mf), 0);
	assert_int_equal(mf.size, PLAIN_SIZE);
	assert_memory_equal(mf.image, plain, PLAIN_SIZE);
	assert_int_equal(mf.mapped, comp == MODCOMP_NONE);
	modfile_close(&mf);
}

static void decompress_each_format(void **state)
{
	expect_image("plain.ko", MODCOMP_NONE);
	if (IS_ENABLED(CONFIG_FEATURE_GZIP)) {
		expect_image("m.ko.gz", MODCOMP_GZIP);
		expect_image("lies.ko", MODCOMP_GZIP);
	}
	if (IS_ENABLED(CONFIG_FEATURE_XZ))
		expect_image("m.ko.xz", MODCOMP_XZ);
	if (IS_ENABLED(CONFIG_FEATURE_ZSTD))
		expect_image("m.ko.zst", MODCOMP_ZSTD);
}

static void expect_failure(const char *name, int err, const char *why)
{
	struct modfile mf;

	assert_int_equal(modfile_open(&mf, path_of(name)), 0);
	assert_int_equal(modfile_image(&mf), err);
	assert_string_equal(modfile_strerror(&mf, err), why);
	assert_null(mf.image);
	modfile_close(&mf);
}

static void corrupt_and_truncated_data(void **state)
{
	if (IS_ENABLED(CONFIG_FEATURE_GZIP)) {
		expect_failure("trunc.ko.gz", -EBADMSG, "truncated gzip data");
		expect_failure("corrupt.ko.gz", -EBADMSG, "corrupt gzip data");
	}
	if (IS_ENABLED(CONFIG_FEATURE_XZ)) {
		expect_failure("trunc.ko.xz", -EBADMSG, "truncated xz data");
		expect_failure("corrupt.ko.xz", -EBADMSG, "corrupt xz data");
	}
	if (IS_ENABLED(CONFIG_FEATURE_ZSTD)) {
		expect_failure("trunc.ko.zst", -EBADMSG, "truncated zstd data");
		expect_failure("corrupt.ko.zst", -EBADMSG, "corrupt zstd data");
	}
}

/* A small limit stands in for a decompression bomb. */
static void size_limit_bounds_output(void **state)
{
	static const char *const names[] = { "plain.ko", "m.ko.gz", "m.ko.xz", "m.ko.zst" };

	for (size_t i = 0; i < 4; i++) {
		struct modfile mf;
		int err;

		assert_int_equal(modfile_open(&mf, path_of(names[i])), 0);
		if (!modcomp_supported(mf.comp)) {
			modfile_close(&mf);
			continue;
		}
		mf.limit = 100 * 1024;
		err = modfile_image(&mf);
		assert_int_equal(err, -EFBIG);
		assert_non_null(strstr(modfile_strerror(&mf, err), "too large"));
		modfile_close(&mf);
	}
}

static void missing_empty_and_directory(void **state)
{
	struct modfile mf;

	assert_int_equal(modfile_open(&mf, path_of("nope.ko")), -ENOENT);
	assert_int_equal(modfile_open(&mf, dir), -EISDIR);
	assert_int_equal(modfile_open(&mf, path_of("empty.ko")), 0);
	assert_int_equal(mf.comp, MODCOMP_NONE);
	assert_int_equal(modfile_image(&mf), 0);
	assert_int_equal(mf.size, 0);
	modfile_close(&mf);
}

/* "-" reads standard input, a pipe: compression found after reading. */
static void from_pipe(const char *name, enum modcomp comp)
{
	int saved = dup(STDIN_FILENO);
	int fd = open(path_of(name), O_RDONLY);
	int pfd[2];
	pid_t pid;
	struct modfile mf;

	assert_true(fd >= 0);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		char buf[4096];
		ssize_t n;

		close(pfd[0]);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(pfd[1], buf, (size_t)n) != n)
				_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	close(fd);
	dup2(pfd[0], STDIN_FILENO);
	close(pfd[0]);
	assert_int_equal(modfile_open(&mf, "-"), 0);
	assert_false(mf.is_regular);
	assert_int_equal(modfile_image(&mf), 0);
	assert_int_equal(mf.comp, comp);
	assert_int_equal(mf.size, PLAIN_SIZE);
	assert_memory_equal(mf.image, plain, PLAIN_SIZE);
	modfile_close(&mf);
	dup2(saved, STDIN_FILENO);
	close(saved);
}

static void stdin_plain_and_compressed(void **state)
{
	from_pipe("plain.ko", MODCOMP_NONE);
	if (IS_ENABLED(CONFIG_FEATURE_XZ))
		from_pipe("m.ko.xz", MODCOMP_XZ);
	if (IS_ENABLED(CONFIG_FEATURE_ZSTD))
		from_pipe("m.ko.zst", MODCOMP_ZSTD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect_by_magic),
		cmocka_unit_test(decompress_each_format),
		cmocka_unit_test(corrupt_and_truncated_data),
		cmocka_unit_test(size_limit_bounds_output),
		cmocka_unit_test(missing_empty_and_directory),
		cmocka_unit_test(stdin_plain_and_compressed),
	};
	return cmocka_run_group_tests_name("modfile", tests, setup, teardown);
}
