#!/bin/bash
# The build system's promises: out-of-tree builds write nothing into the
# source tree, V=1 shows the commands, a default build needs no Kconfig
# tool, and make install lays out the binary with one link per applet and
# the manual pages (the committed ones: no scdoc needed).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { local what=$1; shift
	if "$@"; then echo "PASS build $what"; passed=$((passed + 1));
	else echo "FAIL build $what"; failed=$((failed + 1)); fi
}

# A throwaway copy of the tree, so "nothing written" can be checked exactly.
mkdir -p "$tmp/src"
git -C "$src" ls-files -z | (cd "$src" && xargs -0 cp --parents -t "$tmp/src")
before=$(cd "$tmp/src" && find . -type f | sort | md5sum)

check "O=DIR builds DIR/modutils" make -s -C "$tmp/src" O="$tmp/out" KCONF= KMCONF=
check "O=DIR writes nothing into the source tree" \
	test "$(cd "$tmp/src" && find . -type f | sort | md5sum)" = "$before"
check "default config without a Kconfig tool equals configs/defconfig" \
	cmp -s "$tmp/out/.config" "$src/configs/defconfig"
check "V=1 shows the compiler commands" bash -c \
	"make -C '$tmp/src' O='$tmp/out' clean >/dev/null && make -C '$tmp/src' O='$tmp/out' V=1 2>&1 | grep -q -- '-Wall -Wextra -Werror'"
check "make defconfig works without a Kconfig tool" bash -c \
	"rm -f '$tmp/out/.config' && make -s -C '$tmp/src' O='$tmp/out' defconfig KCONF= && cmp -s '$tmp/out/.config' '$src/configs/defconfig'"

make -s -C "$tmp/src" O="$tmp/out" install DESTDIR="$tmp/dest" PREFIX=/opt/mu >/dev/null 2>&1
check "install: DESTDIR/PREFIX/sbin/modutils is executable" test -x "$tmp/dest/opt/mu/sbin/modutils"
links=$(cd "$tmp/dest/opt/mu/sbin" && for l in *; do [ -L "$l" ] && echo "$l->$(readlink "$l")"; done | tr '\n' ' ')
check "install: one link per enabled applet ($links)" \
	test "$links" = "$("$tmp/out/modutils" --list | sed 's/.*/&->modutils/' | tr '\n' ' ')"
mans=$(cd "$tmp/dest/opt/mu/share/man" 2>/dev/null && ls man5/* man8/* 2>/dev/null | tr '\n' ' ')
check "install: a manual page per applet and modprobe.d(5), depmod.d(5), modules.dep(5) ($mans)" \
	test "$mans" = "man5/depmod.d.5 man5/modprobe.d.5 man5/modules.dep.5 $("$tmp/out/modutils" --list | sed 's/.*/man8\/&.8/' | sort | tr '\n' ' ')"
check "install: the pages are the committed ones (no scdoc run)" bash -c \
	"for p in '$tmp'/dest/opt/mu/share/man/man*/*; do cmp -s \"\$p\" '$src'/man/\$(basename \"\$p\") || exit 1; done"
check "installed link runs its applet" bash -c "'$tmp/dest/opt/mu/sbin/lsmod' --help | grep -q '^Usage: lsmod'"

mkdir -p "$tmp/hard"
cp "$tmp/out/modutils" "$tmp/hard/modutils"
check "modutils --install DIR makes hard links" bash -c \
	"'$tmp/hard/modutils' --install '$tmp/hard' && test \$(stat -c %h '$tmp/hard/modutils') -eq \$((1 + \$('$tmp/hard/modutils' --list | wc -l)))"
check "modutils --install refuses to overwrite" bash -c \
	"! '$tmp/hard/modutils' --install '$tmp/hard' 2>'$tmp/err' && grep -q 'could not create .*/insmod: File exists' '$tmp/err'"

echo "build: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
