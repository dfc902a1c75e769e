#!/bin/sh
# Install the Debian packages that building and testing modutils need.
# Safe to run again; uses sudo when not root.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
pkgs="build-essential make gcc file libcmocka-dev
gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user-static
qemu-system-x86 qemu-system-arm busybox-static cpio gzip xz-utils zstd
kmod kconfig-frontends-nox strace scdoc groff-base"
# The compression libraries' development packages (scripts/compression.list).
pkgs="$pkgs $(sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$src/scripts/compression.list" | awk '{ printf "%s ", $8 }')"
# Fuzzing (libFuzzer runtime) and the tools the test layers list themselves.
pkgs="$pkgs clang libclang-rt-14-dev musl-tools rsync"
for list in "$src"/tests/kernel/packages.txt "$src"/tests/compat/packages.txt; do
	[ -f "$list" ] && pkgs="$pkgs $(grep -v '^#' "$list" | tr '\n' ' ')"
done
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
missing=$(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null | awk '$NF != "installed" {print $1}')
# dpkg-query skips names it has never heard of: count those as missing too.
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ -z "$(echo $missing)" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
echo "install-deps: installing $missing"
# One broken mirror list makes apt-get update exit 100 although the
# others were fetched; the install below fails loudly if it matters.
$sudo apt-get update -q || echo "install-deps: apt-get update exited $? (tolerated)"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
