// SPDX-License-Identifier: GPL-2.0-or-later
/* Module parameters from the command line, as the kernel parses them. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "modparams.h"

char *modparams_join(int argc, char *const *argv)
{
	size_t cap = 1;
	char *out, *p;

	for (int i = 0; i < argc; i++)
		cap += strlen(argv[i]) + 3;   /* a space and two quotes at most */
	out = malloc(cap);
	if (out == NULL)
		return NULL;
	p = out;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '=');
		bool quote = eq != NULL && strchr(eq, ' ') != NULL && eq[1] != '"';

		if (i > 0)
			*p++ = ' ';
		if (quote) {
			size_t klen = (size_t)(eq - arg) + 1, vlen = strlen(eq + 1);

			memcpy(p, arg, klen);
			p += klen;
			*p++ = '"';
			memcpy(p, eq + 1, vlen);
			p += vlen;
			*p++ = '"';
		} else {
			p = stpcpy(p, arg);
		}
	}
	*p = '\0';
	return out;
}
