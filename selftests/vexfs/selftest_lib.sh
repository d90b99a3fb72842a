# SPDX-License-Identifier: GPL-2.0
#
# Shared by the shell selftests (sourced, not run: run_all.sh runs only
# *_test and *_test.sh). Each test sets $out (the file a failed point
# shows) before calling these.
dev=${VEXFS_SCRATCH_DEV:-/dev/vda}
ko=${VEXFS_KO:-/lib/modules/vexfs.ko}
n=0 failed=0

# point 0|1 DESCRIPTION: one TAP line; a failure shows $out and $out.err.
point() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"
		sed 's/^/# /' "$out" "$out.err" 2>/dev/null
		failed=1
	fi
}

# vexfs_up MOUNTPOINT: load vexfs.ko, format the scratch disk and mount it
# there; bails out of the whole test if any step fails.
vexfs_up() {
	insmod "$ko" || { echo "Bail out! insmod $ko"; exit 1; }
	if ! mkfs.vexfs -f -q "$dev" || ! mkdir -p "$1" ||
		! mount -t vexfs "$dev" "$1"; then
		echo "Bail out! mkfs/mount"
		rmmod vexfs
		exit 1
	fi
}

# vexfs_down MOUNTPOINT: unmount and unload (an unload failure fails the
# test); exits with the test's status.
vexfs_down() {
	umount "$1"
	rmmod vexfs || failed=1
	exit $failed
}
