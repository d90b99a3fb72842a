#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: a Qdrant-compatible server on 127.0.0.1:6333 backed by vexfs.ko.
#
# Where this host can load modules (as root): insmod vexfs.ko, make the image
# once, mount it at $VEXFS_MOUNT and run the gateway in the foreground.
# Elsewhere (as on our CI machines): the same inside a qemu guest running
# Debian's kernel, with the gateway's port forwarded to 127.0.0.1.
#
# The image persists in $VEXFS_DATA_DIR, so `make run` after `make run` keeps
# the data. Ctrl-C (or `make stop` from another shell) stops it cleanly.
#
#   VEXFS_DATA_DIR  data directory (default /var/lib/vexfs)
#   VEXFS_IMAGE_SIZE size of a new image (default 1G)
#   VEXFS_PORT      port on 127.0.0.1 (default 6333)
#   VEXFS_MOUNT     mount point on a module-capable host (default /mnt/vexfs)
#   VEXFS_RUN_VM=1  use the VM even where modules could be loaded
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
data=${VEXFS_DATA_DIR:-/var/lib/vexfs}
size=${VEXFS_IMAGE_SIZE:-1G}
port=${VEXFS_PORT:-6333}
mnt=${VEXFS_MOUNT:-/mnt/vexfs}
image="$data/vexfs.img"
vmname=server

if [ "${1:-}" = --stop ]; then
	exec "$top/scripts/vm" stop --name "$vmname"
fi

mkdir -p "$data"
if [ ! -e "$image" ]; then
	"$top/build/tools/mkfs.vexfs" -q -s "$size" -L vexfs "$image"
	echo "run: made a new $size VexFS image at $image"
fi

can_load_modules() {
	[ -e /proc/modules ] && [ "$(id -u)" -eq 0 ] &&
		[ -f "$top/build/kmod/$(uname -r)/vexfs.ko" ] &&
		[ "${VEXFS_RUN_VM:-0}" != 1 ]
}

if can_load_modules; then
	grep -q '^vexfs ' /proc/modules || insmod "$top/build/kmod/$(uname -r)/vexfs.ko"
	loopdev=$(losetup -j "$image" | cut -d: -f1 | head -n 1)
	[ -n "$loopdev" ] || loopdev=$(losetup -f --show "$image")
	mkdir -p "$mnt"
	mountpoint -q "$mnt" || mount -t vexfs "$loopdev" "$mnt"
	echo "run: $image mounted at $mnt; Qdrant API at http://127.0.0.1:$port (Ctrl-C stops)"
	trap 'umount "$mnt"; losetup -d "$loopdev"' EXIT
	"$top/gateway/vexfs-gateway" --host 127.0.0.1 --port "$port"
	exit $?
fi

# In the guest: the image is /dev/vda, mounted at /mnt/vexfs.
guest='vexfs-load && mount -t vexfs /dev/vda /mnt/vexfs && exec vexfs-gateway --host 0.0.0.0 --port 6333'
"$top/scripts/vm" start --name "$vmname" --timeout 0 --mem 2048 \
	--disk "$image" --fwd "$port:6333" -- "$guest"
stop() {
	trap - INT TERM EXIT
	echo
	echo "run: stopping (the guest syncs and unmounts)"
	"$top/scripts/vm" stop --name "$vmname"
}
trap stop INT TERM EXIT
if ! "$top/scripts/vm" wait --name "$vmname" --timeout 120 --for "vexfs-gateway: listening"; then
	echo "run: the server did not come up; console: $top/build/vm/$vmname/console.log" >&2
	exit 1
fi
cat <<MSG
run: VexFS is serving the Qdrant API at http://127.0.0.1:$port
run:   (vexfs.ko in a qemu guest; data in $image, mounted at /mnt/vexfs there)
run:   try: curl http://127.0.0.1:$port/
run:   stop: Ctrl-C here, or 'make stop' from another shell
MSG
# Stream the console until the guest powers off.
tail -n +1 -f --pid="$(cat "$top/build/vm/$vmname/pid")" "$top/build/vm/$vmname/console.log"
trap - INT TERM EXIT
"$top/scripts/vm" check --name "$vmname"
