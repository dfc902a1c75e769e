// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: depmod.d (search, override, external, exclude, and what is
 * not a command) through libbb's whole depmod run (depmod_run): the input
 * is the configuration given with -C, and depmod -n indexes a small tree in
 * which the same module name lives in several folders, so that search
 * order, overrides and excludes change what it picks.
 * depmod walks what an "external" line names, and nothing stops a real
 * configuration naming "/": so the harness turns every '/' of the input
 * into '_' and runs in the tree's kernel folder, where relative names
 * ("." and "..") stay inside the tree. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod.h"
#include "msg.h"

#define KVER "6.1.0-fuzz"

static char root[] = "/tmp/fuzz_depmodconf.XXXXXX";
static char conf[PATH_MAX];

static void copy(const char *from, const char *rel)
{
	char path[PATH_MAX], buf[65536];
	FILE *in = fopen(from, "rb"), *out;
	size_t n;

	snprintf(path, sizeof(path), "%s/lib/modules/" KVER "/%s", root, rel);
	for (char *s = strchr(path + strlen(root) + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	out = fopen(path, "wb");
	if (in == NULL || out == NULL)
		abort();
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const place[][2] = {
		{ "signed-sha256.ko", "kernel/a/dup.ko" },
		{ "signed-sha512.ko", "updates/dup.ko" },
		{ "signed-legacy.ko", "extra/dup.ko" },
		{ "signed-sha256.ko", "kernel/b/other.ko" },
		{ "signed-legacy.ko", "updates/b/other.ko" },
		{ "signed-sha512.ko", "kernel/c/third.ko" },
	};
	char from[PATH_MAX];
	FILE *f;

	(void)argc;
	(void)argv;
	if (mkdtemp(root) == NULL)
		abort();
	for (size_t i = 0; i < sizeof(place) / sizeof(place[0]); i++) {
		snprintf(from, sizeof(from), "%s/%s", TEST_DATA, place[i][0]);
		copy(from, place[i][1]);
	}
	snprintf(from, sizeof(from), "%s/lib/modules/" KVER "/modules.order", root);
	f = fopen(from, "w");
	if (f == NULL)
		abort();
	fputs("kernel/a/dup.ko\nkernel/c/third.ko\nkernel/b/other.ko\n", f);
	fclose(f);
	snprintf(conf, sizeof(conf), "%s/fuzz.conf", root);
	snprintf(from, sizeof(from), "%s/lib/modules/" KVER "/kernel", root);
	if (chdir(from) != 0)
		abort();
	msg_init("depmod");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *configs[] = { conf };
	struct depmod_opts o = {
		.root = root, .kver = KVER, .configs = configs, .nconfigs = 1, .all = true, .dry = true,
	};
	FILE *f = fopen(conf, "wb");

	if (f == NULL)
		abort();
	for (size_t i = 0; i < size; i++)
		putc(data[i] == '/' ? '_' : data[i], f);
	fclose(f);
	depmod_run(&o, 0, NULL);
	msg_flush_stdout();
	return 0;
}
