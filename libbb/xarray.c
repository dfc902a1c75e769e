// SPDX-License-Identifier: GPL-2.0-or-later
/* Growing arrays and a string arena: the allocation idioms libbb and the
 * applets share. */
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
