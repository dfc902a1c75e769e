// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/depmod/cache.c: the facts of a module recorded and replayed, the
 * cache file written and read back, and every damaged, cut or forged
 * image refused. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "depmod_int.h"
#include "wbuf.h"

static char tmpdir[256];

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
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/depmod-cache-unit.XXXXXX", t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char path[400];

	(void)state;
	snprintf(path, sizeof(path), "%s/cache", tmpdir);
	unlink(path);
	return rmdir(tmpdir);
}

/* The facts of one module, as symbols.c records them while reading it. */
static void record_sample(struct dm *d)
{
	dm_rec_fact(d, 'E', 0, false, 0x1234abcdULL, "foo_export", 10);
	dm_rec_fact(d, 'E', 0, false, UINT64_MAX, "bar", 3);
	dm_rec_fact(d, 'A', 'a', false, 0, "pci:v00001234d*", 15);
	dm_rec_fact(d, 'A', 's', false, 0, "pre: other", 10);
	dm_rec_fact(d, 'I', 0, true, 7, "weak_one", 8);
	dm_rec_fact(d, 'I', 0, false, 9, ".dotted", 7);
	dm_rec_fact(d, 'W', 0, false, 0, "no symbols", 10);
}

static void facts_round_trip(void **state)
{
	struct dm d;
	struct mod m = { .idx = 0 };
	struct dm_fact f;
	size_t pos = 0, n;
	const unsigned char *b;
	int r;

	(void)state;
	dm_setup(&d);
	assert_int_equal(dm_cache_open(&d, true), 0);
	dm_cache_begin(&d, &m, NULL);
	record_sample(&d);
	dm_cache_end(&d, &m);
	assert_true(m.recorded);
	assert_int_equal(m.rec_off, 0);
	/* the record read back fact by fact */
	assert_int_equal(dm_cache_test_record(&d, &b, &n), 0);
	assert_int_equal(n, m.rec_len);
	r = dm_fact_next(b, n, &pos, &f);
	assert_int_equal(r, 1);
	assert_int_equal(f.tag, 'E');
	assert_int_equal(f.crc, 0x1234abcdULL);
	assert_int_equal(f.len, 10);
	assert_memory_equal(f.str, "foo_export", 10);
	assert_int_equal(dm_fact_next(b, n, &pos, &f), 1);
	assert_int_equal(f.crc, UINT64_MAX);
	assert_int_equal(dm_fact_next(b, n, &pos, &f), 1);
	assert_int_equal(f.tag, 'A');
	assert_int_equal(f.type, 'a');
	assert_memory_equal(f.str, "pci:v00001234d*", 15);
	assert_int_equal(dm_fact_next(b, n, &pos, &f), 1);
	assert_int_equal(f.type, 's');
	assert_int_equal(dm_fact_next(b, n, &pos, &f), 1);
	assert_int_equal(f.tag, 'I');
	assert_true(f.weak);
	assert_int_equal(f.crc, 7);
	assert_int_equal(dm_fact_next(b, n, &pos, &f), 1);
	assert_false(f.weak);
	assert_memory_equal(f.str, ".dotted", 7);
	assert_int_equal(dm_fact_next(b, n, &pos, &f), 1);
	assert_int_equal(f.tag, 'W');
	assert_int_equal(dm_fact_next(b, n, &pos, &f), 0);
	assert_int_equal(pos, n);

	/* cut anywhere inside a fact: malformed, never read past the end */
	for (size_t cut = 1; cut < n; cut++) {
		unsigned char *c = malloc(cut);
		size_t p = 0;

		memcpy(c, b, cut);
		while ((r = dm_fact_next(c, cut, &p, &f)) > 0)
			assert_true(p <= cut);
		/* a cut at a fact's end is a shorter, valid list */
		assert_true(r == -1 || p == cut);
		free(c);
	}
	/* an unknown tag, record type or weak flag */
	{
		unsigned char bad[] = { 'Q' };
		unsigned char badtype[] = { 'A', 'x', 0, 0, 0, 0 };
		unsigned char badweak[14] = { 'I', 2 };
		unsigned char huge[] = { 'W', 0xff, 0xff, 0xff, 0x7f, 'a' };

		pos = 0;
		assert_int_equal(dm_fact_next(bad, sizeof(bad), &pos, &f), -1);
		pos = 0;
		assert_int_equal(dm_fact_next(badtype, sizeof(badtype), &pos, &f), -1);
		pos = 0;
		assert_int_equal(dm_fact_next(badweak, sizeof(badweak), &pos, &f), -1);
		pos = 0;
		assert_int_equal(dm_fact_next(huge, sizeof(huge), &pos, &f), -1);
	}
	dm_free(&d);
}

/* Replaying facts does what reading the module did. */
static void facts_apply(void **state)
{
	struct dm d;
	struct mod m = { .idx = 3, .path = "/m/a.ko" };
	const unsigned char *b;
	size_t n;
	struct sslot *s;

	(void)state;
	dm_setup(&d);
	d.check_symvers = true;
	assert_int_equal(dm_cache_open(&d, true), 0);
	dm_cache_begin(&d, &m, NULL);
	record_sample(&d);
	dm_cache_end(&d, &m);
	assert_int_equal(dm_cache_test_record(&d, &b, &n), 0);

	/* malformed: refused, nothing changed */
	assert_int_equal(dm_apply_facts(&d, &m, b, n - 1), 1);
	assert_int_equal(d.syms.n, 0);
	assert_int_equal(d.info.n, 0);
	assert_int_equal(d.imports.n, 0);

	assert_int_equal(dm_apply_facts(&d, &m, b, n), 0);
	s = stab_get(&d.by_sym, "foo_export", 10, false);
	assert_non_null(s->key);
	assert_true(sym_at(&d, s->val)->defined);
	assert_int_equal(sym_at(&d, s->val)->owner, 3);
	assert_int_equal(sym_at(&d, s->val)->crc, 0x1234abcdULL);
	/* records: type, value, NUL */
	assert_int_equal(m.info_len, 2 + 15 + 2 + 10);
	assert_memory_equal(d.info.v, "apci:v00001234d*", 17);
	assert_int_equal(m.imp_n, 2);
	assert_true(((uint32_t *)d.imports.v)[0] & IMP_WEAK);
	assert_true(((uint32_t *)d.imports.v)[1] & IMP_DOT);
	assert_int_equal(((uint64_t *)d.crcs.v)[1], 9);
	/* "dotted" without its dot */
	assert_non_null(stab_get(&d.by_sym, "dotted", 6, false)->key);

	/* 'X': the imports dropped, as a failed read of them does */
	{
		unsigned char x[] = { 'X' };
		struct mod m2 = { .idx = 4, .path = "/m/b.ko" };
		unsigned char two[64];
		size_t k = 0;
		uint32_t l = 3;
		uint64_t crc = 1;

		two[k++] = 'I';
		two[k++] = 0;
		memcpy(two + k, &crc, 8);
		k += 8;
		memcpy(two + k, &l, 4);
		k += 4;
		memcpy(two + k, "abc", 3);
		k += 3;
		memcpy(two + k, x, 1);
		k += 1;
		assert_int_equal(dm_apply_facts(&d, &m2, two, k), 0);
		assert_int_equal(m2.imp_n, 0);
		assert_int_equal(d.imports.n, 2);
		assert_int_equal(d.crcs.n, 2);
	}
	dm_free(&d);
}

static unsigned char *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = malloc(1 << 20);

	assert_non_null(f);
	*n = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

/* Write a cache of two entries to tmpdir/cache: its bytes. */
static unsigned char *write_sample(size_t *n, bool dup)
{
	struct dm d;
	struct mod a = { .path = "/r/kernel/a.ko", .relpath = "kernel/a.ko", .idx = 0 };
	struct mod c = { .path = "/ext/c.ko", .relpath = NULL, .idx = 1 };
	struct mod racy = { .path = "/r/kernel/new.ko", .relpath = "kernel/new.ko", .idx = 2 };
	struct mod *array[] = { &a, &c, &racy };
	static const unsigned char facts[] = { 'X', 'W', 2, 0, 0, 0, 'h', 'i' };
	struct wbuf *w = malloc(sizeof(*w));
	char path[400];
	int fd;

	dm_setup(&d);
	assert_int_equal(dm_cache_open(&d, true), 0);
	a.cid = (struct dm_cache_id){ 1, 2, 3, 1000, 2000, true };
	a.cfacts = facts;
	a.cfacts_len = sizeof(facts);
	c.cid = (struct dm_cache_id){ 1, 5, 3, 1000, 2000, true };
	c.cfacts = facts;
	c.cfacts_len = 1;
	if (dup)
		c.relpath = "kernel/a.ko";
	/* changed just now: not kept */
	racy.cid = (struct dm_cache_id){ 1, 6, 3, (int64_t)time(NULL) * 1000000000LL, (int64_t)time(NULL) * 1000000000LL, true };
	racy.cfacts = facts;
	racy.cfacts_len = 1;
	d.array = array;
	d.n = 3;
	snprintf(path, sizeof(path), "%s/cache", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	wbuf_init(w, fd);
	assert_int_equal(dm_cache_write(&d, w), 0);
	close(fd);
	free(w);
	d.array = NULL;
	dm_free(&d);
	return read_all(path, n);
}

/* The checksum sees a byte dropped or a bit changed at the end. */
static void checksum_sees_changes(void **state)
{
	unsigned char b[64];
	uint64_t whole;

	(void)state;
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)(i * 37 + 1);
	whole = dm_cache_checksum(b, sizeof(b));
	assert_int_not_equal(whole, dm_cache_checksum(b, sizeof(b) - 1));
	b[63] ^= 0x80;
	assert_int_not_equal(whole, dm_cache_checksum(b, sizeof(b)));
}

static void cache_file(void **state)
{
	size_t n;
	unsigned char *b = write_sample(&n, true), *c;

	(void)state;
	/* a path twice (a writer's bug): refused */
	assert_int_equal(dm_cache_check(b, n), -1);
	free(b);
	b = write_sample(&n, false);
	assert_int_equal(n % 8, 0);
	assert_int_equal(dm_cache_check(b, n), 2);
	c = malloc(n);
	/* every cut refused */
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(dm_cache_check(b, cut), -1);
	/* every byte changed refused (the checksum, or the checks before it) */
	for (size_t i = 0; i < n; i++) {
		for (unsigned bit = 0; bit < 8; bit += 3) {
			memcpy(c, b, n);
			c[i] ^= (unsigned char)(1u << bit);
			assert_int_equal(dm_cache_check(c, n), -1);
		}
	}
	/* forged, with the checksum made right: a count too large, a length
	 * past the end, the same path twice, another build's key */
	{
		uint64_t sum;
		uint32_t v;
		size_t keylen, e;

		memcpy(c, b, n);
		v = 3;
		memcpy(c + 16, &v, 4);
		sum = dm_cache_checksum(c, n - 8);
		memcpy(c + n - 8, &sum, 8);
		assert_int_equal(dm_cache_check(c, n), -1);

		memcpy(&v, b + 20, 4);
		keylen = v;
		e = 32 + keylen + ((8 - (keylen & 7)) & 7);
		memcpy(c, b, n);
		v = 0xfffffff0u;
		memcpy(c + e + 44, &v, 4);
		sum = dm_cache_checksum(c, n - 8);
		memcpy(c + n - 8, &sum, 8);
		assert_int_equal(dm_cache_check(c, n), -1);
		/* a path length past the end (found by fuzz_depmodcache: the
		 * room left was computed by a subtraction that wrapped) */
		for (uint32_t plen = 4000; plen < 4100; plen += 8) {
			memcpy(c, b, n);
			memcpy(c + e + 40, &plen, 4);
			sum = dm_cache_checksum(c, n - 8);
			memcpy(c + n - 8, &sum, 8);
			assert_int_equal(dm_cache_check(c, n), -1);
		}

		memcpy(c, b, n);
		c[32] ^= 1;  /* the key */
		sum = dm_cache_checksum(c, n - 8);
		memcpy(c + n - 8, &sum, 8);
		assert_int_equal(dm_cache_check(c, n), -1);

		/* the format */
		memcpy(c, b, n);
		c[8] = 2;
		sum = dm_cache_checksum(c, n - 8);
		memcpy(c + n - 8, &sum, 8);
		assert_int_equal(dm_cache_check(c, n), -1);

		/* the right checksum on the real image: accepted (the forging
		 * above is what was refused) */
		memcpy(c, b, n);
		sum = dm_cache_checksum(c, n - 8);
		memcpy(c + n - 8, &sum, 8);
		assert_int_equal(dm_cache_check(c, n), 2);
	}
	free(c);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(facts_round_trip),
		cmocka_unit_test(facts_apply),
		cmocka_unit_test(checksum_sees_changes),
		cmocka_unit_test(cache_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
