// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/depmod/stab.c (depmod's string -> number map on xhash) and wbuf.c
 * (its buffered writer). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "depmod_int.h"
#include "wbuf.h"

static void stab_basic(void **state)
{
	struct stab t = { 0 };
	struct sslot *s;

	(void)state;
	/* an empty map: absent, nothing allocated */
	s = stab_get(&t, "a", 1, false);
	assert_non_null(s);
	assert_null(s->key);
	assert_int_equal(t.n, 0);

	s = stab_get(&t, "alpha", 5, true);
	assert_non_null(s);
	assert_string_equal(s->key, "alpha");
	assert_int_equal(s->val, UINT32_MAX);
	s->val = 7;
	/* the length is part of the key: "alp" of "alpha" is another */
	assert_null(stab_get(&t, "alpha", 3, false)->key);
	assert_int_equal(stab_get(&t, "alpha", 5, false)->val, 7);
	/* inserting a present key finds it */
	assert_int_equal(stab_get(&t, "alpha", 5, true)->val, 7);
	assert_int_equal(t.n, 1);
	stab_free(&t);
	assert_int_equal(t.n, 0);
}

/* Many keys: every one found with its value after the map grew. */
static void stab_many(void **state)
{
	enum { N = 20000 };
	struct stab t = { 0 };
	char *keys = malloc(N * 16);

	(void)state;
	assert_non_null(keys);
	for (uint32_t i = 0; i < N; i++) {
		struct sslot *s;

		snprintf(keys + i * 16, 16, "sym_%u", i);
		s = stab_get(&t, keys + i * 16, strlen(keys + i * 16), true);
		assert_non_null(s);
		assert_int_equal(s->val, UINT32_MAX);
		s->val = i * 3;
	}
	assert_int_equal(t.n, N);
	for (uint32_t i = 0; i < N; i++) {
		char k[16];
		struct sslot *s;

		snprintf(k, sizeof(k), "sym_%u", i);
		s = stab_get(&t, k, strlen(k), false);
		assert_non_null(s->key);
		assert_int_equal(s->val, i * 3);
	}
	assert_null(stab_get(&t, "sym_x", 5, false)->key);
	stab_free(&t);
	free(keys);
}

/* stab_free_keys frees keys allocated one by one (ASan checks it). */
static void stab_owned_keys(void **state)
{
	struct stab t = { 0 };

	(void)state;
	for (int i = 0; i < 100; i++) {
		char *k;

		assert_true(asprintf(&k, "pair %d x", i) > 0);
		assert_non_null(stab_get(&t, k, strlen(k), true));
	}
	assert_non_null(stab_get(&t, "pair 42 x", 9, false)->key);
	stab_free_keys(&t);
}

/* The writer: everything put reaches the file in order, pos counts it,
 * wfmt takes text longer than its own buffer, and a write error is kept. */
static void wbuf_writes(void **state)
{
	struct wbuf *w = malloc(sizeof(*w));
	char *big = malloc(200000), *back = malloc(300000);
	FILE *f = tmpfile();
	size_t n;

	(void)state;
	assert_non_null(w);
	assert_non_null(big);
	assert_non_null(back);
	assert_non_null(f);
	for (size_t i = 0; i < 200000; i++)
		big[i] = (char)('a' + i % 26);
	wbuf_init(w, fileno(f));
	wstr(w, "head\n");
	wput(w, big, 200000);
	big[1000] = '\0';
	wfmt(w, "<%s>%d\n", big, 42);
	wflush(w);
	assert_int_equal(w->err, 0);
	assert_int_equal(w->pos, 5 + 200000 + 1000 + 5);
	rewind(f);
	n = fread(back, 1, 300000, f);
	assert_int_equal(n, w->pos);
	assert_memory_equal(back, "head\n", 5);
	assert_memory_equal(back + 5 + 199999, "h<abc", 5);   /* 199999 % 26 == 7 */
	assert_memory_equal(back + n - 4, ">42\n", 4);
	fclose(f);

	wbuf_init(w, -1);
	assert_int_equal(w->pos, 0);
	wstr(w, "lost");
	wflush(w);
	assert_int_equal(w->err, -EBADF);
	free(back);
	free(big);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stab_basic),
		cmocka_unit_test(stab_many),
		cmocka_unit_test(stab_owned_keys),
		cmocka_unit_test(wbuf_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
