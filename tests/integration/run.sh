#!/usr/bin/env bash
# Fast integration tests: run the modutils applets as real processes against
# a fixture root, with libfakekernel.so preloaded to redirect paths and fake
# the kernel's module calls.  See tests/integration/README.md.
#
# usage: tests/integration/run.sh BINARY|DIR [PATTERN]
#
#   BINARY   dynamically linked multicall binary (insmod, rmmod, lsmod,
#            modinfo, modprobe and depmod are symlinked to it), e.g.
#            build/modutils or a reference kmod such as /usr/bin/kmod
#   DIR      a directory holding the six applets (links or wrapper scripts,
#            e.g. tests/compat/kmod34.sh's DIR/bin for kmod 34.2): each
#            applet of the cases runs DIR/<applet>; no ELF checks are made,
#            the wrapper must pass LD_PRELOAD on (ld.so does)
#   PATTERN  only run cases whose path (area/case) contains it; shell glob
#            characters work (e.g. 'insmod/*quot*')
#
# environment:
#   KEEP=1       keep the work directory (its path is printed)
#   BLESS=1      write the actual results into each case's expected/
#   TIMEOUT=N    seconds per case (default 10; a case's file "timeout" may set its own)
#   TEST_JOBS=N  cases at once (default: the CPUs)
#   CC=...       compiler for the preload library and the fixtures (default cc)
#   VERBOSE=1    on failure also show the case's cmd and env
#   CASES=DIR    take the cases from DIR instead of tests/integration/cases
#   ORACLE=TAG   only run the cases whose file "oracle" says exactly TAG
#                (kmod-34, kmod-30): tests/integration/oracle.sh
#   TRACE=1      log every intercepted path call of each case to
#                <work>/cases/<area>__<case>/trace (use with KEEP=1)
#   LIBC=musl    a musl build (compared as it is: its messages are glibc's words)
#   LINKED_FAKE=1
#                BINARY is static with the fake kernel linked in instead of
#                preloaded (make STATIC=1 check-integration-static); a case
#                that preloads a library of its own (a file "needs-preload"
#                in it) is skipped, and said so
#   KMOD34_BIN=DIR
#                kmod 34.2's tools (DIR/depmod), which write the fixture
#                trees' indexes (lib/mktree.sh): the reference whose bytes
#                the depmod cases compare with. Default build/kmod34/bin,
#                fetched there by tests/compat/kmod34.sh when missing
#   FAKE_PRELOAD_ASAN_FIRST=1
#                for an ASan-built BINARY, put the ASan runtime first in
#                LD_PRELOAD instead of setting verify_asan_link_order=0

set -u
set -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

die() {
	echo "run.sh: $*" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	die "usage: $0 BINARY [PATTERN]"
fi
BIN=$1
PATTERN=${2:-}
case $BIN in
/*) ;;
*) BIN=$(realpath -- "$BIN") || die "cannot resolve $1" ;;
esac
APPLETS="insmod rmmod lsmod modinfo modprobe depmod"
BINDIR=
if [ -d "$BIN" ]; then
	BINDIR=$BIN
	for applet in $APPLETS; do
		[ -x "$BINDIR/$applet" ] || die "$BINDIR/$applet: not an executable file"
	done
elif [ ! -f "$BIN" ] || [ ! -x "$BIN" ]; then
	die "$BIN: not an executable file"
fi
LINKED_FAKE=${LINKED_FAKE:-0}
ORACLE=${ORACLE:-}
if [ -n "$BINDIR" ]; then
	: # wrappers: nothing to check, the cases show whether the preload works
elif [ "$LINKED_FAKE" = 1 ]; then
	[ "$(nm "$BIN" 2>/dev/null | grep -c ' __wrap_init_module$')" -gt 0 ] ||
		die "$BIN does not have the fake kernel linked in (make STATIC=1 check-integration-static)"
elif ! readelf -d "$BIN" 2>/dev/null | grep -q '(NEEDED)'; then
	die "$BIN is not dynamically linked: LD_PRELOAD cannot work with it"
fi

CC=${CC:-cc}
TIMEOUT=${TIMEOUT:-10}
CASES=$(cd "${CASES:-$here/cases}" 2>/dev/null && pwd) || die "no cases directory ${CASES:-}"
UNAME_R=6.1.0-test

W=$(mktemp -d "${TMPDIR:-/tmp}/modutils-it.XXXXXX") || die "mktemp failed"
# shellcheck disable=SC2317 # called through the trap
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "work directory kept: $W"
	else
		rm -rf -- "$W"
	fi
}
trap cleanup EXIT

# --- build the preload library --------------------------------------------
mkdir -p "$W/lib" "$W/mods" "$W/bin" "$W/cases"
LIB=$W/lib/libfakekernel.so
# It decompresses every format of scripts/compression.list (column 3: the
# library's link flag).
# shellcheck disable=SC2046
$CC -shared -fPIC -O1 -g -Wall -Wextra -Werror -o "$LIB" \
	"$repo/tests/preload/fakekernel.c" -ldl \
	$(sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$repo/scripts/compression.list" | awk '{ print $3 }') ||
	die "building libfakekernel.so failed"

# --- build the module fixtures ---------------------------------------------
# Flags chosen so that the objects are small and their size does not depend
# on the gcc patch level (no .comment, no .eh_frame).
MODCFLAGS="-O2 -fno-ident -fno-asynchronous-unwind-tables -fno-stack-protector -fno-pic -Wall -Wextra -Werror"
for src in "$here"/modules/*.c; do
	name=$(basename "$src" .c)
	# shellcheck disable=SC2086
	$CC -c $MODCFLAGS -I"$here/modules" -o "$W/mods/$name.ko" "$src" ||
		die "building fixture $name.ko failed"
	gzip -n -9 -c "$W/mods/$name.ko" >"$W/mods/$name.ko.gz"
	xz --check=crc32 -c "$W/mods/$name.ko" >"$W/mods/$name.ko.xz"
	zstd -q -c "$W/mods/$name.ko" >"$W/mods/$name.ko.zst"
done
# init_module() lengths depend on the compiler: in the calls log a length
# equal to the size of that module's own fixture .ko becomes @SIZE@.
: >"$W/size.sed"
for ko in "$W"/mods/*.ko; do
	name=$(basename "$ko" .ko)
	echo "s/^init_module(${name//-/_}, $(stat -c %s "$ko"), /init_module(${name//-/_}, @SIZE@, /" >>"$W/size.sed"
done
# not an ELF file at all (fixed text, so outputs stay stable)
for _ in 1 2 3 4 5 6 7 8; do
	echo "this is not a kernel module, just some text to fail the ELF check"
done >"$W/mods/garbage.ko"
# a gzip stream cut in half
gz_size=$(stat -c %s "$W/mods/modtest_a.ko.gz")
head -c $((gz_size / 2)) "$W/mods/modtest_a.ko.gz" >"$W/mods/truncated.ko.gz"
# an xz stream with 4 bytes in the middle inverted
cp "$W/mods/modtest_a.ko.xz" "$W/mods/corrupt.ko.xz"
xz_size=$(stat -c %s "$W/mods/corrupt.ko.xz")
for off in $((xz_size / 2)) $((xz_size / 2 + 1)) $((xz_size / 2 + 2)) $((xz_size / 2 + 3)); do
	b=$(od -An -tu1 -j "$off" -N1 "$W/mods/corrupt.ko.xz" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "\\$(printf %03o $((b ^ 0xff)))" |
		dd of="$W/mods/corrupt.ko.xz" bs=1 seek="$off" conv=notrunc status=none
done

# --- the reference depmod (kmod 34.2) ----------------------------------------
if [ -z "${KMOD34_BIN:-}" ]; then
	KMOD34_BIN=$repo/build/kmod34/bin
	if [ ! -x "$KMOD34_BIN/depmod" ]; then
		echo "run.sh: fetching kmod 34.2 into $repo/build/kmod34 (tests/compat/kmod34.sh)" >&2
		bash "$repo/tests/compat/kmod34.sh" "$repo/build/kmod34" >&2 ||
			die "fetching kmod 34.2 failed (tests/compat/kmod34.sh); or set KMOD34_BIN"
	fi
fi
KMOD34_BIN=$(cd "$KMOD34_BIN" 2>/dev/null && pwd) || die "KMOD34_BIN: no folder ${KMOD34_BIN}"
"$KMOD34_BIN/depmod" --version 2>/dev/null | grep -q 'kmod version 34' ||
	die "$KMOD34_BIN/depmod is not kmod 34's depmod"
export KMOD34_BIN

# --- the applets ------------------------------------------------------------
for applet in modutils insmod rmmod lsmod modinfo modprobe depmod kmod; do
	ln -s "$BIN" "$W/bin/$applet"
done
# A folder of applets: each link goes to the folder's own applet of that
# name instead (kmod's wrappers take the applet from their name), and one
# the folder does not have (modutils) is dropped.
if [ -n "$BINDIR" ]; then
	for link in "$W"/bin/*; do
		applet=${link##*/}
		rm -f "$link"
		[ ! -x "$BINDIR/$applet" ] || ln -s "$BINDIR/$applet" "$link"
	done
fi

# --- preload setup -----------------------------------------------------------
PRELOAD=$LIB
# With LINKED_FAKE the library is still preloaded: the binary, static,
# ignores it, but the helper tools of the cases (cat, ls, grep) need it to
# see the fixture's /proc and /sys.
ASAN_OPTS=${ASAN_OPTIONS:-}
if [ -z "$BINDIR" ] && readelf -d "$BIN" | grep -q 'libasan'; then
	if [ "${FAKE_PRELOAD_ASAN_FIRST:-0}" = 1 ]; then
		asan_lib=$(ldd "$BIN" | awk '/libasan/ { print $3; exit }')
		[ -n "$asan_lib" ] || die "cannot find the ASan runtime of $BIN"
		PRELOAD="$asan_lib $LIB"
	fi
fi
# Harmless for binaries without ASan.  With it, our library may come before
# the ASan runtime in the lookup order (it calls on to ASan's interceptors
# through dlsym(RTLD_NEXT)), which ASan otherwise refuses to start with.
ASAN_OPTS="${ASAN_OPTS:+$ASAN_OPTS:}verify_asan_link_order=0"

# --- the cases ---------------------------------------------------------------
root_re=''
work_re=''
regex_quote() {
	printf '%s' "$1" | sed 's/[]\/$*.^[|]/\\&/g'
}

# LIBC=musl (set by make check-integration-static for a musl build): the
# output is compared as it is. The texts a C library writes itself differ
# (musl's strerror says "Out of memory", its getopt "unrecognized option:
# x"), but ours go through msg_strerror() and msg_getopt_long(), which say
# glibc's words, as kmod on Debian does.
LIBC_SED=

normalize() { # file -> stdout
	sed -e "s|$root_re|@ROOT@|g" -e "s|$work_re|@WORK@|g" ${LIBC_SED:+-f "$LIBC_SED"} "$1"
}

passed=0
failed=0
skipped=0
failures=()

# sys/module/NAME for every module in proc/modules that the fixture does not
# provide itself, and holders/ wherever it is missing (git keeps no empty
# directories).
synthesize_sysfs() {
	local root=$1 name size refcnt users state rest u d s
	while read -r name size refcnt users state rest; do
		[ -n "$state" ] || continue
		d=$root/sys/module/$name
		[ -e "$d" ] && continue
		mkdir -p "$d/holders"
		case $state in
		Live) s=live ;;
		Loading) s=coming ;;
		Unloading) s=going ;;
		*) s=$state ;;
		esac
		echo "$s" >"$d/initstate"
		echo "$refcnt" >"$d/refcnt"
		echo "$size" >"$d/coresize"
		[ "$users" = - ] && continue
		for u in ${users//,/ }; do
			[ "$u" = "[permanent]" ] || ln -s "../../$u" "$d/holders/$u"
		done
	done <"$root/proc/modules"
	for d in "$root"/sys/module/*/; do
		[ -f "$d/initstate" ] && mkdir -p "$d/holders"
	done
}

# compare LABEL EXPECTED_FILE ACTUAL_FILE(normalized) -> appends to $report
compare() {
	local label=$1 exp=$2 act=$3 d
	if ! d=$(diff -u --label "expected/$label" --label "actual/$label" "$exp" "$act"); then
		report+="$d"$'\n'
		return 1
	fi
	return 0
}

run_case() {
	local dir=$1 id=$2
	local cw=$W/cases/${id//\//__}
	local root=$cw/root
	local ok=1 line key val rc exp_exit f size
	report=''

	mkdir -p "$root"
	if [ -d "$dir/root" ]; then
		cp -a "$dir/root/." "$root/"
	fi
	mkdir -p "$root/proc" "$root/sys/module"
	[ -e "$root/proc/modules" ] || : >"$root/proc/modules"
	synthesize_sysfs "$root"
	cp -a "$W/mods" "$root/mods"
	: >"$cw/calls"
	root_re=$(regex_quote "$root")
	work_re=$(regex_quote "$W")

	# case environment (KEY=VALUE lines, @ROOT@ substituted)
	local -a case_env=()
	if [ -f "$dir/env" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in
			'' | '#'*) continue ;;
			*=*) ;;
			*)
				report+="bad line in env: $line"$'\n'
				ok=0
				continue
				;;
			esac
			key=${line%%=*}
			val=${line#*=}
			case_env+=("$key=${val//@ROOT@/$root}")
		done <"$dir/env"
	fi

	if [ $ok = 1 ] && [ -f "$dir/setup" ]; then
		if ! (cd "$root" && env ROOT="$root" WORK="$W" TESTLIB="$here/lib" "${case_env[@]}" \
			bash "$dir/setup") >"$cw/setup.log" 2>&1; then
			report+="setup failed (exit ${PIPESTATUS[0]:-?}):"$'\n'"$(cat "$cw/setup.log")"$'\n'
			ok=0
		fi
	fi

	if [ $ok = 1 ]; then
		(
			cd "$root" || exit 99
			# a clean environment for the fake: nothing from the caller
			while IFS= read -r key; do
				unset "$key"
			done < <(env | sed -n 's/^\(MODUTILS_FAKE_[A-Za-z0-9_]*\)=.*/\1/p')
			unset MODPROBE_OPTIONS
			export LC_ALL=C
			export PATH="$W/bin:$PATH"
			export MODUTILS_FAKE_ROOT="$root"
			export MODUTILS_FAKE_LOG="$cw/calls"
			export MODUTILS_FAKE_UNAME_R="$UNAME_R"
			if [ "${TRACE:-0}" = 1 ]; then
				export MODUTILS_FAKE_TRACE="$cw/trace"
			fi
			for line in "${case_env[@]}"; do
				export "${line?}"
			done
			export ASAN_OPTIONS="$ASAN_OPTS"
			export LD_PRELOAD="$PRELOAD"
			limit=$TIMEOUT
			[ -f "$dir/timeout" ] && limit=$(cat "$dir/timeout")
			exec timeout -k 2 "$limit" bash -c "$(cat "$dir/cmd")"
		) >"$cw/stdout.raw" 2>"$cw/stderr.raw" </dev/null
		rc=$?
		echo "$rc" >"$cw/exit"

		# a runaway tool (a reference that loops and logs) is cut to 1 MiB,
		# so that the diff stays printable
		for f in stdout stderr; do
			size=$(stat -c %s "$cw/$f.raw")
			if [ "$size" -gt 1048576 ]; then
				head -c 1048576 "$cw/$f.raw" >"$cw/$f.cut"
				printf '\n(run.sh: output cut at 1 MiB of %s bytes)\n' "$size" >>"$cw/$f.cut"
				mv -f "$cw/$f.cut" "$cw/$f.raw"
			fi
			normalize "$cw/$f.raw" >"$cw/$f"
		done
		normalize "$cw/calls" | sed -f "$W/size.sed" >"$cw/calls.norm"
		if [ -e "$root/proc/modules" ]; then
			normalize "$root/proc/modules" >"$cw/proc-modules"
		else
			echo "(no proc/modules)" >"$cw/proc-modules"
		fi

		if [ "${BLESS:-0}" = 1 ]; then
			bless "$dir" "$cw" "$root" "$rc"
		fi

		exp_exit=0
		[ -f "$dir/expected/exit" ] && exp_exit=$(tr -d ' \n' <"$dir/expected/exit")
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			report+="timed out after ${TIMEOUT}s (exit $rc)"$'\n'
			ok=0
		elif [ "$rc" != "$exp_exit" ]; then
			report+="exit status: expected $exp_exit, got $rc"$'\n'
			ok=0
		fi
		for f in stdout stderr; do
			if [ -f "$dir/expected/$f" ]; then
				compare "$f" "$dir/expected/$f" "$cw/$f" || ok=0
			else
				compare "$f" /dev/null "$cw/$f" || ok=0
			fi
		done
		if [ -f "$dir/expected/calls" ]; then
			compare calls "$dir/expected/calls" "$cw/calls.norm" || ok=0
		fi
		if [ -f "$dir/expected/proc-modules" ]; then
			compare proc-modules "$dir/expected/proc-modules" "$cw/proc-modules" || ok=0
		fi
		if [ -d "$dir/expected/root" ]; then
			while IFS= read -r -d '' f; do
				rel=${f#"$dir/expected/root/"}
				if [ ! -e "$root/$rel" ]; then
					report+="missing file in the work root: $rel"$'\n'
					ok=0
					continue
				fi
				normalize "$root/$rel" >"$cw/file.norm"
				compare "root/$rel" "$f" "$cw/file.norm" || ok=0
			done < <(find "$dir/expected/root" -type f -print0 | LC_ALL=C sort -z)
		fi
	fi

	if [ $ok = 1 ]; then
		echo "PASS $id"
		passed=$((passed + 1))
	else
		echo "FAIL $id"
		if [ "${VERBOSE:-0}" = 1 ]; then
			echo "  cmd: $(cat "$dir/cmd")"
			[ -f "$dir/env" ] && sed 's/^/  env: /' "$dir/env"
		fi
		printf '%s' "$report" | sed 's/^/    /'
		failed=$((failed + 1))
		failures+=("$id")
	fi
}

# BLESS=1: overwrite expected/ with what happened
bless() {
	local dir=$1 cw=$2 root=$3 rc=$4 f
	mkdir -p "$dir/expected"
	for f in stdout stderr; do
		if [ -s "$cw/$f" ]; then
			cp "$cw/$f" "$dir/expected/$f"
		else
			rm -f "$dir/expected/$f"
		fi
	done
	if [ "$rc" = 0 ]; then
		rm -f "$dir/expected/exit"
	else
		echo "$rc" >"$dir/expected/exit"
	fi
	if [ -f "$dir/expected/calls" ] || [ -s "$cw/calls.norm" ]; then
		cp "$cw/calls.norm" "$dir/expected/calls"
	fi
	if [ -f "$dir/expected/proc-modules" ]; then
		cp "$cw/proc-modules" "$dir/expected/proc-modules"
	fi
	if [ -d "$dir/expected/root" ]; then
		while IFS= read -r -d '' f; do
			rel=${f#"$dir/expected/root/"}
			[ -e "$root/$rel" ] && normalize "$root/$rel" >"$f"
		done < <(find "$dir/expected/root" -type f -print0)
	fi
}

todo=()
while IFS= read -r -d '' cmdfile; do
	dir=$(dirname "$cmdfile")
	id=${dir#"$CASES/"}
	if [ -n "$PATTERN" ]; then
		# shellcheck disable=SC2053
		[[ $id == *$PATTERN* ]] || continue
	fi
	if [ -n "$ORACLE" ]; then
		if [ ! -f "$dir/oracle" ] || [ "$(head -n 1 "$dir/oracle")" != "$ORACLE" ]; then
			continue
		fi
	fi
	if [ "$LINKED_FAKE" = 1 ] && [ -f "$dir/needs-preload" ]; then
		echo "SKIP $id (preloads a library of its own: $(cat "$dir/needs-preload"))"
		skipped=$((skipped + 1))
		continue
	fi
	todo+=("$dir")
done < <(find "$CASES" -name cmd -type f -print0 2>/dev/null | LC_ALL=C sort -z)

# TEST_JOBS shards (default: the CPUs), case i in shard i % JOBS; each case has
# its own folder under $W. A shard's lines and counts are shown in order
# when all are done.
JOBS=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1
run_shard() {
	local i
	for ((i = $1; i < ${#todo[@]}; i += JOBS)); do
		run_case "${todo[$i]}" "${todo[$i]#"$CASES/"}"
	done
	echo "$passed $failed" >"$W/shard-$1.counts"
	[ ${#failures[@]} -eq 0 ] || printf '%s\n' "${failures[@]}" >"$W/shard-$1.failures"
}
if [ "$JOBS" -eq 1 ]; then
	run_shard 0
else
	for ((s = 0; s < JOBS; s++)); do
		run_shard "$s" >"$W/shard-$s.out" 2>&1 &
	done
	wait
	for ((s = 0; s < JOBS; s++)); do
		cat "$W/shard-$s.out"
		read -r p f <"$W/shard-$s.counts" || { p=0 f=1; failures+=("shard $s: no counts"); }
		passed=$((passed + p))
		failed=$((failed + f))
		[ ! -f "$W/shard-$s.failures" ] || mapfile -t -O "${#failures[@]}" failures <"$W/shard-$s.failures"
	done
fi

if [ $failed -gt 0 ]; then
	echo
	echo "failed cases:"
	printf '  %s\n' "${failures[@]}"
fi
[ $skipped -eq 0 ] || echo "SKIPPED: $skipped cases cannot run on this binary (see the SKIP lines above)"
echo "$passed passed, $failed failed"
if [ $failed -gt 0 ] || [ $((passed + failed)) -eq 0 ]; then
	exit 1
fi
exit 0
