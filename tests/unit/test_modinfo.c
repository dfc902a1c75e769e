// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/probe/modinfo.c against what kmod 34.2's modinfo showed for the
 * same modules (tests/unit/data/modinfo/kmod34.*). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "slurp.h"
#include "modinfo.h"

#define DATA TEST_DATA "/modinfo/"

/* The fields as kmod's listing shows them ("key:" padded to 16 columns);
 * bad parameters as kmod's error line. */
struct seen {
	FILE *out, *bad;
};

static void show(void *arg, enum modinfo_event ev, const struct modinfo_field *f)
{
	struct seen *s = arg;

	if (ev == MODINFO_BAD_PARAM) {
		fprintf(s->bad, "modinfo: ERROR: Found invalid \"%.*s=%.*s\": missing ':'\n", (int)f->keylen,
			f->key, (int)f->valuelen, f->value);
		return;
	}
	fprintf(s->out, "%.*s:%*s%.*s\n", (int)f->keylen, f->key, f->keylen < 15 ? (int)(15 - f->keylen) : 0, "",
		(int)f->valuelen, f->value);
}

/* The records of "mybi" in modules.builtin.modinfo ("mybi.KEY=VALUE"), as
 * modlookup_builtin_modinfo gives them: without the "mybi." */
static void builtin_records(struct modlookup_builtin_info *bi)
{
	size_t len, n = 0;
	char *buf = slurp(DATA "modules.builtin.modinfo", &len);

	bi->buf = buf;
	bi->recs = calloc(32, sizeof(char *));
	assert_non_null(bi->recs);
	for (char *p = buf; p < buf + len; p += strlen(p) + 1)
		if (strncmp(p, "mybi.", 5) == 0)
			bi->recs[n++] = p + 5;
	bi->count = n;
}

static void builtin_fields_and_params(void **state)
{
	struct modlookup_builtin_info bi;
	struct modinfo_records r;
	struct modinfo_params ps = { 0 };
	char *out = NULL, *bad = NULL, *listing = slurp(DATA "kmod34.mybi", NULL), *want = listing;
	char *want_bad = slurp(DATA "kmod34.mybi.stderr", NULL);
	size_t outlen, badlen;
	struct seen s = { open_memstream(&out, &outlen), open_memstream(&bad, &badlen) };

	(void)state;
	builtin_records(&bi);
	modinfo_records_builtin(&r, &bi);
	assert_int_equal(modinfo_walk(&r, &ps, show, &s), 0);
	fclose(s.out);
	fclose(s.bad);
	/* kmod's listing: name and filename (the applet's), the fields, then
	 * the parameters */
	assert_true(strncmp(want, "name:", 5) == 0);
	want = strchr(strchr(want, '\n') + 1, '\n') + 1;
	assert_int_equal(strncmp(out, want, outlen), 0);
	assert_true(strncmp(want + outlen, "parm:", 5) == 0);
	assert_string_equal(bad, want_bad);
	/* the parameters in order of first appearance (kmod lists them the
	 * other way round): "debug:enable debugging (uint)" (the last
	 * parmtype wins), "onlytype:charp", "onlydesc:a description" */
	assert_int_equal(ps.n, 3);
	assert_int_equal(ps.v[0].namelen, 5);
	assert_memory_equal(ps.v[0].name, "debug", 5);
	assert_int_equal(ps.v[0].desclen, 16);
	assert_memory_equal(ps.v[0].desc, "enable debugging", 16);
	assert_int_equal(ps.v[0].typelen, 4);
	assert_memory_equal(ps.v[0].type, "uint", 4);
	assert_memory_equal(ps.v[1].name, "onlytype", 8);
	assert_null(ps.v[1].desc);
	assert_memory_equal(ps.v[1].type, "charp", 5);
	assert_memory_equal(ps.v[2].name, "onlydesc", 8);
	assert_memory_equal(ps.v[2].desc, "a description", 13);
	assert_null(ps.v[2].type);
	modinfo_params_free(&ps);
	assert_null(ps.v);
	free(out);
	free(bad);
	free(want_bad);
	free(listing);
	free(bi.recs);
	free(bi.buf);
}

/* Without a params list the parameters are skipped (modinfo -F author),
 * bad ones too. */
static void builtin_without_params(void **state)
{
	struct modlookup_builtin_info bi;
	struct modinfo_records r;
	char *out = NULL, *bad = NULL;
	size_t outlen, badlen;
	struct seen s = { open_memstream(&out, &outlen), open_memstream(&bad, &badlen) };

	(void)state;
	builtin_records(&bi);
	modinfo_records_builtin(&r, &bi);
	assert_int_equal(modinfo_walk(&r, NULL, show, &s), 0);
	fclose(s.out);
	fclose(s.bad);
	assert_string_equal(out, "description:    built-in test module\nauthor:         someone\n"
				 "flag:           \nlicense:        GPL\n");
	assert_int_equal(badlen, 0);
	free(out);
	free(bad);
	free(bi.recs);
	free(bi.buf);
}

/* A signed file: its fields, then the signature's, as kmod 34.2 shows them
 * after "filename:". */
static void signed_file(const char *name)
{
	char path[256], want_path[256];
	struct modinfo_file m;
	char *out = NULL, *want;
	size_t outlen;
	struct seen s = { open_memstream(&out, &outlen), NULL };

	snprintf(path, sizeof(path), TEST_DATA "/%s.ko", name);
	snprintf(want_path, sizeof(want_path), DATA "kmod34.%s", name);
	want = slurp(want_path, NULL);
	assert_int_equal(modinfo_file_open(&m, path), 0);
	assert_null(m.sig_why);
	assert_non_null(m.sig);
	assert_int_equal(modinfo_walk(&m.recs, NULL, show, &s), 0);
	assert_int_equal(modinfo_sig_fields(m.sig, show, &s), 0);
	fclose(s.out);
	assert_string_equal(out, want);
	modinfo_file_close(&m);
	free(out);
	free(want);
}

static void signed_legacy(void **state)
{
	(void)state;
	signed_file("signed-legacy");
}

static void signed_sha256(void **state)
{
	(void)state;
	signed_file("signed-sha256");
}

static void signed_sha512(void **state)
{
	(void)state;
	signed_file("signed-sha512");
}

static void count(void *arg, enum modinfo_event ev, const struct modinfo_field *f)
{
	(void)ev;
	(void)f;
	++*(int *)arg;
}

/* A signature of an unknown type: kmod 34.2 shows the seven fields and no
 * signature (we also say why). */
static void unreadable_signature(void **state)
{
	char path[] = "/tmp/test_modinfo.XXXXXX";
	size_t len;
	char *image = slurp(TEST_DATA "/signed-sha256.ko", &len);
	struct modinfo_file m;
	int fd = mkstemp(path), n = 0;

	(void)state;
	assert_true(fd >= 0);
	/* the id type byte of struct module_signature, before the magic */
	image[len - 28 - 12 + 2] = 9;
	assert_int_equal(write(fd, image, len), (ssize_t)len);
	close(fd);
	assert_int_equal(modinfo_file_open(&m, path), 0);
	assert_non_null(m.sig_why);
	assert_null(m.sig);
	assert_int_equal(modinfo_walk(&m.recs, NULL, count, &n), 0);
	assert_int_equal(n, 7);
	modinfo_file_close(&m);
	unlink(path);
	free(image);
}

/* Files that cannot be read: the error, and the words for it. */
static void unreadable_files(void **state)
{
	struct modinfo_file m;
	int err;

	(void)state;
	err = modinfo_file_open(&m, TEST_DATA "/no-such-module.ko");
	assert_int_equal(err, -ENOENT);
	assert_string_equal(modinfo_file_strerror(&m, err), "No such file or directory");
	modinfo_file_close(&m);
	err = modinfo_file_open(&m, DATA "kmod34.mybi");
	assert_true(err < 0);
	assert_string_equal(modinfo_file_strerror(&m, err), "not an ELF file");
	modinfo_file_close(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_fields_and_params),
		cmocka_unit_test(builtin_without_params),
		cmocka_unit_test(signed_legacy),
		cmocka_unit_test(signed_sha256),
		cmocka_unit_test(signed_sha512),
		cmocka_unit_test(unreadable_signature),
		cmocka_unit_test(unreadable_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
