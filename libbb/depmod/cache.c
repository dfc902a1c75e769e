// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What depmod read from each module, kept for the next run
 * (CONFIG_FEATURE_DEPMOD_CACHE; off with --no-cache).
 *
 * The cache holds per-file facts only: for each module file, the calls
 * reading it made (dm_load_module in symbols.c) in their order: exports
 * with CRCs, .modinfo records kept, imports with weak flag and CRC, the
 * imports dropped as a whole, and the "failed to load symbols" warnings.
 * Never a resolved dependency: a run replays the facts of an unchanged file
 * through the same code a read takes (dm_apply_facts), then resolves and
 * writes everything as a full run does.
 *
 * An entry is used only when the file is the same one: path (relative to
 * the module folder, else absolute), st_dev, st_ino, size, mtime and ctime
 * (ns) all equal, a regular file, and both times older than the start of
 * the run that wrote it by CACHE_RACY_NS (git's "racy" rule: a file
 * changed in the same clock tick as it was read could keep its times).
 * Only files below the folder's top level are modules in practice; the
 * folder exchange of dirswap.c links only top-level files, and a module
 * there would only look changed (read again), never wrongly unchanged.
 *
 * The file, modules.depmod-cache in the output folder, is one more file of
 * the set dirswap.c replaces (created exclusively under a fresh name). It
 * is read whole into memory only up to CACHE_MAX bytes and trusted only
 * when the magic, format, byte order, this build's extraction key and the
 * checksum over all of it agree and every entry lies inside it; the facts
 * of an entry are checked again before they are replayed. Anything else:
 * the cache is ignored and the modules are read.
 *
 * Layout (host byte order; the order is part of the key):
 *   header: "MUDMCACH", u32 format, u32 0x01020304, u32 entries,
 *           u32 key length, i64 run start (ns), key, zero pad to 8
 *   entry:  u64 dev, ino, size; i64 mtime, ctime (ns); u32 path length,
 *           u32 facts length; path, facts, zero pad to 8
 *   u64 checksum of everything before it
 *   facts:  'E' u64 crc, u32 len, name      an export
 *           'A' type, u32 len, value        a .modinfo record ('a', 's', 'w')
 *           'I' weak, u64 crc, u32 len, name  an import
 *           'X'                             the imports dropped
 *           'W' u32 len, text               a warning about the file
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "autoconf.h"
#include "depmod_int.h"
#include "fileopen.h"
#include "kconfig.h"
#include "wbuf.h"

/* Bump when what symbols.c extracts, or how, changes. */
#define CACHE_FORMAT 1
#define CACHE_MAGIC "MUDMCACH"
#define CACHE_ORDER 0x01020304u
#define CACHE_HDR 32
#define CACHE_ENT 48
#define CACHE_MAX ((size_t)128 << 20)
#define CACHE_RACY_NS (3 * 1000000000LL)
#define CACHE_PATH_MAX 4096

struct dmcache {
	int64_t start;          /* this run's start (ns, CLOCK_REALTIME) */
	unsigned char *old;     /* the cache read, or NULL */
	size_t oldsize;
	int64_t oldstart;
	struct stab paths;      /* path -> offset of its entry in old */
	struct vec rec;         /* this run's facts (bytes) */
	bool rec_failed;        /* out of memory recording: write no entries */
	bool recording;         /* a cache is written (not -n) */
	char key[160];
	size_t keylen;
};

const char dm_cache_name[] = "modules.depmod-cache";

/* ---- checksum ------------------------------------------------------------ */

struct csum {
	uint64_t h, acc, len;
	unsigned nacc;
};

#define CSUM_K 0x9fb21c651e98df25ULL

static inline uint64_t csum_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * CSUM_K;
	return h ^ (h >> 29);
}

static void csum_feed(struct csum *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	c->len += n;
	while (c->nacc != 0 && n > 0) {
		c->acc |= (uint64_t)*p++ << (8 * c->nacc);
		n--;
		if (++c->nacc == 8) {
			c->h = csum_mix(c->h, c->acc);
			c->acc = 0;
			c->nacc = 0;
		}
	}
	/* words read little-endian, as the bytes above and below are put
	 * together: the sum of a stream does not depend on how it was cut */
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
			w = __builtin_bswap64(w);
		c->h = csum_mix(c->h, w);
	}
	for (; n > 0; n--)
		c->acc |= (uint64_t)*p++ << (8 * c->nacc++);
}

static uint64_t csum_end(struct csum *c)
{
	uint64_t h = csum_mix(c->h, c->acc);

	h = csum_mix(h, c->len);
	return h ^ (h >> 32);
}

uint64_t dm_cache_checksum(const void *data, size_t n)
{
	struct csum c = { .h = 0x243f6a8885a308d3ULL };

	csum_feed(&c, data, n);
	return csum_end(&c);
}

/* ---- facts ----------------------------------------------------------------- */

static inline uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

int dm_fact_next(const unsigned char *b, size_t n, size_t *pos, struct dm_fact *f)
{
	size_t p = *pos, need;

	if (p >= n)
		return 0;
	memset(f, 0, sizeof(*f));
	f->tag = (char)b[p++];
	switch (f->tag) {
	case 'E':
		need = 12;
		break;
	case 'A':
		need = 5;
		break;
	case 'I':
		need = 13;
		break;
	case 'W':
		need = 4;
		break;
	case 'X':
		*pos = p;
		return 1;
	default:
		return -1;
	}
	if (n - p < need)
		return -1;
	if (f->tag == 'A') {
		f->type = (char)b[p++];
		if (f->type != 'a' && f->type != 's' && f->type != 'w')
			return -1;
	} else if (f->tag == 'I') {
		if (b[p] > 1)
			return -1;
		f->weak = b[p++] != 0;
	}
	if (f->tag == 'E' || f->tag == 'I') {
		f->crc = get64(b + p);
		p += 8;
	}
	f->len = get32(b + p);
	p += 4;
	if (f->len > n - p)
		return -1;
	f->str = (const char *)b + p;
	*pos = p + f->len;
	return 1;
}

static void rec_put(struct dm *d, const void *data, size_t n)
{
	struct dmcache *c = d->cache;
	void *p;

	if (c->rec_failed)
		return;
	p = vec_push(&c->rec, n);
	if (p == NULL)
		c->rec_failed = true;
	else
		memcpy(p, data, n);
}

void dm_rec_fact(struct dm *d, char tag, char type, bool weak, uint64_t crc, const char *s, size_t len)
{
	unsigned char h[14];
	size_t n = 0;
	uint32_t l = (uint32_t)len;

	if (d->cache == NULL || !d->cache->recording)
		return;
	if (len > UINT32_MAX) {
		d->cache->rec_failed = true;
		return;
	}
	h[n++] = (unsigned char)tag;
	if (tag == 'A')
		h[n++] = (unsigned char)type;
	if (tag == 'I')
		h[n++] = weak;
	if (tag == 'E' || tag == 'I') {
		memcpy(h + n, &crc, 8);
		n += 8;
	}
	if (tag != 'X') {
		memcpy(h + n, &l, 4);
		n += 4;
	}
	rec_put(d, h, n);
	if (tag != 'X')
		rec_put(d, s, len);
}

/* ---- reading the old cache ------------------------------------------------- */

static void make_key(struct dmcache *c)
{
	int n = snprintf(c->key, sizeof(c->key), "modutils depmod %s format %d" MODCOMP_BUILD_KEY " max %zu ptr %zu",
			 MODUTILS_VERSION, CACHE_FORMAT, modfile_max_size, sizeof(void *));

	c->keylen = n > 0 && (size_t)n < sizeof(c->key) ? (size_t)n : 0;
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static size_t pad8(size_t n)
{
	return (8 - (n & 7)) & 7;
}

/* Check the whole buffer and index its entries in c->paths: 0, or -1 (not
 * to be trusted: nothing of it is used). */
static int parse(struct dmcache *c, const unsigned char *b, size_t n)
{
	size_t pos, keylen;
	uint32_t count;

	if (n < CACHE_HDR + 8 || n > CACHE_MAX || (n & 7) != 0)
		return -1;
	if (memcmp(b, CACHE_MAGIC, 8) != 0 || get32(b + 8) != CACHE_FORMAT || get32(b + 12) != CACHE_ORDER)
		return -1;
	if (get64(b + n - 8) != dm_cache_checksum(b, n - 8))
		return -1;
	count = get32(b + 16);
	keylen = get32(b + 20);
	c->oldstart = (int64_t)get64(b + 24);
	if (keylen != c->keylen || c->keylen == 0 || keylen > n - CACHE_HDR - 8 ||
	    memcmp(b + CACHE_HDR, c->key, keylen) != 0)
		return -1;
	pos = CACHE_HDR + keylen + pad8(keylen);
	if (pos > n - 8 || count > (n - 8 - pos) / CACHE_ENT)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		size_t plen, flen, room;
		struct sslot *s;

		/* pos <= n - 8 here: every length is checked against room left */
		if (n - 8 - pos < CACHE_ENT)
			return -1;
		room = n - 8 - pos - CACHE_ENT;
		plen = get32(b + pos + 40);
		flen = get32(b + pos + 44);
		if (plen == 0 || plen > CACHE_PATH_MAX || plen > room || flen > room - plen ||
		    pad8(plen + flen) > room - plen - flen)
			return -1;
		s = stab_get(&c->paths, (const char *)b + pos + CACHE_ENT, plen, true);
		if (s == NULL || s->val != UINT32_MAX || pos > UINT32_MAX - 1)
			return -1;  /* no memory, or a path twice */
		s->val = (uint32_t)pos;
		pos += CACHE_ENT + plen + flen + pad8(plen + flen);
	}
	return pos == n - 8 ? 0 : -1;
}

int dm_cache_check(const unsigned char *b, size_t n)
{
	struct dmcache *c = calloc(1, sizeof(*c));
	int r;

	if (c == NULL)
		return -1;
	make_key(c);
	r = parse(c, b, n) == 0 ? (int)c->paths.n : -1;
	stab_free(&c->paths);
	free(c);
	return r;
}

static void load_old(struct dm *d, struct dmcache *c)
{
	char path[PATH_MAX];
	struct stat st;
	unsigned char *b = NULL;
	size_t got = 0;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", d->outdir, dm_cache_name) >= (int)sizeof(path))
		return;
	fd = open_regular(AT_FDCWD, path);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || st.st_size < CACHE_HDR + 8 || (uint64_t)st.st_size > CACHE_MAX)
		goto out;
	b = malloc((size_t)st.st_size);
	if (b == NULL)
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == (size_t)st.st_size && parse(c, b, got) == 0) {
		c->old = b;
		c->oldsize = got;
		b = NULL;
	} else {
		stab_free(&c->paths);
		memset(&c->paths, 0, sizeof(c->paths));
	}
out:
	free(b);
	close(fd);
}

int dm_cache_open(struct dm *d, bool record)
{
	struct dmcache *c = calloc(1, sizeof(*c));
	struct timespec t;

	if (c == NULL)
		return -ENOMEM;
	c->rec.size = 1;
	c->recording = record;
	clock_gettime(CLOCK_REALTIME, &t);
	c->start = ts_ns(&t);
	make_key(c);
	d->cache = c;
	load_old(d, c);
	return 0;
}

void dm_cache_free(struct dm *d)
{
	struct dmcache *c = d->cache;

	if (c == NULL)
		return;
	stab_free(&c->paths);
	free(c->old);
	free(c->rec.v);
	free(c);
	d->cache = NULL;
}

/* ---- matching the modules ------------------------------------------------------- */

static const char *key_path(const struct dm *d, const struct mod *m)
{
	(void)d;
	return m->relpath ? m->relpath : m->path;
}

static void set_id(struct mod *m, const struct stat *st)
{
	m->cid.dev = (uint64_t)st->st_dev;
	m->cid.ino = (uint64_t)st->st_ino;
	m->cid.size = (uint64_t)st->st_size;
	m->cid.mtime = ts_ns(&st->st_mtim);
	m->cid.ctime = ts_ns(&st->st_ctim);
	m->cid.valid = S_ISREG(st->st_mode);
}

/* Whether id may be trusted in a cache of a run started at start. */
static bool settled(const struct dm_cache_id *id, int64_t start)
{
	return id->valid && id->mtime < start - CACHE_RACY_NS && id->ctime < start - CACHE_RACY_NS;
}

void dm_cache_match(struct dm *d)
{
	struct dmcache *c = d->cache;

	for (size_t i = 0; i < d->n; i++) {
		struct mod *m = d->array[i];
		const char *p = key_path(d, m);
		const unsigned char *e;
		struct sslot *s;
		struct stat st;

		m->cfacts = NULL;
		m->cid.valid = false;
		if (c->old == NULL || stat(m->path, &st) < 0)
			continue;
		set_id(m, &st);
		s = stab_get(&c->paths, p, strlen(p), false);
		if (s->key == NULL || !settled(&m->cid, c->oldstart))
			continue;
		e = c->old + s->val;
		if (get64(e) != m->cid.dev || get64(e + 8) != m->cid.ino || get64(e + 16) != m->cid.size ||
		    (int64_t)get64(e + 24) != m->cid.mtime || (int64_t)get64(e + 32) != m->cid.ctime)
			continue;
		m->cfacts = e + CACHE_ENT + get32(e + 40);
		m->cfacts_len = get32(e + 44);
	}
}

bool dm_cache_hit(const struct dm *d, const struct mod *m)
{
	return d->cache != NULL && m->cfacts != NULL;
}

void dm_cache_begin(struct dm *d, struct mod *m, const struct stat *st)
{
	struct dmcache *c = d->cache;

	if (c == NULL || !c->recording)
		return;
	m->rec_off = c->rec.n;
	m->cid.valid = false;
	/* The identity taken when the file was opened, before it was read: a
	 * change made while it was read then shows in its ctime next time,
	 * whatever the clocks of this machine and the file's server say. */
	if (st != NULL)
		set_id(m, st);
}

void dm_cache_end(struct dm *d, struct mod *m)
{
	struct dmcache *c = d->cache;

	if (c == NULL || !c->recording)
		return;
	m->rec_len = c->rec.n - m->rec_off;
	m->recorded = true;
}

int dm_cache_test_record(struct dm *d, const unsigned char **b, size_t *n)
{
	if (d->cache == NULL || d->cache->rec_failed)
		return -1;
	*b = d->cache->rec.v;
	*n = d->cache->rec.n;
	return 0;
}

/* ---- writing ---------------------------------------------------------------------- */

struct cwriter {
	struct wbuf *w;
	struct csum sum;
};

static void cput(struct cwriter *cw, const void *p, size_t n)
{
	csum_feed(&cw->sum, p, n);
	wput(cw->w, p, n);
}

static void cpad(struct cwriter *cw, size_t n)
{
	static const unsigned char zero[8];

	cput(cw, zero, pad8(n));
}

static bool entry_of(const struct dm *d, const struct mod *m, const unsigned char **facts, size_t *len)
{
	const struct dmcache *c = d->cache;

	if (!settled(&m->cid, c->start) || strlen(key_path(d, m)) > CACHE_PATH_MAX)
		return false;
	if (m->cfacts != NULL) {
		*facts = m->cfacts;
		*len = m->cfacts_len;
		return true;
	}
	if (c->rec_failed || !m->recorded)
		return false;
	*facts = (const unsigned char *)c->rec.v + m->rec_off;
	*len = m->rec_len;
	return true;
}

int dm_cache_write(struct dm *d, struct wbuf *w)
{
	struct dmcache *c = d->cache;
	struct cwriter cw = { .w = w, .sum = { .h = 0x243f6a8885a308d3ULL } };
	unsigned char hdr[CACHE_HDR];
	uint32_t count = 0, u32;
	uint64_t total = CACHE_HDR + c->keylen + pad8(c->keylen) + 8;
	const unsigned char *facts;
	size_t flen;

	for (size_t i = 0; i < d->n; i++) {
		const struct mod *m = d->array[i];

		if (!entry_of(d, m, &facts, &flen))
			continue;
		total += CACHE_ENT + strlen(key_path(d, m)) + flen;
		total += pad8(strlen(key_path(d, m)) + flen);
		count++;
	}
	/* too large to be read back: an empty cache (still a valid one) */
	bool none = total > CACHE_MAX || count == 0;

	memcpy(hdr, CACHE_MAGIC, 8);
	u32 = CACHE_FORMAT;
	memcpy(hdr + 8, &u32, 4);
	u32 = CACHE_ORDER;
	memcpy(hdr + 12, &u32, 4);
	u32 = none ? 0 : count;
	memcpy(hdr + 16, &u32, 4);
	u32 = (uint32_t)c->keylen;
	memcpy(hdr + 20, &u32, 4);
	memcpy(hdr + 24, &c->start, 8);
	cput(&cw, hdr, sizeof(hdr));
	cput(&cw, c->key, c->keylen);
	cpad(&cw, c->keylen);
	for (size_t i = 0; i < d->n && !none; i++) {
		const struct mod *m = d->array[i];
		unsigned char e[CACHE_ENT];
		const char *p = key_path(d, m);
		size_t plen = strlen(p);

		if (!entry_of(d, m, &facts, &flen))
			continue;
		memcpy(e, &m->cid.dev, 8);
		memcpy(e + 8, &m->cid.ino, 8);
		memcpy(e + 16, &m->cid.size, 8);
		memcpy(e + 24, &m->cid.mtime, 8);
		memcpy(e + 32, &m->cid.ctime, 8);
		u32 = (uint32_t)plen;
		memcpy(e + 40, &u32, 4);
		u32 = (uint32_t)flen;
		memcpy(e + 44, &u32, 4);
		cput(&cw, e, sizeof(e));
		cput(&cw, p, plen);
		cput(&cw, facts, flen);
		cpad(&cw, plen + flen);
	}
	uint64_t sum = csum_end(&cw.sum);

	wput(w, &sum, 8);
	wflush(w);
	return w->err;
}
