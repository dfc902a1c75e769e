// SPDX-License-Identifier: GPL-2.0-or-later
/* One depmod run: read the tree, write the new set, switch it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod.h"
#include "depmod_int.h"
#include "dirswap.h"
#include "fileopen.h"
#include "kconfig.h"
#include "autoconf.h"

/* mkdir -p, as kmod does for the output folder (-o may name a new one). */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (c == '\0')
			return 0;
	}
}

void dm_free(struct dm *d)
{
	for (size_t i = 0; i < d->nmods; i++) {
		if (d->mods[i] == NULL)
			continue;
		free(d->mods[i]->path);
		free(d->mods[i]->uncrelpath);
		free(d->mods[i]);
	}
	free(d->mods);
	free(d->array);
	stab_free(&d->by_name);
	stab_free(&d->by_sym);
	free(d->syms.v);
	free(d->info.v);
	free(d->imports.v);
	free(d->crcs.v);
	dm_cache_free(d);
	moddeps_free(&d->g);
	xarena_free(&d->strings);
	dm_list_free(&d->searches);
	dm_list_free(&d->overrides);
	dm_list_free(&d->externals);
	dm_list_free(&d->excludes);
}

bool depmod_is_version(const char *s)
{
	unsigned a;

	s = dm_scan_uint(s, &a);
	return s != NULL && *s == '.' && dm_scan_uint(s + 1, &a) != NULL;
}

/* Read the tree and write the new set into s (NULL: -n, to stdout). 1:
 * -A found the set up to date, nothing written. */
static int index_tree(struct dm *d, struct dirswap *s, int argc, char **argv, const struct depmod_opts *o)
{
	const char *symvers = o->symvers, *sysmap = o->sysmap;
	bool all = o->all;
	int err;

	if (o->quick) {
		if (s == NULL || dm_up_to_date(d) == 1)
			return 1;
		all = true;
	}
	if (symvers != NULL || sysmap != NULL) {
		const char *file = symvers ? symvers : sysmap;

		err = dm_load_kernel_syms(d, file, symvers != NULL);
		if (err < 0) {
			msg_fatal("could not load %s: %s", file, file_strerror(err));
			return err;
		}
	} else if (d->print_unknown) {
		msg_warn("-e needs -E or -F");
		d->print_unknown = false;
	}

	if (all) {
		err = dm_cfg_load(d, o->configs, o->nconfigs);
		if (err < 0) {
			msg_fatal("could not read the configuration: %s", msg_strerror(-err));
			return err;
		}
		err = dm_search_path(d, d->dirname);
		if (err < 0) {
			msg_fatal("could not search modules: %s", msg_strerror(-err));
			return err;
		}
		for (size_t i = d->externals.n; i-- > 0;) {
			/* a folder named by depmod.d that is not there is only
			 * named; one that is there must be read whole */
			err = dm_search_path(d, d->externals.v[i].path);
			if (err < 0 && err != -ENOENT) {
				msg_fatal("could not search modules: %s", msg_strerror(-err));
				return err;
			}
		}
	} else {
		for (int i = 0; i < argc; i++) {
			struct stat st;

			if (argv[i][0] != '/') {
				msg_fatal("%s: not absolute path.", argv[i]);
				return -EINVAL;
			}
			if (stat(argv[i], &st) < 0) {
				err = -errno;
				msg_fatal("could not create module %s: %s", argv[i], msg_strerror(errno));
				return err;
			}
			err = dm_module_add(d, argv[i], false);
			if (err < 0) {
				msg_fatal("could not add module %s: %s", argv[i], msg_strerror(-err));
				return err;
			}
		}
	}

	err = dm_build_array(d);
	if (err < 0)
		return err;
	if (d->cache != NULL)
		dm_cache_match(d);
	err = dm_read_modules(d);
	if (err < 0)
		return err;
	err = moddeps_init(&d->g, (uint32_t)d->n);
	if (err == 0)
		err = dm_resolve(d);
	if (err < 0)
		return err;
	if (moddeps_sort(&d->g) == -ELOOP) {
		int n = moddeps_cycles(&d->g, dm_report_cycle, d);

		if (n >= 0)
			msg_err("Found %d modules in dependency cycles!", n);
		return -ELOOP;
	}
	return dm_write_set(d, s);
}

/*
 * The new files are written under temporary names and flushed; only when
 * all are complete do they replace the old ones: as one set where the
 * filesystem allows, else by one rename each (libbb/dirswap.c). A failure
 * before that leaves the old files as they were. The output folder is
 * locked for the whole run, from reading the tree to the switch: a run
 * that read the tree while another run switched its set would index a
 * folder being taken apart.
 */
static int run(struct dm *d, int argc, char **argv, const struct depmod_opts *o)
{
	const char *names[DIRSWAP_MAX_NAMES];
	size_t nnames = dm_output_count();
	struct dirswap s;
	int err;

	/* before any module is looked at: the cache's "racy" time */
	if (IS_ENABLED(CONFIG_FEATURE_DEPMOD_CACHE) && !o->no_cache &&
	    (err = dm_cache_open(d, !o->dry)) < 0) {
		msg_err("out of memory");
		return err;
	}
	if (o->dry)
		return index_tree(d, NULL, argc, argv, o);
	if (d->outdir != d->dirname && (err = make_dirs(d->outdir)) < 0) {
		msg_fatal("could not create directory %s: %s", d->outdir, msg_strerror(-err));
		return err;
	}
	for (size_t i = 0; i < nnames; i++)
		names[i] = dm_output_name(i);
	/* the cache is one more file of the set, written last */
	if (d->cache != NULL)
		names[nnames++] = dm_cache_name;
	err = dirswap_begin(&s, d->outdir, names, nnames);
	if (err < 0 && s.said) {
		return err;
	} else if (err < 0) {
		/* kmod's words: without -o it fails to search the same folder */
		msg_err("could not open directory %s: %s", d->outdir, msg_strerror(-err));
		if (d->outdir == d->dirname)
			msg_fatal("could not search modules: %s", msg_strerror(-err));
		return err;
	}
	err = index_tree(d, &s, argc, argv, o);
	if (err != 0) {
		dirswap_abort(&s); /* a failure, or -A found nothing to do */
		return err < 0 ? err : 0;
	}
	return dirswap_commit(&s);
}

int depmod_run(const struct depmod_opts *o, int argc, char **argv)
{
	const char *root = o->root, *outroot = o->outroot, *moduledir = o->moduledir, *kver = o->kver;
	struct dm *d = calloc(1, sizeof(*d));
	int err;

	if (d == NULL) {
		msg_err("out of memory");
		return -ENOMEM;
	}
	d->syms.size = sizeof(struct sym);
	d->info.size = 1;
	d->imports.size = sizeof(uint32_t);
	d->crcs.size = sizeof(uint64_t);
	d->sym_prefix = o->sym_prefix;
	d->check_symvers = o->symvers != NULL;
	d->print_unknown = o->print_unknown;
	d->warn_dups = o->warn_dups;
	err = modctx_init(&d->ctx, root, kver);
	if (err == 0 && moduledir != NULL)
		err = modctx_set_moduledir(&d->ctx, moduledir);
	if (err == 0 && outroot != NULL) {
		err = modctx_init(&d->outctx, outroot, d->ctx.kver);
		if (err == 0 && moduledir != NULL)
			err = modctx_set_moduledir(&d->outctx, moduledir);
	}
	if (err < 0) {
		msg_fatal("bad module folder (-b %s, -m %s, -o %s, version %s): %s", root ? root : "",
			  moduledir ? moduledir : "", outroot ? outroot : "", kver ? kver : "", msg_strerror(-err));
	} else {
		d->dirname = d->ctx.moddir;
		d->dirnamelen = strlen(d->dirname);
		d->outdir = outroot != NULL ? d->outctx.moddir : d->dirname;
		err = run(d, argc, argv, o);
	}
	dm_free(d);
	free(d);
	return err < 0 ? err : 0;
}
