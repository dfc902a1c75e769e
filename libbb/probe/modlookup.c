// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding modules by name, alias or symbol under a module folder. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confline.h"
#include "outbuf.h"
#include "fileopen.h"
#include "glob_match.h"
#include "modconf.h"
#include "modlookup.h"
#include "modname.h"
#include "xarray.h"
#include "msg.h"

_Static_assert(offsetof(struct modlookup, why) + sizeof(((struct modlookup *)0)->why) + _Alignof(struct modlookup) >
		       sizeof(struct modlookup), "why must be the last member: modlookup_init does not zero it");

void modlookup_init(struct modlookup *lk, const struct modctx *ctx)
{
	/* why (the last member, PATH_MAX bytes) only needs its string. */
	memset(lk, 0, offsetof(struct modlookup, why));
	lk->why[0] = '\0';
	lk->ctx = ctx;
}

void modlookup_close(struct modlookup *lk)
{
	for (int i = 0; i < ML_NFILES; i++)
		if (lk->state[i] == 1)
			modindex_close(&lk->idx[i]);
	memset(lk->state, 0, sizeof(lk->state));
	free(lk->dep_text);
	lk->dep_text = NULL;
	xhash_free(&lk->dep_lines);
	lk->dep_text_read = false;
}

void modlookup_release(struct modlookup *lk)
{
	for (int i = 0; i < ML_NFILES; i++)
		if (lk->state[i] == 1)
			modindex_release(&lk->idx[i]);
}

const char *modlookup_strerror(struct modlookup *lk, int err)
{
	return lk->why[0] ? lk->why : msg_strerror(-err);
}

static int fail(struct modlookup *lk, int err, const char *file, const char *what)
{
	/* A message cut short is still a message. */
	if (snprintf(lk->why, sizeof(lk->why), "%s/%s: %s", lk->ctx->moddir, file, what) < 0)
		lk->why[0] = '\0';
	return err;
}

#define BIN_NAME_MAX (MODINDEX_NAME_MAX + sizeof(MODINDEX_BIN_SUFFIX) - 1)

static const char *bin_name(enum modlookup_file f, char name[BIN_NAME_MAX])
{
	snprintf(name, BIN_NAME_MAX, "%s" MODINDEX_BIN_SUFFIX, modindex_files[f]);
	return name;
}

static int fail_index(struct modlookup *lk, int err, enum modlookup_file f)
{
	char name[BIN_NAME_MAX];

	return fail(lk, err, bin_name(f, name), "malformed index");
}

/* Open the .bin index of f once; 1 when usable, 0 to use the text file. */
static int use_index(struct modlookup *lk, enum modlookup_file f)
{
	char path[PATH_MAX], name[BIN_NAME_MAX];
	int err;

	if (lk->state[f] != 0)
		return lk->state[f] == 1;
	err = modctx_modpath(lk->ctx, bin_name(f, name), path, sizeof(path));
	if (err == 0)
		err = modindex_open(&lk->idx[f], path);
	if (err == -EBADMSG || err == -EMEDIUMTYPE)
		return fail(lk, err, name, err == -EBADMSG ? "not a module index" : file_strerror(err));
	lk->state[f] = err == 0 ? 1 : -1;
	return err == 0;
}

/* Each line of a text file of the folder; cb returns non-zero to stop.
 * A missing file has no lines. */
static int each_line(struct modlookup *lk, enum modlookup_file f,
		     int (*cb)(char *line, void *arg), void *arg)
{
	char path[PATH_MAX];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int r = 0;

	if (modctx_modpath(lk->ctx, modindex_files[f], path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	fp = fopen_regular(path);
	if (fp == NULL)
		return errno == ENOENT ? 0 : fail(lk, -errno, modindex_files[f], file_strerror(-errno));
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		r = cb(line, arg);
		if (r != 0)
			break;
	}
	/* A folder or an I/O error is not an empty file. */
	if (r == 0 && ferror(fp))
		r = fail(lk, -EIO, modindex_files[f], msg_strerror(errno ? errno : EIO));
	free(line);
	fclose(fp);
	return r < 0 ? r : 0;
}

static int result_add(struct modlookup_result *res, const char *name, size_t namelen,
		      const char *path, size_t pathlen, const char *deps, bool builtin)
{
	/* No duplicates removed: a module two of whose aliases match is
	 * listed twice, as kmod lists it. */
	struct modlookup_module *m = xarray_grow(&res->mods, res->count, 1, sizeof(*m));

	if (m == NULL)
		return -ENOMEM;
	m->name = strndup(name, namelen);
	m->path = path ? strndup(path, pathlen) : NULL;
	m->deps = deps ? strdup(deps) : NULL;
	m->builtin = builtin;
	if (m->name == NULL || (path && m->path == NULL) || (deps && m->deps == NULL)) {
		free(m->name);
		free(m->path);
		free(m->deps);
		return -ENOMEM;
	}
	res->count++;
	return 0;
}

void modlookup_result_free(struct modlookup_result *res)
{
	for (size_t i = 0; i < res->count; i++) {
		free(res->mods[i].name);
		free(res->mods[i].path);
		free(res->mods[i].deps);
	}
	free(res->mods);
	res->mods = NULL;
	res->count = 0;
}

/* ---- by name: modules.dep --------------------------------------------- */

struct dep_search {
	const char *name;
	struct modlookup_result *res;
	int err;
};

/* The module name of a "path: deps" line into name; the path's length, or
 * 0 for a line that names none. */
static size_t dep_line_name(const char *line, char name[MODNAME_MAX])
{
	const char *colon = strchr(line, ':');
	char path[PATH_MAX];
	size_t len;

	if (colon == NULL || colon == line)
		return 0;
	len = (size_t)(colon - line);
	if (len >= sizeof(path))
		return 0;
	memcpy(path, line, len);
	path[len] = '\0';
	return modname_normalize(path, name) < 0 ? 0 : len;
}

/* "path: deps" -> the module at path */
static int add_dep_line(struct dep_search *s, const char *line)
{
	char name[MODNAME_MAX];
	size_t len = dep_line_name(line, name);
	const char *colon = line + len, *path = line;

	if (len == 0 || strcmp(name, s->name) != 0)
		return 0;
	colon++;
	while (*colon == ' ')
		colon++;
	s->err = result_add(s->res, name, strlen(name), path, len, colon, false);
	return 1;
}

static int dep_value(const char *value, uint32_t prio, void *arg)
{
	(void)prio;
	add_dep_line(arg, value);
	return 1;   /* one module per name */
}

/* The line of modules.dep (read by dep_text_read) for a module name. */
static const char *dep_text_line(const struct modlookup *lk, const char *name)
{
	uint32_t hash = xhash_bytes(name, strlen(name));
	char other[MODNAME_MAX];
	size_t it = 0;

	for (uint32_t off; (off = xhash_next(&lk->dep_lines, hash, &it)) != XHASH_END;)
		if (dep_line_name(lk->dep_text + off, other) > 0 && strcmp(other, name) == 0)
			return lk->dep_text + off;
	return NULL;
}

/* A whole file of the module folder, at most limit bytes, NUL-terminated
 * in *text (the caller frees it) of *len bytes: 1; 0 when there is no such
 * file; -errno, with lk->why set when the file is named. */
static int read_whole(struct modlookup *lk, const char *file, size_t limit, char **text, size_t *len)
{
	struct outbuf buf = { .limit = limit };
	struct stat st;
	char path[PATH_MAX];
	const char *why = NULL;
	int fd, err = modctx_modpath(lk->ctx, file, path, sizeof(path));

	if (err < 0)
		return err;
	fd = open_regular_st(AT_FDCWD, path, &st);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fail(lk, fd, file, file_strerror(fd));
	err = read_fd_sized(fd, (uint64_t)st.st_size, &buf, &why);
	close(fd);
	if (err == 0)
		err = outbuf_reserve(&buf, 1);
	if (err < 0) {
		outbuf_free(&buf);
		return fail(lk, err, file, why ? why : msg_strerror(-err));
	}
	buf.data[buf.len] = '\0';
	*text = (char *)buf.data;
	*len = buf.len;
	return 1;
}

/* Read modules.dep and index its lines by name, the first line of a name
 * winning as in a scan. A missing file has no lines. */
static int dep_text_read(struct modlookup *lk)
{
	char name[MODNAME_MAX];
	size_t len;
	int err;

	if (lk->dep_text_read)
		return 0;
	/* offsets are 32-bit ids of the index */
	err = read_whole(lk, modindex_files[MODINDEX_DEP], UINT32_MAX - 1, &lk->dep_text, &len);
	if (err <= 0) {
		lk->dep_text_read = err == 0;
		return err;
	}
	for (size_t off = 0; off < len;) {
		char *line = lk->dep_text + off, *nl = memchr(line, '\n', len - off);
		size_t next = nl ? (size_t)(nl - lk->dep_text) + 1 : len;

		if (nl != NULL)
			*nl = '\0';
		if (dep_line_name(line, name) > 0 && dep_text_line(lk, name) == NULL &&
		    xhash_add(&lk->dep_lines, xhash_bytes(name, strlen(name)), (uint32_t)off) < 0) {
			free(lk->dep_text);
			lk->dep_text = NULL;
			xhash_free(&lk->dep_lines);
			return -ENOMEM;
		}
		off = next;
	}
	lk->dep_text_read = true;
	return 0;
}

static int lookup_dep(struct modlookup *lk, const char *name, struct modlookup_result *res)
{
	struct dep_search s = { .name = name, .res = res };
	int r = use_index(lk, ML_DEP);

	if (r < 0)
		return r;
	if (r == 1) {
		r = modindex_lookup(&lk->idx[ML_DEP], name, dep_value, &s);
		if (r < 0)
			return fail_index(lk, r, ML_DEP);
	} else {
		const char *line;

		r = dep_text_read(lk);
		if (r < 0)
			return r;
		line = dep_text_line(lk, name);
		if (line != NULL)
			add_dep_line(&s, line);
	}
	return s.err;
}

/* ---- built in: modules.builtin ------------------------------------------ */

struct builtin_search {
	const char *name;
	bool found;
};

static int builtin_text_line(char *line, void *arg)
{
	struct builtin_search *s = arg;
	char name[MODNAME_MAX];

	if (modname_normalize(line, name) == 0 && strcmp(name, s->name) == 0) {
		s->found = true;
		return 1;
	}
	return 0;
}

static int lookup_builtin(struct modlookup *lk, const char *name, struct modlookup_result *res)
{
	struct builtin_search s = { .name = name };
	int r = use_index(lk, ML_BUILTIN);

	if (r < 0)
		return r;
	if (r == 1) {
		r = modindex_lookup(&lk->idx[ML_BUILTIN], name, NULL, NULL);
		if (r < 0)
			return fail_index(lk, r, ML_BUILTIN);
		s.found = r > 0;
	} else {
		r = each_line(lk, ML_BUILTIN, builtin_text_line, &s);
		if (r < 0)
			return r;
	}
	return s.found ? result_add(res, name, strlen(name), NULL, 0, NULL, true) : 0;
}

/* The module files behind a list of names: modules.dep, else built in,
 * else (keep_unknown) the bare name. */
static int resolve_names(struct modlookup *lk, struct modlookup_result *names,
			 struct modlookup_result *res, bool keep_unknown)
{
	int err = 0;

	for (size_t i = 0; i < names->count && err == 0; i++) {
		size_t before = res->count;
		const char *name = names->mods[i].name;

		err = lookup_dep(lk, name, res);
		if (err == 0 && res->count == before)
			err = lookup_builtin(lk, name, res);
		if (err == 0 && res->count == before && keep_unknown)
			err = result_add(res, name, strlen(name), NULL, 0, NULL, false);
	}
	modlookup_result_free(names);
	return err;
}

int modlookup_name(struct modlookup *lk, const char *name, struct modlookup_result *res)
{
	char norm[MODNAME_MAX];
	int err;

	memset(res, 0, sizeof(*res));
	lk->why[0] = '\0';
	if (modname_normalize(name, norm) < 0)
		return -ENOENT;
	err = lookup_dep(lk, norm, res);
	if (err == 0 && res->count == 0)
		err = lookup_builtin(lk, norm, res);
	return err;
}

/* ---- aliases and symbols ------------------------------------------------ */

struct alias_search {
	const char *key;
	bool wild;
	struct modlookup_result *names;
	int err;
};

static int alias_value(const char *value, uint32_t prio, void *arg)
{
	struct alias_search *s = arg;

	(void)prio;
	s->err = result_add(s->names, value, strlen(value), NULL, 0, NULL, false);
	return s->err != 0;
}

/* An "alias PATTERN NAME" line of modules.alias, modules.symbols and
 * modules.builtin.alias: the pattern normalised into norm, and the name;
 * false for any other line. */
static bool alias_line(char *line, char norm[1024], char **name)
{
	char *word = confline_word(&line), *pattern = confline_word(&line);

	*name = confline_word(&line);
	return word != NULL && strcmp(word, "alias") == 0 && pattern != NULL && *name != NULL &&
	       modname_alias(pattern, norm, 1024, true) == 0;
}

static int alias_text_line(char *line, void *arg)
{
	struct alias_search *s = arg;
	char norm[1024], *name;

	if (!alias_line(line, norm, &name))
		return 0;
	if (s->wild ? !glob_match(norm, s->key) : strcmp(norm, s->key) != 0)
		return 0;
	s->err = result_add(s->names, name, strlen(name), NULL, 0, NULL, false);
	return s->err != 0;
}

static int lookup_alias_file(struct modlookup *lk, enum modlookup_file f, const char *key,
			     bool wild, struct modlookup_result *names)
{
	struct alias_search s = { .key = key, .wild = wild, .names = names };
	int r = use_index(lk, f);

	if (r < 0)
		return r;
	if (r == 1) {
		/* kmod reads every alias-like index with its wildcard search,
		 * whose value order (by priority) matters for the result. */
		r = modindex_lookup_wild(&lk->idx[f], key, alias_value, &s);
		if (r < 0)
			return fail_index(lk, r, f);
	} else {
		r = each_line(lk, f, alias_text_line, &s);
		if (r < 0)
			return r;
	}
	return s.err;
}

int modlookup_any(struct modlookup *lk, const char *name, struct modlookup_result *res)
{
	struct modlookup_result names = { 0 };
	char key[1024];
	int err = 0;

	memset(res, 0, sizeof(*res));
	lk->why[0] = '\0';
	/* A name with an unmatched '[' matches nothing (no error of ours:
	 * the caller says it was not found). */
	if (modname_alias(name, key, sizeof(key), true) < 0)
		return 0;
	/* Aliases of the configuration override everything else. */
	if (lk->conf != NULL) {
		const struct modconf *c = lk->conf;

		for (size_t i = 0; i < c->n[MC_ALIAS] && err == 0; i++)
			if (glob_match(c->v[MC_ALIAS][i].key, key))
				err = result_add(&names, c->v[MC_ALIAS][i].value,
						 strlen(c->v[MC_ALIAS][i].value), NULL, 0, NULL, false);
		if (err == 0 && names.count > 0)
			return resolve_names(lk, &names, res, true);
		modlookup_result_free(&names);
		if (err != 0)
			return err;
	}
	/* A plain module name first (no '.' or ':' fits a name). */
	if (strpbrk(key, ".:/") == NULL && strlen(key) <= MODNAME_LEN_MAX) {
		err = lookup_dep(lk, key, res);
		if (err != 0 || res->count > 0)
			return err;
	}
	if (strncmp(key, "symbol:", 7) == 0) {
		err = lookup_alias_file(lk, ML_SYMBOLS, key, false, &names);
		if (err == 0 && names.count > 0)
			return resolve_names(lk, &names, res, false);
		modlookup_result_free(&names);
		if (err != 0)
			return err;
	}
	/* A name with an install or remove command is a module of its own:
	 * the argument must be the command's key as written (kmod compares
	 * the text; a pattern key is not matched here, so no argument makes
	 * up a module name for a command: the name is the configuration's). */
	if (lk->conf != NULL) {
		const struct modconf_entry *e = modconf_find_key(lk->conf, MC_INSTALL, key);

		if (e == NULL)
			e = modconf_find_key(lk->conf, MC_REMOVE, key);
		if (e != NULL)
			return result_add(res, e->key, strlen(e->key), NULL, 0, NULL, false);
	}
	err = lookup_alias_file(lk, ML_ALIAS, key, true, &names);
	if (err == 0 && names.count > 0)
		return resolve_names(lk, &names, res, false);
	modlookup_result_free(&names);
	if (err != 0)
		return err;
	if (strpbrk(key, ".:/") == NULL && strlen(key) <= MODNAME_LEN_MAX) {
		err = lookup_builtin(lk, key, res);
		if (err != 0 || res->count > 0)
			return err;
	}
	err = lookup_alias_file(lk, ML_BUILTIN_ALIAS, key, false, &names);
	if (err == 0 && names.count > 0)
		return resolve_names(lk, &names, res, false);
	modlookup_result_free(&names);
	return err;
}

int modlookup_module_path(struct modlookup *lk, const struct modlookup_module *m, char *buf,
			  size_t size)
{
	int n;

	if (m->path == NULL)
		return -ENOENT;
	/* External modules are listed with absolute paths (under the root). */
	if (m->path[0] == '/')
		n = snprintf(buf, size, "%s%s", lk->ctx->root, m->path);
	else
		return modctx_modpath(lk->ctx, m->path, buf, size);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* ---- modules.builtin.modinfo -------------------------------------------- */

int modlookup_builtin_modinfo(struct modlookup *lk, const char *name,
			      struct modlookup_builtin_info *info)
{
	size_t namelen = strlen(name), size;
	int err;

	memset(info, 0, sizeof(*info));
	err = read_whole(lk, modindex_files[MODINDEX_BUILTIN_MODINFO], 64u << 20, &info->buf, &size);
	if (err <= 0)
		return err;
	/* "name.key=value" records separated by NUL. */
	for (size_t off = 0; off < size;) {
		char *rec = info->buf + off;
		size_t len = strlen(rec);

		off += len + 1;
		if (len > namelen && rec[namelen] == '.' && strncmp(rec, name, namelen) == 0) {
			char **recs = xarray_grow(&info->recs, info->count, 1, sizeof(*recs));

			if (recs == NULL) {
				modlookup_builtin_info_free(info);
				return -ENOMEM;
			}
			*recs = rec + namelen + 1;
			info->count++;
		}
	}
	return 0;
}

void modlookup_builtin_info_free(struct modlookup_builtin_info *info)
{
	free(info->recs);
	free(info->buf);
	memset(info, 0, sizeof(*info));
}

/* ---- modprobe -c ------------------------------------------------------- */

struct alias_dump {
	char **lines;   /* "KEY NAME": neither holds a blank */
	size_t n;
	int err;
};

static int dump_text_line(char *line, void *arg)
{
	struct alias_dump *d = arg;
	char norm[1024], *name, **v;
	size_t lk, ln;

	if (!alias_line(line, norm, &name))
		return 0;
	v = xarray_grow(&d->lines, d->n, 1, sizeof(*v));
	lk = strlen(norm);
	ln = strlen(name);
	if (v == NULL || (*v = malloc(lk + ln + 2)) == NULL) {
		d->err = -ENOMEM;
		return 1;
	}
	memcpy(*v, norm, lk);
	(*v)[lk] = ' ';
	memcpy(*v + lk + 1, name, ln + 1);
	d->n++;
	return 0;
}

/* In byte order, as the .bin index's trie orders its keys. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int modlookup_dump(struct modlookup *lk, enum modlookup_file f, modindex_entry_fn *cb, void *arg)
{
	struct alias_dump d = { 0 };
	char path[PATH_MAX], bin[BIN_NAME_MAX];
	struct modindex idx;
	int err;

	lk->why[0] = '\0';
	if (modctx_modpath(lk->ctx, bin_name(f, bin), path, sizeof(path)) == 0 && modindex_open(&idx, path) == 0) {
		err = modindex_dump(&idx, cb, arg);
		modindex_close(&idx);
		return err < 0 ? fail_index(lk, err, f) : 0;
	}
	/* The text file, when there is no usable .bin: one that cannot be
	 * read has no aliases to show. */
	err = each_line(lk, f, dump_text_line, &d);
	lk->why[0] = '\0';
	if (d.err == 0 && err == 0 && d.n > 1)
		qsort(d.lines, d.n, sizeof(*d.lines), cmp_str);
	for (size_t i = 0; i < d.n; i++) {
		char *name = strchr(d.lines[i], ' ');

		*name++ = '\0';
		if (d.err == 0 && err == 0 && cb(d.lines[i], name, 0, arg) != 0)
			d.err = 1;
		free(d.lines[i]);
	}
	free(d.lines);
	return d.err < 0 ? d.err : 0;
}
