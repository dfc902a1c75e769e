// SPDX-License-Identifier: GPL-2.0-or-later
/* Messages of the running applet, on stderr or through syslog. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "autoconf.h"
#include "kconfig.h"
#include "msg.h"
#include "version.h"

static const char *applet_name = "modutils";
static int use_syslog;
static int log_fd = -1;
/* kmod's one level, in syslog's numbers: LOG_WARNING by default, each -v
 * one more, modprobe's -q LOG_EMERG (so -q -v is still quiet, -v -q too).
 * A message is printed when its priority is at most the level. */
static int level = LOG_WARNING;

void msg_init(const char *applet)
{
	applet_name = applet;
	use_syslog = 0;
	level = LOG_WARNING;
}

void msg_use_syslog(void)
{
	/* Without syslog support -s keeps stderr, so no message is lost. */
	if (!IS_ENABLED(CONFIG_FEATURE_SYSLOG))
		return;
	use_syslog = 1;
}

/*
 * glibc's syslog() pulls localtime, the time zone code and with it sscanf
 * into a static binary (some 50 KB on ARM). The message goes to /dev/log
 * ourselves, as "<PRIORITY>APPLET: TEXT" (facility daemon): syslog daemons
 * (rsyslog, journald, BusyBox syslogd) stamp a message that has no time.
 * 0, or -1 if no daemon took it.
 */
static int to_syslog(int prio, const char *line)
{
	static const struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char buf[1200];
	int len = snprintf(buf, sizeof(buf), "<%d>%s: %s", LOG_DAEMON | prio, applet_name, line);

	if (len < 0)
		return -1;
	if ((size_t)len >= sizeof(buf))
		len = sizeof(buf) - 1;
	/* A second try reconnects: the daemon may have restarted. */
	for (int i = 0; i < 2; i++) {
		if (log_fd < 0) {
			log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (log_fd >= 0 && connect(log_fd, (const struct sockaddr *)&addr, sizeof(addr)) < 0) {
				close(log_fd);
				log_fd = -1;
			}
		}
		if (log_fd >= 0 && send(log_fd, buf, (size_t)len, MSG_NOSIGNAL) == len)
			return 0;
		if (log_fd >= 0)
			close(log_fd);
		log_fd = -1;
	}
	return -1;
}

int msg_verbose(void)
{
	return level - LOG_WARNING;
}

void msg_quiet(void)
{
	level = LOG_EMERG;
}

/* shown: the level lets this message out (the caller decides). */
static void emit(bool shown, int prio, const char *tag, const char *fmt, va_list ap)
{
	char text[1024];

	if (!shown)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	if (IS_ENABLED(CONFIG_FEATURE_SYSLOG) && use_syslog) {
		char line[1100];

		snprintf(line, sizeof(line), "%s%s", tag, text);
		if (to_syslog(prio, line) == 0)
			return;
		/* No syslog daemon: stderr rather than nothing. */
	}
	/* One write per message keeps lines whole when several tools log. */
	fprintf(stderr, "%s: %s%s\n", applet_name, tag, text);
}

/* One printf-like function per kind of message: shown from level `from`
 * on (true: always), sent to syslog with priority prio, after tag. */
#define MSG_FUNCTION(name, from, prio, tag)          \
	void name(const char *fmt, ...)              \
	{                                            \
		va_list ap;                          \
                                                     \
		va_start(ap, fmt);                   \
		emit(from, prio, tag, fmt, ap);      \
		va_end(ap);                          \
	}

MSG_FUNCTION(msg_err, LOG_ERR <= level, LOG_ERR, "ERROR: ")
MSG_FUNCTION(msg_fatal, LOG_CRIT <= level, LOG_CRIT, "FATAL: ")
MSG_FUNCTION(msg_usage_error, true, LOG_ERR, "ERROR: ")
MSG_FUNCTION(msg_warn, LOG_WARNING <= level, LOG_WARNING, "WARNING: ")
/* from the first -v (LOG_NOTICE), as kmod's modprobe shows its actions */
MSG_FUNCTION(msg_info, LOG_NOTICE <= level, LOG_INFO, "")

void msg_usage(FILE *out, const char *usage)
{
	fprintf(out, "Usage: %s %s", applet_name, usage);
}

static const char *version_flags = "";

void msg_version_flags(const char *flags)
{
	version_flags = flags;
}

void msg_version(void)
{
	printf("modutils version %s\n%s%cSYSLOG\n", MODUTILS_VERSION, version_flags,
	       IS_ENABLED(CONFIG_FEATURE_SYSLOG) ? '+' : '-');
}

int msg_option(int c, const char *usage)
{
	switch (c) {
	case 's':
		msg_use_syslog();
		return MSG_OPTION_CONTINUE;
	case 'v':
		level++;
		return MSG_OPTION_CONTINUE;
	case 'V':
		msg_version();
		return msg_flush_stdout() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	case 'h':
		msg_usage(stdout, usage);
		return msg_flush_stdout() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	default:
		return EXIT_FAILURE;
	}
}

/* The long option a typed --NAME[=...] means, as getopt_long matches it:
 * the exact name, else the only one it abbreviates; NULL when none or
 * several (*ambiguous). */
static const struct option *long_match(const struct option *all, const char *typed, size_t len, bool *ambiguous)
{
	const struct option *found = NULL;

	*ambiguous = false;
	for (const struct option *o = all; o->name != NULL; o++) {
		if (strncmp(o->name, typed, len) != 0)
			continue;
		if (o->name[len] == '\0')
			return o;
		if (found != NULL && (found->has_arg != o->has_arg || found->flag != o->flag || found->val != o->val))
			*ambiguous = true;
		found = o;
	}
	return *ambiguous ? NULL : found;
}

/*
 * getopt_long with glibc's messages, which kmod's are on Debian: another C
 * library (musl) says "unrecognized option: x" where glibc says "invalid
 * option -- 'x'". Its own messages are off (opterr); a ':' in front of the
 * short options tells a missing argument from an unknown option.
 */
int msg_getopt_words(int argc, char **argv, const char *shortopts, const struct option *all)
{
	char spec[96];
	size_t lead = shortopts[0] == '+' || shortopts[0] == '-', rest = strlen(shortopts + lead);
	int before = optind > 0 ? optind : 1, c;   /* 0: a reset, from argv[1] */
	const char *arg, *eq;
	const struct option *o;
	bool ambiguous;

	if (lead + 1 + rest >= sizeof(spec))
		return '?';
	memcpy(spec, shortopts, lead);
	spec[lead] = ':';
	memcpy(spec + lead + 1, shortopts + lead, rest + 1);
	opterr = 0;
	c = getopt_long(argc, argv, spec, all, NULL);
	if (c != '?' && c != ':')
		return c;
	/* A long option is always a whole element, at before once the
	 * library has put the options first. */
	arg = before < argc && argv[before] != NULL ? argv[before] : "";
	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
		if (c == ':')
			fprintf(stderr, "%s: option requires an argument -- '%c'\n", argv[0], optopt);
		else
			fprintf(stderr, "%s: invalid option -- '%c'\n", argv[0], optopt);
		return '?';
	}
	eq = strchr(arg + 2, '=');
	o = long_match(all, arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2), &ambiguous);
	if (ambiguous) {
		size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

		fprintf(stderr, "%s: option '%s' is ambiguous; possibilities:", argv[0], arg);
		for (const struct option *p = all; p->name != NULL; p++)
			if (strncmp(p->name, arg + 2, len) == 0)
				fprintf(stderr, " '--%s'", p->name);
		fputc('\n', stderr);
	} else if (o == NULL) {
		fprintf(stderr, "%s: unrecognized option '%s'\n", argv[0], arg);
	} else if (c == ':') {
		fprintf(stderr, "%s: option '--%s' requires an argument\n", argv[0], o->name);
	} else {
		fprintf(stderr, "%s: option '--%s' doesn't allow an argument\n", argv[0], o->name);
	}
	return '?';
}

int msg_getopt_long(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
#ifndef __GLIBC__
	return msg_getopt_words(argc, argv, shortopts, longopts);
#else
	return getopt_long(argc, argv, shortopts, longopts, NULL);
#endif
}

int msg_getopt(int argc, char **argv, const char *shortopts, const struct option *own)
{
	static const struct option common[] = {
		{ "syslog", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct option all[48];
	static const struct option *built;   /* the table all[] was made from */

	if (own != built) {
		size_t n = 0;

		while (own[n].name != NULL)
			n++;
		if (n > 40 || own[n].val < 0 || own[n].val > 4)
			return '?';
		memcpy(all, own, n * sizeof(*own));
		memcpy(all + n, common + 4 - own[n].val, (size_t)(own[n].val + 1) * sizeof(*own));
		built = own;
	}
	return msg_getopt_long(argc, argv, shortopts, all);
}

void msg_buffer_stdout(void)
{
	static char buf[8192];

	setvbuf(stdout, buf, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, sizeof(buf));
}

int msg_flush_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		msg_err("could not write to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

#ifndef __GLIBC__
/* Where musl's words differ from glibc's, for the errors a module tool can
 * meet (from the two libraries' strerror, compared number by number). */
static const struct {
	int err;
	const char *text;
} glibc_words[] = {
	{ EIO, "Input/output error" },
	{ ECHILD, "No child processes" },
	{ ENOMEM, "Cannot allocate memory" },
	{ EBUSY, "Device or resource busy" },
	{ EXDEV, "Invalid cross-device link" },
	{ EMFILE, "Too many open files" },
	{ ENOTTY, "Inappropriate ioctl for device" },
	{ ESPIPE, "Illegal seek" },
	{ EDOM, "Numerical argument out of domain" },
	{ ERANGE, "Numerical result out of range" },
	{ EDEADLK, "Resource deadlock avoided" },
	{ ENAMETOOLONG, "File name too long" },
	{ ELOOP, "Too many levels of symbolic links" },
	{ ETIME, "Timer expired" },
	{ EOVERFLOW, "Value too large for defined data type" },
	{ EILSEQ, "Invalid or incomplete multibyte or wide character" },
	{ EOPNOTSUPP, "Operation not supported" },
	{ ETIMEDOUT, "Connection timed out" },
	{ EUCLEAN, "Structure needs cleaning" },
	{ EDQUOT, "Disk quota exceeded" },
	{ EHWPOISON, "Memory page has hardware error" },
};
#endif

const char *msg_strerror(int err)
{
#ifndef __GLIBC__
	for (size_t i = 0; i < sizeof(glibc_words) / sizeof(glibc_words[0]); i++)
		if (glibc_words[i].err == err)
			return glibc_words[i].text;
#endif
	return strerror(err);
}
