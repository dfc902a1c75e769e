// SPDX-License-Identifier: GPL-2.0-or-later
/* What modinfo shows of a module: its fields, parameters and signature. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "modinfo.h"
#include "xarray.h"

void modinfo_params_free(struct modinfo_params *ps)
{
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

void modinfo_records_builtin(struct modinfo_records *r, const struct modlookup_builtin_info *bi)
{
	memset(r, 0, sizeof(*r));
	r->recs = bi->recs;
	r->count = bi->count;
}

int modinfo_next(struct modinfo_records *r, struct modinfo_field *f)
{
	const char *rec, *eq;
	size_t len;
	int ret;

	if (r->elf != NULL) {
		ret = modelf_modinfo_next(r->elf, &r->sec, &r->pos, &rec, &len);
		if (ret <= 0)
			return ret;
	} else {
		if (r->pos >= r->count)
			return 0;
		rec = r->recs[r->pos++];
		len = strlen(rec);
	}
	/* A record without '=' is a key with an empty value. */
	eq = memchr(rec, '=', len);
	f->key = rec;
	f->keylen = eq ? (size_t)(eq - rec) : len;
	f->value = eq ? eq + 1 : rec + len;
	f->valuelen = len - (size_t)(f->value - rec);
	return 1;
}

bool modinfo_field_is(const struct modinfo_field *f, const char *name)
{
	return strlen(name) == f->keylen && memcmp(name, f->key, f->keylen) == 0;
}

/* parm=NAME:DESCRIPTION or parmtype=NAME:TYPE, merged by NAME. */
static int param_add(struct modinfo_params *ps, const struct modinfo_field *f, bool type)
{
	const char *colon = memchr(f->value, ':', f->valuelen);
	size_t namelen;
	struct modinfo_param *p = NULL;

	if (colon == NULL)
		return -EINVAL;
	namelen = (size_t)(colon - f->value);
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].namelen == namelen && memcmp(ps->v[i].name, f->value, namelen) == 0)
			p = &ps->v[i];
	if (p == NULL) {
		p = xarray_grow(&ps->v, ps->n, 1, sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		ps->n++;
		memset(p, 0, sizeof(*p));
		p->name = f->value;
		p->namelen = namelen;
	}
	if (type) {
		p->type = colon + 1;
		p->typelen = f->valuelen - namelen - 1;
	} else {
		p->desc = colon + 1;
		p->desclen = f->valuelen - namelen - 1;
	}
	return 0;
}

int modinfo_walk(struct modinfo_records *r, struct modinfo_params *ps, modinfo_fn *fn, void *arg)
{
	struct modinfo_field f;
	int ret, err;

	while ((ret = modinfo_next(r, &f)) > 0) {
		bool type = modinfo_field_is(&f, "parmtype");

		if (!type && !modinfo_field_is(&f, "parm")) {
			fn(arg, MODINFO_FIELD, &f);
			continue;
		}
		if (ps == NULL)
			continue;
		err = param_add(ps, &f, type);
		if (err == -EINVAL)
			fn(arg, MODINFO_BAD_PARAM, &f);
		else if (err < 0)
			return err;
	}
	return ret;
}

/* Hex bytes joined by ':'; with wrap, a new line of "\t\t" every 20 bytes.
 * A table, not sprintf: a 4 KiB signature is the bulk of modinfo's work
 * otherwise. */
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

static void sig_field(modinfo_fn *fn, void *arg, const char *key, const char *value, size_t len)
{
	const struct modinfo_field f = { key, strlen(key), value, len };

	fn(arg, MODINFO_FIELD, &f);
}

int modinfo_sig_fields(const struct modsig *sig, modinfo_fn *fn, void *arg)
{
	char *key = hex(sig->key_id, sig->key_id_len, false);
	char *val = hex(sig->sig, sig->sig_len, true);
	const char *algo = sig->hash_algo ? sig->hash_algo : "unknown";

	if (key != NULL && val != NULL) {
		sig_field(fn, arg, "sig_id", sig->id_type, strlen(sig->id_type));
		sig_field(fn, arg, "signer", (const char *)sig->signer, sig->signer_len);
		sig_field(fn, arg, "sig_key", key, strlen(key));
		sig_field(fn, arg, "sig_hashalgo", algo, strlen(algo));
		sig_field(fn, arg, "signature", val, strlen(val));
	}
	free(key);
	free(val);
	return key != NULL && val != NULL ? 0 : -ENOMEM;
}

int modinfo_file_open(struct modinfo_file *m, const char *path)
{
	struct modinfo_field f;
	size_t modlen;
	int err;

	memset(&m->recs, 0, sizeof(m->recs));
	m->read = false;
	m->sig = NULL;
	m->sig_why = NULL;
	err = modfile_open(&m->mf, path);
	if (err == 0)
		err = modfile_image(&m->mf);
	if (err < 0)
		return err;
	m->read = true;
	/* A malformed signature: the fields are shown anyway. */
	err = modsig_parse(m->mf.image, m->mf.size, &m->sigbuf, &modlen, &m->sig_why);
	if (err > 0)
		m->sig = &m->sigbuf;
	err = modelf_open(&m->elf, m->mf.image, modlen);
	if (err == 0)
		err = modelf_section(&m->elf, ".modinfo", &m->recs.sec);
	if (err == -ENOENT)   /* no fields: kmod shows the file name only */
		return 0;
	if (err < 0)
		return err;
	m->recs.elf = &m->elf;
	/* Every record must be whole before any is shown. */
	while ((err = modinfo_next(&m->recs, &f)) > 0)
		;
	m->recs.pos = 0;
	return err;
}

const char *modinfo_file_strerror(const struct modinfo_file *m, int err)
{
	return m->read ? modelf_strerror(&m->elf, err) : modfile_strerror(&m->mf, err);
}

void modinfo_file_close(struct modinfo_file *m)
{
	modfile_close(&m->mf);
}
