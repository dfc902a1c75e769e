// SPDX-License-Identifier: GPL-2.0-or-later
/* libbb/modfile/decompress.c: the decompressors' input. The bytes already
 * read (the magic) come first, then the fd in chunks, then an empty chunk
 * at the end; input_fill gathers at least what is asked for (a frame
 * header) from a pipe written a few bytes at a time, keeping what was left
 * of the last chunk in front; errors of the fd come back as -errno. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "decompress.h"
#include "decompress_input.h"

#define DATA_SIZE (150 * 1024 + 5)

static unsigned char *data;
static char path[256];

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/decompress-unit.XXXXXX", t ? t : "/tmp");
	fd = mkstemp(path);
	data = malloc(DATA_SIZE);
	if (fd < 0 || data == NULL)
		return -1;
	close(fd);
	for (size_t i = 0; i < DATA_SIZE; i++)
		data[i] = (unsigned char)(i * 13 + (i >> 8));
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, DATA_SIZE, f) != DATA_SIZE || fclose(f) != 0)
		return -1;
	*state = malloc(sizeof(struct input));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	free(*state);
	free(data);
	return unlink(path);
}

/* The head, then the file's bytes after it, then n == 0 (again and again). */
static void next_head_then_chunks(void **state)
{
	struct input *in = *state;
	const unsigned char *p;
	size_t n, got = 0, chunks = 0;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 6, SEEK_SET), 6);
	in->fd = fd;
	in->head = data;
	in->headlen = 6;
	assert_int_equal(input_next(in, &p, &n), 0);
	assert_ptr_equal(p, data);
	assert_int_equal(n, 6);
	got = 6;
	for (;;) {
		assert_int_equal(input_next(in, &p, &n), 0);
		if (n == 0)
			break;
		assert_true(n <= sizeof(in->buf));
		assert_true(got + n <= DATA_SIZE);
		assert_memory_equal(p, data + got, n);
		got += n;
		chunks++;
	}
	assert_int_equal(got, DATA_SIZE);
	assert_true(chunks >= 3);  /* 64 KiB at a time */
	assert_int_equal(input_next(in, &p, &n), 0);
	assert_int_equal(n, 0);
	close(fd);
}

/* No head: the fd from where it stands. */
static void next_without_head(void **state)
{
	struct input *in = *state;
	const unsigned char *p;
	size_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	in->fd = fd;
	in->head = NULL;
	in->headlen = 0;
	assert_int_equal(input_next(in, &p, &n), 0);
	assert_int_equal(n, sizeof(in->buf));
	assert_memory_equal(p, data, n);
	close(fd);
}

/* A pipe written 3 bytes at a time: input_fill waits for want bytes; the
 * bytes left of the last chunk stay in front of them. */
static void fill_from_a_slow_pipe(void **state)
{
	struct input *in = *state;
	const unsigned char *p;
	size_t n;
	pid_t pid;
	int fds[2], status;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (size_t i = 4; i < 64; i += 3) {
			if (write(fds[1], data + i, 3) != 3)
				_exit(1);
			usleep(1000);
		}
		_exit(0);
	}
	close(fds[1]);
	in->fd = fds[0];
	in->head = data;
	in->headlen = 4;
	assert_int_equal(input_next(in, &p, &n), 0);
	assert_int_equal(n, 4);
	/* 2 of the head's bytes taken; 2 left, and 18 wanted */
	p += 2;
	n -= 2;
	assert_int_equal(input_fill(in, &p, &n, 18), 0);
	assert_ptr_equal(p, in->buf);
	assert_true(n >= 18);
	assert_memory_equal(p, data + 2, n);
	/* already there: nothing read, nothing moved */
	{
		const unsigned char *q = p + 5;
		size_t m = n - 5;

		assert_int_equal(input_fill(in, &q, &m, 10), 0);
		assert_ptr_equal(q, p + 5);
		assert_int_equal(m, n - 5);
	}
	/* past the end of what is written: the rest there is (up to byte 64),
	 * fewer than asked */
	{
		size_t done = 2 + n;

		p += n;
		n = 0;
		assert_int_equal(input_fill(in, &p, &n, 1000), 0);
		assert_int_equal(n, 64 - done);
		assert_memory_equal(p, data + done, n);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fds[0]);
}

/* A descriptor that cannot be read: -errno from both. */
static void read_errors(void **state)
{
	struct input *in = *state;
	const unsigned char *p = NULL;
	size_t n = 0;
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	in->fd = fd;
	in->head = NULL;
	in->headlen = 0;
	assert_int_equal(input_next(in, &p, &n), -EBADF);
	assert_int_equal(input_fill(in, &p, &n, 8), -EBADF);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(next_head_then_chunks),
		cmocka_unit_test(next_without_head),
		cmocka_unit_test(fill_from_a_slow_pipe),
		cmocka_unit_test(read_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
