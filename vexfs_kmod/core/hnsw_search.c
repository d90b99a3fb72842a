// SPDX-License-Identifier: GPL-2.0
/*
 * HNSW search: greedy descent through the upper levels, then a beam search
 * of level 0. Readers take no locks (see hnsw.h); every distance goes through
 * the distance computer in batches of one node's unvisited neighbours, which
 * are also the FPU sections in the kernel.
 */
#include "hnsw_internal.h"

u64 hnsw_greedy(const struct vx_hnsw *g, struct vx_dist_computer *dc,
		struct vx_search_ctx *ctx, u64 cur, u32 from, u32 to)
{
	u32 *slots = ctx->batch_slots, *keys = ctx->batch_keys;
	u32 level, i, n;
	bool moved;

	for (level = from; level >= to && level > 0; level--) {
		do {
			const u32 *list =
				hnsw_list(g, vx_cand_slot(cur), level);

			n = hnsw_list_count(g, list, level);
			for (i = 0; i < n; i++)
				slots[i] = hnsw_list_link(list, i);
			dc->ops->to_query(dc, slots, n, keys);
			moved = false;
			for (i = 0; i < n; i++) {
				u64 c = vx_cand(keys[i], slots[i]);

				if (c < cur) {
					cur = c;
					moved = true;
				}
			}
		} while (moved);
	}
	return cur;
}

/*
 * Expand candidates nearest-first; stop when the nearest unexpanded one is
 * farther than the worst of a full result set. Nodes the search may not
 * return (deleted, filtered out, excluded) are still expanded, as hnswlib
 * does, so filters and tombstones do not cut the graph.
 */
int hnsw_search_layer(struct hnsw_layer_search *ls, u64 entry)
{
	const struct vx_hnsw *g = ls->g;
	struct vx_search_ctx *ctx = ls->ctx;
	struct vx_heap *cands = &ctx->cands, *res = &ctx->results;
	u32 *slots = ctx->batch_slots, *keys = ctx->batch_keys;
	u32 entry_slot = vx_cand_slot(entry);
	u32 i, n, nr_links;
	u64 dists = 0;
	int err;

	ls->gave_up = false;
	vx_search_ctx_new_visit(ctx);
	cands->n = 0;
	res->n = 0;
	err = vx_heap_reserve(res, ls->ef + 1);
	if (err)
		return err;
	vx_visit(ctx, entry_slot);
	err = vx_minheap_push(cands, entry);
	if (err)
		return err;
	if (entry_slot != ls->exclude &&
	    hnsw_returnable(g, entry_slot, ls->filter))
		vx_maxheap_push(res, entry);

	while (cands->n) {
		u64 c = cands->v[0];
		const u32 *list;

		if (res->n == ls->ef && c > res->v[0])
			break;
		vx_minheap_pop(cands);
		/* Likely the next to expand: start fetching its links now. */
		if (cands->n)
			__builtin_prefetch(hnsw_list(
				g, vx_cand_slot(cands->v[0]), ls->level));

		list = hnsw_list(g, vx_cand_slot(c), ls->level);
		nr_links = hnsw_list_count(g, list, ls->level);
		for (i = 0, n = 0; i < nr_links; i++) {
			u32 s = hnsw_list_link(list, i);

			if (vx_visit(ctx, s))
				slots[n++] = s;
		}
		if (!n)
			continue;
		dists += n;
		if (ls->max_dists && dists > ls->max_dists) {
			ls->gave_up = true;
			return 0;
		}
		ls->dc->ops->to_query(ls->dc, slots, n, keys);

		for (i = 0; i < n; i++) {
			u64 cand = vx_cand(keys[i], slots[i]);

			if (res->n == ls->ef && cand >= res->v[0])
				continue;
			err = vx_minheap_push(cands, cand);
			if (err)
				return err;
			if (slots[i] == ls->exclude ||
			    !hnsw_returnable(g, slots[i], ls->filter))
				continue;
			if (res->n < ls->ef)
				vx_maxheap_push(res, cand);
			else
				vx_maxheap_replace_top(res, cand);
		}
	}
	return 0;
}

int vx_hnsw_search(const struct vx_hnsw *g, struct vx_search_ctx *ctx,
		   struct vx_dist_computer *dc, u32 ef,
		   const struct vx_point_filter *filter, u32 *nr)
{
	bool gave_up;

	return vx_hnsw_search_bounded(g, ctx, dc, ef, filter, 0, nr, &gave_up);
}

int vx_hnsw_search_bounded(const struct vx_hnsw *g, struct vx_search_ctx *ctx,
			   struct vx_dist_computer *dc, u32 ef,
			   const struct vx_point_filter *filter, u64 max_dists,
			   u32 *nr, bool *gave_up)
{
	struct hnsw_layer_search ls = {
		.g = g,
		.dc = dc,
		.ctx = ctx,
		.level = 0,
		.ef = max(ef, 1u),
		.exclude = VX_SLOT_NONE,
		.filter = filter,
		.max_dists = max_dists,
	};
	u64 entry = vx_load_acquire(&g->entry);
	u32 slot, key;
	u64 cur;
	int err;

	*nr = 0;
	*gave_up = false;
	if (entry == VX_HNSW_NO_ENTRY)
		return 0;
	slot = hnsw_entry_slot(entry);
	dc->ops->to_query(dc, &slot, 1, &key);
	cur = hnsw_greedy(g, dc, ctx, vx_cand(key, slot),
			  hnsw_entry_level(entry), 1);
	err = hnsw_search_layer(&ls, cur);
	if (err)
		return err;
	*gave_up = ls.gave_up;
	*nr = vx_maxheap_drain_sorted(&ctx->results, ctx->results.v);
	return 0;
}
