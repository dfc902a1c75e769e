/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_VERSION_H
#define MODUTILS_VERSION_H

#define MODUTILS_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
