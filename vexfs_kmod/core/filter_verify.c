// SPDX-License-Identifier: GPL-2.0
/*
 * The filter verifier: walks the whole program once, recursively (bounded by
 * VEXFS_FILTER_MAX_DEPTH), and checks every byte of it, so the evaluator can
 * trust sizes, counts, keys and operands without checking them again.
 */
#include "filter_internal.h"

struct vctx {
	const char *why;
	u32 nodes;
};

static int bad(struct vctx *v, const char *why)
{
	v->why = why;
	return -EINVAL;
}

static bool utf8_ok(const u8 *s, u32 n)
{
	u32 i = 0;

	while (i < n) {
		u8 c = s[i];
		u32 need, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= need)
			return false;
		for (u32 k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/* A cursor over one node's body. */
struct body {
	const u8 *p, *end;
};

static bool take(struct body *b, u32 n, const u8 **at)
{
	if ((size_t)(b->end - b->p) < n)
		return false;
	*at = b->p;
	b->p += n;
	return true;
}

static int vkey(struct vctx *v, struct body *b)
{
	const u8 *p;
	u16 n;

	if (!take(b, 2, &p))
		return bad(v, "filter: key length past the node");
	n = vxf_rd16(p);
	if (!n || n > VEXFS_FILTER_KEY_MAX)
		return bad(v, "filter: key length out of range");
	if (!take(b, n, &p))
		return bad(v, "filter: key past the node");
	if (!utf8_ok(p, n) || vx_cbor_path_check((const char *)p, n) < 0)
		return bad(v, "filter: malformed key path");
	return 0;
}

static int str(struct vctx *v, struct body *b, const u8 **s, u32 *n)
{
	const u8 *p;

	if (!take(b, 4, &p))
		return bad(v, "filter: string length past the node");
	*n = vxf_rd32(p);
	if (!take(b, *n, s))
		return bad(v, "filter: string past the node");
	if (!utf8_ok(*s, *n))
		return bad(v, "filter: string is not UTF-8");
	return 0;
}

static int bytes_cmp(const u8 *a, u32 an, const u8 *b, u32 bn)
{
	u32 n = min(an, bn);
	int r = n ? memcmp(a, b, n) : 0;

	if (r)
		return r;
	return an < bn ? -1 : an > bn;
}

static int vbounds(struct vctx *v, struct body *b, u8 aux, u64 *lo, u64 *hi)
{
	const u8 *p;

	if (aux & ~0x0fu)
		return bad(v, "filter: unknown range flags");
	if ((aux & VEXFS_FILTER_R_GT) && (aux & VEXFS_FILTER_R_GTE))
		return bad(v, "filter: range has both gt and gte");
	if ((aux & VEXFS_FILTER_R_LT) && (aux & VEXFS_FILTER_R_LTE))
		return bad(v, "filter: range has both lt and lte");
	if (!take(b, 16, &p))
		return bad(v, "filter: range bounds past the node");
	*lo = vxf_rd64(p);
	*hi = vxf_rd64(p + 8);
	if ((!(aux & (VEXFS_FILTER_R_GT | VEXFS_FILTER_R_GTE)) && *lo) ||
	    (!(aux & (VEXFS_FILTER_R_LT | VEXFS_FILTER_R_LTE)) && *hi))
		return bad(v, "filter: absent range bound is not 0");
	return 0;
}

/* binary64 bits of a longitude (lim 180) or latitude (lim 90). */
static bool coord_ok(u64 bits, u64 lim_bits)
{
	if (vx_filter_f64_is_nan(bits))
		return false;
	return (bits & ~(1ull << 63)) <= lim_bits;
}

#define F64_180 0x4066800000000000ull
#define F64_90 0x4056800000000000ull
#define Q32_180 (180ll << 32)
#define Q32_90 (90ll << 32)

static int vpolygon(struct vctx *v, struct body *b)
{
	const u8 *p;
	u32 rings;

	if (!take(b, 4, &p))
		return bad(v, "filter: polygon past the node");
	rings = vxf_rd32(p);
	if (!rings || rings > VEXFS_FILTER_RINGS_MAX)
		return bad(v, "filter: polygon ring count out of range");
	for (u32 r = 0; r < rings; r++) {
		u32 n;

		if (!take(b, 4, &p))
			return bad(v, "filter: polygon ring past the node");
		n = vxf_rd32(p);
		if (n < 4)
			return bad(v,
				   "filter: polygon ring has under 4 points");
		if (n > (u32)(b->end - b->p) / 16 || !take(b, n * 16, &p))
			return bad(v, "filter: polygon points past the node");
		for (u32 i = 0; i < n; i++) {
			s64 lon = (s64)vxf_rd64(p + 16 * i);
			s64 lat = (s64)vxf_rd64(p + 16 * i + 8);

			if (lon < -Q32_180 || lon > Q32_180 || lat < -Q32_90 ||
			    lat > Q32_90)
				return bad(
					v,
					"filter: polygon point out of range");
		}
		if (memcmp(p, p + 16 * (n - 1), 16))
			return bad(v, "filter: polygon ring is not closed");
	}
	return 0;
}

static int vnode(struct vctx *v, const u8 *n, const u8 *end, u32 depth,
		 u32 nested);

/* n child nodes back to back in b. */
static int children(struct vctx *v, struct body *b, u32 count, u32 depth,
		    u32 nested)
{
	for (u32 i = 0; i < count; i++) {
		int err = vnode(v, b->p, b->end, depth + 1, nested);

		if (err)
			return err;
		b->p += vxf_size(b->p);
	}
	return 0;
}

static int leaf(struct vctx *v, u8 op, u8 aux, struct body *b, u32 depth,
		u32 nested)
{
	const u8 *p, *s, *prev = NULL;
	u32 n, sn, prevn = 0;
	u64 lo, hi;
	int err;

	err = vkey(v, b);
	if (err)
		return err;
	if (op != VEXFS_FOP_MATCH_BOOL && op != VEXFS_FOP_MATCH_ANY_INT &&
	    op != VEXFS_FOP_MATCH_ANY_STR && op != VEXFS_FOP_RANGE &&
	    op != VEXFS_FOP_RANGE_DT && op != VEXFS_FOP_VALUES_COUNT && aux)
		return bad(v, "filter: unexpected aux byte");
	switch (op) {
	case VEXFS_FOP_NESTED:
		if (nested >= VEXFS_FILTER_MAX_NESTED)
			return bad(v, "filter: nested filters too deep");
		return children(v, b, 1, depth, nested + 1);
	case VEXFS_FOP_MATCH_BOOL:
		return aux > 1 ? bad(v, "filter: match bool is not 0 or 1") : 0;
	case VEXFS_FOP_MATCH_INT:
		return take(b, 8, &p) ? 0 :
					bad(v, "filter: value past the node");
	case VEXFS_FOP_MATCH_STR:
	case VEXFS_FOP_MATCH_TEXT:
		return str(v, b, &s, &sn);
	case VEXFS_FOP_MATCH_ANY_INT:
		if (aux & ~VEXFS_FILTER_EXCEPT)
			return bad(v, "filter: unknown match flags");
		if (!take(b, 4, &p))
			return bad(v, "filter: count past the node");
		n = vxf_rd32(p);
		if (n > (u32)(b->end - b->p) / 8 || !take(b, n * 8, &p))
			return bad(v, "filter: values past the node");
		for (u32 i = 1; i < n; i++)
			if ((s64)vxf_rd64(p + 8 * (i - 1)) >=
			    (s64)vxf_rd64(p + 8 * i))
				return bad(v, "filter: values not ascending");
		return 0;
	case VEXFS_FOP_MATCH_ANY_STR:
		if (aux & ~VEXFS_FILTER_EXCEPT)
			return bad(v, "filter: unknown match flags");
		if (!take(b, 4, &p))
			return bad(v, "filter: count past the node");
		n = vxf_rd32(p);
		for (u32 i = 0; i < n; i++) {
			err = str(v, b, &s, &sn);
			if (err)
				return err;
			if (prev && bytes_cmp(prev, prevn, s, sn) >= 0)
				return bad(v, "filter: strings not ascending");
			prev = s;
			prevn = sn;
		}
		return 0;
	case VEXFS_FOP_RANGE:
		err = vbounds(v, b, aux, &lo, &hi);
		if (!err &&
		    (vx_filter_f64_is_nan(lo) || vx_filter_f64_is_nan(hi)))
			return bad(v, "filter: range bound is NaN");
		return err;
	case VEXFS_FOP_RANGE_DT:
	case VEXFS_FOP_VALUES_COUNT:
		return vbounds(v, b, aux, &lo, &hi);
	case VEXFS_FOP_GEO_BOX:
		if (!take(b, 32, &p))
			return bad(v, "filter: box past the node");
		if (!coord_ok(vxf_rd64(p), F64_180) ||
		    !coord_ok(vxf_rd64(p + 8), F64_90) ||
		    !coord_ok(vxf_rd64(p + 16), F64_180) ||
		    !coord_ok(vxf_rd64(p + 24), F64_90))
			return bad(v, "filter: box corner out of range");
		return 0;
	case VEXFS_FOP_GEO_RADIUS:
		if (!take(b, 48, &p))
			return bad(v, "filter: radius past the node");
		if (!coord_ok(vxf_rd64(p), F64_180) ||
		    !coord_ok(vxf_rd64(p + 8), F64_90))
			return bad(v, "filter: radius centre out of range");
		lo = vxf_rd64(p + 16);
		if (lo > (1ull << 62) && lo != ~0ull)
			return bad(v, "filter: radius chord out of range");
		{
			s64 c[3];

			vx_filter_geo_unit(vxf_rd64(p), vxf_rd64(p + 8), c);
			for (int i = 0; i < 3; i++)
				if ((u64)c[i] != vxf_rd64(p + 24 + 8 * i))
					return bad(
						v,
						"filter: radius centre vector differs from its lon/lat");
		}
		return 0;
	case VEXFS_FOP_GEO_POLYGON:
		return vpolygon(v, b);
	case VEXFS_FOP_IS_EMPTY:
	case VEXFS_FOP_IS_NULL:
		return 0;
	}
	return bad(v, "filter: unknown op");
}

static int vnode(struct vctx *v, const u8 *n, const u8 *end, u32 depth,
		 u32 nested)
{
	struct body b;
	const u8 *p;
	u32 size, count, k;
	u8 op, aux;
	int err;

	if (depth > VEXFS_FILTER_MAX_DEPTH)
		return bad(v, "filter: nodes nest too deep");
	if ((size_t)(end - n) < VEXFS_FILTER_NODE_HEAD)
		return bad(v, "filter: node head past its parent");
	op = n[0];
	aux = n[1];
	size = vxf_rd32(n + 2);
	if (size < VEXFS_FILTER_NODE_HEAD || size > (size_t)(end - n))
		return bad(v, "filter: node size out of range");
	v->nodes++;
	b.p = n + VEXFS_FILTER_NODE_HEAD;
	b.end = n + size;
	if (op < VEXFS_FOP_NESTED && aux)
		return bad(v, "filter: unexpected aux byte");

	switch (op) {
	case VEXFS_FOP_TRUE:
	case VEXFS_FOP_FALSE:
	case VEXFS_FOP_HAS_VECTOR:
		err = 0;
		break;
	case VEXFS_FOP_AND:
	case VEXFS_FOP_OR:
		if (!take(&b, 2, &p))
			return bad(v, "filter: count past the node");
		err = children(v, &b, vxf_rd16(p), depth, nested);
		break;
	case VEXFS_FOP_NOT:
		err = children(v, &b, 1, depth, nested);
		break;
	case VEXFS_FOP_ATLEAST:
		if (!take(&b, 4, &p))
			return bad(v, "filter: count past the node");
		k = vxf_rd16(p);
		count = vxf_rd16(p + 2);
		if (k > count)
			return bad(v, "filter: min_count above the conditions");
		err = children(v, &b, count, depth, nested);
		break;
	case VEXFS_FOP_HAS_ID: {
		u32 nn, nu;

		if (!take(&b, 8, &p))
			return bad(v, "filter: count past the node");
		nn = vxf_rd32(p);
		nu = vxf_rd32(p + 4);
		if (nn > (u32)(b.end - b.p) / 8 || !take(&b, nn * 8, &p))
			return bad(v, "filter: ids past the node");
		for (u32 i = 1; i < nn; i++)
			if (vxf_rd64(p + 8 * (i - 1)) >= vxf_rd64(p + 8 * i))
				return bad(v, "filter: ids not ascending");
		if (nu > (u32)(b.end - b.p) / 16 || !take(&b, nu * 16, &p))
			return bad(v, "filter: uuids past the node");
		for (u32 i = 1; i < nu; i++)
			if (memcmp(p + 16 * (i - 1), p + 16 * i, 16) >= 0)
				return bad(v, "filter: uuids not ascending");
		err = 0;
		break;
	}
	default:
		if (!vxf_is_field_op(op))
			return bad(v, "filter: unknown op");
		err = leaf(v, op, aux, &b, depth, nested);
		break;
	}
	if (err)
		return err;
	if (b.p != b.end)
		return bad(v, "filter: bytes left at the end of a node");
	return 0;
}

int vxf_verify(const u8 *code, u32 len, u32 *nodes, const char **why)
{
	struct vctx v = { .why = NULL, .nodes = 0 };
	int err;

	if (len < VEXFS_FILTER_HDR_SIZE + VEXFS_FILTER_NODE_HEAD) {
		err = bad(&v, "filter: shorter than a header and a node");
		goto out;
	}
	if (vxf_rd32(code) != VEXFS_FILTER_MAGIC) {
		err = bad(&v, "filter: bad magic");
		goto out;
	}
	if (vxf_rd16(code + 4) != VEXFS_FILTER_VERSION) {
		err = bad(&v, "filter: unsupported version");
		goto out;
	}
	if (vxf_rd16(code + 6)) {
		err = bad(&v, "filter: unknown header flags");
		goto out;
	}
	if (vxf_rd32(code + 8) != len) {
		err = bad(&v, "filter: header length differs from the buffer");
		goto out;
	}
	err = vnode(&v, code + VEXFS_FILTER_HDR_SIZE, code + len, 1, 0);
	if (!err && vxf_size(code + VEXFS_FILTER_HDR_SIZE) !=
			    len - VEXFS_FILTER_HDR_SIZE)
		err = bad(&v, "filter: bytes after the root node");
	if (!err && v.nodes != vxf_rd32(code + 12))
		err = bad(&v, "filter: node count differs from the header");
out:
	if (why)
		*why = v.why;
	if (nodes)
		*nodes = v.nodes;
	return err;
}
