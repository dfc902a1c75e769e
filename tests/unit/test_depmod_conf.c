// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/depmod/conf.c and walk.c: depmod.d's search, override, external and
 * exclude lines, which files are read, and what they do to the walk. The
 * expected winners are kmod 34.2's (its depmod -n on the same trees). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "depmod_int.h"
#include "msg.h"
#include "modtree.h"

#define KVER "6.1.0-test"

struct fixture {
	char root[64];
	struct dm d;
};

static void put(const struct fixture *f, const char *rel, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	modtree_write(path, text);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/depmod-conf.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
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
	char cmd[128];

	dm_free(&f->d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Load the depmod.d files or folders given, below the fixture's root. */
static void load(struct fixture *f, const char *a, const char *b)
{
	char pa[512], pb[512];
	char *paths[2] = { pa, pb };

	snprintf(pa, sizeof(pa), "%s/%s", f->root, a);
	snprintf(pb, sizeof(pb), "%s/%s", f->root, b ? b : "");
	assert_int_equal(dm_cfg_load(&f->d, paths, b ? 2 : 1), 0);
}

/* Add the module file rel (below the module folder) as the walk does. */
static void add(struct fixture *f, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->d.dirname, rel);
	assert_int_equal(dm_module_add(&f->d, path, true), 0);
}

/* The relative path of the one module of that name now kept. */
static const char *kept(const struct fixture *f, const char *name)
{
	const char *found = NULL;

	for (size_t i = 0; i < f->d.nmods; i++) {
		if (f->d.mods[i] == NULL || strcmp(f->d.mods[i]->name, name) != 0)
			continue;
		assert_null(found);
		found = f->d.mods[i]->relpath;
	}
	assert_non_null(found);
	return found;
}

static void search_lines(void **state)
{
	struct fixture *f = *state;

	put(f, "conf/a.conf", "# comment\n\nsearch extra   updates\tbuilt-in\nsearch external\n");
	load(f, "conf", NULL);
	assert_int_equal(f->d.searches.n, 4);
	assert_string_equal(f->d.searches.v[0].path, "extra");
	assert_int_equal(f->d.searches.v[0].type, SEARCH_PATH);
	assert_string_equal(f->d.searches.v[1].path, "updates");
	assert_int_equal(f->d.searches.v[2].type, SEARCH_BUILTIN);
	assert_int_equal(f->d.searches.v[3].type, SEARCH_EXTERNAL);
}

/* Without a search line "updates" is searched before the rest of the tree. */
static void search_default(void **state)
{
	struct fixture *f = *state;

	put(f, "conf/a.conf", "exclude nothing\n");
	load(f, "conf", NULL);
	assert_int_equal(f->d.searches.n, 1);
	assert_string_equal(f->d.searches.v[0].path, "updates");
	add(f, "kernel/a/dup.ko");
	add(f, "updates/dup.ko");
	add(f, "extra/dup.ko");
	assert_string_equal(kept(f, "dup"), "updates/dup.ko");
}

/* The first folder listed wins, whatever order the walk finds them in; a
 * folder not listed counts as built-in. */
static void search_priority(void **state)
{
	struct fixture *f = *state;

	put(f, "conf/a.conf", "search extra built-in updates\n");
	load(f, "conf", NULL);
	add(f, "updates/dup.ko");
	add(f, "kernel/a/dup.ko");
	assert_string_equal(kept(f, "dup"), "kernel/a/dup.ko");
	add(f, "extra/dup.ko");
	assert_string_equal(kept(f, "dup"), "extra/dup.ko");
	add(f, "updates/dup.ko");
	assert_string_equal(kept(f, "dup"), "extra/dup.ko");
	/* '-' in a file name is '_' in the module name */
	add(f, "updates/x-y.ko.xz");
	add(f, "kernel/x_y.ko");
	assert_string_equal(kept(f, "x_y"), "kernel/x_y.ko");
}

/* An override beats every search folder; one for another kernel version
 * (a POSIX ERE) is ignored. */
static void override_lines(void **state)
{
	struct fixture *f = *state;

	put(f, "conf/a.conf", "search updates\noverride dup * kernel/a\noverride other 5\\.10.* kernel/b\n"
		"override third 6\\.1\\..* kernel/c\noverride broken\n");
	load(f, "conf", NULL);
	assert_int_equal(f->d.overrides.n, 2);
	assert_string_equal(f->d.overrides.v[0].path, "kernel/a/dup");
	assert_string_equal(f->d.overrides.v[1].path, "kernel/c/third");
	add(f, "updates/dup.ko");
	add(f, "kernel/a/dup.ko");
	add(f, "updates/dup.ko");
	assert_string_equal(kept(f, "dup"), "kernel/a/dup.ko");
	add(f, "updates/other.ko");
	add(f, "kernel/b/other.ko");
	assert_string_equal(kept(f, "other"), "updates/other.ko");
}

static void exclude_and_external(void **state)
{
	struct fixture *f = *state;

	put(f, "conf/a.conf", "exclude skipme also\nexternal * /nowhere\nexternal 5\\.4 /old\n");
	load(f, "conf", NULL);
	assert_int_equal(f->d.excludes.n, 2);
	assert_string_equal(f->d.excludes.v[1].path, "also");
	assert_int_equal(f->d.externals.n, 1);
	assert_string_equal(f->d.externals.v[0].path, "/nowhere");

	put(f, "lib/modules/" KVER "/kernel/keep.ko", "");
	put(f, "lib/modules/" KVER "/kernel/skipme/gone.ko", "");
	put(f, "lib/modules/" KVER "/also", "");
	put(f, "lib/modules/" KVER "/build/gone2.ko", "");
	put(f, "lib/modules/" KVER "/source/gone3.ko", "");
	put(f, "lib/modules/" KVER "/kernel/notes.txt", "");
	assert_int_equal(dm_search_path(&f->d, f->d.dirname), 0);
	assert_int_equal(f->d.nmods, 1);
	assert_string_equal(kept(f, "keep"), "kernel/keep.ko");
}

/* Files sorted by name over all folders; the first folder's file of a name
 * hides the others'; only *.conf is read. */
static void file_order(void **state)
{
	struct fixture *f = *state;

	put(f, "one/b.conf", "search first\n");
	put(f, "two/b.conf", "search hidden\n");
	put(f, "two/a.conf", "search second\n");
	put(f, "two/c.txt", "search ignored\n");
	put(f, "two/c.conf", "bogus line\nsearch third\n");
	load(f, "one", "two");
	assert_int_equal(f->d.searches.n, 3);
	assert_string_equal(f->d.searches.v[0].path, "second");
	assert_string_equal(f->d.searches.v[1].path, "first");
	assert_string_equal(f->d.searches.v[2].path, "third");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(search_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(search_default, setup, teardown),
		cmocka_unit_test_setup_teardown(search_priority, setup, teardown),
		cmocka_unit_test_setup_teardown(override_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(exclude_and_external, setup, teardown),
		cmocka_unit_test_setup_teardown(file_order, setup, teardown),
	};

	msg_init("depmod");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
