// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: kmod binary indexes: exact and wildcard lookups and a dump.
 * The first input byte picks the key set; the rest is the index file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"modtest_b", "modtest_c_alias", "of:NdevT<NULL>Cmodutils,dash_test",
		"usb:v1234p0001d0100dc00dsc00dp00ic03isc01ip02in00", "symbol:modtest_a_value",
		"pci:v00008086d00001533sv00008086sd00000000bc02sc00i00", "", "a", "*", "[a-",
	};
	struct modindex idx;
	unsigned char *copy;
	size_t sum = 0;

	if (size < 1)
		return 0;
	copy = malloc(size);
	memcpy(copy, data + 1, size - 1);
	if (modindex_open_mem(&idx, copy, size - 1) == 0) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if ((data[0] >> (i % 8)) & 1)
				continue;
			modindex_lookup(&idx, keys[i], on_value, &sum);
			modindex_lookup_wild(&idx, keys[i], on_value, &sum);
		}
		if (data[0] & 0x80)
			modindex_dump(&idx, on_entry, &sum);
	}
	free(copy);
	return 0;
}
