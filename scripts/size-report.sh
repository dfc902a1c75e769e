#!/bin/bash
# Size of the static armhf binary (Cortex-A7, Thumb-2, -Os) in the
# configurations that matter for an embedded root filesystem.
#
# usage: scripts/size-report.sh [-o FILE] [--no-musl] [--no-busybox]
#   -o FILE       also write the report (Markdown) to FILE,
#                 e.g. bench/size/README.md
#   --no-musl     only glibc (default: musl too, when it can be set up)
#   --no-busybox  no BusyBox rows (Debian's busybox-static:armhf, and
#                 modules-only BusyBox builds from Debian's source package)
#
# Builds, each in build/size/LIBC-NAME with a .config written here:
#   all-nocomp          every applet, no compression (syslog on)
#   all-gzip-xz-zstd    every applet, gzip + xz + zstd
#   all-gzip, all-xz, all-zstd
#                       every applet with one decompressor (what each costs)
#   insmod-rmmod-lsmod  only those three applets, no compression
# and prints for each: size(1) text/data/bss, the stripped file size, and
# the project's own code: the text of its objects summed (size(1) of the
# .o files, before --gc-sections) and the text the link kept of them (from
# the linker map), both without libc and the compression libraries.
#
# glibc: arm-linux-gnueabihf-gcc with the Debian sysroot of
# scripts/mksysroot.sh (Debian's static armhf zlib/liblzma/libzstd).
# glibc/src: the three libraries built from Debian's source packages with
# the binary's flags, zstd without its legacy formats (as Buildroot does):
# scripts/mksysroot.sh --build-libs. musl: Debian's musl-dev:armhf
# (unpacked, not installed) through its musl-gcc.specs, with Debian's
# archives, and (musl/src) with the libraries built from source for musl.
#
# Exits 1 when a size target is missed (glibc, all applets, Thumb-2 -Os):
#   all-nocomp        stripped < 481,896 bytes, own object text < 40 KiB
#   all-gzip-xz-zstd  stripped < 624,000 bytes, with the libraries built
#                     -Os from source (glibc/src); the row with Debian's
#                     -O2 archives (zstd with legacy formats) is shown
#                     against it for information only
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
cross=arm-linux-gnueabihf-
out=${SIZE_OUT:-$src/build/size}
report=
musl=1
busybox=1
while [ $# -gt 0 ]; do
	case $1 in
	-o) report=${2:?-o needs a FILE}; shift 2 ;;
	--no-musl) musl=0; shift ;;
	--no-busybox) busybox=0; shift ;;
	-h | --help) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "size-report: unknown argument: $1" >&2; exit 2 ;;
	esac
done
mkdir -p "$out"
applets=$(cd "$src/modutils" && ls *.c | sed 's/\.c$//' | tr '\n' ' ')
features="GZIP XZ ZSTD SYSLOG"
rows=()
notes=()
declare -A stripped_of=()
missed=0

# A Debian armhf sysroot with the compression libraries, shared by every
# glibc build (so that each O= does not fetch its own).
sysroot=$out/sysroot-armhf
if [ ! -e "$sysroot/.complete" ] || [ "$src/scripts/mksysroot.sh" -nt "$sysroot/.complete" ]; then
	sh "$src/scripts/mksysroot.sh" armhf "$sysroot" >"$out/sysroot.log" 2>&1 ||
		{ cat "$out/sysroot.log" >&2; exit 1; }
	touch "$sysroot/.complete"
fi

write_config() { # write_config FILE "APPLETS" "FEATURES"
	local a A f
	{
		for a in $applets; do
			A=$(echo "$a" | tr a-z A-Z)
			case " $2 " in *" $a "*) echo "CONFIG_$A=y" ;; *) echo "# CONFIG_$A is not set" ;; esac
		done
		for f in $features; do
			case " $3 " in *" $f "*) echo "CONFIG_FEATURE_$f=y" ;; *) echo "# CONFIG_FEATURE_$f is not set" ;; esac
		done
	} >"$1"
}

# linked MAP: text the link kept (the read-only alloc sections, as size(1)
# counts text), from a GNU ld map, split into libc (libc.a and the other C
# library archives, libgcc*, crt files), compression (libz.a, liblzma.a,
# libzstd.a) and own (everything else: the project's objects and libbb.a, or
# BusyBox's).
linked() {
	awk '
	function hex(s,  i, n) {
		s = tolower(s); sub(/^0x/, "", s); n = 0
		for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	function record(size, file,  n) {
		if (out !~ /^\.(text|rodata|ARM\.extab|ARM\.exidx|eh_frame|init|fini)/) return
		n = hex(size)
		if (file ~ /(^|\/)lib(z|lzma|zstd)\.a\(/) comp += n
		else if (file ~ /(^|\/)lib(c|gcc|gcc_eh|m|pthread|dl|rt|resolv|crypt|util)\.a\(/ ||
			file ~ /(^|\/)(S|r|g|M)?crt[0-9a-zA-Z]*\.o$/) libc += n
		else own += n
	}
	/^Linker script and memory map/ { inmap = 1; next }
	!inmap { next }
	/^[^ ]/ { out = $1; pending = ""; next }
	/^ [^ ]/ {
		if (NF == 1) { pending = $1; next }
		if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) record($3, $4)
		pending = ""; next
	}
	pending != "" && NF == 3 && $1 ~ /^0x/ && $2 ~ /^0x/ { record($2, $3); pending = ""; next }
	END { printf "%d %d %d\n", own, libc, comp }
	' "$1"
}

# build LIBC NAME "APPLETS" "FEATURES" MAKE-ARGS...: build, measure, add a
# row. LIBC is the row's label (glibc, glibc/src, musl, ...), NAME the build.
build() {
	local libc=$1 name=$2 want=$3 feats=$4 dir text data bss stripped objtext own libc_t comp key
	shift 4
	dir=$out/${libc//\//-}-$name
	rm -rf "$dir" && mkdir -p "$dir"
	write_config "$dir/.config" "$want" "$feats"
	if ! make -s -C "$src" O="$dir" CROSS_COMPILE=$cross STATIC=1 \
		LDFLAGS="-Wl,-Map=$dir/modutils.map" "$@" >"$dir/build.log" 2>&1; then
		echo "size-report: $libc $name: build failed:" >&2
		sed 's/^/    /' "$dir/build.log" >&2
		rows+=("| $libc | $name | build failed | | | | | | | |")
		return 1
	fi
	read -r text data bss _ < <(${cross}size "$dir/modutils" | awk 'NR == 2')
	${cross}strip -o "$dir/modutils.stripped" "$dir/modutils"
	stripped=$(stat -c %s "$dir/modutils.stripped")
	objtext=$(find "$dir/obj" -name '*.o' -print0 | xargs -0 ${cross}size -t | awk 'END { print $1 }')
	read -r own libc_t comp < <(linked "$dir/modutils.map")
	rows+=("| $libc | $name | $text | $data | $bss | **$stripped** | $objtext | $own | $libc_t | $comp |")
	printf '%-10s %-19s text %7d data %6d bss %6d stripped %7d own objects %6d linked: own %6d libc %6d compression %6d\n' \
		"$libc" "$name" "$text" "$data" "$bss" "$stripped" "$objtext" "$own" "$libc_t" "$comp"
	stripped_of[$libc|$name]=$stripped
	key=${libc//[^a-z]/_}_${name//-/_}
	eval "size_${key}_stripped=$stripped size_${key}_own=$objtext"
}

target() { # target WHAT VALUE LIMIT [info]: info = reported, not counted
	local miss=MISSED
	[ "${4:-}" != info ] || miss="missed (for information: not counted)"
	if [ -z "$2" ]; then
		notes+=("- target $1 < $3: not measured")
		[ "${4:-}" = info ] || missed=1
	elif [ "$2" -lt "$3" ]; then
		notes+=("- target $1 < $3: $2, met")
	else
		notes+=("- target $1 < $3: $2, $miss by $(($2 - $3 + 1))")
		[ "${4:-}" = info ] || missed=1
	fi
}

variants() { # variants LIBC "WHICH" MAKE-ARGS...: the builds of the report
	local libc=$1 which=$2 v
	shift 2
	for v in $which; do
		case $v in
		all-nocomp) build "$libc" $v "$applets" "SYSLOG" "$@" || true ;;
		all-gzip-xz-zstd) build "$libc" $v "$applets" "GZIP XZ ZSTD SYSLOG" "$@" || true ;;
		all-gzip) build "$libc" $v "$applets" "GZIP SYSLOG" "$@" || true ;;
		all-xz) build "$libc" $v "$applets" "XZ SYSLOG" "$@" || true ;;
		all-zstd) build "$libc" $v "$applets" "ZSTD SYSLOG" "$@" || true ;;
		insmod-rmmod-lsmod) build "$libc" $v "insmod rmmod lsmod" "SYSLOG" "$@" || true ;;
		esac
	done
}
every="all-nocomp all-gzip-xz-zstd all-gzip all-xz all-zstd insmod-rmmod-lsmod"
comp_only="all-gzip-xz-zstd all-gzip all-xz all-zstd"
# Target flags for the libraries built from source: those of the Makefile
# for arm-*-gnueabihf- (ARCH_CFLAGS, OPTFLAGS) and its section flags.
lib_cflags="-mcpu=cortex-a7 -mthumb -mfpu=neon-vfpv4 -mfloat-abi=hard -Os -ffunction-sections -fdata-sections"
# build_libs DIR CC [EXTRA-CFLAGS]: zlib/liblzma/libzstd from Debian's
# sources into DIR (once; again when mksysroot.sh changes). 0 if ready.
build_libs() {
	local dir=$1 cc=$2
	shift 2
	# The stamp holds the compiler and flags: other ones build again.
	if [ ! -e "$dir/.complete" ] || [ "$src/scripts/mksysroot.sh" -nt "$dir/.complete" ] ||
		[ "$(cat "$dir/.complete")" != "$cc $lib_cflags $*" ]; then
		sh "$src/scripts/mksysroot.sh" --build-libs "$dir" "$cc" $lib_cflags "$@" >"$dir.log" 2>&1 &&
			echo "$cc $lib_cflags $*" >"$dir/.complete" ||
			{ notes+=("- could not build the libraries from source with $cc (log: $dir.log)"); return 1; }
	fi
}

variants glibc "$every" SYSROOT="$sysroot"
target "glibc all-nocomp stripped" "${size_glibc_all_nocomp_stripped:-}" 481896
target "glibc all-nocomp own object text" "${size_glibc_all_nocomp_own:-}" 40960
# Debian's libzstd.a brings the legacy v0.5-v0.7 decoders (about 53 KB)
# and all three are -O2: informational. The counted target is the -Os build.
target "glibc all-gzip-xz-zstd stripped (Debian's libraries)" "${size_glibc_all_gzip_xz_zstd_stripped:-}" 624000 info
# The same libraries built from Debian's sources the way Buildroot does
# (zstd without legacy formats) with the binary's own -Os Thumb-2 flags.
if build_libs "$out/srclibs-glibc-armhf" "${cross}gcc"; then
	variants glibc/src "$comp_only" SYSROOT="$out/srclibs-glibc-armhf"
	target "glibc all-gzip-xz-zstd stripped (libraries from source, -Os)" "${size_glibc_src_all_gzip_xz_zstd_stripped:-}" 624000
fi

# ---- musl: Debian's musl-dev:armhf through its specs file ---------------
if [ "$musl" = 1 ]; then
	msys=$out/musl-armhf
	if [ ! -e "$msys/.complete" ] || [ "$src/scripts/mksysroot.sh" -nt "$msys/.complete" ]; then
		sh "$src/scripts/mksysroot.sh" armhf "$msys" musl musl-dev >"$out/musl-sysroot.log" 2>&1 &&
			touch "$msys/.complete" || true
	fi
	spec=$msys/usr/lib/arm-linux-musleabihf/musl-gcc.specs
	if [ -e "$msys/.complete" ] && [ -f "$spec" ]; then
		# The specs name /usr/lib/arm-linux-musleabihf and
		# /usr/include/arm-linux-musleabihf: point them into the unpacked tree.
		sed "s|/usr/|$msys/usr/|g" "$spec" >"$out/musl-armhf.specs"
		mcc="${cross}gcc -specs=$out/musl-armhf.specs"
		# Debian's armhf archives (built against glibc) as they are: the
		# sysroot holds only them and their headers, never glibc itself.
		variants musl "$every" CC="$mcc" SYSROOT="$sysroot"
		if build_libs "$out/srclibs-musl-armhf" "$mcc"; then
			variants musl/src "$comp_only" CC="$mcc" SYSROOT="$out/srclibs-musl-armhf"
		fi
	else
		notes+=("- musl: musl-dev:armhf could not be fetched (see $out/musl-sysroot.log)")
	fi
fi

# ---- BusyBox, for comparison -----------------------------------------------
# 1. Debian's busybox-static:armhf as shipped: a full build.
# 2. BusyBox built here from Debian's source package (1.35) with only its
#    module applets (insmod rmmod lsmod modinfo modprobe depmod, the full
#    ones, not modprobe-small), static, with the same compiler and
#    Cortex-A7 Thumb-2 flags (BusyBox builds -Os), without and with its own
#    gzip+xz decompressors (it has no zstd).
bb_rows() { # bb_rows LIBC NAME BINARY MAP
	local text data bss own libc_t comp
	read -r text data bss _ < <(${cross}size "$3" | awk 'NR == 2')
	${cross}strip -o "$3.stripped" "$3"
	own= libc_t= comp=
	[ -z "$4" ] || read -r own libc_t comp < <(linked "$4")
	rows+=("| $1 | $2 | $text | $data | $bss | **$(stat -c %s "$3.stripped")** | | $own | $libc_t | $comp |")
	printf '%-10s %-19s text %7d data %6d bss %6d stripped %7d\n' "$1" "$2" "$text" "$data" "$bss" "$(stat -c %s "$3.stripped")"
}
bb_build() { # bb_build LIBC NAME "CONFIG LINES" MAKE-ARGS...
	local libc=$1 name=$2 conf=$3 dir sym
	shift 3
	dir=$out/${libc//\//-}-$name
	rm -rf "$dir" && mkdir -p "$dir"
	make -s -C "$bbsrc" O="$dir" allnoconfig >"$dir/build.log" 2>&1 || return 1
	printf '%s\n' "$conf" | while IFS= read -r line; do
		[ -n "$line" ] || continue
		sym=${line%%=*}
		sed -i "/^# $sym is not set\$/d; /^$sym=/d" "$dir/.config"
		echo "$line" >>"$dir/.config"
	done
	{ yes "" | make -C "$dir" oldconfig && make -C "$dir" -j2 "$@"; } >>"$dir/build.log" 2>&1 || {
		echo "size-report: BusyBox $name: build failed (log: $dir/build.log)" >&2; return 1; }
	bb_rows "$libc" "$name" "$dir/busybox_unstripped" "$dir/busybox_unstripped.map"
}
if [ "$busybox" = 1 ]; then
	bb=$out/busybox-armhf
	if [ ! -e "$bb/.complete" ]; then
		sh "$src/scripts/mksysroot.sh" armhf "$bb" busybox-static >"$out/busybox.log" 2>&1 &&
			touch "$bb/.complete" || true
	fi
	if [ -x "$bb/bin/busybox" ]; then
		n=$(qemu-arm-static "$bb/bin/busybox" --list 2>/dev/null | wc -l || echo '?')
		ver=$(qemu-arm-static "$bb/bin/busybox" 2>&1 | head -n 1 | awk '{print $2}' || echo '?')
		bb_rows glibc "BusyBox $ver, Debian's busybox-static ($n applets)" "$bb/bin/busybox" ""
		notes+=("- BusyBox: Debian's busybox-static:armhf is a full build ($n applets: shell, coreutils, networking, ...), not a modules-only one, and is built with Debian's flags; it is here for scale only. The bb-modules rows are BusyBox $ver built here from Debian's source with only insmod, rmmod, lsmod, modinfo, modprobe (the full one, not modprobe-small) and depmod, with the same compiler and flags; BusyBox has no zstd")
	fi
	bbsrcdir=$out/busybox-src
	if [ ! -e "$bbsrcdir/.complete" ]; then
		sh "$src/scripts/mksysroot.sh" --source "$bbsrcdir" busybox >"$out/busybox-src.log" 2>&1 &&
			touch "$bbsrcdir/.complete" || true
	fi
	bbsrc=$(ls -d "$bbsrcdir"/busybox-*/ 2>/dev/null | head -n 1)
	if [ -n "$bbsrc" ]; then
		bbconf="CONFIG_STATIC=y
CONFIG_LFS=y
CONFIG_CROSS_COMPILER_PREFIX=\"$cross\"
CONFIG_EXTRA_CFLAGS=\"-mcpu=cortex-a7 -mthumb -mfpu=neon-vfpv4 -mfloat-abi=hard\"
CONFIG_LONG_OPTS=y
CONFIG_FEATURE_SYSLOG=y
CONFIG_INSMOD=y
CONFIG_RMMOD=y
CONFIG_LSMOD=y
CONFIG_FEATURE_LSMOD_PRETTY_2_6_OUTPUT=y
CONFIG_MODINFO=y
CONFIG_MODPROBE=y
CONFIG_FEATURE_MODPROBE_BLACKLIST=y
CONFIG_DEPMOD=y
CONFIG_FEATURE_CMDLINE_MODULE_OPTIONS=y
CONFIG_FEATURE_CHECK_TAINTED_MODULE=y
CONFIG_FEATURE_INSMOD_TRY_MMAP=y
CONFIG_FEATURE_MODUTILS_ALIAS=y
CONFIG_FEATURE_MODUTILS_SYMBOLS=y"
		bbcomp="CONFIG_FEATURE_SEAMLESS_GZ=y
CONFIG_FEATURE_SEAMLESS_XZ=y"
		bb_build glibc bb-modules-nocomp "$bbconf" || true
		bb_build glibc bb-modules-gzip-xz "$bbconf
$bbcomp" || true
		if [ -n "${mcc:-}" ]; then
			bb_build musl bb-modules-nocomp "$bbconf" CC="$mcc" || true
			bb_build musl bb-modules-gzip-xz "$bbconf
$bbcomp" CC="$mcc" || true
		fi
	else
		notes+=("- BusyBox from source: apt-get source busybox failed (see $out/busybox-src.log)")
	fi
fi

# pulled MAP: the C library members that the project's own objects pull in
# directly, with their text, largest first (>= 2000 bytes): which calls cost.
pulled() {
	awk '
	function hex(s,  i, n) {
		s = tolower(s); sub(/^0x/, "", s); n = 0
		for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	function base(f) { sub(/.*\//, "", f); return f }
	/^Archive member included/ { inc = 1; next }
	/^(Discarded input sections|Memory Configuration)/ { inc = 0 }
	inc && /^[^ ]/ { member = base($1); next }
	inc && /^ / && member != "" {
		by = base($1); sym = $2
		if (member ~ /^libc\.a\(/ && by !~ /^lib(c|gcc|gcc_eh)\.a\(/ && by !~ /crt/) why[member] = by " " sym
		member = ""; next
	}
	/^Linker script and memory map/ { inmap = 1; next }
	!inmap { next }
	/^[^ ]/ { out = $1; pending = ""; next }
	function rec(size, file) { if (out ~ /^\.(text|rodata|ARM)/) size_of[base(file)] += hex(size) }
	/^ [^ ]/ {
		if (NF == 1) { pending = $1; next }
		if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) rec($3, $4)
		pending = ""; next
	}
	pending != "" && NF == 3 && $1 ~ /^0x/ && $2 ~ /^0x/ { rec($2, $3); pending = ""; next }
	END { for (m in why) if (size_of[m] >= 2000) printf "%d %s %s\n", size_of[m], m, why[m] }
	' "$1" | sort -rn
}

print_report() {
	echo "# Size of the static armhf binary"
	echo
	echo "Static, stripped, for Cortex-A7 (i.MX6ULL): \`arm-linux-gnueabihf-gcc\`"
	echo "(Debian 12, GCC 12) with \`-mcpu=cortex-a7 -mthumb -mfpu=neon-vfpv4"
	echo "-mfloat-abi=hard -Os -ffunction-sections -fdata-sections\`, linked with"
	echo "\`-static -Wl,--gc-sections\`; zlib/liblzma/libzstd are Debian's static"
	echo "armhf libraries, except in the */src* rows. Made with:"
	echo
	echo '```sh'
	echo 'bash scripts/size-report.sh -o bench/size/README.md'
	echo 'make size-report      # the same builds, report in build/size/README.md'
	echo '```'
	echo
	echo "Bytes. text/data/bss: \`size\`; stripped: the file after \`strip\`."
	echo "*own objects*: \`size -t\` text of the project's .o files (before"
	echo "\`--gc-sections\`, without libc and the compression libraries). From the"
	echo "linker map, the text the link kept: *own*, *libc* (libc.a, libgcc, crt"
	echo "files) and *compression* (libz.a + liblzma.a + libzstd.a)."
	echo
	echo "libc column: *glibc* / *musl* with Debian's static armhf zlib, liblzma"
	echo "and libzstd; */src*: those three built from Debian's source packages with"
	echo "the binary's flags (\`$lib_cflags\`), zstd without"
	echo "the legacy v0.5-v0.7 decoders, as Buildroot builds it"
	echo "(\`scripts/mksysroot.sh --build-libs\`). musl: Debian's musl-dev:armhf 1.2.3"
	echo "through its musl-gcc.specs with arm-linux-gnueabihf-gcc."
	echo
	echo "| libc | build | text | data | bss | stripped | own objects | own linked | libc linked | compression linked |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	printf '%s\n' "${rows[@]}"
	echo
	printf '%s\n' "${notes[@]}"
	echo
	echo "What each decompressor costs: stripped bytes over *all-nocomp* of the same C"
	echo "library (the */src* rows against it too: they differ only in the libraries)."
	echo "Stripped sizes move in 4 KiB steps (the segments of the static ELF are"
	echo "page-aligned); the *compression linked* column above is the exact text."
	echo
	echo "| libc | gzip | xz | zstd | all three |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	local l base c line
	for l in glibc glibc/src musl musl/src; do
		base=${stripped_of[${l%/src}|all-nocomp]:-}
		[ -n "$base" ] && [ -n "${stripped_of[$l|all-gzip-xz-zstd]:-}" ] || continue
		line="| $l |"
		for c in all-gzip all-xz all-zstd all-gzip-xz-zstd; do
			if [ -n "${stripped_of[$l|$c]:-}" ]; then
				line="$line +$((stripped_of[$l|$c] - base)) |"
			else
				line="$line |"
			fi
		done
		echo "$line"
	done
	echo
	if [ -d "$out/glibc-all-nocomp/obj" ]; then
		echo "The project's own code by object (glibc, all-nocomp; \`size\` text of"
		echo "the .o file, code and read-only data such as usage texts and messages):"
		echo
		echo "| bytes | object |"
		echo "| ---: | --- |"
		(cd "$out/glibc-all-nocomp/obj" && ${cross}size */*.o) |
			awk 'NR > 1 { printf "| %d | %s |\n", $1, $6 }' | sort -t'|' -k2,2nr
		echo
		echo "Why the own-code target (40 KiB) is missed: it was set before depmod and"
		echo "modprobe were written in full. depmod alone (every text and binary index"
		echo "kmod writes, kmod's search/override/external/exclude rules, the"
		echo "cycle report, -E/-F symbol checks, the folder exchange of libbb/depmod/dirswap.c"
		echo "that switches the eleven files as one set) and modprobe (kmod's lookup"
		echo "order, modprobe.d, softdeps, install/remove, -D/-c/-R, the explanations"
		echo "of refused loads) are most of it; usage texts and messages, kept as kmod"
		echo "prints them, are about 5 KiB. For scale: BusyBox's six module applets"
		echo "alone link the *own linked* bytes of the bb-modules-nocomp row above with"
		echo "the same compiler and flags, and write no binary index. The own glob and"
		echo "ERE matchers (about 2.5 KiB) replace glibc's fnmatch and regex, which"
		echo "cost about 55 KiB of the static binary."
		echo
	fi
	if [ -f "$out/glibc-all-nocomp/modutils.map" ]; then
		echo "glibc pieces that the project's own calls pull in directly (glibc, all-nocomp;"
		echo "text of the archive member itself, without what it pulls in turn):"
		echo
		echo "| bytes | glibc member | pulled in by | for |"
		echo "| ---: | --- | --- | --- |"
		pulled "$out/glibc-all-nocomp/modutils.map" | awk '{ printf "| %s | %s | %s | `%s` |\n", $1, $2, $3, $4 }'
		echo
	fi
	# Hand-written: the default build against issue 15's limit (b16b3a3).
	if [ -f "$src/bench/size/default-build.md" ]; then
		cat "$src/bench/size/default-build.md"
		echo
	fi
	echo "Applets: $applets(\`all\`); measured $(date -u +%Y-%m-%d) at $(git -C "$src" describe --always --dirty 2>/dev/null || echo '?')."
}
echo
print_report
if [ -n "$report" ]; then
	mkdir -p "$(dirname "$report")"
	print_report >"$report"
	echo "size-report: wrote $report"
fi
exit "$missed"
