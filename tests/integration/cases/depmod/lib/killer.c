// SPDX-License-Identifier: GPL-2.0-or-later
/* LD_PRELOAD helper of the depmod sigkill case: SIGKILL the process just
 * before its DEPMOD_KILL_AT-th call of write, pwrite, fsync, fdatasync,
 * syncfs, openat, close, rename(at)(2), unlinkat, linkat, symlinkat or
 * mkdirat. The syncs are counted but not done: what is tested is the order
 * of the calls, and the case stays fast. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

static long calls, kill_at = -1;

static void step(void)
{
	if (kill_at < 0) {
		const char *s = getenv("DEPMOD_KILL_AT");

		kill_at = s ? atol(s) : 0;
	}
	if (++calls == kill_at)
		kill(getpid(), SIGKILL);
}

#define NEXT(name) static __typeof__(name) *next; if (!next) next = dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
	NEXT(write);
	step();
	return next(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	NEXT(pwrite);
	step();
	return next(fd, buf, n, off);
}

int fsync(int fd)
{
	step();
	return fd >= 0 ? 0 : -1;
}

int fdatasync(int fd)
{
	step();
	return fd >= 0 ? 0 : -1;
}

int syncfs(int fd)
{
	step();
	return fd >= 0 ? 0 : -1;
}

int close(int fd)
{
	NEXT(close);
	step();
	return next(fd);
}

int openat(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	NEXT(openat);
	va_start(ap, flags);
	mode = va_arg(ap, mode_t);
	va_end(ap);
	step();
	return next(dfd, path, flags, mode);
}

int renameat(int a, const char *from, int b, const char *to)
{
	NEXT(renameat);
	step();
	return next(a, from, b, to);
}

int rename(const char *from, const char *to)
{
	NEXT(rename);
	step();
	return next(from, to);
}

int unlinkat(int dfd, const char *path, int flags)
{
	NEXT(unlinkat);
	step();
	return next(dfd, path, flags);
}

int renameat2(int a, const char *from, int b, const char *to, unsigned flags)
{
	NEXT(renameat2);
	step();
	return next(a, from, b, to, flags);
}

int linkat(int a, const char *from, int b, const char *to, int flags)
{
	NEXT(linkat);
	step();
	return next(a, from, b, to, flags);
}

int symlinkat(const char *target, int dfd, const char *path)
{
	NEXT(symlinkat);
	step();
	return next(target, dfd, path);
}

int mkdirat(int dfd, const char *path, mode_t mode)
{
	NEXT(mkdirat);
	step();
	return next(dfd, path, mode);
}
