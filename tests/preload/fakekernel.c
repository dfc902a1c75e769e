/*
 * fakekernel.c - LD_PRELOAD library for the modutils integration tests.
 *
 * It does two things for the process it is preloaded into:
 *
 *  1. Path redirection.  Absolute paths below /lib/modules, /lib/modprobe.d,
 *     /lib/depmod.d, /etc, /run, /usr/lib, /usr/local/lib, /proc and /sys are
 *     rewritten to $MODUTILS_FAKE_ROOT/<path> for the glibc entry points the
 *     tools use (open, fopen, stat, opendir, readlink, ...).  /proc/self,
 *     /proc/thread-self and /proc/<pid> stay real.
 *
 *  2. A fake kernel.  init_module(), delete_module() and
 *     syscall(SYS_finit_module / SYS_init_module / SYS_delete_module) act on a
 *     model of the kernel's module list kept in the fixture tree
 *     ($ROOT/proc/modules and $ROOT/sys/module/NAME/...), and every call can
 *     be logged to $MODUTILS_FAKE_LOG.
 *
 * Without MODUTILS_FAKE_ROOT everything is passed through to glibc unchanged
 * (except uname(), which honours MODUTILS_FAKE_UNAME_R on its own).
 *
 * The library never uses its own interposed symbols for its own file work: all
 * of that goes through the real_*() pointers resolved with dlsym(RTLD_NEXT).
 *
 * See tests/integration/README.md for the environment variables, the state
 * format and the log format.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE

#include <ctype.h>
#include <dirent.h>
#ifndef FK_STATIC
#include <dlfcn.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

/* ------------------------------------------------------------------------ */
/* Declarations glibc 2.36 exports but does not declare (or only declares   */
/* with _FORTIFY_SOURCE).                                                   */

long init_module(void *image, unsigned long len, const char *params);
long delete_module(const char *name, unsigned int flags);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __xstat(int ver, const char *path, struct stat *buf);
int __xstat64(int ver, const char *path, struct stat64 *buf);
int __lxstat(int ver, const char *path, struct stat *buf);
int __lxstat64(int ver, const char *path, struct stat64 *buf);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *buf, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *buf, int flags);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen);
ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t len, size_t buflen);

#ifndef __OPEN_NEEDS_MODE
#define __OPEN_NEEDS_MODE(flags) (((flags) & O_CREAT) != 0 || ((flags) & O_TMPFILE) == O_TMPFILE)
#endif

#if !defined(__GLIBC__)
/* glibc-only calls the preloaded library also intercepts: declared so that
 * their wrappers compile against musl (FK_STATIC; the link drops them). */
struct statx;
int statx(int dirfd, const char *restrict path, int flags, unsigned int mask, struct statx *restrict buf);
int scandirat(int dirfd, const char *restrict path, struct dirent ***restrict list,
	      int (*filter)(const struct dirent *), int (*compar)(const struct dirent **, const struct dirent **));
#ifndef scandirat64
#define scandirat64 scandirat
#endif
int renameat2(int olddirfd, const char *oldp, int newdirfd, const char *newp, unsigned int flags);
char *canonicalize_file_name(const char *path);
#endif

#define MODULE_INIT_IGNORE_MODVERSIONS 1
#define MODULE_INIT_IGNORE_VERMAGIC 2
#define MODULE_INIT_COMPRESSED_FILE 4

#define FK_MAX_IMAGE (512UL * 1024 * 1024)

/* ------------------------------------------------------------------------ */
/* Resolution of the real functions                                         */

#ifndef FK_STATIC
static void fk_die(const char *what, const char *name)
{
	char msg[256];
	int n = snprintf(msg, sizeof msg, "libfakekernel: %s %s\n", what, name);
	if (n > 0)
		(void)!write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
	abort();
}

static void *fk_resolve(void **slot, const char *name)
{
	/* Compat-only symbols (e.g. __xstat since glibc 2.33) are not found by
	 * plain dlsym(); fall back to the usual base versions. */
	static const char *const versions[] = {
		"GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.0", "GLIBC_2.2", "GLIBC_2.4",
		"GLIBC_2.27", "GLIBC_2.33", NULL
	};
	void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (p)
		return p;
	p = dlsym(RTLD_NEXT, name);
	for (size_t i = 0; !p && versions[i]; i++)
		p = dlvsym(RTLD_NEXT, name, versions[i]);
	if (!p)
		fk_die("cannot resolve real", name);
	__atomic_store_n(slot, p, __ATOMIC_RELEASE);
	return p;
}

#define SLOT(name) static void *fk_slot_##name
#define REAL(name) ((__typeof__(&name))fk_resolve(&fk_slot_##name, #name))
#define FK(name) name
#else
/*
 * FK_STATIC: linked into a static test binary instead of preloaded
 * (tests/preload/README: the static musl build). The binary is linked with
 * -Wl,--wrap=NAME for each NAME it calls, so its calls reach __wrap_NAME,
 * defined here, and __real_NAME is the C library's. ## keeps a C library's
 * macro (musl: stat64 is stat) from renaming these.
 */
#define SLOT(name) extern __typeof__(name) __real_##name
#define REAL(name) __real_##name
#define FK(name) __wrap_##name
#endif

SLOT(open); SLOT(open64); SLOT(openat); SLOT(openat64);
SLOT(__open_2); SLOT(__open64_2); SLOT(__openat_2); SLOT(__openat64_2);
SLOT(creat); SLOT(creat64);
SLOT(fopen); SLOT(fopen64); SLOT(freopen); SLOT(freopen64);
SLOT(stat); SLOT(stat64); SLOT(lstat); SLOT(lstat64);
SLOT(fstatat); SLOT(fstatat64); SLOT(statx);
SLOT(__xstat); SLOT(__xstat64); SLOT(__lxstat); SLOT(__lxstat64);
SLOT(__fxstatat); SLOT(__fxstatat64);
SLOT(access); SLOT(faccessat); SLOT(euidaccess); SLOT(eaccess);
SLOT(opendir); SLOT(scandir); SLOT(scandir64); SLOT(scandirat); SLOT(scandirat64);
SLOT(readlink); SLOT(readlinkat); SLOT(__readlink_chk); SLOT(__readlinkat_chk);
SLOT(mkdir); SLOT(mkdirat); SLOT(rmdir); SLOT(unlink); SLOT(unlinkat); SLOT(remove);
SLOT(rename); SLOT(renameat); SLOT(renameat2);
SLOT(link); SLOT(linkat); SLOT(symlink); SLOT(symlinkat);
SLOT(truncate); SLOT(truncate64); SLOT(chmod); SLOT(fchmodat);
SLOT(realpath); SLOT(__realpath_chk); SLOT(canonicalize_file_name);
SLOT(mkstemp); SLOT(mkstemp64); SLOT(mkostemp); SLOT(mkostemp64); SLOT(mkdtemp);
SLOT(connect); SLOT(uname); SLOT(syscall); SLOT(init_module); SLOT(delete_module);

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

static const char *fk_env(const char *name)
{
	const char *v = getenv(name);
	return (v && *v) ? v : NULL;
}

/* Boolean switches: set, non-empty and not "0". */
static int fk_env_on(const char *name)
{
	const char *v = fk_env(name);
	return v && strcmp(v, "0") != 0;
}

/* The fixture root without trailing slashes, or NULL when inactive. */
static const char *fk_root(size_t *lenp)
{
	const char *r = fk_env("MODUTILS_FAKE_ROOT");
	size_t n;

	if (!r)
		return NULL;
	n = strlen(r);
	while (n > 1 && r[n - 1] == '/')
		n--;
	*lenp = n;
	return r;
}

struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		char *np;
		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_add(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void sb_addf(struct sbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		sb_addn(b, small, (size_t)n);
		return;
	}
	{
		char *big = malloc((size_t)n + 1);
		if (!big) {
			b->oom = 1;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		sb_addn(b, big, (size_t)n);
		free(big);
	}
}

static int fk_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void fk_append_to(const char *path, const char *data, size_t len)
{
	int saved = errno;
	int fd = REAL(open)(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void)fk_write_all(fd, data, len);
		close(fd);
	}
	errno = saved;
}

/* '-' and '_' are the same in module and parameter names. */
static int fk_name_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = *a == '-' ? '_' : *a;
		char cb = *b == '-' ? '_' : *b;
		if (ca != cb)
			return 0;
		if (!ca)
			return 1;
	}
}

/* ------------------------------------------------------------------------ */
/* Path redirection                                                         */

static const char *const fk_prefixes[] = {
	"/lib/modules", "/lib/modprobe.d", "/lib/depmod.d", "/etc", "/run",
	"/usr/lib", "/usr/local/lib", "/proc", "/sys", "/dev/log", NULL
};

static int fk_has_prefix(const char *path, const char *pfx, size_t n)
{
	return strncmp(path, pfx, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* rest points just after "/proc" */
static int fk_proc_exempt(const char *rest)
{
	size_t n, i;

	if (*rest != '/')
		return 0;
	rest++;
	n = strcspn(rest, "/");
	if ((n == 4 && !strncmp(rest, "self", 4)) ||
	    (n == 11 && !strncmp(rest, "thread-self", 11)))
		return 1;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)rest[i]))
			return 0;
	return 1;
}

static int fk_wants_redirect(const char *path, const char *root, size_t rootlen)
{
	if (!path || path[0] != '/')
		return 0;
	if (rootlen > 1 && fk_has_prefix(path, root, rootlen))
		return 0; /* already inside the fixture */
	for (size_t i = 0; fk_prefixes[i]; i++) {
		size_t n = strlen(fk_prefixes[i]);
		if (!fk_has_prefix(path, fk_prefixes[i], n))
			continue;
		if (n == 5 && fk_proc_exempt(path + 5))
			return 0;
		return 1;
	}
	return 0;
}

static void fk_trace(const char *fn, const char *path, const char *out)
{
	const char *tf = fk_env("MODUTILS_FAKE_TRACE");
	struct sbuf b = { 0 };

	if (!tf)
		return;
	sb_addf(&b, "%s %s", fn, path ? path : "(null)");
	if (out != path)
		sb_addf(&b, " => %s", out);
	sb_add(&b, "\n");
	if (!b.oom)
		fk_append_to(tf, b.p, b.len);
	free(b.p);
}

/* Returns `path` itself or `buf` holding root+path; NULL (errno set) if the
 * result does not fit. */
static const char *fk_redirect(const char *fn, const char *path, char *buf, size_t bufsz)
{
	size_t rootlen = 0;
	const char *root = fk_root(&rootlen);
	const char *out = path;

	if (root && fk_wants_redirect(path, root, rootlen)) {
		size_t plen = strlen(path);
		if (rootlen + plen + 1 > bufsz) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		memcpy(buf, root, rootlen);
		memcpy(buf + rootlen, path, plen + 1);
		out = buf;
	}
	if (root)
		fk_trace(fn, path, out);
	return out;
}

/* REDIR(p, fail): declares p_r, the path to use; returns `fail` if too long. */
#define REDIR(var, fail)                                                     \
	char var##_buf[PATH_MAX];                                            \
	const char *var##_r = fk_redirect(__func__, var, var##_buf,          \
					  sizeof var##_buf);                 \
	if (!var##_r)                                                        \
		return fail

/* For results of realpath(): turn $ROOT/etc/x back into /etc/x. */
static char *fk_unredirect_result(char *res)
{
	size_t rootlen = 0;
	const char *root = fk_root(&rootlen);

	if (!res || !root || rootlen <= 1)
		return res;
	if (fk_has_prefix(res, root, rootlen) && res[rootlen] == '/' &&
	    fk_wants_redirect(res + rootlen, root, rootlen))
		memmove(res, res + rootlen, strlen(res + rootlen) + 1);
	return res;
}

/* ------------------------------------------------------------------------ */
/* Interposed file functions                                                */

#define GET_MODE(flags, mode)                                                \
	do {                                                                 \
		if (__OPEN_NEEDS_MODE(flags)) {                              \
			va_list ap_;                                         \
			va_start(ap_, flags);                                \
			mode = va_arg(ap_, mode_t);                          \
			va_end(ap_);                                         \
		}                                                            \
	} while (0)

int FK(open)(const char *path, int flags, ...)
{
	mode_t mode = 0;
	GET_MODE(flags, mode);
	REDIR(path, -1);
	return REAL(open)(path_r, flags, mode);
}

int FK(open64)(const char *path, int flags, ...)
{
	mode_t mode = 0;
	GET_MODE(flags, mode);
	REDIR(path, -1);
	return REAL(open64)(path_r, flags, mode);
}

int FK(openat)(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	GET_MODE(flags, mode);
	REDIR(path, -1);
	return REAL(openat)(dirfd, path_r, flags, mode);
}

int FK(openat64)(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	GET_MODE(flags, mode);
	REDIR(path, -1);
	return REAL(openat64)(dirfd, path_r, flags, mode);
}

int FK(__open_2)(const char *path, int flags)
{
	REDIR(path, -1);
	return REAL(__open_2)(path_r, flags);
}

int FK(__open64_2)(const char *path, int flags)
{
	REDIR(path, -1);
	return REAL(__open64_2)(path_r, flags);
}

int FK(__openat_2)(int dirfd, const char *path, int flags)
{
	REDIR(path, -1);
	return REAL(__openat_2)(dirfd, path_r, flags);
}

int FK(__openat64_2)(int dirfd, const char *path, int flags)
{
	REDIR(path, -1);
	return REAL(__openat64_2)(dirfd, path_r, flags);
}

int FK(creat)(const char *path, mode_t mode)
{
	REDIR(path, -1);
	return REAL(creat)(path_r, mode);
}

int FK(creat64)(const char *path, mode_t mode)
{
	REDIR(path, -1);
	return REAL(creat64)(path_r, mode);
}

FILE *FK(fopen)(const char *path, const char *mode)
{
	REDIR(path, NULL);
	return REAL(fopen)(path_r, mode);
}

FILE *FK(fopen64)(const char *path, const char *mode)
{
	REDIR(path, NULL);
	return REAL(fopen64)(path_r, mode);
}

FILE *FK(freopen)(const char *path, const char *mode, FILE *stream)
{
	REDIR(path, NULL);
	return REAL(freopen)(path_r, mode, stream);
}

FILE *FK(freopen64)(const char *path, const char *mode, FILE *stream)
{
	REDIR(path, NULL);
	return REAL(freopen64)(path_r, mode, stream);
}

int FK(stat)(const char *restrict path, struct stat *restrict buf)
{
	REDIR(path, -1);
	return REAL(stat)(path_r, buf);
}

int FK(stat64)(const char *restrict path, struct stat64 *restrict buf)
{
	REDIR(path, -1);
	return REAL(stat64)(path_r, buf);
}

int FK(lstat)(const char *restrict path, struct stat *restrict buf)
{
	REDIR(path, -1);
	return REAL(lstat)(path_r, buf);
}

int FK(lstat64)(const char *restrict path, struct stat64 *restrict buf)
{
	REDIR(path, -1);
	return REAL(lstat64)(path_r, buf);
}

int FK(fstatat)(int dirfd, const char *restrict path, struct stat *restrict buf, int flags)
{
	REDIR(path, -1);
	return REAL(fstatat)(dirfd, path_r, buf, flags);
}

int FK(fstatat64)(int dirfd, const char *restrict path, struct stat64 *restrict buf, int flags)
{
	REDIR(path, -1);
	return REAL(fstatat64)(dirfd, path_r, buf, flags);
}

int FK(statx)(int dirfd, const char *restrict path, int flags, unsigned int mask,
	  struct statx *restrict buf)
{
	REDIR(path, -1);
	return REAL(statx)(dirfd, path_r, flags, mask, buf);
}

int FK(__xstat)(int ver, const char *path, struct stat *buf)
{
	REDIR(path, -1);
	return REAL(__xstat)(ver, path_r, buf);
}

int FK(__xstat64)(int ver, const char *path, struct stat64 *buf)
{
	REDIR(path, -1);
	return REAL(__xstat64)(ver, path_r, buf);
}

int FK(__lxstat)(int ver, const char *path, struct stat *buf)
{
	REDIR(path, -1);
	return REAL(__lxstat)(ver, path_r, buf);
}

int FK(__lxstat64)(int ver, const char *path, struct stat64 *buf)
{
	REDIR(path, -1);
	return REAL(__lxstat64)(ver, path_r, buf);
}

int FK(__fxstatat)(int ver, int dirfd, const char *path, struct stat *buf, int flags)
{
	REDIR(path, -1);
	return REAL(__fxstatat)(ver, dirfd, path_r, buf, flags);
}

int FK(__fxstatat64)(int ver, int dirfd, const char *path, struct stat64 *buf, int flags)
{
	REDIR(path, -1);
	return REAL(__fxstatat64)(ver, dirfd, path_r, buf, flags);
}

int FK(access)(const char *path, int mode)
{
	REDIR(path, -1);
	return REAL(access)(path_r, mode);
}

int FK(faccessat)(int dirfd, const char *path, int mode, int flags)
{
	REDIR(path, -1);
	return REAL(faccessat)(dirfd, path_r, mode, flags);
}

int FK(euidaccess)(const char *path, int mode)
{
	REDIR(path, -1);
	return REAL(euidaccess)(path_r, mode);
}

int FK(eaccess)(const char *path, int mode)
{
	REDIR(path, -1);
	return REAL(eaccess)(path_r, mode);
}

DIR *FK(opendir)(const char *path)
{
	REDIR(path, NULL);
	return REAL(opendir)(path_r);
}

int FK(scandir)(const char *restrict path, struct dirent ***restrict list,
	    int (*filter)(const struct dirent *),
	    int (*compar)(const struct dirent **, const struct dirent **))
{
	REDIR(path, -1);
	return REAL(scandir)(path_r, list, filter, compar);
}

int FK(scandir64)(const char *restrict path, struct dirent64 ***restrict list,
	      int (*filter)(const struct dirent64 *),
	      int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	REDIR(path, -1);
	return REAL(scandir64)(path_r, list, filter, compar);
}

int FK(scandirat)(int dirfd, const char *restrict path, struct dirent ***restrict list,
	      int (*filter)(const struct dirent *),
	      int (*compar)(const struct dirent **, const struct dirent **))
{
	REDIR(path, -1);
	return REAL(scandirat)(dirfd, path_r, list, filter, compar);
}

int FK(scandirat64)(int dirfd, const char *restrict path, struct dirent64 ***restrict list,
		int (*filter)(const struct dirent64 *),
		int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	REDIR(path, -1);
	return REAL(scandirat64)(dirfd, path_r, list, filter, compar);
}

ssize_t FK(readlink)(const char *restrict path, char *restrict buf, size_t len)
{
	REDIR(path, -1);
	return REAL(readlink)(path_r, buf, len);
}

ssize_t FK(readlinkat)(int dirfd, const char *restrict path, char *restrict buf, size_t len)
{
	REDIR(path, -1);
	return REAL(readlinkat)(dirfd, path_r, buf, len);
}

ssize_t FK(__readlink_chk)(const char *path, char *buf, size_t len, size_t buflen)
{
	REDIR(path, -1);
	return REAL(__readlink_chk)(path_r, buf, len, buflen);
}

ssize_t FK(__readlinkat_chk)(int dirfd, const char *path, char *buf, size_t len, size_t buflen)
{
	REDIR(path, -1);
	return REAL(__readlinkat_chk)(dirfd, path_r, buf, len, buflen);
}

int FK(mkdir)(const char *path, mode_t mode)
{
	REDIR(path, -1);
	return REAL(mkdir)(path_r, mode);
}

int FK(mkdirat)(int dirfd, const char *path, mode_t mode)
{
	REDIR(path, -1);
	return REAL(mkdirat)(dirfd, path_r, mode);
}

int FK(rmdir)(const char *path)
{
	REDIR(path, -1);
	return REAL(rmdir)(path_r);
}

int FK(unlink)(const char *path)
{
	REDIR(path, -1);
	return REAL(unlink)(path_r);
}

int FK(unlinkat)(int dirfd, const char *path, int flags)
{
	REDIR(path, -1);
	return REAL(unlinkat)(dirfd, path_r, flags);
}

int FK(remove)(const char *path)
{
	REDIR(path, -1);
	return REAL(remove)(path_r);
}

/* A unix socket path (the syslog socket /dev/log) is redirected too. */
int FK(connect)(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (sa != NULL && sa->sa_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
		struct sockaddr_un r = { .sun_family = AF_UNIX };
		size_t n = len - offsetof(struct sockaddr_un, sun_path);
		char path[sizeof(un->sun_path) + 1];

		if (n > sizeof(un->sun_path))
			n = sizeof(un->sun_path);
		memcpy(path, un->sun_path, n);
		path[n] = '\0';
		REDIR(path, -1);
		if (strlen(path_r) >= sizeof(r.sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		strcpy(r.sun_path, path_r);
		return REAL(connect)(fd, (const struct sockaddr *)&r, sizeof(r));
	}
	return REAL(connect)(fd, sa, len);
}

int FK(rename)(const char *oldp, const char *newp)
{
	REDIR(oldp, -1);
	REDIR(newp, -1);
	return REAL(rename)(oldp_r, newp_r);
}

int FK(renameat)(int olddirfd, const char *oldp, int newdirfd, const char *newp)
{
	REDIR(oldp, -1);
	REDIR(newp, -1);
	return REAL(renameat)(olddirfd, oldp_r, newdirfd, newp_r);
}

int FK(renameat2)(int olddirfd, const char *oldp, int newdirfd, const char *newp,
	      unsigned int flags)
{
	REDIR(oldp, -1);
	REDIR(newp, -1);
	return REAL(renameat2)(olddirfd, oldp_r, newdirfd, newp_r, flags);
}

int FK(link)(const char *oldp, const char *newp)
{
	REDIR(oldp, -1);
	REDIR(newp, -1);
	return REAL(link)(oldp_r, newp_r);
}

int FK(linkat)(int olddirfd, const char *oldp, int newdirfd, const char *newp, int flags)
{
	REDIR(oldp, -1);
	REDIR(newp, -1);
	return REAL(linkat)(olddirfd, oldp_r, newdirfd, newp_r, flags);
}

/* The target of a symlink is stored verbatim; only where it is created moves. */
int FK(symlink)(const char *target, const char *linkp)
{
	REDIR(linkp, -1);
	return REAL(symlink)(target, linkp_r);
}

int FK(symlinkat)(const char *target, int dirfd, const char *linkp)
{
	REDIR(linkp, -1);
	return REAL(symlinkat)(target, dirfd, linkp_r);
}

int FK(truncate)(const char *path, off_t len)
{
	REDIR(path, -1);
	return REAL(truncate)(path_r, len);
}

int FK(truncate64)(const char *path, off64_t len)
{
	REDIR(path, -1);
	return REAL(truncate64)(path_r, len);
}

int FK(chmod)(const char *path, mode_t mode)
{
	REDIR(path, -1);
	return REAL(chmod)(path_r, mode);
}

int FK(fchmodat)(int dirfd, const char *path, mode_t mode, int flags)
{
	REDIR(path, -1);
	return REAL(fchmodat)(dirfd, path_r, mode, flags);
}

char *FK(realpath)(const char *restrict path, char *restrict resolved)
{
	REDIR(path, NULL);
	return fk_unredirect_result(REAL(realpath)(path_r, resolved));
}

char *FK(__realpath_chk)(const char *path, char *resolved, size_t resolvedlen)
{
	REDIR(path, NULL);
	return fk_unredirect_result(REAL(__realpath_chk)(path_r, resolved, resolvedlen));
}

char *FK(canonicalize_file_name)(const char *path)
{
	REDIR(path, NULL);
	return fk_unredirect_result(REAL(canonicalize_file_name)(path_r));
}

/* mkstemp() and friends fill in the template: run them on the redirected
 * copy and hand the generated suffix back to the caller's buffer. */
#define TEMPLATE_CALL(call, fail)                                            \
	do {                                                                 \
		if (tmpl_r == tmpl)                                          \
			return call;                                         \
		size_t tl_ = strlen(tmpl), rl_ = strlen(tmpl_r);             \
		__typeof__(call) res_ = call;                                \
		if (res_ != (fail))                                          \
			memcpy(tmpl, tmpl_r + (rl_ - tl_), tl_);             \
		return res_;                                                 \
	} while (0)

int FK(mkstemp)(char *tmpl)
{
	REDIR(tmpl, -1);
	char *t = tmpl_r == tmpl ? tmpl : tmpl_buf;
	TEMPLATE_CALL(REAL(mkstemp)(t), -1);
}

int FK(mkstemp64)(char *tmpl)
{
	REDIR(tmpl, -1);
	char *t = tmpl_r == tmpl ? tmpl : tmpl_buf;
	TEMPLATE_CALL(REAL(mkstemp64)(t), -1);
}

int FK(mkostemp)(char *tmpl, int flags)
{
	REDIR(tmpl, -1);
	char *t = tmpl_r == tmpl ? tmpl : tmpl_buf;
	TEMPLATE_CALL(REAL(mkostemp)(t, flags), -1);
}

int FK(mkostemp64)(char *tmpl, int flags)
{
	REDIR(tmpl, -1);
	char *t = tmpl_r == tmpl ? tmpl : tmpl_buf;
	TEMPLATE_CALL(REAL(mkostemp64)(t, flags), -1);
}

char *FK(mkdtemp)(char *tmpl)
{
	REDIR(tmpl, NULL);
	char *t = tmpl_r == tmpl ? tmpl : tmpl_buf;
	if (t == tmpl)
		return REAL(mkdtemp)(t);
	size_t tl = strlen(tmpl), rl = strlen(t);
	if (!REAL(mkdtemp)(t))
		return NULL;
	memcpy(tmpl, t + (rl - tl), tl);
	return tmpl;
}

/* ------------------------------------------------------------------------ */
/* uname                                                                    */

int FK(uname)(struct utsname *buf)
{
	int r = REAL(uname)(buf);
	const char *rel = fk_env("MODUTILS_FAKE_UNAME_R");

	if (r == 0 && rel && buf)
		snprintf(buf->release, sizeof buf->release, "%s", rel);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Fixture file helpers (all through the real functions)                    */

static int fk_read_fd(int fd, char **out, size_t *outlen)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return ENOMEM;
	for (;;) {
		ssize_t r;
		if (len == cap) {
			char *nb;
			if (cap >= FK_MAX_IMAGE) {
				free(buf);
				return EFBIG;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return ENOMEM;
			}
			buf = nb;
		}
		r = pread(fd, buf + len, cap - len, (off_t)len);
		if (r < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			free(buf);
			return e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static int fk_read_path(const char *path, char **out, size_t *outlen)
{
	int fd = REAL(open)(path, O_RDONLY | O_CLOEXEC);
	int e;

	if (fd < 0)
		return errno;
	e = fk_read_fd(fd, out, outlen);
	close(fd);
	return e;
}

static int fk_write_path(const char *path, const char *data)
{
	int fd = REAL(open)(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int e = 0;

	if (fd < 0)
		return errno;
	if (fk_write_all(fd, data, strlen(data)) < 0)
		e = errno;
	close(fd);
	return e;
}

static void fk_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof tmp)
		return;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		REAL(mkdir)(tmp, 0755);
		*p = '/';
	}
	REAL(mkdir)(tmp, 0755);
}

static void fk_rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (REAL(lstat)(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		REAL(unlink)(path);
		return;
	}
	d = REAL(opendir)(path);
	if (d) {
		while ((de = readdir(d))) {
			char sub[PATH_MAX];
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) >= sizeof sub)
				continue;
			fk_rm_rf(sub);
		}
		closedir(d);
	}
	REAL(rmdir)(path);
}

/* ------------------------------------------------------------------------ */
/* errno names                                                              */

static const struct {
	const char *name;
	int val;
} fk_errnos[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH },
	{ "EINTR", EINTR }, { "EIO", EIO }, { "ENXIO", ENXIO },
	{ "E2BIG", E2BIG }, { "ENOEXEC", ENOEXEC }, { "EBADF", EBADF },
	{ "EAGAIN", EAGAIN }, { "EWOULDBLOCK", EWOULDBLOCK },
	{ "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EFAULT", EFAULT },
	{ "EBUSY", EBUSY }, { "EEXIST", EEXIST }, { "EXDEV", EXDEV },
	{ "ENODEV", ENODEV }, { "ENOTDIR", ENOTDIR }, { "EISDIR", EISDIR },
	{ "EINVAL", EINVAL }, { "ENFILE", ENFILE }, { "EMFILE", EMFILE },
	{ "ETXTBSY", ETXTBSY }, { "EFBIG", EFBIG }, { "ENOSPC", ENOSPC },
	{ "EROFS", EROFS }, { "EDOM", EDOM }, { "ERANGE", ERANGE },
	{ "EDEADLK", EDEADLK }, { "ENAMETOOLONG", ENAMETOOLONG },
	{ "ENOSYS", ENOSYS }, { "ENODATA", ENODATA }, { "ETIME", ETIME },
	{ "EBADMSG", EBADMSG }, { "EOVERFLOW", EOVERFLOW },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "ENOTSUP", ENOTSUP },
	{ "ETIMEDOUT", ETIMEDOUT }, { "ECANCELED", ECANCELED },
	{ "ENOKEY", ENOKEY }, { "EKEYEXPIRED", EKEYEXPIRED },
	{ "EKEYREVOKED", EKEYREVOKED }, { "EKEYREJECTED", EKEYREJECTED },
	{ "EHWPOISON", EHWPOISON },
};

static void fk_errno_name(int e, char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof fk_errnos / sizeof fk_errnos[0]; i++) {
		if (fk_errnos[i].val == e) {
			snprintf(buf, n, "%s", fk_errnos[i].name);
			return;
		}
	}
	snprintf(buf, n, "E#%d", e);
}

static int fk_errno_parse(const char *s)
{
	char *end;
	long v;

	for (size_t i = 0; i < sizeof fk_errnos / sizeof fk_errnos[0]; i++)
		if (!strcmp(fk_errnos[i].name, s))
			return fk_errnos[i].val;
	v = strtol(s, &end, 10);
	if (*s && !*end && v > 0 && v < 4096)
		return (int)v;
	return EINVAL;
}

/* MODUTILS_FAKE_FAIL=name:call:ERRNO,...  call: finit|init|load|delete. */
static int fk_scripted(const char *name, const char *call)
{
	const char *spec = fk_env("MODUTILS_FAKE_FAIL");
	char *copy, *save = NULL, *tok;
	int result = 0;

	if (!spec || !name)
		return 0;
	copy = strdup(spec);
	if (!copy)
		return 0;
	for (tok = strtok_r(copy, ",", &save); tok && !result; tok = strtok_r(NULL, ",", &save)) {
		char *c1 = strchr(tok, ':'), *c2;
		if (!c1)
			continue;
		*c1++ = '\0';
		c2 = strchr(c1, ':');
		if (!c2)
			continue;
		*c2++ = '\0';
		while (*tok == ' ')
			tok++;
		if (strcmp(tok, "*") && !fk_name_eq(tok, name))
			continue;
		if (strcmp(c1, call) &&
		    !(!strcmp(c1, "load") && (!strcmp(call, "finit") || !strcmp(call, "init"))))
			continue;
		result = fk_errno_parse(c2);
	}
	free(copy);
	return result;
}

/* ------------------------------------------------------------------------ */
/* Logging                                                                  */

static void fk_quote(struct sbuf *b, const char *s)
{
	if (!s) {
		sb_add(b, "NULL");
		return;
	}
	sb_add(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[3] = { '\\', (char)c, 0 };
			sb_add(b, e);
		} else if (c == '\n') {
			sb_add(b, "\\n");
		} else if (c == '\t') {
			sb_add(b, "\\t");
		} else if (c < 0x20 || c >= 0x7f) {
			sb_addf(b, "\\x%02x", c);
		} else {
			sb_addn(b, (const char *)&c, 1);
		}
	}
	sb_add(b, "\"");
}

static void fk_flags(struct sbuf *b, unsigned long flags, const char *const *names,
		     const unsigned long *bits, size_t n)
{
	int first = 1;

	if (!flags) {
		sb_add(b, "0");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (flags & bits[i]) {
			sb_addf(b, "%s%s", first ? "" : "|", names[i]);
			flags &= ~bits[i];
			first = 0;
		}
	}
	if (flags)
		sb_addf(b, "%s0x%lx", first ? "" : "|", flags);
}

static void fk_log_result(struct sbuf *b, int err)
{
	if (err) {
		char en[32];
		fk_errno_name(err, en, sizeof en);
		sb_addf(b, ") = -1 %s\n", en);
	} else {
		sb_add(b, ") = 0\n");
	}
	{
		const char *lf = fk_env("MODUTILS_FAKE_LOG");
		if (lf && !b->oom)
			fk_append_to(lf, b->p, b->len);
	}
	free(b->p);
}

/* ------------------------------------------------------------------------ */
/* ELF / .modinfo                                                           */

struct fk_elf {
	const unsigned char *img;
	size_t len;
	int is64, be;
};

static uint64_t fk_rd(const struct fk_elf *e, size_t off, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++) {
		unsigned shift = e->be ? (width - 1 - i) * 8 : i * 8;
		v |= (uint64_t)e->img[off + i] << shift;
	}
	return v;
}

/* Finds .modinfo.  Returns 0 or ENOEXEC. */
static int fk_find_modinfo(const unsigned char *img, size_t len, const char **mi, size_t *milen)
{
	struct fk_elf e = { img, len, 0, 0 };
	uint64_t shoff, shentsize, shnum, shstrndx, str_off, str_size;
	size_t ehsize, shmin;

	*mi = NULL;
	*milen = 0;
	if (len < 52 || memcmp(img, "\x7f" "ELF", 4))
		return ENOEXEC;
	if (img[4] != 1 && img[4] != 2)
		return ENOEXEC;
	if (img[5] != 1 && img[5] != 2)
		return ENOEXEC;
	e.is64 = img[4] == 2;
	e.be = img[5] == 2;
	ehsize = e.is64 ? 64 : 52;
	shmin = e.is64 ? 64 : 40;
	if (len < ehsize)
		return ENOEXEC;
	if (fk_rd(&e, 16, 2) != 1 /* ET_REL */)
		return ENOEXEC;
	if (e.is64) {
		shoff = fk_rd(&e, 0x28, 8);
		shentsize = fk_rd(&e, 0x3a, 2);
		shnum = fk_rd(&e, 0x3c, 2);
		shstrndx = fk_rd(&e, 0x3e, 2);
	} else {
		shoff = fk_rd(&e, 0x20, 4);
		shentsize = fk_rd(&e, 0x2e, 2);
		shnum = fk_rd(&e, 0x30, 2);
		shstrndx = fk_rd(&e, 0x32, 2);
	}
	if (shoff == 0 || shentsize < shmin || shoff > len || len - shoff < shentsize)
		return ENOEXEC;
	/* extended numbering lives in section header 0 */
	if (shnum == 0)
		shnum = e.is64 ? fk_rd(&e, shoff + 0x20, 8) : fk_rd(&e, shoff + 0x14, 4);
	if (shstrndx == 0xffff)
		shstrndx = fk_rd(&e, shoff + (e.is64 ? 0x28 : 0x18), 4);
	if (shnum == 0 || shnum > (len - shoff) / shentsize || shstrndx >= shnum)
		return ENOEXEC;

#define SH(i) (shoff + (i) * shentsize)
#define SH_OFFSET(i) (e.is64 ? fk_rd(&e, SH(i) + 0x18, 8) : fk_rd(&e, SH(i) + 0x10, 4))
#define SH_SIZE(i) (e.is64 ? fk_rd(&e, SH(i) + 0x20, 8) : fk_rd(&e, SH(i) + 0x14, 4))
#define SH_TYPE(i) fk_rd(&e, SH(i) + 4, 4)
#define SH_NAME(i) fk_rd(&e, SH(i), 4)

	str_off = SH_OFFSET(shstrndx);
	str_size = SH_SIZE(shstrndx);
	if (str_off > len || str_size > len - str_off)
		return ENOEXEC;

	for (uint64_t i = 1; i < shnum; i++) {
		uint64_t nm = SH_NAME(i), off, size;
		const char *name;
		if (nm >= str_size)
			return ENOEXEC;
		name = (const char *)img + str_off + nm;
		if (!memchr(name, '\0', str_size - nm))
			return ENOEXEC;
		if (strcmp(name, ".modinfo"))
			continue;
		if (SH_TYPE(i) == 8 /* SHT_NOBITS */)
			return ENOEXEC;
		off = SH_OFFSET(i);
		size = SH_SIZE(i);
		if (off > len || size > len - off)
			return ENOEXEC;
		*mi = (const char *)img + off;
		*milen = size;
		return 0;
	}
#undef SH
#undef SH_OFFSET
#undef SH_SIZE
#undef SH_TYPE
#undef SH_NAME
	return ENOEXEC;
}

/* Iterates the key=value records of .modinfo.  *pos starts at 0. Returns
 * the next record's value for `key` (malloc'd) or NULL at the end. */
static char *fk_modinfo_next(const char *mi, size_t milen, const char *key, size_t *pos)
{
	size_t klen = strlen(key);

	while (*pos < milen) {
		const char *rec = mi + *pos;
		const char *nul = memchr(rec, '\0', milen - *pos);
		size_t rlen = nul ? (size_t)(nul - rec) : milen - *pos;
		*pos += rlen + 1;
		if (rlen > klen && !memcmp(rec, key, klen) && rec[klen] == '=')
			return strndup(rec + klen + 1, rlen - klen - 1);
	}
	return NULL;
}

static char *fk_modinfo_get(const char *mi, size_t milen, const char *key)
{
	size_t pos = 0;
	return fk_modinfo_next(mi, milen, key, &pos);
}

/* ------------------------------------------------------------------------ */
/* Parameters                                                               */

struct fk_param {
	char *name;
	char *val; /* NULL: no '=' given */
};

/* Splits a parameter string the way the kernel does: whitespace separates
 * parameters except inside double quotes; quotes around a whole parameter
 * or around a value are dropped.  Works in place on `args`. */
static size_t fk_split_params(char *args, struct fk_param *out, size_t max)
{
	size_t n = 0;
	char *p = args;

	while (*p && isspace((unsigned char)*p))
		p++;
	while (*p) {
		int inq = 0, quoted = 0;
		char *eq = NULL, *end, *next, *val = NULL;
		size_t i;

		if (*p == '"') {
			p++;
			inq = quoted = 1;
		}
		for (i = 0; p[i]; i++) {
			if (isspace((unsigned char)p[i]) && !inq)
				break;
			if (!eq && i > 0 && p[i] == '=')
				eq = p + i;
			if (p[i] == '"')
				inq = !inq;
		}
		end = p + i;
		next = *end ? end + 1 : end;
		*end = '\0';
		if (eq) {
			*eq = '\0';
			val = eq + 1;
			if (*val == '"') {
				val++;
				if (end > val && end[-1] == '"')
					end[-1] = '\0';
			}
		}
		if (quoted && end > p && end[-1] == '"')
			end[-1] = '\0';
		if (n < max) {
			out[n].name = p;
			out[n].val = val;
		}
		n++;
		p = next;
		while (*p && isspace((unsigned char)*p))
			p++;
	}
	return n;
}

static int fk_parse_bool(const char *v, int *res)
{
	if (!v) {
		*res = 1;
		return 0;
	}
	switch (v[0]) {
	case 'y': case 'Y': case '1': *res = 1; return 0;
	case 'n': case 'N': case '0': *res = 0; return 0;
	case 'o': case 'O':
		if (v[1] == 'n' || v[1] == 'N') { *res = 1; return 0; }
		if (v[1] == 'f' || v[1] == 'F') { *res = 0; return 0; }
		break;
	}
	return EINVAL;
}

/* Validates `val` against a parmtype and renders the sysfs file contents
 * into `out`.  Returns 0 or an errno. */
static int fk_param_value(const char *type, const char *val, struct sbuf *out)
{
	static const struct {
		const char *type;
		int is_signed;
		long long lo;
		unsigned long long hi;
	} ints[] = {
		{ "byte", 0, 0, 0xff }, { "short", 1, -32768, 32767 },
		{ "ushort", 0, 0, 0xffff }, { "int", 1, INT_MIN, INT_MAX },
		{ "uint", 0, 0, UINT_MAX }, { "hexint", 0, 0, UINT_MAX },
		{ "long", 1, LONG_MIN, LONG_MAX }, { "ulong", 0, 0, ULONG_MAX },
		{ "ullong", 0, 0, ULLONG_MAX },
	};

	if (type && (!strcmp(type, "bool") || !strcmp(type, "invbool"))) {
		int b;
		if (fk_parse_bool(val, &b))
			return EINVAL;
		sb_add(out, b ? "Y\n" : "N\n");
		return 0;
	}
	if (!type) {
		sb_addf(out, "%s\n", val ? val : "");
		return 0;
	}
	if (!val)
		return EINVAL;
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		char *end;
		if (strcmp(type, ints[i].type))
			continue;
		errno = 0;
		if (ints[i].is_signed) {
			long long v = strtoll(val, &end, 0);
			if (end == val || (*end && strcmp(end, "\n")))
				return EINVAL;
			if (errno == ERANGE || v < ints[i].lo || v > (long long)ints[i].hi)
				return ERANGE;
			sb_addf(out, "%lld\n", v);
		} else {
			unsigned long long v;
			if (val[0] == '-')
				return EINVAL;
			v = strtoull(val, &end, 0);
			if (end == val || (*end && strcmp(end, "\n")))
				return EINVAL;
			if (errno == ERANGE || v > ints[i].hi)
				return ERANGE;
			if (!strcmp(type, "hexint"))
				sb_addf(out, "%#08llx\n", v);
			else
				sb_addf(out, "%llu\n", v);
		}
		return 0;
	}
	sb_addf(out, "%s\n", val); /* charp, string, arrays, ... */
	return 0;
}

struct fk_decl {
	char *name;
	char *type; /* NULL if only parm= */
};

static void fk_decls_free(struct fk_decl *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].name);
		free(d[i].type);
	}
	free(d);
}

/* Collects the parameters declared in .modinfo (parm= and parmtype=). */
static struct fk_decl *fk_decls(const char *mi, size_t milen, size_t *np, int *any_type)
{
	static const char *const keys[] = { "parmtype", "parm" };
	struct fk_decl *d = NULL;
	size_t n = 0;

	*any_type = 0;
	for (int k = 0; k < 2; k++) {
		size_t pos = 0;
		char *v;
		while ((v = fk_modinfo_next(mi, milen, keys[k], &pos))) {
			char *colon = strchr(v, ':');
			size_t j;
			if (!colon) {
				free(v);
				continue;
			}
			*colon = '\0';
			for (j = 0; j < n; j++)
				if (fk_name_eq(d[j].name, v))
					break;
			if (j == n) {
				struct fk_decl *nd = realloc(d, (n + 1) * sizeof *d);
				if (!nd) {
					free(v);
					break;
				}
				d = nd;
				d[n].name = strdup(v);
				d[n].type = NULL;
				n++;
			}
			if (k == 0) {
				*any_type = 1;
				if (!d[j].type)
					d[j].type = strdup(colon + 1);
			}
			free(v);
		}
	}
	*np = n;
	return d;
}

/* ------------------------------------------------------------------------ */
/* The module list: $ROOT/proc/modules                                      */

struct fk_mod {
	char *line;   /* original text, written back unless dirty */
	int parsed, dirty, gone;
	char *name, *size, *users, *state, *tail;
	long refcnt;
};

struct fk_state {
	int fd;
	struct fk_mod *m;
	size_t n;
	const char *root;
};

static void fk_mod_free(struct fk_mod *m)
{
	free(m->line);
	free(m->name);
	free(m->size);
	free(m->users);
	free(m->state);
	free(m->tail);
}

static char *fk_tok(char **p)
{
	char *s = *p, *e;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	e = s;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	*p = e;
	return strndup(s, (size_t)(e - s));
}

static void fk_parse_line(struct fk_mod *m)
{
	char *p = m->line, *refcnt, *end;

	m->name = fk_tok(&p);
	m->size = fk_tok(&p);
	refcnt = fk_tok(&p);
	m->users = fk_tok(&p);
	m->state = fk_tok(&p);
	while (*p == ' ' || *p == '\t')
		p++;
	m->tail = strdup(p);
	if (m->name && m->size && refcnt && m->users && m->state && m->tail) {
		m->refcnt = strtol(refcnt, &end, 10);
		m->parsed = 1;
	}
	free(refcnt);
}

static int fk_state_open(struct fk_state *s, const char *root)
{
	char path[PATH_MAX], *data = NULL, *p;
	size_t len = 0;
	int e;

	memset(s, 0, sizeof *s);
	s->root = root;
	snprintf(path, sizeof path, "%s/proc", root);
	fk_mkdir_p(path);
	snprintf(path, sizeof path, "%s/proc/modules", root);
	s->fd = REAL(open)(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (s->fd < 0)
		return errno;
	while (flock(s->fd, LOCK_EX) < 0 && errno == EINTR)
		;
	e = fk_read_fd(s->fd, &data, &len);
	if (e) {
		close(s->fd);
		return e;
	}
	for (p = data; *p;) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		struct fk_mod *nm = realloc(s->m, (s->n + 1) * sizeof *s->m);
		if (!nm)
			break;
		s->m = nm;
		memset(&s->m[s->n], 0, sizeof s->m[s->n]);
		s->m[s->n].line = strndup(p, l);
		if (s->m[s->n].line)
			fk_parse_line(&s->m[s->n]);
		s->n++;
		p += l + (nl ? 1 : 0);
	}
	free(data);
	return 0;
}

static struct fk_mod *fk_state_find(struct fk_state *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->m[i].parsed && !s->m[i].gone && !strcmp(s->m[i].name, name))
			return &s->m[i];
	return NULL;
}

/* Writes the list back (if `write`), unlocks and frees. */
static void fk_state_close(struct fk_state *s, int write)
{
	if (write) {
		struct sbuf b = { 0 };
		for (size_t i = 0; i < s->n; i++) {
			struct fk_mod *m = &s->m[i];
			if (m->gone || !m->line)
				continue;
			if (m->dirty)
				sb_addf(&b, "%s %s %ld %s %s%s%s\n", m->name, m->size, m->refcnt,
					m->users, m->state, *m->tail ? " " : "", m->tail);
			else
				sb_addf(&b, "%s\n", m->line);
		}
		if (!b.oom && ftruncate(s->fd, 0) == 0) {
			size_t off = 0;
			while (off < b.len) {
				ssize_t w = pwrite(s->fd, b.p + off, b.len - off, (off_t)off);
				if (w <= 0 && errno != EINTR)
					break;
				if (w > 0)
					off += (size_t)w;
			}
		}
		free(b.p);
	}
	for (size_t i = 0; i < s->n; i++)
		fk_mod_free(&s->m[i]);
	free(s->m);
	close(s->fd);
}

/* users column helpers: "-" or "a,b," ("[permanent]," is not a module) */
static int fk_users_has(const char *users, const char *name)
{
	size_t n = strlen(name);
	const char *p = users;

	if (!strcmp(users, "-"))
		return 0;
	while (*p) {
		size_t l = strcspn(p, ",");
		if (l == n && !strncmp(p, name, n))
			return 1;
		p += l;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int fk_users_modules(const char *users)
{
	int count = 0;
	const char *p = users;

	if (!strcmp(users, "-"))
		return 0;
	while (*p) {
		size_t l = strcspn(p, ",");
		if (l && strncmp(p, "[permanent]", l))
			count++;
		p += l;
		if (*p == ',')
			p++;
	}
	return count;
}

static char *fk_users_add(const char *users, const char *name)
{
	struct sbuf b = { 0 };
	sb_addf(&b, "%s,%s", name, strcmp(users, "-") ? users : "");
	return b.p;
}

static char *fk_users_remove(const char *users, const char *name)
{
	struct sbuf b = { 0 };
	const char *p = users;
	size_t n = strlen(name);

	if (strcmp(users, "-")) {
		while (*p) {
			size_t l = strcspn(p, ",");
			if (l && !(l == n && !strncmp(p, name, n))) {
				sb_addn(&b, p, l);
				sb_add(&b, ",");
			}
			p += l;
			if (*p == ',')
				p++;
		}
	}
	if (!b.len)
		sb_add(&b, "-");
	return b.p;
}

/* sysfs helpers */
static void fk_sys_path(char *buf, size_t n, const char *root, const char *mod, const char *file)
{
	if (file)
		snprintf(buf, n, "%s/sys/module/%s/%s", root, mod, file);
	else
		snprintf(buf, n, "%s/sys/module/%s", root, mod);
}

static void fk_sys_write(const char *root, const char *mod, const char *file, const char *val)
{
	char path[PATH_MAX];
	fk_sys_path(path, sizeof path, root, mod, file);
	fk_write_path(path, val);
}

static int fk_sys_exists(const char *root, const char *mod)
{
	char path[PATH_MAX];
	struct stat st;
	fk_sys_path(path, sizeof path, root, mod, NULL);
	return REAL(stat)(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void fk_sys_refcnt(const char *root, struct fk_mod *m)
{
	char v[32];
	if (!fk_sys_exists(root, m->name))
		return;
	snprintf(v, sizeof v, "%ld\n", m->refcnt);
	fk_sys_write(root, m->name, "refcnt", v);
}

/* ------------------------------------------------------------------------ */
/* The common load path                                                     */

/* Returns 0 or an errno; *name receives the module name (malloc'd) if known. */
static int fk_load(const char *call, const unsigned char *img, size_t len,
		   const char *params, char **name_out)
{
	size_t rootlen = 0;
	const char *root = fk_root(&rootlen);
	const char *mi;
	size_t milen, ndecl = 0, nparams = 0;
	char *name = NULL, *deps = NULL, *pcopy = NULL;
	struct fk_decl *decl = NULL;
	struct fk_param *pv = NULL;
	struct sbuf *pvals = NULL;
	struct fk_state st;
	int any_type = 0, e, state_open = 0;

	*name_out = NULL;
	if (!params)
		return EFAULT;
	e = fk_find_modinfo(img, len, &mi, &milen);
	if (e)
		return e;
	name = fk_modinfo_get(mi, milen, "name");
	if (!name || !*name) {
		free(name);
		return ENOEXEC;
	}
	*name_out = name;
	e = fk_scripted(name, call);
	if (e)
		return e;

	e = fk_state_open(&st, root);
	if (e)
		return e;
	state_open = 1;
	if (fk_state_find(&st, name)) {
		e = EEXIST;
		goto out;
	}

	/* unresolved symbols: every depends= module must be loaded */
	deps = fk_modinfo_get(mi, milen, "depends");
	if (deps) {
		char *save = NULL;
		char *dcopy = strdup(deps);
		for (char *d = dcopy ? strtok_r(dcopy, ",", &save) : NULL; d;
		     d = strtok_r(NULL, ",", &save)) {
			char norm[256];
			size_t i;
			for (i = 0; d[i] && i < sizeof norm - 1; i++)
				norm[i] = d[i] == '-' ? '_' : d[i];
			norm[i] = '\0';
			if (!fk_state_find(&st, norm)) {
				e = ENOENT;
				break;
			}
		}
		free(dcopy);
		if (e)
			goto out;
	}

	/* parameters */
	decl = fk_decls(mi, milen, &ndecl, &any_type);
	pcopy = strdup(params);
	if (!pcopy) {
		e = ENOMEM;
		goto out;
	}
	nparams = fk_split_params(pcopy, NULL, 0);
	{
		char *again = strdup(params);
		pv = calloc(nparams ? nparams : 1, sizeof *pv);
		pvals = calloc(nparams ? nparams : 1, sizeof *pvals);
		if (!again || !pv || !pvals) {
			free(again);
			e = ENOMEM;
			goto out;
		}
		free(pcopy);
		pcopy = again;
		fk_split_params(pcopy, pv, nparams);
	}
	for (size_t i = 0; i < nparams; i++) {
		const char *type = NULL;
		size_t j;
		for (j = 0; j < ndecl; j++)
			if (fk_name_eq(decl[j].name, pv[i].name))
				break;
		if (j < ndecl) {
			type = decl[j].type;
			pv[i].name = decl[j].name; /* sysfs uses the declared spelling */
		} else if (any_type) {
			e = ENOENT; /* "Unknown parameter" */
			goto out;
		}
		e = fk_param_value(type, pv[i].val, &pvals[i]);
		if (e)
			goto out;
	}

	/* success: update the state */
	{
		struct fk_mod *nm = realloc(st.m, (st.n + 1) * sizeof *st.m);
		char size[32], dir[PATH_MAX], sub[PATH_MAX];
		unsigned long rounded = ((unsigned long)len + 4095UL) & ~4095UL;

		if (!nm) {
			e = ENOMEM;
			goto out;
		}
		st.m = nm;
		/* the kernel lists the newest module first */
		memmove(&st.m[1], &st.m[0], st.n * sizeof *st.m);
		st.n++;
		memset(&st.m[0], 0, sizeof st.m[0]);
		snprintf(size, sizeof size, "%lu", rounded);
		st.m[0].line = strdup("");
		st.m[0].name = strdup(name);
		st.m[0].size = strdup(size);
		st.m[0].users = strdup("-");
		st.m[0].state = strdup("Live");
		st.m[0].tail = strdup("0x0000000000000000");
		st.m[0].parsed = st.m[0].dirty = 1;

		fk_sys_path(dir, sizeof dir, root, name, NULL);
		fk_rm_rf(dir);
		fk_mkdir_p(dir);
		fk_sys_write(root, name, "initstate", "live\n");
		fk_sys_write(root, name, "refcnt", "0\n");
		snprintf(size, sizeof size, "%lu\n", rounded);
		fk_sys_write(root, name, "coresize", size);
		fk_sys_write(root, name, "initsize", "0\n");
		fk_sys_write(root, name, "taint", "\n");
		fk_sys_path(sub, sizeof sub, root, name, "holders");
		REAL(mkdir)(sub, 0755);
		if (ndecl || nparams) {
			fk_sys_path(sub, sizeof sub, root, name, "parameters");
			REAL(mkdir)(sub, 0755);
		}
		for (size_t i = 0; i < nparams; i++) {
			char file[PATH_MAX];
			if (!*pv[i].name || strchr(pv[i].name, '/') || pvals[i].oom)
				continue;
			snprintf(file, sizeof file, "parameters/%s", pv[i].name);
			fk_sys_write(root, name, file, pvals[i].p ? pvals[i].p : "");
		}

		if (deps) {
			char *save = NULL;
			for (char *d = strtok_r(deps, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
				struct fk_mod *dm;
				for (char *c = d; *c; c++)
					if (*c == '-')
						*c = '_';
				dm = fk_state_find(&st, d);
				if (!dm || dm == &st.m[0] || fk_users_has(dm->users, name))
					continue;
				{
					char *nu = fk_users_add(dm->users, name);
					if (nu) {
						free(dm->users);
						dm->users = nu;
					}
				}
				dm->refcnt++;
				dm->dirty = 1;
				if (fk_sys_exists(root, dm->name)) {
					char hold[PATH_MAX], target[PATH_MAX];
					fk_sys_refcnt(root, dm);
					fk_sys_path(hold, sizeof hold, root, dm->name, "holders");
					REAL(mkdir)(hold, 0755);
					snprintf(hold + strlen(hold), sizeof hold - strlen(hold), "/%s", name);
					snprintf(target, sizeof target, "../../%s", name);
					REAL(symlink)(target, hold);
				}
			}
		}
	}
	fk_state_close(&st, 1);
	state_open = 0;
	e = 0;
out:
	if (state_open)
		fk_state_close(&st, 0);
	if (pvals) {
		for (size_t i = 0; i < nparams; i++)
			free(pvals[i].p);
		free(pvals);
	}
	free(pv);
	free(pcopy);
	free(deps);
	fk_decls_free(decl, ndecl);
	return e;
}

/* ------------------------------------------------------------------------ */
/* Decompression                                                            */

static int fk_grow(unsigned char **buf, size_t *cap)
{
	unsigned char *nb;
	if (*cap >= FK_MAX_IMAGE)
		return ENOMEM;
	nb = realloc(*buf, *cap * 2);
	if (!nb)
		return ENOMEM;
	*buf = nb;
	*cap *= 2;
	return 0;
}

static int fk_gunzip(const unsigned char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	z_stream zs;
	size_t cap = inlen * 4 + 4096;
	unsigned char *buf;
	int r, e = 0;

	if (inlen > UINT_MAX)
		return EFBIG;
	buf = malloc(cap);
	if (!buf)
		return ENOMEM;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return ENOMEM;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)inlen;
	for (;;) {
		if (zs.total_out == cap && (e = fk_grow(&buf, &cap)))
			break;
		zs.next_out = buf + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		r = inflate(&zs, Z_NO_FLUSH);
		if (r == Z_STREAM_END)
			break;
		if (r == Z_OK || (r == Z_BUF_ERROR && zs.avail_out == 0))
			continue;
		e = EINVAL;
		break;
	}
	*outlen = zs.total_out;
	inflateEnd(&zs);
	if (e) {
		free(buf);
		return e;
	}
	*out = buf;
	return 0;
}

static int fk_unxz(const unsigned char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	lzma_stream ls = LZMA_STREAM_INIT;
	size_t cap = inlen * 4 + 4096;
	unsigned char *buf = malloc(cap);
	lzma_ret r;
	int e = 0;

	if (!buf)
		return ENOMEM;
	if (lzma_stream_decoder(&ls, UINT64_MAX, 0) != LZMA_OK) {
		free(buf);
		return ENOMEM;
	}
	ls.next_in = in;
	ls.avail_in = inlen;
	for (;;) {
		if (ls.total_out == cap && (e = fk_grow(&buf, &cap)))
			break;
		ls.next_out = buf + ls.total_out;
		ls.avail_out = cap - ls.total_out;
		r = lzma_code(&ls, LZMA_FINISH);
		if (r == LZMA_STREAM_END)
			break;
		if (r == LZMA_OK)
			continue;
		e = r == LZMA_MEM_ERROR ? ENOMEM : EINVAL;
		break;
	}
	*outlen = ls.total_out;
	lzma_end(&ls);
	if (e) {
		free(buf);
		return e;
	}
	*out = buf;
	return 0;
}

static int fk_unzstd(const unsigned char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	ZSTD_DStream *zd = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, inlen, 0 };
	ZSTD_outBuffer ob;
	size_t cap = inlen * 4 + 4096, r = 1;
	unsigned char *buf = malloc(cap);
	int e = 0;

	if (!zd || !buf) {
		ZSTD_freeDStream(zd);
		free(buf);
		return ENOMEM;
	}
	ZSTD_initDStream(zd);
	ob.dst = buf;
	ob.size = cap;
	ob.pos = 0;
	while (ib.pos < ib.size || ob.pos == ob.size) {
		if (ob.pos == ob.size) {
			if ((e = fk_grow(&buf, &cap)))
				break;
			ob.dst = buf;
			ob.size = cap;
		}
		r = ZSTD_decompressStream(zd, &ob, &ib);
		if (ZSTD_isError(r)) {
			e = EINVAL;
			break;
		}
		if (r == 0 && ib.pos == ib.size)
			break;
	}
	if (!e && r != 0)
		e = EINVAL; /* truncated frame */
	ZSTD_freeDStream(zd);
	if (e) {
		free(buf);
		return e;
	}
	*out = buf;
	*outlen = ob.pos;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The kernel calls                                                         */

static int fk_active(void)
{
	size_t n;
	return fk_root(&n) != NULL;
}

static long fk_ret(int err)
{
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static long fk_finit(int fd, const char *params, int flags)
{
	static const char *const fnames[] = {
		"MODULE_INIT_IGNORE_MODVERSIONS", "MODULE_INIT_IGNORE_VERMAGIC",
		"MODULE_INIT_COMPRESSED_FILE"
	};
	static const unsigned long fbits[] = { 1, 2, 4 };
	size_t rootlen = 0;
	const char *root = fk_root(&rootlen);
	struct sbuf log = { 0 };
	char link[64], target[PATH_MAX], *name = NULL, *data = NULL;
	unsigned char *plain = NULL;
	size_t len = 0;
	ssize_t tl;
	int e;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	tl = REAL(readlink)(link, target, sizeof target - 1);
	if (tl > 0) {
		const char *base;
		target[tl] = '\0';
		base = strrchr(target, '/');
		sb_addf(&log, "finit_module(%s, ", base ? base + 1 : target);
	} else {
		sb_addf(&log, "finit_module(fd%d, ", fd);
	}
	fk_quote(&log, params);
	sb_add(&log, ", ");
	fk_flags(&log, (unsigned)flags, fnames, fbits, 3);

	if (fk_env_on("MODUTILS_FAKE_FINIT_ENOSYS")) {
		e = ENOSYS;
		goto out;
	}
	if ((unsigned)flags & ~7U) {
		e = EINVAL;
		goto out;
	}
	e = fk_read_fd(fd, &data, &len);
	if (e)
		goto out;
	if (flags & MODULE_INIT_COMPRESSED_FILE) {
		static const struct {
			const char *algo;
			const char *magic;
			size_t n;
			int (*fn)(const unsigned char *, size_t, unsigned char **, size_t *);
		} fmts[] = {
			{ "gzip", "\x1f\x8b", 2, fk_gunzip },
			{ "xz", "\xfd" "7zXZ\0", 6, fk_unxz },
			{ "zstd", "\x28\xb5\x2f\xfd", 4, fk_unzstd },
		};
		char cpath[PATH_MAX], *sup = NULL, *save = NULL;
		size_t suplen = 0, i, plen = 0;
		int supported = 0, any = 0;

		snprintf(cpath, sizeof cpath, "%s/sys/module/compression", root);
		if (fk_read_path(cpath, &sup, &suplen) == 0) {
			for (char *t = strtok_r(sup, " \t\n,", &save); t; t = strtok_r(NULL, " \t\n,", &save)) {
				any = 1;
				for (i = 0; i < 3; i++)
					if (!strcmp(t, fmts[i].algo) && len >= fmts[i].n &&
					    !memcmp(data, fmts[i].magic, fmts[i].n))
						supported = (int)i + 1;
			}
			free(sup);
		}
		if (!any) {
			e = EOPNOTSUPP; /* kernel without CONFIG_MODULE_DECOMPRESS */
			goto out;
		}
		if (!supported || fk_env_on("MODUTILS_FAKE_DECOMPRESS_FAIL")) {
			e = EINVAL; /* wrong magic for the kernel's decompressor */
			goto out;
		}
		e = fmts[supported - 1].fn((const unsigned char *)data, len, &plain, &plen);
		if (e)
			goto out;
		free(data);
		data = NULL;
		e = fk_load("finit", plain, plen, params, &name);
	} else {
		e = fk_load("finit", (const unsigned char *)data, len, params, &name);
	}
out:
	fk_log_result(&log, e);
	free(name);
	free(data);
	free(plain);
	return fk_ret(e);
}

static long fk_init(const void *image, unsigned long len, const char *params)
{
	struct sbuf log = { 0 };
	char *name = NULL;
	int e;

	if (!image)
		e = EFAULT;
	else
		e = fk_load("init", image, len, params, &name);
	sb_addf(&log, "init_module(%s, %lu, ", name ? name : "?", len);
	fk_quote(&log, params);
	fk_log_result(&log, e);
	free(name);
	return fk_ret(e);
}

static int fk_delete_state(const char *name, unsigned int flags)
{
	size_t rootlen = 0;
	const char *root = fk_root(&rootlen);
	struct fk_state st;
	struct fk_mod *m;
	char dir[PATH_MAX];
	int e;

	e = fk_state_open(&st, root);
	if (e)
		return e;
	m = fk_state_find(&st, name);
	if (!m)
		e = ENOENT;
	else if (fk_users_modules(m->users))
		e = EWOULDBLOCK; /* other modules depend on it */
	else if (strcmp(m->state, "Live"))
		e = EBUSY;
	else if (fk_users_has(m->users, "[permanent]") && !(flags & O_TRUNC))
		e = EBUSY;
	else if (m->refcnt > 0 && !(flags & O_TRUNC))
		e = EWOULDBLOCK;
	if (e) {
		fk_state_close(&st, 0);
		return e;
	}
	m->gone = 1;
	for (size_t i = 0; i < st.n; i++) {
		struct fk_mod *o = &st.m[i];
		char *nu;
		if (!o->parsed || o->gone || !fk_users_has(o->users, name))
			continue;
		nu = fk_users_remove(o->users, name);
		if (nu) {
			free(o->users);
			o->users = nu;
		}
		if (o->refcnt > 0)
			o->refcnt--;
		o->dirty = 1;
		if (fk_sys_exists(root, o->name)) {
			char hold[PATH_MAX];
			fk_sys_refcnt(root, o);
			fk_sys_path(hold, sizeof hold, root, o->name, "holders");
			snprintf(hold + strlen(hold), sizeof hold - strlen(hold), "/%s", name);
			REAL(unlink)(hold);
		}
	}
	fk_sys_path(dir, sizeof dir, root, name, NULL);
	if (!strchr(name, '/') && strcmp(name, ".") && strcmp(name, ".."))
		fk_rm_rf(dir);
	fk_state_close(&st, 1);
	return 0;
}

static long fk_delete(const char *name, unsigned int flags)
{
	static const char *const dnames[] = { "O_NONBLOCK", "O_TRUNC" };
	static const unsigned long dbits[] = { O_NONBLOCK, O_TRUNC };
	struct sbuf log = { 0 };
	int e;

	sb_add(&log, "delete_module(");
	fk_quote(&log, name);
	sb_add(&log, ", ");
	fk_flags(&log, flags, dnames, dbits, 2);
	if (!name)
		e = EFAULT;
	else if ((e = fk_scripted(name, "delete")) == 0)
		e = fk_delete_state(name, flags);
	fk_log_result(&log, e);
	return fk_ret(e);
}

long FK(init_module)(void *image, unsigned long len, const char *params)
{
	if (!fk_active())
		return REAL(init_module)(image, len, params);
	return fk_init(image, len, params);
}

long FK(delete_module)(const char *name, unsigned int flags)
{
	if (!fk_active())
		return REAL(delete_module)(name, flags);
	return fk_delete(name, flags);
}

long FK(syscall)(long number, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (fk_active()) {
		/* never let a module call through to the real kernel */
		switch (number) {
#ifdef SYS_finit_module
		case SYS_finit_module:
			return fk_finit((int)a[0], (const char *)a[1], (int)a[2]);
#endif
		case SYS_init_module:
			return fk_init((const void *)a[0], (unsigned long)a[1], (const char *)a[2]);
		case SYS_delete_module:
			return fk_delete((const char *)a[0], (unsigned int)a[1]);
		}
	}
	return REAL(syscall)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
