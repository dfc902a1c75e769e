// SPDX-License-Identifier: GPL-2.0-or-later
/* xzparts: an .xz file of several blocks read in parts, each part checked
 * against the plain bytes; what is not taken, corrupt blocks, the bounds.
 * The files are made here with liblzma's multi-threaded encoder (one
 * thread), which cuts the stream into blocks of a given size. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <lzma.h>

#include "autoconf.h"
#include "kconfig.h"
#include "modelf.h"
#include "modfile.h"
#include "xzparts.h"

#define PLAIN_SIZE (300 * 1024 + 17)
#define BLOCK (16 * 1024)

static unsigned char *plain;
static char dir[] = "/tmp/test_xzparts.XXXXXX";

static const char *path_of(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* data compressed in blocks of block bytes (0: one block) into name; the
 * compressed size. */
static size_t make_xz(const char *name, const unsigned char *data, size_t len, uint64_t block)
{
	lzma_stream xs = LZMA_STREAM_INIT;
	lzma_mt mt = { .threads = 1, .block_size = block, .preset = 0, .check = LZMA_CHECK_CRC32 };
	size_t cap = len + len / 2 + 65536;
	unsigned char *out = malloc(cap);
	FILE *f;

	assert_non_null(out);
	if (block == 0)
		assert_int_equal(lzma_easy_encoder(&xs, 0, LZMA_CHECK_CRC32), LZMA_OK);
	else
		assert_int_equal(lzma_stream_encoder_mt(&xs, &mt), LZMA_OK);
	xs.next_in = data;
	xs.avail_in = len;
	xs.next_out = out;
	xs.avail_out = cap;
	assert_int_equal(lzma_code(&xs, LZMA_FINISH), LZMA_STREAM_END);
	len = (size_t)xs.total_out;
	lzma_end(&xs);
	f = fopen(path_of(name), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(out, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(out);
	return len;
}

static int setup(void **state)
{
	uint32_t x = 12345;

	if (mkdtemp(dir) == NULL)
		return -1;
	plain = malloc(PLAIN_SIZE);
	if (plain == NULL)
		return -1;
	/* Compressible but not trivially: words of a small alphabet. */
	for (size_t i = 0; i < PLAIN_SIZE; i++) {
		x = x * 1103515245u + 12345u;
		plain[i] = (unsigned char)('a' + (x >> 16) % 8);
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(plain);
	return system(cmd);
}

static struct xzparts *open_parts(const char *name, size_t min, int *fd, size_t *size)
{
	struct xzparts *xp = NULL;

	*fd = open(path_of(name), O_RDONLY);
	assert_true(*fd >= 0);
	assert_int_equal(xzparts_open(*fd, min, SIZE_MAX, &xp, size), 1);
	assert_non_null(xp);
	return xp;
}

static void parts_match_the_plain_bytes(void **state)
{
	static const struct { size_t off, len; } want[] = {
		{ 0, 64 },                            /* the start */
		{ PLAIN_SIZE - 100, 100 },            /* the end */
		{ BLOCK - 10, 20 },                   /* across one block boundary */
		{ 3 * BLOCK + 5, 4 * BLOCK },         /* across several */
		{ 7 * BLOCK, BLOCK },                 /* one block exactly */
		{ 100, 0 },                           /* nothing */
	};
	struct xzparts *xp;
	size_t size;
	int fd;

	if (!IS_ENABLED(CONFIG_FEATURE_XZ))
		skip();
	make_xz("m.ko.xz", plain, PLAIN_SIZE, BLOCK);
	xp = open_parts("m.ko.xz", 1, &fd, &size);
	assert_int_equal(size, PLAIN_SIZE);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const unsigned char *p = xzparts_fetch(xp, want[i].off, want[i].len);

		assert_non_null(p);
		assert_memory_equal(p, plain + want[i].off, want[i].len);
	}
	xzparts_free(xp);
	close(fd);
	/* all of it at once */
	xp = open_parts("m.ko.xz", 1, &fd, &size);
	assert_memory_equal(xzparts_fetch(xp, 0, PLAIN_SIZE), plain, PLAIN_SIZE);
	assert_int_equal(xzparts_decoded(xp), PLAIN_SIZE);
	xzparts_free(xp);
	close(fd);
}

static void only_the_blocks_asked_for_are_decoded(void **state)
{
	struct xzparts *xp;
	size_t size;
	int fd;

	if (!IS_ENABLED(CONFIG_FEATURE_XZ))
		skip();
	make_xz("m.ko.xz", plain, PLAIN_SIZE, BLOCK);
	xp = open_parts("m.ko.xz", 1, &fd, &size);
	/* 10 bytes at 100 of the last block: its first 110 bytes. */
	assert_non_null(xzparts_fetch(xp, (PLAIN_SIZE / BLOCK) * BLOCK + 100, 10));
	assert_int_equal(xzparts_decoded(xp), 110);
	/* Asked again: answered from what was kept. */
	assert_non_null(xzparts_fetch(xp, (PLAIN_SIZE / BLOCK) * BLOCK + 100, 10));
	assert_int_equal(xzparts_decoded(xp), 110);
	/* The middle of block 5: that block up to there, not blocks 0-4. */
	assert_non_null(xzparts_fetch(xp, 5 * BLOCK + 1000, 1000));
	assert_int_equal(xzparts_decoded(xp), 110 + 2000);
	xzparts_free(xp);
	close(fd);
}

static void files_read_whole(void **state)
{
	struct xzparts *xp = (struct xzparts *)1;
	size_t size = 7;
	int fd;
	FILE *f;

	if (!IS_ENABLED(CONFIG_FEATURE_XZ))
		skip();
	/* one block; smaller than asked; blocks of more than half the image */
	make_xz("one.ko.xz", plain, PLAIN_SIZE, 0);
	make_xz("two.ko.xz", plain, PLAIN_SIZE, PLAIN_SIZE / 2 + 1);
	make_xz("m.ko.xz", plain, PLAIN_SIZE, BLOCK);
	const struct { const char *name; size_t min; } cases[] = {
		{ "one.ko.xz", 1 }, { "two.ko.xz", 1 }, { "m.ko.xz", PLAIN_SIZE + 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fd = open(path_of(cases[i].name), O_RDONLY);
		assert_int_equal(xzparts_open(fd, cases[i].min, SIZE_MAX, &xp, &size), 0);
		assert_null(xp);
		close(fd);
	}
	/* past the limit (the whole decoder then says it is too large) */
	fd = open(path_of("m.ko.xz"), O_RDONLY);
	assert_int_equal(xzparts_open(fd, 1, PLAIN_SIZE - 1, &xp, &size), 0);
	close(fd);
	/* two streams; garbage; a truncated file */
	{
		size_t n = make_xz("m.ko.xz", plain, PLAIN_SIZE, BLOCK);
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "cat '%s' '%s' >'%s/two-streams.ko.xz' && head -c %zu '%s' >'%s/cut.ko.xz'",
			 path_of("m.ko.xz"), path_of("m.ko.xz"), dir, n - 1, path_of("m.ko.xz"), dir);
		assert_int_equal(system(cmd), 0);
	}
	f = fopen(path_of("garbage.ko.xz"), "wb");
	assert_non_null(f);
	fputs("\xfd" "7zXZ garbage, not an xz file at all", f);
	fclose(f);
	const char *bad[] = { "two-streams.ko.xz", "garbage.ko.xz", "cut.ko.xz" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = open(path_of(bad[i]), O_RDONLY);
		assert_int_equal(xzparts_open(fd, 1, SIZE_MAX, &xp, &size), 0);
		assert_null(xp);
		close(fd);
	}
}

static void corrupt_block_fails_alone(void **state)
{
	struct xzparts *xp;
	size_t size, n;
	unsigned char *data;
	FILE *f;
	int fd;

	if (!IS_ENABLED(CONFIG_FEATURE_XZ))
		skip();
	n = make_xz("m.ko.xz", plain, PLAIN_SIZE, BLOCK);
	/* Bytes in the middle of the file inverted: some middle block. */
	data = malloc(n);
	assert_non_null(data);
	f = fopen(path_of("m.ko.xz"), "rb");
	assert_int_equal(fread(data, 1, n, f), n);
	fclose(f);
	for (size_t i = n / 2; i < n / 2 + 8; i++)
		data[i] ^= 0xff;
	f = fopen(path_of("bad.ko.xz"), "wb");
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	free(data);
	xp = open_parts("bad.ko.xz", 1, &fd, &size);
	errno = 0;
	assert_null(xzparts_fetch(xp, 0, PLAIN_SIZE));
	assert_int_equal(errno, EBADMSG);
	/* The first and last blocks are intact. */
	assert_non_null(xzparts_fetch(xp, 10, 100));
	assert_memory_equal(xzparts_fetch(xp, 10, 100), plain + 10, 100);
	assert_non_null(xzparts_fetch(xp, PLAIN_SIZE - 50, 50));
	xzparts_free(xp);
	close(fd);
}

static void decoding_is_bounded(void **state)
{
	struct xzparts *xp;
	size_t size, i;
	const void *p = (const void *)1;
	int fd;

	if (!IS_ENABLED(CONFIG_FEATURE_XZ))
		skip();
	make_xz("m.ko.xz", plain, PLAIN_SIZE, BLOCK);
	xp = open_parts("m.ko.xz", 1, &fd, &size);
	/* The last byte of each block in turn, again and again: each time a
	 * whole block decoded and one byte kept, until the decoding bound. */
	for (i = 0; i < 1000 && p != NULL; i++)
		p = xzparts_fetch(xp, (i % 18) * BLOCK + BLOCK - 1 - i / 18, 1);
	assert_null(p);
	assert_int_equal(errno, EFBIG);
	assert_true(xzparts_decoded(xp) <= (uint64_t)PLAIN_SIZE * XZPARTS_DECODE_FACTOR +
						(uint64_t)BLOCK * XZPARTS_DECODE_BLOCKS);
	assert_true(xzparts_decoded(xp) > (uint64_t)PLAIN_SIZE * XZPARTS_DECODE_FACTOR);
	xzparts_free(xp);
	close(fd);
}

static void modfile_reads_in_parts_above_the_threshold(void **state)
{
	struct modfile mf;

	if (!IS_ENABLED(CONFIG_FEATURE_XZ))
		skip();
	make_xz("m.ko.xz", plain, PLAIN_SIZE, BLOCK);
	/* at the threshold: in parts */
	assert_int_equal(modfile_open(&mf, path_of("m.ko.xz")), 0);
	mf.parts_min = PLAIN_SIZE;
	assert_int_equal(modfile_image(&mf), 0);
	assert_null(mf.image);
	assert_non_null(mf.parts);
	assert_int_equal(mf.size, PLAIN_SIZE);
	assert_memory_equal(modfile_parts_fetch(mf.parts, 1000, 5000), plain + 1000, 5000);
	modfile_close(&mf);
	/* above it, or without one: whole */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(modfile_open(&mf, path_of("m.ko.xz")), 0);
		mf.parts_min = i == 0 ? PLAIN_SIZE + 1 : 0;
		assert_int_equal(modfile_image(&mf), 0);
		assert_null(mf.parts);
		assert_non_null(mf.image);
		assert_memory_equal(mf.image, plain, PLAIN_SIZE);
		modfile_close(&mf);
	}
}

static void parts_min_from_the_environment(void **state)
{
	assert_int_equal(unsetenv("MODUTILS_TEST_PARTS_MIN"), 0);
	assert_int_equal(modfile_parts_min(), MODFILE_PARTS_MIN);
	setenv("MODUTILS_TEST_PARTS_MIN", "4096", 1);
	assert_int_equal(modfile_parts_min(), 4096);
	setenv("MODUTILS_TEST_PARTS_MIN", "12k", 1);
	assert_int_equal(modfile_parts_min(), MODFILE_PARTS_MIN);
	setenv("MODUTILS_TEST_PARTS_MIN", "0", 1);
	assert_int_equal(modfile_parts_min(), MODFILE_PARTS_MIN);
	unsetenv("MODUTILS_TEST_PARTS_MIN");
}

/* Modules of the cross test (ELF32 LE, ELF64 BE; __crc_ symbols read from
 * their section, __versions) through modelf, whole and in parts: the same
 * exports, imports and .modinfo. */
#define CROSS TEST_DATA "/../../integration/cases/depmod/cross/root/lib/modules/6.1.0-test/kernel/"

static int print_ksym(const struct modelf_ksym *k, void *arg)
{
	char *text = arg;
	size_t n = strlen(text);

	snprintf(text + n, 4096 - n, "%.*s=%llx%s;", (int)k->len, k->name, (unsigned long long)k->crc,
		 k->weak ? "w" : "");
	return 0;
}

static void elf_text(struct modelf *e, char *text)
{
	struct modelf_section s;
	int err;

	text[0] = '\0';
	err = modelf_exports(e, print_ksym, text);
	snprintf(text + strlen(text), 4096 - strlen(text), "|%d|", err);
	err = modelf_imports(e, print_ksym, text);
	snprintf(text + strlen(text), 4096 - strlen(text), "|%d|", err);
	err = modelf_section(e, ".modinfo", &s);
	if (err == 0 && s.size > 0)
		snprintf(text + strlen(text), 4096 - strlen(text), "%.*s", (int)s.size, (const char *)s.data);
	snprintf(text + strlen(text), 4096 - strlen(text), "|%d", err);
}

static void elf_in_parts_as_whole(void **state)
{
	static const char *files[] = { CROSS "arm/arm_a.ko", CROSS "arm/arm_b.ko", CROSS "s390/s390_a.ko" };
	static char whole_text[4096], parts_text[4096];

	if (!IS_ENABLED(CONFIG_FEATURE_XZ))
		skip();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		unsigned char *elf;
		long len;
		FILE *f = fopen(files[i], "rb");
		struct modelf whole, parts;
		struct xzparts *xp;
		size_t size;
		int fd;

		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		elf = malloc((size_t)len);
		assert_int_equal(fread(elf, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		make_xz("elf.ko.xz", elf, (size_t)len, (size_t)len / 4);
		assert_int_equal(modelf_open(&whole, elf, (size_t)len), 0);
		elf_text(&whole, whole_text);
		xp = open_parts("elf.ko.xz", 1, &fd, &size);
		assert_int_equal(size, (size_t)len);
		assert_int_equal(modelf_open_parts(&parts, size, xzparts_fetch, xp), 0);
		elf_text(&parts, parts_text);
		assert_string_equal(parts_text, whole_text);
		assert_true(strchr(whole_text, '=') != NULL);     /* some symbol */
		assert_true(xzparts_decoded(xp) > 0);
		xzparts_free(xp);
		close(fd);
		free(elf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parts_match_the_plain_bytes),
		cmocka_unit_test(only_the_blocks_asked_for_are_decoded),
		cmocka_unit_test(files_read_whole),
		cmocka_unit_test(corrupt_block_fails_alone),
		cmocka_unit_test(decoding_is_bounded),
		cmocka_unit_test(modfile_reads_in_parts_above_the_threshold),
		cmocka_unit_test(parts_min_from_the_environment),
		cmocka_unit_test(elf_in_parts_as_whole),
	};
	return cmocka_run_group_tests_name("xzparts", tests, setup, teardown);
}
