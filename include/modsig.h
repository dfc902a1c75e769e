/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODSIG_H
#define MODUTILS_MODSIG_H

#include <stddef.h>

/*
 * The signature a module may carry after its ELF image:
 *   [signature data][struct module_signature, 12 bytes]["~Module signature appended~\n"]
 * For PKCS#7 (id_type 2) the data is DER; a small reader of our own finds
 * the signer (issuer CN), key id (serial number), digest algorithm and the
 * signature bytes. No crypto library: nothing is verified, only shown.
 */
struct modsig {
	const char *id_type;        /* "PKCS#7", "X509", "PGP" */
	const char *hash_algo;      /* "sha256", ... or NULL when unknown */
	const unsigned char *signer;
	size_t signer_len;
	const unsigned char *key_id;
	size_t key_id_len;
	const unsigned char *sig;
	size_t sig_len;
};

/* 1 and *sig filled when the image is signed, 0 when it is not, -EBADMSG
 * with *why set when the trailer or its DER is malformed. *module_len is
 * the size of the image without the signature. */
int modsig_parse(const void *image, size_t size, struct modsig *sig, size_t *module_len,
		 const char **why);

#endif
