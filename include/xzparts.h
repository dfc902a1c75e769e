/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_XZPARTS_H
#define MODUTILS_XZPARTS_H

#include <stddef.h>
#include <stdint.h>

/*
 * An .xz module read in parts, for modelf_open_parts: only the blocks that
 * hold the bytes asked for are decoded (from the block's start to the end
 * of those bytes, through a small buffer), and only the bytes asked for are
 * kept. The file's index (at its end) says where each block starts in the
 * file and in the image. depmod reads about a tenth of a large module (ELF
 * and section headers, the symbol and string tables, .modinfo, __versions):
 * amdgpu's 28 MiB image is never held whole.
 *
 * Taken only for one xz stream whose every block is at most
 * XZPARTS_BLOCK_MAX bytes of image and half of it (the kernel's `xz -T0`
 * makes 3 MiB blocks for its 1 MiB dictionary): a one-block file would be
 * decoded again for each part. What is kept is bounded as in struct modparts (the image
 * size and 64 KiB), what is decoded by XZPARTS_DECODE_FACTOR times the
 * image: past either a read fails with EFBIG.
 *
 * Blocks, or their ends, that hold nothing asked for are not decoded, so
 * their integrity checks are not verified: a corruption there goes
 * unnoticed, as in the unread bytes of a plain .ko.
 */
#define XZPARTS_BLOCK_MAX ((size_t)8 << 20)
#define XZPARTS_DECODE_FACTOR 3
#define XZPARTS_DECODE_BLOCKS 16

struct xzparts;

/*
 * Whether the regular .xz file fd is read in parts: 1 with *xp and *size
 * (the image's size) set when its index states an image of at least min
 * and at most limit bytes in blocks of at most XZPARTS_BLOCK_MAX; 0 when it
 * is to be decoded whole (any other file, an unreadable index: the whole
 * decoder then says what is wrong); -ENOMEM. fd stays the caller's, open
 * until xzparts_free.
 */
int xzparts_open(int fd, size_t min, size_t limit, struct xzparts **xp, size_t *size);
/* modelf_fetch_fn: arg is the struct xzparts. The bytes stay valid until
 * xzparts_free. NULL with errno: EBADMSG for corrupt data, EFBIG past a
 * bound, ENOMEM, or a read error. */
const void *xzparts_fetch(void *arg, uint64_t off, size_t len);
void xzparts_free(struct xzparts *xp);
/* Image bytes decoded so far (for tests and measurements). */
uint64_t xzparts_decoded(const struct xzparts *xp);

#endif
