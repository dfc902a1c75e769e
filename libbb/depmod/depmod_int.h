/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_DEPMOD_INT_H
#define MODUTILS_DEPMOD_INT_H
/*
 * What the files of libbb/depmod/ share: the state of one depmod run and
 * the calls between its steps (include/depmod.h is the applet's API).
 *
 *   conf.c      depmod.d: search, override, external, exclude
 *   walk.c      the tree walk, which file of a name wins, -A's check
 *   order.c     kmod's module order (hash buckets, then modules.order)
 *   symbols.c   the symbol table, -E/-F, reading a module, dependencies
 *   readahead.c worker threads decompressing the next modules
 *   outputs.c   the output files: one table of {name, text, index}
 *   run.c       one run: read the tree, write the set, switch it
 *   stab.c      the string -> number table of names, symbols and paths
 *   wbuf.c      the buffered file writer (text files and indexes)
 * and the helpers they use: moddeps.c (dependency graph), modindex_write.c
 * (binary index writer), modparts.c (a plain module read in parts),
 * dirswap.c (the files replaced as one set).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libbb.h"
#include "moddeps.h"
#include "modfile.h"
#include "modparts.h"
#include "xarray.h"

struct dirswap;

/* ---- storage ------------------------------------------------------------ */

/* A growing byte or word vector. */
struct vec {
	void *v;                /* an xarray */
	size_t n, size;
};

static inline void *vec_push(struct vec *x, size_t count)
{
	void *p = xarray_grow(&x->v, x->n, count, x->size);

	if (p != NULL)
		x->n += count;
	return p;
}

/* String -> number (stab.c). Keys are not copied; an entry is never removed. */
struct stab {
	struct sslot {
		const char *key;
		uint32_t len, hash, val;
	} *s;                   /* an xarray, in the order added */
	size_t n;
	struct xhash index;     /* hash -> position in s */
};

/* Returns the slot of key (key == NULL when absent: not to be written), or
 * NULL when out of memory with insert set. With insert an absent key gets
 * a new slot (val UINT32_MAX), valid until the next insert. */
struct sslot *stab_get(struct stab *t, const char *key, size_t len, bool insert);
void stab_free(struct stab *t);
/* stab_free, and free() each key first. */
void stab_free_keys(struct stab *t);

/* ---- state -------------------------------------------------------------- */

enum search_type { SEARCH_PATH, SEARCH_BUILTIN, SEARCH_EXTERNAL };

struct cfg_item {
	char *path;
	size_t len;
	int type;
};

struct cfg_list {
	struct cfg_item *v;
	size_t n;
};

struct mod {
	char *path;             /* full path */
	const char *relpath;    /* below the module folder, or NULL */
	char *uncrelpath;       /* relpath ending in .ko, for modules.order */
	char *name;
	size_t baselen;         /* offset of the last '/' of path */
	size_t namelen;
	int sort_idx;
	uint32_t idx;
	uint32_t info_off, info_len;   /* records in dm.info */
	uint32_t imp_off, imp_n;       /* imports in dm.imports */
	/* cache.c */
	struct dm_cache_id {
		uint64_t dev, ino, size;
		int64_t mtime, ctime;  /* ns */
		bool valid;            /* a regular file, stat()ed */
	} cid;
	bool recorded;                 /* its facts are in the new cache's record */
	size_t rec_off, rec_len;
	const unsigned char *cfacts;   /* its facts in the old cache, or NULL */
	uint32_t cfacts_len;
};

/* An import: symbol number and flags. */
#define IMP_WEAK   0x80000000u
#define IMP_DOT    0x40000000u
#define IMP_PREFIX 0x20000000u
#define IMP_ID     0x1fffffffu

struct sym {
	const char *name;
	uint32_t len;
	int32_t owner;          /* module number, -1: the kernel or nobody */
	bool defined;           /* in kmod's symbol table */
	uint64_t crc;
};

struct dm {
	struct modctx ctx;
	const char *dirname;
	size_t dirnamelen;
	struct modctx outctx;   /* -o: where the files go (ctx.moddir without it) */
	const char *outdir;
	char sym_prefix;
	bool check_symvers, print_unknown, warn_dups;
	struct cfg_list searches, overrides, externals, excludes;

	struct xarena strings;  /* paths, names, symbol names */
	struct mod **mods;      /* during the search: by arrival, NULL = replaced */
	size_t nmods;
	struct stab by_name;    /* name -> index in mods */
	struct mod **array;     /* kmod's module order */
	size_t n;

	struct vec syms;        /* struct sym */
	struct stab by_sym;     /* name -> index in syms */
	struct vec info;        /* records: type byte, value, NUL */
	struct vec imports;     /* uint32_t */
	struct vec crcs;        /* uint64_t, parallel to imports with -E */
	struct moddeps g;
	struct dmcache *cache;  /* cache.c: NULL when off */
};

/* ---- run.c -------------------------------------------------------------- */

/* Free what d holds (not d). */
void dm_free(struct dm *d);

/* ---- conf.c ------------------------------------------------------------- */

int dm_list_add(struct cfg_list *l, const char *path, int type);
void dm_list_free(struct cfg_list *l);
/* Read the depmod.d files of paths (the default folders when npaths is 0),
 * in the order of their names; "updates" is searched when none says what.
 * 0, or -ENOMEM (what the files say is then not all in d). */
int dm_cfg_load(struct dm *d, char **paths, size_t npaths);

/* ---- walk.c ------------------------------------------------------------- */

/* A module file this build can read. */
bool dm_module_suffix(const char *name, size_t len);
/* kmod's module name of a path: basename up to the first '.', '-' as '_'. */
size_t dm_path_modname(const char *path, char *out, size_t size);
/* Add the module file path (replace_check: a file of the same name found
 * before may win, by depmod.d; without it a second one is -EEXIST). */
int dm_module_add(struct dm *d, const char *path, bool replace_check);
/* Add every module below the folder dirpath. 0 or -errno (named). */
int dm_search_path(struct dm *d, const char *dirpath);
/* -A: 1 when no module is newer than modules.dep, 0 when one is, -1 when
 * either cannot be read (named). */
int dm_up_to_date(const struct dm *d);

/* ---- order.c ------------------------------------------------------------ */

/* The file name of the module folder, opened (NULL: named unless quiet). */
FILE *dm_open_in_dir(const struct dm *d, const char *name, bool quiet);
/* d->array: the modules found, in kmod's order. */
int dm_build_array(struct dm *d);

/* ---- symbols.c ---------------------------------------------------------- */

static inline struct sym *sym_at(const struct dm *d, uint32_t id)
{
	return (struct sym *)d->syms.v + id;
}

/* The kernel's own symbols: -E Module.symvers (symvers set) or -F
 * System.map. 0, -errno when the file cannot be opened, or -ENOMEM. */
int dm_load_kernel_syms(struct dm *d, const char *file, bool symvers);
/* Index module m from its opened file (ferr: why it could not be read). */
int dm_load_module(struct dm *d, struct mod *m, struct modfile *file, int ferr,
		   struct modparts *mp);
/* Index module m from its facts in the cache, as dm_load_module would: 0,
 * 1 when the facts are malformed (nothing done: read the file), -ENOMEM. */
int dm_apply_facts(struct dm *d, struct mod *m, const unsigned char *facts, size_t len);
/* The dependencies of every module, into d->g. */
int dm_resolve(struct dm *d);
/* moddeps_cycles' report of one cycle (arg: the struct dm). */
void dm_report_cycle(const uint32_t *path, size_t len, void *arg);

/* ---- cache.c ------------------------------------------------------------ */

struct wbuf;

/* The cache file's name in the output folder. */
extern const char dm_cache_name[];

/* One fact of a module (dm_fact_next). */
struct dm_fact {
	char tag;               /* 'E' export, 'A' .modinfo record, 'I' import,
				 * 'X' imports dropped, 'W' warning */
	char type;              /* 'A': 'a', 's' or 'w' */
	bool weak;              /* 'I' */
	uint64_t crc;           /* 'E', 'I' */
	const char *str;        /* name, value or warning (not NUL-ended) */
	uint32_t len;
};

/* Take the run's start time and read the old cache of the output folder
 * when it can be trusted; record: a new one is written. 0 or -ENOMEM. */
int dm_cache_open(struct dm *d, bool record);
void dm_cache_free(struct dm *d);
/* For each module of d->array: its facts in the old cache, if unchanged. */
void dm_cache_match(struct dm *d);
bool dm_cache_hit(const struct dm *d, const struct mod *m);
/* Around dm_load_module of m, read from fd (-1: could not be opened). */
void dm_cache_begin(struct dm *d, struct mod *m, const struct stat *st);
void dm_cache_end(struct dm *d, struct mod *m);
/* Record a fact of the module being read (nothing when not recording). */
void dm_rec_fact(struct dm *d, char tag, char type, bool weak, uint64_t crc, const char *s, size_t len);
/* The next fact of b[0..n) at *pos: 1, 0 at the end, -1 malformed. */
int dm_fact_next(const unsigned char *b, size_t n, size_t *pos, struct dm_fact *f);
/* Write the new cache through w (flushed). 0 or -errno. */
int dm_cache_write(struct dm *d, struct wbuf *w);
/* For the unit tests: check a cache image as a run would (its number of
 * entries, or -1: not to be trusted), and the checksum it uses. */
int dm_cache_check(const unsigned char *b, size_t n);
uint64_t dm_cache_checksum(const void *data, size_t n);
/* The facts recorded so far (0), or -1. */
int dm_cache_test_record(struct dm *d, const unsigned char **b, size_t *n);

/* ---- readahead.c -------------------------------------------------------- */

/* Read every module of d->array in order (decompressing the next ones in
 * worker threads) and index it with dm_load_module. 0 or -errno (named). */
int dm_read_modules(struct dm *d);

/* ---- outputs.c ---------------------------------------------------------- */

/* The output files, in the order they are made. */
size_t dm_output_count(void);
const char *dm_output_name(size_t i);
/* Write each file as a new temporary file of the set s, flushed to disk
 * (dirswap_abort removes them after a failure). With s NULL (-n), the text
 * files go to standard output instead. */
int dm_write_set(struct dm *d, struct dirswap *s);
/* What sscanf's %u takes: blanks, a sign, digits (wrapping as it does).
 * The end of the number, or NULL if there is none. */
const char *dm_scan_uint(const char *s, unsigned *v);

#endif
