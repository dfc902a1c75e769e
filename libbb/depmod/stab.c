// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod's string -> number map: its entries in an xarray, found through
 * libbb's hash index (xhash); keys are not copied. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "depmod_int.h"

struct sslot *stab_get(struct stab *t, const char *key, size_t len, bool insert)
{
	/* read-only: an absent key's slot is never written */
	static const struct sslot none;
	uint32_t h = xhash_bytes(key, len), id;
	struct sslot *s;
	size_t it = 0;

	while ((id = xhash_next(&t->index, h, &it)) != XHASH_END) {
		s = &t->s[id];
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return s;
	}
	if (!insert)
		return (struct sslot *)&none;
	s = xarray_grow(&t->s, t->n, 1, sizeof(*t->s));
	if (s == NULL || xhash_add(&t->index, h, (uint32_t)t->n) < 0)
		return NULL;
	s->key = key;
	s->len = (uint32_t)len;
	s->hash = h;
	s->val = UINT32_MAX;
	t->n++;
	return s;
}

void stab_free(struct stab *t)
{
	xhash_free(&t->index);
	free(t->s);
	memset(t, 0, sizeof(*t));
}

void stab_free_keys(struct stab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free((char *)t->s[i].key);
	stab_free(t);
}
