/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_FILEOPEN_H
#define MODUTILS_FILEOPEN_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

/*
 * Files the tools only read (configuration, indexes, modules.order,
 * modules.builtin*): opened without blocking and only if they are regular
 * files, so that a FIFO or a device planted at the name can neither hang a
 * tool nor feed it endless data. The error for another kind of file is
 * -EMEDIUMTYPE; file_strerror() says it in words.
 */

/* A descriptor (close-on-exec) or -errno. at may be AT_FDCWD. */
int open_regular(int at, const char *path);

/* The same, with the file's fstat in *st. */
int open_regular_st(int at, const char *path, struct stat *st);

/* fd itself if it is a regular file (its fstat in *st); else it is closed
 * and the error returned: -EISDIR, -EMEDIUMTYPE (another kind), -errno. */
int regular_fd(int fd, struct stat *st);

/* The same as a stdio stream; NULL with errno set. */
FILE *fopen_regular(const char *path);

/* strerror(-err), and "not a regular file" for open_regular's refusal. */
const char *file_strerror(int err);

/*
 * A new file in the folder at, created exclusively under a name nobody can
 * predict: PREFIX + 16 random hex digits + SUFFIX, written into name (size
 * bytes). A name that exists (a file, a planted symlink or FIFO) is never
 * opened; another is tried. The descriptor (O_WRONLY, close-on-exec) or
 * -errno.
 */
int create_unique(int at, const char *prefix, const char *suffix, char *name, size_t size, int mode);

/* The same for a folder (mkdirat); 0 or -errno. */
int mkdir_unique(int at, const char *prefix, const char *suffix, char *name, size_t size, int mode);

/* The same for a second name (linkat) of the file fromname in the folder
 * from; 0 or -errno. */
int link_unique(int from, const char *fromname, int at, const char *prefix, const char *suffix, char *name,
		size_t size);

/* Make the missing folders above path (mode, e.g. 0755); an existing
 * non-folder in the way is -ENOTDIR. 0 or -errno. */
int mkdir_parents(const char *path, int mode);

/*
 * A file replaced as a whole: the text goes to a new file made by
 * create_unique() in the file's folder (PREFIX + random + ".tmp"), renamed
 * over the file by file_replace_commit() once written and flushed. Nothing
 * planted at the name (a symlink) is written through, and a failure leaves
 * the old file as it was. The folder must exist (mkdir_parents()).
 */
struct file_replace {
	int dirfd;
	const char *base;   /* the file's name in its folder */
	char tmp[64];
	bool written;       /* the text is flushed: a failure now is the rename's */
	FILE *f;            /* where to write */
};

/* 0 or -errno (-EISDIR: a folder at path or no file name). */
int file_replace_open(struct file_replace *r, const char *path, const char *prefix);

/* Flush, fsync and rename over the file; 0 or -errno (r->written says
 * whether the writing or the rename failed). The new file is gone on failure. */
int file_replace_commit(struct file_replace *r);

/* Drop the new file; the old one stays. */
void file_replace_abort(struct file_replace *r);

#endif
