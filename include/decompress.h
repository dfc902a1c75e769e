/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_DECOMPRESS_H
#define MODUTILS_DECOMPRESS_H

#include <stddef.h>

#include "outbuf.h"

/*
 * Streaming decompressors: read the compressed file from fd in fixed-size
 * chunks and grow one output buffer up to a limit. Each returns 0 or
 * -errno: -EBADMSG for corrupt or truncated data, -EFBIG past the limit,
 * -ENOMEM; *why names the cause for messages.
 */

/* `head` holds bytes already read from fd (the magic), fed first. */
int decompress_gzip(int fd, const unsigned char *head, size_t headlen,
		    struct outbuf *out, const char **why);
int decompress_xz(int fd, const unsigned char *head, size_t headlen,
		  struct outbuf *out, const char **why);
int decompress_zstd(int fd, const unsigned char *head, size_t headlen,
		    struct outbuf *out, const char **why);

#endif
