// SPDX-License-Identifier: GPL-2.0-or-later
/* zstd modules through libzstd, streaming. */
#include <errno.h>
#include <stdlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "decompress.h"
#include "decompress_input.h"

/* 2^27 (128 MiB) is zstd's default window ceiling; modules use far less. */
#define ZSTD_WINDOWLOG_LIMIT 27

int decompress_zstd(int fd, const unsigned char *head, size_t headlen,
		    struct outbuf *out, const char **why)
{
	struct input *in = malloc(sizeof(*in));
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	size_t zr = 0;
	int ret = 0;

	*why = NULL;
	if (in == NULL || dctx == NULL) {
		free(in);
		ZSTD_freeDCtx(dctx);
		return -ENOMEM;
	}
	in->fd = fd;
	in->head = head;
	in->headlen = headlen;
	ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, ZSTD_WINDOWLOG_LIMIT);
	for (;;) {
		const unsigned char *p;
		size_t n;
		ZSTD_inBuffer zin;

		ret = input_next(in, &p, &n);
		if (ret < 0)
			break;
		if (n == 0) {
			/* zr is the hint of what a frame still needs: 0 = complete. */
			if (zr != 0) {
				ret = -EBADMSG;
				*why = "truncated zstd data";
			}
			break;
		}
		/* The frame header usually states the size: one allocation
		 * instead of a doubling buffer copied on every growth. */
		if (out->cap == 0) {
			unsigned long long want = ZSTD_getFrameContentSize(p, n);

			/* A frame that says it is too large is refused before a
			 * byte is decoded (the decoder holds it to what it says). */
			if (want != ZSTD_CONTENTSIZE_UNKNOWN && want != ZSTD_CONTENTSIZE_ERROR &&
			    want >= out->limit) {
				ret = -EFBIG;
				break;
			}
			if (want != ZSTD_CONTENTSIZE_UNKNOWN && want != ZSTD_CONTENTSIZE_ERROR &&
			    outbuf_reserve(out, (size_t)want + 1) < 0) {
				ret = -ENOMEM;
				break;
			}
		}
		zin.src = p;
		zin.size = n;
		zin.pos = 0;
		while (zin.pos < zin.size) {
			ZSTD_outBuffer zout;

			ret = outbuf_room(out);
			if (ret < 0)
				goto done;
			zout.dst = out->data;
			zout.size = out->cap;
			zout.pos = out->len;
			zr = ZSTD_decompressStream(dctx, &zout, &zin);
			out->len = zout.pos;
			if (ZSTD_isError(zr)) {
				ret = ZSTD_getErrorCode(zr) == ZSTD_error_memory_allocation ? -ENOMEM : -EBADMSG;
				*why = "corrupt zstd data";
				goto done;
			}
		}
	}
done:
	if (ret == -EFBIG)
		*why = "decompressed module too large";
	ZSTD_freeDCtx(dctx);
	free(in);
	return ret;
}
