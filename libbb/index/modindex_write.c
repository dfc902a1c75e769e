// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing kmod's binary index files: a prefix trie, big-endian, pre-order
 * as kmod 34 writes it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modindex.h"
#include "modindex_write.h"
#include "wbuf.h"

#define INDEX_VERSION 0x00020001u

struct modindex_entry {
	const char *key;
	const char *value;
	uint32_t keylen;
	uint32_t vallen;
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

	if (!ascii7(key, &klen) || !ascii7(value, &vlen) || klen > UINT32_MAX / 2 ||
	    vlen > UINT32_MAX / 2)
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
	e->vallen = (uint32_t)vlen;
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

static void put32(struct wbuf *o, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	wput(o, b, 4);
}

/* ---- the trie ----------------------------------------------------------- */

/*
 * kmod 34's layout: pre-order. Each node is written before its children,
 * the children in order of their character, each child's whole subtree
 * before the next child, so child references point forward and the root
 * comes right after the header. A node's bytes are, as in every version,
 * [prefix NUL] [first last refs...] [count {priority value NUL}...].
 *
 * A parent must know where its children will land before writing them, so
 * a first pass measures every subtree (its size and its number of nodes),
 * recorded in pre-order; the second pass writes front to back with no
 * seeking, one record per node in the same order.
 */
struct trie_rec {
	uint64_t size;          /* bytes of the subtree */
	uint32_t nodes;         /* nodes in the subtree */
	uint32_t flags;         /* REF_PREFIX | REF_VALUES | REF_CHILDS */
};

struct shape {
	size_t plen;            /* prefix length */
	size_t vend;            /* v[lo..vend) end at this node: its values */
	unsigned nchild;        /* child slots, last - first + 1; 0: none */
	unsigned char first;
	uint32_t flags;
	uint64_t own;           /* bytes of the node itself */
};

/*
 * The node for v[lo..hi), entries that share their first depth bytes and
 * are sorted. Its prefix runs to where the keys branch or one ends; the
 * root has none.
 */
static void node_shape(const struct modindex_entry *v, size_t lo, size_t hi, size_t depth,
		       bool root, struct shape *s)
{
	size_t p, i;

	s->plen = 0;
	if (!root) {
		const char *a = v[lo].key + depth, *b = v[hi - 1].key + depth;

		/* Sorted: the common prefix of all is that of the first and last. */
		while (a[s->plen] != '\0' && a[s->plen] == b[s->plen])
			s->plen++;
	}
	p = depth + s->plen;
	s->flags = 0;
	s->own = 0;
	if (s->plen > 0) {
		s->flags |= REF_PREFIX;
		s->own += s->plen + 1;
	}
	for (s->vend = lo; s->vend < hi && v[s->vend].keylen == p; s->vend++)
		;
	s->nchild = 0;
	if (s->vend < hi) {
		s->first = (unsigned char)v[s->vend].key[p];
		s->nchild = (unsigned)((unsigned char)v[hi - 1].key[p] - s->first) + 1;
		s->flags |= REF_CHILDS;
		s->own += 2 + 4 * (uint64_t)s->nchild;
	}
	if (s->vend > lo) {
		s->flags |= REF_VALUES;
		s->own += 4;
		for (i = lo; i < s->vend; i++)
			s->own += 4 + (uint64_t)v[i].vallen + 1;
	}
}

/* End of the group of v[i..hi) whose byte at p is v[i].key[p]. */
static size_t group_end(const struct modindex_entry *v, size_t i, size_t hi, size_t p)
{
	unsigned char c = (unsigned char)v[i].key[p];
	size_t j = i + 1;

	while (j < hi && (unsigned char)v[j].key[p] == c)
		j++;
	return j;
}

struct measure {
	struct trie_rec *rec;   /* an xarray */
	size_t n;
};

/* Record the subtree of v[lo..hi) in pre-order; 0 or -ENOMEM. */
static int measure(struct measure *m, const struct modindex_entry *v, size_t lo, size_t hi,
		   size_t depth, bool root)
{
	struct shape s;
	size_t k = m->n, p;
	uint64_t size;
	uint32_t nodes = 1;

	if (xarray_grow(&m->rec, m->n, 1, sizeof(*m->rec)) == NULL)
		return -ENOMEM;
	m->n++;
	node_shape(v, lo, hi, depth, root, &s);
	size = s.own;
	p = depth + s.plen;
	for (size_t i = s.vend; i < hi;) {
		size_t j = group_end(v, i, hi, p), c = m->n;
		int err = measure(m, v, i, j, p + 1, false);

		if (err < 0)
			return err;
		size += m->rec[c].size;
		nodes += m->rec[c].nodes;
		i = j;
	}
	m->rec[k].size = size;
	m->rec[k].nodes = nodes;
	m->rec[k].flags = s.flags;
	return 0;
}

/* Write the subtree of v[lo..hi), whose record is rec[*k], at o->pos. */
static void emit(struct wbuf *o, const struct modindex_entry *v, size_t lo, size_t hi,
		 size_t depth, bool root, const struct trie_rec *rec, size_t *k)
{
	struct shape s;
	size_t p;
	uint64_t at;            /* where the next child's subtree goes */

	node_shape(v, lo, hi, depth, root, &s);
	(*k)++;
	p = depth + s.plen;
	at = o->pos + s.own;
	if (s.plen > 0) {
		wput(o, v[lo].key + depth, s.plen);
		wput(o, "", 1);
	}
	if (s.nchild > 0) {
		unsigned char fl[2] = { s.first, (unsigned char)(s.first + s.nchild - 1) };
		size_t i = s.vend, c = *k;

		wput(o, fl, 2);
		/* The children follow this node, each subtree in turn. */
		for (unsigned ch = s.first; ch < s.first + s.nchild; ch++) {
			if (i < hi && (unsigned char)v[i].key[p] == ch) {
				put32(o, (uint32_t)at | rec[c].flags);
				at += rec[c].size;
				c += rec[c].nodes;
				i = group_end(v, i, hi, p);
			} else {
				put32(o, 0);
			}
		}
	}
	if (s.vend > lo) {
		put32(o, (uint32_t)(s.vend - lo));
		for (size_t i = lo; i < s.vend; i++) {
			put32(o, v[i].priority);
			wput(o, v[i].value, (size_t)v[i].vallen + 1);
		}
	}
	for (size_t i = s.vend; i < hi;) {
		size_t j = group_end(v, i, hi, p);

		emit(o, v, i, j, p + 1, false, rec, k);
		i = j;
	}
}

int modindex_writer_write(struct modindex_writer *w, int fd)
{
	struct measure m = { NULL, 0 };
	struct wbuf *o;
	uint32_t root = 12;
	int err;

	if (w->n > 1)
		qsort(w->v, w->n, sizeof(*w->v), entry_cmp);
	if (w->n > 0) {
		err = measure(&m, w->v, 0, w->n, 0, true);
		if (err < 0) {
			free(m.rec);
			return err;
		}
		/* Every offset, the last node's included, must fit in 28 bits. */
		if (12 + m.rec[0].size > REF_OFFSET) {
			free(m.rec);
			return -EFBIG;
		}
		root |= m.rec[0].flags;
	}
	o = malloc(sizeof(*o));
	if (o == NULL) {
		free(m.rec);
		return -ENOMEM;
	}
	wbuf_init(o, fd);
	put32(o, MODINDEX_MAGIC);
	put32(o, INDEX_VERSION);
	/* An empty index is the header alone: its root, with no prefix,
	 * children or values, takes no bytes. */
	put32(o, root);
	if (w->n > 0) {
		size_t k = 0;

		emit(o, w->v, 0, w->n, 0, true, m.rec, &k);
	}
	wflush(o);
	err = o->err;
	free(o);
	free(m.rec);
	return err < 0 ? err : 0;
}
