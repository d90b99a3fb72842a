/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Point payloads in CBOR (RFC 8949): a strict validator, an allocation-free
 * cursor for readers (the filter evaluator, the payload indexes), Qdrant key
 * paths over it, and the JSON rendering shown in points/<id>.
 *
 * VexFS stores the subset of CBOR that JSON maps onto:
 *   - a map at the top level, with text-string keys, no key twice in a map;
 *   - arrays, maps, text strings (valid UTF-8), unsigned and negative
 *     integers (the whole -2^64 .. 2^64-1 range), float16/32/64 (any bits:
 *     the width need not be the shortest, NaN and infinities are kept as
 *     stored), false, true, null;
 *   - definite lengths only, integers and lengths in their shortest form
 *     (RFC 8949 section 4.2.1), nesting at most VX_CBOR_MAX_DEPTH maps and
 *     arrays deep (the top-level map counts as 1), nothing after the map,
 *     at most VEXFS_PAYLOAD_MAX bytes.
 * Anything else (byte strings, tags, undefined, other simple values,
 * indefinite lengths, reserved additional-information values) is refused.
 *
 * vx_cbor_validate() checks all of it once, when a payload comes in. Readers
 * then walk stored payloads with the cursor, which still bounds-checks every
 * step (a corrupt block must not become an out-of-bounds read) but leaves
 * the whole-payload checks (UTF-8, duplicate keys, depth) to the validator.
 */
#ifndef VEXFS_CORE_CBOR_H
#define VEXFS_CORE_CBOR_H

#include "shim.h"
#include "uapi/vexfs.h"

#define VX_CBOR_MAX_DEPTH 32

enum vx_cbor_type {
	VX_CBOR_UINT = 1, /* val */
	VX_CBOR_NINT, /* -1 - val */
	VX_CBOR_TEXT, /* str[0 .. val), UTF-8, not NUL-terminated */
	VX_CBOR_ARRAY, /* val items follow */
	VX_CBOR_MAP, /* val key/value pairs follow */
	VX_CBOR_FLOAT, /* val: IEEE 754 binary64 bits, widened exactly */
	VX_CBOR_FALSE,
	VX_CBOR_TRUE,
	VX_CBOR_NULL,
};

/* One decoded item head. Containers' contents follow it in the buffer. */
struct vx_cbor_item {
	enum vx_cbor_type type;
	u8 width; /* FLOAT: 2, 4 or 8, the stored width */
	u64 val;
	const u8 *str; /* TEXT */
	const u8 *head; /* first byte of the item's encoding */
};

/* A read position in a CBOR buffer; why says what was wrong on -EINVAL. */
struct vx_cbor_cur {
	const u8 *p;
	const u8 *end;
	const char *why;
};

/*
 * Whole-payload check: 0, -EINVAL (with *why, a static string, if why is
 * not NULL) or -ENOMEM. The duplicate-key check keeps the keys of the open
 * maps on a stack: up to 16 fit in the function's frame, more are kept in a
 * vx_alloc()ed array (which may sleep), sorted per map: O(n log n) for a
 * map of n keys. Linear otherwise; about 2 ms for 1 MiB.
 */
int vx_cbor_validate(const u8 *buf, size_t len, const char **why);

static inline void vx_cbor_cur_init(struct vx_cbor_cur *c, const u8 *buf,
				    size_t len)
{
	c->p = buf;
	c->end = buf + len;
	c->why = NULL;
}

static inline bool vx_cbor_cur_done(const struct vx_cbor_cur *c)
{
	return c->p >= c->end;
}

/*
 * Decode the next item's head and step over it: past a whole scalar (text
 * bytes included), or into a container, onto its first child. Checks bounds,
 * the subset and shortest form; a container's count is checked against the
 * bytes left. Returns 0 or -EINVAL (c->why set, c->p unchanged).
 */
int vx_cbor_next(struct vx_cbor_cur *c, struct vx_cbor_item *it);

/* Step over the next item, containers with all their contents. 0 or -EINVAL. */
int vx_cbor_skip(struct vx_cbor_cur *c);

/* Step over the contents of a container whose head was just read. */
int vx_cbor_skip_contents(struct vx_cbor_cur *c, const struct vx_cbor_item *it);

/*
 * In a map whose head was just read (npairs = its val), find key: 1 with the
 * cursor on its value, 0 if absent (cursor past the map), -EINVAL.
 */
int vx_cbor_map_find(struct vx_cbor_cur *c, u64 npairs, const void *key,
		     size_t keylen);

/*
 * Qdrant key paths: a key, then any of ".key", "[N]" (array index) and "[]"
 * (every element), e.g. country.cities[].population, tags[0],
 * "a.b".c (a quoted key may hold '.', '[' and ']'; it cannot hold '"').
 * Unquoted keys are any bytes but . [ ] " (Qdrant's own grammar is narrower;
 * the gateway checks it). Resolution is Qdrant's: a key step applies to
 * maps, an index or [] step to arrays, anything else yields nothing; a
 * value reached at the end of the path is visited even if it is an array
 * (conditions that treat arrays as "any element" do so themselves).
 */
#define VX_CBOR_PATH_MAX 1024 /* bytes */

/* Number of steps (1 .. VX_CBOR_MAX_DEPTH) of a well-formed path, or -EINVAL. */
int vx_cbor_path_check(const char *path, size_t len);

/*
 * Called for each value a path reaches, in document order: it is the
 * value's head, c a cursor just past that head (on a container's first
 * child), the callback's own copy. Return 0 to go on, > 0 to stop (the walk
 * returns that value), < 0 to fail with it.
 */
typedef int (*vx_cbor_visit_fn)(void *arg, const struct vx_cbor_item *it,
				struct vx_cbor_cur *c);

/*
 * Visit the values at path in a payload (a map at the top). Returns 0 when
 * all were visited (possibly none), the callback's > 0 value if it stopped
 * the walk, or < 0: -EINVAL for a bad path or malformed CBOR. No allocation;
 * stack use is bounded by VX_CBOR_MAX_DEPTH.
 */
int vx_cbor_path_visit(const u8 *buf, size_t len, const char *path,
		       size_t pathlen, vx_cbor_visit_fn fn, void *arg);

/*
 * Render a payload as JSON text (cbor_json.c): keys in stored order, no
 * whitespace, strings escaped per RFC 8259, floats in the shortest form
 * that reads back to the same double (dtoa.h), NaN and infinities as null
 * (JSON has neither). Writes at most size bytes including a terminating
 * NUL (if size > 0) and returns the length of the whole text, like
 * snprintf, or -EINVAL if buf is not a well-formed payload (checked while
 * rendering: bounds, subset, shortest form, UTF-8, depth, top-level map;
 * not duplicate keys). Stack use is bounded; no allocation. Cost: linear,
 * plus 0.2 to 2 us per float; it may reschedule (vx_cond_resched) on long
 * payloads, so call it where sleeping is allowed. A truncated rendering
 * can end inside a UTF-8 sequence or an escape: retry with the length.
 */
ssize_t vx_cbor_to_json(const u8 *buf, size_t len, char *out, size_t size);

#endif /* VEXFS_CORE_CBOR_H */
