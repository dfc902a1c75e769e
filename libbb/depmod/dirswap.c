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
 *     (NAME.RANDOM.tmp, which no reader asks for), each created exclusively
 *     (nothing planted at the name is followed, truncated or opened), and
 *     flushed.
 *  2. A mirror ".FOLDER.depmod-RANDOM" is made beside the folder (a fresh
 *     folder of ours, checked as such), holding a marker file, a hard link
 *     to every file of the folder's top level (the old set among them) and,
 *     for each subfolder, a symlink "../.FOLDER.depmod-RANDOM/SUB": once the
 *     two folders trade names, the symlink leads into the real subfolder.
 *     The filesystem is synced.
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
 * Readers see the old set up to step 5 and the new one after it.
 *
 * Runs on one folder are serialised from dirswap_begin to the commit by
 * flock() on a lock file ".depmod.lock" in the folder above the real one
 * (symlinks resolved). It is made exclusively, mode 0600, so only this user
 * can open it, and so lock it: a lock on a folder could be taken by anyone
 * who can read the folder, and held forever. The run that holds it removes
 * it before letting go; a run that waited on a file since removed (or
 * replaced) tries again with the file now there. A file at that name that is
 * not ours (a regular file of this user, no other links, no group or other
 * bits) is not used; nor is a folder above that cannot be written: the
 * folder above is then flock()ed itself, which stays put while the version
 * folder is exchanged (the version folder only where there is no folder
 * above to open). Any other failure to open the lock file stops the run.
 * The caller takes the lock before it reads the tree: a run that read the
 * tree while another's mirror stood in would read a folder being taken
 * apart. Under the lock each run first finishes what a killed one
 * left: if the live folder holds the marker it is a mirror (killed between
 * 3 and 5), so the temporary files still in the real folder are renamed in
 * (they were complete before step 3) and the folders are exchanged back; a
 * mirror beside the folder is taken apart as in step 6; stale temporary
 * files are removed, on every path (no other run can be writing them).
 *
 * Where the folders cannot be exchanged (a filesystem or kernel without
 * RENAME_EXCHANGE, the folder a mount point, no hard links, no write access
 * to the folder above, CONFIG_FEATURE_DEPMOD_EXCHANGE off), the temporary
 * files are renamed into place one by one: each file is then whole at every
 * moment, but the set is mixed until the last rename. Unless the
 * configuration asked for that, it is said once on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoconf.h"
#include "dirswap.h"
#include "fileopen.h"
#include "kconfig.h"
#include "kernel.h"
#include "msg.h"

#define MARKER ".depmod-mirror"
#define LOCKFILE ".depmod.lock"
/* In the real folder, offline: its set is being put back to the old one */
#define BROKEN ".depmod-undo"
#define STAGE_INFIX ".depmod-"

static bool dot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

/* Which replaced file name is, or of which it is a temporary file
 * ("NAME.HEX.tmp"; older runs wrote NAME.PID.tmp); -1 for neither. */
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
		/* NAME.HEX.tmp exactly: "modules.dep.bin.1.tmp" is not modules.dep's */
		if (name[n] == '.' && len > n + 5 && strcmp(name + len - 4, ".tmp") == 0 &&
		    strspn(name + n + 1, "0123456789abcdef") == len - n - 5)
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

/* The marker of a mirror of ours: a regular file this user made (a name
 * planted beside the folder by someone else has none). */
static bool has_marker(int fd)
{
	struct stat st;

	return fstatat(fd, MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       st.st_uid == geteuid();
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

		/* the marker goes last: a run killed while taking the
		 * mirror apart leaves it recognisable as ours */
		if (dot(name) || strcmp(name, MARKER) == 0)
			continue;
		if (fstatat(m, name, &sm, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		have = fstatat(live, name, &sl, AT_SYMLINK_NOFOLLOW) == 0;
		snprintf(want, sizeof(want), "../%s/%s", mname, name);
		if (replaced(s, name, &tmp) >= 0 ||
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
	if (err == 0 && unlinkat(m, MARKER, 0) < 0 && errno != ENOENT)
		err = -errno;
	if (err == 0 && unlinkat(s->parent, mname, AT_REMOVEDIR) < 0)
		err = -errno;
	return err;
}

/* Rename the temporary files a killed run left in dir over their files:
 * regular files only (nothing planted at such a name becomes an index). */
static int rename_tmp(const struct dirswap *s, int dir_fd, const char *dname)
{
	DIR *dir = dir_of(dir_fd);
	struct dirent *e;
	int err = 0;

	if (dir == NULL)
		return -errno;
	while ((e = readdir(dir)) != NULL) {
		struct stat st;
		bool tmp;
		int i = replaced(s, e->d_name, &tmp);

		if (i < 0 || !tmp || fstatat(dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (renameat(dir_fd, e->d_name, dir_fd, s->names[i]) < 0 && err == 0) {
			err = -errno;
			msg_err("could not rename %s/%s to %s: %s", dname, e->d_name, s->names[i], msg_strerror(errno));
		}
	}
	closedir(dir);
	return err;
}

/* Rename this run's new files over the old ones in dir (the real folder).
 * On a failure, the files not yet renamed are removed, and *done says how
 * many were. */
static int rename_new(struct dirswap *s, int dir_fd, const char *dname, size_t *done)
{
	for (size_t i = 0; i < s->nnames; i++) {
		if (renameat(dir_fd, s->tmp[i], dir_fd, s->names[i]) < 0) {
			int err = -errno;

			msg_err("could not rename %s/%s to %s: %s", dname, s->tmp[i], s->names[i], msg_strerror(errno));
			for (size_t k = i; k < s->nnames; k++)
				unlinkat(dir_fd, s->tmp[k], 0);
			*done = i;
			return err;
		}
	}
	*done = s->nnames;
	return 0;
}

/* Undo the first n renames of rename_new in dir (the real folder, offline)
 * from the mirror m, which links the old files: each old file is linked
 * back under a fresh name and renamed over the new one; a file the old set
 * did not have is removed. 0 when dir holds the old set again, or -errno. */
static int restore_old(const struct dirswap *s, int m, int dir_fd, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		char prefix[300], tmp[300];
		struct stat st;
		int r;

		if (fstatat(m, s->names[k], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT || (unlinkat(dir_fd, s->names[k], 0) < 0 && errno != ENOENT))
				return -errno;
			continue;
		}
		snprintf(prefix, sizeof(prefix), "%s.", s->names[k]);
		r = link_unique(m, s->names[k], dir_fd, prefix, ".tmp", tmp, sizeof(tmp));
		if (r < 0)
			return r;
		if (renameat(dir_fd, tmp, dir_fd, s->names[k]) < 0) {
			r = -errno;
			unlinkat(dir_fd, tmp, 0);
			return r;
		}
	}
	return fsync(dir_fd) < 0 ? -errno : 0;
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
		if (!has_marker(fd) && !has_marker(s->live)) {
			/* Not a mirror of ours: only an empty folder (a run killed
			 * before it marked its mirror) is removed; anything else
			 * under such a name is left alone. */
			close(fd);
			unlinkat(s->parent, name, AT_REMOVEDIR);
			continue;
		}
		if (has_marker(s->live) && !has_marker(fd)) {
			/* Killed between the exchanges: the real folder is here,
			 * its new files complete (finish them), or, when it holds
			 * the undo marker, half put back to the old set (finish
			 * that, from the mirror's links); then put it back. */
			struct stat st;

			if (fstatat(fd, BROKEN, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
			    st.st_uid == geteuid()) {
				r = restore_old(s, s->live, fd, s->nnames);
				if (r == 0 && unlinkat(fd, BROKEN, 0) < 0)
					r = -errno;
			} else {
				r = rename_tmp(s, fd, name);
			}
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
				 msg_strerror(-r));
	}
	closedir(dir);
}

/* The real folder's name and the folder above it (symlinks resolved);
 * false when it has none that fits. */
static bool split_real(struct dirswap *s, const char *real, char *parent, size_t size)
{
	const char *slash = strrchr(real, '/');
	size_t plen;

	if (slash == NULL || slash[1] == '\0' || strlen(slash + 1) >= sizeof(s->base))
		return false;
	plen = slash == real ? 1 : (size_t)(slash - real);
	if (plen >= size)
		return false;
	memcpy(parent, real, plen);
	parent[plen] = '\0';
	strcpy(s->base, slash + 1);
	return true;
}

/* The lock file in the folder above: made exclusively, or the one a run
 * left (killed, or releasing it right now) if it is ours: a regular file of
 * this user, private, with no other name. -EAGAIN: it went away meanwhile;
 * -EEXIST: something not ours is at the name; else -errno of the open. */
static int open_lockfile(int dir)
{
	struct stat st;
	int fd = openat(dir, LOCKFILE, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd >= 0) {
		fchmod(fd, 0600); /* whatever the umask took away: this user opens it read-write */
		return fd;
	}
	if (errno != EEXIST)
		return -errno;
	/* Read-write: NFS emulates flock with fcntl locks, whose exclusive
	 * lock needs a file open for writing. */
	fd = openat(dir, LOCKFILE, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EAGAIN : errno == ELOOP || errno == EACCES ? -EEXIST : -errno;
	if (fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (st.st_nlink == 0) {
		/* removed by the run that held it, as it let go: try again */
		close(fd);
		return -EAGAIN;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0 || st.st_nlink != 1) {
		close(fd);
		return -EEXIST;
	}
	return fd;
}

/* Whether the lock file's name still leads to the file open as fd. */
static bool is_lockfile(int dir, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && fstatat(dir, LOCKFILE, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Lock other runs on the folder out (waiting for one that holds it): 0 with
 * s->lock set, or -errno (nothing held). */
static int take_lock(struct dirswap *s, const char *real)
{
	for (;;) {
		int fd = -EACCES;

		s->lockfile = false;
		if (s->above >= 0) {
			fd = open_lockfile(s->above);
			if (fd == -EAGAIN)
				continue;
			s->lockfile = fd >= 0;
			if (fd == -EEXIST) {
				msg_warn("%s%s: not depmod's lock file (not a private regular file of this user); "
					 "locking the folder %s instead", s->stagepath, LOCKFILE, s->stagepath);
			} else if (fd < 0 && fd != -EACCES && fd != -EPERM && fd != -EROFS) {
				/* out of descriptors, space, memory...: a run that
				 * went on unlocked could take another's exchange
				 * apart */
				msg_err("%s%s: %s", s->stagepath, LOCKFILE, msg_strerror(-fd));
				s->said = true;
				return fd;
			}
		}
		if (fd < 0) {
			/* The folder above cannot take a file of ours (or
			 * something else is at the name): every run in that
			 * case locks the folder above itself, which stays put
			 * while the version folder is exchanged; the version
			 * folder only where there is no folder above. */
			fd = s->above >= 0 ? fcntl(s->above, F_DUPFD_CLOEXEC, 0)
					   : open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				return -errno;
		}
		while (flock(fd, LOCK_EX) < 0) {
			if (errno == ENOLCK || errno == EOPNOTSUPP) {
				/* NFS without lockd, a filesystem without locks:
				 * run unlocked, as depmod always did, and say so. */
				msg_warn("%s: cannot lock it (%s); another depmod on this tree may interleave",
					 s->path, msg_strerror(errno));
				break;
			}
			if (errno != EINTR) {
				int err = -errno;

				close(fd);
				return err;
			}
		}
		/* The run waited for removed its lock file as it let go
		 * (or its owner replaced it): lock the one there now. */
		if (s->lockfile && !is_lockfile(s->above, fd)) {
			close(fd);
			continue;
		}
		s->lock = fd;
		return 0;
	}
}

/* Let the next run in: the lock file goes while still held (a run waiting
 * on it then sees it gone and makes its own). */
static void release(struct dirswap *s)
{
	if (s->live >= 0)
		close(s->live);
	if (s->lock >= 0) {
		if (s->lockfile && is_lockfile(s->above, s->lock))
			unlinkat(s->above, LOCKFILE, 0);
		close(s->lock); /* and the lock with it */
	}
	if (s->above >= 0)
		close(s->above);
	s->live = s->parent = s->above = s->lock = -1;
	s->lockfile = false;
}

int dirswap_begin(struct dirswap *s, const char *path, const char *const *names, size_t nnames)
{
	char real[PATH_MAX], parent[PATH_MAX];
	struct stat sp, sl;
	int err;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->names = names;
	s->nnames = nnames;
	s->lock = s->above = s->parent = s->live = -1;
	if (nnames > DIRSWAP_MAX_NAMES)
		return -EINVAL;
	if (realpath(path, real) == NULL)
		return -errno;
	if (!split_real(s, real, parent, sizeof(parent)))
		s->why_not = "the folder above it cannot be opened";
	else if (snprintf(s->stagepath, sizeof(s->stagepath), "%s%s", parent, strcmp(parent, "/") == 0 ? "" : "/") >=
		 (int)sizeof(s->stagepath) - 64)
		s->why_not = "its path is too long";
	else if ((s->above = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		s->why_not = "the folder above it cannot be opened";
	err = take_lock(s, real);
	if (err < 0) {
		if (s->above >= 0)
			close(s->above);
		s->above = -1;
		return err;
	}
	/* Opened only now: until the lock, another run's mirror may have
	 * stood in for the folder. */
	s->live = s->above >= 0 ? open_dir_at(s->above, s->base) : fcntl(s->lock, F_DUPFD_CLOEXEC, 0);
	if (s->live < 0) {
		err = -errno;
		release(s);
		return err;
	}
	if (s->above >= 0) {
		s->parent = s->above;
		if (fstat(s->parent, &sp) == 0 && fstat(s->live, &sl) == 0 && sp.st_dev != sl.st_dev) {
			s->why_not = "it is a mount point";
			s->parent = -1;
		} else {
			recover(s);
		}
	}
	if (!IS_ENABLED(CONFIG_FEATURE_DEPMOD_EXCHANGE)) {
		s->why_not = NULL; /* renaming one by one is what was asked for */
		s->parent = -1;
	}
	remove_stale_tmp(s);
	return 0;
}

int dirswap_create(struct dirswap *s, size_t i)
{
	char prefix[300];
	int fd;

	if (i >= s->nnames || snprintf(prefix, sizeof(prefix), "%s.", s->names[i]) >= (int)sizeof(prefix))
		return -EINVAL;
	fd = create_unique(s->live, prefix, ".tmp", s->tmp[i], sizeof(s->tmp[i]), 0644);
	if (fd < 0)
		s->tmp[i][0] = '\0';
	return fd;
}

void dirswap_abort(struct dirswap *s)
{
	for (size_t i = 0; i < s->nnames; i++)
		if (s->tmp[i][0] != '\0')
			unlinkat(s->live, s->tmp[i], 0);
	release(s);
}

/* The mirror: a new folder of ours beside the folder, or -errno. */
static int make_mirror(struct dirswap *s)
{
	char prefix[300];
	size_t plen = strlen(s->stagepath);
	struct stat st;
	int m, err;

	snprintf(prefix, sizeof(prefix), ".%s" STAGE_INFIX, s->base);
	err = mkdir_unique(s->parent, prefix, "", s->stagename, sizeof(s->stagename), 0700);
	if (err < 0) {
		s->stagename[0] = '\0'; /* the name tried last is somebody else's */
		return err;
	}
	if (snprintf(s->stagepath + plen, sizeof(s->stagepath) - plen, "%s", s->stagename) >=
	    (int)(sizeof(s->stagepath) - plen)) {
		unlinkat(s->parent, s->stagename, AT_REMOVEDIR);
		return -ENAMETOOLONG;
	}
	/* Still the folder made above: not swapped for a symlink or for a
	 * folder of somebody else's in the meantime. */
	m = open_dir_at(s->parent, s->stagename);
	if (m < 0)
		return -errno;
	if (fstat(m, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		close(m);
		return -EPERM; /* not ours to fill or remove */
	}
	return m;
}

/*
 * Steps 2 to 6. 1: the folders cannot be exchanged here, nothing changed
 * (the caller renames instead; *why says why); 0: done; -errno: failed
 * after the first exchange, with a message (readers see the mirror: the
 * old set).
 */
static int exchange(struct dirswap *s, const char **why, int *why_err)
{
	struct stat st;
	size_t done;
	int m, fd, err, r;

	m = make_mirror(s);
	if (m < 0) {
		*why = "could not make a mirror beside it";
		*why_err = m;
		return 1;
	}
	fd = openat(m, MARKER, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	err = fd < 0 ? -errno : close(fd);
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
	*why = "could not fill its mirror";
	if (err == 0) {
		err = kernel_rename_exchange(s->parent, s->stagename, s->parent, s->base);
		*why = "could not exchange it with its mirror";
	}
	if (err != 0) {
		*why_err = err;
		take_apart(s, m, s->stagename, s->live);
		close(m);
		return 1;
	}
	/* Readers see the mirror; the folder is offline under the mirror's name. */
	err = rename_new(s, s->live, s->stagepath, &done);
	if (err == 0 && fsync(s->live) < 0) {
		err = -errno;
		msg_err("could not sync %s: %s", s->stagepath, msg_strerror(errno));
	}
	if (err < 0) {
		/* The folder must not come back with part of the new set (nor
		 * be put back by the next run's recovery so): the old files,
		 * which the mirror links, go back first. The undo marker says
		 * so to a run that finds this folder offline (this one killed,
		 * or the undo failing): it finishes the undo. */
		int mk = openat(s->live, BROKEN, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		int r = mk < 0 && errno != EEXIST ? -errno : 0;

		if (mk >= 0)
			close(mk);
		if (r == 0 && fsync(s->live) < 0)
			r = -errno;
		if (r == 0)
			r = restore_old(s, m, s->live, done);
		if (r == 0 && unlinkat(s->live, BROKEN, 0) < 0)
			r = -errno;
		if (r < 0) {
			msg_err("could not put the old index files back in %s: %s; readers see them through %s, "
				"and the next depmod finishes putting them back", s->stagepath, msg_strerror(-r), s->path);
			close(m);
			return err;
		}
	}
	r = kernel_rename_exchange(s->parent, s->stagename, s->parent, s->base);
	if (r < 0) {
		msg_err("could not exchange %s and %s: %s", s->stagepath, s->path, msg_strerror(-r));
		close(m);
		return err < 0 ? err : r;
	}
	if (fsync(s->parent) < 0 && err == 0) {
		err = -errno;
		msg_err("could not sync the folder above %s: %s", s->path, msg_strerror(errno));
	}
	r = take_apart(s, m, s->stagename, s->live);
	if (r < 0)
		msg_warn("could not remove %s: %s", s->stagepath, msg_strerror(-r));
	close(m);
	return err;
}

int dirswap_commit(struct dirswap *s)
{
	const char *why = s->why_not;
	int err = 1, why_err = 0;
	size_t done;

	if (s->parent >= 0)
		err = exchange(s, &why, &why_err);
	if (err == 1) {
		if (why != NULL)
			msg_warn("%s: cannot replace the index files as one set (%s%s%s); renaming them one by one",
				 s->path, why, why_err ? ": " : "", why_err ? msg_strerror(-why_err) : "");
		err = rename_new(s, s->live, s->path, &done);
		if (fsync(s->live) < 0 && err == 0) {
			err = -errno;
			msg_err("could not sync %s: %s", s->path, msg_strerror(errno));
		}
	}
	release(s);
	return err;
}
