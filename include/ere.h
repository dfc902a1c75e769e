/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_ERE_H
#define MODUTILS_ERE_H

/* Longest pattern ere_match() takes, and its work limit per call. */
#define ERE_PATTERN_MAX 256
#define ERE_STEPS_MAX 1000000

/*
 * POSIX extended regular expression search, as regexec() with
 * REG_EXTENDED | REG_NOSUB does it for ASCII in the C locale: 1 when pattern
 * matches somewhere in string, 0 when not. -EINVAL for a pattern glibc's
 * regcomp() refuses, one longer than ERE_PATTERN_MAX, and the GNU
 * extensions glibc takes but this does not
 * (back-references, \w \W \s \S \b \B \< \> \` \', escaped digits in an interval
 * such as a{\2}); -E2BIG when the pattern
 * compiles to too many states (counted repeats are written out: a{1000} is
 * too many) or the search needs more than ERE_STEPS_MAX steps (states
 * entered and pattern bytes read). No pattern makes it hang or recurse.
 * A newline is an ordinary byte in pattern and string; glibc, given a
 * pattern with a newline in it, also lets '$' or '^' beside that newline
 * match at a newline of the string, and even without one lets a '^' after
 * the start or a '$' before the end match beside a newline of the string
 * (".^" finds "a\nb"). depmod.d's patterns are words of a line and the
 * string they match is a kernel version: neither ever holds one.
 */
int ere_match(const char *pattern, const char *string);

#endif
