#!/bin/bash
# Benchmark our depmod against Debian's kmod 30 depmod and busybox-static's
# depmod on Debian's amd64 module tree (4023 modules), plain and with every
# module compressed by xz, zstd and gzip (tests/compat/trees.sh --compressed).
#
# Usage: bench/depmod/run.sh [BINARY]     (default build/modutils)
# Needs: hyperfine, /usr/bin/time (package time), busybox-static, kmod.
# Each tool gets its own hard-linked copy of the tree without the generated
# files (busybox writes its files in place: it must never share an inode
# with the source tree). Wall time: hyperfine, 3 warm-up runs, 10 runs, page
# cache warm. Peak memory: /usr/bin/time -v "Maximum resident set size".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${1:-$repo/build/modutils}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
trees=${MODUTILS_COMPAT_TREES:-$repo/build/compat-trees}
runs=${RUNS:-10}
[ -f "$trees/amd64-gz/.complete" ] || bash "$repo/tests/compat/trees.sh" --compressed --only amd64 >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/depmod-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
v=$(ls "$trees/amd64/lib/modules")
outputs="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep modules.weakdep
modules.symbols modules.symbols.bin modules.builtin.bin modules.builtin.alias.bin modules.devname"

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cpus, kernel $(uname -r)"
echo "# ours: $bin ($("$bin" depmod -V | head -n 1))"
echo "# kmod: $(/sbin/depmod -V | head -n 1); busybox: $(busybox 2>&1 | head -n 1)"
for t in amd64 amd64-xz amd64-zst amd64-gz; do
	for tool in ours kmod busybox; do
		mkdir -p "$work/$t-$tool"
		cp -al "$trees/$t/lib" "$work/$t-$tool/"
		for f in $outputs; do rm -f "$work/$t-$tool/lib/modules/$v/$f"; done
	done
	echo
	echo "## $t"
	cmds=("$bin depmod -b $work/$t-ours $v" "/sbin/depmod -b $work/$t-kmod $v" "busybox depmod -b $work/$t-busybox $v")
	hyperfine -N -w 3 -r "$runs" --export-markdown "$work/md" -n ours -n kmod-30 -n busybox \
		"${cmds[@]}" >/dev/null 2>&1 || true
	cat "$work/md"
	for i in 0 1 2; do
		name=$(echo "ours kmod-30 busybox" | cut -d' ' -f$((i + 1)))
		/usr/bin/time -f "$name: peak RSS %M KiB, %e s, %U s user, %S s sys" ${cmds[$i]} 2>&1 >/dev/null |
			grep -v WARNING | tail -n 1
	done
	n=$(grep -c . "$work/$t-ours/lib/modules/$v/modules.dep" || true)
	echo "modules in our modules.dep: $n; kmod's: $(grep -c . "$work/$t-kmod/lib/modules/$v/modules.dep" || true);" \
		"busybox's: $(grep -c . "$work/$t-busybox/lib/modules/$v/modules.dep" || true)"
done
