/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_CCLASS_H
#define MODUTILS_CCLASS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The C locale's character classes of bracket expressions ([:alpha:] ...),
 * ASCII only, for glob_match and ere (no setlocale() here, and glibc's
 * is*() would add 300 bytes).
 */

/* The class named by the len bytes at name ("alpha", without colons), or
 * -1 when no class has that name. */
int cclass_find(const char *name, size_t len);
/* Whether byte c is in class k (from cclass_find); a negative c is in
 * none. */
bool cclass_has(int k, int c);

#endif
