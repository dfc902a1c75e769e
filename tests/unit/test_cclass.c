// SPDX-License-Identifier: GPL-2.0-or-later
/* cclass: the C locale's character classes, against glibc's is*(). */
#include <ctype.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "cclass.h"

static const struct {
	const char *name;
	int (*is)(int);
} classes[] = {
	{ "alnum", isalnum }, { "alpha", isalpha }, { "blank", isblank }, { "cntrl", iscntrl },
	{ "digit", isdigit }, { "graph", isgraph }, { "lower", islower }, { "print", isprint },
	{ "punct", ispunct }, { "space", isspace }, { "upper", isupper }, { "xdigit", isxdigit },
};

static void every_byte_as_glibc(void **state)
{
	setlocale(LC_ALL, "C");
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		int k = cclass_find(classes[i].name, strlen(classes[i].name));

		assert_true(k >= 0);
		for (int c = 0; c < 256; c++)
			assert_int_equal(cclass_has(k, c), classes[i].is(c) != 0);
		assert_false(cclass_has(k, -1));
	}
}

static void unknown_names(void **state)
{
	assert_int_equal(cclass_find("", 0), -1);
	assert_int_equal(cclass_find("alph", 4), -1);
	assert_int_equal(cclass_find("alphab", 6), -1);
	assert_int_equal(cclass_find("xdigits", 7), -1);
	assert_int_equal(cclass_find("lnum:a", 6), -1);
	assert_int_equal(cclass_find("alpha:", 5), cclass_find("alpha", 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_byte_as_glibc),
		cmocka_unit_test(unknown_names),
	};
	return cmocka_run_group_tests_name("cclass", tests, NULL, NULL);
}
