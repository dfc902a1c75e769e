/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_TEST_SLURP_H
#define MODUTILS_TEST_SLURP_H

/* A test data file read whole (up to 64 KiB), NUL-terminated; its length
 * in *len when len is not NULL. The test fails when it cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	if (f == NULL)
		fail_msg("%s: cannot open", path);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = n;
	return buf;
}

#endif
