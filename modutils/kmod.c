// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmod: kmod's own command, as systemd's kmod-static-nodes.service and
 * mkinitcpio call it: "kmod static-nodes" turns the running kernel's
 * modules.devname into device-node lines, "kmod list" is lsmod.
 */
//config:config KMOD
//config:	bool "kmod"
//config:	default y
//config:	help
//config:	  kmod's own command: "kmod static-nodes [-f FORMAT] [-o FILE]"
//config:	  prints the device nodes listed in the running kernel's
//config:	  modules.devname (human, tmpfiles.d or devname format) as
//config:	  systemd's kmod-static-nodes.service asks for it; "kmod list"
//config:	  is lsmod (when LSMOD is built); "kmod help", "kmod --version".
//applet:APPLET(kmod)

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libbb.h"
#include "devnodes.h"
#include "fileopen.h"
#include "modindex.h"
#include "runheap.h"

/* The lsmod applet, for "kmod list" (the call is dropped without LSMOD). */
int lsmod_main(int argc, char **argv);

static const char usage[] =
	"[-Vh] COMMAND [ARGS]...\n"
	"kmod's own commands:\n"
	"  help           show this help\n"
	"  list           list the loaded modules (lsmod, when built in)\n"
	"  static-nodes [-f FORMAT] [-o FILE]\n"
	"                 print the device nodes of the running kernel's modules.devname\n"
	"  -V, --version  show version\n"
	"  -h, --help     show this help\n";

static const char static_nodes_usage[] =
	"static-nodes [-f FORMAT] [-o FILE]\n"
	"Print the device nodes that the running kernel's modules.devname lists.\n"
	"  -f, --format=FORMAT  human (the default), tmpfiles (tmpfiles.d(5) lines)\n"
	"                       or devname (modules.devname lines)\n"
	"  -o, --output=FILE    write to FILE (replaced as a whole; folders made)\n"
	"  -h, --help           show this help\n";

static void bad_entry(const char *line, void *arg)
{
	(void)arg;
	fprintf(stderr, "Error: invalid devname entry: %s", line);
}

static int static_nodes_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct file_replace out = { .f = NULL };
	const char *output = NULL;
	int format = DEVNODE_HUMAN;
	struct modctx ctx;
	char path[PATH_MAX];
	FILE *in;
	int c, err;

	optind = 0;
	while ((c = msg_getopt_long(argc, argv, "o:f:h", longopts)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			format = devnode_format(optarg);
			if (format < 0) {
				fprintf(stderr, "Unknown format: '%s'.\n", optarg);
				msg_usage(stdout, static_nodes_usage);
				msg_flush_stdout();
				return EXIT_FAILURE;
			}
			break;
		case 'h':
			msg_usage(stdout, static_nodes_usage);
			return msg_flush_stdout() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
		default:
			return EXIT_FAILURE;
		}
	}
	/* kmod ignores further arguments; so do we. */

	err = modctx_init(&ctx, NULL, NULL);
	if (err == 0)
		err = modctx_modpath(&ctx, modindex_files[MODINDEX_DEVNAME], path, sizeof(path));
	if (err < 0) {
		fprintf(stderr, "Error: could not open /lib/modules/%s/modules.devname - %s\n",
			ctx.kver, msg_strerror(-err));
		return EXIT_FAILURE;
	}
	in = fopen_regular(path);
	if (in == NULL) {
		if (errno == ENOENT) {
			fprintf(stderr, "Warning: %s not found - ignoring\n", path);
			return EXIT_SUCCESS;
		}
		fprintf(stderr, "Error: could not open %s - %s\n", path, file_strerror(-errno));
		return EXIT_FAILURE;
	}
	/* -o FILE is made with the missing folders above it (0755, as kmod
	 * makes them) and replaced as a whole. */
	if (output != NULL) {
		err = mkdir_parents(output, 0755);
		if (err < 0) {
			fprintf(stderr, "Error: could not create parent directory for %s - %s.\n", output,
				msg_strerror(-err));
		} else {
			err = file_replace_open(&out, output, ".static-nodes-");
			if (err < 0)
				fprintf(stderr, "Error: could not create %s - %s\n", output, msg_strerror(-err));
		}
		if (err < 0) {
			fclose(in);
			return EXIT_FAILURE;
		}
	}
	c = devnodes_convert(in, output != NULL ? out.f : stdout, format, bad_entry, NULL);
	fclose(in);
	if (c < 0) {
		fprintf(stderr, "Error: could not read %s - %s\n", path, msg_strerror(-c));
		file_replace_abort(&out);
		return EXIT_FAILURE;
	}
	if (output != NULL) {
		err = file_replace_commit(&out);
		if (err < 0)
			fprintf(stderr, "Error: could not %s %s - %s\n", out.written ? "create" : "write", output,
				msg_strerror(-err));
	} else {
		err = msg_flush_stdout();
	}
	return err < 0 || c > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int help(FILE *f)
{
	msg_usage(f, usage);
	return msg_flush_stdout() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int kmod_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c;

	runheap_start();   /* one thread: small blocks from the run heap */
	/* "+": the options before the command are kmod's, the rest the command's */
	while ((c = msg_getopt_long(argc, argv, "+hV", longopts)) != -1) {
		switch (c) {
		case 'h':
			return help(stdout);
		case 'V':
			msg_version();
			return msg_flush_stdout() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
		default:
			return EXIT_FAILURE;
		}
	}
	if (optind >= argc) {
		fputs("missing command\n", stderr);
		help(stdout);
		return EXIT_FAILURE;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "help") == 0)
		return help(stdout);
	if (strcmp(cmd, "static-nodes") == 0)
		return static_nodes_main(argc, argv);
	if (IS_ENABLED(CONFIG_LSMOD) && strcmp(cmd, "list") == 0) {
		optind = 0;
		return lsmod_main(argc, argv);
	}
	fprintf(stderr, "invalid command '%s'\n", cmd);
	help(stdout);
	return EXIT_FAILURE;
}
