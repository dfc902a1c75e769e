#!/bin/bash
# Real-kernel tests for modutils: boot Debian's own bookworm kernel in QEMU
# (TCG) with the modutils binary in an initramfs and check insmod, lsmod and
# rmmod against the real kernel.
#
# Usage:
#   tests/kernel/run.sh --binary PATH [--arch x86_64|armhf] [--cache DIR] [--timeout SECONDS]
#   tests/kernel/run.sh --busybox-standin [...]   # busybox as a stand-in binary
#   tests/kernel/run.sh --demo --binary PATH       # also show a transcript of the tools
#
# PATH is a static modutils multicall binary for the --arch (default x86_64).
# It is installed in the guest as /sbin/modutils with /sbin/{insmod,rmmod,lsmod}
# symlinks to it. On x86_64 a dynamically linked binary is accepted too (its
# shared libraries are copied in), which lets kmod itself be run as a reference:
#   tests/kernel/run.sh --binary /usr/bin/kmod
#
# --arch armhf boots Debian's linux-image-*-armmp in qemu-system-arm (virt,
# Cortex-A7), with busybox-static:armhf, the test modules cross-built against
# the armmp headers (arm-linux-gnueabihf-gcc-12), and, on top of the x86
# checks, a chain of real modules from the armmp package loaded with insmod
# (dependencies first), checked in lsmod and unloaded in reverse order.
#
# Cache: ${MODUTILS_KERNEL_CACHE:-<repo>/build/kernel-cache}. The kernel ABI
# can be forced with MODUTILS_KERNEL_ABI=6.1.0-NN-amd64 (or -armmp);
# MODUTILS_KERNEL_KEEP=1 keeps the run's work directory (module build,
# initramfs tree, initrd).
#
# Nothing is installed on the host. What this needs, as Debian 12 packages
# (the same list, one a line, is in tests/kernel/packages.txt):
#   qemu-system-x86   qemu-system-x86_64 (TCG)
#   busybox-static    the guest's shell and tools (must be the static build)
#   cpio gzip         packing the initramfs
#   xz-utils zstd     making .ko.xz / .ko.zst copies (gzip makes .ko.gz)
#   make gcc-12 binutils
#                     out-of-tree module build: Debian's 6.1 headers call
#                     gcc-12 by that name, and ld/objcopy/readelf
#   libelf1 libssl3   run-time libraries of the prebuilt kbuild tools in
#                     linux-kbuild-6.1 (objtool; sign-file), which is unpacked,
#                     not installed, so its dependencies are not pulled in
#   dpkg apt coreutils util-linux
#                     apt-get download / apt-cache, dpkg -x, timeout, flock
# Not needed for out-of-tree modules: bc, flex, bison, libelf-dev, libssl-dev,
# kmod, pahole (BTF generation for modules is skipped: there is no vmlinux).
# apt-get update must have been run so apt-cache knows the current kernel.
# --arch armhf also needs qemu-system-arm, qemu-user-static (busybox --list
# of the armhf busybox), gcc-12-arm-linux-gnueabihf and
# binutils-arm-linux-gnueabihf (also in packages.txt); its armhf (and matching host linux-kbuild)
# packages come from a private apt state in CACHE/apt-armhf (the host's apt
# and dpkg configuration are not touched; no foreign architecture is added).
#
# Output: one line per guest check (MODTEST: PASS/FAIL ...), then a final line
# "N passed, N failed". Exit status 0 only if the guest reported DONE with no
# failure and at least EXPECTED_CHECKS checks passed.
set -euo pipefail

# Checks the guest must pass: 26 everywhere, plus 3 per real module and 2
# for the real-module chain where there is one (armhf).
EXPECTED_CHECKS=31

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

binary=
standin=0
demo=0
arch=x86_64
cache=${MODUTILS_KERNEL_CACHE:-$repo/build/kernel-cache}
timeout_s=180

usage() {
	sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() {
	echo "run.sh: ERROR: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--binary) [ $# -ge 2 ] || die "--binary needs a PATH"; binary=$2; shift 2 ;;
	--binary=*) binary=${1#*=}; shift ;;
	--busybox-standin) standin=1; shift ;;
	--demo) demo=1; shift ;;
	--arch) [ $# -ge 2 ] || die "--arch needs a value"; arch=$2; shift 2 ;;
	--arch=*) arch=${1#*=}; shift ;;
	--cache) [ $# -ge 2 ] || die "--cache needs a DIR"; cache=$2; shift 2 ;;
	--cache=*) cache=${1#*=}; shift ;;
	--timeout) [ $# -ge 2 ] || die "--timeout needs SECONDS"; timeout_s=$2; shift 2 ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

# Per architecture: Debian's kernel flavour and architecture, the kernel's
# ARCH, the cross compiler prefix for the modules, the readelf machine, and
# the top of a chain of real modules to load (armhf only: the x86 run keeps
# its 26 checks). libcurve25519 needs curve25519-neon and
# libcurve25519-generic, and curve25519-neon needs libcurve25519-generic:
# three plain crypto-library modules, no hardware, a module used by two.
case $arch in
x86_64 | amd64)
	arch=x86_64 flavour=amd64 debarch=amd64 karch= kcross= machine='X86-64'
	qemu=qemu-system-x86_64 real_top= ;;
armhf | arm)
	arch=armhf flavour=armmp debarch=armhf karch=arm kcross=arm-linux-gnueabihf- machine='ARM$'
	qemu=qemu-system-arm real_top=libcurve25519 ;;
*) die "--arch must be x86_64 or armhf (got '$arch')" ;;
esac
[[ $timeout_s =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds"
if [ "$standin" = 1 ]; then
	[ -z "$binary" ] || die "give either --binary or --busybox-standin, not both"
elif [ -z "$binary" ]; then
	usage >&2
	die "--binary PATH is required"
fi

# step, and guest_verdict for the results.
. "$here/lib.sh"

# ---------------------------------------------------------------- prerequisites
missing=()
need() { # need COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || missing+=("$1 (Debian package $2)")
}
if [ "$arch" = armhf ]; then
	need qemu-system-arm qemu-system-arm
	need qemu-arm-static qemu-user-static
	need arm-linux-gnueabihf-gcc-12 gcc-12-arm-linux-gnueabihf
	need arm-linux-gnueabihf-ld binutils-arm-linux-gnueabihf
else
	need qemu-system-x86_64 qemu-system-x86
fi
need cpio cpio
need gzip gzip
need xz xz-utils
need zstd zstd
need make make
need gcc-12 gcc-12
need ld binutils
need readelf binutils
need dpkg dpkg
need apt-get apt
need apt-cache apt
need timeout coreutils
need flock util-linux
busybox=
# armhf: busybox-static:armhf is downloaded with the kernel (below).
[ "$arch" = armhf ] || for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ]; then busybox=$b; break; fi
done
if [ "$arch" = armhf ]; then
	:
elif [ -z "$busybox" ]; then
	missing+=("busybox (Debian package busybox-static)")
elif command -v readelf >/dev/null 2>&1 && readelf -l "$busybox" 2>/dev/null | grep -q 'program interpreter'; then
	missing+=("a static busybox: $busybox is dynamically linked (Debian package busybox-static)")
fi
if [ ${#missing[@]} -gt 0 ]; then
	{
		echo "################################################################"
		echo "run.sh: ERROR: required commands are missing:"
		printf '  - %s\n' "${missing[@]}"
		echo "Install them with:"
		echo "  apt-get install -y $(tr '\n' ' ' <"$here/packages.txt")"
		echo "################################################################"
	} >&2
	exit 1
fi

# ---------------------------------------------------------------- the binary
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
# check_binary: the binary under test is an executable for --arch (static
# on armhf, where there is no ldd to find its libraries).
check_binary() {
	[ -f "$binary" ] || die "binary not found: $binary"
	[ -x "$binary" ] || die "binary is not executable: $binary"
	binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
	readelf -h "$binary" 2>/dev/null | grep -Eq "Machine:.*$machine" ||
		die "$binary is not an $arch ELF executable"
	binary_static=1
	if readelf -l "$binary" 2>/dev/null | grep -q 'program interpreter'; then
		binary_static=0
		[ "$arch" = x86_64 ] || die "$binary is dynamically linked: build it with STATIC=1"
		echo "run.sh: WARNING: $binary is dynamically linked; copying its shared libraries into the initramfs" >&2
	fi
}
use_standin() {
	local dir=$cache/standin
	[ "$arch" = x86_64 ] || dir=$cache/standin-$arch
	mkdir -p "$dir"
	cp "$busybox" "$dir/modutils"
	binary=$dir/modutils
	echo "run.sh: using a busybox stand-in ($busybox copied to $binary);"
	echo "        its messages differ from kmod's, so some checks are expected to FAIL"
}
if [ "$standin" = 1 ] && [ "$arch" = x86_64 ]; then
	use_standin
fi
# (The armhf stand-in is known once busybox-static:armhf is unpacked.)
[ "$standin" = 1 ] && [ "$arch" = armhf ] || check_binary

# ---------------------------------------------------------------- kernel ABI
# x86_64 asks the host's apt. armhf asks a private apt state in
# CACHE/apt-armhf that knows the host architecture and armhf (the host's
# linux-kbuild of the kernel's exact version runs the cross module build).
apt_opts=()
if [ "$arch" != x86_64 ]; then
	hostarch=$(dpkg --print-architecture)
	aptdir=$cache/apt-$debarch
	mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial"
	[ -e "$aptdir/status" ] || : >"$aptdir/status"
	apt_opts=(-o APT::Architecture="$hostarch" -o APT::Architectures="$hostarch,$debarch"
		-o Dir::State::Lists="$aptdir/lists" -o Dir::State::status="$aptdir/status"
		-o Dir::Cache="$aptdir" -o Dir::Cache::archives="$aptdir/archives"
		-o Debug::NoLocking=1)
fi
apt_cache() { apt-cache "${apt_opts[@]}" "$@"; }
apt_get() { apt-get -o APT::Sandbox::User=root "${apt_opts[@]}" "$@"; }
# debq PACKAGE: the package name qualified with the kernel's architecture.
debq() { if [ "$arch" = x86_64 ]; then echo "$1"; else echo "$1:$debarch"; fi; }

# The ABI the linux-image-FLAVOUR metapackage currently points to, e.g.
# 6.1.0-56-amd64. If apt knows nothing, or the download fails (stale apt
# lists, no network), the newest kernel already in the cache is used.
cached_abi() {
	find "$cache" -mindepth 2 -maxdepth 2 -name .complete -printf '%h\n' 2>/dev/null |
		xargs -r -n1 basename | grep -- "-$flavour\$" | sort -V | tail -n 1
}
apt_abi() {
	local abi
	abi=$(apt_cache depends "$(debq "linux-image-$flavour")" 2>/dev/null |
		sed -n "s/^ *Depends: linux-image-\([0-9][^ :]*-$flavour\)\(-unsigned\)\{0,1\}\(:$debarch\)\{0,1\}\$/\1/p" | head -n 1) || true
	if [ -z "$abi" ]; then
		abi=$(apt_cache depends "$(debq "linux-headers-$flavour")" 2>/dev/null |
			sed -n "s/^ *Depends: linux-headers-\([0-9][^ :]*-$flavour\)\(:$debarch\)\{0,1\}\$/\1/p" | head -n 1) || true
	fi
	echo "$abi"
}
# apt_update: once per run, when the apt lists are missing or stale: the
# host's as root (x86_64), the private ones (armhf) as anyone.
# (Not an install; apt-get update may exit 100 for one broken mirror list.)
apt_updated=0
apt_update() {
	[ "$apt_updated" = 0 ] || return 1
	[ "$arch" != x86_64 ] || [ "$(id -u)" = 0 ] || return 1
	apt_updated=1
	step "apt-get update (apt lists missing or stale${aptdir:+; private state $aptdir})"
	apt_get update -q >"$cache/apt-update-$debarch.log" 2>&1 ||
		echo "run.sh: apt-get update exited $? (tolerated; log: $cache/apt-update-$debarch.log)" >&2
}
# The private lists are refreshed once a day: they are nobody else's job.
if [ "$arch" != x86_64 ] && [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ]; then
	apt_update || true
fi
forced_abi=${MODUTILS_KERNEL_ABI:-}
abi=$forced_abi
[ -n "$abi" ] || abi=$(apt_abi)
if [ -z "$abi" ] && [ -z "$(cached_abi)" ] && apt_update; then
	abi=$(apt_abi)
fi
if [ -z "$abi" ]; then
	abi=$(cached_abi) || true
	[ -n "$abi" ] && echo "run.sh: WARNING: apt-cache knows no linux-image-$flavour; reusing cached kernel $abi" >&2
fi
[ -n "$abi" ] || die "cannot find the kernel ABI: apt-cache depends linux-image-$flavour gave nothing (run apt-get update first, or set MODUTILS_KERNEL_ABI)"

# ---------------------------------------------------------------- download + unpack
# prepare ABI: download the four packages (armhf: five, with busybox) once
# into CACHE/ABI/debs and unpack each once (dpkg -x, nothing is installed)
# into CACHE/ABI/root. Sets kdir, root, vmlinuz, hdr. Returns 1 if a
# download fails.
prepare() {
	local abi=$1 kver abi_base debs image_pkg pkg ver
	[[ $abi =~ ^([0-9]+\.[0-9]+)\.[0-9]+-[0-9]+-$flavour$ ]] || die "unexpected kernel ABI '$abi'"
	kver=${BASH_REMATCH[1]}     # 6.1
	abi_base=${abi%-"$flavour"} # 6.1.0-56
	kdir=$cache/$abi
	root=$kdir/root
	debs=$kdir/debs
	vmlinuz=$root/boot/vmlinuz-$abi
	hdr=$root/usr/src/linux-headers-$abi
	mkdir -p "$debs" "$root" || die "cannot create $kdir"
	step "kernel $abi (cache $kdir)"
	if [ -e "$kdir/.complete" ]; then
		step "reusing downloaded and unpacked packages"
	elif [ "$arch" = x86_64 ]; then
		step "downloading kernel packages (apt-get download)"
		# The signed image holds vmlinuz and the modules; the -unsigned one
		# is the same build without signatures, in case the other is missing.
		image_pkg=$(fetch "$kdir" "linux-image-$abi" "linux-image-$abi-unsigned") || return 1
		for pkg in "linux-headers-$abi" "linux-headers-$abi_base-common" "linux-kbuild-$kver"; do
			fetch "$kdir" "$pkg" >/dev/null || return 1
		done
		for pkg in "$image_pkg" "linux-headers-$abi" "linux-headers-$abi_base-common" "linux-kbuild-$kver"; do
			unpack "$kdir" "$pkg"
		done
		{ echo "$image_pkg" >"$kdir/.image-package" && touch "$kdir/.complete"; } ||
			die "cannot write to $kdir"
	else
		step "downloading kernel packages (apt-get download, private apt state $aptdir)"
		image_pkg=$(fetch "$kdir" "linux-image-$abi:$debarch" "linux-image-$abi-unsigned:$debarch") || return 1
		image_pkg=${image_pkg%:*}
		# Everything else of the exact same kernel build: the -common headers
		# (Architecture: all) and the HOST's linux-kbuild, whose fixdep and
		# modpost run on this machine while arm-linux-gnueabihf-gcc-12 compiles.
		ver=$(dpkg-deb -f "$(compgen -G "$debs/${image_pkg}_*.deb" | head -n 1)" Version) ||
			die "cannot read the version of $image_pkg"
		for pkg in "linux-headers-$abi:$debarch=$ver" "linux-headers-$abi_base-common=$ver" \
			"linux-kbuild-$kver:$hostarch=$ver" "busybox-static:$debarch"; do
			fetch "$kdir" "$pkg" >/dev/null || return 1
		done
		for pkg in "$image_pkg" "linux-headers-$abi" "linux-headers-$abi_base-common" "linux-kbuild-$kver" busybox-static; do
			unpack "$kdir" "$pkg"
		done
		{ echo "$image_pkg" >"$kdir/.image-package" && touch "$kdir/.complete"; } ||
			die "cannot write to $kdir"
	fi
	[ -f "$vmlinuz" ] || die "no $vmlinuz in the unpacked image package"
	[ -f "$hdr/Makefile" ] || die "no $hdr/Makefile in the unpacked headers package"

	# The headers' small Makefile includes the -common one by its absolute
	# installed path, and scripts/tools may link into /usr/lib/linux-kbuild-X
	# by absolute path (Debian's are relative): point them into the cache.
	# Redone each run, so a moved cache still works.
	sed -i -E "s|^include .*(/usr/src/linux-headers-[^/]+/Makefile)[[:space:]]*$|include $root\1|" "$hdr/Makefile" ||
		die "cannot fix up $hdr/Makefile"
	local link target
	for link in "$hdr"/* "$root/usr/src/linux-headers-$abi_base-common"/*; do
		[ -L "$link" ] || continue
		target=$(readlink "$link")
		case $target in
		/usr/*) ln -sfn "$root$target" "$link" ;;
		esac
	done
	[ -e "$hdr/scripts/basic/fixdep" ] || die "kbuild scripts not found through $hdr/scripts"
}
fetch() { # fetch KDIR PACKAGE[:ARCH][=VERSION]...: download the first of the packages that works; print it
	local kdir=$1 pkg name
	shift
	for pkg in "$@"; do
		name=${pkg%%[:=]*}
		if compgen -G "$kdir/debs/${name}_*.deb" >/dev/null ||
			(cd "$kdir/debs" && apt_get download "$pkg" >"$kdir/download-$name.log" 2>&1); then
			echo "$pkg"
			return 0
		fi
		echo "run.sh: apt-get download $pkg failed:" >&2
		sed 's/^/    /' "$kdir/download-$name.log" >&2
	done
	return 1
}
unpack() { # unpack KDIR PACKAGE
	local deb
	[ -e "$1/.unpacked-$2" ] && return 0
	deb=$(compgen -G "$1/debs/${2}_*.deb" | sort -V | tail -n 1)
	step "unpacking $(basename "$deb")"
	# (prepare runs under "if", where set -e does not stop on errors.)
	dpkg -x "$deb" "$1/root" || die "dpkg -x $deb failed"
	touch "$1/.unpacked-$2" || die "cannot write to $1"
}

# One run at a time downloads and unpacks (others wait on the lock).
exec 9>"$cache/.lock"
flock 9
if ! prepare "$abi"; then
	# Stale apt lists name a kernel the mirror no longer has: update and
	# retry with what apt then names; else use the newest cached kernel.
	# (A kernel of which nothing could be downloaded leaves no directory.)
	if [ ! -e "$kdir/.complete" ] && [ -z "$(ls -A "$kdir/debs" 2>/dev/null)" ]; then
		rm -rf "$kdir"
	fi
	retried=0
	if [ -z "$forced_abi" ] && apt_update; then
		new_abi=$(apt_abi)
		if [ -n "$new_abi" ] && prepare "$new_abi"; then
			abi=$new_abi
			retried=1
		elif [ ! -e "$kdir/.complete" ] && [ -z "$(ls -A "$kdir/debs" 2>/dev/null)" ]; then
			rm -rf "$kdir"
		fi
	fi
	if [ "$retried" = 0 ]; then
		[ -z "$forced_abi" ] || die "cannot download the kernel packages of MODUTILS_KERNEL_ABI=$forced_abi"
		fallback=$(cached_abi) || true
		if [ -z "$fallback" ]; then
			die "cannot download the $abi kernel packages (stale apt lists? run apt-get update)"
		fi
		echo "run.sh: WARNING: cannot download kernel $abi; using the cached $fallback instead" >&2
		abi=$fallback
		prepare "$abi" || die "cannot prepare the cached kernel $abi"
	fi
fi
flock -u 9

if [ "$arch" = armhf ]; then
	# busybox-static:armhf, unpacked with the kernel: the guest's shell.
	busybox=$root/bin/busybox
	[ -x "$busybox" ] || die "no $busybox in the unpacked busybox-static:$debarch"
	if [ "$standin" = 1 ]; then
		use_standin
		check_binary
	fi
fi
# busybox_run ARGS...: run the guest's busybox on this machine.
busybox_run() {
	if [ "$arch" = armhf ]; then qemu-arm-static "$busybox" "$@"; else "$busybox" "$@"; fi
}

# This run's own files (module build, initramfs, logs): concurrent runs
# do not clobber each other. The console log is kept as CACHE/ABI/console.log.
# MODUTILS_KERNEL_KEEP=1 keeps it (module build, initramfs tree, initrd).
work=$(mktemp -d "$kdir/run.XXXXXX")
if [ "${MODUTILS_KERNEL_KEEP:-0}" = 1 ]; then
	trap 'echo "run.sh: kept $work"' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi

# ---------------------------------------------------------------- test modules
# Built out of the source tree, in this run's work directory; for armhf
# cross-compiled (the armmp headers call $(CROSS_COMPILE)gcc-12).
kbuild_args=()
[ -z "$karch" ] || kbuild_args=(ARCH="$karch" CROSS_COMPILE="$kcross")
step "building test modules (make -C $hdr M=... ${kbuild_args[*]})"
modbuild=$work/modbuild
rm -rf "$modbuild"
mkdir -p "$modbuild"
cp "$here/modules/Kbuild" "$here"/modules/*.c "$modbuild/"
# Called from the project's Makefile, MAKEFLAGS carries its O=, CC= and the
# like, which would leak into Kbuild: start the kernel build clean.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	make -C "$hdr" M="$modbuild" "${kbuild_args[@]}" -j2 modules >"$work/modbuild.log" 2>&1; then
	cat "$work/modbuild.log" >&2
	die "building the test modules failed (log above)"
fi
if grep -E 'WARNING|error' "$work/modbuild.log" | grep -v 'Skipping BTF' >&2; then
	echo "run.sh: WARNING: the module build printed warnings (above)" >&2
fi
for m in modtest_a modtest_b; do
	if [ ! -f "$modbuild/$m.ko" ]; then
		cat "$work/modbuild.log" >&2
		die "$m.ko was not built (log above)"
	fi
done
gzip -9 -n -c "$modbuild/modtest_a.ko" >"$modbuild/modtest_a.ko.gz"
xz --check=crc32 --lzma2=dict=1MiB -c "$modbuild/modtest_a.ko" >"$modbuild/modtest_a.ko.xz"
zstd -q -f -c "$modbuild/modtest_a.ko" >"$modbuild/modtest_a.ko.zst"

# ---------------------------------------------------------------- initramfs
step "packing initramfs"
stage=$work/initramfs
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,run,etc} "$stage/lib/modules/$abi/extra"
cp "$busybox" "$stage/bin/busybox"
# Every busybox applet as a /bin link, except busybox's own module tools:
# those names belong to the binary under test.
for applet in $(busybox_run --list); do
	case $applet in busybox | insmod | rmmod | lsmod | modinfo | modprobe | depmod) continue ;; esac
	ln -s busybox "$stage/bin/$applet"
done
cp "$binary" "$stage/sbin/modutils"
chmod 0755 "$stage/sbin/modutils"
# The tools under test. /sbin/modprobe only with the modprobe tree below:
# the kernel itself runs /sbin/modprobe during boot (crypto-hmac(sha256),
# crypto-cbc(aes), ...) and waits for it, so a stand-in that hangs would
# stall the boot before /init prints anything.
for tool in insmod rmmod lsmod; do
	ln -s modutils "$stage/sbin/$tool"
done
if [ "$binary_static" = 0 ]; then
	# Shared libraries and the dynamic loader, at their host paths.
	ldd "$binary" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
fi
cp "$modbuild"/modtest_a.ko "$modbuild"/modtest_b.ko "$modbuild"/modtest_a.ko.{gz,xz,zst} \
	"$stage/lib/modules/$abi/extra/"

# Real modules of the kernel package (armhf): REAL_TOP and, dependencies
# first, everything it needs, read from each file's .modinfo (depends=,
# name=). guest.sh loads them in the order of realmods.list, one line per
# module: NAME PATH HOLDERS (the chain's modules that depend on it, sorted,
# comma-separated; - for none), checks lsmod and unloads them in reverse.
modinfo_field() { # modinfo_field FILE FIELD
	readelf -p .modinfo "$1" 2>/dev/null | sed -n "s/^ *\[ *[0-9a-f]*\]  *$2=//p" | head -n 1
}
real_n=0
if [ -n "$real_top" ]; then
	kmoddir=$root/lib/modules/$abi
	declare -A real_path=() real_deps=() real_seen=()
	real_order=()
	while IFS= read -r f; do
		n=${f##*/}
		n=${n%.ko}
		real_path[${n//-/_}]=$f
	done < <(cd "$kmoddir" && find kernel -name '*.ko')
	real_visit() {
		local n=${1//-/_} d
		[ -z "${real_seen[$n]:-}" ] || return 0
		real_seen[$n]=1
		[ -n "${real_path[$n]:-}" ] || die "real module $1 is not a module of $abi (built in?)"
		real_deps[$n]=$(modinfo_field "$kmoddir/${real_path[$n]}" depends | tr ',-' ' _')
		for d in ${real_deps[$n]}; do real_visit "$d"; done
		real_order+=("$n")
	}
	real_visit "$real_top"
	real_n=${#real_order[@]}
	for n in "${real_order[@]}"; do
		holders=
		for m in "${real_order[@]}"; do
			case " ${real_deps[$m]} " in *" $n "*) holders="$holders $m" ;; esac
		done
		holders=$(echo $holders | tr ' ' '\n' | LC_ALL=C sort | paste -sd, -)
		name=$(modinfo_field "$kmoddir/${real_path[$n]}" name)
		mkdir -p "$stage/lib/modules/$abi/$(dirname "${real_path[$n]}")"
		cp "$kmoddir/${real_path[$n]}" "$stage/lib/modules/$abi/${real_path[$n]}"
		echo "${name:-$n} ${real_path[$n]} ${holders:--}"
	done >"$stage/lib/modules/$abi/realmods.list"
	step "real modules of $abi, dependencies first: ${real_order[*]}"
	EXPECTED_CHECKS=$((EXPECTED_CHECKS + 3 * real_n + 2))
fi
# modprobe's checks (guest.sh): real modules of the package with their
# paths (minix for the kernel's own request_module, qnx4 for concurrent
# loads, bfs blacklisted, efs behind an install command, ext4 with its
# dependencies and its crypto-crc32c soft dependency), the package's
# modules.order/builtin(.modinfo), indexes written by the depmod under test,
# and a modprobe.d file. The kernel command line adds a module parameter.
mp_tree=0
if [ "$standin" = 0 ] && [ "$(basename "$binary")" = modutils ]; then
	kmoddir=$root/lib/modules/$abi
	for m in minix loop qnx4 bfs efs ext4 jbd2 mbcache crc16 crc32c_generic; do
		f=$(cd "$kmoddir" && find kernel -name "$m.ko" | head -n 1)
		[ -n "$f" ] || die "$m.ko is not a module of $abi"
		mkdir -p "$stage/lib/modules/$abi/$(dirname "$f")"
		cp "$kmoddir/$f" "$stage/lib/modules/$abi/$f"
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$kmoddir/$f" ] && cp "$kmoddir/$f" "$stage/lib/modules/$abi/"
	done
	depmod_run=("$binary" depmod)
	[ "$arch" = armhf ] && depmod_run=(qemu-arm-static "$binary" depmod)
	"${depmod_run[@]}" -b "$stage" "$abi" || die "the depmod under test failed on the initramfs tree"
	mkdir -p "$stage/etc/modprobe.d"
	cat >"$stage/etc/modprobe.d/modtest.conf" <<'CONF'
# modutils real-kernel test configuration
options modtest_a count=11 label=from_config
blacklist bfs
install efs echo "install efs $CMDLINE_OPTS" > /tmp/install-efs; /sbin/modprobe --ignore-install efs $CMDLINE_OPTS
CONF
	for tool in modprobe modinfo depmod; do
		ln -s modutils "$stage/sbin/$tool"
	done
	# A small minix filesystem image: mounted through a loop device, it
	# makes a process-held (not module-held) reference to minix.
	command -v mkfs.minix >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin
	command -v mkfs.minix >/dev/null 2>&1 || die "mkfs.minix not found (Debian package util-linux)"
	truncate -s 256K "$stage/minix.img"
	mkfs.minix "$stage/minix.img" >/dev/null || die "mkfs.minix failed"
	mp_tree=1
	EXPECTED_CHECKS=$((EXPECTED_CHECKS + 24))
fi
cp "$here/guest.sh" "$stage/init"
cp "$here/guest-lib.sh" "$stage/guest-lib.sh"
chmod 0755 "$stage/init"
if [ "$(id -u)" = 0 ]; then
	mknod -m 0600 "$stage/dev/console" c 5 1
fi
initrd=$work/initrd.cpio.gz
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet -o -0 -H newc -R 0:0) | gzip -6 -n >"$initrd"

# ---------------------------------------------------------------- boot
log=$kdir/console.log
step "booting $abi in qemu (TCG, timeout ${timeout_s}s); console log: $log"
qemu_rc=0
if [ "$arch" = armhf ]; then
	# virt makes its own device tree; the armmp kernel has PL011 (ttyAMA0)
	# and PSCI (poweroff) built in. highmem=off: no LPAE in armmp.
	qemu_args=(-machine virt,highmem=off,accel=tcg -cpu cortex-a7 -smp 1 -m 512)
	console=ttyAMA0
else
	qemu_args=(-machine q35,accel=tcg -cpu max -smp 1 -m 512)
	console=ttyS0
fi
timeout -k 10 "$timeout_s" "$qemu" "${qemu_args[@]}" \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=$console panic=-1 rdinit=/init quiet loglevel=4 modtest_a.label=from_cmdline$([ "$demo" = 1 ] && echo ' modutils_demo')" \
	-serial stdio -display none -monitor none -nodefaults -no-reboot \
	</dev/null >"$work/console.log" 2>"$work/qemu.stderr" || qemu_rc=$?
cp "$work/console.log" "$log"
step "qemu exited with status $qemu_rc"

# ---------------------------------------------------------------- results
guest_verdict "$log" "$work" "$qemu_rc" "$timeout_s" "$EXPECTED_CHECKS" \
	"Checks run in the guest with $binary:" "$demo"
