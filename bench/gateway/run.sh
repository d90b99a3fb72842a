#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The gateway benchmark (make -C bench/gateway run). Not a test: it prints
# numbers, to build/bench/gateway/results-{host,vm}.txt and a table.
#
#   run.sh host   embedded backend on this host: N points of DIM floats,
#                 direct core searches, then wrk through the gateway
#   run.sh vm     kernel backend in a qemu guest: VM_N points, direct
#                 ioctl searches (libvexfs), then wrk inside the guest
#   run.sh host-gateway  only the gateway half of host, on its data
#   run.sh table  the table of whatever results exist
#
# Every search is a 10-NN query (Cosine) from the same fixed query set;
# upserts are single points, acknowledged when durable.
set -uo pipefail
mode=${1:-host}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out="$top/build/bench/gateway"
direct="$top/build/bench/gwbench-direct"
N=${N:-100000} DIM=${DIM:-128} SECS=${SECS:-10} CONC=${CONC:-1,8,32} VM_N=${VM_N:-10000}
mkdir -p "$out"

free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	return 1
}

# wrk threads: one per connection up to the CPUs.
wrk_threads() {
	local c=$1 cpus
	cpus=$(nproc)
	echo $((c < cpus ? c : cpus))
}

host() {
	local d="$out/host" res="$out/results-host.txt" port pid c
	rm -rf "$d" && mkdir -p "$d"
	: >"$res"
	echo "== host: $N points x $DIM, embedded backend; $(nproc) CPUs"
	"$top/build/tools/mkfs.vexfs" -q -s 4G "$d/img" || exit 1
	"$direct" embedded "$d/img" run "$N" "$DIM" "$d" "$SECS" "$CONC" | tee -a "$res"
	[ -s "$res" ] || exit 1
	host_gateway
}

# The gateway half of host(), on the image and queries host() left.
host_gateway() {
	local d="$out/host" res="$out/results-host.txt" port pid c
	[ -f "$d/q.jsonl" ] || { echo "bench: run 'run.sh host' first" >&2; exit 1; }
	sed -i '/RESULT gateway-/d' "$res"
	port=$(free_port)
	"$top/gateway/vexfs-gateway" --data "$d/img" --port "$port" \
		--threads "$(nproc)" >"$d/gateway.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 600); do
		grep -q "listening on" "$d/gateway.log" && break
		sleep 0.1
	done
	grep -q "listening on" "$d/gateway.log" || { cat "$d/gateway.log"; kill $pid; exit 1; }
	# The graph is rebuilt in the background after an open: wait for it.
	local t0=$SECONDS
	until curl -s "http://127.0.0.1:$port/collections/bench" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["result"]; sys.exit(r["points_count"] != r["indexed_vectors_count"])'; do
		sleep 1
	done
	echo "bench: gateway indexed $N points $((SECONDS - t0)) s after open"
	for c in ${CONC//,/ }; do
		GWB_QUERIES="$d/q.jsonl" wrk -t "$(wrk_threads "$c")" -c "$c" -d "${SECS}s" \
			-s "$here/search.lua" "http://127.0.0.1:$port/collections/bench/points/search" |
			sed -n "s/^RESULT/RESULT gateway-embedded search c=$c/p" | tee -a "$res"
	done
	for c in ${CONC//,/ }; do
		GWB_VECTORS="$d/up.jsonl" wrk -t "$(wrk_threads "$c")" -c "$c" -d "${SECS}s" \
			-s "$here/upsert.lua" "http://127.0.0.1:$port/collections/up/points?wait=true" |
			sed -n "s/^RESULT/RESULT gateway-embedded upsert c=$c/p" | tee -a "$res"
	done
	kill -TERM $pid
	wait $pid || echo "bench: gateway exit status $?"
}

vm() {
	local name=${VEXFS_VM_NAME:-bench} res="$out/results-vm.txt" d="$out/vm" guest c kver_opt=()
	[ -n "${KVER:-}" ] && kver_opt=(--kver "$KVER")
	rm -rf "$d" && mkdir -p "$d"
	: >"$res"
	echo "== vm: $VM_N points x $DIM, kernel backend (qemu guest '$name')"
	"$top/build/tools/mkfs.vexfs" -q -s 1G "$d/img" || exit 1
	# The guest gets its programs from build/tools (scripts/vm): put the
	# driver and wrk there for this run only.
	cp "$direct" "$top/build/tools/gwbench-direct"
	cp "$(command -v wrk)" "$top/build/tools/wrk"
	trap 'rm -f "$top/build/tools/gwbench-direct" "$top/build/tools/wrk"' RETURN
	guest="set -e
vexfs-load
mount -t vexfs /dev/vda /mnt/vexfs
mkdir -p /tmp/q
cat >/tmp/search.lua <<'LUA'
$(cat "$here/search.lua")
LUA
cat >/tmp/upsert.lua <<'LUA'
$(cat "$here/upsert.lua")
LUA
echo bench: nproc \$(nproc)
gwbench-direct kernel /mnt/vexfs load $VM_N $DIM /tmp/q
gwbench-direct kernel /mnt/vexfs search /tmp/q $SECS $CONC
vexfs-gateway --port 6333 --threads 2 >/tmp/gw.log 2>&1 &
gw=\$!
while ! grep -q 'listening on' /tmp/gw.log; do sleep 0.2; done
for c in ${CONC//,/ }; do
	t=\$c; [ \$t -gt 2 ] && t=2
	GWB_QUERIES=/tmp/q/q.jsonl wrk -t \$t -c \$c -d ${SECS}s -s /tmp/search.lua http://127.0.0.1:6333/collections/bench/points/search | sed -n \"s/^RESULT/RESULT gateway-kernel search c=\$c/p\"
done
for c in ${CONC//,/ }; do
	t=\$c; [ \$t -gt 2 ] && t=2
	GWB_VECTORS=/tmp/q/up.jsonl wrk -t \$t -c \$c -d ${SECS}s -s /tmp/upsert.lua 'http://127.0.0.1:6333/collections/up/points?wait=true' | sed -n \"s/^RESULT/RESULT gateway-kernel upsert c=\$c/p\"
done
kill -TERM \$gw
wait \$gw
"
	"$top/scripts/vm" run "${kver_opt[@]}" --name "$name" --timeout 3600 --mem 2048 \
		--disk "$d/img" -- "$guest"
	local rc=$?
	grep -a "RESULT " "$top/build/vm/$name/console.log" | sed 's/^.*RESULT /RESULT /; s/\r$//' |
		awk '!seen[$0]++' | tee -a "$res"
	return $rc
}

# The table: per backend and concurrency, gateway vs direct.
table() {
	python3 - "$out" <<'PY'
import re, sys, os
out = sys.argv[1]
rows = {}
for f in ('results-host.txt', 'results-vm.txt'):
    p = os.path.join(out, f)
    if not os.path.exists(p):
        continue
    for line in open(p):
        m = re.match(r'RESULT (\S+) (\S+) c=(\d+) (.*)', line)
        if not m:
            continue
        kv = dict(x.split('=') for x in m.group(4).split())
        rows[(m.group(1), m.group(2), int(m.group(3)))] = kv
print('| backend | op | c | gateway req/s | p50 ms | p99 ms | direct req/s | direct p50 ms | direct p99 ms | gateway/direct req/s |')
print('|---|---|---|---|---|---|---|---|---|---|')
for be in ('embedded', 'kernel'):
    for op in ('search', 'upsert'):
        for c in sorted({k[2] for k in rows}):
            g = rows.get(('gateway-' + be, op, c))
            d = rows.get(('direct-' + be, op, c))
            if not g and not d:
                continue
            def f(kv, k, scale=1.0):
                return '-' if not kv else f'{float(kv[k]) * scale:.{2 if scale != 1 else 0}f}'
            ratio = '-'
            if g and d and float(g['rps']) > 0:
                ratio = f"{float(g['rps']) / float(d['rps']):.2f}"
            err = f" ({g['errors']} errors)" if g and g.get('errors', '0') != '0' else ''
            print(f"| {be} | {op} | {c} | {f(g, 'rps')}{err} | {f(g, 'p50_us', 1e-3)} | {f(g, 'p99_us', 1e-3)} | "
                  f"{f(d, 'rps')} | {f(d, 'p50_us', 1e-3)} | {f(d, 'p99_us', 1e-3)} | {ratio} |")
PY
}

case $mode in
host) host && table ;;
host-gateway) host_gateway && table ;;
vm) vm; table ;;
table) table ;;
*) echo "usage: run.sh host|vm|table" >&2; exit 2 ;;
esac
