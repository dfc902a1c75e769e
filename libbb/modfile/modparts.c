// SPDX-License-Identifier: GPL-2.0-or-later
/* Parts of a module file read on demand for modelf_open_parts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modparts.h"
#include "xarray.h"

#define BLOCK_MIN (64u << 10)

void modparts_reset(struct modparts *mp, int fd, size_t size)
{
	for (size_t i = 0; i < mp->nold; i++)
		free(mp->old[i]);
	mp->nold = 0;
	mp->fd = fd;
	mp->ngot = 0;
	mp->used = 0;
	mp->budget = (uint64_t)size + (64u << 10);
	mp->read = NULL;
	mp->read_arg = NULL;
}

void modparts_reset_reader(struct modparts *mp, size_t size, modparts_read_fn *read, void *arg)
{
	modparts_reset(mp, -1, size);
	mp->read = read;
	mp->read_arg = arg;
}

void modparts_free(struct modparts *mp)
{
	modparts_reset(mp, -1, 0);
	free(mp->old);
	free(mp->buf);
	*mp = (struct modparts)MODPARTS_INIT;
}

/* Room for len bytes that stays where it is until the next reset: a full
 * block is kept aside (its bytes are still in use) and a larger one begun. */
static unsigned char *room(struct modparts *mp, size_t len)
{
	unsigned char *p;

	if (mp->cap - mp->used < len) {
		size_t cap = mp->cap * 2 > BLOCK_MIN ? mp->cap * 2 : BLOCK_MIN;
		void **slot;

		if (cap < len)
			cap = len;
		p = malloc(cap);
		if (p == NULL)
			return NULL;
		if (mp->buf != NULL) {
			slot = xarray_grow(&mp->old, mp->nold, 1, sizeof(*mp->old));
			if (slot == NULL) {
				free(p);
				return NULL;
			}
			*slot = mp->buf;
			mp->nold++;
		}
		mp->buf = p;
		mp->cap = cap;
		mp->used = 0;
	}
	p = mp->buf + mp->used;
	mp->used += len;
	return p;
}

static int read_at(int fd, unsigned char *p, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t r = pread(fd, p, len, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {       /* shorter than its size: it changed under us */
			errno = EIO;
			return -1;
		}
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

const void *modparts_fetch(void *arg, uint64_t off, size_t len)
{
	struct modparts *mp = arg;
	unsigned char *p;

	for (size_t i = 0; i < mp->ngot; i++)
		if (off >= mp->got[i].off && off - mp->got[i].off <= mp->got[i].len &&
		    len <= mp->got[i].len - (off - mp->got[i].off))
			return mp->got[i].p + (off - mp->got[i].off);
	if (len > mp->budget) {
		errno = EFBIG;
		return NULL;
	}
	mp->budget -= len;
	p = room(mp, len ? len : 1);
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if ((mp->read != NULL ? mp->read(mp->read_arg, p, len, off) : read_at(mp->fd, p, len, off)) < 0)
		return NULL;
	if (mp->ngot < sizeof(mp->got) / sizeof(mp->got[0])) {
		mp->got[mp->ngot].off = off;
		mp->got[mp->ngot].len = len;
		mp->got[mp->ngot].p = p;
		mp->ngot++;
	}
	return p;
}
