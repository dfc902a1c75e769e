/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MODUTILS_KCONFIG_H
#define MODUTILS_KCONFIG_H

/*
 * IS_ENABLED(CONFIG_X) is 1 when the generated autoconf.h defines CONFIG_X
 * as 1 and 0 when it does not define it, so that feature code stays visible
 * to the compiler in every configuration and dead branches are dropped by
 * the optimiser instead of the preprocessor.
 */
#define MU_ARG_PLACEHOLDER_1 0,
#define MU_TAKE_SECOND(ignored, val, ...) val
#define MU_IS_DEFINED3(arg1_or_junk) MU_TAKE_SECOND(arg1_or_junk 1, 0, 0)
#define MU_IS_DEFINED2(val) MU_IS_DEFINED3(MU_ARG_PLACEHOLDER_##val)
#define IS_ENABLED(option) MU_IS_DEFINED2(option)

#endif
