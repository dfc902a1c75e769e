/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_DECOMPRESS_INPUT_H
#define MODUTILS_DECOMPRESS_INPUT_H

#include <stddef.h>

/* Compressed input: the bytes already read (the magic), then fd in chunks. */
struct input {
	int fd;
	const unsigned char *head;
	size_t headlen;
	unsigned char buf[64 * 1024];
};

/* Next chunk into p and n; n == 0 at end of file. 0 or -errno. */
int input_next(struct input *in, const unsigned char **p, size_t *n);
/* Make at least want (<= sizeof buf) bytes available at *p, *n: the n bytes
 * left of a chunk are moved to the front of buf and more are read after
 * them. Fewer only at end of file. 0 or -errno. */
int input_fill(struct input *in, const unsigned char **p, size_t *n, size_t want);

#endif
