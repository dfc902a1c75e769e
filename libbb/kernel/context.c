// SPDX-License-Identifier: GPL-2.0-or-later
/* The module-tree context: root folder and kernel version. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "kernel.h"

#define MODULES_DIR "/lib/modules/"

int modctx_init(struct modctx *ctx, const char *root, const char *kver)
{
	int n;

	/* Not the whole struct: two PATH_MAX arrays are two pages and more
	 * that only their strings need (each page touched is a page fault). */
	ctx->root[0] = ctx->kver[0] = ctx->moddir[0] = '\0';
	if (root == NULL)
		root = "";
	if (root[0] != '\0' && root[0] != '/') {
		/* A relative -b names a folder under the current one; keep it
		 * absolute so the paths shown are, as kmod shows them. */
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return -errno;
		n = snprintf(ctx->root, sizeof(ctx->root), "%s/%s", strcmp(cwd, "/") ? cwd : "", root);
	} else {
		n = snprintf(ctx->root, sizeof(ctx->root), "%s", root);
	}
	if (n < 0 || (size_t)n >= sizeof(ctx->root))
		return -ENAMETOOLONG;
	/* "-b /" and "-b dir/" mean the same as without the slash. */
	while (n > 0 && ctx->root[n - 1] == '/')
		ctx->root[--n] = '\0';

	if (kver != NULL) {
		n = snprintf(ctx->kver, sizeof(ctx->kver), "%s", kver);
		if (n < 0 || (size_t)n >= sizeof(ctx->kver))
			return -ENAMETOOLONG;
	} else {
		int err = kernel_release(ctx->kver, sizeof(ctx->kver));

		if (err < 0)
			return err;
	}
	if (strchr(ctx->kver, '/') != NULL || ctx->kver[0] == '\0' ||
	    strcmp(ctx->kver, ".") == 0 || strcmp(ctx->kver, "..") == 0)
		return -EINVAL;

	n = snprintf(ctx->moddir, sizeof(ctx->moddir), "%s" MODULES_DIR "%s", ctx->root, ctx->kver);
	if (n < 0 || (size_t)n >= sizeof(ctx->moddir))
		return -ENAMETOOLONG;
	return 0;
}

int modctx_set_moduledir(struct modctx *ctx, const char *moduledir)
{
	size_t len;
	int n;

	while (*moduledir == '/')
		moduledir++;
	len = strlen(moduledir);
	while (len > 0 && moduledir[len - 1] == '/')
		len--;
	n = snprintf(ctx->moddir, sizeof(ctx->moddir), "%s/%.*s%s%s", ctx->root, (int)len, moduledir,
		     len ? "/" : "", ctx->kver);
	if (n < 0 || (size_t)n >= sizeof(ctx->moddir))
		return -ENAMETOOLONG;
	return 0;
}

int modctx_modpath(const struct modctx *ctx, const char *rel, char *buf, size_t size)
{
	/* By hand: a lookup builds several, and musl's snprintf is slow. */
	size_t d = strlen(ctx->moddir), r = strlen(rel);

	if (size == 0 || d + 1 + r >= size)
		return -ENAMETOOLONG;
	memcpy(buf, ctx->moddir, d);
	buf[d] = '/';
	memcpy(buf + d + 1, rel, r + 1);
	return 0;
}
