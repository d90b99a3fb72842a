// SPDX-License-Identifier: GPL-2.0
/*
 * The filter evaluator, over verified code only (filter_verify.c): it does
 * not re-check the program, only the payload, which the CBOR cursor
 * bounds-checks at every step. Recursion follows the program's nesting
 * (<= VEXFS_FILTER_MAX_DEPTH); each leaf walks the payload once along its
 * key (vx_cbor_path_visit), and a NESTED node evaluates its child on each
 * map it reaches, so one match costs O(program bytes x payload bytes).
 */
#include "filter_internal.h"

struct leaf {
	const struct vx_filter_subject *s;
	const u8 *ops; /* operands, just after the key */
	u8 op, aux;
	u64 count; /* VALUES_COUNT */
};

static int str_cmp(const u8 *a, u32 an, const u8 *b, u32 bn)
{
	u32 n = min(an, bn);
	int r = n ? memcmp(a, b, n) : 0;

	if (r)
		return r;
	return an < bn ? -1 : an > bn;
}

/* The item as a signed 64-bit integer, if it is one. */
static bool as_s64(const struct vx_cbor_item *it, s64 *v)
{
	if (it->type == VX_CBOR_UINT && it->val <= (u64)S64_MAX) {
		*v = (s64)it->val;
		return true;
	}
	if (it->type == VX_CBOR_NINT && it->val <= (u64)S64_MAX) {
		*v = -1 - (s64)it->val;
		return true;
	}
	return false;
}

static bool any_int_has(const u8 *p, s64 v)
{
	u32 lo = 0, hi = vxf_rd32(p);

	p += 4;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		s64 m = (s64)vxf_rd64(p + 8 * mid);

		if (m == v)
			return true;
		if (m < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool any_str_has(const u8 *p, const u8 *s, u32 n)
{
	u32 count = vxf_rd32(p);

	p += 4;
	for (u32 i = 0; i < count; i++) {
		u32 len = vxf_rd32(p);
		int c = str_cmp(p + 4, len, s, n);

		if (!c)
			return true;
		if (c > 0)
			return false; /* sorted: past it */
		p += 4 + len;
	}
	return false;
}

static bool contains(const u8 *hay, u64 hn, const u8 *needle, u32 nn)
{
	if (!nn)
		return true;
	if (hn < nn)
		return false;
	for (u64 i = 0; i + nn <= hn; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, nn))
			return true;
	return false;
}

static bool in_range_cmp(u8 aux, int clo, int chi)
{
	if ((aux & VEXFS_FILTER_R_GT) && !(clo == 1))
		return false;
	if ((aux & VEXFS_FILTER_R_GTE) && !(clo == 0 || clo == 1))
		return false;
	if ((aux & VEXFS_FILTER_R_LT) && !(chi == -1))
		return false;
	if ((aux & VEXFS_FILTER_R_LTE) && !(chi == 0 || chi == -1))
		return false;
	return true;
}

static int cmp_s64(s64 a, s64 b)
{
	return a < b ? -1 : a > b;
}

static int cmp_u64(u64 a, u64 b)
{
	return a < b ? -1 : a > b;
}

/* A number item as binary64 bits, for the geo conditions (|v| <= 180). */
static bool coord_bits(const struct vx_cbor_item *it, u64 *bits)
{
	u64 m;
	int p;

	if (it->type == VX_CBOR_FLOAT) {
		if (vx_filter_f64_is_nan(it->val))
			return false;
		*bits = it->val;
		return true;
	}
	if (it->type != VX_CBOR_UINT && it->type != VX_CBOR_NINT)
		return false;
	if (it->val > 180)
		return false;
	m = it->type == VX_CBOR_UINT ? it->val : it->val + 1;
	if (!m) {
		*bits = 0;
		return true;
	}
	p = 63 - __builtin_clzll(m);
	*bits = ((u64)(1023 + p) << 52) |
		((m << (52 - p)) & ((1ull << 52) - 1));
	if (it->type == VX_CBOR_NINT)
		*bits |= 1ull << 63;
	return true;
}

#define F64_180 0x4066800000000000ull
#define F64_90 0x4056800000000000ull

static bool geo_coord(const struct vx_cbor_item *map,
		      const struct vx_cbor_cur *c, const char *k, u64 lim,
		      u64 *bits)
{
	struct vx_cbor_cur t = *c;
	struct vx_cbor_item v;

	if (vx_cbor_map_find(&t, map->val, k, 3) != 1 || vx_cbor_next(&t, &v))
		return false;
	if (!coord_bits(&v, bits))
		return false;
	return (*bits & ~(1ull << 63)) <= lim;
}

/* A map {"lon": x, "lat": y} with both in range. */
static bool geo_point(const struct vx_cbor_item *it,
		      const struct vx_cbor_cur *c, struct vxf_geo *g)
{
	if (it->type != VX_CBOR_MAP)
		return false;
	if (!geo_coord(it, c, "lon", F64_180, &g->lon_bits) ||
	    !geo_coord(it, c, "lat", F64_90, &g->lat_bits))
		return false;
	g->lon = vxf_f64_to_q32(g->lon_bits);
	g->lat = vxf_f64_to_q32(g->lat_bits);
	return true;
}

static int f64_cmp(u64 a, u64 b)
{
	return cmp_u64(vx_filter_f64_key(a), vx_filter_f64_key(b));
}

static bool in_box(const struct vxf_geo *g, const u8 *p)
{
	u64 left = vxf_rd64(p), top = vxf_rd64(p + 8);
	u64 right = vxf_rd64(p + 16), bottom = vxf_rd64(p + 24);
	bool lon_ok;

	if (f64_cmp(left, right) > 0) /* across the antimeridian */
		lon_ok = f64_cmp(g->lon_bits, left) > 0 ||
			 f64_cmp(g->lon_bits, right) < 0;
	else
		lon_ok = f64_cmp(left, g->lon_bits) < 0 &&
			 f64_cmp(g->lon_bits, right) < 0;
	return lon_ok && f64_cmp(bottom, g->lat_bits) < 0 &&
	       f64_cmp(g->lat_bits, top) < 0;
}

/* One value (an array element or a value the key reached). */
static bool check_value(const struct leaf *l, const struct vx_cbor_item *it,
			const struct vx_cbor_cur *c)
{
	const u8 *p = l->ops;
	struct vxf_geo g;
	s64 v;

	switch (l->op) {
	case VEXFS_FOP_MATCH_BOOL:
		return (it->type == VX_CBOR_TRUE && l->aux) ||
		       (it->type == VX_CBOR_FALSE && !l->aux);
	case VEXFS_FOP_MATCH_INT:
		return as_s64(it, &v) && v == (s64)vxf_rd64(p);
	case VEXFS_FOP_MATCH_STR:
		return it->type == VX_CBOR_TEXT &&
		       !str_cmp(it->str, (u32)min_t(u64, it->val, U32_MAX),
				p + 4, vxf_rd32(p)) &&
		       it->val == vxf_rd32(p);
	case VEXFS_FOP_MATCH_ANY_INT:
		if (l->aux & VEXFS_FILTER_EXCEPT) {
			if (it->type == VX_CBOR_NULL)
				return false;
			return !as_s64(it, &v) || !any_int_has(p, v);
		}
		return as_s64(it, &v) && any_int_has(p, v);
	case VEXFS_FOP_MATCH_ANY_STR:
		if (l->aux & VEXFS_FILTER_EXCEPT) {
			if (it->type == VX_CBOR_NULL)
				return false;
			return it->type != VX_CBOR_TEXT || it->val > U32_MAX ||
			       !any_str_has(p, it->str, (u32)it->val);
		}
		return it->type == VX_CBOR_TEXT && it->val <= U32_MAX &&
		       any_str_has(p, it->str, (u32)it->val);
	case VEXFS_FOP_MATCH_TEXT:
		return it->type == VX_CBOR_TEXT &&
		       contains(it->str, it->val, p + 4, vxf_rd32(p));
	case VEXFS_FOP_RANGE: {
		int clo = 0, chi = 0;

		if (l->aux & (VEXFS_FILTER_R_GT | VEXFS_FILTER_R_GTE))
			clo = vxf_cmp_num_f64(it, vxf_rd64(p));
		if (l->aux & (VEXFS_FILTER_R_LT | VEXFS_FILTER_R_LTE))
			chi = vxf_cmp_num_f64(it, vxf_rd64(p + 8));
		if (clo == 2 || chi == 2)
			return false;
		if (!l->aux)
			return vxf_cmp_num_f64(it, 0) != 2; /* any number */
		return in_range_cmp(l->aux, clo, chi);
	}
	case VEXFS_FOP_RANGE_DT: {
		s64 t;

		if (it->type != VX_CBOR_TEXT || it->val > 256 ||
		    vx_filter_parse_datetime((const char *)it->str, it->val,
					     &t))
			return false;
		return in_range_cmp(l->aux, cmp_s64(t, (s64)vxf_rd64(p)),
				    cmp_s64(t, (s64)vxf_rd64(p + 8)));
	}
	case VEXFS_FOP_GEO_BOX:
		return geo_point(it, c, &g) && in_box(&g, p);
	case VEXFS_FOP_GEO_RADIUS: {
		s64 cv[3] = { (s64)vxf_rd64(p + 24), (s64)vxf_rd64(p + 32),
			      (s64)vxf_rd64(p + 40) };

		return geo_point(it, c, &g) &&
		       vxf_geo_in_radius(&g, cv, vxf_rd64(p + 16));
	}
	case VEXFS_FOP_GEO_POLYGON:
		return geo_point(it, c, &g) && vxf_geo_in_polygon(&g, p);
	}
	return false;
}

static int nested_cb(struct leaf *l, const struct vx_cbor_item *it,
		     struct vx_cbor_cur *c)
{
	struct vx_filter_subject sub = *l->s;
	struct vx_cbor_cur end = *c;

	if (it->type != VX_CBOR_MAP)
		return 0;
	if (vx_cbor_skip_contents(&end, it))
		return -EINVAL;
	sub.payload = it->head;
	sub.payload_len = (u32)(end.p - it->head);
	return vxf_eval(l->ops, &sub) ? 1 : 0;
}

static int leaf_cb(void *arg, const struct vx_cbor_item *it,
		   struct vx_cbor_cur *c)
{
	struct leaf *l = arg;
	struct vx_cbor_item el;

	switch (l->op) {
	case VEXFS_FOP_IS_NULL:
		return it->type == VX_CBOR_NULL;
	case VEXFS_FOP_IS_EMPTY:
		/* stop at the first value that is neither null nor [] */
		return !(it->type == VX_CBOR_NULL ||
			 (it->type == VX_CBOR_ARRAY && !it->val));
	case VEXFS_FOP_VALUES_COUNT:
		if (it->type == VX_CBOR_ARRAY)
			l->count += it->val;
		else if (it->type != VX_CBOR_NULL)
			l->count++;
		return 0;
	case VEXFS_FOP_NESTED:
		return nested_cb(l, it, c);
	}
	if (it->type != VX_CBOR_ARRAY)
		return check_value(l, it, c);
	/* an array: any element */
	for (u64 i = 0; i < it->val; i++) {
		if (vx_cbor_next(c, &el))
			return -EINVAL;
		if (check_value(l, &el, c))
			return 1;
		if ((el.type == VX_CBOR_ARRAY || el.type == VX_CBOR_MAP) &&
		    vx_cbor_skip_contents(c, &el))
			return -EINVAL;
	}
	return 0;
}

static bool eval_leaf(const u8 *n, const struct vx_filter_subject *s)
{
	const u8 *b = vxf_body(n);
	u16 klen = vxf_rd16(b);
	struct leaf l = {
		.s = s,
		.ops = b + 2 + klen,
		.op = n[0],
		.aux = n[1],
	};
	int r = 0;

	if (s->payload_len)
		r = vx_cbor_path_visit(s->payload, s->payload_len,
				       (const char *)b + 2, klen, leaf_cb, &l);
	if (r < 0)
		return false; /* corrupt payload: no condition holds */
	switch (l.op) {
	case VEXFS_FOP_IS_EMPTY:
		return r == 0;
	case VEXFS_FOP_VALUES_COUNT:
		return in_range_cmp(l.aux, cmp_u64(l.count, vxf_rd64(l.ops)),
				    cmp_u64(l.count, vxf_rd64(l.ops + 8)));
	}
	return r > 0;
}

static bool has_id(const u8 *p, const struct vexfs_point_id *id)
{
	u32 nn = vxf_rd32(p), nu = vxf_rd32(p + 4);
	const u8 *ids = p + 8, *uuids = ids + 8 * (size_t)nn;
	u32 lo = 0, hi;

	if (!id)
		return false;
	if (id->kind == VEXFS_ID_NUM) {
		hi = nn;
		while (lo < hi) {
			u32 mid = lo + (hi - lo) / 2;
			u64 m = vxf_rd64(ids + 8 * mid);

			if (m == id->num)
				return true;
			if (m < id->num)
				lo = mid + 1;
			else
				hi = mid;
		}
		return false;
	}
	if (id->kind != VEXFS_ID_UUID)
		return false;
	hi = nu;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = memcmp(uuids + 16 * mid, id->uuid, 16);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool vxf_eval(const u8 *n, const struct vx_filter_subject *s)
{
	const u8 *b = vxf_body(n), *child;
	u32 count, k, hits = 0;

	switch (vxf_op(n)) {
	case VEXFS_FOP_TRUE:
		return true;
	case VEXFS_FOP_FALSE:
		return false;
	case VEXFS_FOP_AND:
	case VEXFS_FOP_OR:
		count = vxf_rd16(b);
		child = b + 2;
		for (u32 i = 0; i < count; i++, child += vxf_size(child))
			if (vxf_eval(child, s) != (vxf_op(n) == VEXFS_FOP_AND))
				return vxf_op(n) == VEXFS_FOP_OR;
		return vxf_op(n) == VEXFS_FOP_AND;
	case VEXFS_FOP_NOT:
		return !vxf_eval(b, s);
	case VEXFS_FOP_ATLEAST:
		k = vxf_rd16(b);
		count = vxf_rd16(b + 2);
		child = b + 4;
		for (u32 i = 0; i < count && hits < k;
		     i++, child += vxf_size(child)) {
			if (k - hits > count - i)
				return false; /* cannot reach k any more */
			hits += vxf_eval(child, s);
		}
		return hits >= k;
	case VEXFS_FOP_HAS_ID:
		return has_id(b, s->id);
	case VEXFS_FOP_HAS_VECTOR:
		return s->has_vector;
	}
	return eval_leaf(n, s);
}
