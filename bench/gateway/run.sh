#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The gateway benchmark (make -C bench/gateway run). Not a test: it prints
# numbers, to build/bench/gateway/results-{host,vm}.txt and a table.
#
#   run.sh host   embedded backend on this host: N points of DIM floats,
#                 direct core searches, then wrk through the gateway
#   run.sh vm     kernel backend in a qemu guest: VM_N points, direct
#                 ioctl searches (libvexfs) in the guest, then wrk on this
#                 host against the guest gateway (forwarded port)
#   run.sh host-prep     host's image only (N points, indexed)
#   run.sh host-measure  host's measurements, on the image host-prep made
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
# PIN=1 (host): the gateway (one worker) and the direct driver on CPU 1,
# wrk on CPU 0, so the client does not share the server's CPU.
PIN=${PIN:-0} srv_pin=() cli_pin=()
[ "$PIN" = 1 ] && srv_pin=(taskset -c 1) cli_pin=(taskset -c 0)
N=${N:-100000} DIM=${DIM:-128} SECS=${SECS:-10} CONC=${CONC:-1,8,32} VM_N=${VM_N:-20000}
REPS=${REPS:-3} VM_FULL_SCAN_KB=${VM_FULL_SCAN_KB:-1000}
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
	[ "$PIN" = 1 ] && cpus=1
	echo $((c < cpus ? c : cpus))
}

load_avg() { cut -d' ' -f1 /proc/loadavg; }

# wrk_run LABEL THREADS C SCRIPT URL: one wrk run, its RESULT line tagged
# with LABEL and c, and this host's 1-minute load average before and after.
# With a local gateway ($gw_pid), also its CPU time per request (cpu_us).
wrk_run() {
	local label=$1 t=$2 c=$3 script=$4 url=$5 pre line cpu0 cpu n
	pre=$(load_avg)
	cpu0=$(gw_ticks)
	line=$(GWB_LUA_DIR=$here "${cli_pin[@]}" wrk -t "$t" -c "$c" -d "${SECS}s" -s "$script" "$url" | sed -n 's/^RESULT //p')
	line=${line:-rps=0 p50_us=0 p99_us=0 n=0 errors=wrk-failed}
	if [ -n "$cpu0" ]; then
		n=$(echo "$line" | sed -n 's/.* n=\([0-9]*\).*/\1/p')
		cpu=$(( ($(gw_ticks) - cpu0) * 1000000 / $(getconf CLK_TCK) ))
		[ "${n:-0}" -gt 0 ] && line+=" cpu_us=$(awk -v c="$cpu" -v n="$n" 'BEGIN{printf "%.1f", c / n}')"
	fi
	echo "RESULT $label c=$c $line load0=$pre load1=$(load_avg)"
}

# User + system clock ticks of the local gateway, if one runs.
gw_ticks() {
	[ -n "${gw_pid:-}" ] && [ -r "/proc/$gw_pid/stat" ] || return 0
	awk '{print $14 + $15}' "/proc/$gw_pid/stat"
}

# Every concurrency level REPS times, interleaved (1,8,32,1,8,32,...).
reps_conc() {
	local r out=
	for r in $(seq 1 "$REPS"); do out+="${out:+,}$CONC"; done
	echo "$out"
}

# Poll the gateway until every point of COLL is in the graph.
wait_indexed() {
	local base=$1 t0=$SECONDS
	until curl -s "$base/collections/bench" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["result"]; sys.exit(r["points_count"] != r["indexed_vectors_count"])' 2>/dev/null; do
		[ $((SECONDS - t0)) -gt 3000 ] && { echo "bench: not indexed after 3000 s" >&2; return 1; }
		sleep 1
	done
	echo "bench: gateway reports all points indexed $((SECONDS - t0)) s after it listened"
	curl -s "$base/collections/bench" | python3 -c 'import json,sys; r=json.load(sys.stdin)["result"]; print("bench:", "points", r["points_count"], "indexed", r["indexed_vectors_count"], "hnsw_config", json.dumps(r["config"]["hnsw_config"]))'
}

# The gateway's searches then upserts at every concurrency, REPS times.
wrk_all() {
	local be=$1 base=$2 q=$3 up=$4 tmax=$5 c t
	for c in $(reps_conc | tr , ' '); do
		t=$(wrk_threads "$c"); [ "$t" -gt "$tmax" ] && t=$tmax
		GWB_QUERIES="$q" wrk_run "gateway-$be search" "$t" "$c" "$here/search.lua" \
			"$base/collections/bench/points/search" | tee -a "$res"
	done
	for c in $(reps_conc | tr , ' '); do
		t=$(wrk_threads "$c"); [ "$t" -gt "$tmax" ] && t=$tmax
		GWB_VECTORS="$up" wrk_run "gateway-$be upsert" "$t" "$c" "$here/upsert.lua" \
			"$base/collections/up/points?wait=true" | tee -a "$res"
	done
}

host() {
	host_prep && host_measure
}

# Make the image: N points, indexed; the queries beside it.
host_prep() {
	local d="$out/host"
	rm -rf "$d" && mkdir -p "$d"
	echo "== host: $N points x $DIM, embedded backend; $(nproc) CPUs"
	"$top/build/tools/mkfs.vexfs" -q -s 4G "$d/img" || return 1
	"$direct" embedded "$d/img" load "$N" "$DIM" "$d"
}

# REPS rounds on the image host_prep() made, each the direct searches then
# the gateway's (one process at a time holds the image; every open rebuilds
# the graph, and both wait for it), so both paths see the same machine
# load; the upserts after the last round.
host_measure() {
	local d="$out/host" res="$out/results-host.txt" r c t
	[ -f "$d/q.f32" ] || { echo "bench: run 'run.sh host-prep' first" >&2; return 1; }
	: >"$res"
	for r in $(seq 1 "$REPS"); do
		echo "== host round $r: load average $(cut -d' ' -f1-3 /proc/loadavg)"
		"${srv_pin[@]}" "$direct" embedded "$d/img" search "$d" "$SECS" "$CONC" | tee -a "$res"
		gw_start "$d" || return 1
		for c in ${CONC//,/ }; do
			GWB_QUERIES="$d/q.jsonl" wrk_run "gateway-embedded search" "$(wrk_threads "$c")" "$c" \
				"$here/search.lua" "$gw_base/collections/bench/points/search" | tee -a "$res"
		done
		wrk_run "gateway-embedded healthz" "$(wrk_threads 8)" 8 "$here/healthz.lua" \
			"$gw_base/healthz" | tee -a "$res"
		if [ "$r" = "$REPS" ]; then
			for c in $(reps_conc | tr , ' '); do
				GWB_VECTORS="$d/up.jsonl" wrk_run "gateway-embedded upsert" "$(wrk_threads "$c")" "$c" \
					"$here/upsert.lua" "$gw_base/collections/up/points?wait=true" | tee -a "$res"
			done
		fi
		gw_stop
	done
}

# The embedded gateway on image DIR/img, once its graph is complete.
gw_start() {
	local d=$1 port
	port=$(free_port)
	"${srv_pin[@]}" "$top/gateway/vexfs-gateway" --data "$d/img" --port "$port" \
		--threads "$([ "$PIN" = 1 ] && echo 1 || nproc)" >"$d/gateway.log" 2>&1 &
	gw_pid=$!
	gw_base="http://127.0.0.1:$port"
	for _ in $(seq 1 600); do
		grep -q "listening on" "$d/gateway.log" && break
		sleep 0.1
	done
	grep -q "listening on" "$d/gateway.log" || { cat "$d/gateway.log"; kill $gw_pid; return 1; }
	# The graph is rebuilt in the background after an open: wait for it.
	wait_indexed "$gw_base" || { kill $gw_pid; return 1; }
}

gw_stop() {
	kill -TERM "$gw_pid"
	wait "$gw_pid" || echo "bench: gateway exit status $?"
	gw_pid=
}

# Only the gateway's runs, on the image and queries host() left.
host_gateway() {
	local d="$out/host" res="$out/results-host.txt"
	[ -f "$d/q.jsonl" ] || { echo "bench: run 'run.sh host' first" >&2; exit 1; }
	sed -i '/RESULT gateway-/d' "$res"
	gw_start "$d" || exit 1
	wrk_all embedded "$gw_base" "$d/q.jsonl" "$d/up.jsonl" "$(nproc)"
	gw_stop
}

# PIN=1 (vm): the guest's vCPU thread (single-threaded TCG runs both vCPUs
# on one host thread) gets CPU 1 to itself; qemu's other threads (the main
# loop runs the user-mode network that carries wrk's requests) and wrk
# share CPU 0. So the guest's CPU, on which the direct searches and the
# gateway are compared, is not also the client's.
vm_pin() {
	local name=$1 qpid t i
	# qemu names its vCPU thread once the machine is set up.
	for i in $(seq 1 100); do
		qpid=$(pgrep -f -n "^qemu-system-x86_64 .*-name vexfs-$name,") &&
			grep -q TCG /proc/"$qpid"/task/*/comm 2>/dev/null && break
		sleep 0.1
	done
	[ -n "$qpid" ] || { echo "bench: no qemu for $name" >&2; return 1; }
	for t in /proc/"$qpid"/task/*; do
		if grep -q TCG "$t/comm"; then
			taskset -p -c 1 "${t##*/}" >/dev/null
		else
			taskset -p -c 0 "${t##*/}" >/dev/null
		fi
	done
	grep -l TCG /proc/"$qpid"/task/*/comm >/dev/null || { echo "bench: no TCG thread in qemu $qpid" >&2; return 1; }
	echo "bench: qemu $qpid: vCPU thread on CPU 1, its other threads and wrk on CPU 0"
}

# Kernel backend in a qemu guest. The direct driver runs in the guest; the
# gateway runs in the guest and wrk on this host against the forwarded
# port, so the guest's vCPUs only run what the direct path also runs (the
# engine) plus the gateway itself.
vm() {
	local name=${VEXFS_VM_NAME:-bench} res="$out/results-vm.txt" d="$out/vm" guest kver_opt=() port
	local vmlog="$top/build/vm/$name/console.log" rc=0
	[ -n "${KVER:-}" ] && kver_opt=(--kver "$KVER")
	rm -rf "$d" && mkdir -p "$d"
	: >"$res"
	echo "== vm: $VM_N points x $DIM, kernel backend (qemu guest '$name'), full_scan_threshold ${VM_FULL_SCAN_KB} KiB; $REPS runs each"
	"$top/build/tools/mkfs.vexfs" -q -s 1G "$d/img" || exit 1
	port=$(free_port) || exit 1
	# The guest gets its programs from build/tools (scripts/vm): put the
	# driver there for this run only.
	cp "$direct" "$top/build/tools/gwbench-direct"
	trap 'rm -f "$top/build/tools/gwbench-direct"' RETURN
	# Direct and gateway runs alternate, REPS rounds: the guest runs the
	# direct searches and prints BENCH-DIRECT-DONE-r, this host runs wrk
	# and then creates collection gwb-go-r through the gateway, which lets
	# the guest start round r+1. So both paths see the same machine load.
	guest="set -e
vexfs-load
mount -t vexfs /dev/vda /mnt/vexfs
mkdir -p /tmp/q
echo bench: nproc \$(nproc)
GWB_FULL_SCAN_KB=$VM_FULL_SCAN_KB gwbench-direct kernel /mnt/vexfs load $VM_N $DIM /tmp/q
vexfs-gateway --host 0.0.0.0 --port 6333 --threads \$(nproc) >/tmp/gw.log 2>&1 &
gw=\$!
while ! grep -q 'listening on' /tmp/gw.log; do sleep 0.2; done
for r in \$(seq 1 $REPS); do
	gwbench-direct kernel /mnt/vexfs search /tmp/q $SECS $CONC
	echo BENCH-DIRECT-DONE-\$r
	while ! vexfsctl info gwb-go-\$r >/dev/null 2>&1; do sleep 0.5; done
done
echo BENCH-UPSERTS
wait \$gw
"
	# No debug allocators: they would tax the gateway's every skb.
	VEXFS_VM_BENCH=1 "$top/scripts/vm" start "${kver_opt[@]}" --name "$name" --timeout 5400 --mem 2048 \
		--fwd "$port:6333" --disk "$d/img" -- "$guest" || exit 1
	[ "$PIN" = 1 ] && { vm_pin "$name" || exit 1; }
	"$direct" queries "$VM_N" "$DIM" "$d" || rc=1
	local r c
	for r in $(seq 1 "$REPS"); do
		[ $rc = 0 ] || break
		"$top/scripts/vm" wait --name "$name" --timeout 4800 --for "BENCH-DIRECT-DONE-$r" || { rc=1; break; }
		[ "$r" = 1 ] && grep -a "direct:\|bench:" "$vmlog" | sed 's/\r$//'
		# The direct lines of round r, with this host's load (the
		# driver's own load1 is the guest's).
		grep -a "RESULT direct-" "$vmlog" | sed 's/^.*RESULT /RESULT /; s/\r$//' |
			tail -n "$(echo "$CONC" | tr , '\n' | wc -l)" |
			sed "s/ load1=/ guestload1=/; s/\$/ load1=$(load_avg)/" | tee -a "$res"
		if [ "$r" = 1 ]; then
			wait_indexed "http://127.0.0.1:$port" || { rc=1; break; }
		fi
		for c in ${CONC//,/ }; do
			# One wrk thread: the guest (single-threaded TCG) keeps the other CPU.
			GWB_QUERIES="$d/q.jsonl" wrk_run "gateway-kernel search" 1 "$c" "$here/search.lua" \
				"http://127.0.0.1:$port/collections/bench/points/search" | tee -a "$res"
		done
		wrk_run "gateway-kernel healthz" 1 8 "$here/healthz.lua" \
			"http://127.0.0.1:$port/healthz" | tee -a "$res"
		curl -sf -X PUT -H 'Content-Type: application/json' \
			-d '{"vectors":{"size":2,"distance":"Cosine"}}' \
			"http://127.0.0.1:$port/collections/gwb-go-$r" >/dev/null || { rc=1; break; }
	done
	if [ $rc = 0 ] && "$top/scripts/vm" wait --name "$name" --timeout 600 --for BENCH-UPSERTS; then
		for c in $(reps_conc | tr , ' '); do
			GWB_VECTORS="$d/up.jsonl" wrk_run "gateway-kernel upsert" 1 "$c" "$here/upsert.lua" \
				"http://127.0.0.1:$port/collections/up/points?wait=true" | tee -a "$res"
		done
	else
		rc=1
	fi
	"$top/scripts/vm" stop --name "$name" --timeout 120 || rc=1
	return $rc
}

# The table: per backend and concurrency, gateway vs direct, the median of
# the runs of each (every column its own median), and the 1-minute load
# average at the end of each run (the benchmark's own threads included).
table() {
	python3 - "$out" <<'PY'
import re, sys, os, statistics
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
        kv = dict(x.split('=', 1) for x in m.group(4).split())
        rows.setdefault((m.group(1), m.group(2), int(m.group(3))), []).append(kv)
def med(runs, k, scale=1.0):
    if not runs or any(k not in r for r in runs):
        return '-'
    v = statistics.median(float(r[k]) for r in runs)
    return f'{v * scale:.2f}' if scale != 1.0 else f'{v:.0f}'
def loads(runs):
    return '/'.join(r.get('load1', '?') for r in runs) if runs else '-'
print('| backend | op | c | runs | gateway req/s | p50 ms | p99 ms | CPU us/req | load1 | direct req/s | direct p50 ms | direct p99 ms | CPU us/search | direct load1 | gateway/direct req/s |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for be in ('embedded', 'kernel'):
    for op in ('search', 'healthz', 'upsert'):
        for c in sorted({k[2] for k in rows}):
            g = rows.get(('gateway-' + be, op, c), [])
            d = rows.get(('direct-' + be, op, c), [])
            if not g and not d:
                continue
            ratio = '-'
            if g and d:
                ratio = f"{statistics.median(float(r['rps']) for r in g) / statistics.median(float(r['rps']) for r in d):.2f}"
            nerr = sum(int(r['errors']) for r in g if r.get('errors', '0').isdigit())
            err = f" ({nerr} errors)" if nerr else ''
            print(f"| {be} | {op} | {c} | {max(len(g), len(d))} | {med(g, 'rps')}{err} | {med(g, 'p50_us', 1e-3)} | {med(g, 'p99_us', 1e-3)} | {med(g, 'cpu_us')} | {loads(g)} | "
                  f"{med(d, 'rps')} | {med(d, 'p50_us', 1e-3)} | {med(d, 'p99_us', 1e-3)} | {med(d, 'cpu_us')} | {loads(d)} | {ratio} |")
PY
}

case $mode in
host) host && table ;;
host-prep) host_prep ;;
host-measure) host_measure && table ;;
host-gateway) host_gateway && table ;;
vm) vm; table ;;
table) table ;;
*) echo "usage: run.sh host|host-prep|host-measure|host-gateway|vm|table" >&2; exit 2 ;;
esac
