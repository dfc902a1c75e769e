// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel boundary, against a fixture root: the test re-executes itself
 * under the project's LD_PRELOAD fake kernel (FAKEKERNEL_LIB), so the real
 * /proc and /sys paths in kernel.c are what is exercised.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fakekernel_run.h"
#include "kernel.h"

static char root[] = "/tmp/test_kernel.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0)
		abort();
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static void make_fixture(void)
{
	put("proc/modules",
	    "modtest_b 16384 0 - Live 0x0000000000000000\n"
	    "modtest_a 20480 1 modtest_b, Live 0x0000000000000000 (OE)\n"
	    "loading 4096 0 - Loading 0x0000000000000000\n");
	put("sys/module/modtest_a/initstate", "live\n");
	put("sys/module/modtest_a/refcnt", "1\n");
	put("sys/module/modtest_a/coresize", "20480\n");
	put("sys/module/modtest_a/holders/modtest_b", "");
	put("sys/module/modtest_b/initstate", "live\n");
	put("sys/module/modtest_b/refcnt", "0\n");
	put("sys/module/loading/initstate", "coming\n");
	put("sys/module/going/initstate", "going\n");
	put("sys/module/weird/initstate", "sideways\n");
	put("sys/module/badref/initstate", "live\n");
	put("sys/module/badref/refcnt", "lots\n");
	put("sys/module/builtin_mod/parameters/x", "1\n");
	put("sys/module/compression", "zstd\n");
}

/* /proc/kallsyms: a short name, a 511-byte one (KSYM_NAME_LEN - 1) with a
 * module after it (a line past 512 bytes), and a line without a name. */
static void make_kallsyms(char *longname, size_t size)
{
	char text[1024];

	memset(longname, 'r', size - 1);
	longname[size - 1] = '\0';
	snprintf(text, sizeof(text),
		 "ffffffff81000000 T printk\n"
		 "ffffffffc0000000 t %s\t[rust_mod]\n"
		 "ffffffffc0001000 d\n"
		 "ffffffffc0002000 D modtest_a_value\t[modtest_a]\n",
		 longname);
	put("proc/kallsyms", text);
}

struct names {
	int count;
	char last[16];
	size_t lens[4];
};

static int collect_name(const char *name, void *arg)
{
	struct names *n = arg;

	if (n->count >= 4)
		return -1;
	n->lens[n->count++] = strlen(name);
	snprintf(n->last, sizeof(n->last), "%s", name);
	return 0;
}

static void kallsyms_names_whole(void **state)
{
	char longname[512];
	struct names n = { 0 };

	make_kallsyms(longname, sizeof(longname));
	assert_int_equal(kernel_symbol_names(collect_name, &n), 0);
	assert_int_equal(n.count, 3);
	assert_int_equal(n.lens[0], 6);
	assert_int_equal(n.lens[1], 511);
	assert_string_equal(n.last, "modtest_a_value");
}

struct seen {
	int count;
	char names[4][64];
	unsigned long sizes[4];
	long refcnts[4];
	char users[4][64];
	char states[4][16];
};

static int collect(const struct proc_module *m, void *arg)
{
	struct seen *s = arg;

	if (s->count >= 4)
		return -1;
	snprintf(s->names[s->count], 64, "%s", m->name);
	s->sizes[s->count] = m->size;
	s->refcnts[s->count] = m->refcnt;
	snprintf(s->users[s->count], 64, "%s", m->users);
	snprintf(s->states[s->count], 16, "%s", m->state);
	s->count++;
	return 0;
}

static void proc_modules_in_order(void **state)
{
	struct seen s = { 0 };

	assert_int_equal(kernel_foreach_module(collect, &s), 0);
	assert_int_equal(s.count, 3);
	assert_string_equal(s.names[0], "modtest_b");
	assert_string_equal(s.names[1], "modtest_a");
	assert_int_equal(s.sizes[1], 20480);
	assert_int_equal(s.refcnts[1], 1);
	assert_string_equal(s.users[1], "modtest_b,");
	assert_string_equal(s.states[1], "Live");
	assert_string_equal(s.states[2], "Loading");
}

static int stop_at_second(const struct proc_module *m, void *arg)
{
	int *n = arg;

	(void)m;
	return ++*n == 2 ? 42 : 0;
}

static void callback_stops_iteration(void **state)
{
	int n = 0;

	assert_int_equal(kernel_foreach_module(stop_at_second, &n), 42);
	assert_int_equal(n, 2);
}

static void malformed_proc_modules(void **state)
{
	struct seen s = { 0 };
	char path[512];

	snprintf(path, sizeof(path), "%s/proc/modules", root);
	rename(path, "/tmp/test_kernel.saved");
	assert_int_equal(kernel_foreach_module(collect, &s), -ENOENT);
	put("proc/modules", "ok 1 0 - Live 0x0\nshort line\n");
	assert_int_equal(kernel_foreach_module(collect, &s), -EBADMSG);
	assert_int_equal(s.count, 1);
	put("proc/modules", "neg 1 -4 - Live 0x0\n");
	assert_int_equal(kernel_foreach_module(collect, &s), -EBADMSG);
	rename("/tmp/test_kernel.saved", path);
}

static void module_states(void **state)
{
	assert_int_equal(kernel_module_state("modtest_a"), KMOD_STATE_LIVE);
	assert_int_equal(kernel_module_state("loading"), KMOD_STATE_COMING);
	assert_int_equal(kernel_module_state("going"), KMOD_STATE_GOING);
	assert_int_equal(kernel_module_state("builtin_mod"), KMOD_STATE_BUILTIN);
	assert_int_equal(kernel_module_state("absent"), -ENOENT);
	assert_int_equal(kernel_module_state("weird"), -EBADMSG);
	assert_int_equal(kernel_module_state("../etc"), -EINVAL);
}

static void refcnt_coresize_holders(void **state)
{
	struct name_list holders;
	const char *h;

	assert_int_equal(kernel_module_refcnt("modtest_a"), 1);
	assert_int_equal(kernel_module_refcnt("modtest_b"), 0);
	assert_int_equal(kernel_module_refcnt("absent"), -ENOENT);
	assert_int_equal(kernel_module_refcnt("badref"), -EBADMSG);
	assert_int_equal(kernel_module_coresize("modtest_a"), 20480);
	assert_int_equal(kernel_module_coresize("modtest_b"), -ENOENT);

	assert_int_equal(kernel_module_holders("modtest_a", &holders), 0);
	assert_int_equal(holders.count, 1);
	h = name_list_next(&holders, NULL);
	assert_string_equal(h, "modtest_b");
	assert_null(name_list_next(&holders, h));
	name_list_free(&holders);
	assert_int_equal(kernel_module_holders("absent", &holders), -ENOENT);
	assert_int_equal(holders.count, 0);
}

static void kernel_decompression_support(void **state)
{
	assert_true(kernel_decompresses("zstd"));
	assert_false(kernel_decompresses("xz"));
	assert_false(kernel_decompresses("gzip"));
	assert_false(kernel_decompresses("none"));
	assert_false(kernel_decompresses("zst"));
}

static void release_from_uname(void **state)
{
	char buf[65];

	assert_int_equal(kernel_release(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "6.1.0-unit");
	assert_int_equal(kernel_release(buf, 4), -ENAMETOOLONG);
}

static void load_and_unload_reach_the_fake(void **state)
{
	/* A non-ELF file: the (fake) kernel answers ENOEXEC. */
	int fd = open("/proc/modules", O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(kernel_load_fd(fd, "", 0), -ENOEXEC);
	close(fd);
	assert_int_equal(kernel_load_image("junk", 4, ""), -ENOEXEC);
	assert_int_equal(kernel_unload("absent", false), -ENOENT);
	assert_int_equal(kernel_unload("modtest_a", false), -EAGAIN);
	assert_int_equal(kernel_unload("modtest_b", false), 0);
	assert_int_equal(kernel_module_state("modtest_b"), -ENOENT);
}

static unsigned int futex_word;

static void *futex_waker(void *arg)
{
	(void)arg;
	usleep(20000);
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
	kernel_futex_wake_all(&futex_word);
	return NULL;
}

/* The futex pair depmod's read-ahead waits with: a wait on a changed
 * value returns at once, and a sleeper is woken by wake_all. */
/* The CPUs of the affinity mask: one when pinned to one (taskset -c),
 * all of the mask again after. */
static void cpus_of_the_mask(void **state)
{
	cpu_set_t all, one;
	int first = -1;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	assert_int_equal(kernel_cpus(), CPU_COUNT(&all));
	for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
		if (CPU_ISSET(c, &all))
			first = c;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	assert_int_equal(kernel_cpus(), 1);
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
	assert_int_equal(kernel_cpus(), CPU_COUNT(&all));
}

static void futex_wait_and_wake(void **state)
{
	pthread_t t;

	(void)state;
	futex_word = 0;
	kernel_futex_wait(&futex_word, 7);
	kernel_futex_wake_all(&futex_word);
	assert_int_equal(pthread_create(&t, NULL, futex_waker, NULL), 0);
	while (__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST) == 0)
		kernel_futex_wait(&futex_word, 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(futex_word, 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proc_modules_in_order),
		cmocka_unit_test(callback_stops_iteration),
		cmocka_unit_test(malformed_proc_modules),
		cmocka_unit_test(module_states),
		cmocka_unit_test(refcnt_coresize_holders),
		cmocka_unit_test(kernel_decompression_support),
		cmocka_unit_test(release_from_uname),
		cmocka_unit_test(load_and_unload_reach_the_fake),
		cmocka_unit_test(kallsyms_names_whole),
		cmocka_unit_test(futex_wait_and_wake),
		cmocka_unit_test(cpus_of_the_mask),
	};

	(void)argc;
	return fakekernel_run(argv, root, sizeof(root), "6.1.0-unit", make_fixture, "kernel", tests,
			      sizeof(tests) / sizeof(tests[0]));
}
