#!/bin/bash
# Compare modutils' modinfo with kmod's (30 or 34.2), byte for byte.
#
# Usage: tests/compat/modinfo-compare.sh [OPTIONS] BINARY [TREE...]
#
# BINARY is the modutils multicall binary (run as "BINARY modinfo ARGS").
# BINARY may also be kmod itself (/usr/bin/kmod, or a "modinfo" link to it):
# then the harness checks itself and every case must be identical.
#
# TREE is a root with lib/modules/VERSION/ (tests/compat/trees.sh makes them
# in build/compat-trees) or a plain folder of module files (the fixtures of
# tests/compat/make-fixtures.sh). Without TREE: every finished tree in
# build/compat-trees (amd64, armmp and, if made, their -gz/-xz/-zst copies).
#
# For each tree:
#   - every module file: "modinfo FILE";
#   - on a sample of the files: -F vermagic, -F parm, -0, -a, -d, -l, -p, -n,
#     -0 -F alias, -F depends, -F signer, unknown fields, several files in one
#     call, a relative path, a missing file among good ones;
#   - "-k VERSION -b ROOT" lookups: module names (also with -m, -F filename and
#     with - and _ swapped), aliases from modules.alias (plain and wildcard
#     patterns), builtin modules from modules.builtin.modinfo, and errors
#     (unknown name, unknown version, missing file, a folder, no argument,
#     unknown option).
# For a plain folder: every file, with a few -F/-0/-p variants.
# stdout, stderr and the exit status must be identical. Differences that are
# intended are listed in tests/compat/modinfo-differences.txt (a regex per
# difference, and why); they are reported separately and count as passed.
# kmod on Debian has no zlib: for a TREE-gz tree its reference output is
# taken from the uncompressed TREE with the paths put back.
#
# Options:
#   -j N           parallel cases (default: number of cores; each case runs
#                  kmod, then BINARY)
#   --show N       diffs shown (default 10)
#   --sample N     sampled files/names per tree for the variants (default 40)
#   --every N      "modinfo FILE" for every Nth module file of a tree, in
#                  path order (default 1: every file; CI takes a third
#                  against kmod 30, the second reference)
#   --files-only   only "modinfo FILE" for each file
#   --failures F   write every failing case's diff to F
#   --known F      known-differences file (default: beside this script)
#   --ref 30|34.2  the reference (default $MODUTILS_COMPAT_REF, else 30):
#                  30 is Debian 12's /sbin/modinfo; 34.2 is Debian 13's,
#                  $KMOD34_BIN/modinfo (default <repo>/build/kmod34/bin,
#                  fetched by tests/compat/kmod34.sh when missing)
#   --kmod PATH    kmod's modinfo (overrides --ref)
#
# Where kmod 30 and 34.2 answer differently we follow 34.2: an entry of
# modinfo-differences.txt with "ref: 30" applies only against kmod 30.
#
# Output: a summary line per tree, the first diffs, and "N passed, N failed".
# Exit 0 when nothing failed, 1 on failures, 2 on usage errors or when BINARY
# has no modinfo applet yet.
#
# Debian packages this needs (also in tests/compat/packages.txt):
#   kmod (modinfo 30), python3 (3.11, standard library only), coreutils;
#   apt, dpkg (tests/compat/kmod34.sh, for --ref 34.2)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
trees_dir=${MODUTILS_COMPAT_TREES:-$repo/build/compat-trees}

usage() { sed -n '2,56p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "modinfo-compare: ERROR: $*" >&2; exit 2; }

pyargs=()
kmod=
ref=${MODUTILS_COMPAT_REF:-30}
known=$here/modinfo-differences.txt
binary=
trees=()
while [ $# -gt 0 ]; do
	case $1 in
	-j | --show | --sample | --every | --failures)
		[ $# -ge 2 ] || die "$1 needs a value"; pyargs+=("$1" "$2"); shift 2 ;;
	-j*) pyargs+=(-j "${1#-j}"); shift ;;
	--files-only) pyargs+=("$1"); shift ;;
	--known) [ $# -ge 2 ] || die "--known needs a FILE"; known=$2; shift 2 ;;
	--kmod) [ $# -ge 2 ] || die "--kmod needs a PATH"; kmod=$2; shift 2 ;;
	--ref) [ $# -ge 2 ] || die "--ref needs 30 or 34.2"; ref=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; die "unknown option: $1" ;;
	*)
		if [ -z "$binary" ]; then binary=$1; else trees+=("$1"); fi
		shift ;;
	esac
done
[ -n "$binary" ] || { usage >&2; die "BINARY is required"; }
command -v python3 >/dev/null || die "python3 not found (Debian package python3)"

case $ref in
30) ;;
34 | 34.2)
	if [ -z "$kmod" ]; then
		k34=${KMOD34_BIN:-$repo/build/kmod34/bin}
		if [ ! -x "$k34/modinfo" ] && [ -z "${KMOD34_BIN:-}" ]; then
			bash "$here/kmod34.sh" "$repo/build/kmod34" >&2 || die "tests/compat/kmod34.sh failed"
		fi
		kmod=$k34/modinfo
	fi ;;
*) die "--ref takes 30 or 34.2" ;;
esac
if [ -z "$kmod" ]; then
	for k in /sbin/modinfo /usr/sbin/modinfo /bin/modinfo /usr/bin/modinfo; do
		[ -x "$k" ] && { kmod=$k; break; }
	done
fi
[ -n "$kmod" ] && [ -x "$kmod" ] || die "kmod's modinfo not found (Debian package kmod)"
kver=$("$kmod" --version 2>/dev/null | head -n 1 || true)
case $kver in
"kmod version 30" | "kmod version 34.2") ;;
"kmod version"*) echo "modinfo-compare: WARNING: the reference is $kver, not kmod 30" >&2 ;;
*) die "$kmod is not kmod's modinfo ('$kmod --version' said: $kver)" ;;
esac

[ -x "$binary" ] || binary=$(command -v "$binary" || true)
[ -n "$binary" ] && [ -x "$binary" ] || die "BINARY not found or not executable"
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
self=()
if [ "$(readlink -f "$binary")" = "$(readlink -f "$kmod")" ]; then
	# kmod picks the tool by its argv[0]: use the modinfo link.
	binary=$kmod
	self=(--self)
	echo "modinfo-compare: BINARY is kmod itself: checking the harness (everything must be identical)"
elif ! "$binary" --list 2>/dev/null | grep -qx modinfo; then
	echo "modinfo-compare: NOTE: $binary has no modinfo applet yet ('$binary --list' does not name it);" \
		"nothing to compare. Build it with the modinfo applet, or pass /usr/bin/kmod to check the harness." >&2
	exit 2
fi

if [ ${#trees[@]} -eq 0 ]; then
	for t in amd64 amd64-gz amd64-xz amd64-zst armmp armmp-gz armmp-xz armmp-zst; do
		[ -e "$trees_dir/$t/.complete" ] && trees+=("$trees_dir/$t")
	done
	[ ${#trees[@]} -gt 0 ] || die "no trees in $trees_dir: run tests/compat/trees.sh first"
fi

echo "modinfo-compare: reference $kmod ($kver); binary $binary"
exec python3 -B "$here/modinfo_compare.py" --kmod "$kmod" --known "$known" "${self[@]}" \
	"${pyargs[@]}" "$binary" "${trees[@]}"
