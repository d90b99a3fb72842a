#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Power cuts during acknowledged writes. A guest mounts a persistent VexFS
# disk, checks everything acknowledged before the previous cut, then writes
# (powercut_writer run: upserts and deletes, each printed once acknowledged)
# until qemu is killed at a random moment - sometimes while it still boots,
# recovers or checks. After each cut, fsck.vexfs -n must find the image
# clean; a last boot checks once more and shuts down cleanly. Prints TAP.
#
#   POWERCUT_CYCLES  cuts (default 20)
#   POWERCUT_SEED    seed for the cut moments (default: random, printed)
#   KVER             kernel to boot (default: newest, as scripts/vm)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
vm="$top/scripts/vm"
mkfs="$top/build/tools/mkfs.vexfs" fsck="$top/build/tools/fsck.vexfs"
cycles=${POWERCUT_CYCLES:-20}
seed=${POWERCUT_SEED:-$(((RANDOM << 15) | RANDOM))}
name=powercut
dir="$top/build/vm/$name"
img="$dir/disk.img"
RANDOM=$seed
n=0 failed=0

point() { # point OK|FAIL description
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}

kopt=()
[ -n "${KVER:-}" ] && kopt=(--kver "$KVER")
bad_console=$(sed -n "s/^BAD_CONSOLE='\(.*\)'$/\1/p" "$vm")

echo "TAP version 13"
echo "# seed $seed, $cycles cuts${KVER:+, kernel $KVER}"
for f in "$mkfs" "$fsck" "$top/build/selftests/powercut_writer"; do
	if [ ! -x "$f" ]; then
		echo "1..0 # SKIP $f not built (make tools selftests)"
		exit 0
	fi
done
mkdir -p "$dir"
rm -f "$img"
"$mkfs" -q -s 64M -L powercut "$img" || { echo "Bail out! mkfs.vexfs failed"; exit 1; }

maxack=none     # highest id acknowledged so far
maybe=()        # acknowledged ids whose acknowledged delete was not seen
acked_total=0
mount_cmd='vexfs-load && mkdir -p /mnt/pc && mount -t vexfs /dev/vda /mnt/pc'

# The complete lines of the console, without CRs.
console_lines() {
	tr -d '\r' <"$dir/console.log" >"$dir/cut.log"
	[ -n "$(tail -c 1 "$dir/cut.log")" ] && sed -i '$d' "$dir/cut.log"
	cat "$dir/cut.log"
}

# Judge the check a boot ran: "ok", "fail" or "" (cut before it finished).
check_result() {
	if grep -aq '^PCC OK' "$dir/cut.log"; then echo ok
	elif grep -aq '^PCC FAIL' "$dir/cut.log"; then echo fail
	fi
}

# The power cut. `scripts/vm kill` SIGKILLs the pid it recorded, which is
# `timeout`, not qemu; `vm start` runs them under setsid, so the recorded
# pid is also their process group: kill the group, wait until it is gone.
power_cut() {
	local pid
	pid=$(cat "$dir/pid")
	kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 -- "-$pid" 2>/dev/null || break
		sleep 0.1
	done
	"$vm" kill --name "$name"
}

ms_sleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

for cycle in $(seq 1 "$cycles"); do
	start=0
	[ "$maxack" != none ] && start=$((maxack + 1))
	cmd="$mount_cmd && powercut_writer check /mnt/pc pc $maxack ${maybe[*]} &&"
	cmd+=" powercut_writer run /mnt/pc pc $start"
	# A second try: another run building the same kernel's initramfs at
	# the same moment can make `vm start` fail.
	if ! "$vm" start "${kopt[@]}" --name "$name" --timeout 180 \
		--disk "$img" -- "$cmd" >"$dir/start.log" 2>&1 &&
		! { sleep 2; "$vm" start "${kopt[@]}" --name "$name" --timeout 180 \
			--disk "$img" -- "$cmd" >>"$dir/start.log" 2>&1; }; then
		point FAIL "cycle $cycle: guest starts"
		sed 's/^/# /' "$dir/start.log"
		break
	fi
	# One cut in four lands while the guest loads the module, mounts
	# (recovery) and checks; the others while the writer runs.
	if [ $((RANDOM % 4)) = 0 ]; then
		when="mounting or checking"
		wait_for="guest-init: kernel" delay=$((RANDOM % 1500))
	else
		when="writing"
		wait_for="PCW START" delay=$((100 + RANDOM % 1200))
	fi
	if ! "$vm" wait --name "$name" --timeout 150 --for "$wait_for" >"$dir/wait.log" 2>&1; then
		when="boot (never printed '$wait_for')"
	fi
	ms_sleep $delay
	power_cut
	console_lines >/dev/null

	res=$(check_result)
	case "$res" in
	ok) point OK "cycle $cycle: every write acknowledged before the last cut is there ($(sed -n 's/^PCC OK //p' "$dir/cut.log" | head -n 1) points)" ;;
	fail)
		point FAIL "cycle $cycle: every write acknowledged before the last cut is there"
		grep -a '^PCC FAIL' "$dir/cut.log" | sed 's/^/# /'
		;;
	*) echo "# cycle $cycle: cut before the check finished; the next boot checks" ;;
	esac
	if grep -aq '^PCW FAIL' "$dir/cut.log"; then
		point FAIL "cycle $cycle: the writer's operations succeed"
		grep -a '^PCW FAIL' "$dir/cut.log" | sed 's/^/# /'
	fi
	case "$when" in
	boot*)
		point FAIL "cycle $cycle: the guest reaches '$wait_for'"
		tail -n 20 "$dir/cut.log" | sed 's/^/# /'
		;;
	esac

	# What this boot acknowledged.
	acks=$(awk '/^ACK [0-9]+$/ { n++; if ($2 > m || n == 1) m = $2 } END { if (n) print n, m }' "$dir/cut.log")
	if [ -n "$acks" ]; then
		acked_total=$((acked_total + ${acks%% *}))
		last=${acks##* }
		if [ "$maxack" = none ] || [ "$last" -gt "$maxack" ]; then maxack=$last; fi
		# shellcheck disable=SC2207
		maybe+=($(awk '/^ACK [0-9]+$/ && $2 % 7 == 3 { a[$2] = 1 }
			/^DEL [0-9]+$/ { delete a[$2] }
			END { for (i in a) print i }' "$dir/cut.log"))
	fi
	nacks=${acks%% *}
	echo "# cycle $cycle: cut while $when, ${nacks:-0} acknowledged this boot, max id $maxack"

	if grep -aqE "$bad_console" "$dir/console.log"; then
		point FAIL "cycle $cycle: console free of kernel problem reports"
		grep -aE -m 5 -A 10 "$bad_console" "$dir/console.log" | sed 's/^/# /'
	fi
	if "$fsck" -n "$img" >"$dir/fsck.log" 2>&1; then
		point OK "cycle $cycle: fsck.vexfs -n is clean after the cut"
	else
		point FAIL "cycle $cycle: fsck.vexfs -n is clean after the cut (status $?)"
		sed 's/^/# /' "$dir/fsck.log"
	fi
	cp "$dir/console.log" "$dir/console-$cycle.log"
done

# Last boot: check, then unmount cleanly.
cmd="$mount_cmd && powercut_writer check /mnt/pc pc $maxack ${maybe[*]}"
if "$vm" run "${kopt[@]}" --name "$name" --timeout 180 --disk "$img" -- "$cmd" \
	>"$dir/final.log" 2>&1; then
	point OK "after the last cut: every acknowledged write is there, clean shutdown"
else
	point FAIL "after the last cut: every acknowledged write is there, clean shutdown"
	grep -aE 'PCC|vm:' "$dir/final.log" | sed 's/^/# /'
fi
if "$fsck" -n "$img" >"$dir/fsck.log" 2>&1; then
	point OK "fsck.vexfs -n is clean after the last clean unmount"
else
	point FAIL "fsck.vexfs -n is clean after the last clean unmount"
	sed 's/^/# /' "$dir/fsck.log"
fi
if [ "$acked_total" -gt 0 ]; then
	point OK "writes were acknowledged ($acked_total, ids up to $maxack)"
else
	point FAIL "writes were acknowledged"
fi
echo "1..$n"
exit $failed
