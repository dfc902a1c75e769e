#!/bin/bash
# modinfo benchmark: kmod 30, busybox and modutils side by side, in one run.
#
# Usage: bench/modinfo/run.sh [OPTIONS] [BINARY]
#   BINARY      the modutils multicall binary (run as "BINARY modinfo ...");
#               without it, or when it has no modinfo applet yet, only kmod
#               and busybox are measured and our column says why it is empty
#   --runs N    hyperfine runs per command (default 5; --warmup 1 always)
#   --out FILE  where the report goes (default bench/modinfo/RESULTS.md)
#   --label T   words about BINARY for the report (e.g. "built from commit X, -Os")
#
# What is measured, on Debian bookworm's amd64 module tree (made by
# tests/compat/trees.sh, run from here when missing; -xz/-zst copies of the
# big module are made here when the --compressed trees are not there):
#   (i)   instructions of "modinfo btrfs.ko": valgrind --tool=callgrind, total Ir
#         (and its wall time with hyperfine)
#   (ii)  all module files of the tree in ONE invocation per tool
#         ("xargs -s 2000000 -n 100000 TOOL": the script checks that xargs
#         starts the tool exactly once), hyperfine --warmup 1
#   (iii) peak RSS of "modinfo amdgpu.ko" (/usr/bin/time -v, median of 3)
#   (iv)  amdgpu.ko.zst and amdgpu.ko.xz against "zstd -dc" / "xz -dc" of
#         the same file (hyperfine)
# kmod is /usr/bin/kmod through its "modinfo" link (kmod picks the tool by
# its name). busybox is busybox-static's "busybox modinfo"; it insists on
# reading /lib/modules/$(uname -r)/modules.dep, so when the host has none the
# whole run moves into a private mount namespace (unshare -m) where /usr/lib
# is an overlay holding an empty modules.dep: nothing on the host changes.
# Raw hyperfine JSON and valgrind output: build/bench/modinfo/.
#
# Debian packages this needs (also in tests/compat/packages.txt):
#   hyperfine valgrind time busybox-static kmod zstd xz-utils python3
#   util-linux (unshare, mount) coreutils findutils, and what
#   tests/compat/trees.sh needs (apt dpkg)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
trees=${MODUTILS_COMPAT_TREES:-$repo/build/compat-trees}
work=$repo/build/bench/modinfo
runs=5
out=$here/RESULTS.md
binary=
label=

die() { echo "bench: ERROR: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }
usage() { sed -n '2,35p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

orig_args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--runs) [ $# -ge 2 ] || die "--runs needs N"; runs=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs FILE"; out=$2; shift 2 ;;
	--label) [ $# -ge 2 ] || die "--label needs TEXT"; label=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; die "unknown option: $1" ;;
	*) [ -z "$binary" ] || die "only one BINARY"; binary=$1; shift ;;
	esac
done
[[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 2 ] || die "--runs must be a number >= 2"

missing=
for c in hyperfine:hyperfine valgrind:valgrind /usr/bin/time:time busybox:busybox-static \
	zstd:zstd xz:xz-utils python3:python3 unshare:util-linux; do
	command -v "${c%%:*}" >/dev/null || missing="$missing ${c#*:}"
done
kmod=
for k in /sbin/modinfo /usr/sbin/modinfo; do [ -x "$k" ] && { kmod=$k; break; }; done
[ -n "$kmod" ] || missing="$missing kmod"
[ -z "$missing" ] || die "missing commands; install with: apt-get install -y$missing"

# ------------------------------------------------------------ busybox's modules.dep
if [ -z "${MODUTILS_BENCH_NS:-}" ] && [ ! -e "/lib/modules/$(uname -r)/modules.dep" ]; then
	if unshare -m true 2>/dev/null; then
		note "no /lib/modules/$(uname -r)/modules.dep for busybox: continuing in a private mount namespace"
		exec unshare -m env MODUTILS_BENCH_NS=1 bash "${BASH_SOURCE[0]}" "${orig_args[@]}"
	fi
	note "WARNING: cannot make a mount namespace (unshare -m): busybox will not be measured"
fi
busybox_ok=1
busybox_note=
if [ ! -e "/lib/modules/$(uname -r)/modules.dep" ]; then
	if [ "${MODUTILS_BENCH_NS:-}" = 1 ]; then
		ov=$work/overlay   # (the mount ends with the namespace; the folder is reused)
		rm -rf "$ov"
		mkdir -p "$ov/upper/modules/$(uname -r)" "$ov/work"
		: >"$ov/upper/modules/$(uname -r)/modules.dep"
		libdir=$(readlink -f /lib)   # /usr/lib on a merged-/usr system
		if ! mount -t overlay overlay -o "lowerdir=$libdir,upperdir=$ov/upper,workdir=$ov/work" "$libdir"; then
			busybox_ok=0
			busybox_note="busybox needs /lib/modules/$(uname -r)/modules.dep and the overlay mount failed"
		else
			busybox_note="busybox ran with an empty /lib/modules/$(uname -r)/modules.dep (overlay in a private mount namespace)"
		fi
	else
		busybox_ok=0
		busybox_note="busybox needs /lib/modules/$(uname -r)/modules.dep (none, and no mount namespace)"
	fi
fi

# ------------------------------------------------------------ our binary
ours_ok=0
ours_note=
if [ -z "$binary" ]; then
	ours_note="no BINARY given"
elif [ ! -x "$binary" ]; then
	ours_note="$binary is not an executable file"
else
	binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
	if "$binary" --list 2>/dev/null | grep -qx modinfo; then
		ours_ok=1
	else
		ours_note="$binary has no modinfo applet yet ('$binary --list' does not name it)"
	fi
fi
[ "$ours_ok" = 1 ] || note "NOTE: our column stays empty: $ours_note"

# ------------------------------------------------------------ the module tree
if [ ! -e "$trees/amd64/.complete" ]; then
	note "no amd64 tree yet: running tests/compat/trees.sh --only amd64"
	bash "$repo/tests/compat/trees.sh" --only amd64 >&2
fi
abi=$(cat "$trees/amd64/.complete")
mdir=$trees/amd64/lib/modules/$abi
btrfs=$mdir/kernel/fs/btrfs/btrfs.ko
amdgpu=$mdir/kernel/drivers/gpu/drm/amd/amdgpu/amdgpu.ko
[ -f "$btrfs" ] && [ -f "$amdgpu" ] || die "btrfs.ko or amdgpu.ko missing in $mdir"
mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -f "$work"/*.json "$work"/callgrind.* "$work"/*.log
(cd "$mdir" && find kernel -name '*.ko' -type f | LC_ALL=C sort) >"$work/files.txt"
nfiles=$(wc -l <"$work/files.txt")
zst=$trees/amd64-zst/lib/modules/$abi/kernel/drivers/gpu/drm/amd/amdgpu/amdgpu.ko.zst
xzf=$trees/amd64-xz/lib/modules/$abi/kernel/drivers/gpu/drm/amd/amdgpu/amdgpu.ko.xz
if [ ! -f "$zst" ]; then
	zst=$work/amdgpu.ko.zst
	[ -f "$zst" ] || zstd -q -c "$amdgpu" >"$zst"
fi
if [ ! -f "$xzf" ]; then
	xzf=$work/amdgpu.ko.xz
	[ -f "$xzf" ] || xz --check=crc32 --lzma2=dict=1MiB -c "$amdgpu" >"$xzf"
fi

# tool commands, as shell words
names=(kmod)
cmds=("$kmod")
if [ "$busybox_ok" = 1 ]; then names+=(busybox); cmds+=("$(command -v busybox) modinfo"); fi
if [ "$ours_ok" = 1 ]; then names+=(ours); cmds+=("$binary modinfo"); fi

# The same files from every tool (a sanity check before timing).
for i in "${!names[@]}"; do
	n=$( (cd "$mdir" && ${cmds[$i]} "$btrfs" 2>/dev/null) | grep -c '^filename:' || true)
	[ "$n" = 1 ] || note "WARNING: ${names[$i]}: 'modinfo btrfs.ko' printed $n filename lines"
done
calls=$(cd "$mdir" && xargs -a "$work/files.txt" -d '\n' -s 2000000 -n 100000 sh -c 'echo $#' sh)
[ "$calls" = "$nfiles" ] || die "xargs would split the $nfiles files (got: $(echo $calls))"

load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------ (i) instructions
note "(i) callgrind: modinfo btrfs.ko"
declare -A ir
for i in "${!names[@]}"; do
	n=${names[$i]}
	valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$n.out" \
		${cmds[$i]} "$btrfs" >/dev/null 2>"$work/callgrind.$n.log" || true
	ir[$n]=$(sed -n 's/^summary: *//p' "$work/callgrind.$n.out" 2>/dev/null | head -n 1)
	[ -n "${ir[$n]}" ] || { ir[$n]=failed; note "WARNING: callgrind failed for $n: $work/callgrind.$n.log"; }
done
hf() { # hf NAME OPTIONS... -- -n LABEL COMMAND ...: hyperfine, JSON kept,
	# and NAME.cmds with "LABEL<TAB>COMMAND" lines for the report
	local name=$1 a=()
	shift
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	: >"$work/$name.cmds"
	while [ $# -gt 0 ]; do
		printf '%s\t%s\n' "$2" "$3" >>"$work/$name.cmds"
		a+=("$1" "$2" "$3")
		shift 3
	done
	hyperfine --style none --export-json "$work/$name.json" "${a[@]}" >"$work/$name.log" 2>&1 ||
		{ cat "$work/$name.log" >&2; die "hyperfine failed ($name)"; }
}
args=()
for i in "${!names[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]} $btrfs"); done
hf one -N --warmup 3 --runs $((runs * 4)) -- "${args[@]}"

# ------------------------------------------------------------ (ii) every file at once
note "(ii) hyperfine: $nfiles files in one invocation per tool"
args=()
for i in "${!names[@]}"; do
	args+=(-n "${names[$i]}" "cd $mdir && xargs -a $work/files.txt -d '\\n' -s 2000000 -n 100000 ${cmds[$i]}")
done
hf all --warmup 1 --runs "$runs" -- "${args[@]}"

# ------------------------------------------------------------ (iii) peak RSS
note "(iii) /usr/bin/time -v: peak RSS, modinfo amdgpu.ko"
declare -A rss
for i in "${!names[@]}"; do
	n=${names[$i]}
	vals=()
	for r in 1 2 3; do
		/usr/bin/time -v -o "$work/time.$n.$r.log" ${cmds[$i]} "$amdgpu" >/dev/null 2>&1 || true
		vals+=("$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/time.$n.$r.log")")
	done
	rss[$n]=$(printf '%s\n' "${vals[@]}" | sort -n | sed -n 2p)
done

# ------------------------------------------------------------ (iv) compressed
note "(iv) hyperfine: amdgpu.ko.zst and amdgpu.ko.xz"
args=()
for i in "${!names[@]}"; do
	# busybox 1.35 has no zstd: it prints only the filename line
	[ "${names[$i]}" = busybox ] && continue
	args+=(-n "${names[$i]}" "${cmds[$i]} $zst")
done
args+=(-n "zstd -dc" "zstd -dc $zst")
hf zst -N --warmup 1 --runs $((runs * 2)) -- "${args[@]}"
args=()
for i in "${!names[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]} $xzf"); done
args+=(-n "xz -dc" "xz -dc $xzf")
hf xz -N --warmup 1 --runs $((runs * 2)) -- "${args[@]}"

# ------------------------------------------------------------ report
note "writing $out"
ver_ours=n/a
[ "$ours_ok" = 1 ] && ver_ours=$("$binary" --version 2>&1 | head -n 1)
RB_WORK=$work RB_OUT=$out RB_RUNS=$runs RB_NFILES=$nfiles RB_MDIR=$mdir RB_ABI=$abi \
	RB_KMOD=$kmod RB_BUSYBOX=$(command -v busybox) RB_BINARY=${binary:-none} \
	RB_OURS_OK=$ours_ok RB_OURS_NOTE=$ours_note RB_OURS_LABEL=$label RB_BB_OK=$busybox_ok RB_BB_NOTE=$busybox_note \
	RB_IR_KMOD=${ir[kmod]:-} RB_IR_BUSYBOX=${ir[busybox]:-} RB_IR_OURS=${ir[ours]:-} \
	RB_RSS_KMOD=${rss[kmod]:-} RB_RSS_BUSYBOX=${rss[busybox]:-} RB_RSS_OURS=${rss[ours]:-} \
	RB_ZST=$zst RB_XZ=$xzf RB_BTRFS=$btrfs RB_AMDGPU=$amdgpu \
	RB_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')" \
	RB_CPU="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
	RB_CORES="$(nproc)" RB_MEM="$(free -h | awk '/^Mem:/ {print $2}')" \
	RB_KERNEL="$(uname -r)" RB_LOAD="$(cut -d' ' -f1-3 /proc/loadavg)" RB_LOAD_START="$load_start" \
	RB_OS="$(. /etc/os-release && echo "$PRETTY_NAME")" \
	RB_V_KMOD="$("$kmod" --version | head -n 1)" \
	RB_V_BB="$(busybox 2>&1 | head -n 1 | sed 's/ multi-call binary.*//')" \
	RB_V_OURS="$ver_ours" RB_V_HF="$(hyperfine --version)" RB_V_VG="$(valgrind --version)" \
	RB_V_ZSTD="$(zstd -V | head -n 1 | sed 's/^\** *//; s/ *\**$//; s/, by .*//')" RB_V_XZ="$(xz --version | head -n 1)" \
	RB_GIT="$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)" \
	RB_SIZE_OURS="$([ "$ours_ok" = 1 ] && stat -c %s "$binary" || echo)" \
	python3 "$here/report.py"
echo "bench: results in $out"
