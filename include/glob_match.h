/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_GLOB_MATCH_H
#define MODUTILS_GLOB_MATCH_H

#include <stdbool.h>

/*
 * Shell wildcard match of a whole string: true exactly when glibc's
 * fnmatch(pattern, string, 0) returns 0 in the C locale, which is what kmod
 * gets for modules.alias and modprobe.d patterns. '*' and '?' match any byte
 * ('/' and a leading '.' too), [...] is a bracket expression (ranges, '!' or
 * '^', [:class:], [=c=], [.c.]), '\' quotes; an unterminated '[' is a
 * literal. Bytes, no locale; time O(len(pattern) * len(string)).
 */
bool glob_match(const char *pattern, const char *string);

#endif
