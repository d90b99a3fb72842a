#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mkfs.vexfs and fsck.vexfs as a user runs them: exit codes and refusals.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mkfs="$top/build/tools/mkfs.vexfs" fsck="$top/build/tools/fsck.vexfs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

check() { # check WANT_STATUS DESCRIPTION cmd...
	local want=$1 desc=$2 got
	shift 2
	"$@" >"$tmp/out" 2>&1
	got=$?
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc (status $got, wanted $want)"
		sed 's/^/# /' "$tmp/out"
		failed=1
	fi
}

echo "TAP version 13"
img="$tmp/fs.img"
check 0 "mkfs.vexfs makes a 64 MiB image" "$mkfs" -q -s 64M -L test "$img"
check 8 "mkfs.vexfs refuses to overwrite a filesystem without -f" "$mkfs" -q "$img"
check 0 "mkfs.vexfs -f overwrites" "$mkfs" -q -f "$img"
check 8 "mkfs.vexfs refuses a device that is too small" "$mkfs" -q -s 1M "$tmp/small.img"
check 1 "mkfs.vexfs refuses a 65-byte label" "$mkfs" -q -f -L "$(printf 'x%.0s' $(seq 65))" "$img"
check 0 "mkfs.vexfs --help" "$mkfs" --help
check 0 "fsck.vexfs: a fresh filesystem is clean" "$fsck" "$img"
grep -q "clean" "$tmp/out" || { echo "not ok - fsck says clean"; failed=1; }
check 16 "fsck.vexfs: usage error" "$fsck"
check 8 "fsck.vexfs: missing device" "$fsck" "$tmp/nope.img"
dd if=/dev/urandom of="$img" bs=4096 seek=1 count=1 conv=notrunc status=none
check 4 "fsck.vexfs: a destroyed superblock is an uncorrected error" "$fsck" -n "$img"
check 0 "fsck.vexfs --help" "$fsck" --help
echo "1..$n"
exit $failed
