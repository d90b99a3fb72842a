#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vexfsctl as a user runs it, in the test guest: create, list, info, import,
# count, search, update, alias, delete, exit statuses and --help. Loads vexfs.ko and formats
# the scratch disk itself; leaves the module unloaded. Prints TAP.
. "$(dirname "$0")/selftest_lib.sh"
mnt=/tmp/vexfsctl-test
out=/tmp/vexfsctl-test.out

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
echo "1..49"
vexfs_up "$mnt"
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
check 0 "update --help" ctl update --help
has "rebuilds the graph" "update --help says what a new m does"
check 2 "update without a change is a usage error" ctl update vecs
check 0 "update m and ef_construct" ctl update vecs --m 8 --ef-construct 40
check 0 "info after update" ctl info vecs
has "^hnsw_m: 8$" "info shows the new m"
has "^hnsw_ef_construct: 40$" "info shows the new ef_construct"
has "^dim: 2$" "update keeps the dimension"
check 0 "update to no graph (m 0)" ctl update vecs --m 0
check 0 "info after m 0" ctl info vecs
has "^hnsw_m: 0 (no graph)$" "info shows no graph"
check 1 "update of a missing collection fails" ctl update nope --m 4
check 0 "alias --help" ctl alias --help
check 0 "alias create" ctl alias create prod vecs
check 0 "alias list" ctl alias list
has "^prod vecs$" "alias list shows prod -> vecs"
check 0 "count through the alias (its symlink)" ctl count prod
has "^4$" "the alias reaches the collection"
check 0 "alias rename" ctl alias rename prod live
check 1 "alias create over a collection's name fails" ctl alias create other vecs
check 0 "alias delete" ctl alias delete live
check 1 "alias delete again fails" ctl alias delete live
check 2 "alias without an action is a usage error" ctl alias
check 0 "delete" ctl delete other
check 1 "info on a deleted collection fails" ctl info other

vexfs_down "$mnt"
