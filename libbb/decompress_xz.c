// SPDX-License-Identifier: GPL-2.0-or-later
/* xz modules through liblzma, streaming. */
#include <errno.h>
#include <stdlib.h>
#include <lzma.h>

#include "decompress.h"
#include "decompress_input.h"

/* Kernel modules are packed with small dictionaries; this bounds what a
 * hostile header can make the decoder allocate. */
#define XZ_MEMLIMIT (64u << 20)

int decompress_xz(int fd, const unsigned char *head, size_t headlen,
		  struct outbuf *out, const char **why)
{
	struct input *in = malloc(sizeof(*in));
	lzma_stream xs = LZMA_STREAM_INIT;
	lzma_action action = LZMA_RUN;
	int ret = 0;

	*why = NULL;
	if (in == NULL)
		return -ENOMEM;
	in->fd = fd;
	in->head = head;
	in->headlen = headlen;
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
		if (ret < 0)
			break;
		xs.next_out = out->data + out->len;
		xs.avail_out = out->cap - out->len;
		lr = lzma_code(&xs, action);
		out->len = out->cap - xs.avail_out;
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_OK)
			continue;
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
