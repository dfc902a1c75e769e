// SPDX-License-Identifier: GPL-2.0-or-later
/* modprobe: load or remove modules with their dependencies, by name or alias. */
//config:config MODPROBE
//config:	bool "modprobe"
//config:	default y
//config:	help
//config:	  Load and remove modules with their dependencies, soft
//config:	  dependencies and modprobe.d configuration, by name, alias or
//config:	  symbol, from the binary indexes (or the text files).
//applet:APPLET(modprobe)

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileopen.h"
#include "libbb.h"
#include "loaddiag.h"
#include "modconf.h"
#include "modelf.h"
#include "modload.h"
#include "modlookup.h"
#include "modparams.h"
#include "xarray.h"

static const char usage[] =
	"[-a] [-r] [-ibfnqsv] [-C DIR] [-d ROOT] [-S VERSION] MODULE [PARAM=VALUE]...\n"
	"       modprobe -c | -D MODULE | -R MODULE | --show-modversions FILE | --show-exports FILE\n"
	"Load (or with -r remove) modules with everything they need.\n"
	"A MODULE of /x.ko or ./x.ko loads that file (the module named by the file).\n"
	"  -a, --all              every argument is a module (- reads names from stdin)\n"
	"  -r, --remove           remove modules, then dependencies nobody else uses\n"
	"      --remove-holders   with -r: remove the modules that hold it first\n"
	"  -w, --wait MSEC        with -r: wait up to MSEC for the module to be unused\n"
	"      --first-time       fail if already loaded (or, with -r, not loaded)\n"
	"  -i, --ignore-install, --ignore-remove   ignore install/remove commands\n"
	"  -b, --use-blacklist    apply blacklist to every module resolved\n"
	"  -f, --force            --force-modversion and --force-vermagic; with -r, forced unload\n"
	"      --force-modversion, --force-vermagic\n"
	"  -R, --resolve-alias, --show-alias   print the module names an alias resolves to\n"
	"  -D, --show-depends     print what would be loaded (insmod/builtin/install)\n"
	"  -c, --showconfig       print the configuration and the indexes\n"
	"      --show-modversions FILE, --show-exports FILE\n"
	"  -n, --dry-run          do not load or remove, print with -v\n"
	"  -C, --config PATH      configuration folders or files instead of modprobe.d\n"
	"  -d, --dirname ROOT     root folder holding lib/modules\n"
	"  -S, --set-version V    kernel version instead of the running one\n"
	"  -q, --quiet            no messages (each later -v brings a kind back)\n"
	"  -s, --syslog, -v, --verbose, -V, --version, -h, --help\n";

enum {
	OPT_FORCE_VERMAGIC = 256, OPT_FORCE_MODVERSION, OPT_FIRST_TIME, OPT_SHOW_MODVERSIONS,
	OPT_REMOVE_HOLDERS, OPT_SHOW_EXPORTS,
};

struct mod {
	char *name;
	char *path;        /* absolute file; NULL for built-in or unknown */
	char *deps;        /* dependency paths of its modules.dep line */
	bool builtin;
	bool deps_known;   /* deps read (a module met as a dependency path has not) */
	/* visited, required: this probe's number when set in it (one
	 * increment forgets them all, however many modules were met) */
	unsigned visited, required;
	bool ignorecmd;
	bool removing;                      /* remove_module() is under way */
	bool softdep_known;                 /* softdep looked up once */
	const struct modconf_entry *softdep;
};

struct modprobe {
	struct modctx ctx;
	struct modconf conf;
	struct modlookup lk;
	struct mod **mods;   /* every module met, each name once (an xarray) */
	size_t nmods;
	struct xhash byname; /* positions in mods by name */
	unsigned probe_no;   /* of the probe under way, from 1 */
	/* options */
	bool all, remove, dry_run, show, ignore_cmds, use_blacklist, first_time,
	     ignore_loaded, remove_holders, resolve_only, force;
	unsigned load_flags;
	long wait_ms;
};

/* ---- modules ------------------------------------------------------------ */

/* A dependency line names thousands of modules: each is found by hash. */
static struct mod *mod_find(const struct modprobe *mp, const char *name, uint32_t hash)
{
	size_t it = 0;

	for (uint32_t i; (i = xhash_next(&mp->byname, hash, &it)) != XHASH_END;)
		if (strcmp(mp->mods[i]->name, name) == 0)
			return mp->mods[i];
	return NULL;
}

/* The module called name, created with path (absolute; may be NULL) when
 * it is new. NULL when out of memory. */
static struct mod *mod_add(struct modprobe *mp, const char *name, const char *path)
{
	uint32_t hash = xhash_bytes(name, strlen(name));
	struct mod *x = mod_find(mp, name, hash), **v;

	if (x != NULL)
		return x;
	x = calloc(1, sizeof(*x));
	v = xarray_grow(&mp->mods, mp->nmods, 1, sizeof(*v));
	if (x == NULL || v == NULL || (x->name = strdup(name)) == NULL ||
	    (path != NULL && (x->path = strdup(path)) == NULL) ||
	    xhash_add(&mp->byname, hash, (uint32_t)mp->nmods) < 0) {
		if (x != NULL) {
			free(x->name);
			free(x->path);
		}
		free(x);
		return NULL;
	}
	*v = x;
	mp->nmods++;
	return x;
}

/* The module of a lookup result; what the lookup read of its modules.dep
 * line fills in what is not known yet. */
static struct mod *mod_get(struct modprobe *mp, const struct modlookup_module *m)
{
	char path[PATH_MAX];
	bool has_path = m->path != NULL && modlookup_module_path(&mp->lk, m, path, sizeof(path)) == 0;
	struct mod *x = mod_add(mp, m->name, has_path ? path : NULL);

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

/* Module by name only (holders name modules, never aliases). */
static struct mod *mod_by_name(struct modprobe *mp, const char *name)
{
	struct modlookup_result res;
	struct modlookup_module bare = { .name = (char *)name };
	struct mod *x;
	char norm[MODNAME_MAX];

	if (modname_normalize(name, norm) < 0)
		return NULL;
	bare.name = norm;
	x = mod_find(mp, norm, xhash_bytes(norm, strlen(norm)));
	if (x != NULL && x->deps_known)
		return x;
	if (modlookup_name(&mp->lk, norm, &res) < 0 || res.count == 0) {
		modlookup_result_free(&res);
		return mod_get(mp, &bare);
	}
	x = mod_get(mp, &res.mods[0]);
	modlookup_result_free(&res);
	return x;
}

/* A path of a modules.dep line: the module is named by the file and lives
 * there, as kmod makes it (kmod_module_new_from_path); its own line is
 * read only if its dependencies are wanted (mod_deps). */
static struct mod *mod_by_dep_path(struct modprobe *mp, const char *rel)
{
	struct modlookup_module m = { .path = (char *)rel };
	char name[MODNAME_MAX], path[PATH_MAX];
	struct mod *x;

	if (modname_normalize(rel, name) < 0)
		return NULL;
	if (modlookup_module_path(&mp->lk, &m, path, sizeof(path)) < 0)
		return mod_by_name(mp, name);
	x = mod_add(mp, name, path);
	if (x != NULL && x->path == NULL && (x->path = strdup(path)) == NULL)
		return NULL;
	return x;
}

/* The dependency paths of m's modules.dep line, read the first time. */
static const char *mod_deps(struct modprobe *mp, struct mod *m)
{
	if (!m->deps_known)
		mod_by_name(mp, m->name);
	return m->deps;
}

/* Modules an argument names: by name, alias, symbol or command. */
static int lookup(struct modprobe *mp, const char *arg, struct mod ***out, size_t *n)
{
	struct modlookup_result res;
	int err = modlookup_any(&mp->lk, arg, &res);

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
		struct mod *x = mod_get(mp, &res.mods[i]);

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

static int lookup_path(struct modprobe *mp, const char *arg, struct mod ***out, size_t *n)
{
	char name[MODNAME_MAX], cwd[PATH_MAX], *path = NULL;
	struct stat st;
	struct mod *x;

	*out = NULL;
	*n = 0;
	if (stat(arg, &st) < 0 || modname_normalize(arg, name) < 0) {
		int err = errno ? errno : EINVAL;

		/* kmod words it so, a warning when -a goes on to the next one */
		if (mp->all)
			msg_warn("Failed to get module from path %s: %s", arg, strerror(err));
		else
			msg_fatal("Failed to get module from path %s: %s", arg, strerror(err));
		return -ENOENT;
	}
	if (arg[0] == '/')
		path = strdup(arg);
	else if (getcwd(cwd, sizeof(cwd)) != NULL && asprintf(&path, "%s/%s", cwd, arg) < 0)
		path = NULL;
	*out = calloc(1, sizeof(**out));
	x = path != NULL && *out != NULL ? mod_add(mp, name, path) : NULL;
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
static bool via_alias(const char *arg, const struct mod *m)
{
	char key[1024];

	/* The argument as lookups key it, whole: "usb:v1/NAME" or "NAME.x"
	 * that resolve to NAME are aliases. */
	return modname_alias(arg, key, sizeof(key), true) < 0 || strcmp(key, m->name) != 0;
}

static bool mod_in_kernel(const struct mod *m)
{
	int state = kernel_module_state(m->name);

	return state == KMOD_STATE_LIVE || state == KMOD_STATE_BUILTIN || state == KMOD_STATE_COMING;
}

/* Built in: /sys/module says so, or modules.builtin does. */
static bool mod_builtin(const struct mod *m)
{
	return m->builtin || kernel_module_state(m->name) == KMOD_STATE_BUILTIN;
}

/* ---- soft dependencies and the probe list ------------------------------ */

struct list {
	struct mod **v;      /* an xarray */
	size_t n;
};

static int list_add(struct list *l, struct mod *m)
{
	struct mod **v = xarray_grow(&l->v, l->n, 1, sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	*v = m;
	l->n++;
	return 0;
}

static int probe_list(struct modprobe *mp, struct mod *m, bool required, struct list *out);

/* "pre: a b post: c": the modules of one side, resolved as lookups. */
static int softdep_side(struct modprobe *mp, struct mod *m, bool pre, struct list *side)
{
	const struct modconf_entry *e = NULL;
	char *copy, *save = NULL;
	bool in = false;
	int err = 0;

	/* The first softdep line of the module counts, as in kmod. */
	if (!m->softdep_known) {
		m->softdep = modconf_find(&mp->conf, MC_SOFTDEP, m->name, NULL);
		m->softdep_known = true;
	}
	e = m->softdep;
	if (e == NULL)
		return 0;
	copy = strdup(e->value);
	if (copy == NULL)
		return -ENOMEM;
	for (char *w = strtok_r(copy, " ", &save); w && err == 0; w = strtok_r(NULL, " ", &save)) {
		struct mod **found;
		size_t n;

		if (strcmp(w, "pre:") == 0 || strcmp(w, "post:") == 0) {
			in = (w[1] == 'r') == pre;
			continue;
		}
		if (!in)
			continue;
		if (lookup(mp, w, &found, &n) == 0)
			for (size_t i = 0; i < n && err == 0; i++)
				err = list_add(side, found[i]);
		free(found);
	}
	free(copy);
	return err;
}

static int with_softdeps(struct modprobe *mp, struct mod *m, struct list *out)
{
	struct list pre = { 0 }, post = { 0 };
	int err = softdep_side(mp, m, true, &pre);

	if (err == 0)
		err = softdep_side(mp, m, false, &post);
	for (size_t i = 0; i < pre.n && err == 0; i++)
		err = probe_list(mp, pre.v[i], false, out);
	if (err == 0)
		err = list_add(out, m);
	/* A module with soft dependencies is loaded directly, its install
	 * command ignored, as kmod does. */
	m->ignorecmd = pre.n > 0 || post.n > 0;
	for (size_t i = 0; i < post.n && err == 0; i++)
		err = probe_list(mp, post.v[i], false, out);
	free(pre.v);
	free(post.v);
	return err;
}

/* Dependencies (last of the modules.dep line first), each with its soft
 * dependencies, then the module itself. */
static int probe_list(struct modprobe *mp, struct mod *m, bool required, struct list *out)
{
	struct list deps = { 0 };
	char *copy, *save = NULL;
	int err = 0;

	if (m->visited == mp->probe_no)
		return 0;
	m->visited = mp->probe_no;
	if (mod_deps(mp, m) != NULL && m->deps[0] != '\0') {
		copy = strdup(m->deps);
		if (copy == NULL)
			return -ENOMEM;
		for (char *w = strtok_r(copy, " ", &save); w && err == 0; w = strtok_r(NULL, " ", &save)) {
			struct mod *d = mod_by_dep_path(mp, w);

			/* A damaged modules.dep may list a module as its own
			 * dependency: loading it first would be loading it twice. */
			if (d != m)
				err = d ? list_add(&deps, d) : -ENOMEM;
		}
		free(copy);
	}
	if (required) {
		m->required = mp->probe_no;
		for (size_t i = 0; i < deps.n; i++)
			deps.v[i]->required = mp->probe_no;
	}
	for (size_t i = deps.n; i-- > 0 && err == 0;)
		err = with_softdeps(mp, deps.v[i], out);
	if (err == 0) {
		if (mp->ignore_cmds) {
			err = list_add(out, m);
		} else {
			err = with_softdeps(mp, m, out);
		}
	}
	free(deps.v);
	return err;
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

/* Run an install or remove command by /bin/sh, with $CMDLINE_OPTS replaced
 * by the options and MODPROBE_MODULE set. */
static int run_command(const struct mod *m, const char *kind, const char *cmd, const char *options)
{
	static const char var[] = "$CMDLINE_OPTS";
	size_t cap = strlen(cmd) + 1, len = 0;
	char *full;
	const char *p;
	int status;

	for (p = cmd; (p = strstr(p, var)) != NULL; p += sizeof(var) - 1)
		cap += strlen(options);
	full = malloc(cap);
	if (full == NULL)
		return -ENOMEM;
	for (p = cmd; *p;) {
		if (strncmp(p, var, sizeof(var) - 1) == 0) {
			memcpy(full + len, options, strlen(options));
			len += strlen(options);
			p += sizeof(var) - 1;
		} else {
			full[len++] = *p++;
		}
	}
	full[len] = '\0';
	setenv("MODPROBE_MODULE", m->name, 1);
	fflush(NULL);
	status = shell(full);
	unsetenv("MODPROBE_MODULE");
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		msg_err("Error running %s command '%s' for module %s: retcode %d", kind, full, m->name,
			status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		free(full);
		return -EINVAL;
	}
	free(full);
	return 0;
}

/* What is done, for -n/-v/-D: kmod's format, trailing space included. */
static void print_action(const struct mod *m, const char *cmd, const char *options)
{
	if (cmd != NULL)
		printf("install %s %s\n", cmd, options);
	else if (m->path != NULL)
		printf("insmod %s %s\n", m->path, options);
	else if (mod_builtin(m))
		printf("builtin %s\n", m->name);
}

static int insert_file(struct modprobe *mp, const struct mod *m, const char *options)
{
	struct modfile mf;
	bool file_err;
	int err;

	if (m->path == NULL)
		return -ENOENT;
	err = modfile_open(&mf, m->path);
	if (err < 0) {
		msg_err("could not open %s: %s", m->path, modfile_strerror(&mf, err));
		return err;
	}
	err = modload_insert(&mf, options, mp->load_flags, NULL, &file_err);
	if (err < 0 && file_err)
		msg_err("could not load %s: %s", m->path, modfile_strerror(&mf, err));
	modfile_close(&mf);
	return err;
}

static void say(const char *sentence, void *arg)
{
	(void)arg;
	msg_err("%s", sentence);
}

/* The kernel's errno says little: name the missing symbols and who
 * exports them, or the vermagic the kernel did not accept. */
static void explain(struct modprobe *mp, const struct mod *m, const char *options, int err)
{
	struct modfile mf;

	if (m->path == NULL || (err != -ENOENT && err != -ENOEXEC) || msg_verbose() < -1)
		return;   /* nothing to add, or errors are not shown */
	if (modfile_open(&mf, m->path) == 0 && modfile_image(&mf) == 0) {
		if (err == -ENOENT)
			loaddiag_unknown_symbols(mf.image, mf.size, options, &mp->lk, say, NULL);
		else
			loaddiag_bad_format(mf.image, mf.size, say, NULL);
	}
	modfile_close(&mf);
}

static int probe(struct modprobe *mp, struct mod *target, bool from_alias, const char *extra)
{
	struct list l = { 0 };
	int err;

	if (!mp->ignore_loaded && mod_in_kernel(target))
		return mp->first_time ? -EEXIST : 0;
	/* A blacklisted module is not loaded through its aliases; with -b,
	 * not at all (its dependencies are not filtered). */
	if ((from_alias || mp->use_blacklist) && modconf_blacklisted(&mp->conf, target->name))
		return 0;
	/* A new number; after wrapping around, marks of old probes could match. */
	if (++mp->probe_no == 0) {
		for (size_t i = 0; i < mp->nmods; i++)
			mp->mods[i]->visited = mp->mods[i]->required = 0;
		mp->probe_no = 1;
	}
	err = probe_list(mp, target, true, &l);
	if (err < 0)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		struct mod *m = l.v[i];
		const struct modconf_entry *ic = mp->ignore_cmds || m->ignorecmd ? NULL :
						 modconf_find(&mp->conf, MC_INSTALL, m->name, NULL);
		char *conf_opts, *options;

		if (!mp->ignore_loaded && mod_in_kernel(m)) {
			err = -EEXIST;
		} else {
			conf_opts = modconf_options(&mp->conf, m->name);
			options = join_options(conf_opts, m == target ? extra : NULL);
			free(conf_opts);
			if (options == NULL) {
				err = -ENOMEM;
				break;
			}
			if (mp->show)
				print_action(m, ic ? ic->value : NULL, options);
			if (mp->dry_run)
				err = 0;
			else if (ic != NULL)
				err = run_command(m, "install", ic->value, options);
			else if (m->path == NULL && mod_builtin(m))
				err = 0;
			else if (m->path == NULL)
				err = -ENOENT;
			else
				err = insert_file(mp, m, options);
			if (err < 0 && err != -EEXIST && m->required == mp->probe_no)
				explain(mp, m, options, err);
			free(options);
		}
		/* Another loader may have been first: that is success, unless
		 * --first-time asked about the module itself. */
		if (err == -EEXIST && m == target && mp->first_time)
			break;
		if (err == -EEXIST || m->required != mp->probe_no)
			err = 0;
		else if (err < 0)
			break;
	}
out:
	free(l.v);
	return err;
}

static int do_insert(struct modprobe *mp, const char *arg, const char *extra)
{
	struct mod **mods;
	size_t n;
	int err, ret = 0;

	if (is_path(arg)) {
		err = lookup_path(mp, arg, &mods, &n);
		if (err == -ENOMEM)
			msg_err("%s", strerror(-err));
		if (err < 0) {
			free(mods);
			return err;
		}
	} else if ((err = lookup(mp, arg, &mods, &n)) < 0) {
		msg_err("%s", modlookup_strerror(&mp->lk, err));
		free(mods);
		return err;
	}
	if (n == 0) {
		/* kmod words it as a warning when -a goes on to the next name. */
		if (mp->all)
			msg_warn("Module %s not found in directory %s", arg, mp->ctx.moddir);
		else
			msg_fatal("Module %s not found in directory %s", arg, mp->ctx.moddir);
		free(mods);
		return -ENOENT;
	}
	for (size_t i = 0; i < n; i++) {
		const char *why, *more;

		if (mp->resolve_only) {
			printf("%s\n", mods[i]->name);
			continue;
		}
		err = probe(mp, mods[i], !is_path(arg) && via_alias(arg, mods[i]), extra);
		if (err >= 0)
			continue;
		ret = err;
		why = strerror(-err);
		more = "";
		if (err == -EEXIST)
			why = "Module already in kernel";
		else if (err == -ENOENT)
			why = "Unknown symbol in module, or unknown parameter (see dmesg)";
		else if (err == -EPERM && kernel_modules_disabled() == 1)
			more = " (module loading is disabled: /proc/sys/kernel/modules_disabled is 1)";
		msg_err("could not insert '%s': %s%s", mods[i]->name, why, more);
	}
	free(mods);
	return ret;
}

/* ---- removing ----------------------------------------------------------- */

/* How remove_module() treats a module: the one named on the command line
 * (its holders go first with --remove-holders, builtin is an error) or one
 * of a list (soft dependencies, holders: builtin is skipped). */
#define RM_TOP 0x1
#define RM_IN_LIST 0x2

static int remove_module(struct modprobe *mp, struct mod *m, int how);

/* modules.builtin names it: kmod asks by name, however the module was
 * found (a remove command's key is a module with no file too). */
static bool name_builtin(struct modprobe *mp, const char *name)
{
	struct modlookup_result res;
	bool yes = modlookup_name(&mp->lk, name, &res) == 0 && res.count > 0 && res.mods[0].builtin;

	modlookup_result_free(&res);
	return yes;
}

/* kmod's message level for removal: FATAL, WARNING with -a. */
static void __attribute__((format(printf, 2, 3))) rm_msg(const struct modprobe *mp, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (mp->all)
		msg_warn("%s", buf);
	else
		msg_fatal("%s", buf);
}

/* Soft dependencies or holders, last first, as kmod 34.2 does; the first
 * that cannot be removed stops the list and its error is the list's. */
static int remove_list(struct modprobe *mp, struct mod *const *v, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		int err = remove_module(mp, v[i], RM_IN_LIST);

		if (err < 0)
			return err;
	}
	return 0;
}

static int wait_unused(struct modprobe *mp, const struct mod *m)
{
	struct timespec step = { 0, 10 * 1000 * 1000 };
	long waited = 0;

	while (kernel_module_refcnt(m->name) > 0 && waited < mp->wait_ms) {
		nanosleep(&step, NULL);
		waited += 10;
	}
	return kernel_module_refcnt(m->name) > 0 ? -EBUSY : 0;
}

/* The modules of m's modules.dep line whose use count is 0, removed from
 * the last of the line; failures are reported and left. */
static void remove_unused_deps(struct modprobe *mp, struct mod *m)
{
	char *copy, *save = NULL, **names = NULL;
	size_t n = 0;

	if (mod_deps(mp, m) == NULL)
		return;
	if ((copy = strdup(m->deps)) == NULL) {
		msg_err("%s", strerror(ENOMEM));
		return;
	}
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char **v = xarray_grow(&names, n, 1, sizeof(*v));

		if (v == NULL) {
			/* Those before it on the line are still removed. */
			msg_err("%s", strerror(ENOMEM));
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
		if (mp->show)
			printf("rmmod %s\n", name);
		if (!mp->dry_run && (err = kernel_unload(name, mp->force)) < 0)
			msg_err("could not remove '%s': %s", name, strerror(-err));
	}
	free(names);
	free(copy);
}

/* kmod 34.2's order: post soft dependencies, holders (--remove-holders,
 * for the module named only), the module (or its remove command, after
 * which its dependencies are left alone), the dependencies of its
 * modules.dep line that nobody uses, then its pre soft dependencies. A soft
 * dependency or holder that cannot be removed ends the removal with its
 * error. */
static int remove_module(struct modprobe *mp, struct mod *m, int how)
{
	struct list pre = { 0 }, post = { 0 };
	const struct modconf_entry *rc = NULL;
	int state, err = 0;

	/* Soft dependencies may lead back here (softdep a post: a, or a and b
	 * naming each other; kmod recurses until it crashes): a module already
	 * being removed is left to that call. */
	if (m->removing)
		return 0;
	m->removing = true;
	if (!mp->ignore_cmds) {
		softdep_side(mp, m, true, &pre);
		softdep_side(mp, m, false, &post);
		rc = modconf_find(&mp->conf, MC_REMOVE, m->name, NULL);
	}
	/* A remove command runs whether the module is loaded or not. Built in
	 * is modules.builtin's word first, as in kmod 34.2. */
	state = m->builtin || name_builtin(mp, m->name) ? KMOD_STATE_BUILTIN
						       : kernel_module_state(m->name);
	if (rc == NULL && state == KMOD_STATE_BUILTIN) {
		if (!(how & RM_IN_LIST)) {
			rm_msg(mp, "Module %s is builtin.", m->name);
			err = -ENOENT;
		}
		goto out;
	}
	if (rc == NULL && state < 0) {
		if (mp->first_time) {
			rm_msg(mp, "Module %s is not in kernel.", m->name);
			err = -ENOENT;
		}
		goto out;
	}
	if ((err = remove_list(mp, post.v, post.n)) < 0)
		goto out;
	if ((how & RM_TOP) && mp->remove_holders && state >= 0) {
		struct name_list holders;
		struct mod **hv = NULL;
		size_t hn = 0;

		if (kernel_module_holders(m->name, &holders) == 0) {
			for (const char *h = NULL; (h = name_list_next(&holders, h));) {
				struct mod *hm = mod_by_name(mp, h), **v;

				if (hm == NULL)
					continue;
				if ((v = xarray_grow(&hv, hn, 1, sizeof(*v))) == NULL) {
					err = -ENOMEM;
					break;
				}
				*v = hm;
				hn++;
			}
			name_list_free(&holders);
		}
		if (err == 0)
			err = remove_list(mp, hv, hn);
		free(hv);
		if (err < 0)
			goto out;
		/* Removing a holder may have taken this module with it, as one
		 * of the holder's unused dependencies. */
		if (kernel_module_state(m->name) < 0)
			goto out;
	}
	if (rc == NULL) {
		if (mp->wait_ms > 0)
			wait_unused(mp, m);
		if (kernel_module_refcnt(m->name) > 0) {
			rm_msg(mp, "Module %s is in use.", m->name);
			err = -EBUSY;
			goto out;
		}
	}
	if (mp->show)
		printf(rc ? "remove %s\n" : "rmmod %s\n", rc ? rc->value : m->name);
	if (mp->dry_run) {
		err = 0;
	} else if (rc != NULL) {
		err = run_command(m, "remove", rc->value, "");
	} else {
		err = kernel_unload(m->name, mp->force);
		if (err == -ENOENT && !mp->first_time)
			err = 0;
		else if (err < 0)
			msg_err("could not remove '%s': %s", m->name, strerror(-err));
	}
	if (err < 0)
		goto out;
	/* Then its dependencies that nobody uses now, each by itself (no
	 * commands, soft dependencies or dependencies of its own), last of
	 * the line first, as kmod does: a module the dry run leaves loaded is
	 * named once, not once per path to it. */
	if (rc == NULL)
		remove_unused_deps(mp, m);
	err = remove_list(mp, pre.v, pre.n);
out:
	m->removing = false;
	free(pre.v);
	free(post.v);
	return err;
}

static int do_remove(struct modprobe *mp, const char *arg)
{
	struct mod **mods;
	size_t n;
	int err = lookup(mp, arg, &mods, &n), ret = 0;

	if (err < 0) {
		msg_err("%s", modlookup_strerror(&mp->lk, err));
	} else if (n == 0) {
		/* a warning when -a goes on to the next name, as for loading */
		if (mp->all)
			msg_warn("Module %s not found.", arg);
		else
			msg_fatal("Module %s not found.", arg);
		err = -ENOENT;
	}
	if (err < 0) {
		free(mods);
		return err;
	}
	/* the first module of an alias that cannot be removed ends it */
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = remove_module(mp, mods[i], RM_TOP);
	free(mods);
	return ret;
}

/* ---- queries ------------------------------------------------------------ */

static int print_alias(const char *key, const char *value, uint32_t prio, void *arg)
{
	(void)prio;
	(void)arg;
	printf("alias %s %s\n", key, value);
	return 0;
}

/* Both are dumped even if the first is damaged; either fails the run. */
static int dump_aliases(struct modprobe *mp, enum modlookup_file f)
{
	int err = modlookup_dump(&mp->lk, f, print_alias, NULL);

	if (err < 0)
		msg_err("%s", modlookup_strerror(&mp->lk, err));
	return err;
}

static int show_config(struct modprobe *mp)
{
	static const struct { enum modconf_kind k; const char *name; } order[] = {
		{ MC_BLACKLIST, "blacklist" }, { MC_INSTALL, "install" }, { MC_REMOVE, "remove" },
		{ MC_ALIAS, "alias" }, { MC_OPTIONS, "options" }, { MC_SOFTDEP, "softdep" },
		{ MC_WEAKDEP, "weakdep" },
	};
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		for (size_t j = 0; j < mp->conf.n[order[i].k]; j++) {
			const struct modconf_entry *e = &mp->conf.v[order[i].k][j];

			if (e->value != NULL)
				printf("%s %s %s\n", order[i].name, e->key, e->value);
			else
				printf("%s %s\n", order[i].name, e->key);
		}
	}
	puts("\n# End of configuration files. Dumping indexes now:\n");
	fflush(stdout);
	err = dump_aliases(mp, ML_ALIAS);
	if (dump_aliases(mp, ML_SYMBOLS) < 0)
		err = -EBADMSG;
	return err;
}

static int print_version(uint64_t crc, const char *name, void *arg)
{
	(void)arg;
	printf("0x%08llx\t%s\n", (unsigned long long)crc, name);
	return 0;
}

static int print_export(const struct modelf_ksym *sym, void *arg)
{
	(void)arg;
	printf("0x%08llx\t%.*s\n", (unsigned long long)sym->crc, (int)sym->len, sym->name);
	return 0;
}

static int show_versions(const char *file, bool exports)
{
	struct modfile mf;
	struct modelf elf;
	int err = modfile_open(&mf, file);

	if (err == 0)
		err = modfile_image(&mf);
	if (err < 0) {
		msg_err("could not read module %s: %s", file, modfile_strerror(&mf, err));
		modfile_close(&mf);
		return err;
	}
	err = modelf_open(&elf, mf.image, mf.size);
	if (err == 0) {
		err = exports ? modelf_exports(&elf, print_export, NULL)
			      : modelf_versions(&elf, print_version, NULL);
		/* Nothing to show: kmod calls that an error too. */
		if (err == -ENOENT) {
			msg_fatal("could not get %s of %s: %s", exports ? "symbols" : "modversions", file,
				  strerror(ENOENT));
			modfile_close(&mf);
			return err;
		}
	}
	if (err < 0)
		msg_err("could not read module %s: %s", file, modelf_strerror(&elf, err));
	modfile_close(&mf);
	return err;
}

/* ---- main --------------------------------------------------------------- */

/* MODPROBE_OPTIONS come before the command line's own arguments: a new
 * argv (or argv itself when there are none) whose words live in *words
 * (freed by the caller after the argv); NULL when out of memory. */
static char **with_env_options(int *argc, char **argv, char **words)
{
	const char *env = getenv("MODPROBE_OPTIONS");
	char *copy, *save = NULL, **out;
	int n = 0;

	*words = NULL;
	if (env == NULL || *env == '\0')
		return argv;
	copy = strdup(env);
	out = calloc((size_t)*argc + strlen(env) / 2 + 2, sizeof(*out));
	if (copy == NULL || out == NULL) {
		free(copy);
		free(out);
		return NULL;
	}
	*words = copy;
	out[n++] = argv[0];
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		out[n++] = w;
	for (int i = 1; i < *argc; i++)
		out[n++] = argv[i];
	*argc = n;
	return out;
}

/* Each -q, -v, -s and -C joins MODPROBE_OPTIONS as it is read, as kmod
 * passes them on to the modprobe an install or remove command runs. */
static int env_options_append(const char *opt, const char *arg)
{
	const char *old = getenv("MODPROBE_OPTIONS");
	char *v;
	int err = 0;

	if (asprintf(&v, "%s%s%s%s%s", old ? old : "", old ? " " : "", opt, arg ? " " : "", arg ? arg : "") < 0)
		return -ENOMEM;
	if (setenv("MODPROBE_OPTIONS", v, 1) < 0)
		err = -errno;
	free(v);
	return err;
}

/* "-" with -a: names or modaliases from standard input, one a line. */
static int insert_stdin(struct modprobe *mp)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		char *w = line;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		while (*w == ' ' || *w == '\t')
			w++;
		if (*w == '\0' || *w == '#')
			continue;
		if (do_insert(mp, w, NULL) < 0)
			ret = -1;
		modlookup_release(&mp->lk);
	}
	free(line);
	return ret;
}

int modprobe_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "remove", no_argument, NULL, 'r' },
		{ "remove-dependencies", no_argument, NULL, OPT_REMOVE_HOLDERS },
		{ "remove-holders", no_argument, NULL, OPT_REMOVE_HOLDERS },
		{ "wait", required_argument, NULL, 'w' },
		{ "first-time", no_argument, NULL, OPT_FIRST_TIME },
		{ "ignore-install", no_argument, NULL, 'i' },
		{ "ignore-remove", no_argument, NULL, 'i' },
		{ "use-blacklist", no_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "force-modversion", no_argument, NULL, OPT_FORCE_MODVERSION },
		{ "force-vermagic", no_argument, NULL, OPT_FORCE_VERMAGIC },
		{ "resolve-alias", no_argument, NULL, 'R' },
		{ "show-alias", no_argument, NULL, 'R' },   /* kmod's newer spelling */
		{ "show-depends", no_argument, NULL, 'D' },
		{ "showconfig", no_argument, NULL, 'c' },
		{ "show-config", no_argument, NULL, 'c' },
		{ "show-modversions", no_argument, NULL, OPT_SHOW_MODVERSIONS },
		{ "dump-modversions", no_argument, NULL, OPT_SHOW_MODVERSIONS },
		{ "show-exports", no_argument, NULL, OPT_SHOW_EXPORTS },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "show", no_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'C' },
		{ "dirname", required_argument, NULL, 'd' },
		{ "set-version", required_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		MSG_LONGOPTS_END(4),
	};
	struct modprobe mp = { 0 };
	const char *root = NULL, *kver = NULL;
	const char **confs = NULL;
	size_t nconfs = 0;
	int c, r, err, ret = EXIT_SUCCESS, query = 0;
	char *env_words, **args = with_env_options(&argc, argv, &env_words);

	if (args == NULL) {
		msg_err("%s", strerror(ENOMEM));
		return EXIT_FAILURE;
	}

	while ((c = msg_getopt(argc, args, "arw:ibfRDcnC:d:S:sqvVh", longopts)) != -1) {
		switch (c) {
		case 'a': mp.all = true; break;
		case 'r': mp.remove = true; break;
		case OPT_REMOVE_HOLDERS: mp.remove_holders = true; break;
		case 'w': {
			/* milliseconds, in any base strtoul reads, as kmod */
			char *end;
			unsigned long ms = strtoul(optarg, &end, 0);

			if (*end != '\0') {
				msg_usage_error("unexpected wait value '%s'.", optarg);
				free(confs);
				return EXIT_FAILURE;
			}
			mp.wait_ms = ms > LONG_MAX ? LONG_MAX : (long)ms;
			break;
		}
		case OPT_FIRST_TIME: mp.first_time = true; break;
		case 'i': mp.ignore_cmds = true; break;
		case 'b': mp.use_blacklist = true; break;
		case 'f':
			/* loading: both checks off; removing: a forced unload */
			mp.load_flags |= KERNEL_LOAD_IGNORE_MODVERSIONS | KERNEL_LOAD_IGNORE_VERMAGIC;
			mp.force = true;
			break;
		case OPT_FORCE_MODVERSION: mp.load_flags |= KERNEL_LOAD_IGNORE_MODVERSIONS; break;
		case OPT_FORCE_VERMAGIC: mp.load_flags |= KERNEL_LOAD_IGNORE_VERMAGIC; break;
		case 'R': mp.resolve_only = true; break;
		case 'D':
			mp.ignore_loaded = mp.dry_run = mp.show = true;
			break;
		case 'c': query = 'c'; break;
		case OPT_SHOW_MODVERSIONS: query = 'm'; break;
		case OPT_SHOW_EXPORTS: query = 'e'; break;
		case 'n': mp.dry_run = true; break;
		case 'C': {
			const char **v = xarray_grow(&confs, nconfs, 1, sizeof(*v));

			if (v == NULL || (err = env_options_append("-C", optarg)) < 0) {
				msg_err("%s", strerror(v == NULL ? ENOMEM : -err));
				free(confs);
				return EXIT_FAILURE;
			}
			*v = optarg;
			nconfs++;
			break;
		}
		case 'd': root = optarg; break;
		case 'S': kver = optarg; break;
		case 'q':
		case 'v':
		case 's':
			err = env_options_append(c == 'q' ? "-q" : c == 'v' ? "-v" : "-s", NULL);
			if (err < 0) {
				msg_err("%s", strerror(-err));
				free(confs);
				return EXIT_FAILURE;
			}
			if (c == 'q') {
				msg_quiet();
				break;
			}
			/* fall through */
		default:
			r = msg_option(c, usage);
			if (r != MSG_OPTION_CONTINUE) {
				free(confs);
				return r;
			}
		}
	}
	/* -q then -v is still quiet: the level decides, as kmod's (the
	 * kernel's request_module runs modprobe -q; the exit status tells). */
	if (msg_verbose() > 0)
		mp.show = true;
	err = modctx_init(&mp.ctx, root, kver);
	if (err < 0) {
		msg_err("bad module folder (-d %s, -S %s): %s", root ? root : "", kver ? kver : "", strerror(-err));
		free(confs);
		return EXIT_FAILURE;
	}
	if (query == 'm' || query == 'e') {
		if (optind >= argc) {
			msg_usage_error("missing filename.");
			free(confs);
			return EXIT_FAILURE;
		}
		ret = show_versions(args[optind], query == 'e') < 0;
		if (msg_flush_stdout() < 0)
			ret = EXIT_FAILURE;
		free(confs);
		return ret;
	}
	err = modconf_load(&mp.conf, &mp.ctx, confs, nconfs, true);
	free(confs);
	if (err < 0) {
		msg_err("could not read the configuration: %s", strerror(-err));
		return EXIT_FAILURE;
	}
	modlookup_init(&mp.lk, &mp.ctx);
	mp.lk.conf = &mp.conf;
	if (query == 'c') {
		if (show_config(&mp) < 0)
			ret = EXIT_FAILURE;
	} else if (optind >= argc) {
		msg_usage_error("missing parameters. See -h.");
		ret = EXIT_FAILURE;
	} else if (mp.all || mp.remove) {
		for (int i = optind; i < argc; i++) {
			if (mp.all && strcmp(args[i], "-") == 0 && !mp.remove)
				err = insert_stdin(&mp);
			else
				err = mp.remove ? do_remove(&mp, args[i]) : do_insert(&mp, args[i], NULL);
			if (err < 0)
				ret = EXIT_FAILURE;
			modlookup_release(&mp.lk);
		}
	} else {
		/* MODULE PARAM=VALUE...: the parameters, quoted as insmod does. */
		char *extra = modparams_join(argc - optind - 1, args + optind + 1);

		if (do_insert(&mp, args[optind], extra) < 0)
			ret = EXIT_FAILURE;
		free(extra);
	}
	if (msg_flush_stdout() < 0)
		ret = EXIT_FAILURE;
	for (size_t i = 0; i < mp.nmods; i++) {
		free(mp.mods[i]->name);
		free(mp.mods[i]->path);
		free(mp.mods[i]->deps);
		free(mp.mods[i]);
	}
	free(mp.mods);
	xhash_free(&mp.byname);
	modlookup_close(&mp.lk);
	modconf_free(&mp.conf);
	if (args != argv) {
		free(env_words);
		free(args);
	}
	return ret;
}
