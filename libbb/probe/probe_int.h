/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_PROBE_INT_H
#define MODUTILS_PROBE_INT_H

/* What probe.c (the module set, loading) shares with remove.c. */
#include <stdbool.h>
#include <stddef.h>

#include "modconf.h"
#include "probe.h"

struct probe_mod {
	char *name;
	char *path;        /* absolute file; NULL for built-in or unknown */
	char *deps;        /* dependency paths of its modules.dep line */
	bool builtin;
	bool deps_known;   /* deps read (a module met as a dependency path has not) */
	/* visited, required: this load's number when set in it (one
	 * increment forgets them all, however many modules were met) */
	unsigned visited, required;
	bool ignorecmd;
	bool removing;                      /* remove_module() is under way */
	bool softdep_known;                 /* softdep looked up once */
	const struct modconf_entry *softdep;
};

struct probe_list {
	struct probe_mod **v;      /* an xarray */
	size_t n;
};

int probe_list_add(struct probe_list *l, struct probe_mod *m);
void probe_say(struct probe *p, enum probe_note_kind kind, const char *name, const char *path,
	       const char *text, int err);
/* Modules an argument names (by name, alias, symbol or command): *out is
 * freed by the caller, whatever the result. */
int probe_lookup(struct probe *p, const char *arg, struct probe_mod ***out, size_t *n);
/* By module name only (holders name modules, never aliases): -EINVAL for
 * a name that is not one, -ENOMEM. */
int probe_mod_by_name(struct probe *p, const char *name, struct probe_mod **out);
/* m's modules.dep line (*deps NULL when it has none), read the first time. */
int probe_mod_deps(struct probe *p, struct probe_mod *m, const char **deps);
/* The modules of one side of m's soft dependencies (pre or post). */
int probe_softdeps(struct probe *p, struct probe_mod *m, bool pre, struct probe_list *side);
/* An install or remove command, $CMDLINE_OPTS replaced by options. */
int probe_run_command(struct probe *p, const struct probe_mod *m, const char *kind, const char *cmd,
		      const char *options);

#endif
