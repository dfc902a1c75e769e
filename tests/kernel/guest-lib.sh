# shellcheck shell=sh
# The guest side shared by the real-kernel tests' /init scripts (guest.sh,
# guest-trixie.sh), which source it as /guest-lib.sh: busybox sh, PID 1
# inside QEMU. It mounts what the checks read and gives the one-line
# reporting every check uses:
#   MODTEST: PASS <name>
#   MODTEST: FAIL <name>: <what was expected>; got <what the tool did>
#   MODTEST: INFO <text>
# The host side (lib.sh's guest_verdict) parses these lines.

export PATH=/bin
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp 2>/dev/null
# In case the kernel could not give us a console before /dev existed.
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1

PASSED=0
FAILED=0
# Seconds a tool may take in run() before it is killed.
RUN_TIMEOUT=20

pass() {
	PASSED=$((PASSED + 1))
	echo "MODTEST: PASS $1"
}

fail() {
	FAILED=$((FAILED + 1))
	echo "MODTEST: FAIL $1: $2"
}

info() {
	echo "MODTEST: INFO $*"
}

# Print $1 on one line: newlines become a literal \n.
oneline() {
	printf '%s' "$1" | awk '{ printf "%s%s", (NR > 1 ? "\\n" : ""), $0 }'
}

# run CMD ARGS...: run a tool, setting RC, OUT (stdout) and ERR (stderr).
# A tool that hangs is killed after RUN_TIMEOUT seconds (its check fails,
# the rest go on).
run() {
	timeout "$RUN_TIMEOUT" "$@" >/tmp/run.out 2>/tmp/run.err </dev/null
	RC=$?
	OUT=$(cat /tmp/run.out)
	ERR=$(cat /tmp/run.err)
	if [ "$RC" = 143 ]; then
		ERR="$ERR [killed after $RUN_TIMEOUT s: it hung]"
	fi
}

# What the last run() did, for FAIL details.
got() {
	echo "got rc=$RC stdout='$(oneline "$OUT")' stderr='$(oneline "$ERR")'"
}

# check_ok NAME: the last run() exited 0 and printed nothing.
check_ok() {
	if [ "$RC" = 0 ] && [ -z "$OUT" ] && [ -z "$ERR" ]; then
		pass "$1"
	else
		fail "$1" "expected rc=0 and no output; $(got)"
	fi
}

# check_err NAME RC MESSAGE: the last run() exited RC, printed MESSAGE
# (exactly) on stderr and nothing on stdout.
check_err() {
	if [ "$RC" = "$2" ] && [ "$ERR" = "$3" ] && [ -z "$OUT" ]; then
		pass "$1"
	else
		fail "$1" "expected rc=$2 stderr='$3'; $(got)"
	fi
}
