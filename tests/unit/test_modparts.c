// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/modfile/modparts.c: a real module read in parts through
 * modelf_open_parts gives what the whole file in memory gives (every
 * section, .modinfo, exports, imports); parts read are answered again
 * without a read, stay valid while others are added, and are forgotten at
 * a reset; the budget (size + 64 KiB) stops a file asking for the same
 * bytes again and again; a file shorter than its size and a failing reader
 * give errors. Fixtures: tests/unit/data (README.md there). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "modelf.h"
#include "modparts.h"

#define TREE TEST_DATA "/depmod-tree/lib/modules/6.1.0-test"

static const char *const fixtures[] = {
	TREE "/kernel/drivers/test/modtest_a.ko",
	TREE "/kernel/drivers/test/modtest_b.ko",
	TREE "/kernel/drivers/test/dash-mod.ko",
	TEST_DATA "/signed-sha256.ko",
};

static unsigned char *slurp(const char *path, size_t *size)
{
	struct stat st;
	unsigned char *b;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	*size = (size_t)st.st_size;
	b = malloc(*size);
	assert_non_null(b);
	assert_int_equal(read(fd, b, *size), (ssize_t)*size);
	close(fd);
	return b;
}

/* What the symbol callbacks saw, as text. */
struct seen {
	char text[4096];
	size_t len;
};

static int note_sym(const struct modelf_ksym *sym, void *arg)
{
	struct seen *s = arg;

	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%.*s:%llx:%d\n",
				   (int)sym->len, sym->name, (unsigned long long)sym->crc, sym->weak);
	assert_true(s->len < sizeof(s->text));
	return 0;
}

static void describe(struct modelf *e, struct seen *s)
{
	struct modelf_section sec;
	const char *rec;
	size_t pos = 0, len;
	int r;

	memset(s, 0, sizeof(*s));
	if (modelf_section(e, ".modinfo", &sec) == 0)
		while ((r = modelf_modinfo_next(e, &sec, &pos, &rec, &len)) == 1)
			s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%.*s\n", (int)len, rec);
	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "exports %d\n",
				   modelf_exports(e, note_sym, s));
	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "imports %d\n",
				   modelf_imports(e, note_sym, s));
}

/* Every section and what depmod reads are the same, in parts or whole. */
static void parts_match_whole_file(void **state)
{
	struct modparts mp = MODPARTS_INIT;

	for (size_t f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		struct modelf whole, parts;
		struct seen a, b;
		size_t size;
		unsigned char *img = slurp(fixtures[f], &size);
		int fd = open(fixtures[f], O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(modelf_open(&whole, img, size), 0);
		modparts_reset(&mp, fd, size);
		assert_int_equal(modelf_open_parts(&parts, size, modparts_fetch, &mp), 0);
		assert_int_equal(parts.shnum, whole.shnum);
		assert_true(whole.shnum > 5);
		for (uint32_t i = 0; i < whole.shnum; i++) {
			struct modelf_section sw, sp;

			assert_int_equal(modelf_section_at(&whole, i, &sw), 0);
			assert_int_equal(modelf_section_at(&parts, i, &sp), 0);
			assert_int_equal(sp.size, sw.size);
			assert_int_equal(sp.type, sw.type);
			if (sw.data == NULL) {
				assert_null(sp.data);
				continue;
			}
			assert_memory_equal(sp.data, sw.data, sw.size);
			/* in parts, a copy: not the whole image's bytes */
			assert_true(sp.data < img || sp.data >= img + size);
		}
		describe(&whole, &a);
		describe(&parts, &b);
		assert_string_equal(b.text, a.text);
		assert_non_null(strstr(a.text, "license="));
		close(fd);
		free(img);
	}
	modparts_free(&mp);
}

/* The same bytes asked again come from memory (no budget spent); a part
 * of a part too; pointers stay valid while larger parts are added. */
static void parts_answered_again(void **state)
{
	struct modparts mp = MODPARTS_INIT;
	size_t size;
	unsigned char *img = slurp(fixtures[0], &size);
	const unsigned char *a, *b, *c;
	uint64_t budget;
	int fd = open(fixtures[0], O_RDONLY);

	assert_true(fd >= 0);
	modparts_reset(&mp, fd, size);
	a = modparts_fetch(&mp, 64, 100);
	assert_non_null(a);
	assert_memory_equal(a, img + 64, 100);
	budget = mp.budget;
	b = modparts_fetch(&mp, 64, 100);
	assert_ptr_equal(b, a);
	c = modparts_fetch(&mp, 80, 20);
	assert_ptr_equal(c, a + 16);
	assert_int_equal(mp.budget, budget);
	/* many parts: new blocks are begun, the first part stays */
	for (size_t i = 0; i < 40; i++) {
		const unsigned char *p = modparts_fetch(&mp, i, size - i);

		assert_non_null(p);
		assert_memory_equal(p, img + i, size - i);
	}
	assert_memory_equal(a, img + 64, 100);
	close(fd);
	free(img);
	modparts_free(&mp);
}

/* A reset forgets what the last file had read. */
static void reset_forgets(void **state)
{
	struct modparts mp = MODPARTS_INIT;
	size_t size1, size2;
	unsigned char *img1 = slurp(fixtures[0], &size1), *img2 = slurp(fixtures[2], &size2);
	const unsigned char *p;
	int fd1 = open(fixtures[0], O_RDONLY), fd2 = open(fixtures[2], O_RDONLY);

	assert_true(fd1 >= 0 && fd2 >= 0);
	modparts_reset(&mp, fd1, size1);
	p = modparts_fetch(&mp, 200, 300);
	assert_non_null(p);
	assert_memory_equal(p, img1 + 200, 300);
	modparts_reset(&mp, fd2, size2);
	assert_int_equal(mp.ngot, 0);
	p = modparts_fetch(&mp, 200, 300);
	assert_non_null(p);
	assert_memory_equal(p, img2 + 200, 300);
	assert_memory_not_equal(img1 + 200, img2 + 200, 300);
	close(fd1);
	close(fd2);
	free(img1);
	free(img2);
	modparts_free(&mp);
}

/* size + 64 KiB in all: one larger part, or the same bytes asked for again
 * once the 16 remembered parts are full, end in EFBIG. */
static void budget_bounds_rereads(void **state)
{
	struct modparts mp = MODPARTS_INIT;
	size_t size;
	unsigned char *img = slurp(fixtures[0], &size);
	const void *p = NULL;
	int fd = open(fixtures[0], O_RDONLY), n;

	assert_true(fd >= 0);
	modparts_reset(&mp, fd, size);
	errno = 0;
	assert_null(modparts_fetch(&mp, 0, size + (64u << 10) + 1));
	assert_int_equal(errno, EFBIG);
	/* 16 parts remembered, then the same 1000 bytes over and over */
	for (size_t i = 0; i < 16; i++)
		assert_non_null(modparts_fetch(&mp, i, 1));
	for (n = 0; n < 1000; n++) {
		p = modparts_fetch(&mp, 0, 1000);
		if (p == NULL)
			break;
	}
	assert_null(p);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(n, (int)((size + (64u << 10) - 16) / 1000));
	close(fd);
	free(img);
	modparts_free(&mp);
}

/* A file shorter than the size it was opened with: EIO, not bytes of
 * nowhere. */
static void file_shorter_than_its_size(void **state)
{
	struct modparts mp = MODPARTS_INIT;
	size_t size;
	unsigned char *img = slurp(fixtures[0], &size);
	int fd = open(fixtures[0], O_RDONLY);

	assert_true(fd >= 0);
	modparts_reset(&mp, fd, size + 100);
	errno = 0;
	assert_null(modparts_fetch(&mp, size - 10, 50));
	assert_int_equal(errno, EIO);
	close(fd);
	free(img);
	modparts_free(&mp);
}

struct reader {
	const unsigned char *img;
	size_t size;
	int calls;
	bool fail;
};

static int read_from(void *arg, unsigned char *p, size_t len, uint64_t off)
{
	struct reader *r = arg;

	r->calls++;
	if (r->fail || off + len > r->size) {
		errno = EBADMSG;
		return -1;
	}
	memcpy(p, r->img + off, len);
	return 0;
}

/* A reader instead of a file (xzparts): the same, its errors passed on. */
static void reader_instead_of_file(void **state)
{
	struct modparts mp = MODPARTS_INIT;
	struct modelf whole, parts;
	struct reader r = { 0 };
	struct seen a, b;
	size_t size;
	unsigned char *img = slurp(fixtures[1], &size);

	r.img = img;
	r.size = size;
	assert_int_equal(modelf_open(&whole, img, size), 0);
	modparts_reset_reader(&mp, size, read_from, &r);
	assert_int_equal(modelf_open_parts(&parts, size, modparts_fetch, &mp), 0);
	describe(&whole, &a);
	describe(&parts, &b);
	assert_string_equal(b.text, a.text);
	assert_true(r.calls > 0);
	/* a part not read yet (the whole file), the reader failing: NULL,
	 * its errno */
	r.fail = true;
	errno = 0;
	assert_null(modparts_fetch(&mp, 0, size));
	assert_int_equal(errno, EBADMSG);
	free(img);
	modparts_free(&mp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parts_match_whole_file),
		cmocka_unit_test(parts_answered_again),
		cmocka_unit_test(reset_forgets),
		cmocka_unit_test(budget_bounds_rereads),
		cmocka_unit_test(file_shorter_than_its_size),
		cmocka_unit_test(reader_instead_of_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
