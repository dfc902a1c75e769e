// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/depmod/run.c: whole runs of depmod_run on a copy of the tiny tree
 * of tests/unit/data/depmod-tree. The expected files are kmod 34.2's
 * depmod output for the same tree, stored in depmod-tree/kmod34/ (made with
 * /work/k34/bin/depmod, see tests/unit/data/README.md), never ours: every
 * index file byte for byte, -n's standard output, -o into another root,
 * -A (nothing written while the set is newer than every module), and the
 * folder left with the set and nothing else (no temporary, no lock). */
#include <dirent.h>
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

#include "depmod.h"
#include "depmod_int.h"
#include "msg.h"

#define KVER "6.1.0-test"
#define KMOD34 TEST_DATA "/depmod-tree/kmod34"

static const char *const files[] = {
	"modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin",
	"modules.softdep", "modules.weakdep", "modules.symbols", "modules.symbols.bin",
	"modules.builtin.bin", "modules.builtin.alias.bin", "modules.devname",
};

struct fixture {
	char root[256];
	char moddir[400];
	char conf[300];
	char *configs[1];
};

/* -b ROOT -C EMPTY-FOLDER: no depmod.d file of the machine running the
 * tests counts (the host kmod 34.2 ran on had none). */
static struct depmod_opts opts(struct fixture *f, const char *kver)
{
	struct depmod_opts o = { .root = f->root, .kver = kver, .all = true,
				 .configs = f->configs, .nconfigs = 1 };

	return o;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *t = getenv("TMPDIR");
	char cmd[1024];

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/depmod-run.XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(f->root));
	snprintf(cmd, sizeof(cmd), "cp -R '%s/depmod-tree/lib' '%s/'", TEST_DATA, f->root);
	assert_int_equal(system(cmd), 0);
	snprintf(f->moddir, sizeof(f->moddir), "%s/lib/modules/" KVER, f->root);
	snprintf(f->conf, sizeof(f->conf), "%s/conf", f->root);
	assert_int_equal(mkdir(f->conf, 0755), 0);
	f->configs[0] = f->conf;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static unsigned char *slurp(const char *path, size_t *size)
{
	struct stat st;
	unsigned char *b;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fstat(fd, &st), 0);
	*size = (size_t)st.st_size;
	b = malloc(*size + 1);
	assert_non_null(b);
	assert_int_equal(read(fd, b, *size), (ssize_t)*size);
	close(fd);
	return b;
}

static void expect_same(const char *got, const char *want)
{
	size_t ng, nw;
	unsigned char *g = slurp(got, &ng), *w = slurp(want, &nw);

	if (ng != nw || memcmp(g, w, nw) != 0)
		fail_msg("%s differs from kmod 34.2's %s (%zu bytes, want %zu)", got, want, ng, nw);
	free(g);
	free(w);
}

/* Every index file of the folder is kmod 34.2's. */
static void expect_kmod_set(const char *moddir)
{
	char got[600], want[600];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(got, sizeof(got), "%s/%s", moddir, files[i]);
		snprintf(want, sizeof(want), "%s/%s", KMOD34, files[i]);
		expect_same(got, want);
	}
}

static bool expected_entry(const char *name)
{
	static const char *const others[] = {
		".", "..", "kernel", "updates", "modules.order", "modules.builtin",
		"modules.builtin.modinfo", "modules.depmod-cache",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(name, files[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (strcmp(name, others[i]) == 0)
			return true;
	return false;
}

/* Nothing but the set in the folder, nothing but it above. */
static void expect_tidy(const char *root)
{
	char path[600];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/lib/modules/" KVER, root);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (!expected_entry(de->d_name))
			fail_msg("left in %s: %s", path, de->d_name);
	closedir(d);
	snprintf(path, sizeof(path), "%s/lib/modules", root);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, KVER) != 0)
			fail_msg("left in %s: %s", path, de->d_name);
	closedir(d);
}

static void whole_run_equals_kmod(void **state)
{
	struct fixture *f = *state;
	struct depmod_opts o = opts(f, KVER);

	assert_int_equal(depmod_run(&o, 0, NULL), 0);
	expect_kmod_set(f->moddir);
	expect_tidy(f->root);
	/* a second run over its own output: the same set */
	assert_int_equal(depmod_run(&o, 0, NULL), 0);
	expect_kmod_set(f->moddir);
	expect_tidy(f->root);
}

/* -n: the text files on standard output, as kmod 34.2's depmod -n; nothing
 * written in the folder. */
static void dry_run_to_stdout(void **state)
{
	struct fixture *f = *state;
	struct depmod_opts o = opts(f, KVER);
	char out[400], path[600];
	int fd, saved;

	o.dry = true;
	snprintf(out, sizeof(out), "%s/stdout", f->root);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	close(fd);
	assert_int_equal(depmod_run(&o, 0, NULL), 0);
	fflush(stdout);
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	expect_same(out, KMOD34 "/depmod-n.out");
	snprintf(path, sizeof(path), "%s/modules.dep", f->moddir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(errno, ENOENT);
}

/* -o: the set goes under the other root, made if missing; the tree's own
 * folder is not written. */
static void outroot(void **state)
{
	struct fixture *f = *state;
	char other[400], moddir[500], path[600];
	struct depmod_opts o = opts(f, KVER);

	snprintf(other, sizeof(other), "%s/out/deeper", f->root);
	o.outroot = other;
	assert_int_equal(depmod_run(&o, 0, NULL), 0);
	snprintf(moddir, sizeof(moddir), "%s/lib/modules/" KVER, other);
	expect_kmod_set(moddir);
	snprintf(path, sizeof(path), "%s/modules.dep", f->moddir);
	assert_int_equal(access(path, F_OK), -1);
}

static void set_mtime(const char *path, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* -A: with modules.dep newer than every module nothing is written (a file
 * of the set changed by hand stays); a module newer than it: a whole run. */
static void quick_check(void **state)
{
	struct fixture *f = *state;
	struct depmod_opts o = opts(f, KVER);
	char dep[600], alias[600], mod[600];
	time_t now = time(NULL);
	FILE *fp;

	assert_int_equal(depmod_run(&o, 0, NULL), 0);
	snprintf(dep, sizeof(dep), "%s/modules.dep", f->moddir);
	snprintf(alias, sizeof(alias), "%s/modules.alias", f->moddir);
	snprintf(mod, sizeof(mod), "%s/kernel/drivers/test/modtest_a.ko", f->moddir);
	fp = fopen(alias, "w");
	assert_non_null(fp);
	fputs("# by hand\n", fp);
	fclose(fp);
	/* every module a day old */
	{
		static const char *const mods[] = {
			"kernel/drivers/test/modtest_a.ko", "kernel/drivers/test/modtest_b.ko",
			"kernel/drivers/test/dash-mod.ko", "kernel/drivers/test/devmod.ko",
			"kernel/fs/test/modtest_c.ko", "updates/modtest_c.ko",
		};
		char p[600];

		for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", f->moddir, mods[i]);
			set_mtime(p, now - 86400);
		}
	}
	set_mtime(dep, now - 3600);
	o.quick = true;
	assert_int_equal(depmod_run(&o, 0, NULL), 0);
	{
		size_t n;
		unsigned char *b = slurp(alias, &n);

		assert_int_equal(n, 10);
		assert_memory_equal(b, "# by hand\n", 10);
		free(b);
	}
	/* one module newer than modules.dep: the set is made again */
	set_mtime(mod, now);
	assert_int_equal(depmod_run(&o, 0, NULL), 0);
	expect_kmod_set(f->moddir);
	expect_tidy(f->root);
}

/* A version folder that is not there: an error, nothing made. */
static void missing_version(void **state)
{
	struct fixture *f = *state;
	struct depmod_opts o = opts(f, "9.9.9-none");
	char path[600];

	assert_true(depmod_run(&o, 0, NULL) < 0);
	snprintf(path, sizeof(path), "%s/lib/modules/9.9.9-none", f->root);
	assert_int_equal(access(path, F_OK), -1);
	expect_tidy(f->root);
}

static void version_strings(void **state)
{
	assert_true(depmod_is_version("6.1.0-test"));
	assert_true(depmod_is_version("5.10"));
	assert_false(depmod_is_version("5"));
	assert_false(depmod_is_version("/lib/modules/x.ko"));
	assert_false(depmod_is_version("v5.10"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(whole_run_equals_kmod, setup, teardown),
		cmocka_unit_test_setup_teardown(dry_run_to_stdout, setup, teardown),
		cmocka_unit_test_setup_teardown(outroot, setup, teardown),
		cmocka_unit_test_setup_teardown(quick_check, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_version, setup, teardown),
		cmocka_unit_test(version_strings),
	};

	msg_init("depmod");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
