// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "modconf.h"

static void parse(struct modconf *c, const char *text)
{
	static char buf[1024];
	size_t len = strlen(text);

	assert_true(len < sizeof(buf));
	memcpy(buf, text, len + 1);
	memset(c, 0, sizeof(*c));
	assert_int_equal(modconf_parse(c, "t.conf", buf, len), 0);
}

static void names_are_not_cut(void **state)
{
	struct modconf c;

	parse(&c, "install pl2303 /bin/true\ninstall usb-x* /bin/false\nblacklist snd-x\n");
	/* A module's name, '-' as '_', pattern keys matched against it. */
	assert_non_null(modconf_find(&c, MC_INSTALL, "pl2303", NULL));
	assert_non_null(modconf_find(&c, MC_INSTALL, "usb-x1", NULL));
	assert_true(modconf_blacklisted(&c, "snd_x"));
	/* Never the tail of a path or alias, nor the head of a dotted word. */
	assert_null(modconf_find(&c, MC_INSTALL, "usb:v1234/pl2303", NULL));
	assert_null(modconf_find(&c, MC_INSTALL, "pl2303.anything", NULL));
	assert_null(modconf_find(&c, MC_INSTALL, "usb:v1/usb_x$(id)", NULL));
	assert_false(modconf_blacklisted(&c, "sound/snd-x"));
	modconf_free(&c);
}

static void command_keys_match_as_text(void **state)
{
	struct modconf c;

	parse(&c, "install usb_x* /bin/false\nremove pl2303 /bin/true\n");
	assert_non_null(modconf_find_key(&c, MC_INSTALL, "usb_x*"));
	assert_null(modconf_find_key(&c, MC_INSTALL, "usb_x1"));
	assert_null(modconf_find_key(&c, MC_INSTALL, "usb_x1;id"));
	assert_non_null(modconf_find_key(&c, MC_REMOVE, "pl2303"));
	assert_null(modconf_find_key(&c, MC_REMOVE, "x/pl2303"));
	modconf_free(&c);
}

static void nul_keeps_later_lines(void **state)
{
	struct modconf c;
	char text[] = "options a x=1\0install a /bin/true\ninstall b /bin/false\nblacklist c\n";
	char *opts;

	memset(&c, 0, sizeof(c));
	assert_int_equal(modconf_parse(&c, "t.conf", text, sizeof(text) - 1), 0);
	opts = modconf_options(&c, "a");
	assert_string_equal(opts, "x=1 ");
	free(opts);
	assert_null(modconf_find(&c, MC_INSTALL, "a", NULL));
	assert_non_null(modconf_find(&c, MC_INSTALL, "b", NULL));
	assert_true(modconf_blacklisted(&c, "c"));
	modconf_free(&c);
}

static int collect(const char *keyword, const struct modconf_entry *e, void *arg)
{
	char *out = arg;
	size_t len = strlen(out);

	snprintf(out + len, 512 - len, "%s %s%s%s\n", keyword, e->key, e->value ? " " : "", e->value ? e->value : "");
	return strcmp(e->key, "stop") == 0 ? 7 : 0;
}

/* modprobe -c's order (the showconfig case, kmod 34.2): blacklist, install,
 * remove, alias, options, softdep, weakdep, each in file order. */
static void each_in_showconfig_order(void **state)
{
	struct modconf c;
	char out[512] = "";

	parse(&c, "alias myalias m_c\noptions m_a count=5\ninstall m_c /bin/true\nweakdep m_a m_b\n"
		  "remove m_c /bin/false\nblacklist dash_mod\nsoftdep m_b pre: m_c\noptions m_b x=1\n");
	assert_int_equal(modconf_each(&c, collect, out), 0);
	assert_string_equal(out, "blacklist dash_mod\ninstall m_c /bin/true\nremove m_c /bin/false\n"
				 "alias myalias m_c\noptions m_a count=5\noptions m_b x=1\n"
				 "softdep m_b pre: m_c\nweakdep m_a m_b\n");
	modconf_free(&c);
	/* a non-zero return stops it and is returned */
	parse(&c, "blacklist a\nblacklist stop\ninstall b /bin/true\n");
	out[0] = '\0';
	assert_int_equal(modconf_each(&c, collect, out), 7);
	assert_string_equal(out, "blacklist a\nblacklist stop\n");
	modconf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_are_not_cut),
		cmocka_unit_test(command_keys_match_as_text),
		cmocka_unit_test(nul_keeps_later_lines),
		cmocka_unit_test(each_in_showconfig_order),
	};
	return cmocka_run_group_tests_name("modconf", tests, NULL, NULL);
}
