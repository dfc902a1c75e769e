// SPDX-License-Identifier: GPL-2.0-or-later
/* Module names and aliases: normalisation and comparison. */
#include <errno.h>
#include <string.h>

#include "modname.h"

int modname_normalize(const char *name_or_path, char out[MODNAME_MAX])
{
	const char *base = strrchr(name_or_path, '/');
	size_t i;

	base = base ? base + 1 : name_or_path;
	for (i = 0; base[i] != '\0' && base[i] != '.'; i++) {
		if (i >= MODNAME_LEN_MAX) {
			out[0] = '\0';
			return -ENAMETOOLONG;
		}
		out[i] = base[i] == '-' ? '_' : base[i];
	}
	out[i] = '\0';
	return i == 0 ? -EINVAL : 0;
}

/* In enum modcomp's order. */
static const char *const module_suffixes[] = { ".ko", ".ko.gz", ".ko.xz", ".ko.zst" };

int modname_suffix(const char *path, size_t len)
{
	for (size_t i = 0; i < sizeof(module_suffixes) / sizeof(module_suffixes[0]); i++) {
		size_t sl = strlen(module_suffixes[i]);

		if (len > sl && strcmp(path + len - sl, module_suffixes[i]) == 0)
			return (int)i;
	}
	return -1;
}

bool modname_has_module_suffix(const char *path)
{
	return modname_suffix(path, strlen(path)) >= 0;
}

int modname_alias(const char *alias, char *out, size_t size, bool stray_ok)
{
	bool in_set = false;
	size_t i;
	char c;

	/* The common bytes (letters, digits, ':', '*') take one test. */
	for (i = 0; (c = alias[i]) != '\0'; i++) {
		if (i + 1 >= size)
			return -ENAMETOOLONG;
		if ((c == '-' || c == '[' || c == ']')) {
			if (c == '[') {
				in_set = true;
			} else if (c == ']') {
				if (!in_set && !stray_ok)
					return -EINVAL;   /* as kmod: a ']' that closes no '[' */
				in_set = false;
			} else if (!in_set) {
				c = '_';
			}
		}
		out[i] = c;
	}
	out[i] = '\0';
	return in_set ? -EINVAL : 0;
}

bool modname_equal(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = *a == '-' ? '_' : *a;
		char cb = *b == '-' ? '_' : *b;

		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
}
