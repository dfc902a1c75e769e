/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_RUNHEAP_H
#define MODUTILS_RUNHEAP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The run heap: small allocations of a single-threaded applet, taken in
 * order from one stretch of the program's bss, recycled by size class.
 *
 * A hotplug modprobe lives a millisecond and allocates some two hundred
 * small blocks of thirty sizes. musl's malloc gives each size its own
 * group, a mapping of its own: ten mmap calls and a dozen freshly touched
 * pages, each a page fault that costs a virtual machine ~10 us. Here the
 * same blocks are a few contiguous pages of bss and no system call at all.
 *
 * In a static build without the sanitizers, malloc, calloc, realloc and
 * free are routed here by the linker (--wrap, applets/malloc_wrap.c) once
 * an applet has called runheap_start(); a request the run heap cannot take
 * (too big, or the run heap full) goes to the C library's malloc, and free
 * tells the two apart by address. Elsewhere (dynamic builds, sanitizer
 * builds, the unit tests) only the functions below exist.
 *
 * Not for threads: depmod, whose read-ahead runs threads, never starts it.
 */

#define RUNHEAP_BYTES (1024u * 1024u)  /* of bss: untouched pages cost nothing */
#define RUNHEAP_MAX (64u * 1024u)      /* the largest block it gives */

/* From now on (for the rest of the process) malloc and co. use the run heap,
 * where the build routes them here. The caller has no other thread. */
void runheap_start(void);
bool runheap_started(void);

/* The tests' fresh start: every block forgotten, not started. */
void runheap_reset(void);

/* n bytes, 16-byte aligned; NULL when n > RUNHEAP_MAX or the run heap is full
 * (the caller goes to malloc). */
void *runheap_alloc(size_t n);
/* The same, zeroed (a block never given before is bss's zeroes already:
 * its pages are not touched). */
void *runheap_zalloc(size_t n);
/* p (from runheap_alloc) back to its size class. A block freed twice, a
 * pointer past the top or misaligned (and, unless the 16 bytes before it
 * look like a header, one into a block), or a free list found overwritten
 * when its block is given again, aborts: the heap is corrupted. */
void runheap_free(void *p);
/* p grown or shrunk to n bytes, in place where it can (it fits its class,
 * or it is the last block taken and the room after it is free); else moved
 * within the run heap. NULL when the run heap cannot hold n: p is left as
 * it was. */
void *runheap_realloc(void *p, size_t n);
/* The bytes p can hold (its class). */
size_t runheap_size(const void *p);
/* Whether p points into the run heap (its bytes are not read). */
#if defined(__GNUC__) && __GNUC__ >= 11 && !defined(__clang__)
__attribute__((access(none, 1)))
#endif
bool runheap_owns(const void *p);

#endif
