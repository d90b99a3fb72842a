#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build and run every libFuzzer target for SECONDS each (default 30), with a
# seed corpus made from real artefacts; write TAP to OUT if given.
#   tests/fuzz/fuzz_*.c   targets over the portable core
#   gateway (make -C gateway fuzz)  HTTP path, query and JSON parsing
set -uo pipefail
secs=${1:-30} out=${2:-/dev/null}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
fz=build/fuzz
mkdir -p "$fz"
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Ivexfs_kmod/core -Iuapi -I."
make -s build/core-fuzz/libvexfscore.a build/tools/mkfs.vexfs || { echo "not ok - fuzz: build the core" | tee -a "$out"; exit 1; }
rc=0

le64() {
	local n=$1 i esc=
	for i in 0 1 2 3 4 5 6 7; do esc+=$(printf '\\x%02x' $(((n >> (8 * i)) & 255))); done
	printf "$esc"
}

seed_superblock() {
	local c=$1 img
	img=$(mktemp)
	mkdir -p "$c"
	for s in 4M 64M 1G; do
		build/tools/mkfs.vexfs -q -f -s "$s" "$img" >/dev/null
		# 8 bytes of device size (in blocks, little-endian), then slots A, B.
		{ le64 $(( $(stat -c %s "$img") / 4096 ))
		  dd if="$img" bs=4096 skip=1 count=2 status=none; } >"$c/mkfs-$s"
	done
	rm -f "$img"
}

seed_mount() {
	local c=$1
	mkdir -p "$c"
	make -s build/core/libvexfscore.a &&
		cc -O1 -g -DVX_FUZZ_SEEDGEN -Ivexfs_kmod/core -Iuapi -I. -o "$fz/seedgen_mount" \
			tests/fuzz/fuzz_mount.c build/core/libvexfscore.a -pthread &&
		"$fz/seedgen_mount" "$c"
}

run_target() {
	local name=$1 bin=$2 corpus=$3 log="$fz/$1.log" maxlen=${4:-4096}
	mkdir -p "$corpus"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
		-print_final_stats=1 "$corpus" >"$log" 2>&1; then
		echo "ok - fuzz: $name ran ${secs}s without a crash ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs)" | tee -a "$out"
	else
		echo "not ok - fuzz: $name crashed (see $log)" | tee -a "$out"
		tail -n 40 "$log"
		rc=1
	fi
}

for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	# shellcheck disable=SC2086
	clang $flags -o "$fz/$name" "$src" build/core-fuzz/libvexfscore.a -pthread || { echo "not ok - fuzz: build $name" | tee -a "$out"; rc=1; continue; }
	maxlen=4096
	mkdir -p "$fz/corpus-$name"
	[ -d "tests/fuzz/corpus/$name" ] && cp -n "tests/fuzz/corpus/$name"/* "$fz/corpus-$name/"
	case "$name" in
	fuzz_superblock) seed_superblock "$fz/corpus-$name"; maxlen=8200 ;;
	fuzz_mount) seed_mount "$fz/corpus-$name"; maxlen=139264 ;;
	esac
	run_target "$name" "$fz/$name" "$fz/corpus-$name" "$maxlen"
done

if make -s -C gateway fuzz >/dev/null; then
	for bin in gateway/build/fuzz_*; do
		[ -x "$bin" ] || continue
		name=gateway-$(basename "$bin")
		mkdir -p "$fz/corpus-$name"
		[ -d "tests/fuzz/corpus/$name" ] && cp -n "tests/fuzz/corpus/$name"/* "$fz/corpus-$name/"
		run_target "$name" "$bin" "$fz/corpus-$name"
	done
else
	echo "not ok - fuzz: build gateway fuzz targets" | tee -a "$out"
	rc=1
fi
exit $rc
