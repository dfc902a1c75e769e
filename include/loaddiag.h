/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_LOADDIAG_H
#define MODUTILS_LOADDIAG_H

#include <stddef.h>

#include "modlookup.h"

/*
 * Why the kernel refused a module, in more words than its errno: the
 * symbols the module needs that the running kernel does not have (and
 * which module exports them), or its vermagic beside the running kernel.
 * Each finding is one call of cb with a complete sentence.
 */
typedef void loaddiag_fn(const char *sentence, void *arg);

/* After ENOENT: imports missing from /proc/kallsyms, each with the module
 * of modules.symbols that exports it; parameters the module does not
 * declare. Returns the number of findings, or -errno. */
int loaddiag_unknown_symbols(const void *image, size_t size, const char *params,
			     struct modlookup *lk, loaddiag_fn *cb, void *arg);

/* After ENOEXEC: the module's vermagic and machine beside the kernel's. */
int loaddiag_bad_format(const void *image, size_t size, loaddiag_fn *cb, void *arg);

#endif
