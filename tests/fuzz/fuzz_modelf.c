// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the module ELF reader, everything modinfo and depmod ask of it,
 * on the image in memory and read in parts (as depmod reads a plain module):
 * both must give the same answers. */
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modelf.h"

struct sum {
	size_t n;
	uint64_t h;
};

static void add(struct sum *s, const char *p, size_t len, uint64_t v)
{
	s->n += len;
	for (size_t i = 0; i < len; i++)
		s->h = (s->h ^ (unsigned char)p[i]) * 1099511628211u;
	s->h = (s->h ^ v) * 1099511628211u;
}

static int on_version(uint64_t crc, const char *name, void *arg)
{
	add(arg, name, strlen(name), crc);
	return 0;
}

static int on_ksym(const struct modelf_ksym *s, void *arg)
{
	add(arg, s->name, s->len, s->crc ^ s->weak);
	return 0;
}

/* Each range asked for is handed out as an exact-size heap copy (the same
 * copy when it is asked for again): ASan then sees any read outside what
 * was fetched. */
struct exact {
	const uint8_t *file;
	struct {
		uint64_t off;
		size_t len;
		void *p;
	} *copies;
	size_t n;
};

static const void *exact_fetch(void *arg, uint64_t off, size_t len)
{
	struct exact *x = arg;
	void *p;

	for (size_t i = 0; i < x->n; i++)
		if (x->copies[i].off == off && x->copies[i].len == len)
			return x->copies[i].p;
	p = malloc(len ? len : 1);
	if (p == NULL)
		abort();
	if ((x->n & (x->n + 1)) == 0) {   /* n is 0, 1, 3, 7...: the array is full */
		void *more = realloc(x->copies, (2 * x->n + 1) * sizeof(*x->copies));

		if (more == NULL)
			abort();
		x->copies = more;
	}
	memcpy(p, x->file + off, len);
	x->copies[x->n].off = off;
	x->copies[x->n].len = len;
	x->copies[x->n++].p = p;
	return p;
}

static int walk(const uint8_t *data, size_t size, bool parts, struct sum *sum)
{
	static struct exact x;
	struct modelf e;
	struct modelf_section s;
	const char *rec;
	size_t len, pos = 0;
	int err;

	x.file = data;
	x.n = 0;
	err = parts ? modelf_open_parts(&e, size, exact_fetch, &x) : modelf_open(&e, data, size);
	if (err == 0) {
		if (modelf_section(&e, ".modinfo", &s) == 0)
			while (modelf_modinfo_next(&e, &s, &pos, &rec, &len) > 0)
				add(sum, rec, len, 0);
		add(sum, "", 0, (uint64_t)modelf_versions(&e, on_version, sum));
		add(sum, "", 0, (uint64_t)modelf_exports(&e, on_ksym, sum));
		add(sum, "", 0, (uint64_t)modelf_imports(&e, on_ksym, sum));
		for (uint32_t i = 0; i < e.shnum && i < 64; i++)
			add(sum, "", 0, (uint64_t)modelf_section_at(&e, i, &s));
	}
	for (size_t i = 0; i < x.n; i++)
		free(x.copies[i].p);
	free(x.copies);
	x.copies = NULL;
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy: ASan then sees any read past the end. */
	unsigned char *copy = malloc(size ? size : 1);
	struct sum whole = { 0 }, parts = { 0 };
	int ew, ep;

	memcpy(copy, data, size);
	ew = walk(copy, size, false, &whole);
	ep = walk(copy, size, true, &parts);
	if (ew != ep || whole.n != parts.n || whole.h != parts.h) {
		fprintf(stderr, "in memory: %d %zu %llx; in parts: %d %zu %llx\n", ew, whole.n,
			(unsigned long long)whole.h, ep, parts.n, (unsigned long long)parts.h);
		abort();
	}
	free(copy);
	return 0;
}
