#!/bin/sh
# Build a minimal cross sysroot holding the compression libraries (those of
# scripts/compression.list: zlib, liblzma, libzstd) and cmocka (for the unit tests under qemu-user) for a
# foreign Debian architecture, without touching the host's dpkg
# configuration: apt runs with a private state folder, and the packages are
# only unpacked (dpkg -x), never installed.
#
# usage: scripts/mksysroot.sh ARCH DESTDIR [PACKAGE...]   (ARCH: armhf, arm64, ...)
# PACKAGEs, when given, are unpacked instead of the default list (e.g.
# busybox-static for scripts/size-report.sh).
#
#        scripts/mksysroot.sh musl-host DESTDIR
# For Debian's musl-gcc, which searches only musl's own headers and
# libraries: DESTDIR/usr/include and DESTDIR/usr/lib/TRIPLET get links to
# just the host's headers and static archives of the compression libraries
# (from their -dev packages), so that glibc's libc is not seen.
#
#        scripts/mksysroot.sh --build-libs DESTDIR CC [CFLAGS...]
# The compression libraries built from Debian's source packages (apt-get
# source through a private deb-src list, dpkg-source -x) with CC and CFLAGS
# into static archives under DESTDIR/usr/{include,lib}, the way Buildroot
# builds them (zstd without the legacy v0.5-v0.7 formats): a function
# build_<name> below per format. For musl (PIC
# archives a shared library can use too) and to measure the libraries at
# -Os.
#
#        scripts/mksysroot.sh --source DESTDIR PACKAGE...
# Debian source packages unpacked in DESTDIR (e.g. busybox, for the
# modules-only BusyBox of scripts/size-report.sh).
# Sources: MKSYSROOT_MIRROR (http://deb.debian.org/debian) and
# MKSYSROOT_SUITE (the host's VERSION_CODENAME), through a private deb-src
# list (the host's apt configuration is not touched).
set -eu

usage="usage: mksysroot.sh ARCH DESTDIR [PACKAGE...] | musl-host DESTDIR | --build-libs DESTDIR CC [CFLAGS...] | --source DESTDIR PACKAGE..."
arch=${1:?$usage}
dest=${2:?$usage}
shift 2

# The compression formats, a line each (columns: see its header).
list=$(cd "$(dirname "$0")" && pwd)/compression.list
# comp_col N: column N of every format, "-" left out.
comp_col() {
	sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$list" | awk -v n="$1" '$n != "-" { print $n }'
}

# ---- musl-host: links to the host's headers and static archives ----------
if [ "$arch" = musl-host ]; then
	triplet=$(gcc -dumpmachine)
	tmpdest="$dest.tmp.$$"
	rm -rf "$tmpdest"
	mkdir -p "$tmpdest/usr/include" "$tmpdest/usr/lib/$triplet"
	for h in $(comp_col 6 | tr , ' '); do
		[ -e "/usr/include/$h" ] || { echo "mksysroot: ERROR: /usr/include/$h missing ($(comp_col 8 | tr '\n' ' ' | sed 's/ $//; s/ /, /g'))" >&2; exit 1; }
		ln -s "/usr/include/$h" "$tmpdest/usr/include/$h"
	done
	for l in $(comp_col 3 | sed 's/^-l\(.*\)/lib\1.a/'); do
		[ -e "/usr/lib/$triplet/$l" ] || { echo "mksysroot: ERROR: /usr/lib/$triplet/$l missing" >&2; exit 1; }
		ln -s "/usr/lib/$triplet/$l" "$tmpdest/usr/lib/$triplet/$l"
	done
	rm -rf "$dest"
	mv "$tmpdest" "$dest"
	echo "mksysroot: links to the host's compression headers and archives in $dest"
	exit 0
fi

# ---- Debian source packages through a private deb-src list ------------------
# fetch_sources DIR PACKAGE...: apt-get source --download-only, then
# dpkg-source -x, into DIR.
fetch_sources() {
	src_dir=$1
	shift
	mirror=${MKSYSROOT_MIRROR:-http://deb.debian.org/debian}
	suite=${MKSYSROOT_SUITE:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
	aw=$(mktemp -d)
	mkdir -p "$aw/lists/partial" "$aw/archives/partial" "$aw/parts" "$src_dir"
	: >"$aw/status"
	echo "deb-src $mirror $suite main" >"$aw/sources.list"
	apt_src() { # apt-get|apt-cache ARGS...
		tool=$1
		shift
		$tool -q -o Dir::Etc::SourceList="$aw/sources.list" -o Dir::Etc::SourceParts="$aw/parts" \
			-o Dir::State::Lists="$aw/lists" -o Dir::State::status="$aw/status" \
			-o Dir::Cache="$aw" -o Dir::Cache::archives="$aw/archives" \
			-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
	}
	apt_src apt-get update >"$aw/update.log" 2>&1 || true
	# Each package at its newest version the mirror serves: a mirror may
	# list a point release whose files it does not hold yet (404), and
	# then the version before it is taken.
	for p in "$@"; do
		got=
		for v in $(apt_src apt-cache showsrc "$p" 2>/dev/null | sed -n 's/^Version: //p' | sort -urV); do
			if (cd "$src_dir" && apt_src apt-get source --download-only "$p=$v" >>"$aw/source.log" 2>&1); then
				got=$v
				break
			fi
		done
		if [ -z "$got" ]; then
			echo "mksysroot: ERROR: apt-get source $p failed" >&2
			cat "$aw/update.log" "$aw/source.log" >&2
			rm -rf "$aw"
			return 1
		fi
	done
	rm -rf "$aw"
	for dsc in "$src_dir"/*.dsc; do
		(cd "$src_dir" && dpkg-source --no-check -x "$dsc" >/dev/null) || return 1
	done
}

#        scripts/mksysroot.sh --source DESTDIR PACKAGE...
# Debian source packages, unpacked (dpkg-source -x) in DESTDIR.
if [ "$arch" = --source ]; then
	[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
	rm -rf "$dest"
	fetch_sources "$dest" "$@"
	echo "mksysroot: sources of $* in $dest"
	exit 0
fi

# ---- --build-libs: the libraries from Debian's sources ----------------------
# build_<name> SRCDIR: build the library of format <name> from its unpacked
# source package SRCDIR into $tmpdest/usr/{include,lib} with $cc, $ar,
# $cflags (and $host, the target triplet).

# zlib: its library sources compiled as they are (no configure needed).
build_gzip() {
	(cd "$1" && for c in adler32 crc32 deflate infback inffast inflate inftrees trees zutil \
		compress uncompr gzclose gzlib gzread gzwrite; do
		$cc $cflags -D_LARGEFILE64_SOURCE=1 -DHAVE_HIDDEN -c -o "$c.o" "$c.c" || exit 1
	done && $ar rcs "$tmpdest/usr/lib/libz.a" ./*.o) || { echo "mksysroot: ERROR: zlib build failed" >&2; exit 1; }
	cp "$1/zlib.h" "$1/zconf.h" "$tmpdest/usr/include/"
}

# liblzma: autoconf, library only.
build_xz() {
	(cd "$1" && ./configure --host="$host" --prefix=/usr --disable-shared --enable-static \
		--disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo --disable-lzma-links \
		--disable-scripts --disable-doc --disable-nls CC="$cc" CFLAGS="$cflags" >"$work/xz.log" 2>&1 &&
		make -C src/liblzma -j2 >>"$work/xz.log" 2>&1 &&
		make -C src/liblzma install DESTDIR="$tmpdest" >>"$work/xz.log" 2>&1) ||
		{ cat "$work/xz.log" >&2; echo "mksysroot: ERROR: liblzma build failed" >&2; exit 1; }
}

# libzstd: its own Makefile; no legacy formats; MOREFLAGS comes after
# the Makefile's -O3.
build_zstd() {
	make -C "$1/lib" -j2 libzstd.a CC="$cc" AR="$ar" ZSTD_LEGACY_SUPPORT=0 MOREFLAGS="$cflags" \
		>"$work/zstd.log" 2>&1 || { cat "$work/zstd.log" >&2; echo "mksysroot: ERROR: libzstd build failed" >&2; exit 1; }
	cp "$1/lib/libzstd.a" "$tmpdest/usr/lib/"
	cp "$1/lib/zstd.h" "$1/lib/zstd_errors.h" "$1/lib/zdict.h" "$tmpdest/usr/include/"
}

if [ "$arch" = --build-libs ]; then
	cc=${1:?$usage}
	shift
	cflags="$*"
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	fetch_sources "$work/src" $(comp_col 9)
	tmpdest="$dest.tmp.$$"
	rm -rf "$tmpdest"
	mkdir -p "$tmpdest/usr/include" "$tmpdest/usr/lib"
	ar=$(echo "$cc" | awk '{print $1}' | sed 's/gcc$/ar/; s/^musl-ar$/ar/')
	case $ar in *ar) ;; *) ar=ar ;; esac # cc, clang: the host's ar
	command -v "$ar" >/dev/null || ar=ar
	host=$($cc -dumpmachine)

	sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$list" | awk '{ print $2, $9 }' >"$work/formats"
	while read -r name src; do
		command -v "build_$name" >/dev/null || { echo "mksysroot: ERROR: no build_$name in $0" >&2; exit 1; }
		"build_$name" "$(ls -d "$work/src/$src"-*/)"
	done <"$work/formats"
	rm -rf "$tmpdest/usr/share" "$tmpdest"/usr/lib/*.la "$tmpdest/usr/lib/pkgconfig"
	rm -rf "$dest"
	mv "$tmpdest" "$dest"
	echo "mksysroot: $(comp_col 5 | tr '\n' ' ' | sed 's/ $//; s/ /, /g') built with $cc $cflags in $dest"
	exit 0
fi

pkgs="$(sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$list" | awk '{ print $7, $8 }' | tr '\n' ' ')libcmocka0 libcmocka-dev"
[ $# -eq 0 ] || pkgs="$*"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/debs"
: > "$work/status"

apt_private() {
	apt-get -q \
		-o APT::Architecture="$arch" -o APT::Architectures="$arch" \
		-o Dir::State::Lists="$work/lists" -o Dir::State::status="$work/status" \
		-o Dir::Cache="$work" -o Dir::Cache::archives="$work/archives" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}

# One broken mirror list makes apt-get update exit 100 even though the
# lists we need arrived; the download below fails loudly if they did not.
apt_private update >"$work/update.log" 2>&1 || true
(cd "$work/debs" && apt_private download $pkgs) || {
	echo "mksysroot: ERROR: could not download $pkgs for $arch" >&2
	cat "$work/update.log" >&2
	exit 1
}

tmpdest="$dest.tmp.$$"
rm -rf "$tmpdest"
mkdir -p "$tmpdest"
for deb in "$work"/debs/*.deb; do
	dpkg -x "$deb" "$tmpdest"
done
# Debian's libfoo.so links point at /lib/TRIPLET/libfoo.so.N by absolute
# path: make them relative, so that they resolve inside the sysroot (a
# shared link, e.g. the fake kernel of the unit tests, needs them).
find "$tmpdest" -type l | while read -r link; do
	target=$(readlink "$link")
	case $target in
	/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$tmpdest$target")" "$link" ;;
	esac
done
rm -rf "$dest"
mv "$tmpdest" "$dest"
echo "mksysroot: $arch sysroot ready in $dest"
