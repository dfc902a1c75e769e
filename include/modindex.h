/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODINDEX_H
#define MODUTILS_MODINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Reader of kmod's binary index files (modules.dep.bin, modules.alias.bin,
 * ...): a trie of prefix-compressed nodes, big-endian. The file is read
 * with pread through a small cache of blocks (not mapped: a batch of
 * lookups neither faults its pages in one by one nor keeps them resident).
 * Every reference and string is checked against the file; node order is
 * never assumed, and reference loops are cut by a depth bound. A file that
 * shrinks or fails to read under a lookup makes it fail like a malformed
 * one (-EBADMSG).
 */
struct modindex_cache;

struct modindex {
	const unsigned char *data;     /* the index in memory (modindex_open_mem), or NULL */
	size_t size;
	uint32_t root;
	int fd;                        /* the file (modindex_open), or -1 */
	struct modindex_cache *cache;
};

#define MODINDEX_MAGIC 0xB007F457u
#define MODINDEX_VERSION_MAJOR 0x0002

/* A node reference: flags in the top 4 bits (the node has a prefix string,
 * values, children), the node's file offset in the rest. For the reader
 * and the writer. */
#define REF_PREFIX 0x80000000u
#define REF_VALUES 0x40000000u
#define REF_CHILDS 0x20000000u
#define REF_OFFSET 0x0fffffffu

/*
 * Every file of the module folder that the tools read or depmod writes,
 * named here once; a file's binary index is its name + ".bin"
 * (MODINDEX_BIN_SUFFIX). The first five are modlookup's (enum
 * modlookup_file, in this order).
 */
#define MODULES_DEP "modules.dep"
#define MODULES_ALIAS "modules.alias"
#define MODULES_SYMBOLS "modules.symbols"
#define MODULES_BUILTIN "modules.builtin"
#define MODULES_BUILTIN_ALIAS "modules.builtin.alias"
#define MODULES_SOFTDEP "modules.softdep"
#define MODULES_WEAKDEP "modules.weakdep"
#define MODULES_DEVNAME "modules.devname"
#define MODULES_BUILTIN_MODINFO "modules.builtin.modinfo"
#define MODULES_ORDER "modules.order"
#define MODINDEX_BIN_SUFFIX ".bin"
enum modindex_file {
	MODINDEX_DEP, MODINDEX_ALIAS, MODINDEX_SYMBOLS, MODINDEX_BUILTIN, MODINDEX_BUILTIN_ALIAS,
	MODINDEX_SOFTDEP, MODINDEX_WEAKDEP, MODINDEX_DEVNAME, MODINDEX_BUILTIN_MODINFO, MODINDEX_ORDER,
	MODINDEX_NFILES
};
#define MODINDEX_NAME_MAX 24   /* the longest name, "modules.builtin.modinfo", and its NUL */
extern const char modindex_files[MODINDEX_NFILES][MODINDEX_NAME_MAX];

/* 0, -ENOENT (no such file), -EBADMSG (not an index) or -errno. */
int modindex_open(struct modindex *idx, const char *path);
/* The same on an open descriptor, which the index owns from now on (closed
 * on failure too); block: the cache's block size, 0 for the default (tests
 * use tiny blocks to make every node cross one). */
int modindex_open_fd(struct modindex *idx, int fd, size_t block);
void modindex_close(struct modindex *idx);
/* An index already in memory (left to the caller by modindex_close): for
 * tests and fuzzing. Same checks as modindex_open. */
int modindex_open_mem(struct modindex *idx, const void *data, size_t size);

/* Between the lookups of a batch: kept for callers; nothing is mapped, and
 * the cache is bounded, so there is nothing to give back. */
void modindex_release(const struct modindex *idx);

/* preads made so far (0 for an index in memory): for tests. */
uint64_t modindex_reads(const struct modindex *idx);

/* cb gets each value of the key, lowest priority first; non-zero stops. */
typedef int modindex_value_fn(const char *value, uint32_t priority, void *arg);

/* Values stored under exactly this key. Returns the number of values
 * (0 when absent) or -EBADMSG for a malformed file. */
int modindex_lookup(const struct modindex *idx, const char *key, modindex_value_fn *cb, void *arg);

/* Values of every stored pattern (fnmatch syntax: * ? [..]) that matches
 * key, as aliases are matched. Returns the number of values or -EBADMSG. */
int modindex_lookup_wild(const struct modindex *idx, const char *key, modindex_value_fn *cb, void *arg);

/* Every key and value, in key order (the trie's order). cb returns
 * non-zero to stop. Returns 0 or -EBADMSG. */
typedef int modindex_entry_fn(const char *key, const char *value, uint32_t priority, void *arg);
int modindex_dump(const struct modindex *idx, modindex_entry_fn *cb, void *arg);

#endif
