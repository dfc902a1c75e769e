#!/bin/bash
# Our depmod against kmod 34.2's depmod on Debian's real module trees, and
# kmod 30's modprobe reading our indexes.
#
# Usage: tests/compat/depmod-compare.sh [--trees DIR] [--keep] [--only NAME]... [BINARY]
#
# BINARY is the modutils binary (default build/modutils). The trees come
# from tests/compat/trees.sh --compressed (fetched when missing):
# amd64 and armmp (ELF64 x86-64 and ELF32 ARM), each plain and with every
# module compressed by gzip, xz and zstd, plus a "mixed" tree made here
# (plain, .xz and .zst modules side by side), and Debian 13's amd64 tree
# (trees.sh --trixie: 4230 .ko.xz under usr/lib/modules, lib -> usr/lib).
# --only amd64|armmp|trixie-amd64 (repeatable) limits the run to those trees
# (amd64 and armmp with their compressed and mixed trees).
# kmod 34.2 (Debian 13's) is
# $KMOD34_BIN/depmod, default build/kmod34/bin, fetched there by
# tests/compat/kmod34.sh when missing.
#
# For every tree both depmods run on their own hard-linked copy, and all
# their files are compared byte for byte: modules.dep, .alias, .symbols,
# .softdep, .weakdep, .devname and the five binary indexes (kmod 34's
# pre-order layout), and what they print on stderr.
#
# kmod 30 (Debian 12's, /sbin/depmod and /sbin/modprobe) reads indexes in
# either layout: on each plain tree its modprobe must give the same answers
# from our indexes as from its own depmod's (post-order) ones:
# --show-depends of every module and built-in module, -c, and -R of a
# sample of aliases, symbols and built-in aliases ($MODUTILS_COMPAT_EVERY=N:
# --show-depends of every Nth module only; CI takes a third).
#
# Debian's kmod (30 and 34.2) is built without zlib and ignores .ko.gz
# files, so for the gzip trees kmod 34.2 runs on the plain tree instead: our
# text files must equal its files with ".ko" paths turned into ".ko.gz", the
# indexes without paths must be identical, and modules.dep.bin is checked
# through kmod 30's modprobe (the answers above) against kmod 34.2's index
# of the plain tree.
#
# Prints one line per tree and file class and a summary; exit 1 on any
# difference, 2 on a setup error.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
trees=${MODUTILS_COMPAT_TREES:-$repo/build/compat-trees}
every=${MODUTILS_COMPAT_EVERY:-1}
keep=0
bin=
only=

while [ $# -gt 0 ]; do
	case $1 in
	--trees) trees=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--only) only="$only $2"; shift 2 ;;
	-h | --help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) bin=$1; shift ;;
	esac
done
bin=${bin:-$repo/build/modutils}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
kmod30_depmod=/sbin/depmod
kmod_modprobe=/sbin/modprobe
die() { echo "depmod-compare: $*" >&2; exit 2; }
[ -x "$bin" ] || die "no binary $bin (make first)"
[ -x "$kmod30_depmod" ] && [ -x "$kmod_modprobe" ] || die "kmod 30's depmod and modprobe not found (Debian 12's package kmod)"
if [ -z "${KMOD34_BIN:-}" ]; then
	KMOD34_BIN=$repo/build/kmod34/bin
	[ -x "$KMOD34_BIN/depmod" ] || bash "$here/kmod34.sh" "$repo/build/kmod34" >&2 || die "tests/compat/kmod34.sh failed"
fi
kmod_depmod=$KMOD34_BIN/depmod
"$kmod_depmod" --version 2>/dev/null | grep -q 'kmod version 34' || die "$kmod_depmod is not kmod 34's depmod"

[ -n "$only" ] || only="amd64 armmp trixie-amd64"
wanted() { case " $only " in *" $1 "*) return 0 ;; esac; return 1; }
if { wanted amd64 || wanted armmp; } &&
	{ [ ! -f "$trees/amd64/.complete" ] || [ ! -f "$trees/armmp-gz/.complete" ]; }; then
	MODUTILS_COMPAT_TREES=$trees bash "$here/trees.sh" --compressed >&2 || die "trees.sh failed"
fi
if wanted trixie-amd64 && [ ! -f "$trees/trixie-amd64/.complete" ]; then
	MODUTILS_COMPAT_TREES=$trees KMOD34_BIN=$KMOD34_BIN bash "$here/trees.sh" --only trixie-amd64 >&2 ||
		die "trees.sh --only trixie-amd64 failed"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/depmod-compare.XXXXXX") || die "mktemp failed"
cleanup() { [ $keep = 1 ] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

outputs="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep modules.weakdep
modules.symbols modules.symbols.bin modules.builtin.bin modules.builtin.alias.bin modules.devname"
nout=$(echo $outputs | wc -w)
failures=0 compared=0

version_of() { ls "$1/lib/modules" | head -n 1; }

# copy TREE DEST: hard-linked copy without the generated files
copy() {
	local v
	v=$(version_of "$1")
	# lib/modules/VERSION itself: in Debian 13's tree lib is a link to usr/lib.
	mkdir -p "$2/lib/modules"
	cp -al "$1/lib/modules/$v" "$2/lib/modules/"
	for f in $outputs; do rm -f "$2/lib/modules/$v/$f"; done
}

compare_tree() {
	local name=$1 src=$2 v ours theirs diffs=0 f
	v=$(version_of "$src")
	ours=$work/$name-ours theirs=$work/$name-kmod
	copy "$src" "$ours"
	copy "$src" "$theirs"
	local t0 t1 t2
	t0=$(date +%s.%N)
	"$kmod_depmod" -b "$theirs" "$v" 2>"$work/$name-kmod.err"
	t1=$(date +%s.%N)
	"$bin" depmod -b "$ours" "$v" 2>"$work/$name-ours.err" || { echo "$name: our depmod failed"; cat "$work/$name-ours.err"; failures=$((failures + 1)); return; }
	t2=$(date +%s.%N)
	for f in $outputs; do
		compared=$((compared + 1))
		if ! cmp -s "$theirs/lib/modules/$v/$f" "$ours/lib/modules/$v/$f"; then
			echo "$name: $f DIFFERS"
			diffs=$((diffs + 1))
		fi
	done
	local stderr=same
	sed "s|$theirs|ROOT|g" "$work/$name-kmod.err" >"$work/a"
	sed "s|$ours|ROOT|g" "$work/$name-ours.err" >"$work/b"
	if ! cmp -s "$work/a" "$work/b"; then
		stderr=DIFFERS
		diff "$work/a" "$work/b" | head -5
	fi
	echo "$name: $(grep -c . "$ours/lib/modules/$v/modules.dep") modules, $nout files: $((nout - diffs)) identical to kmod 34.2's," \
		"$diffs differ; stderr $stderr (kmod 34.2 $(awk "BEGIN { print $t1 - $t0 }") s, ours $(awk "BEGIN { print $t2 - $t1 }") s)"
	[ $stderr = same ] || diffs=$((diffs + 1))
	failures=$((failures + diffs))
}

# kmod 30's modprobe on our indexes of a plain tree (name-ours, left by
# compare_tree) and on kmod 30's own depmod's: the same answers.
compare_kmod30() {
	local name=$1 src=$2 v ours k30
	v=$(version_of "$src")
	ours=$work/$name-ours k30=$work/$name-kmod30
	copy "$src" "$k30"
	"$kmod30_depmod" -b "$k30" "$v" 2>/dev/null
	compared=$((compared + 1))
	if cmp -s "$k30/lib/modules/$v/modules.alias.bin" "$ours/lib/modules/$v/modules.alias.bin"; then
		echo "$name: kmod 30's modules.alias.bin is identical to ours: not the pre-order layout?"
		failures=$((failures + 1))
		return
	fi
	modprobe_view "$k30" "$v" "" >"$work/view-kmod30"
	modprobe_view "$ours" "$v" "" >"$work/view-ours"
	if ! cmp -s "$work/view-kmod30" "$work/view-ours"; then
		echo "$name: kmod 30's modprobe answers DIFFER on our indexes and on its own"
		diff "$work/view-kmod30" "$work/view-ours" | head -5
		failures=$((failures + 1))
	else
		echo "$name: kmod 30's modprobe gives the same answers from our indexes as from its own depmod's" \
			"($(wc -l <"$work/view-ours") lines: --show-depends of every module and built-in, -c, alias, symbol and built-in alias lookups)"
	fi
}

# modprobe's view of a tree: --show-depends of every module, -c, aliases
modprobe_view() {
	local root=$1 v=$2 ext=$3
	{
		sed -n 's|^\([^:]*\):.*|\1|p' "$root/lib/modules/$v/modules.dep" | sed 's|.*/||; s|\..*||' |
			awk -v e="$every" '(NR - 1) % e == 0' | while read -r m; do
				"$kmod_modprobe" -d "$root" -S "$v" --show-depends "$m" 2>&1
			done
		"$kmod_modprobe" -d "$root" -S "$v" -c 2>&1 | grep -v '^#'
		sed 's|.*/||; s|\..*||' "$root/lib/modules/$v/modules.builtin" |
			while read -r m; do
				"$kmod_modprobe" -d "$root" -S "$v" --show-depends "$m" 2>&1
			done
		{
			awk 'NR > 1 && NR % 7 == 0 { print $2 }' "$root/lib/modules/$v/modules.alias" |
				sed 's/\[\([^]]\)[^]]*\]/\1/g; s/\*//g; s/?/x/g' | head -n 600
			awk 'NR > 1 && NR % 13 == 0 { print $2 }' "$root/lib/modules/$v/modules.symbols" | head -n 300
			tr '\0' '\n' <"$root/lib/modules/$v/modules.builtin.modinfo" | sed -n 's/^[^.]*\.alias=//p' |
				sed 's/\[\([^]]\)[^]]*\]/\1/g; s/\*//g; s/?/x/g' | head -n 300
		} | while read -r a; do
			printf '%s => ' "$a"
			"$kmod_modprobe" -d "$root" -S "$v" -R "$a" 2>&1 | tr '\n' ' '
			echo
		done
	} | sed "s#$root##g; s#\.ko\( \|\$\)#.ko$ext\1#g"
}

compare_gz() {
	local name=$1 src=$2 plain=$3 v ours theirs diffs=0 f
	v=$(version_of "$src")
	ours=$work/$name-ours theirs=$work/$name-kmod
	copy "$src" "$ours"
	copy "$plain" "$theirs"
	"$kmod_depmod" -b "$theirs" "$v" 2>/dev/null
	"$bin" depmod -b "$ours" "$v" 2>"$work/$name-ours.err" || { echo "$name: our depmod failed"; failures=$((failures + 1)); return; }
	for f in $outputs; do
		compared=$((compared + 1))
		case $f in
		modules.dep)
			sed 's#\.ko\( \|$\)#.ko.gz\1#g; s#\.ko:#.ko.gz:#' "$theirs/lib/modules/$v/$f" >"$work/expected"
			cmp -s "$work/expected" "$ours/lib/modules/$v/$f" || { echo "$name: $f DIFFERS"; diffs=$((diffs + 1)); }
			;;
		modules.dep.bin)
			modprobe_view "$theirs" "$v" .gz >"$work/view-kmod"
			modprobe_view "$ours" "$v" "" >"$work/view-ours"
			if ! cmp -s "$work/view-kmod" "$work/view-ours"; then
				echo "$name: $f: modprobe answers DIFFER"
				diff "$work/view-kmod" "$work/view-ours" | head -5
				diffs=$((diffs + 1))
			else
				echo "$name: $f: kmod 30's modprobe gives the same answers as from kmod 34.2's plain-tree index ($(wc -l <"$work/view-ours") lines)"
			fi
			;;
		*)
			cmp -s "$theirs/lib/modules/$v/$f" "$ours/lib/modules/$v/$f" || { echo "$name: $f DIFFERS"; diffs=$((diffs + 1)); }
			;;
		esac
	done
	echo "$name: $(grep -c . "$ours/lib/modules/$v/modules.dep") modules, $nout files: $((nout - diffs)) agree with kmod 34.2's plain-tree output, $diffs differences"
	failures=$((failures + diffs))
}

# A tree mixing plain, .xz and .zst modules, from hard links of the three.
make_mixed() {
	local base=$1 dest=$2 v i=0 rel
	v=$(version_of "$trees/$base")
	mkdir -p "$dest/lib/modules/$v"
	(cd "$trees/$base/lib/modules/$v" && find . -name '*.ko' | LC_ALL=C sort) | while read -r rel; do
		rel=${rel#./}
		mkdir -p "$dest/lib/modules/$v/$(dirname "$rel")"
		case $((i % 3)) in
		0) ln "$trees/$base/lib/modules/$v/$rel" "$dest/lib/modules/$v/$rel" ;;
		1) ln "$trees/$base-xz/lib/modules/$v/$rel.xz" "$dest/lib/modules/$v/$rel.xz" ;;
		2) ln "$trees/$base-zst/lib/modules/$v/$rel.zst" "$dest/lib/modules/$v/$rel.zst" ;;
		esac
		i=$((i + 1))
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		cp "$trees/$base/lib/modules/$v/$f" "$dest/lib/modules/$v/"
	done
}

for arch in amd64 armmp; do
	wanted "$arch" || continue
	for t in "$arch" "$arch-xz" "$arch-zst"; do
		[ -d "$trees/$t" ] || die "missing tree $trees/$t"
		compare_tree "$t" "$trees/$t"
		[ "$t" = "$arch" ] && compare_kmod30 "$t" "$trees/$t"
	done
	make_mixed "$arch" "$work/src-$arch-mixed"
	compare_tree "$arch-mixed" "$work/src-$arch-mixed"
	compare_gz "$arch-gz" "$trees/$arch-gz" "$trees/$arch"
done

if wanted trixie-amd64; then
	[ -d "$trees/trixie-amd64" ] || die "missing tree $trees/trixie-amd64"
	compare_tree trixie-amd64 "$trees/trixie-amd64"
	compare_kmod30 trixie-amd64 "$trees/trixie-amd64"
fi

echo "depmod-compare: $compared files compared, $failures differences"
# The closing line every test layer prints (scripts/test-all.sh counts it).
echo "depmod-compare: $((compared - failures)) passed, $failures failed"
[ $failures = 0 ]
