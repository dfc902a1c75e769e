#!/bin/sh
# Run cmocka unit test binaries: run.sh "RUNNER" BIN...  (RUNNER may be
# empty, or e.g. qemu-arm-static for a cross build). Sums the results.
runner=$1
shift
passed=0 failed=0
for t in "$@"; do
	# The fake kernel is an LD_PRELOAD library of the build machine: under
	# qemu-user (a cross build) 32-bit readdir() overflows on the 64-bit
	# host's inode numbers, so the tests run under it cannot run there.
	if [ -n "$runner" ] && { [ "${t##*/}" = test_kernel ] || [ "${t##*/}" = test_remove ]; }; then
		echo "SKIP $t: the LD_PRELOAD fake kernel does not run under $runner (covered by the ARM real-kernel test)"
		continue
	fi
	out=$($runner "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		echo "unit: $t exited $rc" >&2
		failed=$((failed + 1))
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
