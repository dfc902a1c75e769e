// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "modname.h"

static void normalize_paths_and_names(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "ext4", "ext4" },
		{ "snd-hda-intel", "snd_hda_intel" },
		{ "/lib/modules/6.1/kernel/fs/ext4/ext4.ko", "ext4" },
		{ "kernel/drivers/usb-storage.ko.zst", "usb_storage" },
		{ "a-b.ko.xz", "a_b" },
		{ "dir.with.dots/mod.ko.gz", "mod" },
		{ "x.y.z", "x" },
	};
	char buf[MODNAME_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(modname_normalize(cases[i].in, buf), 0);
		assert_string_equal(buf, cases[i].out);
	}
}

static void normalize_rejects_empty_and_long(void **state)
{
	char buf[MODNAME_MAX];
	char longname[100];

	assert_int_equal(modname_normalize("", buf), -EINVAL);
	assert_int_equal(modname_normalize("/lib/", buf), -EINVAL);
	assert_int_equal(modname_normalize(".ko", buf), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(modname_normalize(longname, buf), -ENAMETOOLONG);
	longname[MODNAME_LEN_MAX] = '\0';
	assert_int_equal(modname_normalize(longname, buf), 0);
	assert_int_equal(strlen(buf), MODNAME_LEN_MAX);
}

static void module_suffixes(void **state)
{
	assert_true(modname_has_module_suffix("a.ko"));
	assert_true(modname_has_module_suffix("dir/a.ko.gz"));
	assert_true(modname_has_module_suffix("a.ko.xz"));
	assert_true(modname_has_module_suffix("a.ko.zst"));
	assert_false(modname_has_module_suffix(".ko"));
	assert_false(modname_has_module_suffix("a.ko.bz2"));
	assert_false(modname_has_module_suffix("a.o"));
	assert_false(modname_has_module_suffix("ako"));
}

static void names_compare_dash_underscore(void **state)
{
	assert_true(modname_equal("snd-hda", "snd_hda"));
	assert_true(modname_equal("a_b-c", "a-b_c"));
	assert_false(modname_equal("ab", "abc"));
	assert_false(modname_equal("abc", "ab"));
	assert_false(modname_equal("a.b", "a_b"));
}

/* kmod's alias_normalize: '-' as '_' outside [...] sets, a stray or
 * unclosed bracket refused (a stray one accepted when asked). */
static void alias_keys(void **state)
{
	char out[32], in_place[] = "usb:v-[a-b]p-*";

	assert_int_equal(modname_alias("pci:v-d-[0-9-]x", out, sizeof(out), false), 0);
	assert_string_equal(out, "pci:v_d_[0-9-]x");
	assert_int_equal(modname_alias("a[[b-]c-", out, sizeof(out), false), 0);
	assert_string_equal(out, "a[[b-]c_");
	assert_int_equal(modname_alias(in_place, in_place, sizeof(in_place), false), 0);
	assert_string_equal(in_place, "usb:v_[a-b]p_*");
	assert_int_equal(modname_alias("", out, sizeof(out), false), 0);
	assert_string_equal(out, "");
	assert_int_equal(modname_alias("a]b", out, sizeof(out), false), -EINVAL);
	assert_int_equal(modname_alias("[[:alpha:]]-b", out, sizeof(out), false), -EINVAL);
	assert_int_equal(modname_alias("[[:alpha:]]-b", out, sizeof(out), true), 0);
	assert_string_equal(out, "[[:alpha:]]_b");
	assert_int_equal(modname_alias("a[b-c", out, sizeof(out), true), -EINVAL);
	assert_int_equal(modname_alias("a[b-c", out, sizeof(out), false), -EINVAL);
	assert_int_equal(modname_alias("abcd", out, 5, false), 0);
	assert_int_equal(modname_alias("abcde", out, 5, false), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize_paths_and_names),
		cmocka_unit_test(normalize_rejects_empty_and_long),
		cmocka_unit_test(module_suffixes),
		cmocka_unit_test(names_compare_dash_underscore),
		cmocka_unit_test(alias_keys),
	};
	return cmocka_run_group_tests_name("modname", tests, NULL, NULL);
}
