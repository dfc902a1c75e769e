// SPDX-License-Identifier: GPL-2.0-or-later
/* Growing arrays and a string arena: the allocation idioms libbb and the
 * applets share. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xarray.h"

/* The capacity an array of n elements has: 0, 8, 16, 32, ... (the next
 * power of two, in constant time: this runs for every element stored);
 * 0 past the largest power of two, which no allocation reaches. */
static size_t capacity(size_t n)
{
	if (n <= 8)
		return n ? 8 : 0;
	if (n - 1 > SIZE_MAX / 2)
		return 0;
	return (size_t)1 << (sizeof(unsigned long) * CHAR_BIT - (size_t)__builtin_clzl(n - 1));
}

void *xarray_grow(void *arrayp, size_t n, size_t more, size_t size)
{
	char *v;
	size_t want = n + more;

	/* The pointer is read and written as bytes: arrayp may point to any
	 * object pointer type. */
	memcpy(&v, arrayp, sizeof(v));
	if (want > capacity(n)) {
		size_t cap = capacity(want);

		if (want < n || cap < want || cap > SIZE_MAX / size)
			return NULL;
		v = realloc(v, cap * size);
		if (v == NULL)
			return NULL;
		memcpy(arrayp, &v, sizeof(v));
	}
	return v + n * size;
}

#define BLOCK_SIZE (64 * 1024)

char *xarena_dup(struct xarena *a, const char *s, size_t len)
{
	char *p, **b;

	if (len + 1 > a->room) {
		size_t size = len + 1 > BLOCK_SIZE ? len + 1 : BLOCK_SIZE;

		b = xarray_grow(&a->blocks, a->nblocks, 1, sizeof(*b));
		if (b == NULL || (*b = malloc(size)) == NULL)
			return NULL;
		a->nblocks++;
		a->used = 0;
		a->room = size;
	}
	p = a->blocks[a->nblocks - 1] + a->used;
	memcpy(p, s, len);
	p[len] = '\0';
	a->used += len + 1;
	a->room -= len + 1;
	return p;
}

void xarena_free(struct xarena *a)
{
	for (size_t i = 0; i < a->nblocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof(*a));
}

/* ---- hash index ---------------------------------------------------------- */

uint32_t xhash_bytes(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

/* Put a slot at the first free place of its probe sequence. */
static void slot_put(struct xhash_slot *slot, size_t mask, struct xhash_slot s)
{
	size_t i = s.hash & mask;

	while (slot[i].id1 != 0)
		i = (i + 1) & mask;
	slot[i] = s;
}

int xhash_add(struct xhash *h, uint32_t hash, uint32_t id)
{
	if (id == XHASH_END)
		return -ENOMEM;
	if (h->slot == NULL || (h->n + 1) * 2 > h->mask + 1) {
		size_t cap = h->slot ? (h->mask + 1) * 2 : 16;
		struct xhash_slot *slot;

		if (cap > SIZE_MAX / 2 / sizeof(*slot) || (slot = calloc(cap, sizeof(*slot))) == NULL)
			return -ENOMEM;
		/* In the old table's probe order from each run's start, so
		 * entries of one hash stay oldest first: a run is scanned from
		 * its first slot (one after an empty one). */
		if (h->slot != NULL) {
			size_t old = h->mask + 1, start = 0;

			while (h->slot[start].id1 != 0)
				start++;
			for (size_t k = 1; k <= old; k++) {
				const struct xhash_slot *s = &h->slot[(start + k) & h->mask];

				if (s->id1 != 0)
					slot_put(slot, cap - 1, *s);
			}
		}
		free(h->slot);
		h->slot = slot;
		h->mask = cap - 1;
	}
	slot_put(h->slot, h->mask, (struct xhash_slot){ hash, id + 1 });
	h->n++;
	return 0;
}

uint32_t xhash_next(const struct xhash *h, uint32_t hash, size_t *it)
{
	if (h->slot == NULL)
		return XHASH_END;
	for (;;) {
		const struct xhash_slot *s = &h->slot[(hash + *it) & h->mask];

		if (s->id1 == 0 || *it > h->mask)
			return XHASH_END;
		++*it;
		if (s->hash == hash)
			return s->id1 - 1;
	}
}

void xhash_free(struct xhash *h)
{
	free(h->slot);
	memset(h, 0, sizeof(*h));
}
