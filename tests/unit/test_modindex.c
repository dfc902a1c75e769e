// SPDX-License-Identifier: GPL-2.0-or-later
/* modindex: lookups in indexes written by kmod's depmod (tests/unit/data),
 * in both layouts: kmod 30's post-order (tests/unit/data, root last, child
 * references backwards) and kmod 34's pre-order (tests/unit/data/kmod34,
 * root first, references forwards); every corruption of them refused or
 * survived without a crash. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "modindex.h"
#include "modindex_write.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/unit/data"
#endif

/* The layout under test: "" (kmod 30's files) or "kmod34/". */
static const char *layout = "";

static const char *data(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s%s", TEST_DATA, layout, name);
	return path;
}

static int set_layout(void **state)
{
	layout = *state ? *state : "";
	return 0;
}

static int reset_layout(void **state)
{
	(void)state;
	layout = "";
	return 0;
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

static void exact_lookups(void **state)
{
	struct modindex idx;
	struct vals v = { "" };

	assert_int_equal(modindex_open(&idx, data("modules.dep.bin")), 0);
	assert_int_equal(modindex_lookup(&idx, "modtest_b", collect, &v), 1);
	assert_string_equal(v.text, "kernel/drivers/test/modtest_b.ko.xz: kernel/drivers/test/modtest_a.ko[3];");
	v.text[0] = '\0';
	assert_int_equal(modindex_lookup(&idx, "dash_mod", collect, &v), 1);
	assert_string_equal(v.text, "kernel/drivers/test/dash-mod.ko.zst:[2];");
	assert_int_equal(modindex_lookup(&idx, "modtest", collect, &v), 0);
	assert_int_equal(modindex_lookup(&idx, "modtest_bb", collect, &v), 0);
	assert_int_equal(modindex_lookup(&idx, "", collect, &v), 0);
	modindex_close(&idx);

	assert_int_equal(modindex_open(&idx, data("modules.symbols.bin")), 0);
	v.text[0] = '\0';
	assert_int_equal(modindex_lookup(&idx, "symbol:modtest_a_value", collect, &v), 1);
	assert_string_equal(v.text, "modtest_a[0];");
	modindex_close(&idx);
}

/* Priorities are the modules' places in modules.order, as kmod's depmod
 * writes them. */
static void wildcard_lookups(void **state)
{
	struct modindex idx;
	struct vals v = { "" };

	assert_int_equal(modindex_open(&idx, data("modules.alias.bin")), 0);
	assert_int_equal(modindex_lookup_wild(&idx, "modtest_c_alias", collect, &v), 1);
	assert_string_equal(v.text, "modtest_c[1];");
	v.text[0] = '\0';
	assert_int_equal(modindex_lookup_wild(&idx, "of:NdevT<NULL>Cmodutils,dash_test", collect, &v), 1);
	assert_string_equal(v.text, "dash_mod[2];");
	v.text[0] = '\0';
	assert_int_equal(modindex_lookup_wild(&idx, "usb:v1234p0001d0100dc00dsc00dp00ic03isc01ip02in00",
					      collect, &v), 1);
	assert_string_equal(v.text, "dash_mod[2];");
	assert_int_equal(modindex_lookup_wild(&idx, "usb:v4321p0001d0100dc00dsc00dp00ic03isc01ip02in00",
					      collect, &v), 0);
	assert_int_equal(modindex_lookup_wild(&idx, "of:NdevT<NULL>Cother", collect, &v), 0);
	/* The pattern itself, literally, matches too (fnmatch of * against *). */
	v.text[0] = '\0';
	assert_int_equal(modindex_lookup_wild(&idx, "of:N*T*Cmodutils,dash_test", collect, &v), 1);
	modindex_close(&idx);
}

/* Which layout a file has: the root's offset, and the direction of the
 * root's first child reference. */
static void root_layout(const char *name, bool preorder)
{
	struct modindex idx;
	uint32_t root;

	assert_int_equal(modindex_open(&idx, data(name)), 0);
	root = idx.root & 0x0fffffffu;
	if (preorder)
		assert_int_equal(root, 12);
	else
		assert_true(root > 12);
	modindex_close(&idx);
}

/* modules.builtin.bin (name -> "") and modules.builtin.alias.bin of the
 * fixture tree, as kmod 34.2 writes them (kmod 30's set has none here). */
static void kmod34_builtin(void **state)
{
	struct modindex idx;
	struct vals v = { "" };

	(void)state;
	layout = "kmod34/";
	root_layout("modules.dep.bin", true);
	root_layout("modules.alias.bin", true);
	root_layout("modules.builtin.bin", true);
	assert_int_equal(modindex_open(&idx, data("modules.builtin.bin")), 0);
	assert_int_equal(modindex_lookup(&idx, "modtest_builtin", collect, &v), 1);
	assert_int_equal(modindex_lookup(&idx, "other_builtin", collect, &v), 1);
	assert_int_equal(modindex_lookup(&idx, "modtest_builtinx", collect, &v), 0);
	modindex_close(&idx);
	v.text[0] = '\0';
	assert_int_equal(modindex_open(&idx, data("modules.builtin.alias.bin")), 0);
	assert_int_equal(modindex_lookup_wild(&idx, "modtest_builtin_alias", collect, &v), 1);
	assert_string_equal(v.text, "modtest_builtin[0];");
	modindex_close(&idx);
	layout = "";
	root_layout("modules.dep.bin", false);
	root_layout("modules.alias.bin", false);
}

struct dump {
	char text[2048];
};

static int dump_entry(const char *key, const char *value, uint32_t prio, void *arg)
{
	struct dump *d = arg;
	size_t n = strlen(d->text);

	snprintf(d->text + n, sizeof(d->text) - n, "%s=%s[%u];", key, value, prio);
	return 0;
}

/* The same trie in either layout: the same entries, in the same order. */
static void layouts_agree(void **state)
{
	static const char *const files[] = { "modules.dep.bin", "modules.alias.bin", "modules.symbols.bin" };

	(void)state;
	for (size_t f = 0; f < 3; f++) {
		struct dump a = { "" }, b = { "" };
		struct modindex idx;

		layout = "";
		assert_int_equal(modindex_open(&idx, data(files[f])), 0);
		assert_int_equal(modindex_dump(&idx, dump_entry, &a), 0);
		modindex_close(&idx);
		layout = "kmod34/";
		assert_int_equal(modindex_open(&idx, data(files[f])), 0);
		assert_int_equal(modindex_dump(&idx, dump_entry, &b), 0);
		modindex_close(&idx);
		assert_true(strlen(a.text) > 20);
		assert_string_equal(a.text, b.text);
	}
	layout = "";
}

static void not_an_index(void **state)
{
	struct modindex idx;

	assert_int_equal(modindex_open(&idx, data("nosuch.bin")), -ENOENT);
	assert_int_equal(modindex_open(&idx, data("signed-sha256.ko")), -EBADMSG);
	assert_int_equal(modindex_open(&idx, data("")), -EISDIR);
	assert_int_equal(modindex_open(&idx, data("README.md")), -EBADMSG);
}

/* The cache block size open_bytes gives the index (0: the default). */
static size_t test_block;

/* Write bytes to a temporary file and open it as an index. */
static int open_bytes(struct modindex *idx, const unsigned char *p, size_t len)
{
	char path[] = "/tmp/test_modindex.XXXXXX";
	int fd = mkstemp(path), r;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	close(fd);
	if (test_block == 0) {
		r = modindex_open(idx, path);
	} else {
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		r = modindex_open_fd(idx, fd, test_block);
	}
	unlink(path);
	return r;
}

static unsigned char *slurp(const char *name, size_t *len)
{
	unsigned char *buf = malloc(65536);
	FILE *f = fopen(data(name), "rb");

	assert_non_null(f);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

/* Every byte of every index set to several values: lookups either work
 * or say -EBADMSG, and the walk ends (no loop, no out-of-bounds read). */
static void every_byte_corrupted(void **state)
{
	static const char *const files[] = { "modules.dep.bin", "modules.alias.bin", "modules.symbols.bin" };
	static const unsigned char values[] = { 0x00, 0xff, 0x0c, 0x80, 0x2a };
	static const char *const keys[] = { "modtest_b", "modtest_c_alias", "usb:v1234p0001d0100dc00dsc00dp00ic03isc01ip02in00",
					    "symbol:modtest_a_value", "of:NdevT<NULL>Cmodutils,dash_test" };

	for (size_t f = 0; f < 3; f++) {
		size_t len;
		unsigned char *orig = slurp(files[f], &len);

		for (size_t i = 12; i < len; i++) {
			for (size_t v = 0; v < sizeof(values); v++) {
				unsigned char save = orig[i];
				struct modindex idx;
				struct vals out = { "" };

				orig[i] = values[v];
				if (open_bytes(&idx, orig, len) == 0) {
					for (size_t k = 0; k < 5; k++) {
						int r1 = modindex_lookup(&idx, keys[k], collect, &out);
						int r2 = modindex_lookup_wild(&idx, keys[k], collect, &out);

						assert_true(r1 >= 0 || r1 == -EBADMSG);
						assert_true(r2 >= 0 || r2 == -EBADMSG);
						out.text[0] = '\0';
					}
					modindex_close(&idx);
				}
				orig[i] = save;
			}
		}
		free(orig);
	}
}

static int small_blocks(void **state)
{
	(void)state;
	test_block = 8;
	return 0;
}

static int default_blocks(void **state)
{
	(void)state;
	test_block = 0;
	return 0;
}

struct bigdump {
	char text[16384];
};

static int bigdump_entry(const char *key, const char *value, uint32_t prio, void *arg)
{
	struct bigdump *d = arg;
	size_t n = strlen(d->text);

	snprintf(d->text + n, sizeof(d->text) - n, "%s=%s[%u];", key, value, prio);
	return 0;
}

/* Everything an index answers, as text: its dump, then exact and wildcard
 * lookups of keys that are in it and keys that are not. */
static void answers(struct modindex *idx, struct bigdump *d)
{
	static const char *const keys[] = {
		"modtest_b", "dash_mod", "modtest_c_alias", "usb:v1234p0001d0100dc00dsc00dp00ic03isc01ip02in00",
		"symbol:modtest_a_value", "of:NdevT<NULL>Cmodutils,dash_test", "of:N*T*Cmodutils,dash_test",
		"modtest", "", "*",
	};

	d->text[0] = '\0';
	assert_int_equal(modindex_dump(idx, bigdump_entry, d), 0);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		struct vals v = { "" };
		size_t n = strlen(d->text);

		assert_true(modindex_lookup(idx, keys[k], collect, &v) >= 0);
		assert_true(modindex_lookup_wild(idx, keys[k], collect, &v) >= 0);
		snprintf(d->text + n, sizeof(d->text) - n, "|%s", v.text);
	}
	assert_true(strlen(d->text) < sizeof(d->text) - 1);
}

/* The file read through blocks of any size (down to one byte: every node,
 * string and child table then crosses blocks) answers as the bytes in
 * memory do. */
static void block_sizes_agree(void **state)
{
	static const char *const files[] = { "modules.dep.bin", "modules.alias.bin", "modules.symbols.bin" };
	static const size_t blocks[] = { 1, 2, 3, 5, 8, 13, 64, 100, 4096, 0 };
	static struct bigdump mem, file;

	(void)state;
	for (size_t f = 0; f < 3; f++) {
		struct modindex idx;
		size_t len;
		unsigned char *bytes = slurp(files[f], &len);

		assert_int_equal(modindex_open_mem(&idx, bytes, len), 0);
		answers(&idx, &mem);
		assert_int_equal(modindex_reads(&idx), 0);
		modindex_close(&idx);
		assert_true(strlen(mem.text) > 20);
		for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
			int fd = open(data(files[f]), O_RDONLY);

			assert_true(fd >= 0);
			assert_int_equal(modindex_open_fd(&idx, fd, blocks[b]), 0);
			answers(&idx, &file);
			assert_string_equal(mem.text, file.text);
			assert_true(modindex_reads(&idx) > 0);
			modindex_close(&idx);
		}
		free(bytes);
	}
}

/* The header comes with the first block, in one read (a file smaller than
 * a block is then read whole); blocks stay cached between lookups: the
 * same lookup again reads nothing more from the file. */
static void blocks_cached(void **state)
{
	struct modindex idx;
	struct vals v = { "" };
	uint64_t first;
	int fd;

	(void)state;
	assert_int_equal(modindex_open(&idx, data("modules.alias.bin")), 0);
	assert_int_equal(modindex_reads(&idx), 1);
	assert_int_equal(modindex_lookup_wild(&idx, "modtest_c_alias", collect, &v), 1);
	assert_int_equal(modindex_reads(&idx), 1);
	modindex_close(&idx);
	assert_int_equal(idx.fd, -1);

	/* 179 bytes in 16-byte blocks: 12 blocks, all cached at once; only
	 * the nodes that cross a block are read again (as one range each) */
	fd = open(data("modules.alias.bin"), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(modindex_open_fd(&idx, fd, 16), 0);
	assert_int_equal(modindex_reads(&idx), 1);
	assert_int_equal(modindex_lookup_wild(&idx, "modtest_c_alias", collect, &v), 1);
	first = modindex_reads(&idx);
	assert_true(first > 1);
	modindex_release(&idx);
	assert_int_equal(modindex_lookup_wild(&idx, "modtest_c_alias", collect, &v), 1);
	assert_true(modindex_reads(&idx) - first < first - 1);
	modindex_close(&idx);
}

/* A dump visits every node: it reads the file whole, in one read, instead
 * of block by block (which went round the cache again and again), whatever
 * the block size, and answers as the bytes in memory do; the blocks cached
 * before it still answer lookups after it. */
static void dump_reads_once(void **state)
{
	static const size_t blocks[] = { 1, 16, 4096 };
	static struct bigdump mem, file;
	struct modindex idx;
	size_t len;
	unsigned char *bytes = slurp("modules.alias.bin", &len);

	(void)state;
	assert_int_equal(modindex_open_mem(&idx, bytes, len), 0);
	mem.text[0] = '\0';
	assert_int_equal(modindex_dump(&idx, bigdump_entry, &mem), 0);
	assert_int_equal(modindex_reads(&idx), 0);
	modindex_close(&idx);
	assert_non_null(strstr(mem.text, "modtest_c_alias=modtest_c[1];"));
	for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
		struct vals v = { "" };
		uint64_t before;
		int fd = open(data("modules.alias.bin"), O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(modindex_open_fd(&idx, fd, blocks[b]), 0);
		assert_int_equal(modindex_lookup(&idx, "modtest_c_alias", collect, &v), 1);
		before = modindex_reads(&idx);
		file.text[0] = '\0';
		assert_int_equal(modindex_dump(&idx, bigdump_entry, &file), 0);
		assert_int_equal(modindex_reads(&idx), before + 1);
		assert_string_equal(mem.text, file.text);
		assert_int_equal(modindex_dump(&idx, bigdump_entry, &file), 0);
		assert_int_equal(modindex_reads(&idx), before + 2);
		assert_int_equal(modindex_lookup(&idx, "modtest_c_alias", collect, &v), 1);
		assert_string_equal(v.text, "modtest_c[1];modtest_c[1];");
		modindex_close(&idx);
	}
	free(bytes);
}

/* A wildcard lookup keeps its buffers in the index for the next one: keys
 * of every length, in any order, answer on one index as each does on a
 * freshly opened one. */
static void scratch_reused(void **state)
{
	static const char *const keys[] = {
		"*", "modtest_c_alias", "usb:v1234p0001d0100dc00dsc00dp00ic03isc01ip02in00", "m*",
		"of:NdevT<NULL>Cmodutils,dash_test", "*", "", "of:N*T*Cmodutils,dash_test", "modtest_c_alias",
	};
	struct modindex kept, fresh;
	int found = 0;

	(void)state;
	assert_int_equal(modindex_open(&kept, data("modules.alias.bin")), 0);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		struct vals a = { "" }, b = { "" };

		assert_int_equal(modindex_open(&fresh, data("modules.alias.bin")), 0);
		int n = modindex_lookup_wild(&kept, keys[k], collect, &a);

		assert_int_equal(n, modindex_lookup_wild(&fresh, keys[k], collect, &b));
		assert_string_equal(a.text, b.text);
		found += n;
		modindex_close(&fresh);
	}
	assert_true(found >= 5);
	modindex_close(&kept);
}

/* A callback may look up the same index again (the values are copies):
 * the outer lookup's values stay its own while a nested one, with more
 * and longer values than it, runs and gives its buffers back. */
struct nested {
	struct modindex *idx;
	struct vals outer;
	int calls;
};

static int nested_cb(const char *value, uint32_t prio, void *arg)
{
	struct nested *ns = arg;

	ns->calls++;
	assert_int_equal(modindex_lookup_wild(ns->idx, "pci:v00001234d0000", NULL, NULL), 64);
	return collect(value, prio, &ns->outer);
}

static void nested_lookup(void **state)
{
	struct modindex_writer wr;
	struct modindex idx;
	struct nested ns = { &idx, { "" }, 0 };
	const char *tmp = getenv("TMPDIR");
	char path[512], value[128];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/modindex-nested-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	modindex_writer_init(&wr);
	assert_int_equal(modindex_writer_add(&wr, "usb:*", "short_a", 1), 0);
	assert_int_equal(modindex_writer_add(&wr, "usb:v*", "short_b", 2), 0);
	for (int i = 0; i < 64; i++) {
		snprintf(value, sizeof(value), "a_rather_long_module_name_that_fills_the_values_%02d", i);
		assert_int_equal(modindex_writer_add(&wr, i % 2 ? "pci:*" : "pci:v00001234*", value, (uint32_t)i), 0);
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(modindex_writer_write(&wr, fd), 0);
	modindex_writer_free(&wr);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(modindex_open_fd(&idx, fd, 0), 0);
	/* the buffers are in the index's cache already */
	assert_int_equal(modindex_lookup_wild(&idx, "pci:v00001234d0000", NULL, NULL), 64);
	assert_int_equal(modindex_lookup_wild(&idx, "usb:v0001", nested_cb, &ns), 2);
	assert_int_equal(ns.calls, 2);
	assert_string_equal(ns.outer.text, "short_a[1];short_b[2];");
	assert_int_equal(modindex_lookup_wild(&idx, "usb:v0001", NULL, NULL), 2);
	modindex_close(&idx);
}

/* Without a block size given, the first reads take 1 KiB blocks and
 * later ones 4 KiB (the cache emptied between): lookups of every key of
 * an index of some 100 KiB, in an order that jumps about, find each
 * key's value across the switch. */
static void first_blocks_then_whole(void **state)
{
	struct modindex_writer wr;
	struct modindex idx;
	const char *tmp = getenv("TMPDIR");
	char path[512], key[64], want[96];
	uint64_t before;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/modindex-first-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	modindex_writer_init(&wr);
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "module_%04d_of_a_longer_name", (i * 7919) % 2000);
		snprintf(want, sizeof(want), "kernel/drivers/some/folder/module_%04d.ko.xz", (i * 7919) % 2000);
		assert_int_equal(modindex_writer_add(&wr, key, want, 0), 0);
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(modindex_writer_write(&wr, fd), 0);
	modindex_writer_free(&wr);
	assert_true(lseek(fd, 0, SEEK_END) > 64 * 1024);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(modindex_open_fd(&idx, fd, 0), 0);
	for (int i = 0; i < 2000; i++) {
		int k = (i * 1009) % 2000;
		struct vals v = { "" };

		snprintf(key, sizeof(key), "module_%04d_of_a_longer_name", k);
		snprintf(want, sizeof(want), "kernel/drivers/some/folder/module_%04d.ko.xz[0];", k);
		before = modindex_reads(&idx);
		assert_int_equal(modindex_lookup(&idx, key, collect, &v), 1);
		assert_string_equal(v.text, want);
		/* a lookup reads at most a few blocks */
		assert_true(modindex_reads(&idx) - before < 16);
	}
	/* more reads than the first ones: the switch was made */
	assert_true(modindex_reads(&idx) > 48);
	modindex_close(&idx);
}

/* A file cut short after it was opened (depmod's output is replaced by
 * rename, but a file can still be truncated in place): the lookups that
 * read past its new end fail as for a malformed file. A mapping would
 * have died of SIGBUS here. */
static void file_shrinks(void **state)
{
	char path[] = "/tmp/test_modindex.XXXXXX";
	struct modindex idx;
	struct vals v = { "" };
	static struct bigdump d;
	size_t len;
	unsigned char *bytes = slurp("modules.dep.bin", &len);
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	/* small blocks: the lookups read the file after it shrank */
	assert_int_equal(modindex_open_fd(&idx, open(path, O_RDONLY), 16), 0);
	assert_int_equal(ftruncate(fd, 16), 0);
	assert_int_equal(modindex_lookup(&idx, "modtest_b", collect, &v), -EBADMSG);
	assert_int_equal(modindex_lookup_wild(&idx, "modtest_b", collect, &v), -EBADMSG);
	assert_int_equal(modindex_dump(&idx, bigdump_entry, &d), -EBADMSG);
	modindex_close(&idx);
	close(fd);
	unlink(path);
	free(bytes);
}

/* A reference that points back at its own node: the depth bound ends it. */
static void reference_loop(void **state)
{
	static const unsigned char loop[] = {
		0xb0, 0x07, 0xf4, 0x57, 0x00, 0x02, 0x00, 0x01,
		0x20, 0x00, 0x00, 0x0c,           /* root: children, at 12 */
		'a', 'a',                         /* first = last = 'a' */
		0x20, 0x00, 0x00, 0x0c,           /* child 'a' -> the root again */
	};
	struct modindex idx;
	char key[8192];

	memset(key, 'a', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(open_bytes(&idx, loop, sizeof(loop)), 0);
	assert_int_equal(modindex_lookup(&idx, key, collect, NULL), -EBADMSG);
	assert_int_equal(modindex_lookup_wild(&idx, key, collect, NULL), -EBADMSG);
	modindex_close(&idx);
}

/* Each layout's test under its own name. */
#define LAYOUT(f, dir, tag) \
	{ #f "/" tag, f, set_layout, reset_layout, (void *)(dir) }

int main(void)
{
	const struct CMUnitTest tests[] = {
		LAYOUT(exact_lookups, "", "kmod30"),
		LAYOUT(exact_lookups, "kmod34/", "kmod34"),
		LAYOUT(wildcard_lookups, "", "kmod30"),
		LAYOUT(wildcard_lookups, "kmod34/", "kmod34"),
		cmocka_unit_test(kmod34_builtin),
		cmocka_unit_test(layouts_agree),
		cmocka_unit_test(not_an_index),
		LAYOUT(every_byte_corrupted, "", "kmod30"),
		LAYOUT(every_byte_corrupted, "kmod34/", "kmod34"),
		cmocka_unit_test_setup_teardown(every_byte_corrupted, small_blocks, default_blocks),
		LAYOUT(block_sizes_agree, "", "kmod30"),
		LAYOUT(block_sizes_agree, "kmod34/", "kmod34"),
		cmocka_unit_test(blocks_cached),
		LAYOUT(dump_reads_once, "", "kmod30"),
		LAYOUT(dump_reads_once, "kmod34/", "kmod34"),
		cmocka_unit_test(scratch_reused),
		cmocka_unit_test(nested_lookup),
		cmocka_unit_test(first_blocks_then_whole),
		cmocka_unit_test(file_shrinks),
		cmocka_unit_test(reference_loop),
	};
	return cmocka_run_group_tests_name("modindex", tests, NULL, NULL);
}
