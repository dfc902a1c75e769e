// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/depmod/outputs.c: the table of output files, each row's file
 * written through dirswap for the tiny tree of tests/unit/data/depmod-tree
 * and compared byte for byte with kmod 34.2's depmod output for the same
 * tree (stored in depmod-tree/kmod34/, see tests/unit/data/README.md);
 * -n's standard output likewise; modules.devname's rules (the first major
 * and minor, block or char; a devname without them named and left out) as
 * kmod 34.2's depmod -n wrote them for modules with the same .modinfo
 * records; and dm_scan_uint against sscanf's %u. */
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
#include <unistd.h>
#include <cmocka.h>

#include "depmod_int.h"
#include "dirswap.h"
#include "msg.h"

#define KVER "6.1.0-test"
#define KMOD34 TEST_DATA "/depmod-tree/kmod34"

/* The files kmod 34.2's depmod writes, in the order of the table. */
static const char *const files[] = {
	"modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin",
	"modules.softdep", "modules.weakdep", "modules.symbols", "modules.symbols.bin",
	"modules.builtin.bin", "modules.builtin.alias.bin", "modules.devname",
};

struct fixture {
	char tmp[256];
	char out[300];
	struct dm d;
	struct dm rec;
	struct mod mods[4];
	struct mod *array[4];
	char errfile[400], outfile[400];
	int saved;
};

static void dm_setup(struct dm *d)
{
	memset(d, 0, sizeof(*d));
	d->syms.size = sizeof(struct sym);
	d->info.size = 1;
	d->imports.size = sizeof(uint32_t);
	d->crcs.size = sizeof(uint64_t);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *t = getenv("TMPDIR");
	char cmd[700];

	assert_non_null(f);
	snprintf(f->tmp, sizeof(f->tmp), "%s/depmod-outputs.XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(f->tmp));
	snprintf(f->out, sizeof(f->out), "%s/out/" KVER, f->tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' '%s/conf'", f->out, f->tmp);
	assert_int_equal(system(cmd), 0);
	dm_setup(&f->d);
	dm_setup(&f->rec);
	/* the modules are only read: the stored tree itself */
	assert_int_equal(modctx_init(&f->d.ctx, TEST_DATA "/depmod-tree", KVER), 0);
	f->d.dirname = f->d.ctx.moddir;
	f->d.dirnamelen = strlen(f->d.dirname);
	f->d.outdir = f->out;
	f->saved = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[400];

	if (f->d.array == f->array)
		f->d.array = NULL;
	dm_free(&f->d);
	dm_free(&f->rec);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmp);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* fd (1 or 2) into a file until release() */
static void redirect(struct fixture *f, int fd, char *file, size_t size, const char *name)
{
	int t;

	snprintf(file, size, "%s/%s", f->tmp, name);
	t = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(t >= 0);
	fflush(NULL);
	f->saved = dup(fd);
	assert_int_equal(dup2(t, fd), fd);
	close(t);
}

static void release(struct fixture *f, int fd)
{
	fflush(NULL);
	assert_int_equal(dup2(f->saved, fd), fd);
	close(f->saved);
	f->saved = -1;
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
	b[*size] = '\0';
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

/* The steps of a run before the outputs (run.c's index_tree), without any
 * depmod.d file. */
static void index_tree(struct fixture *f)
{
	char conf[400], *paths[1] = { conf };

	snprintf(conf, sizeof(conf), "%s/conf", f->tmp);
	assert_int_equal(dm_cfg_load(&f->d, paths, 1), 0);
	assert_int_equal(dm_search_path(&f->d, f->d.dirname), 0);
	assert_int_equal(dm_build_array(&f->d), 0);
	assert_int_equal(dm_read_modules(&f->d), 0);
	assert_int_equal(moddeps_init(&f->d.g, (uint32_t)f->d.n), 0);
	assert_int_equal(dm_resolve(&f->d), 0);
	assert_int_equal(moddeps_sort(&f->d.g), 0);
}

static void table(void **state)
{
	assert_int_equal(dm_output_count(), sizeof(files) / sizeof(files[0]));
	for (size_t i = 0; i < dm_output_count(); i++)
		assert_string_equal(dm_output_name(i), files[i]);
}

/* Each row writes its file, with kmod 34.2's bytes. */
static void each_row_as_kmod(void **state)
{
	struct fixture *f = *state;
	const char *names[DIRSWAP_MAX_NAMES];
	struct dirswap s;
	char got[600];

	index_tree(f);
	assert_int_equal(f->d.n, 5);
	for (size_t i = 0; i < dm_output_count(); i++)
		names[i] = dm_output_name(i);
	assert_int_equal(dirswap_begin(&s, f->out, names, dm_output_count()), 0);
	assert_int_equal(dm_write_set(&f->d, &s), 0);
	assert_int_equal(dirswap_commit(&s), 0);
	for (size_t i = 0; i < dm_output_count(); i++) {
		char want[600];

		snprintf(got, sizeof(got), "%s/%s", f->out, dm_output_name(i));
		snprintf(want, sizeof(want), "%s/%s", KMOD34, dm_output_name(i));
		expect_same(got, want);
	}
}

/* -n: the text files on standard output, in the table's order. */
static void dry_run_as_kmod(void **state)
{
	struct fixture *f = *state;
	char got[600];

	index_tree(f);
	redirect(f, STDOUT_FILENO, f->outfile, sizeof(f->outfile), "stdout");
	assert_int_equal(dm_write_set(&f->d, NULL), 0);
	release(f, STDOUT_FILENO);
	expect_same(f->outfile, KMOD34 "/depmod-n.out");
	/* nothing in the output folder */
	snprintf(got, sizeof(got), "%s/modules.dep", f->out);
	assert_int_equal(access(got, F_OK), -1);
}

/* A module of alias records only (cache.c's facts, as dm_apply_facts takes
 * them): "rec1;rec2;...". */
static void module(struct fixture *f, size_t i, const char *name, const char *aliases)
{
	struct mod *m = &f->mods[i], tmp = { 0 };
	char buf[256], *save, *a;
	const unsigned char *b;
	size_t n;

	if (f->rec.cache == NULL) {
		f->rec.outdir = f->tmp;
		assert_int_equal(dm_cache_open(&f->rec, true), 0);
	}
	m->name = (char *)name;
	m->namelen = strlen(name);
	m->path = f->errfile;  /* not used: relpath is */
	m->relpath = name;
	m->idx = (uint32_t)i;
	dm_cache_begin(&f->rec, &tmp, NULL);
	snprintf(buf, sizeof(buf), "%s", aliases);
	for (a = strtok_r(buf, ";", &save); a != NULL; a = strtok_r(NULL, ";", &save))
		dm_rec_fact(&f->rec, 'A', 'a', false, 0, a, strlen(a));
	dm_cache_end(&f->rec, &tmp);
	assert_int_equal(dm_cache_test_record(&f->rec, &b, &n), 0);
	assert_int_equal(dm_apply_facts(&f->d, m, b + tmp.rec_off, tmp.rec_len), 0);
	f->array[i] = m;
}

/* modules.devname, as kmod 34.2's depmod -n wrote it for modules with the
 * same alias records (nodev: devname:lonely, block-major-8-3; blk:
 * block-major-259-0, devname:blkdev, char-major-1-2; half: devname:halfdev,
 * char-major-x-1): the first major and minor, block or char, before or
 * after the devname; one without them named on stderr and left out. */
static void devname_rules(void **state)
{
	struct fixture *f = *state;
	unsigned char *out, *err;
	const char *p;
	size_t n;

	module(f, 0, "nodev", "devname:lonely;block-major-8-3");
	module(f, 1, "blk", "block-major-259-0;devname:blkdev;char-major-1-2");
	module(f, 2, "half", "devname:halfdev;char-major-x-1");
	f->d.array = f->array;
	f->d.n = 3;
	assert_int_equal(moddeps_init(&f->d.g, 3), 0);
	assert_int_equal(moddeps_sort(&f->d.g), 0);
	redirect(f, STDERR_FILENO, f->errfile, sizeof(f->errfile), "stderr");
	{
		int saved_err = f->saved;

		redirect(f, STDOUT_FILENO, f->outfile, sizeof(f->outfile), "stdout");
		assert_int_equal(dm_write_set(&f->d, NULL), 0);
		release(f, STDOUT_FILENO);
		f->saved = saved_err;
	}
	release(f, STDERR_FILENO);
	out = slurp(f->outfile, &n);
	p = strstr((const char *)out, "# Device nodes to trigger on-demand module loading.\n");
	assert_non_null(p);
	assert_string_equal(p, "# Device nodes to trigger on-demand module loading.\n"
			       "nodev lonely b8:3\n"
			       "blk blkdev b259:0\n");
	free(out);
	err = slurp(f->errfile, &n);
	assert_non_null(strstr((const char *)err, "depmod: ERROR: Module 'half' has devname (halfdev) but lacks "
						  "major and minor information. Ignoring.\n"));
	free(err);
}

static void scan_uint_as_sscanf(void **state)
{
	static const char *const in[] = { "12", "  7:", "+3-", "-1", "0010", "\t42x", "4294967295" };
	unsigned v, w;

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		const char *end = dm_scan_uint(in[i], &v);
		int used = 0;

		assert_int_equal(sscanf(in[i], "%u%n", &w, &used), 1);
		assert_non_null(end);
		assert_int_equal(v, w);
		assert_int_equal(end - in[i], used);
	}
	assert_null(dm_scan_uint("x1", &v));
	assert_null(dm_scan_uint("-", &v));
	assert_null(dm_scan_uint("", &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test_setup_teardown(each_row_as_kmod, setup, teardown),
		cmocka_unit_test_setup_teardown(dry_run_as_kmod, setup, teardown),
		cmocka_unit_test_setup_teardown(devname_rules, setup, teardown),
		cmocka_unit_test(scan_uint_as_sscanf),
	};

	msg_init("depmod");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
