#!/bin/bash
# The kernel boundary is one file: only libbb/kernel.o may reference the
# module syscalls, syscall() and uname(), and only libbb/kernel.c and
# libbb/context.c may spell the kernel's or the module tree's paths.
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
		[ "${o#"$objdir"/}" = libbb/kernel.o ] && continue
		nm -u "$o" | awk '{print $NF}' | grep -E "$kernel_syms" | sed "s|^|${o#"$objdir"/}: |"
	done
}
out=$(offenders)
[ -z "$out" ] || echo "$out"
check "kernel calls only in libbb/kernel.o" test -z "$out"
check "libbb/kernel.o references init_module, delete_module, syscall" \
	bash -c "nm -u '$objdir/libbb/kernel.o' | grep -cE ' (init_module|delete_module|syscall)$' | grep -qx 3"

# String literals only, and not prose (usage text may name the folders it
# is about): a path literal has no space in it. Comments are skipped too.
paths=$(grep -rnE '"[^" ]*(/proc/|/sys/|/lib/modules)[^" ]*"' "$src/libbb" "$src/modutils" "$src/applets" "$src/include" |
	grep -vE '^[^:]*/libbb/(kernel|context)\.c:' | grep -vE '^[^:]*:[0-9]+:[[:space:]]*(/\*|\*|//)')
[ -z "$paths" ] || echo "$paths"
check "no /proc, /sys or /lib/modules literal outside kernel.c and context.c" test -z "$paths"
echo "boundary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
