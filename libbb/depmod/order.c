// SPDX-License-Identifier: GPL-2.0-or-later
/* kmod's module order: its hash table of names, then modules.order. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depmod_int.h"
#include "fileopen.h"
#include "modindex.h"

static int hash_order(const void *pa, const void *pb)
{
	const struct mod *a = *(struct mod *const *)pa, *b = *(struct mod *const *)pb;
	uint32_t ha = moddeps_kmod_hash(a->name, a->namelen) & 511;
	uint32_t hb = moddeps_kmod_hash(b->name, b->namelen) & 511;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int sort_order(const void *pa, const void *pb)
{
	const struct mod *a = *(struct mod *const *)pa, *b = *(struct mod *const *)pb;

	if (a->sort_idx != b->sort_idx)
		return a->sort_idx < b->sort_idx ? -1 : 1;
	/* stable: the hash order stays among equals */
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

FILE *dm_open_in_dir(const struct dm *d, const char *name, bool quiet)
{
	char path[PATH_MAX];
	FILE *fp;

	if (modctx_modpath(&d->ctx, name, path, sizeof(path)) < 0)
		return NULL;
	fp = fopen_regular(path);
	if (fp == NULL && !quiet)
		msg_warn("could not open %s at %s: %s", name, d->dirname, file_strerror(-errno));
	return fp;
}

/*
 * kmod's order: its hash table of names, bucket by bucket, then
 * modules.order (a module's first line there counts); modules it does not
 * name follow in hash order.
 */
int dm_build_array(struct dm *d)
{
	struct stab by_path = { 0 };
	char line[PATH_MAX];
	unsigned idx = 0, total;
	FILE *fp;

	d->n = 0;
	d->array = malloc((d->nmods ? d->nmods : 1) * sizeof(*d->array));
	if (d->array == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < d->nmods; i++)
		if (d->mods[i] != NULL)
			d->array[d->n++] = d->mods[i];
	qsort(d->array, d->n, sizeof(*d->array), hash_order);
	for (size_t i = 0; i < d->n; i++)
		d->array[i]->idx = (uint32_t)i;

	fp = dm_open_in_dir(d, MODULES_ORDER, false);
	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);

		idx++;
		if (len > 0 && line[len - 1] != '\n') {
			msg_err("%s/modules.order:%u corrupted line misses '\\n'", d->dirname, idx);
			fclose(fp);
			return 0;
		}
	}
	total = idx + 1;
	for (size_t i = 0; i < d->n; i++) {
		struct mod *m = d->array[i];
		struct sslot *s;

		if (m->uncrelpath == NULL)
			continue;
		s = stab_get(&by_path, m->uncrelpath, strlen(m->uncrelpath), true);
		if (s == NULL) {
			fclose(fp);
			stab_free(&by_path);
			return -ENOMEM;
		}
		s->val = (uint32_t)i;
	}
	rewind(fp);
	idx = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);
		struct sslot *s;

		idx++;
		if (len == 0)
			continue;
		line[len - 1] = '\0';
		s = stab_get(&by_path, line, len - 1, false);
		/* a module's first line counts (kmod 34.2; kmod 30 took the last) */
		if (s->key != NULL && d->array[s->val]->sort_idx >= 0)
			d->array[s->val]->sort_idx = (int)idx - (int)total;
	}
	fclose(fp);
	stab_free(&by_path);
	qsort(d->array, d->n, sizeof(*d->array), sort_order);
	for (size_t i = 0; i < d->n; i++)
		d->array[i]->idx = (uint32_t)i;
	return 0;
}
