#!/bin/bash
# A module tree for lookup cases, built in a case's setup (cwd = work root):
#   bash "$TESTLIB/mktree.sh" [--text-only] [--no-index]
# lib/modules/6.1.0-test/ gets the fixture modules (plain and compressed),
# two built-in modules (modules.builtin, modules.builtin.modinfo), and the
# indexes written by kmod 34.2's depmod, the reference implementation
# ($KMOD34_BIN/depmod: run.sh sets KMOD34_BIN). With --text-only the .bin
# indexes are removed (text fallback); with --no-index depmod is not run at
# all.
set -eu
K=lib/modules/6.1.0-test
mkdir -p "$K/kernel/drivers/test" "$K/kernel/fs/test"
cp mods/modtest_a.ko "$K/kernel/drivers/test/"
cp mods/modtest_b.ko.xz "$K/kernel/drivers/test/"
cp mods/modtest_c.ko "$K/kernel/fs/test/"
cp mods/dash-mod.ko.zst "$K/kernel/drivers/test/"
printf 'kernel/drivers/test/modtest_a.ko\nkernel/drivers/test/modtest_b.ko.xz\nkernel/fs/test/modtest_c.ko\nkernel/drivers/test/dash-mod.ko.zst\n' > "$K/modules.order"
printf 'kernel/drivers/builtin/modtest_builtin.ko\nkernel/fs/other-builtin.ko\n' > "$K/modules.builtin"
printf '%s\0' \
	'modtest_builtin.license=GPL' \
	'modtest_builtin.description=a built-in test module' \
	'modtest_builtin.parmtype=debug:int' \
	'modtest_builtin.parm=debug:enable debugging' \
	'modtest_builtin.alias=modtest-builtin-alias' \
	'modtest_builtinx.license=not this one' \
	'other_builtin.license=MIT' > "$K/modules.builtin.modinfo"
case "${1:-}" in
--no-index) exit 0 ;;
esac
"${KMOD34_BIN:?KMOD34_BIN: kmod 34.2 (run.sh sets it)}/depmod" -b . 6.1.0-test
if [ "${1:-}" = --text-only ]; then
	rm -f "$K"/*.bin
fi
