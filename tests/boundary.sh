#!/bin/bash
# The kernel boundary is one file: only libbb/kernel/kernel.o may reference
# the module syscalls, syscall() and uname(), and only libbb/kernel/kernel.c
# and libbb/kernel/context.c may spell the kernel's or the module tree's
# paths. libbb's layers use only their own and lower layers' headers.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
objdir=${1:-$src/build}/obj
passed=0 failed=0
check() { # description, command...
	local what=$1; shift
	if "$@"; then echo "PASS boundary $what"; passed=$((passed + 1));
	else echo "FAIL boundary $what"; failed=$((failed + 1)); fi
}

kernel_syms='^(init_module|delete_module|finit_module|syscall|uname)$'
offenders() {
	for o in $(find "$objdir" -name '*.o'); do
		[ "${o#"$objdir"/}" = libbb/kernel/kernel.o ] && continue
		nm -u "$o" | awk '{print $NF}' | grep -E "$kernel_syms" | sed "s|^|${o#"$objdir"/}: |"
	done
}
out=$(offenders)
[ -z "$out" ] || echo "$out"
check "kernel calls only in libbb/kernel/kernel.o" test -z "$out"
check "libbb/kernel/kernel.o references init_module, delete_module, syscall" \
	bash -c "nm -u '$objdir/libbb/kernel/kernel.o' | grep -cE ' (init_module|delete_module|syscall)$' | grep -qx 3"

# String literals only, and not prose (usage text may name the folders it
# is about): a path literal has no space in it. Comments are skipped too.
paths=$(grep -rnE '"[^" ]*(/proc/|/sys/|/lib/modules)[^" ]*"' "$src/libbb" "$src/modutils" "$src/applets" "$src/include" |
	grep -vE '^[^:]*/libbb/kernel/(kernel|context)\.c:' | grep -vE '^[^:]*:[0-9]+:[[:space:]]*(/\*|\*|//)')
[ -z "$paths" ] || echo "$paths"
check "no /proc, /sys or /lib/modules literal outside kernel.c and context.c" test -z "$paths"

# libbb's layers, lowest first; probe and depmod are peers. A header
# belongs to the layer whose folder holds its .c file (or, for a header of
# declarations only, the layer named here); autoconf.h, kconfig.h and
# version.h are the build's and may be used anywhere; libbb.h is the
# applets'.
layers="base match kernel modfile index probe depmod"
rank() { local i=0 l; for l in $layers; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo 99; }
header_layer() {
	local h=${1%.h} c
	case $1 in
	autoconf.h | kconfig.h | version.h) echo config; return ;;
	decompress_input.h) echo modfile; return ;;
	depmod.h | depmod_int.h) echo depmod; return ;;
	probe_int.h) echo probe; return ;;
	esac
	c=$(ls "$src"/libbb/*/"$h.c" 2>/dev/null | head -n 1)
	[ -n "$c" ] && basename "$(dirname "$c")" || echo unknown
}
bad=
for f in "$src"/libbb/*/*.c; do
	l=$(basename "$(dirname "$f")")
	for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		hl=$(header_layer "$h")
		[ "$hl" = config ] && continue
		if [ "$hl" = unknown ] || [ "$hl" != "$l" ] && { [ "$(rank "$hl")" -ge "$(rank "$l")" ] ||
			[ "$hl$l" = probedepmod ] || [ "$hl$l" = depmodprobe ]; }; then
			bad="$bad ${f#"$src"/}:$h($hl)"
		fi
	done
done
[ -z "$bad" ] || echo "layer violations:$bad"
check "libbb's layers use only their own and lower layers ($layers)" test -z "$bad"
echo "boundary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
