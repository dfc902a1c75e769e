// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod.d: search, override, external and exclude (depmod.d(5)). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confdir.h"
#include "confline.h"
#include "depmod_int.h"
#include "ere.h"

int dm_list_add(struct cfg_list *l, const char *path, int type)
{
	struct cfg_item *v = xarray_grow(&l->v, l->n, 1, sizeof(*v));

	if (v == NULL || (v->path = strdup(path)) == NULL)
		return -ENOMEM;
	v->len = strlen(path);
	v->type = type;
	l->n++;
	return 0;
}

void dm_list_free(struct cfg_list *l)
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

/*
 * The directives, a row each: the keyword and its parser, which gets the
 * rest of the line (its words taken with confline_word) and returns 0,
 * -EINVAL for a bad line (reported by the caller) or -ENOMEM.
 */
struct dm_line {
	struct dm *d;
	const char *file;
	unsigned lineno;
	const char *cmd;
};
typedef int dm_directive_fn(const struct dm_line *l, char *rest);

/* search PATH|built-in|external ... */
static int cfg_search(const struct dm_line *l, char *rest)
{
	int err = 0;

	for (char *a; err == 0 && (a = confline_word(&rest)) != NULL;)
		err = dm_list_add(&l->d->searches, a, strcmp(a, "built-in") == 0 ? SEARCH_BUILTIN :
						      strcmp(a, "external") == 0 ? SEARCH_EXTERNAL : SEARCH_PATH);
	return err;
}

/* override MODULE KERNEL SUBDIR */
static int cfg_override(const struct dm_line *l, char *rest)
{
	char *mod = confline_word(&rest), *kernel = confline_word(&rest), *subdir = confline_word(&rest), *p;
	int err;

	if (mod == NULL || kernel == NULL || subdir == NULL)
		return -EINVAL;
	if (!kernel_matches(l->d, kernel)) {
		msg_info("%s:%u: override kernel did not match %s", l->file, l->lineno, kernel);
		return 0;
	}
	if (asprintf(&p, "%s/%s", subdir, mod) < 0)
		return -ENOMEM;
	err = dm_list_add(&l->d->overrides, p, 0);
	free(p);
	return err;
}

/* external KERNEL FOLDER */
static int cfg_external(const struct dm_line *l, char *rest)
{
	char *kernel = confline_word(&rest), *dir = confline_word(&rest);

	if (kernel == NULL || dir == NULL)
		return -EINVAL;
	if (!kernel_matches(l->d, kernel)) {
		msg_info("%s:%u: external directory did not match %s", l->file, l->lineno, kernel);
		return 0;
	}
	return dm_list_add(&l->d->externals, dir, 0);
}

/* exclude FOLDER ... */
static int cfg_exclude(const struct dm_line *l, char *rest)
{
	int err = 0;

	for (char *a; err == 0 && (a = confline_word(&rest)) != NULL;)
		err = dm_list_add(&l->d->excludes, a, 0);
	return err;
}

/* include, make_map_files: kmod's words, nothing done */
static int cfg_not_implemented(const struct dm_line *l, char *rest)
{
	(void)rest;
	msg_info("%s:%u: command %s not implemented yet", l->file, l->lineno, l->cmd);
	return 0;
}

static const struct {
	const char *keyword;
	dm_directive_fn *parse;
} directives[] = {
	{ "search", cfg_search },
	{ "override", cfg_override },
	{ "external", cfg_external },
	{ "exclude", cfg_exclude },
	{ "include", cfg_not_implemented },
	{ "make_map_files", cfg_not_implemented },
};

/* 0, or -ENOMEM (the lines after it not read). */
static int cfg_parse(struct dm *d, const char *file)
{
	struct confline r;
	const char *why;
	char *line;
	int err = confline_open(&r, file, &why);

	if (err < 0) {
		msg_err("file parse %s: %s", file, why);
		return 0;
	}
	while (err == 0 && (line = confline_next(&r)) != NULL) {
		struct dm_line l = { d, file, r.lineno, NULL };
		char *rest = line;

		if (line[0] == '\0' || line[0] == '#')
			continue;
		l.cmd = confline_word(&rest);
		if (l.cmd == NULL)
			continue;
		err = -EINVAL;
		for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
			if (strcmp(l.cmd, directives[i].keyword) == 0) {
				err = directives[i].parse(&l, rest);
				break;
			}
		if (err == -EINVAL) {
			msg_err("%s:%u: ignoring bad line starting with '%s'", file, l.lineno, l.cmd);
			err = 0;
		}
	}
	confline_close(&r);
	return err;
}

/* kmod's depmod words for what a folder holds besides its files; a name
 * starting with '.' in silence, and a file it cannot read is said by
 * cfg_parse. */
static void cfg_note(void *arg, enum confdir_note what, const char *dir, const char *name, int err)
{
	(void)arg;
	if (what == CONFDIR_FOLDER)
		msg_err("files list %s: %s", dir, msg_strerror(-err));
	else if (what == CONFDIR_NOT_CONF)
		msg_info("All cfg files need .conf: %s/%s", dir, name);
	else if (what == CONFDIR_SUBFOLDER)
		msg_err("Directories inside directories are not supported: %s/%s", dir, name);
}

int dm_cfg_load(struct dm *d, char **paths, size_t npaths)
{
	static const char *const defaults[] = {
		"/etc/depmod.d", "/run/depmod.d", "/usr/local/lib/depmod.d",
		"/usr/lib/depmod.d", "/lib/depmod.d",
	};
	struct confdir files = { .note = cfg_note };
	int err;

	if (npaths == 0) {
		paths = (char **)defaults;
		npaths = ARRAY_SIZE(defaults);
	}
	err = confdir_scan(&files, (const char *const *)paths, npaths);
	for (size_t i = 0; i < files.n && err == 0; i++)
		err = cfg_parse(d, files.v[i].path);
	confdir_free(&files);
	if (err == 0 && d->searches.n == 0)
		err = dm_list_add(&d->searches, "updates", SEARCH_PATH);
	return err;
}
