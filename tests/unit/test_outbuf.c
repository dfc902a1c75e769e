// SPDX-License-Identifier: GPL-2.0-or-later
/* outbuf: a buffer growing up to its limit; whole files and short reads. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "outbuf.h"

static void grows_to_the_limit_and_no_further(void **state)
{
	struct outbuf b = { .limit = 100000 };

	(void)state;
	assert_int_equal(outbuf_reserve(&b, 10), 0);
	assert_true(b.cap >= 10 && b.cap <= b.limit);
	assert_int_equal(outbuf_reserve(&b, 90000), 0);
	b.len = 90000;
	/* asking past the limit is refused, nothing changes */
	assert_int_equal(outbuf_reserve(&b, 10001), -EFBIG);
	assert_int_equal(outbuf_reserve(&b, 10000), 0);
	assert_true(b.cap >= 100000 && b.cap <= b.limit);
	b.len = b.cap;
	assert_int_equal(outbuf_room(&b), -EFBIG);
	outbuf_free(&b);
	assert_null(b.data);
}

/* A limit below the first 64 KiB: the buffer stops at it, and room is
 * never more than the limit leaves. */
static void small_limit_first_buffer(void **state)
{
	struct outbuf b = { .limit = 4096 };

	(void)state;
	assert_int_equal(outbuf_room(&b), 0);
	assert_int_equal(b.cap, 4096);
	b.len = b.cap;
	assert_int_equal(outbuf_room(&b), -EFBIG);
	outbuf_free(&b);
}

static void pages_and_admit(void **state)
{
	struct outbuf b = { .limit = 1 << 20, .pages = true };

	(void)state;
	assert_int_equal(outbuf_reserve(&b, 5000), 0);
	memset(b.data, 'x', 5000);
	b.len = 5000;
	assert_int_equal(outbuf_reserve(&b, 200000), 0);   /* mremap keeps the bytes */
	assert_int_equal(b.data[4999], 'x');
	outbuf_free(&b);
}

static int refuse(void *arg, size_t old_cap, size_t new_cap)
{
	(void)arg;
	(void)old_cap;
	return new_cap > 70000 ? -EAGAIN : 0;
}

static void admit_can_refuse(void **state)
{
	struct outbuf b = { .limit = 1 << 20, .admit = refuse };

	(void)state;
	assert_int_equal(outbuf_reserve(&b, 1000), 0);
	b.len = b.cap;
	assert_int_equal(outbuf_reserve(&b, 100000), -EAGAIN);
	outbuf_free(&b);
}

static size_t admitted;

static int count_admit(void *arg, size_t old_cap, size_t new_cap)
{
	(void)arg;
	admitted += new_cap - old_cap;
	return 0;
}

/* A freed image mapping small enough is kept and is the next buffer's
 * (the same pages), counted whole by admit; a larger one is not kept; a
 * dictionary mapping of the same size is handed back, another size is a
 * new mapping. */
static void kept_mappings(void **state)
{
	struct outbuf_keep k = { 0 };
	struct outbuf b = { .limit = 8 << 20, .pages = true, .keep = &k, .admit = count_admit };
	unsigned char *first;
	void *d1, *d2;

	(void)state;
	assert_int_equal(outbuf_reserve(&b, 300000), 0);
	first = b.data;
	memset(first, 'y', 300000);
	outbuf_free(&b);
	assert_ptr_equal(k.image, first);
	assert_true(k.image_cap >= 300000);

	admitted = 0;
	assert_int_equal(outbuf_reserve(&b, 1000), 0);
	assert_ptr_equal(b.data, first);
	assert_null(k.image);
	assert_int_equal(b.cap, admitted);   /* the kept size, all of it */
	assert_true(b.cap >= 300000);
	/* grown past the kept size: mremap keeps the bytes */
	b.len = b.cap;
	assert_int_equal(outbuf_reserve(&b, OUTBUF_KEEP_MAX), 0);
	assert_int_equal(b.data[299999], 'y');
	assert_int_equal(b.cap, admitted);
	outbuf_free(&b);
	assert_null(k.image);                /* past OUTBUF_KEEP_MAX: unmapped */

	/* a kept mapping larger than a buffer's limit is not that buffer's */
	{
		struct outbuf small = { .limit = 100000, .pages = true, .keep = &k };

		assert_int_equal(outbuf_reserve(&b, 300000), 0);
		first = b.data;
		outbuf_free(&b);
		assert_ptr_equal(k.image, first);
		assert_int_equal(outbuf_reserve(&small, 1000), 0);
		assert_ptr_not_equal(small.data, first);
		assert_true(small.cap <= small.limit);
		assert_ptr_equal(k.image, first);
		outbuf_free(&small);
		outbuf_keep_free(&k);
	}

	d1 = outbuf_keep_map(&k, 1 << 20);
	assert_non_null(d1);
	memset(d1, 'z', 1 << 20);
	outbuf_keep_unmap(&k, d1, 1 << 20);
	d2 = outbuf_keep_map(&k, 1 << 20);
	assert_ptr_equal(d2, d1);
	outbuf_keep_unmap(&k, d2, 1 << 20);
	d2 = outbuf_keep_map(&k, 1 << 19);
	assert_ptr_not_equal(d2, d1);
	outbuf_keep_unmap(&k, d2, 1 << 19);  /* the larger one stays */
	assert_ptr_equal(k.dict, d1);
	outbuf_keep_free(&k);
	assert_null(k.dict);
	/* without a keep: plain mappings */
	d1 = outbuf_keep_map(NULL, 4096);
	assert_non_null(d1);
	outbuf_keep_unmap(NULL, d1, 4096);
}

static void whole_files_and_pipes(void **state)
{
	char path[] = "/tmp/test_outbuf.XXXXXX";
	int fd = mkstemp(path), p[2];
	struct outbuf b = { .limit = 1000 };
	const char *why = NULL;
	char buf[64];

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello world\n", 12), 12);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(read_fd_all(fd, &b, &why), 0);
	assert_int_equal(b.len, 12);
	assert_memory_equal(b.data, "hello world\n", 12);
	outbuf_free(&b);
	/* read_min: at an offset with pread, whatever the file position */
	assert_int_equal(read_min(fd, buf, 5, 5, 6), 5);
	assert_memory_equal(buf, "world", 5);
	/* fewer only at the end */
	assert_int_equal(read_min(fd, buf, 20, sizeof(buf), 0), 12);
	close(fd);
	unlink(path);
	/* a pipe delivering in pieces: at least min bytes come back */
	assert_int_equal(pipe(p), 0);
	if (fork() == 0) {
		for (int i = 0; i < 4; i++) {
			if (write(p[1], "ab", 2) != 2)
				_exit(1);
			usleep(20000);
		}
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read_min(p[0], buf, 6, sizeof(buf), -1), 6);
	close(p[0]);
	/* past the limit: file too large */
	b.limit = 4;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "0123456789", 10), 10);
	close(p[1]);
	assert_int_equal(read_fd_all(p[0], &b, &why), -EFBIG);
	assert_string_equal(why, "file too large");
	close(p[0]);
	outbuf_free(&b);
}

/* read_fd_sized: the size told is a hint for the first read and where a
 * short read may end it; a file larger than told is still read whole. */
static void sized_reads(void **state)
{
	char path[] = "/tmp/test_outbuf.XXXXXX";
	int fd = mkstemp(path), p[2];
	struct outbuf b = { .limit = 1000 };
	const char *why = NULL;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	/* told 2 bytes, holds 10: all 10 come back */
	assert_int_equal(read_fd_sized(fd, 2, &b, &why), 0);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, "0123456789", 10);
	outbuf_free(&b);
	close(fd);
	unlink(path);
	/* a short read once the size told is in ends the read: a pipe whose
	 * writer stays open would otherwise block read_fd_all */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(read_fd_sized(p[0], 3, &b, &why), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "abc", 3);
	outbuf_free(&b);
	/* told nothing (0): reads to the end */
	assert_int_equal(write(p[1], "defg", 4), 4);
	close(p[1]);
	assert_int_equal(read_fd_sized(p[0], 0, &b, &why), 0);
	assert_int_equal(b.len, 4);
	close(p[0]);
	outbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grows_to_the_limit_and_no_further),
		cmocka_unit_test(small_limit_first_buffer),
		cmocka_unit_test(pages_and_admit),
		cmocka_unit_test(admit_can_refuse),
		cmocka_unit_test(kept_mappings),
		cmocka_unit_test(whole_files_and_pipes),
		cmocka_unit_test(sized_reads),
	};
	return cmocka_run_group_tests_name("outbuf", tests, NULL, NULL);
}
