// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/depmod/readahead.c: dm_read_modules with worker threads
 * decompressing ahead. Each module is indexed in d->array's order with its
 * own facts (every module here has an alias of its own, patched into a copy
 * of dash-mod.ko, plain or zstd-compressed at test time); a corrupt one is
 * warned about and the rest go on; one that cannot be opened stops the run
 * (and the workers); and the decompressed images held at once stay within
 * the 32 MiB read-ahead budget, a module past it held alone (the peak
 * resident size of a child process reading four modules of 34 MiB). */
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <zstd.h>

#include "autoconf.h"
#include "kconfig.h"
#include "depmod_int.h"
#include "msg.h"

#define KVER "6.1.0-test"
#define FIXTURE TEST_DATA "/depmod-tree/lib/modules/" KVER "/kernel/drivers/test/dash-mod.ko"
#define ALIAS "of:N*T*Cmodutils,dash-test"

struct fixture {
	char root[256];
	struct dm d;
	unsigned char *ko;
	size_t kolen, alias_off;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *t = getenv("TMPDIR");
	struct stat st;
	int fd;

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/depmod-readahead.XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(f->root));
	assert_int_equal(modctx_init(&f->d.ctx, f->root, KVER), 0);
	f->d.dirname = f->d.ctx.moddir;
	f->d.dirnamelen = strlen(f->d.dirname);
	f->d.outdir = f->d.dirname;
	f->d.syms.size = sizeof(struct sym);
	f->d.info.size = 1;
	f->d.imports.size = sizeof(uint32_t);
	f->d.crcs.size = sizeof(uint64_t);
	fd = open(FIXTURE, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	f->kolen = (size_t)st.st_size;
	f->ko = malloc(f->kolen);
	assert_int_equal(read(fd, f->ko, f->kolen), (ssize_t)f->kolen);
	close(fd);
	for (f->alias_off = 0; f->alias_off + sizeof(ALIAS) <= f->kolen; f->alias_off++)
		if (memcmp(f->ko + f->alias_off, ALIAS, sizeof(ALIAS)) == 0)
			break;
	assert_true(f->alias_off + sizeof(ALIAS) <= f->kolen);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[600];

	dm_free(&f->d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f->ko);
	free(f);
	return 0;
}

/* kernel/mNN.ko[.zst]: dash-mod.ko with alias "of:N*T*Cmodutils,dNNNNNNNN"
 * (the same length), pad zero bytes after it. */
static void make_module(struct fixture *f, unsigned num, size_t pad, bool zst)
{
	size_t len = f->kolen + pad;
	unsigned char *img = calloc(1, len), *out = NULL;
	char path[700], tail[16];
	const void *data = img;
	FILE *fp;

	assert_non_null(img);
	memcpy(img, f->ko, f->kolen);
	snprintf(tail, sizeof(tail), "d%08u", num);
	memcpy(img + f->alias_off + sizeof(ALIAS) - 1 - 9, tail, 9);
	if (zst) {
		size_t cap = ZSTD_compressBound(len);

		out = malloc(cap);
		assert_non_null(out);
		len = ZSTD_compress(out, cap, img, len, 1);
		assert_false(ZSTD_isError(len));
		data = out;
	}
	snprintf(path, sizeof(path), "%s/kernel", f->d.dirname);
	mkdir(f->d.ctx.moddir, 0755);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/kernel/m%02u.ko%s", f->d.dirname, num, zst ? ".zst" : "");
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	free(img);
	free(out);
}

static void mkdirs(struct fixture *f)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/kernel'", f->d.dirname);
	assert_int_equal(system(cmd), 0);
}

static void build(struct fixture *f)
{
	assert_int_equal(dm_search_path(&f->d, f->d.dirname), 0);
	assert_int_equal(dm_build_array(&f->d), 0);
}

/* Module i of the array has its own alias, and its records come after
 * those of module i - 1. */
static void check_order(const struct fixture *f, size_t skip_one)
{
	uint32_t last = 0;

	for (size_t i = 0; i < f->d.n; i++) {
		const struct mod *m = f->d.array[i];
		const char *info = (const char *)f->d.info.v + m->info_off;
		char want[64];
		unsigned num;

		assert_int_equal(sscanf(m->name, "m%u", &num), 1);
		if (num == skip_one) {
			assert_int_equal(m->info_len, 0);
			continue;
		}
		snprintf(want, sizeof(want), "of:N*T*Cmodutils,d%08u", num);
		assert_true(m->info_len > 0);
		assert_int_equal(info[0], 'a');
		if (strcmp(info + 1, want) != 0)
			fail_msg("module %zu (%s) has alias %s, want %s", i, m->name, info + 1, want);
		assert_true(m->info_off >= last);
		last = m->info_off + m->info_len;
	}
}

/* (Without zstd in this build, plain modules only: no worker threads.) */
static void in_order_with_their_own_facts(void **state)
{
	struct fixture *f = *state;

	mkdirs(f);
	for (unsigned i = 0; i < 40; i++)
		make_module(f, i, (i % 5) * 70000, IS_ENABLED(CONFIG_FEATURE_ZSTD) && i % 4 != 0);
	build(f);
	assert_int_equal(f->d.n, 40);
	assert_int_equal(dm_read_modules(&f->d), 0);
	check_order(f, UINT32_MAX);
}

/* A corrupt compressed module: a warning, indexed without its facts, the
 * others as before. */
static void corrupt_module_warned(void **state)
{
	struct fixture *f = *state;
	char path[700];
	FILE *fp;

	if (!IS_ENABLED(CONFIG_FEATURE_ZSTD))
		skip();
	mkdirs(f);
	for (unsigned i = 0; i < 12; i++)
		make_module(f, i, 0, true);
	snprintf(path, sizeof(path), "%s/kernel/m07.ko.zst", f->d.dirname);
	fp = fopen(path, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 20, SEEK_SET), 0);
	fputs("garbage garbage garbage", fp);
	fclose(fp);
	build(f);
	assert_int_equal(dm_read_modules(&f->d), 0);
	check_order(f, 7);
}

/* A module gone between the walk and its reading: the run stops with the
 * error (the workers stopped and joined: ASan's leak check sees the rest). */
static void missing_module_stops(void **state)
{
	struct fixture *f = *state;
	char path[700];

	mkdirs(f);
	for (unsigned i = 0; i < 12; i++)
		make_module(f, i, 0, IS_ENABLED(CONFIG_FEATURE_ZSTD) && i != 5);
	build(f);
	snprintf(path, sizeof(path), "%s/kernel/m05.ko", f->d.dirname);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(dm_read_modules(&f->d), -ENOENT);
}

static long status_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(fp);
	return v;
}

/* Four modules of 34 MiB, each past the 32 MiB budget: one is held at a
 * time, the current one (a worker's module waits for room until it is
 * current). Measured in a child, as the growth of its peak resident size:
 * about one module (with the budget raised, the workers hold two or three
 * besides: 89-105 MiB measured). */
static void memory_bound(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int status;

	if (!IS_ENABLED(CONFIG_FEATURE_ZSTD))
		skip();
	/* AddressSanitizer keeps freed memory in quarantine: the resident
	 * size says nothing there */
#ifdef __SANITIZE_ADDRESS__
	printf("(skipped under AddressSanitizer: its quarantine keeps freed images resident)\n");
	skip();
#endif
	if (status_kb("VmHWM:") < 0)
		skip();
	mkdirs(f);
	for (unsigned i = 0; i < 4; i++)
		make_module(f, i, (size_t)34 << 20, true);
	build(f);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		long before = status_kb("VmRSS:"), peak;
		int err = dm_read_modules(&f->d);

		peak = status_kb("VmHWM:");
		if (err == 0) {
			/* and each of them indexed, in order */
			for (size_t i = 0; i < f->d.n; i++)
				if (f->d.array[i]->info_len == 0)
					err = -1;
		}
		if (err != 0) {
			fprintf(stderr, "dm_read_modules: %d\n", err);
			_exit(2);
		}
		if (peak - before > (46L << 10)) {
			fprintf(stderr, "peak resident size grew by %ld KiB (bound: 34 MiB and 12 MiB more)\n",
				peak - before);
			_exit(1);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(in_order_with_their_own_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(corrupt_module_warned, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_module_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_bound, setup, teardown),
	};

	msg_init("depmod");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
