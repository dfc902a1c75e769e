/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_TEST_MODTREE_H
#define MODUTILS_TEST_MODTREE_H

/* A module folder for unit tests: ROOT/lib/modules/VERSION under a
 * mkdtemp() root, its files written whole, the root removed at the end. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "context.h"

static inline int modtree_make(char *root, struct modctx *ctx, const char *version)
{
	char path[PATH_MAX];

	if (mkdtemp(root) == NULL || modctx_init(ctx, root, version) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/lib", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/lib/modules", root);
	mkdir(path, 0755);
	return mkdir(ctx->moddir, 0755);
}

static inline void modtree_put(const struct modctx *ctx, const char *name, const char *text, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	assert_int_equal(modctx_modpath(ctx, name, path, sizeof(path)), 0);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Any file by its path, its folders made first (mkdir -p), its text
 * written whole. */
static inline void modtree_write(const char *path, const char *text)
{
	char buf[PATH_MAX];
	FILE *f;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = strchr(buf + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(buf, 0755);
		*s = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static inline int modtree_remove(const char *root)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
