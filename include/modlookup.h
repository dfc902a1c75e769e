/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODLOOKUP_H
#define MODUTILS_MODLOOKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "context.h"
#include "modindex.h"
#include "xarray.h"

/*
 * Finding modules under the context's module folder: by name through
 * modules.dep, by alias, by "symbol:NAME", built in. The binary indexes
 * are used when present, the text files otherwise, with the same results.
 */
enum modlookup_file {
	ML_DEP = MODINDEX_DEP, ML_ALIAS = MODINDEX_ALIAS, ML_SYMBOLS = MODINDEX_SYMBOLS,
	ML_BUILTIN = MODINDEX_BUILTIN, ML_BUILTIN_ALIAS = MODINDEX_BUILTIN_ALIAS, ML_NFILES
};

struct modconf;

struct modlookup {
	const struct modctx *ctx;
	const struct modconf *conf;    /* optional: aliases and commands of modprobe.d */
	struct modindex idx[ML_NFILES];
	signed char state[ML_NFILES];  /* 0 not tried, 1 .bin open, -1 use text */
	/* modules.dep without its .bin: read once, its lines found by name
	 * (a line of thousands of dependencies is thousands of lookups). */
	char *dep_text;                /* the file, each line NUL-terminated */
	struct xhash dep_lines;        /* line offsets by module name */
	bool dep_text_read;
	char why[PATH_MAX + 64];       /* last: modlookup_init leaves it but its first byte */
};

struct modlookup_module {
	char *name;
	char *path;   /* as in modules.dep (relative to the folder); NULL otherwise */
	char *deps;   /* the rest of its modules.dep line: dependency paths */
	bool builtin;
};

struct modlookup_result {
	struct modlookup_module *mods;
	size_t count;
};

/* The fields of a built-in module from modules.builtin.modinfo, without
 * the "name." prefix, in file order. */
struct modlookup_builtin_info {
	char **recs;
	size_t count;
	char *buf;
};

void modlookup_init(struct modlookup *lk, const struct modctx *ctx);
void modlookup_close(struct modlookup *lk);
/* Between lookups of a batch: let the indexes' pages leave the resident
 * set (see modindex_release). */
void modlookup_release(struct modlookup *lk);

/* By module name only: modules.dep, then built-in modules. */
int modlookup_name(struct modlookup *lk, const char *name, struct modlookup_result *res);
/* kmod's order: modprobe.d aliases (when lk->conf is set), module name,
 * symbol:, install/remove commands, aliases, built-in name, built-in alias.
 * A name named only by the configuration has neither path nor builtin. */
int modlookup_any(struct modlookup *lk, const char *name, struct modlookup_result *res);
void modlookup_result_free(struct modlookup_result *res);

/* Full path of a found module file. */
int modlookup_module_path(struct modlookup *lk, const struct modlookup_module *m, char *buf,
			  size_t size);
int modlookup_builtin_modinfo(struct modlookup *lk, const char *name,
			      struct modlookup_builtin_info *info);
void modlookup_builtin_info_free(struct modlookup_builtin_info *info);

/* modprobe -c: every alias of f (ML_ALIAS, ML_SYMBOLS) in key order, from
 * the .bin index, or else (no usable .bin) from the text file, keys
 * normalised (one that cannot be read shows nothing). cb returns non-zero
 * to stop. 0, -ENOMEM, or -EBADMSG for a malformed index (lk->why says
 * which). */
int modlookup_dump(struct modlookup *lk, enum modlookup_file f, modindex_entry_fn *cb, void *arg);

/* Message for a negative result: names the file when one was malformed. */
const char *modlookup_strerror(struct modlookup *lk, int err);

#endif
