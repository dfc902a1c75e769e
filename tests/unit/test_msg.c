// SPDX-License-Identifier: GPL-2.0-or-later
/* Messages: kmod's "applet: ERROR: text" lines, verbosity, version. */
#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "libbb.h"

/* Run fn with stderr (or stdout) sent to a temporary file; return its text. */
static char captured[4096];

static void capture(int fd, void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(fd);
	size_t n;

	assert_non_null(tmp);
	fflush(fd == 1 ? stdout : stderr);
	dup2(fileno(tmp), fd);
	fn();
	fflush(fd == 1 ? stdout : stderr);
	dup2(saved, fd);
	close(saved);
	rewind(tmp);
	n = fread(captured, 1, sizeof(captured) - 1, tmp);
	captured[n] = '\0';
	fclose(tmp);
}

static void say_error(void) { msg_err("could not insert module %s: %s", "x.ko", "File exists"); }
static void say_warning(void) { msg_warn("careful"); }
static void say_info(void) { msg_info("loading %d", 3); }
static void say_version(void) { msg_version(); }
static void say_fatal(void) { msg_fatal("gone"); }
static void say_usage_error(void) { msg_usage_error("missing parameters. See -h."); }
static void say_usage(void) { msg_usage(stdout, "[-h] FILE\n"); }

static void error_and_warning_format(void **state)
{
	msg_init("insmod");
	capture(2, say_error);
	assert_string_equal(captured, "insmod: ERROR: could not insert module x.ko: File exists\n");
	capture(2, say_warning);
	assert_string_equal(captured, "insmod: WARNING: careful\n");
}

static void info_only_when_verbose(void **state)
{
	msg_init("rmmod");
	capture(2, say_info);
	assert_string_equal(captured, "");
	assert_int_equal(msg_option('v', "x\n"), MSG_OPTION_CONTINUE);
	assert_int_equal(msg_verbose(), 1);
	capture(2, say_info);
	assert_string_equal(captured, "rmmod: loading 3\n");
	msg_init("modprobe");
}

static void version_lists_features(void **state)
{
	char want[128];

	/* Before main registers the higher layers' flags: SYSLOG alone. */
	snprintf(want, sizeof(want), "modutils version %s\n%cSYSLOG\n", MODUTILS_VERSION,
		 IS_ENABLED(CONFIG_FEATURE_SYSLOG) ? '+' : '-');
	capture(1, say_version);
	assert_string_equal(captured, want);
	/* The flags main registers (the compression formats' ones:
	 * test_modfile checks MODCOMP_VERSION_FLAGS, the integration cases
	 * insmod/version and kmod/help-version the whole output), verbatim
	 * before SYSLOG's. */
	msg_version_flags("+ONE -TWO ");
	snprintf(want, sizeof(want), "modutils version %s\n+ONE -TWO %cSYSLOG\n", MODUTILS_VERSION,
		 IS_ENABLED(CONFIG_FEATURE_SYSLOG) ? '+' : '-');
	capture(1, say_version);
	assert_string_equal(captured, want);
	msg_version_flags("");
}

static void usage_names_the_applet(void **state)
{
	msg_init("lsmod");
	capture(1, say_usage);
	assert_string_equal(captured, "Usage: lsmod [-h] FILE\n");
}

static void common_options(void **state)
{
	msg_init("insmod");
	assert_int_equal(msg_option('v', "x\n"), MSG_OPTION_CONTINUE);
	assert_int_equal(msg_option('v', "x\n"), MSG_OPTION_CONTINUE);
	assert_int_equal(msg_verbose(), 2);
	msg_init("insmod");
	assert_int_equal(msg_verbose(), 0);
	assert_int_equal(msg_option('?', "x\n"), 1);
	capture(1, say_version);
	assert_int_equal(msg_option('x', "x\n"), 1);
}

/* kmod's one level: -q drops it to nothing, each later -v brings back FATAL,
 * then ERROR, then WARNING, then the actions. */
static void quiet_then_verbose(void **state)
{
	msg_init("modprobe");
	msg_quiet();
	capture(2, say_fatal);
	assert_string_equal(captured, "");
	capture(2, say_usage_error);
	assert_string_equal(captured, "modprobe: ERROR: missing parameters. See -h.\n");
	assert_int_equal(msg_option('v', "x\n"), MSG_OPTION_CONTINUE);
	capture(2, say_fatal);
	assert_string_equal(captured, "");
	assert_int_equal(msg_option('v', "x\n"), MSG_OPTION_CONTINUE);
	capture(2, say_fatal);
	assert_string_equal(captured, "modprobe: FATAL: gone\n");
	capture(2, say_error);
	assert_string_equal(captured, "");
	msg_option('v', "x\n");
	capture(2, say_error);
	assert_string_equal(captured, "modprobe: ERROR: could not insert module x.ko: File exists\n");
	capture(2, say_warning);
	assert_string_equal(captured, "");
	msg_option('v', "x\n");
	capture(2, say_warning);
	assert_string_equal(captured, "modprobe: WARNING: careful\n");
	capture(2, say_info);
	assert_string_equal(captured, "");
	assert_int_equal(msg_verbose(), 0);
	msg_option('v', "x\n");
	capture(2, say_info);
	assert_string_equal(captured, "modprobe: loading 3\n");
	msg_init("modprobe");
}

/* msg_getopt_words prints, for every kind of bad option, what glibc's own
 * getopt_long prints (the oracle: this test runs on glibc), and returns
 * '?' as it does. */
static const struct option gw_long[] = {
	{ "remove", no_argument, NULL, 'r' },
	{ "remove-holders", no_argument, NULL, 1 },
	{ "resolve-alias", no_argument, NULL, 'R' },
	{ "dirname", required_argument, NULL, 'd' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
static char *gw_argv[5];   /* argv[0], up to 3 arguments, NULL */
static int gw_ret;
static bool gw_ours;

static void gw_run(void)
{
	int argc = 0;

	while (gw_argv[argc] != NULL)
		argc++;
	optind = 0;   /* glibc: a full reset */
	do {
		if (gw_ours) {
			gw_ret = msg_getopt_words(argc, gw_argv, "+rRvVd:", gw_long);
		} else {
			opterr = 1;
			gw_ret = getopt_long(argc, gw_argv, "+rRvVd:", gw_long, NULL);
		}
	} while (gw_ret != -1 && gw_ret != '?' && gw_ret != ':');
}

static void getopt_in_glibc_words(void **state)
{
	static const char *const cases[][3] = {
		{ "-x" }, { "-rx" }, { "-d" }, { "--bogus" }, { "--bogus=1" }, { "--dirname" }, { "--dirn" },
		{ "--version=3" }, { "--ver" }, { "--re=1" }, { "--re" }, { "-v", "--remove-h=2" },
		{ "-r", "--", "-x" }, { "--=" },
	};
	char glibc[sizeof(captured)];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		gw_argv[0] = (char *)"modprobe";
		for (int k = 0; k < 3; k++)
			gw_argv[k + 1] = (char *)cases[i][k];
		gw_ours = false;
		capture(2, gw_run);
		ret = gw_ret;
		snprintf(glibc, sizeof(glibc), "%s", captured);
		gw_ours = true;
		capture(2, gw_run);
		assert_string_equal(captured, glibc);
		assert_int_equal(gw_ret, ret);
	}
}

/* glibc's words (kmod's messages on Debian), whatever the C library: the
 * texts are glibc 2.36's strerror. */
static void strerror_in_glibc_words(void **state)
{
	(void)state;
	assert_string_equal(msg_strerror(ENOMEM), "Cannot allocate memory");
	assert_string_equal(msg_strerror(EBUSY), "Device or resource busy");
	assert_string_equal(msg_strerror(ENAMETOOLONG), "File name too long");
	assert_string_equal(msg_strerror(EOPNOTSUPP), "Operation not supported");
	assert_string_equal(msg_strerror(ENOENT), "No such file or directory");
	assert_string_equal(msg_strerror(EEXIST), "File exists");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_and_warning_format),
		cmocka_unit_test(info_only_when_verbose),
		cmocka_unit_test(version_lists_features),
		cmocka_unit_test(usage_names_the_applet),
		cmocka_unit_test(common_options),
		cmocka_unit_test(quiet_then_verbose),
		cmocka_unit_test(strerror_in_glibc_words),
		cmocka_unit_test(getopt_in_glibc_words),
	};
	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
