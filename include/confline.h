/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_CONFLINE_H
#define MODUTILS_CONFLINE_H

#include <stddef.h>

/*
 * The lines of a configuration file (modprobe.d, depmod.d,
 * modules.softdep), as kmod reads them: "\\\n" joins the next line, a
 * backslash before any other byte is dropped, and a NUL byte ends the
 * text of its line (the rest of that line is ignored, with a warning;
 * every later line is read).
 */
struct confline {
	const char *name;   /* for messages */
	char *text;         /* owned when read by confline_open() */
	char *p, *end;
	unsigned lineno;    /* the physical line the last line returned ended on */
};

/* Read a whole regular file (at most 16 MiB; see fileopen.h). 0, or
 * -errno with *why saying it in words. */
int confline_open(struct confline *r, const char *path, const char **why);
/* Lines of text[0..len); text[len] must be writable (lines are cut in
 * place). The caller keeps text. */
void confline_init(struct confline *r, const char *name, char *text, size_t len);
/* The next line, NUL-terminated; NULL at the end. */
char *confline_next(struct confline *r);
void confline_close(struct confline *r);

/* The words of a line, blanks (space, tab) between them: the next word of
 * *p, NUL-terminated in place, *p moved past it; NULL at the end. The one
 * word splitter of modprobe.d and depmod.d lines and of the text indexes'
 * lines (kmod's strtok_r(..., "\t ") for depmod.d: the same words). */
char *confline_word(char **p);
/* p past its blanks. */
char *confline_skip_blanks(char *p);

#endif
