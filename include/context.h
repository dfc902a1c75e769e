/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_CONTEXT_H
#define MODUTILS_CONTEXT_H

#include <limits.h>
#include <stddef.h>

/*
 * Where the module tree and configuration live: a root folder (-b) and a
 * kernel version (-k, or the running kernel's). Every path below the root is
 * built here, so no applet writes "/lib/modules" itself.
 */
struct modctx {
	char root[PATH_MAX];     /* "" for the real root */
	char kver[65];           /* struct utsname.release is 65 bytes */
	char moddir[PATH_MAX];   /* root + /lib/modules/ + kver */
};

/* root may be NULL or "" (the real root); kver NULL means the running
 * kernel's release. Returns 0 or -errno (-ENAMETOOLONG for long paths). */
int modctx_init(struct modctx *ctx, const char *root, const char *kver);

/* Use root + /moduledir/ + kver instead of root + /lib/modules/ + kver
 * (depmod -m; a relative moduledir is taken from the root too). */
int modctx_set_moduledir(struct modctx *ctx, const char *moduledir);

/* Build "moddir/rel" into buf; -ENAMETOOLONG if it does not fit. */
int modctx_modpath(const struct modctx *ctx, const char *rel, char *buf, size_t size);

#endif
