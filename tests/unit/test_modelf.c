// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modelf: module ELF images built here, in all four class/byte-order
 * combinations, then read back; and every truncation and a range of
 * corruptions of them must give -ENOEXEC (never a read out of bounds:
 * run this under AddressSanitizer).
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "modelf.h"
#include "modparts.h"

struct img {
	unsigned char buf[4096];
	size_t len;
	bool is64, msb;
};

static void put(struct img *m, size_t off, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		int shift = m->msb ? 8 * (bytes - 1 - i) : 8 * i;

		m->buf[off + i] = (unsigned char)(v >> shift);
	}
}

static size_t append(struct img *m, const void *data, size_t len)
{
	size_t off = (m->len + 7) & ~(size_t)7;

	memcpy(m->buf + off, data, len);
	m->len = off + len;
	return off;
}

static const char modinfo[] = "license=GPL\0\0\0description=test\0alias=pci:v*d*\0name=mt\0";
static const char shstr[] = "\0.modinfo\0__versions\0.symtab\0.strtab\0.shstrtab\0";
static const char strtab[] = "\0printk\0mt_export\0";

/* Sections: 0 null, 1 .modinfo, 2 __versions, 3 .symtab, 4 .strtab, 5 .shstrtab */
static void build(struct img *m, bool is64, bool msb)
{
	size_t word = is64 ? 8 : 4, symsize = is64 ? 24 : 16, shsize = is64 ? 64 : 40;
	size_t ehsize = is64 ? 64 : 52, off[6], len[6], shoff;
	unsigned char versions[128] = { 0 }, syms[3 * 24] = { 0 };
	struct img tmp;

	memset(m, 0, sizeof(*m));
	m->is64 = is64;
	m->msb = msb;
	memcpy(m->buf, ELFMAG, SELFMAG);
	m->buf[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	m->buf[EI_DATA] = msb ? ELFDATA2MSB : ELFDATA2LSB;
	m->buf[EI_VERSION] = EV_CURRENT;
	m->len = ehsize;
	/* __versions: {crc, name} x2 of 64 bytes */
	tmp = *m;
	put(&tmp, 0, 0x12345678, (int)word);
	memcpy(versions, tmp.buf, word);
	strcpy((char *)versions + word, "module_layout");
	put(&tmp, 0, 0xabcdef01, (int)word);
	memcpy(versions + 64, tmp.buf, word);
	strcpy((char *)versions + 64 + word, "printk");
	/* .symtab: null, printk (undefined, global), mt_export (defined) */
	for (int i = 1; i < 3; i++) {
		size_t o = (size_t)i * symsize;
		uint32_t name = i == 1 ? 1 : 8;
		unsigned char info = (unsigned char)(STB_GLOBAL << 4 | (i == 1 ? STT_NOTYPE : STT_FUNC));
		uint16_t shndx = i == 1 ? SHN_UNDEF : 1;

		memset(tmp.buf, 0, 64);
		put(&tmp, 0, name, 4);
		if (is64) {
			tmp.buf[4] = info;
			put(&tmp, 6, shndx, 2);
			put(&tmp, 8, (uint64_t)i * 16, 8);
		} else {
			put(&tmp, 4, (uint64_t)i * 16, 4);
			tmp.buf[12] = info;
			put(&tmp, 14, shndx, 2);
		}
		memcpy(syms + o, tmp.buf, symsize);
	}
	off[1] = append(m, modinfo, len[1] = sizeof(modinfo) - 1);
	off[2] = append(m, versions, len[2] = sizeof(versions));
	off[3] = append(m, syms, len[3] = 3 * symsize);
	off[4] = append(m, strtab, len[4] = sizeof(strtab));
	off[5] = append(m, shstr, len[5] = sizeof(shstr));
	shoff = (m->len + 7) & ~(size_t)7;
	m->len = shoff + 6 * shsize;
	{
		static const uint32_t names[6] = { 0, 1, 10, 21, 29, 37 };
		static const uint32_t types[6] = { SHT_NULL, SHT_PROGBITS, SHT_PROGBITS, SHT_SYMTAB,
						   SHT_STRTAB, SHT_STRTAB };

		for (int i = 1; i < 6; i++) {
			size_t h = shoff + (size_t)i * shsize;

			put(m, h, names[i], 4);
			put(m, h + 4, types[i], 4);
			if (is64) {
				put(m, h + 24, off[i], 8);
				put(m, h + 32, len[i], 8);
				put(m, h + 40, i == 3 ? 4 : 0, 4);
				put(m, h + 56, i == 3 ? symsize : 0, 8);
			} else {
				put(m, h + 16, off[i], 4);
				put(m, h + 20, len[i], 4);
				put(m, h + 24, i == 3 ? 4 : 0, 4);
				put(m, h + 36, i == 3 ? symsize : 0, 4);
			}
		}
	}
	put(m, 16, ET_REL, 2);
	put(m, 18, is64 ? EM_X86_64 : EM_ARM, 2);
	if (is64) {
		put(m, 40, shoff, 8);
		put(m, 58, shsize, 2);
		put(m, 60, 6, 2);
		put(m, 62, 5, 2);
	} else {
		put(m, 32, shoff, 4);
		put(m, 46, shsize, 2);
		put(m, 48, 6, 2);
		put(m, 50, 5, 2);
	}
}

struct collected {
	char text[512];
};

static int collect_version(uint64_t crc, const char *name, void *arg)
{
	struct collected *c = arg;
	size_t n = strlen(c->text);

	snprintf(c->text + n, sizeof(c->text) - n, "%s=%llx;", name, (unsigned long long)crc);
	return 0;
}

static int collect_import(const struct modelf_ksym *s, void *arg)
{
	struct collected *c = arg;
	size_t n = strlen(c->text);

	snprintf(c->text + n, sizeof(c->text) - n, "%.*s=%llx%s;", (int)s->len, s->name,
		 (unsigned long long)s->crc, s->weak ? "w" : "");
	return 0;
}

static void read_all_variants(void **state)
{
	for (int v = 0; v < 4; v++) {
		struct img m;
		struct modelf e;
		struct modelf_section s;
		struct collected c = { "" };
		const char *rec;
		size_t len, pos = 0;

		build(&m, v & 1, v & 2);
		assert_int_equal(modelf_open(&e, m.buf, m.len), 0);
		assert_int_equal(e.is64, (bool)(v & 1));
		assert_int_equal(e.msb, (bool)(v & 2));
		assert_int_equal(e.machine, (v & 1) ? EM_X86_64 : EM_ARM);
		assert_int_equal(modelf_section(&e, ".modinfo", &s), 0);
		assert_int_equal(modelf_modinfo_next(&e, &s, &pos, &rec, &len), 1);
		assert_true(len == 11 && memcmp(rec, "license=GPL", 11) == 0);
		/* the padding NULs are skipped */
		assert_int_equal(modelf_modinfo_next(&e, &s, &pos, &rec, &len), 1);
		assert_true(len == 16 && memcmp(rec, "description=test", 16) == 0);
		assert_int_equal(modelf_modinfo_next(&e, &s, &pos, &rec, &len), 1);
		assert_int_equal(modelf_modinfo_next(&e, &s, &pos, &rec, &len), 1);
		assert_true(len == 7 && memcmp(rec, "name=mt", 7) == 0);
		assert_int_equal(modelf_modinfo_next(&e, &s, &pos, &rec, &len), 0);
		assert_int_equal(modelf_section(&e, ".nosuch", &s), -ENOENT);

		assert_int_equal(modelf_versions(&e, collect_version, &c), 0);
		assert_string_equal(c.text, "module_layout=12345678;printk=abcdef01;");
		c.text[0] = '\0';
		/* .symtab: the undefined printk (its CRC from __versions), then
		 * the __versions entry no symbol named; mt_export is defined. */
		assert_int_equal(modelf_imports(&e, collect_import, &c), 0);
		assert_string_equal(c.text, "printk=abcdef01;module_layout=12345678;");
	}
}

/* Reading in parts without a file: each range asked for is handed out as
 * an exact-size heap copy, so ASan sees any read outside what was fetched. */
struct exact {
	const unsigned char *file;
	void **copies;
	size_t n;
};

static const void *exact_fetch(void *arg, uint64_t off, size_t len)
{
	struct exact *x = arg;
	void **more = realloc(x->copies, (x->n + 1) * sizeof(*more));
	void *p = malloc(len ? len : 1);

	assert_non_null(more);
	assert_non_null(p);
	x->copies = more;
	x->copies[x->n++] = p;
	memcpy(p, x->file + off, len);
	return p;
}

static void exact_free(struct exact *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->copies[i]);
	free(x->copies);
}

static int collect_ksym(const struct modelf_ksym *k, void *arg)
{
	struct collected *c = arg;
	size_t n = strlen(c->text);

	snprintf(c->text + n, sizeof(c->text) - n, "%.*s=%llx;", (int)k->len, k->name,
		 (unsigned long long)k->crc);
	return 0;
}

/* Open and walk everything, in memory or (parts) read range by range; the
 * result may be an error, never a crash. What was read goes to c. */
static int walk_in(const unsigned char *data, size_t len, bool parts, struct collected *c)
{
	struct modelf e;
	struct modelf_section s;
	struct exact x = { .file = data };
	const char *rec;
	size_t rlen, pos = 0;
	int r, err = parts ? modelf_open_parts(&e, len, exact_fetch, &x) : modelf_open(&e, data, len);

	c->text[0] = '\0';
	if (err == 0) {
		if (modelf_section(&e, ".modinfo", &s) == 0)
			while ((r = modelf_modinfo_next(&e, &s, &pos, &rec, &rlen)) > 0)
				collect_ksym(&(struct modelf_ksym){ .name = rec, .len = rlen }, c);
		modelf_versions(&e, collect_version, c);
		modelf_exports(&e, collect_ksym, c);
		modelf_imports(&e, collect_ksym, c);
	}
	exact_free(&x);
	return err;
}

/* Both ways must give the same result and read the same things. */
static int walk(const unsigned char *data, size_t len)
{
	struct collected whole, parts;
	int err = walk_in(data, len, false, &whole);

	assert_int_equal(walk_in(data, len, true, &parts), err);
	assert_string_equal(parts.text, whole.text);
	return err;
}

static void every_truncation(void **state)
{
	for (int v = 0; v < 4; v++) {
		struct img m;

		build(&m, v & 1, v & 2);
		for (size_t cut = 0; cut < m.len; cut++) {
			/* A fresh heap copy of exactly cut bytes, so ASan sees any
			 * read past the end. */
			unsigned char *p = malloc(cut ? cut : 1);

			memcpy(p, m.buf, cut);
			/* The section headers are at the end: any cut loses them. */
			assert_int_equal(walk(p, cut), -ENOEXEC);
			free(p);
		}
	}
}

static void corruptions(void **state)
{
	for (int v = 0; v < 4; v++) {
		struct img m;

		build(&m, v & 1, v & 2);
		/* Every byte of every section header set to 0xff in turn. */
		for (size_t i = 0; i < m.len; i++) {
			unsigned char *p = malloc(m.len);

			memcpy(p, m.buf, m.len);
			p[i] = 0xff;
			walk(p, m.len);
			p[i] = 0x80;
			walk(p, m.len);
			free(p);
		}
	}
}

static void specific_errors(void **state)
{
	struct img m;
	struct modelf e;
	struct modelf_section s;
	const char *rec;
	size_t len, pos = 0;

	assert_int_equal(modelf_open(&e, "\177ELF", 4), -ENOEXEC);
	assert_string_equal(e.why, "not an ELF file");
	assert_int_equal(modelf_open(&e, "garbage garbage garbage", 23), -ENOEXEC);
	assert_string_equal(e.why, "not an ELF file");

	build(&m, true, false);
	m.buf[EI_CLASS] = 7;
	assert_int_equal(modelf_open(&e, m.buf, m.len), -ENOEXEC);
	assert_string_equal(e.why, "unknown ELF class");

	/* .modinfo whose last record has no NUL */
	build(&m, true, false);
	assert_int_equal(modelf_open(&e, m.buf, m.len), 0);
	assert_int_equal(modelf_section(&e, ".modinfo", &s), 0);
	s.size -= 1;
	while (modelf_modinfo_next(&e, &s, &pos, &rec, &len) > 0)
		;
	assert_int_equal(modelf_modinfo_next(&e, &s, &pos, &rec, &len), -ENOEXEC);
	assert_string_equal(e.why, "unterminated .modinfo record");

	/* a section whose data lies past the end */
	build(&m, false, true);
	{
		size_t shoff = (size_t)m.buf[32] << 24 | m.buf[33] << 16 | m.buf[34] << 8 | m.buf[35];

		put(&m, shoff + 40 + 20, 0x7fffffff, 4);   /* .modinfo size */
	}
	assert_int_equal(modelf_open(&e, m.buf, m.len), 0);
	assert_int_equal(modelf_section(&e, ".modinfo", &s), -ENOEXEC);
	assert_string_equal(e.why, "section data past the end of the file");
}

/* The same image written to a file and read back with modparts. */
static void parts_from_file(void **state)
{
	struct modparts mp = MODPARTS_INIT;

	for (int v = 0; v < 4; v++) {
		struct img m;
		struct modelf e;
		struct collected whole, parts = { "" };
		FILE *f = tmpfile();

		assert_non_null(f);
		build(&m, v & 1, v & 2);
		assert_int_equal(fwrite(m.buf, 1, m.len, f), m.len);
		assert_int_equal(fflush(f), 0);
		assert_int_equal(walk_in(m.buf, m.len, false, &whole), 0);
		modparts_reset(&mp, fileno(f), m.len);
		assert_int_equal(modelf_open_parts(&e, m.len, modparts_fetch, &mp), 0);
		modelf_versions(&e, collect_version, &parts);
		assert_string_equal(parts.text, "module_layout=12345678;printk=abcdef01;");
		/* a section asked for again is not read again */
		{
			struct modelf_section a, b, c;
			struct modelf mem;

			assert_int_equal(modelf_section(&e, ".symtab", &a), 0);
			assert_int_equal(modelf_section(&e, ".symtab", &b), 0);
			assert_ptr_equal(a.data, b.data);
			assert_int_equal(modelf_open(&mem, m.buf, m.len), 0);
			assert_int_equal(modelf_section(&mem, ".symtab", &c), 0);
			assert_int_equal(a.size, c.size);
			assert_memory_equal(a.data, c.data, c.size);
		}
		/* a file that shrank after its size was taken (the section
		 * headers are at the end): the read fails with EIO */
		assert_int_equal(ftruncate(fileno(f), (off_t)m.len - 8), 0);
		modparts_reset(&mp, fileno(f), m.len);
		assert_int_equal(modelf_open_parts(&e, m.len, modparts_fetch, &mp), -EIO);
		assert_null(e.why);
		fclose(f);
	}
	modparts_free(&mp);
}

/* Ranges over several blocks: what was handed out stays valid and right
 * until the next reset. */
static void parts_blocks(void **state)
{
	struct modparts mp = MODPARTS_INIT;
	static unsigned char data[400000];
	const unsigned char *got[8];
	const size_t len = 45000;
	FILE *f = tmpfile();

	assert_non_null(f);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	assert_int_equal(fwrite(data, 1, sizeof(data), f), sizeof(data));
	assert_int_equal(fflush(f), 0);
	for (int round = 0; round < 2; round++) {
		modparts_reset(&mp, fileno(f), sizeof(data));
		for (int i = 0; i < 8; i++) {
			got[i] = modparts_fetch(&mp, (uint64_t)i * len, len);
			assert_non_null(got[i]);
		}
		for (int i = 0; i < 8; i++)
			assert_memory_equal(got[i], data + (size_t)i * len, len);
		/* inside a range already read: answered from it */
		assert_ptr_equal(modparts_fetch(&mp, 3 * len + 10, 100), got[3] + 10);
		/* past the end of the file */
		errno = 0;
		assert_null(modparts_fetch(&mp, sizeof(data) - 10, 20));
		assert_int_equal(errno, EIO);
	}
	/* Overlapping ranges adding up to more than the file's size and
	 * 64 KiB: EFBIG once the budget is spent, not more memory. */
	modparts_reset(&mp, fileno(f), sizeof(data));
	{
		size_t total = 0;
		const unsigned char *p;

		errno = 0;
		for (int i = 0; (p = modparts_fetch(&mp, (uint64_t)(i % 20) * 100, 90000)) != NULL; i++)
			total += 90000;
		assert_int_equal(errno, EFBIG);
		assert_true(total <= sizeof(data) + (64u << 10));
		assert_true(total > sizeof(data) + (64u << 10) - 90000);
	}
	modparts_free(&mp);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parts_from_file),
		cmocka_unit_test(parts_blocks),
		cmocka_unit_test(read_all_variants),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(corruptions),
		cmocka_unit_test(specific_errors),
	};
	return cmocka_run_group_tests_name("modelf", tests, NULL, NULL);
}
