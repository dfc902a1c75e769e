#!/bin/sh
# Build a minimal cross sysroot holding the compression libraries (zlib,
# liblzma, libzstd) for a foreign Debian architecture, without touching the
# host's dpkg configuration: apt runs with a private state folder, and the
# packages are only unpacked (dpkg -x), never installed.
#
# usage: scripts/mksysroot.sh ARCH DESTDIR      (ARCH: armhf, arm64, ...)
set -eu

arch=${1:?usage: mksysroot.sh ARCH DESTDIR}
dest=${2:?usage: mksysroot.sh ARCH DESTDIR}
pkgs="zlib1g zlib1g-dev liblzma5 liblzma-dev libzstd1 libzstd-dev"

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
rm -rf "$dest"
mv "$tmpdest" "$dest"
echo "mksysroot: $arch sysroot ready in $dest"
