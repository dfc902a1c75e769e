// SPDX-License-Identifier: GPL-2.0-or-later
/* modprobe.d, modules.softdep/weakdep and kernel command line parsing. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confdir.h"
#include "confline.h"
#include "glob_match.h"
#include "kernel.h"
#include "modconf.h"
#include "modindex.h"
#include "modname.h"
#include "msg.h"
#include "xarray.h"

static const char *const default_dirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
	"/usr/lib/modprobe.d", "/lib/modprobe.d",
};

/* key and value are in a text c keeps: stored as they are. */
static int add(struct modconf *c, enum modconf_kind kind, char *key, char *value)
{
	struct modconf_entry *e = xarray_grow(&c->v[kind], c->n[kind], 1, sizeof(*e));

	if (e == NULL)
		return -ENOMEM;
	e->key = key;
	e->value = value;
	e->pattern = strpbrk(key, "*?[\\") != NULL;
	c->n[kind]++;
	return 0;
}

/* A text whose lines become entries: c frees it (it frees text now when
 * it cannot keep it, and says -ENOMEM). */
static int keep_text(struct modconf *c, char *text)
{
	char **slot = xarray_grow(&c->texts, c->ntexts, 1, sizeof(*slot));

	if (slot == NULL) {
		free(text);
		return -ENOMEM;
	}
	*slot = text;
	c->ntexts++;
	return 0;
}

void modconf_free(struct modconf *c)
{
	for (int k = 0; k < MC_NKINDS; k++)
		free(c->v[k]);
	for (size_t i = 0; i < c->ntexts; i++)
		free(c->texts[i]);
	free(c->texts);
	memset(c, 0, sizeof(*c));
}

/* kmod's words, with the file and line in front. */
static void bad_line(const char *name, unsigned line, const char *cmd)
{
	msg_warn("%s:%u: ignoring bad line starting with '%s'", name, line, cmd);
}

/* A module name for a key: '-' as '_', no '/'. */
static bool module_word(char *w)
{
	return w != NULL && modname_alias(w, w, SIZE_MAX, false) == 0 && strchr(w, '/') == NULL && strlen(w) < MODNAME_MAX;
}

/* "pre: a b post: c" (softdep: words before pre:/post: are ignored, as
 * kmod ignores them) or "a b" (weakdep, possibly none): words checked,
 * kept as text, rewritten in place from rest on (the list is never longer
 * than the words it came from, with their blanks); at most max bytes. */
static int dep_words(char *rest, bool softdep, size_t max)
{
	char *buf = rest;
	size_t len = 0;
	bool section = !softdep;
	char *w;

	/* kmod 34.2 keeps one blank that starts the list as part of the first
	 * weakdep word ("weakdep a  b" is shown with two spaces). */
	if (!softdep && (rest[0] == ' ' || rest[0] == '\t') && rest[1] != ' ' && rest[1] != '\t' &&
	    rest[1] != '\0') {
		len++;
		rest++;
	}
	while ((w = confline_word(&rest)) != NULL) {
		size_t n = strlen(w);

		if (softdep && (strcmp(w, "pre:") == 0 || strcmp(w, "post:") == 0))
			section = true;
		else if (!section)
			continue;
		else if (strchr(w, '/') != NULL || n >= MODNAME_MAX)
			return -EINVAL;   /* kept as written: they are looked up */
		if (len + n + 2 >= max)
			return -EINVAL;
		if (len && buf[len - 1] != ' ' && buf[len - 1] != '\t')
			buf[len++] = ' ';
		memmove(buf + len, w, n);
		len += n;
	}
	buf[len] = '\0';
	return 0;
}

/*
 * The directives, a row each: the keyword, the kind of entry it makes and
 * its parser. A parser gets the word after the keyword (arg, NULL when
 * none) and the rest of the line as kmod keeps it (after the one blank
 * that ends arg); it returns 0, -EINVAL for a bad line (reported by the
 * caller) or -ENOMEM.
 */
typedef int directive_fn(struct modconf *c, enum modconf_kind kind, char *arg, char *rest);

/* alias PATTERN MODULE */
static int parse_alias(struct modconf *c, enum modconf_kind kind, char *arg, char *rest)
{
	char *mod = confline_word(&rest);

	if (arg == NULL || mod == NULL || modname_alias(arg, arg, SIZE_MAX, false) < 0 || !module_word(mod))
		return -EINVAL;
	return add(c, kind, arg, mod);
}

/* options/install/remove MODULE TEXT... */
static int parse_text(struct modconf *c, enum modconf_kind kind, char *arg, char *rest)
{
	if (!module_word(arg) || *confline_skip_blanks(rest) == '\0')
		return -EINVAL;
	return add(c, kind, arg, rest);
}

/* blacklist MODULE */
static int parse_blacklist(struct modconf *c, enum modconf_kind kind, char *arg, char *rest)
{
	(void)rest;
	return module_word(arg) ? add(c, kind, arg, NULL) : -EINVAL;
}

/* softdep MODULE pre: ... post: ... / weakdep MODULE ... */
static int parse_deps(struct modconf *c, enum modconf_kind kind, char *arg, char *rest)
{
	/* Nothing after the blank that ends the name is a bad line (kmod
	 * 34.2 and 30); a blank more is an empty list. */
	if (!module_word(arg) || *rest == '\0' || dep_words(rest, kind == MC_SOFTDEP, 4096) < 0)
		return -EINVAL;
	return add(c, kind, arg, rest);
}

static const struct directive {
	const char *keyword;
	enum modconf_kind kind;
	directive_fn *parse;   /* NULL: depmod.d's, which may share a folder: not ours */
} directives[] = {
	{ "alias", MC_ALIAS, parse_alias },
	{ "options", MC_OPTIONS, parse_text },
	{ "install", MC_INSTALL, parse_text },
	{ "remove", MC_REMOVE, parse_text },
	{ "blacklist", MC_BLACKLIST, parse_blacklist },
	{ "softdep", MC_SOFTDEP, parse_deps },
	{ "weakdep", MC_WEAKDEP, parse_deps },
	{ "include", MC_NKINDS, NULL },
	{ "search", MC_NKINDS, NULL },
	{ "override", MC_NKINDS, NULL },
	{ "external", MC_NKINDS, NULL },
	{ "exclude", MC_NKINDS, NULL },
	{ "make_map_files", MC_NKINDS, NULL },
};

static int parse_line(struct modconf *c, const char *name, unsigned ln, char *line)
{
	char *p = line, *cmd = confline_word(&p), *arg;

	if (cmd == NULL || cmd[0] == '#')
		return 0;
	arg = confline_word(&p);
	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
		const struct directive *d = &directives[i];
		int err;

		if (strcmp(cmd, d->keyword) != 0)
			continue;
		if (d->parse == NULL)
			return 0;
		err = d->parse(c, d->kind, arg, p);
		if (err != -EINVAL)
			return err;
		break;
	}
	bad_line(name, ln, cmd);
	return 0;
}

static int parse_lines(struct modconf *c, struct confline *r)
{
	char *line;

	while ((line = confline_next(r)) != NULL) {
		int err = parse_line(c, r->name, r->lineno, line);

		if (err < 0)
			return err;
	}
	return 0;
}

int modconf_parse(struct modconf *c, const char *name, const char *text, size_t len)
{
	struct confline r;
	char *copy = malloc(len + 1);
	int err;

	if (copy == NULL || (err = keep_text(c, copy)) < 0)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	confline_init(&r, name, copy, len);
	return parse_lines(c, &r);
}

/* ---- the kernel command line -------------------------------------------- */

/* One MOD.PARAM[=VALUE] found: modprobe.blacklist=a,b,... lists names kept as
 * written (empty ones too, no '-' to '_'), as kmod keeps them; any other
 * module gets an option, its name normalised as a configuration's. */
static int cmdline_option(struct modconf *c, char *mod, char *param, char *value)
{
	if (strcmp(mod, "modprobe") == 0 && strncmp(param, "blacklist=", 10) == 0) {
		for (char *m; (m = strsep(&value, ",")) != NULL;) {
			int err = add(c, MC_BLACKLIST, m, NULL);

			if (err < 0)
				return err;
		}
		return 0;
	}
	if (modname_alias(mod, mod, SIZE_MAX, false) < 0) {
		msg_err("Ignoring bad option on kernel command line while parsing module name: '%s'", mod);
		return 0;
	}
	return add(c, MC_OPTIONS, mod, param);
}

/*
 * kmod 34's reading of the line, one state per part of a MOD.PARAM[=VALUE]
 * word. White space ends a word outside double quotes; a NUL ends the line.
 * Quotes may open the word ("mod.p=a b", the way boot loaders pass dyndbg)
 * or sit in the value (mod.p="a b"); a quote anywhere else, a second '.'
 * before the '=', an '=' before the '.', or an unterminated quote drop the
 * word. A word that opened with a quote gets it back in front of its value
 * (p="a b"), so the kernel's parser reads one parameter again.
 */
enum cmdline_state { CL_MOD, CL_PARAM, CL_VALUE, CL_IGNORE };

int modconf_parse_cmdline(struct modconf *c, const char *cmdline)
{
	char *copy = strdup(cmdline), *p, *mod, *param = NULL, *value = NULL;
	enum cmdline_state state = CL_MOD;
	bool quoted = false, opened = false;
	int err = 0;

	if (copy == NULL || keep_text(c, copy) < 0)
		return -ENOMEM;
	for (p = mod = copy; err == 0; p++) {
		char ch = *p;

		if (ch == '"') {
			quoted = !quoted;
			if (quoted && state == CL_MOD && p == mod) {
				opened = true;
				mod = p + 1;
			} else if (state != CL_VALUE) {
				state = CL_IGNORE;
			}
		} else if (ch == '\0' || isspace((unsigned char)ch)) {
			if (quoted) {
				if (state != CL_VALUE)
					state = CL_IGNORE;
			} else {
				/* What follows "--" is for init, not for the kernel. */
				if (state == CL_MOD && !opened && p - mod == 2 && strncmp(mod, "--", 2) == 0)
					break;
				if (state == CL_PARAM || state == CL_VALUE) {
					*p = '\0';
					if (opened && value != NULL) {
						/* "mod.p=v w" -> mod p="v w" */
						memmove(mod - 1, mod, (size_t)(value - mod));
						mod--;
						param--;
						*--value = '"';
					}
					err = cmdline_option(c, mod, param, value);
				}
				mod = p + 1;
				param = value = NULL;
				opened = false;
				state = CL_MOD;
			}
			if (ch == '\0')
				break;
		} else if (ch == '.') {
			if (state == CL_MOD) {
				*p = '\0';
				param = p + 1;
				state = CL_PARAM;
			} else if (state == CL_PARAM) {
				state = CL_IGNORE;
			}
		} else if (ch == '=') {
			if (state == CL_PARAM) {
				value = p + 1;
				state = CL_VALUE;
			} else if (state == CL_MOD) {
				state = CL_IGNORE;
			}
		}
	}
	return err;
}

/* ---- loading ------------------------------------------------------------ */

/* modprobe's words for what a folder holds besides its files: kmod's
 * "not a regular file" for a folder, a FIFO, a dangling link or a name too
 * long (cut at PATH_MAX, as it always was); other names in silence. */
static void conf_note(void *arg, enum confdir_note what, const char *dir, const char *name, int err)
{
	char path[PATH_MAX];

	(void)arg;
	if (what == CONFDIR_FOLDER) {
		msg_warn("could not read %s: %s", dir, msg_strerror(-err));
	} else if (what != CONFDIR_NOT_CONF) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		msg_warn("ignoring %s: not a regular file", path);
	}
}

static int load_file(struct modconf *c, const char *path, bool must_exist)
{
	struct confline r;
	const char *why;
	int err = confline_open(&r, path, &why);

	if (err < 0) {
		if (err != -ENOENT || must_exist)
			msg_warn("could not read %s: %s", path, why);
		return 0;
	}
	if (r.p == r.end) {
		/* Nothing to keep (an empty file's buffer is the 64 KiB a
		 * file of unknown size starts with). */
		confline_close(&r);
		return 0;
	}
	/* The entries point into the text: c keeps it. */
	err = keep_text(c, r.text);
	r.text = NULL;
	return err < 0 ? err : parse_lines(c, &r);
}

int modconf_load(struct modconf *c, const struct modctx *ctx, const char *const *dirs, size_t ndirs,
		 bool kernel_cmdline)
{
	struct confdir files = { .flags = CONFDIR_REGULAR, .note = conf_note };
	int err;

	memset(c, 0, sizeof(*c));
	if (dirs == NULL) {
		dirs = default_dirs;
		ndirs = sizeof(default_dirs) / sizeof(default_dirs[0]);
	}
	err = confdir_scan(&files, dirs, ndirs);
	/* The module folder's soft and weak dependencies join the sorted list
	 * under their own names, as kmod merges them. */
	if (err == 0)
		err = confdir_add(&files, ctx->moddir, modindex_files[MODINDEX_SOFTDEP]);
	if (err == 0)
		err = confdir_add(&files, ctx->moddir, modindex_files[MODINDEX_WEAKDEP]);
	for (size_t i = 0; i < files.n && err == 0; i++)
		err = load_file(c, files.v[i].path, false);
	confdir_free(&files);
	if (err == 0 && kernel_cmdline) {
		char *cmdline = NULL;

		if (kernel_cmdline_read(&cmdline) == 0)
			err = modconf_parse_cmdline(c, cmdline);
		free(cmdline);
	}
	return err;
}

/* A module name as the keys hold names: '-' as '_', and nothing cut: a
 * name cut at its last '/' or first '.' (a path's rule) would let an alias
 * or any argument that ends in a module's name take that module's entries. */
static int key_name(const char *module, char name[MODNAME_MAX])
{
	size_t i;

	for (i = 0; module[i] != '\0'; i++) {
		if (i >= MODNAME_MAX - 1)
			return -ENAMETOOLONG;
		name[i] = module[i] == '-' ? '_' : module[i];
	}
	name[i] = '\0';
	return i == 0 ? -EINVAL : 0;
}

const struct modconf_entry *modconf_find(const struct modconf *c, enum modconf_kind kind,
					 const char *module, const struct modconf_entry *after)
{
	size_t i = after ? (size_t)(after - c->v[kind]) + 1 : 0;
	char name[MODNAME_MAX];

	if (key_name(module, name) < 0)
		return NULL;
	for (; i < c->n[kind]; i++) {
		const char *k = c->v[kind][i].key;

		/* Blacklist names are names, kept as written (the kernel
		 * command line's are shown so) but "snd-foo" still blocks
		 * snd_foo, where kmod 34.2 compares the text; the others may be
		 * patterns (most are plain names: strcmp spares glob_match, and
		 * the first letter most strcmp calls: a batch asks per module). */
		if (kind == MC_BLACKLIST ? modname_equal(k, name)
		    : !c->v[kind][i].pattern ? k[0] == name[0] && strcmp(k, name) == 0 : glob_match(k, name))
			return &c->v[kind][i];
	}
	return NULL;
}

const struct modconf_entry *modconf_find_key(const struct modconf *c, enum modconf_kind kind,
					     const char *key)
{
	for (size_t i = 0; i < c->n[kind]; i++)
		if (strcmp(c->v[kind][i].key, key) == 0)
			return &c->v[kind][i];
	return NULL;
}

char *modconf_options(const struct modconf *c, const char *module)
{
	size_t len = 0;
	char *out = NULL;

	/* Each entry followed by a space, as kmod joins them. */
	for (const struct modconf_entry *e = NULL; (e = modconf_find(c, MC_OPTIONS, module, e));) {
		size_t n = strlen(e->value);
		char *p = realloc(out, len + n + 2);

		if (p == NULL) {
			free(out);
			return NULL;
		}
		out = p;
		memcpy(out + len, e->value, n);
		len += n;
		out[len++] = ' ';
		out[len] = '\0';
	}
	return out;
}

bool modconf_blacklisted(const struct modconf *c, const char *module)
{
	return modconf_find(c, MC_BLACKLIST, module, NULL) != NULL;
}

int modconf_each(const struct modconf *c, modconf_entry_fn *cb, void *arg)
{
	static const struct { enum modconf_kind k; const char *keyword; } order[] = {
		{ MC_BLACKLIST, "blacklist" }, { MC_INSTALL, "install" }, { MC_REMOVE, "remove" },
		{ MC_ALIAS, "alias" }, { MC_OPTIONS, "options" }, { MC_SOFTDEP, "softdep" },
		{ MC_WEAKDEP, "weakdep" },
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		for (size_t j = 0; j < c->n[order[i].k]; j++) {
			int r = cb(order[i].keyword, &c->v[order[i].k][j], arg);

			if (r != 0)
				return r;
		}
	}
	return 0;
}
