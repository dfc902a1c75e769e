// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer, differential: the project's own matchers against glibc's.
 * glob_match() must answer as fnmatch(pattern, string, 0) and ere_match()
 * as regcomp(REG_EXTENDED | REG_NOSUB) + regexec() in the C locale, which
 * is what kmod uses for modules.alias / modprobe.d patterns and for the
 * kernel version patterns of depmod.d. A disagreement aborts.
 * Input: one byte picking the matcher (bit 0: ERE), then the pattern up
 * to the first NUL, then the string up to the next NUL. */
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ere.h"
#include "glob_match.h"

static void disagree(const char *what, const char *pattern, const char *string, int ours, int theirs)
{
	fprintf(stderr, "%s disagrees: pattern '%s' string '%s': ours %d, glibc %d\n",
		what, pattern, string, ours, theirs);
	abort();
}

/* The GNU extensions ere_match() refuses on purpose (ere.h): a backslash
 * before a digit (a back-reference; glibc also reads "{\0}" as "{0}") or
 * one of w W s S b B < > ` '. */
static int has_gnu_escape(const char *p)
{
	for (; *p != '\0'; p++) {
		if (*p != '\\')
			continue;
		if (p[1] == '\0')
			return 0;
		if (strchr("0123456789wWsSbB<>`'", p[1]) != NULL)
			return 1;
		p++;
	}
	return 0;
}

/* glibc's regcomp() copies the tree for each stacked repeat (a+++...: 2^n
 * nodes; a{,23}*{,23} takes minutes) and each counted repeat, and runs
 * out of memory or time: such patterns have no oracle. */
static int stacked_repeats(const char *p)
{
	int run = 0;

	for (; *p != '\0'; p++) {
		/* and it writes a counted repeat out: (){767,} or (){,267} takes minutes */
		if (*p == '{') {
			char *end;

			if (strtoul(p + 1, &end, 10) > 32 || (*end == ',' && strtoul(end + 1, NULL, 10) > 32))
				return 1;
		}
		if (strchr("*+?}", *p) != NULL) {
			if (++run > 2)
				return 1;
		} else if (*p != '{' && !(*p >= '0' && *p <= '9') && *p != ',') {
			run = 0;
		}
	}
	return 0;
}

static void check_ere(const char *pattern, const char *string)
{
	regex_t re;
	int ours = ere_match(pattern, string), rc, theirs;

	/* A newline in the pattern: glibc then lets '$' and '^' beside it match
	 * at a newline of the string, even without REG_NEWLINE ("$\n" finds
	 * "x\n"); ere_match() takes it as an ordinary byte. depmod.d patterns
	 * are words of one line and never hold one (ere.h). */
	if (ours == -E2BIG || stacked_repeats(pattern) || strchr(pattern, '\n') != NULL)
		return;   /* a documented limit, or no oracle: nothing to compare */
	/* An anchor and a newline in the string: glibc lets ".^" match at the
	 * newline of "a\nb" even without REG_NEWLINE (ere.h). */
	if (strchr(string, '\n') != NULL && strpbrk(pattern, "^$") != NULL)
		return;
	if (ours == -EINVAL && has_gnu_escape(pattern))
		return;   /* refused on purpose; glibc may take it */
	rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		if (ours != -EINVAL)
			disagree("ere_match (regcomp refuses)", pattern, string, ours, -rc);
		return;
	}
	theirs = regexec(&re, string, 0, NULL, 0) == 0;
	regfree(&re);
	if (ours == -EINVAL && strlen(pattern) > ERE_PATTERN_MAX)
		return;
	if (ours != theirs)
		disagree("ere_match", pattern, string, ours, theirs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *pattern, *string, *nul;

	if (size < 1 || size > 4096)
		return 0;
	/* pattern NUL string NUL, whatever the input holds */
	buf = calloc(1, size + 2);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	pattern = buf;
	nul = memchr(buf, '\0', size);
	string = nul + 1;
	if (data[0] & 1) {
		check_ere(pattern, string);
	} else {
		int ours = glob_match(pattern, string), theirs = fnmatch(pattern, string, 0) == 0;

		if (ours != theirs)
			disagree("glob_match", pattern, string, ours, theirs);
	}
	free(buf);
	return 0;
}
