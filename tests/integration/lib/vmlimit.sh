#!/bin/bash
# A memory bound for a case, set in its setup (cwd = work root):
#   bash "$TESTLIB/vmlimit.sh" KIB
# writes ./vmlimit for the case's cmd to apply: `ulimit -v $(cat vmlimit); ...`.
# A binary built with AddressSanitizer reserves terabytes of address space
# for its shadow memory and cannot start under any such bound: for it the
# file says "unlimited" (the case still runs, unbounded).
set -eu
bin=$(readlink -f "$WORK/bin/insmod")
if grep -qa '__asan_init' "$bin"; then
	echo unlimited
else
	echo "$1"
fi > vmlimit
