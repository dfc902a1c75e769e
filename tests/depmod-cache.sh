#!/bin/bash
# depmod's cache (modules.depmod-cache, CONFIG_FEATURE_DEPMOD_CACHE) never
# changes what depmod writes or says.
#
# Usage: tests/depmod-cache.sh [MODUTILS_BINARY]      (default build/modutils)
# The binary must be built with CONFIG_FEATURE_DEPMOD_CACHE=y (off in the
# defconfig; scripts/test-all.sh makes build/cache for it).
#
# On a copy of a real tree (cp -al; a pool of modules is copied for real,
# so that only files of our own are written or touched), several rounds of
# random changes, each followed by a depmod run that uses and rewrites the
# cache in the tree and by a full run (--no-cache -o elsewhere) on the same
# tree. After each round: every index file, stdout, stderr and the exit
# status of the two runs are the same, and the cache file is there with
# entries. The changes: add a module (a copy of another, under a new name or
# the same name in updates/), remove one, replace one by another's content
# (a new file, or written in place), touch one, rewrite one in place with
# the same size and put its mtime back (only ctime tells), rename one
# (new module name), change the depmod.d file (search order, override,
# exclude), and a damaged cache (a flipped byte, cut short, emptied).
#
# The tree is Debian 12's amd64 one from tests/compat/trees.sh --only amd64.
#
# Environment:
#   CACHE_ROUNDS=8        rounds
#   CACHE_CHANGES=6       random changes per round
#   CACHE_POOL=120        modules copied for real (the ones changed)
#   CACHE_SEED=           seed (printed)
#   CACHE_TREE="ROOT VERSION"  use this tree
#   CACHE_KEEP=1          keep the working folder
# Prints PASS/FAIL lines and ends with "depmod-cache: N passed, N failed";
# exits 1 on any failure, also when it could not run.
set -u
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$src/build/modutils}
rounds=${CACHE_ROUNDS:-8}
nchanges=${CACHE_CHANGES:-6}
npool=${CACHE_POOL:-120}
seed=${CACHE_SEED:-$(( $(date +%s) % 100000 ))}
pass=0 fail=0

ok() { echo "PASS: $*"; pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }
finish() {
	echo "depmod-cache: $pass passed, $fail failed"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
	exit $?
}

if [ -n "${CACHE_TREE:-}" ]; then
	set -- $CACHE_TREE
	troot=$1 ver=$2
else
	troot=$src/build/compat-trees/amd64
	ver=$(ls "$troot/lib/modules" 2>/dev/null | head -n 1)
fi
if [ ! -x "$bin" ] || [ -z "$ver" ] || [ ! -d "$troot/lib/modules/$ver" ]; then
	ko "setup: no binary $bin or no tree under $troot (tests/compat/trees.sh --only amd64)"
	finish
fi
echo "depmod-cache: seed $seed, tree $troot $ver"
RANDOM=$seed

work=$(mktemp -d "${TMPDIR:-/tmp}/depmod-cache.XXXXXX")
[ "${CACHE_KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
root=$work/root full=$work/full
mdir=$root/lib/modules/$ver
mkdir -p "$root/lib/modules" "$root/etc/depmod.d" "$full"
cp -al "$troot/lib/modules/$ver" "$root/lib/modules/" || { ko "setup: cp -al"; finish; }
: > "$root/etc/depmod.d/test.conf"

# the pool: our own copies (never write through a hard link to the tree)
(cd "$mdir" && find kernel -name '*.ko*' -type f | sort) > "$work/all"
total=$(wc -l < "$work/all")
: > "$work/pool"
for ((i = 0; i < npool; i++)); do
	sed -n "$(( (RANDOM * 32768 + RANDOM) % total + 1 ))p" "$work/all"
done | sort -u > "$work/pool"
while read -r f; do
	cp -p "$mdir/$f" "$mdir/$f.tmp" && mv -f "$mdir/$f.tmp" "$mdir/$f"
done < "$work/pool"
mapfile -t pool < "$work/pool"
n_added=0

pick() { # a pool module still there
	local k
	for k in 1 2 3 4 5 6 7 8; do
		p=${pool[$((RANDOM % ${#pool[@]}))]}
		[ -f "$mdir/$p" ] && return 0
	done
	return 1
}

change() {
	local op=$((RANDOM % 10)) p2 d base sz mt
	pick || return 0
	case $op in
	0) # add a copy under a new name
		n_added=$((n_added + 1))
		mkdir -p "$mdir/kernel/extra"
		cp "$mdir/$p" "$mdir/kernel/extra/cachetest_$n_added.ko"
		pool+=("kernel/extra/cachetest_$n_added.ko")
		echo "  add kernel/extra/cachetest_$n_added.ko (from $p)";;
	1) # add the same module name in updates/ (wins by search order)
		mkdir -p "$mdir/updates"
		cp "$mdir/$p" "$mdir/updates/$(basename "$p")"
		pool+=("updates/$(basename "$p")")
		echo "  add updates/$(basename "$p")";;
	2) rm -f "$mdir/$p"; echo "  remove $p";;
	3) # replace by another module's content: a new file
		p2=$p; pick || return 0
		cp "$mdir/$p2" "$mdir/$p.new" && mv -f "$mdir/$p.new" "$mdir/$p"
		echo "  replace $p by $p2 (new inode)";;
	4) # replace in place (same inode)
		p2=$p; pick || return 0
		[ "$p2" = "$p" ] && return 0
		cat "$mdir/$p2" > "$mdir/$p"
		echo "  rewrite $p with $p2 (same inode)";;
	5) touch "$mdir/$p"; echo "  touch $p";;
	6) # same size, mtime put back: only ctime changes
		sz=$(stat -c %s "$mdir/$p") mt=$(stat -c %y "$mdir/$p")
		# "alias=" -> "alias_" in .modinfo: the alias goes away
		# (written through the same inode: sed -i would make a new file)
		LC_ALL=C sed 's/alias=/alias_/' "$mdir/$p" > "$work/edit" 2>/dev/null
		cat "$work/edit" > "$mdir/$p"
		touch -d "$mt" "$mdir/$p"
		[ "$(stat -c %s "$mdir/$p")" = "$sz" ] || echo "  (size changed)"
		echo "  edit $p in place, mtime kept";;
	7) # rename: another module name
		d=$(dirname "$p") base=$(basename "$p")
		mv "$mdir/$p" "$mdir/$d/r${RANDOM}_$base"
		pool+=("$d/r${RANDOM}_$base")
		echo "  rename $p";;
	8) # depmod.d
		case $((RANDOM % 4)) in
		0) echo "search updates extra built-in" > "$root/etc/depmod.d/test.conf";;
		1) echo "override $(basename "${p%%.ko*}") * extra" > "$root/etc/depmod.d/test.conf";;
		2) echo "exclude extra" > "$root/etc/depmod.d/test.conf";;
		3) : > "$root/etc/depmod.d/test.conf";;
		esac
		echo "  depmod.d: $(cat "$root/etc/depmod.d/test.conf")";;
	9) # the cache damaged
		local c=$mdir/modules.depmod-cache
		[ -s "$c" ] || return 0
		sz=$(stat -c %s "$c")
		case $((RANDOM % 3)) in
		0) cp "$c" "$c.x" && printf '\x5a' | dd of="$c.x" bs=1 seek=$(( (RANDOM * 32768 + RANDOM) % sz )) conv=notrunc 2>/dev/null
		   mv -f "$c.x" "$c"; echo "  cache: a byte changed";;
		1) head -c $((sz / 2 + 1)) "$c" > "$c.x" && mv -f "$c.x" "$c"; echo "  cache: cut short";;
		2) : > "$c.x" && mv -f "$c.x" "$c"; echo "  cache: emptied";;
		esac;;
	esac
}

names="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep modules.weakdep
modules.symbols modules.symbols.bin modules.builtin.bin modules.builtin.alias.bin modules.devname"

compare() { # round
	local r=$1 f bad=""
	for f in $names; do
		cmp -s "$mdir/$f" "$full/lib/modules/$ver/$f" || bad="$bad $f"
	done
	[ -z "$bad" ] && ok "round $r: index files identical" || ko "round $r: files differ:$bad"
	cmp -s "$work/c.out" "$work/f.out" && ok "round $r: stdout identical" || ko "round $r: stdout differs"
	if cmp -s "$work/c.err" "$work/f.err"; then
		ok "round $r: stderr identical ($(wc -l < "$work/c.err") lines)"
	else
		ko "round $r: stderr differs"; diff "$work/c.err" "$work/f.err" | head -n 10
	fi
	[ "$crc" = "$frc" ] && ok "round $r: exit status $crc" || ko "round $r: exit $crc, full run $frc"
	if [ "$(stat -c %s "$mdir/modules.depmod-cache" 2>/dev/null || echo 0)" -gt 4096 ]; then
		ok "round $r: cache written"
	else
		ko "round $r: no cache with entries"
	fi
}

run_both() { # round: the options change with it
	local opts
	case $(($1 % 3)) in
	0) opts="-w -e -F $troot/boot/System.map-$ver";;
	1) opts="-e -E $work/Module.symvers";;  # every CRC compared
	2) opts="";;
	esac
	[ -f "$troot/boot/System.map-$ver" ] || opts=""
	"$bin" depmod $opts -b "$root" -C "$root/etc/depmod.d" "$ver" > "$work/c.out" 2> "$work/c.err"
	crc=$?
	rm -rf "$full/lib"
	"$bin" depmod $opts --no-cache -b "$root" -o "$full" -C "$root/etc/depmod.d" "$ver" \
		> "$work/f.out" 2> "$work/f.err"
	frc=$?
}

# kernel symbols with made-up CRCs (some agree with no module: warnings)
awk '$3 ~ /^__ksymtab_/ { n++; printf "0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\n", (n % 7 ? 0 : n), substr($3, 11) }' \
	"$troot/boot/System.map-$ver" > "$work/Module.symvers" 2>/dev/null

# round 0 writes the first cache; the copies just made are "racy" (changed
# moments ago) until a few seconds have passed
run_both 0
if [ ! -f "$mdir/modules.depmod-cache" ]; then
	ko "setup: $bin wrote no cache (built without CONFIG_FEATURE_DEPMOD_CACHE?)"
	finish
fi
sleep 4
for ((r = 1; r <= rounds; r++)); do
	echo "round $r:"
	for ((k = 0; k < nchanges; k++)); do
		change
	done
	[ $((r % 3)) = 0 ] && sleep 4 # some rounds with the changes settled
	run_both "$r"
	compare "$r"
done

# a cache of another format or build is ignored, and so is one in the way
printf 'MUDMCACH\002\000\000\000' > "$mdir/modules.depmod-cache"
run_both 1
compare "other-format"

# the cache is used: with nothing changed (and settled), no module is opened;
# with one module touched, that one alone (strace counts the opens). On a
# tree of real copies (the pool): the hard-linked files share their inodes
# with the source tree, whose ctime changes whenever anyone links it.
if command -v strace > /dev/null; then
	small=$work/small smdir=$work/small/lib/modules/$ver
	mkdir -p "$smdir" "$work/small.d"
	for p in "${pool[@]}"; do
		[ -f "$mdir/$p" ] || continue
		mkdir -p "$smdir/$(dirname "$p")"
		cp -p "$mdir/$p" "$smdir/$p"
	done
	opens() {
		strace -f -qq -e trace=openat,open -o "$work/trace" \
			"$bin" depmod -b "$small" -C "$work/small.d" "$ver" > /dev/null 2>&1
		grep -c '\.ko[."]' "$work/trace"
	}
	n=$(opens)
	sm=$(wc -l < "$smdir/modules.dep")  # one file a module name
	[ "$n" = "$sm" ] && ok "no cache: all $sm modules opened" || ko "no cache: $n of $sm modules opened"
	sleep 4
	opens > /dev/null  # the cache of a settled tree
	n=$(opens)
	[ "$n" = 0 ] && ok "unchanged tree: no module opened" || ko "unchanged tree: $n modules opened"
	t=$smdir/$(head -n 1 "$smdir/modules.dep" | cut -d: -f1)  # one that is read
	touch "$t"
	n=$(opens)
	[ "$n" = 1 ] && ok "one module touched: it alone opened" || ko "one module touched: $n modules opened"
	n=$(opens)
	[ "$n" = 1 ] && ok "just after: it is still read (racy)" || ko "just after: $n modules opened"
	sleep 4
	opens > /dev/null
	n=$(opens)
	[ "$n" = 0 ] && ok "settled: no module opened" || ko "settled: $n modules opened"
	"$bin" depmod --no-cache -b "$small" -C "$work/small.d" "$ver" > /dev/null 2>&1
	n=$(opens)
	# --no-cache leaves the old cache as it was: per-file facts stay true
	[ "$n" = 0 ] && ok "after a --no-cache run: the old cache still used" || ko "after --no-cache: $n modules opened"
	mv "$t" "$t.moved" && mv "$t.moved" "$t"  # a rename changes ctime only
	n=$(opens)
	[ "$n" = 1 ] && ok "renamed back: read again (ctime)" || ko "renamed back: $n modules opened"
	# -n writes nothing, and says what a run without the cache says
	rm -f "$smdir/modules.depmod-cache"
	"$bin" depmod -n -b "$small" -C "$work/small.d" "$ver" > "$work/n1" 2>&1
	[ ! -e "$smdir/modules.depmod-cache" ] && ok "-n: no cache written" || ko "-n wrote a cache"
	"$bin" depmod -n --no-cache -b "$small" -C "$work/small.d" "$ver" > "$work/n2" 2>&1
	cmp -s "$work/n1" "$work/n2" && ok "-n: same output as without the cache" || ko "-n: output differs"
	# -o: the cache goes with the files, into the output tree, and is used
	sleep 4  # the module renamed back above settles
	"$bin" depmod -b "$small" -o "$work/out" -C "$work/small.d" "$ver" > /dev/null 2>&1
	[ -s "$work/out/lib/modules/$ver/modules.depmod-cache" ] && [ ! -e "$smdir/modules.depmod-cache" ] &&
		ok "-o: the cache in the output tree only" || ko "-o: the cache not (only) in the output tree"
	strace -f -qq -e trace=openat,open -o "$work/trace" \
		"$bin" depmod -b "$small" -o "$work/out" -C "$work/small.d" "$ver" > /dev/null 2>&1
	n=$(grep -c '\.ko[."]' "$work/trace")
	[ "$n" = 0 ] && ok "-o: its cache used" || ko "-o: $n modules opened"
else
	ko "strace not installed: cannot check that the cache is used"
fi
finish
