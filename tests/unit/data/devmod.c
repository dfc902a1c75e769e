/* devmod: a module with a device node and soft and weak dependencies, for
 * the depmod unit tests (tests/unit/data/README.md). Built like
 * tests/integration/modules/ (-I tests/integration/modules). */
#include "modtest.h"

int init_module(void)
{
	return 0;
}

void cleanup_module(void)
{
}

MODTEST_THIS_MODULE("devmod");

MODTEST_MODINFO(
	"license=GPL\0"
	"description=depmod unit test module with a device node\0"
	"alias=devname:devmod-ctl\0"
	"alias=char-major-10-242\0"
	"alias=pci:v00001234d00005678sv*sd*bc*sc*i*\0"
	"softdep=pre: modtest_a post: modtest_c\0"
	"weakdep=dash_mod\0"
	"depends=\0"
	"name=devmod\0"
	MODTEST_VERMAGIC);
