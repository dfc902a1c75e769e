// SPDX-License-Identifier: GPL-2.0-or-later
/* modfile: compression detection and user-space decompression. The
 * compressed fixtures are made here with the same libraries' encoders. */
#include <ctype.h>
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
#include "decompress.h"
#include "modfile.h"
#include "modname.h"

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

/* A frame that does not state its size (as `zstd` writes a stream), with a
 * window of 2^window_log: fed in two calls, so the encoder does not know
 * the size and keeps the window. */
static size_t make_zstd_stream(unsigned char *out, size_t cap, int window_log)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	ZSTD_inBuffer in = { plain, PLAIN_SIZE / 2, 0 };
	ZSTD_outBuffer o = { out, cap, 0 };

	assert_non_null(cctx);
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log)));
	assert_int_equal(ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_continue), 0 * in.pos);
	in.size = PLAIN_SIZE;
	assert_int_equal(ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end), 0);
	ZSTD_freeCCtx(cctx);
	assert_int_equal(ZSTD_getFrameContentSize(out, o.pos), ZSTD_CONTENTSIZE_UNKNOWN);
	return o.pos;
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
	/* two frames, the first in place (size stated), the second streamed */
	n = make_zstd(buf, 2 * PLAIN_SIZE);
	n += make_zstd_stream(buf + n, 2 * PLAIN_SIZE - n, 20);
	write_file("two.ko.zst", buf, n);
	n = make_zstd_stream(buf, 2 * PLAIN_SIZE, 20);
	write_file("stream.ko.zst", buf, n);
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
	assert_string_equal(modcomp_name(MODCOMP_NONE), "none");
}

/* What the table gives every user: a row per format, in its order. */
static void format_table(void **state)
{
	char flags[128] = "", key[128] = "";
	bool any = false;

	assert_true(MODCOMP_END > MODCOMP_ZSTD);
	assert_int_equal(modname_suffix("m.ko", 4), MODCOMP_NONE);
	assert_int_equal(modname_suffix("m.ko.gz", 7), MODCOMP_GZIP);
	assert_int_equal(modname_suffix("m.ko.xz", 7), MODCOMP_XZ);
	assert_int_equal(modname_suffix("m.ko.zst", 8), MODCOMP_ZSTD);
	assert_true(modcomp_supported(MODCOMP_NONE));
	assert_int_equal(modcomp_supported(MODCOMP_GZIP), IS_ENABLED(CONFIG_FEATURE_GZIP));
	assert_int_equal(modcomp_supported(MODCOMP_XZ), IS_ENABLED(CONFIG_FEATURE_XZ));
	assert_int_equal(modcomp_supported(MODCOMP_ZSTD), IS_ENABLED(CONFIG_FEATURE_ZSTD));
	assert_false(modcomp_supported(MODCOMP_END));
	for (int i = MODCOMP_NONE + 1; i < MODCOMP_END; i++) {
		const struct modcomp_format *f = &modcomp_formats[i];
		size_t n = strlen(flags);

		/* a decompressor exactly when built in */
		assert_int_equal(f->decompress != NULL, f->enabled);
		assert_true(f->magiclen > 0);
		/* --version's flag: the name in capitals */
		snprintf(flags + n, sizeof(flags) - n, "%c", f->enabled ? '+' : '-');
		for (const char *c = f->name; *c != '\0'; c++) {
			n = strlen(flags);
			snprintf(flags + n, sizeof(flags) - n, "%c", toupper((unsigned char)*c));
		}
		n = strlen(flags);
		snprintf(flags + n, sizeof(flags) - n, " ");
		n = strlen(key);
		snprintf(key + n, sizeof(key) - n, " %s %d", f->name, f->enabled);
		any = any || f->enabled;
	}
	assert_string_equal(MODCOMP_VERSION_FLAGS, flags);
	assert_string_equal(MODCOMP_BUILD_KEY, key);
	assert_int_equal(MODCOMP_ANY_ENABLED, any);
	assert_int_equal(modname_suffix("a.ko.zst", 8), MODCOMP_ZSTD);
	assert_int_equal(modname_suffix("a.ko.gz", 7), MODCOMP_GZIP);
	assert_int_equal(modname_suffix("a.ko", 4), MODCOMP_NONE);
	assert_int_equal(modname_suffix("a.ko.zstd", 9), -1);
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

static void zstd_frames_in_place_and_streamed(void **state)
{
	struct modfile mf;

	if (!IS_ENABLED(CONFIG_FEATURE_ZSTD))
		return;
	expect_image("stream.ko.zst", MODCOMP_ZSTD);
	assert_int_equal(modfile_open(&mf, path_of("two.ko.zst")), 0);
	assert_int_equal(modfile_image(&mf), 0);
	assert_int_equal(mf.size, 2 * PLAIN_SIZE);
	assert_memory_equal(mf.image, plain, PLAIN_SIZE);
	assert_memory_equal((const char *)mf.image + PLAIN_SIZE, plain, PLAIN_SIZE);
	modfile_close(&mf);
}

/* A streamed zstd frame keeps a window besides the output: both count
 * against the limit, and a window past it is refused before decoding. */
static void zstd_window_counts_against_limit(void **state)
{
	static const struct {
		size_t limit;
		int err;
		const char *why;
	} cases[] = {
		{ (1u << 20) - 1, -EFBIG, "zstd data needs too much memory to decompress" },
		{ (1u << 20) + 100 * 1024, -EFBIG, "decompressed module too large" },
		{ (1u << 20) + PLAIN_SIZE + 1, 0, NULL },
	};

	if (!IS_ENABLED(CONFIG_FEATURE_ZSTD))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct modfile mf;
		int err;

		assert_int_equal(modfile_open(&mf, path_of("stream.ko.zst")), 0);
		mf.limit = cases[i].limit;
		err = modfile_image(&mf);
		assert_int_equal(err, cases[i].err);
		if (err < 0)
			assert_string_equal(modfile_strerror(&mf, err), cases[i].why);
		else
			assert_memory_equal(mf.image, plain, PLAIN_SIZE);
		modfile_close(&mf);
	}
}

static size_t admitted_old, admitted_new;

static int admit_below(void *arg, size_t old_cap, size_t new_cap)
{
	admitted_old = old_cap;
	admitted_new = new_cap;
	return new_cap > *(size_t *)arg ? -EAGAIN : 0;
}

/* Output buffers double, take a large first request exactly, never pass
 * the limit, and ask the admit hook before each growth. */
static void outbuf_grows_geometrically_to_limit(void **state)
{
	size_t refuse_past = 300000;
	struct outbuf out = { .limit = 1000000 };
	size_t caps[8], n = 0;

	while (out.len < out.limit && n < 8) {
		assert_int_equal(outbuf_room(&out), 0);
		caps[n++] = out.cap;
		out.len = out.cap;
	}
	assert_int_equal(n, 5);
	assert_int_equal(caps[0], 65536);
	assert_int_equal(caps[3], 524288);
	assert_int_equal(caps[4], 1000000);
	assert_int_equal(outbuf_room(&out), -EFBIG);
	assert_int_equal(out.cap, 1000000);
	outbuf_free(&out);

	out.len = 0;
	assert_int_equal(outbuf_reserve(&out, 700000), 0);
	assert_int_equal(out.cap, 700000);
	out.len = 700000;
	assert_int_equal(outbuf_reserve(&out, 300001), -EFBIG);
	outbuf_free(&out);

	out.admit = admit_below;
	out.admit_arg = &refuse_past;
	assert_int_equal(outbuf_reserve(&out, 200000), 0);
	assert_int_equal(admitted_old, 0);
	assert_int_equal(admitted_new, 200000);
	out.len = out.cap;
	assert_int_equal(outbuf_room(&out), -EAGAIN);
	assert_int_equal(admitted_old, 200000);
	assert_int_equal(admitted_new, 400000);
	assert_int_equal(out.cap, 200000);
	outbuf_free(&out);
}

static void missing_empty_and_directory(void **state)
{
	struct modfile mf;

	assert_int_equal(modfile_open(&mf, path_of("nope.ko")), -ENOENT);
	assert_int_equal(modfile_open(&mf, dir), -EISDIR);
	/* a device named by path: refused unread */
	assert_int_equal(modfile_open(&mf, "/dev/zero"), -EMEDIUMTYPE);
	assert_string_equal(modfile_strerror(&mf, -EMEDIUMTYPE), "not a regular file");
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
		cmocka_unit_test(format_table),
		cmocka_unit_test(decompress_each_format),
		cmocka_unit_test(corrupt_and_truncated_data),
		cmocka_unit_test(size_limit_bounds_output),
		cmocka_unit_test(zstd_frames_in_place_and_streamed),
		cmocka_unit_test(zstd_window_counts_against_limit),
		cmocka_unit_test(outbuf_grows_geometrically_to_limit),
		cmocka_unit_test(missing_empty_and_directory),
		cmocka_unit_test(stdin_plain_and_compressed),
	};
	return cmocka_run_group_tests_name("modfile", tests, setup, teardown);
}
