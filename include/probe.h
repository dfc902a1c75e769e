/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_PROBE_H
#define MODUTILS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "modlookup.h"
#include "xarray.h"

/*
 * modprobe's work on one argument (a module name, alias, "symbol:NAME", or
 * a file "/x.ko" / "./x.ko"): the modules it names, loaded with their
 * dependencies (modules.dep) and soft dependencies (modprobe.d), options
 * and install commands; or removed with their holders, unused dependencies
 * and soft dependencies, remove commands. The lookups and the configuration
 * are the caller's struct modlookup and its conf (lk->conf).
 *
 * It prints nothing: what is done (with show) and what went wrong reach
 * the caller as notes, each once, in the order they happen; the caller
 * words and prints them.
 */
struct probe_opts {
	bool dry_run;        /* do nothing (the notes still say what) */
	bool show;           /* a note for each action (PROBE_INSMOD ... PROBE_REMOVE) */
	bool ignore_loaded;  /* load as if nothing were loaded (-D) */
	bool ignore_cmds;    /* no install/remove commands, no soft dependencies */
	bool use_blacklist;  /* the blacklist applies to names too, not only aliases */
	bool first_time;     /* loaded already (or with remove, not loaded) fails */
	bool resolve_only;   /* only a PROBE_RESOLVED note for each module found */
	bool remove_holders; /* remove the modules holding the one named first */
	bool force;          /* forced unload */
	bool explain;        /* after a refused load, PROBE_WHY notes say why */
	unsigned load_flags; /* KERNEL_LOAD_IGNORE_* */
	long wait_ms;        /* before removing, wait up to this for it to be unused */
};

enum probe_note_kind {
	/* actions, with show (kmod's -n/-v/-D lines) */
	PROBE_INSMOD,        /* path loaded with text (options) */
	PROBE_INSTALL,       /* command path run with text (options) */
	PROBE_BUILTIN,       /* name is built in: nothing loaded */
	PROBE_RMMOD,         /* name unloaded */
	PROBE_REMOVE,        /* remove command path run */
	PROBE_RESOLVED,      /* resolve_only: name is one module of the argument */
	/* failures */
	PROBE_ERROR,         /* text says it (a lookup's error, out of memory) */
	PROBE_BAD_PATH,      /* the file path could not be used: err */
	PROBE_NOT_FOUND,     /* the argument (name) names no module in path (NULL: removing) */
	PROBE_CMD_FAILED,    /* text ("install"/"remove") command path for name: exit code err */
	PROBE_OPEN_FAILED,   /* path could not be opened: text */
	PROBE_LOAD_FAILED,   /* path could not be read to load it: text */
	PROBE_WHY,           /* text: one sentence on why the kernel refused it */
	PROBE_NOT_INSERTED,  /* name could not be loaded: err */
	PROBE_IS_BUILTIN,    /* name cannot be removed: built in */
	PROBE_NOT_LOADED,    /* name is not loaded (first_time) */
	PROBE_IN_USE,        /* name is in use */
	PROBE_NOT_REMOVED,   /* name could not be unloaded: err */
};

struct probe_note {
	enum probe_note_kind kind;
	const char *name;    /* module, or the argument (PROBE_BAD_PATH, PROBE_NOT_FOUND) */
	const char *path;    /* module file, or a command */
	const char *text;
	int err;             /* -errno, or an exit code (PROBE_CMD_FAILED) */
};
typedef void probe_note_fn(const struct probe_note *note, void *arg);

struct probe_mod;

/* Every module met, each name once; the fields are the library's. */
struct probe {
	struct probe_opts o;
	struct modlookup *lk;
	probe_note_fn *note;
	void *arg;
	struct probe_mod **mods;  /* an xarray */
	size_t nmods;
	struct xhash byname;      /* positions in mods by name */
	unsigned probe_no;        /* of the load under way, from 1 */
};

void probe_init(struct probe *p, struct modlookup *lk, const struct probe_opts *o, probe_note_fn *note,
		void *arg);
void probe_free(struct probe *p);

/*
 * Load the modules arg names, each with what it needs, params (may be
 * NULL) after its configured options. 0, or -errno of the first module that
 * failed (the others are still tried): -ENOENT when nothing is found,
 * -EEXIST for a module loaded already with first_time.
 */
int probe_insert(struct probe *p, const char *arg, const char *params);
/* probe_insert of each line of in (blank lines and '#' comments skipped,
 * white space around a name cut): 0, or the first line's error. */
int probe_insert_lines(struct probe *p, FILE *in);

/*
 * Remove the modules arg names, kmod 34.2's way: post soft dependencies,
 * holders (remove_holders), the module or its remove command, its
 * dependencies nobody uses, pre soft dependencies. 0 or -errno (the first
 * module that cannot be removed ends it).
 */
int probe_remove(struct probe *p, const char *arg);

#endif
