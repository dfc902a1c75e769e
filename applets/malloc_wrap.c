// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * malloc and co. of a static build, routed by the linker (-Wl,--wrap=malloc
 * and the others below: each reference by these names, in the program and
 * in the static C library and compression libraries it links, comes here;
 * __real_NAME is the C library's). After runheap_start() small blocks come
 * from the run heap (libbb/base/runheap.c); a block is freed where it came
 * from, told by its address. Not built with the sanitizers, which must see
 * every allocation.
 *
 * The C library's allocator may call malloc itself (musl's calloc and
 * aligned_alloc do, and through --wrap that call lands here): while it runs,
 * its own calls stay with it (in_libc), so a block of the run heap never
 * reaches code that takes it for one of its own. The C library's internal
 * names (musl's __libc_malloc and __libc_free: locale, atexit, time zone)
 * are not routed at all; they allocate and free among themselves. Nothing
 * in the program asks for aligned blocks (aligned_alloc, posix_memalign:
 * not routed; musl's would call malloc and take a run heap block for its
 * own): a library that starts to must be routed here as calloc is.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "runheap.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

/* Inside the C library's allocator (the run heap is started only in a
 * process of one thread: a plain counter). */
static unsigned in_libc;

#define IN_LIBC(call)                                                                                      \
	({                                                                                                 \
		in_libc++;                                                                                 \
		__auto_type r_ = (call);                                                                   \
		in_libc--;                                                                                 \
		r_;                                                                                        \
	})

static bool from_runheap(void)
{
	return runheap_started() && in_libc == 0;
}

void *__wrap_malloc(size_t n)
{
	void *p;

	if (from_runheap() && (p = runheap_alloc(n)) != NULL)
		return p;
	return runheap_started() ? IN_LIBC(__real_malloc(n)) : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p;

	if (!runheap_started())
		return __real_calloc(n, size);
	if (in_libc == 0) {
		if (size != 0 && n > SIZE_MAX / size) {
			errno = ENOMEM;
			return NULL;
		}
		if ((p = runheap_zalloc(n * size)) != NULL)
			return p;
	}
	return IN_LIBC(__real_calloc(n, size));
}

void *__wrap_realloc(void *p, size_t n)
{
	void *q;

	if (p == NULL)
		return __wrap_malloc(n);
	if (!runheap_owns(p))
		return runheap_started() ? IN_LIBC(__real_realloc(p, n)) : __real_realloc(p, n);
	if ((q = runheap_realloc(p, n)) != NULL)
		return q;
	/* Too big for the run heap, or it is full: to the C library's. */
	if ((q = IN_LIBC(__real_malloc(n))) == NULL)
		return NULL;
	memcpy(q, p, runheap_size(p));   /* n is more than it holds */
	runheap_free(p);
	return q;
}

void __wrap_free(void *p)
{
	if (runheap_owns(p))
		runheap_free(p);
	else if (runheap_started())
		IN_LIBC((__real_free(p), 0));
	else
		__real_free(p);
}
