/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Payload edits (VEXFS_IOC_PAYLOAD) on stored CBOR payloads, with Qdrant's
 * semantics:
 *
 *   set          the keys of a map replace or join those of the payload
 *                (shallow: a key's old value is replaced whole), or, with a
 *                key path, those of the object at that path, which is made
 *                (replacing a non-object) when missing. An [N] step past the
 *                end of an array changes nothing; a [] step applies the rest
 *                to every element.
 *   delete keys  each path in a CBOR array of text paths is removed: a key
 *                from its map, an [N] element from its array, every element
 *                for a trailing []. Missing paths are not an error.
 *
 * Keys keep their order; a replaced key keeps its place, a new one goes
 * last. Inputs are validated payloads (vx_cbor_validate()); the result is
 * validated again. Output is vx_alloc()ed (caller frees with vx_free());
 * NULL with length 0 for an empty result is never returned: an empty map is
 * one byte (0xa0). Errors: -EINVAL (malformed input or path), -E2BIG (the
 * result exceeds VEXFS_PAYLOAD_MAX), -ENOMEM.
 */
#ifndef VEXFS_CORE_CBOR_EDIT_H
#define VEXFS_CORE_CBOR_EDIT_H

#include "shim.h"

/*
 * Set @map (a CBOR map) into @payload (a CBOR map; @len 0 means an empty
 * payload), at the top level (@key_len 0) or at key path @key.
 */
int vx_cbor_set(const u8 *payload, u32 len, const u8 *map, u32 map_len,
		const char *key, u32 key_len, u8 **out, u32 *out_len);

/* Remove every path of @paths (a CBOR array of text strings). */
int vx_cbor_delete_keys(const u8 *payload, u32 len, const u8 *paths,
			u32 paths_len, u8 **out, u32 *out_len);

/* Check that @paths is a CBOR array of well-formed key paths. */
int vx_cbor_paths_check(const u8 *paths, u32 paths_len);

#endif /* VEXFS_CORE_CBOR_EDIT_H */
