// SPDX-License-Identifier: GPL-2.0-or-later
/* modprobe: load or remove modules with their dependencies, by name or alias. */
//config:config MODPROBE
//config:	bool "modprobe"
//config:	default y
//config:	help
//config:	  Load and remove modules with their dependencies, soft
//config:	  dependencies and modprobe.d configuration, by name, alias or
//config:	  symbol, from the binary indexes (or the text files).
//applet:APPLET(modprobe)

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "libbb.h"
#include "modconf.h"
#include "modelf.h"
#include "modfile.h"
#include "modlookup.h"
#include "modparams.h"
#include "probe.h"
#include "runheap.h"
#include "xarray.h"

static const char usage[] =
	"[-a] [-r] [-ibfnqsv] [-C DIR] [-d ROOT] [-S VERSION] MODULE [PARAM=VALUE]...\n"
	"       modprobe -c | -D MODULE | -R MODULE | --show-modversions FILE | --show-exports FILE\n"
	"Load (or with -r remove) modules with everything they need.\n"
	"A MODULE of /x.ko or ./x.ko loads that file (the module named by the file).\n"
	"  -a, --all              every argument is a module (- reads names from stdin)\n"
	"  -r, --remove           remove modules, then dependencies nobody else uses\n"
	"      --remove-holders   with -r: remove the modules that hold it first\n"
	"  -w, --wait MSEC        with -r: wait up to MSEC for the module to be unused\n"
	"      --first-time       fail if already loaded (or, with -r, not loaded)\n"
	"  -i, --ignore-install, --ignore-remove   ignore install/remove commands\n"
	"  -b, --use-blacklist    apply blacklist to every module resolved\n"
	"  -f, --force            --force-modversion and --force-vermagic; with -r, forced unload\n"
	"      --force-modversion, --force-vermagic\n"
	"  -R, --resolve-alias, --show-alias   print the module names an alias resolves to\n"
	"  -D, --show-depends     print what would be loaded (insmod/builtin/install)\n"
	"  -c, --showconfig       print the configuration and the indexes\n"
	"      --show-modversions FILE, --show-exports FILE\n"
	"  -n, --dry-run          do not load or remove, print with -v\n"
	"  -C, --config PATH      configuration folders or files instead of modprobe.d\n"
	"  -d, --dirname ROOT     root folder holding lib/modules\n"
	"  -S, --set-version V    kernel version instead of the running one\n"
	"  -q, --quiet            no messages (each later -v brings a kind back)\n"
	"  -s, --syslog, -v, --verbose, -V, --version, -h, --help\n";

enum {
	OPT_FORCE_VERMAGIC = 256, OPT_FORCE_MODVERSION, OPT_FIRST_TIME, OPT_SHOW_MODVERSIONS,
	OPT_REMOVE_HOLDERS, OPT_SHOW_EXPORTS,
};

struct modprobe {
	struct modconf conf;
	struct probe pr;
	struct probe_opts o;
	bool all, remove;
	int query;                 /* 'c', 'm' (--show-modversions), 'e' (--show-exports) */
	const char *root, *kver;
	const char **confs;        /* -C, an xarray */
	size_t nconfs;
	/* Set up by their own init functions, which write only what they
	 * use of their 12 KiB of paths (each page touched is a page fault, on
	 * every hotplug event). */
	struct modctx ctx;
	struct modlookup lk;
};

/* ---- what the probe says -------------------------------------------------- */

static void not_inserted(const struct probe_note *n)
{
	const char *why = msg_strerror(-n->err), *more = "";

	if (n->err == -EEXIST)
		why = "Module already in kernel";
	else if (n->err == -ENOENT)
		why = "Unknown symbol in module, or unknown parameter (see dmesg)";
	else if (n->err == -EPERM && kernel_modules_disabled() == 1)
		more = " (module loading is disabled: /proc/sys/kernel/modules_disabled is 1)";
	msg_err("could not insert '%s': %s%s", n->name, why, more);
}

/* "[WORD ]A[ B]\n" on stdout, by fputs: a -D batch prints thousands of
 * such lines, and musl's printf parsing them was a sixth of its work. */
static void put_line(const char *word, const char *a, const char *b)
{
	if (word != NULL) {
		fputs(word, stdout);
		putc(' ', stdout);
	}
	fputs(a, stdout);
	if (b != NULL) {
		putc(' ', stdout);
		fputs(b, stdout);
	}
	putc('\n', stdout);
}

/* Actions on stdout in kmod's words (trailing space included); errors; and
 * what stops one argument, kmod's FATAL, a WARNING when -a goes on. */
static void say(const struct probe_note *n, void *arg)
{
	const struct modprobe *mp = arg;
	void (*stop)(const char *fmt, ...) = mp->all ? msg_warn : msg_fatal;

	switch (n->kind) {
	case PROBE_INSMOD: put_line("insmod", n->path, n->text); break;
	case PROBE_INSTALL: put_line("install", n->path, n->text); break;
	case PROBE_BUILTIN: put_line("builtin", n->name, NULL); break;
	case PROBE_RMMOD: put_line("rmmod", n->name, NULL); break;
	case PROBE_REMOVE: put_line("remove", n->path, NULL); break;
	case PROBE_RESOLVED: put_line(NULL, n->name, NULL); break;
	case PROBE_ERROR:
	case PROBE_WHY: msg_err("%s", n->text); break;
	case PROBE_BAD_PATH: stop("Failed to get module from path %s: %s", n->name, msg_strerror(-n->err)); break;
	case PROBE_NOT_FOUND:
		if (n->path != NULL)
			stop("Module %s not found in directory %s", n->name, n->path);
		else
			stop("Module %s not found.", n->name);
		break;
	case PROBE_CMD_FAILED:
		msg_err("Error running %s command '%s' for module %s: retcode %d", n->text, n->path, n->name,
			n->err);
		break;
	case PROBE_OPEN_FAILED: msg_err("could not open %s: %s", n->path, n->text); break;
	case PROBE_LOAD_FAILED: msg_err("could not load %s: %s", n->path, n->text); break;
	case PROBE_NOT_INSERTED: not_inserted(n); break;
	case PROBE_IS_BUILTIN: stop("Module %s is builtin.", n->name); break;
	case PROBE_NOT_LOADED: stop("Module %s is not in kernel.", n->name); break;
	case PROBE_IN_USE: stop("Module %s is in use.", n->name); break;
	case PROBE_NOT_REMOVED: msg_err("could not remove '%s': %s", n->name, msg_strerror(-n->err)); break;
	}
}

/* ---- queries ------------------------------------------------------------ */

static int print_alias(const char *key, const char *value, uint32_t prio, void *arg)
{
	(void)prio;
	(void)arg;
	printf("alias %s %s\n", key, value);
	return 0;
}

/* Both are dumped even if the first is damaged; either fails the run. */
static int dump_aliases(struct modprobe *mp, enum modlookup_file f)
{
	int err = modlookup_dump(&mp->lk, f, print_alias, NULL);

	if (err < 0)
		msg_err("%s", modlookup_strerror(&mp->lk, err));
	return err;
}

/* Configuration entries in modprobe.d's own words. */
static int print_entry(const char *keyword, const struct modconf_entry *e, void *arg)
{
	(void)arg;
	printf(e->value ? "%s %s %s\n" : "%s %s\n", keyword, e->key, e->value);
	return 0;
}

static int show_config(struct modprobe *mp)
{
	int err;

	modconf_each(&mp->conf, print_entry, NULL);
	puts("\n# End of configuration files. Dumping indexes now:\n");
	fflush(stdout);
	err = dump_aliases(mp, ML_ALIAS);
	if (dump_aliases(mp, ML_SYMBOLS) < 0)
		err = -EBADMSG;
	return err;
}

static int print_version(uint64_t crc, const char *name, void *arg)
{
	(void)arg;
	printf("0x%08llx\t%s\n", (unsigned long long)crc, name);
	return 0;
}

static int print_export(const struct modelf_ksym *sym, void *arg)
{
	(void)arg;
	printf("0x%08llx\t%.*s\n", (unsigned long long)sym->crc, (int)sym->len, sym->name);
	return 0;
}

static int show_versions(const char *file, bool exports)
{
	struct modfile mf;
	struct modelf elf;
	int err = modfile_open(&mf, file);

	if (err == 0)
		err = modfile_image(&mf);
	if (err < 0) {
		msg_err("could not read module %s: %s", file, modfile_strerror(&mf, err));
		modfile_close(&mf);
		return err;
	}
	err = modelf_open(&elf, mf.image, mf.size);
	if (err == 0) {
		err = exports ? modelf_exports(&elf, print_export, NULL)
			      : modelf_versions(&elf, print_version, NULL);
		/* Nothing to show: kmod calls that an error too. */
		if (err == -ENOENT) {
			msg_fatal("could not get %s of %s: %s", exports ? "symbols" : "modversions", file,
				  msg_strerror(ENOENT));
			modfile_close(&mf);
			return err;
		}
	}
	if (err < 0)
		msg_err("could not read module %s: %s", file, modelf_strerror(&elf, err));
	modfile_close(&mf);
	return err;
}

/* ---- main --------------------------------------------------------------- */

/* MODPROBE_OPTIONS come before the command line's own arguments: a new
 * argv (or argv itself when there are none) whose words live in *words
 * (freed by the caller after the argv); NULL when out of memory. */
static char **with_env_options(int *argc, char **argv, char **words)
{
	const char *env = getenv("MODPROBE_OPTIONS");
	char *copy, *save = NULL, **out;
	int n = 0;

	*words = NULL;
	if (env == NULL || *env == '\0')
		return argv;
	copy = strdup(env);
	out = calloc((size_t)*argc + strlen(env) / 2 + 2, sizeof(*out));
	if (copy == NULL || out == NULL) {
		free(copy);
		free(out);
		return NULL;
	}
	*words = copy;
	out[n++] = argv[0];
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		out[n++] = w;
	for (int i = 1; i < *argc; i++)
		out[n++] = argv[i];
	*argc = n;
	return out;
}

/* Each -q, -v, -s and -C joins MODPROBE_OPTIONS as it is read, as kmod
 * passes them on to the modprobe an install or remove command runs. */
static int env_options_append(const char *opt, const char *arg)
{
	const char *old = getenv("MODPROBE_OPTIONS");
	char *v;
	int err = 0;

	if (asprintf(&v, "%s%s%s%s%s", old ? old : "", old ? " " : "", opt, arg ? " " : "", arg ? arg : "") < 0)
		return -ENOMEM;
	if (setenv("MODPROBE_OPTIONS", v, 1) < 0)
		err = -errno;
	free(v);
	return err;
}

/* MSG_OPTION_CONTINUE, or the exit status. */
static int parse_options(struct modprobe *mp, int argc, char **args)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "remove", no_argument, NULL, 'r' },
		{ "remove-dependencies", no_argument, NULL, OPT_REMOVE_HOLDERS },
		{ "remove-holders", no_argument, NULL, OPT_REMOVE_HOLDERS },
		{ "wait", required_argument, NULL, 'w' },
		{ "first-time", no_argument, NULL, OPT_FIRST_TIME },
		{ "ignore-install", no_argument, NULL, 'i' },
		{ "ignore-remove", no_argument, NULL, 'i' },
		{ "use-blacklist", no_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "force-modversion", no_argument, NULL, OPT_FORCE_MODVERSION },
		{ "force-vermagic", no_argument, NULL, OPT_FORCE_VERMAGIC },
		{ "resolve-alias", no_argument, NULL, 'R' },
		{ "show-alias", no_argument, NULL, 'R' },   /* kmod's newer spelling */
		{ "show-depends", no_argument, NULL, 'D' },
		{ "showconfig", no_argument, NULL, 'c' },
		{ "show-config", no_argument, NULL, 'c' },
		{ "show-modversions", no_argument, NULL, OPT_SHOW_MODVERSIONS },
		{ "dump-modversions", no_argument, NULL, OPT_SHOW_MODVERSIONS },
		{ "show-exports", no_argument, NULL, OPT_SHOW_EXPORTS },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "show", no_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'C' },
		{ "dirname", required_argument, NULL, 'd' },
		{ "set-version", required_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		MSG_LONGOPTS_END(4),
	};
	struct probe_opts *o = &mp->o;
	int c, r, err;

	while ((c = msg_getopt(argc, args, "arw:ibfRDcnC:d:S:sqvVh", longopts)) != -1) {
		switch (c) {
		case 'a': mp->all = true; break;
		case 'r': mp->remove = true; break;
		case OPT_REMOVE_HOLDERS: o->remove_holders = true; break;
		case 'w': {
			/* milliseconds, in any base strtoul reads, as kmod */
			char *end;
			unsigned long ms = strtoul(optarg, &end, 0);

			if (*end != '\0') {
				msg_usage_error("unexpected wait value '%s'.", optarg);
				return EXIT_FAILURE;
			}
			o->wait_ms = ms > LONG_MAX ? LONG_MAX : (long)ms;
			break;
		}
		case OPT_FIRST_TIME: o->first_time = true; break;
		case 'i': o->ignore_cmds = true; break;
		case 'b': o->use_blacklist = true; break;
		case 'f':
			/* loading: both checks off; removing: a forced unload */
			o->load_flags |= KERNEL_LOAD_IGNORE_MODVERSIONS | KERNEL_LOAD_IGNORE_VERMAGIC;
			o->force = true;
			break;
		case OPT_FORCE_MODVERSION: o->load_flags |= KERNEL_LOAD_IGNORE_MODVERSIONS; break;
		case OPT_FORCE_VERMAGIC: o->load_flags |= KERNEL_LOAD_IGNORE_VERMAGIC; break;
		case 'R': o->resolve_only = true; break;
		case 'D': o->ignore_loaded = o->dry_run = o->show = true; break;
		case 'c': mp->query = 'c'; break;
		case OPT_SHOW_MODVERSIONS: mp->query = 'm'; break;
		case OPT_SHOW_EXPORTS: mp->query = 'e'; break;
		case 'n': o->dry_run = true; break;
		case 'C': {
			const char **v = xarray_grow(&mp->confs, mp->nconfs, 1, sizeof(*v));

			if (v == NULL || (err = env_options_append("-C", optarg)) < 0) {
				msg_err("%s", msg_strerror(v == NULL ? ENOMEM : -err));
				return EXIT_FAILURE;
			}
			*v = optarg;
			mp->nconfs++;
			break;
		}
		case 'd': mp->root = optarg; break;
		case 'S': mp->kver = optarg; break;
		case 'q':
		case 'v':
		case 's':
			err = env_options_append(c == 'q' ? "-q" : c == 'v' ? "-v" : "-s", NULL);
			if (err < 0) {
				msg_err("%s", msg_strerror(-err));
				return EXIT_FAILURE;
			}
			if (c == 'q') {
				msg_quiet();
				break;
			}
			/* fall through */
		default:
			r = msg_option(c, usage);
			if (r != MSG_OPTION_CONTINUE)
				return r;
		}
	}
	return MSG_OPTION_CONTINUE;
}

/* Load or remove each argument (-a, -r), or one module with parameters. */
static int run(struct modprobe *mp, int argc, char **args)
{
	int err, ret = EXIT_SUCCESS;

	if (mp->query == 'c')
		return show_config(mp) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (optind >= argc) {
		msg_usage_error("missing parameters. See -h.");
		return EXIT_FAILURE;
	}
	if (mp->all || mp->remove) {
		for (int i = optind; i < argc; i++) {
			/* "-" with -a: names or modaliases from standard input */
			if (mp->all && strcmp(args[i], "-") == 0 && !mp->remove)
				err = probe_insert_lines(&mp->pr, stdin);
			else
				err = mp->remove ? probe_remove(&mp->pr, args[i]) : probe_insert(&mp->pr, args[i], NULL);
			if (err < 0)
				ret = EXIT_FAILURE;
			modlookup_release(&mp->lk);
		}
	} else {
		/* MODULE PARAM=VALUE...: the parameters, quoted as insmod does. */
		char *extra = modparams_join(argc - optind - 1, args + optind + 1);

		if (extra == NULL) {
			msg_err("%s", msg_strerror(ENOMEM));
			return EXIT_FAILURE;
		}
		if (probe_insert(&mp->pr, args[optind], extra) < 0)
			ret = EXIT_FAILURE;
		free(extra);
	}
	return ret;
}

int modprobe_main(int argc, char **argv)
{
	/* In bss, zeroed (modprobe_main runs once a process): 13 KiB of
	 * paths on the stack put every frame below them onto stack pages of
	 * their own (a page fault each). */
	static struct modprobe mp;
	char *env_words, **args;
	int err, ret;

	runheap_start();   /* one thread: small blocks from the run heap */
	args = with_env_options(&argc, argv, &env_words);
	if (args == NULL) {
		msg_err("%s", msg_strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	ret = parse_options(&mp, argc, args);
	if (ret != MSG_OPTION_CONTINUE)
		goto out;
	if (mp.all || mp.query == 'c')
		msg_buffer_stdout();   /* a batch, or the whole configuration */
	/* -q then -v is still quiet: the level decides, as kmod's (the
	 * kernel's request_module runs modprobe -q; the exit status tells). */
	if (msg_verbose() > 0)
		mp.o.show = true;
	mp.o.explain = msg_verbose() >= -1;   /* errors are shown */
	ret = EXIT_FAILURE;
	err = modctx_init(&mp.ctx, mp.root, mp.kver);
	if (err < 0) {
		msg_err("bad module folder (-d %s, -S %s): %s", mp.root ? mp.root : "", mp.kver ? mp.kver : "",
			msg_strerror(-err));
	} else if (mp.query == 'm' || mp.query == 'e') {
		if (optind >= argc)
			msg_usage_error("missing filename.");
		else
			ret = show_versions(args[optind], mp.query == 'e') < 0;
		if (optind < argc && msg_flush_stdout() < 0)
			ret = EXIT_FAILURE;
	} else if ((err = modconf_load(&mp.conf, &mp.ctx, mp.confs, mp.nconfs, true)) < 0) {
		msg_err("could not read the configuration: %s", msg_strerror(-err));
		modconf_free(&mp.conf);
	} else {
		modlookup_init(&mp.lk, &mp.ctx);
		mp.lk.conf = &mp.conf;
		probe_init(&mp.pr, &mp.lk, &mp.o, say, &mp);
		ret = run(&mp, argc, args);
		if (msg_flush_stdout() < 0)
			ret = EXIT_FAILURE;
		if (!FREE_AT_EXIT)
			return ret;
		probe_free(&mp.pr);
		modlookup_close(&mp.lk);
		modconf_free(&mp.conf);
	}
out:
	free(mp.confs);
	if (args != argv) {
		free(env_words);
		free(args);
	}
	return ret;
}
