// SPDX-License-Identifier: GPL-2.0-or-later
/* gzip modules through zlib, streaming. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "decompress.h"
#include "decompress_input.h"

int decompress_gzip(int fd, const unsigned char *head, size_t headlen,
		    struct outbuf *out, const char **why)
{
	struct input *in = malloc(sizeof(*in));
	z_stream zs = { 0 };
	int ret = 0, zr = Z_OK;

	*why = NULL;
	if (in == NULL)
		return -ENOMEM;
	in->fd = fd;
	in->head = head;
	in->headlen = headlen;
	/* A regular file ends with ISIZE, the size modulo 2^32: a hint for
	 * one allocation instead of a doubling buffer. Deflate expands at
	 * most 1032 times: a larger claim is a lie, not worth reserving. */
	{
		struct stat st;
		unsigned char tail[4];

		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 18 &&
		    pread(fd, tail, 4, st.st_size - 4) == 4) {
			size_t want = (size_t)tail[0] | (size_t)tail[1] << 8 | (size_t)tail[2] << 16 |
				      (size_t)tail[3] << 24;

			if (want > 0 && want < out->limit && want / 1032 <= (size_t)st.st_size)
				outbuf_reserve(out, want + 1);
		}
	}
	/* 16 + MAX_WBITS: gzip wrapper only. */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(in);
		return -ENOMEM;
	}
	for (;;) {
		const unsigned char *p;
		size_t n;

		ret = input_next(in, &p, &n);
		if (ret < 0)
			break;
		if (n == 0) {
			ret = -EBADMSG;
			*why = "truncated gzip data";
			break;
		}
		zs.next_in = (unsigned char *)p;
		zs.avail_in = (uInt)n;
		while (zs.avail_in > 0) {
			bool full = false;

			ret = outbuf_room(out);
			if (ret == -EFBIG && out->len > 0 && out->len == out->limit) {
				/* Full to the limit: what is left may be the
				 * trailer only (an image of exactly the limit);
				 * inflate goes on without room, and has no
				 * progress to make if it has more to write. */
				full = true;
				ret = 0;
			} else if (ret < 0) {
				goto done;
			}
			zs.next_out = out->data + out->len;
			zs.avail_out = (uInt)(out->cap - out->len);
			zr = inflate(&zs, Z_NO_FLUSH);
			out->len = out->cap - zs.avail_out;
			if (full && zr == Z_BUF_ERROR) {
				ret = -EFBIG;
				goto done;
			}
			if (zr == Z_STREAM_END) {
				/* Another gzip member may follow (cat a.gz b.gz). */
				if (zs.avail_in == 0)
					break;
				if (inflateReset(&zs) != Z_OK) {
					ret = -ENOMEM;
					goto done;
				}
				continue;
			}
			if (zr != Z_OK && zr != Z_BUF_ERROR) {
				ret = zr == Z_MEM_ERROR ? -ENOMEM : -EBADMSG;
				*why = "corrupt gzip data";
				goto done;
			}
		}
		if (zr == Z_STREAM_END) {
			/* Ends exactly at a member boundary: check for more input. */
			ret = input_next(in, &p, &n);
			if (ret < 0 || n == 0)
				break;
			if (inflateReset(&zs) != Z_OK) {
				ret = -ENOMEM;
				break;
			}
			in->head = p;
			in->headlen = n;
			zr = Z_OK;
		}
	}
done:
	if (ret == -EFBIG)
		*why = "decompressed module too large";
	inflateEnd(&zs);
	free(in);
	return ret;
}
