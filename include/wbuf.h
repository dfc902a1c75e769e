/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_WBUF_H
#define MODUTILS_WBUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * A buffered writer onto a file descriptor, for depmod's text files and
 * binary indexes. The first write error is kept in err (-errno) and later
 * writes are dropped; pos counts every byte put (the file offset when the
 * file started empty).
 */
struct wbuf {
	int fd;
	int err;
	uint64_t pos;
	size_t len;
	char buf[64 * 1024];
};

/* Start (again) on fd: nothing buffered, no error, pos 0. */
void wbuf_init(struct wbuf *w, int fd);
void wflush(struct wbuf *w);
void wput(struct wbuf *w, const void *s, size_t n);
void wstr(struct wbuf *w, const char *s);
__attribute__((format(printf, 2, 3)))
void wfmt(struct wbuf *w, const char *fmt, ...);

#endif
