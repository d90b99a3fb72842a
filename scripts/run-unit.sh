#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the userspace unit-test programs; each prints TAP. Their points are
# renumbered into one stream in OUT, prefixed with the program name.
set -uo pipefail
out=$1
shift
: >"$out"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rc=0
for t in "$@"; do
	name=$(basename "$t")
	log="${out%.tap}-$name.log"
	echo "== $name"
	"$t" >"$log" 2>&1
	status=$?
	cat "$log"
	sed -nE "s/^(not )?ok [0-9]+ (- )?(.*)/\1ok - $name: \3/p" "$log" >>"$out"
	if [ $status -ne 0 ]; then
		rc=1
		# A crash (sanitizer report, signal) fails the program as a whole.
		grep -q '^not ok' "$log" || echo "not ok - $name: exited with status $status" >>"$out"
	fi
done
exit $rc
