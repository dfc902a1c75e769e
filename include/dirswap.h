/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_DIRSWAP_H
#define MODUTILS_DIRSWAP_H

#include <stdbool.h>
#include <stddef.h>

#define DIRSWAP_MAX_NAMES 16

/*
 * Replace a set of files of a folder so that readers, a kill and (with the
 * syncs) a power cut see all the old files or all the new ones, never a mix
 * (libbb/dirswap.c explains how, and what a killed run leaves).
 */
struct dirswap {
	const char *path;          /* the folder, for messages */
	const char *const *names;  /* the files being replaced (top level) */
	size_t nnames;
	int parent;                /* the folder above, flock()ed: -1 if not */
	int live;                  /* the folder */
	char base[256];            /* the folder's own name */
	char stagename[300];       /* the mirror's name, beside it */
	char stagepath[4096];      /* and its path, for messages */
	char tmp[DIRSWAP_MAX_NAMES][300]; /* where the new files are written */
};

/*
 * Open the folder and, where the set can be switched as one, lock the
 * folder above and finish or clean what an interrupted run left. 0: write
 * each new file i into s->live under s->tmp[i] (flushed to disk), then call
 * dirswap_commit or dirswap_abort. -errno: the folder cannot be opened
 * (nothing was changed).
 */
int dirswap_begin(struct dirswap *s, const char *path, const char *const *names, size_t nnames);

/*
 * Put the new files in place of the old ones: in one step where the
 * filesystem can exchange two folders, else by one rename each. 0 once
 * they are in place (a problem tidying up is only warned about); -errno,
 * with a message, if not: the old set is then what readers see.
 */
int dirswap_commit(struct dirswap *s);

/* Remove the new files; the old ones were never touched. */
void dirswap_abort(struct dirswap *s);

#endif
