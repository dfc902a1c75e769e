// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: kmod binary indexes: exact and wildcard lookups and a dump.
 * The first input byte picks the key set; the rest is the index file, read
 * in memory and again as a file through tiny cache blocks (every node
 * crossing blocks): both must answer the same. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "modindex.h"

static int on_value(const char *value, uint32_t prio, void *arg)
{
	*(size_t *)arg += strlen(value) + prio;
	return 0;
}

static int on_entry(const char *key, const char *value, uint32_t prio, void *arg)
{
	*(size_t *)arg += strlen(key) + strlen(value) + prio;
	return 0;
}

static size_t run(struct modindex *idx, uint8_t pick)
{
	static const char *const keys[] = {
		"modtest_b", "modtest_c_alias", "of:NdevT<NULL>Cmodutils,dash_test",
		"usb:v1234p0001d0100dc00dsc00dp00ic03isc01ip02in00", "symbol:modtest_a_value",
		"pci:v00008086d00001533sv00008086sd00000000bc02sc00i00", "", "a", "*", "[a-",
	};
	size_t sum = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((pick >> (i % 8)) & 1)
			continue;
		sum = sum * 31 + (size_t)modindex_lookup(idx, keys[i], on_value, &sum);
		sum = sum * 31 + (size_t)modindex_lookup_wild(idx, keys[i], on_value, &sum);
	}
	if (pick & 0x80)
		sum = sum * 31 + (size_t)modindex_dump(idx, on_entry, &sum);
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct modindex idx;
	unsigned char *copy;
	size_t mem_sum = 0;
	int mem_ok, fd;

	if (size < 1)
		return 0;
	copy = malloc(size);
	memcpy(copy, data + 1, size - 1);
	mem_ok = modindex_open_mem(&idx, copy, size - 1) == 0;
	if (mem_ok)
		mem_sum = run(&idx, data[0]);
	fd = memfd_create("fuzz_modindex", MFD_CLOEXEC);
	if (fd >= 0 && write(fd, data + 1, size - 1) == (ssize_t)(size - 1)) {
		/* 1 to 16 bytes a block, from the data */
		int file_ok = modindex_open_fd(&idx, fd, size % 17) == 0;

		if (file_ok != mem_ok)
			abort();
		if (file_ok) {
			if (run(&idx, data[0]) != mem_sum)
				abort();
			modindex_close(&idx);
		}
	} else if (fd >= 0) {
		close(fd);
	}
	free(copy);
	return 0;
}
