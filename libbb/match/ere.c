// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * POSIX extended regular expressions for depmod.d's kernel version patterns.
 * The pattern compiles into a small program for a nondeterministic automaton
 * whose threads all advance together, one character at a time. A state is
 * entered at most once per character, so the time is linear in the string
 * and loops that match the empty string, as in (a*)*, end by themselves.
 * Matching alone (REG_NOSUB) needs no leftmost-longest rule nor submatches.
 */
#include <errno.h>
#include <string.h>

#include "cclass.h"
#include "ere.h"

#define PROG_MAX 512
#define DUP_MAX 32767           /* glibc's RE_DUP_MAX: larger counts are refused */
#define INF (DUP_MAX + 1)       /* {m,} */

/*
 * An instruction is arg * 8 + op in a short. The first three ops consume a
 * character: CHAR (arg: the byte), ANY, SET (arg: offset of the bracket
 * expression in the pattern, parsed again for each test). JMP and SPLIT
 * (go to both pc + 1 and the target) have targets relative to themselves,
 * so code can be copied and moved as it is.
 */
enum { OP_CHAR, OP_ANY, OP_SET, OP_BOL, OP_EOL, OP_JMP, OP_SPLIT, OP_MATCH };
#define OP(x) ((x) & 7)
#define ARG(x) ((x) >> 3)

struct ere {
	const char *pat;
	int n, err;
	short code[PROG_MAX];
};

/*
 * One element of a bracket expression: *kind 0 for a byte (also [.c.]: the C
 * locale's collating elements are single bytes), 1 for [=c=], 2 for
 * [:name:] with *v its number. Only a byte may start or end a range; a '-'
 * elsewhere than first or last is an error, as in glibc.
 */
static const char *element(const char *p, int first, int *v, int *kind)
{
	*kind = 0;
	*v = (unsigned char)*p;
	if (*p == '[' && (p[1] == '.' || p[1] == '=' || p[1] == ':')) {
		const char *name = p + 2, *q = name;
		size_t len;

		while (q[0] != p[1] || q[1] != ']') {
			if (*q++ == '\0')
				return NULL;
		}
		len = (size_t)(q - name);
		if (p[1] == ':') {
			*kind = 2;
			*v = cclass_find(name, len);
			return *v < 0 ? NULL : q + 2;
		}
		*kind = p[1] == '=';
		*v = (unsigned char)*name;
		return len == 1 ? q + 2 : NULL;
	}
	if (*p == '\0' || (*p == '-' && !first && p[1] != ']'))
		return NULL;
	return p + 1;
}

/* The bracket expression after a '[': its end, or NULL when malformed; *hit
 * tells whether it holds c (none does for c < 0). */
static const char *bracket(const char *p, int c, int *hit)
{
	int neg = *p == '^', first = 1, lo, hi, kind;

	*hit = 0;
	for (p += neg; first || *p != ']'; first = 0) {
		p = element(p, first, &lo, &kind);
		if (p == NULL)
			return NULL;
		hi = lo;
		if (!kind && *p == '-' && p[1] != ']') {
			p = element(p + 1, 1, &hi, &kind);
			if (p == NULL || kind || hi < lo)
				return NULL;
		}
		if (kind == 2 ? cclass_has(lo, c) : lo <= c && c <= hi)
			*hit = 1;
	}
	*hit ^= neg;
	return p + 1;
}

/* Insert an instruction at 'at' (e->n appends). Relative jumps stay right:
 * what moves is whole atoms or alternatives, and nothing jumps into them. */
static void put(struct ere *e, int at, int op, int arg)
{
	if (e->n >= PROG_MAX) {
		e->err = -E2BIG;
		return;
	}
	memmove(e->code + at + 1, e->code + at, (size_t)(e->n - at) * sizeof(e->code[0]));
	e->code[at] = (short)(arg * 8 + op);
	e->n++;
}

static void copy(struct ere *e, int from, int len)
{
	for (int i = 0; i < len; i++)
		put(e, e->n, OP(e->code[from + i]), ARG(e->code[from + i]));
}

/* The code from 'at' on, m to n times: m copies, then a loop back into the
 * last (n == INF) or n - m optional copies; m == 0 skips it all. */
static void repeat(struct ere *e, int at, int m, int n)
{
	int len = e->n - at, k = m > 1 ? m : 1, end;

	if (n == 0) {
		e->n = at;
		return;
	}
	for (int i = 1; i < k && !e->err; i++)
		copy(e, at, len);
	if (n == INF) {
		put(e, e->n, OP_SPLIT, -len);
	} else {
		end = e->n + (n - k) * (len + 1);
		for (; k < n && !e->err; k++) {
			put(e, e->n, OP_SPLIT, end - e->n);
			copy(e, at, len);
		}
	}
	if (m == 0)
		put(e, at, OP_SPLIT, e->n - at + 1);
}

/* A repeat count: -1 when absent, INF + 1 when too large. glibc takes an
 * escaped comma for the comma. */
static const char *count(const char *p, int *v)
{
	for (*v = -1; *p >= '0' && *p <= '9'; p++) {
		*v = (*v < 0 ? 0 : *v) * 10 + *p - '0';
		if (*v > DUP_MAX)
			*v = INF + 1;
	}
	return p + (p[0] == '\\' && p[1] == ',');
}

/*
 * Alternatives: "A|B" becomes SPLIT(B) A JMP(end) B, the SPLIT inserted
 * before A when the '|' comes. The JMPs of a group wait for its ')' chained
 * through their arguments. 'atom' is where the code a quantifier takes
 * starts, -1 where glibc refuses one (at the start, after '(', '|', '^', '$').
 */
static __attribute__((noinline)) int compile(struct ere *e)
{
	short stack[ERE_PATTERN_MAX][3];
	const char *p = e->pat;
	int depth = 0, group = 0, alt = 0, jmps = -1, atom = -1, hit;

	while (!e->err) {
		int c = (unsigned char)*p++, m = 0, n = INF;

		switch (c) {
		case '(':
			stack[depth][0] = (short)group;
			stack[depth][1] = (short)alt;
			stack[depth++][2] = (short)jmps;
			group = alt = e->n;
			jmps = atom = -1;
			continue;
		case '|':
			put(e, alt, OP_SPLIT, 0);
			put(e, e->n, OP_JMP, jmps);
			if (e->err)
				continue;   /* program full: nothing to patch */
			jmps = e->n - 1;
			e->code[alt] = (short)((e->n - alt) * 8 + OP_SPLIT);
			alt = e->n;
			atom = -1;
			continue;
		case ')':
			if (depth == 0)
				break;          /* ERE: an unmatched ')' is itself */
			/* fallthrough */
		case '\0':
			while (jmps >= 0) {
				int next = ARG(e->code[jmps]);

				e->code[jmps] = (short)((e->n - jmps) * 8 + OP_JMP);
				jmps = next;
			}
			if (c == '\0') {
				put(e, e->n, OP_MATCH, 0);
				return depth ? -EINVAL : e->err;
			}
			atom = group;
			group = stack[--depth][0];
			alt = stack[depth][1];
			jmps = stack[depth][2];
			continue;
		case '{':
			p = count(p, &m);
			if (*p == ',')
				p = count(p + 1, &n);
			else if (m < 0)
				return -EINVAL;
			else
				n = m;
			if (*p++ != '}')
				return -EINVAL;
			m = m < 0 ? 0 : m;
			n = n < 0 ? INF : n;
			if (m > n || n > INF)
				return -EINVAL;
			goto quantifier;
		case '+':
			m = 1;
			goto quantifier;
		case '?':
			n = 1;
			/* fallthrough */
		case '*':
quantifier:
			if (atom < 0)
				return -EINVAL;
			repeat(e, atom, m, n);
			continue;
		case '^':
		case '$':
			put(e, e->n, c == '^' ? OP_BOL : OP_EOL, 0);
			atom = -1;
			continue;
		case '.':
			atom = e->n;
			put(e, e->n, OP_ANY, 0);
			continue;
		case '[':
			atom = e->n;
			put(e, e->n, OP_SET, (int)(p - e->pat));
			p = bracket(p, -1, &hit);
			if (p == NULL)
				return -EINVAL;
			continue;
		case '\\':
			/* Back-references and GNU's word operators are not done. */
			c = (unsigned char)*p++;
			if (c == '\0' || strchr("123456789wWsSbB<>`'", c))
				return -EINVAL;
			break;
		}
		atom = e->n;
		put(e, e->n, OP_CHAR, c);
	}
	return e->err;
}

struct threads {
	unsigned gen;
	int n;
	unsigned seen[PROG_MAX];        /* gen when last queued */
	unsigned short todo[PROG_MAX];
};

static void queue(struct threads *t, int pc)
{
	if (t->seen[pc] != t->gen) {
		t->seen[pc] = t->gen;
		t->todo[t->n++] = (unsigned short)pc;
	}
}

/* All threads advance together; a new one starts at each position. A step
 * is a state entered or a pattern byte read to test a character. */
static __attribute__((noinline)) int run(const struct ere *e, const unsigned char *s)
{
	struct threads t;
	unsigned short live[PROG_MAX];  /* waiting for a character */
	const unsigned char *start = s;
	long steps = ERE_STEPS_MAX;
	int nlive = 0, k;

	memset(t.seen, 0, sizeof(t.seen));
	t.gen = 0;
	for (;; s++) {
		t.gen++;
		t.n = 0;
		queue(&t, 0);
		while (nlive > 0)
			queue(&t, live[--nlive]);
		while (t.n > 0) {
			int pc = t.todo[--t.n], in = e->code[pc];

			if (--steps < 0)
				return -E2BIG;
			switch (OP(in)) {
			case OP_MATCH:
				return 1;
			case OP_SPLIT:
				queue(&t, pc + 1);
				/* fallthrough */
			case OP_JMP:
				queue(&t, pc + ARG(in));
				break;
			case OP_BOL:
			case OP_EOL:
				if (OP(in) == OP_BOL ? s == start : *s == '\0')
					queue(&t, pc + 1);
				break;
			default:
				live[nlive++] = (unsigned short)pc;
			}
		}
		if (*s == '\0')
			return 0;
		steps -= nlive;
		for (int i = k = 0; i < nlive; i++) {
			int in = e->code[live[i]];
			int ok = OP(in) == OP_ANY || (OP(in) == OP_CHAR && ARG(in) == *s);
			const char *set = e->pat + ARG(in);

			/* a bracket expression costs a step per byte */
			if (OP(in) == OP_SET)
				steps -= bracket(set, *s, &ok) - set;
			if (ok)
				live[k++] = (unsigned short)(live[i] + 1);
		}
		nlive = k;
	}
}

int ere_match(const char *pattern, const char *string)
{
	struct ere e;
	int r;

	if (strlen(pattern) > ERE_PATTERN_MAX)
		return -EINVAL;
	e.pat = pattern;
	e.n = e.err = 0;
	r = compile(&e);
	return r < 0 ? r : run(&e, (const unsigned char *)string);
}
