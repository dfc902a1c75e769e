/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODFILE_H
#define MODUTILS_MODFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <stdint.h>

/* Compression of a module file, detected by magic bytes (not the suffix). */
enum modcomp {
	MODCOMP_NONE = 0,
	MODCOMP_GZIP,
	MODCOMP_XZ,
	MODCOMP_ZSTD,
};

/* "gzip", "xz", "zstd" as the kernel names them in /sys/module/compression,
 * "none" for MODCOMP_NONE. */
const char *modcomp_name(enum modcomp comp);
enum modcomp modcomp_detect(const unsigned char *head, size_t len);
/* Whether this build can decompress the format in user space. */
bool modcomp_supported(enum modcomp comp);

/*
 * The largest uncompressed module accepted (CONFIG_MODULE_MAX_MB): guards
 * memory on a device against a decompression bomb.
 */
extern const size_t modfile_max_size;

struct modfile {
	const char *path;     /* as given; "-" is standard input */
	int fd;
	enum modcomp comp;
	bool is_regular;      /* finit_module needs a regular file */
	struct stat st;       /* fstat of the file as opened, before any byte of it was read */
	const void *image;    /* uncompressed ELF after modfile_image() */
	size_t size;
	bool mapped;          /* image is an mmap of the file */
	void *owned;          /* decompressed image, freed by modfile_close */
	size_t owned_cap;
	bool owned_pages;
	size_t limit;         /* largest image accepted; 0 = modfile_max_size */
	/* Optional, set after modfile_open: asked before the decompressed
	 * image's buffer grows (struct outbuf's admit). */
	int (*admit)(void *arg, size_t old_cap, size_t new_cap);
	void *admit_arg;
	/* Optional, set after modfile_open: mappings kept from the caller's
	 * last module, reused for this one's image and decoder, and given the
	 * image back by modfile_close (struct outbuf_keep). */
	struct outbuf_keep *keep;
	/* Optional, set after modfile_open: an .xz image of at least this
	 * many bytes, in blocks (libbb/xzparts.c), is read in parts instead
	 * of whole: modfile_image leaves image NULL, sets size and parts,
	 * and the bytes come from modfile_parts_fetch. 0 = always whole. */
	size_t parts_min;
	struct xzparts *parts;
	char why[96];         /* cause of the last failure, for messages */
};

/* Open path ("-" = stdin) and detect its compression. 0 or -errno; a path
 * that is not a regular file (device, FIFO) is refused with -EMEDIUMTYPE
 * (open_regular), without blocking or reading it. */
int modfile_open(struct modfile *mf, const char *path);
/* Make mf->image/size the uncompressed module: mmap for a plain regular
 * file, read for a pipe, decompressed in user space otherwise. 0 or -errno;
 * on corrupt or oversized data -EBADMSG / -EFBIG with mf->why filled. */
int modfile_image(struct modfile *mf);
/* modelf_fetch_fn for modelf_open_parts on a module read in parts: arg is
 * mf->parts. */
const void *modfile_parts_fetch(void *arg, uint64_t off, size_t len);
/* The parts_min depmod sets: MODFILE_PARTS_MIN, or for the tests the
 * number of bytes in the environment's MODUTILS_TEST_PARTS_MIN (not
 * documented for users). */
#define MODFILE_PARTS_MIN ((size_t)8 << 20)
size_t modfile_parts_min(void);
/* Message for an error of modfile_open/modfile_image: mf->why or strerror. */
const char *modfile_strerror(const struct modfile *mf, int err);
void modfile_close(struct modfile *mf);

#endif
