// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the decompression front end. The input is a module file
 * (compression by magic), read through a memfd with a 16 MiB limit, so
 * bombs end in -EFBIG instead of filling memory. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "modfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct modfile mf;

	if (fd < 0)
		fd = memfd_create("fuzz", 0);
	if (fd < 0 || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (modfile_open(&mf, path) == 0) {
		mf.limit = 16u << 20;
		if (modfile_image(&mf) == 0 && mf.size > 0) {
			volatile unsigned char sink = ((const unsigned char *)mf.image)[mf.size - 1];

			(void)sink;
		}
		modfile_close(&mf);
	}
	return 0;
}
