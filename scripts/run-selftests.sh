#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the selftests in a guest booted with Debian kernel KVER, and write their
# TAP points to OUT (prefixed with the kernel), plus two points of our own:
# the guest finished, and its console showed no kernel problem report.
set -uo pipefail
kver=$1 out=$2
top=$(cd "$(dirname "$0")/.." && pwd)
name="${VEXFS_VM_NAME:-selftest}-$kver" # VEXFS_VM_NAME: parallel runs
dir="$top/build/vm/$name"
mkdir -p "$dir"
rm -f "$dir"/scratch*.img

"$top/scripts/vm" run --kver "$kver" --name "$name" --timeout "${VEXFS_VM_TIMEOUT:-1200}" \
	--disk "$dir/scratch0.img:64M" --disk "$dir/scratch1.img:512M" \
	-- 'VEXFS_SCRATCH_DEV=/dev/vda run_all.sh'
rc=$?

log="$dir/console.log"
: >"$out"
tr -d '\r' <"$log" | sed -nE "s/^(not )?ok [0-9]+ (- )?(.*)/\1ok - $kver: \3/p" >>"$out"
if grep -aq 'VEXFS-EXIT:' "$log"; then
	echo "ok - $kver: guest finished its command" >>"$out"
else
	echo "not ok - $kver: guest finished its command (hung or crashed)" >>"$out"
fi
if "$top/scripts/vm" check --name "$name" >/dev/null 2>&1 || grep -aq 'VEXFS-EXIT: [1-9]' "$log"; then
	# check fails for a non-zero guest status too; the console itself is clean
	# unless the problem pattern matched.
	:
fi
if grep -aqE "$(sed -n "s/^BAD_CONSOLE='\(.*\)'$/\1/p" "$top/scripts/vm")" "$log"; then
	echo "not ok - $kver: console free of oops/BUG/WARN/KFENCE/slub reports" >>"$out"
else
	echo "ok - $kver: console free of oops/BUG/WARN/KFENCE/slub reports" >>"$out"
fi
exit $rc
