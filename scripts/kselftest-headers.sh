#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Extract kselftest_harness.h and kselftest.h from Debian's linux-source-6.1.
set -euo pipefail
out=${1:?usage: kselftest-headers.sh OUTDIR}
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "linux-source-6.1 is not installed (make deps)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xf "$tarball" -C "$tmp" --wildcards \
	'*/tools/testing/selftests/kselftest_harness.h' \
	'*/tools/testing/selftests/kselftest.h' \
	'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch' '*/.clang-format'
mkdir -p "$out"
src=$(echo "$tmp"/linux-source-*)
cp "$src"/tools/testing/selftests/kselftest*.h "$out/"
cp "$src"/scripts/checkpatch.pl "$src"/scripts/spelling.txt \
	"$src"/scripts/const_structs.checkpatch "$out/"
cp "$src"/.clang-format "$out/clang-format"
