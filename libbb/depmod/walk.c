// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding the modules: the tree walk, which file of a name wins, and
 * -A's check for a module newer than modules.dep. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod_int.h"

/* A module file this build can read. */
bool dm_module_suffix(const char *name, size_t len)
{
	int comp = modname_suffix(name, len);

	return comp >= 0 && modcomp_supported((enum modcomp)comp);
}

/* kmod's module name of a path: basename up to the first '.', '-' as '_'. */
size_t dm_path_modname(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i + 1 < size && base[i] != '\0' && base[i] != '.'; i++)
		out[i] = base[i] == '-' ? '_' : base[i];
	out[i] = '\0';
	return i;
}

static bool starts_dir(const char *path, size_t len, const char *prefix, size_t plen)
{
	return len > plen && path[plen] == '/' && memcmp(path, prefix, plen) == 0;
}

/*
 * Whether the module found first (old) wins over a new file of the same
 * name: overrides first, then the position in the search list, where the
 * list is walked the way kmod keeps it (last configured first) and each
 * external folder counts one step more.
 */
static bool old_wins(const struct dm *d, const struct mod *old, const char *newpath,
		     size_t baselen, size_t namelen)
{
	size_t newlen = baselen + namelen, oldlen = old->baselen + 1 + old->namelen;
	const char *rnew = NULL, *rold = NULL;
	size_t rnewlen = 0, roldlen = 0;
	long bprio = -1, oldprio = -1, newprio = -1, i = 0;

	if (strncmp(newpath, d->dirname, d->dirnamelen) == 0) {
		rnew = newpath + d->dirnamelen + 1;
		rnewlen = newlen - (d->dirnamelen + 1);
	}
	if (strncmp(old->path, d->dirname, d->dirnamelen) == 0) {
		rold = old->path + d->dirnamelen + 1;
		roldlen = oldlen - (d->dirnamelen + 1);
	}
	for (size_t k = d->overrides.n; k-- > 0;) {
		const struct cfg_item *o = &d->overrides.v[k];

		if (rnew && rnewlen == o->len && memcmp(o->path, rnew, rnewlen) == 0)
			return false;
		if (rold && roldlen == o->len && memcmp(o->path, rold, roldlen) == 0)
			return true;
	}
	for (size_t k = d->searches.n; k-- > 0; i++) {
		const struct cfg_item *s = &d->searches.v[k];

		if (s->type == SEARCH_BUILTIN) {
			bprio = i;
		} else if (s->type == SEARCH_EXTERNAL) {
			for (size_t e = d->externals.n; e-- > 0; i++) {
				const struct cfg_item *x = &d->externals.v[e];

				if (starts_dir(newpath, newlen, x->path, x->len))
					newprio = i;
				if (starts_dir(old->path, oldlen, x->path, x->len))
					oldprio = i;
			}
		} else if (rnew && rnewlen > s->len && rnew[s->len] == '/' &&
			   memcmp(s->path, rnew, s->len) == 0) {
			newprio = i;
		} else if (rold && roldlen > s->len && rold[s->len] == '/' &&
			   memcmp(s->path, rold, s->len) == 0) {
			oldprio = i;
		}
	}
	if (newprio < 0)
		newprio = bprio;
	if (oldprio < 0)
		oldprio = bprio;
	return newprio <= oldprio;
}

int dm_module_add(struct dm *d, const char *path, bool replace_check)
{
	char name[PATH_MAX];
	size_t namelen = dm_path_modname(path, name, sizeof(name));
	const char *slash = strrchr(path, '/');
	struct sslot *s;
	struct mod *m;

	if (namelen == 0) {
		msg_err("could not get modname from path %s", path);
		return -EINVAL;
	}
	s = stab_get(&d->by_name, name, namelen, false);
	if (s->key != NULL) {
		struct mod *old = d->mods[s->val];

		if (!replace_check)
			return -EEXIST;
		if (old_wins(d, old, path, (size_t)(slash - path) + 1, namelen))
			return 0;
		/* The new file replaces the old one, at the old one's slot. */
		d->mods[s->val] = NULL;
		free(old->path);
		free(old->uncrelpath);
		free(old);
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL || (m->path = strdup(path)) == NULL) {
		free(m);
		return -ENOMEM;
	}
	m->baselen = (size_t)(slash - path);
	m->namelen = namelen;
	m->sort_idx = 1;
	m->name = xarena_dup(&d->strings, name, namelen);
	if (m->name == NULL)
		return -ENOMEM;
	if (strncmp(path, d->dirname, d->dirnamelen) == 0 && path[d->dirnamelen] == '/') {
		size_t len;

		m->relpath = m->path + d->dirnamelen + 1;
		/* The file name's module part, then ".ko": how modules.order
		 * names it, whatever the compression. */
		len = (size_t)(m->path + m->baselen - m->relpath) + 1 + namelen;
		m->uncrelpath = malloc(len + 4);
		if (m->uncrelpath == NULL)
			return -ENOMEM;
		memcpy(m->uncrelpath, m->relpath, len);
		memcpy(m->uncrelpath + len, ".ko", 4);
	}
	if (s->key != NULL) {
		d->mods[s->val] = m;
		s->key = m->name;
		return 0;
	}
	if (xarray_grow(&d->mods, d->nmods, 1, sizeof(*d->mods)) == NULL)
		return -ENOMEM;
	s = stab_get(&d->by_name, m->name, namelen, true);
	if (s == NULL)
		return -ENOMEM;
	s->val = (uint32_t)d->nmods;
	d->mods[d->nmods++] = m;
	return 0;
}

/* Folder entries no walk enters. */
static bool never_walked(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "build") == 0 ||
	       strcmp(name, "source") == 0;
}

static bool excluded(const struct dm *d, const char *name)
{
	if (never_walked(name))
		return true;
	for (size_t i = 0; i < d->excludes.n; i++)
		if (strcmp(name, d->excludes.v[i].path) == 0)
			return true;
	return false;
}

/* The folders being walked, innermost first: a symlink back to one of
 * them is not followed (it would walk for ever). */
struct walk {
	dev_t dev;
	ino_t ino;
	const struct walk *up;
};

static bool walk_loops(const struct walk *w, const struct stat *st)
{
	for (; w != NULL; w = w->up)
		if (w->dev == st->st_dev && w->ino == st->st_ino)
			return true;
	return false;
}

/*
 * path holds the folder and a '/' (baselen bytes); dir is open on it. A
 * folder or entry that cannot be read stops the walk (-errno, named): a set
 * written without it would drop its modules. What the tree holds that
 * cannot be indexed (a dangling symlink, a loop, a path too long, a FIFO)
 * is named and skipped, as kmod does.
 */
static int search_dir(struct dm *d, DIR *dir, char *path, size_t baselen, const struct walk *up)
{
	struct dirent *de;
	int dfd = dirfd(dir);
	struct walk here = { 0, 0, up };
	struct stat st;

	if (fstat(dfd, &st) == 0) {
		here.dev = st.st_dev;
		here.ino = st.st_ino;
	}

	while ((errno = 0, de = readdir(dir)) != NULL) {
		const char *name = de->d_name;
		size_t namelen = strlen(name);
		bool is_dir;

		if (excluded(d, name))
			continue;
		if (baselen + namelen + 2 >= PATH_MAX) {
			path[baselen] = '\0';
			msg_err("path is too long %s%s", path, name);
			continue;
		}
		memcpy(path + baselen, name, namelen + 1);
		if (de->d_type == DT_REG || de->d_type == DT_DIR) {
			is_dir = de->d_type == DT_DIR;
		} else {
			if (fstatat(dfd, name, &st, 0) < 0) {
				int err = -errno;

				msg_err("fstatat(%d, %s): %s", dfd, name, msg_strerror(errno));
				if (err == -ENOENT || err == -ELOOP || err == -ENAMETOOLONG)
					continue;
				return err;
			}
			if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
				msg_err("unsupported file type %s: %o", path, st.st_mode & S_IFMT);
				continue;
			}
			is_dir = S_ISDIR(st.st_mode);
			if (is_dir && walk_loops(&here, &st)) {
				msg_err("not following %s: a symbolic link loop", path);
				continue;
			}
		}
		if (is_dir) {
			int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			DIR *sub;

			int err;

			if (fd < 0 || (sub = fdopendir(fd)) == NULL) {
				err = -errno;
				msg_err("could not open directory %s: %s", path, msg_strerror(errno));
				if (fd >= 0)
					close(fd);
				return err;
			}
			path[baselen + namelen] = '/';
			path[baselen + namelen + 1] = '\0';
			err = search_dir(d, sub, path, baselen + namelen + 1, &here);
			closedir(sub);
			if (err < 0)
				return err;
		} else if (dm_module_suffix(name, namelen)) {
			int err = dm_module_add(d, path, true);

			if (err == -ENOMEM)
				return err;
			if (err < 0)
				msg_err("failed %s: %s", path, msg_strerror(-err));
		}
	}
	if (errno != 0) {
		int err = -errno;

		path[baselen] = '\0';
		msg_err("could not read directory %s: %s", path, msg_strerror(errno));
		return err;
	}
	return 0;
}

int dm_search_path(struct dm *d, const char *dirpath)
{
	char path[PATH_MAX];
	size_t len = strlen(dirpath);
	DIR *dir;
	int err;

	if (len + 2 >= sizeof(path))
		return -ENAMETOOLONG;
	dir = opendir(dirpath);
	if (dir == NULL) {
		err = -errno;
		msg_err("could not open directory %s: %s", dirpath, msg_strerror(errno));
		return err;
	}
	memcpy(path, dirpath, len);
	path[len] = '/';
	path[len + 1] = '\0';
	err = search_dir(d, dir, path, len + 1, NULL);
	closedir(dir);
	return err;
}

/* ---- -A ----------------------------------------------------------------- */

/* 1 when no module below path is newer than mtime, 0 when one is. */
static int up_to_date_dir(DIR *dir, time_t mtime)
{
	struct dirent *de;
	int dfd = dirfd(dir);

	while ((de = readdir(dir)) != NULL) {
		const char *name = de->d_name;
		struct stat st;

		if (never_walked(name) || fstatat(dfd, name, &st, 0) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			DIR *sub = fd >= 0 ? fdopendir(fd) : NULL;
			int r;

			if (sub == NULL) {
				if (fd >= 0)
					close(fd);
				continue;
			}
			r = up_to_date_dir(sub, mtime);
			closedir(sub);
			if (r == 0)
				return 0;
		} else if (S_ISREG(st.st_mode) && dm_module_suffix(name, strlen(name)) && st.st_mtime > mtime) {
			return 0;
		}
	}
	return 1;
}

int dm_up_to_date(const struct dm *d)
{
	struct stat st;
	char dep[PATH_MAX];
	DIR *dir = opendir(d->dirname);
	int r;

	if (dir == NULL) {
		msg_err("could not open directory %s: %s", d->dirname, msg_strerror(errno));
		return -1;
	}
	snprintf(dep, sizeof(dep), "%s/modules.dep", d->outdir);
	if (stat(dep, &st) != 0) {
		msg_err("could not fstatat(%s, modules.dep): %s", d->outdir, msg_strerror(errno));
		closedir(dir);
		return -1;
	}
	r = up_to_date_dir(dir, st.st_mtime);
	closedir(dir);
	return r;
}
