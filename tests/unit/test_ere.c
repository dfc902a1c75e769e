// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libbb/ere.c against glibc's own regcomp()/regexec(): every match or
 * refusal expected comes from glibc at run time, none is written by hand.
 * Only ere.h's own limits and the GNU extensions it refuses are.
 */
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "ere.h"

/* 1 match, 0 none, -EINVAL when glibc does not compile the pattern. */
static int glibc_match(const char *pattern, const char *string)
{
	regex_t re;
	int r;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return -EINVAL;
	r = regexec(&re, string, 0, NULL, 0) == 0;
	regfree(&re);
	return r;
}

static int check(const char *pattern, const char *string)
{
	int want = glibc_match(pattern, string), got = ere_match(pattern, string);

	if (got != want)
		print_error("ere_match(\"%s\", \"%s\") = %d, glibc %d\n", pattern, string, got, want);
	return got == want;
}

struct pair { const char *pattern, *string; };

static const struct pair cases[] = {
	/* depmod.d kernel version patterns */
	{ "6\\.1\\..*", "6.1.0-13-amd64" },
	{ "6\\.1\\..*", "6.10.0" },
	{ "6\\.1\\..*", "5.6.1.2" },
	{ "^6\\.1\\.0-[0-9]+-amd64$", "6.1.0-13-amd64" },
	{ "^6\\.1\\.0-[0-9]+-amd64$", "6.1.0--amd64" },
	{ "^6\\.1\\.0-[0-9]+-amd64$", "6.1.0-13-amd64-rt" },
	{ "^6\\.1\\.0-[0-9]+-amd64$", "x6.1.0-13-amd64" },
	{ "5\\.(4|10|15)\\.", "5.10.0" },
	{ "5\\.(4|10|15)\\.", "5.15.3" },
	{ "5\\.(4|10|15)\\.", "5.11.0" },
	{ "5\\.(4|10|15)\\.", "15.4.1" },
	{ "[0-9]+\\.[0-9]+", "6.1" },
	{ "[0-9]+\\.[0-9]+", "v6-1" },
	{ "^[0-9]+\\.[0-9]+\\.[0-9]+(-[a-z0-9]+)*$", "6.1.0-13-amd64" },
	{ "^[0-9]+\\.[0-9]+\\.[0-9]+(-[a-z0-9]+)*$", "6.1.0-13-AMD64" },
	{ "^(5|6)\\.[0-9]{1,2}\\.", "6.12.1" },
	{ "^(5|6)\\.[0-9]{1,2}\\.", "6.123.1" },
	{ "-rt[0-9]*$", "6.1.0-13-rt-amd64" },
	{ "-rt[0-9]*$", "6.1.0-rt13" },
	{ "6.1", "6x1" },
	/* literals, '.', anchors */
	{ "", "" },
	{ "", "abc" },
	{ "abc", "xabcx" },
	{ "abc", "abxc" },
	{ "a.c", "abc" },
	{ "a.c", "ac" },
	{ "a.c", "a\nc" },
	{ "^abc", "abcd" },
	{ "^abc", "xabc" },
	{ "abc$", "xabc" },
	{ "abc$", "abcx" },
	{ "^$", "" },
	{ "^$", "a" },
	{ "a^b", "a^b" },
	{ "a$b", "a$b" },
	{ "(^a|b)c", "xbc" },
	{ "(^a|b)c", "xac" },
	{ "(a$|b)", "xa" },
	{ "x(a|$)", "x" },
	/* bracket expressions */
	{ "[abc]", "xxbxx" },
	{ "[abc]", "xyz" },
	{ "[a-f]+", "zzdeadzz" },
	{ "^[a-f]+$", "deadbeefg" },
	{ "[^a-z]", "abc" },
	{ "[^a-z]", "abC" },
	{ "[]a]", "]" },
	{ "[]a]", "b" },
	{ "[^]a]", "]" },
	{ "[^]a]", "]b" },
	{ "[a-]", "-" },
	{ "[-a]", "-" },
	{ "[--z]", "a" },
	{ "[%--]", "+" },
	{ "[a\\]", "\\" },
	{ "[a\\]]", "\\]" },
	{ "[.]", "a" },
	{ "[*+?{|(]", "x(y" },
	{ "[[:alpha:]]", "1a" },
	{ "[[:alpha:]]", "12" },
	{ "[[:digit:]]+", "abc123" },
	{ "^[[:alnum:]]+$", "abc123" },
	{ "^[[:alnum:]]+$", "abc-123" },
	{ "[[:upper:]]", "abc" },
	{ "[[:upper:]]", "aBc" },
	{ "[[:lower:]]", "ABC" },
	{ "[[:space:]]", "a b" },
	{ "[[:space:]]", "a\tb" },
	{ "[[:space:]]", "ab" },
	{ "[[:punct:]]", "ab" },
	{ "[[:punct:]]", "a.b" },
	{ "^[[:xdigit:]]+$", "0fA9" },
	{ "^[[:xdigit:]]+$", "0fG9" },
	{ "[[:blank:]]", "a\tb" },
	{ "[[:cntrl:]]", "a\x01" },
	{ "[[:graph:]]", " " },
	{ "[[:print:]]", " " },
	{ "[^[:digit:]]", "123" },
	{ "[^[:digit:]]", "12a" },
	{ "[[:digit:][:upper:]_]+$", "X_9" },
	{ "[[:alpha:]-]", "-" },
	{ "[[.a.]-c]", "b" },
	{ "[[.].]]", "]" },
	{ "[[...]]", "." },
	{ "[[=a=]]", "a" },
	{ "[[=a=]b]", "b" },
	{ "[[.-.]]", "-" },
	/* groups and alternation */
	{ "a|b", "b" },
	{ "a|b", "c" },
	{ "ab|cd", "xcdx" },
	{ "(ab|cd)e", "cde" },
	{ "(ab|cd)e", "cd" },
	{ "((a|b)(c|d))+x", "acbdx" },
	{ "((a|b)(c|d))+x", "acbx" },
	{ "(a(b(c)))", "abc" },
	{ "(a(b(c|)))d", "abd" },
	{ "a|", "x" },
	{ "|a", "x" },
	{ "|", "" },
	{ "a||b", "c" },
	{ "(|a)b", "b" },
	{ "()", "x" },
	{ "a()b", "ab" },
	{ "a)", "a)" },
	{ ")", "x" },
	{ "}", "}" },
	{ "a]", "a]" },
	/* quantifiers */
	{ "ab*c", "ac" },
	{ "ab*c", "abbbc" },
	{ "ab+c", "ac" },
	{ "ab+c", "abbc" },
	{ "ab?c", "abc" },
	{ "ab?c", "abbc" },
	{ "a**", "aa" },
	{ "a+?", "" },
	{ "a*+", "b" },
	{ "a{3}", "aa" },
	{ "a{3}", "aaa" },
	{ "^a{2,3}$", "a" },
	{ "^a{2,3}$", "aaa" },
	{ "^a{2,3}$", "aaaa" },
	{ "^a{2,}$", "aaaaaaa" },
	{ "^a{2,}$", "a" },
	{ "^a{,2}$", "aa" },
	{ "^a{,2}$", "aaa" },
	{ "^a{,}$", "aaa" },
	{ "^a{0}b$", "b" },
	{ "^a{0}b$", "ab" },
	{ "^a{0,0}$", "" },
	{ "^(ab){2}$", "abab" },
	{ "^(ab){2}$", "ab" },
	{ "^(a|bc){2,3}$", "bcabc" },
	{ "^(a|bc){2,3}$", "abcabc" },
	{ "^a{1}{2}$", "aa" },
	{ "^a{2}*$", "aaa" },
	{ "^a{2}*$", "aaaa" },
	{ "^(a{1,2}){2}$", "aaa" },
	{ "^(a{1,2}){2}$", "aaaaa" },
	{ "^([0-9]{1,3}\\.){3}[0-9]{1,3}$", "192.168.0.1" },
	{ "^([0-9]{1,3}\\.){3}[0-9]{1,3}$", "192.168.0" },
	{ "^()*$", "" },
	{ "^(a*)*$", "aaa" },
	{ "^(a*)+b$", "aab" },
	{ "^(a|b*)*c$", "abbac" },
	{ "^(a?)*$", "aaa" },
	{ "(^|x)*y", "y" },
	{ "^(a{0,3}){0,3}b$", "aaaaaaab" },
	{ "^(a{0,3}){0,3}b$", "aaaaaaaaaab" },
	/* escapes */
	{ "a\\.b", "a.b" },
	{ "a\\.b", "axb" },
	{ "\\(a\\)", "(a)" },
	{ "\\*\\+\\?\\{\\}\\|\\[\\]\\^\\$\\\\", "*+?{}|[]^$\\" },
	{ "\\a\\d", "ad" },
	{ "a\\{2\\}", "a{2}" },
};

static void matches_like_glibc(void **state)
{
	unsigned bad = 0, hits = 0;
	size_t n = sizeof(cases) / sizeof(cases[0]);

	assert_true(n >= 80);
	for (size_t i = 0; i < n; i++) {
		int want = glibc_match(cases[i].pattern, cases[i].string);

		if (want < 0)
			print_error("glibc refuses \"%s\"\n", cases[i].pattern);
		bad += want < 0 || !check(cases[i].pattern, cases[i].string);
		hits += want == 1;
	}
	assert_int_equal(bad, 0);
	/* The table tests both answers. */
	assert_true(hits > n / 4 && hits < n - n / 4);
}

/* Every byte against every class, and every byte as a literal. */
static void classes_and_bytes_like_glibc(void **state)
{
	static const char *const names[] = {
		"alnum", "alpha", "blank", "cntrl", "digit", "graph",
		"lower", "print", "punct", "space", "upper", "xdigit",
	};
	unsigned bad = 0;

	for (int c = 1; c < 256; c++) {
		char str[2] = { (char)c, '\0' }, pat[32];

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(pat, sizeof(pat), "[[:%s:]]", names[i]);
			bad += !check(pat, str);
			snprintf(pat, sizeof(pat), "[^x[:%s:]]", names[i]);
			bad += !check(pat, str);
		}
		bad += !check(".", str);
		bad += !check("[^a]", str);
		bad += !check("[ -~]", str);
		if (!strchr("\\^$.[|()*+?{", c)) {
			bad += !check(str, str);
			bad += !check(str, "a");
		}
	}
	assert_int_equal(bad, 0);
}

/*
 * glibc 2.36 gets these wrong: with REG_NOSUB it lets a '$' match inside a
 * repeated group, and a copied {2} group keeps its '^' matching. Each one
 * written out by hand is right in glibc too.
 */
static void where_glibc_is_wrong(void **state)
{
	static const struct { const char *short_form, *written_out, *string; } cases[] = {
		{ "a(b$){0,1}{2}x", "a(b$)?(b$)?x", "abx" },
		{ "(^.|b.){2}[[:punct:]]", "(^.|b.)(^.|b.)[[:punct:]]", "-a." },
		{ "(^.|b.()*){2}[[:space:]]", "(^.|b.()*)(^.|b.()*)[[:space:]]", "-a " },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int want = glibc_match(cases[i].written_out, cases[i].string);

		assert_int_not_equal(want, -EINVAL);
		assert_int_equal(ere_match(cases[i].short_form, cases[i].string), want);
		assert_int_equal(ere_match(cases[i].written_out, cases[i].string), want);
	}
}

/* Patterns glibc refuses: ours gives -EINVAL for each. */
static void refuses_what_glibc_refuses(void **state)
{
	static const char *const bad[] = {
		"(", "(a", "a(b|c", "((a)", "[", "[a", "[]", "[^]", "[^", "[a-",
		"[[:alpha:]", "[[:alpha]", "[[:foo:]]", "[[::]]", "[[:]", "[[.ab.]]",
		"[[..]]", "[z-a]", "[a-c-e]", "[[=a=]-z]", "[a-[:alpha:]]", "[[:alpha:]-z]",
		"*", "+a", "?", "{1}", "a|*b", "(*a)", "^*", "$+", "a{", "a{1", "a{1,",
		"a{x}", "a{}", "a{1,2,3}", "a{ 1}", "a{3,2}", "a{32768}", "a{1,32768}",
		"{,1}", "a\\", "\\",
	};
	unsigned wrong = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(glibc_match(bad[i], "a"), -EINVAL);
		wrong += !check(bad[i], "a");
	}
	assert_int_equal(wrong, 0);
}

/* GNU extensions glibc takes and ere_match() does not: refused, not guessed. */
static void refuses_gnu_extensions(void **state)
{
	static const char *const gnu[] = {
		"(a)\\1", "\\w", "\\W", "\\s", "\\S", "\\bx", "x\\B", "\\<x", "x\\>", "\\`x", "x\\'",
	};

	for (size_t i = 0; i < sizeof(gnu) / sizeof(gnu[0]); i++) {
		assert_int_not_equal(glibc_match(gnu[i], "x"), -EINVAL);
		assert_int_equal(ere_match(gnu[i], "x"), -EINVAL);
	}
}

/* Random patterns from ERE pieces, valid or not, against glibc. */
static void random_patterns_like_glibc(void **state)
{
	static const char *const pieces[] = {
		"a", "b", "1", ".", "-", "*", "+", "?", "|", "|", "(", "(", ")", ")", "^", "$",
		"{2}", "{0,2}", "{1,}", "{,1}", "{", "}", "[ab]", "[^a]", "[a-]", "[]b]",
		"[[:digit:]]", "[[:alpha:]-]", "\\.", "\\(", "]", "[",
	};
	static const char chars[] = "ab1.-(";
	unsigned seed = 1, bad = 0;

	for (int i = 0; i < 20000 && bad < 10; i++) {
		char pat[64] = "", str[16];
		int np = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 8;
		int ns = (int)((seed = seed * 1103515245 + 12345) >> 16) % 8;

		for (int k = 0; k < np; k++)
			strcat(pat, pieces[((seed = seed * 1103515245 + 12345) >> 16) %
					  (sizeof(pieces) / sizeof(pieces[0]))]);
		for (int k = 0; k < ns; k++)
			str[k] = chars[((seed = seed * 1103515245 + 12345) >> 16) % (sizeof(chars) - 1)];
		str[ns] = '\0';
		bad += !check(pat, str);
	}
	assert_int_equal(bad, 0);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Nested loops over the empty string: no hang, no blow-up. */
static void hostile_patterns_finish(void **state)
{
	static const char *const hostile[] = {
		"(a*)*b", "(a+)+b", "(a|a)*b", "((a*)*)*b", "(a|aa)+$b", "(.*)*x",
		"(a?){30}a{30}b", "((a{0,5}){0,5}){0,5}b", "(()*)*b", "(|a)*(|a)*b",
	};
	char as[61];
	double t0 = seconds();

	memset(as, 'a', 60);
	as[60] = '\0';
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		assert_true(check(hostile[i], as));
	assert_true(seconds() - t0 < 1.0);
}

static void limits(void **state)
{
	char pat[ERE_PATTERN_MAX + 2], *big;
	size_t bigsize = 400000;
	double t0;

	/* Pattern length: up to ERE_PATTERN_MAX, then -EINVAL. */
	memset(pat, 'a', sizeof(pat));
	pat[ERE_PATTERN_MAX] = '\0';
	assert_int_equal(ere_match(pat, pat), 1);
	pat[ERE_PATTERN_MAX] = 'a';
	pat[ERE_PATTERN_MAX + 1] = '\0';
	assert_int_equal(ere_match(pat, pat), -EINVAL);
	/* 128 nested groups */
	for (int i = 0; i < 128; i++) {
		pat[i] = '(';
		pat[128 + i] = ')';
	}
	pat[256] = '\0';
	assert_true(check(pat, "x"));

	/* Counts glibc takes but that compile to too many states. */
	assert_int_equal(glibc_match("a{1000}", "a"), 0);
	assert_int_equal(ere_match("a{1000}", "a"), -E2BIG);
	assert_int_equal(ere_match("(a{0,100}){0,100}", "a"), -E2BIG);
	assert_int_equal(ere_match("(){32767}", "a"), 1);

	/* A long string runs out of steps instead of time. */
	big = malloc(bigsize + 1);
	assert_non_null(big);
	memset(big, 'a', bigsize);
	big[bigsize] = '\0';
	t0 = seconds();
	assert_int_equal(ere_match("(a*)*(a|b)*(a*)*c", big), -E2BIG);
	assert_int_equal(ere_match("^a", big), 1);
	/* The longest bracket expression, 500 times: its bytes count as steps. */
	strcpy(pat, "[");
	while (strlen(pat) + 9 + 7 <= ERE_PATTERN_MAX)
		strcat(pat, "[:alnum:]");
	strcat(pat, "]{500}x");
	assert_int_equal(ere_match(pat, big), -E2BIG);
	assert_true(seconds() - t0 < 2.0);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_like_glibc),
		cmocka_unit_test(classes_and_bytes_like_glibc),
		cmocka_unit_test(where_glibc_is_wrong),
		cmocka_unit_test(refuses_what_glibc_refuses),
		cmocka_unit_test(refuses_gnu_extensions),
		cmocka_unit_test(random_patterns_like_glibc),
		cmocka_unit_test(hostile_patterns_finish),
		cmocka_unit_test(limits),
	};
	return cmocka_run_group_tests_name("ere", tests, NULL, NULL);
}
