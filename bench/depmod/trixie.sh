#!/bin/bash
# depmod on Debian 13's module tree (4,230 .ko.xz), side by side in the same
# runs with kmod 34.2 (Debian 13's binary through its own loader), kmod 30
# (the host's /sbin/depmod) and BusyBox 1.37 (Debian 13's busybox-static):
# issue 17's targets.
#
# usage: bench/depmod/trixie.sh OURS [OURS_CACHE]
#   OURS        our binary as built by default (make O=build/static STATIC=1)
#   OURS_CACHE  the same with CONFIG_FEATURE_DEPMOD_CACHE=y (optional: the
#               cache runs are left out without it)
# environment: RUNS (5), WARMUP (3), KMOD34 (folder from tests/compat/kmod34.sh,
#   default build/kmod34), MODUTILS_COMPAT_TREES (build/compat-trees)
#
# Every tool gets its own copy of the tree without the generated files, on
# the file system of TMPDIR (ext4 here); every run writes and syncs its
# files (no -n, no -A). Runs:
#   1. full run, two CPUs: ours, kmod 34.2, kmod 30, BusyBox 1.37;
#   2. full run, one CPU (taskset -c 0): ours, kmod 34.2;
#   3. with OURS_CACHE: kmod 34.2's full run, ours without the cache
#      (--no-cache), ours on the unchanged tree, with one module replaced
#      (a new inode, cp -p + mv, before each run) and with one added (a copy
#      under updates/, made new before each run), ours' cache being a real
#      copy's (cp -a: a hard-linked copy shares the source tree's ctimes).
# Wall, user and system time by hyperfine -N, RUNS rounds of one run of
# each command in turn (after WARMUP runs of each: page cache warm), the
# median over the rounds; peak RSS by /usr/bin/time -v.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
ours=$(abs "$1")
cache=${2:+$(abs "$2")}
runs=${RUNS:-5}
warm=${WARMUP:-3}
trees=${MODUTILS_COMPAT_TREES:-$repo/build/compat-trees}
k34=${KMOD34:-$repo/build/kmod34}
for c in hyperfine taskset; do command -v $c >/dev/null || { echo "trixie.sh: $c not found" >&2; exit 1; }; done
[ -x /usr/bin/time ] || { echo "trixie.sh: /usr/bin/time not found (package time)" >&2; exit 1; }
[ -x "$k34/bin/depmod" ] || bash "$repo/tests/compat/kmod34.sh" "$k34" >&2
[ -f "$trees/trixie-amd64/.complete" ] || bash "$repo/tests/compat/trees.sh" --only trixie-amd64 >&2
src=$trees/trixie-amd64
v=$(ls "$src/usr/lib/modules")
# kmod 34.2 as Debian 13 runs it: its own loader and libraries, no wrapper.
kmod34="$k34/root/usr/lib64/ld-linux-x86-64.so.2 --library-path $k34/root/usr/lib/x86_64-linux-gnu --argv0 depmod $k34/root/usr/bin/kmod"
bb="$k34/root/usr/bin/busybox"
[ -x "$bb" ] || bb="$k34/root/bin/busybox"
work=$(mktemp -d "${TMPDIR:-/tmp}/depmod-trixie.XXXXXX")
trap 'rm -rf "$work"' EXIT
outputs="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep modules.weakdep
modules.symbols modules.symbols.bin modules.builtin.bin modules.builtin.alias.bin modules.devname"

copy() { # NAME [cp option]: a copy of the tree without the generated files
	mkdir -p "$work/$1"
	cp ${2:--al} "$src/usr" "$work/$1/"
	ln -s usr/lib "$work/$1/lib"
	for f in $outputs modules.depmod-cache; do rm -f "$work/$1/usr/lib/modules/$v/$f"; done
}

lib_version() { # the liblzma a static binary carries, if it says
	strings "$1" | grep -m1 -o 'liblzma[^ ]*5\.[0-9]*\.[0-9]*' || true
}

echo "# depmod on Debian 13's tree ($v, $(find "$src/usr/lib/modules/$v" -name '*.ko*' | wc -l) modules)"
echo
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r); TMPDIR on $(df -T "$work" | awk 'NR==2 {print $2}')."
echo "Load before: \`$(uptime)\`"
echo
echo "- ours: \`$ours\` ($(stat -c %s "$ours") bytes; $("$ours" --version 2>&1 | tr '\n' ' '))"
[ -z "$cache" ] || echo "- ours, cache build: \`$cache\` (CONFIG_FEATURE_DEPMOD_CACHE=y)"
echo "- kmod 34.2: $($kmod34 --version 2>&1 | head -n 1) (Debian 13's binary and libraries, its own loader)"
echo "- kmod 30: $(/sbin/depmod --version 2>&1 | head -n 1) (/sbin/depmod)"
echo "- BusyBox 1.37: $("$bb" 2>&1 | head -n 1)"
echo "- hyperfine -N: $warm warm-up runs, then $runs rounds of one run of each command in turn; $(hyperfine --version)"
echo

for t in ours k34 k30 bb ours1 k341; do copy "$t"; done

# bench ARGS...: hyperfine's command arguments (-n NAME [--prepare P] CMD
# ...), run in $runs rounds of one run each, the commands in turn within a
# round (warm-up runs before the first), so that a change in the machine's
# load falls on every command alike; then a table of the medians over the
# rounds, and ratios to the kmod 34.2 row (the median of the per-round
# ratios).
bench() {
	rm -f "$work"/round.*.json
	hyperfine -N -w "$warm" -r 1 "$@" >/dev/null 2>&1
	for r in $(seq 1 "$runs"); do
		hyperfine -N -r 1 --export-json "$work/round.$r.json" "$@" >/dev/null 2>&1
	done
	python3 - "$work"/round.*.json <<'PY'
import json, statistics, sys
rounds = [json.load(open(f))['results'] for f in sys.argv[1:]]
names = [r['command'] for r in rounds[0]]
ref = next((i for i, n in enumerate(names) if n.startswith('kmod 34.2')), 0)
med = statistics.median
def col(i, k): return [rd[i][k] for rd in rounds]
print(f'{len(rounds)} rounds; medians (min-max of wall):')
print()
print('| run | wall | user | sys | wall / kmod 34.2 | CPU (user+sys) / kmod 34.2 |')
print('| --- | ---: | ---: | ---: | ---: | ---: |')
for i, n in enumerate(names):
    wall = col(i, 'mean')
    ratio = med([rd[i]['mean'] / rd[ref]['mean'] for rd in rounds])
    cpu = med([(rd[i]['user'] + rd[i]['system']) / (rd[ref]['user'] + rd[ref]['system']) for rd in rounds])
    print(f"| {n} | {med(wall):.3f} s ({min(wall):.3f}-{max(wall):.3f}) | {med(col(i, 'user')):.3f} s "
          f"| {med(col(i, 'system')):.3f} s | {ratio:.3f} | {cpu:.2f} |")
PY
}

echo "## 1. Full run, two CPUs"
echo
bench -n "ours" "$ours depmod -b $work/ours $v" \
	-n "kmod 34.2" "$kmod34 -b $work/k34 $v" \
	-n "kmod 30" "/sbin/depmod -b $work/k30 $v" \
	-n "BusyBox 1.37" "$bb depmod -b $work/bb $v"
echo
for t in "ours:$ours depmod -b $work/ours $v" "kmod 34.2:$kmod34 -b $work/k34 $v"; do
	/usr/bin/time -f "${t%%:*}: peak RSS %M KiB, %e s wall, %U s user, %S s sys, %R minor faults, %c/%w context switches" \
		${t#*:} 2>&1 >/dev/null | grep -v WARNING | tail -n 1
	echo
done
for f in $outputs; do
	cmp -s "$work/ours/usr/lib/modules/$v/$f" "$work/k34/usr/lib/modules/$v/$f" ||
		echo "**$f differs from kmod 34.2's**"
done
echo
echo "## 2. Full run, one CPU (taskset -c 0)"
echo
bench -n "ours" "taskset -c 0 $ours depmod -b $work/ours1 $v" \
	-n "kmod 34.2" "taskset -c 0 $kmod34 -b $work/k341 $v"
echo

if [ -n "$cache" ]; then
	copy cache -a
	copy k34c
	m=$work/cache/usr/lib/modules/$v/kernel/fs/btrfs/btrfs.ko.xz
	[ -f "$m" ] || m=$(find "$work/cache/usr/lib/modules/$v/kernel" -name '*.ko.xz' | head -n 1)
	rel=${m#"$work/cache/usr/lib/modules/$v/"}
	"$cache" depmod -b "$work/cache" "$v" 2>/dev/null
	sleep 2   # the cache's write safely after every module's times
	"$cache" depmod -b "$work/cache" "$v" 2>/dev/null
	echo "## 3. The cache (one module: $rel)"
	echo
	echo "\`modules.depmod-cache\`: $(stat -c %s "$work/cache/usr/lib/modules/$v/modules.depmod-cache") bytes."
	echo
	bench -n "kmod 34.2, full run" --prepare true "$kmod34 -b $work/k34c $v" \
		-n "ours, --no-cache (full run)" --prepare true "$cache depmod --no-cache -b $work/cache $v" \
		-n "ours, unchanged" --prepare true "$cache depmod -b $work/cache $v" \
		-n "ours, one replaced" --prepare "sh -c 'cp -p $m $m.t && mv $m.t $m'" "$cache depmod -b $work/cache $v" \
		-n "ours, one added (updates/)" \
		--prepare "sh -c 'rm -rf $work/cache/usr/lib/modules/$v/updates && mkdir $work/cache/usr/lib/modules/$v/updates && cp $m $work/cache/usr/lib/modules/$v/updates/'" \
		"$cache depmod -b $work/cache $v"
	echo
	rm -rf "$work/cache/usr/lib/modules/$v/updates"
	"$cache" depmod -b "$work/cache" "$v" 2>/dev/null
	for f in $outputs; do
		cmp -s "$work/cache/usr/lib/modules/$v/$f" "$work/k34c/usr/lib/modules/$v/$f" ||
			echo "**$f (cache) differs from kmod 34.2's**"
	done
	/usr/bin/time -f "ours, unchanged: peak RSS %M KiB" "$cache" depmod -b "$work/cache" "$v" 2>&1 >/dev/null |
		grep -v WARNING | tail -n 1
	echo
fi
echo "Load after: \`$(uptime)\`"
