#!/bin/bash
# One long libFuzzer run, bounded by CPU time rather than by the clock, so
# that a run on a busy machine still gets its full share:
#   tests/fuzz/long.sh FUZZDIR TARGET CPU_SECONDS [MAX_RUNS]
# Stops at MAX_RUNS executions (default 10,000,000) or once the fuzzer has
# used CPU_SECONDS of CPU time (it is sent SIGINT, and libFuzzer prints its
# final statistics), whichever comes first. Seeds as tests/fuzz/run.sh
# (run that first for a few seconds to make the corpus). The log is
# FUZZDIR/TARGET.long.log; a crash input is left in FUZZDIR/long-crash-TARGET-*.
# Prints one line: target, executions, CPU seconds, result. FUZZ_TIMEOUT
# (seconds, default 60) is the per-input hang limit; raise it when the run
# will be stopped with SIGSTOP for a while (libFuzzer counts that time).
set -u
dir=$(cd "$1" && pwd) t=$2 cpu=$3 runs=${4:-10000000}
log=$dir/$t.long.log
"$dir/$t" -runs="$runs" -max_total_time=86400 -print_final_stats=1 -close_fd_mask=3 -timeout="${FUZZ_TIMEOUT:-60}" \
	-rss_limit_mb=2048 -interrupted_exit_code=72 -artifact_prefix="$dir/long-crash-$t-" "$dir/corpus/$t" >"$log" 2>&1 &
pid=$!
ticks=$(getconf CLK_TCK)
used=0
while kill -0 "$pid" 2>/dev/null; do
	# utime + stime of the fuzzer (fields 14 and 15 of /proc/PID/stat)
	used=$(awk -v t="$ticks" '{ print int(($14 + $15) / t) }' "/proc/$pid/stat" 2>/dev/null || echo "$used")
	if [ "$used" -ge "$cpu" ]; then
		kill -INT "$pid"
		break
	fi
	sleep 5
done
wait "$pid"
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
# 72 is libFuzzer's exit code after SIGINT: the CPU bound was reached
case $rc in 0 | 72) result=ok ;; *) result="FAILED (exit $rc, see $log)" ;; esac
printf '%s: %s executions, %s CPU seconds, %s\n' "$t" "${execs:-?}" "$used" "$result"
[ "$result" = ok ]
