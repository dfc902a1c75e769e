#!/bin/bash
# Where a single modprobe's start-up time goes: the cost of an exec alone
# (a static program with no C library), of the instructions that trap in a
# virtual machine (CPUID), of page faults, of a static glibc program that
# does nothing, then ours (--version, -D btrfs) and BusyBox 1.37 (true,
# modprobe -D btrfs), run in turn many times; and how many CPUID
# instructions, page faults and system calls each makes (a ptrace
# single-stepper counts the CPUIDs). Writes the section "## Start-up" of
# bench/modprobe/RESULTS.md (run.sh keeps it).
#
# usage: bench/modprobe/startup.sh OUR_BINARY [OUR_OTHER_BINARY] MODDIR
#   MODDIR: a module folder indexed by kmod 34.2's depmod (bound at
#   /lib/modules/$(uname -r) in a private mount namespace).
#   KMOD34: folder of tests/compat/kmod34.sh (default build/kmod34).
# needs: root, gcc (static glibc), strace, python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${RESULTS:-$here/RESULTS.md}
if [ -z "${STARTUP_IN_NS:-}" ]; then
	[ $# -ge 2 ] || { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
	export STARTUP_IN_NS=1 KMOD34=$(cd "${KMOD34:-$repo/build/kmod34}" && pwd)
	exec unshare -m --propagation private "$0" "$@"
fi
ours=$(readlink -f "$1")
other=
if [ $# -ge 3 ]; then other=$(readlink -f "$2"); shift; fi
moddir=$(readlink -f "$2")
busybox=$KMOD34/root/usr/bin/busybox
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -d /lib/modules ] || { echo "startup.sh: needs a /lib/modules folder to mount over" >&2; exit 1; }
mount -t tmpfs none /lib/modules
mkdir "/lib/modules/$(uname -r)"
mount --bind "$moddir" "/lib/modules/$(uname -r)"

cd "$work"
mkdir ours other
ln -s "$ours" ours/modprobe
[ -z "$other" ] || ln -s "$other" other/modprobe
# An exec and nothing else; the same with 20 CPUIDs; with 20 pages
# touched; and a static glibc program whose main returns at once.
cat >exit.c <<'C'
void _start(void) { __asm__ volatile("mov $60, %eax; xor %edi, %edi; syscall"); }
C
cat >cpuid20.c <<'C'
void _start(void)
{
	for (int i = 0; i < 20; i++) {
		unsigned a = 0, b, c = 0, d;
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	}
	__asm__ volatile("mov $60, %eax; xor %edi, %edi; syscall");
}
C
cat >pages20.c <<'C'
static char buf[20 * 4096];
void _start(void)
{
	for (int i = 0; i < 20; i++)
		((volatile char *)buf)[i * 4096] = 1;
	__asm__ volatile("mov $60, %eax; xor %edi, %edi; syscall");
}
C
echo 'int main(void) { return 0; }' >nop.c
for p in exit cpuid20 pages20; do gcc -O1 -static -nostdlib -o $p $p.c; done
gcc -O2 -static -o glibc-nop nop.c
gcc -O2 -o rr "$here/rr.c"
cat >count.c <<'C'
/* Single-steps a program and counts its CPUID instructions. */
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	pid_t p = fork();
	long steps = 0, cpuid = 0;
	int st;

	if (p == 0) {
		freopen("/dev/null", "w", stdout);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	waitpid(p, &st, 0);
	while (!WIFEXITED(st)) {
		struct user_regs_struct r;
		long w;

		ptrace(PTRACE_GETREGS, p, 0, &r);
		w = ptrace(PTRACE_PEEKTEXT, p, r.rip, 0);
		cpuid += (w & 0xffff) == 0xa20f;
		steps++;
		if (ptrace(PTRACE_SINGLESTEP, p, 0, 0) < 0)
			break;
		waitpid(p, &st, 0);
	}
	printf("%ld %ld\n", cpuid, steps);
	return 0;
}
C
gcc -O2 -o count count.c

names=("exec only (no libc)" "exec + 20 CPUID" "exec + 20 pages touched" "static glibc, main returns"
	"ours --version" "ours -D btrfs" "BusyBox true" "BusyBox modprobe -D btrfs")
cmds=("./exit" "./cpuid20" "./pages20" "./glibc-nop" "ours/modprobe --version" "ours/modprobe -D btrfs"
	"$busybox true" "$busybox modprobe -D btrfs")
if [ -n "$other" ]; then
	names+=("ours (2nd build) --version" "ours (2nd build) -D btrfs")
	cmds+=("other/modprobe --version" "other/modprobe -D btrfs")
fi
load_before=$(uptime)
rrargs=()
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2206
	rrargs+=(${rrargs:+:::} $c)
done
./rr "${ROUNDS:-400}" "${rrargs[@]}" >rr.out
load_after=$(uptime)
for i in "${!cmds[@]}"; do
	c=${cmds[$i]}
	# shellcheck disable=SC2086
	cnt=$(./count $c)
	# shellcheck disable=SC2086
	sys=$(strace -f -c $c 2>&1 >/dev/null | awk '/total/ {print $4}')
	echo "${cnt% *}|${cnt#* }|$(sed -n "$((i + 1))s/.* //p" rr.out)|$sys"
done >counts

python3 - "$out" "$load_before" "$load_after" "$ours" "$other" "$moddir" "${names[@]}" <<'PY'
import json, os, statistics, sys
out, before, after, ours, other, moddir = sys.argv[1:7]
names = sys.argv[7:]
rounds = os.environ.get('ROUNDS', '400')
counts = [l.strip().split('|') for l in open('counts')]
med = [float(l.split()[0]) for l in open('rr.out')]
base = med[0]
rows = ['## Start-up', '',
        f'Made by `bench/modprobe/startup.sh {ours}{" " + other if other else ""} MODDIR` (MODDIR: the tree of '
        f'{os.path.basename(moddir)}, kmod 34.2\'s indexes): every command below run in turn, {rounds} rounds (its own `rr`: posix_spawn, wait4, '
        'median wall time, the child\'s minor faults), CPUIDs counted by single-stepping with ptrace, system calls by '
        '`strace -c`. Read the rows against each other: the machine is shared.',
        f'Load before: `{before}`', f'Load after: `{after}`', '',
        '| command | median µs | over exec only | CPUID | instructions | page faults | system calls |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: |']
for n, m, c in zip(names, med, counts):
    rows.append(f'| {n} | {m:.0f} | {m - base:+.0f} | {c[0]} | {int(c[1]):,} | {c[2]} | {c[3]} |')
rows.append('')
text = open(out).read() if __import__('os').path.exists(out) else ''
i = text.find('\n## Start-up\n')
notes = ''
if i >= 0:
    j = text.find('\n## ', i + 1)
    sect = text[i + 1:j if j >= 0 else len(text)]
    k = sect.find('\nWhere it goes')
    if k >= 0:
        notes = sect[k + 1:].rstrip('\n') + '\n'
    text = text[:i + 1] + (text[j + 1:] if j >= 0 else '')
new = '\n'.join(rows) + ('\n' + notes if notes else '')
text = text.rstrip('\n') + '\n\n' + new if text else new
open(out, 'w').write(text)
print(new)
PY
