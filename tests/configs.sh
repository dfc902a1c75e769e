#!/bin/bash
# Build the configurations nobody would otherwise compile: each applet on
# its own without optional features, all applets without compression, no
# applet at all, and one feature at a time. Each must build with -Werror
# and its binary must list exactly the applets enabled.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
out=${CONFIGS_OUT:-$src/build/configs}
applets=$(cd "$src/modutils" && ls *.c | sed "s/\.c$//" | tr "\n" " ")
# The compression formats' symbols (scripts/compression.list), then the others.
compression=$(sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$src/scripts/compression.list" | awk '{ printf "%s ", $1 }')
features="${compression}SYSLOG DEPMOD_EXCHANGE DEPMOD_CACHE"
passed=0 failed=0

build() { # name, applets, features [make arguments]
	local name=$1 want=$2 feats=$3 dir=$out/$1 got
	shift 3
	rm -rf "$dir" && mkdir -p "$dir"
	{
		for a in $applets; do
			A=$(echo "$a" | tr a-z A-Z)
			case " $want " in *" $a "*) echo "CONFIG_$A=y" ;; *) echo "# CONFIG_$A is not set" ;; esac
		done
		for f in $features; do
			case " $feats " in *" $f "*) echo "CONFIG_FEATURE_$f=y" ;; *) echo "# CONFIG_FEATURE_$f is not set" ;; esac
		done
	} > "$dir/.config"
	if ! make -s -C "$src" O="$dir" "$@" >"$dir/build.log" 2>&1; then
		echo "FAIL config $name: build failed"; sed 's/^/    /' "$dir/build.log"
		failed=$((failed + 1)); return
	fi
	got=$("$dir/modutils" --list | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" != "$(echo $want)" ]; then
		echo "FAIL config $name: --list says '$got', want '$want'"
		failed=$((failed + 1)); return
	fi
	echo "PASS config $name ($(stat -c %s "$dir/modutils") bytes)"
	passed=$((passed + 1))
}

for a in $applets; do
	build "only-$a" "$a" ""
done
build "no-applets" "" ""
build "no-compression" "$applets" "SYSLOG"
for f in $features; do
	build "only-$f" "$applets" "$f"
done
# Other optimisation levels warn about other things (-Werror), and at -O0
# the IS_ENABLED() branches of a feature that is off must still link.
build "no-compression-O0" "$applets" "SYSLOG" OPTFLAGS=-O0
build "all-O2" "$applets" "$features" OPTFLAGS=-O2

# With Debian's kconfig-frontends, Config.in itself must parse and produce
# the same default configuration as configs/defconfig; allyesconfig turns on
# every bool the defconfig names (the ones it leaves off included).
if command -v kconfig-conf >/dev/null; then
	dir=$out/kconfig
	rm -rf "$dir" && mkdir -p "$dir"
	if make -s -C "$src" O="$dir" defconfig >"$dir/log" 2>&1 &&
	   make -s -C "$src" O="$dir" allnoconfig >>"$dir/log" 2>&1 &&
	   ! grep -q '=y' "$dir/.config" &&
	   make -s -C "$src" O="$dir" allyesconfig >>"$dir/log" 2>&1 &&
	   [ "$(grep -c '=y' "$dir/.config")" -eq "$(grep -c '=y$\|is not set$' "$src/configs/defconfig")" ]; then
		echo "PASS config kconfig-frontends (defconfig, allnoconfig, allyesconfig)"
		passed=$((passed + 1))
	else
		echo "FAIL config kconfig-frontends"; sed 's/^/    /' "$dir/log"
		failed=$((failed + 1))
	fi
else
	echo "SKIP config kconfig-frontends: kconfig-conf not installed (apt-get install kconfig-frontends-nox)"
fi
echo "configs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
