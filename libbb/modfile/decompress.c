// SPDX-License-Identifier: GPL-2.0-or-later
/* Input chunking shared by the decompressors. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "decompress.h"
#include "decompress_input.h"

int input_next(struct input *in, const unsigned char **p, size_t *n)
{
	ssize_t r;

	if (in->headlen > 0) {
		*p = in->head;
		*n = in->headlen;
		in->headlen = 0;
		return 0;
	}
	do
		r = read(in->fd, in->buf, sizeof(in->buf));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	*p = in->buf;
	*n = (size_t)r;
	return 0;
}

int input_fill(struct input *in, const unsigned char **p, size_t *n, size_t want)
{
	size_t have = *n;
	ssize_t r;

	if (have >= want)
		return 0;
	if (have > 0)
		memmove(in->buf, *p, have);
	r = read_min(in->fd, in->buf + have, want - have, sizeof(in->buf) - have, -1);
	if (r < 0)
		return (int)r;
	*p = in->buf;
	*n = have + (size_t)r;
	return 0;
}

