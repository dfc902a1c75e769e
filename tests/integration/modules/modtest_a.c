/* modtest_a: has parameters (count:int, label:charp) and exports a symbol. */
#include "modtest.h"

static int count = 1;
static const char *label = "none";

int modtest_a_value(void)
{
	return count + (label != 0);
}
MODTEST_EXPORT(modtest_a_value);

int init_module(void)
{
	return 0;
}

void cleanup_module(void)
{
}

MODTEST_THIS_MODULE("modtest_a");

MODTEST_MODINFO(
	"license=GPL\0"
	"description=modutils test module A (parameters, exported symbol)\0"
	"author=modutils tests\0"
	"parmtype=count:int\0"
	"parm=count:an int\0"
	"parmtype=label:charp\0"
	"parm=label:a string\0"
	"depends=\0"
	"name=modtest_a\0"
	MODTEST_VERMAGIC);
