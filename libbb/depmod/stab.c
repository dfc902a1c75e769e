// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod's string -> number table: open addressing, keys not copied. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "depmod_int.h"
#include "modelf.h"

static struct sslot *stab_slot(const struct stab *t, const char *key, size_t len, uint32_t h)
{
	size_t i = h & t->mask;

	while (t->s[i].key != NULL) {
		if (t->s[i].hash == h && t->s[i].len == len && memcmp(t->s[i].key, key, len) == 0)
			return &t->s[i];
		i = (i + 1) & t->mask;
	}
	return &t->s[i];
}

static int stab_grow(struct stab *t)
{
	struct stab n = { .mask = t->mask ? t->mask * 2 + 1 : 1023 };

	n.s = calloc(n.mask + 1, sizeof(*n.s));
	if (n.s == NULL)
		return -ENOMEM;
	for (size_t i = 0; t->s && i <= t->mask; i++)
		if (t->s[i].key != NULL)
			*stab_slot(&n, t->s[i].key, t->s[i].len, t->s[i].hash) = t->s[i];
	n.n = t->n;
	free(t->s);
	*t = n;
	return 0;
}

struct sslot *stab_get(struct stab *t, const char *key, size_t len, bool insert)
{
	uint32_t h = modelf_name_hash(key, len);
	struct sslot *s;

	if (insert && (t->s == NULL || (t->n + 1) * 4 > (t->mask + 1) * 3) && stab_grow(t) < 0)
		return NULL;
	if (t->s == NULL) {
		/* read-only: an empty table's absent key is never written */
		static const struct sslot none;

		return (struct sslot *)&none;
	}
	s = stab_slot(t, key, len, h);
	if (insert && s->key == NULL) {
		s->key = key;
		s->len = (uint32_t)len;
		s->hash = h;
		s->val = UINT32_MAX;
		t->n++;
	}
	return s;
}

void stab_free_keys(struct stab *dups)
{
	if (dups->s == NULL)
		return;
	for (size_t i = 0; i <= dups->mask; i++)
		free((char *)dups->s[i].key);
	free(dups->s);
}
