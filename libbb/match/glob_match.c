// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fnmatch(pattern, string, 0) of glibc in the C locale, without glibc: kmod
 * matches modules.alias and modprobe.d patterns with it, so its corner cases
 * (how a broken bracket expression reads) are ours too ('^' negates, as in
 * glibc without POSIXLY_CORRECT). The tests compare every case with glibc's
 * own fnmatch.
 */
#include <string.h>

#include "cclass.h"
#include "glob_match.h"

typedef unsigned char uchar;

/* glibc fails a bracket whose "[:" is followed by this many letters a..y
 * (CHAR_CLASS_MAX_LENGTH; one fewer once a member has matched). */
#define CLASS_RUN_MAX 2048

/* 1 when ch is in the class of the n-letter name, 0 when not, -1 when no
 * class has that name (glibc then fails the whole match). */
static int in_class(const uchar *name, size_t n, unsigned ch)
{
	int k = cclass_find((const char *)name, n);

	return k < 0 ? -1 : cclass_has(k, (int)ch);
}

/* Letters glibc accepts in a class name: a to y ('z' ends the name). */
static size_t name_run(const uchar *q)
{
	size_t n = 0;

	while ((unsigned)(q[n] - 'a') < 25)
		n++;
	return n;
}

/* "[=c=]" or "[.c.]" from the '=' or '.' at p: exactly one byte. */
static bool one_byte_item(const uchar *p)
{
	return p[1] && p[2] == p[0] && p[3] == ']';
}

/*
 * The bracket expression whose '[' is just before p, against byte ch (not
 * NUL): where the pattern goes on when ch matches, else NULL. Without a
 * closing ']' the '[' is an ordinary byte (start is returned for a '[').
 * Malformed parts ([:bad:], a range ending the pattern, ...) fail it. Once
 * ch has matched, the rest is skipped by glibc's looser skipping rules.
 * Out of line: inlined into glob_match it costs 28 bytes more of Thumb-2.
 */
static __attribute__((noinline)) const uchar *bracket(const uchar *p, unsigned ch)
{
	const uchar *start = p;
	bool neg = *p == '!' || *p == '^';
	int hit = 0;
	unsigned c;

	p += neg;
	c = *p++;
	/* A ']' first is a member; after that it ends the expression. */
	do {
		unsigned hi;
		bool coll = false;
		size_t n;

		if (c == '\0')
			return ch == '[' ? start : NULL;
		if (c == '\\') {
			if ((c = *p++) == '\0')
				return NULL;
		} else if (c == '[' && *p == ':') {
			n = name_run(p + 1);
			if (n + (size_t)hit >= CLASS_RUN_MAX)
				return NULL;
			if (p[n + 1] == ':' && p[n + 2] == ']') {
				if (!hit && (hit = in_class(p + 1, n, ch)) < 0)
					return NULL;
				p += n + 3;
				continue;
			}
			/* Not a class: the '[' is a member. */
		} else if (c == '[' && *p == '=') {
			if (one_byte_item(p)) {
				hit |= p[1] == ch;
				p += 4;
				continue;
			}
			if (hit)
				return NULL;
		} else if (c == '[' && *p == '.') {
			if (hit) {
				p = (const uchar *)strstr((const char *)p + 1, ".]");
				if (p == NULL)
					return NULL;
				p += 2;
				continue;
			}
			if (!one_byte_item(p))
				return NULL;
			c = p[1];
			p += 4;
			coll = true;
		}
		if (hit)
			continue;
		/* A member followed by '-' starts a range, except before ']' or
		 * the end (glibc lets "[.c.]-]" start one that never comes). */
		if (!(*p == '-' && p[1] && (coll || p[1] != ']')) && c == ch) {
			hit = 1;
			continue;
		}
		if (*p == '-' && p[1] != ']') {
			hi = p[1];
			p += 2;
			if (hi == '[' && *p == '.') {
				if (!one_byte_item(p))
					return NULL;
				hi = p[1];
				p += 4;
			} else if (hi == '\\') {
				hi = *p++;
			}
			if (hi == '\0')
				return NULL;
			hit = c <= ch && ch <= hi;
		}
	} while ((c = *p++) != ']');
	return hit != neg ? p : NULL;
}

/*
 * Segments between stars match one byte per item, so the last star alone
 * needs backtracking: on a mismatch it takes one more byte and the segment
 * after it starts again (glibc commits to a star's first fit the same way).
 */
bool glob_match(const char *pattern, const char *string)
{
	const uchar *p = (const uchar *)pattern, *s = (const uchar *)string;
	const uchar *star_p = NULL, *star_s = NULL;

	for (;;) {
		unsigned c = *p++;

		if (c == '*') {
			star_p = p;
			star_s = s;
			continue;
		}
		if (c == '\0') {
			if (*s == '\0')
				return true;
		} else if (*s != '\0') {
			if (c == '[') {
				const uchar *q = bracket(p, *s);

				if (q != NULL) {
					p = q;
					s++;
					continue;
				}
			} else {
				if (c == '\\')
					c = *p++;    /* a trailing '\' (NUL) matches nothing */
				else if (c == '?')
					c = *s;
				if (c == *s) {
					s++;
					continue;
				}
			}
		}
		if (star_p == NULL || *star_s == '\0')
			return false;
		p = star_p;
		s = ++star_s;
	}
}
