/* modtest_b: depends on modtest_a (uses its exported symbol). */
#include "modtest.h"

extern int modtest_a_value(void);

int init_module(void)
{
	return modtest_a_value() > 0 ? 0 : -1;
}

void cleanup_module(void)
{
}

MODTEST_THIS_MODULE("modtest_b");

MODTEST_MODINFO(
	"license=GPL\0"
	"description=modutils test module B (depends on modtest_a)\0"
	"author=modutils tests\0"
	"depends=modtest_a\0"
	"name=modtest_b\0"
	MODTEST_VERMAGIC);
