// SPDX-License-Identifier: GPL-2.0
/* The filtered-search planner over payload indexes (pindex_plan.h). */
#include "pindex_plan.h"
#include "distance.h"

#define PLAN_CONDS 8 /* indexed conditions considered per filter */
#define GEO_CELLS_MAX 4096u /* cells a box may cover at the chosen level */

struct vrange {
	u64 lo, hi;
};

/* One planned condition: ranges of an index, or ids. */
struct pcond {
	const struct vx_pindex *ix; /* NULL: HAS_ID */
	struct vx_filter_cond cond; /* a copy: the walk's is on its stack */
	const struct vx_filter_cond *fc; /* &cond */
	struct vrange *r;
	u32 nr;
	bool all; /* text: a point needs every range, not any */
	u64 estimate;
};

struct planner {
	struct vx_collection *c;
	struct pcond pc[PLAN_CONDS];
	u32 n;
	int err;
};

static u64 max3_u64(u64 a, u64 b, u64 c)
{
	return max(max(a, b), c);
}

static int pc_range(struct pcond *p, u32 cap, u64 lo, u64 hi)
{
	if (p->nr >= cap)
		return -E2BIG;
	p->r[p->nr].lo = lo;
	p->r[p->nr].hi = hi;
	p->nr++;
	return 0;
}

static u64 int_key(s64 i)
{
	return i < 0 ? vx_pindex_num_key(true, -(u64)i) :
		       vx_pindex_num_key(false, (u64)i);
}

/* The query's whole tokens: bounded by non-alphanumerics inside it. */
static int text_ranges(struct pcond *p, u32 cap, const u8 *s, u32 len)
{
	u32 i = 0;
	int err = 0;

	while (i < len && !err) {
		u32 start;

		while (i < len && !vx_pindex_is_tok(s[i]))
			i++;
		start = i;
		while (i < len && vx_pindex_is_tok(s[i]))
			i++;
		if (i > start && start > 0 && i < len) {
			u64 h = vx_pindex_token_hash(s + start, i - start);

			err = pc_range(p, cap, h, h);
		}
	}
	return err;
}

static int geo_ranges(struct pcond *p, u32 cap, const struct vx_filter_cond *c)
{
	s64 left, right, top, bottom;
	u64 lat0, lat1, lon0, lon1;

	if (!vx_pindex_f64_fixed(c->box.left, &left) ||
	    !vx_pindex_f64_fixed(c->box.right, &right) ||
	    !vx_pindex_f64_fixed(c->box.top, &top) ||
	    !vx_pindex_f64_fixed(c->box.bottom, &bottom) || left > right ||
	    bottom > top)
		return -EINVAL; /* across the antimeridian: not planned */
	lat0 = (u64)(max_t(s64, bottom, -(90LL << 20)) + (90LL << 20));
	lat1 = (u64)(min_t(s64, top, 90LL << 20) + (90LL << 20));
	lon0 = (u64)(max_t(s64, left, -(180LL << 20)) + (180LL << 20));
	lon1 = (u64)(min_t(s64, right, 180LL << 20) + (180LL << 20));
	if (lat0 > lat1 || lon0 > lon1)
		return 0; /* no valid point inside: only "others" */
	for (u32 l = 0; l < VX_PI_GEO_LEVELS; l++) {
		u32 sh = vx_pindex_geo_shift[l];
		u64 rows = (lat1 >> sh) - (lat0 >> sh) + 1;
		u64 cols = (lon1 >> sh) - (lon0 >> sh) + 1;

		if (rows * cols > GEO_CELLS_MAX && l + 1 < VX_PI_GEO_LEVELS)
			continue;
		for (u64 row = lat0 >> sh; row <= lat1 >> sh; row++) {
			int err = pc_range(
				p, cap, vx_pindex_geo_cell(l, row << sh, lon0),
				vx_pindex_geo_cell(l, row << sh, lon1));

			if (err)
				return err;
		}
		return 0;
	}
	return 0;
}

/* Ranges of @ix that hold every value @fc can match; -EINVAL: cannot. */
static int cond_ranges(struct pcond *p, u32 cap)
{
	const struct vx_filter_cond *c = p->fc;
	u32 type = p->ix->type;
	u8 uuid[16];
	int err = 0;

	switch (c->kind) {
	case VX_FC_MATCH_BOOL:
		if (type != VEXFS_INDEX_BOOL)
			return -EINVAL;
		return pc_range(p, cap, c->b, c->b);
	case VX_FC_MATCH_INT:
		if (type != VEXFS_INDEX_INTEGER && type != VEXFS_INDEX_FLOAT)
			return -EINVAL;
		return pc_range(p, cap, int_key(c->i), int_key(c->i));
	case VX_FC_MATCH_ANY_INT:
		if (c->except ||
		    (type != VEXFS_INDEX_INTEGER && type != VEXFS_INDEX_FLOAT))
			return -EINVAL;
		for (u32 i = 0; i < c->n && !err; i++) {
			u64 k = int_key(vx_filter_cond_int(c, i));

			err = pc_range(p, cap, k, k);
		}
		return err;
	case VX_FC_MATCH_STR:
	case VX_FC_MATCH_ANY_STR:
		if (c->except ||
		    (type != VEXFS_INDEX_KEYWORD && type != VEXFS_INDEX_UUID))
			return -EINVAL;
		for (u32 i = 0;
		     i < (c->kind == VX_FC_MATCH_STR ? 1 : c->n) && !err; i++) {
			u32 len = c->str_len;
			const u8 *s = c->kind == VX_FC_MATCH_STR ?
					      c->str :
					      vx_filter_cond_str(c, i, &len);
			u64 k;

			if (type == VEXFS_INDEX_KEYWORD) {
				k = vx_pindex_hash(s, len);
			} else if (!vx_pindex_parse_uuid(s, len, uuid)) {
				k = vx_pindex_hash(uuid, 16);
			} else {
				/* not a UUID: only a non-UUID value, an "other" */
				continue;
			}
			err = pc_range(p, cap, k, k);
		}
		return err;
	case VX_FC_MATCH_TEXT:
		if (type != VEXFS_INDEX_TEXT)
			return -EINVAL;
		p->all = true;
		err = text_ranges(p, cap, c->str, c->str_len);
		return err ? err : p->nr ? 0 : -EINVAL;
	case VX_FC_RANGE:
		if (type != VEXFS_INDEX_INTEGER && type != VEXFS_INDEX_FLOAT)
			return -EINVAL;
		return pc_range(p, cap,
				c->range.flags & (VX_FR_GT | VX_FR_GTE) ?
					vx_filter_f64_key(c->range.lo) :
					0,
				c->range.flags & (VX_FR_LT | VX_FR_LTE) ?
					vx_filter_f64_key(c->range.hi) :
					~0ULL);
	case VX_FC_RANGE_DT:
		if (type != VEXFS_INDEX_DATETIME)
			return -EINVAL;
		return pc_range(p, cap,
				c->range.flags & (VX_FR_GT | VX_FR_GTE) ?
					c->range.lo ^ (1ULL << 63) :
					0,
				c->range.flags & (VX_FR_LT | VX_FR_LTE) ?
					c->range.hi ^ (1ULL << 63) :
					~0ULL);
	case VX_FC_GEO_BOX:
		if (type != VEXFS_INDEX_GEO)
			return -EINVAL;
		return geo_ranges(p, cap, c);
	default:
		return -EINVAL;
	}
}

static u32 cond_cap(const struct vx_filter_cond *c)
{
	switch (c->kind) {
	case VX_FC_MATCH_ANY_INT:
	case VX_FC_MATCH_ANY_STR:
		return max(c->n, 1u);
	case VX_FC_MATCH_TEXT:
		return c->str_len / 2 + 1;
	case VX_FC_GEO_BOX:
		return GEO_CELLS_MAX;
	default:
		return 1;
	}
}

static void pc_estimate(struct pcond *p)
{
	const struct vx_pindex *ix = p->ix;
	u64 e = p->all ? ~0ULL : 0;

	for (u32 i = 0; i < p->nr; i++) {
		u64 n = vx_pi_tree_count(&ix->vals, p->r[i].lo, p->r[i].hi);

		e = p->all ? min(e, n) : e + n;
	}
	p->estimate = e + ix->others.n;
}

static int consider(void *arg, const struct vx_filter_cond *fc)
{
	struct planner *pl = arg;
	struct pcond *p = &pl->pc[pl->n];
	u32 cap;

	if (pl->n == PLAN_CONDS)
		return 1;
	memset(p, 0, sizeof(*p));
	p->cond = *fc;
	p->fc = &p->cond;
	if (fc->kind == VX_FC_HAS_ID) {
		p->estimate = (u64)fc->n + fc->n_uuid;
		pl->n++;
		return 0;
	}
	fc = p->fc;
	p->ix = vx_pindex_set_find(&pl->c->pidx, fc->key, fc->key_len);
	if (!p->ix || p->ix->broken)
		return 0;
	cap = cond_cap(fc);
	p->r = vx_alloc_array(cap, sizeof(*p->r));
	if (!p->r) {
		pl->err = -ENOMEM;
		return 1;
	}
	if (cond_ranges(p, cap)) {
		vx_free(p->r);
		p->r = NULL;
		return 0;
	}
	pc_estimate(p);
	pl->n++;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 sort_unique(u64 *k, u64 n)
{
	u64 i, m = 0;

	if (n > 1)
		vx_sort(k, n, sizeof(*k), cmp_u64);
	for (i = 0; i < n; i++)
		if (!m || k[m - 1] != k[i])
			k[m++] = k[i];
	return m;
}

/* Append point keys of pairs in [lo, hi] of @t to @out (room checked). */
static u64 tree_keys(const struct vx_pi_tree *t, u64 lo, u64 hi, u64 *out,
		     u64 room)
{
	u64 n = 0;

	for (u32 ci = vx_pi_tree_chunk(t, lo); ci < t->nch && n < room; ci++) {
		const struct vx_pi_chunk *ch = t->ch[ci];

		if (ch->e[ch->n - 1].v < lo)
			continue;
		if (ch->e[0].v > hi)
			break;
		for (u32 i = 0; i < ch->n && n < room; i++)
			if (ch->e[i].v >= lo && ch->e[i].v <= hi)
				out[n++] = ch->e[i].k;
	}
	return n;
}

/* a := a ∩ b, both sorted and distinct; returns the new size. */
static u64 keys_intersect(u64 *a, u64 na, const u64 *b, u64 nb)
{
	u64 i = 0, j = 0, m = 0;

	while (i < na && j < nb) {
		if (a[i] < b[j]) {
			i++;
		} else if (a[i] > b[j]) {
			j++;
		} else {
			a[m++] = a[i];
			i++;
			j++;
		}
	}
	return m;
}

/* Candidates of one condition, sorted and distinct, in *@out. */
static int read_out(struct vx_collection *c, const struct pcond *p, u64 **out,
		    u64 *nout)
{
	u64 room = p->estimate, n = 0, *k;

	k = vx_alloc_array(max_t(u64, room, 1), sizeof(*k));
	if (!k)
		return -ENOMEM;
	if (!p->ix) { /* HAS_ID */
		for (u32 i = 0; i < p->fc->n + p->fc->n_uuid; i++) {
			struct vexfs_point_id id = { 0 };
			struct vx_point *pt;

			if (i < p->fc->n) {
				id.kind = VEXFS_ID_NUM;
				id.num = vx_filter_cond_id(p->fc, i);
			} else {
				id.kind = VEXFS_ID_UUID;
				memcpy(id.uuid,
				       vx_filter_cond_uuid(p->fc, i - p->fc->n),
				       16);
			}
			pt = vx_pointmap_get(&c->points, &id);
			if (pt)
				k[n++] = pt->key;
		}
	} else if (!p->all) {
		for (u32 i = 0; i < p->nr; i++)
			n += tree_keys(&p->ix->vals, p->r[i].lo, p->r[i].hi,
				       k + n, room - n);
		n += tree_keys(&p->ix->others, 0, 0, k + n, room - n);
	} else {
		/* text: the rarest token's points, then the others' */
		u32 best = 0;
		u64 bn = ~0ULL;

		for (u32 i = 0; i < p->nr; i++) {
			u64 e = vx_pi_tree_count(&p->ix->vals, p->r[i].lo,
						 p->r[i].hi);

			if (e < bn) {
				bn = e;
				best = i;
			}
		}
		n = tree_keys(&p->ix->vals, p->r[best].lo, p->r[best].hi, k,
			      room);
		for (u32 i = 0; i < p->nr && n; i++) {
			u64 w = 0;

			if (i == best)
				continue;
			for (u64 j = 0; j < n; j++)
				if (vx_pi_tree_has(&p->ix->vals, p->r[i].lo,
						   k[j]))
					k[w++] = k[j];
			n = w;
		}
		n += tree_keys(&p->ix->others, 0, 0, k + n, room - n);
	}
	*out = k;
	*nout = sort_unique(k, n);
	return 0;
}

/*
 * A filtered graph search gives up after live / 8 distances (vindex.c,
 * FILTERED_GRAPH_SHARE) and scans: scoring that many candidates exactly
 * never costs more than the graph may spend before giving up.
 */
#define PLAN_EXACT_SHARE 8

u64 vx_collection_plan_threshold(struct vx_collection *c)
{
	return max3_u64(c->vi->full_scan_points,
			vx_vecstore_nr_live(&c->vi->vs) / PLAN_EXACT_SHARE, 1);
}

void vx_pindex_plan_free(struct vx_pindex_plan *plan)
{
	vx_free(plan->keys);
	plan->keys = NULL;
	plan->n = 0;
	plan->have = false;
}

int vx_collection_plan(struct vx_collection *c, const struct vx_filter *f,
		       u64 max, struct vx_pindex_plan *plan)
{
	struct planner *pl;
	u32 order[PLAN_CONDS], i, j, used = 0;
	int err = 0;

	memset(plan, 0, sizeof(*plan));
	plan->estimate = ~0ULL;
	if (!f || (!c->pidx.n && !max))
		return 0;
	pl = vx_zalloc(sizeof(*pl));
	if (!pl)
		return -ENOMEM;
	pl->c = c;
	vx_filter_required(f, consider, pl);
	err = pl->err;
	if (err || !pl->n)
		goto out;
	for (i = 0; i < pl->n; i++) { /* by estimate, insertion sort */
		for (j = i;
		     j && pl->pc[order[j - 1]].estimate > pl->pc[i].estimate;
		     j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	plan->estimate = pl->pc[order[0]].estimate;
	if (plan->estimate > max)
		goto out;
	err = read_out(c, &pl->pc[order[0]], &plan->keys, &plan->n);
	if (err)
		goto out;
	plan->have = true;
	/* Narrow by the next conditions while reading them is cheap. */
	for (i = 1; i < pl->n && used < 3 && plan->n; i++) {
		const struct pcond *p = &pl->pc[order[i]];
		u64 *k, n;

		if (p->estimate > 4 * plan->n + 1024)
			break;
		err = read_out(c, p, &k, &n);
		if (err)
			goto out;
		plan->n = keys_intersect(plan->keys, plan->n, k, n);
		vx_free(k);
		used++;
	}
	plan->estimate = plan->n;
out:
	for (i = 0; i < pl->n; i++)
		vx_free(pl->pc[i].r);
	vx_free(pl);
	if (err)
		vx_pindex_plan_free(plan);
	return err;
}

int vx_vindex_search_keys(struct vx_vindex *vi,
			  const struct vx_search_request *req, const u64 *keys,
			  u64 n, struct vx_scored_point *out, u32 *nr_out)
{
	struct vx_search_ctx *ctx = vx_search_ctx_get(&vi->pool);
	u32 slots[VX_DIST_BATCH], live[VX_DIST_BATCH], dk[VX_DIST_BATCH];
	u32 limit = min(req->limit, VX_SEARCH_LIMIT_MAX), nb = 0, got;
	struct vx_dist_computer dc;
	struct vx_exact_query q;
	int err;

	*nr_out = 0;
	if (!ctx)
		return -ENOMEM;
	if (!limit || !vx_vector_is_finite(req->query, vi->params.dim)) {
		vx_search_ctx_put(&vi->pool, ctx);
		return limit ? -EINVAL : 0;
	}
	vx_read_lock(&vi->grace);
	err = vx_search_ctx_begin(ctx, vx_vecstore_nr_slots(&vi->vs),
				  vi->params.dim, 1);
	if (err)
		goto out;
	vx_dist_prepare(vi->params.metric, req->query, ctx->query,
			vi->params.dim);
	vx_vecstore_dc_init(&dc, &vi->vs, ctx->query);
	vx_topk_reset(&ctx->topk, limit);
	q.dc = &dc;
	q.filter = req->filter;
	q.topk = &ctx->topk;
	for (u64 i = 0; i < n && !err; i++) {
		u32 slot = vx_vecstore_lookup(&vi->vs, keys[i]);

		if (slot != VX_SLOT_NONE)
			slots[nb++] = slot;
		if (nb == VX_DIST_BATCH || (nb && i + 1 == n)) {
			err = vx_exact_offer(&vi->vs, &q, slots, nb, live, dk);
			nb = 0;
		}
	}
	if (err)
		goto out;
	got = vx_topk_finish(&ctx->topk);
	for (u32 i = 0; i < got; i++) {
		out[i].id = ctx->topk.v[i].id;
		out[i].key = ctx->topk.v[i].key;
	}
	vx_dist_score_points(vi->params.metric, out, got);
	*nr_out = got;
out:
	vx_read_unlock(&vi->grace);
	vx_search_ctx_put(&vi->pool, ctx);
	return err;
}

int vx_collection_search_planned(struct vx_collection *c,
				 const struct vx_filter *f,
				 const struct vx_search_request *req,
				 struct vx_scored_point *out, u32 *nr_out)
{
	struct vx_pindex_plan plan;
	u64 max = vx_collection_plan_threshold(c);
	int err;

	if (req->flags & VX_SEARCH_EXACT || !c->vi->params.m)
		max = ~0ULL;
	err = vx_collection_plan(c, f, max, &plan);
	if (err)
		return err;
	if (plan.have)
		err = vx_vindex_search_keys(c->vi, req, plan.keys, plan.n, out,
					    nr_out);
	else
		err = vx_vindex_search(c->vi, req, out, nr_out);
	vx_pindex_plan_free(&plan);
	return err;
}
