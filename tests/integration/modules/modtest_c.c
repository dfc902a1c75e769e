/* modtest_c: independent, no parameters, has an alias. */
#include "modtest.h"

int init_module(void)
{
	return 0;
}

void cleanup_module(void)
{
}

MODTEST_THIS_MODULE("modtest_c");

MODTEST_MODINFO(
	"license=GPL\0"
	"description=modutils test module C (no parameters)\0"
	"author=modutils tests\0"
	"alias=modtest-c-alias\0"
	"depends=\0"
	"name=modtest_c\0"
	MODTEST_VERMAGIC);
