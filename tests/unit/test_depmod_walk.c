// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/depmod/walk.c: the walk of a real folder tree (what is entered,
 * what is skipped and named: build/ and source/, excluded names, other
 * suffixes, a FIFO, a dangling symlink, a symlink loop; a symlink to a
 * folder followed), which file of a same-named module wins when the walk
 * finds several (search order, override, external: the winners are kmod
 * 34.2's, from its depmod -C on the same trees), a module named twice on
 * the command line, kmod's module name of a path, and -A's check. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "autoconf.h"
#include "kconfig.h"
#include "depmod_int.h"
#include "msg.h"
#include "modtree.h"

#define KVER "6.1.0-test"

struct fixture {
	char root[256];
	struct dm d;
};

/* rel below the root ("M/..." below the module folder) */
static const char *at(const struct fixture *f, const char *rel)
{
	static char path[2][600];
	static int k;

	k ^= 1;
	if (strncmp(rel, "M/", 2) == 0)
		snprintf(path[k], sizeof(path[k]), "%s/%s", f->d.dirname, rel + 2);
	else
		snprintf(path[k], sizeof(path[k]), "%s/%s", f->root, rel);
	return path[k];
}

static void put(const struct fixture *f, const char *rel)
{
	modtree_write(at(f, rel), "");
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *t = getenv("TMPDIR");

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/depmod-walk.XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(f->root));
	assert_int_equal(modctx_init(&f->d.ctx, f->root, KVER), 0);
	f->d.dirname = f->d.ctx.moddir;
	f->d.dirnamelen = strlen(f->d.dirname);
	f->d.outdir = f->d.dirname;
	f->d.syms.size = sizeof(struct sym);
	f->d.info.size = 1;
	f->d.imports.size = sizeof(uint32_t);
	f->d.crcs.size = sizeof(uint64_t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[600];

	dm_free(&f->d);
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", f->root, f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* The configuration file conf (text) loaded, then the walk as run.c does
 * it: the module folder, then each external folder. */
static int walk(struct fixture *f, const char *conf)
{
	char *paths[1];
	int err;

	if (conf != NULL) {
		modtree_write(at(f, "conf/a.conf"), conf);
		paths[0] = (char *)at(f, "conf");
		assert_int_equal(dm_cfg_load(&f->d, paths, 1), 0);
	} else {
		paths[0] = (char *)at(f, "no-conf");
		mkdir(paths[0], 0755);
		assert_int_equal(dm_cfg_load(&f->d, paths, 1), 0);
	}
	err = dm_search_path(&f->d, f->d.dirname);
	if (err < 0)
		return err;
	for (size_t i = f->d.externals.n; i-- > 0;)
		(void)dm_search_path(&f->d, f->d.externals.v[i].path);
	return 0;
}

/* The path kept for a module name, relative to the module folder (or the
 * whole path outside it); NULL when none. */
static const char *kept(const struct fixture *f, const char *name)
{
	struct sslot *s = stab_get((struct stab *)&f->d.by_name, name, strlen(name), false);

	if (s == NULL || s->key == NULL)
		return NULL;
	return f->d.mods[s->val]->relpath ? f->d.mods[s->val]->relpath : f->d.mods[s->val]->path;
}

static size_t count(const struct fixture *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->d.nmods; i++)
		n += f->d.mods[i] != NULL;
	return n;
}

/* What is entered and what is not. */
static void walk_enters_and_skips(void **state)
{
	struct fixture *f = *state;

	put(f, "M/kernel/a/one.ko");
	put(f, "M/kernel/a/b/c/two.ko");
	put(f, "M/kernel/a/notamodule.o");
	put(f, "M/kernel/a/three.ko.orig");
	put(f, "M/build/four.ko");
	put(f, "M/source/five.ko");
	put(f, "M/kernel/skipme/six.ko");
	put(f, "elsewhere/seven.ko");
	put(f, "M/kernel/eight.ko.xz");
	assert_int_equal(mkfifo(at(f, "M/kernel/fifo.ko"), 0644), 0);
	assert_int_equal(symlink("nowhere.ko", at(f, "M/kernel/dangling.ko")), 0);
	assert_int_equal(symlink(at(f, "elsewhere"), at(f, "M/kernel/linked")), 0);
	assert_int_equal(symlink("..", at(f, "M/kernel/a/loop")), 0);
	assert_int_equal(walk(f, "exclude skipme\n"), 0);
	assert_string_equal(kept(f, "one"), "kernel/a/one.ko");
	assert_string_equal(kept(f, "two"), "kernel/a/b/c/two.ko");
	/* a symlink to a folder is followed */
	assert_string_equal(kept(f, "seven"), "kernel/linked/seven.ko");
	assert_null(kept(f, "notamodule"));
	assert_null(kept(f, "three"));
	assert_null(kept(f, "four"));
	assert_null(kept(f, "five"));
	assert_null(kept(f, "six"));
	assert_null(kept(f, "fifo"));
	assert_null(kept(f, "dangling"));
	if (IS_ENABLED(CONFIG_FEATURE_XZ))
		assert_string_equal(kept(f, "eight"), "kernel/eight.ko.xz");
	else
		assert_null(kept(f, "eight"));
	/* the loop was not walked again and again: each module once */
	assert_int_equal(count(f), IS_ENABLED(CONFIG_FEATURE_XZ) ? 4 : 3);
}

/* A folder that cannot be read stops the walk (a set without its modules
 * would be written otherwise). */
static void unreadable_folder_fails(void **state)
{
	struct fixture *f = *state;

	if (geteuid() == 0)
		skip();   /* root reads it anyway */
	put(f, "M/kernel/a/one.ko");
	put(f, "M/kernel/closed/two.ko");
	assert_int_equal(chmod(at(f, "M/kernel/closed"), 0), 0);
	assert_int_equal(walk(f, NULL), -EACCES);
}

/* The same module in several folders, each the winner kmod 34.2's depmod
 * chose on the same tree with the same depmod.d line. */
static void same_name_winner(void **state)
{
	static const struct {
		const char *conf, *want;
	} cases[] = {
		{ NULL, "updates/sub/m.ko" },
		{ "search extra built-in updates\n", "extra/m.ko" },
		{ "search updates\n", "updates/sub/m.ko" },
		{ "override m * kernel/fs\n", "kernel/fs/m.ko" },
		{ "override m 6.1.0-test extra\nsearch updates built-in\n", "extra/m.ko" },
		{ "override m 5.* kernel/fs\n", "updates/sub/m.ko" },
		{ "external * @EXT\nsearch external updates built-in\n", "@EXT/deep/m.ko" },
		{ "external * @EXT\nsearch updates external built-in\n", "updates/sub/m.ko" },
		{ "external * @EXT\n", "updates/sub/m.ko" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture *f;
		char conf[512], want[512], ext[300];
		const char *p;

		assert_int_equal(setup((void **)&f), 0);
		put(f, "M/kernel/fs/m.ko");
		put(f, "M/updates/sub/m.ko");
		put(f, "M/extra/m.ko");
		put(f, "ext/deep/m.ko");
		snprintf(ext, sizeof(ext), "%s", at(f, "ext"));
		conf[0] = want[0] = '\0';
		if (cases[i].conf != NULL) {
			p = strstr(cases[i].conf, "@EXT");
			if (p != NULL)
				snprintf(conf, sizeof(conf), "%.*s%s%s", (int)(p - cases[i].conf), cases[i].conf,
					 ext, p + 4);
			else
				snprintf(conf, sizeof(conf), "%s", cases[i].conf);
		}
		p = strstr(cases[i].want, "@EXT");
		if (p != NULL)
			snprintf(want, sizeof(want), "%s%s", ext, p + 4);
		else
			snprintf(want, sizeof(want), "%s", cases[i].want);
		assert_int_equal(walk(f, cases[i].conf ? conf : NULL), 0);
		if (kept(f, "m") == NULL || strcmp(kept(f, "m"), want) != 0)
			fail_msg("case %zu (%s): kept %s, kmod 34.2 keeps %s", i, cases[i].conf ? cases[i].conf : "no conf",
				 kept(f, "m") ? kept(f, "m") : "nothing", want);
		assert_int_equal(count(f), 1);
		teardown((void **)&f);
	}
}

/* Named on the command line (no replace check): a second file of the same
 * name is -EEXIST and the first stays. */
static void named_twice(void **state)
{
	struct fixture *f = *state;

	put(f, "M/kernel/a/m.ko");
	put(f, "M/updates/m.ko");
	assert_int_equal(dm_module_add(&f->d, at(f, "M/kernel/a/m.ko"), false), 0);
	assert_int_equal(dm_module_add(&f->d, at(f, "M/updates/m.ko"), false), -EEXIST);
	assert_string_equal(kept(f, "m"), "kernel/a/m.ko");
	/* its modules.order name: the file name up to its first dot (as
	 * spelt, as modules.order names it), then .ko, whatever the
	 * compression */
	assert_int_equal(dm_module_add(&f->d, at(f, "M/kernel/b/dash-x.ko.zst"), false), 0);
	assert_string_equal(f->d.mods[1]->uncrelpath, "kernel/b/dash-x.ko");
	/* outside the module folder: no relative path */
	assert_int_equal(dm_module_add(&f->d, "/somewhere/else/y.ko", false), 0);
	assert_null(f->d.mods[2]->relpath);
	assert_null(f->d.mods[2]->uncrelpath);
	assert_int_equal(dm_module_add(&f->d, "/x/.ko", false), -EINVAL);
}

static void module_names(void **state)
{
	char name[16];

	assert_int_equal(dm_path_modname("/a/b/dash-mod.ko.zst", name, sizeof(name)), 8);
	assert_string_equal(name, "dash_mod");
	assert_int_equal(dm_path_modname("x.y.ko", name, sizeof(name)), 1);
	assert_string_equal(name, "x");
	assert_int_equal(dm_path_modname("/p/averyveryverylongname.ko", name, sizeof(name)), 15);
	assert_string_equal(name, "averyveryverylo");
	assert_true(dm_module_suffix("a.ko", 4));
	assert_false(dm_module_suffix("a.o", 3));
	assert_false(dm_module_suffix("a.ko.bak", 8));
	assert_int_equal(dm_module_suffix("a.ko.gz", 7), IS_ENABLED(CONFIG_FEATURE_GZIP));
	assert_int_equal(dm_module_suffix("a.ko.xz", 7), IS_ENABLED(CONFIG_FEATURE_XZ));
	assert_int_equal(dm_module_suffix("a.ko.zst", 8), IS_ENABLED(CONFIG_FEATURE_ZSTD));
}

static void set_mtime(const char *path, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* -A: 1 while no module (at any depth) is newer than modules.dep, 0 once
 * one is; other files do not count; -1 without modules.dep. */
static void quick_check(void **state)
{
	struct fixture *f = *state;
	time_t now = time(NULL);

	put(f, "M/kernel/a/b/deep.ko");
	put(f, "M/kernel/top.ko");
	put(f, "M/kernel/a/notes.txt");
	assert_int_equal(dm_up_to_date(&f->d), -1);
	put(f, "M/modules.dep");
	set_mtime(at(f, "M/kernel/a/b/deep.ko"), now - 100);
	set_mtime(at(f, "M/kernel/top.ko"), now - 100);
	set_mtime(at(f, "M/kernel/a/notes.txt"), now + 100);
	set_mtime(at(f, "M/modules.dep"), now);
	assert_int_equal(dm_up_to_date(&f->d), 1);
	set_mtime(at(f, "M/kernel/a/b/deep.ko"), now + 1);
	assert_int_equal(dm_up_to_date(&f->d), 0);
	/* a module in build/ does not count */
	set_mtime(at(f, "M/kernel/a/b/deep.ko"), now - 100);
	put(f, "M/build/new.ko");
	set_mtime(at(f, "M/build/new.ko"), now + 100);
	assert_int_equal(dm_up_to_date(&f->d), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(walk_enters_and_skips, setup, teardown),
		cmocka_unit_test_setup_teardown(unreadable_folder_fails, setup, teardown),
		cmocka_unit_test(same_name_winner),
		cmocka_unit_test_setup_teardown(named_twice, setup, teardown),
		cmocka_unit_test(module_names),
		cmocka_unit_test_setup_teardown(quick_check, setup, teardown),
	};

	msg_init("depmod");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
