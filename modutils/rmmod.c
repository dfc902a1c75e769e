// SPDX-License-Identifier: GPL-2.0-or-later
/* rmmod: unload modules by name or file name. */
//config:config RMMOD
//config:	bool "rmmod"
//config:	default y
//config:	help
//config:	  Unload modules. Checks /sys/module first so that a module in
//config:	  use, built in or not loaded is reported clearly.
//applet:APPLET(rmmod)

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libbb.h"
#include "runheap.h"

static const char usage[] =
	"[-fsvVh] NAME|FILE...\n"
	"Unload modules from the kernel.\n"
	"  -f, --force     unload even when in use (needs CONFIG_MODULE_FORCE_UNLOAD;\n"
	"                  can crash the machine)\n"
	"  -s, --syslog    report errors to syslog instead of stderr\n"
	"  -v, --verbose   tell what is being done\n"
	"  -V, --version   show version\n"
	"  -h, --help      show this help\n";

/* An argument is a file when it exists as a regular file with a module
 * suffix; otherwise it is a module name. */
static bool is_module_file(const char *arg)
{
	struct stat st;

	return modname_has_module_suffix(arg) && stat(arg, &st) == 0 && S_ISREG(st.st_mode);
}

/* Say why the kernel would refuse, before asking it. 0 when removable. */
static int check_removable(const char *name)
{
	struct name_list holders;
	int state = kernel_module_state(name);
	int refcnt;

	if (state == KMOD_STATE_BUILTIN) {
		msg_err("Module %s is builtin.", name);
		return -ENOENT;
	}
	if (state < 0) {
		msg_err("Module %s is not currently loaded", name);
		return -ENOENT;
	}
	if (kernel_module_holders(name, &holders) == 0 && holders.count > 0) {
		char line[1024];
		size_t len = 0;

		for (const char *h = NULL; (h = name_list_next(&holders, h)) != NULL;) {
			int n = snprintf(line + len, sizeof(line) - len, " %s", h);

			if (n < 0 || (size_t)n >= sizeof(line) - len)
				break;
			len += (size_t)n;
		}
		name_list_free(&holders);
		msg_err("Module %s is in use by:%s", name, line);
		return -EBUSY;
	}
	refcnt = kernel_module_refcnt(name);
	if (refcnt > 0) {
		msg_err("Module %s is in use", name);
		return -EBUSY;
	}
	/* No refcnt: a kernel built without CONFIG_MODULE_UNLOAD. kmod stops
	 * there too (only -f goes on to ask the kernel). */
	if (refcnt == -ENOENT) {
		msg_err("Module unloading is not supported");
		return -ENOENT;
	}
	return 0;
}

static int remove_one(const char *arg, bool force)
{
	char name[MODNAME_MAX];
	int err = modname_normalize(arg, name);

	if (err < 0) {
		msg_err("could not use module %s: %s", arg, msg_strerror(-err));
		return err;
	}
	if (is_module_file(arg))
		msg_info("%s is a file: module %s", arg, name);
	if (!force) {
		err = check_removable(name);
		if (err < 0)
			return err;
	}
	msg_info("delete_module %s%s", name, force ? " (forced)" : "");
	err = kernel_unload(name, force);
	if (err < 0)
		msg_err("could not remove module %s: %s", arg, msg_strerror(-err));
	return err;
}

int rmmod_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		MSG_LONGOPTS_END(4),
	};
	bool force = false;
	int c, r, failed = 0;

	runheap_start();   /* one thread: small blocks from the run heap */
	while ((c = msg_getopt(argc, argv, "fsvVh", longopts)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		default:
			r = msg_option(c, usage);
			if (r != MSG_OPTION_CONTINUE)
				return r;
		}
	}
	if (optind >= argc) {
		msg_err("missing module name.");
		return EXIT_FAILURE;
	}
	/* Go on after a failure; the exit status says whether any failed. */
	for (int i = optind; i < argc; i++)
		if (remove_one(argv[i], force) < 0)
			failed++;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
