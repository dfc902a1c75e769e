/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MSG_H
#define MODUTILS_MSG_H

#include <getopt.h>
#include <stdio.h>

/*
 * Messages of the running applet, kmod style: "applet: ERROR: text" on
 * stderr, or the same text through syslog once msg_use_syslog() was called.
 */
/* The running applet's messages start: its name, stderr, level 0. */
void msg_init(const char *applet);
void msg_use_syslog(void);
/* One level as kmod's: 0 by default, +1 for each -v; msg_quiet() (modprobe's
 * -q) drops it to where nothing is printed, and a later -v raises it from
 * there. Below 0 the FATAL, ERROR and WARNING messages stop in turn. */
int msg_verbose(void);
void msg_quiet(void);

void msg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "applet: FATAL: text", as kmod's modprobe says when it gives up. */
void msg_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error in how the applet was called: printed whatever the level, as kmod
 * prints it before its level is set. */
void msg_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only at verbosity >= 1. */
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Usage and version output shared by every applet's -h and -V. */
void msg_usage(FILE *out, const char *usage);
void msg_version(void);
/* The feature flags msg_version prints before +SYSLOG ("+GZIP +XZ +ZSTD ",
 * each followed by a space): set by main from the higher layers that own
 * them (MODCOMP_VERSION_FLAGS, include/modfile.h); "" until then. */
void msg_version_flags(const char *flags);

/*
 * The options every applet shares, for the default branch of its getopt
 * switch: -s (syslog), -v (more verbose), -V (version), -h (usage) and
 * getopt's '?' (which getopt has already explained in one line).
 * Returns MSG_OPTION_CONTINUE to go on parsing, or the exit status.
 */
#define MSG_OPTION_CONTINUE (-1)
int msg_option(int c, const char *usage);

/*
 * getopt_long() with the applet's own long options (at most 40), then the
 * last n of the ones msg_option() handles: --syslog, --verbose, --version,
 * --help. The applet's table ends with MSG_LONGOPTS_END(n).
 */
#define MSG_LONGOPTS_END(n) { NULL, 0, NULL, n }
int msg_getopt(int argc, char **argv, const char *shortopts, const struct option *own);
/* getopt_long(argc, argv, shortopts, longopts, NULL) with glibc's messages
 * for a bad option (kmod's on Debian) whatever the C library. */
int msg_getopt_long(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* What msg_getopt_long does on a C library that is not glibc: getopt_long
 * with its messages off, and glibc's printed instead. */
int msg_getopt_words(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* Before the first output of a run that writes much (modprobe -a, -c):
 * stdout through an 8 KiB buffer, line by line on a terminal (musl's is
 * 1 KiB: a write call per few lines). */
void msg_buffer_stdout(void);

/* Flush stdout; report a failed write (full disk, closed pipe) as an error. */
int msg_flush_stdout(void);
/* strerror(err) in the words of glibc, which kmod's messages carry on
 * Debian, whatever C library this build has: musl says "Out of memory"
 * where glibc says "Cannot allocate memory", and so on. */
const char *msg_strerror(int err);

#endif
