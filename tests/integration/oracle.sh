#!/usr/bin/env bash
# Check the integration cases' expectations against the references they
# name: every case folder has a file "oracle" of one line,
#   kmod-34        kmod 34.2 passes the case as it is
#   kmod-30        kmod 30 passes it (kmod 34.2 does not)
#   ours: WHY      we differ from kmod on purpose, and why
# The kmod-34 cases run against kmod 34.2, the kmod-30 cases against kmod
# 30, through the same runner and fake kernel as our binary
# (tests/integration/run.sh with ORACLE=TAG). A missing or malformed oracle
# file fails too.
#
# usage: tests/integration/oracle.sh KMOD34 [KMOD30]
#   KMOD34  folder of kmod 34.2's applets (bash tests/compat/kmod34.sh DIR
#           makes DIR/bin)
#   KMOD30  kmod 30's binary (default /usr/bin/kmod, Debian 12's)
# Ends with "N passed, N failed" (cases; a bad oracle file counts as failed).

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 KMOD34_DIR [KMOD30]" >&2
	exit 2
fi
k34=$1
k30=${2:-/usr/bin/kmod}
cases=$here/cases

"$k34/kmod" --version 2>/dev/null | grep -q '^kmod version 34' ||
	{ echo "oracle.sh: $k34/kmod is not kmod 34" >&2; exit 2; }
"$k30" --version 2>/dev/null | grep -q '^kmod version 30$' ||
	{ echo "oracle.sh: $k30 is not kmod 30" >&2; exit 2; }

passed=0 failed=0
bad=0
while IFS= read -r -d '' cmdfile; do
	dir=$(dirname "$cmdfile")
	id=${dir#"$cases/"}
	f=$dir/oracle
	if [ ! -f "$f" ]; then
		echo "FAIL $id: no oracle file"
		bad=$((bad + 1))
	elif [ "$(wc -l <"$f")" != 1 ] || [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" != '\n' ] ||
		! grep -qxE 'kmod-34|kmod-30|ours: [^ ].*' "$f"; then
		echo "FAIL $id: oracle is not one line of kmod-34, kmod-30 or 'ours: why': $(head -c 80 "$f")"
		bad=$((bad + 1))
	fi
done < <(find "$cases" -name cmd -type f -print0 | LC_ALL=C sort -z)
failed=$((failed + bad))

run() { # tag, binary or folder
	local tag=$1 bin=$2 out counts p f
	echo "=== cases with oracle $tag against $bin"
	out=$(ORACLE=$tag bash "$here/run.sh" "$bin" 2>&1)
	printf '%s\n' "$out" | grep -v '^PASS '
	counts=$(printf '%s\n' "$out" | tail -n 1)
	p=$(echo "$counts" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$counts" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		echo "oracle.sh: run.sh ended without a count"
		p=0 f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
}
run kmod-34 "$k34"
run kmod-30 "$k30"

echo "oracle files: $bad bad; $(grep -rlx kmod-34 "$cases" --include=oracle | wc -l) kmod-34," \
	"$(grep -rlx kmod-30 "$cases" --include=oracle | wc -l) kmod-30," \
	"$(grep -rl '^ours: ' "$cases" --include=oracle | wc -l) ours"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
