// SPDX-License-Identifier: GPL-2.0-or-later
/* Messages of the running applet, on stderr or through syslog. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <errno.h>

#include "libbb.h"

static const char *applet_name = "modutils";
static int use_syslog;
static int verbosity;

void msg_init(const char *applet)
{
	applet_name = applet;
}

const char *msg_applet(void)
{
	return applet_name;
}

void msg_use_syslog(void)
{
	/* Without syslog support -s keeps stderr, so no message is lost. */
	if (!IS_ENABLED(CONFIG_FEATURE_SYSLOG))
		return;
	openlog(applet_name, LOG_CONS, LOG_DAEMON);
	use_syslog = 1;
}

void msg_set_verbose(int level)
{
	verbosity = level;
}

int msg_verbose(void)
{
	return verbosity;
}

static void emit(int prio, const char *tag, const char *fmt, va_list ap)
{
	char text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (IS_ENABLED(CONFIG_FEATURE_SYSLOG) && use_syslog) {
		syslog(prio, "%s%s", tag, text);
		return;
	}
	/* One write per message keeps lines whole when several tools log. */
	fprintf(stderr, "%s: %s%s\n", applet_name, tag, text);
}

void msg_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_ERR, "ERROR: ", fmt, ap);
	va_end(ap);
}

void msg_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_CRIT, "FATAL: ", fmt, ap);
	va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_WARNING, "WARNING: ", fmt, ap);
	va_end(ap);
}

void msg_info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	emit(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

void msg_usage(FILE *out, const char *usage)
{
	fprintf(out, "Usage: %s %s", applet_name, usage);
}

void msg_version(void)
{
	printf("modutils version %s\n%cGZIP %cXZ %cZSTD %cSYSLOG\n", MODUTILS_VERSION,
	       IS_ENABLED(CONFIG_FEATURE_GZIP) ? '+' : '-',
	       IS_ENABLED(CONFIG_FEATURE_XZ) ? '+' : '-',
	       IS_ENABLED(CONFIG_FEATURE_ZSTD) ? '+' : '-',
	       IS_ENABLED(CONFIG_FEATURE_SYSLOG) ? '+' : '-');
}

int msg_option(int c, const char *usage)
{
	switch (c) {
	case 's':
		msg_use_syslog();
		return MSG_OPTION_CONTINUE;
	case 'v':
		verbosity++;
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

int msg_flush_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		msg_err("could not write to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}
