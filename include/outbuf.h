/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_OUTBUF_H
#define MODUTILS_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A buffer that grows up to a limit: 0 or -errno (-EFBIG past the limit,
 * -ENOMEM). The decompressors write into one; read_fd_all fills one. */
struct outbuf {
	unsigned char *data;
	size_t len;
	size_t cap;
	size_t limit;
	/* data is a mapping of its own (mmap, grown by mremap): freed, it goes
	 * back to the system at once instead of staying in malloc's heap, and
	 * growing it moves pages instead of copying bytes. For module images. */
	bool pages;
	/* Optional: asked before the buffer grows from old_cap to new_cap
	 * bytes (a caller sharing a memory budget between buffers); a
	 * negative errno refuses the growth. */
	int (*admit)(void *arg, size_t old_cap, size_t new_cap);
	void *admit_arg;
};

/* Make room for at least `want` more bytes; -EFBIG past limit. */
int outbuf_reserve(struct outbuf *out, size_t want);
void outbuf_free(struct outbuf *out);
/* Free data taken from an outbuf of that cap and kind. */
void outbuf_release(void *data, size_t cap, bool pages);
/* Some room to write into: what is left, or up to 64 KiB more when full
 * (to the limit exactly; -EFBIG there). */
int outbuf_room(struct outbuf *out);

/* Read the whole rest of fd into out (used for stdin and plain files). */
int read_fd_all(int fd, struct outbuf *out, const char **why);

/* Read at least min bytes (fewer only at the end of the file) into buf,
 * max at the most, retrying interrupted reads: with pread at off when off
 * is 0 or more, else with read. The count read, or -errno. */
ssize_t read_min(int fd, void *buf, size_t min, size_t max, off_t off);

#endif
