// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe_remove: modprobe -r against the project's LD_PRELOAD fake kernel
 * (fakekernel_run.h: the test re-executes itself under FAKEKERNEL_LIB),
 * so /proc/modules, /sys/module and delete_module() are the fixture's.
 * The expectations are kmod 34.2's (integration cases with that oracle:
 * remove-softdep-order, remove-deps-one-pass, remove-in-use,
 * remove-not-loaded, remove-not-loaded-first-time; and kmod 34.2's
 * "Module NAME is builtin." for a name of modules.builtin): post soft
 * dependencies first, then the module, then the modules of its
 * modules.dep line unused at their turn, last of the line first, in one
 * pass, then the pre soft dependencies.
 */
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
#include "fakekernel_run.h"
#include "kernel.h"
#include "modconf.h"
#include "modlookup.h"
#include "probe.h"

static char root[] = "/tmp/test_remove.XXXXXX";
static struct modctx ctx;

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(buf, 0755);
		*s = '/';
	}
	mkdir(buf, 0755);
}

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	*strrchr(path, '/') = '\0';
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* A loaded module: its sys/module files and holders links. */
static void loaded(const char *name, const char *refcnt, const char *holders)
{
	char rel[256], *copy = strdup(holders), *save = NULL;

	snprintf(rel, sizeof(rel), "sys/module/%s/initstate", name);
	put(rel, "live\n");
	snprintf(rel, sizeof(rel), "sys/module/%s/refcnt", name);
	put(rel, refcnt);
	snprintf(rel, sizeof(rel), "%s/sys/module/%s/holders", root, name);
	mkdirs(rel);
	assert_non_null(copy);
	for (char *h = strtok_r(copy, " ", &save); h; h = strtok_r(NULL, " ", &save)) {
		char link[PATH_MAX], target[300];

		snprintf(link, sizeof(link), "%s/sys/module/%s/holders/%s", root, name, h);
		snprintf(target, sizeof(target), "../../%s", h);
		unlink(link);
		assert_int_equal(symlink(target, link), 0);
	}
	free(copy);
}

/* rtop uses rmid and rlow, rmid uses rlow; rpre and rpost are its soft
 * dependencies; rgone is not loaded, rinside is built in. */
static int fixture(void **state)
{
	if (modctx_init(&ctx, root, "1.0") < 0)
		return -1;
	put("lib/modules/1.0/modules.dep", "kernel/rtop.ko: kernel/rmid.ko kernel/rlow.ko\n"
					   "kernel/rmid.ko: kernel/rlow.ko\n"
					   "kernel/rlow.ko:\n"
					   "kernel/rpre.ko:\n"
					   "kernel/rpost.ko:\n"
					   "kernel/rgone.ko:\n");
	put("lib/modules/1.0/modules.builtin", "kernel/rinside.ko\n");
	put("proc/modules", "rtop 4096 0 - Live 0x0000000000000000\n"
			    "rpost 4096 0 - Live 0x0000000000000000\n"
			    "rpre 4096 0 - Live 0x0000000000000000\n"
			    "rmid 4096 1 rtop, Live 0x0000000000000000\n"
			    "rlow 4096 2 rtop,rmid, Live 0x0000000000000000\n");
	loaded("rtop", "0\n", "");
	loaded("rpost", "0\n", "");
	loaded("rpre", "0\n", "");
	loaded("rmid", "1\n", "rtop");
	loaded("rlow", "2\n", "rtop rmid");
	return 0;
}

struct seen {
	char text[1024];
};

static void note(const struct probe_note *n, void *arg)
{
	static const char *const words[] = {
		[PROBE_RMMOD] = "rmmod", [PROBE_IS_BUILTIN] = "builtin", [PROBE_NOT_LOADED] = "not loaded",
		[PROBE_IN_USE] = "in use", [PROBE_NOT_REMOVED] = "not removed", [PROBE_NOT_FOUND] = "not found",
	};
	struct seen *s = arg;
	size_t len = strlen(s->text);
	const char *w = (size_t)n->kind < sizeof(words) / sizeof(words[0]) ? words[n->kind] : NULL;

	snprintf(s->text + len, sizeof(s->text) - len, "%s %s\n", w ? w : "other", n->name);
}

static int run(const char *arg, const struct probe_opts *extra, struct seen *s)
{
	static const char conf_text[] = "softdep rtop pre: rpre post: rpost\n";
	struct probe_opts o = extra ? *extra : (struct probe_opts){ 0 };
	struct modconf conf = { 0 };
	struct modlookup lk;
	struct probe p;
	char text[sizeof(conf_text)];
	int err;

	memcpy(text, conf_text, sizeof(text));
	assert_int_equal(modconf_parse(&conf, "test.conf", text, sizeof(text) - 1), 0);
	modlookup_init(&lk, &ctx);
	lk.conf = &conf;
	o.show = true;
	memset(s, 0, sizeof(*s));
	probe_init(&p, &lk, &o, note, s);
	err = probe_remove(&p, arg);
	probe_free(&p);
	modlookup_close(&lk);
	modconf_free(&conf);
	return err;
}

static void soft_dependencies_module_unused_dependencies(void **state)
{
	struct seen s;

	assert_int_equal(run("rtop", NULL, &s), 0);
	/* rlow's turn comes while rmid still uses it: it stays */
	assert_string_equal(s.text, "rmmod rpost\nrmmod rtop\nrmmod rmid\nrmmod rpre\n");
	assert_int_equal(kernel_module_state("rtop"), -ENOENT);
	assert_int_equal(kernel_module_state("rmid"), -ENOENT);
	assert_int_equal(kernel_module_state("rlow"), KMOD_STATE_LIVE);
	assert_int_equal(kernel_module_refcnt("rlow"), 0);
}

static void dry_run_removes_nothing(void **state)
{
	struct probe_opts n = { .dry_run = true };
	struct seen s;

	assert_int_equal(run("rtop", &n, &s), 0);
	/* nothing unloaded, so no dependency becomes unused */
	assert_string_equal(s.text, "rmmod rpost\nrmmod rtop\nrmmod rpre\n");
	assert_int_equal(kernel_module_state("rtop"), KMOD_STATE_LIVE);
	assert_int_equal(kernel_module_state("rpost"), KMOD_STATE_LIVE);
}

static void in_use_is_refused(void **state)
{
	struct seen s;

	assert_int_equal(run("rmid", NULL, &s), -EBUSY);
	assert_string_equal(s.text, "in use rmid\n");
	assert_int_equal(kernel_module_state("rmid"), KMOD_STATE_LIVE);
}

static void not_loaded(void **state)
{
	struct probe_opts first = { .first_time = true };
	struct seen s;

	assert_int_equal(run("rgone", NULL, &s), 0);
	assert_string_equal(s.text, "");
	assert_int_equal(run("rgone", &first, &s), -ENOENT);
	assert_string_equal(s.text, "not loaded rgone\n");
}

static void builtin_is_refused(void **state)
{
	struct seen s;

	assert_int_equal(run("rinside", NULL, &s), -ENOENT);
	assert_string_equal(s.text, "builtin rinside\n");
}

static void unknown_name(void **state)
{
	struct seen s;

	assert_int_equal(run("rnosuch", NULL, &s), -ENOENT);
	assert_string_equal(s.text, "not found rnosuch\n");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(soft_dependencies_module_unused_dependencies, fixture),
		cmocka_unit_test_setup(dry_run_removes_nothing, fixture),
		cmocka_unit_test_setup(in_use_is_refused, fixture),
		cmocka_unit_test_setup(not_loaded, fixture),
		cmocka_unit_test_setup(builtin_is_refused, fixture),
		cmocka_unit_test_setup(unknown_name, fixture),
	};

	(void)argc;
	return fakekernel_run(argv, root, sizeof(root), "1.0", NULL, "remove", tests,
			      sizeof(tests) / sizeof(tests[0]));
}
