// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the text indexes (modules.dep, modules.alias, modules.symbols,
 * modules.builtin, modules.builtin.modinfo) through modlookup's fallback:
 * the input, split at NUL bytes, becomes those files of a scratch tree. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "modlookup.h"

static char root[] = "/tmp/fuzz_textindex.XXXXXX";
static struct modctx ctx;

static void put(const char *name, const uint8_t *p, size_t n)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ctx.moddir, name);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fwrite(p, 1, n, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = {
		"modules.dep", "modules.alias", "modules.symbols", "modules.builtin", "modules.builtin.modinfo",
	};
	static const char *const queries[] = {
		"modtest_b", "dash-mod", "modtest-c-alias", "symbol:modtest_a_value", "of:NdevT<NULL>Cfoo",
		"modtest_builtin", "pci:v00008086d00001533",
	};
	struct modlookup lk;
	size_t off = 0;

	if (ctx.moddir[0] == '\0') {
		char dir[PATH_MAX];

		if (mkdtemp(root) == NULL || modctx_init(&ctx, root, "fuzz") < 0)
			abort();
		snprintf(dir, sizeof(dir), "%s/lib", root);
		mkdir(dir, 0755);
		snprintf(dir, sizeof(dir), "%s/lib/modules", root);
		mkdir(dir, 0755);
		mkdir(ctx.moddir, 0755);
	}
	for (size_t i = 0; i < 5; i++) {
		const uint8_t *end = off < size ? memchr(data + off, 0, size - off) : NULL;
		size_t n = end ? (size_t)(end - (data + off)) : size - (off < size ? off : size);

		put(files[i], data + (off < size ? off : size), off < size ? n : 0);
		off += n + 1;
	}
	modlookup_init(&lk, &ctx);
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		struct modlookup_result res;
		struct modlookup_builtin_info bi;

		modlookup_any(&lk, queries[q], &res);
		modlookup_result_free(&res);
		modlookup_name(&lk, queries[q], &res);
		modlookup_result_free(&res);
		if (modlookup_builtin_modinfo(&lk, queries[q], &bi) == 0)
			modlookup_builtin_info_free(&bi);
	}
	modlookup_close(&lk);
	return 0;
}
