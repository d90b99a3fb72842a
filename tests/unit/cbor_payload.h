/* SPDX-License-Identifier: GPL-2.0 */
/* Valid CBOR payloads of a chosen size for storage tests: {"p": "xxx..."}. */
#ifndef VEXFS_TEST_CBOR_PAYLOAD_H
#define VEXFS_TEST_CBOR_PAYLOAD_H

#include "shim.h"

/*
 * Write a CBOR map of at most @len bytes (0 if @len < 4) whose text value is
 * made of printable bytes derived from @seed; returns its length.
 */
static inline u32 make_payload(u8 *out, u32 len, u64 seed)
{
	u32 n, hdr, pos = 0;

	if (len < 4)
		return 0;
	/* a1 61 70 = map(1), "p"; then a text header of 1, 2 or 3 bytes */
	n = len - 4;
	hdr = 1;
	if (n >= 24) {
		n = len - 5;
		hdr = 2;
	}
	if (n >= 256) {
		n = len - 6;
		hdr = 3;
	}
	if (n >= 65536)
		n = 65535;
	out[pos++] = 0xa1;
	out[pos++] = 0x61;
	out[pos++] = 'p';
	if (hdr == 1) {
		out[pos++] = (u8)(0x60 + n);
	} else if (hdr == 2) {
		out[pos++] = 0x78;
		out[pos++] = (u8)n;
	} else {
		out[pos++] = 0x79;
		out[pos++] = (u8)(n >> 8);
		out[pos++] = (u8)n;
	}
	for (u32 i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		out[pos++] = (u8)('a' + (seed >> 59) % 26);
	}
	return pos;
}

#endif /* VEXFS_TEST_CBOR_PAYLOAD_H */
