// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel boundary. Nothing else in the tree calls finit_module,
 * init_module or delete_module, or names a /proc or /sys path.
 * Only glibc's wrappers and plain file calls are used, so the test suite's
 * LD_PRELOAD library can fake the kernel and redirect the paths.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernel.h"

/* glibc declares no prototypes for these two (see init_module(2)). */
extern int init_module(void *image, unsigned long len, const char *params);
extern int delete_module(const char *name, unsigned int flags);

const char kernel_proc_modules[] = "/proc/modules";
#define SYS_MODULE "/sys/module/"

int kernel_load_fd(int fd, const char *params, unsigned flags)
{
#ifdef SYS_finit_module
	/* glibc 2.36 has no finit_module() wrapper. */
	if (syscall(SYS_finit_module, fd, params, flags) == 0)
		return 0;
	return -errno;
#else
	(void)fd; (void)params; (void)flags;
	return -ENOSYS;
#endif
}

int kernel_load_image(const void *image, size_t len, const char *params)
{
	/* The kernel copies the image; the cast only drops const for the ABI. */
	if (init_module((void *)image, len, params) == 0)
		return 0;
	return -errno;
}

int kernel_unload(const char *name, bool force)
{
	/* O_NONBLOCK always: blocking unload is gone since Linux 3.13. */
	unsigned flags = O_NONBLOCK | (force ? O_TRUNC : 0);

	if (delete_module(name, flags) == 0)
		return 0;
	return -errno;
}

int kernel_uname(struct utsname *u)
{
	return uname(u) < 0 ? -errno : 0;
}

int kernel_symbol_names(int (*cb)(const char *name, void *arg), void *arg)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (f == NULL)
		return -errno;
	/* "ADDRESS TYPE NAME[\t[MODULE]]"; a name may be 511 bytes long
	 * (KSYM_NAME_LEN since Linux 6.1), so a line has no fixed bound. */
	while (r == 0 && getline(&line, &cap, f) > 0) {
		char *name = strchr(line, ' ');

		if (name == NULL || (name = strchr(name + 1, ' ')) == NULL)
			continue;
		name++;
		name[strcspn(name, " \t\n")] = '\0';
		r = cb(name, arg);
	}
	if (r == 0 && ferror(f))
		r = -EIO;
	free(line);
	fclose(f);
	return r < 0 ? r : 0;
}

int kernel_release(char *buf, size_t size)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -errno;
	if (strlen(u.release) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, u.release);
	return 0;
}

int kernel_cmdline_read(char **out)
{
	/* The kernel caps the command line at a few KiB (COMMAND_LINE_SIZE):
	 * read on the stack, kept in a heap block of its own length (with
	 * musl a block of 8 KiB was a mapping made and unmade at each start). */
	char buf[8192 + 1];
	ssize_t n;
	int fd;

	*out = NULL;
	fd = openat(AT_FDCWD, "/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	*out = malloc((size_t)n + 1);
	if (*out == NULL)
		return -ENOMEM;
	memcpy(*out, buf, (size_t)n);
	(*out)[n] = '\0';
	return 0;
}

int kernel_modules_disabled(void)
{
	char c = 0;
	int fd = openat(AT_FDCWD, "/proc/sys/kernel/modules_disabled", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == '1';
}

int kernel_self_exe(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n < 0)
		return -errno;
	if ((size_t)n >= size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/* Read a small sysfs attribute of a module into buf, newline stripped. */
static int read_attr(const char *name, const char *attr, char *buf, size_t size)
{
	char path[sizeof(SYS_MODULE) + MODNAME_MAX + 32];
	ssize_t n;
	int fd;

	if (strlen(name) >= MODNAME_MAX || strchr(name, '/') != NULL)
		return -EINVAL;
	snprintf(path, sizeof(path), SYS_MODULE "%s%s%s", name, attr[0] ? "/" : "", attr);
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

bool kernel_decompresses(const char *algorithm)
{
	char buf[64];

	if (read_attr("compression", "", buf, sizeof(buf)) <= 0)
		return false;
	return strcmp(buf, algorithm) == 0;
}

static int module_dir_exists(const char *name)
{
	char path[sizeof(SYS_MODULE) + MODNAME_MAX];
	struct stat st;

	snprintf(path, sizeof(path), SYS_MODULE "%s", name);
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int kernel_module_state(const char *name)
{
	char buf[32];
	int err = read_attr(name, "initstate", buf, sizeof(buf));

	if (err == -ENOENT) {
		/* Built-in modules with parameters have the folder only. */
		if (module_dir_exists(name) == 0)
			return KMOD_STATE_BUILTIN;
		return -ENOENT;
	}
	if (err < 0)
		return err;
	if (strcmp(buf, "live") == 0)
		return KMOD_STATE_LIVE;
	if (strcmp(buf, "coming") == 0)
		return KMOD_STATE_COMING;
	if (strcmp(buf, "going") == 0)
		return KMOD_STATE_GOING;
	return -EBADMSG;
}

static long read_number_attr(const char *name, const char *attr)
{
	char buf[32], *end;
	long v;
	int err = read_attr(name, attr, buf, sizeof(buf));

	if (err < 0)
		return err;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || *end != '\0' || v < 0)
		return -EBADMSG;
	return v;
}

int kernel_module_refcnt(const char *name)
{
	long v = read_number_attr(name, "refcnt");

	return v > INT_MAX ? -EOVERFLOW : (int)v;
}

long kernel_module_coresize(const char *name)
{
	return read_number_attr(name, "coresize");
}

int name_list_add(struct name_list *list, const char *name)
{
	size_t n = strlen(name) + 1;
	char *p = realloc(list->buf, list->len + n);

	if (p == NULL)
		return -ENOMEM;
	memcpy(p + list->len, name, n);
	list->buf = p;
	list->len += n;
	list->count++;
	return 0;
}

const char *name_list_next(const struct name_list *list, const char *prev)
{
	const char *next = prev == NULL ? list->buf : prev + strlen(prev) + 1;

	if (next == NULL || next >= list->buf + list->len)
		return NULL;
	return next;
}

void name_list_free(struct name_list *list)
{
	free(list->buf);
	list->buf = NULL;
	list->len = list->count = 0;
}

int kernel_module_holders(const char *name, struct name_list *out)
{
	char path[sizeof(SYS_MODULE) + MODNAME_MAX + 16];
	struct dirent *de;
	DIR *d;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (strlen(name) >= MODNAME_MAX || strchr(name, '/') != NULL)
		return -EINVAL;
	snprintf(path, sizeof(path), SYS_MODULE "%s/holders", name);
	d = opendir(path);
	if (d == NULL)
		return -errno;
	/* readdir order, as kmod shows it. */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		err = name_list_add(out, de->d_name);
		if (err < 0)
			break;
	}
	closedir(d);
	if (err < 0)
		name_list_free(out);
	return err;
}

/* Split one /proc/modules line: name size refcnt users state address [taints]. */
static int parse_proc_line(char *line, struct proc_module *m)
{
	char *field[5], *save = NULL, *end;
	int i;

	for (i = 0; i < 5; i++) {
		field[i] = strtok_r(i == 0 ? line : NULL, " \t\n", &save);
		if (field[i] == NULL)
			return -EBADMSG;
	}
	m->name = field[0];
	errno = 0;
	m->size = strtoul(field[1], &end, 10);
	if (errno != 0 || *end != '\0')
		return -EBADMSG;
	if (strcmp(field[2], "-") == 0) {
		m->refcnt = -1;
	} else {
		m->refcnt = strtol(field[2], &end, 10);
		if (errno != 0 || *end != '\0' || m->refcnt < 0)
			return -EBADMSG;
	}
	m->users = field[3];
	m->state = field[4];
	return 0;
}

int kernel_foreach_module(int (*cb)(const struct proc_module *m, void *arg), void *arg)
{
	FILE *f = fopen(kernel_proc_modules, "re");
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	if (f == NULL)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		struct proc_module m;

		ret = parse_proc_line(line, &m);
		if (ret < 0)
			break;
		ret = cb(&m, arg);
		if (ret != 0)
			break;
	}
	if (ret == 0 && ferror(f))
		ret = -EIO;
	free(line);
	fclose(f);
	return ret;
}

int kernel_rename_exchange(int olddirfd, const char *oldname, int newdirfd, const char *newname)
{
#if defined(__GLIBC__)
	if (renameat2(olddirfd, oldname, newdirfd, newname, RENAME_EXCHANGE) == 0)
		return 0;
	return -errno;
#elif defined(SYS_renameat2)
	/* musl 1.2.3 has no renameat2() wrapper. */
	if (syscall(SYS_renameat2, olddirfd, oldname, newdirfd, newname, 2 /* RENAME_EXCHANGE */) == 0)
		return 0;
	return -errno;
#else
	(void)olddirfd; (void)oldname; (void)newdirfd; (void)newname;
	return -ENOSYS;
#endif
}

#ifndef SYS_futex
#define SYS_futex SYS_futex_time64   /* 32-bit ABIs with only 64-bit time */
#endif
#define FUTEX_WAIT_PRIV 128           /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG (linux/futex.h) */
#define FUTEX_WAKE_PRIV 129           /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */

void kernel_futex_wait(unsigned int *addr, unsigned int val)
{
	/* EAGAIN (changed already) and EINTR: back to the caller's check */
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIV, val, NULL, NULL, 0);
}

void kernel_futex_wake_all(unsigned int *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIV, INT_MAX, NULL, NULL, 0);
}

int kernel_cpus(void)
{
	unsigned long mask[1024 / (8 * sizeof(unsigned long))];
	long r = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
	int n = 0;

	if (r > 0) {
		for (size_t i = 0; i < (size_t)r / sizeof(mask[0]); i++)
			n += __builtin_popcountl(mask[i]);
	} else {
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	}
	return n > 0 ? n : 1;
}
