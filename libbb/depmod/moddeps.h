/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODDEPS_H
#define MODUTILS_MODDEPS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The dependency graph of depmod: modules are numbers 0..n-1 (their
 * position in modules.order order), an edge a -> b says a uses a symbol of
 * b. The orders follow kmod's depmod exactly, so that modules.dep lists
 * dependencies in the same order:
 *  - moddeps_sort: topological order, modules nobody uses first; roots are
 *    taken from a stack (last pushed first), starting with the unused
 *    modules in number order, and a module's dependencies are released in
 *    the order their edges were added;
 *  - moddeps_closure: every module a module needs, directly or not, in
 *    that topological order.
 */
struct moddeps_list {
	uint32_t *v;            /* an xarray */
	uint32_t n;
};

struct moddeps {
	uint32_t n;
	struct moddeps_list *deps;   /* per module, in the order added */
	uint32_t *users;             /* how many modules use each */
	uint32_t *order;             /* topological index per module */
	uint32_t *stamp;             /* scratch for moddeps_closure */
	uint32_t *left;              /* users left after a failed sort */
	uint32_t epoch;
};

int moddeps_init(struct moddeps *g, uint32_t n);
void moddeps_free(struct moddeps *g);

/* Add the edge mod -> dep unless present. 0 or -ENOMEM. */
int moddeps_add(struct moddeps *g, uint32_t mod, uint32_t dep);

/* Topological order into g->order. 0, or -ELOOP when modules are left in
 * cycles (then report them with moddeps_cycles). -ENOMEM. */
int moddeps_sort(struct moddeps *g);

/*
 * After moddeps_sort failed: every cycle, found the way kmod's depmod finds
 * them, is given to cb as the path of modules a -> b -> ... -> a (len
 * includes the repeated first module). Returns the number of distinct
 * modules in cycles, or -ENOMEM.
 */
int moddeps_cycles(struct moddeps *g, void (*cb)(const uint32_t *path, size_t len, void *arg),
		   void *arg);

/* Every module mod needs into out (room for g->n), in topological order;
 * returns how many. */
size_t moddeps_closure(struct moddeps *g, uint32_t mod, uint32_t *out);

/* The string hash kmod's hash tables use (Paul Hsieh's SuperFastHash, as
 * on a little-endian host): depmod's output follows their iteration
 * order, bucket (hash & (buckets - 1)) by bucket, keys sorted in each. */
uint32_t moddeps_kmod_hash(const char *key, size_t len);

#endif
