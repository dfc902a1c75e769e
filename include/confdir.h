/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_CONFDIR_H
#define MODUTILS_CONFDIR_H

#include <stddef.h>

/*
 * The configuration files of a list of folders (modprobe.d, depmod.d), as
 * kmod lists them: each folder's NAME.conf files (a name starting with '.'
 * is passed over), a name met in an earlier folder hiding the same name in
 * later ones, all in strcmp() order of their names. A path of the list that
 * is a file (-C FILE) is listed under its last part; one that does not
 * exist is passed over in silence.
 */
struct confdir_file {
	char *path;          /* DIR/NAME; ./NAME for a file given without a folder */
	const char *name;    /* its last part, inside path */
};

/* What a scan passes over: the caller says it in its own words, or not. */
enum confdir_note {
	CONFDIR_FOLDER,      /* a folder that cannot be read: name NULL, err -errno */
	CONFDIR_NOT_CONF,    /* a name that does not end in ".conf" */
	CONFDIR_SUBFOLDER,   /* a folder inside a folder */
	CONFDIR_NOT_REGULAR, /* CONFDIR_REGULAR only: not a regular file; err: -errno when
			      * its type cannot be found (a dangling link), -ENAMETOOLONG, or 0 */
};

typedef void confdir_note_fn(void *arg, enum confdir_note what, const char *dir, const char *name,
			     int err);

/*
 * CONFDIR_REGULAR: list only regular files (links followed) whose path
 * is shorter than PATH_MAX; a path given that is not a regular file is
 * read as a folder. Without it everything in a folder but a folder is
 * listed (its reader says why it cannot read it), and a path given that is
 * not a folder is listed as a file.
 */
#define CONFDIR_REGULAR 1u

struct confdir {
	struct confdir_file *v;   /* n files, in name order */
	size_t n;
	unsigned flags;
	confdir_note_fn *note;    /* may be NULL */
	void *arg;
};

/* Add the files of paths[0..npaths), in that order of precedence. 0, or
 * -ENOMEM (c keeps what it has; confdir_free() it). A folder that cannot
 * be read is noted and passed over; an error while its entries are read
 * ends its list as its end would. */
int confdir_scan(struct confdir *c, const char *const *paths, size_t npaths);

/* Add DIR/NAME in its place unless NAME is listed (with CONFDIR_REGULAR,
 * or unless the path would not fit in PATH_MAX). 0 or -ENOMEM. */
int confdir_add(struct confdir *c, const char *dir, const char *name);

void confdir_free(struct confdir *c);

#endif
