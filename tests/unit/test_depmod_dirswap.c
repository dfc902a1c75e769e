// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/depmod/dirswap.c in a temporary folder: a set of files replaced
 * as one (every new file in place after the commit, none before it, the
 * folder's subfolders and other files untouched, no temporary file, mirror
 * or lock left; where the filesystem can exchange folders, without the
 * "one by one" warning); an abort leaves the old set; the lock file made
 * 0600 in the folder above, held (another process cannot take it) and
 * removed; a symlink or a foreign file planted at the lock's name neither
 * followed nor used; stale temporary files and what a killed run left
 * beside the folder (a mirror of ours, an empty folder) cleaned, what is
 * not ours left alone. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "autoconf.h"
#include "kconfig.h"
#include "dirswap.h"
#include "kernel.h"
#include "msg.h"

#define KVER "6.1.0-test"

static const char *const names[] = { "modules.dep", "modules.dep.bin", "modules.alias" };
#define NNAMES (sizeof(names) / sizeof(names[0]))

struct fixture {
	char root[256];     /* the folder above */
	char dir[300];      /* root/KVER: the folder whose set is replaced */
	char errfile[300];
	int saved;
};

static char *path_in(const struct fixture *f, const char *rel)
{
	static char buf[4][700];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", f->root, rel);
	return buf[k];
}

static void put(const struct fixture *f, const char *rel, const char *text)
{
	FILE *fp = fopen(path_in(f, rel), "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *get(const struct fixture *f, const char *rel)
{
	static char buf[256];
	FILE *fp = fopen(path_in(f, rel), "r");
	size_t n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static bool exists(const struct fixture *f, const char *rel)
{
	struct stat st;

	return lstat(path_in(f, rel), &st) == 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *t = getenv("TMPDIR");

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/depmod-dirswap.XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->dir, sizeof(f->dir), "%s/" KVER, f->root);
	assert_int_equal(mkdir(f->dir, 0755), 0);
	assert_int_equal(mkdir(path_in(f, KVER "/kernel"), 0755), 0);
	put(f, KVER "/kernel/m.ko", "module");
	put(f, KVER "/modules.order", "kernel/m.ko\n");
	put(f, KVER "/modules.dep", "old dep");
	put(f, KVER "/modules.dep.bin", "old dep.bin");
	put(f, KVER "/modules.alias", "old alias");
	f->saved = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void catch_stderr(struct fixture *f)
{
	int fd;

	snprintf(f->errfile, sizeof(f->errfile), "%s.stderr", f->root);
	fd = open(f->errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	fflush(stderr);
	f->saved = dup(STDERR_FILENO);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

static char *stderr_text(struct fixture *f)
{
	static char buf[2048];
	FILE *fp;
	size_t n;

	fflush(stderr);
	assert_int_equal(dup2(f->saved, STDERR_FILENO), STDERR_FILENO);
	close(f->saved);
	f->saved = -1;
	fp = fopen(f->errfile, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	unlink(f->errfile);
	return buf;
}

/* The new files, written as dm_write_set does: "new NAME". */
static void write_new(struct dirswap *s)
{
	for (size_t i = 0; i < NNAMES; i++) {
		char text[64];
		int fd = dirswap_create(s, i);

		assert_true(fd >= 0);
		snprintf(text, sizeof(text), "new %s", names[i]);
		assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
		assert_int_equal(close(fd), 0);
		/* NAME.HEX.tmp, beside the old file */
		assert_int_equal(strncmp(s->tmp[i], names[i], strlen(names[i])), 0);
		assert_int_equal(s->tmp[i][strlen(names[i])], '.');
		assert_string_equal(s->tmp[i] + strlen(s->tmp[i]) - 4, ".tmp");
	}
}

/* Only what the folder held, and only the lock's absence above it. */
static void expect_tidy(const struct fixture *f)
{
	char cmd[900];

	snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s' | tr '\\n' ' ')\" = '" KVER " ' && "
		 "test \"$(ls -A '%s' | tr '\\n' ' ')\" = 'kernel modules.alias modules.dep modules.dep.bin modules.order '",
		 f->root, f->dir);
	if (system(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "ls -laR '%s' >&2", f->root);
		assert_int_equal(system(cmd), 0);
		fail_msg("more than the set in %s", f->root);
	}
}

/* Whether this filesystem and kernel exchange two folders. */
static bool can_exchange(const struct fixture *f)
{
	int fd = open(f->root, O_RDONLY | O_DIRECTORY), r;

	assert_true(fd >= 0);
	assert_int_equal(mkdir(path_in(f, "x1"), 0700), 0);
	assert_int_equal(mkdir(path_in(f, "x2"), 0700), 0);
	r = kernel_rename_exchange(fd, "x1", fd, "x2");
	rmdir(path_in(f, "x1"));
	rmdir(path_in(f, "x2"));
	close(fd);
	return r == 0;
}

static void replaced_as_one_set(void **state)
{
	struct fixture *f = *state;
	struct stat before, after, mod_before, mod_after;
	struct dirswap s;
	bool exchange = IS_ENABLED(CONFIG_FEATURE_DEPMOD_EXCHANGE) && can_exchange(f);
	const char *err;
	int old;

	assert_int_equal(stat(f->dir, &before), 0);
	assert_int_equal(stat(path_in(f, KVER "/kernel/m.ko"), &mod_before), 0);
	old = open(path_in(f, KVER "/modules.dep"), O_RDONLY);
	assert_true(old >= 0);
	assert_int_equal(dirswap_begin(&s, f->dir, names, NNAMES), 0);
	write_new(&s);
	/* nothing replaced yet */
	assert_string_equal(get(f, KVER "/modules.dep"), "old dep");
	assert_string_equal(get(f, KVER "/modules.alias"), "old alias");
	catch_stderr(f);
	assert_int_equal(dirswap_commit(&s), 0);
	err = stderr_text(f);
	if (exchange)
		assert_string_equal(err, "");
	else
		printf("(this filesystem cannot exchange folders: renamed one by one: %s)\n", err);
	for (size_t i = 0; i < NNAMES; i++) {
		char rel[64], want[64];

		snprintf(rel, sizeof(rel), KVER "/%s", names[i]);
		snprintf(want, sizeof(want), "new %s", names[i]);
		assert_string_equal(get(f, rel), want);
	}
	/* the same folder (exchanged away and back), its modules untouched */
	assert_int_equal(stat(f->dir, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(stat(path_in(f, KVER "/kernel/m.ko"), &mod_after), 0);
	assert_int_equal(mod_after.st_ino, mod_before.st_ino);
	assert_string_equal(get(f, KVER "/modules.order"), "kernel/m.ko\n");
	/* a reader of the old file still reads it whole */
	{
		char buf[16] = "";

		assert_int_equal(read(old, buf, sizeof(buf) - 1), 7);
		assert_string_equal(buf, "old dep");
		close(old);
	}
	expect_tidy(f);
}

static void abort_keeps_old_set(void **state)
{
	struct fixture *f = *state;
	struct dirswap s;

	assert_int_equal(dirswap_begin(&s, f->dir, names, NNAMES), 0);
	write_new(&s);
	dirswap_abort(&s);
	assert_string_equal(get(f, KVER "/modules.dep"), "old dep");
	assert_string_equal(get(f, KVER "/modules.dep.bin"), "old dep.bin");
	assert_string_equal(get(f, KVER "/modules.alias"), "old alias");
	expect_tidy(f);
}

/* The lock: a private file above the folder, held against another process
 * until the commit, then gone. */
static void lock_file(void **state)
{
	struct fixture *f = *state;
	struct dirswap s;
	struct stat st;
	pid_t pid;
	int status;

	assert_int_equal(dirswap_begin(&s, f->dir, names, NNAMES), 0);
	assert_true(s.lockfile);
	assert_int_equal(lstat(path_in(f, ".depmod.lock"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(path_in(f, ".depmod.lock"), O_RDWR);

		_exit(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	write_new(&s);
	assert_int_equal(dirswap_commit(&s), 0);
	assert_false(exists(f, ".depmod.lock"));
	/* a lock file a killed run left (ours, private) is used and removed */
	put(f, ".depmod.lock", "");
	assert_int_equal(chmod(path_in(f, ".depmod.lock"), 0600), 0);
	assert_int_equal(dirswap_begin(&s, f->dir, names, NNAMES), 0);
	assert_true(s.lockfile);
	dirswap_abort(&s);
	assert_false(exists(f, ".depmod.lock"));
	expect_tidy(f);
}

/* A symlink planted at the lock's name: not followed (its target neither
 * made nor touched), not removed; the folder above is locked instead, with
 * a warning, and the set is still replaced. The same for a file of ours
 * that others may read. */
static void planted_lock_not_followed(void **state)
{
	struct fixture *f = *state;
	struct dirswap s;
	struct stat st;
	const char *err;
	char target[700];

	snprintf(target, sizeof(target), "%s.victim", f->root);
	assert_int_equal(symlink(target, path_in(f, ".depmod.lock")), 0);
	catch_stderr(f);
	assert_int_equal(dirswap_begin(&s, f->dir, names, NNAMES), 0);
	err = stderr_text(f);
	assert_non_null(strstr(err, ".depmod.lock: not depmod's lock file"));
	assert_false(s.lockfile);
	assert_int_equal(lstat(target, &st), -1);
	assert_int_equal(errno, ENOENT);
	write_new(&s);
	catch_stderr(f);
	assert_int_equal(dirswap_commit(&s), 0);
	(void)stderr_text(f);
	assert_string_equal(get(f, KVER "/modules.dep"), "new modules.dep");
	assert_int_equal(lstat(path_in(f, ".depmod.lock"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(target, &st), -1);

	/* the target there: not opened for writing, not changed */
	put(f, "victim", "precious");
	assert_int_equal(chmod(path_in(f, "victim"), 0644), 0);
	assert_int_equal(unlink(path_in(f, ".depmod.lock")), 0);
	assert_int_equal(symlink("victim", path_in(f, ".depmod.lock")), 0);
	catch_stderr(f);
	assert_int_equal(dirswap_begin(&s, f->dir, names, NNAMES), 0);
	(void)stderr_text(f);
	assert_false(s.lockfile);
	dirswap_abort(&s);
	assert_string_equal(get(f, "victim"), "precious");
	assert_int_equal(stat(path_in(f, "victim"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	/* a regular file others can read: not depmod's either */
	assert_int_equal(unlink(path_in(f, ".depmod.lock")), 0);
	put(f, ".depmod.lock", "");
	assert_int_equal(chmod(path_in(f, ".depmod.lock"), 0644), 0);
	catch_stderr(f);
	assert_int_equal(dirswap_begin(&s, f->dir, names, NNAMES), 0);
	assert_non_null(strstr(stderr_text(f), "not depmod's lock file"));
	assert_false(s.lockfile);
	dirswap_abort(&s);
	assert_true(exists(f, ".depmod.lock"));
}

/* Temporary files of killed runs (NAME.HEX.tmp, and the older NAME.PID.tmp)
 * go; other names stay. */
static void stale_temporaries_removed(void **state)
{
	struct fixture *f = *state;
	struct dirswap s;

	put(f, KVER "/modules.dep.0123456789abcdef.tmp", "stale");
	put(f, KVER "/modules.alias.4242.tmp", "stale");
	put(f, KVER "/modules.dep.bin.ab12.tmp", "stale");
	put(f, KVER "/modules.dep.notours.tmp", "keep");
	put(f, KVER "/other.0123.tmp", "keep");
	assert_int_equal(dirswap_begin(&s, f->dir, names, NNAMES), 0);
	assert_false(exists(f, KVER "/modules.dep.0123456789abcdef.tmp"));
	assert_false(exists(f, KVER "/modules.alias.4242.tmp"));
	assert_false(exists(f, KVER "/modules.dep.bin.ab12.tmp"));
	assert_true(exists(f, KVER "/modules.dep.notours.tmp"));
	assert_true(exists(f, KVER "/other.0123.tmp"));
	dirswap_abort(&s);
	assert_string_equal(get(f, KVER "/modules.dep"), "old dep");
}

/* Beside the folder, what a run killed after making its mirror left: the
 * mirror (marked, ours) taken apart, a file written into it while it stood
 * in moved into the folder; an empty folder of that name removed; a folder
 * that is not ours and not empty left. */
static void leftovers_beside_cleaned(void **state)
{
	struct fixture *f = *state;
	struct dirswap s;
	char cmd[900];
	const char *err;

	assert_int_equal(mkdir(path_in(f, "." KVER ".depmod-0123abcd"), 0700), 0);
	put(f, "." KVER ".depmod-0123abcd/.depmod-mirror", "");
	assert_int_equal(link(path_in(f, KVER "/modules.dep"), path_in(f, "." KVER ".depmod-0123abcd/modules.dep")), 0);
	assert_int_equal(link(path_in(f, KVER "/modules.order"),
			      path_in(f, "." KVER ".depmod-0123abcd/modules.order")), 0);
	assert_int_equal(symlink("../." KVER ".depmod-0123abcd/kernel", path_in(f, "." KVER ".depmod-0123abcd/kernel")), 0);
	put(f, "." KVER ".depmod-0123abcd/written-meanwhile", "late");
	assert_int_equal(mkdir(path_in(f, "." KVER ".depmod-empty"), 0700), 0);
	assert_int_equal(mkdir(path_in(f, "." KVER ".depmod-foreign"), 0755), 0);
	put(f, "." KVER ".depmod-foreign/somebody", "else");
	catch_stderr(f);
	assert_int_equal(dirswap_begin(&s, f->dir, names, NNAMES), 0);
	err = stderr_text(f);
	assert_string_equal(err, "");
	assert_false(exists(f, "." KVER ".depmod-0123abcd"));
	assert_false(exists(f, "." KVER ".depmod-empty"));
	assert_string_equal(get(f, "." KVER ".depmod-foreign/somebody"), "else");
	assert_string_equal(get(f, KVER "/written-meanwhile"), "late");
	assert_string_equal(get(f, KVER "/modules.dep"), "old dep");
	assert_string_equal(get(f, KVER "/kernel/m.ko"), "module");
	dirswap_abort(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/." KVER ".depmod-foreign' '%s/" KVER "/written-meanwhile'", f->root, f->root);
	assert_int_equal(system(cmd), 0);
	expect_tidy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(replaced_as_one_set, setup, teardown),
		cmocka_unit_test_setup_teardown(abort_keeps_old_set, setup, teardown),
		cmocka_unit_test_setup_teardown(lock_file, setup, teardown),
		cmocka_unit_test_setup_teardown(planted_lock_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_temporaries_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(leftovers_beside_cleaned, setup, teardown),
	};

	msg_init("depmod");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
