// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the signature trailer and its PKCS#7 DER. The input is used
 * as the signature data, with a valid trailer appended half the time, so
 * the DER reader itself is reached. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char magic[] = "~Module signature appended~\n";
	size_t total = size + 12 + 28;
	unsigned char *buf = malloc(total);
	struct modsig sig;
	size_t modlen;
	const char *why;

	/* 1: as it is */
	memcpy(buf, data, size);
	modsig_parse(buf, size, &sig, &modlen, &why);
	/* 2: as the PKCS#7 blob of a well-formed trailer */
	memset(buf + size, 0, 12);
	buf[size + 2] = 2;   /* PKCS#7 */
	buf[size + 8] = (unsigned char)(size >> 24);
	buf[size + 9] = (unsigned char)(size >> 16);
	buf[size + 10] = (unsigned char)(size >> 8);
	buf[size + 11] = (unsigned char)size;
	memcpy(buf + size + 12, magic, 28);
	if (modsig_parse(buf, total, &sig, &modlen, &why) == 1) {
		volatile size_t sink = sig.signer_len + sig.key_id_len + sig.sig_len;

		(void)sink;
	}
	free(buf);
	return 0;
}
