/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODCONF_H
#define MODUTILS_MODCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "context.h"

/*
 * modprobe's configuration: the *.conf files of the modprobe.d folders
 * (sorted by basename; a basename in an earlier folder hides the same one
 * later), modules.softdep and modules.weakdep of the module folder, and
 * the kernel command line (MOD.PARAM=VALUE, modprobe.blacklist=).
 */
enum modconf_kind {
	MC_ALIAS,      /* key: pattern, value: module */
	MC_OPTIONS,    /* key: module, value: options */
	MC_INSTALL,    /* key: module, value: shell command */
	MC_REMOVE,
	MC_BLACKLIST,  /* key: module */
	MC_SOFTDEP,    /* key: module, value: "pre: a b post: c" */
	MC_WEAKDEP,    /* key: module, value: "a b" */
	MC_NKINDS
};

struct modconf_entry {
	char *key;       /* both in the text of the file the entry came from */
	char *value;
	bool pattern;    /* key has fnmatch wildcards */
};

struct modconf {
	struct modconf_entry *v[MC_NKINDS];   /* xarrays */
	size_t n[MC_NKINDS];
	char **texts;    /* xarray: the texts read, cut in place, which the
	                    entries point into (no allocation per entry) */
	size_t ntexts;
};

/* dirs: NULL for the default folders, else the -C list (folders or files).
 * Malformed lines are reported as "FILE:LINE: ..." warnings and skipped. */
int modconf_load(struct modconf *c, const struct modctx *ctx, const char *const *dirs, size_t ndirs,
		 bool kernel_cmdline);
void modconf_free(struct modconf *c);

/* Parse a copy of text[0..len) as a configuration file (the entries
 * point into the copy, which c keeps). For tests and fuzzing. */
int modconf_parse(struct modconf *c, const char *name, const char *text, size_t len);
/* Parse a kernel command line. */
int modconf_parse_cmdline(struct modconf *c, const char *cmdline);

/* Entries that apply to a module: the key matched as an fnmatch pattern
 * against the module's name ('-' as '_'), or equal to it for blacklist.
 * module is a module's name, never a path or an alias: it is not cut. */
const struct modconf_entry *modconf_find(const struct modconf *c, enum modconf_kind kind,
					 const char *module, const struct modconf_entry *after);
/* The first entry whose key is exactly key (an alias-normalised argument),
 * patterns included as plain text: how kmod finds a name that only an
 * install or remove command defines. */
const struct modconf_entry *modconf_find_key(const struct modconf *c, enum modconf_kind kind,
					     const char *key);
/* Options of a module: every "options" entry's value, in order, each
 * followed by a space (kmod's form); NULL when none. The caller frees. */
char *modconf_options(const struct modconf *c, const char *module);
bool modconf_blacklisted(const struct modconf *c, const char *module);

/* Every entry in modprobe -c's order of kinds (blacklist, install, remove,
 * alias, options, softdep, weakdep), each kind's entries in file order,
 * with the kind's configuration keyword. cb returns non-zero to stop: that
 * value is returned; else 0. */
typedef int modconf_entry_fn(const char *keyword, const struct modconf_entry *e, void *arg);
int modconf_each(const struct modconf *c, modconf_entry_fn *cb, void *arg);

#endif
