// SPDX-License-Identifier: GPL-2.0-or-later
/* modlookup: finding modules through the text files of a module folder
 * (the .bin indexes are covered by test_modindex and the integration
 * cases), its error words, and the modprobe -c dump. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "context.h"
#include "modconf.h"
#include "modlookup.h"
#include "modtree.h"

static char root[] = "/tmp/test_modlookup.XXXXXX";
static struct modctx ctx;

static void put(const char *name, const char *text, size_t len)
{
	modtree_put(&ctx, name, text, len);
}
#define PUT(name, text) put(name, text, sizeof(text) - 1)

static int setup(void **state)
{
	if (modtree_make(root, &ctx, "1.0") < 0)
		return -1;
	PUT("modules.dep", "kernel/a/snd-x.ko: kernel/b/core.ko\nkernel/b/core.ko:\n");
	PUT("modules.alias", "alias pci:v1234d*-x snd_x\nalias usb:v* core\nalias bad] core\n");
	PUT("modules.symbols", "alias symbol:core_fn core\n");
	PUT("modules.builtin", "kernel/c/inside.ko\n");
	put("modules.builtin.modinfo", "inside.license=GPL\0inside.alias=in-alias\0", 41);
	PUT("modules.builtin.alias", "alias in_alias inside\n");
	return 0;
}

static int teardown(void **state)
{
	return modtree_remove(root);
}

static void by_name_dash_or_underscore(void **state)
{
	struct modlookup lk;
	struct modlookup_result r;

	modlookup_init(&lk, &ctx);
	assert_int_equal(modlookup_name(&lk, "snd_x", &r), 0);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.mods[0].name, "snd_x");
	assert_string_equal(r.mods[0].path, "kernel/a/snd-x.ko");
	assert_string_equal(r.mods[0].deps, "kernel/b/core.ko");
	modlookup_result_free(&r);
	assert_int_equal(modlookup_name(&lk, "snd-x", &r), 0);
	assert_int_equal(r.count, 1);
	modlookup_result_free(&r);
	assert_int_equal(modlookup_name(&lk, "inside", &r), 0);
	assert_int_equal(r.count, 1);
	assert_true(r.mods[0].builtin);
	assert_null(r.mods[0].path);
	modlookup_result_free(&r);
	assert_int_equal(modlookup_name(&lk, "nosuch", &r), 0);
	assert_int_equal(r.count, 0);
	modlookup_close(&lk);
}

static void by_alias_symbol_and_builtin_alias(void **state)
{
	struct modlookup lk;
	struct modlookup_result r;

	modlookup_init(&lk, &ctx);
	/* the pattern's '-' outside a set is '_', and so is the key's */
	assert_int_equal(modlookup_any(&lk, "pci:v1234d0042-x", &r), 0);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.mods[0].name, "snd_x");
	modlookup_result_free(&r);
	assert_int_equal(modlookup_any(&lk, "symbol:core_fn", &r), 0);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.mods[0].name, "core");
	modlookup_result_free(&r);
	assert_int_equal(modlookup_any(&lk, "in-alias", &r), 0);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.mods[0].name, "inside");
	modlookup_result_free(&r);
	/* an unclosed '[' matches nothing, without an error */
	assert_int_equal(modlookup_any(&lk, "usb:v[", &r), 0);
	assert_int_equal(r.count, 0);
	modlookup_close(&lk);
}

static void configuration_aliases_first(void **state)
{
	static char text[] = "alias usb:v* snd-x\n";
	struct modconf c = { 0 };
	struct modlookup lk;
	struct modlookup_result r;

	assert_int_equal(modconf_parse(&c, "t.conf", text, sizeof(text) - 1), 0);
	modlookup_init(&lk, &ctx);
	lk.conf = &c;
	assert_int_equal(modlookup_any(&lk, "usb:v1", &r), 0);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.mods[0].name, "snd_x");
	modlookup_result_free(&r);
	modlookup_close(&lk);
	modconf_free(&c);
}

static void builtin_modinfo(void **state)
{
	struct modlookup lk;
	struct modlookup_builtin_info info;

	modlookup_init(&lk, &ctx);
	assert_int_equal(modlookup_builtin_modinfo(&lk, "inside", &info), 0);
	assert_int_equal(info.count, 2);
	assert_string_equal(info.recs[0], "license=GPL");
	assert_string_equal(info.recs[1], "alias=in-alias");
	modlookup_builtin_info_free(&info);
	modlookup_close(&lk);
}

static int dumped(const char *key, const char *value, uint32_t prio, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 256 - n, "%s=%s;", key, value);
	return 0;
}

static void dump_text_sorted_and_normalised(void **state)
{
	struct modlookup lk;
	char out[256] = "";

	modlookup_init(&lk, &ctx);
	assert_int_equal(modlookup_dump(&lk, ML_ALIAS, dumped, out), 0);
	assert_string_equal(out, "bad]=core;pci:v1234d*_x=snd_x;usb:v*=core;");
	out[0] = '\0';
	assert_int_equal(modlookup_dump(&lk, ML_SYMBOLS, dumped, out), 0);
	assert_string_equal(out, "symbol:core_fn=core;");
	modlookup_close(&lk);
}

static void damaged_index_named(void **state)
{
	struct modlookup lk;
	struct modlookup_result r;
	char want[PATH_MAX + 64];
	int err;

	PUT("modules.alias.bin", "not an index at all");
	modlookup_init(&lk, &ctx);
	err = modlookup_any(&lk, "usb:v1", &r);
	assert_int_equal(err, -EBADMSG);
	snprintf(want, sizeof(want), "%s/modules.alias.bin: not a module index", ctx.moddir);
	assert_string_equal(modlookup_strerror(&lk, err), want);
	modlookup_result_free(&r);
	modlookup_close(&lk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(by_name_dash_or_underscore),
		cmocka_unit_test(by_alias_symbol_and_builtin_alias),
		cmocka_unit_test(configuration_aliases_first),
		cmocka_unit_test(builtin_modinfo),
		cmocka_unit_test(dump_text_sorted_and_normalised),
		cmocka_unit_test(damaged_index_named),
	};
	return cmocka_run_group_tests_name("modlookup", tests, setup, teardown);
}
