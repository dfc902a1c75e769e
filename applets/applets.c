// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The multicall entry: the basename of argv[0] picks the applet, or
 * "modutils APPLET ARGS". The table comes from the //applet: lines of the
 * enabled modutils/ sources (scripts/gen-applets.sh).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libbb.h"
#include "applet_table.h"

static const char multicall_usage[] =
	"Usage: modutils APPLET [ARGS]...\n"
	"   or: APPLET [ARGS]...   (through a link named after the applet)\n"
	"   or: modutils --list\n"
	"   or: modutils --install [-s] DIR\n"
	"\n"
	"  --list           list the applets built in\n"
	"  --install DIR    create a hard link per applet in DIR (-s: symbolic links)\n"
	"  -V, --version    show version\n"
	"  -h, --help       show this help\n"
	"\n"
	"Applets: ";

static const struct applet *find_applet(const char *name)
{
	for (const struct applet *a = applet_table; a < applet_table + APPLET_COUNT; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

static void list_applets(FILE *out, const char *sep)
{
	for (const struct applet *a = applet_table; a < applet_table + APPLET_COUNT; a++)
		fprintf(out, "%s%s", a != applet_table ? sep : "", a->name);
}

/* Links point at the running binary, as BusyBox does. */
static int install_links(const char *dir, int symbolic)
{
	char self[PATH_MAX], path[PATH_MAX];
	int failed = 0, err = kernel_self_exe(self, sizeof(self));

	if (err < 0) {
		msg_err("could not find the running binary: %s", msg_strerror(-err));
		return EXIT_FAILURE;
	}
	for (const struct applet *a = applet_table; a < applet_table + APPLET_COUNT; a++) {
		int len = snprintf(path, sizeof(path), "%s/%s", dir, a->name);
		int r;

		if (len < 0 || (size_t)len >= sizeof(path)) {
			msg_err("%s/%s: %s", dir, a->name, msg_strerror(ENAMETOOLONG));
			failed = 1;
			continue;
		}
		r = symbolic ? symlink(self, path) : link(self, path);
		if (r < 0) {
			msg_err("could not create %s: %s", path, msg_strerror(errno));
			failed = 1;
		}
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int multicall_main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(multicall_usage, stderr);
		list_applets(stderr, " ");
		fputc('\n', stderr);
		return EXIT_FAILURE;
	}
	if (strcmp(argv[1], "--list") == 0) {
		list_applets(stdout, "\n");
		if (APPLET_COUNT > 0)
			putchar('\n');
		return msg_flush_stdout() < 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(multicall_usage, stdout);
		list_applets(stdout, " ");
		putchar('\n');
		return msg_flush_stdout() < 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		msg_version();
		return msg_flush_stdout() < 0;
	}
	if (strcmp(argv[1], "--install") == 0) {
		int symbolic = argc > 2 && strcmp(argv[2], "-s") == 0;

		if (argc != 3 + symbolic) {
			msg_err("--install needs one folder: modutils --install [-s] DIR");
			return EXIT_FAILURE;
		}
		return install_links(argv[2 + symbolic], symbolic);
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	const struct applet *a;

	name = name ? name + 1 : argv[0];
	msg_version_flags(MODCOMP_VERSION_FLAGS);
	a = find_applet(name);
	if (a == NULL && strncmp(name, "modutils", 8) == 0) {
		/* "modutils APPLET ARGS", or the multicall's own options. */
		msg_init("modutils");
		if (argc >= 2 && argv[1][0] != '-') {
			argv++;
			argc--;
			name = argv[0];
			a = find_applet(name);
		} else {
			int r = multicall_main(argc, argv);

			if (r >= 0)
				return r;
			msg_err("unknown option '%s' (see modutils --help)", argv[1]);
			return EXIT_FAILURE;
		}
	}
	if (a == NULL) {
		msg_init("modutils");
		msg_err("applet not found: %s (see modutils --list)", name);
		return 127;
	}
	msg_init(a->name);
	/* getopt's own messages then name the applet, not the path. */
	argv[0] = (char *)a->name;
	return a->main(argc, argv);
}
