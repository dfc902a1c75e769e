/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_DEPMOD_H
#define MODUTILS_DEPMOD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * depmod: the dependency and alias indexes of a module tree (libbb/depmod/).
 * What the options of depmod(8) ask for; NULL or 0 where not given.
 */
struct depmod_opts {
	const char *root;       /* -b: root folder holding lib/modules */
	const char *outroot;    /* -o: root folder to write under */
	const char *moduledir;  /* -m: module folder below the root */
	const char *kver;       /* the version (NULL: the running kernel's) */
	const char *symvers;    /* -E Module.symvers (symbol versions checked) */
	const char *sysmap;     /* -F System.map */
	char **configs;         /* -C: depmod.d folders or files */
	size_t nconfigs;
	char sym_prefix;        /* -P */
	bool all;               /* -a (or no module named) */
	bool quick;             /* -A */
	bool dry;               /* -n: the text files to standard output */
	bool print_unknown;     /* -e */
	bool warn_dups;         /* -w */
	bool no_cache;          /* --no-cache: no module facts reused or kept */
};

/*
 * Index the tree (all modules, or the files argv[0..argc) when o->all is
 * not set) and replace its index files as one set. Every failure is named
 * on stderr. 0 (also when -A found the set up to date), or -errno.
 */
int depmod_run(const struct depmod_opts *o, int argc, char **argv);

/* Whether s starts like a kernel version ("N.N"), as kmod's depmod asks. */
bool depmod_is_version(const char *s);

#endif
