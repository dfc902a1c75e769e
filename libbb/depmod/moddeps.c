// SPDX-License-Identifier: GPL-2.0-or-later
/* depmod's dependency graph: kmod's topological order, cycles, closures. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "moddeps.h"
#include "xarray.h"

int moddeps_init(struct moddeps *g, uint32_t n)
{
	memset(g, 0, sizeof(*g));
	g->n = n;
	g->deps = calloc(n ? n : 1, sizeof(*g->deps));
	g->users = calloc(n ? n : 1, sizeof(*g->users));
	g->order = calloc(n ? n : 1, sizeof(*g->order));
	g->stamp = calloc(n ? n : 1, sizeof(*g->stamp));
	if (!g->deps || !g->users || !g->order || !g->stamp) {
		moddeps_free(g);
		return -ENOMEM;
	}
	return 0;
}

void moddeps_free(struct moddeps *g)
{
	if (g->deps != NULL)
		for (uint32_t i = 0; i < g->n; i++)
			free(g->deps[i].v);
	free(g->deps);
	free(g->users);
	free(g->order);
	free(g->stamp);
	free(g->left);
	memset(g, 0, sizeof(*g));
}

int moddeps_add(struct moddeps *g, uint32_t mod, uint32_t dep)
{
	struct moddeps_list *l = &g->deps[mod];
	uint32_t *v;

	for (uint32_t i = 0; i < l->n; i++)
		if (l->v[i] == dep)
			return 0;
	v = xarray_grow(&l->v, l->n, 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	*v = dep;
	l->n++;
	g->users[dep]++;
	return 0;
}

int moddeps_sort(struct moddeps *g)
{
	uint32_t *users = malloc((size_t)(g->n ? g->n : 1) * 2 * sizeof(*users));
	uint32_t *stack, nstack = 0, sorted = 0;

	if (users == NULL)
		return -ENOMEM;
	stack = users + g->n;
	memcpy(users, g->users, g->n * sizeof(*users));
	for (uint32_t i = 0; i < g->n; i++) {
		g->order[i] = UINT32_MAX;
		if (users[i] == 0)
			stack[nstack++] = i;
	}
	while (nstack > 0) {
		uint32_t m = stack[--nstack];
		const struct moddeps_list *l = &g->deps[m];

		g->order[m] = sorted++;
		for (uint32_t i = 0; i < l->n; i++)
			if (--users[l->v[i]] == 0)
				stack[nstack++] = l->v[i];
	}
	free(g->left);
	g->left = NULL;
	/* users left: non-zero for modules in or below a cycle. */
	if (sorted < g->n) {
		g->left = users;
		return -ELOOP;
	}
	free(users);
	return 0;
}

/* ---- cycles ------------------------------------------------------------- */

struct vtx {
	uint32_t mod;
	uint32_t parent;        /* index in the vertex array, UINT32_MAX: none */
};

struct walk {
	struct vtx *v;          /* xarrays */
	size_t n;
	uint32_t *stack;
	size_t ns;
};

static int push(struct walk *w, uint32_t mod, uint32_t parent)
{
	struct vtx *v = xarray_grow(&w->v, w->n, 1, sizeof(*v));
	uint32_t *s = xarray_grow(&w->stack, w->ns, 1, sizeof(*s));

	if (v == NULL || s == NULL)
		return -ENOMEM;
	v->mod = mod;
	v->parent = parent;
	*s = (uint32_t)w->n++;
	w->ns++;
	return 0;
}

/* Is mod already on the path above vertex i? (kmod would loop forever on
 * a second cycle below the first; a walk along simple paths gives the same
 * reports wherever kmod's ends.) */
static bool on_path(const struct walk *w, uint32_t i, uint32_t mod)
{
	for (i = w->v[i].parent; i != UINT32_MAX; i = w->v[i].parent)
		if (w->v[i].mod == mod)
			return true;
	return false;
}

/* The candidates for a walk: a circular list in module number order with
 * a head. Taking a module out moves the head to the module after it (the
 * way kmod's list of candidates advances), so the next walk starts after
 * the last module a cycle took out, going round to the first. */
struct cands {
	uint32_t *next, *prev;
	bool *in;
	uint32_t head;          /* UINT32_MAX: empty */
};

static void cands_drop(struct cands *c, uint32_t m)
{
	if (!c->in[m])
		return;
	c->in[m] = false;
	if (c->next[m] == m) {
		c->head = UINT32_MAX;
		return;
	}
	c->next[c->prev[m]] = c->next[m];
	c->prev[c->next[m]] = c->prev[m];
	c->head = c->next[m];
}

int moddeps_cycles(struct moddeps *g, void (*cb)(const uint32_t *path, size_t len, void *arg),
		   void *arg)
{
	size_t n1 = g->n ? g->n : 1;
	/* Candidates: modules with users left, taken out once they were
	 * found in a cycle, walked from or found without dependencies. */
	struct cands c = { calloc(n1, sizeof(uint32_t)), calloc(n1, sizeof(uint32_t)), calloc(n1, sizeof(bool)),
			   UINT32_MAX };
	/* kmod keeps "visited" across roots and so reports a module that was
	 * only below an earlier cycle as a cycle of its own; here it is per
	 * root (stamped with the root's number + 1). */
	uint32_t *visited = calloc(n1, sizeof(*visited));
	bool *inloop = calloc(n1, sizeof(*inloop));
	uint32_t *path = malloc((g->n + 1) * sizeof(*path));
	struct walk w = { 0 };
	int count = 0, err = 0;
	/* A bound on the work of pathological graphs. */
	size_t budget = 1u << 22;
	uint32_t last = UINT32_MAX;

	if (!c.next || !c.prev || !c.in || !visited || !inloop || !path) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < g->n; i++) {
		if (g->left == NULL || g->left[i] == 0)
			continue;
		c.in[i] = true;
		if (last == UINT32_MAX) {
			c.head = i;
		} else {
			c.next[last] = i;
			c.prev[i] = last;
		}
		last = i;
	}
	if (last != UINT32_MAX) {
		c.next[last] = c.head;
		c.prev[c.head] = last;
	}
	while (c.head != UINT32_MAX) {
		uint32_t r = c.head;

		cands_drop(&c, r);
		w.n = w.ns = 0;
		if ((err = push(&w, r, UINT32_MAX)) < 0)
			goto out;
		while (w.ns > 0 && budget > 0) {
			uint32_t vi = w.stack[--w.ns];
			uint32_t m = w.v[vi].mod;
			const struct moddeps_list *l = &g->deps[m];

			budget--;
			if (visited[m] == r + 1 && m == r) {
				size_t len = 0;

				/* The path from the root down to here, reversed. */
				for (uint32_t p = w.v[vi].parent; p != UINT32_MAX; p = w.v[p].parent)
					path[len++] = w.v[p].mod;
				for (size_t a = 0, b = len ? len - 1 : 0; a < b; a++, b--) {
					uint32_t t = path[a];

					path[a] = path[b];
					path[b] = t;
				}
				for (size_t k = 0; k < len; k++) {
					cands_drop(&c, path[k]);
					if (!inloop[path[k]]) {
						inloop[path[k]] = true;
						count++;
					}
				}
				path[len++] = m;
				cb(path, len, arg);
				continue;
			}
			visited[m] = r + 1;
			if (l->n == 0) {
				cands_drop(&c, m);
				continue;
			}
			if (vi != 0 && on_path(&w, vi, m))
				continue;
			for (uint32_t i = 0; i < l->n; i++)
				if ((err = push(&w, l->v[i], vi)) < 0)
					goto out;
		}
	}
out:
	free(w.v);
	free(w.stack);
	free(c.next);
	free(c.prev);
	free(c.in);
	free(visited);
	free(inloop);
	free(path);
	return err < 0 ? err : count;
}

/* ---- closure ------------------------------------------------------------ */

/* qsort_r's order of module numbers (arg: the topological index of each). */
static int by_order(const void *a, const void *b, void *arg)
{
	const uint32_t *order = arg;
	uint32_t x = order[*(const uint32_t *)a], y = order[*(const uint32_t *)b];

	return x < y ? -1 : x > y;
}

size_t moddeps_closure(struct moddeps *g, uint32_t mod, uint32_t *out)
{
	size_t n = 0, scan = 0;

	if (++g->epoch == 0) {
		memset(g->stamp, 0, g->n * sizeof(*g->stamp));
		g->epoch = 1;
	}
	/* Breadth first: out doubles as the queue. */
	for (uint32_t cur = mod;; cur = out[scan++]) {
		const struct moddeps_list *l = &g->deps[cur];

		for (uint32_t i = 0; i < l->n; i++) {
			uint32_t d = l->v[i];

			if (g->stamp[d] != g->epoch && d != mod) {
				g->stamp[d] = g->epoch;
				out[n++] = d;
			}
		}
		if (scan >= n)
			break;
	}
	if (n > 1)
		qsort_r(out, n, sizeof(*out), by_order, g->order);
	return n;
}

/* ---- kmod's string hash ------------------------------------------------- */

static uint32_t le16(const char *p)
{
	return (uint32_t)(unsigned char)p[0] | (uint32_t)(unsigned char)p[1] << 8;
}

uint32_t moddeps_kmod_hash(const char *key, size_t len)
{
	uint32_t h = (uint32_t)len, t;
	size_t rem = len & 3;

	for (len /= 4; len > 0; len--, key += 4) {
		h += le16(key);
		t = (le16(key + 2) << 11) ^ h;
		h = (h << 16) ^ t;
		h += h >> 11;
	}
	switch (rem) {
	case 3:
		h += le16(key);
		h ^= h << 16;
		/* a signed char, as on x86 */
		h ^= (uint32_t)((int32_t)(signed char)key[2] * (1 << 18));
		h += h >> 11;
		break;
	case 2:
		h += le16(key);
		h ^= h << 11;
		h += h >> 17;
		break;
	case 1:
		h += (uint32_t)(int32_t)(signed char)key[0];
		h ^= h << 10;
		h += h >> 1;
		break;
	}
	h ^= h << 3;
	h += h >> 5;
	h ^= h << 4;
	h += h >> 17;
	h ^= h << 25;
	h += h >> 6;
	return h;
}
