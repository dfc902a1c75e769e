/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_MODPARAMS_H
#define MODUTILS_MODPARAMS_H

/*
 * Command-line PARAM=VALUE arguments joined into the one string the kernel
 * takes. Its parse_args() splits on spaces outside double quotes, so a
 * value holding a space is quoted: name="a b". Returns a malloc'd string
 * ("" for none), or NULL when out of memory.
 */
char *modparams_join(int argc, char *const *argv);

#endif
