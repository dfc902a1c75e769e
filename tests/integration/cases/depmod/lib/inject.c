// SPDX-License-Identifier: GPL-2.0-or-later
/* LD_PRELOAD helper of the depmod safety cases (preloaded after the fake
 * kernel, so the paths it sees are already inside the work root):
 *   INJECT_RANDOM=1         getrandom() gives 0x01..., then 0x02..., ...:
 *                           the temporary names become predictable, so a
 *                           case can plant things at them
 *   INJECT_ON_RANDOM=CMD    run CMD (sh -c) before the first getrandom()
 *                           returns: after depmod's start-up clean-up
 *   INJECT_EIO=TEXT         open/openat of a path holding TEXT fails (EIO)
 *   INJECT_MKDIR=TEXT       mkdir(at) of a path holding TEXT fails (ENOSPC)
 *   INJECT_RENAME=TEXT      renameat() of a source path holding TEXT fails
 *                           (EIO)
 *   INJECT_LINK=TEXT        linkat() to a new path holding TEXT fails (EIO)
 *   INJECT_EXCHANGE_SLEEP=S after the first renameat2(RENAME_EXCHANGE),
 *                           sleep S seconds (another run starts meanwhile)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define NEXT(name) static __typeof__(name) *next; if (!next) next = dlsym(RTLD_NEXT, #name)

static int hit(const char *var, int at, const char *path)
{
	const char *t = getenv(var);
	char fdpath[64], full[8192];
	ssize_t n;

	if (t == NULL || *t == '\0' || path == NULL)
		return 0;
	if (path[0] == '/' || at == AT_FDCWD)
		return strstr(path, t) != NULL;
	/* relative to a folder descriptor: the folder's path first */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", at);
	n = readlink(fdpath, full, sizeof(full) - 1);
	if (n < 0)
		return strstr(path, t) != NULL;
	snprintf(full + n, sizeof(full) - (size_t)n, "/%s", path);
	return strstr(full, t) != NULL;
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	static unsigned char n;
	static int ran;
	const char *cmd = getenv("INJECT_ON_RANDOM");
	NEXT(getrandom);
	if (cmd != NULL && !ran++) {
		char *c = strdup(cmd);

		/* the command runs as itself: without the preloads */
		unsetenv("INJECT_ON_RANDOM");
		unsetenv("LD_PRELOAD");
		if (c == NULL || system(c) != 0)
			abort();
		free(c);
	}
	if (getenv("INJECT_RANDOM") == NULL)
		return next(buf, len, flags);
	memset(buf, ++n, len);
	return (ssize_t)len;
}

/* The binary is built with 64-bit file offsets: it calls open64/openat64. */
#define OPEN_FN(fn, at, ...)                                                  \
	{                                                                     \
		mode_t mode = 0;                                              \
		va_list ap;                                                   \
		NEXT(fn);                                                     \
		va_start(ap, flags);                                          \
		if (flags & (O_CREAT | O_TMPFILE))                            \
			mode = va_arg(ap, mode_t);                            \
		va_end(ap);                                                   \
		if (hit("INJECT_EIO", at, path)) {                            \
			errno = EIO;                                          \
			return -1;                                            \
		}                                                             \
		return next(__VA_ARGS__, mode);                               \
	}

int open(const char *path, int flags, ...) OPEN_FN(open, AT_FDCWD, path, flags)
int open64(const char *path, int flags, ...) OPEN_FN(open64, AT_FDCWD, path, flags)
int openat(int at, const char *path, int flags, ...) OPEN_FN(openat, at, at, path, flags)
int openat64(int at, const char *path, int flags, ...) OPEN_FN(openat64, at, at, path, flags)

int mkdirat(int at, const char *path, mode_t mode)
{
	NEXT(mkdirat);
	if (hit("INJECT_MKDIR", at, path)) {
		errno = ENOSPC;
		return -1;
	}
	return next(at, path, mode);
}

int renameat2(int a, const char *p, int b, const char *q, unsigned int flags)
{
	static int done;
	const char *s = getenv("INJECT_EXCHANGE_SLEEP");
	NEXT(renameat2);
	int r = next(a, p, b, q, flags);

	if (r == 0 && (flags & RENAME_EXCHANGE) && s != NULL && !done++)
		sleep((unsigned)atoi(s));
	return r;
}

int renameat(int a, const char *p, int b, const char *q)
{
	NEXT(renameat);
	if (hit("INJECT_RENAME", a, p)) {
		errno = EIO;
		return -1;
	}
	return next(a, p, b, q);
}

int linkat(int a, const char *p, int b, const char *q, int flags)
{
	NEXT(linkat);
	if (hit("INJECT_LINK", b, q)) {
		errno = EIO;
		return -1;
	}
	return next(a, p, b, q, flags);
}
