// SPDX-License-Identifier: GPL-2.0-or-later
/* The symbol table: the kernel's symbols (-E, -F), each module's exports,
 * imports and .modinfo records, and the dependencies they give. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depmod_int.h"
#include "fileopen.h"
#include "modelf.h"

/* The symbol's number, added (undefined) when new; UINT32_MAX: no memory. */
static uint32_t sym_intern(struct dm *d, const char *name, size_t len)
{
	struct sslot *s = stab_get(&d->by_sym, name, len, false);
	struct sym *y;

	if (s->key != NULL)
		return s->val;
	y = vec_push(&d->syms, 1);
	if (y == NULL || (y->name = xarena_dup(&d->strings, name, len)) == NULL ||
	    (s = stab_get(&d->by_sym, y->name, len, true)) == NULL) {
		if (y)
			d->syms.n--;
		return UINT32_MAX;
	}
	y->len = (uint32_t)len;
	y->owner = -1;
	y->defined = false;
	y->crc = 0;
	s->val = (uint32_t)(d->syms.n - 1);
	return s->val;
}

/* Like kmod's table: a later definition replaces an earlier one. */
static int sym_define(struct dm *d, const char *name, size_t len, bool prefix_skipped,
		      uint64_t crc, int32_t owner)
{
	uint32_t id;
	struct sym *y;

	if (!prefix_skipped && len > 0 && d->sym_prefix != '\0' && name[0] == d->sym_prefix) {
		name++;
		len--;
	}
	id = sym_intern(d, name, len);
	if (id == UINT32_MAX)
		return -ENOMEM;
	y = sym_at(d, id);
	y->defined = true;
	y->owner = owner;
	y->crc = crc;
	return 0;
}

static void add_fake_syms(struct dm *d)
{
	struct sslot *s;

	/* __this_module is made by the module loader; s390 fakes the GOT,
	 * and .TOC. is the ppc64 ELFv2 one. */
	sym_define(d, "__this_module", 13, true, 0, -1);
	sym_define(d, "_GLOBAL_OFFSET_TABLE_", 21, true, 0, -1);
	s = stab_get(&d->by_sym, "TOC.", 4, false);
	if (s->key == NULL || !sym_at(d, s->val)->defined)
		sym_define(d, "TOC.", 4, true, 0, -1);
}

/* "0x12345678\tsymbol\tvmlinux\tEXPORT_SYMBOL..." */
static int symvers_line(struct dm *d, const char *file, unsigned lineno, char *line)
{
	char *save, *ver, *sym, *where, *end;
	uint64_t crc;

	ver = strtok_r(line, " \t", &save);
	sym = strtok_r(NULL, " \t", &save);
	where = strtok_r(NULL, " \t", &save);
	if (!ver || !sym || !where || strcmp(where, "vmlinux") != 0)
		return 0;
	crc = strtoull(ver, &end, 16);
	if (*end != '\0') {
		msg_err("%s:%u Invalid symbol version %s", file, lineno, ver);
		return 0;
	}
	return sym_define(d, sym, strlen(sym), false, crc, -1);
}

/* "c0294200 R __ksymtab_devfs_alloc_devnum" */
static int system_map_line(struct dm *d, const char *file, unsigned lineno, char *line)
{
	char *p = strchr(line, ' '), *end;

	if (p != NULL)
		p = strchr(p + 1, ' ');
	if (p == NULL) {
		msg_err("%s:%u: invalid line: %s", file, lineno, line);
		return 0;
	}
	p++;
	if (d->sym_prefix != '\0' && p[0] == d->sym_prefix)
		p++;
	if (strncmp(p, "__ksymtab_", 10) != 0)
		return 0;
	end = strchr(p, '\n');
	if (end != NULL)
		*end = '\0';
	return sym_define(d, p + 10, strlen(p + 10), true, 0, -1);
}

/* The kernel's own symbols (-E Module.symvers or -F System.map), a line at
 * a time. 0, -errno when the file cannot be opened, or -ENOMEM. */
static int load_kernel_syms(struct dm *d, const char *file,
			    int (*parse)(struct dm *d, const char *file, unsigned lineno, char *line))
{
	char line[10240];
	unsigned lineno = 0;
	FILE *fp = fopen_regular(file);
	int err = 0;

	if (fp == NULL)
		return -errno;
	while (err == 0 && fgets(line, sizeof(line), fp) != NULL)
		err = parse(d, file, ++lineno, line);
	fclose(fp);
	if (err == 0)
		add_fake_syms(d);
	return err;
}

int dm_load_kernel_syms(struct dm *d, const char *file, bool symvers)
{
	return load_kernel_syms(d, file, symvers ? symvers_line : system_map_line);
}

/* ---- reading the modules ------------------------------------------------ */

struct loadctx {
	struct dm *d;
	struct mod *m;
	int err;
};

static int on_export(const struct modelf_ksym *k, void *arg)
{
	struct loadctx *c = arg;

	dm_rec_fact(c->d, 'E', 0, false, k->crc, k->name, k->len);
	c->err = sym_define(c->d, k->name, k->len, false, k->crc, (int32_t)c->m->idx);
	return c->err;
}

static int add_import(struct dm *d, const char *name, size_t len, bool weak, uint64_t crc)
{
	uint32_t flags = weak ? IMP_WEAK : 0, id, *p;

	/* ppc64: .foo is foo */
	if (len > 0 && name[0] == '.') {
		name++;
		len--;
		flags |= IMP_DOT;
	}
	if (len > 0 && d->sym_prefix != '\0' && name[0] == d->sym_prefix) {
		name++;
		len--;
		flags |= IMP_PREFIX;
	}
	id = sym_intern(d, name, len);
	if (id == UINT32_MAX || id > IMP_ID || (p = vec_push(&d->imports, 1)) == NULL)
		return -ENOMEM;
	*p = id | flags;
	if (d->check_symvers) {
		uint64_t *c = vec_push(&d->crcs, 1);

		if (c == NULL)
			return -ENOMEM;
		*c = crc;
	}
	return 0;
}

static int on_import(const struct modelf_ksym *k, void *arg)
{
	struct loadctx *c = arg;

	dm_rec_fact(c->d, 'I', 0, k->weak, k->crc, k->name, k->len);
	c->err = add_import(c->d, k->name, k->len, k->weak, k->crc);
	return c->err;
}

static int add_info(struct dm *d, char type, const char *value, size_t len)
{
	char *p = vec_push(&d->info, len + 2);

	if (p == NULL)
		return -ENOMEM;
	p[0] = type;
	memcpy(p + 1, value, len);
	p[len + 1] = '\0';
	return 0;
}

/*
 * Whether a module failed because it could not be read (the run stops: a
 * set written without its symbols would be wrong), not because of what it
 * holds (named in a warning and indexed without them, as kmod does).
 */
static bool read_failed(int err)
{
	return err < 0 && err != -ENOEXEC && err != -EBADMSG && err != -EFBIG && err != -EPROTONOSUPPORT &&
	       err != -EISDIR;
}

int dm_load_module(struct dm *d, struct mod *m, struct modfile *file, int ferr,
		       struct modparts *mp)
{
	struct loadctx c = { .d = d, .m = m };
	struct modfile mf = *file;
	struct modelf elf;
	struct modelf_section sec;
	const char *why = NULL;
	int err = ferr;

	m->info_off = (uint32_t)d->info.n;
	m->imp_off = (uint32_t)d->imports.n;
	if (err < 0) {
		why = modfile_strerror(&mf, err);
	} else if (mf.parts != NULL) {
		if ((err = modelf_open_parts(&elf, mf.size, modfile_parts_fetch, mf.parts)) < 0)
			why = elf.why;
	} else if (mf.image == NULL) {
		modparts_reset(mp, mf.fd, mf.size);
		if ((err = modelf_open_parts(&elf, mf.size, modparts_fetch, mp)) < 0)
			why = elf.why;
	} else if ((err = modelf_open(&elf, mf.image, mf.size)) < 0) {
		why = elf.why;
	}
	if (read_failed(err))
		return err;
	if (err < 0) {
		why = why ? why : msg_strerror(-err);
		dm_rec_fact(d, 'W', 0, false, 0, why, strlen(why));
		msg_warn("failed to load symbols from %s: %s", m->path, why);
		return 0;
	}
	err = modelf_exports(&elf, on_export, &c);
	if (c.err < 0)
		return c.err;
	if (err != -ENOENT && read_failed(err))
		return err;
	if (err < 0 && err != -ENOENT) {
		why = elf.why ? elf.why : msg_strerror(-err);
		dm_rec_fact(d, 'W', 0, false, 0, why, strlen(why));
		msg_warn("failed to load symbols from %s: %s", m->path, why);
	}

	err = modelf_section(&elf, ".modinfo", &sec);
	if (err != -ENOENT && read_failed(err))
		return err;
	if (err == 0 && sec.data != NULL) {
		size_t pos = 0, len;
		const char *rec;

		while (modelf_modinfo_next(&elf, &sec, &pos, &rec, &len) > 0) {
			char type = 0;
			size_t skip = 0;

			if (len > 6 && memcmp(rec, "alias=", 6) == 0)
				type = 'a', skip = 6;
			else if (len > 8 && memcmp(rec, "softdep=", 8) == 0)
				type = 's', skip = 8;
			else if (len > 8 && memcmp(rec, "weakdep=", 8) == 0)
				type = 'w', skip = 8;
			if (type == 0)
				continue;
			dm_rec_fact(d, 'A', type, false, 0, rec + skip, len - skip);
			if (add_info(d, type, rec + skip, len - skip) < 0)
				return -ENOMEM;
		}
	}
	m->info_len = (uint32_t)(d->info.n - m->info_off);

	err = modelf_imports(&elf, on_import, &c);
	if (c.err < 0)
		return c.err;
	if (err != -ENOENT && read_failed(err))
		return err;
	if (err < 0) {
		/* all or nothing, as kmod */
		dm_rec_fact(d, 'X', 0, false, 0, NULL, 0);
		d->imports.n = m->imp_off;
		if (d->check_symvers)
			d->crcs.n = m->imp_off;
	}
	m->imp_n = (uint32_t)(d->imports.n - m->imp_off);
	return 0;
}

int dm_apply_facts(struct dm *d, struct mod *m, const unsigned char *facts, size_t len)
{
	struct dm_fact f;
	size_t pos = 0;
	int r;

	/* all checked first: a malformed entry changes nothing */
	while ((r = dm_fact_next(facts, len, &pos, &f)) > 0)
		;
	if (r < 0)
		return 1;
	m->info_off = (uint32_t)d->info.n;
	m->imp_off = (uint32_t)d->imports.n;
	pos = 0;
	while (dm_fact_next(facts, len, &pos, &f) > 0) {
		int err = 0;

		switch (f.tag) {
		case 'E':
			err = sym_define(d, f.str, f.len, false, f.crc, (int32_t)m->idx);
			break;
		case 'A':
			err = add_info(d, f.type, f.str, f.len);
			break;
		case 'I':
			err = add_import(d, f.str, f.len, f.weak, f.crc);
			break;
		case 'X':
			d->imports.n = m->imp_off;
			if (d->check_symvers)
				d->crcs.n = m->imp_off;
			break;
		case 'W':
			msg_warn("failed to load symbols from %s: %.*s", m->path, (int)f.len, f.str);
			break;
		}
		if (err < 0)
			return err;
	}
	m->info_len = (uint32_t)(d->info.n - m->info_off);
	m->imp_n = (uint32_t)(d->imports.n - m->imp_off);
	return 0;
}

/* ---- dependencies ------------------------------------------------------- */

static void import_name(const struct dm *d, uint32_t imp, const struct sym *y, char *buf, size_t size)
{
	snprintf(buf, size, "%s%.*s%s", imp & IMP_DOT ? "." : "",
		 imp & IMP_PREFIX ? 1 : 0, &d->sym_prefix, y->name);
}

int dm_resolve(struct dm *d)
{
	const uint32_t *imports = d->imports.v;
	const uint64_t *crcs = d->crcs.v;
	char name[1024];

	for (size_t i = 0; i < d->n; i++) {
		struct mod *m = d->array[i];

		for (uint32_t k = 0; k < m->imp_n; k++) {
			uint32_t imp = imports[m->imp_off + k];
			struct sym *y = sym_at(d, imp & IMP_ID);
			bool weak = imp & IMP_WEAK;

			if (!y->defined) {
				if (d->print_unknown && !weak) {
					import_name(d, imp, y, name, sizeof(name));
					msg_warn("%s needs unknown symbol %s", m->path, name);
				}
				continue;
			}
			if (d->check_symvers && !weak && y->crc != crcs[m->imp_off + k] &&
			    d->print_unknown) {
				import_name(d, imp, y, name, sizeof(name));
				msg_warn("%s disagrees about version of symbol %s", m->path, name);
			}
			if (y->owner < 0)
				continue;
			{
				uint32_t before = d->g.deps[i].n;

				if (moddeps_add(&d->g, (uint32_t)i, (uint32_t)y->owner) < 0)
					return -ENOMEM;
				if (msg_verbose() > 0 && d->g.deps[i].n != before)
					printf("%s needs \"%s\": %s\n", m->path, y->name,
					       d->array[y->owner]->path);
			}
		}
	}
	return 0;
}

void dm_report_cycle(const uint32_t *path, size_t len, void *arg)
{
	struct dm *d = arg;
	size_t size = 1;
	char *buf, *p;

	for (size_t i = 0; i < len; i++)
		size += d->array[path[i]]->namelen + 4;
	buf = malloc(size);
	if (buf == NULL)
		return;
	p = buf;
	for (size_t i = 0; i < len; i++)
		p = stpcpy(stpcpy(p, i ? " -> " : ""), d->array[path[i]]->name);
	msg_err("Cycle detected: %s", buf);
	free(buf);
}
