#!/bin/bash
# Peak memory (/usr/bin/time's maximum resident set size) of our depmod and
# modinfo beside kmod 34.2, kmod 30 and BusyBox 1.37, in one run:
#   1. depmod on Debian 13's amd64 module tree (linux-image-6.12.*-amd64,
#      4230 .ko.xz; fetched with a private apt state, unpacked into build/)
#   2. depmod on eight 255 MiB zstd modules (a small module from that tree
#      padded with zeros, 17 KB each compressed; content size stated)
#   3. modinfo of a 38 KB zstd bomb (1.3 GB of zeros, zstd --long=27 -19,
#      streamed: no size stated, 128 MiB window)
#
# Usage: bench/memory/run.sh [BINARY]     (default build/modutils)
# Environment: BEFORE=BINARY adds a second build of ours (e.g. main before
# a change); K34=DIR holds kmod 34.2 and BusyBox 1.37 from
# tests/compat/kmod34.sh (default build/k34, fetched when missing);
# RUNS=N runs per tool and input (default 3; the table shows each run).
# Needs: /usr/bin/time (package time), zstd, kmod (Debian 12: kmod 30),
# apt-get and dpkg. Each tool gets its own hard-linked copy of a tree
# (BusyBox writes its files in place).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${1:-$repo/build/modutils}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
before=${BEFORE:-}
k34=${K34:-$repo/build/k34}
runs=${RUNS:-3}
cache=$repo/build/bench-memory
mkdir -p "$cache"
[ -x "$k34/bin/depmod" ] || bash "$repo/tests/compat/kmod34.sh" "$k34" >&2

# --- Debian 13's kernel package, with a private apt state -------------------
if [ ! -f "$cache/tree/.complete" ]; then
	mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/deb"
	echo "deb http://deb.debian.org/debian trixie main" >"$cache/apt/sources.list"
	apt=(-o Dir::Etc::SourceList="$cache/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$cache/apt/lists" -o Dir::Cache="$cache/apt/cache"
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
	apt-get -q "${apt[@]}" update >"$cache/apt/update.log" 2>&1 || echo "apt-get update exited $? (tolerated)" >&2
	pkg=$(apt-cache "${apt[@]}" show linux-image-amd64 | sed -n 's/^Depends: \(linux-image-[^ ,]*-amd64\).*/\1/p' | sed -n 1p)
	[ -n "$pkg" ] || { echo "no linux-image-*-amd64 in trixie's lists" >&2; exit 1; }
	rm -rf "$cache/tree" "$cache/deb"/*.deb
	(cd "$cache/deb" && apt-get -q "${apt[@]}" download "$pkg" >/dev/null)
	dpkg -x "$cache"/deb/*.deb "$cache/tree"
	ln -sfn usr/lib "$cache/tree/lib"
	touch "$cache/tree/.complete"
fi
kver=$(ls "$cache/tree/usr/lib/modules")

work=$(mktemp -d "${TMPDIR:-/tmp}/memory-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/k30"
for a in depmod modinfo; do ln -s /usr/bin/kmod "$work/k30/$a"; done

# tool name and command prefix, per applet
tools=(ours)
[ -n "$before" ] && tools+=(before)
tools+=(kmod-34.2 kmod-30 busybox-1.37)
cmd() { # tool applet
	case $1 in
	ours) echo "$bin $2" ;;
	before) echo "$before $2" ;;
	kmod-34.2) echo "$k34/bin/$2" ;;
	kmod-30) echo "$work/k30/$2" ;;
	busybox-1.37) echo "$k34/bin/busybox $2" ;;
	esac
}
# peak RSS of one run: "KiB exit seconds"
measure() {
	local out rc
	set +e
	out=$(/usr/bin/time -f "%M %e" -o "$work/time" "$@" 2>"$work/stderr" >/dev/null)
	rc=$?
	set -e
	read -r kib secs < <(tail -n 1 "$work/time")
	echo "$kib $rc $secs"
}
# a fresh copy of a tree for each run (the outputs of the last run removed)
fresh() { # src dst
	rm -rf "$2"
	mkdir -p "$2"
	cp -al "$1/usr" "$2/"
	ln -s usr/lib "$2/lib"
}
table() { # title, then "tool: runs" lines on stdin
	echo
	echo "## $1"
	echo
	echo "| tool | peak RSS, KiB (each run) | exit | seconds | stderr (last run, first line) |"
	echo "| --- | ---: | ---: | ---: | --- |"
	cat
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cpus, kernel $(uname -r)"
echo "# load: $(uptime)"
echo "# ours: $bin ($("$bin" depmod -V | head -n 1))${before:+; before: $before}"
echo "# kmod 34.2: $("$k34/bin/kmod" --version | head -n 1); kmod 30: $(/usr/bin/kmod --version | head -n 1); busybox: $("$k34/bin/busybox" 2>&1 | head -n 1)"
echo "# ours links: $(ldd "$bin" | awk '/libz|liblzma|libzstd|libc\./ { print $3 }' | xargs -r readlink -f | xargs -r -n1 basename | tr '\n' ' ')"
echo "# kmod 34.2 links: $(ls "$k34/root/usr/lib/x86_64-linux-gnu" | grep -E '^(liblzma|libzstd|libz|libc)\.so\.[0-9.]+$' | tr '\n' ' ')"
echo "# tree: $kver ($(find "$cache/tree/usr/lib/modules/$kver" -name '*.ko*' | wc -l) modules)"

run_tool() { # title applet tree-or-empty args...
	local tool=$1 applet=$2 tree=$3
	shift 3
	local kibs="" rc secs
	for _ in $(seq "$runs"); do
		if [ -n "$tree" ]; then
			fresh "$tree" "$work/t-$tool"
			set -- -b "$work/t-$tool" "$kver"
		fi
		read -r kib rc secs < <(measure $(cmd "$tool" "$applet") "$@")
		kibs="$kibs $kib"
	done
	echo "| $tool |$kibs | $rc | $secs | $(grep -v 'WARNING: could not open modules\.' "$work/stderr" | head -n 1 | sed "s|$work|...|g; s/|/\\\\|/g") |"
}

{
	for tool in "${tools[@]}"; do run_tool "$tool" depmod "$cache/tree"; done
} | table "1. depmod on Debian 13's amd64 tree ($kver, .ko.xz)"

# --- eight 255 MiB zstd modules ----------------------------------------------
big=$work/big
mkdir -p "$big/usr/lib/modules/$kver/kernel/big"
small=$(find "$cache/tree/usr/lib/modules/$kver" -name '*.ko.xz' -size -8k | sort | sed -n 1p)
{ xz -dc "$small"; head -c $((255 << 20)) /dev/zero; } >"$work/big.ko"
zstd -q --rm "$work/big.ko" -o "$work/big.ko.zst"
for i in 1 2 3 4 5 6 7 8; do cp "$work/big.ko.zst" "$big/usr/lib/modules/$kver/kernel/big/big$i.ko.zst"; done
rm "$work/big.ko.zst"
{
	for tool in "${tools[@]}"; do run_tool "$tool" depmod "$big"; done
} | table "2. depmod on eight 255 MiB zstd modules ($(basename "$small") + zeros, $(stat -c %s "$big/usr/lib/modules/$kver/kernel/big/big1.ko.zst") bytes each; $(nproc) cpus)"

# --- the --long=27 bomb --------------------------------------------------------
head -c 1300000000 /dev/zero | zstd -q --long=27 -19 >"$work/bomb.ko.zst"
{
	for tool in "${tools[@]}"; do
		[ "$tool" = busybox-1.37 ] && { echo "| $tool | - | - | - | (its modinfo takes names from modules.dep only) |"; continue; }
		run_tool "$tool" modinfo "" "$work/bomb.ko.zst"
	done
} | table "3. modinfo of a $(stat -c %s "$work/bomb.ko.zst")-byte zstd bomb (--long=27, 1.3 GB of zeros, no size stated)"
