#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Sum the TAP results of every part of `make test` (build/results/*.tap) and
# print the closing line: "N passed, N failed, N skipped". Only top-level
# test points count (indented lines are subtests of a point already counted).
# Exit status 1 if anything failed or nothing ran.
set -uo pipefail
dir=${1:-build/results}
passed=0 failed=0 skipped=0
shopt -s nullglob
for f in "$dir"/*.tap; do
	p=$(grep -cE '^ok [0-9]*.*' "$f" | head -1)
	s=$(grep -cE '^ok .*# *(SKIP|skip)' "$f" | head -1)
	x=$(grep -cE '^not ok ' "$f" | head -1)
	xs=$(grep -cE '^not ok .*# *(SKIP|skip|TODO)' "$f" | head -1)
	printf '  %-28s %3d passed, %3d failed, %3d skipped\n' "$(basename "$f" .tap)" \
		$((p - s)) $((x - xs)) $((s + xs))
	passed=$((passed + p - s))
	skipped=$((skipped + s + xs))
	failed=$((failed + x - xs))
	grep -E '^not ok ' "$f" | grep -vE '# *(SKIP|skip|TODO)' | sed "s|^|    $(basename "$f" .tap): |"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
