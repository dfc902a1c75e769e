// SPDX-License-Identifier: GPL-2.0-or-later
/* xz modules through liblzma, streaming. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lzma.h>

#include "decompress.h"
#include "decompress_input.h"
#include "decompress_xz.h"

/*
 * The decoder's dictionary (1 MiB for kernel modules) in a mapping of its
 * own: through malloc, once freed, it raises glibc's mmap threshold and the
 * next one stays in the thread's heap for good, 1.1 MB per decompressing
 * thread on top of the images. The size is kept in front of the block.
 * opaque is the caller's struct outbuf_keep (or NULL): the next module's
 * decoder then takes over the last one's dictionary pages.
 */
#define MAP_MIN (256u << 10)
#define MAP_HEAD 16u

static void *xz_alloc(void *opaque, size_t nmemb, size_t size)
{
	size_t n = nmemb * size;
	unsigned char *p;

	if ((size != 0 && n / size != nmemb) || n > SIZE_MAX - MAP_HEAD)
		return NULL;
	if (n < MAP_MIN) {
		p = malloc(n + MAP_HEAD);
		if (p == NULL)
			return NULL;
	} else {
		p = outbuf_keep_map(opaque, n + MAP_HEAD);
		if (p == NULL)
			return NULL;
	}
	*(size_t *)p = n;
	return p + MAP_HEAD;
}

static void xz_free(void *opaque, void *ptr)
{
	unsigned char *p;
	size_t n;

	if (ptr == NULL)
		return;
	p = (unsigned char *)ptr - MAP_HEAD;
	n = *(size_t *)p;
	if (n < MAP_MIN)
		free(p);
	else
		outbuf_keep_unmap(opaque, p, n + MAP_HEAD);
}

const lzma_allocator xz_allocator = { xz_alloc, xz_free, NULL };

/*
 * The uncompressed size an xz index states (xz file format 1.0.4,
 * section 4: indicator 0, number of records, an unpadded and an
 * uncompressed size per block, zero padding to 4 bytes, CRC32): the sum
 * of its records, 0 if it is not well formed. Read here rather than by
 * lzma_index_buffer_decode(), which links liblzma's index tree (about
 * 6.5 KiB) for one number.
 */
static uint64_t index_size(const unsigned char *buf, size_t len)
{
	lzma_vli count, unpadded, size, total = 0;
	size_t pos = 1, end = len - 4;

	if (len < 8 || len % 4 != 0 || buf[0] != 0 || lzma_vli_decode(&count, NULL, buf, &pos, end) != LZMA_OK)
		return 0;
	for (; count > 0; count--) {
		if (lzma_vli_decode(&unpadded, NULL, buf, &pos, end) != LZMA_OK ||
		    lzma_vli_decode(&size, NULL, buf, &pos, end) != LZMA_OK || unpadded < 5 ||
		    size > LZMA_VLI_MAX - total)
			return 0;
		total += size;
	}
	for (; pos % 4 != 0; pos++)
		if (buf[pos] != 0)
			return 0;
	if (pos != end || lzma_crc32(buf, end, 0) != ((uint32_t)buf[end] | (uint32_t)buf[end + 1] << 8 |
							(uint32_t)buf[end + 2] << 16 | (uint32_t)buf[end + 3] << 24))
		return 0;
	return total;
}

/* The uncompressed size a regular file's index states (its last stream),
 * 0 when it cannot be read: a hint for one allocation instead of a doubling
 * buffer. The decoder checks the index against the data, so a lie ends in
 * an error, and the hint is bounded by the caller's limit. */
static uint64_t stated_size(int fd)
{
	unsigned char footer[LZMA_STREAM_HEADER_SIZE], *buf;
	lzma_stream_flags flags;
	uint64_t size = 0;
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 2 * LZMA_STREAM_HEADER_SIZE ||
	    pread(fd, footer, sizeof(footer), st.st_size - (off_t)sizeof(footer)) != (ssize_t)sizeof(footer) ||
	    lzma_stream_footer_decode(&flags, footer) != LZMA_OK ||
	    flags.backward_size > (uint64_t)st.st_size - 2 * LZMA_STREAM_HEADER_SIZE ||
	    flags.backward_size > (1u << 20) || (buf = malloc(flags.backward_size)) == NULL)
		return 0;
	if (pread(fd, buf, flags.backward_size, st.st_size - (off_t)sizeof(footer) - (off_t)flags.backward_size) ==
	    (ssize_t)flags.backward_size)
		size = index_size(buf, flags.backward_size);
	free(buf);
	return size;
}

int decompress_xz(int fd, const unsigned char *head, size_t headlen,
		  struct outbuf *out, const char **why)
{
	struct input *in = malloc(sizeof(*in));
	const lzma_allocator al = { xz_alloc, xz_free, out->keep };
	lzma_stream xs = LZMA_STREAM_INIT;
	lzma_action action = LZMA_RUN;
	bool full = false;
	int ret = 0;

	*why = NULL;
	if (in == NULL)
		return -ENOMEM;
	in->fd = fd;
	in->head = head;
	in->headlen = headlen;
	{
		uint64_t want = stated_size(fd);

		if (want > 0 && want < out->limit)
			outbuf_reserve(out, (size_t)want + 1);
	}
	xs.allocator = &al;
	if (lzma_stream_decoder(&xs, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
		free(in);
		return -ENOMEM;
	}
	for (;;) {
		lzma_ret lr;

		if (xs.avail_in == 0 && action == LZMA_RUN) {
			const unsigned char *p;
			size_t n;

			ret = input_next(in, &p, &n);
			if (ret < 0)
				break;
			xs.next_in = p;
			xs.avail_in = n;
			if (n == 0)
				action = LZMA_FINISH;
		}
		ret = outbuf_room(out);
		if (ret == -EFBIG && out->len > 0 && out->len == out->limit) {
			/* Full to the limit: what is left may be the index
			 * and footer only (an image of exactly the limit);
			 * the decoder goes on without room, and has no
			 * progress to make (LZMA_BUF_ERROR) if it has more
			 * to write. */
			full = true;
			ret = 0;
		} else if (ret < 0) {
			break;
		}
		xs.next_out = out->data + out->len;
		xs.avail_out = out->cap - out->len;
		lr = lzma_code(&xs, action);
		out->len = out->cap - xs.avail_out;
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_OK)
			continue;
		if (full && lr == LZMA_BUF_ERROR) {
			ret = -EFBIG;
			break;
		}
		switch (lr) {
		case LZMA_MEM_ERROR:
			ret = -ENOMEM;
			break;
		case LZMA_MEMLIMIT_ERROR:
			ret = -EFBIG;
			*why = "xz data needs too much memory to decompress";
			break;
		case LZMA_BUF_ERROR:
			ret = -EBADMSG;
			*why = "truncated xz data";
			break;
		default:
			ret = -EBADMSG;
			*why = "corrupt xz data";
			break;
		}
		break;
	}
	if (ret == -EFBIG && *why == NULL)
		*why = "decompressed module too large";
	lzma_end(&xs);
	free(in);
	return ret;
}
