// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the module ELF reader, everything modinfo and depmod ask of it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modelf.h"

static int on_version(uint64_t crc, const char *name, void *arg)
{
	(void)crc;
	*(size_t *)arg += strlen(name);
	return 0;
}

static int on_symbol(const struct modelf_symbol *s, void *arg)
{
	*(size_t *)arg += strlen(s->name);
	return 0;
}

static int on_ksym(const struct modelf_ksym *s, void *arg)
{
	*(size_t *)arg += s->len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy: ASan then sees any read past the end. */
	unsigned char *copy = malloc(size ? size : 1);
	struct modelf e;
	struct modelf_section s;
	const char *rec;
	size_t len, pos = 0, sum = 0;

	memcpy(copy, data, size);
	if (modelf_open(&e, copy, size) == 0) {
		if (modelf_section(&e, ".modinfo", &s) == 0)
			while (modelf_modinfo_next(&e, &s, &pos, &rec, &len) > 0)
				sum += len;
		modelf_versions(&e, on_version, &sum);
		modelf_symbols(&e, on_symbol, &sum);
		modelf_exports(&e, on_ksym, &sum);
		modelf_imports(&e, on_ksym, &sum);
		for (uint32_t i = 0; i < e.shnum && i < 64; i++)
			modelf_section_at(&e, i, &s);
	}
	free(copy);
	return 0;
}
