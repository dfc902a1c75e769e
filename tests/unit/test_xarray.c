// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xarray.h"

static void grow_keeps_elements(void **state)
{
	uint32_t *v = NULL;

	for (size_t n = 0; n < 1000; n++) {
		uint32_t *p = xarray_grow(&v, n, 1, sizeof(*v));

		assert_non_null(p);
		*p = (uint32_t)n;
	}
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	free(v);
}

static const char *find(const struct xhash *h, char (*names)[16], const char *name)
{
	size_t it = 0;

	for (uint32_t i; (i = xhash_next(h, xhash_bytes(name, strlen(name)), &it)) != XHASH_END;)
		if (strcmp(names[i], name) == 0)
			return names[i];
	return NULL;
}

static void hash_finds_every_id(void **state)
{
	static char names[20000][16];
	struct xhash h = { 0 };

	assert_int_equal(xhash_next(&h, 1, &(size_t){ 0 }), XHASH_END);
	for (uint32_t i = 0; i < 20000; i++) {
		snprintf(names[i], sizeof(names[i]), "mod%u", i);
		assert_int_equal(xhash_add(&h, xhash_bytes(names[i], strlen(names[i])), i), 0);
	}
	assert_int_equal(h.n, 20000);
	assert_true(h.n * 2 <= h.mask + 1);
	for (uint32_t i = 0; i < 20000; i++)
		assert_ptr_equal(find(&h, names, names[i]), names[i]);
	assert_null(find(&h, names, "mod20000"));
	assert_null(find(&h, names, ""));
	xhash_free(&h);
	assert_null(h.slot);
}

/* Ids of one hash come back oldest first, also after the table grew. */
static void hash_same_hash_in_order(void **state)
{
	struct xhash h = { 0 };
	size_t it = 0;
	uint32_t i, want = 0;

	for (i = 0; i < 3000; i++)
		assert_int_equal(xhash_add(&h, i % 3 == 0 ? 0xffffffffu : i, i), 0);
	while ((i = xhash_next(&h, 0xffffffffu, &it)) != XHASH_END) {
		assert_int_equal(i, want);
		want += 3;
	}
	assert_int_equal(want, 3000);
	assert_int_equal(xhash_add(&h, 5, XHASH_END), -ENOMEM);
	xhash_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grow_keeps_elements),
		cmocka_unit_test(hash_finds_every_id),
		cmocka_unit_test(hash_same_hash_in_order),
	};

	return cmocka_run_group_tests_name("xarray", tests, NULL, NULL);
}
