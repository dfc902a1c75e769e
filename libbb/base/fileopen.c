// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening files safely when run as root in folders others may write:
 * inputs are regular files opened without blocking; outputs are created
 * exclusively (O_EXCL never follows a symlink and never opens what
 * exists) under names drawn from getrandom().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileopen.h"
#include "msg.h"

int regular_fd(int fd, struct stat *st)
{
	int err;

	if (fstat(fd, st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return S_ISDIR(st->st_mode) ? -EISDIR : -EMEDIUMTYPE;
	}
	return fd;
}

int open_regular_st(int at, const char *path, struct stat *st)
{
	int fd = openat(at, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	/* O_NONBLOCK stays: it changes nothing for a regular file (reads,
	 * mmap, finit_module), and clearing it would cost two calls a file. */
	return fd < 0 ? -errno : regular_fd(fd, st);
}

int open_regular(int at, const char *path)
{
	struct stat st;

	return open_regular_st(at, path, &st);
}

FILE *fopen_regular(const char *path)
{
	int fd = open_regular(AT_FDCWD, path);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "re");
	if (f == NULL) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

const char *file_strerror(int err)
{
	return err == -EMEDIUMTYPE ? "not a regular file" : msg_strerror(-err);
}

/* 64 random bits; without getrandom() (an old kernel, or entropy not yet
 * ready at early boot) the clock, the PID and the caller's try number:
 * guessable, but O_EXCL still refuses anything planted at the name. */
static uint64_t random_bits(unsigned tries)
{
	uint64_t r;
	struct timespec ts;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
	r ^= (tries + 1ULL) * 0x9e3779b97f4a7c15ULL;
	return r;
}

/* Names tried before giving up: only a folder full of planted names (or
 * a broken random source) gets that far. */
#define UNIQUE_TRIES 64

/* What make_unique makes at a name: a file (mode), a folder (mode), or
 * a second name of the file from/fromname. */
struct unique_what {
	bool dir;
	int mode;
	int from;
	const char *fromname;
};

static int make_unique(int at, const char *prefix, const char *suffix, char *name, size_t size,
		       const struct unique_what *w)
{
	for (unsigned i = 0; i < UNIQUE_TRIES; i++) {
		int n = snprintf(name, size, "%s%016llx%s", prefix, (unsigned long long)random_bits(i), suffix);
		int fd;

		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
		if (w->fromname != NULL)
			fd = linkat(w->from, w->fromname, at, name, 0);
		else if (w->dir)
			fd = mkdirat(at, name, (mode_t)w->mode);
		else
			fd = openat(at, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
				    (mode_t)w->mode);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int create_unique(int at, const char *prefix, const char *suffix, char *name, size_t size, int mode)
{
	const struct unique_what w = { .mode = mode };

	return make_unique(at, prefix, suffix, name, size, &w);
}

int mkdir_unique(int at, const char *prefix, const char *suffix, char *name, size_t size, int mode)
{
	const struct unique_what w = { .dir = true, .mode = mode };

	return make_unique(at, prefix, suffix, name, size, &w);
}

int link_unique(int from, const char *fromname, int at, const char *prefix, const char *suffix, char *name,
		size_t size)
{
	const struct unique_what w = { .from = from, .fromname = fromname };

	return make_unique(at, prefix, suffix, name, size, &w);
}

int mkdir_parents(const char *path, int mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	struct stat st;

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (p[-1] != '/' && mkdir(buf, (mode_t)mode) < 0) {
			if (errno != EEXIST)
				return -errno;
			if (stat(buf, &st) < 0)
				return -errno;
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
		}
		*p = '/';
	}
	return 0;
}

int file_replace_open(struct file_replace *r, const char *path, const char *prefix)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd, err;

	r->dirfd = -1;
	r->written = false;
	r->f = NULL;
	if (slash == NULL) {
		strcpy(dir, ".");
		r->base = path;
	} else if ((size_t)(slash - path) + 1 >= sizeof(dir)) {
		return -ENAMETOOLONG;
	} else {
		/* "/x": the folder is "/" */
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		memcpy(dir, path, n);
		dir[n] = '\0';
		r->base = slash + 1;
	}
	if (r->base[0] == '\0')   /* "" or "dir/": no file name, as open() would say */
		return path[0] == '\0' ? -ENOENT : -EISDIR;
	r->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0)
		return -errno;
	/* A folder at the name: the rename would fail after the work is done. */
	if (fstatat(r->dirfd, r->base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto fail;
	}
	fd = create_unique(r->dirfd, prefix, ".tmp", r->tmp, sizeof(r->tmp), 0666);
	if (fd < 0) {
		err = fd;
		goto fail;
	}
	r->f = fdopen(fd, "w");
	if (r->f != NULL)
		return 0;
	err = -errno;
	close(fd);
	unlinkat(r->dirfd, r->tmp, 0);
fail:
	close(r->dirfd);
	r->dirfd = -1;
	return err;
}

/* Close the stream; keep: rename the new file over the old one (err: the
 * writing's error so far); else, or on failure, drop it. */
static int replace_end(struct file_replace *r, bool keep, int err)
{
	if (r->f == NULL)
		return 0;
	if (fclose(r->f) != 0 && keep && err == 0)
		err = -errno;
	r->f = NULL;
	if (keep && err == 0) {
		r->written = true;
		if (renameat(r->dirfd, r->tmp, r->dirfd, r->base) < 0)
			err = -errno;
	}
	if (!keep || err < 0)
		unlinkat(r->dirfd, r->tmp, 0);
	close(r->dirfd);
	r->dirfd = -1;
	return err;
}

int file_replace_commit(struct file_replace *r)
{
	int err = 0;

	if (r->f == NULL)
		return 0;
	errno = EIO;   /* what an earlier failed write left unsaid */
	if (fflush(r->f) != 0 || ferror(r->f))
		err = -errno;
	else if (fsync(fileno(r->f)) < 0 && errno != EINVAL && errno != EROFS)
		err = -errno;
	return replace_end(r, true, err);
}

void file_replace_abort(struct file_replace *r)
{
	replace_end(r, false, 0);
}
