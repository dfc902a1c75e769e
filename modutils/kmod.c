// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmod: kmod's own command, as systemd's kmod-static-nodes.service and
 * mkinitcpio call it: "kmod static-nodes" turns the running kernel's
 * modules.devname into device-node lines, "kmod list" is lsmod.
 */
//config:config KMOD
//config:	bool "kmod"
//config:	default y
//config:	help
//config:	  kmod's own command: "kmod static-nodes [-f FORMAT] [-o FILE]"
//config:	  prints the device nodes listed in the running kernel's
//config:	  modules.devname (human, tmpfiles.d or devname format) as
//config:	  systemd's kmod-static-nodes.service asks for it; "kmod list"
//config:	  is lsmod (when LSMOD is built); "kmod help", "kmod --version".
//applet:APPLET(kmod)

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libbb.h"
#include "fileopen.h"
#include "modindex.h"

/* The lsmod applet, for "kmod list" (the call is dropped without LSMOD). */
int lsmod_main(int argc, char **argv);

static const char usage[] =
	"[-Vh] COMMAND [ARGS]...\n"
	"kmod's own commands:\n"
	"  help           show this help\n"
	"  list           list the loaded modules (lsmod, when built in)\n"
	"  static-nodes [-f FORMAT] [-o FILE]\n"
	"                 print the device nodes of the running kernel's modules.devname\n"
	"  -V, --version  show version\n"
	"  -h, --help     show this help\n";

static const char static_nodes_usage[] =
	"static-nodes [-f FORMAT] [-o FILE]\n"
	"Print the device nodes that the running kernel's modules.devname lists.\n"
	"  -f, --format=FORMAT  human (the default), tmpfiles (tmpfiles.d(5) lines)\n"
	"                       or devname (modules.devname lines)\n"
	"  -o, --output=FILE    write to FILE (replaced as a whole; folders made)\n"
	"  -h, --help           show this help\n";

/* One modules.devname entry: "MODULE DEVNAME TYPEMAJOR:MINOR". */
struct devnode {
	const char *module;
	const char *devname;   /* below /dev */
	char type;             /* 'c' or 'b' */
	unsigned int major, minor;
};

/*
 * kmod reads a line with sscanf(line, "%s %s %c%u:%u"). The same reading
 * by hand: glibc's sscanf would link its scanf engine with strtod,
 * strtof and the multibyte conversions (about 40 KiB of a static binary).
 * %s: blanks, then a word (at most size - 1 bytes, as %4095s).
 */
static const char *scan_word(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return NULL;
	while (*s != '\0' && !isspace((unsigned char)*s) && n < size - 1)
		buf[n++] = *s++;
	buf[n] = '\0';
	return s;
}

/* %u: blanks, a sign, digits; converted by strtoul, as sscanf does. */
static const char *scan_uint(const char *s, unsigned int *v)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)s[*s == '-' || *s == '+']))
		return NULL;
	*v = (unsigned int)strtoul(s, &end, 10);
	return end;
}

/* "%4095s %4095s %c%u:%u": into module and devname (PATH_MAX bytes
 * each, which d points to) and d's type, major and minor. */
static bool parse_devname(const char *s, char *module, char *devname, struct devnode *d)
{
	if ((s = scan_word(s, module, PATH_MAX)) == NULL || (s = scan_word(s, devname, PATH_MAX)) == NULL)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return false;
	d->type = *s++;
	if ((s = scan_uint(s, &d->major)) == NULL || *s != ':')
		return false;
	return scan_uint(s + 1, &d->minor) != NULL;
}

static void write_human(FILE *out, const struct devnode *d)
{
	fprintf(out, "Module: %s\n\tDevice node: /dev/%s\n\t\tType: %s device\n\t\tMajor: %u\n\t\tMinor: %u\n",
		d->module, d->devname, d->type == 'c' ? "character" : "block", d->major, d->minor);
}

/* systemd-tmpfiles creates the node (and its folder) at boot. */
static void write_tmpfiles(FILE *out, const struct devnode *d)
{
	const char *slash = strrchr(d->devname, '/');

	if (slash != NULL)
		fprintf(out, "d /dev/%.*s 0755 - - -\n", (int)(slash - d->devname), d->devname);
	fprintf(out, "%c! /dev/%s 0600 - - - %u:%u\n", d->type, d->devname, d->major, d->minor);
}

static void write_devname(FILE *out, const struct devnode *d)
{
	fprintf(out, "%s %s %c%u:%u\n", d->module, d->devname, d->type, d->major, d->minor);
}

static const struct {
	const char *name;
	void (*write)(FILE *out, const struct devnode *d);
} formats[] = {
	{ "human", write_human },
	{ "tmpfiles", write_tmpfiles },
	{ "devname", write_devname },
};

/*
 * Make the missing folders above path (0755, as kmod does). An existing
 * non-folder in the way is ENOTDIR. 0 or -errno.
 */
static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	struct stat st;

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (p[-1] != '/' && mkdir(buf, 0755) < 0) {
			if (errno != EEXIST)
				return -errno;
			if (stat(buf, &st) < 0)
				return -errno;
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
		}
		*p = '/';
	}
	return 0;
}

/*
 * -o FILE is replaced as a whole: the text goes to a new file created
 * exclusively under a random name in FILE's folder, which is renamed over
 * FILE once written and flushed. Nothing planted at FILE (a symlink) is
 * written through, and a failure leaves the old FILE as it was.
 */
struct output {
	const char *path;
	int dirfd;
	const char *base;
	char tmp[64];
	FILE *f;
};

static int output_open(struct output *o, const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd, err;

	o->path = path;
	o->dirfd = -1;
	o->f = NULL;
	err = mkdir_parents(path);
	if (err < 0) {
		fprintf(stderr, "Error: could not create parent directory for %s - %s.\n", path, strerror(-err));
		return -1;
	}
	if (slash == NULL) {
		strcpy(dir, ".");
		o->base = path;
	} else if ((size_t)(slash - path) + 1 >= sizeof(dir)) {
		err = -ENAMETOOLONG;
		goto fail;
	} else {
		/* "/x": the folder is "/" */
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		memcpy(dir, path, n);
		dir[n] = '\0';
		o->base = slash + 1;
	}
	if (o->base[0] == '\0') {
		/* "" or "dir/": no file name, as open() would say */
		err = path[0] == '\0' ? -ENOENT : -EISDIR;
		goto fail;
	}
	o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd < 0) {
		err = -errno;
		goto fail;
	}
	/* A folder at FILE: the rename would fail after the work is done. */
	if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto fail;
	}
	fd = create_unique(o->dirfd, ".static-nodes-", ".tmp", o->tmp, sizeof(o->tmp), 0666);
	if (fd < 0) {
		err = fd;
		goto fail;
	}
	o->f = fdopen(fd, "w");
	if (o->f == NULL) {
		err = -errno;
		close(fd);
		unlinkat(o->dirfd, o->tmp, 0);
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "Error: could not create %s - %s\n", path, strerror(-err));
	if (o->dirfd >= 0)
		close(o->dirfd);
	o->dirfd = -1;
	return -1;
}

/* Commit (keep) or drop the new file. 0, or -1 after saying why. */
static int output_close(struct output *o, int keep)
{
	int err = 0;

	if (o->f == NULL)
		return 0;
	if (keep) {
		errno = EIO;   /* what an earlier failed write left unsaid */
		if (fflush(o->f) != 0 || ferror(o->f))
			err = -errno;
		else if (fsync(fileno(o->f)) < 0 && errno != EINVAL && errno != EROFS)
			err = -errno;
	}
	if (fclose(o->f) != 0 && keep && err == 0)
		err = -errno;
	o->f = NULL;
	if (err < 0) {
		fprintf(stderr, "Error: could not write %s - %s\n", o->path, strerror(-err));
	} else if (keep && renameat(o->dirfd, o->tmp, o->dirfd, o->base) < 0) {
		err = -errno;
		fprintf(stderr, "Error: could not create %s - %s\n", o->path, strerror(-err));
	}
	if (!keep || err < 0)
		unlinkat(o->dirfd, o->tmp, 0);
	close(o->dirfd);
	o->dirfd = -1;
	return err < 0 ? -1 : 0;
}

static int static_nodes_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct output out = { .f = NULL };
	const char *output = NULL;
	size_t format = 0;
	struct modctx ctx;
	char path[PATH_MAX], line[PATH_MAX];
	FILE *in;
	int c, err, ret = EXIT_SUCCESS;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			for (format = 0; format < ARRAY_SIZE(formats); format++)
				if (strcmp(formats[format].name, optarg) == 0)
					break;
			if (format == ARRAY_SIZE(formats)) {
				fprintf(stderr, "Unknown format: '%s'.\n", optarg);
				msg_usage(stdout, static_nodes_usage);
				msg_flush_stdout();
				return EXIT_FAILURE;
			}
			break;
		case 'h':
			msg_usage(stdout, static_nodes_usage);
			return msg_flush_stdout() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
		default:
			return EXIT_FAILURE;
		}
	}
	/* kmod ignores further arguments; so do we. */

	err = modctx_init(&ctx, NULL, NULL);
	if (err == 0)
		err = modctx_modpath(&ctx, modindex_files[MODINDEX_DEVNAME], path, sizeof(path));
	if (err < 0) {
		fprintf(stderr, "Error: could not open /lib/modules/%s/modules.devname - %s\n",
			ctx.kver, strerror(-err));
		return EXIT_FAILURE;
	}
	in = fopen_regular(path);
	if (in == NULL) {
		if (errno == ENOENT) {
			fprintf(stderr, "Warning: %s not found - ignoring\n", path);
			return EXIT_SUCCESS;
		}
		fprintf(stderr, "Error: could not open %s - %s\n", path, file_strerror(-errno));
		return EXIT_FAILURE;
	}
	if (output != NULL && output_open(&out, output) < 0) {
		fclose(in);
		return EXIT_FAILURE;
	}

	/* Lines are taken PATH_MAX - 1 bytes at a time, as kmod reads them. */
	while (fgets(line, sizeof(line), in) != NULL) {
		char module[PATH_MAX], devname[PATH_MAX];
		struct devnode d = { module, devname, 0, 0, 0 };

		if (line[0] == '#')
			continue;
		/* kmod's own reading: %u takes a sign, blanks may come before numbers */
		if (!parse_devname(line, module, devname, &d) || (d.type != 'c' && d.type != 'b')) {
			fprintf(stderr, "Error: invalid devname entry: %s", line);
			ret = EXIT_FAILURE;
			continue;
		}
		formats[format].write(out.f != NULL ? out.f : stdout, &d);
	}
	if (ferror(in)) {
		fprintf(stderr, "Error: could not read %s - %s\n", path, strerror(errno));
		fclose(in);
		output_close(&out, 0);
		return EXIT_FAILURE;
	}
	fclose(in);
	if (output != NULL)
		return output_close(&out, 1) < 0 ? EXIT_FAILURE : ret;
	return msg_flush_stdout() < 0 ? EXIT_FAILURE : ret;
}

static int help(FILE *f)
{
	msg_usage(f, usage);
	return msg_flush_stdout() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int kmod_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c;

	/* "+": the options before the command are kmod's, the rest the command's */
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return help(stdout);
		case 'V':
			msg_version();
			return msg_flush_stdout() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
		default:
			return EXIT_FAILURE;
		}
	}
	if (optind >= argc) {
		fputs("missing command\n", stderr);
		help(stdout);
		return EXIT_FAILURE;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "help") == 0)
		return help(stdout);
	if (strcmp(cmd, "static-nodes") == 0)
		return static_nodes_main(argc, argv);
	if (IS_ENABLED(CONFIG_LSMOD) && strcmp(cmd, "list") == 0) {
		optind = 0;
		return lsmod_main(argc, argv);
	}
	fprintf(stderr, "invalid command '%s'\n", cmd);
	help(stdout);
	return EXIT_FAILURE;
}
