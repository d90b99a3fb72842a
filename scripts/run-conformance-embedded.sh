#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# API conformance on the host, no VM: the gateway with the embedded backend
# (the core engine in-process) on a fresh image, on a free loopback port,
# and the whole tests/conformance suite against it. TAP goes to OUT, plus
# points for startup, a clean SIGTERM exit and fsck of the image after it.
# Run by scripts/run-conformance.sh (make conformance); needs
# `npm ci` done in tests/conformance.
set -uo pipefail
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
dir="$top/build/conformance-embedded"
gw=${VEXFS_GATEWAY:-$top/gateway/vexfs-gateway} # VEXFS_GATEWAY: another build

free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	return 1
}

: >"$out"
rm -rf "$dir"
mkdir -p "$dir"
port=$(free_port)
"$gw" --backend embedded --data "$dir/scratch.img" --data-size 256M \
	--host 127.0.0.1 --port "$port" --threads 2 >"$dir/gateway.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null' EXIT

up=0
for _ in $(seq 1 100); do
	grep -q "vexfs-gateway: listening" "$dir/gateway.log" && { up=1; break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ $up = 0 ]; then
	cat "$dir/gateway.log"
	echo "not ok - conformance-embedded: gateway came up on the host" >>"$out"
	exit 1
fi
echo "ok - conformance-embedded: gateway came up on the host" >>"$out"

rc=0
(cd "$top/tests/conformance" &&
	VEXFS_URL="http://127.0.0.1:$port" VEXFS_BACKEND=embedded \
		node --test --test-reporter=tap --test-concurrency=1 ./*.test.mjs) \
	>"$dir/node.tap" 2>&1 || rc=1
cat "$dir/node.tap"
sed -nE 's/^(not )?ok [0-9]+ - (.*)/\1ok - conformance-embedded: \2/p' "$dir/node.tap" >>"$out"
grep -qE '^ok [0-9]+ - ' "$dir/node.tap" || {
	echo "not ok - conformance-embedded: the suite ran" >>"$out"
	rc=1
}

trap - EXIT
kill -TERM "$pid"
wait "$pid"
status=$?
cat "$dir/gateway.log"
if [ $status = 0 ] && grep -q "embedded store closed cleanly" "$dir/gateway.log"; then
	echo "ok - conformance-embedded: SIGTERM exits 0 after a clean checkpoint" >>"$out"
else
	echo "not ok - conformance-embedded: SIGTERM exits 0 after a clean checkpoint (status $status)" >>"$out"
	rc=1
fi
if "$top/build/tools/fsck.vexfs" "$dir/scratch.img" >"$dir/fsck.log" 2>&1; then
	echo "ok - conformance-embedded: fsck.vexfs finds the image clean afterwards" >>"$out"
else
	cat "$dir/fsck.log"
	echo "not ok - conformance-embedded: fsck.vexfs finds the image clean afterwards" >>"$out"
	rc=1
fi
exit $rc
