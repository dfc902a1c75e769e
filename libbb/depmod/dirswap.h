/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_DIRSWAP_H
#define MODUTILS_DIRSWAP_H

#include <stdbool.h>
#include <stddef.h>

#define DIRSWAP_MAX_NAMES 16

/*
 * Replace a set of files of a folder so that readers, a kill and (with the
 * syncs) a power cut see all the old files or all the new ones, never a mix
 * (libbb/dirswap.c explains how, and what a killed run leaves). One run at a
 * time per folder: the lock is taken by dirswap_begin and held until
 * dirswap_commit or dirswap_abort, so a run that holds it for its whole life
 * (reading the tree included) never sees another run's half-done work.
 */
struct dirswap {
	const char *path;          /* the folder, for messages */
	const char *const *names;  /* the files being replaced (top level) */
	size_t nnames;
	int lock;                  /* flock()ed: the lock file in the folder above, else the folder */
	bool lockfile;             /* lock is the lock file (removed when released) */
	int above;                 /* the folder above the real folder, or -1 */
	int parent;                /* the same, when the folders can be exchanged: -1 if not */
	int live;                  /* the folder */
	const char *why_not;       /* why the folders cannot be exchanged (said once), or NULL */
	bool said;                 /* dirswap_begin failed and said why itself */
	char base[256];            /* the real folder's own name */
	char stagename[300];       /* the mirror's name, beside it */
	char stagepath[4096];      /* the folder above's path, then the mirror's, for messages */
	char tmp[DIRSWAP_MAX_NAMES][300]; /* where the new files are written ("" until made) */
};

/*
 * Lock the folder (waiting for a run that holds it), then open it, finish
 * or clean what an interrupted run left, and remove stale temporary files.
 * 0: make each new file with dirswap_create, then call dirswap_commit or
 * dirswap_abort (which also release the lock). -errno: the folder cannot be
 * opened or locked (nothing was changed, nothing is held).
 */
int dirswap_begin(struct dirswap *s, const char *path, const char *const *names, size_t nnames);

/*
 * Create new file i exclusively under a fresh temporary name in the folder:
 * a descriptor to write it through (the caller flushes it to disk and
 * closes it), or -errno.
 */
int dirswap_create(struct dirswap *s, size_t i);

/*
 * Put the new files in place of the old ones: in one step where the
 * filesystem can exchange two folders, else by one rename each (said once
 * on stderr unless CONFIG_FEATURE_DEPMOD_EXCHANGE is off). 0 once they are
 * in place (a problem tidying up is only warned about); -errno, with a
 * message, if not: the old set is then what readers see.
 */
int dirswap_commit(struct dirswap *s);

/* Remove the new files; the old ones were never touched. */
void dirswap_abort(struct dirswap *s);

#endif
