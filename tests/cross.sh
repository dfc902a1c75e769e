#!/bin/bash
# The static armhf build (Cortex-A7, Thumb-2) with gzip/xz/zstd: it must
# be a static ARM executable and run under qemu-arm-static.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
out=$src/build/arm
passed=0 failed=0
check() { local what=$1; shift
	if "$@"; then echo "PASS cross $what"; passed=$((passed + 1));
	else echo "FAIL cross $what"; failed=$((failed + 1)); fi
}
check "make CROSS_COMPILE=arm-linux-gnueabihf- STATIC=1" \
	make -s -C "$src" O="$out" CROSS_COMPILE=arm-linux-gnueabihf- STATIC=1
info=$(file -b "$out/modutils" 2>&1)
echo "    $info"
check "static 32-bit ARM executable" bash -c "grep -q 'ELF 32-bit LSB executable, ARM, EABI5' <<<'$info' && grep -q 'statically linked' <<<'$info'"
# Every compression format of scripts/compression.list built in (defconfig).
flags=$(sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$src/scripts/compression.list" | awk '{ printf "+%s ", $1 }')
check "runs under qemu-arm-static with ${flags% }" \
	bash -c "qemu-arm-static '$out/modutils' -V | grep -qx '$flags+SYSLOG'"
# Thumb functions have bit 0 set in their symbol value; VFPv4 + NEON is
# what -mcpu=cortex-a7 -mfpu=neon-vfpv4 records.
check "Thumb-2 code for Cortex-A7 (VFPv4, NEON)" bash -c "
	arm-linux-gnueabihf-readelf -s '$out/modutils' | awk '\$NF == \"insmod_main\" {print \$2}' | grep -q '[13579bdf]\$' &&
	arm-linux-gnueabihf-readelf -A '$out/obj/libbb/kernel/kernel.o' | grep -q 'Tag_FP_arch: VFPv4' &&
	arm-linux-gnueabihf-readelf -A '$out/obj/libbb/kernel/kernel.o' | grep -q 'Tag_Advanced_SIMD_arch: NEONv1 with Fused-MAC'"
# Issue 15: the default static armhf binary, stripped, no larger than the
# one of commit b16b3a3 (657,952 bytes, measured with this toolchain:
# Debian 12's arm-linux-gnueabihf-gcc 12.2.0 and glibc 2.36, Debian 12's
# armhf zlib/liblzma/libzstd from scripts/mksysroot.sh; see
# bench/size/README.md). Another compiler, C library or .config lays the
# binary out differently: the limit is only checked for this one.
SIZE_LIMIT=657952
if cmp -s "$out/.config" "$src/configs/defconfig" &&
   arm-linux-gnueabihf-gcc --version 2>/dev/null | head -n 1 | grep -q ' 12\.2\.0'; then
	stripped=$(mktemp)
	arm-linux-gnueabihf-strip -o "$stripped" "$out/modutils"
	bytes=$(stat -c %s "$stripped")
	rm -f "$stripped"
	check "stripped default binary $bytes bytes <= $SIZE_LIMIT (b16b3a3)" test "$bytes" -le "$SIZE_LIMIT"
else
	echo "    size limit not checked: not the default .config or not GCC 12.2.0"
fi
echo "cross: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
