// SPDX-License-Identifier: GPL-2.0-or-later
/* fileopen: inputs only when regular (a FIFO never blocks the open),
 * outputs created exclusively under fresh names. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fileopen.h"

static char dir[] = "/tmp/test_fileopen.XXXXXX";
static int dfd = -1;

static int setup(void **state)
{
	if (mkdtemp(dir) == NULL || (dfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[64];

	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void only_regular_files_are_read(void **state)
{
	int fd = openat(dfd, "plain", O_WRONLY | O_CREAT | O_EXCL, 0644);
	FILE *f;
	char path[128];

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
	fd = open_regular(dfd, "plain");
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	/* a FIFO: refused at once, never waited on */
	assert_int_equal(mkfifoat(dfd, "fifo", 0644), 0);
	assert_int_equal(open_regular(dfd, "fifo"), -EMEDIUMTYPE);
	assert_string_equal(file_strerror(-EMEDIUMTYPE), "not a regular file");
	assert_int_equal(mkdirat(dfd, "sub", 0755), 0);
	assert_int_equal(open_regular(dfd, "sub"), -EISDIR);
	assert_int_equal(open_regular(dfd, "missing"), -ENOENT);
	assert_string_equal(file_strerror(-ENOENT), strerror(ENOENT));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	errno = 0;
	assert_null(fopen_regular(path));
	assert_int_equal(errno, EMEDIUMTYPE);
	snprintf(path, sizeof(path), "%s/plain", dir);
	f = fopen_regular(path);
	assert_non_null(f);
	assert_int_equal(fgetc(f), 'x');
	fclose(f);
}

static void unique_names_never_reuse(void **state)
{
	char a[64], b[64];
	struct stat st;
	int fa = create_unique(dfd, "tmp.", ".new", a, sizeof(a), 0644);
	int fb = create_unique(dfd, "tmp.", ".new", b, sizeof(b), 0644);

	assert_true(fa >= 0 && fb >= 0);
	assert_int_equal(strlen(a), strlen("tmp.") + 16 + strlen(".new"));
	assert_true(strncmp(a, "tmp.", 4) == 0 && strcmp(a + strlen(a) - 4, ".new") == 0);
	assert_string_not_equal(a, b);
	close(fa);
	close(fb);
	assert_int_equal(mkdir_unique(dfd, "d.", "", a, sizeof(a), 0755), 0);
	assert_int_equal(fstatat(dfd, a, &st, 0), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* a name too small for the random part is refused, nothing made */
	assert_true(create_unique(dfd, "tmp.", ".new", a, 8, 0644) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_regular_files_are_read),
		cmocka_unit_test(unique_names_never_reuse),
	};
	return cmocka_run_group_tests_name("fileopen", tests, setup, teardown);
}
