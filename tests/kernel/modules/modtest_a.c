// SPDX-License-Identifier: GPL-2.0
/*
 * modtest_a - test module for the modutils real-kernel tests.
 *
 * Takes two parameters (visible read-only under
 * /sys/module/modtest_a/parameters/) and exports one symbol that
 * modtest_b depends on, so the tests can check use counts and
 * "in use by" handling.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static int count;
module_param(count, int, 0444);
MODULE_PARM_DESC(count, "an integer for the tests to set and read back");

static char *label = "none";
module_param(label, charp, 0444);
MODULE_PARM_DESC(label, "a string for the tests to set and read back");

/* Makes init fail, for the test of a load that the module refuses. */
static bool fail_init;
module_param(fail_init, bool, 0444);
MODULE_PARM_DESC(fail_init, "if set, init fails with -ENODEV");

int modtest_a_value(void)
{
	return count * 6;
}
EXPORT_SYMBOL(modtest_a_value);

static int __init modtest_a_init(void)
{
	if (fail_init) {
		pr_info("modtest_a: init failing as asked\n");
		return -ENODEV;
	}
	pr_info("modtest_a: init count=%d label=%s\n", count, label);
	return 0;
}

static void __exit modtest_a_exit(void)
{
	pr_info("modtest_a: exit\n");
}

module_init(modtest_a_init);
module_exit(modtest_a_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("modutils test suite");
MODULE_DESCRIPTION("modutils test module A (parameters, exported symbol)");
