// SPDX-License-Identifier: GPL-2.0-or-later
/* glob_match against glibc's fnmatch(p, s, 0): every expectation comes from
 * fnmatch itself (the product does not link it; this test does). */
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "glob_match.h"

static unsigned long mismatches;

/* The reference is glibc's fnmatch: another libc's differs in corner cases. */
static void need_glibc(void)
{
#ifndef __GLIBC__
	skip();
#endif
}

/* Count (and show the first few) disagreements instead of stopping at one. */
static void compare(const char *p, const char *s)
{
	bool want = fnmatch(p, s, 0) == 0;

	if (glob_match(p, s) != want && mismatches++ < 20)
		print_error("pattern \"%s\" string \"%s\": fnmatch %s, glob_match %s\n", p, s,
			    want ? "matches" : "does not", want ? "does not" : "matches");
}

static const struct { const char *p, *s; } cases[] = {
	/* modules.alias patterns */
	{ "pci:v00008086d*sv*sd*bc*sc*i*", "pci:v00008086d00001234sv00001028sd000004AAbc02sc00i00" },
	{ "pci:v00008086d*sv*sd*bc*sc*i*", "pci:v000010ECd00008168sv00001028sd000004AAbc02sc00i00" },
	{ "pci:v00008086d*sv*sd*bc*sc*i*", "pci:v00008086d00001234" },
	{ "pci:v00008086d00001533sv*sd*bc*sc*i*", "pci:v00008086d00001533sv00008086sd00000001bc02sc00i00" },
	{ "pci:v*d*sv*sd*bc0Csc03i30*", "pci:v00008086d0000A36Dsv00001028sd0000085Cbc0Csc03i30" },
	{ "pci:v*d*sv*sd*bc0Csc03i30*", "pci:v00008086d0000A36Dsv00001028sd0000085Cbc0Csc03i20" },
	{ "usb:v0BDAp8179d*dc*dsc*dp*ic*isc*ip*in*", "usb:v0BDAp8179d0000dc00dsc00dp00icFFiscFFipFFin00" },
	{ "usb:v0BDAp8179d*dc*dsc*dp*ic*isc*ip*in*", "usb:v0BDAp8178d0000dc00dsc00dp00icFFiscFFipFFin00" },
	{ "usb:v*p*d*dc*dsc*dp*ic08isc06ip50in*", "usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00" },
	{ "usb:v*p*d*dc*dsc*dp*ic08isc06ip50in*", "usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip62in00" },
	{ "usb:v05ACp*d*dc*dsc*dp*ic03isc*ip*in*", "usb:v05ACp0250d0224dc00dsc00dp00ic03isc01ip02in00" },
	{ "usb:v0E8Dp7961d*dc*dsc*dp*icFFiscFFipFFin*", "usb:v0E8Dp7961d0100dcEFdsc02dp01icFFiscFFipFFin03" },
	{ "usb:v1D6Bp0003d[0-5]*dc*dsc*dp*ic*isc*ip*in*", "usb:v1D6Bp0003d0515dc09dsc00dp03ic09isc00ip00in00" },
	{ "usb:v1D6Bp0003d[0-5]*dc*dsc*dp*ic*isc*ip*in*", "usb:v1D6Bp0003d0615dc09dsc00dp03ic09isc00ip00in00" },
	{ "usb:v0403p6001d0[0-5]*dc*", "usb:v0403p6001d0400dc00" },
	{ "usb:v0403p6001d0[0-5]*dc*", "usb:v0403p6001d0600dc00" },
	{ "usb:v046DpC52Bd0[0-9][0-9][0-9]dc*", "usb:v046DpC52Bd0111dc00" },
	{ "usb:v046DpC52Bd0[0-9][0-9][0-9]dc*", "usb:v046DpC52Bd01A1dc00" },
	{ "usb:v*p*d*dc*dsc*dp*ic0Eisc01ip0[01]in*", "usb:v046Dp0825d0010dcEFdsc02dp01ic0Eisc01ip00in00" },
	{ "usb:v*p*d*dc*dsc*dp*ic0Eisc01ip0[01]in*", "usb:v046Dp0825d0010dcEFdsc02dp01ic0Eisc01ip02in00" },
	{ "of:N*T*Cfsl,imx6ul-gpio*", "of:NgpioT(null)Cfsl,imx6ul-gpioCfsl,imx35-gpio" },
	{ "of:N*T*Cfsl,imx6ul-gpio*", "of:NgpioT(null)Cfsl,imx35-gpio" },
	{ "of:N*T*Cfsl,imx6ul-gpio", "of:NgpioT(null)Cfsl,imx6ul-gpioCfsl,imx35-gpio" },
	{ "of:N*T*Csnps,dw-apb-uart*", "of:NserialT(null)Csnps,dw-apb-uart" },
	{ "of:N*T*Cbrcm,bcm2835-sdhci*", "of:NmmcT(null)Cbrcm,bcm2711-emmc2Cbrcm,bcm2835-sdhci" },
	{ "acpi*:PNP0A08:*", "acpi:PNP0A08:PNP0A03:" },
	{ "acpi*:PNP0A08:*", "acpi:PNP0A03:" },
	{ "acpi*:PNP0A08:*", "acpiX:PNP0A08:" },
	{ "acpi*:PNP0A08:*", "acpi:PNP0A08" },
	{ "acpi*:ACPI0003:*", "acpi:ACPI0003:" },
	{ "platform:*", "platform:serial8250" },
	{ "dmi*:svnLENOVO:*pvrThinkPad*:*", "dmi:bvnLENOVO:bvrN2HET59W:svnLENOVO:pn20QN:pvrThinkPadX1Carbon7th:rvnLENOVO:" },
	{ "dmi*:svnLENOVO:*pvrThinkPad*:*", "dmi:bvnLENOVO:svnDell:pvrThinkPad:" },
	{ "input:b*v*p*e*-e*1,*2,*k*r*8,*a*m*l*s*f*w*", "input:b0003v046Dp4024e0111-e0,1,2,3,4,k71,72,r0,1,6,8,a20,m4,lsfw" },
	{ "hid:b0003g*v0000046Dp0000C52B", "hid:b0003g0001v0000046Dp0000C52B" },
	{ "cpu:type:x86,ven*fam*mod*:feature:*0058*", "cpu:type:x86,ven0000fam0006mod008E:feature:,0000,0001,0058,0066" },
	{ "virtio:d00000001v*", "virtio:d00000001v00001AF4" },
	{ "scsi:t-0x05*", "scsi:t-0x05" },
	{ "scsi:t-0x0[0-5]*", "scsi:t-0x0e" },
	{ "fs-ext4", "fs-ext4" },
	{ "fs-ext*", "fs-ext3" },
	{ "snd-card-*", "snd-card-0" },
	{ "char-major-10-*", "char-major-10-229" },
	{ "char-major-10-2[0-9][0-9]", "char-major-10-229" },
	{ "char-major-10-2[0-9][0-9]", "char-major-10-29" },
	/* '*' and '?' also take '/' and a leading '.' (no FNM_PATHNAME/PERIOD) */
	{ "*", ".hidden" },
	{ "?hidden", ".hidden" },
	{ "a*b", "a/x/b" },
	{ "a?b", "a/b" },
	{ "*/*", "dir/file" },
	{ "[.]x", ".x" },
	/* empty pattern and string */
	{ "", "" },
	{ "", "a" },
	{ "*", "" },
	{ "?", "" },
	{ "[a]", "" },
	{ "\\", "" },
	/* runs of '*' and '?' */
	{ "**", "" },
	{ "***a***", "a" },
	{ "*?*?*", "a" },
	{ "*?*?*", "ab" },
	{ "?*?", "ab" },
	{ "a**b**c", "abc" },
	{ "a*?b", "ab" },
	{ "a*?b", "axb" },
	{ "*a*a*a*", "aaa" },
	{ "*a*a*a*", "aa" },
	{ "*ab*ab", "abxabyab" },
	{ "*x", "abcxabcy" },
	/* brackets: ranges, negation, ']' first, '-' first or last */
	{ "[abc]", "b" },
	{ "[abc]", "d" },
	{ "[a-c]x", "bx" },
	{ "[a-c]x", "dx" },
	{ "[!a-c]", "d" },
	{ "[!a-c]", "b" },
	{ "[^a-c]", "d" },
	{ "[^a-c]", "a" },
	{ "[]]", "]" },
	{ "[]a]", "a" },
	{ "[]-a]", "^" },
	{ "[]-a]", "b" },
	{ "[!]]", "]" },
	{ "[!]]", "x" },
	{ "[^]]", "]" },
	{ "[-a]", "-" },
	{ "[a-]", "-" },
	{ "[a-]", "b" },
	{ "[z-a]", "m" },
	{ "[a-a]", "a" },
	{ "[%--]", "+" },
	{ "[--/]", "." },
	{ "[]", "]" },
	{ "[]x", "]x" },
	{ "[!]", "!" },
	{ "[!]x", "x" },
	{ "[\x80-\xff]", "\xc3" },
	{ "[!\x80-\xff]", "\xc3" },
	{ "[a-\x90]", "\x85" },
	/* classes */
	{ "[[:alpha:]]", "q" },
	{ "[[:alpha:]]", "7" },
	{ "[[:digit:][:upper:]]", "7" },
	{ "[[:digit:][:upper:]]", "Q" },
	{ "[[:digit:][:upper:]]", "q" },
	{ "[![:space:]]", " " },
	{ "[[:space:]]", "\t" },
	{ "[[:blank:]]", "\n" },
	{ "[[:punct:]]", "_" },
	{ "[[:punct:]]", "a" },
	{ "[[:xdigit:]]", "F" },
	{ "[[:xdigit:]]", "g" },
	{ "[[:cntrl:]]", "\x7f" },
	{ "[[:print:]]", " " },
	{ "[[:graph:]]", " " },
	{ "[[:alnum:]_]", "_" },
	{ "[[:lower:]]", "\xe9" },
	{ "[[:foo:]]", "f" },
	{ "[a[:foo:]]", "a" },
	{ "[[:foo:]a]", "a" },
	{ "[[:alpha:]", "a" },
	{ "[[:alpha]", ":" },
	{ "[[:alpha]", "[:alpha]" },
	{ "[[:zap:]]", "z" },
	{ "[[::]]", ":" },
	{ "[[:ALPHA:]]", "a" },
	{ "[[:alpha:]-z]", "-" },
	/* equivalence classes and collating symbols of the C locale */
	{ "[[=a=]]", "a" },
	{ "[[=a=]b]", "b" },
	{ "[[=a=]-z]", "m" },
	{ "[[=ab=]]", "a" },
	{ "[[=a=]", "a" },
	{ "[[.a.]]", "a" },
	{ "[[.a.]-c]", "b" },
	{ "[a-[.c.]]", "b" },
	{ "[[.ab.]]", "a" },
	{ "[[.a.]-]", "a" },
	{ "[[.-.]]", "-" },
	{ "[x[.ab.]]", "x" },
	{ "[x[.ab]", "x" },
	/* backslash, outside and inside brackets */
	{ "\\*", "*" },
	{ "\\*", "a" },
	{ "\\?", "?" },
	{ "\\a", "a" },
	{ "\\\\", "\\" },
	{ "\\[a]", "[a]" },
	{ "a\\", "a" },
	{ "a\\", "a\\" },
	{ "*\\", "a\\" },
	{ "[\\]]", "]" },
	{ "[\\]]", "\\" },
	{ "[\\\\]", "\\" },
	{ "[a\\-c]", "-" },
	{ "[a\\-c]", "b" },
	{ "[\\a-c]", "b" },
	{ "[a-\\c]", "b" },
	{ "[a-\\]]", "]" },
	{ "[!\\]]", "]" },
	{ "[\\", "[\\" },
	{ "[a\\", "[a\\" },
	{ "*\\*", "ab*" },
	/* unterminated '[': an ordinary byte, unless a member matched first */
	{ "[", "[" },
	{ "[a", "[a" },
	{ "[a", "a" },
	{ "[!a", "[!a" },
	{ "[[", "[" },
	{ "[[", "[[" },
	{ "[[*", "[[" },
	{ "*[", "x[" },
	{ "[*", "[xyz" },
	{ "[a-", "a" },
	{ "[a-", "[a-" },
	{ "[[-", "[[-" },
	{ "[]", "[]" },
	{ "x[a-z", "x[a-z" },
	{ "[*]", "*" },
	{ "[?]", "x" },
};

static void table_agrees_with_fnmatch(void **state)
{
	need_glibc();
	mismatches = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		compare(cases[i].p, cases[i].s);
	assert_true(sizeof(cases) / sizeof(cases[0]) >= 120);
	assert_int_equal(mismatches, 0);
}

/* Every word up to max long over alpha, in buf, handed to fn. */
static void each_word(char *buf, size_t len, size_t max, const char *alpha,
		      void (*fn)(const char *))
{
	buf[len] = '\0';
	fn(buf);
	if (len < max)
		for (const char *a = alpha; *a; a++) {
			buf[len] = *a;
			each_word(buf, len + 1, max, alpha, fn);
		}
}

static char cur_pattern[8];
static unsigned long pairs;

static void against_pattern(const char *s)
{
	compare(cur_pattern, s);
	pairs++;
}

static void each_string(const char *p)
{
	char s[8];

	(void)p;
	each_word(s, 0, 4, "ab-]", against_pattern);
}

/* All patterns up to 4 long over {a b * ? [ ] ! \ -} against all strings up
 * to 4 long over {a b - ]}: 7381 x 341 pairs. */
static void exhaustive_short_patterns(void **state)
{
	need_glibc();
	mismatches = 0;
	pairs = 0;
	each_word(cur_pattern, 0, 4, "ab*?[]!\\-", each_string);
	assert_int_equal(pairs, 7381UL * 341);
	assert_int_equal(mismatches, 0);
}

/* Random longer patterns, heavy in bracket syntax, with class names and
 * [= =] [. .] pieces put in. Seeded: the same cases every run. */
static void random_bracket_soup(void **state)
{
	static const char *const bits[] = {
		"[:alpha:]", "[:digit:]", "[:nope:]", "[:", ":]", "[=a=]", "[.a.]", "[.-.]",
		"[=", "[.", "[::]", "\\", "]", "[", "-", "*",
	};
	static const char pat_chars[] = "ab*?[]!^\\-:=.";
	static const char str_chars[] = "ab[]-:.=\\";
	unsigned seed = 12345;
	need_glibc();

	mismatches = 0;
	for (int i = 0; i < 200000; i++) {
		char p[64] = "", s[16];
		int n;

		seed = seed * 1103515245 + 12345;
		n = (int)(seed >> 16) % 6;
		for (int k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 3 == 0) {
				strcat(p, bits[(seed >> 18) % 16]);
			} else {
				char c[2] = { pat_chars[(seed >> 18) % (sizeof(pat_chars) - 1)], 0 };

				strcat(p, c);
			}
		}
		seed = seed * 1103515245 + 12345;
		n = (int)(seed >> 16) % 8;
		for (int k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			s[k] = str_chars[(seed >> 16) % (sizeof(str_chars) - 1)];
		}
		s[n] = '\0';
		compare(p, s);
	}
	assert_int_equal(mismatches, 0);
}

/* glibc stops reading a "[:name" after 2047 or 2048 letters. */
static void long_class_names(void **state)
{
	static const size_t lens[] = { 6, 7, 2046, 2047, 2048, 2049 };
	char *p, *letters;

	need_glibc();
	p = malloc(2100);
	letters = malloc(2100);
	assert_non_null(p);
	assert_non_null(letters);
	mismatches = 0;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(letters, 'a', lens[i]);
		letters[lens[i]] = '\0';
		for (int form = 0; form < 4; form++) {
			snprintf(p, 2100, form == 0 ? "[[:%s!]" : form == 1 ? "[b[:%s!]"
				 : form == 2 ? "[b[:%s:]]" : "[[:%s:]]", letters);
			compare(p, "[");
			compare(p, "b");
			compare(p, "!");
			compare(p, "c");
		}
	}
	free(p);
	free(letters);
	assert_int_equal(mismatches, 0);
}

/* Backtracking only to the last star keeps hostile patterns polynomial. */
static void hostile_patterns_are_fast(void **state)
{
	size_t len = 100000;
	char *s = malloc(len + 2);
	clock_t t0 = clock();

	assert_non_null(s);
	memset(s, 'a', len);
	s[len] = '\0';
	assert_false(glob_match("*a*a*a*a*a*a*a*a*a*a*b", s));
	assert_false(glob_match("*[a]*[!b]*?*a*a*a*a*[[:alpha:]]*a*a*b", s));
	s[len] = 'b';
	s[len + 1] = '\0';
	assert_true(glob_match("*a*a*a*a*a*a*a*a*a*a*b", s));
	assert_true(glob_match("*a*a*a*a*a*a*a*a*a*a*[b]", s));
	/* Short enough for glibc too: the answers agree. */
	s[200] = '\0';
	mismatches = 0;
	compare("*a*a*a*a*a*a*a*b", s);
	compare("*a*a*a*a*a*a*a*a", s);
	assert_int_equal(mismatches, 0);
	free(s);
	/* Quadratic at worst: well under a second even under sanitizers. */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_agrees_with_fnmatch),
		cmocka_unit_test(exhaustive_short_patterns),
		cmocka_unit_test(random_bracket_soup),
		cmocka_unit_test(long_class_names),
		cmocka_unit_test(hostile_patterns_are_fast),
	};

	/* With it set glibc reads a leading '^' literally (glob_match never does). */
	unsetenv("POSIXLY_CORRECT");
	return cmocka_run_group_tests_name("glob_match", tests, NULL, NULL);
}
