/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the three decompressor tests share: PLAIN_SIZE bytes of data made
 * in a temporary folder's setup, compressed once into packed (and the file
 * m.EXT), and the ways to run the decoder on them as modfile does. The
 * including file defines FIXTURE_NAME ("gzip"), FIXTURE_EXT ("gz") and
 * FIXTURE_DECOMPRESS (the decoder under test), and the encoder
 * FIXTURE_COMPRESS(in, n, out, cap) -> compressed length, before it
 * includes this (after the test's own includes).
 */
#ifndef MODUTILS_TEST_DECOMPRESS_FIXTURE_H
#define MODUTILS_TEST_DECOMPRESS_FIXTURE_H

#define PLAIN_SIZE (200 * 1024 + 3)

static unsigned char *plain, *packed;
static size_t packed_len;
static char dir[256];

static const char *path_of(const char *name)
{
	static char path[300];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void write_file(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(path_of(name), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static size_t FIXTURE_COMPRESS(const unsigned char *in, size_t n, unsigned char *out, size_t cap);

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");
	uint32_t x = 7;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/decompress-" FIXTURE_NAME ".XXXXXX", t ? t : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	plain = malloc(PLAIN_SIZE);
	packed = malloc(2 * PLAIN_SIZE);
	if (plain == NULL || packed == NULL)
		return -1;
	/* Compressible (a small alphabet) but not trivially. */
	for (size_t i = 0; i < PLAIN_SIZE; i++) {
		x = x * 1103515245u + 12345u;
		plain[i] = (unsigned char)('a' + (x >> 16) % 4);
	}
	packed_len = FIXTURE_COMPRESS(plain, PLAIN_SIZE, packed, 2 * PLAIN_SIZE);
	write_file("m." FIXTURE_EXT, packed, packed_len);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(plain);
	free(packed);
	return system(cmd) == 0 ? 0 : -1;
}

/* The decoder on fd, its first headlen bytes read already and handed in. */
static int run_fd(int fd, size_t headlen, size_t limit, struct outbuf *out, const char **why)
{
	unsigned char head[16];

	assert_true(headlen <= sizeof(head));
	assert_int_equal(read(fd, head, headlen), (ssize_t)headlen);
	memset(out, 0, sizeof(*out));
	out->limit = limit;
	return FIXTURE_DECOMPRESS(fd, head, headlen, out, why);
}

/* Decompress the file name as modfile does: the first headlen bytes read
 * already and handed in, the rest from the fd. */
static int run_file(const char *name, size_t headlen, size_t limit, struct outbuf *out, const char **why)
{
	int fd = open(path_of(name), O_RDONLY), err;

	assert_true(fd >= 0);
	err = run_fd(fd, headlen, limit, out, why);
	close(fd);
	return err;
}

/* The compressed bytes before cut handed in as read already, the rest
 * coming from the fd: where a read ends is where the decoder pauses. */
static int run_split(size_t cut, size_t limit, struct outbuf *out, const char **why)
{
	int fd, err;

	write_file("rest." FIXTURE_EXT, packed + cut, packed_len - cut);
	fd = open(path_of("rest." FIXTURE_EXT), O_RDONLY);
	assert_true(fd >= 0);
	memset(out, 0, sizeof(*out));
	out->limit = limit;
	err = FIXTURE_DECOMPRESS(fd, packed, cut, out, why);
	close(fd);
	return err;
}

static void expect_plain(const struct outbuf *out, size_t times)
{
	assert_int_equal(out->len, times * PLAIN_SIZE);
	for (size_t i = 0; i < times; i++)
		assert_memory_equal(out->data + i * PLAIN_SIZE, plain, PLAIN_SIZE);
}

#endif
