#!/bin/sh
# Build a minimal cross sysroot holding the compression libraries (zlib,
# liblzma, libzstd) and cmocka (for the unit tests under qemu-user) for a
# foreign Debian architecture, without touching the host's dpkg
# configuration: apt runs with a private state folder, and the packages are
# only unpacked (dpkg -x), never installed.
#
# usage: scripts/mksysroot.sh ARCH DESTDIR [PACKAGE...]   (ARCH: armhf, arm64, ...)
# PACKAGEs, when given, are unpacked instead of the default list (e.g.
# busybox-static for scripts/size-report.sh).
set -eu

arch=${1:?usage: mksysroot.sh ARCH DESTDIR [PACKAGE...]}
dest=${2:?usage: mksysroot.sh ARCH DESTDIR [PACKAGE...]}
shift 2
pkgs="zlib1g zlib1g-dev liblzma5 liblzma-dev libzstd1 libzstd-dev libcmocka0 libcmocka-dev"
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
