// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/probe/devnodes.c against what kmod 34.2's "kmod static-nodes"
 * wrote for tests/unit/data/devnodes/modules.devname. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "slurp.h"
#include "devnodes.h"

#define DATA TEST_DATA "/devnodes/"

static void format_names(void **state)
{
	(void)state;
	assert_int_equal(devnode_format("human"), DEVNODE_HUMAN);
	assert_int_equal(devnode_format("tmpfiles"), DEVNODE_TMPFILES);
	assert_int_equal(devnode_format("devname"), DEVNODE_DEVNAME);
	assert_int_equal(devnode_format("Human"), -EINVAL);
	assert_int_equal(devnode_format(""), -EINVAL);
}

static void parse_reads_as_sscanf(void **state)
{
	struct devnode *d = malloc(sizeof(*d));

	(void)state;
	assert_true(devnode_parse("dm-mod mapper/control c10:236\n", d));
	assert_string_equal(d->module, "dm-mod");
	assert_string_equal(d->devname, "mapper/control");
	assert_int_equal(d->type, 'c');
	assert_int_equal(d->major, 10);
	assert_int_equal(d->minor, 236);
	/* %u: blanks and a sign before the number; -1 wraps */
	assert_true(devnode_parse("signed n c-1:+5", d));
	assert_int_equal(d->major, 4294967295u);
	assert_int_equal(d->minor, 5);
	assert_true(devnode_parse("  blk\tsd/a  b8: 16 more words", d));
	assert_int_equal(d->type, 'b');
	assert_int_equal(d->minor, 16);
	/* not entries */
	assert_false(devnode_parse("", d));
	assert_false(devnode_parse("short n c1", d));
	assert_false(devnode_parse("nocolon n c1 2", d));
	assert_false(devnode_parse("spaced x c 7 : 8", d));
	assert_false(devnode_parse("notype x z1:2", d));
	assert_false(devnode_parse("two words", d));
	free(d);
}

/* What devnodes_convert handed over as bad, in kmod's message. */
static void collect_bad(const char *line, void *arg)
{
	fprintf(arg, "Error: invalid devname entry: %s", line);
}

static void convert_as_kmod34(enum devnode_format fmt, const char *expected)
{
	FILE *in = fopen(DATA "modules.devname", "r");
	char *out = NULL, *err = NULL, *want = slurp(expected, NULL), *want_err = slurp(DATA "kmod34.stderr", NULL);
	size_t outlen = 0, errlen = 0;
	FILE *o = open_memstream(&out, &outlen), *e = open_memstream(&err, &errlen);

	assert_non_null(in);
	/* six bad lines (kmod exits 1) */
	assert_int_equal(devnodes_convert(in, o, fmt, collect_bad, e), 6);
	fclose(in);
	fclose(o);
	fclose(e);
	assert_string_equal(out, want);
	assert_string_equal(err, want_err);
	free(out);
	free(err);
	free(want);
	free(want_err);
}

static void convert_human(void **state)
{
	(void)state;
	convert_as_kmod34(DEVNODE_HUMAN, DATA "kmod34.human");
}

static void convert_tmpfiles(void **state)
{
	(void)state;
	convert_as_kmod34(DEVNODE_TMPFILES, DATA "kmod34.tmpfiles");
}

static void convert_devname(void **state)
{
	(void)state;
	convert_as_kmod34(DEVNODE_DEVNAME, DATA "kmod34.devname");
}

static void never_called(const char *line, void *arg)
{
	(void)line;
	(void)arg;
	fail();
}

/* A read error is -errno (here a stream only open for writing). */
static void convert_read_error(void **state)
{
	FILE *in = fopen("/dev/null", "w"), *out = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(in);
	assert_int_equal(devnodes_convert(in, out, DEVNODE_DEVNAME, never_called, NULL), -EBADF);
	fclose(in);
	fclose(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_names),
		cmocka_unit_test(parse_reads_as_sscanf),
		cmocka_unit_test(convert_human),
		cmocka_unit_test(convert_tmpfiles),
		cmocka_unit_test(convert_devname),
		cmocka_unit_test(convert_read_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
