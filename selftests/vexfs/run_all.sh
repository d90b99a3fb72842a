#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make vm-test`: run every selftest program, in name order.
# Each prints TAP; the host collects the points from the console.
rc=0
for t in /usr/local/bin/*_test /usr/local/bin/*_test.sh; do
	[ -x "$t" ] || continue
	echo "# selftest: $(basename "$t")"
	"$t" || rc=1
done
exit $rc
