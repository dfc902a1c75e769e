// SPDX-License-Identifier: GPL-2.0-or-later
/* modules.devname read and written out as "kmod static-nodes" does. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devnodes.h"

static const char *const format_names[] = {
	[DEVNODE_HUMAN] = "human",
	[DEVNODE_TMPFILES] = "tmpfiles",
	[DEVNODE_DEVNAME] = "devname",
};

int devnode_format(const char *name)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(format_names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

/*
 * kmod reads a line with sscanf(line, "%s %s %c%u:%u"). The same reading
 * by hand: glibc's sscanf would link its scanf engine with strtod,
 * strtof and the multibyte conversions (about 40 KiB of a static binary).
 * %s: blanks, then a word (at most size - 1 bytes, as %4095s).
 */
static const char *scan_word(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return NULL;
	while (*s != '\0' && !isspace((unsigned char)*s) && n < size - 1)
		buf[n++] = *s++;
	buf[n] = '\0';
	return s;
}

/* %u: blanks, a sign, digits; converted by strtoul, as sscanf does. */
static const char *scan_uint(const char *s, unsigned int *v)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)s[*s == '-' || *s == '+']))
		return NULL;
	*v = (unsigned int)strtoul(s, &end, 10);
	return end;
}

bool devnode_parse(const char *s, struct devnode *d)
{
	if ((s = scan_word(s, d->module, sizeof(d->module))) == NULL ||
	    (s = scan_word(s, d->devname, sizeof(d->devname))) == NULL)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return false;
	d->type = *s++;
	if ((s = scan_uint(s, &d->major)) == NULL || *s != ':' || scan_uint(s + 1, &d->minor) == NULL)
		return false;
	return d->type == 'c' || d->type == 'b';
}

void devnode_write(FILE *out, enum devnode_format fmt, const struct devnode *d)
{
	const char *slash;

	switch (fmt) {
	case DEVNODE_HUMAN:
		fprintf(out, "Module: %s\n\tDevice node: /dev/%s\n\t\tType: %s device\n\t\tMajor: %u\n\t\tMinor: %u\n",
			d->module, d->devname, d->type == 'c' ? "character" : "block", d->major, d->minor);
		break;
	case DEVNODE_TMPFILES:
		/* systemd-tmpfiles creates the node (and its folder) at boot. */
		slash = strrchr(d->devname, '/');
		if (slash != NULL)
			fprintf(out, "d /dev/%.*s 0755 - - -\n", (int)(slash - d->devname), d->devname);
		fprintf(out, "%c! /dev/%s 0600 - - - %u:%u\n", d->type, d->devname, d->major, d->minor);
		break;
	case DEVNODE_DEVNAME:
		fprintf(out, "%s %s %c%u:%u\n", d->module, d->devname, d->type, d->major, d->minor);
		break;
	}
}

int devnodes_convert(FILE *in, FILE *out, enum devnode_format fmt, void (*bad)(const char *line, void *arg),
		     void *arg)
{
	struct devnode *d = malloc(sizeof(*d));
	char line[PATH_MAX];
	int nbad = 0;

	if (d == NULL)
		return -ENOMEM;
	/* Lines are taken PATH_MAX - 1 bytes at a time, as kmod reads them. */
	while (fgets(line, sizeof(line), in) != NULL) {
		if (line[0] == '#')
			continue;
		if (!devnode_parse(line, d)) {
			bad(line, arg);
			nbad++;
			continue;
		}
		devnode_write(out, fmt, d);
	}
	if (ferror(in))
		nbad = errno > 0 ? -errno : -EIO;
	free(d);
	return nbad;
}
