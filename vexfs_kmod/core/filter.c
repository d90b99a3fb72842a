// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a filter (verify, copy) and the planner's view of it
 * (vx_filter_required). The format is uapi/vexfs_filter.h; the semantics
 * Documentation/vexfs/filters.rst.
 */
#include "filter_internal.h"

int vx_filter_load(const void *code, u32 len, struct vx_filter **out,
		   const char **why)
{
	struct vx_filter *f;
	u32 nodes;
	int err;

	*out = NULL;
	if (why)
		*why = NULL;
	if (len > VEXFS_FILTER_MAX) {
		if (why)
			*why = "filter: longer than VEXFS_FILTER_MAX";
		return -E2BIG;
	}
	err = vxf_verify(code, len, &nodes, why);
	if (err)
		return err;
	f = vx_alloc(sizeof(*f) + len);
	if (!f)
		return -ENOMEM;
	f->len = len;
	f->nodes = nodes;
	memcpy(f->code, code, len);
	*out = f;
	return 0;
}

void vx_filter_free(struct vx_filter *f)
{
	vx_free(f);
}

u32 vx_filter_len(const struct vx_filter *f)
{
	return f->len;
}

bool vx_filter_match(const struct vx_filter *f,
		     const struct vx_filter_subject *s)
{
	return vxf_eval(f->code + VEXFS_FILTER_HDR_SIZE, s);
}

s64 vx_filter_cond_int(const struct vx_filter_cond *c, u32 i)
{
	return (s64)vxf_rd64(c->ops + 4 + 8 * (size_t)i);
}

const u8 *vx_filter_cond_str(const struct vx_filter_cond *c, u32 i, u32 *len)
{
	const u8 *p = c->ops + 4;

	while (i--)
		p += 4 + vxf_rd32(p);
	*len = vxf_rd32(p);
	return p + 4;
}

u64 vx_filter_cond_id(const struct vx_filter_cond *c, u32 i)
{
	return vxf_rd64(c->ops + 8 + 8 * (size_t)i);
}

const u8 *vx_filter_cond_uuid(const struct vx_filter_cond *c, u32 i)
{
	return c->ops + 8 + 8 * (size_t)c->n + 16 * (size_t)i;
}

static const enum vx_filter_cond_kind leaf_kind[] = {
	[VEXFS_FOP_MATCH_BOOL] = VX_FC_MATCH_BOOL,
	[VEXFS_FOP_MATCH_INT] = VX_FC_MATCH_INT,
	[VEXFS_FOP_MATCH_STR] = VX_FC_MATCH_STR,
	[VEXFS_FOP_MATCH_ANY_INT] = VX_FC_MATCH_ANY_INT,
	[VEXFS_FOP_MATCH_ANY_STR] = VX_FC_MATCH_ANY_STR,
	[VEXFS_FOP_MATCH_TEXT] = VX_FC_MATCH_TEXT,
	[VEXFS_FOP_RANGE] = VX_FC_RANGE,
	[VEXFS_FOP_RANGE_DT] = VX_FC_RANGE_DT,
	[VEXFS_FOP_VALUES_COUNT] = VX_FC_VALUES_COUNT,
	[VEXFS_FOP_GEO_BOX] = VX_FC_GEO_BOX,
	[VEXFS_FOP_GEO_RADIUS] = VX_FC_GEO_RADIUS,
	[VEXFS_FOP_GEO_POLYGON] = VX_FC_GEO_POLYGON,
	[VEXFS_FOP_IS_EMPTY] = VX_FC_IS_EMPTY,
	[VEXFS_FOP_IS_NULL] = VX_FC_IS_NULL,
};

static void describe(const u8 *n, struct vx_filter_cond *c)
{
	const u8 *b = vxf_body(n), *p;
	u8 op = vxf_op(n);

	memset(c, 0, sizeof(*c));
	if (op == VEXFS_FOP_HAS_ID) {
		c->kind = VX_FC_HAS_ID;
		c->ops = b;
		c->n = vxf_rd32(b);
		c->n_uuid = vxf_rd32(b + 4);
		return;
	}
	if (op == VEXFS_FOP_HAS_VECTOR) {
		c->kind = VX_FC_HAS_VECTOR;
		return;
	}
	c->kind = leaf_kind[op];
	c->key_len = vxf_rd16(b);
	c->key = (const char *)b + 2;
	p = b + 2 + c->key_len;
	c->ops = p;
	switch (op) {
	case VEXFS_FOP_MATCH_BOOL:
		c->b = n[1];
		break;
	case VEXFS_FOP_MATCH_INT:
		c->i = (s64)vxf_rd64(p);
		break;
	case VEXFS_FOP_MATCH_STR:
	case VEXFS_FOP_MATCH_TEXT:
		c->str_len = vxf_rd32(p);
		c->str = p + 4;
		break;
	case VEXFS_FOP_MATCH_ANY_INT:
	case VEXFS_FOP_MATCH_ANY_STR:
		c->except = n[1] & VEXFS_FILTER_EXCEPT;
		c->n = vxf_rd32(p);
		break;
	case VEXFS_FOP_RANGE:
	case VEXFS_FOP_RANGE_DT:
	case VEXFS_FOP_VALUES_COUNT:
		c->range.flags = n[1];
		c->range.lo = vxf_rd64(p);
		c->range.hi = vxf_rd64(p + 8);
		break;
	case VEXFS_FOP_GEO_BOX:
		c->box.left = vxf_rd64(p);
		c->box.top = vxf_rd64(p + 8);
		c->box.right = vxf_rd64(p + 16);
		c->box.bottom = vxf_rd64(p + 24);
		break;
	}
}

/* Depth is bounded by the verifier (VEXFS_FILTER_MAX_DEPTH). */
static int required(const u8 *n,
		    int (*cb)(void *, const struct vx_filter_cond *), void *arg)
{
	const u8 *b = vxf_body(n), *child;
	struct vx_filter_cond c;
	u32 count;
	int err;

	switch (vxf_op(n)) {
	case VEXFS_FOP_TRUE:
	case VEXFS_FOP_FALSE:
	case VEXFS_FOP_NESTED:
		return 0;
	case VEXFS_FOP_AND:
		count = vxf_rd16(b);
		child = b + 2;
		for (u32 i = 0; i < count; i++, child += vxf_size(child)) {
			err = required(child, cb, arg);
			if (err)
				return err;
		}
		return 0;
	case VEXFS_FOP_OR:
		return vxf_rd16(b) == 1 ? required(b + 2, cb, arg) : 0;
	case VEXFS_FOP_ATLEAST:
		/* k of n with k == n: all are required */
		count = vxf_rd16(b + 2);
		if (vxf_rd16(b) != count || !count)
			return 0;
		child = b + 4;
		for (u32 i = 0; i < count; i++, child += vxf_size(child)) {
			err = required(child, cb, arg);
			if (err)
				return err;
		}
		return 0;
	case VEXFS_FOP_NOT:
		if (vxf_op(b) == VEXFS_FOP_NOT)
			return required(vxf_body(b), cb, arg);
		return 0;
	}
	describe(n, &c);
	return cb(arg, &c);
}

int vx_filter_required(const struct vx_filter *f,
		       int (*cb)(void *arg, const struct vx_filter_cond *c),
		       void *arg)
{
	return required(f->code + VEXFS_FILTER_HDR_SIZE, cb, arg);
}
