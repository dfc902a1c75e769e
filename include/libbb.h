/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_LIBBB_H
#define MODUTILS_LIBBB_H

/* Everything an applet may use from libbb. */
#include "autoconf.h"
#include "kconfig.h"
#include "context.h"
#include "kernel.h"
#include "modfile.h"
#include "modname.h"
#include "msg.h"

#define MODUTILS_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Every applet's entry point has this shape. */
typedef int applet_main_fn(int argc, char **argv);

#endif
