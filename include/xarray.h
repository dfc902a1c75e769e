/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_XARRAY_H
#define MODUTILS_XARRAY_H

#include <stddef.h>
#include <stdint.h>

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

/*
 * A hash index of ids the caller keeps elsewhere (positions in an xarray,
 * offsets in a buffer): open addressing, at most half full. It stores each
 * id's hash and leaves comparing keys to the caller, so one index serves
 * any key type. Ids up to UINT32_MAX - 1.
 */
struct xhash_slot {
	uint32_t hash;
	uint32_t id1;           /* id + 1; 0: empty */
};

struct xhash {
	struct xhash_slot *slot;
	size_t mask, n;
};

#define XHASH_END UINT32_MAX

/* FNV-1a of len bytes. */
uint32_t xhash_bytes(const void *p, size_t len);

/* Add id under hash (duplicates are the caller's business). 0 or -ENOMEM. */
int xhash_add(struct xhash *h, uint32_t hash, uint32_t id);

/* The ids added under hash, oldest first, one per call (the hash alone:
 * the caller checks each id's key). *it starts at 0; XHASH_END when done. */
uint32_t xhash_next(const struct xhash *h, uint32_t hash, size_t *it);

void xhash_free(struct xhash *h);

#endif
