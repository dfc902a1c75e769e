// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod: write the dependency and alias indexes of a module tree. */
//config:config DEPMOD
//config:	bool "depmod"
//config:	default y
//config:	help
//config:	  Write modules.dep, modules.alias, modules.symbols,
//config:	  modules.softdep, modules.weakdep, modules.devname and the
//config:	  binary indexes modprobe reads, from the modules of a tree of
//config:	  any architecture (compressed or not), with depmod.d search,
//config:	  override, external and exclude. The files are replaced
//config:	  atomically. Output equals kmod's depmod.
//config:
//config:config FEATURE_DEPMOD_EXCHANGE
//config:	bool "Switch the whole set of index files in one step"
//config:	default y
//config:	depends on DEPMOD
//config:	help
//config:	  Write the new files into a staging folder beside the module
//config:	  folder that mirrors it with hard links, and exchange the two
//config:	  folders in one rename (renameat2 RENAME_EXCHANGE), so that
//config:	  readers and a power cut see all old or all new files. Without
//config:	  it (or where the filesystem cannot), each file is replaced by
//config:	  its own rename: every file is whole, but the set can be mixed
//config:	  until the last rename.
//applet:APPLET(depmod)

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confline.h"
#include "dirswap.h"
#include "fileopen.h"
#include "ere.h"
#include "libbb.h"
#include "moddeps.h"
#include "modelf.h"
#include "modindex_write.h"
#include "modparts.h"
#include "xarray.h"

static const char usage[] =
	"[-aAenvw] [-b DIR] [-m MODULEDIR] [-o DIR] [-C CONFIG]...\n"
	"       [-E Module.symvers | -F System.map] [-P PREFIX] [VERSION] [MODULE...]\n"
	"Write modules.dep, the alias and symbol lists and the binary indexes of\n"
	"/lib/modules/VERSION (the running kernel's by default).\n"
	"  -a, --all            all modules of the tree (the default)\n"
	"  -A, --quick          only when a module is newer than modules.dep\n"
	"  -b, --basedir DIR    root folder holding lib/modules\n"
	"  -m, --moduledir DIR  module folder below the root instead of /lib/modules\n"
	"  -o, --outdir DIR     root folder to write the files under instead of -b's\n"
	"  -C, --config PATH    depmod.d folder or file instead of the defaults\n"
	"  -E, --symvers FILE   kernel symbols and CRCs from Module.symvers\n"
	"  -F, --filesyms FILE  kernel symbols from System.map\n"
	"  -e, --errsyms        report symbols nothing provides (needs -E or -F)\n"
	"  -n, --show, --dry-run  write the text files to standard output only\n"
	"  -P, --symbol-prefix C  architecture symbol prefix\n"
	"  -w, --warn           warn on duplicate aliases and symbols\n"
	"  -v, --verbose        show each dependency found\n"
	"  -V, --version        show version\n"
	"  -h, --help           show this help\n"
	"MODULE... (absolute paths) indexes only these files, without depmod.d.\n";

/* ---- storage ------------------------------------------------------------ */

/* A growing byte or word vector. */
struct vec {
	void *v;                /* an xarray */
	size_t n, size;
};

static void *vec_push(struct vec *x, size_t count)
{
	void *p = xarray_grow(&x->v, x->n, count, x->size);

	if (p != NULL)
		x->n += count;
	return p;
}

/* String -> number, open addressing. Keys are not copied. */
struct stab {
	struct sslot {
		const char *key;
		uint32_t len, hash, val;
	} *s;
	size_t mask, n;
};

static struct sslot *stab_slot(const struct stab *t, const char *key, size_t len, uint32_t h)
{
	size_t i = h & t->mask;

	while (t->s[i].key != NULL) {
		if (t->s[i].hash == h && t->s[i].len == len && memcmp(t->s[i].key, key, len) == 0)
			return &t->s[i];
		i = (i + 1) & t->mask;
	}
	return &t->s[i];
}

static int stab_grow(struct stab *t)
{
	struct stab n = { .mask = t->mask ? t->mask * 2 + 1 : 1023 };

	n.s = calloc(n.mask + 1, sizeof(*n.s));
	if (n.s == NULL)
		return -ENOMEM;
	for (size_t i = 0; t->s && i <= t->mask; i++)
		if (t->s[i].key != NULL)
			*stab_slot(&n, t->s[i].key, t->s[i].len, t->s[i].hash) = t->s[i];
	n.n = t->n;
	free(t->s);
	*t = n;
	return 0;
}

/* Returns the slot of key (key == NULL when absent), or NULL when out of
 * memory with insert set. With insert the slot is claimed for key. */
static struct sslot *stab_get(struct stab *t, const char *key, size_t len, bool insert)
{
	uint32_t h = modelf_name_hash(key, len);
	struct sslot *s;

	if (insert && (t->s == NULL || (t->n + 1) * 4 > (t->mask + 1) * 3) && stab_grow(t) < 0)
		return NULL;
	if (t->s == NULL) {
		static struct sslot none;

		return &none;
	}
	s = stab_slot(t, key, len, h);
	if (insert && s->key == NULL) {
		s->key = key;
		s->len = (uint32_t)len;
		s->hash = h;
		s->val = UINT32_MAX;
		t->n++;
	}
	return s;
}

/* ---- state -------------------------------------------------------------- */

enum search_type { SEARCH_PATH, SEARCH_BUILTIN, SEARCH_EXTERNAL };

struct cfg_item {
	char *path;
	size_t len;
	int type;
};

struct cfg_list {
	struct cfg_item *v;
	size_t n;
};

struct mod {
	char *path;             /* full path */
	const char *relpath;    /* below the module folder, or NULL */
	char *uncrelpath;       /* relpath ending in .ko, for modules.order */
	char *name;
	size_t baselen;         /* offset of the last '/' of path */
	size_t namelen;
	int sort_idx;
	uint32_t idx;
	uint32_t info_off, info_len;   /* records in dm.info */
	uint32_t imp_off, imp_n;       /* imports in dm.imports */
};

/* An import: symbol number and flags. */
#define IMP_WEAK   0x80000000u
#define IMP_DOT    0x40000000u
#define IMP_PREFIX 0x20000000u
#define IMP_ID     0x1fffffffu

struct sym {
	const char *name;
	uint32_t len;
	int32_t owner;          /* module number, -1: the kernel or nobody */
	bool defined;           /* in kmod's symbol table */
	uint64_t crc;
};

struct dm {
	struct modctx ctx;
	const char *dirname;
	size_t dirnamelen;
	struct modctx outctx;   /* -o: where the files go (ctx.moddir without it) */
	const char *outdir;
	char sym_prefix;
	bool check_symvers, print_unknown, warn_dups;
	struct cfg_list searches, overrides, externals, excludes;

	struct xarena strings;  /* paths, names, symbol names */
	struct mod **mods;      /* during the search: by arrival, NULL = replaced */
	size_t nmods;
	struct stab by_name;    /* name -> index in mods */
	struct mod **array;     /* kmod's module order */
	size_t n;

	struct vec syms;        /* struct sym */
	struct stab by_sym;     /* name -> index in syms */
	struct vec info;        /* records: type byte, value, NUL */
	struct vec imports;     /* uint32_t */
	struct vec crcs;        /* uint64_t, parallel to imports with -E */
	struct moddeps g;
};

/* ---- configuration (depmod.d) ------------------------------------------- */

static int list_add(struct cfg_list *l, const char *path, int type)
{
	struct cfg_item *v = xarray_grow(&l->v, l->n, 1, sizeof(*v));

	if (v == NULL || (v->path = strdup(path)) == NULL)
		return -ENOMEM;
	v->len = strlen(path);
	v->type = type;
	l->n++;
	return 0;
}

static void list_free(struct cfg_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* kmod takes the version as a POSIX ERE; one it cannot compile never matches. */
static bool kernel_matches(const struct dm *d, const char *pattern)
{
	int r;

	if (strcmp(pattern, "*") == 0)
		return true;
	r = ere_match(pattern, d->ctx.kver);
	if (r < 0)
		msg_warn("kernel version pattern '%s' ignored: %s", pattern,
			 r == -EINVAL ? "not a POSIX extended regular expression" : "too large to match");
	return r > 0;
}

static void cfg_parse(struct dm *d, const char *file)
{
	struct confline r;
	const char *why;
	char *line;
	int err = confline_open(&r, file, &why);

	if (err < 0) {
		msg_err("file parse %s: %s", file, why);
		return;
	}
	while ((line = confline_next(&r)) != NULL) {
		unsigned lineno = r.lineno;
		char *save, *cmd, *a, *b, *c;

		if (line[0] == '\0' || line[0] == '#')
			continue;
		cmd = strtok_r(line, "\t ", &save);
		if (cmd == NULL)
			continue;
		if (strcmp(cmd, "search") == 0) {
			while ((a = strtok_r(NULL, "\t ", &save)) != NULL)
				list_add(&d->searches, a, strcmp(a, "built-in") == 0 ? SEARCH_BUILTIN :
						       strcmp(a, "external") == 0 ? SEARCH_EXTERNAL : SEARCH_PATH);
			continue;
		}
		if (strcmp(cmd, "override") == 0) {
			a = strtok_r(NULL, "\t ", &save);   /* module */
			b = strtok_r(NULL, "\t ", &save);   /* kernel */
			c = strtok_r(NULL, "\t ", &save);   /* subdir */
			if (a != NULL && b != NULL && c != NULL) {
				char *p;

				if (!kernel_matches(d, b)) {
					msg_info("%s:%u: override kernel did not match %s", file, lineno, b);
					continue;
				}
				if (asprintf(&p, "%s/%s", c, a) >= 0) {
					list_add(&d->overrides, p, 0);
					free(p);
				}
				continue;
			}
		} else if (strcmp(cmd, "external") == 0) {
			a = strtok_r(NULL, "\t ", &save);   /* kernel */
			b = strtok_r(NULL, "\t ", &save);   /* folder */
			if (a != NULL && b != NULL) {
				if (!kernel_matches(d, a)) {
					msg_info("%s:%u: external directory did not match %s", file, lineno, a);
					continue;
				}
				list_add(&d->externals, b, 0);
				continue;
			}
		} else if (strcmp(cmd, "exclude") == 0) {
			while ((a = strtok_r(NULL, "\t ", &save)) != NULL)
				list_add(&d->excludes, a, 0);
			continue;
		} else if (strcmp(cmd, "include") == 0 || strcmp(cmd, "make_map_files") == 0) {
			msg_info("%s:%u: command %s not implemented yet", file, lineno, cmd);
			continue;
		}
		msg_err("%s:%u: ignoring bad line starting with '%s'", file, lineno, cmd);
	}
	confline_close(&r);
}

struct cfg_file {
	char *path;
	const char *name;
};

static int cfg_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cfg_file *)a)->name, ((const struct cfg_file *)b)->name);
}

/* Add a file unless a file of that basename came first. */
static void cfg_file_add(struct cfg_file **files, size_t *n, const char *dir, const char *name)
{
	struct cfg_file *f;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*files)[i].name, name) == 0)
			return;
	f = xarray_grow(files, *n, 1, sizeof(*f));
	if (f == NULL || asprintf(&f->path, "%s/%s", dir, name) < 0)
		return;
	f->name = f->path + strlen(dir) + 1;
	(*n)++;
}

static void cfg_load(struct dm *d, char **paths, size_t npaths)
{
	static const char *const defaults[] = {
		"/etc/depmod.d", "/run/depmod.d", "/usr/local/lib/depmod.d",
		"/usr/lib/depmod.d", "/lib/depmod.d",
	};
	struct cfg_file *files = NULL;
	size_t n = 0;

	if (npaths == 0) {
		paths = (char **)defaults;
		npaths = ARRAY_SIZE(defaults);
	}
	for (size_t i = 0; i < npaths; i++) {
		struct stat st;
		struct dirent *de;
		DIR *dir;

		if (stat(paths[i], &st) != 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			/* A file given with -C: sorted by its basename too. */
			char *dup = strdup(paths[i]), *slash;

			if (dup == NULL)
				continue;
			slash = strrchr(dup, '/');
			if (slash != NULL) {
				*slash = '\0';
				cfg_file_add(&files, &n, slash == dup ? "" : dup, slash + 1);
			} else {
				cfg_file_add(&files, &n, ".", dup);
			}
			free(dup);
			continue;
		}
		dir = opendir(paths[i]);
		if (dir == NULL) {
			msg_err("files list %s: %s", paths[i], strerror(errno));
			continue;
		}
		while ((de = readdir(dir)) != NULL) {
			size_t len = strlen(de->d_name);

			if (de->d_name[0] == '.')
				continue;
			if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0) {
				msg_info("All cfg files need .conf: %s/%s", paths[i], de->d_name);
				continue;
			}
			if (fstatat(dirfd(dir), de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
				msg_err("Directories inside directories are not supported: %s/%s",
					paths[i], de->d_name);
				continue;
			}
			cfg_file_add(&files, &n, paths[i], de->d_name);
		}
		closedir(dir);
	}
	/* Sorted by basename; insertion above kept the first of each name. */
	if (n > 1)
		qsort(files, n, sizeof(*files), cfg_file_cmp);
	for (size_t i = 0; i < n; i++) {
		cfg_parse(d, files[i].path);
		free(files[i].path);
	}
	free(files);
	if (d->searches.n == 0)
		list_add(&d->searches, "updates", SEARCH_PATH);
}

/* ---- finding the modules ------------------------------------------------ */

/* A module file this build can read. */
static bool module_suffix(const char *name, size_t len)
{
	int comp = modname_suffix(name, len);

	return comp >= 0 && modcomp_supported((enum modcomp)comp);
}

/* kmod's module name of a path: basename up to the first '.', '-' as '_'. */
static size_t path_modname(const char *path, char *out, size_t size)
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

static int module_add(struct dm *d, const char *path, bool replace_check)
{
	char name[PATH_MAX];
	size_t namelen = path_modname(path, name, sizeof(name));
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

				msg_err("fstatat(%d, %s): %s", dfd, name, strerror(errno));
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
				msg_err("could not open directory %s: %s", path, strerror(errno));
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
		} else if (module_suffix(name, namelen)) {
			int err = module_add(d, path, true);

			if (err == -ENOMEM)
				return err;
			if (err < 0)
				msg_err("failed %s: %s", path, strerror(-err));
		}
	}
	if (errno != 0) {
		int err = -errno;

		path[baselen] = '\0';
		msg_err("could not read directory %s: %s", path, strerror(errno));
		return err;
	}
	return 0;
}

static int search_path(struct dm *d, const char *dirpath)
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
		msg_err("could not open directory %s: %s", dirpath, strerror(errno));
		return err;
	}
	memcpy(path, dirpath, len);
	path[len] = '/';
	path[len + 1] = '\0';
	err = search_dir(d, dir, path, len + 1, NULL);
	closedir(dir);
	return err;
}

/* ---- module order ------------------------------------------------------- */

static int hash_order(const void *pa, const void *pb)
{
	const struct mod *a = *(struct mod *const *)pa, *b = *(struct mod *const *)pb;
	uint32_t ha = moddeps_kmod_hash(a->name, a->namelen) & 511;
	uint32_t hb = moddeps_kmod_hash(b->name, b->namelen) & 511;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int sort_order(const void *pa, const void *pb)
{
	const struct mod *a = *(struct mod *const *)pa, *b = *(struct mod *const *)pb;

	if (a->sort_idx != b->sort_idx)
		return a->sort_idx < b->sort_idx ? -1 : 1;
	/* stable: the hash order stays among equals */
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static FILE *open_in_dir(const struct dm *d, const char *name, bool quiet)
{
	char path[PATH_MAX];
	FILE *fp;

	if (modctx_modpath(&d->ctx, name, path, sizeof(path)) < 0)
		return NULL;
	fp = fopen_regular(path);
	if (fp == NULL && !quiet)
		msg_warn("could not open %s at %s: %s", name, d->dirname, file_strerror(-errno));
	return fp;
}

/*
 * kmod's order: its hash table of names, bucket by bucket, then
 * modules.order (a module's last line there counts); modules it does not
 * name follow in hash order.
 */
static int build_array(struct dm *d)
{
	struct stab by_path = { 0 };
	char line[PATH_MAX];
	unsigned idx = 0, total;
	FILE *fp;

	d->n = 0;
	d->array = malloc((d->nmods ? d->nmods : 1) * sizeof(*d->array));
	if (d->array == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < d->nmods; i++)
		if (d->mods[i] != NULL)
			d->array[d->n++] = d->mods[i];
	qsort(d->array, d->n, sizeof(*d->array), hash_order);
	for (size_t i = 0; i < d->n; i++)
		d->array[i]->idx = (uint32_t)i;

	fp = open_in_dir(d, "modules.order", false);
	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);

		idx++;
		if (len > 0 && line[len - 1] != '\n') {
			msg_err("%s/modules.order:%u corrupted line misses '\\n'", d->dirname, idx);
			fclose(fp);
			return 0;
		}
	}
	total = idx + 1;
	for (size_t i = 0; i < d->n; i++) {
		struct mod *m = d->array[i];
		struct sslot *s;

		if (m->uncrelpath == NULL)
			continue;
		s = stab_get(&by_path, m->uncrelpath, strlen(m->uncrelpath), true);
		if (s == NULL) {
			fclose(fp);
			free(by_path.s);
			return -ENOMEM;
		}
		s->val = (uint32_t)i;
	}
	rewind(fp);
	idx = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);
		struct sslot *s;

		idx++;
		if (len == 0)
			continue;
		line[len - 1] = '\0';
		s = stab_get(&by_path, line, len - 1, false);
		if (s->key != NULL)
			d->array[s->val]->sort_idx = (int)idx - (int)total;
	}
	fclose(fp);
	free(by_path.s);
	qsort(d->array, d->n, sizeof(*d->array), sort_order);
	for (size_t i = 0; i < d->n; i++)
		d->array[i]->idx = (uint32_t)i;
	return 0;
}

/* ---- symbols ------------------------------------------------------------ */

static struct sym *sym_at(struct dm *d, uint32_t id)
{
	return (struct sym *)d->syms.v + id;
}

/* The symbol's number, added (undefined) when new; UINT32_MAX: no memory. */
static uint32_t sym_intern(struct dm *d, const char *name, size_t len)
{
	struct sslot *s = stab_get(&d->by_sym, name, len, true);
	struct sym *y;

	if (s == NULL)
		return UINT32_MAX;
	if (s->val != UINT32_MAX)
		return s->val;
	y = vec_push(&d->syms, 1);
	if (y == NULL || (y->name = xarena_dup(&d->strings, name, len)) == NULL) {
		/* undo the claimed slot */
		s->key = NULL;
		d->by_sym.n--;
		if (y)
			d->syms.n--;
		return UINT32_MAX;
	}
	s->key = y->name;
	y->len = (uint32_t)len;
	y->owner = -1;
	y->defined = false;
	y->crc = 0;
	s->val = (uint32_t)(d->syms.n - 1);
	return s->val;
}

/* Like kmod's table: a later definition replaces an earlier one. */
static int sym_define(struct dm *d, const char *name, size_t len, bool prefix_skipped,
		      uint64_t crc, int32_t owner)
{
	uint32_t id;
	struct sym *y;

	if (!prefix_skipped && len > 0 && d->sym_prefix != '\0' && name[0] == d->sym_prefix) {
		name++;
		len--;
	}
	id = sym_intern(d, name, len);
	if (id == UINT32_MAX)
		return -ENOMEM;
	y = sym_at(d, id);
	y->defined = true;
	y->owner = owner;
	y->crc = crc;
	return 0;
}

static void add_fake_syms(struct dm *d)
{
	struct sslot *s;

	/* __this_module is made by the module loader; s390 fakes the GOT,
	 * and .TOC. is the ppc64 ELFv2 one. */
	sym_define(d, "__this_module", 13, true, 0, -1);
	sym_define(d, "_GLOBAL_OFFSET_TABLE_", 21, true, 0, -1);
	s = stab_get(&d->by_sym, "TOC.", 4, false);
	if (s->key == NULL || !sym_at(d, s->val)->defined)
		sym_define(d, "TOC.", 4, true, 0, -1);
}

/* "0x12345678\tsymbol\tvmlinux\tEXPORT_SYMBOL..." */
static int symvers_line(struct dm *d, const char *file, unsigned lineno, char *line)
{
	char *save, *ver, *sym, *where, *end;
	uint64_t crc;

	ver = strtok_r(line, " \t", &save);
	sym = strtok_r(NULL, " \t", &save);
	where = strtok_r(NULL, " \t", &save);
	if (!ver || !sym || !where || strcmp(where, "vmlinux") != 0)
		return 0;
	crc = strtoull(ver, &end, 16);
	if (*end != '\0') {
		msg_err("%s:%u Invalid symbol version %s", file, lineno, ver);
		return 0;
	}
	return sym_define(d, sym, strlen(sym), false, crc, -1);
}

/* "c0294200 R __ksymtab_devfs_alloc_devnum" */
static int system_map_line(struct dm *d, const char *file, unsigned lineno, char *line)
{
	char *p = strchr(line, ' '), *end;

	if (p != NULL)
		p = strchr(p + 1, ' ');
	if (p == NULL) {
		msg_err("%s:%u: invalid line: %s", file, lineno, line);
		return 0;
	}
	p++;
	if (d->sym_prefix != '\0' && p[0] == d->sym_prefix)
		p++;
	if (strncmp(p, "__ksymtab_", 10) != 0)
		return 0;
	end = strchr(p, '\n');
	if (end != NULL)
		*end = '\0';
	return sym_define(d, p + 10, strlen(p + 10), true, 0, -1);
}

/* The kernel's own symbols (-E Module.symvers or -F System.map), a line at
 * a time. 0, -errno when the file cannot be opened, or -ENOMEM. */
static int load_kernel_syms(struct dm *d, const char *file,
			    int (*parse)(struct dm *d, const char *file, unsigned lineno, char *line))
{
	char line[10240];
	unsigned lineno = 0;
	FILE *fp = fopen_regular(file);
	int err = 0;

	if (fp == NULL)
		return -errno;
	while (err == 0 && fgets(line, sizeof(line), fp) != NULL)
		err = parse(d, file, ++lineno, line);
	fclose(fp);
	if (err == 0)
		add_fake_syms(d);
	return err;
}

/* ---- reading the modules ------------------------------------------------ */

struct loadctx {
	struct dm *d;
	struct mod *m;
	int err;
};

static int on_export(const struct modelf_ksym *k, void *arg)
{
	struct loadctx *c = arg;

	c->err = sym_define(c->d, k->name, k->len, false, k->crc, (int32_t)c->m->idx);
	return c->err;
}

static int on_import(const struct modelf_ksym *k, void *arg)
{
	struct loadctx *c = arg;
	struct dm *d = c->d;
	const char *name = k->name;
	size_t len = k->len;
	uint32_t flags = k->weak ? IMP_WEAK : 0, id, *p;

	/* ppc64: .foo is foo */
	if (len > 0 && name[0] == '.') {
		name++;
		len--;
		flags |= IMP_DOT;
	}
	if (len > 0 && d->sym_prefix != '\0' && name[0] == d->sym_prefix) {
		name++;
		len--;
		flags |= IMP_PREFIX;
	}
	id = sym_intern(d, name, len);
	if (id == UINT32_MAX || id > IMP_ID || (p = vec_push(&d->imports, 1)) == NULL) {
		c->err = -ENOMEM;
		return c->err;
	}
	*p = id | flags;
	if (d->check_symvers) {
		uint64_t *crc = vec_push(&d->crcs, 1);

		if (crc == NULL) {
			c->err = -ENOMEM;
			return c->err;
		}
		*crc = k->crc;
	}
	return 0;
}

static int add_info(struct dm *d, char type, const char *value, size_t len)
{
	char *p = vec_push(&d->info, len + 2);

	if (p == NULL)
		return -ENOMEM;
	p[0] = type;
	memcpy(p + 1, value, len);
	p[len + 1] = '\0';
	return 0;
}

/* ---- reading ahead -------------------------------------------------------
 * When the tree has compressed modules, worker threads decompress the next
 * ones while the main thread indexes the current one, strictly in module
 * order. At most WINDOW modules are held at a time, and their images
 * take at most AHEAD_BUDGET bytes together: a worker whose module would
 * grow past it waits; the current module (the one the main thread waits
 * for or indexes) never waits. So a module larger than the budget is still
 * read, alone, and memory is bounded by the largest module or the budget,
 * not by WINDOW largest modules. */

#define WINDOW 4
#define AHEAD_BUDGET ((size_t)32 << 20)
/* Threads only pay where there is something to decompress: without a
 * decompressor the pthread code (and what it pulls from a static libc)
 * is not linked at all. */
#define AHEAD_THREADS (IS_ENABLED(CONFIG_FEATURE_GZIP) || IS_ENABLED(CONFIG_FEATURE_XZ) || \
		       IS_ENABLED(CONFIG_FEATURE_ZSTD))

struct ahead;

struct slot {
	struct modfile mf;
	struct ahead *a;
	size_t index;         /* the module it holds */
	size_t charge;        /* its bytes counted in a->held */
	bool waiting;         /* in ahead_admit, for room */
	int err;
	bool ready;
};

struct ahead {
	struct dm *d;
	pthread_mutex_t lock;
	unsigned int seq;     /* the condition's futex: changed by every ahead_broadcast */
	int waiters;          /* threads in ahead_wait */
	size_t next, consumed;
	size_t current;       /* the module the main thread waits for or indexes */
	size_t held;          /* image bytes of the modules held */
	bool stop;
	struct slot slots[WINDOW];
	pthread_t threads[4];
	int nthreads;
};

/*
 * One condition under a->lock, on a futex (glibc's pthread_cond_* would
 * add about 7 KiB to the static binary). A waiter reads seq under the lock
 * and sleeps only while it is unchanged; every broadcast, under the lock
 * too, changes it before waking the waiters, so no wakeup is lost between
 * a waiter's unlock and its sleep. Wakeups may be spurious: every wait is
 * in a loop that checks its predicate again.
 */
static void ahead_wait(struct ahead *a)
{
	unsigned int seq = a->seq;

	a->waiters++;
	pthread_mutex_unlock(&a->lock);
	kernel_futex_wait(&a->seq, seq);
	pthread_mutex_lock(&a->lock);
	a->waiters--;
}

static void ahead_broadcast(struct ahead *a)
{
	__atomic_store_n(&a->seq, a->seq + 1, __ATOMIC_RELEASE);
	if (a->waiters > 0)
		kernel_futex_wake_all(&a->seq);
}

/* Whether a module before i waits for room: it goes first, so that a large
 * module, once current, is not joined by the ones after it. */
static bool earlier_waiting(const struct ahead *a, size_t i)
{
	for (int k = 0; k < WINDOW; k++)
		if (a->slots[k].waiting && a->slots[k].index < i)
			return true;
	return false;
}

/* outbuf admit hook of a worker's module: the growth is counted against
 * the budget unless the module is the current one; past the budget, wait. */
static int ahead_admit(void *arg, size_t old_cap, size_t new_cap)
{
	struct slot *sl = arg;
	struct ahead *a = sl->a;
	size_t more = new_cap - old_cap;
	int err = 0;

	pthread_mutex_lock(&a->lock);
	sl->waiting = true;
	while (!a->stop && sl->index != a->current &&
	       (a->held + more > AHEAD_BUDGET || earlier_waiting(a, sl->index)))
		ahead_wait(a);
	sl->waiting = false;
	if (a->stop) {
		err = -ECANCELED;
	} else {
		a->held += more;
		sl->charge += more;
	}
	ahead_broadcast(a);
	pthread_mutex_unlock(&a->lock);
	return err;
}

/* Open module i; decompress it when it is compressed. A plain file is read
 * by the main thread, in parts (load_module). */
static void fetch(struct dm *d, size_t i, struct slot *sl)
{
	sl->err = modfile_open(&sl->mf, d->array[i]->path);
	if (sl->err == 0 && sl->a != NULL) {
		sl->mf.admit = ahead_admit;
		sl->mf.admit_arg = sl;
	}
	if (sl->err == 0 && sl->mf.comp != MODCOMP_NONE)
		sl->err = modfile_image(&sl->mf);
}

static void *ahead_worker(void *arg)
{
	struct ahead *a = arg;

	for (;;) {
		struct slot *sl;
		size_t i;

		pthread_mutex_lock(&a->lock);
		while (!a->stop && a->next < a->d->n && a->next >= a->consumed + WINDOW)
			ahead_wait(a);
		if (a->stop || a->next >= a->d->n) {
			pthread_mutex_unlock(&a->lock);
			return NULL;
		}
		i = a->next++;
		sl = &a->slots[i % WINDOW];
		sl->a = a;
		sl->index = i;
		sl->charge = 0;
		pthread_mutex_unlock(&a->lock);
		fetch(a->d, i, sl);
		pthread_mutex_lock(&a->lock);
		sl->ready = true;
		ahead_broadcast(a);
		pthread_mutex_unlock(&a->lock);
	}
}

static void ahead_start(struct ahead *a, struct dm *d)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(a, 0, sizeof(*a));
	a->d = d;
	if (!AHEAD_THREADS)
		return;
	/* a static initializer: pthread_mutex_init would link 423 bytes more */
	a->lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	bool compressed = false;

	for (size_t i = 0; i < d->n && !compressed; i++) {
		const char *dot = strrchr(d->array[i]->path, '.');

		compressed = dot && strcmp(dot, ".ko") != 0;
	}
	/* One core, or nothing to decompress: all in the main thread. */
	if (cpus < 2 || d->n < 2 || !compressed)
		return;
	for (long i = 0; i < (cpus < 4 ? cpus : 4); i++) {
		if (pthread_create(&a->threads[a->nthreads], NULL, ahead_worker, a) != 0)
			break;
		a->nthreads++;
	}
}

/* A regular uncompressed file: read in parts, never whole. */
static bool plain_file(const struct modfile *mf)
{
	return mf->is_regular && mf->comp == MODCOMP_NONE;
}

/* The module i, opened (and decompressed: all but a plain file); call
 * ahead_done after. */
static struct slot *ahead_get(struct ahead *a, size_t i)
{
	struct slot *sl = &a->slots[i % WINDOW];

	if (!AHEAD_THREADS || a->nthreads == 0) {
		fetch(a->d, i, sl);
	} else {
		pthread_mutex_lock(&a->lock);
		/* Module i is the current one now: it may grow past the budget. */
		a->current = i;
		ahead_broadcast(a);
		while (!sl->ready)
			ahead_wait(a);
		pthread_mutex_unlock(&a->lock);
	}
	if (sl->err == 0 && sl->mf.image == NULL && !plain_file(&sl->mf))
		sl->err = modfile_image(&sl->mf);
	return sl;
}

static void ahead_done(struct ahead *a, struct slot *sl)
{
	modfile_close(&sl->mf);
	if (!AHEAD_THREADS || a->nthreads == 0)
		return;
	pthread_mutex_lock(&a->lock);
	sl->ready = false;
	a->held -= sl->charge;
	sl->charge = 0;
	a->consumed++;
	ahead_broadcast(a);
	pthread_mutex_unlock(&a->lock);
}

static void ahead_stop(struct ahead *a)
{
	if (!AHEAD_THREADS)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	ahead_broadcast(a);
	pthread_mutex_unlock(&a->lock);
	for (int i = 0; i < a->nthreads; i++)
		pthread_join(a->threads[i], NULL);
	/* modules fetched but not used (after an error) */
	for (size_t i = a->consumed; a->nthreads > 0 && i < a->next; i++)
		modfile_close(&a->slots[i % WINDOW].mf);
}

/*
 * Whether a module failed because it could not be read (the run stops: a
 * set written without its symbols would be wrong), not because of what it
 * holds (named in a warning and indexed without them, as kmod does).
 */
static bool read_failed(int err)
{
	return err < 0 && err != -ENOEXEC && err != -EBADMSG && err != -EFBIG && err != -EPROTONOSUPPORT &&
	       err != -EISDIR;
}

static int load_module(struct dm *d, struct mod *m, struct modfile *file, int ferr,
		       struct modparts *mp)
{
	struct loadctx c = { .d = d, .m = m };
	struct modfile mf = *file;
	struct modelf elf;
	struct modelf_section sec;
	const char *why = NULL;
	int err = ferr;

	m->info_off = (uint32_t)d->info.n;
	m->imp_off = (uint32_t)d->imports.n;
	if (err < 0) {
		why = modfile_strerror(&mf, err);
	} else if (mf.image == NULL) {
		modparts_reset(mp, mf.fd, mf.size);
		if ((err = modelf_open_parts(&elf, mf.size, modparts_fetch, mp)) < 0)
			why = elf.why;
	} else if ((err = modelf_open(&elf, mf.image, mf.size)) < 0) {
		why = elf.why;
	}
	if (read_failed(err))
		return err;
	if (err < 0) {
		msg_warn("failed to load symbols from %s: %s", m->path, why ? why : strerror(-err));
		return 0;
	}
	err = modelf_exports(&elf, on_export, &c);
	if (c.err < 0)
		return c.err;
	if (err != -ENOENT && read_failed(err))
		return err;
	if (err < 0 && err != -ENOENT)
		msg_warn("failed to load symbols from %s: %s", m->path, elf.why ? elf.why : strerror(-err));

	err = modelf_section(&elf, ".modinfo", &sec);
	if (err != -ENOENT && read_failed(err))
		return err;
	if (err == 0 && sec.data != NULL) {
		size_t pos = 0, len;
		const char *rec;

		while (modelf_modinfo_next(&elf, &sec, &pos, &rec, &len) > 0) {
			char type = 0;
			size_t skip = 0;

			if (len > 6 && memcmp(rec, "alias=", 6) == 0)
				type = 'a', skip = 6;
			else if (len > 8 && memcmp(rec, "softdep=", 8) == 0)
				type = 's', skip = 8;
			else if (len > 8 && memcmp(rec, "weakdep=", 8) == 0)
				type = 'w', skip = 8;
			if (type != 0 && add_info(d, type, rec + skip, len - skip) < 0)
				return -ENOMEM;
		}
	}
	m->info_len = (uint32_t)(d->info.n - m->info_off);

	err = modelf_imports(&elf, on_import, &c);
	if (c.err < 0)
		return c.err;
	if (err != -ENOENT && read_failed(err))
		return err;
	if (err < 0) {
		/* all or nothing, as kmod */
		d->imports.n = m->imp_off;
		if (d->check_symvers)
			d->crcs.n = m->imp_off;
	}
	m->imp_n = (uint32_t)(d->imports.n - m->imp_off);
	return 0;
}

/* ---- dependencies ------------------------------------------------------- */

static void import_name(const struct dm *d, uint32_t imp, const struct sym *y, char *buf, size_t size)
{
	snprintf(buf, size, "%s%.*s%s", imp & IMP_DOT ? "." : "",
		 imp & IMP_PREFIX ? 1 : 0, &d->sym_prefix, y->name);
}

static int resolve(struct dm *d)
{
	const uint32_t *imports = d->imports.v;
	const uint64_t *crcs = d->crcs.v;
	char name[1024];

	for (size_t i = 0; i < d->n; i++) {
		struct mod *m = d->array[i];

		for (uint32_t k = 0; k < m->imp_n; k++) {
			uint32_t imp = imports[m->imp_off + k];
			struct sym *y = sym_at(d, imp & IMP_ID);
			bool weak = imp & IMP_WEAK;

			if (!y->defined) {
				if (d->print_unknown && !weak) {
					import_name(d, imp, y, name, sizeof(name));
					msg_warn("%s needs unknown symbol %s", m->path, name);
				}
				continue;
			}
			if (d->check_symvers && !weak && y->crc != crcs[m->imp_off + k] &&
			    d->print_unknown) {
				import_name(d, imp, y, name, sizeof(name));
				msg_warn("%s disagrees about version of symbol %s", m->path, name);
			}
			if (y->owner < 0)
				continue;
			{
				uint32_t before = d->g.deps[i].n;

				if (moddeps_add(&d->g, (uint32_t)i, (uint32_t)y->owner) < 0)
					return -ENOMEM;
				if (msg_verbose() > 0 && d->g.deps[i].n != before)
					printf("%s needs \"%s\": %s\n", m->path, y->name,
					       d->array[y->owner]->path);
			}
		}
	}
	return 0;
}

static void report_cycle(const uint32_t *path, size_t len, void *arg)
{
	struct dm *d = arg;
	size_t size = 1;
	char *buf, *p;

	for (size_t i = 0; i < len; i++)
		size += d->array[path[i]]->namelen + 4;
	buf = malloc(size);
	if (buf == NULL)
		return;
	p = buf;
	for (size_t i = 0; i < len; i++)
		p = stpcpy(stpcpy(p, i ? " -> " : ""), d->array[path[i]]->name);
	msg_err("Cycle detected: %s", buf);
	free(buf);
}

/* ---- output ------------------------------------------------------------- */

struct wbuf {
	int fd;
	int err;
	size_t len;
	char buf[64 * 1024];
};

static void wflush(struct wbuf *w)
{
	size_t done = 0;

	while (done < w->len && w->err == 0) {
		ssize_t r = write(w->fd, w->buf + done, w->len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			w->err = r < 0 ? -errno : -EIO;
		else
			done += (size_t)r;
	}
	w->len = 0;
}

static void wput(struct wbuf *w, const char *s, size_t n)
{
	while (n > 0) {
		size_t k = sizeof(w->buf) - w->len;

		if (k > n)
			k = n;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == sizeof(w->buf))
			wflush(w);
	}
}

static void wstr(struct wbuf *w, const char *s)
{
	wput(w, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void wfmt(struct wbuf *w, const char *fmt, ...)
{
	char buf[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		va_start(ap, fmt);
		n = vasprintf(&big, fmt, ap);
		va_end(ap);
		if (n < 0) {
			w->err = -ENOMEM;
			return;
		}
	}
	wput(w, big ? big : buf, (size_t)n);
	free(big);
}

/* One output file: text into w (NULL for the binary ones with -n), or a
 * binary index onto fd. */
struct out {
	struct dm *d;
	struct wbuf *w;
	int fd;
	bool dry;               /* -n: text to stdout, no binary index */
	struct modindex_writer idx;
};

static const char *mod_path(const struct mod *m)
{
	return m->relpath ? m->relpath : m->path;
}

static int index_add(struct out *o, const char *key, const char *value, uint32_t prio,
		     struct stab *dups, const char *what)
{
	int err;

	if (dups != NULL) {
		char *pair;
		struct sslot *s;

		if (asprintf(&pair, "%s %s", key, value) < 0)
			return -ENOMEM;
		s = stab_get(dups, pair, strlen(pair), false);
		if (s->key != NULL) {
			msg_warn("duplicate module %s:\n%s", what, pair);
			free(pair);
		} else if ((s = stab_get(dups, pair, strlen(pair), true)) == NULL) {
			free(pair);
			return -ENOMEM;
		}
	}
	err = modindex_writer_add(&o->idx, key, value, prio);
	if (err == -EINVAL) {
		msg_err("Module index: bad character in '%s': only 7-bit ASCII is supported", key);
		return 0;
	}
	return err;
}

static void free_dups(struct stab *dups)
{
	if (dups->s == NULL)
		return;
	for (size_t i = 0; i <= dups->mask; i++)
		free((char *)dups->s[i].key);
	free(dups->s);
}

static int write_index(struct out *o)
{
	int err = o->dry ? 0 : modindex_writer_write(&o->idx, o->fd);

	modindex_writer_free(&o->idx);
	return err;
}

/* modules.dep, and the lines of modules.dep.bin */
static int out_dep(struct out *o, struct out *bin)
{
	struct dm *d = o->d;
	uint32_t *deps = malloc((d->n ? d->n : 1) * sizeof(*deps));
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	if (deps == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < d->n && err == 0; i++) {
		const struct mod *m = d->array[i];
		size_t n = moddeps_closure(&d->g, (uint32_t)i, deps);
		size_t len = strlen(mod_path(m)) + 1;

		for (size_t k = 0; k < n; k++)
			len += 1 + strlen(mod_path(d->array[deps[k]]));
		if (len + 2 > cap) {
			char *p = realloc(line, len + 2);

			if (p == NULL) {
				err = -ENOMEM;
				break;
			}
			line = p;
			cap = len + 2;
		}
		len = (size_t)(stpcpy(stpcpy(line, mod_path(m)), ":") - line);
		for (size_t k = 0; k < n; k++) {
			const char *p = mod_path(d->array[deps[k]]);
			size_t pl = strlen(p);

			line[len++] = ' ';
			memcpy(line + len, p, pl);
			len += pl;
		}
		line[len] = '\0';
		if (!bin->dry)
			err = index_add(bin, m->name, line, m->idx, NULL, "deps");
		line[len++] = '\n';
		wput(o->w, line, len);
	}
	free(line);
	free(deps);
	return err;
}

/* kmod's alias key: '-' as '_' outside [...]; -EINVAL for an unmatched
 * bracket. */
static int alias_norm(const char *alias, char *out, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size; i++) {
		char c = alias[i];

		if (c == '\0')
			break;
		if (c == ']')
			return -EINVAL;
		if (c == '[') {
			while (alias[i] != ']' && alias[i] != '\0' && i + 1 < size) {
				out[i] = alias[i];
				i++;
			}
			if (alias[i] != ']' || i + 1 >= size)
				return -EINVAL;
		}
		out[i] = c == '-' ? '_' : alias[i];
	}
	out[i] = '\0';
	return 0;
}

static int out_alias(struct out *o, struct out *bin)
{
	struct dm *d = o->d;
	struct stab dups = { 0 };
	int err = 0;

	wstr(o->w, "# Aliases extracted from modules themselves.\n");
	for (size_t i = 0; i < d->n && err == 0; i++) {
		const struct mod *m = d->array[i];
		const char *p = (const char *)d->info.v + m->info_off, *end = p + m->info_len;

		for (; p < end && err == 0; p += strlen(p) + 1) {
			char norm[PATH_MAX];

			if (p[0] != 'a')
				continue;
			wfmt(o->w, "alias %s %s\n", p + 1, m->name);
			if (bin->dry)
				continue;
			if (alias_norm(p + 1, norm, sizeof(norm)) < 0) {
				msg_warn("Unmatched bracket in %s", p + 1);
				continue;
			}
			err = index_add(bin, norm, m->name, m->idx, d->warn_dups ? &dups : NULL, "alias");
		}
	}
	free_dups(&dups);
	return err;
}

static int out_records(struct out *o, char type, const char *header, const char *word)
{
	struct dm *d = o->d;

	wstr(o->w, header);
	for (size_t i = 0; i < d->n; i++) {
		const struct mod *m = d->array[i];
		const char *p = (const char *)d->info.v + m->info_off, *end = p + m->info_len;

		for (; p < end; p += strlen(p) + 1)
			if (p[0] == type)
				wfmt(o->w, "%s %s %s\n", word, m->name, p + 1);
	}
	return 0;
}

static const struct dm *sym_sort_dm;

static int sym_order(const void *pa, const void *pb)
{
	const struct sym *a = (const struct sym *)sym_sort_dm->syms.v + *(const uint32_t *)pa;
	const struct sym *b = (const struct sym *)sym_sort_dm->syms.v + *(const uint32_t *)pb;
	uint32_t ha = moddeps_kmod_hash(a->name, a->len) & 2047;
	uint32_t hb = moddeps_kmod_hash(b->name, b->len) & 2047;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int out_symbols(struct out *o, struct out *bin)
{
	struct dm *d = o->d;
	uint32_t *ids = malloc((d->syms.n ? d->syms.n : 1) * sizeof(*ids));
	struct stab dups = { 0 };
	size_t n = 0;
	int err = 0;

	if (ids == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < d->syms.n; i++)
		if (sym_at(d, (uint32_t)i)->defined && sym_at(d, (uint32_t)i)->owner >= 0)
			ids[n++] = (uint32_t)i;
	/* kmod's table order: its hash buckets, names sorted in each */
	sym_sort_dm = d;
	qsort(ids, n, sizeof(*ids), sym_order);
	wstr(o->w, "# Aliases for symbols, used by symbol_request().\n");
	for (size_t i = 0; i < n && err == 0; i++) {
		const struct sym *y = sym_at(d, ids[i]);
		const struct mod *owner = d->array[y->owner];

		wfmt(o->w, "alias symbol:%s %s\n", y->name, owner->name);
		if (!bin->dry) {
			char *key;

			if (asprintf(&key, "symbol:%s", y->name) < 0) {
				err = -ENOMEM;
				break;
			}
			err = index_add(bin, key, owner->name, owner->idx, d->warn_dups ? &dups : NULL,
					"syms");
			free(key);
		}
	}
	free_dups(&dups);
	free(ids);
	return err;
}

static int out_builtin(struct out *o)
{
	char line[PATH_MAX], name[PATH_MAX];
	FILE *fp;
	int err = 0;

	if (o->dry)
		return 0;
	/* kmod leaves an empty file when there is no modules.builtin */
	fp = open_in_dir(o->d, "modules.builtin", false);
	if (fp == NULL)
		return 0;
	modindex_writer_init(&o->idx);
	while (err == 0 && fgets(line, sizeof(line), fp) != NULL) {
		if (!isalpha((unsigned char)line[0])) {
			msg_err("Invalid modules.builtin line: %s", line);
			continue;
		}
		if (path_modname(line, name, sizeof(name)) > 0)
			err = index_add(o, name, "", 0, NULL, NULL);
	}
	fclose(fp);
	return err < 0 ? err : write_index(o);
}

/* Read up to end (or NUL) from *pos into dst; the length when the stop was
 * end, else 0 (kmod's reader of modules.builtin.modinfo). */
static size_t read_to(const char *buf, size_t size, size_t *pos, char end, char *dst, size_t dsize)
{
	size_t i = 0;
	int c = EOF;

	while (*pos < size) {
		c = (unsigned char)buf[(*pos)++];
		if (c == end || c == '\0' || i >= dsize)
			break;
		dst[i++] = (char)c;
		c = EOF;
	}
	if (i == dsize)
		i--;
	return c == (unsigned char)end ? i : 0;
}

static int out_builtin_alias(struct out *o)
{
	char path[PATH_MAX];
	struct modfile mf;
	int err;
	size_t pos = 0;
	FILE *fp;

	if (o->dry)
		return 0;
	fp = open_in_dir(o->d, "modules.builtin.modinfo", false);
	if (fp == NULL)
		return 0;
	fclose(fp);
	if (modctx_modpath(&o->d->ctx, "modules.builtin.modinfo", path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	err = modfile_open(&mf, path);
	if (err == 0)
		err = modfile_image(&mf);
	if (err < 0) {
		modfile_close(&mf);
		return err;
	}
	modindex_writer_init(&o->idx);
	while (pos < mf.size && err == 0) {
		static char name[PATH_MAX], key[PATH_MAX], value[PATH_MAX], norm[PATH_MAX];
		const char *buf = mf.image;
		size_t len = read_to(buf, mf.size, &pos, '.', name, sizeof(name) - 1);

		name[len] = '\0';
		if (len == 0)
			continue;
		len = read_to(buf, mf.size, &pos, '=', key, sizeof(key) - 1);
		key[len] = '\0';
		if (strcmp(key, "alias") != 0) {
			/* skip to the end of the record */
			while (pos < mf.size && buf[pos++] != '\0')
				;
			continue;
		}
		len = read_to(buf, mf.size, &pos, '\0', value, sizeof(value) - 1);
		value[len] = '\0';
		if (len == 0)
			continue;
		if (alias_norm(value, norm, sizeof(norm)) < 0) {
			msg_warn("Unmatched bracket in %s", value);
			continue;
		}
		err = index_add(o, norm, name, 0, NULL, NULL);
	}
	modfile_close(&mf);
	return err < 0 ? err : write_index(o);
}

/* What sscanf's %u takes: blanks, a sign, digits (wrapping as it does).
 * The end of the number, or NULL if there is none. */
static const char *scan_uint(const char *s, unsigned *v)
{
	bool neg;

	while (isspace((unsigned char)*s))
		s++;
	neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (!isdigit((unsigned char)*s))
		return NULL;
	for (*v = 0; isdigit((unsigned char)*s); s++)
		*v = *v * 10 + (unsigned)(*s - '0');
	if (neg)
		*v = 0u - *v;
	return s;
}

/* "PREFIX%u-%u" at s, as sscanf reads it (anything may follow). */
static bool major_minor(const char *s, const char *prefix, unsigned *ma, unsigned *mi)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0 || (s = scan_uint(s + n, ma)) == NULL || *s != '-')
		return false;
	return scan_uint(s + 1, mi) != NULL;
}

static int out_devname(struct out *o)
{
	struct dm *d = o->d;
	bool empty = true;

	for (size_t i = 0; i < d->n; i++) {
		const struct mod *m = d->array[i];
		const char *p = (const char *)d->info.v + m->info_off, *end = p + m->info_len;
		const char *devname = NULL;
		char type = 0;
		unsigned major = 0, minor = 0, ma, mi;

		for (; p < end; p += strlen(p) + 1) {
			if (p[0] != 'a')
				continue;
			if (strncmp(p + 1, "devname:", 8) == 0) {
				devname = p + 9;
			} else if (major_minor(p + 1, "char-major-", &ma, &mi)) {
				type = 'c';
				major = ma;
				minor = mi;
			} else if (major_minor(p + 1, "block-major-", &ma, &mi)) {
				type = 'b';
				major = ma;
				minor = mi;
			}
			if (type != 0 && devname != NULL)
				break;
		}
		if (devname == NULL)
			continue;
		if (type == 0) {
			msg_err("Module '%s' has devname (%s) but lacks major and minor information. Ignoring.",
				m->name, devname);
			continue;
		}
		if (empty) {
			wstr(o->w, "# Device nodes to trigger on-demand module loading.\n");
			empty = false;
		}
		wfmt(o->w, "%s %s %c%u:%u\n", m->name, devname, type, major, minor);
	}
	return 0;
}

enum { O_DEP, O_DEPBIN, O_ALIAS, O_ALIASBIN, O_SOFTDEP, O_WEAKDEP, O_SYMBOLS, O_SYMBOLSBIN,
       O_BUILTINBIN, O_BUILTINALIASBIN, O_DEVNAME, O_NFILES };

static const struct {
	const char *name;
	bool bin;
} outputs[O_NFILES] = {
	[O_DEP] = { "modules.dep", false },
	[O_DEPBIN] = { "modules.dep.bin", true },
	[O_ALIAS] = { "modules.alias", false },
	[O_ALIASBIN] = { "modules.alias.bin", true },
	[O_SOFTDEP] = { "modules.softdep", false },
	[O_WEAKDEP] = { "modules.weakdep", false },
	[O_SYMBOLS] = { "modules.symbols", false },
	[O_SYMBOLSBIN] = { "modules.symbols.bin", true },
	[O_BUILTINBIN] = { "modules.builtin.bin", true },
	[O_BUILTINALIASBIN] = { "modules.builtin.alias.bin", true },
	[O_DEVNAME] = { "modules.devname", false },
};

/* Generate file i; the text ones also fill the index that follows them
 * (outs[] starts zeroed: every index writer initialised). */
static int generate(struct out *outs, int i)
{
	struct out *o = &outs[i];

	switch (i) {
	case O_DEP:
		return out_dep(o, o + 1);
	case O_ALIAS:
		return out_alias(o, o + 1);
	case O_SYMBOLS:
		return out_symbols(o, o + 1);
	case O_DEPBIN:
	case O_ALIASBIN:
	case O_SYMBOLSBIN:
		return write_index(o);
	case O_SOFTDEP:
		return out_records(o, 's', "# Soft dependencies extracted from modules themselves.\n",
				   "softdep");
	case O_WEAKDEP:
		return out_records(o, 'w', "# Weak dependencies extracted from modules themselves.\n",
				   "weakdep");
	case O_BUILTINBIN:
		return out_builtin(o);
	case O_BUILTINALIASBIN:
		return out_builtin_alias(o);
	case O_DEVNAME:
		return out_devname(o);
	}
	return 0;
}

/* Write each file as a new temporary file of the set s, flushed to disk
 * (dirswap_abort removes them after a failure). With s NULL (-n), the text
 * files go to standard output instead. */
static int write_set(struct dm *d, struct dirswap *s)
{
	struct out outs[O_NFILES];
	struct wbuf *w = malloc(sizeof(*w));
	bool dry = s == NULL;
	int err = 0;

	if (w == NULL)
		return -ENOMEM;
	memset(outs, 0, sizeof(outs));
	w->fd = STDOUT_FILENO;
	w->err = 0;
	w->len = 0;
	if (dry)
		fflush(stdout);
	for (int i = 0; i < O_NFILES && err == 0; i++) {
		struct out *o = &outs[i];

		o->d = d;
		o->w = w;
		o->dry = dry;
		if (dry) {
			/* one write error is reported at the end */
			err = generate(outs, i);
			continue;
		}
		o->fd = dirswap_create(s, (size_t)i);
		if (o->fd < 0) {
			err = o->fd;
			msg_err("could not create a new %s in %s: %s", outputs[i].name, s->path, strerror(-err));
			break;
		}
		w->fd = o->fd;
		w->err = 0;
		w->len = 0;
		err = generate(outs, i);
		if (!outputs[i].bin) {
			wflush(w);
			if (err == 0)
				err = w->err;
		}
		if (err == 0 && fdatasync(o->fd) < 0)
			err = -errno;
		if (close(o->fd) < 0 && err == 0)
			err = -errno;
		o->fd = -1;
		if (err < 0)
			msg_err("could not write %s/%s: %s", s->path, outputs[i].name, strerror(-err));
	}
	if (dry) {
		wflush(w);
		if (err == 0)
			err = w->err;
	}
	/* What the generators kept for a later file, when one failed. */
	for (int i = 0; i < O_NFILES; i++)
		modindex_writer_free(&outs[i].idx);
	free(w);
	return err;
}

/* mkdir -p, as kmod does for the output folder (-o may name a new one). */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (c == '\0')
			return 0;
	}
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
		} else if (S_ISREG(st.st_mode) && module_suffix(name, strlen(name)) && st.st_mtime > mtime) {
			return 0;
		}
	}
	return 1;
}

static int up_to_date(const struct dm *d)
{
	struct stat st;
	char dep[PATH_MAX];
	DIR *dir = opendir(d->dirname);
	int r;

	if (dir == NULL) {
		msg_err("could not open directory %s: %s", d->dirname, strerror(errno));
		return -1;
	}
	snprintf(dep, sizeof(dep), "%s/modules.dep", d->outdir);
	if (stat(dep, &st) != 0) {
		msg_err("could not fstatat(%s, modules.dep): %s", d->outdir, strerror(errno));
		closedir(dir);
		return -1;
	}
	r = up_to_date_dir(dir, st.st_mtime);
	closedir(dir);
	return r;
}

/* ---- main --------------------------------------------------------------- */

static void dm_free(struct dm *d)
{
	for (size_t i = 0; i < d->nmods; i++) {
		if (d->mods[i] == NULL)
			continue;
		free(d->mods[i]->path);
		free(d->mods[i]->uncrelpath);
		free(d->mods[i]);
	}
	free(d->mods);
	free(d->array);
	free(d->by_name.s);
	free(d->by_sym.s);
	free(d->syms.v);
	free(d->info.v);
	free(d->imports.v);
	free(d->crcs.v);
	moddeps_free(&d->g);
	xarena_free(&d->strings);
	list_free(&d->searches);
	list_free(&d->overrides);
	list_free(&d->externals);
	list_free(&d->excludes);
}

static bool is_version(const char *s)
{
	unsigned a;

	s = scan_uint(s, &a);
	return s != NULL && *s == '.' && scan_uint(s + 1, &a) != NULL;
}

/* Read the tree and write the new set into s (NULL: -n, to stdout). 1:
 * -A found the set up to date, nothing written. */
static int index_tree(struct dm *d, struct dirswap *s, int argc, char **argv, bool all, bool quick,
		      const char *symvers, const char *sysmap, char **configs, size_t nconfigs)
{
	int err;

	if (quick) {
		if (s == NULL || up_to_date(d) == 1)
			return 1;
		all = true;
	}
	if (symvers != NULL || sysmap != NULL) {
		const char *file = symvers ? symvers : sysmap;

		err = load_kernel_syms(d, file, symvers ? symvers_line : system_map_line);
		if (err < 0) {
			msg_fatal("could not load %s: %s", file, file_strerror(err));
			return err;
		}
	} else if (d->print_unknown) {
		msg_warn("-e needs -E or -F");
		d->print_unknown = false;
	}

	if (all) {
		cfg_load(d, configs, nconfigs);
		err = search_path(d, d->dirname);
		if (err < 0) {
			msg_fatal("could not search modules: %s", strerror(-err));
			return err;
		}
		for (size_t i = d->externals.n; i-- > 0;) {
			/* a folder named by depmod.d that is not there is only
			 * named; one that is there must be read whole */
			err = search_path(d, d->externals.v[i].path);
			if (err < 0 && err != -ENOENT) {
				msg_fatal("could not search modules: %s", strerror(-err));
				return err;
			}
		}
	} else {
		for (int i = 0; i < argc; i++) {
			struct stat st;

			if (argv[i][0] != '/') {
				msg_fatal("%s: not absolute path.", argv[i]);
				return -EINVAL;
			}
			if (stat(argv[i], &st) < 0) {
				err = -errno;
				msg_fatal("could not create module %s: %s", argv[i], strerror(errno));
				return err;
			}
			err = module_add(d, argv[i], false);
			if (err < 0) {
				msg_fatal("could not add module %s: %s", argv[i], strerror(-err));
				return err;
			}
		}
	}

	err = build_array(d);
	if (err < 0)
		return err;
	{
		struct ahead *a = malloc(sizeof(*a));
		struct modparts mp = MODPARTS_INIT;

		if (a == NULL)
			return -ENOMEM;
		ahead_start(a, d);
		for (size_t i = 0; i < d->n && err == 0; i++) {
			struct slot *sl = ahead_get(a, i);

			err = load_module(d, d->array[i], &sl->mf, sl->err, &mp);
			ahead_done(a, sl);
			if (err < 0)
				msg_fatal("%s: %s", d->array[i]->path, strerror(-err));
		}
		ahead_stop(a);
		free(a);
		modparts_free(&mp);
		if (err < 0)
			return err;
	}
	err = moddeps_init(&d->g, (uint32_t)d->n);
	if (err == 0)
		err = resolve(d);
	if (err < 0)
		return err;
	if (moddeps_sort(&d->g) == -ELOOP) {
		int n = moddeps_cycles(&d->g, report_cycle, d);

		if (n >= 0)
			msg_err("Found %d modules in dependency cycles!", n);
		return -ELOOP;
	}
	return write_set(d, s);
}

/*
 * The new files are written under temporary names and flushed; only when
 * all are complete do they replace the old ones: as one set where the
 * filesystem allows, else by one rename each (libbb/dirswap.c). A failure
 * before that leaves the old files as they were. The output folder is
 * locked for the whole run, from reading the tree to the switch: a run
 * that read the tree while another run switched its set would index a
 * folder being taken apart.
 */
static int run(struct dm *d, int argc, char **argv, bool all, bool quick, bool dry,
	       const char *symvers, const char *sysmap, char **configs, size_t nconfigs)
{
	const char *names[O_NFILES];
	struct dirswap s;
	int err;

	if (dry)
		return index_tree(d, NULL, argc, argv, all, quick, symvers, sysmap, configs, nconfigs);
	if (d->outdir != d->dirname && (err = make_dirs(d->outdir)) < 0) {
		msg_fatal("could not create directory %s: %s", d->outdir, strerror(-err));
		return err;
	}
	for (int i = 0; i < O_NFILES; i++)
		names[i] = outputs[i].name;
	err = dirswap_begin(&s, d->outdir, names, O_NFILES);
	if (err < 0) {
		/* kmod's words: without -o it fails to search the same folder */
		msg_err("could not open directory %s: %s", d->outdir, strerror(-err));
		if (d->outdir == d->dirname)
			msg_fatal("could not search modules: %s", strerror(-err));
		return err;
	}
	err = index_tree(d, &s, argc, argv, all, quick, symvers, sysmap, configs, nconfigs);
	if (err != 0) {
		dirswap_abort(&s); /* a failure, or -A found nothing to do */
		return err < 0 ? err : 0;
	}
	return dirswap_commit(&s);
}

int depmod_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quick", no_argument, NULL, 'A' },
		{ "basedir", required_argument, NULL, 'b' },
		{ "moduledir", required_argument, NULL, 'm' },
		{ "outdir", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'C' },
		{ "symvers", required_argument, NULL, 'E' },
		{ "filesyms", required_argument, NULL, 'F' },
		{ "errsyms", no_argument, NULL, 'e' },
		{ "unresolved-error", no_argument, NULL, 'u' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "root", no_argument, NULL, 'r' },
		{ "show", no_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "symbol-prefix", required_argument, NULL, 'P' },
		{ "warn", no_argument, NULL, 'w' },
		/* --verbose --version --help */
		MSG_LONGOPTS_END(3),
	};
	struct dm *d = calloc(1, sizeof(*d));
	const char *root = NULL, *outroot = NULL, *moduledir = NULL, *symvers = NULL, *sysmap = NULL, *kver = NULL;
	char **configs = NULL;
	size_t nconfigs = 0;
	bool all = false, quick = false, dry = false;
	int c, r, err;

	if (d == NULL) {
		msg_err("out of memory");
		return EXIT_FAILURE;
	}
	d->syms.size = sizeof(struct sym);
	d->info.size = 1;
	d->imports.size = sizeof(uint32_t);
	d->crcs.size = sizeof(uint64_t);
	configs = calloc((size_t)argc + 1, sizeof(*configs));
	if (configs == NULL) {
		free(d);
		msg_err("out of memory");
		return EXIT_FAILURE;
	}
	r = EXIT_FAILURE;
	while ((c = msg_getopt(argc, argv, "aAb:m:o:C:E:F:euqrvnP:wVh", longopts)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'A': quick = true; break;
		case 'b': root = optarg; break;
		case 'm': moduledir = optarg; break;
		case 'o': outroot = optarg; break;
		case 'C': configs[nconfigs++] = optarg; break;
		case 'E': symvers = optarg; d->check_symvers = true; break;
		case 'F': sysmap = optarg; break;
		case 'e': d->print_unknown = true; break;
		case 'n': dry = true; break;
		case 'w': d->warn_dups = true; break;
		case 'P':
			if (optarg[0] == '\0' || optarg[1] != '\0') {
				msg_fatal("-P only takes a single char");
				goto out;
			}
			d->sym_prefix = optarg[0];
			break;
		case 'u': case 'q': case 'r':
			msg_warn("Ignored deprecated option -%c", c);
			break;
		default:
			err = msg_option(c, usage);
			if (err != MSG_OPTION_CONTINUE) {
				r = err;
				goto out;
			}
		}
	}
	if (optind < argc) {
		if (!is_version(argv[optind])) {
			msg_err("Bad version passed %s", argv[optind]);
			goto out;
		}
		kver = argv[optind++];
	}
	err = modctx_init(&d->ctx, root, kver);
	if (err == 0 && moduledir != NULL)
		err = modctx_set_moduledir(&d->ctx, moduledir);
	if (err == 0 && outroot != NULL) {
		err = modctx_init(&d->outctx, outroot, d->ctx.kver);
		if (err == 0 && moduledir != NULL)
			err = modctx_set_moduledir(&d->outctx, moduledir);
	}
	if (err < 0) {
		msg_fatal("bad module folder (-b %s, -m %s, -o %s, version %s): %s", root ? root : "",
			  moduledir ? moduledir : "", outroot ? outroot : "", kver ? kver : "", strerror(-err));
		goto out;
	}
	d->dirname = d->ctx.moddir;
	d->dirnamelen = strlen(d->dirname);
	d->outdir = outroot != NULL ? d->outctx.moddir : d->dirname;
	if (optind == argc)
		all = true;
	err = run(d, argc - optind, argv + optind, all, quick, dry, symvers, sysmap, configs, nconfigs);
	r = err < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (msg_flush_stdout() < 0)
		r = EXIT_FAILURE;
out:
	dm_free(d);
	free(d);
	free(configs);
	return r;
}
