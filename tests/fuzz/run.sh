#!/bin/bash
# Run every libFuzzer target for a while: tests/fuzz/run.sh FUZZDIR SECONDS [TARGET...]
# Seeds come from the repository's own small files (tests/unit/data, the
# integration fixtures' sources, a sample configuration); the corpus grows
# in FUZZDIR/corpus/TARGET and is kept between runs. A crash input is left
# in FUZZDIR/crash-TARGET-* and makes the run fail: copy it to
# tests/fuzz/regressions/TARGET/ so that make check replays it for ever.
set -u
dir=$(cd "$1" && pwd) secs=$2   # absolute: a target may chdir
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
data=$src/tests/unit/data
targets=${*:-$(cd "$dir" && ls fuzz_* 2>/dev/null | grep -v '\.' )}
failed=0 passed=0

seed() { # target corpus
	local t=$1 c=$2
	mkdir -p "$c"
	case $t in
	fuzz_modelf) cp "$data"/*.ko "$c/" ;;
	fuzz_modsig)
		# The DER blob of a signed fixture: the bytes before the 40-byte trailer.
		python3 - "$data/signed-sha256.ko" "$c/der" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
n = int.from_bytes(b[-40 + 8:-40 + 12], 'big')
open(sys.argv[2], 'wb').write(b[-40 - n:-40])
PY
		;;
	fuzz_modindex)
		# kmod 30's post-order files and kmod 34.2's pre-order ones
		for f in "$data"/*.bin; do { printf '\000'; cat "$f"; } > "$c/$(basename "$f")"; done
		for f in "$data"/kmod34/*.bin; do { printf '\000'; cat "$f"; } > "$c/kmod34-$(basename "$f")"; done ;;
	fuzz_modconf)
		printf 'alias a* modtest_c\noptions modtest_a count=1 label="a b"\ninstall x /bin/true $CMDLINE_OPTS\nsoftdep b pre: c post: d\nblacklist e\nweakdep f g\n\000ro modtest_a.count=2 x.y="a b" modprobe.blacklist=a,b -- init\n' > "$c/sample" ;;
	fuzz_decompress)
		gzip -nc "$data/signed-sha256.ko" > "$c/m.gz"
		xz --check=crc32 -c "$data/signed-sha256.ko" > "$c/m.xz"
		zstd -qc "$data/signed-sha256.ko" > "$c/m.zst"
		cp "$data/signed-sha256.ko" "$c/m.ko" ;;
	fuzz_match)
		# glob patterns (first byte even) and EREs (odd), each with a string
		printf '\000pci:v00008086d*sv*\000pci:v00008086d00001533sv00008086\000' > "$c/glob1"
		printf '\000usb:v[0-9A-F]*p?[!x]*\000usb:v1234p0001d0100\000' > "$c/glob2"
		printf '\000[[:alpha:]][[.-.]][=a=]\\*\000a-a*\000' > "$c/glob3"
		printf '\001^6\\.1\\.[0-9]+-(amd64|armmp)$\0006.1.0-56-amd64\000' > "$c/ere1"
		printf '\001(a|b{2,3})*c?[^[:digit:]x-z]\000abbbbq\000' > "$c/ere2"
		printf '\001.*-rt[[:space:]]*$|^$\0006.1.0-rt\000' > "$c/ere3" ;;
	fuzz_depmodconf)
		printf 'search updates extra built-in external\noverride dup 6\\.1\\..* extra\nexclude b\nexternal 6.1 /nonexistent\n# comment\ninclude x\nbogus line \\\n continued\n' > "$c/sample" ;;
	fuzz_textindex)
		printf 'kernel/a/modtest_a.ko:\nkernel/b/modtest_b.ko.xz: kernel/a/modtest_a.ko\n\000alias modtest-c-alias modtest_c\nalias of:N*T*Cfoo dash_mod\n\000alias symbol:modtest_a_value modtest_a\n\000kernel/x/modtest_builtin.ko\n\000modtest_builtin.license=GPL\000' > "$c/sample" ;;
	esac
	if [ -d "$src/tests/fuzz/regressions/$t" ]; then
		cp "$src/tests/fuzz/regressions/$t"/* "$c/" 2>/dev/null
	fi
}

printf '%-18s %12s %10s %s\n' target executions exec/s result
for t in $targets; do
	corpus=$dir/corpus/$t
	[ -d "$corpus" ] || seed "$t" "$corpus"
	log=$dir/$t.log
	"$dir/$t" -max_total_time="$secs" -print_final_stats=1 -close_fd_mask=3 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$dir/crash-$t-" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		result=ok; passed=$((passed + 1))
	else
		result="FAILED (exit $rc, see $log)"; failed=$((failed + 1))
		grep -m3 -E 'ERROR|SUMMARY|crash' "$log" | sed 's/^/    /'
	fi
	printf '%-18s %12s %10s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$result"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
