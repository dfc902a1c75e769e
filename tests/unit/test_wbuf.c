// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/base/wbuf.c: bytes held until a flush or a full buffer, writes
 * larger than the buffer, long formatted strings, and the first write
 * error kept (later writes dropped) on a closed, read-only or full fd. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "wbuf.h"

static char path[256];

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");
	int fd;

	snprintf(path, sizeof(path), "%s/wbuf-unit.XXXXXX", t ? t : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	*state = malloc(sizeof(struct wbuf));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	free(*state);
	return unlink(path);
}

static off_t file_size(void)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static unsigned char *read_back(size_t *n)
{
	unsigned char *b;
	FILE *f = fopen(path, "rb");
	off_t size = file_size();

	assert_non_null(f);
	b = malloc((size_t)size + 1);
	assert_non_null(b);
	*n = fread(b, 1, (size_t)size + 1, f);
	fclose(f);
	return b;
}

static int open_empty(void)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	return fd;
}

/* Small writes stay in the buffer until wflush; pos counts them all. */
static void small_writes_buffered(void **state)
{
	struct wbuf *w = *state;
	unsigned char *b;
	size_t n;
	int fd = open_empty();

	wbuf_init(w, fd);
	wstr(w, "alias ");
	wput(w, "abc\0def", 7);
	wfmt(w, " %s %u:%u\n", "x", 10u, 200u);
	assert_int_equal(w->pos, 6 + 7 + 10);
	assert_int_equal(file_size(), 0);
	wflush(w);
	assert_int_equal(w->err, 0);
	assert_int_equal(w->len, 0);
	b = read_back(&n);
	assert_int_equal(n, 23);
	assert_memory_equal(b, "alias abc\0def x 10:200\n", 23);
	free(b);
	close(fd);
}

/* A write several times the buffer's size, across its boundary after a
 * small one: every byte arrives once, in order; what is left over waits
 * for the flush. */
static void write_larger_than_buffer(void **state)
{
	struct wbuf *w = *state;
	size_t big = 3 * sizeof(w->buf) + 12345, n;
	unsigned char *data = malloc(big), *b;
	int fd = open_empty();

	assert_non_null(data);
	for (size_t i = 0; i < big; i++)
		data[i] = (unsigned char)(i * 31 + (i >> 11));
	wbuf_init(w, fd);
	wput(w, "head", 4);
	wput(w, data, big);
	assert_int_equal(w->pos, big + 4);
	/* the whole buffers went out; the tail is still held */
	assert_int_equal(file_size(), (off_t)((big + 4) / sizeof(w->buf) * sizeof(w->buf)));
	assert_int_equal(w->len, (big + 4) % sizeof(w->buf));
	wflush(w);
	assert_int_equal(w->err, 0);
	b = read_back(&n);
	assert_int_equal(n, big + 4);
	assert_memory_equal(b, "head", 4);
	assert_memory_equal(b + 4, data, big);
	free(b);
	free(data);
	close(fd);
}

/* wfmt past its 512-byte stack buffer formats the whole string. */
static void long_format(void **state)
{
	struct wbuf *w = *state;
	char *s = malloc(5000), *want = malloc(6000);
	unsigned char *b;
	size_t n;
	int fd = open_empty();

	memset(s, 'q', 4999);
	s[4999] = '\0';
	snprintf(want, 6000, "<%s>%d\n", s, -42);
	wbuf_init(w, fd);
	wfmt(w, "<%s>%d\n", s, -42);
	assert_int_equal(w->pos, strlen(want));
	wflush(w);
	assert_int_equal(w->err, 0);
	b = read_back(&n);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(b, want, n);
	free(b);
	free(s);
	free(want);
	close(fd);
}

/* A closed fd: the flush fails with -EBADF; the error is kept, later
 * writes are dropped (no other error replaces it), pos still counts. */
static void error_closed_fd(void **state)
{
	struct wbuf *w = *state;
	int fd = open_empty();

	assert_int_equal(close(fd), 0);
	wbuf_init(w, fd);
	wstr(w, "lost\n");
	assert_int_equal(w->err, 0);
	wflush(w);
	assert_int_equal(w->err, -EBADF);
	assert_int_equal(w->len, 0);
	wput(w, "more", 4);
	wflush(w);
	assert_int_equal(w->err, -EBADF);
	assert_int_equal(w->pos, 9);
	/* wbuf_init starts again: no error */
	wbuf_init(w, fd);
	assert_int_equal(w->err, 0);
	assert_int_equal(w->pos, 0);
}

/* A read-only fd: the error comes from the first full buffer, without a
 * flush being asked for; the file is untouched. */
static void error_readonly_fd(void **state)
{
	struct wbuf *w = *state;
	size_t big = 2 * sizeof(w->buf);
	char *data = calloc(1, big);
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	wbuf_init(w, fd);
	wput(w, data, big);
	assert_int_equal(w->err, -EBADF);
	assert_int_equal(w->pos, big);
	assert_int_equal(file_size(), 0);
	free(data);
	close(fd);
}

/* A full device: -ENOSPC. */
static void error_full_device(void **state)
{
	struct wbuf *w = *state;
	int fd = open("/dev/full", O_WRONLY);

	if (fd < 0)
		skip();
	wbuf_init(w, fd);
	wstr(w, "x");
	wflush(w);
	assert_int_equal(w->err, -ENOSPC);
	close(fd);
}

/* A pipe nobody reads: -EPIPE (SIGPIPE ignored, as a caller would). */
static void error_broken_pipe(void **state)
{
	struct wbuf *w = *state;
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	wbuf_init(w, p[1]);
	wstr(w, "nobody reads this\n");
	wflush(w);
	assert_int_equal(w->err, -EPIPE);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_writes_buffered),
		cmocka_unit_test(write_larger_than_buffer),
		cmocka_unit_test(long_format),
		cmocka_unit_test(error_closed_fd),
		cmocka_unit_test(error_readonly_fd),
		cmocka_unit_test(error_full_device),
		cmocka_unit_test(error_broken_pipe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
