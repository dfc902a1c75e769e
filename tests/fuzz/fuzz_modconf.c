// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: modprobe.d syntax and the kernel command line. Input up to
 * the first NUL is a configuration file, the rest a command line. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t conflen = nul ? (size_t)(nul - data) : size;
	char *conf = malloc(conflen + 1), *cmdline;
	struct modconf c = { 0 };

	memcpy(conf, data, conflen);
	conf[conflen] = '\0';
	modconf_parse(&c, "fuzz.conf", conf, conflen);
	if (nul != NULL) {
		size_t n = size - conflen - 1;

		cmdline = malloc(n + 1);
		memcpy(cmdline, nul + 1, n);
		cmdline[n] = '\0';
		modconf_parse_cmdline(&c, cmdline);
		free(cmdline);
	}
	free(modconf_options(&c, "modtest_a"));
	modconf_blacklisted(&c, "modtest_a");
	modconf_find(&c, MC_SOFTDEP, "modtest_b", NULL);
	modconf_find(&c, MC_INSTALL, "snd-hda", NULL);
	modconf_free(&c);
	free(conf);
	return 0;
}
