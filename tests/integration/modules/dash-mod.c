/* dash-mod: the file name has '-', the module name has '_' (dash_mod). */
#include "modtest.h"

int init_module(void)
{
	return 0;
}

void cleanup_module(void)
{
}

MODTEST_THIS_MODULE("dash_mod");

MODTEST_MODINFO(
	"license=GPL\0"
	"description=modutils test module with a dash in its file name\0"
	"author=modutils tests\0"
	"alias=of:N*T*Cmodutils,dash-test\0"
	"alias=usb:v1234p*d*dc*dsc*dp*ic*isc*ip*in*\0"
	"depends=\0"
	"name=dash_mod\0"
	MODTEST_VERMAGIC);
