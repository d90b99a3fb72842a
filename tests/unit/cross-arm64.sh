#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The core's unit tests on arm64, so the NEON kernels are checked on an x86
# host: builds the core and tests/unit/test_*.c with Debian's cross compiler
# (gcc-aarch64-linux-gnu, libc6-dev-arm64-cross) and runs them under
# qemu-user (qemu-user-static). No sanitizers: the cross sanitizer runtimes
# are not installed by default. Exit 4 (kselftest's "skip") without the tools.
#
#   tests/unit/cross-arm64.sh [OUTDIR] [TEST...]     (from the top of the tree)
set -uo pipefail
out=${1:-build/unit-arm64}
shift || true
cc=aarch64-linux-gnu-gcc
qemu=qemu-aarch64-static
for tool in $cc $qemu; do
	if ! command -v $tool >/dev/null; then
		echo "# SKIP: $tool not installed (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static)"
		exit 4
	fi
done
cflags="-std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Wshadow
	-Wstrict-prototypes -Wmissing-prototypes -fno-strict-aliasing -pthread
	-Werror -I. -Iuapi -Ivexfs_kmod/core -Itests/unit"
mkdir -p "$out/obj"
rc=0
for src in vexfs_kmod/core/*.c vexfs_kmod/core/user/*.c; do
	case $src in *_avx2.c | *_avx512.c) continue ;; esac
	obj="$out/obj/$(basename "${src%.c}").o"
	$cc $cflags -c "$src" -o "$obj" || rc=1
done
[ $rc -eq 0 ] || exit 1
rm -f "$out/libvexfscore.a"
aarch64-linux-gnu-ar rcs "$out/libvexfscore.a" "$out"/obj/*.o

tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(tests/unit/test_*.c)
for src in "${tests[@]}"; do
	bin="$out/$(basename "${src%.c}")"
	$cc $cflags "$src" "$out/libvexfscore.a" -lm -o "$bin" || { rc=1; continue; }
	echo "== $bin (arm64 under qemu-user)"
	$qemu -L /usr/aarch64-linux-gnu "$bin" || rc=1
done
exit $rc
