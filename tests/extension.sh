#!/bin/bash
# The compression formats are listed twice: in C, MODCOMP_FORMATS
# (include/modfile.h: enum, decompressors, detection, suffixes, --version
# flags), and for the build, scripts/compression.list (link flags,
# pkg-config, sysroot packages, tests, Buildroot). Check that they name the
# same formats in the same order, and that each format has the rest of
# what it takes: its decompressor's source, its Config.in option (set in
# configs/defconfig, which must be complete), a recipe in
# scripts/mksysroot.sh --build-libs and its Buildroot option.
# usage: tests/extension.sh [SRCDIR]   (default: this tree)
set -u
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
passed=0 failed=0
check() { # description, command...
	local what=$1; shift
	if "$@"; then echo "PASS extension $what"; passed=$((passed + 1));
	else echo "FAIL extension $what"; failed=$((failed + 1)); fi
}

list=$src/scripts/compression.list
rows=$(sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$list")
# SYMBOL name, a line per format, from each side.
from_list=$(awk '{ print $1, $2 }' <<<"$rows")
from_c=$(sed -n '/^#define MODCOMP_FORMATS(X)/,/^[^#]*[^\\]$/p' "$src/include/modfile.h" |
	sed -n 's/^[[:space:]]*X(\([A-Z0-9_]*\),[[:space:]]*\([a-z0-9_]*\),.*/\1 \2/p')
[ "$from_list" = "$from_c" ] || printf 'scripts/compression.list:\n%s\ninclude/modfile.h MODCOMP_FORMATS:\n%s\n' "$from_list" "$from_c"
check "compression.list and MODCOMP_FORMATS name the same formats in the same order" \
	test -n "$from_list" -a "$from_list" = "$from_c"
check "every line of compression.list has its 10 columns" \
	bash -c '[ -z "$(awk "NF != 10" <<<"$1")" ]' _ "$rows"

missing=
while read -r sym name link static pc headers deblib debdev debsrc br; do
	[ -f "$src/libbb/modfile/decompress_$name.c" ] || missing="$missing libbb/modfile/decompress_$name.c"
	grep -qx "config FEATURE_$sym" "$src/Config.in" || missing="$missing Config.in:FEATURE_$sym"
	grep -Eqx "(CONFIG_FEATURE_$sym=y|# CONFIG_FEATURE_$sym is not set)" "$src/configs/defconfig" ||
		missing="$missing configs/defconfig:CONFIG_FEATURE_$sym"
	grep -q "^build_$name()" "$src/scripts/mksysroot.sh" || missing="$missing scripts/mksysroot.sh:build_$name"
	sed -n "/^config BR2_PACKAGE_MODUTILS_$sym\$/,/^config /p" "$src/scripts/buildroot/package/modutils/Config.in" |
		grep -qx "[[:space:]]*select BR2_PACKAGE_$(echo "$br" | tr a-z- A-Z_)" ||
		missing="$missing buildroot:BR2_PACKAGE_MODUTILS_$sym"
	case $link in -l?*) ;; *) missing="$missing $sym:link($link)" ;; esac
done <<<"$rows"
[ -z "$missing" ] || echo "missing:$missing"
check "each format has its decompressor, Config.in and defconfig lines, sysroot recipe, Buildroot option" \
	test -z "$missing"
# No decompressor source without a line.
extra=
for f in "$src"/libbb/modfile/decompress_*.c; do
	n=$(basename "$f" .c); n=${n#decompress_}
	awk -v n="$n" '$2 == n { found = 1 } END { exit !found }' <<<"$rows" || extra="$extra ${f#"$src"/}"
done
[ -z "$extra" ] || echo "not in compression.list:$extra"
check "every libbb/modfile/decompress_*.c is a format of the list" test -z "$extra"
echo "extension: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
