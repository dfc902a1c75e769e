// SPDX-License-Identifier: GPL-2.0-or-later
/* modelf_exports / modelf_imports on modules of three architectures and
 * both byte orders (the fixtures of the depmod "cross" integration case). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "modelf.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/unit/data"
#endif
#define CROSS TEST_DATA "/../../integration/cases/depmod/cross/root/lib/modules/6.1.0-test/kernel/"

static unsigned char *load(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*size = (size_t)n;
	return buf;
}

struct syms {
	char text[1024];
};

static int collect(const struct modelf_ksym *k, void *arg)
{
	struct syms *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%.*s=%llx%s;", (int)k->len, k->name,
		 (unsigned long long)k->crc, k->weak ? "w" : "");
	return 0;
}

static void check(const char *file, int exp_err, const char *exports, int imp_err, const char *imports)
{
	size_t size;
	unsigned char *img = load(file, &size);
	struct modelf e;
	struct syms s = { "" };

	assert_int_equal(modelf_open(&e, img, size), 0);
	assert_int_equal(modelf_exports(&e, collect, &s), exp_err);
	assert_string_equal(s.text, exports);
	s.text[0] = '\0';
	assert_int_equal(modelf_imports(&e, collect, &s), imp_err);
	assert_string_equal(s.text, imports);
	free(img);
}

/* With __crc_ symbols only those are exports (s390_plain is not), with the
 * CRC read in the file's byte order; imports take the __versions CRC. */
static void arm_elf32_le(void **state)
{
	(void)state;
	check(CROSS "arm/arm_a.ko", 0, "arm_fn=11223344;", 0, "");
	check(CROSS "arm/arm_b.ko", -ENOENT, "", 0, "arm_fn=11223344;printk=abcd;");
}

static void ppc_elf32_be(void **state)
{
	(void)state;
	check(CROSS "ppc/ppc_a.ko", 0, "ppc_fn=55667788;", 0, "");
}

static void s390_elf64_be(void **state)
{
	(void)state;
	check(CROSS "s390/s390_a.ko", 0, "s390_fn=99aabbcc;", 0, "");
}

/* No exports at all: -ENOENT. */
static void no_exports(void **state)
{
	(void)state;
	check(TEST_DATA "/signed-sha256.ko", -ENOENT, "", 0, "");
}

static int stop(const struct modelf_ksym *k, void *arg)
{
	(void)k;
	(void)arg;
	return 42;
}

static void callback_stops(void **state)
{
	size_t size;
	unsigned char *img = load(CROSS "arm/arm_b.ko", &size);
	struct modelf e;

	(void)state;
	assert_int_equal(modelf_open(&e, img, size), 0);
	assert_int_equal(modelf_imports(&e, stop, NULL), 42);
	free(img);
	img = load(CROSS "arm/arm_a.ko", &size);
	assert_int_equal(modelf_open(&e, img, size), 0);
	assert_int_equal(modelf_exports(&e, stop, NULL), 42);
	free(img);
}

/* Every byte of the section headers' area flipped in turn: no crash,
 * no read outside the image (run it under ASan). */
static void corruptions(void **state)
{
	size_t size;
	unsigned char *img = load(CROSS "arm/arm_b.ko", &size);
	struct modelf e;
	uint32_t shoff = (uint32_t)img[32] | (uint32_t)img[33] << 8 | (uint32_t)img[34] << 16 |
			 (uint32_t)img[35] << 24;

	(void)state;
	for (size_t i = 0; i < size; i++) {
		unsigned char *c;
		struct syms s = { "" };

		/* the headers fully, the rest sampled */
		if (i >= 52 && i < shoff && i % 7 != 0)
			continue;
		c = malloc(size);
		assert_non_null(c);
		memcpy(c, img, size);
		c[i] ^= 0xff;
		if (modelf_open(&e, c, size) == 0) {
			modelf_exports(&e, collect, &s);
			s.text[0] = '\0';
			modelf_imports(&e, collect, &s);
		}
		free(c);
	}
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arm_elf32_le),
		cmocka_unit_test(ppc_elf32_be),
		cmocka_unit_test(s390_elf64_be),
		cmocka_unit_test(no_exports),
		cmocka_unit_test(callback_stops),
		cmocka_unit_test(corruptions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
