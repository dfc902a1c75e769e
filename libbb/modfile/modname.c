// SPDX-License-Identifier: GPL-2.0-or-later
/* Module names and aliases: normalisation and comparison. */
#include <errno.h>
#include <string.h>

#include "modfile.h"
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

/* ".ko", then the suffix of each row of MODCOMP_FORMATS: indexed by enum
 * modcomp. Arrays, not pointers: an applet that only names modules (rmmod)
 * links no relocated table, and not modcomp_formats. */
#define SUFFIX_MAX 12
#define SUFFIX_(sym, name, suffix, magic) suffix,
#define SUFFIX_FITS_(sym, name, suffix, magic) \
	_Static_assert(sizeof(suffix) <= SUFFIX_MAX, "the suffix of " #sym " is too long");
MODCOMP_FORMATS(SUFFIX_FITS_)
static const char module_suffixes[MODCOMP_END][SUFFIX_MAX] = { ".ko", MODCOMP_FORMATS(SUFFIX_) };

int modname_suffix(const char *path, size_t len)
{
	for (int i = 0; i < MODCOMP_END; i++) {
		size_t sl = strlen(module_suffixes[i]);

		if (len > sl && strcmp(path + len - sl, module_suffixes[i]) == 0)
			return i;
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
