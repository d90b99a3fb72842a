#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the VM runner itself (scripts/vm): it must fail a run whose console
# shows a kernel problem report, a guest that hangs, and a failing command,
# and pass a clean one. Prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
vm="$top/scripts/vm"
fx="$top/tests/vm/fixtures"
n=0 failed=0

point() { # point OK|FAIL description
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
expect_status() { # expect_status WANT DESCRIPTION cmd...
	local want=$1 desc=$2 got
	shift 2
	"$@" >/tmp/vexfs-runner-test.log 2>&1
	got=$?
	if [ "$got" = "$want" ]; then point OK "$desc"; else
		point FAIL "$desc (status $got, wanted $want)"
		tail -n 20 /tmp/vexfs-runner-test.log | sed 's/^/# /'
	fi
}

echo "TAP version 13"
echo "1..5"
# A WARN_ON(1) in vexfs_init, captured once from a real guest (panic_on_warn).
expect_status 1 "check fails a console with a WARN panic" "$vm" check --log "$fx/warn-on-panic.console"
expect_status 0 "check passes a clean console that finished with status 0" "$vm" check --log "$fx/clean-serve.console"

kver=${KVER:-}
kopt=()
[ -n "$kver" ] && kopt=(--kver "$kver")
expect_status 3 "the guest command's exit status is returned" \
	"$vm" run "${kopt[@]}" --name runner-status --timeout 120 -- 'exit 3'
expect_status 1 "a hung guest is killed at the timeout and fails" \
	"$vm" run "${kopt[@]}" --name runner-hang --timeout 20 -- 'sleep 600'
grep -q "did not finish within 20s" /tmp/vexfs-runner-test.log &&
	point OK "the hung guest is reported as such" ||
	point FAIL "the hung guest is reported as such"
exit $failed
