/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODINDEX_WRITE_H
#define MODUTILS_MODINDEX_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "xarray.h"

/*
 * Writer of kmod's binary index format (read by modindex.h). Keys and
 * values are collected first, then the trie is written from the sorted
 * keys, in the layout kmod 34's depmod gives it: nodes in pre-order (each
 * node, then its children's subtrees by character), the root right after
 * the header, child references pointing forward; values by ascending
 * priority and, for equal priorities, the last added first. The same keys
 * and values give a byte-identical file. (kmod up to 33 wrote post-order,
 * the root last; modindex reads both.)
 */
struct modindex_entry;

struct modindex_writer {
	struct modindex_entry *v;   /* an xarray */
	size_t n;
	struct xarena strings;
};

void modindex_writer_init(struct modindex_writer *w);
void modindex_writer_free(struct modindex_writer *w);

/* 0, -EINVAL for a byte outside 7-bit ASCII in key or value (kmod refuses
 * them too), -ENOMEM. */
int modindex_writer_add(struct modindex_writer *w, const char *key, const char *value,
			uint32_t priority);

/*
 * Write the index to fd, which must be at offset 0 (references are file
 * offsets), front to back with buffered write()s and no seeking: a first
 * pass measures every subtree (16 bytes per node), so each reference is
 * known before it is written.
 * 0 or -errno (-EFBIG past the format's 256 MiB, before writing anything).
 */
int modindex_writer_write(struct modindex_writer *w, int fd);

/* Number of keys-value pairs added. */
static inline size_t modindex_writer_count(const struct modindex_writer *w)
{
	return w->n;
}

#endif
