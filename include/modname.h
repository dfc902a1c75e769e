/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODNAME_H
#define MODUTILS_MODNAME_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The kernel's MODULE_NAME_LEN is 64 - sizeof(unsigned long): 55 usable
 * characters on 64-bit kernels, 59 on 32-bit. Buffers hold the larger one;
 * modname_* refuse anything longer than 59.
 */
#define MODNAME_MAX 64
#define MODNAME_LEN_MAX 59

/* Name of a module from a name or path: the basename up to its first '.',
 * with '-' turned into '_'. 0, or -EINVAL (empty) / -ENAMETOOLONG. */
int modname_normalize(const char *name_or_path, char out[MODNAME_MAX]);

/* True when path ends in .ko or a compressed module's suffix (.ko.gz,
 * .ko.xz, .ko.zst: the suffixes of MODCOMP_FORMATS, include/modfile.h). */
bool modname_has_module_suffix(const char *path);
/* Which of them the len bytes of path end in: the enum modcomp of its
 * compression (.ko is MODCOMP_NONE), or -1 for none. */
int modname_suffix(const char *path, size_t len);

/* An alias as kmod keys it: '-' as '_' outside [...] sets; out may be
 * alias itself. 0, -EINVAL for a '[' left open or (unless stray_ok) a
 * ']' that closes no '[' (kmod's rule, for modprobe.d; the lookups accept
 * one: a text modules.alias pattern such as "[[:alpha:]]x" still matches),
 * -ENAMETOOLONG when it does not fit size bytes. The only alias normaliser
 * (depmod.c still has its own: to be moved to this one). */
int modname_alias(const char *alias, char *out, size_t size, bool stray_ok);

/* Module names compare with '-' equal to '_'. */
bool modname_equal(const char *a, const char *b);

#endif
