// SPDX-License-Identifier: GPL-2.0-or-later
/* modsig: signature trailers of real signed fixtures (tests/unit/data),
 * and every corruption of their DER handled without a crash. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "modsig.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/unit/data"
#endif

static unsigned char *load(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	unsigned char *buf = malloc(1 << 16);

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static void hexeq(const unsigned char *p, size_t len, const char *want)
{
	char got[256] = "";

	for (size_t i = 0; i < len && strlen(got) + 4 < sizeof(got); i++)
		sprintf(got + strlen(got), "%s%02X", i ? ":" : "", p[i]);
	assert_string_equal(got, want);
}

static void pkcs7_fields(void **state)
{
	static const struct { const char *file, *hash; } cases[] = {
		{ "signed-sha256.ko", "sha256" }, { "signed-sha512.ko", "sha512" },
	};

	for (size_t i = 0; i < 2; i++) {
		size_t len, modlen;
		unsigned char *m = load(cases[i].file, &len);
		struct modsig sig;
		const char *why;

		assert_int_equal(modsig_parse(m, len, &sig, &modlen, &why), 1);
		assert_string_equal(sig.id_type, "PKCS#7");
		assert_string_equal(sig.hash_algo, cases[i].hash);
		assert_int_equal(sig.signer_len, strlen("modutils test signing key"));
		assert_memory_equal(sig.signer, "modutils test signing key", sig.signer_len);
		hexeq(sig.key_id, sig.key_id_len,
		      "59:1D:47:4E:D6:5B:35:5B:3D:5F:3C:04:8C:99:D3:F9:E1:4C:64:20");
		assert_int_equal(sig.sig_len, 256);   /* RSA-2048 */
		/* The module proper ends where the signature starts: an ELF. */
		assert_true(modlen < len);
		assert_memory_equal(m, "\177ELF", 4);
		free(m);
	}
}

static void legacy_fields(void **state)
{
	size_t len, modlen;
	unsigned char *m = load("signed-legacy.ko", &len);
	struct modsig sig;
	const char *why;

	assert_int_equal(modsig_parse(m, len, &sig, &modlen, &why), 1);
	assert_string_equal(sig.id_type, "X509");
	assert_string_equal(sig.hash_algo, "sha256");
	assert_int_equal(sig.signer_len, 13);
	assert_memory_equal(sig.signer, "legacy signer", 13);
	hexeq(sig.key_id, sig.key_id_len, "DE:AD:BE:EF");
	assert_int_equal(sig.sig_len, 45);
	assert_int_equal(sig.sig[0], 1);
	assert_int_equal(sig.sig[44], 45);
	assert_int_equal(modlen, len - 28 - 12 - 45 - 4 - 13);
	free(m);
}

static void unsigned_and_short(void **state)
{
	struct modsig sig;
	size_t modlen;
	const char *why;

	assert_int_equal(modsig_parse("\177ELF plain module", 17, &sig, &modlen, &why), 0);
	assert_int_equal(modlen, 17);
	assert_int_equal(modsig_parse("", 0, &sig, &modlen, &why), 0);
	/* The magic alone, with no room for the info block. */
	assert_int_equal(modsig_parse("~Module signature appended~\n", 28, &sig, &modlen, &why), 0);
}

static void lying_lengths(void **state)
{
	size_t len, modlen;
	unsigned char *m = load("signed-sha256.ko", &len);
	struct modsig sig;
	const char *why;
	unsigned char *info = m + len - 28 - 12;

	info[8] = 0x7f;   /* sig_len far beyond the file */
	assert_int_equal(modsig_parse(m, len, &sig, &modlen, &why), -EBADMSG);
	assert_string_equal(why, "signature longer than the file");
	info[8] = 0;
	info[2] = 9;      /* unknown id_type */
	assert_int_equal(modsig_parse(m, len, &sig, &modlen, &why), -EBADMSG);
	assert_string_equal(why, "unknown signature type");
	free(m);
}

/* Every byte of the DER flipped in turn: parsed or refused, never a read
 * outside the buffer (ASan). */
static void every_der_byte(void **state)
{
	size_t len, modlen;
	unsigned char *orig = load("signed-sha256.ko", &len);
	struct modsig sig;
	const char *why;
	size_t sig_len, start;
	int refused = 0;

	assert_int_equal(modsig_parse(orig, len, &sig, &modlen, &why), 1);
	start = modlen;
	sig_len = len - 28 - 12 - start;
	for (size_t i = start; i < start + sig_len; i++) {
		unsigned char *m = malloc(len);
		int r;

		memcpy(m, orig, len);
		m[i] ^= 0xff;
		r = modsig_parse(m, len, &sig, &modlen, &why);
		assert_true(r == 1 || r == -EBADMSG);
		if (r == 1) {
			/* whatever it found lies inside the buffer */
			assert_true(sig.sig >= m && sig.sig + sig.sig_len <= m + len);
			assert_true(sig.key_id >= m && sig.key_id + sig.key_id_len <= m + len);
		} else {
			refused++;
		}
		free(m);
	}
	/* Structure bytes (tags, lengths, OIDs) are refused. */
	assert_true(refused > 20);
	free(orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pkcs7_fields),
		cmocka_unit_test(legacy_fields),
		cmocka_unit_test(unsigned_and_short),
		cmocka_unit_test(lying_lengths),
		cmocka_unit_test(every_der_byte),
	};
	return cmocka_run_group_tests_name("modsig", tests, NULL, NULL);
}
