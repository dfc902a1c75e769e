// SPDX-License-Identifier: GPL-2.0-or-later
/* Module signature trailer and the few PKCS#7 fields modinfo shows. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "modsig.h"

static const char magic[] = "~Module signature appended~\n";
#define MAGIC_LEN (sizeof(magic) - 1)
/* struct module_signature: u8 algo, hash, id_type, signer_len, key_id_len,
 * pad[3]; be32 sig_len. */
#define MODSIG_INFO_LEN 12
#define ID_PKCS7 2

/* Tables indexed by the kernel's enum pkey_hash_algo / pkey_id_type. */
static const char *const hash_names[] = {
	"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3",
};
static const char *const id_names[] = { "PGP", "X509", "PKCS#7" };

/* ---- DER: tag, length, contents; every length checked against the end. */
struct der {
	const unsigned char *p;
	const unsigned char *end;
};

#define DER_INTEGER 0x02
#define DER_OCTET_STRING 0x04
#define DER_OID 0x06
#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_CTX0 0xa0     /* [0] constructed */
#define DER_CTX1 0xa1
#define DER_CTX0_PRIM 0x80

/* Read the next element of d into *tag and *val (its contents). */
static int der_next(struct der *d, unsigned *tag, struct der *val)
{
	size_t len, avail;

	if (d->end - d->p < 2)
		return -EBADMSG;
	*tag = *d->p++;
	if ((*tag & 0x1f) == 0x1f)   /* multi-byte tags do not occur here */
		return -EBADMSG;
	len = *d->p++;
	if (len & 0x80) {
		size_t n = len & 0x7f;

		/* Indefinite lengths are BER, not DER; 4 bytes are plenty. */
		if (n == 0 || n > 4 || (size_t)(d->end - d->p) < n)
			return -EBADMSG;
		for (len = 0; n > 0; n--)
			len = len << 8 | *d->p++;
	}
	avail = (size_t)(d->end - d->p);
	if (len > avail)
		return -EBADMSG;
	val->p = d->p;
	val->end = d->p + len;
	d->p += len;
	return 0;
}

/* The next element must have this tag. */
static int der_expect(struct der *d, unsigned want, struct der *val)
{
	unsigned tag;

	if (der_next(d, &tag, val) < 0 || tag != want)
		return -EBADMSG;
	return 0;
}

/* Optional element: skipped when present with this tag. */
static void der_skip_optional(struct der *d, unsigned tag)
{
	struct der save = *d, val;
	unsigned got;

	if (der_next(d, &got, &val) < 0 || got != tag)
		*d = save;
}

static bool oid_is(const struct der *oid, const unsigned char *bytes, size_t len)
{
	return (size_t)(oid->end - oid->p) == len && memcmp(oid->p, bytes, len) == 0;
}

/* Digest algorithm OIDs (DER contents) in the order of hash_names. */
static const struct {
	unsigned char oid[10];
	unsigned char len;
} hash_oids[] = {
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x04 }, 8 },   /* md4 */
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05 }, 8 },   /* md5 */
	{ { 0x2b, 0x0e, 0x03, 0x02, 0x1a }, 5 },                     /* sha1 */
	{ { 0x2b, 0x24, 0x03, 0x02, 0x01 }, 5 },                     /* rmd160 */
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 }, 9 }, /* sha256 */
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 }, 9 }, /* sha384 */
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 }, 9 }, /* sha512 */
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04 }, 9 }, /* sha224 */
	{ { 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x11 }, 8 },   /* sm3 */
};

static const unsigned char oid_signed_data[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const unsigned char oid_common_name[] = { 0x55, 0x04, 0x03 };

/* The commonName of an X.501 Name: SEQUENCE OF SET OF {OID, string}. */
static void name_common_name(struct der name, struct modsig *sig)
{
	struct der rdn, atv;
	unsigned tag;

	while (der_next(&name, &tag, &rdn) == 0) {
		if (tag != DER_SET)
			continue;
		while (der_expect(&rdn, DER_SEQUENCE, &atv) == 0) {
			struct der oid, value;

			if (der_expect(&atv, DER_OID, &oid) < 0 || der_next(&atv, &tag, &value) < 0)
				break;
			if (oid_is(&oid, oid_common_name, sizeof(oid_common_name))) {
				sig->signer = value.p;
				sig->signer_len = (size_t)(value.end - value.p);
				return;
			}
		}
	}
}

static int parse_pkcs7(const unsigned char *p, size_t len, struct modsig *sig)
{
	struct der d = { p, p + len }, ci, oid, wrap, sd, infos, si, sid, alg, digest;
	unsigned tag;

	if (der_expect(&d, DER_SEQUENCE, &ci) < 0 || der_expect(&ci, DER_OID, &oid) < 0 ||
	    !oid_is(&oid, oid_signed_data, sizeof(oid_signed_data)) ||
	    der_expect(&ci, DER_CTX0, &wrap) < 0 || der_expect(&wrap, DER_SEQUENCE, &sd) < 0)
		return -EBADMSG;
	/* SignedData: version, digestAlgorithms, contentInfo, [0] certificates,
	 * [1] crls, signerInfos. */
	if (der_expect(&sd, DER_INTEGER, &alg) < 0 || der_expect(&sd, DER_SET, &alg) < 0 ||
	    der_expect(&sd, DER_SEQUENCE, &alg) < 0)
		return -EBADMSG;
	der_skip_optional(&sd, DER_CTX0);
	der_skip_optional(&sd, DER_CTX1);
	if (der_expect(&sd, DER_SET, &infos) < 0 || der_expect(&infos, DER_SEQUENCE, &si) < 0)
		return -EBADMSG;
	/* SignerInfo: version, sid, digestAlgorithm, [0] attributes,
	 * signatureAlgorithm, signature. */
	if (der_expect(&si, DER_INTEGER, &alg) < 0 || der_next(&si, &tag, &sid) < 0)
		return -EBADMSG;
	if (tag == DER_SEQUENCE) {
		/* issuerAndSerialNumber: the key is named by its serial number,
		 * shown without the sign byte DER may prepend. */
		struct der issuer, serial;

		if (der_expect(&sid, DER_SEQUENCE, &issuer) < 0 || der_expect(&sid, DER_INTEGER, &serial) < 0)
			return -EBADMSG;
		name_common_name(issuer, sig);
		if (serial.end - serial.p > 1 && serial.p[0] == 0)
			serial.p++;
		sig->key_id = serial.p;
		sig->key_id_len = (size_t)(serial.end - serial.p);
	} else if (tag == DER_CTX0_PRIM) {
		/* CMS subjectKeyIdentifier */
		sig->key_id = sid.p;
		sig->key_id_len = (size_t)(sid.end - sid.p);
	} else {
		return -EBADMSG;
	}
	if (der_expect(&si, DER_SEQUENCE, &alg) < 0 || der_expect(&alg, DER_OID, &oid) < 0)
		return -EBADMSG;
	for (size_t i = 0; i < sizeof(hash_oids) / sizeof(hash_oids[0]); i++)
		if (oid_is(&oid, hash_oids[i].oid, hash_oids[i].len))
			sig->hash_algo = hash_names[i];
	der_skip_optional(&si, DER_CTX0);
	if (der_expect(&si, DER_SEQUENCE, &alg) < 0 || der_expect(&si, DER_OCTET_STRING, &digest) < 0)
		return -EBADMSG;
	sig->sig = digest.p;
	sig->sig_len = (size_t)(digest.end - digest.p);
	return 0;
}

int modsig_parse(const void *image, size_t size, struct modsig *sig, size_t *module_len,
		 const char **why)
{
	const unsigned char *p = image, *info;
	uint32_t sig_len;
	size_t rest;

	memset(sig, 0, sizeof(*sig));
	*module_len = size;
	*why = NULL;
	if (size < MAGIC_LEN + MODSIG_INFO_LEN || memcmp(p + size - MAGIC_LEN, magic, MAGIC_LEN) != 0)
		return 0;
	rest = size - MAGIC_LEN - MODSIG_INFO_LEN;
	info = p + rest;
	sig_len = (uint32_t)info[8] << 24 | (uint32_t)info[9] << 16 | (uint32_t)info[10] << 8 | info[11];
	if (info[2] >= sizeof(id_names) / sizeof(id_names[0])) {
		*why = "unknown signature type";
		return -EBADMSG;
	}
	sig->id_type = id_names[info[2]];
	if ((uint64_t)sig_len + info[3] + info[4] > rest || sig_len == 0) {
		*why = "signature longer than the file";
		return -EBADMSG;
	}
	rest -= sig_len;
	if (info[2] == ID_PKCS7) {
		*module_len = rest;
		if (parse_pkcs7(p + rest, sig_len, sig) < 0) {
			*why = "malformed PKCS#7 signature";
			return -EBADMSG;
		}
		return 1;
	}
	/* Older forms: [signer][key id][signature] before the info block. */
	sig->sig = p + rest;
	sig->sig_len = sig_len;
	rest -= info[4];
	sig->key_id = p + rest;
	sig->key_id_len = info[4];
	rest -= info[3];
	sig->signer = p + rest;
	sig->signer_len = info[3];
	if (info[1] < sizeof(hash_names) / sizeof(hash_names[0]))
		sig->hash_algo = hash_names[info[1]];
	*module_len = rest;
	return 1;
}
