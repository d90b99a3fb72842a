/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the filter's verifier, evaluator and helpers; not an API. */
#ifndef VEXFS_CORE_FILTER_INTERNAL_H
#define VEXFS_CORE_FILTER_INTERNAL_H

#include "filter.h"
#include "cbor.h"

#ifndef U32_MAX
#define U32_MAX ((u32)~0U)
#endif
#ifndef S64_MAX
#define S64_MAX ((s64)(~0ULL >> 1))
#endif

struct vx_filter {
	u32 len; /* bytes of code, header included */
	u32 nodes;
	u8 code[]; /* the verified program */
};

static inline u16 vxf_rd16(const u8 *p)
{
	return (u16)(p[0] | (u16)p[1] << 8);
}

static inline u32 vxf_rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 vxf_rd64(const u8 *p)
{
	return (u64)vxf_rd32(p) | (u64)vxf_rd32(p + 4) << 32;
}

/* Node accessors (only on verified code). */
static inline u8 vxf_op(const u8 *n)
{
	return n[0];
}

static inline u32 vxf_size(const u8 *n)
{
	return vxf_rd32(n + 2);
}

static inline const u8 *vxf_body(const u8 *n)
{
	return n + VEXFS_FILTER_NODE_HEAD;
}

static inline bool vxf_is_field_op(u8 op)
{
	return op == VEXFS_FOP_NESTED || op >= VEXFS_FOP_MATCH_BOOL;
}

int vxf_verify(const u8 *code, u32 len, u32 *nodes, const char **why);
bool vxf_eval(const u8 *node, const struct vx_filter_subject *s);

/* A geo point read from a payload map {"lon": x, "lat": y}. */
struct vxf_geo {
	u64 lon_bits, lat_bits; /* binary64 */
	s64 lon, lat; /* degrees * 2^32 */
};

/* Degrees * 2^32 (|deg| <= 180) to sin and cos * 2^40. */
void vxf_sincos_deg(s64 deg, s64 *s, s64 *c);
/* Unit vector * 2^40 of (lon, lat), degrees * 2^32. */
void vxf_unit_vector(s64 lon, s64 lat, s64 v[3]);
/* binary64 bits (finite, |d| <= 180) to degrees * 2^32, toward zero. */
s64 vxf_f64_to_q32(u64 bits);
/* Is (lon, lat) strictly closer than sqrt(chord2 / 2^60) to the centre? */
bool vxf_geo_in_radius(const struct vxf_geo *p, const s64 c[3], u64 chord2);
/* Crossing-number test against the rings at @rings (verified layout). */
bool vxf_geo_in_polygon(const struct vxf_geo *p, const u8 *rings);
/*
 * Compare a CBOR number item with binary64 bits (not NaN): -1, 0, 1, or 2
 * if the item is not a number or is NaN. Exact for integers.
 */
int vxf_cmp_num_f64(const struct vx_cbor_item *it, u64 bits);

#endif
