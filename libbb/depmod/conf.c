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
	while ((line = confline_next(&r)) != NULL) {
		unsigned lineno = r.lineno;
		char *rest = line, *cmd, *a, *b, *c;

		if (line[0] == '\0' || line[0] == '#')
			continue;
		cmd = confline_word(&rest);
		if (cmd == NULL)
			continue;
		if (strcmp(cmd, "search") == 0) {
			while (err == 0 && (a = confline_word(&rest)) != NULL)
				err = dm_list_add(&d->searches, a, strcmp(a, "built-in") == 0 ? SEARCH_BUILTIN :
							     strcmp(a, "external") == 0 ? SEARCH_EXTERNAL : SEARCH_PATH);
			if (err < 0)
				break;
			continue;
		}
		if (strcmp(cmd, "override") == 0) {
			a = confline_word(&rest);   /* module */
			b = confline_word(&rest);   /* kernel */
			c = confline_word(&rest);   /* subdir */
			if (a != NULL && b != NULL && c != NULL) {
				char *p;

				if (!kernel_matches(d, b)) {
					msg_info("%s:%u: override kernel did not match %s", file, lineno, b);
					continue;
				}
				if (asprintf(&p, "%s/%s", c, a) < 0) {
					err = -ENOMEM;
					break;
				}
				err = dm_list_add(&d->overrides, p, 0);
				free(p);
				if (err < 0)
					break;
				continue;
			}
		} else if (strcmp(cmd, "external") == 0) {
			a = confline_word(&rest);   /* kernel */
			b = confline_word(&rest);   /* folder */
			if (a != NULL && b != NULL) {
				if (!kernel_matches(d, a)) {
					msg_info("%s:%u: external directory did not match %s", file, lineno, a);
					continue;
				}
				err = dm_list_add(&d->externals, b, 0);
				if (err < 0)
					break;
				continue;
			}
		} else if (strcmp(cmd, "exclude") == 0) {
			while (err == 0 && (a = confline_word(&rest)) != NULL)
				err = dm_list_add(&d->excludes, a, 0);
			if (err < 0)
				break;
			continue;
		} else if (strcmp(cmd, "include") == 0 || strcmp(cmd, "make_map_files") == 0) {
			msg_info("%s:%u: command %s not implemented yet", file, lineno, cmd);
			continue;
		}
		msg_err("%s:%u: ignoring bad line starting with '%s'", file, lineno, cmd);
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
