/*
 * modtest.h - helpers for the fake kernel modules used by the integration
 * tests.  The objects are built with `cc -c` only: they are never loaded into
 * a real kernel, they just have to look like one to modinfo/depmod/insmod and
 * to the fake kernel in tests/preload/fakekernel.c.
 */
#ifndef MODTEST_H
#define MODTEST_H

/*
 * All .modinfo records of a module as ONE object, so the order in the section
 * is exactly the order written (separate variables may be reordered by the
 * compiler).  Each record is "key=value" followed by a NUL: write them as
 * MODTEST_MODINFO("license=GPL\0" "name=foo\0" ...), one literal per record.
 */
#define MODTEST_MODINFO(records)                                              \
	static const char modtest_modinfo[]                                   \
		__attribute__((section(".modinfo"), used, aligned(1))) = records

/*
 * A stand-in for the kernel's struct module in .gnu.linkonce.this_module:
 * on x86_64 the name starts after `enum module_state state` (padded to 8)
 * and `struct list_head list` (16 bytes).
 */
struct modtest_module {
	char state_and_list[24];
	char name[56];
};

#define MODTEST_THIS_MODULE(modname)                                          \
	struct modtest_module __this_module                                   \
		__attribute__((section(".gnu.linkonce.this_module"), used)) = \
		{ { 0 }, modname }

/* An exported symbol: its name goes into __ksymtab_strings. */
#define MODTEST_EXPORT(sym)                                                   \
	static const char modtest_kstrtab_##sym[]                             \
		__attribute__((section("__ksymtab_strings"), used,            \
			       aligned(1))) = #sym

#define MODTEST_VERMAGIC "vermagic=6.1.0-test SMP mod_unload modversions \0"

#endif
