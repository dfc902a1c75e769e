/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_DECOMPRESS_H
#define MODUTILS_DECOMPRESS_H

#include <stddef.h>

#include "modfile.h"
#include "outbuf.h"

/*
 * Streaming decompressors: read the compressed file from fd in fixed-size
 * chunks and grow one output buffer up to a limit. Each returns 0 or
 * -errno: -EBADMSG for corrupt or truncated data, -EFBIG past the limit,
 * -ENOMEM; *why names the cause for messages.
 */

/* `head` holds bytes already read from fd (the magic), fed first. One
 * decompress_<name>() per row of MODCOMP_FORMATS (include/modfile.h),
 * defined when the format is built in. */
#define DECOMPRESS_DECL_(sym, name, suffix, magic) modcomp_decompress_fn decompress_##name;
MODCOMP_FORMATS(DECOMPRESS_DECL_)
#undef DECOMPRESS_DECL_

#endif
