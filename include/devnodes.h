/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_DEVNODES_H
#define MODUTILS_DEVNODES_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * modules.devname (what "kmod static-nodes" reads): lines
 * "MODULE DEVNAME TYPEMAJOR:MINOR" naming the device nodes that modules
 * would create, written out as kmod 34 writes them in three formats.
 */
struct devnode {
	char module[PATH_MAX];
	char devname[PATH_MAX];   /* below /dev */
	char type;                /* 'c' or 'b' */
	unsigned int major, minor;
};

enum devnode_format {
	DEVNODE_HUMAN,      /* "Module: ...", indented lines */
	DEVNODE_TMPFILES,   /* tmpfiles.d(5) lines */
	DEVNODE_DEVNAME,    /* modules.devname lines */
};

/* The format named name ("human", "tmpfiles", "devname"), or -EINVAL. */
int devnode_format(const char *name);

/* One line as kmod reads it (sscanf "%s %s %c%u:%u": a sign and blanks
 * before the numbers are taken, trailing words ignored); false when it is
 * not an entry or its type is neither 'c' nor 'b'. */
bool devnode_parse(const char *line, struct devnode *d);

void devnode_write(FILE *out, enum devnode_format fmt, const struct devnode *d);

/* Every line of in that is not a comment, written to out in fmt; a line
 * that is not an entry is handed to bad (as read, newline and all) and
 * skipped. The number of those lines, or -errno when in could not be read. */
int devnodes_convert(FILE *in, FILE *out, enum devnode_format fmt, void (*bad)(const char *line, void *arg),
		     void *arg);

#endif
