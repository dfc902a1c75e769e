#!/bin/bash
# The main job, on a fresh Debian 12 machine:  bash scripts/demo.sh
# Installs the build and QEMU packages, builds the static binary, then boots
# Debian's own amd64 kernel in QEMU with the binary (as insmod, rmmod and
# lsmod) and the project's test modules in an initramfs, shows what the
# tools print there, and runs the real-kernel checks.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
bash scripts/install-deps.sh
make -s O=build/static STATIC=1
file build/static/modutils
build/static/modutils --version
echo "applets: $(build/static/modutils --list | tr '\n' ' ')"
bash tests/kernel/run.sh --demo --binary "$src/build/static/modutils"
