// SPDX-License-Identifier: GPL-2.0-or-later
/* modprobe's loading: the module set, soft dependencies, the load order,
 * install commands and the loads themselves (see probe.h). */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel.h"
#include "loaddiag.h"
#include "modconf.h"
#include "modfile.h"
#include "modload.h"
#include "modname.h"
#include "probe_int.h"
#include "msg.h"

void probe_init(struct probe *p, struct modlookup *lk, const struct probe_opts *o, probe_note_fn *note,
		void *arg)
{
	*p = (struct probe){ .o = *o, .lk = lk, .note = note, .arg = arg };
}

void probe_free(struct probe *p)
{
	for (size_t i = 0; i < p->nmods; i++) {
		free(p->mods[i]->name);
		free(p->mods[i]->path);
		free(p->mods[i]->deps);
		free(p->mods[i]);
	}
	free(p->mods);
	xhash_free(&p->byname);
	p->mods = NULL;
	p->nmods = 0;
}

void probe_say(struct probe *p, enum probe_note_kind kind, const char *name, const char *path,
	       const char *text, int err)
{
	struct probe_note n = { kind, name, path, text, err };

	p->note(&n, p->arg);
}

int probe_list_add(struct probe_list *l, struct probe_mod *m)
{
	struct probe_mod **v = xarray_grow(&l->v, l->n, 1, sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	*v = m;
	l->n++;
	return 0;
}

/* ---- modules ------------------------------------------------------------ */

/* A dependency line names thousands of modules: each is found by hash. */
static struct probe_mod *mod_find(const struct probe *p, const char *name, uint32_t hash)
{
	size_t it = 0;

	for (uint32_t i; (i = xhash_next(&p->byname, hash, &it)) != XHASH_END;)
		if (strcmp(p->mods[i]->name, name) == 0)
			return p->mods[i];
	return NULL;
}

/* The module called name, created with path (absolute; may be NULL) when
 * it is new. NULL when out of memory. */
static struct probe_mod *mod_add(struct probe *p, const char *name, const char *path)
{
	uint32_t hash = xhash_bytes(name, strlen(name));
	struct probe_mod *x = mod_find(p, name, hash), **v;

	if (x != NULL)
		return x;
	x = calloc(1, sizeof(*x));
	v = xarray_grow(&p->mods, p->nmods, 1, sizeof(*v));
	if (x == NULL || v == NULL || (x->name = strdup(name)) == NULL ||
	    (path != NULL && (x->path = strdup(path)) == NULL) ||
	    xhash_add(&p->byname, hash, (uint32_t)p->nmods) < 0) {
		if (x != NULL) {
			free(x->name);
			free(x->path);
		}
		free(x);
		return NULL;
	}
	*v = x;
	p->nmods++;
	return x;
}

/* The module of a lookup result; what the lookup read of its modules.dep
 * line fills in what is not known yet. */
static struct probe_mod *mod_get(struct probe *p, const struct modlookup_module *m)
{
	char path[PATH_MAX];
	bool has_path = m->path != NULL && modlookup_module_path(p->lk, m, path, sizeof(path)) == 0;
	struct probe_mod *x = mod_add(p, m->name, has_path ? path : NULL);

	if (x == NULL)
		return NULL;
	if (x->path == NULL && has_path && (x->path = strdup(path)) == NULL)
		return NULL;
	if (!x->deps_known) {
		x->builtin = m->builtin;
		if (m->deps != NULL && (x->deps = strdup(m->deps)) == NULL)
			return NULL;
		x->deps_known = true;
	}
	return x;
}

int probe_mod_by_name(struct probe *p, const char *name, struct probe_mod **out)
{
	struct modlookup_result res;
	struct modlookup_module bare = { 0 };
	char norm[MODNAME_MAX];
	int err;

	*out = NULL;
	if (modname_normalize(name, norm) < 0)
		return -EINVAL;
	bare.name = norm;
	*out = mod_find(p, norm, xhash_bytes(norm, strlen(norm)));
	if (*out != NULL && (*out)->deps_known)
		return 0;
	err = modlookup_name(p->lk, norm, &res);
	if (err == -ENOMEM) {
		modlookup_result_free(&res);
		return err;
	}
	/* Not found, or a damaged index: a name without file or dependencies. */
	if (err < 0 || res.count == 0) {
		modlookup_result_free(&res);
		*out = mod_get(p, &bare);
	} else {
		*out = mod_get(p, &res.mods[0]);
		modlookup_result_free(&res);
	}
	return *out != NULL ? 0 : -ENOMEM;
}

/* A path of a modules.dep line: the module is named by the file and lives
 * there, as kmod makes it (kmod_module_new_from_path); its own line is
 * read only if its dependencies are wanted (probe_mod_deps). NULL when out
 * of memory. */
static struct probe_mod *mod_by_dep_path(struct probe *p, const char *rel)
{
	struct modlookup_module m = { .path = (char *)rel };
	char name[MODNAME_MAX], path[PATH_MAX];
	struct probe_mod *x;

	if (modname_normalize(rel, name) < 0)
		return NULL;
	if (modlookup_module_path(p->lk, &m, path, sizeof(path)) < 0)
		return probe_mod_by_name(p, name, &x) == 0 ? x : NULL;
	x = mod_add(p, name, path);
	if (x != NULL && x->path == NULL && (x->path = strdup(path)) == NULL)
		return NULL;
	return x;
}

int probe_mod_deps(struct probe *p, struct probe_mod *m, const char **deps)
{
	struct probe_mod *x;

	/* A name that is no module's has no dependencies. */
	if (!m->deps_known && probe_mod_by_name(p, m->name, &x) == -ENOMEM)
		return -ENOMEM;
	*deps = m->deps;
	return 0;
}

int probe_lookup(struct probe *p, const char *arg, struct probe_mod ***out, size_t *n)
{
	struct modlookup_result res;
	int err = modlookup_any(p->lk, arg, &res);

	*out = NULL;
	*n = 0;
	if (err < 0) {
		modlookup_result_free(&res);
		return err;
	}
	*out = calloc(res.count ? res.count : 1, sizeof(**out));
	if (*out == NULL) {
		modlookup_result_free(&res);
		return -ENOMEM;
	}
	for (size_t i = 0; i < res.count; i++) {
		struct probe_mod *x = mod_get(p, &res.mods[i]);

		if (x == NULL) {
			err = -ENOMEM;
			break;
		}
		(*out)[(*n)++] = x;
	}
	modlookup_result_free(&res);
	return err;
}

/* "/x.ko" or "./x.ko" (kmod 31 on): that file, named by its file name as
 * kmod names it (kmod_module_new_from_path: "other.ko" is module "other",
 * whatever its .modinfo says), its dependencies, soft dependencies, options
 * and commands found by that name. The path is made absolute as kmod makes
 * it: the working folder, '/', the argument. */
static bool is_path(const char *arg)
{
	return arg[0] == '/' || strncmp(arg, "./", 2) == 0;
}

static int lookup_path(struct probe *p, const char *arg, struct probe_mod ***out, size_t *n)
{
	char name[MODNAME_MAX], cwd[PATH_MAX], *path = NULL;
	struct stat st;
	struct probe_mod *x;

	*out = NULL;
	*n = 0;
	if (stat(arg, &st) < 0 || modname_normalize(arg, name) < 0) {
		int err = errno ? errno : EINVAL;

		probe_say(p, PROBE_BAD_PATH, arg, NULL, NULL, -err);
		return -ENOENT;
	}
	if (arg[0] == '/')
		path = strdup(arg);
	else if (getcwd(cwd, sizeof(cwd)) != NULL && asprintf(&path, "%s/%s", cwd, arg) < 0)
		path = NULL;
	*out = calloc(1, sizeof(**out));
	x = path != NULL && *out != NULL ? mod_add(p, name, path) : NULL;
	if (x == NULL) {
		free(path);
		return -ENOMEM;
	}
	/* The file given wins over the tree's file of that name. */
	free(x->path);
	x->path = path;
	(*out)[(*n)++] = x;
	return 0;
}

/* Found under another name than its own: through an alias. That belongs to
 * the lookup, not to the module (kmod keeps one object per name and alias):
 * the same run may name the module directly too. */
static bool via_alias(const char *arg, const struct probe_mod *m)
{
	char key[1024];

	/* The argument as lookups key it, whole: "usb:v1/NAME" or "NAME.x"
	 * that resolve to NAME are aliases. */
	return modname_alias(arg, key, sizeof(key), true) < 0 || strcmp(key, m->name) != 0;
}

static bool mod_in_kernel(const struct probe_mod *m)
{
	int state = kernel_module_state(m->name);

	return state == KMOD_STATE_LIVE || state == KMOD_STATE_BUILTIN || state == KMOD_STATE_COMING;
}

/* Built in: /sys/module says so, or modules.builtin does. */
static bool mod_builtin(const struct probe_mod *m)
{
	return m->builtin || kernel_module_state(m->name) == KMOD_STATE_BUILTIN;
}

/* ---- soft dependencies and the load order ------------------------------- */

static int load_order(struct probe *p, struct probe_mod *m, bool required, struct probe_list *out);

/* "pre: a b post: c": the modules of one side, resolved as lookups (one
 * that finds nothing, or reads a damaged index, is left out). */
int probe_softdeps(struct probe *p, struct probe_mod *m, bool pre, struct probe_list *side)
{
	const struct modconf_entry *e = NULL;
	char *copy, *save = NULL;
	bool in = false;
	int err = 0;

	/* The first softdep line of the module counts, as in kmod. */
	if (!m->softdep_known) {
		m->softdep = modconf_find(p->lk->conf, MC_SOFTDEP, m->name, NULL);
		m->softdep_known = true;
	}
	e = m->softdep;
	if (e == NULL)
		return 0;
	copy = strdup(e->value);
	if (copy == NULL)
		return -ENOMEM;
	for (char *w = strtok_r(copy, " ", &save); w && err == 0; w = strtok_r(NULL, " ", &save)) {
		struct probe_mod **found;
		size_t n;
		int lerr;

		if (strcmp(w, "pre:") == 0 || strcmp(w, "post:") == 0) {
			in = (w[1] == 'r') == pre;
			continue;
		}
		if (!in)
			continue;
		lerr = probe_lookup(p, w, &found, &n);
		if (lerr == -ENOMEM)
			err = lerr;
		else if (lerr == 0)
			for (size_t i = 0; i < n && err == 0; i++)
				err = probe_list_add(side, found[i]);
		free(found);
	}
	free(copy);
	return err;
}

static int with_softdeps(struct probe *p, struct probe_mod *m, struct probe_list *out)
{
	struct probe_list pre = { 0 }, post = { 0 };
	int err = probe_softdeps(p, m, true, &pre);

	if (err == 0)
		err = probe_softdeps(p, m, false, &post);
	for (size_t i = 0; i < pre.n && err == 0; i++)
		err = load_order(p, pre.v[i], false, out);
	if (err == 0)
		err = probe_list_add(out, m);
	/* A module with soft dependencies is loaded directly, its install
	 * command ignored, as kmod does. */
	m->ignorecmd = pre.n > 0 || post.n > 0;
	for (size_t i = 0; i < post.n && err == 0; i++)
		err = load_order(p, post.v[i], false, out);
	free(pre.v);
	free(post.v);
	return err;
}

/* Dependencies (last of the modules.dep line first), each with its soft
 * dependencies, then the module itself. */
static int load_order(struct probe *p, struct probe_mod *m, bool required, struct probe_list *out)
{
	struct probe_list deps = { 0 };
	char *copy, *save = NULL;
	const char *line;
	int err = 0;

	if (m->visited == p->probe_no)
		return 0;
	m->visited = p->probe_no;
	if ((err = probe_mod_deps(p, m, &line)) < 0)
		return err;
	if (line != NULL && line[0] != '\0') {
		copy = strdup(line);
		if (copy == NULL)
			return -ENOMEM;
		for (char *w = strtok_r(copy, " ", &save); w && err == 0; w = strtok_r(NULL, " ", &save)) {
			struct probe_mod *d = mod_by_dep_path(p, w);

			/* A damaged modules.dep may list a module as its own
			 * dependency: loading it first would be loading it twice. */
			if (d != m)
				err = d ? probe_list_add(&deps, d) : -ENOMEM;
		}
		free(copy);
	}
	if (required) {
		m->required = p->probe_no;
		for (size_t i = 0; i < deps.n; i++)
			deps.v[i]->required = p->probe_no;
	}
	for (size_t i = deps.n; i-- > 0 && err == 0;)
		err = with_softdeps(p, deps.v[i], out);
	if (err == 0) {
		if (p->o.ignore_cmds)
			err = probe_list_add(out, m);
		else
			err = with_softdeps(p, m, out);
	}
	free(deps.v);
	return err;
}

/* ---- commands ----------------------------------------------------------- */

/* system(3) without its signal handling (a few KB of static glibc): the
 * wait status of /bin/sh -c cmd, or -1 if it could not be started. The
 * child only execs or exits, all vfork() allows; fork() would cost 2.6 KiB
 * of static glibc (its atfork and lock handling). */
static int shell(const char *cmd)
{
	pid_t pid = vfork();
	int status;

	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* Run by /bin/sh, with $CMDLINE_OPTS replaced by the options and
 * MODPROBE_MODULE set. */
int probe_run_command(struct probe *p, const struct probe_mod *m, const char *kind, const char *cmd,
		      const char *options)
{
	static const char var[] = "$CMDLINE_OPTS";
	size_t cap = strlen(cmd) + 1, len = 0;
	char *full;
	const char *s;
	int status;

	for (s = cmd; (s = strstr(s, var)) != NULL; s += sizeof(var) - 1)
		cap += strlen(options);
	full = malloc(cap);
	if (full == NULL)
		return -ENOMEM;
	for (s = cmd; *s;) {
		if (strncmp(s, var, sizeof(var) - 1) == 0) {
			memcpy(full + len, options, strlen(options));
			len += strlen(options);
			s += sizeof(var) - 1;
		} else {
			full[len++] = *s++;
		}
	}
	full[len] = '\0';
	if (setenv("MODPROBE_MODULE", m->name, 1) < 0) {
		free(full);
		return -errno;
	}
	fflush(NULL);
	status = shell(full);
	unsetenv("MODPROBE_MODULE");
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		probe_say(p, PROBE_CMD_FAILED, m->name, full, kind,
			  status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		free(full);
		return -EINVAL;
	}
	free(full);
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

/* Configured options (each ending in a space), then the command line's. */
static char *join_options(const char *conf, const char *extra)
{
	size_t lc = conf ? strlen(conf) : 0, le = extra ? strlen(extra) : 0;
	char *out = malloc(lc + le + 1);

	if (out == NULL)
		return NULL;
	memcpy(out, conf ? conf : "", lc);
	memcpy(out + lc, extra ? extra : "", le);
	out[lc + le] = '\0';
	return out;
}

/* What is done, for -n/-v/-D. */
static void show_action(struct probe *p, const struct probe_mod *m, const char *cmd, const char *options)
{
	if (cmd != NULL)
		probe_say(p, PROBE_INSTALL, m->name, cmd, options, 0);
	else if (m->path != NULL)
		probe_say(p, PROBE_INSMOD, m->name, m->path, options, 0);
	else if (mod_builtin(m))
		probe_say(p, PROBE_BUILTIN, m->name, NULL, NULL, 0);
}

static int insert_file(struct probe *p, const struct probe_mod *m, const char *options)
{
	struct modfile mf;
	bool file_err;
	int err;

	if (m->path == NULL)
		return -ENOENT;
	err = modfile_open(&mf, m->path);
	if (err < 0) {
		probe_say(p, PROBE_OPEN_FAILED, m->name, m->path, modfile_strerror(&mf, err), err);
		return err;
	}
	err = modload_insert(&mf, options, p->o.load_flags, NULL, &file_err);
	if (err < 0 && file_err)
		probe_say(p, PROBE_LOAD_FAILED, m->name, m->path, modfile_strerror(&mf, err), err);
	modfile_close(&mf);
	return err;
}

struct why {
	struct probe *p;
	const struct probe_mod *m;
};

static void say_why(const char *sentence, void *arg)
{
	struct why *w = arg;

	probe_say(w->p, PROBE_WHY, w->m->name, w->m->path, sentence, 0);
}

/* The kernel's errno says little: name the missing symbols and who
 * exports them, or the vermagic the kernel did not accept. */
static void explain(struct probe *p, const struct probe_mod *m, const char *options, int err)
{
	struct why w = { p, m };
	struct modfile mf;

	if (m->path == NULL || (err != -ENOENT && err != -ENOEXEC) || !p->o.explain)
		return;
	if (modfile_open(&mf, m->path) == 0 && modfile_image(&mf) == 0) {
		if (err == -ENOENT)
			loaddiag_unknown_symbols(mf.image, mf.size, options, p->lk, say_why, &w);
		else
			loaddiag_bad_format(mf.image, mf.size, say_why, &w);
	}
	modfile_close(&mf);
}

/* One module of the list: its install command, its file, or nothing. */
static int insert_one(struct probe *p, struct probe_mod *m, const char *options)
{
	const struct modconf_entry *ic = p->o.ignore_cmds || m->ignorecmd ? NULL :
					 modconf_find(p->lk->conf, MC_INSTALL, m->name, NULL);

	if (p->o.show)
		show_action(p, m, ic ? ic->value : NULL, options);
	if (p->o.dry_run)
		return 0;
	if (ic != NULL)
		return probe_run_command(p, m, "install", ic->value, options);
	if (m->path == NULL)
		return mod_builtin(m) ? 0 : -ENOENT;
	return insert_file(p, m, options);
}

static int load(struct probe *p, struct probe_mod *target, bool from_alias, const char *extra)
{
	struct probe_list l = { 0 };
	int err;

	if (!p->o.ignore_loaded && mod_in_kernel(target))
		return p->o.first_time ? -EEXIST : 0;
	/* A blacklisted module is not loaded through its aliases; with -b,
	 * not at all (its dependencies are not filtered). */
	if ((from_alias || p->o.use_blacklist) && modconf_blacklisted(p->lk->conf, target->name))
		return 0;
	/* A new number; after wrapping around, marks of old loads could match. */
	if (++p->probe_no == 0) {
		for (size_t i = 0; i < p->nmods; i++)
			p->mods[i]->visited = p->mods[i]->required = 0;
		p->probe_no = 1;
	}
	err = load_order(p, target, true, &l);
	for (size_t i = 0; i < l.n && err == 0; i++) {
		struct probe_mod *m = l.v[i];
		char *conf_opts, *options;

		if (!p->o.ignore_loaded && mod_in_kernel(m)) {
			err = -EEXIST;
		} else {
			conf_opts = modconf_options(p->lk->conf, m->name);
			options = join_options(conf_opts, m == target ? extra : NULL);
			free(conf_opts);
			if (options == NULL) {
				err = -ENOMEM;
				break;
			}
			err = insert_one(p, m, options);
			if (err < 0 && err != -EEXIST && m->required == p->probe_no)
				explain(p, m, options, err);
			free(options);
		}
		/* Another loader may have been first: that is success, unless
		 * --first-time asked about the module itself. */
		if (err == -EEXIST && m == target && p->o.first_time)
			break;
		if (err == -EEXIST || m->required != p->probe_no)
			err = 0;
	}
	free(l.v);
	return err;
}

int probe_insert(struct probe *p, const char *arg, const char *params)
{
	struct probe_mod **mods;
	size_t n;
	int err, ret = 0;

	err = is_path(arg) ? lookup_path(p, arg, &mods, &n) : probe_lookup(p, arg, &mods, &n);
	if (err < 0) {
		if (!is_path(arg))
			probe_say(p, PROBE_ERROR, arg, NULL, modlookup_strerror(p->lk, err), err);
		else if (err == -ENOMEM)   /* the file's own failure was said */
			probe_say(p, PROBE_ERROR, arg, NULL, msg_strerror(ENOMEM), err);
		free(mods);
		return err;
	}
	if (n == 0) {
		probe_say(p, PROBE_NOT_FOUND, arg, p->lk->ctx->moddir, NULL, -ENOENT);
		free(mods);
		return -ENOENT;
	}
	for (size_t i = 0; i < n; i++) {
		if (p->o.resolve_only) {
			probe_say(p, PROBE_RESOLVED, mods[i]->name, NULL, NULL, 0);
			continue;
		}
		err = load(p, mods[i], !is_path(arg) && via_alias(arg, mods[i]), params);
		if (err < 0) {
			ret = err;
			probe_say(p, PROBE_NOT_INSERTED, mods[i]->name, mods[i]->path, NULL, err);
		}
	}
	free(mods);
	return ret;
}

int probe_insert_lines(struct probe *p, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int err, ret = 0;

	while ((errno = 0, len = getline(&line, &cap, in)) > 0) {
		char *w = line;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		while (*w == ' ' || *w == '\t')
			w++;
		if (*w == '\0' || *w == '#')
			continue;
		if ((err = probe_insert(p, w, NULL)) < 0 && ret == 0)
			ret = err;
		modlookup_release(p->lk);
	}
	if (len < 0 && errno == ENOMEM) {
		probe_say(p, PROBE_ERROR, "-", NULL, msg_strerror(ENOMEM), -ENOMEM);
		ret = -ENOMEM;
	}
	free(line);
	return ret;
}
