// SPDX-License-Identifier: GPL-2.0-or-later
/* The configuration files of modprobe.d and depmod.d folders (see confdir.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confdir.h"
#include "xarray.h"

/*
 * A folder's entries are read with getdents into a buffer on the stack:
 * opendir() allocates a DIR of 2 KiB or more for each folder, which musl's
 * malloc maps and unmaps. glibc has getdents64() since 2.30; musl has
 * getdents(), whose struct dirent is the kernel's 64-bit record. Other C
 * libraries (uClibc-ng, an older glibc) go through readdir().
 */
#if defined(__GLIBC__) && !defined(__UCLIBC__)
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30)
#define DENTS_GETDENTS 1
typedef struct dirent64 dent;
#define get_dents(fd, buf, size) getdents64(fd, buf, size)
#endif
#elif !defined(__UCLIBC__) && defined(__linux__)
#define DENTS_GETDENTS 1
typedef struct dirent dent;
#define get_dents(fd, buf, size) getdents(fd, (struct dirent *)(buf), size)
#endif

struct dents {
#ifdef DENTS_GETDENTS
	int fd;
	size_t pos, len;
	_Alignas(dent) char buf[4096];
#else
	DIR *dir;
#endif
};

/* The folder fd's entries; fd stays the caller's. 0 or -errno. */
static int dents_open(struct dents *it, int fd)
{
#ifdef DENTS_GETDENTS
	it->fd = fd;
	it->pos = it->len = 0;
	return 0;
#else
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	it->dir = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (it->dir == NULL) {
		int err = -errno;

		if (dup_fd >= 0)
			close(dup_fd);
		return err;
	}
	return 0;
#endif
}

/* The next name; NULL at the end, or at an error (the end, as readdir()
 * tells them apart only by errno and a listing stops at either). */
static const char *dents_next(struct dents *it)
{
#ifdef DENTS_GETDENTS
	const dent *d;

	if (it->pos >= it->len) {
		/* A folder longer than the buffer: until a read returns 0. */
		long n = (long)get_dents(it->fd, it->buf, sizeof(it->buf));

		if (n <= 0)
			return NULL;
		it->len = (size_t)n;
		it->pos = 0;
	}
	d = (const dent *)(it->buf + it->pos);
	if (d->d_reclen == 0 || d->d_reclen > it->len - it->pos)
		return NULL;   /* never from a kernel: no endless loop */
	it->pos += d->d_reclen;
	return d->d_name;
#else
	struct dirent *de = readdir(it->dir);

	return de ? de->d_name : NULL;
#endif
}

static void dents_close(struct dents *it)
{
#ifdef DENTS_GETDENTS
	(void)it;
#else
	closedir(it->dir);
#endif
}

static void note(struct confdir *c, enum confdir_note what, const char *dir, const char *name, int err)
{
	if (c->note != NULL)
		c->note(c->arg, what, dir, name, err);
}

/* DIR[0..dirlen)/NAME in name order, unless NAME is listed. */
static int insert(struct confdir *c, const char *dir, size_t dirlen, const char *name)
{
	size_t lo = 0, hi = c->n, nlen = strlen(name), len = dirlen + 1 + nlen;
	char *path;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(name, c->v[mid].name);

		if (r == 0)
			return 0;   /* an earlier folder's file hides it */
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if ((c->flags & CONFDIR_REGULAR) && (nlen > NAME_MAX || len >= PATH_MAX))
		return 0;   /* a path no open() could take */
	if (xarray_grow(&c->v, c->n, 1, sizeof(*c->v)) == NULL || (path = malloc(len + 1)) == NULL)
		return -ENOMEM;
	memcpy(path, dir, dirlen);
	path[dirlen] = '/';
	memcpy(path + dirlen + 1, name, nlen + 1);
	memmove(c->v + lo + 1, c->v + lo, (c->n - lo) * sizeof(*c->v));
	c->v[lo].path = path;
	c->v[lo].name = path + dirlen + 1;
	c->n++;
	return 0;
}

int confdir_add(struct confdir *c, const char *dir, const char *name)
{
	return insert(c, dir, strlen(dir), name);
}

static bool is_conf_name(const char *name, size_t len)
{
	return len > 5 && strcmp(name + len - 5, ".conf") == 0;
}

/* The folder dir, open as fd (closed here). */
static int scan_folder(struct confdir *c, const char *dir, int fd)
{
	bool regular = c->flags & CONFDIR_REGULAR;
	size_t dirlen = strlen(dir);
	struct dents it;
	const char *name;
	int err = dents_open(&it, fd);

	if (err < 0) {
		close(fd);
		note(c, CONFDIR_FOLDER, dir, NULL, err);
		return 0;
	}
	err = 0;
	while (err == 0 && (name = dents_next(&it)) != NULL) {
		size_t len = strlen(name);
		struct stat st;

		if (name[0] == '.')
			continue;   /* ".", ".." and hidden files, in silence */
		if (!is_conf_name(name, len)) {
			note(c, CONFDIR_NOT_CONF, dir, name, 0);
			continue;
		}
		if (regular && dirlen + 1 + len >= PATH_MAX) {
			note(c, CONFDIR_NOT_REGULAR, dir, name, -ENAMETOOLONG);
			continue;
		}
		/* Every name is looked at, d_type or not: the answer is the
		 * same where the folder cannot be searched, only readable. */
		if (fstatat(fd, name, &st, 0) < 0) {
			if (regular) {
				note(c, CONFDIR_NOT_REGULAR, dir, name, -errno);
				continue;
			}
		} else if (S_ISDIR(st.st_mode)) {
			note(c, CONFDIR_SUBFOLDER, dir, name, 0);
			continue;
		} else if (regular && !S_ISREG(st.st_mode)) {
			note(c, CONFDIR_NOT_REGULAR, dir, name, 0);
			continue;
		}
		err = insert(c, dir, dirlen, name);
	}
	dents_close(&it);
	close(fd);
	return err;
}

int confdir_scan(struct confdir *c, const char *const *paths, size_t npaths)
{
	int err = 0;

	for (size_t i = 0; i < npaths && err == 0; i++) {
		const char *path = paths[i], *slash;
		struct stat st;
		/* openat: musl's open() adds an fcntl() for O_CLOEXEC. */
		int fd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), open_err;

		if (fd >= 0) {
			err = scan_folder(c, path, fd);
			continue;
		}
		/* A missing path is normal, in silence (without a stat: the
		 * hotplug path meets several); what else could not be opened
		 * is a folder that cannot be read, or a file (-C). */
		open_err = -errno;
		if (open_err == -ENOENT || stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) || (c->flags & CONFDIR_REGULAR && !S_ISREG(st.st_mode))) {
			note(c, CONFDIR_FOLDER, path, NULL, open_err);
			continue;
		}
		/* Listed whatever its name, by its last part, its path as given. */
		slash = strrchr(path, '/');
		err = slash ? insert(c, path, (size_t)(slash - path), slash + 1) : insert(c, ".", 1, path);
	}
	return err;
}

void confdir_free(struct confdir *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].path);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
