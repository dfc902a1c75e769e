/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODFILE_H
#define MODUTILS_MODFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <stdint.h>

#include "autoconf.h"
#include "kconfig.h"

/*
 * The compression formats, a row each: the only list of them in C (the
 * build's is scripts/compression.list, one line per format in the same
 * order; tests/extension.sh checks that they agree).
 *
 *   X(SYM, name, suffix, magic)
 *
 * SYM: the format is built in when CONFIG_FEATURE_<SYM> is set (Config.in),
 *      and --version shows it as +SYM or -SYM;
 * name: the kernel's name in /sys/module/compression, the one in messages,
 *      and that of its decompressor, decompress_<name>() in
 *      libbb/modfile/decompress_<name>.c;
 * suffix: the file name suffix of a module so compressed;
 * magic: the bytes such a file starts with (a string literal: its length is
 *      its size less the terminating NUL).
 */
#define MODCOMP_FORMATS(X)                                 \
	X(GZIP, gzip, ".ko.gz", "\x1f\x8b")                 \
	X(XZ, xz, ".ko.xz", "\xfd" "7zXZ\0")                 \
	X(ZSTD, zstd, ".ko.zst", "\x28\xb5\x2f\xfd")

/* Compression of a module file, detected by magic bytes (not the suffix):
 * MODCOMP_NONE, then MODCOMP_<SYM> in the table's order. */
enum modcomp {
	MODCOMP_NONE = 0,
#define MODCOMP_ENUM_(sym, name, suffix, magic) MODCOMP_##sym,
	MODCOMP_FORMATS(MODCOMP_ENUM_)
#undef MODCOMP_ENUM_
	MODCOMP_END   /* one past the last format */
};

/* Whether the build has the decompressor of format SYM: 1 or 0. */
#define MODCOMP_ENABLED(sym) IS_ENABLED(CONFIG_FEATURE_##sym)
#define MODCOMP_ANY_(sym, name, suffix, magic) || MODCOMP_ENABLED(sym)
/* Whether it has any decompressor (a constant expression). */
#define MODCOMP_ANY_ENABLED (0 MODCOMP_FORMATS(MODCOMP_ANY_))

/* String literals built from the table at compile time:
 * MODCOMP_VERSION_FLAGS is "+GZIP +XZ +ZSTD " (- for a format left out),
 * as --version lists them; MODCOMP_BUILD_KEY is " gzip 1 xz 1 zstd 1"
 * (0 for a format left out), for keys of what a build reads. */
#define MODCOMP_SIGN_0 "-"
#define MODCOMP_SIGN_1 "+"
#define MODCOMP_SIGN2_(v) MODCOMP_SIGN_##v
#define MODCOMP_SIGN_(v) MODCOMP_SIGN2_(v)
#define MODCOMP_STR2_(v) #v
#define MODCOMP_STR_(v) MODCOMP_STR2_(v)
#define MODCOMP_FLAG_(sym, name, suffix, magic) MODCOMP_SIGN_(MODCOMP_ENABLED(sym)) #sym " "
#define MODCOMP_KEY_(sym, name, suffix, magic) " " #name " " MODCOMP_STR_(MODCOMP_ENABLED(sym))
#define MODCOMP_VERSION_FLAGS MODCOMP_FORMATS(MODCOMP_FLAG_)
#define MODCOMP_BUILD_KEY MODCOMP_FORMATS(MODCOMP_KEY_)

struct outbuf;
/* A streaming decompressor (include/decompress.h). */
typedef int modcomp_decompress_fn(int fd, const unsigned char *head, size_t headlen,
				  struct outbuf *out, const char **why);

struct modcomp_format {
	const char *name;        /* "gzip"; "none" for MODCOMP_NONE */
	const char *magic;       /* "" for MODCOMP_NONE */
	size_t magiclen;
	bool enabled;            /* built in (MODCOMP_NONE: always) */
	modcomp_decompress_fn *decompress;   /* NULL when not built in, and for MODCOMP_NONE */
};
/* Indexed by enum modcomp: [MODCOMP_NONE] is the plain .ko. (The suffixes
 * are modname.c's: modname_suffix.) */
extern const struct modcomp_format modcomp_formats[MODCOMP_END];

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
