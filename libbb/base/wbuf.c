// SPDX-License-Identifier: GPL-2.0-or-later
/* A buffered writer onto a file descriptor. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wbuf.h"

void wbuf_init(struct wbuf *w, int fd)
{
	w->fd = fd;
	w->err = 0;
	w->pos = 0;
	w->len = 0;
}

void wflush(struct wbuf *w)
{
	size_t done = 0;

	while (done < w->len && w->err == 0) {
		ssize_t r = write(w->fd, w->buf + done, w->len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			w->err = r < 0 ? -errno : -EIO;
		else
			done += (size_t)r;
	}
	w->len = 0;
}

void wput(struct wbuf *w, const void *p, size_t n)
{
	const char *s = p;

	w->pos += n;
	while (n > 0) {
		size_t k = sizeof(w->buf) - w->len;

		if (k > n)
			k = n;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == sizeof(w->buf))
			wflush(w);
	}
}

void wstr(struct wbuf *w, const char *s)
{
	wput(w, s, strlen(s));
}

void wfmt(struct wbuf *w, const char *fmt, ...)
{
	char buf[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		va_start(ap, fmt);
		n = vasprintf(&big, fmt, ap);
		va_end(ap);
		if (n < 0) {
			w->err = -ENOMEM;
			return;
		}
	}
	wput(w, big ? big : buf, (size_t)n);
	free(big);
}
