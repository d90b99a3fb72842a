/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Payload filters: the bytecode of uapi/vexfs_filter.h, verified once by
 * vx_filter_load() and then evaluated against points by vx_filter_match().
 *
 * Integer arithmetic only (the core is built without SSE in the kernel and
 * the evaluator may run inside a graph search): floats are compared through
 * an order-preserving transform of their IEEE bits, integers against floats
 * exactly, geo conditions in fixed point (filter_geo.c).
 *
 * Cost of one vx_filter_match(): every leaf walks the payload once along its
 * key path, so at most O(program bytes x (payload bytes + 1)); nothing is
 * allocated, the stack is bounded by VEXFS_FILTER_MAX_DEPTH and
 * VEXFS_FILTER_MAX_NESTED (Documentation/vexfs/filters.rst).
 * A loaded filter is immutable: any number of threads may match with it.
 */
#ifndef VEXFS_CORE_FILTER_H
#define VEXFS_CORE_FILTER_H

#include "shim.h"
#include "uapi/vexfs.h"
#include "uapi/vexfs_filter.h"

struct vx_filter; /* a verified, ready program */

/*
 * Verify @code (@len bytes: header + one root node) and prepare it.
 * Returns 0 with *@out set, -EINVAL (malformed; *@why, a static string,
 * says what and where if @why is not NULL), -E2BIG (len > VEXFS_FILTER_MAX)
 * or -ENOMEM. @code is copied: the caller may free it afterwards.
 * May sleep (allocates).
 */
int vx_filter_load(const void *code, u32 len, struct vx_filter **out,
		   const char **why);
void vx_filter_free(struct vx_filter *f);

struct vx_filter_subject {
	const struct vexfs_point_id *id;
	const u8 *payload; /* validated CBOR map (vx_cbor_validate), or len 0 */
	u32 payload_len;
	bool has_vector; /* the unnamed vector "" */
};

/*
 * Does the point match? A payload that turns out malformed while walking
 * (a corrupt block) makes the conditions that read it false, never an
 * out-of-bounds read. Does not sleep, allocates nothing.
 */
bool vx_filter_match(const struct vx_filter *f,
		     const struct vx_filter_subject *s);

/* Code bytes of a loaded filter (for logs and tests). */
u32 vx_filter_len(const struct vx_filter *f);

/*
 * Required conditions, for a payload-index planner: every point that
 * matches the filter satisfies every condition vx_filter_required()
 * reports (it walks the top-level AND chain: AND children, NOT NOT x, the
 * single child of an OR, every child of an ATLEAST n-of-n; it does not look
 * under NOT, NESTED or real disjunctions). Conditions are reported in
 * program order; the pointers stay valid as long as the filter.
 */
enum vx_filter_cond_kind {
	VX_FC_MATCH_BOOL = 1, /* b */
	VX_FC_MATCH_INT, /* i */
	VX_FC_MATCH_STR, /* str, str_len */
	VX_FC_MATCH_ANY_INT, /* n, vx_filter_cond_int(c, i): sorted, distinct */
	VX_FC_MATCH_ANY_STR, /* n, vx_filter_cond_str(c, i, &len): sorted */
	VX_FC_MATCH_TEXT, /* str, str_len: substring of a text value */
	VX_FC_RANGE, /* range (IEEE-754 bits; compare with vx_filter_f64_key) */
	VX_FC_RANGE_DT, /* range (microseconds since the epoch, as s64) */
	VX_FC_GEO_BOX, /* box */
	VX_FC_GEO_RADIUS, /* the key; geometry is internal */
	VX_FC_GEO_POLYGON, /* the key; geometry is internal */
	VX_FC_VALUES_COUNT, /* range (counts, as u64) */
	VX_FC_IS_EMPTY, /* the key */
	VX_FC_IS_NULL, /* the key */
	VX_FC_HAS_ID, /* n (numeric ids), n_uuid: vx_filter_cond_id/uuid */
	VX_FC_HAS_VECTOR, /* no operand */
};

/* Bounds present (flags) of a range; gt and gte exclude each other, lt and lte. */
#define VX_FR_GT VEXFS_FILTER_R_GT
#define VX_FR_GTE VEXFS_FILTER_R_GTE
#define VX_FR_LT VEXFS_FILTER_R_LT
#define VX_FR_LTE VEXFS_FILTER_R_LTE

struct vx_filter_cond {
	enum vx_filter_cond_kind kind;
	const char *key; /* key path (cbor.h syntax), not NUL-terminated */
	u32 key_len; /* 0 for HAS_ID and HAS_VECTOR */
	bool except; /* MATCH_ANY_*: "except" (not usable as an equality) */
	bool b;
	s64 i;
	const u8 *str;
	u32 str_len;
	u32 n, n_uuid;
	struct {
		u32 flags; /* VX_FR_* */
		u64 lo, hi; /* lo with GT/GTE, hi with LT/LTE */
	} range;
	struct {
		u64 left, top, right, bottom; /* lon/lat IEEE-754 bits */
	} box;
	const u8 *ops; /* internal: the operands */
};

s64 vx_filter_cond_int(const struct vx_filter_cond *c, u32 i);
const u8 *vx_filter_cond_str(const struct vx_filter_cond *c, u32 i, u32 *len);
u64 vx_filter_cond_id(const struct vx_filter_cond *c, u32 i);
const u8 *vx_filter_cond_uuid(const struct vx_filter_cond *c, u32 i);

/*
 * Call @cb for each required condition; a non-zero return stops the walk
 * and is returned. Returns 0 when all were reported.
 */
int vx_filter_required(const struct vx_filter *f,
		       int (*cb)(void *arg, const struct vx_filter_cond *c),
		       void *arg);

/*
 * Order-preserving key of an IEEE-754 binary64 (bits): a < b as doubles iff
 * key(a) < key(b) as u64, -0 == +0. NaN has no order: callers check
 * vx_filter_f64_is_nan() first.
 */
static inline u64 vx_filter_f64_key(u64 bits)
{
	if (bits == (1ull << 63))
		bits = 0; /* -0 */
	return (bits >> 63) ? ~bits : bits | (1ull << 63);
}

static inline bool vx_filter_f64_is_nan(u64 bits)
{
	return ((bits >> 52) & 0x7ff) == 0x7ff && (bits & ((1ull << 52) - 1));
}

/*
 * Unit vector * 2^40 of a point given as binary64 degrees (|lon| <= 180,
 * |lat| <= 90), in integer arithmetic: what GEO_RADIUS stores for its
 * centre. Shared with the gateway so both compute the same bits.
 */
void vx_filter_geo_unit(u64 lon_bits, u64 lat_bits, s64 v[3]);

/*
 * RFC 3339 date-time (and the shorter forms Qdrant accepts, see
 * filters.rst) to microseconds since 1970-01-01T00:00:00Z, fractional
 * digits past the sixth truncated. 0 or -EINVAL. Shared with the gateway,
 * so bounds and payload strings are read the same way.
 */
int vx_filter_parse_datetime(const char *s, size_t len, s64 *us);

#endif /* VEXFS_CORE_FILTER_H */
