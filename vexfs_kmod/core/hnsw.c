// SPDX-License-Identifier: GPL-2.0
/* HNSW graph construction: node setup, neighbour selection, insertion. */
#include "hnsw_internal.h"

/* Distances per call in the heuristic: one pass of the 4-way kernels. */
#define HNSW_HEURISTIC_STEP 4u

u32 vx_hnsw_index_bytes(u32 m)
{
	return (u32)sizeof(struct vx_hnsw_node) +
	       (1 + 2 * m) * (u32)sizeof(u32);
}

int vx_hnsw_init(struct vx_hnsw *g, struct vx_vecstore *vs,
		 const struct vx_hnsw_params *params)
{
	u32 m = params->m;

	if (m < 2 || m > VX_HNSW_M_MAX || !params->ef_construct ||
	    params->ef_construct > VX_HNSW_EF_MAX ||
	    vs->index_bytes < vx_hnsw_index_bytes(m))
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->vs = vs;
	g->m = m;
	g->m0 = 2 * m;
	g->ef_construct = params->ef_construct;
	/* hnswlib's level = floor(-ln(U) / ln(m)): each level up has chance 1/m. */
	g->level_threshold = ~0ull / m;
	vx_rng_seed(&g->rng, params->seed);
	g->entry = VX_HNSW_NO_ENTRY;
	g->w_slots = vx_alloc_array(g->m0 + 1, sizeof(u32));
	g->w_keys = vx_alloc_array(g->m0 + 1, sizeof(u32));
	if (!g->w_slots || !g->w_keys) {
		vx_hnsw_destroy(g);
		return -ENOMEM;
	}
	return 0;
}

void vx_hnsw_destroy(struct vx_hnsw *g)
{
	u32 slot, nr;

	if (g->vs) {
		nr = vx_vecstore_nr_slots(g->vs);
		for (slot = 0; slot < nr; slot++)
			vx_hnsw_forget(g, slot);
	}
	vx_free(g->w_slots);
	vx_free(g->w_keys);
	vx_free(g->w_cands);
	memset(g, 0, sizeof(*g));
}

void vx_hnsw_forget(struct vx_hnsw *g, u32 slot)
{
	struct vx_hnsw_node *node = hnsw_node(g, slot);

	vx_free(node->upper);
	node->upper = NULL;
	node->level1 = 0;
}

static u32 draw_level(struct vx_hnsw *g)
{
	u32 level = 0;

	while (level < VX_HNSW_MAX_LEVEL &&
	       vx_rng_next(&g->rng) < g->level_threshold)
		level++;
	return level;
}

void hnsw_list_store(u32 *list, const u32 *links, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++)
		vx_store_release(&list[1 + i], links[i]);
	vx_store_release(&list[0], nr);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

void hnsw_sort_cands(u64 *cands, u32 nr)
{
	u32 i, j;

	if (nr > 32) {
		vx_sort(cands, nr, sizeof(*cands), cmp_u64);
		return;
	}
	for (i = 1; i < nr; i++) {
		u64 x = cands[i];

		for (j = i; j > 0 && cands[j - 1] > x; j--)
			cands[j] = cands[j - 1];
		cands[j] = x;
	}
}

u32 hnsw_select_neighbours(struct vx_hnsw *g, struct vx_dist_computer *dc,
			   const u64 *cands, u32 nr, u32 max, u32 *out)
{
	u32 *keys = g->w_keys;
	u32 i, j, t, step, kept = 0;

	for (i = 0; i < nr && kept < max; i++) {
		u32 slot = vx_cand_slot(cands[i]),
		    to_base = vx_cand_key(cands[i]);
		bool diverse = true;

		/*
		 * Kept ones nearest the base first, a few per distance call:
		 * the first closer one settles it, so most candidates cost a
		 * handful of distances rather than one per kept neighbour.
		 */
		for (j = 0; j < kept && diverse; j += step) {
			step = min(kept - j, HNSW_HEURISTIC_STEP);
			dc->ops->between(dc, slot, out + j, step, keys);
			for (t = 0; t < step && diverse; t++)
				diverse = keys[t] >= to_base;
		}
		if (diverse)
			out[kept++] = slot;
	}
	return kept;
}

/*
 * Add @new_slot (at @key from @slot) to @slot's list at @level. A full list
 * is rebuilt with the heuristic over its links plus the newcomer; links to
 * deleted points are dropped on the way, which spares the vacuum work.
 */
static void link_back(struct vx_hnsw *g, struct vx_dist_computer *dc, u32 slot,
		      u32 level, u32 new_slot, u32 key)
{
	u32 *list = hnsw_list(g, slot, level);
	u32 cap = hnsw_level_cap(g, level);
	u32 nr = list[0], i, kept = 0;
	u32 *slots = g->w_slots, *keys = g->w_keys;
	u64 *cands = g->w_cands;

	if (nr < cap) {
		vx_store_release(&list[1 + nr], new_slot);
		vx_store_release(&list[0], nr + 1);
		return;
	}
	for (i = 0; i < nr; i++) {
		u32 s = list[1 + i];

		if (vx_read_once(vx_vecstore_head(g->vs, s)->state) ==
		    VX_SLOT_LIVE)
			slots[kept++] = s;
	}
	if (kept < cap) {
		slots[kept++] = new_slot;
		hnsw_list_store(list, slots, kept);
		return;
	}
	dc->ops->between(dc, slot, slots, kept, keys);
	for (i = 0; i < kept; i++)
		cands[i] = vx_cand(keys[i], slots[i]);
	cands[kept++] = vx_cand(key, new_slot);
	hnsw_sort_cands(cands, kept);
	kept = hnsw_select_neighbours(g, dc, cands, kept, cap, slots);
	hnsw_list_store(list, slots, kept);
}

static int reserve_writer_cands(struct vx_hnsw *g, u32 need)
{
	u64 *bigger;

	if (need <= g->w_cands_cap)
		return 0;
	bigger = vx_alloc_array(need, sizeof(u64));
	if (!bigger)
		return -ENOMEM;
	vx_free(g->w_cands);
	g->w_cands = bigger;
	g->w_cands_cap = need;
	return 0;
}

/* Connect @slot at @level to the best of the candidates a layer search found. */
static u64 connect_level(struct vx_hnsw *g, struct vx_dist_computer *dc,
			 struct vx_search_ctx *ctx, u32 slot, u32 level)
{
	u32 *list = hnsw_list(g, slot, level);
	u32 nr, kept, i, *chosen;
	u64 nearest;
	/* Keys from @slot to its neighbours, for link_back. */
	u32 *keys;

	nr = vx_maxheap_drain_sorted(&ctx->results, ctx->results.v);
	if (!nr)
		return VX_HNSW_NO_ENTRY;
	nearest = ctx->results.v[0];
	/* The chosen slots go straight into the new node's own list. */
	chosen = list + 1;
	kept = hnsw_select_neighbours(g, dc, ctx->results.v, nr, g->m, chosen);
	vx_store_release(&list[0], kept);

	keys = ctx->batch_keys;
	for (i = 0, nr = 0; i < kept; i++) {
		/* ctx->results.v is sorted; find each chosen neighbour's key. */
		while (vx_cand_slot(ctx->results.v[nr]) != chosen[i])
			nr++;
		keys[i] = vx_cand_key(ctx->results.v[nr]);
	}
	for (i = 0; i < kept; i++)
		link_back(g, dc, chosen[i], level, slot, keys[i]);
	return nearest;
}

int vx_hnsw_insert(struct vx_hnsw *g, struct vx_search_ctx *ctx, u32 slot)
{
	struct vx_hnsw_node *node = hnsw_node(g, slot);
	struct hnsw_layer_search ls = {
		.g = g,
		.ctx = ctx,
		.ef = g->ef_construct,
		.exclude = slot,
		.filter = NULL,
	};
	struct vx_dist_computer dc;
	u64 entry = g->entry, cur;
	u32 level, top, key, entry_slot;
	int l, err;

	if (node->level1)
		return -EEXIST;
	err = reserve_writer_cands(g, g->m0 + 1);
	if (err)
		return err;
	level = draw_level(g);
	if (level) {
		node->upper = vx_zalloc_array((size_t)level * (1 + g->m),
					      sizeof(u32));
		if (!node->upper)
			return -ENOMEM;
	}
	node->level1 = level + 1;
	g->nr_nodes++;
	if (entry == VX_HNSW_NO_ENTRY) {
		vx_store_release(&g->entry, hnsw_entry_pack(level, slot));
		return 0;
	}

	vx_vecstore_dc_init(&dc, g->vs, NULL);
	dc.ops->query_from_slot(&dc, slot);
	ls.dc = &dc;
	entry_slot = hnsw_entry_slot(entry);
	top = hnsw_entry_level(entry);
	dc.ops->to_query(&dc, &entry_slot, 1, &key);
	cur = vx_cand(key, entry_slot);
	if (top > level)
		cur = hnsw_greedy(g, &dc, ctx, cur, top, level + 1);

	/*
	 * Top-down, so the node becomes reachable from above first; a reader
	 * arriving early finds its lower lists empty (count 0), not garbage.
	 */
	for (l = (int)min(level, top); l >= 0; l--) {
		u64 nearest;

		ls.level = (u32)l;
		/*
		 * Only a failed heap allocation stops this; the node is then
		 * linked at the levels above only, which is still a valid
		 * graph, so it counts as inserted.
		 */
		if (hnsw_search_layer(&ls, cur))
			break;
		nearest = connect_level(g, &dc, ctx, slot, (u32)l);
		if (nearest != VX_HNSW_NO_ENTRY)
			cur = nearest;
	}
	if (level > top)
		vx_store_release(&g->entry, hnsw_entry_pack(level, slot));
	return 0;
}
