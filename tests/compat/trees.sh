#!/bin/bash
# Real module trees for the kmod-compatibility tests and benchmarks.
#
# Usage: tests/compat/trees.sh [--compressed] [--trixie] [--dir DIR]
#                              [--only amd64|armmp|trixie-amd64]
#
# Downloads Debian bookworm's current kernel image packages with apt-get
# download and unpacks them with dpkg -x (nothing is installed):
#   amd64   linux-image-6.1.0-NN-amd64   (about 4000 .ko, signed, x86-64 ELF64 LE)
#   armmp   linux-image-6.1.0-NN-armmp   (armhf: ELF32 LE; fetched with a private
#                                         apt state, APT::Architecture=armhf, so the
#                                         host's dpkg configuration is untouched)
# into DIR/{amd64,armmp}/lib/modules/VERSION/ and runs kmod's
# "depmod -b ROOT VERSION" on each, so names and aliases resolve.
# --trixie (or --only trixie-amd64) adds Debian 13's tree:
#   trixie-amd64  linux-image-6.12.NN+deb13-amd64 (4230 .ko.xz under
#                 usr/lib/modules, with a lib -> usr/lib link), fetched with a
#                 private apt state for "trixie" (DIR/apt-trixie-amd64) and
#                 indexed by kmod 34.2's depmod ($KMOD34_BIN, default
#                 <repo>/build/kmod34/bin, fetched by tests/compat/kmod34.sh).
# DIR is ${MODUTILS_COMPAT_TREES:-<repo>/build/compat-trees}.
#
# --compressed also makes DIR/TREE-gz, TREE-xz and TREE-zst: the same tree with
# every .ko compressed the way the kernel's "make modules_install" does it
# (gzip -n; xz --check=crc32 --lzma2=dict=1MiB; zstd), depmod'ed again (Debian's
# kmod has no zlib, so the -gz trees get an empty modules.dep); xz at preset 1
# (the kernel's is 6): the same stream layout (one LZMA2 block, CRC32, 1 MiB
# dictionary) in 40% of the time, which was minutes of CI.
#
# Idempotent: .deb files are cached in DIR/debs (the amd64 image is also taken
# from build/kernel-cache when tests/kernel/run.sh already downloaded it), a
# finished tree has a .complete marker and is reused. When apt names a newer
# kernel than the cached one, the tree is rebuilt; when apt cannot be asked
# (no lists, no network) the cached tree is used as it is.
# Prints one line per tree: "trees: NAME ROOT VERSION (N modules)".
#
# Debian packages this needs (also in tests/compat/packages.txt):
#   apt dpkg        apt-get download / apt-cache, dpkg -x
#   kmod            depmod
#   gzip xz-utils zstd   --compressed
#   coreutils findutils util-linux   cp, find, xargs, flock
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${MODUTILS_COMPAT_TREES:-$repo/build/compat-trees}
compressed=0
trixie=0
only=

die() { echo "trees.sh: ERROR: $*" >&2; exit 1; }
note() { echo "trees.sh: $*" >&2; }
usage() { sed -n '2,33p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--compressed) compressed=1; shift ;;
	--trixie) trixie=1; shift ;;
	--dir) [ $# -ge 2 ] || die "--dir needs a DIR"; dir=$2; shift 2 ;;
	--dir=*) dir=${1#*=}; shift ;;
	--only) [ $# -ge 2 ] || die "--only needs amd64 or armmp"; only=$2; shift 2 ;;
	--only=*) only=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done
case $only in '' | amd64 | armmp) ;; trixie-amd64) trixie=1 ;; *) die "--only takes amd64, armmp or trixie-amd64" ;; esac

depmod=
for d in /sbin/depmod /usr/sbin/depmod; do
	[ -x "$d" ] && { depmod=$d; break; }
done
[ -n "$depmod" ] || depmod=$(command -v depmod || true)
[ -n "$depmod" ] || die "depmod not found (Debian package kmod)"
for c in apt-get apt-cache dpkg flock; do
	command -v "$c" >/dev/null || die "$c not found (Debian packages apt, dpkg, util-linux)"
done
if [ "$compressed" = 1 ]; then
	for c in gzip xz zstd; do
		command -v "$c" >/dev/null || die "$c not found (Debian packages gzip, xz-utils, zstd)"
	done
fi

mkdir -p "$dir/debs"
dir=$(cd "$dir" && pwd)
depmod34=
if [ "$trixie" = 1 ]; then
	k34=${KMOD34_BIN:-$repo/build/kmod34/bin}
	if [ ! -x "$k34/depmod" ] && [ -z "${KMOD34_BIN:-}" ]; then
		bash "$here/kmod34.sh" "$repo/build/kmod34" >&2 || die "tests/compat/kmod34.sh failed"
	fi
	[ -x "$k34/depmod" ] || die "kmod 34.2's depmod not found in $k34"
	depmod34=$k34/depmod
fi
exec 9>"$dir/.lock"
flock 9

# ------------------------------------------------------------------ apt
# An apt "source" is ARCH (the host's sources; for a foreign ARCH with a
# private state folder DIR/apt-ARCH) or SUITE-ARCH (e.g. trixie-amd64: a
# private state folder DIR/apt-SUITE-ARCH with its own sources.list naming
# deb.debian.org's SUITE main; the host's sources are not read).
arch_of() { echo "${1##*-}"; }
apt_opts() {
	local src=$1 arch st=$dir/apt-$1
	arch=$(arch_of "$src")
	[ "$src" = amd64 ] && return 0
	mkdir -p "$st/lists/partial" "$st/archives/partial"
	[ -e "$st/status" ] || : >"$st/status"
	printf '%s\n' -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" \
		-o "Dir::State::Lists=$st/lists" -o "Dir::State::status=$st/status" \
		-o "Dir::Cache=$st" -o "Dir::Cache::archives=$st/archives" \
		-o Debug::NoLocking=1
	if [ "$src" != "$arch" ]; then
		echo "deb http://deb.debian.org/debian ${src%-*} main" >"$st/sources.list"
		printf '%s\n' -o "Dir::Etc::SourceList=$st/sources.list" -o Dir::Etc::SourceParts=/dev/null
	fi
}
run_apt() { # run_apt ARCH apt-get|apt-cache ARGS...
	local arch=$1 tool=$2 opts
	shift 2
	mapfile -t opts < <(apt_opts "$arch")
	"$tool" -q -o APT::Sandbox::User=root "${opts[@]}" "$@"
}
updated=
apt_update() { # once per ARCH and run; exit 100 for one broken list is tolerated
	local arch=$1
	case " $updated " in *" $arch "*) return 0 ;; esac
	updated="$updated $arch"
	if [ "$arch" != amd64 ] || [ "$(id -u)" = 0 ]; then
		note "apt-get update ($arch)"
		# A list that fails while the mirror syncs ("File has unexpected
		# size") would hide the security suite's newer kernel: retry once.
		run_apt "$arch" apt-get update >"$dir/apt-update-$arch.log" 2>&1 || {
			sleep 10
			run_apt "$arch" apt-get update >"$dir/apt-update-$arch.log" 2>&1 ||
				note "apt-get update ($arch) exited $? (tolerated; log: $dir/apt-update-$arch.log)"
		}
	fi
}
# The private lists of a foreign architecture are refreshed once a day.
stale_lists() {
	local lists=$dir/apt-$1/lists
	[ "$1" != amd64 ] || return 1
	[ -z "$(find "$lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]
}
# current_abi ARCH FLAVOUR: the ABI linux-image-FLAVOUR depends on, e.g. 6.1.0-56-armmp
current_abi() {
	run_apt "$1" apt-cache depends "linux-image-$2" 2>/dev/null |
		sed -n "s/^ *Depends: linux-image-\\([0-9][^ ]*-$2\\)\\(-unsigned\\)\\{0,1\\}\$/\\1/p" | head -n 1 || true
}

# fetch ARCH PACKAGE: a cached .deb of PACKAGE, else apt-get download; prints its path
fetch() {
	local src=$1 pkg=$2 deb arch
	arch=$(arch_of "$src")
	deb=$(compgen -G "$dir/debs/${pkg}_*_$arch.deb" | sort -V | tail -n 1 || true)
	if [ -z "$deb" ] && [ "$arch" = amd64 ]; then
		# tests/kernel/run.sh keeps the same package in build/kernel-cache.
		deb=$(compgen -G "$repo/build/kernel-cache/*/debs/${pkg}_*_$arch.deb" | sort -V | tail -n 1 || true)
		if [ -n "$deb" ]; then
			ln -f "$deb" "$dir/debs/" 2>/dev/null || cp "$deb" "$dir/debs/"
			deb=$dir/debs/$(basename "$deb")
		fi
	fi
	if [ -z "$deb" ]; then
		note "apt-get download $pkg ($arch)"
		(cd "$dir/debs" && run_apt "$src" apt-get download "$pkg") >"$dir/download-$pkg.log" 2>&1 || {
			sed 's/^/    /' "$dir/download-$pkg.log" >&2
			return 1
		}
		deb=$(compgen -G "$dir/debs/${pkg}_*_$arch.deb" | sort -V | tail -n 1 || true)
	fi
	[ -n "$deb" ] || return 1
	echo "$deb"
}

# ------------------------------------------------------------------ trees
# run_depmod ROOT VERSION
run_depmod() {
	"${3:-$depmod}" -b "$1" "$2" 2>"$1/depmod.log" || {
		cat "$1/depmod.log" >&2
		die "depmod -b $1 $2 failed"
	}
}

# tree NAME SOURCE FLAVOUR [DEPMOD]: DIR/NAME with lib/modules/ABI; prints the ABI
tree() {
	local name=$1 arch=$2 flavour=$3 tdepmod=${4:-} root=$dir/$1 abi cached deb tmp
	cached=
	[ -e "$root/.complete" ] && cached=$(cat "$root/.complete")
	if stale_lists "$arch"; then
		apt_update "$arch"
	fi
	abi=$(current_abi "$arch" "$flavour")
	if [ -z "$abi" ] && [ -z "$cached" ]; then
		apt_update "$arch"
		abi=$(current_abi "$arch" "$flavour")
	fi
	if [ -n "$cached" ] && { [ -z "$abi" ] || [ "$abi" = "$cached" ]; }; then
		[ -n "$abi" ] || note "$name: apt names no linux-image-$flavour; reusing the cached $cached"
		echo "$cached"
		return 0
	fi
	[ -n "$abi" ] || die "$name: apt-cache knows no linux-image-$flavour ($arch); is the network to the Debian mirror up?"
	if ! deb=$(fetch "$arch" "linux-image-$abi" 2>/dev/null) &&
		! deb=$(fetch "$arch" "linux-image-$abi-unsigned"); then
		# Stale lists name a kernel the mirror no longer has.
		apt_update "$arch"
		abi=$(current_abi "$arch" "$flavour")
		deb=$(fetch "$arch" "linux-image-$abi") || deb=$(fetch "$arch" "linux-image-$abi-unsigned") || {
			if [ -n "$cached" ]; then
				note "$name: cannot download linux-image-$abi; reusing the cached $cached"
				echo "$cached"
				return 0
			fi
			die "$name: cannot download linux-image-$abi ($arch)"
		}
	fi
	note "$name: unpacking $(basename "$deb")"
	tmp=$dir/.$name.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	dpkg -x "$deb" "$tmp" || die "dpkg -x $deb failed"
	# Debian 13 ships the modules in usr/lib/modules (merged /usr).
	[ -e "$tmp/lib" ] || [ ! -d "$tmp/usr/lib/modules" ] || ln -s usr/lib "$tmp/lib"
	[ -d "$tmp/lib/modules/$abi" ] || die "$deb has no lib/modules/$abi"
	note "$name: depmod -b ROOT $abi"
	run_depmod "$tmp" "$abi" "$tdepmod"
	echo "$abi" >"$tmp/.complete"
	rm -rf "$root" "$dir/$name-gz" "$dir/$name-xz" "$dir/$name-zst"
	mv "$tmp" "$root"
	echo "$abi"
}

# compress NAME ABI KIND: DIR/NAME-KIND from DIR/NAME
compress_tree() {
	local name=$1 abi=$2 kind=$3 src=$dir/$1 dst=$dir/$1-$3 tmp
	if [ -e "$dst/.complete" ] && [ "$(cat "$dst/.complete")" = "$abi" ]; then
		return 0
	fi
	note "$name-$kind: compressing $(find "$src/lib/modules/$abi" -name '*.ko' | wc -l) modules"
	tmp=$dir/.$name-$kind.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp/lib/modules"
	# Hard links first (same file system), then each .ko is replaced by its
	# compressed form; the tool writes a new file, the source stays intact.
	cp -al "$src/lib/modules/$abi" "$tmp/lib/modules/$abi"
	rm -f "$tmp/lib/modules/$abi"/modules.{dep,dep.bin,alias,alias.bin,softdep,symbols,symbols.bin,builtin.bin,builtin.alias.bin,devname}
	local cmd
	case $kind in
	gz) cmd='gzip -n -f -c "$f" >"$f.gz"' ;;
	xz) cmd='xz --check=crc32 --lzma2=preset=1,dict=1MiB -f -c "$f" >"$f.xz"' ;;
	zst) cmd='zstd -q -f -c "$f" >"$f.zst"' ;;
	esac
	find "$tmp/lib/modules/$abi" -name '*.ko' -print0 |
		xargs -0 -r -n 64 -P "$(nproc)" sh -c 'set -e; for f; do '"$cmd"'; rm -f "$f"; done' sh ||
		die "compressing $name-$kind failed"
	# Debian's kmod has no zlib: its depmod skips .ko.gz, so a -gz tree's
	# modules.dep is empty (name lookups there answer "not found").
	run_depmod "$tmp" "$abi"
	echo "$abi" >"$tmp/.complete"
	rm -rf "$dst"
	mv "$tmp" "$dst"
}

specs="amd64:amd64:amd64 armmp:armhf:armmp"
[ "$trixie" = 0 ] || specs="$specs trixie-amd64:trixie-amd64:amd64"
for spec in $specs; do
	IFS=: read -r name arch flavour <<<"$spec"
	[ -z "$only" ] || [ "$only" = "$name" ] || continue
	tdepmod=
	[ "$name" != trixie-amd64 ] || tdepmod=$depmod34
	abi=$(tree "$name" "$arch" "$flavour" "$tdepmod")
	names=$name
	if [ "$compressed" = 1 ] && [ "$name" != trixie-amd64 ]; then
		for kind in gz xz zst; do
			compress_tree "$name" "$abi" "$kind"
			names="$names $name-$kind"
		done
	fi
	for n in $names; do
		count=$(find "$dir/$n/lib/modules/$abi" -name '*.ko*' -type f | wc -l)
		echo "trees: $n $dir/$n $abi ($count modules)"
	done
done
