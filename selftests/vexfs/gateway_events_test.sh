#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The gateway's kernel backend keeps collection directories open per worker
# thread and drops them on VexFS events. Collections deleted, recreated and
# aliases re-pointed behind its back (by vexfsctl, which the gateway never
# sees) must show on the very next request, on every worker. busybox wget
# opens a new connection per request, so SO_REUSEPORT spreads the requests
# over both workers. Loads vexfs.ko and formats the scratch disk itself;
# leaves the module unloaded. Prints TAP.
. "$(dirname "$0")/selftest_lib.sh"
mnt=/tmp/gwev-test
out=/tmp/gwev-test.out
log=/tmp/gwev-test.log
url=http://127.0.0.1:6399
reps=8

ctl() { vexfsctl -m "$mnt" "$@" >"$out" 2>&1; }
# post PATH JSON: the reply body in $out; status 0 for a 2xx reply
post() {
	wget -q -O "$out" --header 'Content-Type: application/json' \
		--post-data "$2" "$url$1" 2>"$out.err"
}
# every PATH JSON PATTERN: $reps requests, each 2xx with PATTERN in the body
every() {
	i=0
	while [ $i -lt $reps ]; do
		post "$1" "$2" && grep -q -- "$3" "$out" || return 1
		i=$((i + 1))
	done
}
# never PATH JSON STATUS: $reps requests, each answered with HTTP STATUS
never() {
	i=0
	while [ $i -lt $reps ]; do
		! post "$1" "$2" && grep -q "$3" "$out.err" || return 1
		i=$((i + 1))
	done
}
upsert() { # upsert COLL ID VECTOR
	post "/collections/$1/points/batch?wait=true" \
		"{\"operations\":[{\"upsert\":{\"points\":[{\"id\":$2,\"vector\":[$3]}]}}]}"
}
search() { # the body of a search for VECTOR
	echo "{\"vector\":[$1],\"limit\":3}"
}

echo "TAP version 13"
echo "1..17"
vexfs_up "$mnt"
"${VEXFS_GATEWAY:-vexfs-gateway}" --backend kernel --mount "$mnt" --host 127.0.0.1 --port 6399 \
	--threads 2 >"$log" 2>&1 &
gw=$!
i=0
while ! grep -q 'listening on' "$log" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
cp "$log" "$out"
grep -q 'listening on' "$log" && ! grep -q 'per request' "$log"
point $? "the gateway runs with 2 workers subscribed to the events"

ctl create a --dim 4 --distance Dot && upsert a 1 1,0,0,0
point $? "collection a (4-d) with point 1"
every /collections/a/points/search "$(search 1,0,0,0)" '"id":1,'
point $? "4-d searches of a find point 1 on every worker"
ls -l "/proc/$gw/fd" >"$out" 2>&1
grep -q "$mnt/a\$" "$out"
point $? "the gateway keeps a's directory open (the fd cache is in use)"

# Behind the gateway's back: the same name, another dimension.
ctl delete a && ctl create a --dim 8 --distance Dot
point $? "vexfsctl deletes a and recreates it with 8 dimensions"
every /collections/a/points/search "$(search 1,0,0,0,0,0,0,0)" '"result":\[\]'
point $? "8-d searches of the new a succeed, empty, on every worker"
never /collections/a/points/search "$(search 1,0,0,0)" ' 400 '
point $? "4-d searches of the new a fail with 400 on every worker"
ok=0
for id in 2 3 4 5 6 7 8 9; do
	upsert a $id 0,0,0,0,0,0,0,1 || ok=1
done
ctl count a && grep -q '^8$' "$out" || ok=1
point $ok "8-d upserts through every worker land in the new a (count 8)"

ctl create p --dim 4 --distance Dot && ctl create q --dim 4 --distance Dot &&
	upsert p 10 1,0,0,0 && upsert q 20 1,0,0,0 && ctl alias create x p
point $? "collections p (point 10), q (point 20), alias x -> p"
every /collections/x/points/search "$(search 1,0,0,0)" '"id":10,'
point $? "searches through x find p's point on every worker"
ctl alias create x q
point $? "vexfsctl re-points x to q"
every /collections/x/points/search "$(search 1,0,0,0)" '"id":20,'
point $? "searches through x find q's point on every worker"
ok=0
for id in 21 22 23 24; do
	upsert x $id 0,1,0,0 || ok=1
done
ctl count q && grep -q '^5$' "$out" || ok=1
ctl count p && grep -q '^1$' "$out" || ok=1
point $ok "upserts through x land in q, none in p"
ctl alias rename x y
point $? "vexfsctl renames x to y"
never /collections/x/points/search "$(search 1,0,0,0)" ' 404 '
point $? "x is gone (404) on every worker"
ctl delete q
point $? "vexfsctl deletes q (and its alias y)"
never /collections/y/points/search "$(search 1,0,0,0)" ' 404 '
point $? "y is gone with q (404) on every worker"

kill "$gw"
wait "$gw"
vexfs_down "$mnt"
