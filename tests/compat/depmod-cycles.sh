#!/bin/bash
# depmod's report of dependency cycles against kmod 34.2's: random trees
# of small modules (tests/integration/cases/depmod/lib/mkmod.sh) with one
# to three cycles, tails hanging off and below them, and some modules
# listed in modules.order; both depmods run on their own copy, and their
# exit status and stderr (which cycles, from which module, in which order,
# the count) must be the same.
#   bash tests/compat/depmod-cycles.sh BINARY KMOD34_BIN_DIR [TREES] [SEED]
# A tree on which kmod 34.2 does not finish in 10 s (it loops on some
# trees whose cycles are joined by an edge; ours reports each cycle) is
# said (SKIP) and not counted; more than a third of them skipped fails.
set -u
bin=$(realpath "$1") k34=$(realpath "$2")
trees=${3:-60} seed=${4:-$RANDOM}
here=$(cd "$(dirname "$0")" && pwd)
mkmod=$here/../integration/cases/depmod/lib/mkmod.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0
echo "depmod-cycles: seed $seed, $trees trees"
for t in $(seq 1 "$trees"); do
	# one line per module: NAME DEP... ; then "order NAME..."
	python3 - "$seed" "$t" >"$work/spec" <<'P'
import random, sys
rng = random.Random(int(sys.argv[1]) * 1000 + int(sys.argv[2]))
n = rng.randint(3, 9)
names = set()
while len(names) < n:
    names.add("".join(rng.choice("abcdefghkmnprstvwxz") for _ in range(rng.randint(1, 3))))
names = sorted(names)
rng.shuffle(names)
deps = {m: set() for m in names}
pool = names[:]
ncyc = rng.randint(1, 3)
cycles = []
for _ in range(ncyc):
    if len(pool) < 2:
        break
    k = rng.randint(2, min(4, len(pool)))
    grp = [pool.pop() for _ in range(k)]
    for i, m in enumerate(grp):
        deps[m].add(grp[(i + 1) % k])
    cycles.append(grp)
# tails: modules outside the cycles use a cycle member or are used by one,
# without closing a new cycle (edges only from later to earlier in pool order)
rest = pool
for i, m in enumerate(rest):
    for _ in range(rng.randint(0, 2)):
        choice = rng.random()
        if choice < 0.4 and cycles:
            deps[m].add(rng.choice(rng.choice(cycles)))      # above a cycle
        elif choice < 0.7 and i > 0:
            deps[m].add(rng.choice(rest[:i]))
        elif cycles and (i == 0 or rng.random() < 0.3):
            deps[rng.choice(rng.choice(cycles))].add(m)      # below a cycle
# rarely, an edge joining two cycles (kmod may loop: skipped then)
if len(cycles) > 1 and rng.random() < 0.2:
    deps[rng.choice(cycles[0])].add(rng.choice(cycles[1]))
for m in names:
    print(m, *sorted(deps[m] - {m}))
order = [m for m in names if rng.random() < 0.5]
rng.shuffle(order)
print("order", *order)
P
	root=$work/t$t
	K=$root/lib/modules/6.1.0-test
	mkdir -p "$K/kernel"
	while read -r m rest; do
		if [ "$m" = order ]; then
			for o in $rest; do echo "kernel/$o.ko"; done >"$K/modules.order"
			continue
		fi
		args=()
		for d in $rest; do args+=(-i "${d}_fn"); done
		bash "$mkmod" "$K/kernel/$m.ko" "$m" -x "${m}_fn" "${args[@]}" || { echo "FAIL depmod-cycles: tree $t: mkmod"; failed=$((failed + 1)); continue 2; }
	done <"$work/spec"
	cp -a "$root" "$root.k"
	# (a subshell: the shell's own "Aborted" notice of kmod's assertion stays out)
	(timeout 10 "$k34/depmod" -b "$root.k" 6.1.0-test >/dev/null 2>"$work/k.err")
	krc=$?
	if [ $krc -ge 124 ]; then
		echo "SKIP depmod-cycles: tree $t: kmod 34.2 did not finish (exit $krc): $(tr '\n' ';' <"$work/spec")"
		skipped=$((skipped + 1))
		continue
	fi
	"$bin" depmod -b "$root" 6.1.0-test >/dev/null 2>"$work/o.err"
	orc=$?
	if [ $orc = $krc ] && cmp -s "$work/k.err" "$work/o.err"; then
		echo "PASS depmod-cycles: tree $t ($(grep -c 'Cycle detected' "$work/k.err") cycles)"
		passed=$((passed + 1))
	else
		echo "FAIL depmod-cycles: tree $t: $(tr '\n' ';' <"$work/spec")"
		echo "  kmod 34.2 (exit $krc):"; sed 's/^/    /' "$work/k.err"
		echo "  ours (exit $orc):"; sed 's/^/    /' "$work/o.err"
		failed=$((failed + 1))
	fi
	rm -rf "$root" "$root.k"
done
if [ $((skipped * 3)) -gt "$trees" ]; then
	echo "FAIL depmod-cycles: $skipped of $trees trees skipped"
	failed=$((failed + 1))
fi
echo "depmod-cycles: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
