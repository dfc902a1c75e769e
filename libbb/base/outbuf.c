// SPDX-License-Identifier: GPL-2.0-or-later
/* A growing buffer with a limit (heap or pages of its own), and a whole
 * file read into one: module images, configuration files, indexes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outbuf.h"

int outbuf_reserve(struct outbuf *out, size_t want)
{
	size_t cap;
	unsigned char *p;
	bool reuse;

	if (want > out->limit || out->len > out->limit - want)
		return -EFBIG;
	if (out->cap - out->len >= want)
		return 0;
	/* Doubling, so a growing image is copied O(1) times per byte; a large
	 * first request (a size stated by the format) is taken exactly; never
	 * past the limit. */
	cap = out->cap ? (out->cap > out->limit / 2 ? out->limit : out->cap * 2) : 64 * 1024;
	/* The first 64 KiB too: a buffer larger than a small limit would
	 * let a decoder write past it (room is what the buffer has). */
	if (cap > out->limit)
		cap = out->limit;
	if (cap < out->len + want)
		cap = out->len + want;
	/* A new mapping: the kept one, whose pages are already there, grown
	 * if it must be (and counted whole); not one larger than the limit. */
	reuse = out->pages && out->data == NULL && out->keep != NULL && out->keep->image != NULL &&
		out->keep->image_cap <= out->limit;
	if (reuse && out->keep->image_cap > cap)
		cap = out->keep->image_cap;
	if (out->admit != NULL) {
		int err = out->admit(out->admit_arg, out->cap, cap);

		if (err < 0)
			return err;
	}
	if (out->pages) {
		if (reuse) {
			p = out->keep->image;
			if (cap > out->keep->image_cap)
				p = mremap(p, out->keep->image_cap, cap, MREMAP_MAYMOVE);
			else
				cap = out->keep->image_cap;
			if (p == MAP_FAILED)
				munmap(out->keep->image, out->keep->image_cap);
			out->keep->image = NULL;
			out->keep->image_cap = 0;
		} else {
			p = out->data == NULL ? mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
					      : mremap(out->data, out->cap, cap, MREMAP_MAYMOVE);
		}
		if (p == MAP_FAILED)
			return -ENOMEM;
	} else {
		p = realloc(out->data, cap);
		if (p == NULL)
			return -ENOMEM;
	}
	out->data = p;
	out->cap = cap;
	return 0;
}

int outbuf_room(struct outbuf *out)
{
	size_t left = out->limit > out->len ? out->limit - out->len : 0;

	if (out->cap > out->len)
		return 0;
	/* Up to the limit itself, so an image of exactly limit bytes fits. */
	return left == 0 ? -EFBIG : outbuf_reserve(out, left < 64 * 1024 ? left : 64 * 1024);
}

void outbuf_free(struct outbuf *out)
{
	outbuf_release(out->data, out->cap, out->pages, out->keep);
	out->data = NULL;
	out->len = out->cap = 0;
}

void outbuf_release(void *data, size_t cap, bool pages, struct outbuf_keep *keep)
{
	if (!pages) {
		free(data);
	} else if (data != NULL) {
		if (keep != NULL && keep->image == NULL && cap <= OUTBUF_KEEP_MAX) {
			keep->image = data;
			keep->image_cap = cap;
		} else {
			munmap(data, cap);
		}
	}
}

void *outbuf_keep_map(struct outbuf_keep *k, size_t n)
{
	void *p;

	if (k != NULL && k->dict != NULL && k->dict_cap == n) {
		p = k->dict;
		k->dict = NULL;
		k->dict_cap = 0;
		return p;
	}
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void outbuf_keep_unmap(struct outbuf_keep *k, void *p, size_t n)
{
	if (k != NULL && n <= OUTBUF_KEEP_MAX && (k->dict == NULL || k->dict_cap < n)) {
		if (k->dict != NULL)
			munmap(k->dict, k->dict_cap);
		k->dict = p;
		k->dict_cap = n;
	} else {
		munmap(p, n);
	}
}

void outbuf_keep_free(struct outbuf_keep *k)
{
	if (k->image != NULL)
		munmap(k->image, k->image_cap);
	if (k->dict != NULL)
		munmap(k->dict, k->dict_cap);
	k->image = k->dict = NULL;
	k->image_cap = k->dict_cap = 0;
}

static int read_rest(int fd, uint64_t size, bool short_ends, struct outbuf *out, const char **why);

int read_fd_all(int fd, struct outbuf *out, const char **why)
{
	struct stat st;

	/* The size is a hint here, no more: a module image is read to the
	 * end whatever short reads a file system (FUSE direct I/O) makes. */
	return read_rest(fd, fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, false,
			 out, why);
}

int read_fd_sized(int fd, uint64_t size, struct outbuf *out, const char **why)
{
	return read_rest(fd, size, true, out, why);
}

static int read_rest(int fd, uint64_t size, bool short_ends, struct outbuf *out, const char **why)
{
	/* A regular file's size is a good first guess: usually one read. */
	size_t chunk = size > 0 && size < out->limit ? (size_t)size + 1 : 64 * 1024;

	/* A small file (a modprobe.d file, modules.softdep) gets a buffer of
	 * its size and a byte for the caller's terminator, not the 64 KiB
	 * outbuf_reserve() starts with: a start-up reads several, and each
	 * big block costs page faults (with musl, an mmap and munmap too). */
	if (out->data == NULL && !out->pages && out->admit == NULL && chunk < 64 * 1024 &&
	    chunk + 1 <= out->limit) {
		out->data = malloc(chunk + 1);
		if (out->data == NULL)
			return -ENOMEM;
		out->cap = chunk + 1;
		out->len = 0;
	}
	for (;;) {
		size_t want;
		ssize_t r;

		if (out->cap - out->len == 0 || out->data == NULL) {
			/* never more than the limit leaves (a small limit) */
			size_t left = out->limit > out->len ? out->limit - out->len : 0;
			int err = left == 0 ? -EFBIG : outbuf_reserve(out, chunk < left ? chunk : left);

			if (err < 0) {
				*why = err == -EFBIG ? "file too large" : NULL;
				return err;
			}
			chunk = 64 * 1024;
		}
		want = out->cap - out->len;
		r = read(fd, out->data + out->len, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		out->len += (size_t)r;
		/* A regular file read short once its whole size is in: that
		 * was its end (no read more to be told so). A file that grew
		 * since is read as it was at the size asked about. */
		if (short_ends && size > 0 && (size_t)r < want && out->len >= size)
			return 0;
	}
}

ssize_t read_min(int fd, void *buf, size_t min, size_t max, off_t off)
{
	size_t got = 0;

	while (got < min) {
		ssize_t r = off >= 0 ? pread(fd, (char *)buf + got, max - got, off + (off_t)got)
				     : read(fd, (char *)buf + got, max - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}
