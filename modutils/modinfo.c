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
#include "modelf.h"
#include "modsig.h"
#include "modlookup.h"
#include "xarray.h"

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

/* One parameter, merged from its parm= and parmtype= records. */
struct param {
	const char *name;
	size_t namelen;
	const char *desc;   /* NULL when there is no parm= record */
	size_t desclen;
	const char *type;   /* NULL when there is no parmtype= record */
	size_t typelen;
};

struct params {
	struct param *v;    /* an xarray */
	size_t n;
};

static int param_add(struct params *ps, const char *key, const char *value)
{
	const char *colon = strchr(value, ':');
	size_t namelen;
	struct param *p = NULL;

	if (colon == NULL) {
		msg_err("Found invalid \"%s=%s\": missing ':'", key, value);
		return 0;
	}
	namelen = (size_t)(colon - value);
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].namelen == namelen && memcmp(ps->v[i].name, value, namelen) == 0)
			p = &ps->v[i];
	if (p == NULL) {
		p = xarray_grow(&ps->v, ps->n, 1, sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		ps->n++;
		memset(p, 0, sizeof(*p));
		p->name = value;
		p->namelen = namelen;
	}
	if (strcmp(key, "parm") == 0) {
		p->desc = colon + 1;
		p->desclen = strlen(colon + 1);
	} else {
		p->type = colon + 1;
		p->typelen = strlen(colon + 1);
	}
	return 0;
}

/* kmod lists parameters newest first: the reverse of first appearance. */
static void print_params(const struct params *ps, const struct opts *o)
{
	for (size_t i = ps->n; i-- > 0;) {
		const struct param *p = &ps->v[i];

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

/* "key:" padded to 16 columns, or key=value with -0. */
static void print_field(const char *key, size_t keylen, const char *value, size_t valuelen,
			const struct opts *o)
{
	if (o->field != NULL) {
		if (strlen(o->field) == keylen && memcmp(o->field, key, keylen) == 0)
			printf("%.*s%c", (int)valuelen, value, o->sep);
		return;
	}
	/* "key:" padded to 16 columns, without printf's format parsing: this
	 * runs for every field of every module. */
	fwrite(key, 1, keylen, stdout);
	if (o->sep == '\0') {
		putchar('=');
	} else {
		putchar(':');
		for (size_t i = keylen; i < 15; i++)
			putchar(' ');
	}
	fwrite(value, 1, valuelen, stdout);
	putchar(o->sep);
}

static void print_cfield(const char *key, const char *value, const struct opts *o)
{
	print_field(key, strlen(key), value, strlen(value), o);
}

/* Hex bytes joined by ':'; with wrap, a new line of "\t\t" every 20 bytes,
 * as kmod shows signatures. A table, not sprintf: a 4 KiB signature is
 * the bulk of modinfo's work otherwise. */
static char *hex(const unsigned char *p, size_t len, bool wrap)
{
	static const char digits[] = "0123456789ABCDEF";
	char *out = malloc(len * 6 + 1), *q = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		*q++ = digits[p[i] >> 4];
		*q++ = digits[p[i] & 15];
		if (i + 1 < len) {
			*q++ = ':';
			if (wrap && (i + 1) % 20 == 0) {
				memcpy(q, "\n\t\t", 3);
				q += 3;
			}
		}
	}
	*q = '\0';
	return out;
}

static int print_signature(const struct modsig *sig, const struct opts *o)
{
	char *key = hex(sig->key_id, sig->key_id_len, false);
	char *val = hex(sig->sig, sig->sig_len, true);

	if (key == NULL || val == NULL) {
		free(key);
		free(val);
		return -ENOMEM;
	}
	print_cfield("sig_id", sig->id_type, o);
	print_field("signer", 6, (const char *)sig->signer, sig->signer_len, o);
	print_cfield("sig_key", key, o);
	print_cfield("sig_hashalgo", sig->hash_algo ? sig->hash_algo : "unknown", o);
	print_cfield("signature", val, o);
	free(key);
	free(val);
	return 0;
}

/* Everything modinfo shows of one record stream (a file's .modinfo or a
 * built-in module's modules.builtin.modinfo entries). */
struct record_iter {
	int (*next)(struct record_iter *it, const char **rec, size_t *len);
};

static int show_records(struct record_iter *it, const struct opts *o, const struct modsig *sig)
{
	struct params ps = { 0 };
	const char *rec;
	size_t len;
	int r, err = 0;
	bool want_params = o->field == NULL || strcmp(o->field, "parm") == 0;

	while ((r = it->next(it, &rec, &len)) > 0) {
		const char *eq = memchr(rec, '=', len);
		size_t keylen = eq ? (size_t)(eq - rec) : len;
		const char *value = eq ? eq + 1 : rec + len;

		if ((keylen == 4 && memcmp(rec, "parm", 4) == 0) ||
		    (keylen == 8 && memcmp(rec, "parmtype", 8) == 0)) {
			if (want_params) {
				char key[9];

				memcpy(key, rec, keylen);
				key[keylen] = '\0';
				err = param_add(&ps, key, value);
				if (err < 0)
					break;
			}
			continue;
		}
		print_field(rec, keylen, value, len - (size_t)(value - rec), o);
	}
	if (r < 0)
		err = r;
	if (err == 0 && sig != NULL && (o->field == NULL || strncmp(o->field, "sig", 3) == 0))
		err = print_signature(sig, o);
	if (err == 0 && want_params)
		print_params(&ps, o);
	free(ps.v);
	return err;
}

struct elf_iter {
	struct record_iter it;
	struct modelf *elf;
	struct modelf_section sec;
	size_t pos;
};

static int elf_next(struct record_iter *it, const char **rec, size_t *len)
{
	struct elf_iter *e = (struct elf_iter *)it;

	return modelf_modinfo_next(e->elf, &e->sec, &e->pos, rec, len);
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
	struct modfile mf;
	struct modelf elf;
	struct modsig sig;
	struct elf_iter it = { .it.next = elf_next, .elf = &elf };
	size_t modlen;
	const char *why;
	int err, signed_;

	err = modfile_open(&mf, path);
	if (err == 0)
		err = modfile_image(&mf);
	if (err < 0) {
		msg_err("could not read module %s: %s", path, modfile_strerror(&mf, err));
		modfile_close(&mf);
		return err;
	}
	signed_ = modsig_parse(mf.image, mf.size, &sig, &modlen, &why);
	if (signed_ < 0) {
		/* Show the fields anyway: only the signature is unreadable. */
		msg_warn("%s: %s", path, why);
		signed_ = 0;
	}
	err = modelf_open(&elf, mf.image, modlen);
	if (err == 0) {
		err = modelf_section(&elf, ".modinfo", &it.sec);
		if (err == -ENOENT) {
			/* No fields is not an error: kmod shows the file name only. */
			it.sec.data = NULL;
			it.sec.size = 0;
			err = 0;
		}
	}
	if (err == 0 && it.sec.data != NULL) {
		/* Every record must be whole before any is printed: a file
		 * that cannot be read gives its error and no partial output. */
		const char *rec;
		size_t len, pos = 0;
		int r;

		while ((r = modelf_modinfo_next(&elf, &it.sec, &pos, &rec, &len)) > 0)
			;
		err = r;
	}
	if (err == 0 && (o->field == NULL || strcmp(o->field, "filename") == 0))
		print_filename(shown, o);
	if (err == 0 && (o->field == NULL || strcmp(o->field, "filename") != 0))
		err = show_records(&it.it, o, signed_ ? &sig : NULL);
	if (err < 0)
		msg_err("could not read module %s: %s", path, modelf_strerror(&elf, err));
	modfile_close(&mf);
	return err;
}

struct builtin_iter {
	struct record_iter it;
	struct modlookup_builtin_info *bi;
	size_t i;
};

static int builtin_next(struct record_iter *it, const char **rec, size_t *len)
{
	struct builtin_iter *b = (struct builtin_iter *)it;

	if (b->i >= b->bi->count)
		return 0;
	*rec = b->bi->recs[b->i];
	*len = strlen(*rec);
	b->i++;
	return 1;
}

/* A built-in module: its name, "(builtin)" as file name, and the fields
 * of modules.builtin.modinfo. */
static int show_builtin(struct modlookup *lk, const char *name, const struct opts *o)
{
	struct modlookup_builtin_info bi;
	struct builtin_iter it = { .it.next = builtin_next, .bi = &bi };
	int err;

	if (o->field == NULL)
		print_cfield("name", name, o);
	else if (strcmp(o->field, "name") == 0)
		printf("%s%c", name, o->sep);
	if (o->field == NULL || strcmp(o->field, "filename") == 0)
		print_filename("(builtin)", o);
	if (o->field != NULL && (strcmp(o->field, "filename") == 0 || strcmp(o->field, "name") == 0))
		return 0;
	err = modlookup_builtin_modinfo(lk, name, &bi);
	if (err < 0) {
		msg_err("could not get modinfo from '%s': %s", name, modlookup_strerror(lk, err));
		return err;
	}
	err = show_records(&it.it, o, NULL);
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
				msg_err("could not use module %s: %s", m->name, strerror(-err));
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
			strerror(-err));
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
