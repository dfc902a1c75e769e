// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod: write the dependency and alias indexes of a module tree. */
//config:config DEPMOD
//config:	bool "depmod"
//config:	default y
//config:	help
//config:	  Write modules.dep, modules.alias, modules.symbols,
//config:	  modules.softdep, modules.weakdep, modules.devname and the
//config:	  binary indexes modprobe reads, from the modules of a tree of
//config:	  any architecture (compressed or not), with depmod.d search,
//config:	  override, external and exclude. The files are replaced
//config:	  atomically. Output equals kmod's depmod.
//config:
//config:config FEATURE_DEPMOD_EXCHANGE
//config:	bool "Switch the whole set of index files in one step"
//config:	default y
//config:	depends on DEPMOD
//config:	help
//config:	  Write the new files into a staging folder beside the module
//config:	  folder that mirrors it with hard links, and exchange the two
//config:	  folders in one rename (renameat2 RENAME_EXCHANGE), so that
//config:	  readers and a power cut see all old or all new files. Without
//config:	  it (or where the filesystem cannot), each file is replaced by
//config:	  its own rename: every file is whole, but the set can be mixed
//config:	  until the last rename.
//config:
//config:config FEATURE_DEPMOD_CACHE
//config:	bool "Reuse what was read from unchanged modules"
//config:	default n
//config:	depends on DEPMOD
//config:	help
//config:	  Keep what depmod read from each module file (symbols, CRCs,
//config:	  aliases and dependencies declared, never dependencies
//config:	  resolved) in modules.depmod-cache, written with the index
//config:	  files, and read again only the files that changed since (by
//config:	  path, inode, size and times). The output is the same as a
//config:	  full run's. The file takes a few MiB per kernel (7.2 MiB
//config:	  for Debian 12's amd64 tree) and is not kmod's: off by default
//config:	  for now, so that the module folder holds what kmod's depmod
//config:	  leaves there. --no-cache neither reads nor writes it.
//applet:APPLET(depmod)

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>

#include "depmod.h"
#include "libbb.h"

static const char usage[] =
	"[-aAenvw] [-b DIR] [-m MODULEDIR] [-o DIR] [-C CONFIG]...\n"
	"       [-E Module.symvers | -F System.map] [-P PREFIX] [VERSION] [MODULE...]\n"
	"Write modules.dep, the alias and symbol lists and the binary indexes of\n"
	"/lib/modules/VERSION (the running kernel's by default).\n"
	"  -a, --all            all modules of the tree (the default)\n"
	"  -A, --quick          only when a module is newer than modules.dep\n"
	"  -b, --basedir DIR    root folder holding lib/modules\n"
	"  -m, --moduledir DIR  module folder below the root instead of /lib/modules\n"
	"  -o, --outdir DIR     root folder to write the files under instead of -b's\n"
	"  -C, --config PATH    depmod.d folder or file instead of the defaults\n"
	"  -E, --symvers FILE   kernel symbols and CRCs from Module.symvers\n"
	"  -F, --filesyms FILE  kernel symbols from System.map\n"
	"  -e, --errsyms        report symbols nothing provides (needs -E or -F)\n"
	"  -n, --show, --dry-run  write the text files to standard output only\n"
	"  -P, --symbol-prefix C  architecture symbol prefix\n"
	"  -w, --warn           warn on duplicate aliases and symbols\n"
	"      --no-cache       read every module, keep nothing for the next run\n"
	"  -v, --verbose        show each dependency found\n"
	"  -V, --version        show version\n"
	"  -h, --help           show this help\n"
	"MODULE... (absolute paths) indexes only these files, without depmod.d.\n";

int depmod_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quick", no_argument, NULL, 'A' },
		{ "basedir", required_argument, NULL, 'b' },
		{ "moduledir", required_argument, NULL, 'm' },
		{ "outdir", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'C' },
		{ "symvers", required_argument, NULL, 'E' },
		{ "filesyms", required_argument, NULL, 'F' },
		{ "errsyms", no_argument, NULL, 'e' },
		{ "unresolved-error", no_argument, NULL, 'u' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "root", no_argument, NULL, 'r' },
		{ "show", no_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "symbol-prefix", required_argument, NULL, 'P' },
		{ "warn", no_argument, NULL, 'w' },
		{ "no-cache", no_argument, NULL, 0x100 },
		/* --verbose --version --help */
		MSG_LONGOPTS_END(3),
	};
	struct depmod_opts o = { 0 };
	int c, r, err;

	o.configs = calloc((size_t)argc + 1, sizeof(*o.configs));
	if (o.configs == NULL) {
		msg_err("out of memory");
		return EXIT_FAILURE;
	}
	r = EXIT_FAILURE;
	while ((c = msg_getopt(argc, argv, "aAb:m:o:C:E:F:euqrvnP:wVh", longopts)) != -1) {
		switch (c) {
		case 'a': o.all = true; break;
		case 'A': o.quick = true; break;
		case 'b': o.root = optarg; break;
		case 'm': o.moduledir = optarg; break;
		case 'o': o.outroot = optarg; break;
		case 'C': o.configs[o.nconfigs++] = optarg; break;
		case 'E': o.symvers = optarg; break;
		case 'F': o.sysmap = optarg; break;
		case 'e': o.print_unknown = true; break;
		case 'n': o.dry = true; break;
		case 'w': o.warn_dups = true; break;
		case 0x100: o.no_cache = true; break;
		case 'P':
			if (optarg[0] == '\0' || optarg[1] != '\0') {
				msg_fatal("-P only takes a single char");
				goto out;
			}
			o.sym_prefix = optarg[0];
			break;
		case 'u': case 'q': case 'r':
			msg_warn("Ignored deprecated option -%c", c);
			break;
		default:
			err = msg_option(c, usage);
			if (err != MSG_OPTION_CONTINUE) {
				r = err;
				goto out;
			}
		}
	}
	if (optind < argc) {
		if (!depmod_is_version(argv[optind])) {
			msg_err("Bad version passed %s", argv[optind]);
			goto out;
		}
		o.kver = argv[optind++];
	}
	if (optind == argc)
		o.all = true;
	err = depmod_run(&o, argc - optind, argv + optind);
	r = err < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (msg_flush_stdout() < 0)
		r = EXIT_FAILURE;
out:
	free(o.configs);
	return r;
}
