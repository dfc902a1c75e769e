// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replace a set of files of a folder as one.
 *
 * A rename replaces one name, so a set of files changes as one only if the
 * folder holding them does. Copying a module tree to exchange it whole
 * would cost a mkdir and an rmdir per subfolder (hundreds), so the folder
 * is exchanged twice with a mirror of its top level instead:
 *
 *  1. The new files are written into the folder under temporary names
 *     (NAME.PID.tmp, which no reader asks for) and flushed.
 *  2. A mirror ".FOLDER.depmod-PID" is made beside the folder, holding a
 *     marker file, a hard link to every file of the folder's top level (the
 *     old set among them) and, for each subfolder, a symlink
 *     "../.FOLDER.depmod-PID/SUB": once the two folders trade names, the
 *     symlink leads into the real subfolder. The filesystem is synced.
 *  3. renameat2(RENAME_EXCHANGE) trades the names: readers now see the
 *     mirror, with the old set and every module reachable.
 *  4. In the real folder, now under the mirror's name, the temporary files
 *     are renamed over the old ones, and the folder is synced.
 *  5. A second exchange puts the real folder back, with the new set; the
 *     folder above is synced.
 *  6. The mirror is taken apart: its marker, symlinks and links to the files
 *     the folder holds go; anything written into it while it stood in for
 *     the folder is moved into the folder. Then it is removed.
 *
 * Readers see the old set up to step 5 and the new one after it. Runs on
 * one parent folder are serialised by flock() on it, and each run first
 * finishes what a killed one left: if the live folder holds the marker it
 * is a mirror (killed between 3 and 5), so the temporary files still in the
 * real folder are renamed in (they were complete before step 3) and the
 * folders are exchanged back; a mirror beside the folder is taken apart as
 * in step 6; stale temporary files are removed.
 *
 * Where the folders cannot be exchanged (a filesystem or kernel without
 * RENAME_EXCHANGE, the folder a symlink or a mount point, no hard links,
 * no write access to the folder above, CONFIG_FEATURE_DEPMOD_EXCHANGE off),
 * the temporary files are renamed into place one by one: each file is then
 * whole at every moment, but the set is mixed until the last rename.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoconf.h"
#include "dirswap.h"
#include "kconfig.h"
#include "kernel.h"
#include "msg.h"

#define MARKER ".depmod-mirror"
#define STAGE_INFIX ".depmod-"

static bool dot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

/* Which replaced file name is, or of which it is a temporary file
 * ("NAME.*.tmp"); -1 for neither. */
static int replaced(const struct dirswap *s, const char *name, bool *tmp)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < s->nnames; i++) {
		size_t n = strlen(s->names[i]);

		if (strncmp(name, s->names[i], n) != 0)
			continue;
		*tmp = name[n] != '\0';
		if (!*tmp)
			return (int)i;
		/* NAME.DIGITS.tmp exactly: "modules.dep.bin.1.tmp" is not modules.dep's */
		if (name[n] == '.' && len > n + 5 && strcmp(name + len - 4, ".tmp") == 0 &&
		    strspn(name + n + 1, "0123456789") == len - n - 5)
			return (int)i;
	}
	return -1;
}

static DIR *dir_of(int fd)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	DIR *dir;

	if (dup_fd < 0)
		return NULL;
	dir = fdopendir(dup_fd);
	if (dir == NULL)
		close(dup_fd);
	else
		rewinddir(dir);
	return dir;
}

static int open_dir_at(int at, const char *name)
{
	return openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static bool has_marker(int fd)
{
	return faccessat(fd, MARKER, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Step 2: the mirror's entries. */
static int fill_mirror(const struct dirswap *s, int m)
{
	DIR *dir = dir_of(s->live);
	struct dirent *e;
	int err = 0;

	if (dir == NULL)
		return -errno;
	while (err == 0 && (errno = 0, e = readdir(dir)) != NULL) {
		const char *name = e->d_name;
		bool tmp;
		struct stat st;

		if (dot(name) || strcmp(name, MARKER) == 0 || (replaced(s, name, &tmp) >= 0 && tmp))
			continue;
		if (e->d_type == DT_DIR ||
		    (e->d_type == DT_UNKNOWN && fstatat(s->live, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		     S_ISDIR(st.st_mode))) {
			char target[600];

			snprintf(target, sizeof(target), "../%s/%s", s->stagename, name);
			if (symlinkat(target, m, name) < 0)
				err = -errno;
		} else if (linkat(s->live, name, m, name, 0) < 0) {
			err = -errno;
		}
	}
	if (err == 0 && errno != 0)
		err = -errno;
	closedir(dir);
	return err;
}

/*
 * Step 6: take apart the mirror m (named mname beside live). Its symlinks
 * into mname and links to what live holds go; what was added while it was
 * live moves into live.
 */
static int take_apart(const struct dirswap *s, int m, const char *mname, int live)
{
	DIR *dir = dir_of(m);
	struct dirent *e;
	int err = 0;

	if (dir == NULL)
		return -errno;
	while ((e = readdir(dir)) != NULL) {
		const char *name = e->d_name;
		struct stat sm, sl;
		char link[600], want[600];
		bool have, tmp;
		int r = 0;
		ssize_t n;

		if (dot(name))
			continue;
		if (fstatat(m, name, &sm, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		have = fstatat(live, name, &sl, AT_SYMLINK_NOFOLLOW) == 0;
		snprintf(want, sizeof(want), "../%s/%s", mname, name);
		if (strcmp(name, MARKER) == 0 || replaced(s, name, &tmp) >= 0 ||
		    (have && sm.st_dev == sl.st_dev && sm.st_ino == sl.st_ino) ||
		    (S_ISLNK(sm.st_mode) && (n = readlinkat(m, name, link, sizeof(link) - 1)) >= 0 &&
		     (link[n] = '\0', strcmp(link, want) == 0))) {
			if (unlinkat(m, name, 0) < 0)
				r = -errno;
		} else if (!(have && S_ISDIR(sl.st_mode))) {
			/* written into the mirror while it stood in for live */
			if (renameat(m, name, live, name) < 0)
				r = -errno;
		} else {
			r = -EEXIST; /* two folders under one name: left for a person */
		}
		if (r < 0 && r != -ENOENT && err == 0)
			err = r;
	}
	closedir(dir);
	if (err == 0 && unlinkat(s->parent, mname, AT_REMOVEDIR) < 0)
		err = -errno;
	return err;
}

/* Rename the temporary files found in dir over their files. */
static int rename_tmp(const struct dirswap *s, int dir_fd, const char *dname)
{
	DIR *dir = dir_of(dir_fd);
	struct dirent *e;
	int err = 0;

	if (dir == NULL)
		return -errno;
	while ((e = readdir(dir)) != NULL) {
		bool tmp;
		int i = replaced(s, e->d_name, &tmp);

		if (i < 0 || !tmp)
			continue;
		if (renameat(dir_fd, e->d_name, dir_fd, s->names[i]) < 0 && err == 0) {
			err = -errno;
			msg_err("could not rename %s/%s to %s: %s", dname, e->d_name, s->names[i], strerror(errno));
		}
	}
	closedir(dir);
	return err;
}

/* Remove temporary files of other runs from the folder. */
static void remove_stale_tmp(const struct dirswap *s)
{
	DIR *dir = dir_of(s->live);
	struct dirent *e;

	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		bool tmp;
		int i = replaced(s, e->d_name, &tmp);

		if (i >= 0 && tmp && strcmp(e->d_name, s->tmp[i]) != 0)
			unlinkat(s->live, e->d_name, 0);
	}
	closedir(dir);
}

/* Under the lock: finish or clean what killed runs left beside the folder. */
static void recover(struct dirswap *s)
{
	size_t blen = strlen(s->base);
	DIR *dir = dir_of(s->parent);
	struct dirent *e;

	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		const char *name = e->d_name;
		int fd, r = 0;

		if (name[0] != '.' || strncmp(name + 1, s->base, blen) != 0 ||
		    strncmp(name + 1 + blen, STAGE_INFIX, sizeof(STAGE_INFIX) - 1) != 0)
			continue;
		fd = open_dir_at(s->parent, name);
		if (fd < 0)
			continue;
		if (has_marker(s->live) && !has_marker(fd)) {
			/* Killed between the exchanges: the real folder is here,
			 * its new files complete. Finish and put it back. */
			r = rename_tmp(s, fd, name);
			if (r == 0 && fsync(fd) < 0)
				r = -errno;
			if (r == 0)
				r = kernel_rename_exchange(s->parent, name, s->parent, s->base);
			if (r == 0) {
				int t = fd;

				fd = s->live; /* the mirror, now under name */
				s->live = t;
				fsync(s->parent);
			}
		}
		if (r == 0)
			r = take_apart(s, fd, name, s->live);
		close(fd);
		if (r < 0)
			msg_warn("could not clean %s beside %s (left by an interrupted depmod): %s", name, s->path,
				 strerror(-r));
	}
	closedir(dir);
}

int dirswap_begin(struct dirswap *s, const char *path, const char *const *names, size_t nnames)
{
	char parent[4096];
	const char *base;
	size_t n = strlen(path), blen, plen;
	struct stat sp, sl, sx;
	bool ok;
	int fd;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->names = names;
	s->nnames = nnames;
	s->parent = -1;
	if (nnames > DIRSWAP_MAX_NAMES)
		return -EINVAL;
	for (size_t i = 0; i < nnames; i++) {
		int k = snprintf(s->tmp[i], sizeof(s->tmp[i]), "%s.%ld.tmp", names[i], (long)getpid());

		if (k < 0 || (size_t)k >= sizeof(s->tmp[i]))
			return -ENAMETOOLONG;
	}
	s->live = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->live < 0)
		return -errno;
	if (!IS_ENABLED(CONFIG_FEATURE_DEPMOD_EXCHANGE))
		return 0;

	/* The folder's name and the folder above; any problem: no exchange. */
	while (n > 1 && path[n - 1] == '/')
		n--;
	base = path + n;
	while (base > path && base[-1] != '/')
		base--;
	blen = (size_t)(path + n - base);
	plen = (size_t)(base - path);
	if (blen == 0 || blen >= sizeof(s->base) || plen >= sizeof(parent))
		return 0;
	memcpy(s->base, base, blen);
	s->base[blen] = '\0';
	snprintf(parent, sizeof(parent), "%.*s", plen ? (int)plen : 1, plen ? path : ".");
	if (dot(s->base) ||
	    snprintf(s->stagename, sizeof(s->stagename), ".%s" STAGE_INFIX "%ld", s->base, (long)getpid()) >=
		    (int)sizeof(s->stagename) ||
	    snprintf(s->stagepath, sizeof(s->stagepath), "%s%s%s", plen ? parent : "", plen ? "" : "./",
		     s->stagename) >= (int)sizeof(s->stagepath))
		return 0;
	s->parent = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->parent < 0)
		return 0;
	/* The folder itself, not a symlink to it, on the parent's filesystem
	 * (a mount point cannot be renamed); then the lock. */
	fd = open_dir_at(s->parent, s->base);
	ok = fd >= 0 && fstat(fd, &sx) == 0 && fstat(s->live, &sl) == 0 && fstat(s->parent, &sp) == 0 &&
	     sx.st_dev == sl.st_dev && sx.st_ino == sl.st_ino && sp.st_dev == sl.st_dev;
	if (fd >= 0)
		close(fd);
	if (!ok || flock(s->parent, LOCK_EX) < 0) {
		close(s->parent);
		s->parent = -1;
		return 0;
	}
	recover(s);
	remove_stale_tmp(s);
	return 0;
}

static void release(struct dirswap *s)
{
	if (s->live >= 0)
		close(s->live);
	if (s->parent >= 0)
		close(s->parent); /* and the lock with it */
	s->live = s->parent = -1;
}

void dirswap_abort(struct dirswap *s)
{
	for (size_t i = 0; i < s->nnames; i++)
		unlinkat(s->live, s->tmp[i], 0);
	release(s);
}

/*
 * Steps 2 to 6. 1: the folders cannot be exchanged here, nothing changed
 * (the caller renames instead); 0: done; -errno: failed after the first
 * exchange, with a message (readers see the mirror: the old set).
 */
static int exchange(struct dirswap *s)
{
	struct stat st;
	int m, fd, err;

	if (mkdirat(s->parent, s->stagename, 0700) < 0)
		return 1;
	m = open_dir_at(s->parent, s->stagename);
	fd = m < 0 ? -1 : openat(m, MARKER, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	err = fd < 0 ? -1 : close(fd);
	if (err == 0)
		err = fill_mirror(s, m);
	if (err == 0 && fstat(s->live, &st) == 0) {
		/* The mirror stands in for the folder: same owner and mode. */
		if (fchown(m, st.st_uid, st.st_gid) < 0 && geteuid() == 0)
			err = -errno;
		if (err == 0 && fchmod(m, st.st_mode & 07777) < 0)
			err = -errno;
	}
	if (err == 0 && syncfs(s->live) < 0)
		err = -errno;
	if (err == 0)
		err = kernel_rename_exchange(s->parent, s->stagename, s->parent, s->base);
	if (err != 0) {
		if (m >= 0) {
			take_apart(s, m, s->stagename, s->live);
			close(m);
		} else {
			unlinkat(s->parent, s->stagename, AT_REMOVEDIR);
		}
		return 1;
	}
	/* Readers see the mirror; the folder is offline under the mirror's name. */
	err = rename_tmp(s, s->live, s->stagepath);
	if (err == 0 && fsync(s->live) < 0) {
		err = -errno;
		msg_err("could not sync %s: %s", s->stagepath, strerror(errno));
	}
	if (err == 0) {
		err = kernel_rename_exchange(s->parent, s->stagename, s->parent, s->base);
		if (err < 0)
			msg_err("could not exchange %s and %s: %s", s->stagepath, s->path, strerror(-err));
	}
	if (err < 0) {
		close(m);
		return err;
	}
	if (fsync(s->parent) < 0) {
		err = -errno;
		msg_err("could not sync the folder above %s: %s", s->path, strerror(errno));
	}
	{
		int r = take_apart(s, m, s->stagename, s->live);

		if (r < 0)
			msg_warn("could not remove %s: %s", s->stagepath, strerror(-r));
	}
	close(m);
	return err;
}

int dirswap_commit(struct dirswap *s)
{
	int err = 1;

	if (s->parent >= 0)
		err = exchange(s);
	if (err == 1) {
		err = 0;
		for (size_t i = 0; i < s->nnames; i++) {
			if (renameat(s->live, s->tmp[i], s->live, s->names[i]) < 0) {
				err = -errno;
				msg_err("could not rename %s/%s to %s: %s", s->path, s->tmp[i], s->names[i],
					strerror(errno));
				for (size_t k = i; k < s->nnames; k++)
					unlinkat(s->live, s->tmp[k], 0);
				break;
			}
		}
		if (fsync(s->live) < 0 && err == 0) {
			err = -errno;
			msg_err("could not sync %s: %s", s->path, strerror(errno));
		}
	}
	release(s);
	return err;
}
