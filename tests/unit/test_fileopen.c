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

/* kmod 34.2's "static-nodes -o a/b/c/FILE" makes the folders 0755 and the
 * file 0666, less the umask (022: 755 and 644; 077: 700 and 600). */
static void mkdir_parents_makes_the_folders(void **state)
{
	char path[256], sub[256];
	struct stat st;
	mode_t old = umask(077);

	snprintf(path, sizeof(path), "%s/a//b/c/file", (char *)*state);
	assert_int_equal(mkdir_parents(path, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/a/b/c", (char *)*state);
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(sub, sizeof(sub), "%s/a/b/c/file", (char *)*state);
	assert_int_equal(stat(sub, &st), -1);
	/* again: the folders are there */
	assert_int_equal(mkdir_parents(path, 0755), 0);
	/* a file in the way */
	assert_int_equal(close(open(sub, O_WRONLY | O_CREAT, 0600)), 0);
	snprintf(path, sizeof(path), "%s/a/b/c/file/x", (char *)*state);
	assert_int_equal(mkdir_parents(path, 0755), -ENOTDIR);
	umask(old);
}

static int count_entries(const char *dir)
{
	char cmd[128];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void replace_renames_over_the_file(void **state)
{
	char path[256], target[256], buf[64] = { 0 };
	struct file_replace r;
	struct stat st;
	mode_t old = umask(022);
	int fd;

	snprintf(path, sizeof(path), "%s/nodes", (char *)*state);
	snprintf(target, sizeof(target), "%s/target", (char *)*state);
	/* a symlink planted at the name is replaced, not written through */
	assert_int_equal(close(open(target, O_WRONLY | O_CREAT, 0600)), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(file_replace_open(&r, path, ".static-nodes-"), 0);
	assert_int_equal(strncmp(r.tmp, ".static-nodes-", 14), 0);
	assert_int_equal(count_entries(*state), 3);
	fputs("new text\n", r.f);
	assert_int_equal(file_replace_commit(&r), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 9);
	close(fd);
	assert_string_equal(buf, "new text\n");
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(count_entries(*state), 2);
	umask(old);
}

static void replace_abort_keeps_the_old_file(void **state)
{
	char path[256];
	struct file_replace r;
	struct stat st;

	snprintf(path, sizeof(path), "%s/nodes", (char *)*state);
	assert_int_equal(close(open(path, O_WRONLY | O_CREAT, 0600)), 0);
	assert_int_equal(file_replace_open(&r, path, ".x-"), 0);
	fputs("lost", r.f);
	file_replace_abort(&r);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(count_entries(*state), 1);
	/* a folder at the name, or no name */
	snprintf(path, sizeof(path), "%s/dir", (char *)*state);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(file_replace_open(&r, path, ".x-"), -EISDIR);
	snprintf(path, sizeof(path), "%s/", (char *)*state);
	assert_int_equal(file_replace_open(&r, path, ".x-"), -EISDIR);
	assert_int_equal(file_replace_open(&r, "", ".x-"), -ENOENT);
	snprintf(path, sizeof(path), "%s/none/file", (char *)*state);
	assert_int_equal(file_replace_open(&r, path, ".x-"), -ENOENT);
	assert_int_equal(count_entries(*state), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(create_makes_a_new_private_file, setup, teardown),
		cmocka_unit_test_setup_teardown(names_that_do_not_fit_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(mkdir_makes_a_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(link_makes_a_second_name, setup, teardown),
		cmocka_unit_test_setup_teardown(open_regular_refuses_fifos_and_folders, setup, teardown),
		cmocka_unit_test_setup_teardown(mkdir_parents_makes_the_folders, setup, teardown),
		cmocka_unit_test_setup_teardown(replace_renames_over_the_file, setup, teardown),
		cmocka_unit_test_setup_teardown(replace_abort_keeps_the_old_file, setup, teardown),
	};

	return cmocka_run_group_tests_name("fileopen", tests, NULL, NULL);
}
