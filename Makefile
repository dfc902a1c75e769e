# SPDX-License-Identifier: GPL-2.0-or-later
# modutils: one multicall binary for insmod, rmmod, lsmod and friends.
#
#   make [O=DIR] [V=1] [STATIC=1] [CROSS_COMPILE=arm-linux-gnueabihf-] [SYSROOT=DIR]
#   make defconfig | menuconfig | oldconfig | allnoconfig | allyesconfig
#   make install [DESTDIR=...] [PREFIX=/usr] [BINDIR=$(PREFIX)/sbin] [MANDIR=$(PREFIX)/share/man]
#   make man (regenerate man/*.[58] from man/*.scd with scdoc) | check-man
#   make check (generated files, unit, integration, armhf unit + real kernel)
#   make check-unit | check-integration | check-integration-static | check-arm
#   make check-kernel | check-kernel-trixie | check-kernel-arm | check-configs
#   make SANITIZE=1 O=build/asan check      (AddressSanitizer + UBSan)

srctree := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
# The binary cannot be ./modutils: that name is the applet source folder.
O ?= build
obj := $(abspath $(O))

ifeq ($(V),1)
Q :=
quiet = @:
else ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
Q := @
quiet = @:
else
Q := @
quiet = @printf '  %-8s %s\n'
endif

CROSS_COMPILE ?=
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
NM := $(CROSS_COMPILE)nm
endif
STRIP ?= $(CROSS_COMPILE)strip
SIZE ?= $(CROSS_COMPILE)size

KCONFIG_CONFIG := $(obj)/.config
-include $(KCONFIG_CONFIG)

# ---- flags -------------------------------------------------------------
OPTFLAGS ?= -Os
WARNFLAGS := -Wall -Wextra -Werror
# Cortex-A7 (i.MX6ULL): Thumb-2 is about a third smaller than ARM code.
ifneq ($(filter arm-%gnueabihf-,$(CROSS_COMPILE)),)
ARCH_CFLAGS ?= -mcpu=cortex-a7 -mthumb -mfpu=neon-vfpv4 -mfloat-abi=hard
endif
ifeq ($(SANITIZE),1)
OPTFLAGS := -O1 -g -fno-omit-frame-pointer
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
endif
ifeq ($(DEBUG),1)
OPTFLAGS += -g
endif

MU_CFLAGS := -std=gnu11 $(OPTFLAGS) $(WARNFLAGS) $(ARCH_CFLAGS) $(SAN_FLAGS) \
	-ffunction-sections -fdata-sections -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
	-I$(obj)/generated -I$(srctree)/include $(CPPFLAGS) $(CFLAGS)
MU_LDFLAGS := $(ARCH_CFLAGS) $(SAN_FLAGS) -Wl,--gc-sections $(LDFLAGS)
ifeq ($(STATIC),1)
# A static executable is not position independent: PIE code (the default
# of Debian's compilers) only adds GOT loads to it (about 5% more text).
MU_CFLAGS += -fno-pie
MU_LDFLAGS += -static -no-pie
endif

# ---- compression formats: scripts/compression.list ------------------------
# A word per format, its columns joined by ':' (the list's header says what
# each is); COMP_ON: those the .config builds in.
COMP_LIST := $(srctree)/scripts/compression.list
COMP_ROWS := $(shell sed -e '/^[[:space:]]*\#/d' -e 's/[[:space:]]*$$//' -e '/^$$/d' \
	-e 's/[[:space:]][[:space:]]*/:/g' $(COMP_LIST))
comp_col = $(filter-out -,$(foreach r,$(1),$(word $(2),$(subst :, ,$(r)))))
COMP_ON := $(strip $(foreach r,$(COMP_ROWS),$(if $(filter y,$(CONFIG_FEATURE_$(call comp_col,$(r),1))),$(r))))
# The libraries of every format, built in or not (the fake kernel of the
# tests decompresses them all).
COMP_ALL_LIBS := $(call comp_col,$(COMP_ROWS),3)
comma := ,

LIBS-y += $(call comp_col,$(COMP_ON),3)
# Static liblzma/libzstd may use threads.
ifeq ($(STATIC),1)
LIBS-y += $(call comp_col,$(COMP_ON),4)
endif
MU_LIBS := $(sort $(LIBS-y)) $(LDLIBS)

# ---- cross builds: compression libraries for the target ------------------
# In this order:
# 1. PKG_CONFIG (Buildroot passes its host/bin/pkg-config wrapper, which
#    knows the staging directory; PKG_CONFIG_SYSROOT_DIR, PKG_CONFIG_LIBDIR
#    and PKG_CONFIG_PATH are passed on to it from make's command line or the
#    environment): when it knows zlib/liblzma/libzstd, its --cflags and
#    --libs (--static with STATIC=1) are used.
# 2. SYSROOT=DIR (headers in DIR/usr/include, libraries in DIR/usr/lib[/TRIPLET]);
#    PKG_CONFIG_SYSROOT_DIR stands in for it when only that is given (and
#    is not /, as Buildroot sets it for host packages).
# 3. A toolchain that finds the libraries itself.
# 4. Otherwise a Debian sysroot with zlib/liblzma/libzstd (and cmocka, for
#    the unit tests) is fetched into $(O)/sysroot-ARCH by scripts/mksysroot.sh.
# The stamp of a fetched sysroot names the script's checksum: a changed
# package list or fix-up in scripts/mksysroot.sh fetches it again.
# The package lists come from scripts/compression.list: it is summed too.
SYSROOT_SCRIPT_SUM = $(firstword $(shell cat $(srctree)/scripts/mksysroot.sh $(COMP_LIST) | cksum))
PC_MODULES-y += $(call comp_col,$(COMP_ON),5)
ifneq ($(and $(PKG_CONFIG),$(PC_MODULES-y)),)
PC_ENV := $(foreach v,PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR PKG_CONFIG_PATH,$(if $($(v)),$(v)='$($(v))'))
PC_CFLAGS := $(shell $(PC_ENV) $(PKG_CONFIG) --cflags $(PC_MODULES-y) 2>/dev/null && echo PC_OK)
PC_LIBS := $(shell $(PC_ENV) $(PKG_CONFIG) $(if $(filter 1,$(STATIC)),--static) --libs $(PC_MODULES-y) 2>/dev/null && echo PC_OK)
ifneq ($(and $(filter PC_OK,$(PC_CFLAGS)),$(filter PC_OK,$(PC_LIBS))),)
PC_FOUND := y
MU_CFLAGS += $(filter-out PC_OK,$(PC_CFLAGS))
MU_LIBS := $(filter-out PC_OK,$(PC_LIBS)) $(LDLIBS)
endif
endif
ifeq ($(SYSROOT),)
SYSROOT := $(filter-out /,$(PKG_CONFIG_SYSROOT_DIR))
endif
STATIC_LIBS ?= source
# musl-gcc, Debian's wrapper (musl-tools), searches only musl's headers and
# libraries: `make CC=musl-gcc STATIC=1` builds the libraries from source
# with it (below); a dynamic build or STATIC_LIBS=host gets the host's
# static zlib, liblzma and libzstd (built against glibc, but what the
# decompressors use of them calls nothing glibc-only) through
# $(O)/sysroot-musl-host, links to just those headers and archives.
ifeq ($(notdir $(firstword $(CC))),musl-gcc)
ifeq ($(SYSROOT)$(PC_FOUND),)
ifneq ($(STATIC)$(STATIC_LIBS)$(CROSS_COMPILE),1source)
ifneq ($(COMP_ON),)
DEB_ARCH := musl-host
SYSROOT := $(obj)/sysroot-musl-host
AUTO_SYSROOT := $(SYSROOT)/.complete-$(SYSROOT_SCRIPT_SUM)
endif
endif
endif
endif
# A native static build (glibc or musl-gcc) links the compression libraries of Debian 13
# ("trixie"), built from its source packages into $(O)/sysroot-libs by
# scripts/mksysroot.sh --build-libs: liblzma 5.8 decodes Debian 13's .ko.xz
# modules with 14% fewer instructions than Debian 12's 5.4 (modinfo of
# btrfs.ko.xz under callgrind: 244.6 M against 285.4 M),
# and Debian 13's static archives may need a newer glibc than the build
# machine's. STATIC_LIBS=host links the build machine's own archives.
ifeq ($(STATIC)$(STATIC_LIBS)$(CROSS_COMPILE)$(SYSROOT)$(PC_FOUND),1source)
ifneq ($(COMP_ON),)
DEB_ARCH := --build-libs
SYSROOT := $(obj)/sysroot-libs
AUTO_SYSROOT := $(SYSROOT)/.complete-$(SYSROOT_SCRIPT_SUM)
AUTO_SYSROOT_ARGS := $(firstword $(CC)) -O2 -ffunction-sections -fdata-sections
AUTO_SYSROOT_ENV := MKSYSROOT_SUITE=trixie
endif
endif
ifneq ($(CROSS_COMPILE),)
ifeq ($(SYSROOT)$(PC_FOUND),)
ifneq ($(COMP_ON),)
CC_FINDS_LIBS := $(shell printf '$(foreach r,$(COMP_ROWS),\#include <$(firstword $(subst $(comma), ,$(call comp_col,$(r),6)))>\n)int main(void){return 0;}\n' | \
	$(CC) -x c - -o /dev/null $(MU_LIBS) >/dev/null 2>&1 && echo y)
ifneq ($(CC_FINDS_LIBS),y)
TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)
DEB_ARCH := $(strip $(if $(filter arm-%-gnueabihf,$(TRIPLET)),armhf,\
	$(if $(filter aarch64-%,$(TRIPLET)),arm64,\
	$(if $(filter arm-%-gnueabi,$(TRIPLET)),armel,))))
ifeq ($(DEB_ARCH),)
$(error no SYSROOT given and no Debian architecture known for $(CC) ($(TRIPLET)): pass SYSROOT=DIR with the compression libraries ($(call comp_col,$(COMP_ROWS),5)), or disable their options ($(addprefix FEATURE_,$(call comp_col,$(COMP_ROWS),1))))
endif
SYSROOT := $(obj)/sysroot-$(DEB_ARCH)
AUTO_SYSROOT := $(SYSROOT)/.complete-$(SYSROOT_SCRIPT_SUM)
endif
endif
endif
endif
# A static cross build on a fetched Debian sysroot (kept for cmocka, which the
# unit tests under qemu-user need) links the same libraries built from
# Debian 13's sources with the cross compiler, found first: the board decodes
# with liblzma 5.8 too, and libzstd comes without the legacy v0.5-v0.7
# decoders Debian's archive carries (53 KiB of an armhf binary).
ifeq ($(STATIC)$(STATIC_LIBS),1source)
ifneq ($(filter armhf armel arm64,$(DEB_ARCH)),)
LIBSRC := $(obj)/sysroot-libs
AUTO_LIBSRC := $(LIBSRC)/.complete-$(SYSROOT_SCRIPT_SUM)
MU_CFLAGS += -isystem $(LIBSRC)/usr/include
MU_LDFLAGS += -L$(LIBSRC)/usr/lib
endif
endif
ifneq ($(SYSROOT),)
TRIPLET ?= $(shell $(CC) -dumpmachine 2>/dev/null)
SYSROOT_CFLAGS := -isystem $(SYSROOT)/usr/include
SYSROOT_LDFLAGS := -L$(SYSROOT)/usr/lib/$(TRIPLET) -L$(SYSROOT)/lib/$(TRIPLET) -L$(SYSROOT)/usr/lib
# Where a dynamic test binary finds the sysroot's shared libraries at run time.
SYSROOT_LIBPATH := $(SYSROOT)/usr/lib/$(TRIPLET):$(SYSROOT)/lib/$(TRIPLET)
MU_CFLAGS += $(SYSROOT_CFLAGS)
MU_LDFLAGS += $(SYSROOT_LDFLAGS)
endif

# ---- sources -----------------------------------------------------------
# An applet modutils/NAME.c is built when CONFIG_<NAME> is y.
upper = $(shell echo '$(1)' | tr a-z A-Z)
ALL_APPLET_SRCS := $(sort $(wildcard $(srctree)/modutils/*.c))
APPLET_SRCS := $(foreach f,$(ALL_APPLET_SRCS),\
	$(if $(filter y,$(CONFIG_$(call upper,$(basename $(notdir $(f)))))),$(f)))
APPLETS := $(basename $(notdir $(APPLET_SRCS)))

# libbb's layers, each using only those above it in this list (README,
# Layout; tests/boundary.sh checks the includes):
LIBBB_BASE := msg confline confdir fileopen xarray outbuf wbuf runheap
LIBBB_MATCH := cclass glob_match ere
LIBBB_KERNEL := kernel context
LIBBB_MODFILE := modfile decompress modelf modsig modname modparts
LIBBB_INDEX := modindex modindex_write
LIBBB_PROBE := modconf modlookup devnodes modinfo loaddiag modparams modload probe remove
# depmod's library (include/depmod.h; its internal headers are beside it).
LIBBB_DEPMOD := run conf walk order symbols readahead outputs stab moddeps dirswap cache
LIBBB-y := $(addprefix base/,$(LIBBB_BASE)) $(addprefix match/,$(LIBBB_MATCH))
LIBBB-y += $(addprefix kernel/,$(LIBBB_KERNEL)) $(addprefix modfile/,$(LIBBB_MODFILE))
LIBBB-y += $(addprefix index/,$(LIBBB_INDEX)) $(addprefix probe/,$(LIBBB_PROBE))
LIBBB-y += $(addprefix depmod/,$(LIBBB_DEPMOD))
# A format's decompressor, libbb/modfile/decompress_<name>.c, when built in.
LIBBB-y += $(patsubst %,modfile/decompress_%,$(call comp_col,$(COMP_ON),2))
# xz's large modules read in parts (depmod).
LIBBB-$(CONFIG_FEATURE_XZ) += modfile/xzparts

LIBBB_OBJS := $(patsubst %,$(obj)/obj/libbb/%.o,$(LIBBB-y))
APPLET_OBJS := $(patsubst $(srctree)/%.c,$(obj)/obj/%.o,$(APPLET_SRCS))
MAIN_OBJ := $(obj)/obj/applets/applets.o
# A static build without the sanitizers: malloc and co. of the single-threaded
# applets from the run heap (include/runheap.h), through the linker's --wrap.
WRAP_FLAGS := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
ifeq ($(STATIC),1)
ifneq ($(SANITIZE),1)
ifeq ($(findstring -fsanitize,$(CFLAGS) $(LDFLAGS)),)
MAIN_OBJ += $(obj)/obj/applets/malloc_wrap.o
WRAP_LDFLAGS := $(WRAP_FLAGS)
endif
endif
endif
GEN_HDRS := $(obj)/generated/autoconf.h $(obj)/generated/applet_table.h

.PHONY: all clean distclean install install-strip defconfig menuconfig oldconfig need-kconfig \
	allnoconfig allyesconfig savedefconfig check check-unit check-integration check-integration-static check-arm \
	check-kernel check-kernel-trixie check-kernel-arm check-configs check-generated size size-report fuzz fuzz-build check-fuzz-regressions FORCE \
	man install-man check-man
.DELETE_ON_ERROR:

all: $(obj)/modutils

$(obj)/modutils: $(MAIN_OBJ) $(APPLET_OBJS) $(obj)/libbb.a
	$(quiet) LINK $@
	$(Q)$(CC) $(MU_LDFLAGS) $(WRAP_LDFLAGS) -o $@ $(MAIN_OBJ) $(APPLET_OBJS) $(obj)/libbb.a $(MU_LIBS)

$(obj)/libbb.a: $(LIBBB_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(obj)/obj/%.o: $(srctree)/%.c $(GEN_HDRS) | $(AUTO_SYSROOT) $(AUTO_LIBSRC)
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(MU_CFLAGS) -MMD -MP -c -o $@ $<

-include $(wildcard $(obj)/obj/*/*.d $(obj)/obj/*/*/*.d)

# ---- configuration -----------------------------------------------------
KCONF := $(shell command -v kconfig-conf 2>/dev/null)
KMCONF := $(shell command -v kconfig-mconf 2>/dev/null)
kconf = cd $(srctree) && KCONFIG_CONFIG=$(KCONFIG_CONFIG) $(1) Config.in

# No Kconfig tool needed for a default build: the defconfig is complete.
# An existing .config gets the defaults of symbols added since it was made.
$(KCONFIG_CONFIG): $(srctree)/configs/defconfig $(srctree)/scripts/merge-config.sh
	$(Q)mkdir -p $(obj)
	$(Q)if [ -f $@ ]; then sh $(srctree)/scripts/merge-config.sh $< $@ && touch $@; else cp $< $@; fi

$(obj)/generated/autoconf.h: $(KCONFIG_CONFIG) $(srctree)/scripts/mkautoconf.sh
	$(quiet) GEN $@
	$(Q)mkdir -p $(dir $@)
	$(Q)sh $(srctree)/scripts/mkautoconf.sh $< > $@.tmp && mv $@.tmp $@

$(obj)/generated/applet_table.h: $(KCONFIG_CONFIG) $(APPLET_SRCS) $(srctree)/scripts/gen-applets.sh
	$(quiet) GEN $@
	$(Q)mkdir -p $(dir $@)
	$(Q)sh $(srctree)/scripts/gen-applets.sh $(APPLET_SRCS) > $@.tmp && mv $@.tmp $@

defconfig:
	$(Q)mkdir -p $(obj)
ifneq ($(KCONF),)
	$(Q)$(call kconf,$(KCONF) --defconfig=configs/defconfig)
else
	$(Q)cp $(srctree)/configs/defconfig $(KCONFIG_CONFIG)
endif

oldconfig allnoconfig allyesconfig: need-kconfig
	$(Q)mkdir -p $(obj)
	$(Q)$(call kconf,$(KCONF) --$@)

# The minimal defconfig of the current .config, into $(O)/defconfig.
savedefconfig: need-kconfig $(KCONFIG_CONFIG)
	$(Q)$(call kconf,$(KCONF) --savedefconfig=$(obj)/defconfig)
	$(Q)echo "wrote $(obj)/defconfig"

menuconfig: need-kconfig
	$(Q)mkdir -p $(obj)
	$(Q)$(call kconf,$(KMCONF))

need-kconfig:
	$(Q)[ -n "$(KCONF)" ] || { echo "kconfig-conf not found: apt-get install kconfig-frontends-nox" >&2; exit 1; }

$(AUTO_SYSROOT):
	$(quiet) SYSROOT $(SYSROOT)
	$(Q)$(AUTO_SYSROOT_ENV) sh $(srctree)/scripts/mksysroot.sh $(DEB_ARCH) $(SYSROOT) $(AUTO_SYSROOT_ARGS)
	$(Q)touch $@

$(AUTO_LIBSRC): | $(AUTO_SYSROOT)
	$(quiet) SYSROOT $(LIBSRC)
	$(Q)MKSYSROOT_SUITE=trixie sh $(srctree)/scripts/mksysroot.sh --build-libs $(LIBSRC) $(firstword $(CC)) \
		-O2 -ffunction-sections -fdata-sections $(ARCH_CFLAGS)
	$(Q)touch $@

# ---- install -----------------------------------------------------------
PREFIX ?= /usr
BINDIR ?= $(PREFIX)/sbin
install: $(obj)/modutils install-man
	$(Q)install -d $(DESTDIR)$(BINDIR)
	$(Q)install -m 0755 $(obj)/modutils $(DESTDIR)$(BINDIR)/modutils
	$(Q)for a in $(APPLETS); do ln -sf modutils $(DESTDIR)$(BINDIR)/$$a; done

# ---- manual pages ------------------------------------------------------
# man/NAME.SECTION.scd (scdoc) is the source of man/NAME.SECTION; the roff
# pages are committed, so that installing needs no scdoc. `make man`
# regenerates them (MANOUT=DIR writes them elsewhere: tests/man.sh compares).
# MAN_DATE is the date in the pages' footer: set it when a page changes.
SCDOC ?= scdoc
MAN_DATE := 2026-12-06
MANOUT ?= $(srctree)/man
MANDIR ?= $(PREFIX)/share/man
MAN_SRCS := $(sort $(wildcard $(srctree)/man/*.scd))
# A page per applet built; the file pages go with the applets that read them.
MAN8 := $(filter $(addsuffix .8,$(APPLETS)),$(notdir $(MAN_SRCS:.scd=)))
MAN5-$(CONFIG_MODPROBE) += modprobe.d.5 modules.dep.5
MAN5-$(CONFIG_DEPMOD) += depmod.d.5 modules.dep.5
MAN5-$(CONFIG_MODINFO) += modules.dep.5
MAN5-$(CONFIG_KMOD) += modules.dep.5
MAN5 := $(sort $(MAN5-y))

man:
	$(Q)command -v $(SCDOC) >/dev/null || { echo "$(SCDOC) not found: apt-get install scdoc" >&2; exit 1; }
	$(Q)mkdir -p $(MANOUT)
	$(Q)for f in $(MAN_SRCS); do \
		p=$$(basename $$f .scd); \
		SOURCE_DATE_EPOCH=$$(date -u -d '$(MAN_DATE)' +%s) $(SCDOC) < $$f > $(MANOUT)/$$p.tmp && \
			mv $(MANOUT)/$$p.tmp $(MANOUT)/$$p || { echo "make man: scdoc failed on $$f" >&2; rm -f $(MANOUT)/$$p.tmp; exit 1; }; \
	done

install-man:
	$(Q)for p in $(MAN8); do install -D -m 0644 $(srctree)/man/$$p $(DESTDIR)$(MANDIR)/man8/$$p; done
	$(Q)for p in $(MAN5); do install -D -m 0644 $(srctree)/man/$$p $(DESTDIR)$(MANDIR)/man5/$$p; done

check-man: $(obj)/modutils
	$(Q)bash $(srctree)/tests/man.sh $(obj)/modutils

install-strip: install
	$(Q)$(STRIP) $(DESTDIR)$(BINDIR)/modutils

# ---- tests -------------------------------------------------------------
# The test of a decompressor (and of xzparts) is built only when its format
# is on; the others skip what needs a format that is off, each test on its
# own, and make their compressed data with the libraries' encoders whatever
# the configuration: they link all three (as the fake kernel does).
UNIT_OFF := $(if $(filter y,$(CONFIG_FEATURE_GZIP)),,test_decompress_gzip) \
	$(if $(filter y,$(CONFIG_FEATURE_XZ)),,test_decompress_xz test_xzparts) \
	$(if $(filter y,$(CONFIG_FEATURE_ZSTD)),,test_decompress_zstd)
UNIT_TESTS := $(filter-out $(UNIT_OFF),\
	$(patsubst $(srctree)/tests/unit/%.c,%,$(wildcard $(srctree)/tests/unit/test_*.c)))
UNIT_BINS := $(patsubst %,$(obj)/tests/unit/%,$(UNIT_TESTS))
# Unit tests run on the build host, or under qemu-user for a cross build:
# qemu-arm-static (qemu-aarch64-static) with the cross libc's loader from
# /usr/TRIPLET (Debian's libc6-*-cross) and the sysroot's shared libraries.
ifneq ($(CROSS_COMPILE),)
TRIPLET ?= $(shell $(CC) -dumpmachine 2>/dev/null)
QEMU_USER := $(if $(filter arm-%,$(TRIPLET)),qemu-arm-static,$(if $(filter aarch64-%,$(TRIPLET)),qemu-aarch64-static))
ifneq ($(QEMU_USER),)
TEST_RUNNER ?= env QEMU_LD_PREFIX=/usr/$(TRIPLET) $(if $(SYSROOT_LIBPATH),LD_LIBRARY_PATH=$(SYSROOT_LIBPATH)) $(QEMU_USER)
endif
endif
TEST_RUNNER ?=
# Debian has no static libcmocka: the unit tests are linked dynamically
# even in a STATIC=1 build.
UNIT_LDFLAGS := $(filter-out -static,$(MU_LDFLAGS))
UNIT_LIBS := $(MU_LIBS) $(filter-out $(MU_LIBS),-lz -llzma -lzstd)

$(obj)/tests/unit/%: $(srctree)/tests/unit/%.c $(obj)/libbb.a $(GEN_HDRS)
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(MU_CFLAGS) -I$(srctree)/libbb/depmod -Wno-unused-parameter -DTEST_DATA=\"$(srctree)/tests/unit/data\" $(UNIT_LDFLAGS) -o $@ $< $(UNIT_EXTRA) $(obj)/libbb.a -lcmocka $(UNIT_LIBS)

# The malloc routing of static builds (applets/malloc_wrap.c), tested in
# any build: the test's own calls are routed.
$(obj)/tests/unit/test_malloc_wrap: UNIT_EXTRA = $(obj)/obj/applets/malloc_wrap.o $(WRAP_FLAGS)
$(obj)/tests/unit/test_malloc_wrap: $(obj)/obj/applets/malloc_wrap.o

# The fake kernel of the integration tests; test_kernel runs under it.
FAKEKERNEL := $(obj)/tests/libfakekernel.so
$(FAKEKERNEL): $(srctree)/tests/preload/fakekernel.c | $(AUTO_SYSROOT)
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -shared -fPIC -O1 -g -Wall -Wextra -Werror $(ARCH_CFLAGS) $(SYSROOT_CFLAGS) -o $@ $< \
		$(SYSROOT_LDFLAGS) -ldl $(COMP_ALL_LIBS)

check-unit: $(UNIT_BINS) $(FAKEKERNEL)
	$(Q)for t in $(strip $(UNIT_OFF)); do echo "SKIP $$t: needs a compression format that is off in this configuration (not built)"; done
	$(Q)FAKEKERNEL_LIB=$(FAKEKERNEL) sh $(srctree)/tests/unit/run.sh "$(TEST_RUNNER)" $(UNIT_BINS)

check-integration: $(obj)/modutils
	$(Q)bash $(srctree)/tests/integration/run.sh $(obj)/modutils

# A static binary cannot take LD_PRELOAD: for it (STATIC=1, glibc or musl)
# the fake kernel is linked in. Every call it intercepts and the binary
# makes is bound to it with -Wl,--wrap=NAME (NAME: what the fake calls on
# as __real_NAME), so the same objects as $(obj)/modutils run the cases.
FAKE_STATIC_OBJ := $(obj)/tests/fakekernel-static.o
$(FAKE_STATIC_OBJ): $(srctree)/tests/preload/fakekernel.c | $(AUTO_SYSROOT)
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -DFK_STATIC -std=gnu11 -O1 -g -Wall -Wextra -Werror $(ARCH_CFLAGS) $(SYSROOT_CFLAGS) \
		$(filter -fno-pie,$(MU_CFLAGS)) -ffunction-sections -fdata-sections -c -o $@ $<

$(obj)/modutils-fake: $(MAIN_OBJ) $(APPLET_OBJS) $(obj)/libbb.a $(FAKE_STATIC_OBJ)
	$(quiet) LINK $@
	$(Q)$(CC) $(MU_LDFLAGS) $(WRAP_LDFLAGS) -o $@ $(FAKE_STATIC_OBJ) $(MAIN_OBJ) $(APPLET_OBJS) $(obj)/libbb.a \
		$(sort $(MU_LIBS) $(COMP_ALL_LIBS)) \
		$$($(NM) -u $(FAKE_STATIC_OBJ) | sed -n 's/.* U __real_/-Wl,--wrap=/p' | sort -u)

check-integration-static: $(obj)/modutils-fake
	$(Q)file $(obj)/modutils-fake | grep -q 'statically linked' || \
		{ echo "check-integration-static needs a static build: make STATIC=1 O=..." >&2; exit 1; }
	$(Q)LINKED_FAKE=1 CC=cc LIBC=$(if $(filter musl-gcc,$(notdir $(firstword $(CC)))),musl,glibc) \
		bash $(srctree)/tests/integration/run.sh $(obj)/modutils-fake

check-generated:
	$(Q)sh $(srctree)/scripts/gen-config.sh $(srctree) --check

check-configs:
	$(Q)bash $(srctree)/tests/configs.sh

# make check also tests the static armhf build: its unit tests under
# qemu-arm-static and the real-kernel test on Debian's armmp kernel.
check: check-generated check-unit check-integration check-arm

ARM_MAKE = $(MAKE) -C $(srctree) O=$(abspath $(ARM_O)) CROSS_COMPILE=arm-linux-gnueabihf- \
	CC=arm-linux-gnueabihf-gcc STATIC=1 SANITIZE=
check-arm:
	$(Q)$(ARM_MAKE) check-unit
	$(Q)$(MAKE) -C $(srctree) check-kernel-arm

check-kernel: $(obj)/modutils
	$(Q)file $(obj)/modutils | grep -q 'statically linked' || \
		{ echo "check-kernel needs a static binary: make STATIC=1 O=..." >&2; exit 1; }
	$(Q)bash $(srctree)/tests/kernel/run.sh --binary $(obj)/modutils

# Debian 13's amd64 kernel (6.12, .ko.xz decompressed by the kernel) with
# its whole module tree, QEMU's devices coldplugged, and kmod 34.2 beside
# ours in the guest (fetched into KMOD34_DIR by tests/compat/kmod34.sh).
KMOD34_DIR ?= $(srctree)/build/kmod34
check-kernel-trixie: $(obj)/modutils
	$(Q)file $(obj)/modutils | grep -q 'statically linked' || \
		{ echo "check-kernel-trixie needs a static binary: make STATIC=1 O=..." >&2; exit 1; }
	$(Q)bash $(srctree)/tests/kernel/trixie.sh --binary $(obj)/modutils --kmod34 $(abspath $(KMOD34_DIR))

# The same on Debian's armmp kernel in qemu-system-arm, with the static
# armhf binary of O=build/arm (ARM_O=DIR to change it).
ARM_O ?= $(srctree)/build/arm
check-kernel-arm:
	$(Q)$(ARM_MAKE)
	$(Q)bash $(srctree)/tests/kernel/run.sh --arch armhf --binary $(abspath $(ARM_O))/modutils

# The static armhf binary in several configurations, glibc and musl, with
# BusyBox for scale (scripts/size-report.sh; bench/size/README.md is made with
# its -o). Builds under $(O)/size.
size-report:
	$(Q)SIZE_OUT=$(obj)/size bash $(srctree)/scripts/size-report.sh -o $(obj)/size/README.md

# ---- fuzzing: libFuzzer targets of tests/fuzz/, clang with ASan + UBSan --
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_TARGETS := $(patsubst $(srctree)/tests/fuzz/%.c,%,$(wildcard $(srctree)/tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst %,$(obj)/fuzz/%,$(FUZZ_TARGETS))
FUZZ_LIBBB := $(patsubst %,$(srctree)/libbb/%.c,$(LIBBB-y))

.SECONDEXPANSION:
$(obj)/fuzz/%: $(srctree)/tests/fuzz/%.c $(FUZZ_LIBBB) $(GEN_HDRS)
	$(quiet) FUZZ $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) -std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -D_GNU_SOURCE -DTEST_DATA=\"$(srctree)/tests/unit/data\" \
		-I$(obj)/generated -I$(srctree)/include -I$(srctree)/libbb/depmod \
		-o $@ $< $(FUZZ_LIBBB) $(sort $(LIBS-y))

fuzz-build: $(FUZZ_BINS)

# Every input a fuzzer once crashed on (or spent minutes on), replayed
# (libFuzzer runs files given as arguments once each; one over 60 seconds
# fails as a timeout).
check-fuzz-regressions: $(FUZZ_BINS)
	$(Q)n=0; for t in $(FUZZ_TARGETS); do \
		d=$(srctree)/tests/fuzz/regressions/$$t; [ -d $$d ] || continue; \
		for f in $$d/*; do \
			$(obj)/fuzz/$$t -timeout=60 $$f >/dev/null 2>&1 || { echo "FAIL fuzz regression $$t $${f##*/}"; exit 1; }; \
			echo "PASS fuzz regression $$t $${f##*/}"; n=$$((n + 1)); \
		done; \
	done; echo "fuzz-regressions: $$n passed, 0 failed"

# make fuzz [FUZZ_TIME=seconds per target] [FUZZ_TARGETS=fuzz_modelf ...]
fuzz: $(FUZZ_BINS)
	$(Q)bash $(srctree)/tests/fuzz/run.sh $(obj)/fuzz $(FUZZ_TIME) $(FUZZ_TARGETS)

size: $(obj)/modutils
	$(Q)$(SIZE) $<
	$(Q)$(STRIP) -o $<.stripped $< && ls -l $<.stripped | awk '{print "stripped: " $$5 " bytes"}'

clean:
	$(Q)rm -rf $(obj)/obj $(obj)/generated $(obj)/tests $(obj)/libbb.a $(obj)/modutils $(obj)/modutils.stripped

distclean: clean
	$(Q)rm -f $(KCONFIG_CONFIG) $(KCONFIG_CONFIG).old
