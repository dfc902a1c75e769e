/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODLOAD_H
#define MODUTILS_MODLOAD_H

#include <stdbool.h>

#include "modfile.h"

/*
 * The one module loader insmod and modprobe call: finit_module on the file
 * (with MODULE_INIT_COMPRESSED_FILE when the kernel decompresses its format
 * itself), else init_module on the image made in user space.
 *
 * One retry rule: once in user space (init_module) when finit_module is
 * missing (ENOSYS), or when the kernel's own decompression of a compressed
 * file fails with EINVAL, ENOMEM, EOPNOTSUPP or EFBIG (a decompressor that
 * refuses the data, runs out of memory, is not built in, or meets a size
 * limit; user space may still manage). kmod 34.2 retries on ENOSYS only.
 */

/* What the loader is about to do, for an applet's -v (it prints nothing). */
enum modload_step {
	MODLOAD_FINIT,   /* finit_module(fd, flags): arg is the flags */
	MODLOAD_RETRY,   /* finit_module failed: arg is its -errno */
	MODLOAD_INIT,    /* init_module(image): mf->size and mf->comp are set */
};
typedef void modload_trace_fn(const struct modfile *mf, enum modload_step step, int arg);

/* Whether a failed finit_module is retried with init_module (flags: those
 * finit_module was given). */
bool modload_retry(int err, unsigned flags);

/*
 * Load an opened module file (modfile_open) with params and finit_module
 * flags (KERNEL_LOAD_*; init_module takes none). trace may be NULL.
 * Returns 0 or -errno. On failure *file_err (may be NULL) tells whose the
 * reason is: true when the module file could not be read or decompressed
 * (modfile_strerror(mf, err) says why), false when the kernel refused it.
 */
int modload_insert(struct modfile *mf, const char *params, unsigned flags, modload_trace_fn *trace,
		   bool *file_err);

#endif
