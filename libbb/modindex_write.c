// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing kmod's binary index files: a prefix trie, big-endian, post-order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modindex.h"
#include "modindex_write.h"

#define REF_PREFIX 0x80000000u
#define REF_VALUES 0x40000000u
#define REF_CHILDS 0x20000000u
#define REF_OFFSET 0x0fffffffu
#define INDEX_VERSION 0x00020001u

struct modindex_entry {
	const char *key;
	const char *value;
	uint32_t keylen;
	uint32_t priority;
	uint32_t seq;           /* order of adding */
};

void modindex_writer_init(struct modindex_writer *w)
{
	memset(w, 0, sizeof(*w));
}

void modindex_writer_free(struct modindex_writer *w)
{
	xarena_free(&w->strings);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

static bool ascii7(const char *s, size_t *len)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] >= 128)
			return false;
	*len = i;
	return true;
}

int modindex_writer_add(struct modindex_writer *w, const char *key, const char *value,
			uint32_t priority)
{
	struct modindex_entry *e;
	size_t klen, vlen;

	if (!ascii7(key, &klen) || !ascii7(value, &vlen) || klen > UINT32_MAX / 2)
		return -EINVAL;
	e = xarray_grow(&w->v, w->n, 1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->key = xarena_dup(&w->strings, key, klen);
	/* Many values repeat their key's neighbours; no sharing needed here. */
	e->value = e->key ? xarena_dup(&w->strings, value, vlen) : NULL;
	if (e->key == NULL || e->value == NULL)
		return -ENOMEM;
	e->keylen = (uint32_t)klen;
	e->priority = priority;
	e->seq = (uint32_t)w->n;
	w->n++;
	return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct modindex_entry *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	if (c != 0)
		return c;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	/* kmod inserts a value before others of the same priority. */
	return a->seq < b->seq ? 1 : -1;
}

/* ---- buffered output ---------------------------------------------------- */

struct out {
	int fd;
	int err;
	uint64_t pos;           /* file offset of buf[0] + len */
	size_t len;
	unsigned char buf[64 * 1024];
};

static void flush(struct out *o)
{
	size_t done = 0;

	while (done < o->len && o->err == 0) {
		ssize_t r = write(o->fd, o->buf + done, o->len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			o->err = r < 0 ? -errno : -EIO;
		else
			done += (size_t)r;
	}
	o->len = 0;
}

static void put(struct out *o, const void *p, size_t n)
{
	const unsigned char *s = p;

	o->pos += n;
	while (n > 0) {
		size_t k = sizeof(o->buf) - o->len;

		if (k > n)
			k = n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (o->len == sizeof(o->buf))
			flush(o);
	}
}

static void put32(struct out *o, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	put(o, b, 4);
}

/* ---- the trie ----------------------------------------------------------- */

/*
 * The entries v[lo..hi) share their first depth bytes and are sorted. Write
 * the node for them (children first) and return its reference. A node's
 * prefix runs to where the keys branch or one ends; the root has none.
 */
static uint32_t write_node(struct out *o, const struct modindex_entry *v, size_t lo, size_t hi,
			   size_t depth, bool root)
{
	size_t plen = 0, p, vend, nchild = 0;
	unsigned char first = 0, last = 0;
	uint32_t *child = NULL, ref;

	if (!root) {
		const char *a = v[lo].key + depth, *b = v[hi - 1].key + depth;

		/* Sorted: the common prefix of all is that of the first and last. */
		while (a[plen] != '\0' && a[plen] == b[plen])
			plen++;
	}
	p = depth + plen;
	for (vend = lo; vend < hi && v[vend].keylen == p; vend++)
		;
	if (vend < hi) {
		first = (unsigned char)v[vend].key[p];
		last = (unsigned char)v[hi - 1].key[p];
		nchild = (size_t)(last - first) + 1;
		child = calloc(nchild, sizeof(*child));
		if (child == NULL) {
			o->err = -ENOMEM;
			return 0;
		}
		for (size_t i = vend; i < hi && o->err == 0;) {
			unsigned char c = (unsigned char)v[i].key[p];
			size_t j = i + 1;

			while (j < hi && (unsigned char)v[j].key[p] == c)
				j++;
			child[c - first] = write_node(o, v, i, j, p + 1, false);
			i = j;
		}
	}
	if (o->pos > REF_OFFSET) {
		o->err = -EFBIG;
		free(child);
		return 0;
	}
	ref = (uint32_t)o->pos;
	if (plen > 0) {
		put(o, v[lo].key + depth, plen);
		put(o, "", 1);
		ref |= REF_PREFIX;
	}
	if (nchild > 0) {
		unsigned char fl[2] = { first, last };

		put(o, fl, 2);
		for (size_t i = 0; i < nchild; i++)
			put32(o, child[i]);
		ref |= REF_CHILDS;
	}
	free(child);
	if (vend > lo) {
		put32(o, (uint32_t)(vend - lo));
		for (size_t i = lo; i < vend; i++) {
			put32(o, v[i].priority);
			put(o, v[i].value, strlen(v[i].value) + 1);
		}
		ref |= REF_VALUES;
	}
	return ref;
}

int modindex_writer_write(struct modindex_writer *w, int fd)
{
	struct out *o = malloc(sizeof(*o));
	uint32_t root;
	unsigned char b[4];
	int err;

	if (o == NULL)
		return -ENOMEM;
	o->fd = fd;
	o->err = 0;
	o->pos = 0;
	o->len = 0;
	if (w->n > 1)
		qsort(w->v, w->n, sizeof(*w->v), entry_cmp);
	put32(o, MODINDEX_MAGIC);
	put32(o, INDEX_VERSION);
	put32(o, 0);
	root = w->n ? write_node(o, w->v, 0, w->n, 0, true) : (uint32_t)o->pos;
	flush(o);
	err = o->err;
	free(o);
	if (err < 0)
		return err;
	b[0] = (unsigned char)(root >> 24);
	b[1] = (unsigned char)(root >> 16);
	b[2] = (unsigned char)(root >> 8);
	b[3] = (unsigned char)root;
	if (pwrite(fd, b, 4, 8) != 4)
		return -errno ? -errno : -EIO;
	return 0;
}
