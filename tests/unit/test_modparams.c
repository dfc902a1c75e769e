// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "modparams.h"

static void joined_and_quoted(void **state)
{
	char *none[] = { NULL };
	char *plain[] = { "count=1", "flag", "label=x" };
	char *spaced[] = { "label=a b", "count=2" };
	char *quoted[] = { "label=\"a b\"" };
	char *s;

	s = modparams_join(0, none);
	assert_string_equal(s, "");
	free(s);
	s = modparams_join(3, plain);
	assert_string_equal(s, "count=1 flag label=x");
	free(s);
	s = modparams_join(2, spaced);
	assert_string_equal(s, "label=\"a b\" count=2");
	free(s);
	/* already quoted by the user: left alone */
	s = modparams_join(1, quoted);
	assert_string_equal(s, "label=\"a b\"");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(joined_and_quoted),
	};
	return cmocka_run_group_tests_name("modparams", tests, NULL, NULL);
}
