# shellcheck shell=bash
# The host side shared by the real-kernel tests (run.sh, trixie.sh), which
# source it: progress lines and the verdict on what the guest printed.
# The guest side is guest-lib.sh (busybox sh, in the initramfs).

t_start=$SECONDS
# step TEXT: a progress line with the seconds since the start.
step() {
	printf '==> [%3ds] %s\n' "$((SECONDS - t_start))" "$*"
}

# show_console LOG WORK: the end of the console log, and QEMU's stderr.
show_console() {
	echo "------------------------------------------------ console log ($1)"
	tr -d '\r' <"$1" | tail -n 200
	if [ -s "$2/qemu.stderr" ]; then
		echo "------------------------------------------------ qemu stderr"
		cat "$2/qemu.stderr"
	fi
	echo "------------------------------------------------ end of log"
}

# guest_verdict LOG WORK QEMU_RC TIMEOUT EXPECTED HEADING [DEMO]
# The guest's MODTEST lines in the console log LOG, under HEADING (with
# DEMO=1 first what the tools printed: the SHOW lines); the DONE line must
# match the PASS and FAIL lines seen, and at least EXPECTED checks must
# pass. No DONE line is a failure: QEMU_RC says why (124 or 137: TIMEOUT
# seconds ran out), shown with the log and WORK/qemu.stderr. Ends with
# "N passed, N failed"; status 0 when nothing failed.
guest_verdict() {
	local log=$1 work=$2 qemu_rc=$3 timeout_s=$4 expected=$5 heading=$6 demo=${7:-0}
	local results passed failed done_line why ok=1

	# Guest lines may have \r and may share a line with kernel messages.
	results=$(tr -d '\r' <"$log" | grep -o 'MODTEST: .*' || true)
	echo "$heading"
	if [ "$demo" = 1 ]; then
		echo "What the tools printed on the real kernel (demo):"
		printf '%s\n' "$results" | sed -n 's/^MODTEST: SHOW \{0,1\}//p'
		echo
	fi
	printf '%s\n' "$results" | grep -E '^MODTEST: (PASS|FAIL|INFO) ' || true
	passed=$(printf '%s\n' "$results" | grep -c '^MODTEST: PASS ' || true)
	failed=$(printf '%s\n' "$results" | grep -c '^MODTEST: FAIL ' || true)
	done_line=$(printf '%s\n' "$results" | grep '^MODTEST: DONE ' | tail -n 1 || true)

	if [ -z "$done_line" ]; then
		ok=0
		if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
			why="the guest timed out after ${timeout_s}s"
		else
			why="qemu exited with status $qemu_rc"
		fi
		echo "MODTEST: FAIL guest_done: no DONE line: $why (kernel panic, hang or crash?)"
		failed=$((failed + 1))
		show_console "$log" "$work"
	else
		echo "$done_line"
		if ! [[ $done_line =~ ^MODTEST:\ DONE\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]] ||
			[ "${BASH_REMATCH[1]}" != "$passed" ] || [ "${BASH_REMATCH[2]}" != "$failed" ]; then
			echo "MODTEST: FAIL guest_done: DONE line does not match the $passed PASS / $failed FAIL lines seen"
			failed=$((failed + 1))
			ok=0
			show_console "$log" "$work"
		elif [ "$failed" -gt 0 ]; then
			ok=0
			echo "(full console log: $log)"
		fi
	fi
	if [ "$passed" -lt "$expected" ] && [ "$failed" = 0 ]; then
		echo "MODTEST: FAIL expected_checks: only $passed checks passed, expected at least $expected"
		failed=$((failed + 1))
		ok=0
	fi
	step "done"
	echo "$passed passed, $failed failed"
	[ "$ok" = 1 ] && [ "$failed" = 0 ]
}
