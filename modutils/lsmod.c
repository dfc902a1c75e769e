// SPDX-License-Identifier: GPL-2.0-or-later
/* lsmod: list loaded modules in kmod's format. */
//config:config LSMOD
//config:	bool "lsmod"
//config:	default y
//config:	help
//config:	  List loaded modules from /proc/modules and /sys/module,
//config:	  in kmod's exact format.
//applet:APPLET(lsmod)

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libbb.h"
#include "runheap.h"

static const char usage[] =
	"[-Vh]\n"
	"Show the loaded modules: name, size, use count and users.\n"
	"  -V, --version   show version\n"
	"  -h, --help      show this help\n";

static const char header[] = "Module                  Size  Used by";

static int print_module(const struct proc_module *m, void *arg)
{
	struct name_list holders;
	bool *header_done = arg;
	long size = kernel_module_coresize(m->name);
	int refcnt = kernel_module_refcnt(m->name);
	int first = 1;

	/* The header waits for a readable /proc/modules. */
	if (!*header_done) {
		puts(header);
		*header_done = true;
	}
	/* Gone from /sys/module since /proc/modules was read: unloaded while
	 * we listed. kmod would print garbage counts; skip it. */
	if (kernel_module_state(m->name) < 0)
		return 0;
	/* Older kernels lack coresize; /proc/modules has the same number. */
	if (size < 0)
		size = (long)m->size;
	if (refcnt < 0)
		refcnt = m->refcnt < 0 ? 0 : (int)m->refcnt;
	printf("%-19s %8ld  %d", m->name, size, refcnt);
	if (kernel_module_holders(m->name, &holders) == 0) {
		for (const char *h = NULL; (h = name_list_next(&holders, h)) != NULL; first = 0)
			printf("%c%s", first ? ' ' : ',', h);
		name_list_free(&holders);
	}
	putchar('\n');
	return 0;
}

int lsmod_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		MSG_LONGOPTS_END(2),   /* --version --help */
	};
	bool header_done = false;
	int c, r, err;

	runheap_start();   /* one thread: small blocks from the run heap */
	while ((c = msg_getopt(argc, argv, "Vh", longopts)) != -1) {
		switch (c) {
		default:
			r = msg_option(c, usage);
			if (r != MSG_OPTION_CONTINUE)
				return r;
		}
	}
	if (optind < argc) {
		msg_err("unexpected argument '%s'", argv[optind]);
		return EXIT_FAILURE;
	}
	err = kernel_foreach_module(print_module, &header_done);
	if (err == 0 && !header_done)
		puts(header);
	if (err < 0) {
		msg_flush_stdout();
		msg_err("could not read %s: %s", kernel_proc_modules,
			err == -EBADMSG ? "malformed line" : msg_strerror(-err));
		return EXIT_FAILURE;
	}
	return msg_flush_stdout() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
