// SPDX-License-Identifier: GPL-2.0-or-later
/* The C locale's character classes, one table for glob_match and ere. */
#include <string.h>

#include "cclass.h"

/* Class k is named at 6 * k + 1, each name ended by a ':'; class_runs[k]
 * is its first byte range in class_ranges * 4 + the number of ranges - 1. */
static const char class_names[] =
	":alnum:alpha:blank:cntrl:digit:graph:lower:print:punct:space:upper:xdigit:";
static const unsigned char class_runs[12] = {
	2 * 4 + 2, 3 * 4 + 1, 6 * 4 + 1, 8 * 4 + 1, 2 * 4 + 0, 11 * 4 + 0,
	4 * 4 + 0, 10 * 4 + 0, 12 * 4 + 3, 5 * 4 + 1, 3 * 4 + 0, 0 * 4 + 2,
};
static const unsigned char class_ranges[16][2] = {
	{ 'A', 'F' }, { 'a', 'f' }, { '0', '9' }, { 'A', 'Z' }, { 'a', 'z' },
	{ '\t', '\r' }, { ' ', ' ' }, { '\t', '\t' }, { 0, 0x1f }, { 0x7f, 0x7f },
	{ ' ', '~' }, { '!', '~' }, { '!', '/' }, { ':', '@' }, { '[', '`' }, { '{', '~' },
};

int cclass_find(const char *name, size_t len)
{
	if (len == 0 || len > 6)
		return -1;
	for (int k = 0; k < 12; k++) {
		const char *n = class_names + 6 * k + 1;

		if (memcmp(n, name, len) == 0 && n[len] == ':')
			return k;
	}
	return -1;
}

bool cclass_has(int k, int c)
{
	const unsigned char *r = class_ranges[class_runs[k] >> 2];

	for (int n = class_runs[k] & 3; n >= 0; n--, r += 2) {
		if (r[0] <= c && c <= r[1])
			return true;
	}
	return false;
}
