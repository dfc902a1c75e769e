// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading ahead.
 * When the tree has compressed modules, worker threads decompress the next
 * ones while the main thread indexes the current one, strictly in module
 * order. At most WINDOW modules are held at a time, and their images
 * take at most AHEAD_BUDGET bytes together: a worker whose module would
 * grow past it waits; the current module (the one the main thread waits
 * for or indexes) never waits. So a module larger than the budget is still
 * read, alone, and memory is bounded by the largest module or the budget,
 * not by WINDOW largest modules. */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "depmod_int.h"
#include "kernel.h"
#include "outbuf.h"
#include "runheap.h"

#define WINDOW 4
#define AHEAD_BUDGET ((size_t)32 << 20)
/* Threads only pay where there is something to decompress: without a
 * decompressor the pthread code (and what it pulls from a static libc)
 * is not linked at all. */
#define AHEAD_THREADS MODCOMP_ANY_ENABLED

struct ahead;

struct slot {
	struct modfile mf;
	struct ahead *a;
	size_t index;         /* the module it holds */
	size_t charge;        /* its bytes counted in a->held */
	bool waiting;         /* in ahead_admit, for room */
	int err;
	bool ready;
	struct outbuf_keep keep;  /* its last module's mappings, for the next */
};

struct ahead {
	struct dm *d;
	pthread_mutex_t lock;
	unsigned int seq;     /* the condition's futex: changed by every ahead_broadcast */
	int waiters;          /* threads in ahead_wait */
	size_t next, consumed;
	size_t current;       /* the module the main thread waits for or indexes */
	size_t held;          /* image bytes of the modules held */
	bool stop;
	struct slot slots[WINDOW];
	pthread_t threads[4];
	int nthreads;
};

/*
 * One condition under a->lock, on a futex (glibc's pthread_cond_* would
 * add about 7 KiB to the static binary). A waiter reads seq under the lock
 * and sleeps only while it is unchanged; every broadcast, under the lock
 * too, changes it before waking the waiters, so no wakeup is lost between
 * a waiter's unlock and its sleep. Wakeups may be spurious: every wait is
 * in a loop that checks its predicate again.
 */
static void ahead_wait(struct ahead *a)
{
	unsigned int seq = a->seq;

	a->waiters++;
	pthread_mutex_unlock(&a->lock);
	kernel_futex_wait(&a->seq, seq);
	pthread_mutex_lock(&a->lock);
	a->waiters--;
}

static void ahead_broadcast(struct ahead *a)
{
	__atomic_store_n(&a->seq, a->seq + 1, __ATOMIC_RELEASE);
	if (a->waiters > 0)
		kernel_futex_wake_all(&a->seq);
}

/* Whether a module before i waits for room: it goes first, so that a large
 * module, once current, is not joined by the ones after it. */
static bool earlier_waiting(const struct ahead *a, size_t i)
{
	for (int k = 0; k < WINDOW; k++)
		if (a->slots[k].waiting && a->slots[k].index < i)
			return true;
	return false;
}

/* outbuf admit hook of a worker's module: the growth is counted against
 * the budget unless the module is the current one; past the budget, wait. */
static int ahead_admit(void *arg, size_t old_cap, size_t new_cap)
{
	struct slot *sl = arg;
	struct ahead *a = sl->a;
	size_t more = new_cap - old_cap;
	int err = 0;

	pthread_mutex_lock(&a->lock);
	sl->waiting = true;
	while (!a->stop && sl->index != a->current &&
	       (a->held + more > AHEAD_BUDGET || earlier_waiting(a, sl->index)))
		ahead_wait(a);
	sl->waiting = false;
	if (a->stop) {
		err = -ECANCELED;
	} else {
		a->held += more;
		sl->charge += more;
	}
	ahead_broadcast(a);
	pthread_mutex_unlock(&a->lock);
	return err;
}

/* Open module i; decompress it when it is compressed. A plain file is read
 * by the main thread, in parts (load_module). */
static void fetch(struct dm *d, size_t i, struct slot *sl)
{
	if (dm_cache_hit(d, d->array[i])) {
		/* its facts are in the cache: nothing to open */
		memset(&sl->mf, 0, sizeof(sl->mf));
		sl->mf.fd = -1;
		sl->err = 0;
		return;
	}
	sl->err = modfile_open(&sl->mf, d->array[i]->path);
	/* A large .xz module is read in parts, not held whole (libbb/modfile/xzparts.c). */
	sl->mf.parts_min = modfile_parts_min();
	sl->mf.keep = &sl->keep;
	if (sl->err == 0 && sl->a != NULL) {
		sl->mf.admit = ahead_admit;
		sl->mf.admit_arg = sl;
	}
	if (sl->err == 0 && sl->mf.comp != MODCOMP_NONE)
		sl->err = modfile_image(&sl->mf);
}

static void *ahead_worker(void *arg)
{
	struct ahead *a = arg;

	for (;;) {
		struct slot *sl;
		size_t i;

		pthread_mutex_lock(&a->lock);
		while (!a->stop && a->next < a->d->n && a->next >= a->consumed + WINDOW)
			ahead_wait(a);
		if (a->stop || a->next >= a->d->n) {
			pthread_mutex_unlock(&a->lock);
			return NULL;
		}
		i = a->next++;
		sl = &a->slots[i % WINDOW];
		sl->a = a;
		sl->index = i;
		sl->charge = 0;
		pthread_mutex_unlock(&a->lock);
		fetch(a->d, i, sl);
		pthread_mutex_lock(&a->lock);
		sl->ready = true;
		ahead_broadcast(a);
		pthread_mutex_unlock(&a->lock);
	}
}

static void ahead_start(struct ahead *a, struct dm *d)
{
	/* taskset -c 0: one CPU, no workers, however many the machine has */
	long cpus = kernel_cpus();

	memset(a, 0, sizeof(*a));
	a->d = d;
	if (!AHEAD_THREADS)
		return;
	/* a static initializer: pthread_mutex_init would link 423 bytes more */
	a->lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	size_t compressed = 0;

	/* (the modules whose facts the cache holds are not read) */
	for (size_t i = 0; i < d->n && compressed < 2 * WINDOW; i++) {
		const char *dot = strrchr(d->array[i]->path, '.');

		compressed += dot && strcmp(dot, ".ko") != 0 && !dm_cache_hit(d, d->array[i]);
	}
	/* One core, or little to decompress (a window's handover per module
	 * costs more than a few modules' decompression): all in the main
	 * thread. A process whose malloc serves from the run heap (made for
	 * one thread; depmod never starts it) stays in one thread too. */
	if (cpus < 2 || d->n < 2 || compressed < (d->cache ? 2 * WINDOW : 1) || runheap_started())
		return;
	for (long i = 0; i < (cpus < 4 ? cpus : 4); i++) {
		if (pthread_create(&a->threads[a->nthreads], NULL, ahead_worker, a) != 0)
			break;
		a->nthreads++;
	}
}

/* A regular uncompressed file: read in parts, never whole. */
static bool plain_file(const struct modfile *mf)
{
	return mf->is_regular && mf->comp == MODCOMP_NONE;
}

/* The module i, opened (and decompressed: all but a plain file); call
 * ahead_done after. */
static struct slot *ahead_get(struct ahead *a, size_t i)
{
	struct slot *sl = &a->slots[i % WINDOW];

	if (!AHEAD_THREADS || a->nthreads == 0) {
		fetch(a->d, i, sl);
	} else {
		pthread_mutex_lock(&a->lock);
		/* Module i is the current one now: it may grow past the budget. */
		a->current = i;
		ahead_broadcast(a);
		while (!sl->ready)
			ahead_wait(a);
		pthread_mutex_unlock(&a->lock);
	}
	if (sl->err == 0 && sl->mf.image == NULL && !plain_file(&sl->mf) && !dm_cache_hit(a->d, a->d->array[i]))
		sl->err = modfile_image(&sl->mf);
	return sl;
}

static void ahead_done(struct ahead *a, struct slot *sl)
{
	modfile_close(&sl->mf);
	if (!AHEAD_THREADS || a->nthreads == 0)
		return;
	pthread_mutex_lock(&a->lock);
	sl->ready = false;
	a->held -= sl->charge;
	sl->charge = 0;
	a->consumed++;
	ahead_broadcast(a);
	pthread_mutex_unlock(&a->lock);
}

static void ahead_stop(struct ahead *a)
{
	if (!AHEAD_THREADS)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	ahead_broadcast(a);
	pthread_mutex_unlock(&a->lock);
	for (int i = 0; i < a->nthreads; i++)
		pthread_join(a->threads[i], NULL);
	/* modules fetched but not used (after an error) */
	for (size_t i = a->consumed; a->nthreads > 0 && i < a->next; i++)
		modfile_close(&a->slots[i % WINDOW].mf);
}

/* Module m read by the main thread, outside the window. */
static int read_now(struct dm *d, struct mod *m, struct modparts *mp)
{
	struct modfile mf;
	int ferr = modfile_open(&mf, m->path), err;

	if (ferr == 0 && !plain_file(&mf))
		ferr = modfile_image(&mf);
	dm_cache_begin(d, m, ferr == 0 ? &mf.st : NULL);
	err = dm_load_module(d, m, &mf, ferr, mp);
	dm_cache_end(d, m);
	modfile_close(&mf);
	return err;
}

int dm_read_modules(struct dm *d)
{
	struct ahead *a = malloc(sizeof(*a));
	struct modparts mp = MODPARTS_INIT;
	int err = 0;

	if (a == NULL)
		return -ENOMEM;
	ahead_start(a, d);
	for (size_t i = 0; i < d->n && err == 0; i++) {
		struct mod *m = d->array[i];
		struct slot *sl = ahead_get(a, i);

		if (dm_cache_hit(d, m)) {
			err = dm_apply_facts(d, m, m->cfacts, m->cfacts_len);
			if (err == 1) {
				/* not to be trusted after all: read the file */
				m->cfacts = NULL;
				err = read_now(d, m, &mp);
			}
		} else {
			dm_cache_begin(d, m, sl->err == 0 ? &sl->mf.st : NULL);
			err = dm_load_module(d, m, &sl->mf, sl->err, &mp);
			dm_cache_end(d, m);
		}
		ahead_done(a, sl);
		if (err < 0)
			msg_fatal("%s: %s", d->array[i]->path, msg_strerror(-err));
	}
	ahead_stop(a);
	for (int k = 0; k < WINDOW; k++)
		outbuf_keep_free(&a->slots[k].keep);
	free(a);
	modparts_free(&mp);
	return err;
}
