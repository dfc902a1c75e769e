// SPDX-License-Identifier: GPL-2.0-or-later
/* loaddiag: what is said about a file that is not a module (the findings
 * about symbols and vermagic need the kernel: the integration cases
 * modprobe/explain-* cover them under the fake kernel). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "loaddiag.h"

struct said {
	char text[512];
	int n;
};

static void collect(const char *sentence, void *arg)
{
	struct said *s = arg;

	snprintf(s->text, sizeof(s->text), "%s", sentence);
	s->n++;
}

static void not_a_module(void **state)
{
	static const char junk[] = "this is not an ELF file, not even close to one";
	struct said s = { "", 0 };

	assert_int_equal(loaddiag_bad_format(junk, sizeof(junk), collect, &s), 1);
	assert_int_equal(s.n, 1);
	assert_true(strncmp(s.text, "the file is not a module: ", 26) == 0);
	/* the reason is modelf's words, never "(null)" */
	assert_null(strstr(s.text, "(null)"));
	assert_true(strlen(s.text) > 26);
}

static void empty_image(void **state)
{
	struct said s = { "", 0 };

	assert_int_equal(loaddiag_bad_format("", 0, collect, &s), 1);
	assert_int_equal(s.n, 1);
	assert_null(strstr(s.text, "(null)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(not_a_module),
		cmocka_unit_test(empty_image),
	};
	return cmocka_run_group_tests_name("loaddiag", tests, NULL, NULL);
}
