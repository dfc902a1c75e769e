// SPDX-License-Identifier: GPL-2.0-or-later
/* The one module loader: finit_module, or init_module on an image made in
 * user space, with one retry rule (see modload.h). */
#include <errno.h>
#include <stddef.h>

#include "kernel.h"
#include "modload.h"

bool modload_retry(int err, unsigned flags)
{
	if (err == -ENOSYS)
		return true;
	/* Errors of the kernel's own decompression (or of a kernel without it). */
	return (flags & KERNEL_LOAD_COMPRESSED_FILE) &&
	       (err == -EINVAL || err == -ENOMEM || err == -EOPNOTSUPP || err == -EFBIG);
}

static int load_image(struct modfile *mf, const char *params, modload_trace_fn *trace, bool *file_err)
{
	int err = modfile_image(mf);

	if (err < 0) {
		*file_err = true;
		return err;
	}
	if (trace != NULL)
		trace(mf, MODLOAD_INIT, 0);
	/* init_module has no flags: forcing means nothing here. */
	return kernel_load_image(mf->image, mf->size, params);
}

int modload_insert(struct modfile *mf, const char *params, unsigned flags, modload_trace_fn *trace,
		   bool *file_err)
{
	bool ignored;
	int err;

	if (file_err == NULL)
		file_err = &ignored;
	*file_err = false;
	/* finit_module needs a regular file; a pipe goes through memory. */
	if (!mf->is_regular)
		return load_image(mf, params, trace, file_err);
	if (mf->comp != MODCOMP_NONE) {
		if (!kernel_decompresses(modcomp_name(mf->comp)))
			return load_image(mf, params, trace, file_err);
		flags |= KERNEL_LOAD_COMPRESSED_FILE;
	}
	if (trace != NULL)
		trace(mf, MODLOAD_FINIT, (int)flags);
	err = kernel_load_fd(mf->fd, params, flags);
	if (err < 0 && modload_retry(err, flags)) {
		if (trace != NULL)
			trace(mf, MODLOAD_RETRY, err);
		return load_image(mf, params, trace, file_err);
	}
	return err;
}
