################################################################################
#
# modutils
#
################################################################################

# Built from the project tree this BR2_EXTERNAL lives in (scripts/buildroot).
# A local site is rsynced into the build directory: leave out the project's
# own build outputs (build/ can hold a multi-GB kernel cache) and VCS data.
MODUTILS_VERSION = local
MODUTILS_SITE = $(realpath $(BR2_EXTERNAL_MODUTILS_PATH)/../..)
MODUTILS_SITE_METHOD = local
MODUTILS_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--exclude /build --exclude /bench --exclude /out
MODUTILS_LICENSE = GPL-2.0+
MODUTILS_LICENSE_FILES = LICENSE

# Installed after BusyBox, so that its /sbin/insmod etc. links are replaced.
MODUTILS_DEPENDENCIES = $(if $(BR2_PACKAGE_BUSYBOX),busybox)

# The project's Kconfig symbols, set from the BR2_PACKAGE_MODUTILS_* options
# (a symbol the project does not know yet is ignored by its Makefile).
MODUTILS_APPLETS = INSMOD RMMOD LSMOD MODINFO MODPROBE DEPMOD KMOD
# The compression formats come from the project's scripts/compression.list:
# SYMBOL:PACKAGE (its columns 1 and 10) a format. BR2_PACKAGE_MODUTILS_SYMBOL
# (Config.in, which selects BR2_PACKAGE_<PACKAGE>) builds it in.
MODUTILS_COMPRESSION := $(shell sed -e '/^[[:space:]]*\#/d' -e '/^[[:space:]]*$$/d' \
	$(BR2_EXTERNAL_MODUTILS_PATH)/../compression.list | awk '{ print $$1 ":" $$10 }')
MODUTILS_COMPRESSION_SYMBOLS = $(foreach c,$(MODUTILS_COMPRESSION),$(firstword $(subst :, ,$(c))))
MODUTILS_COMPRESSION_PACKAGES = $(foreach c,$(MODUTILS_COMPRESSION),$(lastword $(subst :, ,$(c))))
MODUTILS_FEATURES = $(MODUTILS_COMPRESSION_SYMBOLS) SYSLOG

MODUTILS_COMPRESSION_ON = $(strip $(foreach c,$(MODUTILS_COMPRESSION),\
	$(if $(filter y,$(BR2_PACKAGE_MODUTILS_$(firstword $(subst :, ,$(c))))),$(lastword $(subst :, ,$(c))))))
MODUTILS_DEPENDENCIES += $(MODUTILS_COMPRESSION_ON)
ifneq ($(MODUTILS_COMPRESSION_ON),)
MODUTILS_DEPENDENCIES += host-pkgconf
endif

# Out of tree in the build directory. No -Werror (WARNFLAGS): a toolchain or
# optimisation level the project was not tried with (GCC at -O2 finds
# format-truncation cases -Os does not) must not stop an image build.
# Buildroot's toolchain wrapper already
# carries the -mcpu/-mfpu/-mfloat-abi of the configuration, so the project's
# own ARCH_CFLAGS default is cleared; TARGET_CFLAGS (after OPTFLAGS) brings
# Buildroot's optimisation level. The compression libraries come from
# pkg-config (Buildroot's wrapper knows the staging directory), SYSROOT is
# the fallback.
MODUTILS_MAKE_OPTS = \
	O=$(@D)/br-build \
	CROSS_COMPILE="$(TARGET_CROSS)" \
	CC="$(TARGET_CC)" \
	AR="$(TARGET_AR)" \
	STRIP="$(TARGET_STRIP)" \
	ARCH_CFLAGS= \
	WARNFLAGS="-Wall -Wextra" \
	CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS)" \
	PKG_CONFIG="$(PKG_CONFIG_HOST_BINARY)" \
	SYSROOT="$(STAGING_DIR)" \
	V=1

ifeq ($(BR2_STATIC_LIBS),y)
MODUTILS_MAKE_OPTS += STATIC=1
endif

MODUTILS_CONFIG = $(@D)/br-build/.config

# MODUTILS_SET_CONFIG FILE SYMBOL y|<empty>: one line for SYMBOL, replacing
# whatever the defconfig said. ('#' is written as \043 and matched as '.':
# make would take it for a comment.)
define MODUTILS_SET_CONFIG
	$(SED) '/^\(. \)\{0,1\}CONFIG_$(2)[= ]/d' $(1)
	$(if $(filter y,$(3)),echo 'CONFIG_$(2)=y',printf '\043 CONFIG_%s is not set\n' '$(2)') >> $(1)
endef

define MODUTILS_CONFIGURE_CMDS
	mkdir -p $(@D)/br-build
	cp $(@D)/configs/defconfig $(MODUTILS_CONFIG)
	$(foreach a,$(MODUTILS_APPLETS),\
		$(call MODUTILS_SET_CONFIG,$(MODUTILS_CONFIG),$(a),$(BR2_PACKAGE_MODUTILS_$(a)))$(sep))
	$(foreach f,$(MODUTILS_FEATURES),\
		$(call MODUTILS_SET_CONFIG,$(MODUTILS_CONFIG),FEATURE_$(f),$(BR2_PACKAGE_MODUTILS_$(f)))$(sep))
endef

define MODUTILS_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(MODUTILS_MAKE_OPTS)
endef

# /sbin/modutils and a link per applet, where kmod and BusyBox put them.
define MODUTILS_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(MODUTILS_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) PREFIX=/usr BINDIR=/sbin install
endef

# ---- host-modutils: depmod (and modinfo) for the build machine -------------
# (The host package inherits SITE and SITE_METHOD, not the exclusions.)
HOST_MODUTILS_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = $(MODUTILS_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS)
HOST_MODUTILS_DEPENDENCIES = $(addprefix host-,$(MODUTILS_COMPRESSION_PACKAGES)) host-pkgconf

HOST_MODUTILS_MAKE_OPTS = \
	O=$(@D)/br-build-host \
	CROSS_COMPILE= \
	CC="$(HOSTCC)" \
	AR="$(HOSTAR)" \
	WARNFLAGS="-Wall -Wextra" \
	CFLAGS="$(HOST_CFLAGS)" \
	LDFLAGS="$(HOST_LDFLAGS)" \
	PKG_CONFIG="$(PKG_CONFIG_HOST_BINARY)" \
	V=1

# Every applet, every decompressor: the project's defconfig.
define HOST_MODUTILS_CONFIGURE_CMDS
	mkdir -p $(@D)/br-build-host
	cp $(@D)/configs/defconfig $(@D)/br-build-host/.config
endef

define HOST_MODUTILS_BUILD_CMDS
	$(HOST_MAKE_ENV) $(MAKE) -C $(@D) $(HOST_MODUTILS_MAKE_OPTS)
endef

# $(HOST_DIR)/bin/modutils only: no insmod/depmod links, which would shadow
# host-kmod's $(HOST_DIR)/sbin/depmod that the linux package runs.
define HOST_MODUTILS_INSTALL_CMDS
	$(INSTALL) -D -m 0755 $(@D)/br-build-host/modutils $(HOST_DIR)/bin/modutils
endef

ifeq ($(BR2_PACKAGE_HOST_MODUTILS_DEPMOD_TARGET),y)
# This project's depmod over every kernel version of the image, as a rootfs
# pre-command hook: Buildroot copies the target folder for each filesystem
# image it makes (TARGET_DIR is that copy while the image is made), after
# target-finalize, the overlays (BR2_ROOTFS_OVERLAY) and the post-build
# scripts (BR2_ROOTFS_POST_BUILD_SCRIPT), and runs these hooks in the copy,
# under fakeroot, before the post-fakeroot scripts and the image command. A
# target-finalize hook would run before the overlays and post-build scripts
# and miss the modules they add. The hook is written into a shell script
# (fs/common.mk prints it with PRINTF), so it is plain shell.
define HOST_MODUTILS_RUN_DEPMOD
	for d in $(TARGET_DIR)/lib/modules/*/; do \
		[ -d "$$d" ] || continue; \
		v=$$(basename "$$d"); \
		echo ">>> modutils depmod -a -b $(TARGET_DIR) $$v"; \
		$(HOST_DIR)/bin/modutils depmod -a -b $(TARGET_DIR) $$v || exit 1; \
	done
endef
ROOTFS_PRE_CMD_HOOKS += HOST_MODUTILS_RUN_DEPMOD
endif

$(eval $(generic-package))
$(eval $(host-generic-package))
