#!/bin/bash
# Compare our modprobe's answers with kmod's on a real module tree indexed by
# kmod's depmod: -R for modaliases made from every pattern of modules.alias
# (wildcards filled in), -D for every module name, and -c.
# usage: tests/compat/modprobe-compare.sh [--ref 30|34.2] BINARY ROOT VERSION [N_ALIASES]
#   ROOT/lib/modules/VERSION must hold the tree (depmod is run on it, in place).
#   --ref (or $MODUTILS_COMPAT_REF) picks the reference: 30 (default; Debian
#   12's /usr/bin/kmod and /sbin/depmod) or 34.2 (Debian 13's, from
#   $KMOD34_BIN, default <repo>/build/kmod34/bin, fetched by
#   tests/compat/kmod34.sh when missing). $KMOD and $DEPMOD override the
#   reference's kmod and the depmod run on the tree. $MODUTILS_COMPAT_EVERY=N
#   takes every Nth module name for -D and N_ALIASES/N modaliases (CI: a
#   third against kmod 30, the second reference).
# Ends with "modprobe-compare: N passed, N failed"; any difference fails.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
ref=${MODUTILS_COMPAT_REF:-30}
case ${1:-} in
--ref) ref=$2; shift 2 ;;
--ref=*) ref=${1#*=}; shift ;;
esac
[ $# -ge 3 ] || { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
bin=$1 root=$2 ver=$3 n=${4:-3000}
every=${MODUTILS_COMPAT_EVERY:-1}
n=$((n / every))
case $ref in
30) kmod=${KMOD:-/usr/bin/kmod} depmod=${DEPMOD:-/sbin/depmod} ;;
34 | 34.2)
	k34=${KMOD34_BIN:-$repo/build/kmod34/bin}
	if [ ! -x "$k34/kmod" ] && [ -z "${KMOD34_BIN:-}" ]; then
		bash "$here/kmod34.sh" "$repo/build/kmod34" >&2 || { echo "modprobe-compare: tests/compat/kmod34.sh failed"; exit 2; }
	fi
	kmod=${KMOD:-$k34/kmod} depmod=${DEPMOD:-$k34/depmod} ;;
*) echo "modprobe-compare: --ref takes 30 or 34.2"; exit 2 ;;
esac
kver=$("$kmod" --version 2>/dev/null | head -n 1)
echo "modprobe-compare: reference $kmod ($kver), depmod $depmod; tree $root $ver"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ours" "$work/kmod"
ln -s "$(readlink -f "$bin")" "$work/ours/modprobe"
ln -s "$kmod" "$work/kmod/modprobe"
"$depmod" -b "$root" "$ver" || { echo "depmod failed"; exit 1; }
moddir=$root/lib/modules/$ver
passed=0 failed=0

python3 - "$moddir/modules.alias" "$n" > "$work/keys" <<'PY'
import random, sys
random.seed(1)
pats = [l.split()[1] for l in open(sys.argv[1]) if l.startswith('alias ')]
fill = '0123456789ABCDEFabcdef'
for p in random.sample(pats, min(int(sys.argv[2]), len(pats))):
    k, i = '', 0
    while i < len(p):
        c = p[i]
        if c == '*':
            k += ''.join(random.choice(fill) for _ in range(random.choice([0, 0, 1, 4, 8])))
        elif c == '?':
            k += random.choice(fill)
        elif c == '[':
            j = p.index(']', i + 1)
            body = p[i + 1:j]
            k += body[0] if body[0] not in '!^' else 'Z'
            i = j
        else:
            k += c
        i += 1
    print(k)
PY
cut -d: -f1 "$moddir/modules.dep" | sed 's|.*/||; s|\.ko.*||' | tr - _ | sort -u |
	awk -v e="$every" '(NR - 1) % e == 0' > "$work/names"

run_all() { # tool, option, list: a line "KEY<TAB>answer" per key
	# One process per key (no subshell or tr): each answer ends with an
	# RS byte, and awk puts each on one line.
	while IFS= read -r k; do
		printf '%s\t' "$k"
		"$work/$1/modprobe" -d "$root" -S "$ver" $2 "$k" 2>&1
		printf '\036\n'
	done < "$3" | awk 'BEGIN { RS = "\036\n" } { gsub("\n", " "); print }'
}
compare() { # what, option, list
	# Both at once: one process each, the 2 cores of CI.
	run_all ours "$2" "$3" > "$work/o" &
	run_all kmod "$2" "$3" > "$work/k"
	wait
	local total diff
	total=$(wc -l < "$3")
	diff=$(diff "$work/o" "$work/k" | grep -c '^<')
	echo "modprobe $2 on $total $1: $diff differ"
	diff "$work/o" "$work/k" | head -6
	if [ "$diff" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
compare "modaliases" -R "$work/keys"
compare "module names" -D "$work/names"
if cmp -s <("$work/ours/modprobe" -d "$root" -S "$ver" -c 2>&1) <("$work/kmod/modprobe" -d "$root" -S "$ver" -c 2>&1); then
	echo "modprobe -c: same"; passed=$((passed + 1))
else
	echo "modprobe -c: differs"
	diff <("$work/ours/modprobe" -d "$root" -S "$ver" -c 2>&1) <("$work/kmod/modprobe" -d "$root" -S "$ver" -c 2>&1) | head -6
	failed=$((failed + 1))
fi
echo "modprobe-compare: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
