// SPDX-License-Identifier: GPL-2.0-or-later
/* applets/malloc_wrap.c: this test is linked with -Wl,--wrap=malloc,...,
 * so its own malloc, calloc, realloc and free go through it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runheap.h"

/* Not a constant: the compiler would refuse the call it sees overflow. */
static volatile size_t big_count = SIZE_MAX / 2;

static int fresh(void **state)
{
	runheap_reset();
	runheap_start();
	return 0;
}

static void before_start_the_c_library(void **state)
{
	char *p;

	runheap_reset();
	p = malloc(100);
	assert_non_null(p);
	assert_false(runheap_owns(p));
	p = realloc(p, 200);
	assert_false(runheap_owns(p));
	free(p);
	p = calloc(3, 5);
	assert_false(runheap_owns(p));
	free(p);
}

static void small_blocks_from_the_run_heap(void **state)
{
	char *p = malloc(100), *q = realloc(NULL, 10), *big = malloc(RUNHEAP_MAX + 1);

	assert_true(runheap_owns(p));
	assert_true(runheap_owns(q));
	assert_non_null(big);
	assert_false(runheap_owns(big));
	big[RUNHEAP_MAX] = 1;
	free(big);
	free(q);
	free(p);
	free(NULL);
}

/* calloc clears a block given before (and says ENOMEM on overflow). */
static void calloc_zeroes_a_reused_block(void **state)
{
	unsigned char *p = malloc(100), *q;

	memset(p, 0xff, 100);
	__asm__ volatile("" : : "r"(p) : "memory");   /* not a dead store before free */
	free(p);
	q = calloc(10, 10);
	assert_ptr_equal(q, p);
	for (int i = 0; i < 100; i++)
		assert_int_equal(q[i], 0);
	free(q);
	errno = 0;
	assert_null(calloc(big_count, 4));
	assert_int_equal(errno, ENOMEM);
	/* Too big for the run heap: the C library's, zeroed too. */
	q = calloc(RUNHEAP_MAX + 16, 1);
	assert_non_null(q);
	assert_false(runheap_owns(q));
	assert_int_equal(q[RUNHEAP_MAX + 15], 0);
	free(q);
}

/* A block that outgrows the run heap moves to the C library's, its bytes
 * kept, and its run heap block is given again. */
static void realloc_moves_out_and_back(void **state)
{
	char *p = malloc(5000), *after = malloc(16), *q, *r;

	memcpy(p, "kept", 5);
	q = realloc(p, RUNHEAP_MAX + 100);
	assert_non_null(q);
	assert_false(runheap_owns(q));
	assert_string_equal(q, "kept");
	r = malloc(5000);
	assert_ptr_equal(r, p);   /* the freed block, given again */
	q = realloc(q, 50);       /* the C library's block stays there */
	assert_false(runheap_owns(q));
	assert_string_equal(q, "kept");
	free(q);
	free(r);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(before_start_the_c_library),
		cmocka_unit_test_setup(small_blocks_from_the_run_heap, fresh),
		cmocka_unit_test_setup(calloc_zeroes_a_reused_block, fresh),
		cmocka_unit_test_setup(realloc_moves_out_and_back, fresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
