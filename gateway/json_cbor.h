/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Point payloads between the API's JSON (jansson) and the CBOR the kernel
 * stores (RFC 8949; the subset and its checks are in vexfs_kmod/core/cbor.h).
 *
 * JSON to CBOR writes the canonical form: integers and lengths in their
 * shortest encoding, each real in the narrowest of float16/32/64 that holds
 * it exactly (1.0 is f9 3c00, 0.1 stays a float64), object keys in the
 * order jansson keeps them, which is insertion order (jansson 2.14 iterates
 * objects in insertion order; for a repeated key the first position keeps
 * the last value). Integers stay integers and reals stay reals, so 1 and
 * 1.0 come back as they went in.
 *
 * Limits, from jansson: json_int_t is int64_t, and json_loads() refuses
 * larger integers ("too big integer") unless JSON_DECODE_INT_AS_REAL is
 * given, so JSON integers outside int64 cannot reach the encoder as
 * integers. The other way, CBOR integers outside int64 (stored by a native
 * program) become the nearest jansson real. NaN and infinities (CBOR can
 * hold them, JSON cannot) become null, as in the kernel's rendering.
 */
#ifndef VEXFS_GATEWAY_JSON_CBOR_H
#define VEXFS_GATEWAY_JSON_CBOR_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * Encode a JSON object as a payload. Returns 0 with *out (malloc'd; the
 * caller frees it) and *len, or a negative errno with a message in err:
 * -EINVAL (not an object, nested deeper than VX_CBOR_MAX_DEPTH, a NaN or
 * infinite real), -E2BIG (more than VEXFS_PAYLOAD_MAX bytes), -ENOMEM.
 */
int gw_json_to_cbor(const json_t *obj, uint8_t **out, size_t *len, char *err,
		    size_t errlen);

/*
 * Decode a payload into a new JSON object (the caller owns the reference).
 * The bytes are validated first (vx_cbor_validate); NULL with a message in
 * err if they are not a valid payload or memory runs out.
 */
json_t *gw_cbor_to_json(const uint8_t *buf, size_t len, char *err,
			size_t errlen);

#endif
