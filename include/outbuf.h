/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_OUTBUF_H
#define MODUTILS_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Mappings kept for the next buffer of the same user: a reader that
 * decompresses one module after another reuses the pages of the last image
 * and of the last decoder dictionary instead of faulting in fresh zeroed
 * ones (on Debian 13's .ko.xz tree depmod took 224,000 page faults, 0.5 s
 * of system time, for them). One user at a time: whoever owns it hands it
 * on under its own lock. Only mappings up to OUTBUF_KEEP_MAX are kept, so
 * what it holds stays small.
 */
struct outbuf_keep {
	void *image;
	size_t image_cap;
	void *dict;
	size_t dict_cap;
};
#define OUTBUF_KEEP_MAX ((size_t)2 << 20)
/* Unmap what k keeps. */
void outbuf_keep_free(struct outbuf_keep *k);
/* A mapping of exactly n bytes for a decoder's dictionary: the kept one
 * when it has that size, else a new one; NULL when none can be made. Given
 * back with outbuf_keep_unmap. k may be NULL. */
void *outbuf_keep_map(struct outbuf_keep *k, size_t n);
void outbuf_keep_unmap(struct outbuf_keep *k, void *p, size_t n);

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
	/* Optional, for pages: a kept image mapping to start from. */
	struct outbuf_keep *keep;
};

/* Make room for at least `want` more bytes; -EFBIG past limit. */
int outbuf_reserve(struct outbuf *out, size_t want);
void outbuf_free(struct outbuf *out);
/* Free data taken from an outbuf of that cap and kind; a mapping small
 * enough goes into keep instead, when keep is not NULL and holds none. */
void outbuf_release(void *data, size_t cap, bool pages, struct outbuf_keep *keep);
/* Some room to write into: what is left, or up to 64 KiB more when full
 * (to the limit exactly; -EFBIG there). */
int outbuf_room(struct outbuf *out);

/* Read the whole rest of fd into out (used for stdin and plain files). */
int read_fd_all(int fd, struct outbuf *out, const char **why);
/* The same for a regular file of size bytes (from the caller's fstat; 0:
 * not known): no second fstat, and a short read past size ends it. */
int read_fd_sized(int fd, uint64_t size, struct outbuf *out, const char **why);

/* Read at least min bytes (fewer only at the end of the file) into buf,
 * max at the most, retrying interrupted reads: with pread at off when off
 * is 0 or more, else with read. The count read, or -errno. */
ssize_t read_min(int fd, void *buf, size_t min, size_t max, off_t off);

#endif
