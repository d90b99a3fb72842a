// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: payload edits (cbor_edit.c) on arbitrary validated
 * payloads, maps and key paths. Input: one byte of key-path length, one
 * byte saying where the payload ends and the map begins, the key path,
 * then the two CBOR buffers. Checks:
 *   - set and delete never crash or read out of bounds, whatever the path;
 *   - every result is a payload the validator accepts, within the limit;
 *   - set is idempotent (setting the same map again changes nothing);
 *   - deleting a path never makes a payload longer (an empty payload
 *     becomes the one-byte empty map).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cbor.h"
#include "cbor_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t klen, split, rest;
	const uint8_t *key, *pl, *map;
	uint8_t paths[80], *out = NULL, *out2 = NULL;
	uint32_t out_len, out2_len, plen, mlen;
	int err;

	if (size < 2)
		return 0;
	klen = data[0] % 64;
	if (size < 2 + klen)
		return 0;
	key = data + 2;
	rest = size - 2 - klen;
	split = rest * data[1] / 255;
	pl = key + klen;
	plen = (uint32_t)split;
	map = pl + split;
	mlen = (uint32_t)(rest - split);
	if (plen && vx_cbor_validate(pl, plen, NULL))
		return 0;

	/* delete the path (as a one-element array of paths) */
	paths[0] = 0x81;
	paths[1] = 0x78; /* text, 1-byte length */
	paths[2] = (uint8_t)klen;
	memcpy(paths + 3, key, klen);
	err = vx_cbor_delete_keys(pl, plen, paths, (uint32_t)(3 + klen), &out,
				  &out_len);
	if (!err) {
		if (vx_cbor_validate(out, out_len, NULL) ||
		    out_len > (plen ? plen : 1))
			abort();
		vx_free(out);
		out = NULL;
	}

	if (!mlen || vx_cbor_validate(map, mlen, NULL))
		return 0;
	err = vx_cbor_set(pl, plen, map, mlen, (const char *)key,
			  (uint32_t)klen, &out, &out_len);
	if (err)
		return 0;
	if (out_len > VEXFS_PAYLOAD_MAX || vx_cbor_validate(out, out_len, NULL))
		abort();
	err = vx_cbor_set(out, out_len, map, mlen, (const char *)key,
			  (uint32_t)klen, &out2, &out2_len);
	if (err || out2_len != out_len || memcmp(out, out2, out_len))
		abort();
	vx_free(out);
	vx_free(out2);
	return 0;
}
