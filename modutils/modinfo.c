// SPDX-License-Identifier: GPL-2.0-or-later
/* modinfo: show what a module file says about itself. */
//config:config MODINFO
//config:	bool "modinfo"
//config:	default y
//config:	help
//config:	  Show the .modinfo fields, parameters and signature of module
//config:	  files (any ELF class and byte order, compressed or not), of
//config:	  modules found by name or alias, and of built-in modules.
//applet:APPLET(modinfo)

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libbb.h"
#include "modinfo.h"
#include "runheap.h"

static const char usage[] =
	"[-adlpn0m] [-F FIELD] [-k VERSION] [-b DIR] MODULE...\n"
	"Show information about modules: files, names, aliases or built-in modules.\n"
	"  -a, --author          only the author field\n"
	"  -d, --description     only the description field\n"
	"  -l, --license         only the license field\n"
	"  -p, --parameters      only the parameters (parm)\n"
	"  -n, --filename        only the file name\n"
	"  -F, --field FIELD     only FIELD (values without keys)\n"
	"  -0, --null            end each value with NUL instead of newline\n"
	"  -m, --modname         treat arguments as module names, not aliases or files\n"
	"  -k, --set-version V   look up modules of kernel V instead of the running one\n"
	"  -b, --basedir DIR     root folder holding lib/modules\n"
	"  -V, --version         show version\n"
	"  -h, --help            show this help\n";

struct opts {
	const char *field;  /* NULL: everything */
	char sep;           /* '\n', or '\0' with -0 */
	bool modname;
};

/* kmod lists parameters newest first: the reverse of first appearance. */
static void print_params(const struct modinfo_params *ps, const struct opts *o)
{
	for (size_t i = ps->n; i-- > 0;) {
		const struct modinfo_param *p = &ps->v[i];

		if (o->field == NULL)
			printf(o->sep ? "%-16s" : "%s=", o->sep ? "parm:" : "parm");
		/* kmod shows a type without description as "name:type" in the
		 * full listing, but "name: (type)" with -p / -F parm. */
		printf("%.*s:%.*s", (int)p->namelen, p->name, (int)p->desclen, p->desc ? p->desc : "");
		/* A parameter without parm= has a parmtype=. */
		if (p->type != NULL)
			printf(p->desc == NULL && o->field == NULL ? "%.*s" : " (%.*s)", (int)p->typelen, p->type);
		putchar(o->sep);
	}
}

/* A field: "key:" padded to 16 columns, or key=value with -0; with -F,
 * only the value of that field. */
static void print_field(void *arg, enum modinfo_event ev, const struct modinfo_field *f)
{
	const struct opts *o = arg;

	if (ev == MODINFO_BAD_PARAM) {
		msg_err("Found invalid \"%.*s=%.*s\": missing ':'", (int)f->keylen, f->key, (int)f->valuelen,
			f->value);
		return;
	}
	if (o->field != NULL) {
		if (modinfo_field_is(f, o->field))
			printf("%.*s%c", (int)f->valuelen, f->value, o->sep);
		return;
	}
	/* without printf's format parsing: this runs for every field of
	 * every module */
	fwrite(f->key, 1, f->keylen, stdout);
	if (o->sep == '\0') {
		putchar('=');
	} else {
		putchar(':');
		for (size_t i = f->keylen; i < 15; i++)
			putchar(' ');
	}
	fwrite(f->value, 1, f->valuelen, stdout);
	putchar(o->sep);
}

/* The fields in order, then the signature, then the parameters. */
static int show_records(struct modinfo_records *r, const struct opts *o, const struct modsig *sig)
{
	struct modinfo_params ps = { 0 };
	bool want_params = o->field == NULL || strcmp(o->field, "parm") == 0;
	int err = modinfo_walk(r, want_params ? &ps : NULL, print_field, (void *)o);

	if (err == 0 && sig != NULL && (o->field == NULL || strncmp(o->field, "sig", 3) == 0))
		err = modinfo_sig_fields(sig, print_field, (void *)o);
	if (err == 0 && want_params)
		print_params(&ps, o);
	modinfo_params_free(&ps);
	return err;
}

static void print_filename(const char *name, const struct opts *o)
{
	if (o->field != NULL)
		printf("%s%c", name, o->sep);
	else if (o->sep == '\0')
		printf("filename=%s%c", name, '\0');
	else
		printf("%-16s%s\n", "filename:", name);
}

static int show_file(const char *path, const char *shown, const struct opts *o)
{
	struct modinfo_file m;
	int err = modinfo_file_open(&m, path);

	if (m.sig_why != NULL)
		msg_warn("%s: %s", path, m.sig_why);
	/* a file that cannot be read gives its error and no partial output */
	if (err == 0 && (o->field == NULL || strcmp(o->field, "filename") == 0))
		print_filename(shown, o);
	if (err == 0 && (o->field == NULL || strcmp(o->field, "filename") != 0))
		err = show_records(&m.recs, o, m.sig);
	if (err < 0)
		msg_err("could not read module %s: %s", path, modinfo_file_strerror(&m, err));
	modinfo_file_close(&m);
	return err;
}

/* A built-in module: its name, "(builtin)" as file name, and the fields
 * of modules.builtin.modinfo. */
static int show_builtin(struct modlookup *lk, const char *name, const struct opts *o)
{
	struct modlookup_builtin_info bi;
	struct modinfo_records r;
	int err;

	if (o->field == NULL || strcmp(o->field, "name") == 0) {
		const struct modinfo_field f = { "name", 4, name, strlen(name) };

		print_field((void *)o, MODINFO_FIELD, &f);
	}
	if (o->field == NULL || strcmp(o->field, "filename") == 0)
		print_filename("(builtin)", o);
	if (o->field != NULL && (strcmp(o->field, "filename") == 0 || strcmp(o->field, "name") == 0))
		return 0;
	err = modlookup_builtin_modinfo(lk, name, &bi);
	if (err < 0) {
		msg_err("could not get modinfo from '%s': %s", name, modlookup_strerror(lk, err));
		return err;
	}
	modinfo_records_builtin(&r, &bi);
	err = show_records(&r, o, NULL);
	modlookup_builtin_info_free(&bi);
	return err;
}

static bool is_module_file(const char *arg)
{
	struct stat st;

	/* kmod needs a module suffix; a path with a '/' is also taken as a
	 * file, so ./x.bin works as users expect. */
	return (modname_has_module_suffix(arg) || strchr(arg, '/') != NULL) &&
	       stat(arg, &st) == 0 && S_ISREG(st.st_mode);
}

static int show_one(struct modlookup *lk, const char *arg, const struct opts *o)
{
	struct modlookup_result res;
	int err;

	if (!o->modname && is_module_file(arg)) {
		char abs[PATH_MAX];
		char cwd[PATH_MAX];

		/* File names are shown absolute, as kmod shows them. */
		if (arg[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL &&
		    snprintf(abs, sizeof(abs), "%s/%s", strcmp(cwd, "/") ? cwd : "", arg) < (int)sizeof(abs))
			return show_file(arg, abs, o);
		return show_file(arg, arg, o);
	}
	err = o->modname ? modlookup_name(lk, arg, &res) : modlookup_any(lk, arg, &res);
	if (err == -ENOENT || (err == 0 && res.count == 0)) {
		msg_err(o->modname ? "Module name %s not found." : "Module %s not found.", arg);
		modlookup_result_free(&res);
		return -ENOENT;
	}
	if (err < 0) {
		msg_err("could not look up %s: %s", arg, modlookup_strerror(lk, err));
		return err;
	}
	for (size_t i = 0; i < res.count && err == 0; i++) {
		const struct modlookup_module *m = &res.mods[i];

		if (m->builtin) {
			err = show_builtin(lk, m->name, o);
		} else if (m->path == NULL) {
			msg_err("Module %s not found.", m->name);
			err = -ENOENT;
		} else {
			char path[PATH_MAX];

			err = modlookup_module_path(lk, m, path, sizeof(path));
			if (err < 0)
				msg_err("could not use module %s: %s", m->name, msg_strerror(-err));
			else
				err = show_file(path, path, o);
		}
	}
	modlookup_result_free(&res);
	return err;
}

int modinfo_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "author", no_argument, NULL, 'a' },
		{ "description", no_argument, NULL, 'd' },
		{ "license", no_argument, NULL, 'l' },
		{ "parameters", no_argument, NULL, 'p' },
		{ "filename", no_argument, NULL, 'n' },
		{ "null", no_argument, NULL, '0' },
		{ "modname", no_argument, NULL, 'm' },
		{ "field", required_argument, NULL, 'F' },
		{ "set-version", required_argument, NULL, 'k' },
		{ "basedir", required_argument, NULL, 'b' },
		MSG_LONGOPTS_END(2),
	};
	struct opts o = { .sep = '\n' };
	const char *kver = NULL, *root = NULL;
	struct modctx ctx;
	struct modlookup lk;
	int c, r, failed = 0, err;

	runheap_start();   /* one thread: small blocks from the run heap */
	while ((c = msg_getopt(argc, argv, "adlpn0mF:k:b:Vh", longopts)) != -1) {
		switch (c) {
		/* The last of -a -d -l -p -n -F wins, as in kmod. */
		case 'a': o.field = "author"; break;
		case 'd': o.field = "description"; break;
		case 'l': o.field = "license"; break;
		case 'p': o.field = "parm"; break;
		case 'n': o.field = "filename"; break;
		case 'F': o.field = optarg; break;
		case '0': o.sep = '\0'; break;
		case 'm': o.modname = true; break;
		case 'k': kver = optarg; break;
		case 'b': root = optarg; break;
		default:
			r = msg_option(c, usage);
			if (r != MSG_OPTION_CONTINUE)
				return r;
		}
	}
	if (optind >= argc) {
		msg_err("missing module or filename.");
		return EXIT_FAILURE;
	}
	err = modctx_init(&ctx, root, kver);
	if (err < 0) {
		msg_err("bad module folder (-b %s, -k %s): %s", root ? root : "", kver ? kver : "",
			msg_strerror(-err));
		return EXIT_FAILURE;
	}
	modlookup_init(&lk, &ctx);
	for (int i = optind; i < argc; i++)
		if (show_one(&lk, argv[i], &o) < 0)
			failed = 1;
	modlookup_close(&lk);
	if (msg_flush_stdout() < 0)
		failed = 1;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
