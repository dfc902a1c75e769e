// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * malloc and co. of a static build, routed by the linker (-Wl,--wrap=malloc
 * ...: every reference in the program and in the static C library and
 * compression libraries it links comes here; __real_malloc is the C
 * library's). After runheap_start() small blocks come from the run heap
 * (libbb/base/runheap.c); a block is freed where it came from, told by its
 * address. Not built with the sanitizers, which must see every allocation.
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

void *__wrap_malloc(size_t n)
{
	void *p;

	if (runheap_started() && (p = runheap_alloc(n)) != NULL)
		return p;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p;

	if (!runheap_started())
		return __real_calloc(n, size);
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	/* A block given before may hold old bytes. */
	if ((p = runheap_alloc(n * size)) != NULL)
		return memset(p, 0, n * size);
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	void *q;

	if (p == NULL)
		return __wrap_malloc(n);
	if (!runheap_owns(p))
		return __real_realloc(p, n);
	if ((q = runheap_realloc(p, n)) != NULL)
		return q;
	if ((q = __real_malloc(n)) == NULL)
		return NULL;
	memcpy(q, p, runheap_size(p));   /* n is more than it holds */
	runheap_free(p);
	return q;
}

void __wrap_free(void *p)
{
	if (runheap_owns(p))
		runheap_free(p);
	else
		__real_free(p);
}
