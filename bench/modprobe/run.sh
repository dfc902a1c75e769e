#!/bin/bash
# modprobe side by side: ours, kmod 30 and busybox-static, on one module
# tree indexed by kmod's depmod. Instruction counts with callgrind (the
# same for the same binary and input, whatever else the machine does),
# peak memory with /usr/bin/time. Writes bench/modprobe/RESULTS.md.
#
# usage: bench/modprobe/run.sh OUR_BINARY ROOT VERSION
#   ROOT/lib/modules/VERSION: e.g. Debian's linux-image-*-amd64 tree
#   (tests/compat/trees.sh, or build/kernel-cache/*/root after a kernel test).
# needs: valgrind, time (/usr/bin/time), kmod, busybox-static, python3;
# busybox has no -d/-S, so it runs in a private mount namespace (unshare)
# where the tree is bound at /lib/modules/$(uname -r). Run as root.
set -eu
bin=$(readlink -f "$1") root=$(readlink -f "$2") ver=$3
here=$(cd "$(dirname "$0")" && pwd)
out=${RESULTS:-$here/RESULTS.md}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
moddir=$root/lib/modules/$ver
/sbin/depmod -b "$root" "$ver"

mkdir -p "$work/ours" "$work/kmod"
ln -s "$bin" "$work/ours/modprobe"
ln -s /usr/bin/kmod "$work/kmod/modprobe"
busybox=$(command -v busybox)

# 200 modaliases and 50 of: modaliases made from the tree's own patterns.
python3 - "$moddir/modules.alias" "$work" <<'PY'
import random, sys
random.seed(3)
pats = [l.split()[1] for l in open(sys.argv[1]) if l.startswith('alias ')]
def inst(p):
    k, i = '', 0
    while i < len(p):
        c = p[i]
        if c == '*': k += random.choice(['', '0', 'A1', 'fsl,imx6ul'])
        elif c == '?': k += '0'
        elif c == '[':
            j = p.index(']', i + 1); b = p[i + 1:j]; k += b[0] if b[0] not in '!^' else 'Z'; i = j
        else: k += c
        i += 1
    return k
dev = [p for p in pats if ':' in p and not p.startswith(('of:', 'symbol:'))]
of = [p for p in pats if p.startswith('of:')]
open(sys.argv[2] + '/aliases200', 'w').write('\n'.join(inst(p) for p in random.sample(dev, 200)) + '\n')
open(sys.argv[2] + '/of50', 'w').write('\n'.join(inst(p) for p in random.sample(of, 50)) + '\n')
PY
alias1=$(head -n 1 "$work/aliases200")

# Run TOOL ARGS: ours/kmod with -d/-S, busybox inside the namespace.
cmd() {
	local tool=$1; shift
	case $tool in
	ours|kmod) echo "$work/$tool/modprobe -d $root -S $ver $*" ;;
	busybox) echo "unshare -m sh -c 'mount -t tmpfs none /lib/modules 2>/dev/null || { mkdir -p /lib/modules && mount -t tmpfs none /lib/modules; }; mkdir -p /lib/modules/$(uname -r) && mount --bind $moddir /lib/modules/$(uname -r) && exec ARGS'" ;;
	esac
}
# Instructions of one run (the namespace set-up is not counted: callgrind
# runs busybox itself inside it).
instr() {
	local tool=$1; shift
	local vg="valgrind --tool=callgrind --callgrind-out-file=/dev/null"
	if [ "$tool" = busybox ]; then
		local inner="$vg $busybox modprobe $*"
		eval "$(cmd busybox | sed "s|ARGS|$inner|")" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
	else
		eval "$vg $(cmd "$tool" "$@")" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
	fi
}
maxrss() {
	local tool=$1; shift
	if [ "$tool" = busybox ]; then
		eval "$(cmd busybox | sed "s|ARGS|/usr/bin/time -f %M $busybox modprobe $*|")" 2>&1 >/dev/null | tail -n 1
	else
		eval "/usr/bin/time -f %M $(cmd "$tool" "$@")" 2>&1 >/dev/null | tail -n 1
	fi
}

aliases=$(tr '\n' ' ' < "$work/aliases200")
ofs=$(tr '\n' ' ' < "$work/of50")
declare -A R
cases=("show-depends btrfs|-D btrfs" "alias (-D)|-D $alias1" "missing name|-D no_such_module_x" \
       "200 modaliases, -D -a|-D -a $aliases" "50 of: modaliases, -D -a|-D -a $ofs")
for c in "${cases[@]}"; do
	name=${c%%|*} args=${c#*|}
	for t in ours kmod busybox; do
		R[$name,$t]=$(instr $t $args || true)
	done
	echo "$name: ours ${R[$name,ours]} kmod ${R[$name,kmod]} busybox ${R[$name,busybox]}"
done
for t in ours kmod busybox; do
	R[rss,$t]=$(maxrss $t -D -a $aliases || true)
done

# longdeps.sh writes its own section at the end: kept.
keep=$(sed -n '/^## Long dependency lines$/,$p' "$out" 2>/dev/null || true)
{
	echo "# modprobe benchmark"
	echo
	echo "Made by \`bench/modprobe/run.sh $1 $2 $3\` on $(date -u +%Y-%m-%d), $(nproc) cores,"
	echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); tree: $(wc -l < "$moddir/modules.dep") modules of $ver, indexes by kmod 30's depmod."
	echo "Tools: ours ($(stat -c %s "$bin") bytes, $(file -b "$bin" | cut -d, -f1-2)), kmod $(/usr/bin/kmod -V | head -1 | awk '{print $3}'), busybox $($busybox | head -1 | awk '{print $2}') (static)."
	echo
	echo "Instructions (callgrind, one run each; lower is better):"
	echo
	echo "| case | ours | kmod 30 | busybox | ours / kmod | target |"
	echo "| --- | ---: | ---: | ---: | ---: | --- |"
	for c in "${cases[@]}"; do
		name=${c%%|*}
		o=${R[$name,ours]:-0} k=${R[$name,kmod]:-0} b=${R[$name,busybox]:-}
		case $name in 200*) tgt="<= 0.3" ;; 50*) tgt="<= 0.2" ;; *) tgt="<= 0.1, < busybox" ;; esac
		ratio=$(python3 -c "print(f'{$o/$k:.3f}' if $k else 'n/a')")
		echo "| $name | $o | $k | ${b:-n/a} | $ratio | $tgt |"
	done
	echo
	echo "Peak memory (max RSS, KiB) for the 200-modalias run: ours ${R[rss,ours]}, kmod ${R[rss,kmod]}, busybox ${R[rss,busybox]} (target: ours <= busybox)."
	echo
	echo "BusyBox's modprobe reads only the text modules.dep/modules.alias; it has no -D for aliases of"
	echo "other modules' trees, so it runs with the tree bound at /lib/modules/\$(uname -r) in a mount namespace."
} > "$out"
if [ -n "$keep" ]; then
	printf '\n%s\n' "$keep" >> "$out"
fi
cat "$out"
