#!/bin/bash
# Offline checks of this BR2_EXTERNAL tree, without Buildroot:
#   1. shell syntax of the scripts here;
#   2. the Kconfig files parse (kconfig-conf from kconfig-frontends-nox),
#      inside a stub top-level Config.in that defines the Buildroot symbols
#      they use, and alldefconfig / allyesconfig give the expected options;
#   3. modutils.mk under a stub of Buildroot's package infrastructure
#      (generic-package, host-generic-package, TARGET_*, HOST_*, SED, sep...):
#      `make -n` of every step, then the steps for real with the armhf cross
#      compiler, STAGING_DIR = a Debian armhf sysroot (scripts/mksysroot.sh)
#      and a pkg-config wrapper like Buildroot's, and the host package with
#      the host compiler; the installed files are checked, and the
#      rootfs pre-command hook (host-modutils' depmod) is run in an image's
#      copy of a target tree holding real armmp modules (cached by
#      tests/kernel/run.sh --arch armhf or tests/compat/trees.sh) and a
#      module added after target-finalize, as an overlay would add it;
#   4. the hash file, and README's example against the Kconfig dependencies
#      of the symbols it sets (restated in the stub).
# usage: scripts/buildroot/check.sh [WORKDIR]   (default build/buildroot-check)
set -u
ext=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$ext/../.." && pwd)
work=${1:-$src/build/buildroot-check}
passed=0 failed=0
check() { # check NAME COMMAND...
	local name=$1 log
	shift
	log=$work/log.$passed.$failed
	if "$@" >"$log" 2>&1; then
		echo "PASS buildroot $name"; passed=$((passed + 1))
	else
		echo "FAIL buildroot $name"; sed 's/^/    /' "$log" | tail -n 40; failed=$((failed + 1))
	fi
}
rm -rf "$work" && mkdir -p "$work"
# The compression formats (scripts/compression.list): their symbols
# (BR2_PACKAGE_MODUTILS_<symbol>), and Buildroot packages.
comp_col() { sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$src/scripts/compression.list" | awk -v n="$1" '{ print $n }'; }
comp_syms=$(comp_col 1 | tr '\n' ' ')
comp_pkgs=$(comp_col 10 | tr '\n' ' ')
comp_pkgs_upper=$(echo "$comp_pkgs" | tr a-z- A-Z_)
# "BR2_PACKAGE_MODUTILS_<symbol>=y\n" for each
comp_on=$(for s in $comp_syms; do printf 'BR2_PACKAGE_MODUTILS_%s=y\\n' "$s"; done)

# ---- 1. shell syntax --------------------------------------------------------
for f in "$ext"/*.sh; do
	check "sh -n $(basename "$f")" bash -n "$f"
done
check "external.desc: name MODUTILS" grep -qx 'name: MODUTILS' "$ext/external.desc"

# ---- 2. Kconfig --------------------------------------------------------------
# The Buildroot symbols the package's Config.in files refer to.
cat >"$work/Config.in" <<'EOF'
mainmenu "stub of Buildroot's top-level Config.in"
# kconfig-frontends (Linux 4.x kconfig) expands "$NAME" in a source
# statement from a symbol with option env, as Buildroot's tree has.
config BR2_EXTERNAL_MODUTILS_PATH
	string
	option env="BR2_EXTERNAL_MODUTILS_PATH"
config BR2_USE_MMU
	def_bool y
config BR2_PACKAGE_BUSYBOX
	bool "busybox"
	default y
config BR2_PACKAGE_KMOD_TOOLS
	bool "kmod tools"
@COMPRESSION_PACKAGES@
# The toolchain's C library and the library type, with Buildroot's
# dependencies restated (toolchain/toolchain-buildroot/Config.in, the
# top-level Config.in): static only needs uClibc-ng or musl; glibc is the
# default C library of Buildroot's own toolchain.
choice
	prompt "C library"
	default BR2_TOOLCHAIN_BUILDROOT_GLIBC
config BR2_TOOLCHAIN_BUILDROOT_UCLIBC
	bool "uClibc-ng"
	select BR2_TOOLCHAIN_USES_UCLIBC
config BR2_TOOLCHAIN_BUILDROOT_GLIBC
	bool "glibc"
	select BR2_TOOLCHAIN_USES_GLIBC
config BR2_TOOLCHAIN_BUILDROOT_MUSL
	bool "musl"
	select BR2_TOOLCHAIN_USES_MUSL
endchoice
config BR2_TOOLCHAIN_USES_GLIBC
	bool
config BR2_TOOLCHAIN_USES_UCLIBC
	bool
config BR2_TOOLCHAIN_USES_MUSL
	bool
choice
	prompt "libraries"
	default BR2_SHARED_LIBS
config BR2_STATIC_LIBS
	bool "static only"
	depends on !BR2_TOOLCHAIN_USES_GLIBC
config BR2_SHARED_LIBS
	bool "shared only"
endchoice
menu "External options"
source "$BR2_EXTERNAL_MODUTILS_PATH/Config.in"
endmenu
EOF
# The compression libraries' packages, from the list.
for p in $comp_pkgs; do
	printf 'config BR2_PACKAGE_%s\n\tbool "%s"\n' "$(echo "$p" | tr a-z- A-Z_)" "$p"
done >"$work/comp-pkgs.in"
sed -i -e "/^@COMPRESSION_PACKAGES@\$/{r $work/comp-pkgs.in" -e 'd}' "$work/Config.in"
# Each format of the list has its option in the package's Config.in,
# selecting its library's package, and no other compression option is there.
check "Config.in: an option per format of scripts/compression.list, selecting its package" bash -c "
	c='$ext/package/modutils/Config.in'
	set -- $comp_pkgs_upper
	for s in $comp_syms; do
		sed -n \"/^config BR2_PACKAGE_MODUTILS_\$s\\\$/,/^config /p\" \$c | grep -qx \"[[:space:]]*select BR2_PACKAGE_\$1\" ||
			{ echo \"no BR2_PACKAGE_MODUTILS_\$s selecting BR2_PACKAGE_\$1\"; exit 1; }
		shift
	done
	[ \$(grep -c '^[[:space:]]*select BR2_PACKAGE_' \$c) = $(echo $comp_syms | wc -w) ]"
if command -v kconfig-conf >/dev/null; then
	# alldefconfig with the package switched on (a defconfig fragment).
	printf 'BR2_PACKAGE_MODUTILS=y\nBR2_PACKAGE_HOST_MODUTILS=y\n' >"$work/frag"
	check "kconfig-conf parses Config.in (alldefconfig)" bash -c "
		cd '$work' && CONFIG_= BR2_EXTERNAL_MODUTILS_PATH='$ext' KCONFIG_CONFIG='$work/def.config' \
			kconfig-conf --defconfig=frag Config.in 2>&1 | tee kconf-def.log; ! grep -qi warning kconf-def.log"
	check "defaults: every applet, syslog, no compression, host depmod hook" bash -c "
		c='$work/def.config'
		for s in INSMOD RMMOD LSMOD MODINFO MODPROBE DEPMOD KMOD SYSLOG; do grep -qx \"BR2_PACKAGE_MODUTILS_\$s=y\" \$c || exit 1; done
		for s in $comp_syms; do grep -qx \"# BR2_PACKAGE_MODUTILS_\$s is not set\" \$c || exit 1; done
		grep -qx BR2_PACKAGE_HOST_MODUTILS_DEPMOD_TARGET=y \$c"
	check "allyesconfig: compression selects ${comp_pkgs% }; kmod tools hide it" bash -c "
		cd '$work' && CONFIG_= BR2_EXTERNAL_MODUTILS_PATH='$ext' KCONFIG_CONFIG='$work/yes.config' \
			kconfig-conf --allyesconfig Config.in >kconf-yes.log 2>&1
		c='$work/yes.config'
		for s in $comp_pkgs_upper; do grep -qx \"BR2_PACKAGE_\$s=y\" \$c || exit 1; done
		# allyes turns BR2_PACKAGE_KMOD_TOOLS on, which must hide the package
		grep -qx 'BR2_PACKAGE_KMOD_TOOLS=y' \$c && ! grep -q '^BR2_PACKAGE_MODUTILS=y' \$c"
	printf "BR2_TOOLCHAIN_BUILDROOT_MUSL=y\\nBR2_STATIC_LIBS=y\\nBR2_PACKAGE_MODUTILS=y\\n${comp_on}"'# BR2_PACKAGE_MODUTILS_DEPMOD is not set\nBR2_PACKAGE_HOST_MODUTILS=y\n' >"$work/frag2"
	check "a defconfig with compression on and depmod off" bash -c "
		cd '$work' && CONFIG_= BR2_EXTERNAL_MODUTILS_PATH='$ext' KCONFIG_CONFIG='$work/comp.config' \
			kconfig-conf --defconfig=frag2 Config.in >kconf-comp.log 2>&1
		c='$work/comp.config'
		for s in $comp_pkgs_upper; do grep -qx \"BR2_PACKAGE_\$s=y\" \$c || exit 1; done &&
		grep -qx '# BR2_PACKAGE_MODUTILS_DEPMOD is not set' \$c && grep -qx BR2_STATIC_LIBS=y \$c"
	# README.md's i.MX6ULL example: every symbol it sets keeps its value once
	# Kconfig has applied the dependencies above (BR2_STATIC_LIBS=y with
	# Buildroot's default glibc is dropped by olddefconfig).
	sed -n "/^cat >> ..\/out\/.config <<'EOF'/,/^EOF/p" "$ext/README.md" | sed '1d;$d' >"$work/readme.frag"
	check "README example: its fragment sets the static build" grep -qx 'BR2_STATIC_LIBS=y' "$work/readme.frag"
	check "README example: every symbol it sets holds after Kconfig" bash -c "
		cd '$work' && CONFIG_= BR2_EXTERNAL_MODUTILS_PATH='$ext' KCONFIG_CONFIG='$work/readme.config' \
			kconfig-conf --defconfig=readme.frag Config.in >kconf-readme.log 2>&1
		grep '^BR2_[A-Z0-9_]*=' readme.frag | while read -r l; do
			grep -qx \"\$l\" readme.config || { echo \"not kept: \$l\"; exit 1; }
		done"
else
	echo "SKIP buildroot Kconfig: kconfig-conf not installed (apt-get install kconfig-frontends-nox)"
	printf 'BR2_PACKAGE_MODUTILS=y\nBR2_PACKAGE_MODUTILS_INSMOD=y\nBR2_PACKAGE_MODUTILS_RMMOD=y\nBR2_PACKAGE_MODUTILS_LSMOD=y\nBR2_PACKAGE_MODUTILS_MODINFO=y\nBR2_PACKAGE_MODUTILS_MODPROBE=y\nBR2_PACKAGE_MODUTILS_SYSLOG=y\n'"${comp_on}"'BR2_PACKAGE_HOST_MODUTILS=y\nBR2_PACKAGE_HOST_MODUTILS_DEPMOD_TARGET=y\nBR2_STATIC_LIBS=y\n' >"$work/comp.config"
fi

# ---- 3. modutils.mk under a stub Buildroot --------------------------------
staging=$work/staging
if ! sh "$src/scripts/mksysroot.sh" armhf "$staging" >"$work/staging.log" 2>&1; then
	echo "FAIL buildroot staging: scripts/mksysroot.sh armhf failed"; tail "$work/staging.log"
	failed=$((failed + 1))
fi
# Buildroot's host/bin/pkg-config wrapper points pkgconf at the staging dir.
mkdir -p "$work/host/bin"
cat >"$work/host/bin/pkg-config" <<EOF
#!/bin/sh
PKG_CONFIG_LIBDIR=\${PKG_CONFIG_LIBDIR:-$staging/usr/lib/arm-linux-gnueabihf/pkgconfig:$staging/usr/share/pkgconfig} \\
PKG_CONFIG_SYSROOT_DIR=\${PKG_CONFIG_SYSROOT_DIR:-$staging} exec pkgconf "\$@"
EOF
chmod +x "$work/host/bin/pkg-config"
cat >"$work/stub.mk" <<'EOF'
# A stub of what Buildroot gives a package .mk: enough to run its steps.
include $(BR2_CONFIG)
SED := sed -i -e
INSTALL := install
define sep


endef
TARGET_CROSS = arm-linux-gnueabihf-
TARGET_CC = $(TARGET_CROSS)gcc
TARGET_AR = $(TARGET_CROSS)ar
TARGET_STRIP = $(TARGET_CROSS)strip
# Buildroot's wrapper would add the CPU flags itself.
TARGET_CFLAGS = -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 -Os -mcpu=cortex-a7 -mthumb -mfpu=neon-vfpv4 -mfloat-abi=hard
TARGET_LDFLAGS = -mcpu=cortex-a7 -mthumb -mfpu=neon-vfpv4 -mfloat-abi=hard
TARGET_MAKE_ENV = PATH=$(PATH)
HOSTCC = gcc
HOSTAR = ar
HOST_CFLAGS = -O2 -I$(HOST_DIR)/include
HOST_LDFLAGS = -L$(HOST_DIR)/lib
HOST_MAKE_ENV = PATH=$(HOST_DIR)/bin:$(PATH) PKG_CONFIG_SYSROOT_DIR=/ PKG_CONFIG_LIBDIR=/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig
PKG_CONFIG_HOST_BINARY = $(HOST_DIR)/bin/pkg-config
TARGET_FINALIZE_HOOKS =
ROOTFS_PRE_CMD_HOOKS =
# As Buildroot's top-level Makefile: while a filesystem image is made
# (ROOTFS set for its rule), TARGET_DIR is that image's copy of the target.
TARGET_DIR = $(if $(ROOTFS),$(ROOTFS_$(ROOTFS)_TARGET_DIR),$(BASE_TARGET_DIR))
ROOTFS_STUB_DIR = $(BUILD_DIR)/buildroot-fs/stub
ROOTFS_STUB_TARGET_DIR = $(ROOTFS_STUB_DIR)/target
# A variable's text as a printf line, the way Buildroot's PRINTF writes the
# rootfs hooks into the fakeroot script: \ doubled, ' closed and reopened
# around an escaped one, % doubled, each newline as \n.
PERCENT := %
QUOTE := '
PRINTF = printf '$(subst $(sep),\n,$(subst $(PERCENT),$(PERCENT)$(PERCENT),$(subst $(QUOTE),$(QUOTE)\$(QUOTE)$(QUOTE),$(subst \,\\,$(1)))))\n'

# pkgdir/pkgname as Buildroot derives them from the .mk being read.
pkgdir = $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
pkgname = $(lastword $(subst /, ,$(pkgdir)))

# stub-pkg NAME VAR: rsync (local site), configure, build, install steps.
define stub-pkg
$(1)-rsync:
	mkdir -p $(BUILD_DIR)/$(1)
	rsync -a $$($(2)_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS) --exclude .git $$(MODUTILS_SITE)/ $(BUILD_DIR)/$(1)
$(1)-configure: $(BUILD_DIR)/$(1)/.stamp_configured
$(BUILD_DIR)/$(1)/.stamp_configured: $(1)-rsync
	$$($(2)_CONFIGURE_CMDS)
	touch $$@
$(1)-build: $(BUILD_DIR)/$(1)/.stamp_built
$(BUILD_DIR)/$(1)/.stamp_built: $(BUILD_DIR)/$(1)/.stamp_configured
	$$($(2)_BUILD_CMDS)
	touch $$@
$(1)-install: $(BUILD_DIR)/$(1)/.stamp_installed
$(BUILD_DIR)/$(1)/.stamp_installed: $(BUILD_DIR)/$(1)/.stamp_built
	$$($(2)_INSTALL_TARGET_CMDS)
	$$($(2)_INSTALL_CMDS)
	touch $$@
$(1)-show-depends:
	@echo $$($(2)_DEPENDENCIES)
ifeq ($$(BR2_PACKAGE_$(2)),y)
TARGET_FINALIZE_HOOKS += $$($(2)_TARGET_FINALIZE_HOOKS)
endif
endef
generic-package = $(call stub-pkg,$(pkgname),$(call UPPERCASE,$(pkgname)))
host-generic-package = $(call stub-pkg,host-$(pkgname),HOST_$(call UPPERCASE,$(pkgname)))
UPPERCASE = $(shell echo '$(1)' | tr a-z- A-Z_)

include $(BR2_EXTERNAL_MODUTILS_PATH)/external.mk

.PHONY: target-finalize rootfs-stub print-hooks
target-finalize:
	$(foreach h,$(TARGET_FINALIZE_HOOKS),$($(h))$(sep))

# fs/common.mk's steps for one image: a copy of the target, the
# pre-command hooks printed into a script and run (fakeroot left out).
rootfs-stub: ROOTFS=STUB
rootfs-stub:
	rm -rf $(ROOTFS_STUB_DIR) && mkdir -p $(ROOTFS_STUB_DIR)
	rsync -auH $(BASE_TARGET_DIR)/ $(TARGET_DIR)
	echo '#!/bin/sh' > $(ROOTFS_STUB_DIR)/fakeroot
	echo 'set -e' >> $(ROOTFS_STUB_DIR)/fakeroot
	$(foreach hook,$(ROOTFS_PRE_CMD_HOOKS),$(call PRINTF,$($(hook))) >> $(ROOTFS_STUB_DIR)/fakeroot$(sep))
	sh $(ROOTFS_STUB_DIR)/fakeroot

print-hooks:
	@echo "finalize: $(TARGET_FINALIZE_HOOKS)"
	@echo "rootfs: $(ROOTFS_PRE_CMD_HOOKS)"
EOF
cfg=$work/comp.config
[ -f "$cfg" ] || cfg=$work/def.config
mk() { # mk TARGET...: the stub, with the package options of $cfg
	make -f "$work/stub.mk" BR2_CONFIG="$cfg" BR2_EXTERNAL_MODUTILS_PATH="$ext" \
		BUILD_DIR="$work/build" BASE_TARGET_DIR="$work/target" HOST_DIR="$work/host" \
		STAGING_DIR="$staging" BR2_STATIC_LIBS=y "$@"
}
check "make -n: every step of modutils and host-modutils" \
	mk -n modutils-install host-modutils-install target-finalize
check "dependencies: busybox, ${comp_pkgs}host-pkgconf" bash -c "
	d=\$(make -s -f '$work/stub.mk' BR2_CONFIG='$cfg' BR2_EXTERNAL_MODUTILS_PATH='$ext' BUILD_DIR=x BASE_TARGET_DIR=x HOST_DIR=x STAGING_DIR=x BR2_PACKAGE_BUSYBOX=y modutils-show-depends)
	echo \"\$d\"; for p in busybox $comp_pkgs host-pkgconf; do case \" \$d \" in *\" \$p \"*) ;; *) exit 1 ;; esac; done"
check "target build and install (armhf, static, pkg-config from staging)" mk modutils-install
check "config written from the options (depmod off, compression on)" bash -c "
	c='$work/build/modutils/br-build/.config'
	grep -qx '# CONFIG_DEPMOD is not set' \$c && grep -qx CONFIG_INSMOD=y \$c && for s in $comp_syms; do grep -qx CONFIG_FEATURE_\$s=y \$c || exit 1; done &&
	[ \$(grep -c CONFIG_INSMOD \$c) = 1 ]"
check "installed: static ARM /sbin/modutils and the applet links" bash -c "
	t='$work/target'
	file \$t/sbin/modutils | grep -q 'ARM, EABI5.*statically linked' &&
	[ \"\$(readlink \$t/sbin/insmod)\" = modutils ] && [ \"\$(readlink \$t/sbin/modprobe)\" = modutils ] &&
	[ ! -e \$t/sbin/depmod ] &&
	qemu-arm-static \$t/sbin/modutils -V | grep -q '$(printf '+%s ' $comp_syms)' &&
	[ \"\$(qemu-arm-static \$t/sbin/modutils --list | tr '\\n' ' ')\" = 'insmod kmod lsmod modinfo modprobe rmmod ' ]"
check "the link took the libraries from pkg-config (no Debian sysroot fetched)" bash -c "
	! compgen -G '$work/build/modutils/br-build/sysroot-*' >/dev/null"
check "rsync left out build/ and bench/" bash -c "[ ! -e '$work/build/modutils/build' ] && [ ! -e '$work/build/modutils/bench' ]"
check "host rsync left out build/ and bench/ too" bash -c "
	make -s -f '$work/stub.mk' BR2_CONFIG='$cfg' BR2_EXTERNAL_MODUTILS_PATH='$ext' BUILD_DIR='$work/build' \
		BASE_TARGET_DIR='$work/target' HOST_DIR='$work/host' STAGING_DIR='$staging' host-modutils-rsync &&
	[ ! -e '$work/build/host-modutils/build' ] && [ ! -e '$work/build/host-modutils/bench' ]"
check "host build and install (\$(HOST_DIR)/bin/modutils)" mk host-modutils-install
check "host modutils has depmod" bash -c "'$work/host/bin/modutils' --list | grep -qx depmod"
check "the depmod hook is a rootfs pre-command hook, not a target-finalize one" bash -c "
	h=\$(make -s -f '$work/stub.mk' BR2_CONFIG='$cfg' BR2_EXTERNAL_MODUTILS_PATH='$ext' BUILD_DIR=x BASE_TARGET_DIR=x \
		HOST_DIR=x STAGING_DIR=x print-hooks) && echo \"\$h\" &&
	echo \"\$h\" | grep -qx 'rootfs: HOST_MODUTILS_RUN_DEPMOD' && echo \"\$h\" | grep -qE '^finalize: *$'"
check "modutils.hash: the license file's sha256" bash -c "
	cd '$ext/package/modutils' && grep -v '^#' modutils.hash | grep -q . &&
	grep -v '^#' modutils.hash | while read -r algo sum file; do
		[ \"\$algo\" = sha256 ] && [ \"\$file\" = LICENSE ] &&
		[ \"\$(sha256sum '$src'/LICENSE | cut -d' ' -f1)\" = \"\$sum\" ] || exit 1
	done"
# A target tree with real armmp modules, if the kernel test cached them.
kmods=$(ls -d "$src"/build/kernel-cache/*-armmp/root/lib/modules/*-armmp "$src"/build/compat-trees/armmp/lib/modules/*-armmp \
	2>/dev/null | head -n 1)
mkdir -p "$work/target/lib/modules"
if [ -n "$kmods" ]; then
	v=$(basename "$kmods")
	mkdir -p "$work/target/lib/modules/$v/kernel"
	(cd "$kmods" && cp -r --parents kernel/lib/crypto kernel/arch/arm/crypto kernel/crypto/async_tx "$work/target/lib/modules/$v/") 2>/dev/null
	# an out-of-tree module brought by an overlay or a post-build script:
	# in the target only after target-finalize
	check "target-finalize: no depmod of ours yet (the hook is for the images)" bash -c "
		cd '$work' && make -f stub.mk BR2_CONFIG='$cfg' BR2_EXTERNAL_MODUTILS_PATH='$ext' BUILD_DIR='$work/build' \
			BASE_TARGET_DIR='$work/target' HOST_DIR='$work/host' STAGING_DIR='$staging' target-finalize &&
		[ ! -e '$work/target/lib/modules/$v/modules.dep' ]"
	mkdir -p "$work/target/lib/modules/$v/extra"
	cp "$kmods/kernel/lib/crc-itu-t.ko" "$work/target/lib/modules/$v/extra/overlay_mod.ko" 2>/dev/null ||
		cp "$(find "$kmods/kernel" -name '*.ko' | head -n 1)" "$work/target/lib/modules/$v/extra/overlay_mod.ko"
	img=$work/build/buildroot-fs/stub/target/lib/modules/$v
	check "rootfs pre-command hook: modutils depmod over $v in the image's copy" bash -c "
		cd '$work' && make -f stub.mk BR2_CONFIG='$cfg' BR2_EXTERNAL_MODUTILS_PATH='$ext' BUILD_DIR='$work/build' \
			BASE_TARGET_DIR='$work/target' HOST_DIR='$work/host' STAGING_DIR='$staging' rootfs-stub &&
		grep -q '^kernel/lib/crypto/libcurve25519.ko: ' '$img/modules.dep' &&
		grep -q '^extra/overlay_mod.ko:' '$img/modules.dep' &&
		[ -s '$img/modules.dep.bin' ]"
	if command -v depmod >/dev/null; then
		check "its modules.dep equals kmod depmod's" bash -c "
			rm -rf '$work/kmodtree' && cp -r '$work/target' '$work/kmodtree' &&
			depmod -a -b '$work/kmodtree' '$v' &&
			diff '$work/kmodtree/lib/modules/$v/modules.dep' '$img/modules.dep'"
	fi
else
	echo "SKIP buildroot rootfs depmod: no armmp modules cached (run make check-kernel-arm or tests/compat/trees.sh first)"
fi
echo "buildroot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
