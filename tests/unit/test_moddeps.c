// SPDX-License-Identifier: GPL-2.0-or-later
/* moddeps: kmod's topological order, closures, cycle reports, and kmod's
 * string hash. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "moddeps.h"

static void add(struct moddeps *g, uint32_t a, uint32_t b)
{
	assert_int_equal(moddeps_add(g, a, b), 0);
}

/*
 * 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 4 -> 2: unused 0 and 4 are pushed in
 * number order and 4 is taken first (a stack); 4 releases nothing (2 still
 * has user 0); 0 releases 1 then 2, 2 is taken first, then 1, then 3.
 */
static void sort_order(void **state)
{
	struct moddeps g;

	(void)state;
	assert_int_equal(moddeps_init(&g, 5), 0);
	add(&g, 0, 1);
	add(&g, 0, 2);
	add(&g, 0, 2);   /* duplicate: ignored */
	add(&g, 1, 3);
	add(&g, 2, 3);
	add(&g, 4, 2);
	assert_int_equal(g.users[2], 2);
	assert_int_equal(g.deps[0].n, 2);
	assert_int_equal(moddeps_sort(&g), 0);
	assert_int_equal(g.order[4], 0);
	assert_int_equal(g.order[0], 1);
	assert_int_equal(g.order[2], 2);
	assert_int_equal(g.order[1], 3);
	assert_int_equal(g.order[3], 4);
	moddeps_free(&g);
}

static void closure(void **state)
{
	struct moddeps g;
	uint32_t out[6];

	(void)state;
	assert_int_equal(moddeps_init(&g, 6), 0);
	add(&g, 0, 1);
	add(&g, 1, 2);
	add(&g, 0, 3);
	add(&g, 3, 2);
	add(&g, 2, 4);
	assert_int_equal(moddeps_sort(&g), 0);
	/* every module below 0, in topological order, each once */
	assert_int_equal(moddeps_closure(&g, 0, out), 4);
	for (int i = 1; i < 4; i++)
		assert_true(g.order[out[i - 1]] < g.order[out[i]]);
	assert_int_equal(out[3], 4);
	assert_int_equal(moddeps_closure(&g, 2, out), 1);
	assert_int_equal(out[0], 4);
	assert_int_equal(moddeps_closure(&g, 5, out), 0);
	assert_int_equal(moddeps_closure(&g, 4, out), 0);
	moddeps_free(&g);
}

struct seen {
	char text[256];
	int calls;
};

static void on_cycle(const uint32_t *path, size_t len, void *arg)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	for (size_t i = 0; i < len; i++)
		n += (size_t)snprintf(s->text + n, sizeof(s->text) - n, "%s%u", i ? "-" : "", path[i]);
	snprintf(s->text + n, sizeof(s->text) - n, ";");
	s->calls++;
}

static void cycles(void **state)
{
	struct moddeps g;
	struct seen s = { "", 0 };

	(void)state;
	/* 0 -> 1 -> 2 -> 1, 2 -> 3; 4 -> 4 */
	assert_int_equal(moddeps_init(&g, 5), 0);
	add(&g, 0, 1);
	add(&g, 1, 2);
	add(&g, 2, 1);
	add(&g, 2, 3);
	add(&g, 4, 4);
	assert_int_equal(moddeps_sort(&g), -ELOOP);
	assert_int_equal(moddeps_cycles(&g, on_cycle, &s), 3);
	assert_string_equal(s.text, "1-2-1;4-4;");
	moddeps_free(&g);
}

/* A second cycle below the first: kmod's walk would never end. */
static void cycle_below_cycle(void **state)
{
	struct moddeps g;
	struct seen s = { "", 0 };

	(void)state;
	assert_int_equal(moddeps_init(&g, 4), 0);
	add(&g, 0, 1);
	add(&g, 1, 0);
	add(&g, 1, 2);
	add(&g, 2, 3);
	add(&g, 3, 2);
	assert_int_equal(moddeps_sort(&g), -ELOOP);
	assert_int_equal(moddeps_cycles(&g, on_cycle, &s), 4);
	assert_non_null(strstr(s.text, "0-1-0;"));
	assert_non_null(strstr(s.text, "2-3-2;"));
	moddeps_free(&g);
}

static void empty_graph(void **state)
{
	struct moddeps g;

	(void)state;
	assert_int_equal(moddeps_init(&g, 0), 0);
	assert_int_equal(moddeps_sort(&g), 0);
	moddeps_free(&g);
}

/* Values of kmod's own hash_superfast() on x86-64. */
static void kmod_hash(void **state)
{
	static const struct {
		const char *key;
		uint32_t hash;
	} t[] = {
		{ "", 0x00000000u }, { "a", 0x115ea782u }, { "ab", 0x516b8b44u },
		{ "abc", 0xd2be198au }, { "abcd", 0xdad8b8dbu }, { "modtest_a", 0xe2529c51u },
		{ "dash_mod", 0x1f9e9e38u }, { "e1000e", 0x4225eedbu },
		{ "snd_hda_intel", 0x6e4028a1u }, { "\xe9t\xe9", 0x69bdf30du },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(moddeps_kmod_hash(t[i].key, strlen(t[i].key)), t[i].hash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sort_order),
		cmocka_unit_test(closure),
		cmocka_unit_test(cycles),
		cmocka_unit_test(cycle_below_cycle),
		cmocka_unit_test(empty_graph),
		cmocka_unit_test(kmod_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
