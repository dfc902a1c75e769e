/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODELF_H
#define MODUTILS_MODELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A read-only view of a kernel module's ELF image: 32 or 64 bit, either byte
 * order, any machine, on any host. It never copies the image and checks
 * every offset and size against it: a malformed file gives -ENOEXEC with
 * modelf.why naming the cause, never a read outside the buffer.
 *
 * The image is either in memory (modelf_open) or read in parts on demand
 * (modelf_open_parts): the ELF header, the section headers, the section
 * name table and then only the sections asked for. depmod reads a plain
 * module that way, a small part of each file, instead of mapping it.
 */
/* Returns the address of the len bytes at offset off of the file (already
 * checked to lie inside it), valid for as long as the modelf is used, or
 * NULL with errno set when they cannot be read. Called once per use of a
 * section: it may keep what it has read and answer from that. */
typedef const void *modelf_fetch_fn(void *arg, uint64_t off, size_t len);

struct modelf {
	const unsigned char *data;  /* the image (modelf_open) */
	modelf_fetch_fn *fetch;     /* or its reader (modelf_open_parts) */
	void *fetch_arg;
	const unsigned char *sh;    /* the section headers */
	size_t size;
	bool is64;
	bool msb;             /* big-endian file */
	uint16_t machine;
	uint64_t shoff;
	uint32_t shnum;
	uint32_t shentsize;
	const char *shstr;    /* section names */
	size_t shstr_size;
	const char *why;      /* cause of the last -ENOEXEC */
};

struct modelf_section {
	const unsigned char *data;  /* NULL for SHT_NOBITS */
	size_t size;
	uint32_t type;
	uint32_t link;
	uint64_t entsize;
	uint64_t addr;
	uint32_t index;
};

int modelf_open(struct modelf *e, const void *data, size_t size);
/* Message for an error of the functions here: modelf.why or strerror. */
const char *modelf_strerror(const struct modelf *e, int err);
/* The same for a file of size bytes read through fetch: errors of fetch
 * come back as its -errno with why NULL. */
int modelf_open_parts(struct modelf *e, size_t size, modelf_fetch_fn *fetch, void *arg);
/* Section by name: 0, -ENOENT when absent, -ENOEXEC when malformed. */
int modelf_section(struct modelf *e, const char *name, struct modelf_section *s);
int modelf_section_at(struct modelf *e, uint32_t index, struct modelf_section *s);

/* Integers of the file's byte order. */
uint16_t modelf_u16(const struct modelf *e, const unsigned char *p);
uint32_t modelf_u32(const struct modelf *e, const unsigned char *p);
uint64_t modelf_u64(const struct modelf *e, const unsigned char *p);

/* FNV-1a: the hash of the string tables (symbol and module names). */
uint32_t modelf_name_hash(const char *s, size_t len);

/*
 * .modinfo records "key=value" in file order; empty strings (padding) are
 * skipped. Start with *pos = 0; returns 1 with rec and len set, 0 at the end,
 * -ENOEXEC when the last record is not NUL-terminated.
 */
int modelf_modinfo_next(struct modelf *e, const struct modelf_section *s, size_t *pos,
			const char **rec, size_t *len);

/* __versions entries: { unsigned long crc; char name[64 - sizeof(long)]; }
 * of the module's word size. cb returns non-zero to stop. */
int modelf_versions(struct modelf *e, int (*cb)(uint64_t crc, const char *name, void *arg), void *arg);

/*
 * Kernel symbols as kmod's depmod sees them (used to build modules.dep).
 * name is len bytes, NUL-terminated except possibly the last string of
 * __ksymtab_strings.
 */
struct modelf_ksym {
	const char *name;
	size_t len;
	uint64_t crc;
	bool weak;           /* imports only: STB_WEAK */
};
typedef int modelf_ksym_fn(const struct modelf_ksym *sym, void *arg);

/* Exported symbols: the __crc_NAME symbols of .symtab in table order, with
 * the CRC each points to ((uint64_t)-1 when it points outside its section);
 * when there are none (no MODVERSIONS), the strings of __ksymtab_strings
 * with CRC 0. cb returns non-zero to stop (that value is returned).
 * -ENOENT: no exports section at all. */
int modelf_exports(struct modelf *e, modelf_ksym_fn *cb, void *arg);

/* Imported symbols: the undefined symbols of .symtab in table order (CRC
 * from __versions, 0 when not listed), then the __versions entries no
 * undefined symbol named (module_layout...). -ENOEXEC when .symtab or
 * .strtab is missing or malformed: the caller drops what it was given. */
int modelf_imports(struct modelf *e, modelf_ksym_fn *cb, void *arg);

#endif
