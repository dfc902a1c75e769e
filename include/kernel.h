/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_KERNEL_H
#define MODUTILS_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "modname.h"

/*
 * The kernel boundary: the only place that loads or unloads modules or
 * reads /proc/modules, /sys/module, /proc/cmdline or uname. All functions
 * return 0 (or a count) on success and -errno on failure.
 */

/* finit_module() flags, from <uapi/linux/module.h>. */
#define KERNEL_LOAD_IGNORE_MODVERSIONS 1u
#define KERNEL_LOAD_IGNORE_VERMAGIC    2u
#define KERNEL_LOAD_COMPRESSED_FILE    4u   /* Linux >= 6.0 */

int kernel_load_fd(int fd, const char *params, unsigned flags);
int kernel_load_image(const void *image, size_t len, const char *params);
/* Always non-blocking; force maps to O_TRUNC (CONFIG_MODULE_FORCE_UNLOAD). */
int kernel_unload(const char *name, bool force);

/* Running kernel's release (uname -r) into buf. */
int kernel_release(char *buf, size_t size);

/* True when /sys/module/compression names the algorithm (a format's name
 * in include/modfile.h's table: "gzip", "xz", "zstd"): the kernel then
 * decompresses that format itself (CONFIG_MODULE_DECOMPRESS). */
bool kernel_decompresses(const char *algorithm);

enum kernel_modstate {
	KMOD_STATE_LIVE = 1,
	KMOD_STATE_COMING,
	KMOD_STATE_GOING,
	KMOD_STATE_BUILTIN,  /* /sys/module/NAME exists without initstate */
};
/* State from /sys/module/NAME/initstate, or -ENOENT when not loaded. */
int kernel_module_state(const char *name);
/* /sys/module/NAME/refcnt; -ENOENT when the file is missing. */
int kernel_module_refcnt(const char *name);
/* /sys/module/NAME/coresize; -errno when missing. */
long kernel_module_coresize(const char *name);

/* Holders from /sys/module/NAME/holders: names written into one buffer,
 * each NUL-terminated; *count set. Returns 0 or -errno. */
struct name_list {
	char *buf;
	size_t len;
	size_t count;
};
int kernel_module_holders(const char *name, struct name_list *out);
void name_list_free(struct name_list *list);
int name_list_add(struct name_list *list, const char *name);
/* Iterate: for (const char *n = NULL; (n = name_list_next(l, n));) */
const char *name_list_next(const struct name_list *list, const char *prev);

/* One line of /proc/modules. Strings point into a buffer that is valid only
 * during the callback. */
struct proc_module {
	const char *name;
	unsigned long size;
	long refcnt;        /* -1 when the kernel shows '-' */
	const char *users;  /* "-" or "a,b," */
	const char *state;  /* Live, Loading, Unloading */
};
/* Calls cb for each line in file order; stops early when cb returns
 * non-zero and returns that value. -errno when /proc/modules is
 * unreadable, -EBADMSG for a malformed line. */
int kernel_foreach_module(int (*cb)(const struct proc_module *m, void *arg), void *arg);

/* Each symbol name of /proc/kallsyms (built-in and loaded modules'),
 * without the "[module]" tag; cb returns non-zero to stop. */
int kernel_symbol_names(int (*cb)(const char *name, void *arg), void *arg);

/* uname(2) */
struct utsname;
int kernel_uname(struct utsname *u);

/* The kernel command line (/proc/cmdline), malloc'd into *out. */
int kernel_cmdline_read(char **out);

/* /proc/sys/kernel/modules_disabled: 1 when the kernel loads no more
 * modules (until reboot), 0 when it does, -errno when unreadable. */
int kernel_modules_disabled(void);

/* Path of the running binary (/proc/self/exe). */
int kernel_self_exe(char *buf, size_t size);

/* Swap two names in one step (renameat2 RENAME_EXCHANGE): 0 or -errno
 * (-EINVAL or -ENOSYS where the filesystem or kernel cannot). */
int kernel_rename_exchange(int olddirfd, const char *oldname, int newdirfd, const char *newname);

/* A process-private futex: sleep while *addr == val (any wakeup may be
 * spurious; the caller checks its condition again), and wake every thread
 * sleeping on addr. The smallest condition variable there is: glibc's
 * pthread_cond_* take about 7 KiB of a static binary. */
void kernel_futex_wait(unsigned int *addr, unsigned int val);
void kernel_futex_wake_all(unsigned int *addr);
/* The CPUs this process may run on (its affinity mask, as taskset sets
 * it; the online CPUs when that cannot be read), at least 1. */
int kernel_cpus(void);

/* Path of /proc/modules, for messages. */
extern const char kernel_proc_modules[];

#endif
