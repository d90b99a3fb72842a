// SPDX-License-Identifier: GPL-2.0
#include "vindex.h"

#define PENDING_MIN_CAPACITY 1024u
/*
 * A filtered graph search gives up (for an exact scan of the matches) after
 * computing distances to this share of the live points, or ef * 2m if more:
 * by then the filter is selective enough that the scan reads less.
 */
#define FILTERED_GRAPH_SHARE 8u

void vx_vindex_params_default(struct vx_vindex_params *p, u32 dim,
			      enum vx_metric metric)
{
	memset(p, 0, sizeof(*p));
	p->dim = dim;
	p->metric = metric;
	p->m = VX_HNSW_DEFAULT_M;
	p->ef_construct = VX_HNSW_DEFAULT_EF_CONSTRUCT;
	p->full_scan_threshold_kb = VX_FULL_SCAN_THRESHOLD_KB_DEFAULT;
	p->vacuum_percent = VX_VACUUM_PERCENT_DEFAULT;
	p->seed = 0x5EED5EED5EED5EEDull;
}

static bool has_graph(const struct vx_vindex *vi)
{
	return vi->params.m != 0;
}

static struct vx_pending_ring *ring_alloc(u64 capacity)
{
	struct vx_pending_ring *ring;

	ring = vx_alloc(sizeof(*ring) + capacity * sizeof(ring->slots[0]));
	if (ring) {
		ring->mask = capacity - 1;
		ring->older = NULL;
	}
	return ring;
}

static void rings_free(struct vx_pending_ring *ring)
{
	struct vx_pending_ring *next;

	for (; ring; ring = next) {
		next = ring->older;
		vx_free(ring);
	}
}

static int validate_params(const struct vx_vindex_params *p)
{
	if (!p->dim || p->dim > VX_DIM_MAX || !vx_metric_valid(p->metric))
		return -EINVAL;
	if (p->m && (p->m < 2 || p->m > VX_HNSW_M_MAX || !p->ef_construct ||
		     p->ef_construct > VX_HNSW_EF_MAX))
		return -EINVAL;
	if (!p->vacuum_percent || p->vacuum_percent > 100)
		return -EINVAL;
	return 0;
}

int vx_vindex_create(const struct vx_vindex_params *params,
		     struct vx_vindex **out)
{
	struct vx_hnsw_params gp;
	struct vx_vindex *vi;
	int err;

	err = validate_params(params);
	if (err)
		return err;
	vi = vx_zalloc(sizeof(*vi));
	if (!vi)
		return -ENOMEM;
	vi->params = *params;
	err = vx_vecstore_init(&vi->vs, params->dim, params->metric,
			       params->m ? vx_hnsw_index_bytes(params->m) : 0);
	if (err)
		goto free_vi;
	if (has_graph(vi)) {
		gp.m = params->m;
		gp.ef_construct = params->ef_construct;
		gp.seed = params->seed;
		err = vx_hnsw_init(&vi->graph, &vi->vs, &gp);
		if (err)
			goto free_vs;
		vi->pending = ring_alloc(PENDING_MIN_CAPACITY);
		if (!vi->pending) {
			err = -ENOMEM;
			goto free_graph;
		}
	}
	vi->full_scan_points = (u64)params->full_scan_threshold_kb * 1024 /
			       ((u64)params->dim * sizeof(float));
	vx_search_pool_init(&vi->pool);
	vx_rwlock_init(&vi->points_lock);
	vx_mutex_init(&vi->graph_lock);
	vx_rwlock_init(&vi->grace);
	vx_atomic64_set(&vi->deleted, 0);
	*out = vi;
	return 0;

free_graph:
	vx_hnsw_destroy(&vi->graph);
free_vs:
	vx_vecstore_destroy(&vi->vs);
free_vi:
	vx_free(vi);
	return err;
}

void vx_vindex_destroy(struct vx_vindex *vi)
{
	if (!vi)
		return;
	if (has_graph(vi))
		vx_hnsw_destroy(&vi->graph);
	vx_vecstore_destroy(&vi->vs);
	rings_free(vi->pending);
	vx_free(vi->retired);
	vx_search_pool_destroy(&vi->pool);
	vx_rwlock_destroy(&vi->points_lock);
	vx_mutex_destroy(&vi->graph_lock);
	vx_rwlock_destroy(&vi->grace);
	vx_free(vi);
}

/* Writer side: points_lock held for writing. */

/* Room for one more queued slot; the old ring stays readable until reclaimed. */
static int pending_make_room(struct vx_vindex *vi)
{
	struct vx_pending_ring *ring = vi->pending, *bigger;
	u64 head = vx_load_acquire(&vi->pending_head);
	u64 tail = vi->pending_tail, s;

	if (tail - head <= ring->mask)
		return 0;
	bigger = ring_alloc((ring->mask + 1) * 2);
	if (!bigger)
		return -ENOMEM;
	for (s = head; s < tail; s++)
		bigger->slots[s & bigger->mask] = ring->slots[s & ring->mask];
	bigger->older = ring;
	vx_store_release(&vi->pending, bigger);
	return 0;
}

static void pending_push(struct vx_vindex *vi, u32 slot)
{
	struct vx_pending_ring *ring = vi->pending;
	u64 tail = vi->pending_tail;

	vx_store_release(&ring->slots[tail & ring->mask], slot);
	vx_store_release(&vi->pending_tail, tail + 1);
}

static int retired_reserve(struct vx_vindex *vi, u32 more)
{
	u32 cap, *bigger;

	if (vi->nr_retired + more <= vi->retired_cap)
		return 0;
	cap = max(vi->retired_cap * 2, vi->nr_retired + more);
	cap = max(cap, 64u);
	bigger = vx_alloc_array(cap, sizeof(u32));
	if (!bigger)
		return -ENOMEM;
	if (vi->nr_retired)
		memcpy(bigger, vi->retired, vi->nr_retired * sizeof(u32));
	vx_free(vi->retired);
	vi->retired = bigger;
	vi->retired_cap = cap;
	return 0;
}

/*
 * A slot that just died. With a graph, the graph writer finds it (queued:
 * when it dequeues it; linked: in the vacuum); without one it goes straight
 * to the retired list.
 */
static void slot_died(struct vx_vindex *vi, u32 slot)
{
	if (has_graph(vi))
		vx_atomic64_add(1, &vi->deleted);
	else
		vi->retired[vi->nr_retired++] = slot; /* reserved */
}

int vx_vindex_upsert(struct vx_vindex *vi, u64 id, const float *vec)
{
	u32 new_slot, old_slot;
	int err;

	if (!vx_vector_is_finite(vec, vi->params.dim))
		return -EINVAL;
	vx_write_lock(&vi->points_lock);
	err = has_graph(vi) ? pending_make_room(vi) : retired_reserve(vi, 1);
	if (err)
		goto out;
	err = vx_vecstore_upsert(&vi->vs, id, vec, &new_slot, &old_slot);
	if (err)
		goto out;
	if (has_graph(vi))
		pending_push(vi, new_slot);
	if (old_slot != VX_SLOT_NONE)
		slot_died(vi, old_slot);
out:
	vx_write_unlock(&vi->points_lock);
	return err;
}

int vx_vindex_delete(struct vx_vindex *vi, u64 id)
{
	u32 slot;
	int err;

	vx_write_lock(&vi->points_lock);
	err = has_graph(vi) ? 0 : retired_reserve(vi, 1);
	if (!err) {
		slot = vx_vecstore_delete(&vi->vs, id);
		if (slot == VX_SLOT_NONE)
			err = -ENOENT;
		else
			slot_died(vi, slot);
	}
	vx_write_unlock(&vi->points_lock);
	return err;
}

int vx_vindex_get(struct vx_vindex *vi, u64 id, float *out)
{
	int err;

	vx_read_lock(&vi->points_lock);
	err = vx_vecstore_get(&vi->vs, id, out);
	vx_read_unlock(&vi->points_lock);
	return err;
}

u64 vx_vindex_count(const struct vx_vindex *vi)
{
	return vx_vecstore_nr_live(&vi->vs);
}

u64 vx_vindex_nr_pending(const struct vx_vindex *vi)
{
	if (!has_graph(vi))
		return 0;
	return vx_load_acquire(&vi->pending_tail) -
	       vx_load_acquire(&vi->pending_head);
}

/* Graph writer side: graph_lock held. */

struct slot_list {
	u32 *v;
	u32 n, cap;
};

static int slot_list_add(struct slot_list *l, const u32 *slots, u32 n)
{
	u32 *bigger, cap;

	if (l->n + n > l->cap) {
		cap = max(max(l->cap * 2, l->n + n), 64u);
		bigger = vx_alloc_array(cap, sizeof(u32));
		if (!bigger)
			return -ENOMEM;
		if (l->n)
			memcpy(bigger, l->v, l->n * sizeof(u32));
		vx_free(l->v);
		l->v = bigger;
		l->cap = cap;
	}
	memcpy(l->v + l->n, slots, n * sizeof(u32));
	l->n += n;
	return 0;
}

/*
 * Recycle dead slots and retired directories once no search can hold them:
 * detach everything retired so far, wait for the searches running now to
 * finish (an empty exclusive section of grace), then free.
 */
static int reclaim(struct vx_vindex *vi, struct slot_list *dead)
{
	struct vx_chunk_dir *dirs;
	struct vx_pending_ring *rings = NULL;
	u32 i;
	int err = 0;

	vx_write_lock(&vi->points_lock);
	dirs = vx_vecstore_detach_retired(&vi->vs);
	if (vi->pending) {
		rings = vi->pending->older;
		vi->pending->older = NULL;
	}
	if (vi->nr_retired) {
		err = slot_list_add(dead, vi->retired, vi->nr_retired);
		if (!err)
			vi->nr_retired = 0;
	}
	vx_write_unlock(&vi->points_lock);
	if (!dirs && !rings && !dead->n)
		return err;

	vx_write_lock(&vi->grace);
	vx_write_unlock(&vi->grace);

	vx_vecstore_free_dirs(dirs);
	rings_free(rings);
	if (has_graph(vi))
		for (i = 0; i < dead->n; i++)
			vx_hnsw_forget(&vi->graph, dead->v[i]);
	vx_write_lock(&vi->points_lock);
	for (i = 0; i < dead->n; i++)
		vx_vecstore_release(&vi->vs, dead->v[i]);
	vx_write_unlock(&vi->points_lock);
	dead->n = 0;
	return err;
}

static bool vacuum_due(struct vx_vindex *vi, s64 deleted)
{
	return deleted > 0 &&
	       (u64)deleted * 100 >= (u64)vi->params.vacuum_percent *
					     max(vi->graph.nr_nodes, 1ull);
}

/*
 * When the queue drains after the graph grew by a tenth, give nodes the
 * heuristic left without in-links a way in: O(nodes) per pass, so O(1) per
 * insert amortised.
 */
static bool orphan_pass_due(struct vx_vindex *vi)
{
	return vi->linked_since_orphans &&
	       vi->linked_since_orphans * 10 >= vi->graph.nr_nodes &&
	       vx_load_acquire(&vi->pending_tail) == vi->pending_head;
}

static int connect_orphans(struct vx_vindex *vi, struct vx_search_ctx *ctx)
{
	u32 adopted;
	int err;

	err = vx_search_ctx_begin(ctx, vx_vecstore_nr_slots(&vi->vs), 0,
				  vi->graph.m0);
	if (!err)
		err = vx_hnsw_connect_orphans(&vi->graph, ctx, &adopted);
	if (!err)
		vi->linked_since_orphans = 0;
	return err;
}

static int vacuum(struct vx_vindex *vi, struct vx_search_ctx *ctx,
		  struct slot_list *dead, s64 deleted)
{
	u32 *gone, nr_gone;
	int err;

	err = vx_search_ctx_begin(ctx, vx_vecstore_nr_slots(&vi->vs), 0,
				  vi->graph.m0);
	if (err)
		return err;
	err = vx_hnsw_vacuum(&vi->graph, ctx, &gone, &nr_gone);
	if (err)
		return err;
	vx_atomic64_add(-deleted, &vi->deleted);
	vi->linked_since_orphans = 0; /* the vacuum ends with an orphan pass */
	err = slot_list_add(dead, gone, nr_gone);
	vx_free(gone);
	return err;
}

/* Link queued points; dead ones (deleted while queued) go to @dead. */
static int link_queued(struct vx_vindex *vi, struct vx_search_ctx *ctx,
		       u32 budget, struct slot_list *dead)
{
	int linked = 0, err;

	while ((u32)linked < budget) {
		u64 head = vi->pending_head;
		struct vx_pending_ring *ring;
		u32 slot;

		if (head == vx_load_acquire(&vi->pending_tail))
			break;
		ring = vx_load_acquire(&vi->pending);
		slot = vx_load_acquire(&ring->slots[head & ring->mask]);
		if (vx_vecstore_live(&vi->vs, slot)) {
			err = vx_search_ctx_begin(ctx,
						  vx_vecstore_nr_slots(&vi->vs),
						  0, vi->graph.m0);
			if (!err)
				err = vx_hnsw_insert(&vi->graph, ctx, slot);
			if (err)
				return linked ? linked : err; /* stays queued */
			linked++;
		} else {
			err = slot_list_add(dead, &slot, 1);
			if (err)
				return linked ? linked : err;
		}
		vx_store_release(&vi->pending_head, head + 1);
		if ((linked & 63) == 63)
			vx_cond_resched();
	}
	return linked;
}

static int maintain(struct vx_vindex *vi, u32 budget, bool force_vacuum)
{
	struct slot_list dead = { 0 };
	struct vx_search_ctx *ctx = NULL;
	int linked = 0, err = 0, ret;
	s64 deleted;

	vx_mutex_lock(&vi->graph_lock);
	if (has_graph(vi)) {
		ctx = vx_search_ctx_get(&vi->pool);
		if (!ctx) {
			err = -ENOMEM;
			goto out;
		}
		linked = link_queued(vi, ctx, budget, &dead);
		if (linked < 0) {
			err = linked;
			goto out;
		}
		vi->linked_since_orphans += linked;
		deleted = vx_atomic64_read(&vi->deleted);
		if (force_vacuum || vacuum_due(vi, deleted))
			err = vacuum(vi, ctx, &dead, deleted);
		else if (orphan_pass_due(vi))
			err = connect_orphans(vi, ctx);
	}
	/* Recycle what was found dead even if linking or vacuum failed. */
	ret = reclaim(vi, &dead);
	if (!err)
		err = ret;
out:
	vx_search_ctx_put(&vi->pool, ctx);
	vx_mutex_unlock(&vi->graph_lock);
	vx_free(dead.v);
	return err ? err : linked;
}

int vx_vindex_index_pending(struct vx_vindex *vi, u32 budget)
{
	return maintain(vi, budget, false);
}

int vx_vindex_vacuum(struct vx_vindex *vi)
{
	int ret = maintain(vi, 0, true);

	return ret < 0 ? ret : 0;
}

/* Searches: grace held shared. */

static bool plan_exact(const struct vx_vindex *vi,
		       const struct vx_search_request *req)
{
	u64 live = vx_vecstore_nr_live(&vi->vs);

	return !has_graph(vi) || (req->flags & VX_SEARCH_EXACT) ||
	       live < vi->full_scan_points || req->limit >= live;
}

static void emit(const struct vx_vindex *vi, struct vx_topk *topk,
		 struct vx_scored_point *out, u32 *nr_out)
{
	u32 n = vx_topk_finish(topk), i;

	for (i = 0; i < n; i++) {
		out[i].id = topk->v[i].id;
		out[i].key = topk->v[i].key;
	}
	vx_dist_score_points(vi->params.metric, out, n);
	*nr_out = n;
}

/*
 * Exact search over the points a filter accepts, replacing whatever a graph
 * search collected: the fallback for filters the graph serves badly.
 */
static int search_filtered_exact(struct vx_vindex *vi,
				 struct vx_search_ctx *ctx,
				 struct vx_dist_computer *dc,
				 const struct vx_search_request *req)
{
	struct vx_exact_query q = { dc, req->filter, &ctx->topk };

	vx_topk_reset(&ctx->topk, req->limit);
	return vx_exact_search(&vi->vs, &q, 1);
}

/*
 * Graph search merged with an exact scan of the queued tail. The tail is
 * read before the graph, so a point the writer links meanwhile is found at
 * least once; the visited set drops the second sighting.
 */
static int search_graph(struct vx_vindex *vi, struct vx_search_ctx *ctx,
			struct vx_dist_computer *dc,
			const struct vx_search_request *req)
{
	u64 head = vx_load_acquire(&vi->pending_head);
	u64 tail = vx_load_acquire(&vi->pending_tail);
	struct vx_pending_ring *ring = vx_load_acquire(&vi->pending);
	struct vx_exact_query tailq = { dc, req->filter, &ctx->topk };
	u32 ef = max(req->ef ? req->ef : vi->params.ef_construct, req->limit);
	u32 nr, i, n, slots[VX_DIST_BATCH], live[VX_DIST_BATCH];
	u32 keys[VX_DIST_BATCH];
	u64 max_dists = 0;
	bool gave_up;
	int err;

	ef = min(ef, VX_HNSW_EF_MAX);
	if (req->filter)
		max_dists =
			max(vx_vecstore_nr_live(&vi->vs) / FILTERED_GRAPH_SHARE,
			    (u64)ef * vi->graph.m0);
	err = vx_hnsw_search_bounded(&vi->graph, ctx, dc, ef, req->filter,
				     max_dists, &nr, &gave_up);
	if (err)
		return err;
	if (gave_up)
		return search_filtered_exact(vi, ctx, dc, req);
	vx_search_ctx_new_visit(ctx);
	for (i = 0; i < nr; i++) {
		u64 c = ctx->results.v[i];
		struct vx_hit hit = {
			.id = vx_vecstore_id(&vi->vs, vx_cand_slot(c)),
			.key = vx_cand_key(c),
			.slot = vx_cand_slot(c),
		};

		vx_visit(ctx, hit.slot);
		err = vx_topk_push(&ctx->topk, &hit);
		if (err)
			return err;
	}

	/* More than a ring's worth behind means cells were reused: skip those. */
	if (tail - head > ring->mask + 1)
		head = tail - (ring->mask + 1);
	for (n = 0; head < tail; head++) {
		u32 slot = vx_load_acquire(&ring->slots[head & ring->mask]);

		if (!vx_visit(ctx, slot))
			continue;
		slots[n++] = slot;
		if (n == VX_DIST_BATCH || head + 1 == tail) {
			err = vx_exact_offer(&vi->vs, &tailq, slots, n, live,
					     keys);
			if (err)
				return err;
			n = 0;
		}
	}
	if (n) {
		err = vx_exact_offer(&vi->vs, &tailq, slots, n, live, keys);
		if (err)
			return err;
	}
	/*
	 * A filter that matches few points, or matches cut off from the
	 * rest of the graph, can leave the beam short of the limit: only an
	 * exact scan of the matches can tell there are no more.
	 */
	if (req->filter && ctx->topk.n < req->limit)
		return search_filtered_exact(vi, ctx, dc, req);
	return 0;
}

static int search_locked(struct vx_vindex *vi, struct vx_search_ctx *ctx,
			 const struct vx_search_request *req,
			 struct vx_scored_point *out, u32 *nr_out)
{
	struct vx_dist_computer dc;
	u32 limit = min(req->limit, VX_SEARCH_LIMIT_MAX);
	struct vx_exact_query q = { &dc, req->filter, &ctx->topk };
	struct vx_search_request capped = *req;
	int err;

	*nr_out = 0;
	if (!limit)
		return 0;
	if (!vx_vector_is_finite(req->query, vi->params.dim))
		return -EINVAL;
	capped.limit = limit;
	vx_dist_prepare(vi->params.metric, req->query, ctx->query,
			vi->params.dim);
	vx_vecstore_dc_init(&dc, &vi->vs, ctx->query);
	vx_topk_reset(&ctx->topk, limit);
	if (plan_exact(vi, &capped))
		err = vx_exact_search(&vi->vs, &q, 1);
	else
		err = search_graph(vi, ctx, &dc, &capped);
	if (err)
		return err;
	emit(vi, &ctx->topk, out, nr_out);
	return 0;
}

static int begin_ctx(struct vx_vindex *vi, struct vx_search_ctx *ctx)
{
	return vx_search_ctx_begin(ctx, vx_vecstore_nr_slots(&vi->vs),
				   vi->params.dim,
				   has_graph(vi) ? vi->graph.m0 : 1);
}

int vx_vindex_search(struct vx_vindex *vi, const struct vx_search_request *req,
		     struct vx_scored_point *out, u32 *nr_out)
{
	struct vx_search_ctx *ctx = vx_search_ctx_get(&vi->pool);
	int err;

	*nr_out = 0;
	if (!ctx)
		return -ENOMEM;
	vx_read_lock(&vi->grace);
	err = begin_ctx(vi, ctx);
	if (!err)
		err = search_locked(vi, ctx, req, out, nr_out);
	vx_read_unlock(&vi->grace);
	vx_search_ctx_put(&vi->pool, ctx);
	return err;
}

/* The exact requests of a batch share one pass over the store. */
static int search_exact_batch(struct vx_vindex *vi,
			      const struct vx_search_request *reqs,
			      const u32 *which, u32 nr,
			      struct vx_scored_point *const *out, u32 *nr_out)
{
	u32 dim = vi->params.dim, i;
	struct vx_exact_query *qs;
	struct vx_dist_computer *dcs;
	struct vx_topk *topks;
	float *queries;
	int err = -ENOMEM;

	qs = vx_zalloc_array(nr, sizeof(*qs));
	dcs = vx_zalloc_array(nr, sizeof(*dcs));
	topks = vx_zalloc_array(nr, sizeof(*topks));
	queries = vx_alloc_array((size_t)nr * dim, sizeof(float));
	if (!qs || !dcs || !topks || !queries)
		goto out;
	for (i = 0; i < nr; i++) {
		const struct vx_search_request *req = &reqs[which[i]];
		float *q = queries + (size_t)i * dim;

		vx_dist_prepare(vi->params.metric, req->query, q, dim);
		vx_vecstore_dc_init(&dcs[i], &vi->vs, q);
		vx_topk_reset(&topks[i], min(req->limit, VX_SEARCH_LIMIT_MAX));
		qs[i].dc = &dcs[i];
		qs[i].filter = req->filter;
		qs[i].topk = &topks[i];
	}
	err = vx_exact_search(&vi->vs, qs, nr);
	if (err)
		goto out;
	for (i = 0; i < nr; i++)
		emit(vi, &topks[i], out[which[i]], &nr_out[which[i]]);
out:
	if (topks)
		for (i = 0; i < nr; i++)
			vx_topk_free(&topks[i]);
	vx_free(qs);
	vx_free(dcs);
	vx_free(topks);
	vx_free(queries);
	return err;
}

int vx_vindex_search_batch(struct vx_vindex *vi,
			   const struct vx_search_request *reqs, u32 nr,
			   struct vx_scored_point *const *out, u32 *nr_out)
{
	struct vx_search_ctx *ctx;
	u32 i, nr_exact = 0, *exact;
	int err = 0;

	for (i = 0; i < nr; i++) {
		nr_out[i] = 0;
		if (!vx_vector_is_finite(reqs[i].query, vi->params.dim))
			return -EINVAL;
	}
	exact = vx_alloc_array(max(nr, 1u), sizeof(u32));
	ctx = vx_search_ctx_get(&vi->pool);
	if (!exact || !ctx) {
		err = -ENOMEM;
		goto out;
	}
	vx_read_lock(&vi->grace);
	err = begin_ctx(vi, ctx);
	for (i = 0; i < nr && !err; i++) {
		if (!reqs[i].limit)
			continue;
		if (plan_exact(vi, &reqs[i]))
			exact[nr_exact++] = i;
		else
			err = search_locked(vi, ctx, &reqs[i], out[i],
					    &nr_out[i]);
	}
	if (!err && nr_exact)
		err = search_exact_batch(vi, reqs, exact, nr_exact, out,
					 nr_out);
	vx_read_unlock(&vi->grace);
out:
	vx_search_ctx_put(&vi->pool, ctx);
	vx_free(exact);
	return err;
}
