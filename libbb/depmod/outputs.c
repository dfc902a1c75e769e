// SPDX-License-Identifier: GPL-2.0-or-later
/* The output files of depmod: one table, a row per file. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "depmod_int.h"
#include "modindex.h"
#include "modname.h"
#include "dirswap.h"
#include "modindex_write.h"
#include "wbuf.h"

/* One output file: text into w (NULL for the binary ones with -n), or a
 * binary index onto fd. */
struct out {
	struct dm *d;
	struct wbuf *w;
	int fd;
	bool dry;               /* -n: text to stdout, no binary index */
	struct modindex_writer idx;
};

static const char *mod_path(const struct mod *m)
{
	return m->relpath ? m->relpath : m->path;
}

static int index_add(struct out *o, const char *key, const char *value, uint32_t prio,
		     struct stab *dups, const char *what)
{
	int err;

	if (dups != NULL) {
		char *pair;
		struct sslot *s;

		if (asprintf(&pair, "%s %s", key, value) < 0)
			return -ENOMEM;
		s = stab_get(dups, pair, strlen(pair), false);
		if (s->key != NULL) {
			msg_warn("duplicate module %s:\n%s", what, pair);
			free(pair);
		} else if ((s = stab_get(dups, pair, strlen(pair), true)) == NULL) {
			free(pair);
			return -ENOMEM;
		}
	}
	err = modindex_writer_add(&o->idx, key, value, prio);
	if (err == -EINVAL) {
		msg_err("Module index: bad character in '%s': only 7-bit ASCII is supported", key);
		return 0;
	}
	return err;
}

static int write_index(struct out *o)
{
	int err = o->dry ? 0 : modindex_writer_write(&o->idx, o->fd);

	modindex_writer_free(&o->idx);
	return err;
}

/* modules.dep, and the lines of modules.dep.bin */
static int out_dep(struct out *o, struct out *bin)
{
	struct dm *d = o->d;
	uint32_t *deps = malloc((d->n ? d->n : 1) * sizeof(*deps));
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	if (deps == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < d->n && err == 0; i++) {
		const struct mod *m = d->array[i];
		size_t n = moddeps_closure(&d->g, (uint32_t)i, deps);
		size_t len = strlen(mod_path(m)) + 1;

		for (size_t k = 0; k < n; k++)
			len += 1 + strlen(mod_path(d->array[deps[k]]));
		if (len + 2 > cap) {
			char *p = realloc(line, len + 2);

			if (p == NULL) {
				err = -ENOMEM;
				break;
			}
			line = p;
			cap = len + 2;
		}
		len = (size_t)(stpcpy(stpcpy(line, mod_path(m)), ":") - line);
		for (size_t k = 0; k < n; k++) {
			const char *p = mod_path(d->array[deps[k]]);
			size_t pl = strlen(p);

			line[len++] = ' ';
			memcpy(line + len, p, pl);
			len += pl;
		}
		line[len] = '\0';
		if (!bin->dry)
			err = index_add(bin, m->name, line, m->idx, NULL, "deps");
		line[len++] = '\n';
		wput(o->w, line, len);
	}
	free(line);
	free(deps);
	return err;
}

/* kmod's alias key (modname_alias): false after saying why not. */
static bool alias_key(const char *alias, char *out, size_t size)
{
	int r = modname_alias(alias, out, size, false);

	if (r == -ENAMETOOLONG)
		msg_warn("alias too long, not indexed: %.64s...", alias);
	else if (r < 0)
		msg_warn("Unmatched bracket in %s", alias);
	return r == 0;
}

static int out_alias(struct out *o, struct out *bin)
{
	struct dm *d = o->d;
	struct stab dups = { 0 };
	int err = 0;

	wstr(o->w, "# Aliases extracted from modules themselves.\n");
	for (size_t i = 0; i < d->n && err == 0; i++) {
		const struct mod *m = d->array[i];
		const char *p = (const char *)d->info.v + m->info_off, *end = p + m->info_len;

		for (; p < end && err == 0; p += strlen(p) + 1) {
			char norm[PATH_MAX];

			if (p[0] != 'a')
				continue;
			wfmt(o->w, "alias %s %s\n", p + 1, m->name);
			if (bin->dry)
				continue;
			if (!alias_key(p + 1, norm, sizeof(norm)))
				continue;
			err = index_add(bin, norm, m->name, m->idx, d->warn_dups ? &dups : NULL, "alias");
		}
	}
	stab_free_keys(&dups);
	return err;
}

static int out_records(struct out *o, char type, const char *header, const char *word)
{
	struct dm *d = o->d;

	wstr(o->w, header);
	for (size_t i = 0; i < d->n; i++) {
		const struct mod *m = d->array[i];
		const char *p = (const char *)d->info.v + m->info_off, *end = p + m->info_len;

		for (; p < end; p += strlen(p) + 1)
			if (p[0] == type)
				wfmt(o->w, "%s %s %s\n", word, m->name, p + 1);
	}
	return 0;
}

/* qsort_r's order of symbol numbers (arg: the struct sym array). */
static int sym_order(const void *pa, const void *pb, void *arg)
{
	const struct sym *a = (const struct sym *)arg + *(const uint32_t *)pa;
	const struct sym *b = (const struct sym *)arg + *(const uint32_t *)pb;
	uint32_t ha = moddeps_kmod_hash(a->name, a->len) & 2047;
	uint32_t hb = moddeps_kmod_hash(b->name, b->len) & 2047;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int out_symbols(struct out *o, struct out *bin)
{
	struct dm *d = o->d;
	uint32_t *ids = malloc((d->syms.n ? d->syms.n : 1) * sizeof(*ids));
	struct stab dups = { 0 };
	size_t n = 0;
	int err = 0;

	if (ids == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < d->syms.n; i++)
		if (sym_at(d, (uint32_t)i)->defined && sym_at(d, (uint32_t)i)->owner >= 0)
			ids[n++] = (uint32_t)i;
	/* kmod's table order: its hash buckets, names sorted in each */
	qsort_r(ids, n, sizeof(*ids), sym_order, d->syms.v);
	wstr(o->w, "# Aliases for symbols, used by symbol_request().\n");
	for (size_t i = 0; i < n && err == 0; i++) {
		const struct sym *y = sym_at(d, ids[i]);
		const struct mod *owner = d->array[y->owner];

		wfmt(o->w, "alias symbol:%s %s\n", y->name, owner->name);
		if (!bin->dry) {
			char *key;

			if (asprintf(&key, "symbol:%s", y->name) < 0) {
				err = -ENOMEM;
				break;
			}
			err = index_add(bin, key, owner->name, owner->idx, d->warn_dups ? &dups : NULL,
					"syms");
			free(key);
		}
	}
	stab_free_keys(&dups);
	free(ids);
	return err;
}

static int out_builtin(struct out *o)
{
	char line[PATH_MAX], name[PATH_MAX];
	FILE *fp;
	int err = 0;

	if (o->dry)
		return 0;
	/* kmod leaves an empty file when there is no modules.builtin */
	fp = dm_open_in_dir(o->d, MODULES_BUILTIN, false);
	if (fp == NULL)
		return 0;
	modindex_writer_init(&o->idx);
	while (err == 0 && fgets(line, sizeof(line), fp) != NULL) {
		if (!isalpha((unsigned char)line[0])) {
			msg_err("Invalid modules.builtin line: %s", line);
			continue;
		}
		if (dm_path_modname(line, name, sizeof(name)) > 0)
			err = index_add(o, name, "", 0, NULL, NULL);
	}
	fclose(fp);
	return err < 0 ? err : write_index(o);
}

/* Read up to end (or NUL) from *pos into dst; the length when the stop was
 * end, else 0 (kmod's reader of modules.builtin.modinfo). */
static size_t read_to(const char *buf, size_t size, size_t *pos, char end, char *dst, size_t dsize)
{
	size_t i = 0;
	int c = EOF;

	while (*pos < size) {
		c = (unsigned char)buf[(*pos)++];
		if (c == end || c == '\0' || i >= dsize)
			break;
		dst[i++] = (char)c;
		c = EOF;
	}
	if (i == dsize)
		i--;
	return c == (unsigned char)end ? i : 0;
}

static int out_builtin_alias(struct out *o)
{
	char path[PATH_MAX];
	struct modfile mf;
	int err;
	size_t pos = 0;
	FILE *fp;

	if (o->dry)
		return 0;
	fp = dm_open_in_dir(o->d, MODULES_BUILTIN_MODINFO, false);
	if (fp == NULL)
		return 0;
	fclose(fp);
	if (modctx_modpath(&o->d->ctx, MODULES_BUILTIN_MODINFO, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	err = modfile_open(&mf, path);
	if (err == 0)
		err = modfile_image(&mf);
	if (err < 0) {
		modfile_close(&mf);
		return err;
	}
	modindex_writer_init(&o->idx);
	while (pos < mf.size && err == 0) {
		char name[PATH_MAX], key[PATH_MAX], value[PATH_MAX], norm[PATH_MAX];
		const char *buf = mf.image;
		size_t len = read_to(buf, mf.size, &pos, '.', name, sizeof(name) - 1);

		name[len] = '\0';
		if (len == 0)
			continue;
		len = read_to(buf, mf.size, &pos, '=', key, sizeof(key) - 1);
		key[len] = '\0';
		if (strcmp(key, "alias") != 0) {
			/* skip to the end of the record */
			while (pos < mf.size && buf[pos++] != '\0')
				;
			continue;
		}
		len = read_to(buf, mf.size, &pos, '\0', value, sizeof(value) - 1);
		value[len] = '\0';
		if (len == 0)
			continue;
		if (!alias_key(value, norm, sizeof(norm)))
			continue;
		err = index_add(o, norm, name, 0, NULL, NULL);
	}
	modfile_close(&mf);
	return err < 0 ? err : write_index(o);
}

/* What sscanf's %u takes: blanks, a sign, digits (wrapping as it does).
 * The end of the number, or NULL if there is none. */
const char *dm_scan_uint(const char *s, unsigned *v)
{
	bool neg;

	while (isspace((unsigned char)*s))
		s++;
	neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (!isdigit((unsigned char)*s))
		return NULL;
	for (*v = 0; isdigit((unsigned char)*s); s++)
		*v = *v * 10 + (unsigned)(*s - '0');
	if (neg)
		*v = 0u - *v;
	return s;
}

/* "PREFIX%u-%u" at s, as sscanf reads it (anything may follow). */
static bool major_minor(const char *s, const char *prefix, unsigned *ma, unsigned *mi)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0 || (s = dm_scan_uint(s + n, ma)) == NULL || *s != '-')
		return false;
	return dm_scan_uint(s + 1, mi) != NULL;
}

static int out_devname(struct out *o, struct out *bin)
{
	struct dm *d = o->d;
	bool empty = true;

	(void)bin;
	for (size_t i = 0; i < d->n; i++) {
		const struct mod *m = d->array[i];
		const char *p = (const char *)d->info.v + m->info_off, *end = p + m->info_len;
		const char *devname = NULL;
		char type = 0;
		unsigned major = 0, minor = 0, ma, mi;

		for (; p < end; p += strlen(p) + 1) {
			if (p[0] != 'a')
				continue;
			if (strncmp(p + 1, "devname:", 8) == 0) {
				devname = p + 9;
			} else if (major_minor(p + 1, "char-major-", &ma, &mi)) {
				type = 'c';
				major = ma;
				minor = mi;
			} else if (major_minor(p + 1, "block-major-", &ma, &mi)) {
				type = 'b';
				major = ma;
				minor = mi;
			}
			if (type != 0 && devname != NULL)
				break;
		}
		if (devname == NULL)
			continue;
		if (type == 0) {
			msg_err("Module '%s' has devname (%s) but lacks major and minor information. Ignoring.",
				m->name, devname);
			continue;
		}
		if (empty) {
			wstr(o->w, "# Device nodes to trigger on-demand module loading.\n");
			empty = false;
		}
		wfmt(o->w, "%s %s %c%u:%u\n", m->name, devname, type, major, minor);
	}
	return 0;
}

static int out_softdep(struct out *o, struct out *bin)
{
	(void)bin;
	return out_records(o, 's', "# Soft dependencies extracted from modules themselves.\n", "softdep");
}

static int out_weakdep(struct out *o, struct out *bin)
{
	(void)bin;
	return out_records(o, 'w', "# Weak dependencies extracted from modules themselves.\n", "weakdep");
}

/*
 * The output files, in the order they are written. A row has a text writer
 * (into o->w) or a binary index writer (onto o->fd; nothing with -n). A text
 * writer whose lines are also an index's keys fills that index, in the row
 * after it (bin), in the same pass; that row's writer is write_index. A new
 * file is a row and its writer.
 */
static const struct output {
	const char *name;
	int (*text)(struct out *o, struct out *bin);
	int (*index)(struct out *o);
} outputs[] = {
	{ MODULES_DEP, out_dep, NULL },
	{ MODULES_DEP MODINDEX_BIN_SUFFIX, NULL, write_index },
	{ MODULES_ALIAS, out_alias, NULL },
	{ MODULES_ALIAS MODINDEX_BIN_SUFFIX, NULL, write_index },
	{ MODULES_SOFTDEP, out_softdep, NULL },
	{ MODULES_WEAKDEP, out_weakdep, NULL },
	{ MODULES_SYMBOLS, out_symbols, NULL },
	{ MODULES_SYMBOLS MODINDEX_BIN_SUFFIX, NULL, write_index },
	{ MODULES_BUILTIN MODINDEX_BIN_SUFFIX, NULL, out_builtin },
	{ MODULES_BUILTIN_ALIAS MODINDEX_BIN_SUFFIX, NULL, out_builtin_alias },
	{ MODULES_DEVNAME, out_devname, NULL },
};

#define O_NFILES ARRAY_SIZE(outputs)
_Static_assert(ARRAY_SIZE(outputs) + 1 <= DIRSWAP_MAX_NAMES, "dirswap takes at most DIRSWAP_MAX_NAMES files");

size_t dm_output_count(void)
{
	return O_NFILES;
}

const char *dm_output_name(size_t i)
{
	return outputs[i].name;
}

/* Generate file i (outs[] starts zeroed: every index writer initialised). */
static int generate(struct out *outs, size_t i)
{
	struct out *o = &outs[i];

	if (outputs[i].text != NULL)
		return outputs[i].text(o, i + 1 < O_NFILES ? o + 1 : NULL);
	return outputs[i].index(o);
}

/* Write each file as a new temporary file of the set s, flushed to disk
 * (dirswap_abort removes them after a failure). With s NULL (-n), the text
 * files go to standard output instead. */
int dm_write_set(struct dm *d, struct dirswap *s)
{
	struct out outs[O_NFILES];
	struct wbuf *w = malloc(sizeof(*w));
	bool dry = s == NULL;
	int err = 0;

	if (w == NULL)
		return -ENOMEM;
	memset(outs, 0, sizeof(outs));
	wbuf_init(w, STDOUT_FILENO);
	if (dry)
		fflush(stdout);
	for (size_t i = 0; i < O_NFILES && err == 0; i++) {
		struct out *o = &outs[i];

		o->d = d;
		o->w = w;
		o->dry = dry;
		if (dry) {
			/* one write error is reported at the end */
			err = generate(outs, i);
			continue;
		}
		o->fd = dirswap_create(s, i);
		if (o->fd < 0) {
			err = o->fd;
			msg_err("could not create a new %s in %s: %s", outputs[i].name, s->path, msg_strerror(-err));
			break;
		}
		wbuf_init(w, o->fd);
		err = generate(outs, i);
		if (outputs[i].text != NULL) {
			wflush(w);
			if (err == 0)
				err = w->err;
		}
		if (err == 0 && fdatasync(o->fd) < 0)
			err = -errno;
		if (close(o->fd) < 0 && err == 0)
			err = -errno;
		o->fd = -1;
		if (err < 0)
			msg_err("could not write %s/%s: %s", s->path, outputs[i].name, msg_strerror(-err));
	}
	if (dry) {
		wflush(w);
		if (err == 0)
			err = w->err;
	} else if (err == 0 && d->cache != NULL) {
		/* the cache: file O_NFILES of the set (run.c) */
		int fd = dirswap_create(s, O_NFILES);

		if (fd < 0) {
			err = fd;
			msg_err("could not create a new %s in %s: %s", dm_cache_name, s->path, msg_strerror(-err));
		} else {
			wbuf_init(w, fd);
			err = dm_cache_write(d, w);
			if (err == 0 && fdatasync(fd) < 0)
				err = -errno;
			if (close(fd) < 0 && err == 0)
				err = -errno;
			if (err < 0)
				msg_err("could not write %s/%s: %s", s->path, dm_cache_name, msg_strerror(-err));
		}
	}
	/* What the generators kept for a later file, when one failed. */
	for (size_t i = 0; i < O_NFILES; i++)
		modindex_writer_free(&outs[i].idx);
	free(w);
	return err;
}

