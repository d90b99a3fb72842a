#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# API conformance from the host: boot a guest (newest kernel, or KVER=) with
# vexfs.ko mounted on a fresh scratch image and the gateway listening, forward
# a free loopback port to it, and run tests/conformance with node's test
# runner (the project's HTTP tests and the official JS SDK). TAP goes to OUT,
# plus a point for the guest's clean shutdown and console. Before the VM, the
# same suite runs on the host against the embedded backend
# (run-conformance-embedded.sh; TAP in OUT's name with -embedded).
set -uo pipefail
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
name=${VEXFS_VM_NAME:-conformance} # VEXFS_VM_NAME: parallel runs
dir="$top/build/vm/$name"
kver_opt=()
[ -n "${KVER:-}" ] && kver_opt=(--kver "$KVER")

free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	return 1
}

: >"$out"
(cd "$top/tests/conformance" && npm ci --no-audit --no-fund --silent) || {
	echo "not ok - conformance: npm ci of the test dependencies" >>"$out"
	exit 1
}

# The same suite on the host against the embedded backend first (no VM).
erc=0
"$top/scripts/run-conformance-embedded.sh" "${out%.tap}-embedded.tap" || erc=1

mkdir -p "$dir"
rm -f "$dir/scratch.img"
"$top/build/tools/mkfs.vexfs" -q -s 256M "$dir/scratch.img"
port=$(free_port)
guest='vexfs-load && mount -t vexfs /dev/vda /mnt/vexfs && exec vexfs-gateway --host 0.0.0.0 --port 6333'
"$top/scripts/vm" start "${kver_opt[@]}" --name "$name" --timeout 900 \
	--disk "$dir/scratch.img" --fwd "$port:6333" -- "$guest" || exit 1
trap '"$top/scripts/vm" kill --name "$name" 2>/dev/null' EXIT

if ! "$top/scripts/vm" wait --name "$name" --timeout 120 --for "vexfs-gateway: listening"; then
	echo "not ok - conformance: gateway came up in the guest" >>"$out"
	exit 1
fi
echo "ok - conformance: gateway came up in the guest" >>"$out"

rc=0
(cd "$top/tests/conformance" &&
	VEXFS_URL="http://127.0.0.1:$port" node --test --test-reporter=tap \
		--test-concurrency=1 ./*.test.mjs) >"$dir/node.tap" 2>&1 || rc=1
cat "$dir/node.tap"
# Top-level points only; node indents subtests.
sed -nE 's/^(not )?ok [0-9]+ - (.*)/\1ok - conformance: \2/p' "$dir/node.tap" >>"$out"

trap - EXIT
if "$top/scripts/vm" stop --name "$name" --timeout 60; then
	echo "ok - conformance: guest shut down cleanly, console clean" >>"$out"
else
	echo "not ok - conformance: guest shut down cleanly, console clean" >>"$out"
	rc=1
fi
[ $erc = 0 ] || rc=1
exit $rc
