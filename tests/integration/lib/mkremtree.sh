#!/bin/bash
# A module tree for the modprobe -r cases, built in a case's setup (cwd =
# work root):  bash "$TESTLIB/mkremtree.sh" 'NAME[:alias=A] [DEP]...'...
# Each argument is one module: NAME.ko under lib/modules/6.1.0-test/kernel/rm/
# exports NAME_fn and calls DEP_fn for each DEP, so kmod 34.2's depmod
# ($KMOD34_BIN/depmod) writes modules.dep (with the dependencies' own
# dependencies) and the indexes. ":alias=A" adds an alias record.
set -eu
K=lib/modules/6.1.0-test
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$K/kernel/rm"
for spec in "$@"; do
	read -r -a w <<<"$spec"
	name=${w[0]%%:*}
	args=(-x "${name}_fn")
	case ${w[0]} in
	*:alias=*) args+=(-r "alias=${w[0]#*:alias=}") ;;
	esac
	for d in "${w[@]:1}"; do
		args+=(-i "${d}_fn")
	done
	bash "$here/../cases/depmod/lib/mkmod.sh" "$K/kernel/rm/$name.ko" "$name" "${args[@]}"
done
"${KMOD34_BIN:?KMOD34_BIN: kmod 34.2 (run.sh sets it)}/depmod" -b . 6.1.0-test
