#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, on Debian 12 as root, every package the build, `make run` and the
# tests need. Idempotent: when everything is present it does nothing.
set -euo pipefail

PACKAGES=(
	build-essential pkg-config git
	linux-headers-amd64 linux-image-amd64               # Debian 6.1
	linux-headers-6.12-amd64 linux-image-6.12-amd64     # Debian 6.12 (backports)
	linux-source-6.1                                    # kselftest harness, checkpatch
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd gzip
	libevent-dev libjansson-dev libnl-genl-3-dev libnl-3-dev
	clang libclang-rt-14-dev                            # libFuzzer
	clang-format cppcheck
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static  # NEON tests
	curl
	wrk                                                 # bench/gateway
)

missing=()
for p in "${PACKAGES[@]}"; do
	[[ $p == \#* ]] && continue
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done
# Node.js 20 (for @qdrant/js-client-rest 1.18.0); Debian's own nodejs if none.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
