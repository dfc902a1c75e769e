// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "runheap.h"

/* Every size up to the largest: aligned, at least n bytes, inside the heap,
 * not overlapping the block before (filled with a pattern, checked after). */
static void sizes_aligned_and_apart(void **state)
{
	size_t sizes[] = { 0, 1, 15, 16, 17, 100, 128, 129, 160, 161, 255, 256, 257, 1000, 4096, 5000, 65535,
			   RUNHEAP_MAX };
	unsigned char *p[sizeof(sizes) / sizeof(sizes[0])];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p[i] = runheap_alloc(sizes[i]);
		assert_non_null(p[i]);
		assert_true(runheap_owns(p[i]));
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		assert_true(runheap_size(p[i]) >= sizes[i]);
		/* A class wastes at most a quarter (above its 16-byte steps). */
		assert_true(runheap_size(p[i]) <= (sizes[i] < 128 ? sizes[i] + 16 : sizes[i] + sizes[i] / 4));
		memset(p[i], (int)i + 1, sizes[i]);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t j = 0; j < sizes[i]; j++)
			assert_int_equal(p[i][j], (unsigned char)(i + 1));
		runheap_free(p[i]);
	}
	assert_null(runheap_alloc(RUNHEAP_MAX + 1));
}

/* A freed block is given again to the next request of its class. */
static void freed_block_reused(void **state)
{
	void *a = runheap_alloc(40), *b = runheap_alloc(40), *c;

	assert_non_null(a);
	assert_non_null(b);
	runheap_free(a);
	c = runheap_alloc(33);   /* the same class (48) */
	assert_ptr_equal(c, a);
	runheap_free(b);
	runheap_free(c);
}

/* The last block grows in place; another moves, its bytes kept. */
static void realloc_in_place_and_moved(void **state)
{
	char *a = runheap_alloc(64), *b, *a2, *b2;

	assert_non_null(a);
	memcpy(a, "first", 6);
	b = runheap_alloc(64);   /* now the last block */
	assert_non_null(b);
	memcpy(b, "second", 7);
	b2 = runheap_realloc(b, 3000);
	assert_ptr_equal(b2, b);
	assert_true(runheap_size(b2) >= 3000);
	assert_string_equal(b2, "second");
	a2 = runheap_realloc(a, 200);
	assert_non_null(a2);
	assert_ptr_not_equal(a2, a);
	assert_string_equal(a2, "first");
	/* Smaller: the same block. */
	assert_ptr_equal(runheap_realloc(a2, 10), a2);
	assert_null(runheap_realloc(a2, RUNHEAP_MAX + 1));
	assert_string_equal(a2, "first");
	runheap_free(a2);
	runheap_free(b2);
}

/* A full heap says so (NULL), and what it holds stays whole. */
static void full_heap_answers_null(void **state)
{
	void *v[RUNHEAP_BYTES / 4112 + 1];
	size_t n = 0;
	void *p;

	while ((p = runheap_alloc(4000)) != NULL) {
		assert_true(n < sizeof(v) / sizeof(v[0]));
		memset(p, 0xab, 4000);
		v[n++] = p;
	}
	assert_int_equal(n, RUNHEAP_BYTES / 4112);
	assert_null(runheap_alloc(4000));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(((unsigned char *)v[i])[3999], 0xab);
		runheap_free(v[i]);
	}
	/* Freed blocks serve again. */
	assert_non_null(p = runheap_alloc(4000));
	runheap_free(p);
	assert_false(runheap_owns(&n));
	assert_false(runheap_owns(NULL));
}

static int dies(void (*f)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		f();
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void free_twice(void)
{
	void *p = runheap_alloc(10);

	runheap_free(p);
	runheap_free(p);
}

static void free_inside(void)
{
	char *p = runheap_alloc(100);

	runheap_free(p + 16);
}

static void free_past_top(void)
{
	char *p = runheap_alloc(100);

	runheap_free(p + 4096);
}

static void link_overwritten(void)
{
	char *p = runheap_alloc(100), *q = runheap_alloc(100);

	runheap_free(p);
	runheap_free(q);
	memset(q, 0x41, 16);   /* a write after free, over the list's link */
	runheap_alloc(100);    /* q again: fine */
	runheap_alloc(100);    /* the overwritten link: no block */
}

/* A block freed twice, a pointer into a block or past the top, or a free
 * list's link overwritten, aborts. */
static void bad_free_aborts(void **state)
{
	assert_true(dies(free_twice));
	assert_true(dies(free_inside));
	assert_true(dies(free_past_top));
	assert_true(dies(link_overwritten));
}

/* Every size up to the largest: a class that holds it, at most a quarter
 * (or 16 bytes) more, and the same class again after a free. */
static void every_size_has_its_class(void **state)
{
	for (size_t n = 0; n <= RUNHEAP_MAX; n++) {
		void *p = runheap_alloc(n), *q;
		size_t have;

		assert_non_null(p);
		have = runheap_size(p);
		if (have < n || have > (n <= 128 ? n + 16 : n + n / 4) || have % 16 != 0)
			fail_msg("size %zu: class of %zu bytes", n, have);
		runheap_free(p);
		q = runheap_alloc(n);
		assert_ptr_equal(q, p);
		runheap_free(q);
	}
}

static void start_is_remembered(void **state)
{
	assert_false(runheap_started());
	runheap_start();
	assert_true(runheap_started());
	runheap_reset();
	assert_false(runheap_started());
}

static int fresh(void **state)
{
	runheap_reset();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(start_is_remembered, fresh),
		cmocka_unit_test_setup(sizes_aligned_and_apart, fresh),
		cmocka_unit_test_setup(every_size_has_its_class, fresh),
		cmocka_unit_test_setup(freed_block_reused, fresh),
		cmocka_unit_test_setup(realloc_in_place_and_moved, fresh),
		cmocka_unit_test_setup(full_heap_answers_null, fresh),
		cmocka_unit_test_setup(bad_free_aborts, fresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
