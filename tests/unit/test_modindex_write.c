// SPDX-License-Identifier: GPL-2.0-or-later
/* modindex_write: the same bytes as kmod 34.2's depmod
 * (tests/unit/data/kmod34), its pre-order layout, value order, and
 * everything written read back by modindex. */
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

#include "modindex.h"
#include "modindex_write.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/unit/data"
#endif

static char tmpdir[] = "/tmp/test_modindex_write.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write w to a file; returns its path. */
static const char *write_file(struct modindex_writer *w, const char *name)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(modindex_writer_write(w, fd), 0);
	close(fd);
	return path;
}

static void *slurp(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*size = (size_t)n;
	return buf;
}

static void assert_same_file(const char *a, const char *b)
{
	size_t na, nb;
	char *x = slurp(a, &na), *y = slurp(b, &nb);

	assert_int_equal(na, nb);
	assert_memory_equal(x, y, na);
	free(x);
	free(y);
}

/* The entries kmod 34.2's depmod stored for tests/integration/lib/mktree.sh;
 * added in another order than kmod did, which must not matter. */
static void same_bytes_as_kmod(void **state)
{
	struct modindex_writer w;

	(void)state;
	modindex_writer_init(&w);
	assert_int_equal(modindex_writer_add(&w, "modtest_b",
		"kernel/drivers/test/modtest_b.ko.xz: kernel/drivers/test/modtest_a.ko", 3), 0);
	assert_int_equal(modindex_writer_add(&w, "dash_mod", "kernel/drivers/test/dash-mod.ko.zst:", 2), 0);
	assert_int_equal(modindex_writer_add(&w, "modtest_a", "kernel/drivers/test/modtest_a.ko:", 0), 0);
	assert_int_equal(modindex_writer_add(&w, "modtest_c", "kernel/fs/test/modtest_c.ko:", 1), 0);
	assert_int_equal(modindex_writer_count(&w), 4);
	assert_same_file(write_file(&w, "dep.bin"), TEST_DATA "/kmod34/modules.dep.bin");
	modindex_writer_free(&w);

	modindex_writer_init(&w);
	assert_int_equal(modindex_writer_add(&w, "usb:v1234p*d*dc*dsc*dp*ic*isc*ip*in*", "dash_mod", 2), 0);
	assert_int_equal(modindex_writer_add(&w, "modtest_c_alias", "modtest_c", 1), 0);
	assert_int_equal(modindex_writer_add(&w, "of:N*T*Cmodutils,dash_test", "dash_mod", 2), 0);
	assert_same_file(write_file(&w, "alias.bin"), TEST_DATA "/kmod34/modules.alias.bin");
	modindex_writer_free(&w);

	modindex_writer_init(&w);
	assert_int_equal(modindex_writer_add(&w, "symbol:modtest_a_value", "modtest_a", 0), 0);
	assert_same_file(write_file(&w, "symbols.bin"), TEST_DATA "/kmod34/modules.symbols.bin");
	modindex_writer_free(&w);

	modindex_writer_init(&w);
	assert_int_equal(modindex_writer_add(&w, "other_builtin", "", 0), 0);
	assert_int_equal(modindex_writer_add(&w, "modtest_builtin", "", 0), 0);
	assert_same_file(write_file(&w, "builtin.bin"), TEST_DATA "/kmod34/modules.builtin.bin");
	modindex_writer_free(&w);

	modindex_writer_init(&w);
	assert_int_equal(modindex_writer_add(&w, "modtest_builtin_alias", "modtest_builtin", 0), 0);
	assert_same_file(write_file(&w, "builtin.alias.bin"), TEST_DATA "/kmod34/modules.builtin.alias.bin");
	modindex_writer_free(&w);
}

static uint32_t be32at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Walk the node at ref, which pre-order puts exactly at *cursor: its own
 * bytes, then each child's subtree in character order, each right after
 * the previous one. Returns the number of nodes.
 */
static size_t walk_preorder(const unsigned char *f, size_t size, uint32_t ref, size_t *cursor)
{
	size_t off = ref & 0x0fffffffu, nodes = 1;
	uint32_t child[128];
	unsigned nchild = 0;

	assert_int_equal(off, *cursor);
	if (ref & 0x80000000u) {
		assert_true(off < size && f[off] != '\0');
		off += strlen((const char *)f + off) + 1;
	}
	if (ref & 0x20000000u) {
		nchild = (unsigned)f[off + 1] - f[off] + 1;
		assert_true(nchild >= 1 && nchild <= 128);
		/* children are written with the node: the first and last slots
		 * are used, inner ones may be 0 */
		for (unsigned i = 0; i < nchild; i++)
			child[i] = be32at(f + off + 2 + 4 * i);
		assert_true(child[0] != 0 && child[nchild - 1] != 0);
		off += 2 + 4 * (size_t)nchild;
	}
	if (ref & 0x40000000u) {
		uint32_t n = be32at(f + off);

		assert_true(n >= 1);
		off += 4;
		for (uint32_t i = 0; i < n; i++) {
			off += 4;
			off += strlen((const char *)f + off) + 1;
		}
	}
	assert_true(off <= size);
	*cursor = off;
	for (unsigned i = 0; i < nchild; i++)
		if (child[i] != 0) {
			/* forward: past the parent */
			assert_true((child[i] & 0x0fffffffu) > (ref & 0x0fffffffu));
			nodes += walk_preorder(f, size, child[i], cursor);
		}
	return nodes;
}

/* kmod 34's layout: the root right after the 12-byte header, each node
 * before its children, and the file exactly the nodes, in that order. */
static void preorder_layout(void **state)
{
	struct modindex_writer w;
	char key[64];
	unsigned char *f;
	size_t size, cursor = 12, nodes;

	(void)state;
	modindex_writer_init(&w);
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "k%x:%d/%c", i * 2654435761u % 4096, i % 7, 'a' + i % 26);
		assert_int_equal(modindex_writer_add(&w, key, i % 3 ? "v" : "value", (uint32_t)i % 5), 0);
	}
	assert_int_equal(modindex_writer_add(&w, "", "root value", 0), 0);
	assert_int_equal(modindex_writer_add(&w, "zz", "last", 0), 0);
	f = slurp(write_file(&w, "pre.bin"), &size);
	/* the root: values (key "") and children, no prefix, at offset 12 */
	assert_int_equal(be32at(f + 8), 0x6000000cu);
	nodes = walk_preorder((unsigned char *)f, size, be32at(f + 8), &cursor);
	assert_int_equal(cursor, size);
	assert_true(nodes > 2000);
	free(f);
	modindex_writer_free(&w);
}

/* No entries: the header and an empty root right after it. */
static void empty_index(void **state)
{
	static const unsigned char want[12] = { 0xb0, 0x07, 0xf4, 0x57, 0, 2, 0, 1, 0, 0, 0, 12 };
	struct modindex_writer w;
	size_t n;
	char *buf;
	struct modindex idx;

	(void)state;
	modindex_writer_init(&w);
	buf = slurp(write_file(&w, "empty.bin"), &n);
	assert_int_equal(n, 12);
	assert_memory_equal(buf, want, 12);
	free(buf);
	/* kmod writes the same 12 bytes (e.g. modules.alias.bin of a tree
	 * without aliases); its root node is empty and ends the file. */
	assert_int_equal(modindex_open(&idx, write_file(&w, "empty.bin")), 0);
	assert_int_equal(idx.root, 12);
	modindex_close(&idx);
	modindex_writer_free(&w);
}

struct vals {
	char text[512];
};

static int collect(const char *value, uint32_t prio, void *arg)
{
	struct vals *v = arg;
	size_t n = strlen(v->text);

	snprintf(v->text + n, sizeof(v->text) - n, "%s[%u];", value, prio);
	return 0;
}

/* Ascending priority; of equal ones, the last added comes first. */
static void value_order(void **state)
{
	struct modindex_writer w;
	struct modindex idx;
	struct vals v = { "" };

	(void)state;
	modindex_writer_init(&w);
	assert_int_equal(modindex_writer_add(&w, "k", "first5", 5), 0);
	assert_int_equal(modindex_writer_add(&w, "k", "one", 1), 0);
	assert_int_equal(modindex_writer_add(&w, "k", "second5", 5), 0);
	assert_int_equal(modindex_writer_add(&w, "k", "three", 3), 0);
	assert_int_equal(modindex_writer_add(&w, "", "root", 0), 0);
	assert_int_equal(modindex_writer_add(&w, "kk", "child", 0), 0);
	assert_int_equal(modindex_open(&idx, write_file(&w, "order.bin")), 0);
	assert_int_equal(modindex_lookup(&idx, "k", collect, &v), 4);
	assert_string_equal(v.text, "one[1];three[3];second5[5];first5[5];");
	v.text[0] = '\0';
	assert_int_equal(modindex_lookup(&idx, "", collect, &v), 1);
	assert_string_equal(v.text, "root[0];");
	v.text[0] = '\0';
	assert_int_equal(modindex_lookup(&idx, "kk", collect, &v), 1);
	assert_string_equal(v.text, "child[0];");
	modindex_close(&idx);
	modindex_writer_free(&w);
}

static void refuses_8bit(void **state)
{
	struct modindex_writer w;

	(void)state;
	modindex_writer_init(&w);
	assert_int_equal(modindex_writer_add(&w, "caf\xc3\xa9", "x", 0), -EINVAL);
	assert_int_equal(modindex_writer_add(&w, "cafe", "\x80", 0), -EINVAL);
	assert_int_equal(modindex_writer_count(&w), 0);
	modindex_writer_free(&w);
}

static void write_error(void **state)
{
	struct modindex_writer w;
	int fd = open("/dev/full", O_WRONLY);

	(void)state;
	modindex_writer_init(&w);
	assert_int_equal(modindex_writer_add(&w, "a", "b", 0), 0);
	assert_int_equal(modindex_writer_write(&w, -1), -EBADF);
	if (fd >= 0) {
		assert_int_equal(modindex_writer_write(&w, fd), -ENOSPC);
		close(fd);
	}
	modindex_writer_free(&w);
}

/* Many keys sharing prefixes at every depth, long values, patterns: all
 * read back, exactly and with wildcards. */
static void roundtrip(void **state)
{
	struct modindex_writer w;
	struct modindex idx;
	char key[64], val[200];
	const int n = 3000;

	(void)state;
	modindex_writer_init(&w);
	srand(7);
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%x:%d/%c", i * 2654435761u % 4096, i % 7, 'a' + i % 26);
		snprintf(val, sizeof(val), "value-%d-%0*d", i, i % 150, 0);
		assert_int_equal(modindex_writer_add(&w, key, val, (uint32_t)i), 0);
	}
	assert_int_equal(modindex_writer_add(&w, "usb:v*p1234*", "wild", 9), 0);
	assert_int_equal(modindex_open(&idx, write_file(&w, "many.bin")), 0);
	for (int i = 0; i < n; i++) {
		struct vals v = { "" };
		char want[256];

		snprintf(key, sizeof(key), "k%x:%d/%c", i * 2654435761u % 4096, i % 7, 'a' + i % 26);
		assert_true(modindex_lookup(&idx, key, collect, &v) >= 1);
		snprintf(want, sizeof(want), "value-%d-%0*d[%d];", i, i % 150, 0, i);
		assert_non_null(strstr(v.text, want));
	}
	{
		struct vals v = { "" };

		assert_int_equal(modindex_lookup_wild(&idx, "usb:v0001p1234d0", collect, &v), 1);
		assert_string_equal(v.text, "wild[9];");
	}
	modindex_close(&idx);
	modindex_writer_free(&w);
}

static int count_entry(const char *key, const char *value, uint32_t prio, void *arg)
{
	(void)key;
	(void)value;
	(void)prio;
	++*(int *)arg;
	return 0;
}

/* n keys "[a]" + 100n 'b's: a well-formed tree (a chain, each node with a
 * value) whose patterns add up to 50n^2 bytes in a file of about 110n. */
static const char *write_chain(int n, const char *name)
{
	struct modindex_writer w;
	char *key = malloc(4 + 100 * (size_t)n);
	const char *path;

	assert_non_null(key);
	modindex_writer_init(&w);
	strcpy(key, "[a]");
	for (int i = 1; i <= n; i++) {
		memset(key + 3 + 100 * (i - 1), 'b', 100);
		key[3 + 100 * i] = '\0';
		assert_int_equal(modindex_writer_add(&w, key, "m", 0), 0);
	}
	path = write_file(&w, name);
	modindex_writer_free(&w);
	free(key);
	return path;
}

/* Matching or dumping costs the length of each pattern: a walk may spend
 * 16 times the file's size on it (times 1 + the key's wildcards), so an
 * index of absurdly long stored patterns is refused (EBADMSG) in time
 * linear in its size instead of quadratic; a small one still works. */
static void pattern_bytes_bounded(void **state)
{
	struct modindex idx;
	char first[102];
	int entries = 0;

	(void)state;
	first[0] = 'a';
	memset(first + 1, 'b', 100);
	first[101] = '\0';
	assert_int_equal(modindex_open(&idx, write_chain(10, "chain10.bin")), 0);
	assert_int_equal(modindex_lookup_wild(&idx, first, NULL, NULL), 1);
	assert_int_equal(modindex_dump(&idx, count_entry, &entries), 0);
	assert_int_equal(entries, 10);
	modindex_close(&idx);

	assert_int_equal(modindex_open(&idx, write_chain(1000, "chain1000.bin")), 0);
	assert_true(idx.size < 120 * 1000);
	assert_int_equal(modindex_lookup_wild(&idx, "abbbb", NULL, NULL), -EBADMSG);
	assert_int_equal(modindex_dump(&idx, count_entry, &entries), -EBADMSG);
	modindex_close(&idx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_bytes_as_kmod),
		cmocka_unit_test(preorder_layout),
		cmocka_unit_test(empty_index),
		cmocka_unit_test(value_order),
		cmocka_unit_test(refuses_8bit),
		cmocka_unit_test(write_error),
		cmocka_unit_test(roundtrip),
		cmocka_unit_test(pattern_bytes_bounded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
