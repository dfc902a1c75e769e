// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/depmod/order.c: kmod's module order, from its hash table of names
 * and modules.order. The expected orders are kmod's (its depmod -n on the
 * same tree lists modules.dep in this order): kmod 34.2 and kmod 30 agree
 * except where one module has two lines, where this order is kmod 34.2's. */
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

#define KVER "6.1.0-test"

struct fixture {
	char root[64];
	struct dm d;
};

static const char *const tree[] = {
	"kernel/a.ko", "kernel/b.ko", "kernel/c.ko", "kernel/d.ko", "kernel/e.ko.xz",
	"updates/f.ko", "kernel/g.ko", "kernel/h.ko",
};

static void write_order(const struct fixture *f, const char *text)
{
	char path[4200];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/modules.order", f->d.dirname);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[4200];

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/depmod-order.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->root));
	assert_int_equal(modctx_init(&f->d.ctx, f->root, KVER), 0);
	f->d.dirname = f->d.ctx.moddir;
	f->d.dirnamelen = strlen(f->d.dirname);
	f->d.outdir = f->d.dirname;
	snprintf(path, sizeof(path), "mkdir -p '%s'", f->d.dirname);
	assert_int_equal(system(path), 0);
	/* The order needs the paths only: no file is read but modules.order. */
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->d.dirname, tree[i]);
		assert_int_equal(dm_module_add(&f->d, path, true), 0);
	}
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

/* d->array's names, space separated; each module's idx is its place. */
static void check(const struct fixture *f, const char *want)
{
	char got[256] = "";

	assert_int_equal(f->d.n, sizeof(tree) / sizeof(tree[0]));
	for (size_t i = 0; i < f->d.n; i++) {
		assert_int_equal(f->d.array[i]->idx, i);
		strcat(got, i ? " " : "");
		strcat(got, f->d.array[i]->name);
	}
	assert_string_equal(got, want);
}

/* Without modules.order: kmod's hash buckets of the names. */
static void hash_order(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dm_build_array(&f->d), 0);
	check(f, "h c b d a g e f");
}

/* The modules named first, in the file's order (a compressed module is
 * named as NAME.ko), then the others in hash order; a line naming no
 * module is skipped. */
static void order_file(void **state)
{
	struct fixture *f = *state;

	write_order(f, "kernel/c.ko\nkernel/a.ko\nkernel/zz.ko\nkernel/e.ko\n");
	assert_int_equal(dm_build_array(&f->d), 0);
	check(f, "c a e h b d g f");
}

/* A module's first line counts (kmod 34.2: "c a e h b d g f" for this
 * tree; kmod 30 takes the last line: "a e c h b d g f"). */
static void order_twice(void **state)
{
	struct fixture *f = *state;

	write_order(f, "kernel/c.ko\nkernel/a.ko\nkernel/e.ko\nkernel/c.ko\n");
	assert_int_equal(dm_build_array(&f->d), 0);
	check(f, "c a e h b d g f");
}

/* A last line without its newline: the file is not used at all. */
static void order_corrupt(void **state)
{
	struct fixture *f = *state;

	write_order(f, "kernel/c.ko\nkernel/a.ko");
	assert_int_equal(dm_build_array(&f->d), 0);
	check(f, "h c b d a g e f");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hash_order, setup, teardown),
		cmocka_unit_test_setup_teardown(order_file, setup, teardown),
		cmocka_unit_test_setup_teardown(order_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(order_corrupt, setup, teardown),
	};

	msg_init("depmod");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
