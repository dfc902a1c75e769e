// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/depmod/symbols.c: the kernel's symbols from -F System.map and -E
 * Module.symvers (which lines count, -P's prefix, the symbols always
 * there), export/import resolution into dependencies (a later export
 * replaces an earlier one, kernel and unknown symbols give none, ppc64's
 * dot names), -e's warnings (unknown symbols, not weak ones; versions that
 * disagree with -E), and real modules of tests/unit/data/depmod-tree read
 * with dm_load_module (modtest_b needs modtest_a, as kmod 34.2's
 * modules.dep says; a file that is no ELF indexed without symbols; one
 * that cannot be read stops the run). Synthetic modules are made of
 * recorded facts (cache.c's dm_rec_fact) and dm_apply_facts. */
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
#include "modfile.h"
#include "msg.h"

#define TREE TEST_DATA "/depmod-tree/lib/modules/6.1.0-test"

static char tmpdir[256];

struct fixture {
	struct dm d;
	struct dm rec;          /* where the synthetic modules' facts are recorded */
	struct mod mods[8];
	char paths[8][64];
	size_t n;
	char errfile[300];
	int saved_err;
};

static void dm_setup(struct dm *d)
{
	memset(d, 0, sizeof(*d));
	d->syms.size = sizeof(struct sym);
	d->info.size = 1;
	d->imports.size = sizeof(uint32_t);
	d->crcs.size = sizeof(uint64_t);
	d->outdir = tmpdir;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	dm_setup(&f->d);
	dm_setup(&f->rec);
	assert_int_equal(dm_cache_open(&f->rec, true), 0);
	f->saved_err = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	f->d.array = NULL;   /* the fixture's own mods */
	dm_free(&f->d);
	dm_free(&f->rec);
	free(f);
	return 0;
}

static int group_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/depmod-symbols.XXXXXX", t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static const char *put(const char *name, const char *text)
{
	static char path[400];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* stderr into a file from here to stderr_text() */
static void catch_stderr(struct fixture *f)
{
	int fd;

	snprintf(f->errfile, sizeof(f->errfile), "%s/stderr", tmpdir);
	fd = open(f->errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	fflush(stderr);
	f->saved_err = dup(STDERR_FILENO);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

static char *stderr_text(struct fixture *f)
{
	static char buf[4096];
	FILE *fp;
	size_t n;

	fflush(stderr);
	assert_int_equal(dup2(f->saved_err, STDERR_FILENO), STDERR_FILENO);
	close(f->saved_err);
	f->saved_err = -1;
	fp = fopen(f->errfile, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* A fact list: "E name crc", "I name crc", "W name crc" (weak import),
 * "A a value" (alias record), separated by ';'. */
static struct mod *module(struct fixture *f, const char *name, const char *facts)
{
	struct mod *m = &f->mods[f->n], tmp = { 0 };
	char buf[512], *save, *item;
	const unsigned char *b;
	size_t n;

	snprintf(f->paths[f->n], sizeof(f->paths[f->n]), "/m/%s.ko", name);
	m->path = f->paths[f->n];
	m->name = (char *)name;
	m->namelen = strlen(name);
	m->idx = (uint32_t)f->n;
	f->n++;
	dm_cache_begin(&f->rec, &tmp, NULL);
	snprintf(buf, sizeof(buf), "%s", facts);
	for (item = strtok_r(buf, ";", &save); item != NULL; item = strtok_r(NULL, ";", &save)) {
		char kind, sym[128];
		unsigned long long crc = 0;

		assert_true(sscanf(item, " %c %127s %llx", &kind, sym, &crc) >= 2);
		if (kind == 'A')
			dm_rec_fact(&f->rec, 'A', 'a', false, 0, sym, strlen(sym));
		else
			dm_rec_fact(&f->rec, kind == 'E' ? 'E' : 'I', 0, kind == 'W', crc, sym, strlen(sym));
	}
	dm_cache_end(&f->rec, &tmp);
	assert_int_equal(dm_cache_test_record(&f->rec, &b, &n), 0);
	assert_int_equal(dm_apply_facts(&f->d, m, b + tmp.rec_off, tmp.rec_len), 0);
	return m;
}

/* d->array is the fixture's modules; the graph made. */
static void resolve(struct fixture *f)
{
	static struct mod *array[8];

	for (size_t i = 0; i < f->n; i++)
		array[i] = &f->mods[i];
	f->d.array = array;
	f->d.n = f->n;
	assert_int_equal(moddeps_init(&f->d.g, (uint32_t)f->n), 0);
	assert_int_equal(dm_resolve(&f->d), 0);
}

/* Module i's dependencies as names, space separated. */
static const char *deps(const struct fixture *f, size_t i)
{
	static char buf[256];

	buf[0] = '\0';
	for (uint32_t k = 0; k < f->d.g.deps[i].n; k++) {
		strcat(buf, k ? " " : "");
		strcat(buf, f->mods[f->d.g.deps[i].v[k]].name);
	}
	return buf;
}

static struct sym *find(const struct fixture *f, const char *name)
{
	struct sslot *s = stab_get((struct stab *)&f->d.by_sym, name, strlen(name), false);

	return s->key == NULL ? NULL : sym_at(&f->d, s->val);
}

static void exports_resolve_imports(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(dm_load_kernel_syms(&f->d, put("System.map",
		"ffffffff81000000 T _stext\n"
		"ffffffff81000010 R __ksymtab_printk\n"), false), 0);
	module(f, "a", "E foo 10; E shared 20; E dotfn 0");
	module(f, "b", "E shared 21");
	module(f, "c", "I foo 0; I shared 0; I printk 0; I nowhere 0; I .dotfn 0; W weakgone 0");
	module(f, "d", "I shared 0; I foo 0");
	resolve(f);
	/* foo from a; shared from b, its later export; none for printk (the
	 * kernel's) or nowhere (nobody's); .dotfn is dotfn (a, already) */
	assert_string_equal(deps(f, 2), "a b");
	/* in the order the imports name them */
	assert_string_equal(deps(f, 3), "b a");
	assert_string_equal(deps(f, 0), "");
	assert_string_equal(deps(f, 1), "");
	assert_int_equal(find(f, "shared")->owner, 1);
	assert_int_equal(find(f, "shared")->crc, 0x21);
	assert_int_equal(find(f, "printk")->owner, -1);
	assert_true(find(f, "printk")->defined);
	assert_null(find(f, "_stext"));
	assert_false(find(f, "nowhere")->defined);
	/* the symbols the loader makes */
	assert_true(find(f, "__this_module")->defined);
	assert_true(find(f, "_GLOBAL_OFFSET_TABLE_")->defined);
	assert_true(find(f, "TOC.")->defined);
}

/* -e: an unknown symbol is named, a weak one is not; without -e nothing. */
static void unknown_symbols_warned(void **state)
{
	struct fixture *f = *state;
	const char *err;

	assert_int_equal(dm_load_kernel_syms(&f->d, put("System.map", "0 R __ksymtab_printk\n"), false), 0);
	module(f, "a", "I printk 0; I nowhere 0; W weakgone 0; I .dotgone 0");
	f->d.print_unknown = true;
	catch_stderr(f);
	resolve(f);
	err = stderr_text(f);
	assert_string_equal(err, "depmod: WARNING: /m/a.ko needs unknown symbol nowhere\n"
				 "depmod: WARNING: /m/a.ko needs unknown symbol .dotgone\n");
	moddeps_free(&f->d.g);
	f->d.print_unknown = false;
	catch_stderr(f);
	resolve(f);
	assert_string_equal(stderr_text(f), "");
}

/* -E: vmlinux's lines only, with their CRCs; -e names an import whose CRC
 * disagrees (not a weak one), with -P's prefix put back in the name. */
static void symvers_versions(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->d.check_symvers = true;
	f->d.sym_prefix = '_';
	catch_stderr(f);
	assert_int_equal(dm_load_kernel_syms(&f->d, put("Module.symvers",
		"0x0000abcd\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
		"0x00001234\t_kmalloc\tvmlinux\tEXPORT_SYMBOL_GPL\t\n"
		"0x00005555\tmodsym\tdrivers/x/y\tEXPORT_SYMBOL\t\n"
		"0xnothex\tbroken\tvmlinux\tEXPORT_SYMBOL\t\n"
		"short line\n"), true), 0);
	err = stderr_text(f);
	assert_non_null(strstr(err, "Module.symvers:4 Invalid symbol version 0xnothex"));
	assert_int_equal(find(f, "printk")->crc, 0xabcd);
	/* the prefix is taken off */
	assert_non_null(find(f, "kmalloc"));
	assert_int_equal(find(f, "kmalloc")->crc, 0x1234);
	assert_null(find(f, "modsym"));
	assert_null(find(f, "broken"));
	module(f, "a", "I printk abcd; I _kmalloc 9999; W printk 1");
	module(f, "b", "I printk 1");
	f->d.print_unknown = true;
	catch_stderr(f);
	resolve(f);
	err = stderr_text(f);
	assert_string_equal(err, "depmod: WARNING: /m/a.ko disagrees about version of symbol _kmalloc\n"
				 "depmod: WARNING: /m/b.ko disagrees about version of symbol printk\n");
	assert_string_equal(deps(f, 0), "");
}

/* -F: only __ksymtab_ names, -P's prefix before them; a line without two
 * blanks is named. */
static void system_map_lines(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->d.sym_prefix = '.';
	catch_stderr(f);
	assert_int_equal(dm_load_kernel_syms(&f->d, put("System.map",
		"c0294200 R __ksymtab_devfs_alloc\n"
		"c0294210 R .__ksymtab_dotted\n"
		"c0294220 T __ksymtabnot\n"
		"garbage\n"), false), 0);
	err = stderr_text(f);
	assert_non_null(strstr(err, "System.map:4: invalid line: garbage"));
	assert_true(find(f, "devfs_alloc")->defined);
	assert_true(find(f, "dotted")->defined);
	assert_null(find(f, "__ksymtabnot"));
	assert_null(find(f, "tabnot"));
	/* a file that is not there */
	assert_int_equal(dm_load_kernel_syms(&f->d, "/nonexistent/System.map", false), -ENOENT);
}

/* Real modules through dm_load_module, as readahead.c calls it. */
static void real_modules(void **state)
{
	static const char *const rel[] = {
		"kernel/drivers/test/modtest_a.ko", "kernel/drivers/test/modtest_b.ko",
		"kernel/drivers/test/dash-mod.ko", "notamodule",
	};
	struct fixture *f = *state;
	struct modparts mp = MODPARTS_INIT;
	const char *info, *err;

	put("notamodule", "this is no ELF file at all, but long enough to be looked at\n");
	for (size_t i = 0; i < 4; i++) {
		struct mod *m = &f->mods[i];
		struct modfile mf;
		int ferr;

		char path[600];

		m->path = (char *)rel[i];
		m->idx = (uint32_t)i;
		m->name = (char *)(i == 0 ? "modtest_a" : i == 1 ? "modtest_b" : i == 2 ? "dash_mod" : "notamodule");
		snprintf(path, sizeof(path), "%s/%s", i < 3 ? TREE : tmpdir, rel[i]);
		ferr = modfile_open(&mf, path);
		assert_int_equal(ferr, 0);
		assert_int_equal(modfile_image(&mf), 0);
		if (i == 3)
			catch_stderr(f);
		assert_int_equal(dm_load_module(&f->d, m, &mf, 0, &mp), 0);
		if (i == 3) {
			err = stderr_text(f);
			assert_non_null(strstr(err, "WARNING: failed to load symbols from notamodule"));
		}
		modfile_close(&mf);
	}
	f->n = 4;
	resolve(f);
	assert_string_equal(deps(f, 1), "modtest_a");
	assert_string_equal(deps(f, 0), "");
	assert_string_equal(deps(f, 2), "");
	assert_int_equal(find(f, "modtest_a_value")->owner, 0);
	/* dash_mod's two aliases, in file order */
	info = (const char *)f->d.info.v + f->mods[2].info_off;
	assert_int_equal(f->mods[2].info_len, 2 + strlen("of:N*T*Cmodutils,dash-test") + 2 +
			 strlen("usb:v1234p*d*dc*dsc*dp*ic*isc*ip*in*"));
	assert_int_equal(info[0], 'a');
	assert_string_equal(info + 1, "of:N*T*Cmodutils,dash-test");
	assert_string_equal(info + 1 + strlen(info + 1) + 2, "usb:v1234p*d*dc*dsc*dp*ic*isc*ip*in*");
	/* the one that is no ELF: no records, no imports */
	assert_int_equal(f->mods[3].info_len, 0);
	assert_int_equal(f->mods[3].imp_n, 0);
	modparts_free(&mp);
}

/* A module that could not be read (not: read and found malformed) stops
 * the run: its error comes back. */
static void unreadable_module_fails(void **state)
{
	struct fixture *f = *state;
	struct modparts mp = MODPARTS_INIT;
	struct modfile mf = { .fd = -1 };
	struct mod *m = &f->mods[0];

	m->path = "/m/gone.ko";
	assert_int_equal(dm_load_module(&f->d, m, &mf, -EIO, &mp), -EIO);
	/* malformed: warned, indexed without symbols */
	catch_stderr(f);
	assert_int_equal(dm_load_module(&f->d, m, &mf, -ENOEXEC, &mp), 0);
	assert_non_null(strstr(stderr_text(f), "failed to load symbols from /m/gone.ko"));
	modparts_free(&mp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(exports_resolve_imports, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_symbols_warned, setup, teardown),
		cmocka_unit_test_setup_teardown(symvers_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(system_map_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(real_modules, setup, teardown),
		cmocka_unit_test_setup_teardown(unreadable_module_fails, setup, teardown),
	};

	msg_init("depmod");
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
