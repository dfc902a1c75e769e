// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: depmod's cache file (libbb/depmod/cache.c). The checksum would
 * stop almost every input at the door, so the harness makes it right: the
 * input is the entries after a valid header of this build (the entry count
 * taken from its first 4 bytes), padded to 8 bytes, with the checksum
 * appended; the image is checked as a run checks it (dm_cache_check), and
 * the input is also replayed as one module's facts (dm_apply_facts), as
 * a run replays an entry. Neither may read or write outside what it was
 * given. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "depmod_int.h"
#include "msg.h"
#include "wbuf.h"

static unsigned char header[512];
static size_t headerlen;

static void dm_setup(struct dm *d)
{
	memset(d, 0, sizeof(*d));
	d->syms.size = sizeof(struct sym);
	d->info.size = 1;
	d->imports.size = sizeof(uint32_t);
	d->crcs.size = sizeof(uint64_t);
	d->outdir = "/nonexistent";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/fuzz_depmodcache.XXXXXX";
	struct wbuf *w = malloc(sizeof(*w));
	struct dm d;
	FILE *f;
	int fd = mkstemp(path);

	(void)argc;
	(void)argv;
	if (fd < 0 || w == NULL)
		abort();
	/* an empty cache of this build: its header and key */
	dm_setup(&d);
	if (dm_cache_open(&d, true) < 0)
		abort();
	wbuf_init(w, fd);
	if (dm_cache_write(&d, w) < 0)
		abort();
	close(fd);
	dm_free(&d);
	free(w);
	f = fopen(path, "rb");
	headerlen = fread(header, 1, sizeof(header), f);
	fclose(f);
	unlink(path);
	if (headerlen < 40)
		abort();
	headerlen -= 8;   /* without its checksum */
	msg_init("depmod");
	msg_quiet();  /* no warnings printed */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = headerlen + size + 16;
	unsigned char *b = calloc(1, n);
	uint64_t sum;
	size_t len;

	if (b == NULL)
		return 0;
	memcpy(b, header, headerlen);
	if (size >= 4)
		memcpy(b + 16, data, 4);
	memcpy(b + headerlen, data, size);
	len = headerlen + size;
	len += (8 - (len & 7)) & 7;
	sum = dm_cache_checksum(b, len);
	memcpy(b + len, &sum, 8);
	(void)dm_cache_check(b, len + 8);
	(void)dm_cache_check(b, len);
	free(b);

	/* the input as one module's facts, replayed into an empty run */
	{
		struct dm d;
		struct mod m = { .path = "/fuzz.ko", .idx = 0 };
		unsigned char *copy = malloc(size ? size : 1);

		if (copy == NULL)
			return 0;
		memcpy(copy, data, size);
		dm_setup(&d);
		d.check_symvers = size > 0 && (data[0] & 1);
		d.sym_prefix = size > 1 && (data[1] & 1) ? '_' : '\0';
		(void)dm_apply_facts(&d, &m, copy, size);
		dm_free(&d);
		free(copy);
	}
	return 0;
}
