// SPDX-License-Identifier: GPL-2.0-or-later
/* insmod: load one module file into the kernel. */
//config:config INSMOD
//config:	bool "insmod"
//config:	default y
//config:	help
//config:	  Load a single module file (plain, gzip, xz or zstd) with
//config:	  parameters. finit_module first, init_module as fallback.
//applet:APPLET(insmod)

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libbb.h"
#include "modload.h"
#include "modparams.h"
#include "runheap.h"

static const char usage[] =
	"[-fsvVh] FILE|- [PARAM=VALUE]...\n"
	"Load a module file into the kernel (- reads it from standard input).\n"
	"  -f, --force     ignore symbol versions and the version magic\n"
	"  -s, --syslog    report errors to syslog instead of stderr\n"
	"  -v, --verbose   tell what is being done\n"
	"  -V, --version   show version\n"
	"  -h, --help      show this help\n";

/* kmod's words for the load errors users look up; EPERM says why when
 * the kernel has module loading switched off. */
static const char *load_strerror(int err)
{
	switch (err) {
	case EPERM:
		if (kernel_modules_disabled() == 1)
			return "Operation not permitted (module loading is disabled: /proc/sys/kernel/modules_disabled is 1)";
		return msg_strerror(err);
	case ENOEXEC:
		return "Invalid module format";
	case ENOENT:
		return "Unknown symbol in module";
	case ESRCH:
		return "Module has wrong symbol version";
	case EINVAL:
		return "Invalid parameters";
	default:
		return msg_strerror(err);
	}
}

/* -v: what the loader does. */
static void trace(const struct modfile *mf, enum modload_step step, int arg)
{
	switch (step) {
	case MODLOAD_FINIT:
		msg_info("finit_module %s flags 0x%x", mf->path, (unsigned)arg);
		break;
	case MODLOAD_RETRY:
		msg_info("finit_module: %s; retrying with init_module", msg_strerror(-arg));
		break;
	case MODLOAD_INIT:
		msg_info("init_module %s (%zu bytes, %s)", mf->path, mf->size, modcomp_name(mf->comp));
		break;
	}
}

static int insert(struct modfile *mf, const char *params, unsigned flags)
{
	bool file_err;
	int err = modload_insert(mf, params, flags, trace, &file_err);

	if (err < 0 && file_err)
		msg_err("could not load module %s: %s", mf->path, modfile_strerror(mf, err));
	else if (err < 0)
		msg_err("could not insert module %s: %s", mf->path, load_strerror(-err));
	return err;
}

int insmod_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		MSG_LONGOPTS_END(4),
	};
	unsigned flags = 0;
	struct modfile mf;
	char *params;
	int c, r, err;

	runheap_start();   /* one thread: small blocks from the run heap */
	/* -p (print errors) is accepted and ignored, as kmod does. */
	while ((c = msg_getopt(argc, argv, "+fpsvVh", longopts)) != -1) {
		switch (c) {
		case 'f':
			flags |= KERNEL_LOAD_IGNORE_MODVERSIONS | KERNEL_LOAD_IGNORE_VERMAGIC;
			break;
		case 'p':
			break;
		default:
			r = msg_option(c, usage);
			if (r != MSG_OPTION_CONTINUE)
				return r;
		}
	}
	if (optind >= argc) {
		msg_err("missing filename.");
		return EXIT_FAILURE;
	}
	params = modparams_join(argc - optind - 1, argv + optind + 1);
	if (params == NULL) {
		msg_err("out of memory");
		return EXIT_FAILURE;
	}
	err = modfile_open(&mf, argv[optind]);
	if (err < 0) {
		msg_err("could not load module %s: %s", argv[optind], modfile_strerror(&mf, err));
		free(params);
		return EXIT_FAILURE;
	}
	err = insert(&mf, params, flags);
	modfile_close(&mf);
	free(params);
	return err < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
