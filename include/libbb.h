/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_LIBBB_H
#define MODUTILS_LIBBB_H

/* What every applet uses: the build's configuration, the version, the
 * messages, the root and kernel context, the kernel boundary and module
 * files. An applet includes the headers of the other libbb layers it
 * calls itself (README, Layout). */
#include "autoconf.h"
#include "kconfig.h"
#include "context.h"
#include "kernel.h"
#include "modfile.h"
#include "modname.h"
#include "msg.h"

#include "version.h"

/* Every applet's entry point has this shape. */
typedef int applet_main_fn(int argc, char **argv);

#endif
