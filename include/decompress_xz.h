/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_DECOMPRESS_XZ_H
#define MODUTILS_DECOMPRESS_XZ_H

#include <lzma.h>

/* Kernel modules are packed with small dictionaries; this bounds what a
 * hostile header can make the decoder allocate. */
#define XZ_MEMLIMIT (64u << 20)

/* liblzma's allocations, the dictionary in a mapping of its own
 * (libbb/decompress_xz.c). */
extern const lzma_allocator xz_allocator;

#endif
