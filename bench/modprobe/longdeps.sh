#!/bin/bash
# modprobe -D on one module with N dependencies (tests/integration/lib/mkdepline.py):
# ours on the .bin index, ours on the text fallback (modules.dep only), kmod 34.2
# and kmod 30 side by side in one hyperfine run per N. kmod reads only the .bin
# index and stats each dependency, so its tree has the module files.
# Writes the section "## Long dependency lines" of bench/modprobe/RESULTS.md
# (run.sh keeps it).
#
# usage: bench/modprobe/longdeps.sh OUR_BINARY [N...]   (default: 8000 32000 50000)
#   KMOD34=/work/k34/bin/modprobe (tests/compat/kmod34.sh), KMOD30=/usr/sbin/modprobe
#   OLD=BINARY: also an older build of ours, 3 runs each (it may be slow)
# needs: hyperfine, python3.
set -eu
bin=$(readlink -f "$1")
shift
sizes=${*:-8000 32000 50000}
here=$(cd "$(dirname "$0")" && pwd)
gen=$here/../../tests/integration/lib/mkdepline.py
out=${RESULTS:-$here/RESULTS.md}
kmod34=${KMOD34:-/work/k34/bin/modprobe}
kmod30=${KMOD30:-/usr/sbin/modprobe}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
ln -s "$bin" "$work/bin/modprobe"
[ -n "${OLD:-}" ] && mkdir -p "$work/old" && ln -s "$(readlink -f "$OLD")" "$work/old/modprobe"

load_before=$(uptime)
sect=$work/section.md
{
	echo "## Long dependency lines"
	echo
	echo "Made by \`bench/modprobe/longdeps.sh ${bin#"$PWD"/} $sizes\` on $(date -u +%Y-%m-%d), $(nproc) cores,"
	echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(hyperfine --version)."
	echo "\`modprobe -d ROOT -S 6.1.0-test -D deptop\`, deptop depending on N modules"
	echo "(\`tests/integration/lib/mkdepline.py N\`; the text tree with \`--text-only --no-files\`)."
	echo "Load before: \`$load_before\`"
	echo
	echo "| N | ours .bin | ours text | kmod 34.2 | kmod 30 | ours .bin / kmod 34.2 | text / .bin |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} > "$sect"
for n in $sizes; do
	mkdir -p "$work/bin$n" "$work/text$n"
	(cd "$work/bin$n" && python3 "$gen" "$n")
	(cd "$work/text$n" && python3 "$gen" "$n" --text-only --no-files)
	args="-S 6.1.0-test -D deptop"
	# the same output from all four, or the times mean nothing
	for c in "$work/bin/modprobe -d $work/text$n" "$kmod34 -d $work/bin$n" "$kmod30 -d $work/bin$n"; do
		cmp <("$work/bin/modprobe" -d "$work/bin$n" $args | sed "s|$work/bin$n||") \
		    <($c $args | sed "s|$work/[a-z]*$n||") >/dev/null || { echo "output differs: $c" >&2; exit 1; }
	done
	hyperfine -N --warmup 2 --export-json "$work/h$n.json" \
		-n "ours .bin" "$work/bin/modprobe -d $work/bin$n $args" \
		-n "ours text" "$work/bin/modprobe -d $work/text$n $args" \
		-n "kmod 34.2" "$kmod34 -d $work/bin$n $args" \
		-n "kmod 30" "$kmod30 -d $work/bin$n $args"
	if [ -n "${OLD:-}" ]; then
		hyperfine -N --runs 3 --export-json "$work/old$n.json" \
			-n "old .bin" "$work/old/modprobe -d $work/bin$n $args" \
			-n "old text" "$work/old/modprobe -d $work/text$n $args" || true
	fi
	python3 - "$work/h$n.json" "$n" >> "$sect" <<'PY'
import json, sys
r = {x['command']: x for x in json.load(open(sys.argv[1]))['results']}
f = lambda k: '%.4f (%.4f ± %.4f)' % (r[k]['median'], r[k]['mean'], r[k]['stddev'])
m = lambda k: r[k]['median']
print('| %s | %s | %s | %s | %s | %.2f | %.2f |' % (sys.argv[2], f('ours .bin'), f('ours text'), f('kmod 34.2'),
      f('kmod 30'), m('ours .bin') / m('kmod 34.2'), m('ours text') / m('ours .bin')))
PY
done
{
	echo
	echo "Seconds: median (mean ± σ) of hyperfine's runs (\`hyperfine -N --warmup 2\`, all four in one run"
	echo "per N); the ratios are of medians, which other load on the machine moves least."
	echo "Load after: \`$(uptime)\`"
	if [ -n "${OLD:-}" ]; then
		echo
		echo "Before (\`OLD=$OLD\`, 3 runs each, seconds):"
		echo
		for n in $sizes; do
			python3 - "$work/old$n.json" "$n" <<'PY' || true
import json, sys
r = {x['command']: x for x in json.load(open(sys.argv[1]))['results']}
print('- N = %s: .bin %.3f, text %.3f (medians)' % (sys.argv[2], r['old .bin']['median'], r['old text']['median']))
PY
		done
	fi
} >> "$sect"
# Replace the section in RESULTS.md (or add it at the end).
if [ -f "$out" ]; then
	sed -n '/^## Long dependency lines$/q;p' "$out" > "$work/head.md"
else
	: > "$work/head.md"
fi
{
	cat "$work/head.md"
	[ -s "$work/head.md" ] && [ -n "$(tail -c 1 "$work/head.md" | tr -d '\n')" ] && echo
	[ -s "$work/head.md" ] && [ -n "$(tail -n 1 "$work/head.md")" ] && echo
	cat "$sect"
} > "$work/new.md"
cp "$work/new.md" "$out"
cat "$sect"
