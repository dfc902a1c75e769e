// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "confdir.h"

static char top[256];

/* A fresh folder for each test (under $TMPDIR), removed afterwards. */
static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/test_confdir.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(top) == NULL)
		return -1;
	*state = top;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* top/REL, in one of four buffers used in turn. */
static const char *at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", top, rel);
	return buf[i];
}

static void mkd(const char *rel)
{
	assert_int_equal(mkdir(at(rel), 0755), 0);
}

static void put(const char *rel)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_EXCL, 0644);

	assert_true(fd >= 0);
	close(fd);
}

/* The notes, each as "WHAT name err;" (name: the folder's for CONFDIR_FOLDER). */
struct notes {
	char text[1024];
};

static void record(void *arg, enum confdir_note what, const char *dir, const char *name, int err)
{
	static const char *const words[] = { "FOLDER", "NOT_CONF", "SUBFOLDER", "NOT_REGULAR" };
	struct notes *n = arg;
	size_t len = strlen(n->text);
	const char *last = name ? name : strrchr(dir, '/') + 1;

	snprintf(n->text + len, sizeof(n->text) - len, "%s %s %d;", words[what], last, err);
}

/* The listed names joined with ' ', and each path checked to be
 * top/FOLDER/NAME for the FOLDER given per name in want_dirs ("a b": the
 * first name from top/a, the second from top/b; "-": not checked; "=a":
 * every one from top/a). */
static void check(const struct confdir *c, const char *want_names, const char *want_dirs)
{
	static char names[20000];
	char dirs[256], *save = NULL, *d;
	size_t len = 0;

	bool all = want_dirs[0] == '=';

	names[0] = '\0';
	snprintf(dirs, sizeof(dirs), "%s", want_dirs + all);
	d = strtok_r(dirs, " ", &save);
	for (size_t i = 0; i < c->n; i++) {
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? " " : "", c->v[i].name);
		assert_true(len < sizeof(names));
		assert_ptr_equal(c->v[i].name, c->v[i].path + strlen(c->v[i].path) - strlen(c->v[i].name));
		assert_non_null(d);
		if (strcmp(d, "-") != 0) {
			char want[PATH_MAX + 512];

			snprintf(want, sizeof(want), "%s/%s/%s", top, d, c->v[i].name);
			assert_string_equal(c->v[i].path, want);
		}
		if (!all)
			d = strtok_r(NULL, " ", &save);
	}
	if (!all)
		assert_null(d);
	assert_string_equal(names, want_names);
}

static void scan(struct confdir *c, struct notes *n, unsigned flags, const char *a, const char *b)
{
	const char *paths[2];
	char pa[PATH_MAX], pb[PATH_MAX];
	size_t np = 0;

	memset(c, 0, sizeof(*c));
	memset(n, 0, sizeof(*n));
	c->flags = flags;
	c->note = record;
	c->arg = n;
	if (a != NULL) {
		snprintf(pa, sizeof(pa), "%s", at(a));
		paths[np++] = pa;
	}
	if (b != NULL) {
		snprintf(pb, sizeof(pb), "%s", at(b));
		paths[np++] = pb;
	}
	assert_int_equal(confdir_scan(c, paths, np), 0);
}

static void order_by_name_across_folders(void **state)
{
	struct confdir c;
	struct notes n;

	mkd("a");
	mkd("b");
	put("a/d.conf");
	put("a/b.conf");
	put("b/c.conf");
	put("b/a.conf");
	put("b/b-2.conf");
	for (unsigned flags = 0; flags <= CONFDIR_REGULAR; flags++) {
		scan(&c, &n, flags, "a", "b");
		/* strcmp order: '-' (0x2d) before '.' (0x2e) */
		check(&c, "a.conf b-2.conf b.conf c.conf d.conf", "b b a b a");
		assert_string_equal(n.text, "");
		confdir_free(&c);
		assert_int_equal(c.n, 0);
		assert_null(c.v);
	}
}

static void first_folder_hides_the_name(void **state)
{
	struct confdir c;
	struct notes n;

	mkd("a");
	mkd("b");
	put("a/x.conf");
	put("b/x.conf");
	put("b/y.conf");
	scan(&c, &n, CONFDIR_REGULAR, "a", "b");
	check(&c, "x.conf y.conf", "a b");
	confdir_free(&c);
	scan(&c, &n, CONFDIR_REGULAR, "b", "a");
	check(&c, "x.conf y.conf", "b b");
	/* Added later (modules.softdep): in its place, unless hidden. */
	assert_int_equal(confdir_add(&c, at("a"), "w.conf"), 0);
	assert_int_equal(confdir_add(&c, at("a"), "y.conf"), 0);
	assert_int_equal(confdir_add(&c, at("a"), "z"), 0);
	check(&c, "w.conf x.conf y.conf z", "a b b a");
	confdir_free(&c);
}

static void a_file_given(void **state)
{
	struct confdir c;
	struct notes n;
	char cwd[PATH_MAX];
	const char *paths[2];

	mkd("a");
	mkd("f");
	put("a/m.conf");
	put("a/z.conf");
	put("f/z.conf");
	put("f/notes.txt");
	/* Listed whatever its name, by its last part, before the folder's
	 * file of the same name. */
	for (unsigned flags = 0; flags <= CONFDIR_REGULAR; flags++) {
		scan(&c, &n, flags, "f/notes.txt", "a");
		check(&c, "m.conf notes.txt z.conf", "a f a");
		confdir_free(&c);
		scan(&c, &n, flags, "f/z.conf", "a");
		check(&c, "m.conf z.conf", "a f");
		assert_string_equal(n.text, "");
		confdir_free(&c);
	}
	/* Without a folder: ./NAME. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(at("f")), 0);
	paths[0] = "notes.txt";
	paths[1] = "z.conf";
	memset(&c, 0, sizeof(c));
	assert_int_equal(confdir_scan(&c, paths, 2), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].path, "./notes.txt");
	assert_string_equal(c.v[0].name, "notes.txt");
	assert_string_equal(c.v[1].path, "./z.conf");
	confdir_free(&c);
}

static void missing_folder_in_silence(void **state)
{
	struct confdir c;
	struct notes n;

	mkd("b");
	put("b/x.conf");
	for (unsigned flags = 0; flags <= CONFDIR_REGULAR; flags++) {
		scan(&c, &n, flags, "none", "b");
		check(&c, "x.conf", "b");
		assert_string_equal(n.text, "");
		confdir_free(&c);
		scan(&c, &n, flags, "none/x.conf", NULL);
		check(&c, "", "");
		assert_string_equal(n.text, "");
		confdir_free(&c);
	}
}

static void names_not_conf(void **state)
{
	struct confdir c;
	struct notes n;

	mkd("a");
	put("a/.hidden.conf");
	put("a/.conf");
	put("a/x.conf.bak");
	put("a/readme");
	put("a/ok.conf");
	put("a/b.conf");
	scan(&c, &n, 0, "a", NULL);
	check(&c, "b.conf ok.conf", "a a");
	/* readdir order: compare as a set */
	assert_int_equal(strlen(n.text), strlen("NOT_CONF x.conf.bak 0;NOT_CONF readme 0;"));
	assert_non_null(strstr(n.text, "NOT_CONF x.conf.bak 0;"));
	assert_non_null(strstr(n.text, "NOT_CONF readme 0;"));
	confdir_free(&c);
}

static void a_subfolder(void **state)
{
	struct confdir c;
	struct notes n;

	mkd("a");
	mkd("b");
	mkd("a/sub.conf");
	put("a/sub.conf/x.conf");
	put("b/sub.conf");
	for (unsigned flags = 0; flags <= CONFDIR_REGULAR; flags++) {
		scan(&c, &n, flags, "a", "b");
		/* not listed, and hides nothing */
		check(&c, "sub.conf", "b");
		assert_string_equal(n.text, "SUBFOLDER sub.conf 0;");
		confdir_free(&c);
	}
}

static void a_dangling_link(void **state)
{
	struct confdir c;
	struct notes n;

	mkd("a");
	mkd("b");
	assert_int_equal(symlink("nowhere", at("a/dead.conf")), 0);
	assert_int_equal(symlink("../b/real.conf", at("a/link.conf")), 0);
	put("b/dead.conf");
	put("b/real.conf");
	/* Regular files only: noted, hides nothing; a link to a file is one. */
	scan(&c, &n, CONFDIR_REGULAR, "a", "b");
	check(&c, "dead.conf link.conf real.conf", "b a b");
	assert_string_equal(n.text, "NOT_REGULAR dead.conf -2;");
	confdir_free(&c);
	/* Otherwise listed: its reader says it cannot read it. */
	scan(&c, &n, 0, "a", "b");
	check(&c, "dead.conf link.conf real.conf", "a a b");
	assert_string_equal(n.text, "");
	confdir_free(&c);
}

static void other_file_types(void **state)
{
	struct confdir c;
	struct notes n;

	mkd("a");
	assert_int_equal(mkfifo(at("a/fifo.conf"), 0644), 0);
	assert_int_equal(mkfifo(at("fifo"), 0644), 0);
	scan(&c, &n, CONFDIR_REGULAR, "a", NULL);
	check(&c, "", "");
	assert_string_equal(n.text, "NOT_REGULAR fifo.conf 0;");
	confdir_free(&c);
	scan(&c, &n, 0, "a", NULL);
	check(&c, "fifo.conf", "a");
	assert_string_equal(n.text, "");
	confdir_free(&c);
	/* A FIFO given: a folder that cannot be read, or a file. */
	scan(&c, &n, CONFDIR_REGULAR, "fifo", NULL);
	check(&c, "", "");
	assert_string_equal(n.text, "FOLDER fifo -20;");
	confdir_free(&c);
	scan(&c, &n, 0, "fifo", NULL);
	check(&c, "fifo", "-");
	assert_string_equal(c.v[0].path, at("fifo"));
	confdir_free(&c);
}

/* More entries than one read of the folder returns. */
static void a_long_folder(void **state)
{
	struct confdir c;
	struct notes n;
	char rel[128];
	static char want[20000];
	size_t len = 0;

	mkd("a");
	for (int i = 0; i < 300; i++) {
		snprintf(rel, sizeof(rel), "a/%03d-a-name-long-enough-to-fill-buffers-sooner.conf", 299 - i);
		put(rel);
	}
	scan(&c, &n, CONFDIR_REGULAR, "a", NULL);
	assert_int_equal(c.n, 300);
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len, "%s%03d-a-name-long-enough-to-fill-buffers-sooner.conf",
					i ? " " : "", i);
	check(&c, want, "=a");
	confdir_free(&c);
}

/* A folder whose path and a name in it pass PATH_MAX together. */
static void a_name_too_long(void **state)
{
	struct confdir c;
	struct notes n;
	char comp[202], rel[PATH_MAX] = "d", name[251], want[512];
	int dfd, fd;

	memset(comp, 'x', 200);
	strcpy(comp + 200, "/");
	mkd("d");
	while (strlen(top) + 1 + strlen(rel) + 201 < PATH_MAX - 1) {
		strcat(rel, "/");
		strncat(rel, comp, 200);
		mkd(rel);
	}
	memset(name, 'n', 245);
	strcpy(name + 245, ".conf");
	dfd = open(at(rel), O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	close(fd);
	close(dfd);
	assert_true(strlen(at(rel)) + 1 + strlen(name) >= PATH_MAX);
	/* Regular files only: no open() could take it. */
	scan(&c, &n, CONFDIR_REGULAR, rel, NULL);
	check(&c, "", "");
	snprintf(want, sizeof(want), "NOT_REGULAR %s %d;", name, -ENAMETOOLONG);
	assert_string_equal(n.text, want);
	confdir_free(&c);
	/* Otherwise listed: its reader says why it cannot read it. */
	scan(&c, &n, 0, rel, NULL);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].name, name);
	assert_int_equal(strlen(c.v[0].path), strlen(at(rel)) + 1 + strlen(name));
	assert_string_equal(n.text, "");
	confdir_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(order_by_name_across_folders, setup, teardown),
		cmocka_unit_test_setup_teardown(first_folder_hides_the_name, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_given, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_folder_in_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(names_not_conf, setup, teardown),
		cmocka_unit_test_setup_teardown(a_subfolder, setup, teardown),
		cmocka_unit_test_setup_teardown(a_dangling_link, setup, teardown),
		cmocka_unit_test_setup_teardown(other_file_types, setup, teardown),
		cmocka_unit_test_setup_teardown(a_long_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(a_name_too_long, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
