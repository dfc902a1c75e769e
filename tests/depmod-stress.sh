#!/bin/bash
# Concurrent depmod stress test on a copy of a real module tree.
#
# Usage: tests/depmod-stress.sh [MODUTILS_BINARY]      (default build/modutils)
#
# Three depmods run at once on one module folder for several rounds, each
# under strace with delays injected into its renameat2/renameat, newfstatat,
# statx and openat calls (strace -f -e inject=SYSCALL:delay_exit=US), while
# readers run "modprobe -D" and "modinfo" in a loop. A depmod starts at a
# random time, or (one time in two, after the first) as soon as another
# run's mirror stands beside the folder, its openat of the folder to scan
# it then delayed past that run's exchange back: the interleaving where a
# run that scans while another one switches the folder indexed nothing.
# After every round:
#   - every depmod exited 0 and printed what an undisturbed run prints;
#   - the folder holds a complete index set, exactly that of state A or of
#     state B (never empty, never mixed), and exactly the state the round's
#     runs were started in when all of them used the same one;
#   - every reader answer during the round was one of the two right answers
#     (state A's or state B's), never an error;
#   - nothing is left beside or in the folder (no temporary file, no mirror:
#     the folder and the one above list exactly what they listed before);
#   - the module subfolders are still folders and every module is there.
# The two states are two depmod.d configurations (-C) over one tree: A says
# "search kernel built-in", B says "search updates built-in" (updates/ holds
# hard links to a few modules, so their paths differ) and excludes a folder
# (so the alias and symbol indexes differ too). Their index sets and reader
# answers are taken from one undisturbed depmod run each.
#
# The tree is Debian's amd64 one from tests/compat/trees.sh --only amd64
# (downloaded once, then reused), copied with hard links (cp -al).
#
# Environment:
#   STRESS_ROUNDS=12         rounds (every third one mixes the two states)
#   STRESS_DEPMODS=3         depmods per round
#   STRESS_MODULES=0         0: every module; N: the first N of modules.order
#                            and what they depend on
#   STRESS_MAX_DELAY_US=150000   largest injected delay (rename/open windows)
#   STRESS_STAGGER_MS=       spread of the random start times (default: the
#                            measured time of one depmod under strace)
#   STRESS_SEED=             seed of the delays and start times (printed)
#   STRESS_TREE="ROOT VERSION"   use this tree instead of trees.sh's
#   STRESS_SERIALISE=1       run the depmods one at a time (external flock on
#                            a lock file): a self-check of the checks
#   STRESS_KEEP=1            keep the working folder
#   STRESS_TRACE=1           with STRESS_KEEP: keep each depmod's strace log
#                            (-ttt) in its log folder
# Prints PASS/FAIL lines and ends with "depmod-stress: N passed, N failed";
# exits 1 on any failure, including when the test could not run (no strace,
# ptrace refused, no tree): it never passes without having stressed.
#
# Debian packages: strace, util-linux (flock), coreutils, findutils, and
# what tests/compat/trees.sh needs (apt, dpkg, kmod).
set -u
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$src/build/modutils}
rounds=${STRESS_ROUNDS:-12}
ndepmods=${STRESS_DEPMODS:-3}
nmodules=${STRESS_MODULES:-0}
maxdelay=${STRESS_MAX_DELAY_US:-150000}
stagger=${STRESS_STAGGER_MS:-}
seed=${STRESS_SEED:-$(( $(date +%s%N) % 1000000 ))}
serialise=${STRESS_SERIALISE:-0}
passed=0 failed=0
started=$(date +%s)

pass() { echo "PASS depmod-stress: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL depmod-stress: $*"; failed=$((failed + 1)); }
note() { echo "depmod-stress: $*"; }
finish() {
	note "$(( $(date +%s) - started )) s, seed $seed"
	echo "depmod-stress: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}
# The test could not run: that is a failure, never a silent pass.
cannot() { fail "cannot run: $*"; finish; }

RANDOM=$seed
rnd() { # VAR LOW HIGH: VAR=a random integer in [LOW, HIGH] (no subshell:
	# a subshell reseeds RANDOM, and a seed must reproduce a run)
	printf -v "$1" %d $(( $2 + (RANDOM * 32768 + RANDOM) % ($3 - $2 + 1) ))
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ------------------------------------------------------------------ tools
[ -x "$bin" ] || cannot "no binary $bin (make -s first)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
if ! command -v strace >/dev/null; then
	note "strace missing; installing it (Debian package strace)"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q strace >/dev/null 2>&1 ||
		{ $sudo apt-get update -q >/dev/null 2>&1;
		  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q strace >/dev/null 2>&1; }
	command -v strace >/dev/null || cannot "strace is not installed and could not be installed"
fi
command -v flock >/dev/null || cannot "flock missing (Debian package util-linux)"
# strace must be able to trace and must really delay: 2 x 200 ms on openat.
t0=$(now_ms)
out=$(strace -f -qq -o /dev/null -e trace=openat -e inject=openat:delay_exit=200000:when=1..2 \
	cat /dev/null /dev/null 2>&1) || cannot "strace cannot trace here: $out"
t1=$(now_ms)
[ $((t1 - t0)) -ge 400 ] || cannot "strace injected no delay (took $((t1 - t0)) ms for 400 ms of delays): $out"
seccomp=
strace -f -qq --seccomp-bpf -o /dev/null -e trace=openat true 2>/dev/null && seccomp=--seccomp-bpf
pass "strace traces and delays ($(strace -V | head -n 1))"

# ------------------------------------------------------------------ tree
if [ -n "${STRESS_TREE:-}" ]; then
	read -r troot version <<<"$STRESS_TREE"
else
	line=$(bash "$src/tests/compat/trees.sh" --only amd64 | grep '^trees: amd64 ' | tail -n 1)
	[ -n "$line" ] || cannot "tests/compat/trees.sh --only amd64 gave no tree"
	read -r _ _ troot version _ <<<"$line"
fi
[ -d "${troot:-}/lib/modules/${version:-}" ] || cannot "no tree at ${troot:-?}/lib/modules/${version:-?}"

mkdir -p "$src/build"
tmp=$(mktemp -d "$src/build/depmod-stress.XXXXXX") || cannot "mktemp failed"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${STRESS_KEEP:-0}" = 1 ]; then note "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

root=$tmp/root
dir=$root/lib/modules/$version
mkdir -p "$root/lib/modules" "$tmp/modprobe.d" "$tmp/log"
cp -al "$troot/lib/modules/$version" "$root/lib/modules/" 2>/dev/null ||
	{ rm -rf "$dir"; cp -a "$troot/lib/modules/$version" "$root/lib/modules/"; } ||
	cannot "could not copy the tree"
[ -s "$dir/modules.dep" ] || cannot "$dir/modules.dep is missing or empty (trees.sh runs kmod's depmod)"

# A subset: the first N modules of modules.order and what they need.
if [ "$nmodules" -gt 0 ]; then
	awk -v n="$nmodules" '
		FNR == NR { if (FNR <= n) want[$0] = 1; next }
		{ sub(":", ""); for (i = 2; i <= NF; i++) dep[$1] = dep[$1] " " $i; all[$1] = 1 }
		END {
			do { more = 0
				for (m in want) { k = split(dep[m], d, " ")
					for (i = 1; i <= k; i++) if (!(d[i] in want)) { want[d[i]] = 1; more = 1 } }
			} while (more)
			for (m in all) if (!(m in want)) print m
		}' "$dir/modules.order" "$dir/modules.dep" >"$tmp/drop"
	(cd "$dir" && xargs -r rm -f <"$tmp/drop")
	# Its modules.dep without them (a new file: the copy's is a hard link).
	awk 'FNR == NR { drop[$0] = 1; next } { m = $1; sub(":", "", m) } !(m in drop)' \
		"$tmp/drop" "$dir/modules.dep" >"$tmp/modules.dep" && mv "$tmp/modules.dep" "$dir/modules.dep"
fi

# The modules readers ask for (none under the folder B excludes): X, one
# with dependencies that others need (copied into updates/ so its path
# differs between A and B), Y, a module that needs X, and Z, one that needs
# something else.
excl=sound
awk -v ex="/$excl/" '
	index($0, ex) { next }
	{ sub(":", ""); self[$1] = NF - 1; deps[$1] = " " $0 " "
	  for (i = 2; i <= NF; i++) { users[$i]++; user[$i] = user[$i] " " $1 } }
	END {
		for (m in self) if (self[m] >= 1 && users[m] > best) { best = users[m]; x = m }
		k = split(user[x], u, " ")
		for (i = 1; i <= k; i++) if (self[u[i]] > ybest) { ybest = self[u[i]]; y = u[i] }
		for (m in self) if (self[m] >= 2 && m != x && index(deps[m], " " x " ") == 0 &&
		    self[m] > zbest) { zbest = self[m]; z = m }
		print x; print y; print z
	}' "$dir/modules.dep" >"$tmp/picked"
{ read -r xpath; read -r ypath; read -r zpath; } <"$tmp/picked"
[ -n "$xpath" ] && [ -n "$ypath" ] && [ -n "$zpath" ] || cannot "could not pick modules to read"
modname() { local b=${1##*/}; b=${b%%.*}; echo "${b//-/_}"; }
x=$(modname "$xpath") y=$(modname "$ypath") z=$(modname "$zpath")
mkdir -p "$dir/updates"
ln "$dir/$xpath" "$dir/updates/${xpath##*/}" || cannot "could not link $xpath into updates/"
printf 'search kernel built-in\n' >"$tmp/A.conf"
printf 'search updates built-in\nexclude %s\n' "$excl" >"$tmp/B.conf"
nko=$(find "$dir" -name '*.ko*' -type f | wc -l)
note "tree $version: $nko modules; readers ask for $x (updates/ in B), $y (needs $x), $z"

for a in depmod modprobe modinfo; do ln -sf "$bin" "$tmp/$a"; done

# Reader commands (strings for eval), with the answers of A and B.
q() { printf '%q' "$1"; }
rcmd=(
	"$(q "$tmp/modprobe") -C $(q "$tmp/modprobe.d") -d $(q "$root") -S $(q "$version") -D $x"
	"$(q "$tmp/modprobe") -C $(q "$tmp/modprobe.d") -d $(q "$root") -S $(q "$version") -D $y"
	"$(q "$tmp/modprobe") -C $(q "$tmp/modprobe.d") -d $(q "$root") -S $(q "$version") -D $z"
	"$(q "$tmp/modinfo") -b $(q "$root") -k $(q "$version") -n $x"
	"$(q "$tmp/modinfo") -b $(q "$root") -k $(q "$version") -F depends $y"
	"$(q "$tmp/modinfo") -b $(q "$root") -k $(q "$version") -n $z"
)
rlabel=("modprobe -D $x" "modprobe -D $y" "modprobe -D $z" "modinfo -n $x" "modinfo -F depends $y" "modinfo -n $z")
readers_mp=(0 1 2) readers_mi=(3 4 5)

# The set: a checksum of every regular file of the folder's top level.
setsum() { (cd "$dir" && find . -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort | xargs -r sha256sum); }
listing() { (cd "$1" && LC_ALL=C ls -A); }

reference() { # STATE
	local s=$1 k out
	"$tmp/depmod" -C "$tmp/$s.conf" -b "$root" "$version" >"$tmp/log/ref-$s.out" 2>&1 ||
		cannot "undisturbed depmod for state $s failed: $(cat "$tmp/log/ref-$s.out")"
	setsum >"$tmp/set-$s"
	for k in "${!rcmd[@]}"; do
		out=$(eval "${rcmd[$k]}" 2>&1) || cannot "state $s: ${rcmd[$k]} failed: $out"
		[ -n "$out" ] || cannot "state $s: ${rcmd[$k]} answered nothing"
		eval "ans_${s}_$k=\$out"
	done
}
reference B
reference A  # the folder starts in state A
cmp -s "$tmp/set-A" "$tmp/set-B" && cannot "states A and B give the same index set"
ndiff=$(diff "$tmp/set-A" "$tmp/set-B" | grep -c '^<')
[ "$ans_A_0" != "$ans_B_0" ] && [ "$ans_A_3" != "$ans_B_3" ] ||
	cannot "the reader answers for $x do not differ between A and B"
[ "$(grep -c . "$dir/modules.dep")" -gt 0 ] || cannot "state A indexes no module"
pass "reference sets: A and B differ in $ndiff of $(wc -l <"$tmp/set-A") files, and in the answers for $x and $y"
listing "$dir" >"$tmp/list-dir"
listing "$root/lib/modules" >"$tmp/list-parent"

# ------------------------------------------------------------------ depmod under strace
delays() { # sets $inject: random delays for one depmod
	local dr dn ds step dx dop last
	rnd dr 2000 "$maxdelay"                  # renameat2: the folder exchanges
	rnd dn 1000 $((maxdelay / 8 + 1000))     # renameat: the files renamed in
	rnd ds 10 200; rnd step 1 4              # newfstatat: every STEP-th call
	rnd dx 1000 20000                        # statx
	rnd dop 2000 "$maxdelay"; rnd last 8 16  # openat: the first ones (libraries,
	                                         # config, the folder, its subfolders)
	inject="renameat2:delay_exit=$dr renameat:delay_exit=$dn newfstatat:delay_exit=$ds:when=1+$step"
	inject="$inject statx:delay_exit=$dx openat:delay_exit=$dop:when=1..$last"
}
traced() { # STATE LOGNAME INJECT [TRACEFILE]: one depmod under strace
	local s=$1 name=$2 inject=$3 out=${4:-/dev/null} i
	echo "$name: state $s inject $3" >>"$tmp/log/delays"
	set -- strace -f -qq -ttt $seccomp -o "$out" -e trace=renameat2,renameat,newfstatat,statx,openat
	for i in $inject; do set -- "$@" -e inject="$i"; done
	set -- "$@" "$tmp/depmod" -C "$tmp/$s.conf" -b "$root" "$version"
	[ "$serialise" = 1 ] && set -- flock "$tmp/serial.lock" "$@"
	"$@" >"$tmp/log/$name.out" 2>&1
	echo $? >"$tmp/log/$name.rc"
}

# Calibration: one traced run in the current state (A), undisturbed: how
# long it takes, when it opens the folder to scan it and when it first
# exchanges it (the window where a mirror stands in for the folder starts).
delays
t0=$(now_ms)
traced A calibrate "$inject" "$tmp/log/calibrate.strace"
t1=$(now_ms)
[ "$(cat "$tmp/log/calibrate.rc")" = 0 ] || cannot "depmod under strace failed: $(cat "$tmp/log/calibrate.out")"
cmp -s <(setsum) "$tmp/set-A" || cannot "depmod under strace, alone, did not give state A's set"
cmp -s "$tmp/log/calibrate.out" "$tmp/log/ref-A.out" ||
	cannot "depmod under strace, alone, printed: $(diff "$tmp/log/ref-A.out" "$tmp/log/calibrate.out" | head -n 5)"
read -r open_ms commit_ms open_nth < <(awk -v t0="$t0" -v d="\"$dir\"" '
	$3 ~ /^openat\(/ { n++ }
	$3 ~ /^openat\(/ && index($0, d) && !o { o = int($2 * 1000 - t0); nth = n }
	$3 ~ /^renameat2\(/ && !c { c = int($2 * 1000 - t0) }
	END { print o + 0, c + 0, nth + 0 }' "$tmp/log/calibrate.strace")
[ "$open_nth" -gt 0 ] && [ "$commit_ms" -gt "$open_ms" ] ||
	cannot "the calibration run did not open the folder, then exchange it (renameat2): $open_ms ms, $commit_ms ms"
[ -n "$stagger" ] || stagger=$((t1 - t0))
note "one depmod under strace: $((t1 - t0)) ms, scans from $open_ms ms (openat #$open_nth), exchanges at $commit_ms ms; seed $seed"

# Sleeping without a fork: read with a timeout on a FIFO nobody writes.
mkfifo "$tmp/never"
exec {never}<>"$tmp/never"
sleep_ms() { read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u "$never" _; }
shopt -s nullglob dotglob
nbeside=$(cd "$root/lib/modules" && set -- *; echo $#)
# start_when R I HOW: wait for depmod I's start. HOW "at MS": MS after the
# round began. HOW "beside MS": once depmod I-1 has started, as soon as
# anything stands beside the folder (another run's mirror: the folder is
# being exchanged) and then MS more; or after 2 lengths of a run.
start_when() {
	local r=$1 i=$2 how=$3 ms=$4 t=0 e
	if [ "$how" = at ]; then
		sleep_ms "$ms"
	else
		while [ ! -e "$tmp/log/round$r.depmod$((i - 1)).started" ] && [ $t -lt $((8 * stagger)) ]; do
			sleep_ms 5; t=$((t + 5))
		done
		t=0
		while e=("$root/lib/modules"/*); [ ${#e[@]} -le "$nbeside" ] && [ $t -lt $((2 * stagger)) ]; do
			sleep_ms 2; t=$((t + 2))
		done
		[ "$ms" -eq 0 ] || sleep_ms "$ms"
	fi
	touch "$tmp/log/round$r.depmod$i.started"
}

# ------------------------------------------------------------------ readers
reader() { # ROUND NAME INDEX...: ask in a loop until the stop file appears
	local r=$1 name=$2 ok=0 bad=0 k out; shift 2
	while [ ! -e "$tmp/stop" ]; do
		for k in "$@"; do
			out=$(eval "${rcmd[$k]}" 2>&1)
			local rc=$? a b
			eval "a=\$ans_A_$k b=\$ans_B_$k"
			if [ "$rc" -eq 0 ] && { [ "$out" = "$a" ] || [ "$out" = "$b" ]; }; then
				ok=$((ok + 1))
			else
				bad=$((bad + 1))
				[ "$bad" -le 3 ] && printf '%s: exit %s: %s\n' "${rlabel[$k]}" "$rc" "$(echo "$out" | head -n 2)" \
					>>"$tmp/log/round$r.bad"
			fi
		done
	done
	echo "$ok $bad" >"$tmp/log/round$r.$name"
}

# ------------------------------------------------------------------ rounds
state_of() { # a set file's state: A, B, or a description of the mix
	if cmp -s "$1" "$tmp/set-A"; then echo A
	elif cmp -s "$1" "$tmp/set-B"; then echo B
	else
		local f sum a b what= deplines
		while read -r sum f; do
			a=$(awk -v f="$f" '$2 == f {print $1}' "$tmp/set-A")
			b=$(awk -v f="$f" '$2 == f {print $1}' "$tmp/set-B")
			if [ "$sum" = "$a" ] && [ "$sum" = "$b" ]; then continue
			elif [ "$sum" = "$a" ]; then what="$what ${f#./}=A"
			elif [ "$sum" = "$b" ]; then what="$what ${f#./}=B"
			else what="$what ${f#./}=neither"; fi
		done <"$1"
		deplines=$(grep -c . "$dir/modules.dep" 2>/dev/null)
		echo "mixed/other (modules.dep: ${deplines:-missing} lines;$what)"
	fi
}

for r in $(seq 1 "$rounds"); do
	states=()
	if [ $((r % 3)) -eq 0 ] && [ "$ndepmods" -ge 2 ]; then
		for i in $(seq 1 "$ndepmods"); do rnd c 0 1; states+=("$( [ "$c" = 0 ] && echo A || echo B)"); done
		states[0]=A states[1]=B
		want="A or B"
	else
		s=$( [ $((r % 2)) = 1 ] && echo B || echo A)
		for i in $(seq 1 "$ndepmods"); do states+=("$s"); done
		want=$s
	fi
	rm -f "$tmp/stop"
	t0=$(now_ms)
	reader "$r" mp "${readers_mp[@]}" & rp1=$!
	reader "$r" mi "${readers_mi[@]}" & rp2=$!
	pids="$rp1 $rp2"
	dpids=
	# Start times: at random over one run's length, or (a depmod after
	# the first, one time in two) when the depmod before it has started
	# and a mirror stands in for the folder (a run is exchanging it): that
	# one's openat of the folder to scan it is delayed, so that it goes on
	# scanning after the exchange back.
	for i in $(seq 1 "$ndepmods"); do
		delays
		rnd mode 0 1
		if [ "$i" -gt 1 ] && [ "$mode" = 1 ]; then
			rnd delay 0 20; rnd dop 30000 $((maxdelay * 2 + 100000))
			inject="${inject% openat:*} openat:delay_exit=$dop:when=$open_nth"
			how=beside
		else
			rnd delay 0 "$stagger"
			how=at
		fi
		echo "round$r.depmod$i: starts $how $delay ms" >>"$tmp/log/delays"
		( start_when "$r" "$i" "$how" "$delay"
		  traced "${states[$((i - 1))]}" "round$r.depmod$i" "$inject" \
			"$( [ "${STRESS_TRACE:-0}" = 1 ] && echo "$tmp/log/round$r.depmod$i.strace" || echo /dev/null)" ) &
		dpids="$dpids $!"
	done
	pids="$pids $dpids"
	for p in $dpids; do wait "$p"; done
	touch "$tmp/stop"
	wait "$rp1" "$rp2"
	pids=
	t1=$(now_ms)
	what="round $r (${states[*]}, $((t1 - t0)) ms)"

	bad= said=
	for i in $(seq 1 "$ndepmods"); do
		rc=$(cat "$tmp/log/round$r.depmod$i.rc" 2>/dev/null || echo '?')
		[ "$rc" = 0 ] || bad="$bad depmod$i:exit=$rc"
		cmp -s "$tmp/log/round$r.depmod$i.out" "$tmp/log/ref-${states[$((i - 1))]}.out" || said="$said depmod$i"
	done
	if [ -z "$bad" ]; then pass "$what: every depmod exited 0"
	else fail "$what: depmod exit status:$bad"; fi
	# An undisturbed run's messages, no more: an error message with exit 0
	# (a folder it could not scan) is a failure too.
	if [ -z "$said" ]; then pass "$what: every depmod printed what an undisturbed run prints"
	else
		fail "$what: depmod messages unlike an undisturbed run's:$said"
		for i in $(seq 1 "$ndepmods"); do
			cmp -s "$tmp/log/round$r.depmod$i.out" "$tmp/log/ref-${states[$((i - 1))]}.out" ||
				sed "s/^/    depmod$i: /" "$tmp/log/round$r.depmod$i.out" | head -n 4
		done
	fi

	setsum >"$tmp/set-now"
	got=$(state_of "$tmp/set-now")
	case $want:$got in
	A:A | B:B | "A or B:A" | "A or B:B") pass "$what: the folder holds state $got's complete set" ;;
	*) fail "$what: the folder holds $got, want $want" ;;
	esac

	read -r ok1 bad1 <"$tmp/log/round$r.mp" 2>/dev/null || ok1=0 bad1=?
	read -r ok2 bad2 <"$tmp/log/round$r.mi" 2>/dev/null || ok2=0 bad2=?
	if [ "$bad1" = 0 ] && [ "$bad2" = 0 ] && [ "$ok1" -gt 0 ] && [ "$ok2" -gt 0 ]; then
		pass "$what: $((ok1 + ok2)) reader answers, all right"
	else
		fail "$what: reader answers: modprobe $ok1 right, $bad1 wrong; modinfo $ok2 right, $bad2 wrong"
		[ -f "$tmp/log/round$r.bad" ] && sed 's/^/    /' "$tmp/log/round$r.bad" | head -n 12
	fi

	extra=$( { diff "$tmp/list-parent" <(listing "$root/lib/modules") | sed -n 's|^> |lib/modules/|p'
		   diff "$tmp/list-dir" <(listing "$dir") | sed -n "s|^> |$version/|p"; } | tr '\n' ' ')
	missing=$( { diff "$tmp/list-parent" <(listing "$root/lib/modules") | sed -n 's|^< |lib/modules/|p'
		     diff "$tmp/list-dir" <(listing "$dir") | sed -n "s|^< |$version/|p"; } | tr '\n' ' ')
	if [ -z "$extra" ] && [ -z "$missing" ]; then pass "$what: nothing left beside or in the folder"
	else fail "$what: left over: ${extra:-none}; gone: ${missing:-none}"; fi

	n=$(find "$dir" -name '*.ko*' -type f | wc -l)
	if [ -d "$dir/kernel" ] && [ ! -L "$dir/kernel" ] && [ -d "$dir/updates" ] && [ ! -L "$dir/updates" ] &&
		[ "$n" -eq "$nko" ]; then
		pass "$what: kernel/ and updates/ are folders, all $nko modules there"
	else
		fail "$what: module folders: kernel/ $(stat -c %F "$dir/kernel" 2>&1), $n of $nko modules"
	fi

	# A broken round leaves the next one a broken start: put state A's
	# set back undisturbed (and report it) so later rounds test again.
	if [ "$failed" -gt 0 ] && ! cmp -s <(setsum) "$tmp/set-A" && ! cmp -s <(setsum) "$tmp/set-B"; then
		"$tmp/depmod" -C "$tmp/A.conf" -b "$root" "$version" >/dev/null 2>&1
	fi
done

finish
