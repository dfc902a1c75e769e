#!/bin/bash
# Real-kernel tests on Debian 13 ("trixie"): boot Debian's own amd64 6.12
# kernel in QEMU (TCG) with the static modutils binary in an initramfs that
# holds the package's whole module tree (every module .ko.xz, under
# /usr/lib/modules, /lib -> usr/lib) and check, on the real kernel:
#   - insmod of .ko.xz files through finit_module(MODULE_INIT_COMPRESSED_FILE)
#     (the syscall's flags read from the kernel's syscall trace events);
#   - modprobe with dependencies and soft dependencies and modprobe -r,
#     each scenario run with kmod 34.2 (in the guest, its own libraries
#     copied in) and with ours: the modules loaded after each step must be
#     the same;
#   - coldplug of QEMU's devices (e1000e, rtl8139, AHCI, NVMe, xHCI with a
#     USB keyboard and a USB disk, intel-hda) as Buildroot's S10mdev does it:
#     every /sys/devices/**/modalias through `modprobe -a -b -q`, repeated
#     until nothing new loads; the drivers must be loaded, a module
#     blacklisted on the kernel command line must not;
#   - the kernel's request_module (mount -t ext4 of the NVMe disk, ip link add
#     of a dummy and a veth link) running our /sbin/modprobe;
#   - module parameters from the kernel command line, quoted forms included;
#   - depmod run in the guest on a part of the tree (fs, crypto, lib), its
#     files compared byte for byte with kmod 34.2's depmod on the host.
#
# Usage:
#   tests/kernel/trixie.sh --binary PATH [--cache DIR] [--kmod34 DIR] [--timeout SECONDS]
#
# PATH is the static x86_64 modutils binary (make O=build/static STATIC=1).
# DIR of --kmod34 is a folder made by tests/compat/kmod34.sh (kmod 34.2 of
# Debian 13 with its loader and libraries: root/ and bin/); default
# build/kmod34, made when missing. Its depmod indexes the guest's tree (the
# reference's indexes: modprobe is tested apart from our depmod) and runs
# in the guest beside ours.
#
# Cache: ${MODUTILS_KERNEL_CACHE:-<repo>/build/kernel-cache}: a private apt
# state for trixie in CACHE/apt-trixie-amd64 (the host's apt is not
# touched), the packages (linux-image-ABI, busybox-static) in CACHE/ABI/debs,
# unpacked in CACHE/ABI/root. MODUTILS_KERNEL_ABI=6.12.NN+deb13-amd64 forces
# the ABI; MODUTILS_KERNEL_KEEP=1 keeps the run's work folder.
#
# Needs (Debian 12 packages): qemu-system-x86, cpio, e2fsprogs (mkfs.ext4),
# apt, dpkg, coreutils, util-linux, binutils (readelf).
#
# Output: one line per guest check (MODTEST: PASS/FAIL ...), then
# "N passed, N failed". Anything that keeps the test from running (no
# package, no QEMU, no DONE line from the guest) is a FAIL, exit status 1.
set -euo pipefail

# Checks the guest must pass at least (all of them: a section that stops
# early must not go unnoticed).
EXPECTED_CHECKS=75

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
binary=
cache=${MODUTILS_KERNEL_CACHE:-$repo/build/kernel-cache}
k34dir=$repo/build/kmod34
timeout_s=480
flavour=amd64
suite=trixie

# die: the test cannot run. That is a failure, said loudly.
die() {
	echo "################################################################"
	echo "trixie.sh: ERROR: $*"
	echo "################################################################"
	echo "MODTEST: FAIL setup: $*"
	echo "0 passed, 1 failed"
	exit 1
}
usage() { sed -n '2,44p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--binary) [ $# -ge 2 ] || die "--binary needs a PATH"; binary=$2; shift 2 ;;
	--cache) [ $# -ge 2 ] || die "--cache needs a DIR"; cache=$2; shift 2 ;;
	--kmod34) [ $# -ge 2 ] || die "--kmod34 needs a DIR"; k34dir=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || die "--timeout needs SECONDS"; timeout_s=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done
[ -n "$binary" ] || { usage >&2; die "--binary PATH is required"; }
[[ $timeout_s =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds"

# step, and guest_verdict for the results.
. "$here/lib.sh"

# ---------------------------------------------------------------- prerequisites
PATH=$PATH:/sbin:/usr/sbin
missing=
for c in qemu-system-x86_64:qemu-system-x86 cpio:cpio mkfs.ext4:e2fsprogs apt-get:apt apt-cache:apt \
	dpkg:dpkg dpkg-deb:dpkg timeout:coreutils flock:util-linux readelf:binutils; do
	command -v "${c%%:*}" >/dev/null 2>&1 || missing="$missing ${c%%:*} (Debian package ${c#*:})"
done
[ -z "$missing" ] || die "required commands are missing:$missing"

[ -f "$binary" ] && [ -x "$binary" ] || die "binary not found or not executable: $binary"
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
readelf -h "$binary" 2>/dev/null | grep -q 'Machine:.*X86-64' || die "$binary is not an x86_64 ELF executable"
! readelf -l "$binary" 2>/dev/null | grep -q 'program interpreter' ||
	die "$binary is dynamically linked: build it with STATIC=1 (make O=build/static STATIC=1)"

if [ ! -x "$k34dir/bin/depmod" ] || [ ! -x "$k34dir/root/usr/bin/kmod" ]; then
	step "fetching kmod 34.2 into $k34dir (tests/compat/kmod34.sh)"
	bash "$repo/tests/compat/kmod34.sh" "$k34dir" || die "tests/compat/kmod34.sh $k34dir failed"
fi
k34dir=$(cd "$k34dir" && pwd)
depmod34=$k34dir/bin/depmod
"$depmod34" --version 2>/dev/null | grep -q 'kmod version 34' || die "$depmod34 is not kmod 34"

# ---------------------------------------------------------------- kernel ABI
mkdir -p "$cache" || die "cannot create $cache"
cache=$(cd "$cache" && pwd)
aptdir=$cache/apt-$suite-$flavour
mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial"
[ -e "$aptdir/status" ] || : >"$aptdir/status"
echo "deb http://deb.debian.org/debian $suite main" >"$aptdir/sources.list"
apt_opts=(-o APT::Architecture=amd64 -o APT::Architectures=amd64
	-o Dir::State::Lists="$aptdir/lists" -o Dir::State::status="$aptdir/status"
	-o Dir::Cache="$aptdir" -o Dir::Cache::archives="$aptdir/archives"
	-o Dir::Etc::SourceList="$aptdir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt_update() {
	step "apt-get update (private state $aptdir)"
	apt-get -q "${apt_opts[@]}" update >"$aptdir/update.log" 2>&1 ||
		echo "trixie.sh: apt-get update exited $? (tolerated; log: $aptdir/update.log)" >&2
}
apt_abi() {
	apt-cache "${apt_opts[@]}" depends "linux-image-$flavour" 2>/dev/null |
		sed -n "s/^ *Depends: linux-image-\([0-9][^ :]*+deb13-$flavour\)\(-unsigned\)\{0,1\}\$/\1/p" | head -n 1
}
cached_abi() {
	find "$cache" -mindepth 2 -maxdepth 2 -name .complete -printf '%h\n' 2>/dev/null |
		xargs -r -n1 basename | grep -- "+deb13-$flavour\$" | sort -V | tail -n 1
}
exec 9>"$cache/.lock-$suite"
flock 9
# The private lists are refreshed once a day.
[ -n "$(find "$aptdir/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ] || apt_update
abi=${MODUTILS_KERNEL_ABI:-}
[ -n "$abi" ] || abi=$(apt_abi) || true
if [ -z "$abi" ]; then
	abi=$(cached_abi) || true
	[ -z "$abi" ] || echo "trixie.sh: WARNING: apt names no linux-image-$flavour ($suite); reusing the cached $abi" >&2
fi
[ -n "$abi" ] || die "cannot find Debian 13's kernel ABI: apt-cache depends linux-image-$flavour gave nothing (network to deb.debian.org?)"

# ---------------------------------------------------------------- download + unpack
fetch() { # fetch PACKAGE...: download the first that works into $kdir/debs
	local pkg
	for pkg in "$@"; do
		if compgen -G "$kdir/debs/${pkg}_*.deb" >/dev/null ||
			(cd "$kdir/debs" && apt-get -q "${apt_opts[@]}" download "$pkg" >"$kdir/download-$pkg.log" 2>&1); then
			echo "$pkg"
			return 0
		fi
		echo "trixie.sh: apt-get download $pkg failed:" >&2
		sed 's/^/    /' "$kdir/download-$pkg.log" >&2
	done
	return 1
}
prepare() { # prepare ABI: sets kdir, root; returns 1 when a download fails
	local pkg deb
	kdir=$cache/$1
	root=$kdir/root
	mkdir -p "$kdir/debs" "$root" || die "cannot create $kdir"
	step "kernel $1 (cache $kdir)"
	[ -e "$kdir/.complete" ] && return 0
	step "downloading linux-image-$1 and busybox-static ($suite, apt-get download)"
	pkg=$(fetch "linux-image-$1" "linux-image-$1-unsigned") || return 1
	fetch busybox-static >/dev/null || return 1
	for deb in "$kdir"/debs/*.deb; do
		step "unpacking $(basename "$deb")"
		dpkg -x "$deb" "$root" || die "dpkg -x $deb failed"
	done
	touch "$kdir/.complete" || die "cannot write to $kdir"
}
if ! prepare "$abi"; then
	[ -z "${MODUTILS_KERNEL_ABI:-}" ] || die "cannot download the packages of MODUTILS_KERNEL_ABI=$abi"
	apt_update
	new=$(apt_abi) || true
	if [ -n "$new" ] && prepare "$new"; then
		abi=$new
	else
		old=$(cached_abi) || true
		[ -n "$old" ] || die "cannot download Debian 13's kernel $abi (and nothing is cached)"
		echo "trixie.sh: WARNING: cannot download kernel $abi; using the cached $old" >&2
		abi=$old
		prepare "$abi" || die "cannot prepare the cached kernel $abi"
	fi
fi
flock -u 9
vmlinuz=$root/boot/vmlinuz-$abi
kmoddir=$root/usr/lib/modules/$abi
busybox=$root/usr/bin/busybox
[ -x "$busybox" ] || busybox=$root/bin/busybox
[ -f "$vmlinuz" ] || die "no $vmlinuz in the unpacked image package"
[ -d "$kmoddir/kernel" ] || die "no $kmoddir/kernel in the unpacked image package"
[ -x "$busybox" ] || die "no busybox in the unpacked busybox-static"
! readelf -l "$busybox" | grep -q 'program interpreter' || die "$busybox is not static"
nko=$(find "$kmoddir/kernel" -name '*.ko.xz' | wc -l)
nplain=$(find "$kmoddir/kernel" -name '*.ko' | wc -l)
[ "$nko" -gt 1000 ] && [ "$nplain" = 0 ] || die "expected only .ko.xz modules in $kmoddir ($nko .ko.xz, $nplain .ko)"

# ---------------------------------------------------------------- initramfs
work=$(mktemp -d "$kdir/run.XXXXXX")
if [ "${MODUTILS_KERNEL_KEEP:-0}" = 1 ]; then
	trap 'echo "trixie.sh: kept $work"' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi
step "packing the initramfs ($nko .ko.xz modules)"
stage=$work/initramfs
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,run,mnt,etc/modprobe.d,expect,usr/lib/modules}
ln -s usr/lib "$stage/lib"
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
	case $applet in busybox | insmod | rmmod | lsmod | modinfo | modprobe | depmod) continue ;; esac
	ln -s busybox "$stage/bin/$applet"
done
cp "$binary" "$stage/sbin/modutils"
chmod 0755 "$stage/sbin/modutils"
for tool in insmod rmmod lsmod modinfo modprobe depmod; do
	ln -s modutils "$stage/sbin/$tool"
done
# The whole module tree, hard-linked (same filesystem as the cache), and
# the reference's indexes written into the copy.
cp -al "$kmoddir" "$stage/usr/lib/modules/" 2>/dev/null || cp -a "$kmoddir" "$stage/usr/lib/modules/"
"$depmod34" -b "$stage" "$abi" 2>"$work/depmod34-tree.err" || die "kmod 34.2's depmod failed on the tree: $(cat "$work/depmod34-tree.err")"

# kmod 34.2 in the guest: its loader, kmod and the libraries it needs.
k34root=$k34dir/root
mkdir -p "$stage/k34/lib" "$stage/k34/bin"
cp -L "$k34root/usr/bin/kmod" "$stage/k34/kmod"
cp -L "$k34root/usr/lib64/ld-linux-x86-64.so.2" "$stage/k34/"
for lib in libkmod.so.2 libc.so.6 liblzma.so.5 libzstd.so.1 libcrypto.so.3 libz.so.1; do
	f=$(compgen -G "$k34root/usr/lib/x86_64-linux-gnu/$lib" | head -n 1) || true
	[ -n "$f" ] || die "kmod 34.2's $lib not found in $k34root"
	cp -L "$f" "$stage/k34/lib/"
done
for tool in modprobe insmod rmmod lsmod depmod modinfo; do
	printf '#!/bin/sh\nexec /k34/ld-linux-x86-64.so.2 --library-path /k34/lib --argv0 %s /k34/kmod "$@"\n' \
		"$tool" >"$stage/k34/bin/$tool"
	chmod 0755 "$stage/k34/bin/$tool"
done

# depmod in the guest: a part of the tree (fs, crypto, lib: a whole-tree run
# takes 60-100 s under TCG). kmod 34.2's files for the same part, and what
# it printed, go in /expect/depmod.
dsub=$work/dsub
mkdir -p "$dsub/usr/lib/modules/$abi/kernel"
ln -s usr/lib "$dsub/lib"
for d in fs crypto lib; do
	cp -al "$kmoddir/kernel/$d" "$dsub/usr/lib/modules/$abi/kernel/"
done
cp "$kmoddir"/modules.{order,builtin,builtin.modinfo} "$dsub/usr/lib/modules/$abi/"
"$depmod34" -b "$dsub" "$abi" >"$work/depmod34.out" 2>"$work/depmod34.err" ||
	die "kmod 34.2's depmod failed on the part: $(cat "$work/depmod34.err")"
mkdir -p "$stage/expect/depmod"
(cd "$dsub/usr/lib/modules/$abi" && cp modules.* "$stage/expect/depmod/")
cp "$work/depmod34.out" "$stage/expect/depmod.stdout"
cp "$work/depmod34.err" "$stage/expect/depmod.stderr"
echo "fs crypto lib" >"$stage/expect/depmod.dirs"
find "$dsub/usr/lib/modules/$abi/kernel" -name '*.ko.xz' | wc -l >"$stage/expect/depmod.count"

cat >"$stage/etc/modprobe.d/modtest.conf" <<'CONF'
# modutils Debian 13 real-kernel test configuration
CONF
cp "$here/guest-trixie.sh" "$stage/init"
cp "$here/guest-lib.sh" "$stage/guest-lib.sh"
chmod 0755 "$stage/init"
if [ "$(id -u)" = 0 ]; then
	mknod -m 0600 "$stage/dev/console" c 5 1
fi
# Uncompressed: the modules are xz data already.
initrd=$work/initrd.cpio
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --quiet -o -0 -H newc -R 0:0) >"$initrd" ||
	die "cpio failed"
step "initramfs: $(($(stat -c %s "$initrd") / 1048576)) MiB"

# Disks: an ext4 filesystem on the NVMe disk (mounted in the guest: the
# kernel's request_module("fs-ext4")); blank disks behind AHCI and USB.
mkfs_log=$work/mkfs.log
truncate -s 16M "$work/nvme.img"
mkfs.ext4 -q -F -L modtest "$work/nvme.img" >"$mkfs_log" 2>&1 || die "mkfs.ext4 failed: $(cat "$mkfs_log")"
truncate -s 4M "$work/sata.img" "$work/usb.img"

# ---------------------------------------------------------------- boot
log=$kdir/console.log
# Kernel command line: module parameters for modprobe to find, in kmod's
# forms: a whole word in quotes, a value in quotes with a space, dyndbg with
# spaces (applied by modprobe when e1000e is coldplugged), a quote in the
# module part (the word is dropped), and a blacklist.
append='console=ttyS0 panic=-1 rdinit=/init quiet loglevel=4'
append="$append \"dummy.numdummies=3\" snd_hda_intel.model=\"quoted model\""
append="$append \"e1000e.dyndbg=file netdev.c +p\" psmouse.\"rate=20\" modprobe.blacklist=pcspkr"
step "booting $abi in qemu (TCG, timeout ${timeout_s}s); console log: $log"
qemu_rc=0
timeout -k 10 "$timeout_s" qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 1 -m 1536 \
	-kernel "$vmlinuz" -initrd "$initrd" -append "$append" \
	-netdev user,id=n0 -device e1000e,netdev=n0 \
	-netdev user,id=n1 -device rtl8139,netdev=n1 \
	-drive if=none,id=sata,file="$work/sata.img",format=raw -device ide-hd,drive=sata,bus=ide.0 \
	-drive if=none,id=nvme,file="$work/nvme.img",format=raw -device nvme,serial=modtest,drive=nvme \
	-device qemu-xhci,id=xhci -device usb-kbd,bus=xhci.0 \
	-drive if=none,id=usb,file="$work/usb.img",format=raw -device usb-storage,bus=xhci.0,drive=usb \
	-device intel-hda -device hda-duplex \
	-serial stdio -display none -monitor none -nodefaults -no-reboot \
	</dev/null >"$work/console.log" 2>"$work/qemu.stderr" || qemu_rc=$?
cp "$work/console.log" "$log"
step "qemu exited with status $qemu_rc"

# ---------------------------------------------------------------- results
guest_verdict "$log" "$work" "$qemu_rc" "$timeout_s" "$EXPECTED_CHECKS" \
	"Checks run in the guest (Debian 13, $abi) with $binary:"
