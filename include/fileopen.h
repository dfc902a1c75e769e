/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_FILEOPEN_H
#define MODUTILS_FILEOPEN_H

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

#endif
