// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fileopen.h"

/* A fresh folder for one test, removed (with what it holds) afterwards. */
static int setup(void **state)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/test_fileopen.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	return system(cmd) == 0 ? 0 : -1;
}

static int open_dir(void **state)
{
	int fd = open((char *)*state, O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0);
	return fd;
}

/* PREFIX + 16 hex digits + SUFFIX */
static void assert_unique_name(const char *name, const char *prefix, const char *suffix)
{
	size_t p = strlen(prefix), s = strlen(suffix), n = strlen(name);

	assert_int_equal(n, p + 16 + s);
	assert_memory_equal(name, prefix, p);
	assert_int_equal(strspn(name + p, "0123456789abcdef"), 16);
	assert_string_equal(name + p + 16, suffix);
}

static void create_makes_a_new_private_file(void **state)
{
	int dir = open_dir(state);
	char name[64], other[64];
	struct stat st;
	int fd = create_unique(dir, "modules.dep.", ".tmp", name, sizeof(name), 0600);

	assert_true(fd >= 0);
	assert_unique_name(name, "modules.dep.", ".tmp");
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	/* a second call draws another name */
	fd = create_unique(dir, "modules.dep.", ".tmp", other, sizeof(other), 0644);
	assert_true(fd >= 0);
	assert_string_not_equal(name, other);
	close(fd);
	close(dir);
}

static void names_that_do_not_fit_are_refused(void **state)
{
	int dir = open_dir(state);
	char name[20];

	assert_int_equal(create_unique(dir, "modules.dep.", ".tmp", name, sizeof(name), 0600), -ENAMETOOLONG);
	assert_int_equal(mkdir_unique(dir, "d.", "", name, 10, 0700), -ENAMETOOLONG);
	close(dir);
}

static void mkdir_makes_a_folder(void **state)
{
	int dir = open_dir(state);
	char name[64];
	struct stat st;

	assert_int_equal(mkdir_unique(dir, ".v.depmod-", "", name, sizeof(name), 0700), 0);
	assert_unique_name(name, ".v.depmod-", "");
	assert_int_equal(fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	close(dir);
}

static void link_makes_a_second_name(void **state)
{
	int dir = open_dir(state);
	char name[64];
	struct stat a, b;
	int fd = openat(dir, "old", O_WRONLY | O_CREAT | O_EXCL, 0644);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(link_unique(dir, "old", dir, "old.", ".tmp", name, sizeof(name)), 0);
	assert_unique_name(name, "old.", ".tmp");
	assert_int_equal(fstatat(dir, "old", &a, 0), 0);
	assert_int_equal(fstatat(dir, name, &b, 0), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(b.st_nlink, 2);
	/* a source that is not there: its error, no name made */
	assert_int_equal(link_unique(dir, "gone", dir, "gone.", ".tmp", name, sizeof(name)), -ENOENT);
	close(dir);
}

static void open_regular_refuses_fifos_and_folders(void **state)
{
	int dir = open_dir(state);
	char path[128];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/fifo", (char *)*state);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* does not block on the FIFO (no writer), refuses it */
	assert_int_equal(open_regular(AT_FDCWD, path), -EMEDIUMTYPE);
	assert_string_equal(file_strerror(-EMEDIUMTYPE), "not a regular file");
	/* a folder: its own error */
	assert_int_equal(open_regular(AT_FDCWD, (char *)*state), -EISDIR);
	snprintf(path, sizeof(path), "%s/none", (char *)*state);
	assert_int_equal(open_regular(AT_FDCWD, path), -ENOENT);
	/* the stdio form: errno says why */
	snprintf(path, sizeof(path), "%s/fifo", (char *)*state);
	errno = 0;
	assert_null(fopen_regular(path));
	assert_int_equal(errno, EMEDIUMTYPE);
	fd = openat(dir, "plain", O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
	fd = open_regular(dir, "plain");
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	snprintf(path, sizeof(path), "%s/plain", (char *)*state);
	f = fopen_regular(path);
	assert_non_null(f);
	assert_int_equal(fgetc(f), 'x');
	fclose(f);
	close(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(create_makes_a_new_private_file, setup, teardown),
		cmocka_unit_test_setup_teardown(names_that_do_not_fit_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(mkdir_makes_a_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(link_makes_a_second_name, setup, teardown),
		cmocka_unit_test_setup_teardown(open_regular_refuses_fifos_and_folders, setup, teardown),
	};

	return cmocka_run_group_tests_name("fileopen", tests, NULL, NULL);
}
