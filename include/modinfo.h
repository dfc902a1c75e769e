/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODINFO_H
#define MODUTILS_MODINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "modelf.h"
#include "modfile.h"
#include "modlookup.h"
#include "modsig.h"

/*
 * What modinfo shows of a module: its key=value records (a file's
 * .modinfo section, or a built-in module's modules.builtin.modinfo
 * entries) as fields in their order, parm= and parmtype= merged into
 * parameters, and the signature's fields; the applet decides which to show
 * and prints them.
 */
struct modinfo_field {
	const char *key;
	size_t keylen;
	const char *value;
	size_t valuelen;
};

/* One parameter, merged from its parm= and parmtype= records. */
struct modinfo_param {
	const char *name;
	size_t namelen;
	const char *desc;   /* NULL when there is no parm= record */
	size_t desclen;
	const char *type;   /* NULL when there is no parmtype= record */
	size_t typelen;
};

/* In order of first appearance (kmod shows them the other way round). */
struct modinfo_params {
	struct modinfo_param *v;   /* an xarray */
	size_t n;
};

void modinfo_params_free(struct modinfo_params *ps);

/* Where the records come from. */
struct modinfo_records {
	struct modelf *elf;           /* a file's .modinfo (NULL: built-in) */
	struct modelf_section sec;
	size_t pos;
	char *const *recs;            /* a built-in module's records */
	size_t count;
};

void modinfo_records_builtin(struct modinfo_records *r, const struct modlookup_builtin_info *bi);

/* The next field: 1, 0 at the end, -errno (a malformed section). */
int modinfo_next(struct modinfo_records *r, struct modinfo_field *f);

/* field's key is name */
bool modinfo_field_is(const struct modinfo_field *f, const char *name);

/* What modinfo_walk and modinfo_sig_fields hand over: a field to show, or
 * a parm/parmtype record without "name:" (kmod says so and goes on). */
enum modinfo_event { MODINFO_FIELD, MODINFO_BAD_PARAM };
typedef void modinfo_fn(void *arg, enum modinfo_event ev, const struct modinfo_field *f);

/* Every remaining field in order to fn, except parm= and parmtype=: those
 * are merged into ps (skipped when ps is NULL). 0 or -errno. */
int modinfo_walk(struct modinfo_records *r, struct modinfo_params *ps, modinfo_fn *fn, void *arg);

/* The signature as kmod shows it: sig_id, signer, sig_key (hex bytes
 * joined by ':'), sig_hashalgo ("unknown" when not known) and signature
 * (the same, a new line of two tabs every 20 bytes). 0 or -ENOMEM. */
int modinfo_sig_fields(const struct modsig *sig, modinfo_fn *fn, void *arg);

/* A module file opened for modinfo. */
struct modinfo_file {
	struct modfile mf;
	struct modelf elf;
	bool read;             /* the image is read: errors are the ELF's */
	const struct modsig *sig;   /* NULL when unsigned (or unreadable) */
	struct modsig sigbuf;
	const char *sig_why;   /* the signature is malformed: why (the fields are there anyway) */
	struct modinfo_records recs;
};

/* Read the file, its signature and its .modinfo (none is no error: no
 * fields), every record checked whole so that a malformed file can be
 * refused before anything is shown. 0 or -errno; close it either way. */
int modinfo_file_open(struct modinfo_file *m, const char *path);
const char *modinfo_file_strerror(const struct modinfo_file *m, int err);
void modinfo_file_close(struct modinfo_file *m);

#endif
