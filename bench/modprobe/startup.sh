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
cat >rr.c <<'C'
/* rr N CMD ::: CMD ...: runs the commands in turn, N rounds (after 5 warm-up
 * rounds), stdout to /dev/null; prints per command the median wall time in
 * microseconds and the child's minor page faults (wait4). Interleaving
 * spreads whatever else the machine does over all of them alike. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}
int main(int argc, char **argv)
{
	int n = atoi(argv[1]), nc = 0;
	char **cmds[64];
	posix_spawn_file_actions_t fa;

	cmds[nc++] = &argv[2];
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], ":::") == 0) {
			argv[i] = NULL;
			cmds[nc++] = &argv[i + 1];
		}
	double *wall = calloc((size_t)n * nc, sizeof(double));
	long *flt = calloc((size_t)nc, sizeof(long));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (int r = -5; r < n; r++)
		for (int c = 0; c < nc; c++) {
			struct timespec a, b;
			struct rusage ru;
			pid_t pid;
			int st;

			clock_gettime(CLOCK_MONOTONIC, &a);
			if (posix_spawn(&pid, cmds[c][0], &fa, NULL, cmds[c], environ) != 0)
				return 1;
			wait4(pid, &st, 0, &ru);
			clock_gettime(CLOCK_MONOTONIC, &b);
			if (r < 0)
				continue;
			wall[c * n + r] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
			flt[c] = ru.ru_minflt;
		}
	for (int c = 0; c < nc; c++) {
		qsort(wall + c * n, (size_t)n, sizeof(double), cmpd);
		printf("%.1f %ld\n", wall[c * n + n / 2], flt[c]);
	}
	return 0;
}
C
gcc -O2 -o rr rr.c
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

python3 - "$out" "$load_before" "$load_after" "$ours" "$other" "${names[@]}" <<'PY'
import json, statistics, sys
out, before, after, ours, other = sys.argv[1:6]
names = sys.argv[6:]
counts = [l.strip().split('|') for l in open('counts')]
med = [float(l.split()[0]) for l in open('rr.out')]
base = med[0]
rows = ['## Start-up', '',
        f'Made by `bench/modprobe/startup.sh {ours}{" " + other if other else ""} MODDIR` (Debian 12 amd64 tree, '
        'kmod 34.2\'s indexes): every command below run in turn, 400 rounds (its own `rr`: posix_spawn, wait4, '
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
