// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "confline.h"

/* The lines of text[0..len) (len + 1 bytes writable), joined with '|',
 * each followed by ':' and the line number it ended on. */
static void lines_of(const char *text, size_t len, char *out, size_t size)
{
	char buf[256];
	struct confline r;
	size_t n = 0;

	assert_true(len < sizeof(buf));
	memcpy(buf, text, len);
	confline_init(&r, "t.conf", buf, len);
	out[0] = '\0';
	for (char *l; (l = confline_next(&r)) != NULL;)
		n += (size_t)snprintf(out + n, size - n, "%s%s:%u", n ? "|" : "", l, r.lineno);
}

#define LINES(lit, want)                                             \
	do {                                                         \
		char out_[512];                                      \
		lines_of(lit, sizeof(lit) - 1, out_, sizeof(out_));  \
		assert_string_equal(out_, want);                     \
	} while (0)

static void plain_lines(void **state)
{
	LINES("", "");
	LINES("a\n", "a:1");
	LINES("a\n\nb", "a:1|:2|b:3");
	LINES("a\nb\n", "a:1|b:2");
}

static void nul_ends_the_line_only(void **state)
{
	/* The text before the NUL applies; the later lines are read. */
	LINES("options a x=1\0install a /bin/true\ninstall b /bin/false\n",
	      "options a x=1:1|install b /bin/false:2");
	LINES("\0\nblacklist c\n", ":1|blacklist c:2");
	LINES("a \\\n b\0c \\\n d\ne\n", "a  b:3|e:4");
}

static void backslashes_as_kmod(void **state)
{
	/* "\\\n" joins, counted as lines; any other backslash is dropped. */
	LINES("a \\\n  b\nc\n", "a   b:2|c:3");
	LINES("x\\y\\\\z\n", "xy\\z:1");
	LINES("a\\\n\\\n\\\nb\n", "ab:4");
	/* A file that ends in a joined line or a lone backslash. */
	LINES("a\n\\\n", "a:1");
	LINES("a\\", "a:1");
}

/* Lines read whole (no backslash, no NUL) and lines taken apart byte by
 * byte, mixed: the same text and line numbers either way. */
static void plain_and_joined_mixed(void **state)
{
	LINES("alias pci:v00008086d*sv*sd*bc*sc*i* e1000e_long_name\nb \\\n c\nd\\e\nlast line without end",
	      "alias pci:v00008086d*sv*sd*bc*sc*i* e1000e_long_name:1|b  c:3|de:4|last line without end:5");
	LINES("one\n\ntwo \\\nthree\nfour", "one:1|:2|two three:4|four:5");
	LINES("x\0y\nplain\n", "x:1|plain:2");
}

/* The words of a line joined with '|': blanks are spaces and tabs only, as
 * kmod splits modprobe.d and depmod.d lines. */
static void words_of(const char *line, char *out, size_t size)
{
	char buf[256], *p = buf;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	out[0] = '\0';
	for (char *w; (w = confline_word(&p)) != NULL;)
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "|" : "", w);
	/* At the end it stays at the end. */
	assert_null(confline_word(&p));
}

#define WORDS(line, want)                                    \
	do {                                                 \
		char out_[256];                              \
		words_of(line, out_, sizeof(out_));          \
		assert_string_equal(out_, want);             \
	} while (0)

static void words_split_on_blanks(void **state)
{
	WORDS("", "");
	WORDS(" \t \t", "");
	WORDS("search", "search");
	WORDS(" \tsearch\t\textra  built-in\t updates \t", "search|extra|built-in|updates");
	/* Other white space is part of a word. */
	WORDS("a\rb c\vd\fe", "a\rb|c\vd\fe");
	WORDS("#x # y", "#x|#|y");
}

/* The rest after a word starts past the one blank that ended it. */
static void word_leaves_the_rest(void **state)
{
	char line[] = "options  mod  a=1\tb=2 ", *p = line;

	assert_string_equal(confline_word(&p), "options");
	assert_string_equal(p, " mod  a=1\tb=2 ");
	assert_string_equal(confline_word(&p), "mod");
	assert_string_equal(p, " a=1\tb=2 ");
	assert_string_equal(confline_skip_blanks(p), "a=1\tb=2 ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_lines),
		cmocka_unit_test(nul_ends_the_line_only),
		cmocka_unit_test(backslashes_as_kmod),
		cmocka_unit_test(plain_and_joined_mixed),
		cmocka_unit_test(words_split_on_blanks),
		cmocka_unit_test(word_leaves_the_rest),
	};
	return cmocka_run_group_tests_name("confline", tests, NULL, NULL);
}
