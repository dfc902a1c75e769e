// SPDX-License-Identifier: GPL-2.0-or-later
/* Module files: open, detect compression by magic, produce the ELF image. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoconf.h"
#include "kconfig.h"
#include "decompress.h"
#include "fileopen.h"
#include "modfile.h"
#include "xzparts.h"

#ifndef CONFIG_MODULE_MAX_MB
#define CONFIG_MODULE_MAX_MB 256   /* a .config from before the option */
#endif
const size_t modfile_max_size = (size_t)CONFIG_MODULE_MAX_MB << 20;

#define MODCOMP_ROW_(sym, name, suffix, magic)                                     \
	[MODCOMP_##sym] = { #name, magic, sizeof(magic) - 1, MODCOMP_ENABLED(sym),        \
			    MODCOMP_ENABLED(sym) ? decompress_##name : NULL },
const struct modcomp_format modcomp_formats[MODCOMP_END] = {
	[MODCOMP_NONE] = { "none", "", 0, true, NULL },
	MODCOMP_FORMATS(MODCOMP_ROW_)
};
#undef MODCOMP_ROW_

/* The longest magic: the bytes read to detect a format. */
#define MODCOMP_MAGIC_(sym, name, suffix, magic) char sym[sizeof(magic) - 1];
#define MAGIC_MAX sizeof(union { MODCOMP_FORMATS(MODCOMP_MAGIC_) })

/* Images in mappings of their own: a tree's worth of decompressed modules
 * through malloc left some 14 MB of freed images in its heaps (depmod,
 * Debian 13's .ko.xz tree). Under AddressSanitizer malloc'd, so that
 * reads past an image are caught. */
#if defined(__SANITIZE_ADDRESS__)
static const bool image_pages = false;
#else
static const bool image_pages = true;
#endif

const char *modcomp_name(enum modcomp comp)
{
	return (unsigned)comp < MODCOMP_END ? modcomp_formats[comp].name : "none";
}

enum modcomp modcomp_detect(const unsigned char *head, size_t len)
{
	for (int i = MODCOMP_NONE + 1; i < MODCOMP_END; i++)
		if (len >= modcomp_formats[i].magiclen &&
		    memcmp(head, modcomp_formats[i].magic, modcomp_formats[i].magiclen) == 0)
			return (enum modcomp)i;
	return MODCOMP_NONE;
}

bool modcomp_supported(enum modcomp comp)
{
	return (unsigned)comp < MODCOMP_END && modcomp_formats[comp].enabled;
}

int modfile_open(struct modfile *mf, const char *path)
{
	struct stat st = { 0 };

	memset(mf, 0, sizeof(*mf));
	mf->path = path;
	/* A module named by path is a regular file, opened without blocking:
	 * a device or a FIFO could block or feed us without end. Standard
	 * input may be a pipe. */
	if (strcmp(path, "-") == 0) {
		mf->fd = dup(STDIN_FILENO);
		if (mf->fd < 0)
			return -errno;
	} else {
		mf->fd = open_regular(AT_FDCWD, path);
		if (mf->fd < 0)
			return mf->fd;
	}
	if (fstat(mf->fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		int err = S_ISDIR(st.st_mode) ? -EISDIR : -errno;

		close(mf->fd);
		mf->fd = -1;
		return err;
	}
	mf->st = st;
	mf->is_regular = S_ISREG(st.st_mode);
	if (mf->is_regular) {
		unsigned char head[MAGIC_MAX];
		ssize_t n = read_min(mf->fd, head, sizeof(head), sizeof(head), 0);

		if (n < 0) {
			int err = (int)n;

			close(mf->fd);
			mf->fd = -1;
			return err;
		}
		mf->comp = modcomp_detect(head, (size_t)n);
		mf->size = (size_t)st.st_size;
	}
	/* For pipes compression is found in modfile_image(), after reading. */
	return 0;
}

static int decompress_fd(struct modfile *mf, const unsigned char *head, size_t headlen,
			 struct outbuf *out, const char **why)
{
	if (mf->comp == MODCOMP_NONE)
		return read_fd_all(mf->fd, out, why);
	if ((unsigned)mf->comp < MODCOMP_END && modcomp_formats[mf->comp].decompress != NULL)
		return modcomp_formats[mf->comp].decompress(mf->fd, head, headlen, out, why);
	*why = NULL;
	return -EPROTONOSUPPORT;
}

int modfile_image(struct modfile *mf)
{
	struct outbuf out = { .limit = mf->limit ? mf->limit : modfile_max_size, .pages = image_pages,
			      .admit = mf->admit, .admit_arg = mf->admit_arg,
			      .keep = mf->keep };
	unsigned char head[MAGIC_MAX];
	size_t headlen = 0;
	const char *why = NULL;
	int err;

	mf->why[0] = '\0';
	if (mf->image != NULL || mf->parts != NULL)
		return 0;
	if (IS_ENABLED(CONFIG_FEATURE_XZ) && mf->parts_min > 0 && mf->is_regular && mf->comp == MODCOMP_XZ) {
		size_t size;

		err = xzparts_open(mf->fd, mf->parts_min, out.limit, &mf->parts, &size);
		if (err < 0)
			return err;
		if (mf->parts != NULL) {
			mf->size = size;
			return 0;
		}
	}
	if (mf->is_regular && mf->comp == MODCOMP_NONE) {
		void *p;

		if (mf->size > out.limit) {
			strcpy(mf->why, "file too large");
			return -EFBIG;
		}
		if (mf->size == 0) {
			mf->image = "";
			return 0;
		}
		p = mmap(NULL, mf->size, PROT_READ, MAP_PRIVATE, mf->fd, 0);
		if (p == MAP_FAILED)
			return -errno;
		mf->image = p;
		mf->mapped = true;
		return 0;
	}
	if (!mf->is_regular) {
		/* from a pipe, these bytes are consumed: fed to the decoder first */
		ssize_t n = read_min(mf->fd, head, sizeof(head), sizeof(head), -1);

		if (n < 0)
			return (int)n;
		headlen = (size_t)n;
		mf->comp = modcomp_detect(head, headlen);
		if (mf->comp == MODCOMP_NONE) {
			err = outbuf_reserve(&out, headlen);
			if (err < 0)
				return err;
			memcpy(out.data, head, headlen);
			out.len = headlen;
			headlen = 0;
		}
	}
	if (!modcomp_supported(mf->comp)) {
		snprintf(mf->why, sizeof(mf->why), "%s compression not supported by this build",
			 modcomp_name(mf->comp));
		outbuf_free(&out);
		return -EPROTONOSUPPORT;
	}
	err = decompress_fd(mf, head, headlen, &out, &why);
	if (err < 0) {
		if (why != NULL)
			snprintf(mf->why, sizeof(mf->why), "%s", why);
		outbuf_free(&out);
		return err;
	}
	mf->owned = out.data;
	mf->owned_cap = out.cap;
	mf->owned_pages = out.pages;
	mf->image = out.data ? (const void *)out.data : "";
	mf->size = out.len;
	return 0;
}

const char *modfile_strerror(const struct modfile *mf, int err)
{
	if (mf->why[0] != '\0')
		return mf->why;
	return file_strerror(err);
}

const void *modfile_parts_fetch(void *arg, uint64_t off, size_t len)
{
	if (IS_ENABLED(CONFIG_FEATURE_XZ))
		return xzparts_fetch(arg, off, len);
	errno = EINVAL;
	return NULL;
}

size_t modfile_parts_min(void)
{
	const char *env = getenv("MODUTILS_TEST_PARTS_MIN");
	char *end;
	unsigned long long n;

	if (env == NULL || *env == '\0')
		return MODFILE_PARTS_MIN;
	errno = 0;
	n = strtoull(env, &end, 10);
	return errno == 0 && *end == '\0' && n > 0 && n <= SIZE_MAX ? (size_t)n : MODFILE_PARTS_MIN;
}

void modfile_close(struct modfile *mf)
{
	if (IS_ENABLED(CONFIG_FEATURE_XZ) && mf->parts != NULL)
		xzparts_free(mf->parts);
	if (mf->mapped)
		munmap((void *)mf->image, mf->size);
	outbuf_release(mf->owned, mf->owned_cap, mf->owned_pages, mf->keep);
	if (mf->fd >= 0)
		close(mf->fd);
	memset(mf, 0, sizeof(*mf));
	mf->fd = -1;
}
