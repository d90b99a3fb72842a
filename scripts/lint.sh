#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make lint`: clang-format (kernel style, .clang-format) on every C file,
# checkpatch.pl from Debian's linux-source on the kernel code, cppcheck on
# everything. Exit status 1 on any finding.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rc=0
ksft=build/kselftest
[ -f "$ksft/checkpatch.pl" ] || scripts/kselftest-headers.sh "$ksft"

mapfile -t c_files < <(git ls-files '*.c' '*.h')
mapfile -t kernel_files < <(git ls-files 'vexfs_kmod/*.c' 'vexfs_kmod/*.h' | grep -v '/user/')

echo "== clang-format"
if ! clang-format --dry-run --Werror "${c_files[@]}"; then
	echo "lint: run 'make format'" >&2
	rc=1
fi

echo "== checkpatch (kernel code)"
# Ignored: LINUX_VERSION_CODE is how we bridge 6.1 and 6.12; split JSON
# templates are not messages anyone greps for; SPDX style and
# file-path checks assume the kernel tree; new typedefs are the core's shim.
out=$(perl "$ksft/checkpatch.pl" --no-tree --terse --show-types -f \
	--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON,SPLIT_STRING,SPDX_LICENSE_TAG,FILE_PATH_CHANGES,NEW_TYPEDEFS,CAMELCASE,PREFER_DEFINED_ATTRIBUTE_MACRO,COMPLEX_MACRO,MACRO_ARG_REUSE,PREFER_KERNEL_TYPES \
	"${kernel_files[@]}" | grep -v ' 0 errors, 0 warnings')
if [ -n "$out" ]; then
	echo "$out"
	rc=1
fi

echo "== cppcheck"
if ! cppcheck -q --error-exitcode=1 --inline-suppr --std=c11 \
	--enable=warning,performance,portability \
	--suppress=missingIncludeSystem -Ivexfs_kmod/core -Iuapi -Itools \
	-U__KERNEL__ --library=posix \
	$(git ls-files 'tools/*.c' 'gateway/*.c' 'tests/*.c' 'vexfs_kmod/core/*.c'); then
	rc=1
fi
[ $rc -eq 0 ] && echo "lint: clean"
exit $rc
