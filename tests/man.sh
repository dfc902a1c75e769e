#!/bin/bash
# The manual pages (man/*.scd, scdoc; the roff pages beside them are
# committed so that installing needs no scdoc):
#   (a) each committed page is what `make man` (scdoc) makes of its source,
#       and every source has its page;
#   (b) each applet built has a page whose SYNOPSIS / OPTIONS / COMMANDS
#       name every option (short and long spelling) its --help prints
#       (for kmod, static-nodes --help too), written *-x* / *--long*;
#   (c) each page renders through groff without a warning.
# usage: tests/man.sh [BINARY]   (default build/modutils)
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build/modutils}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
pass() { echo "PASS man $1"; passed=$((passed + 1)); }
fail() { echo "FAIL man $1"; failed=$((failed + 1)); }

# (a) regenerated pages equal the committed ones
if ! command -v scdoc >/dev/null; then
	fail "scdoc not installed (apt-get install scdoc)"
elif ! make -s -C "$src" O="$tmp/o" man MANOUT="$tmp/gen" >"$tmp/make.log" 2>&1; then
	fail "make man: $(tail -n 3 "$tmp/make.log")"
else
	for scd in "$src"/man/*.scd; do
		page=$(basename "$scd" .scd)
		if [ ! -f "$src/man/$page" ]; then
			fail "$page: not committed (run make man)"
		elif cmp -s "$tmp/gen/$page" "$src/man/$page"; then
			pass "$page is what scdoc makes of $page.scd"
		else
			fail "$page differs from scdoc's output of $page.scd (run make man):"
			diff "$src/man/$page" "$tmp/gen/$page" | head -n 10 | sed 's/^/    /'
		fi
	done
fi
for page in "$src"/man/*.[58]; do
	[ -f "$page.scd" ] || fail "$(basename "$page") has no source $(basename "$page").scd"
done

# (b) every option of --help in the page's SYNOPSIS, OPTIONS or COMMANDS
sections() { # the text of those sections of an scd file
	awk '/^# /{keep = ($0 ~ /^# (SYNOPSIS|OPTIONS|COMMANDS)$/)} keep' "$1"
}
help_options() { # the -x and --long options a help text names; -abc is -a -b -c
	grep -oE '(^|[][ ,|(])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[][ ,|(]//' |
		sed '/^--/!{s/^-//; s/./-&\n/g; s/\n$//}' | sort -u
}
if [ ! -x "$bin" ]; then
	fail "no binary $bin (make first)"
else
	for applet in $("$bin" --list); do
		scd=$src/man/$applet.8.scd
		if [ ! -f "$scd" ]; then
			fail "$applet: no page man/$applet.8.scd"
			continue
		fi
		{
			"$bin" "$applet" --help
			[ "$applet" = kmod ] && "$bin" kmod static-nodes --help
		} >"$tmp/help" 2>&1
		sections "$scd" >"$tmp/text"
		missing=
		n=0
		for opt in $(help_options <"$tmp/help"); do
			n=$((n + 1))
			grep -qF -- "*$opt*" "$tmp/text" || missing="$missing $opt"
		done
		if [ "$n" -eq 0 ]; then
			fail "$applet: no option found in its --help"
		elif [ -z "$missing" ]; then
			pass "$applet.8 names the $n options of $applet --help"
		else
			fail "$applet.8 lacks options of $applet --help:$missing"
		fi
	done
	for scd in "$src"/man/*.8.scd; do
		a=$(basename "$scd" .8.scd)
		"$bin" --list | grep -qx "$a" || echo "SKIP man $a.8 options: the $a applet is not built"
	done
fi

# (c) the pages render without warnings
if command -v groff >/dev/null; then
	for page in "$src"/man/*.[58]; do
		w=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
		if [ -z "$w" ]; then
			pass "$(basename "$page") renders without warnings"
		else
			fail "$(basename "$page") renders with warnings: $(echo "$w" | head -n 3)"
		fi
	done
else
	echo "SKIP man rendering: groff not installed"
fi

echo "man: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
