// SPDX-License-Identifier: GPL-2.0-or-later
/* zstd modules through libzstd, streaming. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
/* ZSTD_getFrameHeader and ZSTD_d_stableOutBuffer (libzstd >= 1.4.4) */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include "decompress.h"
#include "decompress_input.h"

/* The smallest window log whose window holds limit bytes: a frame that
 * states its size has a window of that size (single segment), which may
 * be any number up to the limit; a larger window is refused by
 * frame_start before zstd would allocate it. */
static int window_log_max(size_t limit)
{
	int log = ZSTD_WINDOWLOG_MIN;

	while (log < ZSTD_WINDOWLOG_MAX && ((size_t)1 << log) < limit)
		log++;
	return log;
}

/*
 * Read the next frame's header and prepare dctx and out for it. A frame
 * that states its size gets exactly that room and is decoded in place
 * (stable output: zstd keeps no window buffer of its own). One that does
 * not is decoded through zstd's window buffer, which holds up to a window
 * besides the output: the window counts against the limit, so that a small
 * file with a large window (zstd --long=27 of a stream) cannot make us hold
 * window + limit bytes. *stable tells which; out->limit is lowered for the
 * frame (the caller restores it).
 */
static int frame_start(ZSTD_DCtx *dctx, struct input *in, const unsigned char **p, size_t *n,
		       struct outbuf *out, size_t limit, bool *stable, const char **why)
{
	ZSTD_frameHeader fh;
	size_t r;
	int err = input_fill(in, p, n, ZSTD_FRAMEHEADERSIZE_MAX);

	if (err < 0)
		return err;
	r = ZSTD_getFrameHeader(&fh, *p, *n);
	if (ZSTD_isError(r) || r > 0) {
		/* an error code is a size_t above 0 too */
		*why = ZSTD_isError(r) ? "corrupt zstd data" : "truncated zstd data";
		return -EBADMSG;
	}
	*stable = false;
	ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
	if (fh.frameType == ZSTD_skippableFrame) {
		/* no output */
	} else if (fh.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN) {
		/* Refused before a byte is decoded; zstd holds the frame to
		 * the size it states. */
		if (fh.frameContentSize > limit - out->len)
			return -EFBIG;
		if (fh.frameContentSize > 0) {
			err = outbuf_reserve(out, (size_t)fh.frameContentSize);
			if (err < 0)
				return err;
			*stable = true;
		}
	} else if (fh.windowSize > limit - out->len) {
		*why = "zstd data needs too much memory to decompress";
		return -EFBIG;
	} else {
		out->limit = limit - (size_t)fh.windowSize;
	}
	return ZSTD_isError(ZSTD_DCtx_setParameter(dctx, ZSTD_d_stableOutBuffer, *stable)) ? -EINVAL : 0;
}

int decompress_zstd(int fd, const unsigned char *head, size_t headlen,
		    struct outbuf *out, const char **why)
{
	struct input *in = malloc(sizeof(*in));
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	const size_t limit = out->limit;
	const unsigned char *p = NULL;
	size_t n = 0;
	bool in_frame = false, stable = false;
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
	/* No window larger than the module could be: it would never pay. */
	ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, window_log_max(limit));
	for (;;) {
		ZSTD_inBuffer zin;

		if (n == 0) {
			ret = input_next(in, &p, &n);
			if (ret < 0)
				break;
			if (n == 0) {
				if (in_frame) {
					ret = -EBADMSG;
					*why = "truncated zstd data";
				}
				break;
			}
		}
		if (!in_frame) {
			ret = frame_start(dctx, in, &p, &n, out, limit, &stable, why);
			if (ret < 0)
				break;
			in_frame = true;
		}
		zin.src = p;
		zin.size = n;
		zin.pos = 0;
		while (zin.pos < zin.size) {
			ZSTD_outBuffer zout;
			size_t zr;

			/* In place, the buffer must not move within the frame. */
			if (!stable && (ret = outbuf_room(out)) < 0)
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
			if (zr == 0) {
				/* End of the frame; another may follow. */
				in_frame = false;
				out->limit = limit;
				break;
			}
		}
		p += zin.pos;
		n -= zin.pos;
	}
done:
	out->limit = limit;
	if (ret == -EFBIG && *why == NULL)
		*why = "decompressed module too large";
	ZSTD_freeDCtx(dctx);
	free(in);
	return ret;
}
