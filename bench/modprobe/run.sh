#!/bin/bash
# modprobe side by side: ours, kmod 34.2 (Debian 13's binary, run by its own
# loader as users run it), kmod 30 (the host's /sbin/modprobe) and BusyBox
# 1.37 (Debian 13's busybox-static), on real module trees that every tool
# reads the same way: each tree is copied (hard links) and indexed by kmod
# 34.2's depmod, and bound at /lib/modules/$(uname -r) in a private mount
# namespace, so no tool gets -d/-S (BusyBox has neither).
#
# usage: bench/modprobe/run.sh OUR_BINARY [OUR_OTHER_BINARY]
#   OUR_BINARY: the static build for hotplug (make O=build/musl CC=musl-gcc
#   STATIC=1), whose ratios the tables give;
#   OUR_OTHER_BINARY (optional): a second build of ours in its own column,
#   e.g. the static glibc build (make O=build/static STATIC=1).
# environment:
#   TREES    "NAME=ROOT ..." (default: amd64, trixie-amd64 and armmp under
#            build/compat-trees, from tests/compat/trees.sh [--trixie])
#   KMOD34   folder made by tests/compat/kmod34.sh (default build/kmod34)
#   ROUNDS   hyperfine runs of each case, the tools' order turned each time (5)
#   RUNS_SINGLE, RUNS_BATCH   --runs of each (60 for a single lookup, 7 for a batch)
#   RESULTS  output file (default bench/modprobe/RESULTS.md)
# Per case: wall time by hyperfine (-N, warm-up, ROUNDS interleaved runs:
# median per tool per run, ratios per run, then the median over the runs),
# instructions by callgrind (one run), peak RSS by /usr/bin/time -v (median
# of 5). The machine's load (uptime) before and after goes into RESULTS.md.
# needs: root (unshare -m), hyperfine, valgrind, time, python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ -z "${BENCH_IN_NS:-}" ]; then
	[ $# -ge 1 ] || { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
	for c in hyperfine valgrind python3 unshare; do
		command -v "$c" >/dev/null || { echo "run.sh: $c not found" >&2; exit 1; }
	done
	[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time not found (Debian package time)" >&2; exit 1; }
	k34=${KMOD34:-$repo/build/kmod34}
	[ -x "$k34/bin/modprobe" ] || bash "$repo/tests/compat/kmod34.sh" "$k34" >&2
	export KMOD34=$(cd "$k34" && pwd)
	export BENCH_IN_NS=1 BENCH_ARGS="$*"
	exec unshare -m --propagation private "$0" "$@"
fi
export REPO=$repo
exec python3 "$here/bench.py" "$@"
