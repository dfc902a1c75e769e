// SPDX-License-Identifier: GPL-2.0-or-later
/* kmod's binary index format: lookups by key, and by key against patterns. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileopen.h"
#include "glob_match.h"
#include "modindex.h"
#include "xarray.h"

const char modindex_files[MODINDEX_NFILES][MODINDEX_NAME_MAX] = {
	[MODINDEX_DEP] = MODULES_DEP,
	[MODINDEX_ALIAS] = MODULES_ALIAS,
	[MODINDEX_SYMBOLS] = MODULES_SYMBOLS,
	[MODINDEX_BUILTIN] = MODULES_BUILTIN,
	[MODINDEX_BUILTIN_ALIAS] = MODULES_BUILTIN_ALIAS,
	[MODINDEX_SOFTDEP] = MODULES_SOFTDEP,
	[MODINDEX_WEAKDEP] = MODULES_WEAKDEP,
	[MODINDEX_DEVNAME] = MODULES_DEVNAME,
	[MODINDEX_BUILTIN_MODINFO] = MODULES_BUILTIN_MODINFO,
	[MODINDEX_ORDER] = MODULES_ORDER,
};

/* A key is at most a line of a modules file; deeper walks mean a loop. */
#define MAX_DEPTH 4096

/* Inlined: -Os would call it for each of a dump's hundreds of thousands
 * of numbers; in place it is a load and a byte swap. */
static inline __attribute__((always_inline)) uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The file is not mapped: its bytes are read with pread into a few cached
 * blocks (a lookup walks from the root along one path, and a subtree is
 * stored in one stretch of the file, so consecutive node reads mostly fall
 * into blocks already read). A batch of lookups then costs neither a page
 * fault per touched page nor a resident set that grows with the index, and
 * a file cut short under us is a read error, not a SIGBUS.
 *
 * The first reads of an index use quarter blocks: a single lookup (one
 * per hotplug event) reads some ten blocks along its path, and each page
 * it touches for the first time is a page fault, which costs more than
 * several preads (10 us against 1.3 us in a virtual machine); four
 * quarter blocks share a page. A batch goes on to whole blocks, which
 * need fewer reads.
 */
#define CACHE_SLOTS 16
#define CACHE_BLOCK 4096u
#define CACHE_FIRST_BLOCK 1024u
#define CACHE_FIRST_READS 48u

struct modindex_cache {
	size_t block;                 /* bytes per block now */
	size_t block_max;             /* the slots' size: the block after the first reads */
	unsigned char *mem;           /* the slots' blocks, one allocation made at the
	                                 first read (pages are touched only as slots fill;
	                                 a block each was a mapping per few blocks with musl) */
	uint64_t tag[CACHE_SLOTS];    /* block number + 1; 0: empty */
	size_t len[CACHE_SLOTS];      /* bytes held (the last block is short) */
	uint64_t used[CACHE_SLOTS];   /* when last used, for the replacement */
	uint64_t clock;
	unsigned last;                /* slot of the last hit */
	unsigned char *span;          /* a range across blocks, read whole */
	size_t span_cap;
	size_t span_off, span_len;    /* what span holds (the next lookup may
	                                 cross the same node near the root) */
	uint64_t reads;               /* preads made (for tests) */
	struct wild_scratch *scratch; /* a wildcard lookup's buffers, kept for the next */
};

static void scratch_free(struct wild_scratch *s);

/* Exactly len bytes at off; 0 or -EBADMSG (a read error, or a file that
 * became shorter than it was when opened). */
static int pread_all(int fd, unsigned char *buf, size_t len, size_t off)
{
	while (len > 0) {
		ssize_t r = pread(fd, buf, len, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EBADMSG;
		buf += r;
		len -= (size_t)r;
		off += (size_t)r;
	}
	return 0;
}

/* fetch() from the block cache: kept out of line, so that the fetches of
 * an index in memory (a dump reads hundreds of thousands) stay a compare
 * and an add in their callers. */
static __attribute__((noinline)) const unsigned char *fetch_cached(const struct modindex *idx, size_t off,
								    size_t need, size_t *avail)
{
	struct modindex_cache *c = idx->cache;
	size_t blk, in, want;
	unsigned slot;

	if (c->block < c->block_max && c->reads >= CACHE_FIRST_READS) {
		/* A batch: whole blocks from now on, the cache emptied. */
		c->block = c->block_max;
		memset(c->tag, 0, sizeof(c->tag));
	}
	blk = off / c->block;
	in = off % c->block;
	if (in + need <= c->block) {
		if (c->tag[c->last] == blk + 1) {
			slot = c->last;
		} else {
			slot = 0;
			for (unsigned i = 0; i < CACHE_SLOTS; i++) {
				if (c->tag[i] == blk + 1) {
					slot = i;
					goto hit;
				}
				if (c->used[i] < c->used[slot])
					slot = i;
			}
			if (c->mem == NULL && (c->mem = malloc(CACHE_SLOTS * c->block_max)) == NULL)
				return NULL;
			want = idx->size - blk * c->block;
			if (want > c->block)
				want = c->block;
			c->tag[slot] = 0;
			c->reads++;
			if (pread_all(idx->fd, c->mem + slot * c->block, want, blk * c->block) < 0)
				return NULL;
			c->tag[slot] = blk + 1;
			c->len[slot] = want;
		}
hit:
		c->used[slot] = ++c->clock;
		c->last = slot;
		*avail = c->len[slot] - in;
		return c->mem + slot * c->block + in;
	}
	/* Across blocks (a long prefix or value, a node on a boundary): read
	 * the range itself, with a block more for what usually follows. */
	if (c->span_len > 0 && off >= c->span_off && off - c->span_off + need <= c->span_len) {
		*avail = c->span_len - (off - c->span_off);
		return c->span + (off - c->span_off);
	}
	want = need + c->block;
	if (want > idx->size - off)
		want = idx->size - off;
	if (want > c->span_cap) {
		unsigned char *p = realloc(c->span, want);

		if (p == NULL)
			return NULL;
		c->span = p;
		c->span_cap = want;
	}
	c->reads++;
	c->span_len = 0;
	if (pread_all(idx->fd, c->span, want, off) < 0)
		return NULL;
	c->span_off = off;
	c->span_len = want;
	*avail = want;
	return c->span;
}

/*
 * At least need bytes of the file from off (the caller checks that
 * off + need <= size), contiguous; *avail says how many bytes from off the
 * answer holds. The pointer stays valid until the next fetch from the same
 * index (in memory: as long as the memory). NULL on a read error or when
 * memory runs out.
 */
static inline __attribute__((always_inline)) const unsigned char *fetch(const struct modindex *idx, size_t off,
									  size_t need, size_t *avail)
{
	if (idx->data != NULL) {
		*avail = idx->size - off;
		return idx->data + off;
	}
	return fetch_cached(idx, off, need, avail);
}

static int check_header(struct modindex *idx, const unsigned char *h)
{
	if (be32(h) != MODINDEX_MAGIC || be32(h + 4) >> 16 != MODINDEX_VERSION_MAJOR)
		return -EBADMSG;
	idx->root = be32(h + 8);
	return 0;
}

/* The index on fd, a regular file of st->st_size bytes: the header and the
 * first block come in one read (kmod 34's depmod puts the root there). */
static int open_fd(struct modindex *idx, int fd, const struct stat *st, size_t block)
{
	struct modindex_cache *c;
	size_t first;

	if (st->st_size < 12 || (uint64_t)st->st_size > REF_OFFSET)
		goto bad;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return -ENOMEM;
	}
	/* A block size given (tests) stays; else quarter blocks first. */
	c->block_max = block ? block : CACHE_BLOCK;
	c->block = block ? block : CACHE_FIRST_BLOCK;
	idx->cache = c;
	idx->fd = fd;
	idx->size = (size_t)st->st_size;
	first = idx->size < c->block ? idx->size : c->block;
	if (first >= 12) {
		size_t avail;
		const unsigned char *h = fetch(idx, 0, first, &avail);

		if (h != NULL && check_header(idx, h) == 0)
			return 0;
	} else {
		unsigned char h[12];

		if (pread_all(fd, h, sizeof(h), 0) == 0 && check_header(idx, h) == 0)
			return 0;
	}
	modindex_close(idx);
	return -EBADMSG;
bad:
	close(fd);
	return -EBADMSG;
}

int modindex_open_fd(struct modindex *idx, int fd, size_t block)
{
	struct stat st;

	memset(idx, 0, sizeof(*idx));
	idx->fd = -1;
	fd = regular_fd(fd, &st);
	if (fd < 0)
		return fd == -EMEDIUMTYPE ? -EBADMSG : fd;
	return open_fd(idx, fd, &st, block);
}

int modindex_open(struct modindex *idx, const char *path)
{
	/* open_regular()'s checks, with the one fstat kept */
	struct stat st;
	int fd = open_regular_st(AT_FDCWD, path, &st);

	memset(idx, 0, sizeof(*idx));
	idx->fd = -1;
	if (fd < 0)
		return fd;
	return open_fd(idx, fd, &st, 0);
}

int modindex_open_mem(struct modindex *idx, const void *data, size_t size)
{
	memset(idx, 0, sizeof(*idx));
	idx->fd = -1;
	if (size < 12 || (uint64_t)size > REF_OFFSET || check_header(idx, data) < 0) {
		memset(idx, 0, sizeof(*idx));
		idx->fd = -1;
		return -EBADMSG;
	}
	idx->data = data;
	idx->size = size;
	return 0;
}

void modindex_release(const struct modindex *idx)
{
	/* Nothing is mapped: the cache is all the index holds. */
	(void)idx;
}

uint64_t modindex_reads(const struct modindex *idx)
{
	return idx->cache ? idx->cache->reads : 0;
}

void modindex_close(struct modindex *idx)
{
	if (idx->cache != NULL) {
		scratch_free(idx->cache->scratch);
		free(idx->cache->mem);
		free(idx->cache->span);
		free(idx->cache);
	}
	if (idx->fd >= 0)
		close(idx->fd);
	memset(idx, 0, sizeof(*idx));
	idx->fd = -1;
}

/* A decoded node. prefix and children point into the last fetch: valid
 * until the next read from the index; the offsets stay valid. */
struct node {
	const char *prefix;        /* "" when the node has none */
	size_t prefix_len;
	unsigned char first, last; /* children range, when nchildren > 0 */
	const unsigned char *children;
	size_t children_off;
	unsigned nchildren;
	size_t values_off;
	uint32_t nvalues;
};

/* A NUL-terminated string at *off inside the file: *s valid until the
 * next fetch. */
static int read_string(const struct modindex *idx, size_t *off, const char **s, size_t *len)
{
	const unsigned char *p;
	const char *end;
	size_t avail, left;

	if (*off >= idx->size)
		return -EBADMSG;
	left = idx->size - *off;
	p = fetch(idx, *off, 1, &avail);
	while (p != NULL && (end = memchr(p, '\0', avail)) == NULL) {
		if (avail >= left)
			return -EBADMSG;
		p = fetch(idx, *off, avail > left / 2 ? left : avail * 2, &avail);
	}
	if (p == NULL)
		return -EBADMSG;
	*s = (const char *)p;
	*len = (size_t)(end - (const char *)p);
	*off += *len + 1;
	return 0;
}

static int read_node(const struct modindex *idx, uint32_t ref, struct node *n)
{
	size_t base = ref & REF_OFFSET, pos = 0, avail = 0, left;
	const unsigned char *p = NULL;

	/* Field by field: cheaper than a memset of the whole (a dump reads
	 * every node). */
	n->prefix = "";
	n->prefix_len = 0;
	n->first = n->last = 0;
	n->children = NULL;
	n->children_off = n->values_off = 0;
	n->nchildren = 0;
	n->nvalues = 0;
	/* Offset 0 is the header: no node lives there. A node with no prefix,
	 * children or values takes no bytes: kmod's depmod writes one as the
	 * root of an empty index, at the very end of the file. */
	if (base < 12 || base > idx->size || (base == idx->size && (ref & ~REF_OFFSET) != 0))
		return -EBADMSG;
	if ((ref & ~REF_OFFSET) == 0)
		return 0;
	left = idx->size - base;
	/* The node's bytes as one stretch: fetched again, longer, when a
	 * part turns out not to be in what was fetched. */
#define NEED(k) do { \
		if ((k) > left) \
			return -EBADMSG; \
		if ((k) > avail && (p = fetch(idx, base, (k), &avail)) == NULL) \
			return -EBADMSG; \
	} while (0)
	if (ref & REF_PREFIX) {
		const unsigned char *end;

		NEED(1);
		while ((end = memchr(p, '\0', avail)) == NULL) {
			if (avail >= left)
				return -EBADMSG;
			NEED(avail > left / 2 ? left : avail * 2);
		}
		n->prefix_len = (size_t)(end - p);
		pos = n->prefix_len + 1;
	}
	if (ref & REF_CHILDS) {
		NEED(pos + 2);
		n->first = p[pos];
		n->last = p[pos + 1];
		if (n->last < n->first)
			return -EBADMSG;
		n->nchildren = (unsigned)(n->last - n->first) + 1;
		pos += 2;
		if ((left - pos) / 4 < n->nchildren)
			return -EBADMSG;
		n->children_off = base + pos;
		pos += 4u * n->nchildren;
		NEED(pos);
	}
	if (ref & REF_VALUES) {
		NEED(pos + 4);
		n->nvalues = be32(p + pos);
		pos += 4;
		/* Each value takes at least 5 bytes: bounds the count. */
		if (n->nvalues > (left - pos) / 5)
			return -EBADMSG;
		n->values_off = base + pos;
	}
#undef NEED
	if (ref & REF_PREFIX)
		n->prefix = (const char *)p;
	if (ref & REF_CHILDS)
		n->children = p + (n->children_off - base);
	return 0;
}

/* The child of n for c (0: none), from the node's fetch: only while no
 * other read has been made since read_node. */
static uint32_t child_ref(const struct node *n, unsigned char c)
{
	if (n->nchildren == 0 || c < n->first || c > n->last)
		return 0;
	return be32(n->children + 4u * (unsigned)(c - n->first));
}

/* The i-th child reference of n, read again: for walks that read other
 * nodes between two children. 0 or -EBADMSG. */
static int child_at(const struct modindex *idx, const struct node *n, unsigned i, uint32_t *ref)
{
	size_t avail;
	const unsigned char *p = fetch(idx, n->children_off + 4u * i, 4, &avail);

	if (p == NULL)
		return -EBADMSG;
	*ref = be32(p);
	return 0;
}

/* The child of n for c, read again (see child_at); 0 when there is none. */
static int child_for(const struct modindex *idx, const struct node *n, unsigned char c, uint32_t *ref)
{
	*ref = 0;
	if (n->nchildren == 0 || c < n->first || c > n->last)
		return 0;
	return child_at(idx, n, (unsigned)(c - n->first), ref);
}

/* The value at *off: its priority and string (valid until the next read). */
static int read_value(const struct modindex *idx, size_t *off, uint32_t *prio, const char **v, size_t *len)
{
	const unsigned char *p;
	size_t avail;

	if (idx->size - *off < 4 || (p = fetch(idx, *off, 4, &avail)) == NULL)
		return -EBADMSG;
	*prio = be32(p);
	*off += 4;
	return read_string(idx, off, v, len);
}

static int emit_values(const struct modindex *idx, const struct node *n, modindex_value_fn *cb,
		       void *arg, int *count)
{
	size_t off = n->values_off;

	for (uint32_t i = 0; i < n->nvalues; i++) {
		uint32_t prio;
		const char *v;
		size_t len;

		if (read_value(idx, &off, &prio, &v, &len) < 0)
			return -EBADMSG;
		(*count)++;
		if (cb != NULL && cb(v, prio, arg) != 0)
			return 1;
	}
	return 0;
}

int modindex_lookup(const struct modindex *idx, const char *key, modindex_value_fn *cb, void *arg)
{
	uint32_t ref = idx->root;
	int count = 0;

	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		struct node n;
		int r;

		if ((ref & REF_OFFSET) == 0)
			return 0;
		if (read_node(idx, ref, &n) < 0)
			return -EBADMSG;
		if (strncmp(key, n.prefix, n.prefix_len) != 0)
			return 0;
		key += n.prefix_len;
		if (*key == '\0') {
			r = emit_values(idx, &n, cb, arg, &count);
			return r < 0 ? r : count;
		}
		ref = child_ref(&n, (unsigned char)*key);
		key++;
	}
	return -EBADMSG;
}

/* ---- wildcard lookups --------------------------------------------------- */

struct wild {
	const struct modindex *idx;
	const char *key;
	modindex_value_fn *cb;
	void *arg;
	int count;
	char *pat;         /* the pattern spelled by the path so far */
	size_t len, cap;   /* a stack: its own capacity (see xarray.h) */
	int depth;
	uint64_t visits;   /* node reads it may still make (walk_budget) */
	uint64_t spell;    /* pattern bytes it may still match or hand out */
	/* Glob matching while walking: one set of key positions per pattern
	 * character (byte i set: the pattern so far can match key[0..i)). */
	size_t klen;
	unsigned char *sets;
	size_t sets_bytes, nsets;
	/* Per level, the first and last key position that may be set: only
	 * those are read, so a step costs the live positions, not the key's
	 * length (after a literal character that is usually one). */
	struct span { size_t lo, hi; } *live;
	size_t live_cap;
	/* Matches, sorted before they are handed out (see collect()); each
	 * value is a copy in vals (the index's bytes do not stay in memory). */
	struct match { size_t voff; uint32_t prio; uint32_t seq; } *found;
	size_t nfound, found_cap;
	char *vals;
	size_t vals_len, vals_cap;
};

/*
 * The buffers of a wildcard lookup outlive it, in the index's cache: a
 * batch (modprobe -a over hundreds of modaliases) then allocates them once,
 * not once per lookup (musl's allocator hands an emptied group back to the
 * kernel, so a lookup's malloc and free were a mmap and a munmap).
 */
struct wild_scratch {
	char *pat;
	size_t cap;
	unsigned char *sets;
	size_t sets_bytes;
	struct span *live;
	size_t live_cap;
	struct match *found;
	size_t found_cap;
	char *vals;
	size_t vals_cap;
};

/* The cache's buffers, taken out of it for the lookup: a callback that
 * looks the index up again finds none there and uses its own (the values
 * handed out stay where they are). */
static void scratch_take(struct wild *w, struct modindex_cache *c)
{
	struct wild_scratch *s = c ? c->scratch : NULL;

	if (s == NULL)
		return;
	w->pat = s->pat, w->cap = s->cap;
	w->sets = s->sets, w->sets_bytes = s->sets_bytes;
	w->live = s->live, w->live_cap = s->live_cap;
	w->found = s->found, w->found_cap = s->found_cap;
	w->vals = s->vals, w->vals_cap = s->vals_cap;
	w->nsets = w->sets_bytes / (w->klen + 1);
	if (w->nsets > w->live_cap)
		w->nsets = w->live_cap;
	*s = (struct wild_scratch){ 0 };
}

/* Back into the cache for the next lookup, or freed (an index in memory
 * has no cache, the scratch could not be allocated, or a nested lookup
 * put its own back first). */
static void scratch_give(struct wild *w, struct modindex_cache *c)
{
	struct wild_scratch *s = c ? c->scratch : NULL;

	if (c != NULL && s == NULL)
		s = c->scratch = calloc(1, sizeof(*s));
	if (s == NULL || s->pat != NULL || s->sets != NULL || s->live != NULL || s->found != NULL ||
	    s->vals != NULL) {
		free(w->pat);
		free(w->sets);
		free(w->live);
		free(w->found);
		free(w->vals);
		return;
	}
	*s = (struct wild_scratch){ w->pat, w->cap, w->sets, w->sets_bytes, w->live, w->live_cap,
				    w->found, w->found_cap, w->vals, w->vals_cap };
}

static void scratch_free(struct wild_scratch *s)
{
	if (s == NULL)
		return;
	free(s->pat);
	free(s->sets);
	free(s->live);
	free(s->found);
	free(s->vals);
	free(s);
}

/* Room for more bytes after len in the string buffer *buf of *cap bytes:
 * 0, or -ENOMEM (the buffer unchanged). */
static int room(char **buf, size_t *cap, size_t len, size_t more)
{
	size_t want;
	char *p;

	if (*cap - len >= more)
		return 0;
	want = (*cap + more + 32) * 2;
	p = realloc(*buf, want);
	if (p == NULL)
		return -ENOMEM;
	*buf = p;
	*cap = want;
	return 0;
}

/* Every value of a matching node. kmod's reader keeps them ordered by
 * priority, a value found later going before an equal one found earlier;
 * collecting in kmod's walk order and sorting so gives its exact order. */
static int collect(struct wild *w, const struct node *n)
{
	size_t off = n->values_off;

	for (uint32_t i = 0; i < n->nvalues; i++) {
		struct match *m;
		const char *v;
		uint32_t prio;
		size_t len;

		if (read_value(w->idx, &off, &prio, &v, &len) < 0)
			return -EBADMSG;
		if (w->nfound == w->found_cap) {
			size_t cap = w->found_cap * 2 + 8;

			if ((m = reallocarray(w->found, cap, sizeof(*m))) == NULL)
				return -ENOMEM;
			w->found = m;
			w->found_cap = cap;
		}
		if (room(&w->vals, &w->vals_cap, w->vals_len, len + 1) < 0)
			return -ENOMEM;
		m = &w->found[w->nfound];
		m->voff = w->vals_len;
		memcpy(w->vals + w->vals_len, v, len);
		w->vals[w->vals_len + len] = '\0';
		w->vals_len += len + 1;
		m->prio = prio;
		m->seq = (uint32_t)w->nfound++;
	}
	return 0;
}

static int cmp_match(const void *a, const void *b)
{
	const struct match *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->seq > y->seq ? -1 : x->seq < y->seq;
}

static int pat_push(struct wild *w, const char *s, size_t n)
{
	if (n > w->idx->size - w->len)
		return -EBADMSG;   /* longer than any path of a tree */
	if (room(&w->pat, &w->cap, w->len, n + 1) < 0)
		return -ENOMEM;
	memcpy(w->pat + w->len, s, n);
	w->len += n;
	w->pat[w->len] = '\0';
	return 0;
}

/* Leaving a node: the pattern back to what it was on entry, one level up. */
static void walk_leave(struct wild *w, size_t saved)
{
	w->len = saved;
	if (w->pat)
		w->pat[saved] = '\0';
	w->depth--;
}

static bool is_wild(char c)
{
	return c == '*' || c == '?' || c == '[';
}

/*
 * What one walk may do. A well-formed index is a tree: a dump reads each
 * node once, and a node takes more bytes of the file than 1 + the length of
 * its prefix (its prefix is stored with a NUL, and each node but the root
 * is named by a 4-byte child reference), so reading each node at that cost
 * adds up to at most the file's size. A wildcard lookup reads a subtree
 * again for each wildcard of the key that is also walked literally, so it
 * gets that many times more. The patterns a walk matches with glob_match
 * or hands to a dump's callback get 16 times that in bytes: a real
 * modules.alias.bin of 1.2 MB needs a few hundred per lookup and about
 * its own size for a dump. A hostile file whose children share nodes (a
 * DAG of depth 30 is 2^30 paths in a few hundred bytes), or that repeats
 * long prefixes, runs out instead of running for hours: -EBADMSG. For the
 * same reason the pattern spelled along a path is never longer than the
 * file (pat_push).
 */
static void walk_budget(struct wild *w, const char *key)
{
	uint64_t wilds = 1;

	for (; *key; key++)
		wilds += is_wild(*key);
	w->visits = ((uint64_t)w->idx->size + 1) * wilds;
	w->spell = w->visits * 16;
}

/* The node at ref, if the walk may still read it. */
static int walk_read(struct wild *w, uint32_t ref, struct node *n)
{
	uint64_t cost;

	if (w->visits == 0 || read_node(w->idx, ref, n) < 0)
		return -EBADMSG;
	cost = 1 + (uint64_t)n->prefix_len;
	if (cost > w->visits)
		return -EBADMSG;
	w->visits -= cost;
	return 0;
}

/* The pattern spelled so far is about to be matched or handed out. */
static int walk_spell(struct wild *w)
{
	if (w->len > w->spell)
		return -EBADMSG;
	w->spell -= w->len;
	return 0;
}

/* Every pattern in the subtree at ref (whose path so far is w->pat) is
 * matched against the whole key. */
static int wild_all(struct wild *w, uint32_t ref)
{
	struct node n;
	size_t saved = w->len;
	int r = 0;

	if (++w->depth > MAX_DEPTH)
		return -EBADMSG;
	if (walk_read(w, ref, &n) < 0 || pat_push(w, n.prefix, n.prefix_len) < 0) {
		r = -EBADMSG;
		goto out;
	}
	/* Children first, then the node's own values: kmod's walk order. */
	for (unsigned i = 0; i < n.nchildren; i++) {
		uint32_t c;
		char ch = (char)(n.first + i);

		if ((r = child_at(w->idx, &n, i, &c)) < 0)
			goto out;
		if ((c & REF_OFFSET) == 0)
			continue;
		if ((r = pat_push(w, &ch, 1)) < 0 || (r = wild_all(w, c)) != 0)
			goto out;
		w->len--;
		w->pat[w->len] = '\0';
	}
	if (n.nvalues > 0 && (r = walk_spell(w)) == 0 && glob_match(w->pat, w->key))
		r = collect(w, &n);
out:
	walk_leave(w, saved);
	return r;
}

static unsigned char *set_at(struct wild *w, size_t level)
{
	return w->sets + level * (w->klen + 1);
}

static int sets_reserve(struct wild *w, size_t levels)
{
	unsigned char *p;

	if (levels <= w->nsets)
		return 0;
	levels = levels * 2 + 16;
	if (levels * (w->klen + 1) > w->sets_bytes) {
		p = realloc(w->sets, levels * (w->klen + 1));
		if (p == NULL)
			return -ENOMEM;
		w->sets = p;
		w->sets_bytes = levels * (w->klen + 1);
	}
	if (levels > w->live_cap) {
		p = realloc(w->live, levels * sizeof(*w->live));
		if (p == NULL)
			return -ENOMEM;
		w->live = (struct span *)p;
		w->live_cap = levels;
	}
	w->nsets = levels;
	return 0;
}

/* Advance the set of level by one pattern character into level + 1;
 * false when no key position is left (the subtree cannot match). */
static bool glob_step(struct wild *w, size_t level, char c)
{
	const unsigned char *in = set_at(w, level);
	unsigned char *out = set_at(w, level + 1);
	size_t lo = w->live[level].lo, hi = w->live[level].hi, first = SIZE_MAX, last = 0;

	/* Positions of in outside [lo, hi] are 0 (never read); every position
	 * of out inside its new span is written. */
	if (c == '*') {
		while (lo <= hi && !in[lo])
			lo++;
		if (lo > hi)
			return false;
		memset(out + lo, 1, w->klen + 1 - lo);
		w->live[level + 1] = (struct span){ lo, w->klen };
		return true;
	}
	for (size_t i = lo; i <= hi && i < w->klen; i++) {
		bool on = in[i] && (c == '?' || w->key[i] == c);

		out[i + 1] = on;
		if (on) {
			if (first == SIZE_MAX)
				first = i + 1;
			last = i + 1;
		}
	}
	if (first == SIZE_MAX)
		return false;
	w->live[level + 1] = (struct span){ first, last };
	return true;
}

/* Whether the pattern spelled up to level matches the whole key. */
static bool glob_done(struct wild *w, size_t level)
{
	return w->live[level].hi == w->klen && w->live[level].lo <= w->klen && set_at(w, level)[w->klen];
}

/* Brackets and backslashes need glob_match's full syntax. */
static bool needs_full_glob(char c)
{
	return c == '[' || c == '\\';
}

/*
 * The subtree at ref, matched as it is walked: each pattern character
 * updates the set of key positions, and a subtree whose set runs empty is
 * skipped whole. So a lookup under "of:N*" reads only the patterns whose
 * literal parts occur in the key, instead of running glob_match on them all.
 * Patterns with [...] or \ are left to glob_match.
 */
static int glob_walk(struct wild *w, uint32_t ref, size_t level)
{
	struct node n;
	size_t saved = w->len, cur = level;
	int r = 0;

	if (++w->depth > MAX_DEPTH || walk_read(w, ref, &n) < 0) {
		r = -EBADMSG;
		goto out;
	}
	for (size_t i = 0; i < n.prefix_len; i++)
		if (needs_full_glob(n.prefix[i])) {
			w->depth--;
			r = wild_all(w, ref);
			w->depth++;
			goto out;
		}
	if ((r = pat_push(w, n.prefix, n.prefix_len)) < 0 || (r = sets_reserve(w, level + n.prefix_len + 2)) < 0)
		goto out;
	for (size_t i = 0; i < n.prefix_len; i++, cur++)
		if (!glob_step(w, cur, n.prefix[i]))
			goto out;
	for (unsigned i = 0; i < n.nchildren && r == 0; i++) {
		uint32_t c;
		char ch = (char)(n.first + i);

		if ((r = child_at(w->idx, &n, i, &c)) < 0)
			break;
		if ((c & REF_OFFSET) == 0)
			continue;
		if ((r = pat_push(w, &ch, 1)) < 0)
			break;
		if (needs_full_glob(ch))
			r = wild_all(w, c);
		else if (glob_step(w, cur, ch))
			r = glob_walk(w, c, cur + 1);
		w->len--;
		w->pat[w->len] = '\0';
	}
	/* The level-cur set is intact: children only write deeper levels. */
	if (r == 0 && n.nvalues > 0 && glob_done(w, cur))
		r = collect(w, &n);
out:
	walk_leave(w, saved);
	return r;
}

/* Start glob_walk at key position k. */
static int glob_from(struct wild *w, uint32_t ref, size_t k, const char *edge)
{
	int r = sets_reserve(w, 2);

	if (r < 0)
		return r;
	set_at(w, 0)[k] = 1;
	w->live[0] = (struct span){ k, k };
	if (edge == NULL)
		return glob_walk(w, ref, 0);
	if (needs_full_glob(*edge))
		return wild_all(w, ref);
	return glob_step(w, 0, *edge) ? glob_walk(w, ref, 1) : 0;
}

/* Walk the part of the trie that spells the key literally; wherever a
 * stored pattern has a wildcard, match its whole subtree with glob_match. */
static int wild_walk(struct wild *w, uint32_t ref, size_t k)
{
	struct node n;
	size_t saved = w->len;
	int r = 0;
	static const char wilds[] = "*?[";

	if (++w->depth > MAX_DEPTH)
		return -EBADMSG;
	if (walk_read(w, ref, &n) < 0) {
		r = -EBADMSG;
		goto out;
	}
	for (size_t i = 0; i < n.prefix_len; i++) {
		if (is_wild(n.prefix[i])) {
			/* The rest of this node and all below: matched as walked. */
			w->depth--;
			r = glob_from(w, ref, k, NULL);
			w->depth++;
			goto out;
		}
		if (n.prefix[i] != w->key[k + i])
			goto out;
	}
	if ((r = pat_push(w, n.prefix, n.prefix_len)) < 0)
		goto out;
	k += n.prefix_len;
	for (const char *c = wilds; *c; c++) {
		uint32_t cref;

		if ((r = child_for(w->idx, &n, (unsigned char)*c, &cref)) < 0)
			goto out;
		if ((cref & REF_OFFSET) == 0)
			continue;
		if ((r = pat_push(w, c, 1)) < 0 || (r = glob_from(w, cref, k, c)) != 0)
			goto out;
		w->len--;
		w->pat[w->len] = '\0';
	}
	if (w->key[k] == '\0') {
		r = collect(w, &n);
	} else {
		uint32_t cref;

		/* A key with a '*' of its own also walks that child literally,
		 * finding its patterns twice as kmod does. */
		r = child_for(w->idx, &n, (unsigned char)w->key[k], &cref);
		if (r == 0 && (cref & REF_OFFSET) != 0 && (r = pat_push(w, &w->key[k], 1)) == 0)
			r = wild_walk(w, cref, k + 1);
	}
out:
	walk_leave(w, saved);
	return r;
}

int modindex_lookup_wild(const struct modindex *idx, const char *key, modindex_value_fn *cb, void *arg)
{
	struct wild w = { .idx = idx, .key = key, .cb = cb, .arg = arg, .klen = strlen(key) };
	int r;

	walk_budget(&w, key);
	if ((idx->root & REF_OFFSET) == 0)
		return 0;
	scratch_take(&w, idx->cache);
	r = pat_push(&w, "", 0);
	if (r == 0)
		r = wild_walk(&w, idx->root, 0);
	if (r == 0 && w.nfound > 0) {
		qsort(w.found, w.nfound, sizeof(*w.found), cmp_match);
		for (size_t i = 0; i < w.nfound; i++)
			if (cb != NULL && cb(w.vals + w.found[i].voff, w.found[i].prio, arg) != 0)
				break;
	}
	scratch_give(&w, idx->cache);
	return r < 0 ? r : (int)w.nfound;
}

/* ---- dumping ------------------------------------------------------------ */

struct dump {
	const struct modindex *idx;
	modindex_entry_fn *cb;
	void *arg;
	struct wild w;   /* only its key buffer and budgets are used */
	int depth;
	bool spent;      /* the spelling budget ran out in dump_value */
};

static int dump_value(const char *value, uint32_t prio, void *arg)
{
	struct dump *d = arg;

	/* emit_values() takes any non-zero answer as "stop" */
	if (walk_spell(&d->w) < 0) {
		d->spent = true;
		return 1;
	}
	return d->cb(d->w.pat, value, prio, d->arg);
}

static int dump_node(struct dump *d, uint32_t ref)
{
	struct node n;
	size_t saved = d->w.len;
	int count = 0, r;

	if (++d->depth > MAX_DEPTH || walk_read(&d->w, ref, &n) < 0)
		return -EBADMSG;
	r = pat_push(&d->w, n.prefix, n.prefix_len);
	if (r == 0)
		r = emit_values(d->idx, &n, dump_value, d, &count);
	if (d->spent)
		r = -EBADMSG;
	/* The index is in memory (modindex_dump): the node's children stay
	 * where read_node found them while its subtrees are read. */
	for (unsigned i = 0; i < n.nchildren && r == 0; i++) {
		uint32_t c = be32(n.children + 4u * i);
		char ch = (char)(n.first + i);

		if ((c & REF_OFFSET) == 0)
			continue;
		r = pat_push(&d->w, &ch, 1);
		if (r == 0)
			r = dump_node(d, c);
		d->w.len--;
	}
	d->w.len = saved;
	d->w.pat[saved] = '\0';
	d->depth--;
	return r;
}

int modindex_dump(const struct modindex *idx, modindex_entry_fn *cb, void *arg)
{
	struct dump d = { .idx = idx, .cb = cb, .arg = arg, .w.idx = idx };
	struct modindex whole;
	unsigned char *buf = NULL;
	int r = 0;

	/* A dump visits every node: the file is read whole, once, instead of
	 * block by block through the cache (which a walk of everything would
	 * go round again and again). */
	if (idx->data == NULL && idx->size > 0) {
		buf = malloc(idx->size);   /* at most 256 MiB: open_fd's bound */
		if (buf == NULL)
			return -ENOMEM;
		idx->cache->reads++;
		if (pread_all(idx->fd, buf, idx->size, 0) < 0) {
			free(buf);
			return -EBADMSG;
		}
		whole = *idx;
		whole.data = buf;
		d.idx = d.w.idx = &whole;
	}
	walk_budget(&d.w, "");
	if ((idx->root & REF_OFFSET) != 0) {
		r = pat_push(&d.w, "", 0);
		if (r == 0)
			r = dump_node(&d, idx->root);
	}
	free(d.w.pat);
	free(buf);
	return r < 0 ? r : 0;
}
