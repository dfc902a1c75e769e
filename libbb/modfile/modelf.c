// SPDX-License-Identifier: GPL-2.0-or-later
/* Bounds-checked reading of kernel module ELF images, any class and byte order. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "modelf.h"
#include "msg.h"

uint16_t modelf_u16(const struct modelf *e, const unsigned char *p)
{
	return e->msb ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

uint32_t modelf_u32(const struct modelf *e, const unsigned char *p)
{
	if (e->msb)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

uint64_t modelf_u64(const struct modelf *e, const unsigned char *p)
{
	uint64_t hi = modelf_u32(e, e->msb ? p : p + 4);
	uint64_t lo = modelf_u32(e, e->msb ? p + 4 : p);

	return hi << 32 | lo;
}

/* A word of the file's class: 4 or 8 bytes. */
static uint64_t rd_word(const struct modelf *e, const unsigned char *p)
{
	return e->is64 ? modelf_u64(e, p) : modelf_u32(e, p);
}

static int bad(struct modelf *e, const char *why)
{
	e->why = why;
	return -ENOEXEC;
}

const char *modelf_strerror(const struct modelf *e, int err)
{
	return e->why != NULL ? e->why : msg_strerror(-err);
}

static bool in_file(const struct modelf *e, uint64_t off, uint64_t len)
{
	return off <= e->size && len <= e->size - off;
}

/* The raw header of section i (i < shnum, checked by the caller). */
static const unsigned char *shdr(const struct modelf *e, uint32_t i)
{
	return e->sh + (uint64_t)i * e->shentsize;
}

/* The len bytes at off (checked against the file by the caller): in the
 * image, or read by the fetch function. 0 or -errno. */
static int bytes(struct modelf *e, uint64_t off, uint64_t len, const unsigned char **p)
{
	if (e->fetch == NULL) {
		*p = e->data + off;
		return 0;
	}
	errno = 0;
	*p = e->fetch(e->fetch_arg, off, (size_t)len);
	if (*p != NULL)
		return 0;
	e->why = NULL;
	return errno > 0 ? -errno : -EIO;
}

/* Decode section header i into s, checking that its data is in the file. */
static int decode_section(struct modelf *e, uint32_t i, struct modelf_section *s, uint32_t *name)
{
	const unsigned char *h = shdr(e, i);
	uint64_t off, size;

	/* Elf32_Shdr: name type flags addr offset size link info align entsize,
	 * 4 bytes each; Elf64_Shdr widens flags, addr, offset, size, align, entsize. */
	*name = modelf_u32(e, h);
	s->type = modelf_u32(e, h + 4);
	if (e->is64) {
		s->addr = modelf_u64(e, h + 16);
		off = modelf_u64(e, h + 24);
		size = modelf_u64(e, h + 32);
		s->link = modelf_u32(e, h + 40);
		s->entsize = modelf_u64(e, h + 56);
	} else {
		s->addr = modelf_u32(e, h + 12);
		off = modelf_u32(e, h + 16);
		size = modelf_u32(e, h + 20);
		s->link = modelf_u32(e, h + 24);
		s->entsize = modelf_u32(e, h + 36);
	}
	s->index = i;
	if (s->type == SHT_NOBITS) {
		s->data = NULL;
		s->size = 0;
		return 0;
	}
	if (!in_file(e, off, size))
		return bad(e, "section data past the end of the file");
	s->size = (size_t)size;
	return bytes(e, off, size, &s->data);
}

/* The checks and fields of modelf_open, on e->size bytes reached through
 * bytes(). */
static int open_image(struct modelf *e)
{
	const unsigned char *h;
	size_t ehsize;
	uint32_t shstrndx;
	struct modelf_section s;
	uint32_t name;
	int err;

	if (e->size < EI_NIDENT)
		return bad(e, "not an ELF file");
	/* The larger header, or the whole of a smaller file. */
	err = bytes(e, 0, e->size < sizeof(Elf64_Ehdr) ? e->size : sizeof(Elf64_Ehdr), &h);
	if (err < 0)
		return err;
	if (memcmp(h, ELFMAG, SELFMAG) != 0)
		return bad(e, "not an ELF file");
	if (h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64)
		return bad(e, "unknown ELF class");
	if (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB)
		return bad(e, "unknown ELF byte order");
	e->is64 = h[EI_CLASS] == ELFCLASS64;
	e->msb = h[EI_DATA] == ELFDATA2MSB;
	ehsize = e->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (e->size < ehsize)
		return bad(e, "truncated ELF header");
	e->machine = modelf_u16(e, h + 18);
	if (e->is64) {
		e->shoff = modelf_u64(e, h + 40);
		e->shentsize = modelf_u16(e, h + 58);
		e->shnum = modelf_u16(e, h + 60);
		shstrndx = modelf_u16(e, h + 62);
	} else {
		e->shoff = modelf_u32(e, h + 32);
		e->shentsize = modelf_u16(e, h + 46);
		e->shnum = modelf_u16(e, h + 48);
		shstrndx = modelf_u16(e, h + 50);
	}
	if (e->shoff == 0)
		return bad(e, "no section headers");
	if (e->shentsize != (e->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)))
		return bad(e, "unexpected section header size");
	if (!in_file(e, e->shoff, e->shentsize))
		return bad(e, "section headers past the end of the file");
	/* More than SHN_LORESERVE sections: the count and the name table index
	 * live in section 0. */
	if (e->shnum == 0 || shstrndx == SHN_XINDEX) {
		err = bytes(e, e->shoff, e->shentsize, &e->sh);
		if (err < 0)
			return err;
	}
	if (e->shnum == 0)
		e->shnum = (uint32_t)(e->is64 ? modelf_u64(e, shdr(e, 0) + 32) : modelf_u32(e, shdr(e, 0) + 20));
	if (shstrndx == SHN_XINDEX)
		shstrndx = modelf_u32(e, shdr(e, 0) + (e->is64 ? 40 : 24));
	if (e->shnum == 0 || !in_file(e, e->shoff, (uint64_t)e->shnum * e->shentsize))
		return bad(e, "section headers past the end of the file");
	err = bytes(e, e->shoff, (uint64_t)e->shnum * e->shentsize, &e->sh);
	if (err < 0)
		return err;
	if (shstrndx == SHN_UNDEF || shstrndx >= e->shnum)
		return bad(e, "bad section name table index");
	err = decode_section(e, shstrndx, &s, &name);
	if (err < 0)
		return err;
	if (s.data == NULL || s.size == 0 || s.data[s.size - 1] != '\0')
		return bad(e, "malformed section name table");
	e->shstr = (const char *)s.data;
	e->shstr_size = s.size;
	return 0;
}

int modelf_open(struct modelf *e, const void *data, size_t size)
{
	memset(e, 0, sizeof(*e));
	e->data = data;
	e->size = size;
	return open_image(e);
}

int modelf_open_parts(struct modelf *e, size_t size, modelf_fetch_fn *fetch, void *arg)
{
	memset(e, 0, sizeof(*e));
	e->size = size;
	e->fetch = fetch;
	e->fetch_arg = arg;
	return open_image(e);
}

int modelf_section_at(struct modelf *e, uint32_t index, struct modelf_section *s)
{
	uint32_t name;

	if (index >= e->shnum)
		return bad(e, "section index out of range");
	return decode_section(e, index, s, &name);
}

int modelf_section(struct modelf *e, const char *want, struct modelf_section *s)
{
	for (uint32_t i = 1; i < e->shnum; i++) {
		uint32_t name = modelf_u32(e, shdr(e, i));

		if (name >= e->shstr_size)
			return bad(e, "section name past its table");
		/* The table ends with NUL (checked at open), so strcmp is bounded. */
		if (strcmp(e->shstr + name, want) == 0)
			return decode_section(e, i, s, &name);
	}
	return -ENOENT;
}

int modelf_modinfo_next(struct modelf *e, const struct modelf_section *s, size_t *pos,
			const char **rec, size_t *len)
{
	const char *p = (const char *)s->data;

	while (*pos < s->size && p[*pos] == '\0')
		(*pos)++;
	if (*pos >= s->size)
		return 0;
	{
		const char *start = p + *pos;
		const char *end = memchr(start, '\0', s->size - *pos);

		if (end == NULL)
			return bad(e, "unterminated .modinfo record");
		*rec = start;
		*len = (size_t)(end - start);
		*pos += *len + 1;
	}
	return 1;
}

int modelf_versions(struct modelf *e, int (*cb)(uint64_t crc, const char *name, void *arg), void *arg)
{
	struct modelf_section s;
	/* struct modversion_info is 64 bytes on every architecture. */
	const size_t entry = 64, crcsize = e->is64 ? 8 : 4;
	int err = modelf_section(e, "__versions", &s);

	if (err < 0)
		return err;
	if (s.size % entry != 0)
		return bad(e, "__versions size is not a multiple of 64");
	for (size_t off = 0; off < s.size; off += entry) {
		const unsigned char *p = s.data + off;
		const char *name = (const char *)p + crcsize;
		int r;

		if (memchr(name, '\0', entry - crcsize) == NULL)
			return bad(e, "unterminated __versions name");
		r = cb(rd_word(e, p), name, arg);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Fields of the symbol at p: st_name, st_info, st_shndx, st_value.
 * Elf64_Sym: name info other shndx value size;
 * Elf32_Sym: name value size info other shndx. */
static void sym_fields(const struct modelf *e, const unsigned char *p, uint32_t *name,
		       unsigned char *info, uint16_t *shndx, uint64_t *value)
{
	*name = modelf_u32(e, p);
	if (e->is64) {
		*info = p[4];
		*shndx = modelf_u16(e, p + 6);
		*value = modelf_u64(e, p + 8);
	} else {
		*value = modelf_u32(e, p + 4);
		*info = p[12];
		*shndx = modelf_u16(e, p + 14);
	}
}

/* ---- kernel symbols for depmod ------------------------------------------ */

/* .symtab and .strtab found by name, as kmod looks them up. */
static int symtab_pair(struct modelf *e, struct modelf_section *sym, struct modelf_section *str)
{
	size_t symsize = e->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	int err = modelf_section(e, ".strtab", str);

	if (err == 0)
		err = modelf_section(e, ".symtab", sym);
	if (err < 0)
		return err == -ENOENT ? bad(e, "no symbol table") : err;
	if (sym->data == NULL || sym->size % symsize != 0)
		return bad(e, "malformed .symtab");
	if (str->data == NULL || str->size == 0 || str->data[str->size - 1] != '\0')
		return bad(e, "malformed .strtab");
	return 0;
}

/* A __crc_ symbol's value is the offset of the CRC in its section (or the
 * CRC itself for an absolute symbol). */
static uint64_t resolve_crc(struct modelf *e, uint64_t value, uint16_t shndx)
{
	struct modelf_section s;

	if (shndx == SHN_ABS || shndx == SHN_UNDEF)
		return value;
	if (modelf_section_at(e, shndx, &s) < 0 || s.data == NULL || s.size < 4 ||
	    value > s.size - 4)
		return (uint64_t)-1;
	return modelf_u32(e, s.data + value);
}

static int ksymtab_strings(struct modelf *e, modelf_ksym_fn *cb, void *arg)
{
	struct modelf_section s;
	int err = modelf_section(e, "__ksymtab_strings", &s);
	size_t i = 0;

	if (err < 0)
		return err;
	while (s.data != NULL && i < s.size) {
		const char *p = (const char *)s.data + i;
		const char *end = memchr(p, '\0', s.size - i);
		struct modelf_ksym k = { .name = p, .crc = 0 };
		int r;

		k.len = end ? (size_t)(end - p) : s.size - i;
		i += k.len + 1;
		if (k.len == 0)
			continue;
		r = cb(&k, arg);
		if (r != 0)
			return r;
	}
	return 0;
}

int modelf_exports(struct modelf *e, modelf_ksym_fn *cb, void *arg)
{
	struct modelf_section sym, str;
	size_t symsize = e->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	size_t count = 0;

	if (symtab_pair(e, &sym, &str) < 0)
		return ksymtab_strings(e, cb, arg);
	/* kmod takes the __crc_ symbols when there is at least one, and
	 * __ksymtab_strings otherwise (or when a name is out of range). */
	for (size_t off = symsize; off < sym.size; off += symsize) {
		uint32_t name = modelf_u32(e, sym.data + off);

		if (name >= str.size)
			return ksymtab_strings(e, cb, arg);
		if (str.size - name > 6 && memcmp(str.data + name, "__crc_", 6) == 0)
			count++;
	}
	if (count == 0)
		return ksymtab_strings(e, cb, arg);
	for (size_t off = symsize; off < sym.size; off += symsize) {
		uint32_t name;
		unsigned char info;
		uint16_t shndx;
		uint64_t value;
		struct modelf_ksym k;
		int r;

		sym_fields(e, sym.data + off, &name, &info, &shndx, &value);
		if (str.size - name <= 6 || memcmp(str.data + name, "__crc_", 6) != 0)
			continue;
		k.name = (const char *)str.data + name + 6;
		k.len = strlen(k.name);
		k.crc = resolve_crc(e, value, shndx);
		k.weak = false;
		r = cb(&k, arg);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Names of __versions, hashed: kmod looks each import up there linearly. */
struct vertab {
	const unsigned char *data;
	size_t count, crcsize;
	uint32_t *slots;        /* entry index + 1; 0 = empty */
	size_t mask;
	unsigned char *seen;
};

uint32_t modelf_name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static const char *ver_name(const struct vertab *v, size_t i, size_t *len)
{
	const char *n = (const char *)v->data + i * 64 + v->crcsize;

	*len = strnlen(n, 64 - v->crcsize);
	return n;
}

static int vertab_init(struct modelf *e, struct vertab *v)
{
	struct modelf_section s;

	memset(v, 0, sizeof(*v));
	v->crcsize = e->is64 ? 8 : 4;
	if (modelf_section(e, "__versions", &s) < 0 || s.data == NULL || s.size % 64 != 0 || s.size == 0)
		return 0;
	v->data = s.data;
	v->count = s.size / 64;
	v->mask = 16;
	while (v->mask < v->count * 2)
		v->mask <<= 1;
	v->slots = calloc(v->mask, sizeof(*v->slots));
	v->seen = calloc(v->count, 1);
	if (v->slots == NULL || v->seen == NULL) {
		free(v->slots);
		free(v->seen);
		return -ENOMEM;
	}
	v->mask--;
	for (size_t i = 0; i < v->count; i++) {
		size_t len;
		const char *n = ver_name(v, i, &len);
		size_t h = modelf_name_hash(n, len) & v->mask;

		/* The first entry of a name wins, as in kmod's linear scan. */
		while (v->slots[h] != 0) {
			size_t olen;
			const char *o = ver_name(v, v->slots[h] - 1, &olen);

			if (olen == len && memcmp(o, n, len) == 0)
				break;
			h = (h + 1) & v->mask;
		}
		if (v->slots[h] == 0)
			v->slots[h] = (uint32_t)i + 1;
	}
	return 0;
}

static long vertab_find(const struct vertab *v, const char *name, size_t len)
{
	size_t h;

	if (v->count == 0)
		return -1;
	h = modelf_name_hash(name, len) & v->mask;
	while (v->slots[h] != 0) {
		size_t olen;
		const char *o = ver_name(v, v->slots[h] - 1, &olen);

		if (olen == len && memcmp(o, name, len) == 0)
			return (long)v->slots[h] - 1;
		h = (h + 1) & v->mask;
	}
	return -1;
}

static uint64_t ver_crc(const struct modelf *e, const struct vertab *v, size_t i)
{
	return rd_word(e, v->data + i * 64);
}

int modelf_imports(struct modelf *e, modelf_ksym_fn *cb, void *arg)
{
	struct modelf_section sym, str;
	size_t symsize = e->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	/* On SPARC, STT_REGISTER symbols are undefined but not imports. */
	bool sparc = e->machine == EM_SPARC || e->machine == EM_SPARCV9;
	struct vertab v;
	int r = symtab_pair(e, &sym, &str);

	if (r < 0)
		return r;
	r = vertab_init(e, &v);
	if (r < 0)
		return r;
	for (size_t off = symsize; off < sym.size && r == 0; off += symsize) {
		uint32_t name;
		unsigned char info;
		uint16_t shndx;
		uint64_t value;
		struct modelf_ksym k;
		long vi;

		sym_fields(e, sym.data + off, &name, &info, &shndx, &value);
		if (shndx != SHN_UNDEF || (sparc && (info & 0xf) == 13))
			continue;
		if (name >= str.size) {
			r = bad(e, "symbol name past its table");
			break;
		}
		k.name = (const char *)str.data + name;
		k.len = strlen(k.name);
		if (k.len == 0)
			continue;
		k.weak = info >> 4 == STB_WEAK;
		vi = vertab_find(&v, k.name, k.len);
		k.crc = 0;
		if (vi >= 0) {
			v.seen[vi] = 1;
			k.crc = ver_crc(e, &v, (size_t)vi);
		}
		r = cb(&k, arg);
	}
	for (size_t i = 0; i < v.count && r == 0; i++) {
		struct modelf_ksym k = { .weak = false };

		if (v.seen[i])
			continue;
		k.name = ver_name(&v, i, &k.len);
		k.crc = ver_crc(e, &v, i);
		r = cb(&k, arg);
	}
	free(v.slots);
	free(v.seen);
	return r;
}
