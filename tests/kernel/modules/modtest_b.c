// SPDX-License-Identifier: GPL-2.0
/*
 * modtest_b - test module that depends on modtest_a through the
 * exported symbol modtest_a_value().
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

extern int modtest_a_value(void);

static int __init modtest_b_init(void)
{
	pr_info("modtest_b: init value=%d\n", modtest_a_value());
	return 0;
}

static void __exit modtest_b_exit(void)
{
	pr_info("modtest_b: exit\n");
}

module_init(modtest_b_init);
module_exit(modtest_b_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("modutils test suite");
MODULE_DESCRIPTION("modutils test module B (uses modtest_a_value)");
