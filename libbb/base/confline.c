// SPDX-License-Identifier: GPL-2.0-or-later
/* Configuration file lines, kmod's way (see confline.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confline.h"
#include "outbuf.h"
#include "fileopen.h"
#include "msg.h"

/* The longest configuration file read: a bound against a runaway file. */
#define CONFLINE_MAX_SIZE (16u << 20)

int confline_open(struct confline *r, const char *path, const char **why)
{
	struct outbuf buf = { .limit = CONFLINE_MAX_SIZE };
	struct stat st;
	int fd = open_regular_st(AT_FDCWD, path, &st), err;

	memset(r, 0, sizeof(*r));
	*why = NULL;
	if (fd < 0) {
		*why = file_strerror(fd);
		return fd;
	}
	err = read_fd_sized(fd, (uint64_t)st.st_size, &buf, why);
	close(fd);
	if (err == 0)
		err = outbuf_reserve(&buf, 1);   /* room for the last line's end */
	if (err < 0) {
		if (*why == NULL)
			*why = file_strerror(err);
		outbuf_free(&buf);
		return err;
	}
	confline_init(r, path, (char *)buf.data, buf.len);
	r->text = (char *)buf.data;
	return 0;
}

void confline_init(struct confline *r, const char *name, char *text, size_t len)
{
	r->name = name;
	r->text = NULL;
	r->p = text;
	r->end = text + len;
	r->lineno = 0;
}

char *confline_next(struct confline *r)
{
	char *start = r->p, *out = r->p;
	unsigned line = r->lineno + 1, nul = 0;
	bool newline = false;

	if (r->p >= r->end)
		return NULL;
	/* Most lines have neither a backslash nor a NUL: already in place,
	 * found with the library's word-at-a-time scans. */
	{
		size_t left = (size_t)(r->end - r->p), len;
		char *nl = memchr(r->p, '\n', left);

		len = nl ? (size_t)(nl - r->p) : left;
		if (memchr(r->p, '\\', len) == NULL && strnlen(r->p, len) == len) {
			r->p[len] = '\0';   /* the newline, or the byte kept after the text */
			r->p = nl ? nl + 1 : r->end;
			r->lineno = line;
			return start;
		}
	}
	/* Cut in place: the output never runs ahead of the input. */
	while (r->p < r->end) {
		char c = *r->p++;

		if (c == '\n') {
			newline = true;
			break;
		}
		if (c == '\\') {
			if (r->p == r->end)
				break;
			c = *r->p++;
			if (c == '\n') {
				line++;
				continue;
			}
		}
		if (c == '\0' && nul == 0)
			nul = line;
		*out++ = c;
	}
	/* As kmod: the end of the file with nothing read is no line, even
	 * after joined ones. */
	if (!newline && out == start)
		return NULL;
	*out = '\0';
	r->lineno = line;
	if (nul != 0)
		msg_warn("%s:%u: NUL byte; the rest of the line is ignored", r->name, nul);
	return start;
}

void confline_close(struct confline *r)
{
	free(r->text);
	memset(r, 0, sizeof(*r));
}

char *confline_skip_blanks(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

char *confline_word(char **p)
{
	char *w = confline_skip_blanks(*p), *e;

	if (*w == '\0')
		return NULL;
	for (e = w; *e && *e != ' ' && *e != '\t'; e++)
		;
	if (*e)
		*e++ = '\0';
	*p = e;
	return w;
}
