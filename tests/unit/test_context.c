// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <cmocka.h>

#include "context.h"

static void explicit_root_and_version(void **state)
{
	struct modctx ctx;
	char buf[PATH_MAX];

	assert_int_equal(modctx_init(&ctx, "/tmp/root/", "6.1.0-test"), 0);
	assert_string_equal(ctx.root, "/tmp/root");
	assert_string_equal(ctx.moddir, "/tmp/root/lib/modules/6.1.0-test");
	assert_int_equal(modctx_modpath(&ctx, "modules.dep", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/root/lib/modules/6.1.0-test/modules.dep");
	assert_int_equal(modctx_modpath(&ctx, "modules.dep", buf, 10), -ENAMETOOLONG);
}

static void default_root_and_running_kernel(void **state)
{
	struct modctx ctx;
	struct utsname u;
	char want[PATH_MAX];

	assert_int_equal(uname(&u), 0);
	assert_int_equal(modctx_init(&ctx, NULL, NULL), 0);
	assert_string_equal(ctx.kver, u.release);
	snprintf(want, sizeof(want), "/lib/modules/%s", u.release);
	assert_string_equal(ctx.moddir, want);
	assert_int_equal(modctx_init(&ctx, "/", "v"), 0);
	assert_string_equal(ctx.moddir, "/lib/modules/v");
}

static void hostile_versions_refused(void **state)
{
	struct modctx ctx;
	char longv[200];

	assert_int_equal(modctx_init(&ctx, NULL, "../../etc"), -EINVAL);
	assert_int_equal(modctx_init(&ctx, NULL, ".."), -EINVAL);
	assert_int_equal(modctx_init(&ctx, NULL, ""), -EINVAL);
	memset(longv, 'v', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	assert_int_equal(modctx_init(&ctx, NULL, longv), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(explicit_root_and_version),
		cmocka_unit_test(default_root_and_running_kernel),
		cmocka_unit_test(hostile_versions_refused),
	};
	return cmocka_run_group_tests_name("context", tests, NULL, NULL);
}
