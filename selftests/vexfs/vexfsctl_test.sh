#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vexfsctl as a user runs it, in the test guest: create, list, info, import,
# count, search, delete, exit statuses and --help. Loads vexfs.ko and formats
# the scratch disk itself; leaves the module unloaded. Prints TAP.
dev=${VEXFS_SCRATCH_DEV:-/dev/vda}
ko=${VEXFS_KO:-/lib/modules/vexfs.ko}
mnt=/tmp/vexfsctl-test
out=/tmp/vexfsctl-test.out
n=0 failed=0

point() { # point 0|1 description
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"
		sed 's/^/# /' "$out"
		failed=1
	fi
}
# check WANT_STATUS DESCRIPTION cmd...
check() {
	want=$1 desc=$2
	shift 2
	"$@" >"$out" 2>&1
	got=$?
	[ "$got" = "$want" ] || desc="$desc (status $got, wanted $want)"
	point "$([ "$got" = "$want" ] && echo 0 || echo 1)" "$desc"
}
# has TEXT DESCRIPTION: the last command's output contains TEXT.
has() {
	grep -q -- "$1" "$out"
	point $? "$2"
}

echo "TAP version 13"
echo "1..26"
insmod "$ko" || { echo "Bail out! insmod $ko"; exit 1; }
if ! mkfs.vexfs -f -q "$dev" || ! mkdir -p "$mnt" ||
	! mount -t vexfs "$dev" "$mnt"; then
	echo "Bail out! mkfs/mount"
	rmmod vexfs
	exit 1
fi
# shellcheck disable=SC2317 # called through check "$@"
ctl() { vexfsctl -m "$mnt" "$@"; }

# Four 2-d vectors: (1,0) (0,1) (2,0) (0,3), as .fvecs (little-endian).
d2='\002\000\000\000' f0='\000\000\000\000' f1='\000\000\200\077'
f2='\000\000\000\100' f3='\000\000\100\100'
# shellcheck disable=SC2059 # the variables are octal escapes for printf
printf "$d2$f1$f0$d2$f0$f1$d2$f2$f0$d2$f0$f3" >/tmp/v.fvecs
# shellcheck disable=SC2059
printf "$d2$f1$f0$f0" >/tmp/bad.fvecs

check 0 "--help" vexfsctl --help
has "import" "--help lists the commands"
check 0 "search --help" ctl search --help
has "--exact" "search --help describes --exact"
check 2 "an unknown command is a usage error" ctl frobnicate
check 2 "create without --dim is a usage error" ctl create c --distance Dot
check 2 "a bad distance is a usage error" ctl create c --dim 2 --distance Hamming
check 0 "create" ctl create vecs --dim 2 --distance Euclid
check 1 "create again fails (exists)" ctl create vecs --dim 2 --distance Euclid
check 0 "create a second one with HNSW parameters" \
	ctl create other --dim 3 --distance cosine --m 8 --ef-construct 64
check 0 "list" ctl list
has "^vecs *2 *Euclid *0" "list shows vecs"
has "^other *3 *Cosine" "list shows other"
check 0 "import 4 vectors" ctl import vecs /tmp/v.fvecs --batch 3
check 0 "count" ctl count vecs
has "^4$" "count is 4"
check 1 "importing into a collection of another dimension fails" \
	ctl import other /tmp/v.fvecs
check 1 "a truncated .fvecs file is refused" ctl import vecs /tmp/bad.fvecs
check 0 "info" ctl info vecs
has "^points: 4$" "info shows the points"
check 0 "exact search" ctl search vecs --vector "1,0" -k 2 --exact
has "^1	0	0$" "the nearest is id 0 at distance 0"
check 0 "search by a query from an .fvecs file" \
	ctl search vecs --fvecs /tmp/v.fvecs --query 3 -k 1
has "^1	3	0$" "query 3 finds id 3"
check 0 "delete" ctl delete other
check 1 "info on a deleted collection fails" ctl info other

umount "$mnt"
rmmod vexfs || failed=1
exit $failed
