// SPDX-License-Identifier: GPL-2.0-or-later
/* Explaining a refused module load: missing symbols, foreign vermagic. */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "kernel.h"
#include "version.h"
#include "loaddiag.h"
#include "modelf.h"
#include "xarray.h"

/* ---- a set of the kernel's symbol names --------------------------------- */

struct symset {
	struct xarena names;
	const char **v;        /* an xarray of the names, by id */
	size_t n;
	struct xhash index;    /* ids by name */
};

static bool set_has(const struct symset *s, const char *name, size_t len)
{
	uint32_t hash = xhash_bytes(name, len), id;
	size_t it = 0;

	while ((id = xhash_next(&s->index, hash, &it)) != XHASH_END)
		if (strncmp(s->v[id], name, len) == 0 && s->v[id][len] == '\0')
			return true;
	return false;
}

static int set_add(const char *name, void *arg)
{
	struct symset *s = arg;
	size_t len = strlen(name);
	const char **slot;

	if (set_has(s, name, len))
		return 0;
	slot = xarray_grow(&s->v, s->n, 1, sizeof(*slot));
	if (slot == NULL || s->n >= XHASH_END || (*slot = xarena_dup(&s->names, name, len)) == NULL ||
	    xhash_add(&s->index, xhash_bytes(name, len), (uint32_t)s->n) < 0)
		return -ENOMEM;
	s->n++;
	return 0;
}

static void set_free(struct symset *s)
{
	xarena_free(&s->names);
	free(s->v);
	xhash_free(&s->index);
}

/* ---- unknown symbols ----------------------------------------------------- */

struct missing {
	struct symset *kernel;
	struct modlookup *lk;
	const char *modname;
	loaddiag_fn *cb;
	void *arg;
	int found;
};

static int first_value(const char *value, uint32_t prio, void *arg)
{
	(void)prio;
	snprintf(arg, MODNAME_MAX, "%s", value);
	return 1;
}

static int check_import(const struct modelf_ksym *sym, void *arg)
{
	struct missing *m = arg;
	char sentence[PATH_MAX + 512], provider[MODNAME_MAX] = "";
	struct modlookup_result res;
	char key[300];

	/* __versions also lists module_layout and friends: the kernel has
	 * them; a weak import may stay unresolved. */
	if (sym->weak || sym->len == 0 || set_has(m->kernel, sym->name, sym->len))
		return 0;
	snprintf(key, sizeof(key), "symbol:%.*s", (int)sym->len, sym->name);
	if (modlookup_any(m->lk, key, &res) == 0 && res.count > 0)
		first_value(res.mods[0].name, 0, provider);
	modlookup_result_free(&res);
	if (provider[0])
		snprintf(sentence, sizeof(sentence), "%s needs unknown symbol %.*s, exported by module %s",
			 m->modname, (int)sym->len, sym->name, provider);
	else
		snprintf(sentence, sizeof(sentence),
			 "%s needs unknown symbol %.*s, which no module in %s exports", m->modname,
			 (int)sym->len, sym->name, m->lk->ctx->moddir);
	m->cb(sentence, m->arg);
	m->found++;
	return 0;
}

/* The module's name from .modinfo, for the sentences. */
static void module_name(struct modelf *e, char *out, size_t size)
{
	struct modelf_section s;
	const char *rec;
	size_t len, pos = 0;

	snprintf(out, size, "module");
	if (modelf_section(e, ".modinfo", &s) < 0)
		return;
	while (modelf_modinfo_next(e, &s, &pos, &rec, &len) > 0)
		if (len > 5 && memcmp(rec, "name=", 5) == 0)
			snprintf(out, size, "%.*s", (int)(len - 5), rec + 5);
}

/* Declared parameters: parm=NAME:... and parmtype=NAME:... records. */
static bool declares_param(struct modelf *e, const char *param, size_t plen)
{
	struct modelf_section s;
	const char *rec;
	size_t len, pos = 0;

	if (modelf_section(e, ".modinfo", &s) < 0)
		return true;   /* cannot tell: do not accuse */
	while (modelf_modinfo_next(e, &s, &pos, &rec, &len) > 0) {
		const char *v = NULL;

		if (len > 5 && memcmp(rec, "parm=", 5) == 0)
			v = rec + 5;
		else if (len > 9 && memcmp(rec, "parmtype=", 9) == 0)
			v = rec + 9;
		if (v && (size_t)(rec + len - v) > plen && memcmp(v, param, plen) == 0 && v[plen] == ':')
			return true;
	}
	return false;
}

int loaddiag_unknown_symbols(const void *image, size_t size, const char *params,
			     struct modlookup *lk, loaddiag_fn *cb, void *arg)
{
	struct symset kernel = { 0 };
	struct modelf e;
	char name[MODNAME_MAX], sentence[512];
	struct missing m = { .kernel = &kernel, .lk = lk, .modname = name, .cb = cb, .arg = arg };
	int err = modelf_open(&e, image, size);

	if (err < 0)
		return err;
	module_name(&e, name, sizeof(name));
	/* Parameters first: cheap, and a typo is the likelier cause. */
	for (const char *p = params ? params : ""; *p;) {
		size_t n = 0;
		bool quoted = false;

		while (*p == ' ')
			p++;
		while (p[n] && (quoted || p[n] != ' ')) {
			if (p[n] == '"')
				quoted = !quoted;
			n++;
		}
		if (n > 0) {
			size_t plen = strcspn(p, "= ");

			if (plen > n)
				plen = n;
			if (!declares_param(&e, p, plen)) {
				snprintf(sentence, sizeof(sentence), "%s has no parameter '%.*s'", name, (int)plen, p);
				cb(sentence, arg);
				m.found++;
			}
		}
		p += n;
	}
	err = kernel_symbol_names(set_add, &kernel);
	if (err < 0) {
		set_free(&kernel);
		return m.found ? m.found : err;
	}
	err = modelf_imports(&e, check_import, &m);
	set_free(&kernel);
	return err < 0 && m.found == 0 ? err : m.found;
}

/* ---- bad format ------------------------------------------------------------ */

/* The ELF machine of a module, and the `uname -m` values of the kernels that
 * can load it: one word names the family (i386 covers i386 to i686, ppc64
 * both byte orders, s390 s390x, riscv riscv32/64, mips every mips*). */
static const struct {
	unsigned machine;
	const char *name;
	const char *uname_prefix;   /* NULL: uname -m is name exactly */
} machines[] = {
	{ EM_386, "i386", NULL }, { EM_X86_64, "x86_64", NULL }, { EM_ARM, "arm", "arm" },
	{ EM_AARCH64, "aarch64", "aarch64" }, { EM_MIPS, "mips", "mips" }, { EM_PPC, "ppc", NULL },
	{ EM_PPC64, "ppc64", "ppc64" }, { EM_S390, "s390", "s390" }, { EM_RISCV, "riscv", "riscv" },
};

/* The family name of machine, or NULL if it is not one we know; *fits
 * tells whether the running kernel (uname -m) is of that family. */
static const char *machine_family(unsigned machine, const char *running, bool *fits)
{
	for (size_t i = 0; i < ARRAY_SIZE(machines); i++) {
		const char *pre = machines[i].uname_prefix;

		if (machines[i].machine != machine)
			continue;
		if (machine == EM_386)
			*fits = running[0] == 'i' && running[1] >= '3' && running[1] <= '6' &&
				strcmp(running + 2, "86") == 0;
		else if (pre != NULL)
			*fits = strncmp(running, pre, strlen(pre)) == 0;
		else
			*fits = strcmp(running, machines[i].name) == 0;
		return machines[i].name;
	}
	*fits = true;
	return NULL;
}

int loaddiag_bad_format(const void *image, size_t size, loaddiag_fn *cb, void *arg)
{
	struct modelf e;
	struct modelf_section s;
	struct utsname u;
	char name[MODNAME_MAX], sentence[512];
	const char *rec, *mach;
	bool fits;
	size_t len, pos = 0;
	int found = 0, err = modelf_open(&e, image, size);

	if (err < 0) {
		snprintf(sentence, sizeof(sentence), "the file is not a module: %s", modelf_strerror(&e, err));
		cb(sentence, arg);
		return 1;
	}
	if (kernel_uname(&u) < 0)
		return -errno;
	module_name(&e, name, sizeof(name));
	mach = machine_family(e.machine, u.machine, &fits);
	if (!fits) {
		snprintf(sentence, sizeof(sentence), "%s is built for %s, the running kernel for %s", name, mach,
			 u.machine);
		cb(sentence, arg);
		found++;
	}
	if (modelf_section(&e, ".modinfo", &s) == 0) {
		while (modelf_modinfo_next(&e, &s, &pos, &rec, &len) > 0) {
			if (len < 9 || memcmp(rec, "vermagic=", 9) != 0)
				continue;
			snprintf(sentence, sizeof(sentence), "%s has vermagic '%.*s', the running kernel is %s",
				 name, (int)(len - 9), rec + 9, u.release);
			cb(sentence, arg);
			found++;
		}
	}
	return found;
}
