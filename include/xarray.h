/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_XARRAY_H
#define MODUTILS_XARRAY_H

#include <stddef.h>

/*
 * Growing arrays: *arrayp (any pointer type, passed by address) holds n
 * elements of size bytes. Its capacity is not stored: it follows from n
 * (8, then powers of two), so every array given here must be allocated by
 * xarray_grow alone (NULL when empty, freed with free()). Lowering n is
 * allowed, but growing back past a power of two then reallocates: a stack
 * that moves up and down often keeps its own capacity instead.
 *
 * Room for more (>= 1) elements after the first n: returns their address
 * (element n), or NULL when out of memory (*arrayp is then unchanged).
 * The caller stores them and adds more to its n.
 */
void *xarray_grow(void *arrayp, size_t n, size_t more, size_t size);

/*
 * Strings that live until xarena_free: copied into 64 KiB blocks (a longer
 * string gets a block of its own).
 */
struct xarena {
	char **blocks;
	size_t nblocks, used, room;
};

/* A NUL-terminated copy of s[0..len), or NULL when out of memory. */
char *xarena_dup(struct xarena *a, const char *s, size_t len);
void xarena_free(struct xarena *a);

#endif
