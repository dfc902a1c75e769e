// SPDX-License-Identifier: GPL-2.0-or-later
/* modprobe -r: a module with its holders, soft dependencies and the
 * dependencies nobody uses any more, in kmod 34.2's order (see probe.h). */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "kernel.h"
#include "modname.h"
#include "probe_int.h"
#include "msg.h"

/* How remove_module() treats a module: the one named on the command line
 * (its holders go first with remove_holders, builtin is an error) or one
 * of a list (soft dependencies, holders: builtin is skipped). */
#define RM_TOP 0x1
#define RM_IN_LIST 0x2

static int remove_module(struct probe *p, struct probe_mod *m, int how);

/* modules.builtin names it: kmod asks by name, however the module was
 * found (a remove command's key is a module with no file too). */
static bool name_builtin(struct probe *p, const char *name)
{
	struct modlookup_result res;
	bool yes = modlookup_name(p->lk, name, &res) == 0 && res.count > 0 && res.mods[0].builtin;

	modlookup_result_free(&res);
	return yes;
}

/* Soft dependencies or holders, last first, as kmod 34.2 does; the first
 * that cannot be removed stops the list and its error is the list's. */
static int remove_list(struct probe *p, struct probe_mod *const *v, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		int err = remove_module(p, v[i], RM_IN_LIST);

		if (err < 0)
			return err;
	}
	return 0;
}

static int wait_unused(const struct probe *p, const struct probe_mod *m)
{
	struct timespec step = { 0, 10 * 1000 * 1000 };
	long waited = 0;

	while (kernel_module_refcnt(m->name) > 0 && waited < p->o.wait_ms) {
		nanosleep(&step, NULL);
		waited += 10;
	}
	return kernel_module_refcnt(m->name) > 0 ? -EBUSY : 0;
}

/* The modules of m's modules.dep line whose use count is 0, removed from
 * the last of the line; failures are reported and left. */
static void remove_unused_deps(struct probe *p, struct probe_mod *m)
{
	char *copy = NULL, *save = NULL, **names = NULL;
	const char *line;
	size_t n = 0;

	if (probe_mod_deps(p, m, &line) < 0 || (line != NULL && (copy = strdup(line)) == NULL)) {
		probe_say(p, PROBE_ERROR, m->name, NULL, msg_strerror(ENOMEM), -ENOMEM);
		return;
	}
	if (line == NULL)
		return;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char **v = xarray_grow(&names, n, 1, sizeof(*v));

		if (v == NULL) {
			/* Those before it on the line are still removed. */
			probe_say(p, PROBE_ERROR, m->name, NULL, msg_strerror(ENOMEM), -ENOMEM);
			break;
		}
		*v = w;
		n++;
	}
	for (size_t i = n; i-- > 0;) {
		char name[MODNAME_MAX];
		int err;

		if (modname_normalize(names[i], name) < 0 || strcmp(name, m->name) == 0 ||
		    kernel_module_refcnt(name) != 0)
			continue;
		if (p->o.show)
			probe_say(p, PROBE_RMMOD, name, NULL, NULL, 0);
		if (!p->o.dry_run && (err = kernel_unload(name, p->o.force)) < 0)
			probe_say(p, PROBE_NOT_REMOVED, name, NULL, NULL, err);
	}
	free(names);
	free(copy);
}

/* The modules holding m, removed first (remove_holders). */
static int remove_holders(struct probe *p, struct probe_mod *m)
{
	struct probe_list hl = { 0 };
	struct name_list holders;
	int err = 0;

	if (kernel_module_holders(m->name, &holders) == 0) {
		for (const char *h = NULL; (h = name_list_next(&holders, h));) {
			struct probe_mod *hm;

			if ((err = probe_mod_by_name(p, h, &hm)) == -EINVAL)
				err = 0;   /* not a module's name */
			else if (err == 0)
				err = probe_list_add(&hl, hm);
			if (err < 0)
				break;
		}
		name_list_free(&holders);
	}
	if (err == 0)
		err = remove_list(p, hl.v, hl.n);
	free(hl.v);
	return err;
}

/* kmod 34.2's order: post soft dependencies, holders (remove_holders, for
 * the module named only), the module (or its remove command, after which
 * its dependencies are left alone), the dependencies of its modules.dep
 * line that nobody uses, then its pre soft dependencies. A soft dependency
 * or holder that cannot be removed ends the removal with its error. */
static int remove_module(struct probe *p, struct probe_mod *m, int how)
{
	struct probe_list pre = { 0 }, post = { 0 };
	const struct modconf_entry *rc = NULL;
	int state, err = 0;

	/* Soft dependencies may lead back here (softdep a post: a, or a and b
	 * naming each other; kmod recurses until it crashes): a module already
	 * being removed is left to that call. */
	if (m->removing)
		return 0;
	m->removing = true;
	if (!p->o.ignore_cmds) {
		if ((err = probe_softdeps(p, m, true, &pre)) < 0 ||
		    (err = probe_softdeps(p, m, false, &post)) < 0) {
			probe_say(p, PROBE_ERROR, m->name, NULL, msg_strerror(-err), err);
			goto out;
		}
		rc = modconf_find(p->lk->conf, MC_REMOVE, m->name, NULL);
	}
	/* A remove command runs whether the module is loaded or not. Built in
	 * is modules.builtin's word first, as in kmod 34.2. */
	state = m->builtin || name_builtin(p, m->name) ? KMOD_STATE_BUILTIN : kernel_module_state(m->name);
	if (rc == NULL && state == KMOD_STATE_BUILTIN) {
		if (!(how & RM_IN_LIST)) {
			probe_say(p, PROBE_IS_BUILTIN, m->name, NULL, NULL, -ENOENT);
			err = -ENOENT;
		}
		goto out;
	}
	if (rc == NULL && state < 0) {
		if (p->o.first_time) {
			probe_say(p, PROBE_NOT_LOADED, m->name, NULL, NULL, -ENOENT);
			err = -ENOENT;
		}
		goto out;
	}
	if ((err = remove_list(p, post.v, post.n)) < 0)
		goto out;
	if ((how & RM_TOP) && p->o.remove_holders && state >= 0) {
		if ((err = remove_holders(p, m)) < 0)
			goto out;
		/* Removing a holder may have taken this module with it, as one
		 * of the holder's unused dependencies. */
		if (kernel_module_state(m->name) < 0)
			goto out;
	}
	if (rc == NULL) {
		if (p->o.wait_ms > 0)
			wait_unused(p, m);
		if (kernel_module_refcnt(m->name) > 0) {
			probe_say(p, PROBE_IN_USE, m->name, NULL, NULL, -EBUSY);
			err = -EBUSY;
			goto out;
		}
	}
	if (p->o.show)
		probe_say(p, rc ? PROBE_REMOVE : PROBE_RMMOD, m->name, rc ? rc->value : NULL, NULL, 0);
	if (p->o.dry_run) {
		err = 0;
	} else if (rc != NULL) {
		err = probe_run_command(p, m, "remove", rc->value, "");
	} else {
		err = kernel_unload(m->name, p->o.force);
		if (err == -ENOENT && !p->o.first_time)
			err = 0;
		else if (err < 0)
			probe_say(p, PROBE_NOT_REMOVED, m->name, NULL, NULL, err);
	}
	if (err < 0)
		goto out;
	/* Then its dependencies that nobody uses now, each by itself (no
	 * commands, soft dependencies or dependencies of its own), last of
	 * the line first, as kmod does: a module the dry run leaves loaded is
	 * named once, not once per path to it. */
	if (rc == NULL)
		remove_unused_deps(p, m);
	err = remove_list(p, pre.v, pre.n);
out:
	m->removing = false;
	free(pre.v);
	free(post.v);
	return err;
}

int probe_remove(struct probe *p, const char *arg)
{
	struct probe_mod **mods;
	size_t n;
	int err = probe_lookup(p, arg, &mods, &n), ret = 0;

	if (err < 0) {
		probe_say(p, PROBE_ERROR, arg, NULL, modlookup_strerror(p->lk, err), err);
	} else if (n == 0) {
		probe_say(p, PROBE_NOT_FOUND, arg, NULL, NULL, -ENOENT);
		err = -ENOENT;
	}
	if (err < 0) {
		free(mods);
		return err;
	}
	/* the first module of an alias that cannot be removed ends it */
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = remove_module(p, mods[i], RM_TOP);
	free(mods);
	return ret;
}
