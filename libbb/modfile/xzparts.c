// SPDX-License-Identifier: GPL-2.0-or-later
/* An .xz module read in parts: only the blocks holding the bytes asked for. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decompress_xz.h"
#include "modparts.h"
#include "xzparts.h"

#define CHUNK (64u << 10)
/* The index of a module's few blocks is some bytes; this bounds a hostile
 * one's allocation. */
#define INDEX_MAX (1u << 20)

struct xzparts {
	int fd;
	lzma_index *idx;
	lzma_stream xs;
	/* the decoder's until the block is done */
	lzma_block blk;
	lzma_filter filters[LZMA_FILTERS_MAX + 1];
	uint64_t size;
	uint64_t decode_left;   /* image bytes that may still be decoded */
	uint64_t decoded;
	struct modparts parts;
	unsigned char in[CHUNK], out[CHUNK];
};

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t r = pread(fd, p, len, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EBADMSG;    /* shorter than its index says */
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* The index of a file of one stream, or NULL. */
static lzma_index *read_index(int fd, uint64_t file_size)
{
	unsigned char head[LZMA_STREAM_HEADER_SIZE], foot[LZMA_STREAM_HEADER_SIZE], *buf;
	lzma_stream_flags hf, ff;
	lzma_index *idx = NULL;
	uint64_t memlimit = INDEX_MAX;
	size_t pos = 0;

	if (file_size < 2 * LZMA_STREAM_HEADER_SIZE ||
	    pread_all(fd, head, sizeof(head), 0) < 0 ||
	    pread_all(fd, foot, sizeof(foot), file_size - sizeof(foot)) < 0 ||
	    lzma_stream_header_decode(&hf, head) != LZMA_OK || lzma_stream_footer_decode(&ff, foot) != LZMA_OK ||
	    lzma_stream_flags_compare(&hf, &ff) != LZMA_OK ||
	    ff.backward_size > file_size - 2 * LZMA_STREAM_HEADER_SIZE || ff.backward_size > INDEX_MAX)
		return NULL;
	buf = malloc(ff.backward_size);
	if (buf == NULL)
		return NULL;
	if (pread_all(fd, buf, ff.backward_size, file_size - sizeof(foot) - ff.backward_size) < 0 ||
	    lzma_index_buffer_decode(&idx, &memlimit, NULL, buf, &pos, ff.backward_size) != LZMA_OK)
		idx = NULL;
	free(buf);
	/* One stream exactly, no padding and nothing before it: the block
	 * offsets the index gives are then offsets in the file. */
	if (idx != NULL && (lzma_index_stream_flags(idx, &ff) != LZMA_OK || lzma_index_file_size(idx) != file_size)) {
		lzma_index_end(idx, NULL);
		idx = NULL;
	}
	return idx;
}

/* Set the decoder up for the block it points at: the size of its header
 * (its data follows), or -errno. */
static int block_start(struct xzparts *xp, const lzma_index_iter *it)
{
	unsigned char hdr[LZMA_BLOCK_HEADER_SIZE_MAX];
	lzma_filter *filters = xp->filters;
	lzma_block *blk = &xp->blk;
	uint64_t mem;
	lzma_ret lr;
	int err;

	err = pread_all(xp->fd, hdr, 1, it->block.compressed_file_offset);
	if (err < 0)
		return err;
	if (hdr[0] == 0x00)         /* the index indicator, not a block */
		return -EBADMSG;
	*blk = (lzma_block){ .version = 1, .check = it->stream.flags->check, .filters = filters };
	blk->header_size = lzma_block_header_size_decode(hdr[0]);
	if (blk->header_size > it->block.total_size)
		return -EBADMSG;
	err = pread_all(xp->fd, hdr + 1, blk->header_size - 1, it->block.compressed_file_offset + 1);
	if (err < 0)
		return err;
	if (lzma_block_header_decode(blk, NULL, hdr) != LZMA_OK)
		return -EBADMSG;
	err = 0;
	mem = lzma_raw_decoder_memusage(filters);
	/* The block decodes to exactly the size the index gives it (where
	 * its header states none, the decoder is told it), as the whole-file
	 * decoder requires. */
	if (blk->uncompressed_size == LZMA_VLI_UNKNOWN)
		blk->uncompressed_size = it->block.uncompressed_size;
	if (blk->uncompressed_size != it->block.uncompressed_size ||
	    lzma_block_compressed_size(blk, it->block.unpadded_size) != LZMA_OK)
		err = -EBADMSG;
	else if (mem == UINT64_MAX || mem > XZ_MEMLIMIT)
		err = -EFBIG;
	else if ((lr = lzma_block_decoder(&xp->xs, blk)) != LZMA_OK)
		err = lr == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
	/* The decoder has taken what it needs of the filters (as liblzma's
	 * own stream decoder, which frees them here too). */
	for (size_t i = 0; filters[i].id != LZMA_VLI_UNKNOWN; i++)
		free(filters[i].options);
	return err < 0 ? err : (int)blk->header_size;
}

/*
 * The n bytes at skip in the block it points at, into dst: decoded from the
 * block's start, the bytes before skip through xp->out, the rest straight
 * into dst; the decoder stops there.
 */
static int block_read(struct xzparts *xp, const lzma_index_iter *it, uint64_t skip, unsigned char *dst, size_t n)
{
	uint64_t in_off = it->block.compressed_file_offset, in_left = it->block.total_size, at = 0;
	int err = block_start(xp, it);

	if (err < 0)
		return err;
	in_off += (uint64_t)err;
	in_left -= (uint64_t)err;
	xp->xs.avail_in = 0;
	while (at < skip + n) {
		size_t room;
		lzma_ret lr;

		if (xp->xs.avail_in == 0 && in_left > 0) {
			size_t len = in_left < CHUNK ? (size_t)in_left : CHUNK;

			err = pread_all(xp->fd, xp->in, len, in_off);
			if (err < 0)
				return err;
			xp->xs.next_in = xp->in;
			xp->xs.avail_in = len;
			in_off += len;
			in_left -= len;
		}
		if (at < skip) {
			room = skip - at < CHUNK ? (size_t)(skip - at) : CHUNK;
			xp->xs.next_out = xp->out;
		} else {
			room = n - (size_t)(at - skip);
			xp->xs.next_out = dst + (at - skip);
		}
		xp->xs.avail_out = room;
		lr = lzma_code(&xp->xs, LZMA_RUN);
		at += room - xp->xs.avail_out;
		if (lr != LZMA_OK && lr != LZMA_STREAM_END)
			return lr == LZMA_MEM_ERROR ? -ENOMEM : lr == LZMA_MEMLIMIT_ERROR ? -EFBIG : -EBADMSG;
		if (at >= skip + n)
			break;
		/* The block ended, or its data did, before the bytes asked for:
		 * the index lied. */
		if (lr == LZMA_STREAM_END || (xp->xs.avail_out == room && xp->xs.avail_in == 0 && in_left == 0))
			return -EBADMSG;
	}
	return 0;
}

/* modparts_read_fn: the len bytes at off, block by block. */
static int read_image(void *arg, unsigned char *p, size_t len, uint64_t off)
{
	struct xzparts *xp = arg;

	while (len > 0) {
		lzma_index_iter it;
		uint64_t start, end, n;
		int err;

		lzma_index_iter_init(&it, xp->idx);
		if (lzma_index_iter_locate(&it, off)) {
			errno = EBADMSG;
			return -1;
		}
		start = it.block.uncompressed_file_offset;
		end = start + it.block.uncompressed_size;
		n = off + len < end ? len : end - off;
		/* Decoded from the block's start to the end of the part. */
		if (off + n - start > xp->decode_left) {
			errno = EFBIG;
			return -1;
		}
		xp->decode_left -= off + n - start;
		xp->decoded += off + n - start;
		err = block_read(xp, &it, off - start, p, (size_t)n);
		if (err < 0) {
			errno = -err;
			return -1;
		}
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

int xzparts_open(int fd, size_t min, size_t limit, struct xzparts **xp, size_t *size)
{
	struct stat st;
	lzma_index *idx;
	lzma_index_iter it;
	uint64_t usize, block_max = 0;
	struct xzparts *x;

	*xp = NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return 0;
	idx = read_index(fd, (uint64_t)st.st_size);
	if (idx == NULL)
		return 0;
	usize = lzma_index_uncompressed_size(idx);
	if (usize < min || usize > limit || usize == 0) {
		lzma_index_end(idx, NULL);
		return 0;
	}
	lzma_index_iter_init(&it, idx);
	while (!lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK)) {
		if (it.block.uncompressed_size > XZPARTS_BLOCK_MAX) {
			lzma_index_end(idx, NULL);
			return 0;
		}
		if (it.block.uncompressed_size > block_max)
			block_max = it.block.uncompressed_size;
	}
	/* Two blocks at least: one would be decoded again for each part. */
	if (block_max > usize / 2) {
		lzma_index_end(idx, NULL);
		return 0;
	}
	x = malloc(sizeof(*x));
	if (x == NULL) {
		lzma_index_end(idx, NULL);
		return -ENOMEM;
	}
	memset(x, 0, sizeof(*x) - sizeof(x->in) - sizeof(x->out));
	x->fd = fd;
	x->idx = idx;
	x->xs = (lzma_stream)LZMA_STREAM_INIT;
	x->xs.allocator = &xz_allocator;
	x->size = usize;
	x->decode_left = usize * XZPARTS_DECODE_FACTOR + block_max * XZPARTS_DECODE_BLOCKS;
	x->parts = (struct modparts)MODPARTS_INIT;
	modparts_reset_reader(&x->parts, (size_t)usize, read_image, x);
	*xp = x;
	*size = (size_t)usize;
	return 1;
}

const void *xzparts_fetch(void *arg, uint64_t off, size_t len)
{
	struct xzparts *xp = arg;

	return modparts_fetch(&xp->parts, off, len);
}

uint64_t xzparts_decoded(const struct xzparts *xp)
{
	return xp->decoded;
}

void xzparts_free(struct xzparts *xp)
{
	if (xp == NULL)
		return;
	modparts_free(&xp->parts);
	lzma_end(&xp->xs);
	lzma_index_end(xp->idx, NULL);
	free(xp);
}
