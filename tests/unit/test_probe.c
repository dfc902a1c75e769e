// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe: what modprobe loads for an argument and in which order, through
 * the notes of a dry run (-D: nothing loaded, nothing asked of the
 * kernel). The expectations are kmod 34.2's (the integration cases with
 * that oracle: softdep, show-depends, show-depends-install,
 * show-depends-builtin, blacklist-alias, use-blacklist-deps,
 * softdep-missing-ignored, not-found): dependencies last of the
 * modules.dep line first, then the pre soft dependencies, the module, the
 * post ones; configured options each followed by a space, then the
 * command line's; the blacklist for aliases, and with -b for names but
 * not for dependencies.
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
#include "modconf.h"
#include "modlookup.h"
#include "modtree.h"
#include "probe.h"

static char root[] = "/tmp/test_probe.XXXXXX";
static struct modctx ctx;

static const char conf_text[] =
	"softdep ptop pre: ppre post: ppost\n"
	"softdep pmid pre: nosuch_module\n"
	"options ptop a=1\n"
	"options plow b=2\n"
	"install ppost /bin/true $CMDLINE_OPTS\n"
	"blacklist pbl\n"
	"blacklist plow\n";

static void put(const char *name, const char *text)
{
	modtree_put(&ctx, name, text, strlen(text));
}

static int setup(void **state)
{
	if (modtree_make(root, &ctx, "1.0") < 0)
		return -1;
	put("modules.dep", "kernel/ptop.ko: kernel/pmid.ko kernel/plow.ko\n"
			   "kernel/pmid.ko: kernel/plow.ko\n"
			   "kernel/plow.ko:\n"
			   "kernel/ppre.ko:\n"
			   "kernel/ppost.ko:\n"
			   "kernel/pbl.ko: kernel/plow.ko\n");
	put("modules.alias", "alias pci:v00001234d* pbl\n");
	put("modules.builtin", "kernel/pinside.ko\n");
	return 0;
}

static int teardown(void **state)
{
	return modtree_remove(root);
}

/* The notes as kmod's -D lines, paths relative to the module folder. */
struct seen {
	char text[2048];
	int nerrors;
};

static void note(const struct probe_note *n, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->text), dir = strlen(ctx.moddir);
	const char *path = n->path;

	if (path != NULL && strncmp(path, ctx.moddir, dir) == 0 && path[dir] == '/')
		path += dir + 1;
	switch (n->kind) {
	case PROBE_INSMOD:
		snprintf(s->text + len, sizeof(s->text) - len, "insmod %s %s\n", path, n->text);
		break;
	case PROBE_INSTALL:
		snprintf(s->text + len, sizeof(s->text) - len, "install %s %s\n", path, n->text);
		break;
	case PROBE_BUILTIN:
		snprintf(s->text + len, sizeof(s->text) - len, "builtin %s\n", n->name);
		break;
	case PROBE_RESOLVED:
		snprintf(s->text + len, sizeof(s->text) - len, "%s\n", n->name);
		break;
	case PROBE_NOT_FOUND:
		snprintf(s->text + len, sizeof(s->text) - len, "not found: %s\n", n->name);
		break;
	default:
		s->nerrors++;
	}
}

static int insert_lines(struct probe *p, const char *arg, const char *params);

/* probe_insert(arg, params) as -D (with extra options), into s; with
 * lines, probe_insert_lines() of arg. */
static int run_with(int (*insert)(struct probe *, const char *, const char *), const char *arg,
		    const char *params, const struct probe_opts *extra, struct seen *s)
{
	struct probe_opts o = extra ? *extra : (struct probe_opts){ 0 };
	struct modconf conf = { 0 };
	struct modlookup lk;
	struct probe p;
	char *text = strdup(conf_text);
	int err;

	assert_non_null(text);
	assert_int_equal(modconf_parse(&conf, "test.conf", text, strlen(text)), 0);
	free(text);
	modlookup_init(&lk, &ctx);
	lk.conf = &conf;
	o.ignore_loaded = o.dry_run = o.show = true;
	memset(s, 0, sizeof(*s));
	probe_init(&p, &lk, &o, note, s);
	err = insert(&p, arg, params);
	probe_free(&p);
	modlookup_close(&lk);
	modconf_free(&conf);
	return err;
}
#define run(arg, params, extra, s) run_with(probe_insert, arg, params, extra, s)

static int insert_lines(struct probe *p, const char *arg, const char *params)
{
	FILE *in = fmemopen((void *)arg, strlen(arg), "r");
	int err;

	(void)params;
	assert_non_null(in);
	err = probe_insert_lines(p, in);
	fclose(in);
	return err;
}

static void dependencies_then_soft_dependencies(void **state)
{
	struct seen s;

	assert_int_equal(run("ptop", "c=3", NULL, &s), 0);
	assert_string_equal(s.text, "insmod kernel/plow.ko b=2 \n"
				    "insmod kernel/pmid.ko \n"
				    "insmod kernel/ppre.ko \n"
				    "insmod kernel/ptop.ko a=1 c=3\n"
				    "install /bin/true $CMDLINE_OPTS \n");
	assert_int_equal(s.nerrors, 0);
}

static void missing_soft_dependency_is_skipped(void **state)
{
	struct seen s;

	assert_int_equal(run("pmid", NULL, NULL, &s), 0);
	assert_string_equal(s.text, "insmod kernel/plow.ko b=2 \ninsmod kernel/pmid.ko \n");
	assert_int_equal(s.nerrors, 0);
}

static void blacklist_stops_aliases_only(void **state)
{
	struct probe_opts b = { .use_blacklist = true };
	struct seen s;

	/* through its alias: nothing, and that is no error */
	assert_int_equal(run("pci:v00001234d00005678", NULL, NULL, &s), 0);
	assert_string_equal(s.text, "");
	/* by its name: loaded, its blacklisted dependency too */
	assert_int_equal(run("pbl", NULL, NULL, &s), 0);
	assert_string_equal(s.text, "insmod kernel/plow.ko b=2 \ninsmod kernel/pbl.ko \n");
	/* -b: not by its name either */
	assert_int_equal(run("pbl", NULL, &b, &s), 0);
	assert_string_equal(s.text, "");
	/* -b filters what is named, never a dependency */
	assert_int_equal(run("pmid", NULL, &b, &s), 0);
	assert_string_equal(s.text, "insmod kernel/plow.ko b=2 \ninsmod kernel/pmid.ko \n");
}

static void builtin_is_named(void **state)
{
	struct seen s;

	assert_int_equal(run("pinside", NULL, NULL, &s), 0);
	assert_string_equal(s.text, "builtin pinside\n");
}

static void not_found(void **state)
{
	struct seen s;

	assert_int_equal(run("nosuch_module", NULL, NULL, &s), -ENOENT);
	assert_string_equal(s.text, "not found: nosuch_module\n");
	assert_int_equal(s.nerrors, 0);
}

static void resolve_only_names_the_modules(void **state)
{
	struct probe_opts r = { .resolve_only = true };
	struct seen s;

	assert_int_equal(run("pci:v00001234d00005678", NULL, &r, &s), 0);
	assert_string_equal(s.text, "pbl\n");
	assert_int_equal(run("ptop", NULL, &r, &s), 0);
	assert_string_equal(s.text, "ptop\n");
}

/* modprobe -a - (ours: kmod has no such form; modprobe(8) says it): one
 * name a line, blank lines and '#' comments skipped, each line a probe of
 * its own; the first error is the result, the later lines still tried. */
static void lines_of_names(void **state)
{
	struct seen s;

	assert_int_equal(run_with(insert_lines, "  pinside \n# ptop\n\n\tplow\t\nnosuch_module\npmid\n", NULL,
				  NULL, &s), -ENOENT);
	assert_string_equal(s.text, "builtin pinside\ninsmod kernel/plow.ko b=2 \nnot found: nosuch_module\n"
				    "insmod kernel/plow.ko b=2 \ninsmod kernel/pmid.ko \n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dependencies_then_soft_dependencies),
		cmocka_unit_test(missing_soft_dependency_is_skipped),
		cmocka_unit_test(blacklist_stops_aliases_only),
		cmocka_unit_test(builtin_is_named),
		cmocka_unit_test(not_found),
		cmocka_unit_test(resolve_only_names_the_modules),
		cmocka_unit_test(lines_of_names),
	};
	return cmocka_run_group_tests_name("probe", tests, setup, teardown);
}
