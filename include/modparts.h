/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODPARTS_H
#define MODUTILS_MODPARTS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The parts of a plain module file that a modelf reads, read with pread
 * into memory kept from file to file: the reader of modelf_open_parts.
 * depmod needs about a fifth of each module (headers, symbol and string
 * tables, .modinfo, __versions); reading only that, into the same few
 * buffers, saves mapping, faulting in and unmapping every file.
 *
 *	struct modparts mp = MODPARTS_INIT;
 *	modparts_reset(&mp, fd);
 *	err = modelf_open_parts(&elf, size, modparts_fetch, &mp);
 *	... (the next file: modparts_reset again; at the end modparts_free)
 */
struct modparts {
	int fd;
	struct {
		uint64_t off;
		size_t len;
		const unsigned char *p;
	} got[16];            /* what this file has had read, answered again */
	size_t ngot;
	unsigned char *buf;   /* the block being filled */
	size_t cap, used;
	void **old;           /* full blocks of this file (an xarray) */
	size_t nold;
};

#define MODPARTS_INIT { .fd = -1 }

/* Start on another file (the caller opens and closes it). What the last
 * one had read is no longer valid. */
void modparts_reset(struct modparts *mp, int fd);
/* modelf_fetch_fn: arg is the struct modparts. */
const void *modparts_fetch(void *arg, uint64_t off, size_t len);
void modparts_free(struct modparts *mp);

#endif
