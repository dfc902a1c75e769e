// SPDX-License-Identifier: GPL-2.0-or-later
/* The run heap (see runheap.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runheap.h"

/*
 * Each block is a 16-byte header and its class's bytes. Classes: 16 to 128
 * bytes in steps of 16, then four to each doubling (160, 192, 224, 256,
 * 320, ...) up to RUNHEAP_MAX: a block wastes at most a quarter. A freed
 * block goes to its class's list (the link in its first bytes) and is
 * given again before the heap's top moves on.
 */
#define HDR 16u
#define SMALL_CLASSES 8u    /* 16 .. 128 */
#define NCLASSES (SMALL_CLASSES + 4u * 9u)   /* ... 256 (e=7) .. 65536 (e=15) */

enum { IN_USE = 0x52554e48u, FREED = 0x46524545u };

struct hdr {
	uint32_t cls;
	uint32_t state;
	uint64_t pad;
};

static _Alignas(4096) unsigned char heap[RUNHEAP_BYTES];
static size_t top;
static void *freelist[NCLASSES];
static bool started;

_Static_assert(sizeof(struct hdr) == HDR, "a header keeps blocks 16-byte aligned");

static size_t class_bytes(unsigned c)
{
	unsigned e, q;

	if (c < SMALL_CLASSES)
		return 16u * (c + 1);
	e = 7 + (c - SMALL_CLASSES) / 4;
	q = 1 + (c - SMALL_CLASSES) % 4;
	return ((size_t)1 << e) + ((size_t)q << (e - 2));
}

/* The smallest class of at least n bytes (n <= RUNHEAP_MAX). */
static unsigned class_of(size_t n)
{
	unsigned e;
	size_t q;

	if (n <= 16u * SMALL_CLASSES)
		return n == 0 ? 0 : (unsigned)((n + 15) / 16 - 1);
	e = (unsigned)(sizeof(unsigned long) * 8 - 1) - (unsigned)__builtin_clzl((unsigned long)(n - 1));
	q = (n - ((size_t)1 << e) + ((size_t)1 << (e - 2)) - 1) >> (e - 2);
	return SMALL_CLASSES + (e - 7) * 4 + (unsigned)q - 1;
}

void runheap_start(void)
{
	started = true;
}

void runheap_reset(void)
{
	top = 0;
	memset(freelist, 0, sizeof(freelist));
	memset(heap, 0, sizeof(heap));
	started = false;
}

bool runheap_started(void)
{
	return started;
}

bool runheap_owns(const void *p)
{
	return (uintptr_t)p - (uintptr_t)heap < RUNHEAP_BYTES;
}

/* p's header, if p is a block in the state given (of class cls, unless
 * cls is NCLASSES); else the heap is corrupted (a block freed twice, a
 * pointer into a block, a free list's link overwritten): abort. */
static struct hdr *header(const void *p, uint32_t state, unsigned cls)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)heap;
	struct hdr *h = (struct hdr *)((unsigned char *)p - HDR);

	if (off < HDR || off >= top || off % HDR != 0 || h->state != state || h->cls >= NCLASSES ||
	    (cls != NCLASSES && h->cls != cls) || off + class_bytes(h->cls) > top)
		abort();
	return h;
}

static void *alloc(size_t n, bool zero)
{
	unsigned c;
	struct hdr *h;
	void *p;

	if (n > RUNHEAP_MAX)
		return NULL;
	c = class_of(n);
	if ((p = freelist[c]) != NULL) {
		h = header(p, FREED, c);
		memcpy(&freelist[c], p, sizeof(void *));
		if (zero)
			memset(p, 0, class_bytes(c));
	} else {
		/* Never given before: still the zeroes of bss. */
		if (RUNHEAP_BYTES - top < HDR + class_bytes(c))
			return NULL;
		h = (struct hdr *)(heap + top);
		top += HDR + class_bytes(c);
		p = h + 1;
	}
	h->cls = c;
	h->state = IN_USE;
	return p;
}

void *runheap_alloc(size_t n)
{
	return alloc(n, false);
}

void *runheap_zalloc(size_t n)
{
	return alloc(n, true);
}

void runheap_free(void *p)
{
	struct hdr *h = header(p, IN_USE, NCLASSES);

	h->state = FREED;
	memcpy(p, &freelist[h->cls], sizeof(void *));
	freelist[h->cls] = p;
}

size_t runheap_size(const void *p)
{
	return class_bytes(header(p, IN_USE, NCLASSES)->cls);
}

void *runheap_realloc(void *p, size_t n)
{
	struct hdr *h = header(p, IN_USE, NCLASSES);
	size_t have = class_bytes(h->cls);
	void *q;

	if (n <= have)
		return p;
	if (n > RUNHEAP_MAX)
		return NULL;
	/* The last block taken grows into the room after it. */
	if ((unsigned char *)p + have == heap + top) {
		unsigned c = class_of(n);
		size_t more = class_bytes(c) - have;

		if (RUNHEAP_BYTES - top >= more) {
			top += more;
			h->cls = c;
			return p;
		}
	}
	q = runheap_alloc(n);
	if (q == NULL)
		return NULL;
	memcpy(q, p, have);
	runheap_free(p);
	return q;
}
