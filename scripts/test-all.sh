#!/bin/bash
# Every test of the project, from a fresh Debian machine:
#   bash scripts/test-all.sh
# Installs what it needs, then runs: generated-file check, the build
# system's promises (O=, V=1, install), the manual pages (scdoc output and
# the options of each --help), the kernel boundary check, unit and integration tests (plain and under
# AddressSanitizer + UBSan), the saved fuzzer crash inputs, modinfo
# against kmod 30 and 34.2 on generated fixtures, modinfo and modprobe
# against kmod 30 and kmod 34.2 on Debian 12's amd64 and armmp trees and on
# Debian 13's amd64 tree (.ko.xz; a third of each tree against kmod 30),
# depmod against kmod 34.2 on those trees
# (plain and compressed; kmod 30's modprobe reading our indexes), concurrent depmods under strace-injected delays, the
# configuration matrix, the static armhf
# cross build and its unit tests under qemu-arm-static, the Buildroot
# package (offline), and the real-kernel tests in QEMU on x86_64 and armhf
# (Debian 12's kernels) and on Debian 13's amd64 kernel;
# after the integration tests, each integration case against the kmod
# (34.2 or 30) its oracle file names. Ends with one line
# "N passed, N failed" over all layers.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
log=${TEST_LOG_DIR:-$src/build/test-logs}
mkdir -p "$log"
passed=0 failed=0 failures=

step() { # name, command...: run a layer, count the PASS/FAIL lines it prints
	local name=$1 rc p f t0; shift
	echo "=== $name"
	t0=$SECONDS
	"$@" 2>&1 | tee "$log/$name.log"
	rc=${PIPESTATUS[0]}
	# Each layer ends with "...: N passed, N failed" (cmocka groups summed).
	counts=$(grep -oE '(^|[^0-9])[0-9]+ passed, [0-9]+ failed' "$log/$name.log" | tail -n 1)
	p=$(echo "$counts" | sed -n 's/^[^0-9]*\([0-9]*\) passed.*/\1/p')
	f=$(echo "$counts" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1   # a layer that failed without counting still fails
	fi
	passed=$((passed + p)); failed=$((failed + f))
	[ "$f" -eq 0 ] || failures="$failures $name"
	echo "=== $name: exit $rc, $p passed, $f failed, $((SECONDS - t0)) s"
}

# kmod 30 is the second reference: against it the tree layers take every
# third module (modinfo FILE, modprobe -D, the modaliases), against kmod 34.2
# every one.
every() { [ "$1" = 30 ] && echo 3 || echo 1; }
kmod30_every=$(every 30)

bash scripts/install-deps.sh || { echo "test-all: could not install the packages"; exit 1; }

# Every build (plain, sanitizers, fuzzers, configurations, cross, musl and
# its libraries, the kernel tests' static binaries) on every core.
export MAKEFLAGS="-j$(nproc 2>/dev/null || echo 2)"

make -s clean >/dev/null 2>&1
step generated bash -c "sh scripts/gen-config.sh . --check && echo \"generated: 1 passed, 0 failed\""
step build make -s
step build-system bash tests/build.sh
step man bash tests/man.sh build/modutils
step boundary bash tests/boundary.sh build
step extension bash tests/extension.sh
step unit make -s check-unit
step integration make -s check-integration
# Each integration case's expectation against the reference its file "oracle"
# names: kmod 34.2 (fetched from Debian 13) or kmod 30 (Debian 12's).
step oracle bash -c 'bash tests/compat/kmod34.sh build/kmod34 && bash tests/integration/oracle.sh build/kmod34/bin'
step unit-asan make -s O=build/asan SANITIZE=1 check-unit
step integration-asan make -s O=build/asan SANITIZE=1 check-integration
step fuzz-regressions make -s O=build/fuzz check-fuzz-regressions
for r in 30 34.2; do
	step "compat-fixtures-$r" bash -c 'bash tests/compat/kmod34.sh build/kmod34 &&
		bash tests/compat/make-fixtures.sh build/compat-fixtures >/dev/null &&
		bash tests/compat/modinfo-compare.sh --ref $0 build/asan/modutils build/compat-fixtures/modules \
			build/compat-fixtures/signed build/compat-fixtures/malformed' "$r"
done
step compat-trees bash -c 'bash tests/compat/trees.sh >/dev/null &&
	bash tests/compat/modinfo-compare.sh --ref 30 --every $0 build/modutils build/compat-trees/amd64 \
		build/compat-trees/armmp' "$kmod30_every"
step compat-trees-34 bash -c 'bash tests/compat/kmod34.sh build/kmod34 && bash tests/compat/trees.sh >/dev/null &&
	bash tests/compat/modinfo-compare.sh --ref 34.2 build/modutils build/compat-trees/amd64 build/compat-trees/armmp'
# modprobe -R/-D/-c against kmod 30 and kmod 34.2, each tree indexed by the
# reference's own depmod (in place).
for t in amd64 armmp; do
	for r in 30 34.2; do
		step "compat-modprobe-$t-$r" bash -c 'v=$(ls build/compat-trees/$0/lib/modules | head -n 1) &&
			MODUTILS_COMPAT_EVERY=$2 bash tests/compat/modprobe-compare.sh --ref $1 build/modutils \
				build/compat-trees/$0 "$v" 1000' "$t" "$r" "$(every "$r")"
	done
done
# The same with the indexes written by our depmod (on a hard-linked copy).
step compat-modprobe-ourdepmod bash -c 'v=$(ls build/compat-trees/amd64/lib/modules | head -n 1) &&
	rm -rf build/compat-ours && mkdir -p build/compat-ours/lib/modules build/ourdepmod &&
	cp -al "build/compat-trees/amd64/lib/modules/$v" build/compat-ours/lib/modules/ &&
	(cd "build/compat-ours/lib/modules/$v" && rm -f modules.*.bin modules.dep modules.alias modules.symbols \
		modules.softdep modules.devname modules.weakdep) &&
	ln -sf ../modutils build/ourdepmod/depmod &&
	DEPMOD=$PWD/build/ourdepmod/depmod MODUTILS_COMPAT_EVERY=$0 bash tests/compat/modprobe-compare.sh build/modutils \
		build/compat-ours "$v" 1000' "$kmod30_every"
# Debian 13's amd64 tree (4230 .ko.xz, usr/lib/modules), indexed by kmod
# 34.2's depmod: modinfo of every module and modprobe against both kmods.
for r in 34.2 30; do
	step "compat-trixie-modinfo-$r" bash -c 'bash tests/compat/trees.sh --only trixie-amd64 >/dev/null &&
		bash tests/compat/modinfo-compare.sh --ref $0 --every $1 build/modutils build/compat-trees/trixie-amd64' \
		"$r" "$(every "$r")"
	step "compat-trixie-modprobe-$r" bash -c 'v=$(ls build/compat-trees/trixie-amd64/lib/modules | head -n 1) &&
		DEPMOD=$PWD/build/kmod34/bin/depmod MODUTILS_COMPAT_EVERY=$1 bash tests/compat/modprobe-compare.sh \
			--ref $0 build/modutils build/compat-trees/trixie-amd64 "$v" 1000' "$r" "$(every "$r")"
done
# depmod against kmod 34.2: Debian 12's trees (plain, compressed, mixed) and Debian 13's.
step compat-depmod bash -c 'bash tests/compat/trees.sh --compressed --trixie >/dev/null &&
	MODUTILS_COMPAT_EVERY=$0 bash tests/compat/depmod-compare.sh build/modutils' "$kmod30_every"
# The cycle report (which cycles, from which module, in which order) against
# kmod 34.2 on random small trees (fixed seed; the script takes another).
step compat-depmod-cycles bash -c 'bash tests/compat/kmod34.sh build/kmod34 &&
	bash tests/compat/depmod-cycles.sh build/modutils build/kmod34/bin 60 1'
# Three depmods at once on a copy of the amd64 tree, under strace with
# delays injected, readers asking all the while (the index set must stay
# whole, every answer right, nothing left behind).
# 1000 modules and what they depend on: the windows are the injected
# delays, not the tree's size (all 4023: 266 s of CI, this: some 120).
step depmod-stress env STRESS_MODULES=1000 bash tests/depmod-stress.sh build/modutils
# depmod's cache: random changes to a copy of the amd64 tree, the cached run
# against a full one (--no-cache) after each round.
# (CONFIG_FEATURE_DEPMOD_CACHE is off in the defconfig: a build with it on.)
step depmod-cache bash -c 'bash tests/compat/trees.sh --only amd64 >/dev/null && mkdir -p build/cache &&
	sed "s/^# CONFIG_FEATURE_DEPMOD_CACHE is not set/CONFIG_FEATURE_DEPMOD_CACHE=y/" configs/defconfig > build/cache/.config &&
	make -s O=build/cache && make -s O=build/cache check-unit && bash tests/depmod-cache.sh build/cache/modutils'
step configs bash tests/configs.sh
step cross-armhf bash tests/cross.sh
step unit-armhf make -s O=build/arm CROSS_COMPILE=arm-linux-gnueabihf- STATIC=1 check-unit
# The static musl binary (the fake kernel linked in: it cannot be preloaded).
step integration-musl-static make -s O=build/musl-static CC=musl-gcc STATIC=1 check-integration-static
step buildroot bash scripts/buildroot/check.sh
step kernel-x86_64 make -s O=build/static STATIC=1 check-kernel
step kernel-armhf make -s check-kernel-arm
# Debian 13's 6.12 kernel (.ko.xz, in-kernel decompression), kmod 34.2 in the guest.
step kernel-trixie make -s O=build/static STATIC=1 check-kernel-trixie

echo
[ -z "$failures" ] || echo "failed layers:$failures"
echo "all: $passed passed, $failed failed ($((SECONDS / 60)) min)"
[ "$failed" -eq 0 ]
