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

/* Whether an applet frees what it holds before main returns: yes under
 * AddressSanitizer or LeakSanitizer (which report whatever is left),
 * otherwise no: exit gives the address space back at once, and a teardown
 * piece by piece is only cost (ten munmap calls on modprobe's hotplug path;
 * BusyBox's FEATURE_CLEAN_UP, off by default, is the same choice). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define FREE_AT_EXIT 1
#endif
#endif
#if !defined(FREE_AT_EXIT) && defined(__SANITIZE_ADDRESS__)
#define FREE_AT_EXIT 1
#endif
#ifndef FREE_AT_EXIT
#define FREE_AT_EXIT 0
#endif

/* Every applet's entry point has this shape. */
typedef int applet_main_fn(int argc, char **argv);

#endif
