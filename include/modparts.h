/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODPARTS_H
#define MODUTILS_MODPARTS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The parts of a plain module file that a modelf reads, read with pread
 * into memory kept from file to file: the reader of modelf_open_parts.
 * depmod needs about a sixth of each module (headers, symbol and string
 * tables, .modinfo, __versions); reading only that, into the same few
 * buffers, saves mapping, faulting in and unmapping every file.
 *
 *	struct modparts mp = MODPARTS_INIT;
 *	modparts_reset(&mp, fd, size);
 *	err = modelf_open_parts(&elf, size, modparts_fetch, &mp);
 *	... (the next file: modparts_reset again; at the end modparts_free)
 */
/* Reads len bytes at off of the module into p: 0, or -1 with errno set. */
typedef int modparts_read_fn(void *arg, unsigned char *p, size_t len, uint64_t off);

struct modparts {
	int fd;
	modparts_read_fn *read;  /* NULL: pread from fd */
	void *read_arg;
	struct {
		uint64_t off;
		size_t len;
		const unsigned char *p;
	} got[16];            /* what this file has had read, answered again */
	size_t ngot;
	uint64_t budget;      /* bytes this file may still have read */
	unsigned char *buf;   /* the block being filled */
	size_t cap, used;
	void **old;           /* full blocks of this file (an xarray) */
	size_t nold;
};

#define MODPARTS_INIT { .fd = -1 }

/* Start on another file of size bytes (the caller opens and closes it).
 * What the last one had read is no longer valid. A file may have read its
 * size and 64 KiB more in all: the parts of a well-formed module do not
 * overlap, and a hostile one that has the same data asked for again and
 * again (__crc_ symbols pointing into many large sections) gets EFBIG
 * rather than a copy each time. */
void modparts_reset(struct modparts *mp, int fd, size_t size);
/* The same for a module of size bytes whose parts come from read (a
 * compressed file decoded in parts, libbb/xzparts.c), under the same
 * budget. */
void modparts_reset_reader(struct modparts *mp, size_t size, modparts_read_fn *read, void *arg);
/* modelf_fetch_fn: arg is the struct modparts. */
const void *modparts_fetch(void *arg, uint64_t off, size_t len);
void modparts_free(struct modparts *mp);

#endif
