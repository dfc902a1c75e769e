/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_TEST_FAKEKERNEL_RUN_H
#define MODUTILS_TEST_FAKEKERNEL_RUN_H

/*
 * A unit test that runs against the project's LD_PRELOAD fake kernel
 * (FAKEKERNEL_LIB, which make check-unit sets): /proc, /sys and the module
 * calls are a fixture root's. The test's main calls fakekernel_run(), which
 * re-executes the test under the preload (make_fixture filling the root
 * first) and then runs the group there, removing the root afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

/* root: a mkdtemp() template, the fixture root in the re-executed test. */
static inline int fakekernel_run(char **argv, char *root, size_t rootsize, const char *uname_r,
				 void (*make_fixture)(void), const char *group,
				 const struct CMUnitTest *tests, size_t ntests)
{
	char cmd[600];
	int rc;

	if (getenv("MODUTILS_FAKE_ROOT") == NULL) {
		const char *lib = getenv("FAKEKERNEL_LIB");
		const char *asan = getenv("ASAN_OPTIONS");
		char opts[512];

		if (lib == NULL || access(lib, R_OK) != 0) {
			fprintf(stderr, "test_%s: FAKEKERNEL_LIB (the LD_PRELOAD fake kernel) is not set or missing\n",
				group);
			return 1;
		}
		if (mkdtemp(root) == NULL)
			return 1;
		if (make_fixture != NULL)
			make_fixture();
		setenv("MODUTILS_FAKE_ROOT", root, 1);
		setenv("MODUTILS_FAKE_UNAME_R", uname_r, 1);
		setenv("LD_PRELOAD", lib, 1);
		/* An ASan build loads its runtime after the preload. */
		snprintf(opts, sizeof(opts), "%s%sverify_asan_link_order=0", asan ? asan : "", asan ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
		execv("/proc/self/exe", argv);
		perror("execv");
		return 1;
	}
	snprintf(root, rootsize, "%s", getenv("MODUTILS_FAKE_ROOT"));
	rc = _cmocka_run_group_tests(group, tests, ntests, NULL, NULL);
	/* Cleanup without the preload's path redirection getting in the way. */
	unsetenv("LD_PRELOAD");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 1;
	return rc;
}

#endif
