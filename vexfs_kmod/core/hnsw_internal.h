/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by hnsw.c, hnsw_search.c and hnsw_vacuum.c only. */
#ifndef VEXFS_CORE_HNSW_INTERNAL_H
#define VEXFS_CORE_HNSW_INTERNAL_H

#include "hnsw.h"

static inline u64 hnsw_entry_pack(u32 level, u32 slot)
{
	return (u64)level << 32 | slot;
}

static inline u32 hnsw_entry_level(u64 entry)
{
	return (u32)(entry >> 32);
}

static inline u32 hnsw_entry_slot(u64 entry)
{
	return (u32)entry;
}

static inline struct vx_hnsw_node *hnsw_node(const struct vx_hnsw *g, u32 slot)
{
	return vx_vecstore_index_area(g->vs, slot);
}

static inline u32 hnsw_level_cap(const struct vx_hnsw *g, u32 level)
{
	return level ? g->m : g->m0;
}

/* The [count, links...] list of @slot at @level (which the node must have). */
static inline u32 *hnsw_list(const struct vx_hnsw *g, u32 slot, u32 level)
{
	struct vx_hnsw_node *node = hnsw_node(g, slot);

	if (!level)
		return node->list0;
	return node->upper + (size_t)(level - 1) * (1 + g->m);
}

/*
 * Is @slot a graph node? For the graph writer's scans over all slots: a free
 * slot's index area may be being refilled by an upsert right now, so look at
 * the state first (acquire: a live or deleted slot's record is complete and,
 * since only the graph writer frees slots, stays put).
 */
static inline bool hnsw_in_graph(const struct vx_hnsw *g, u32 slot)
{
	if (vx_load_acquire(&vx_vecstore_head(g->vs, slot)->state) ==
	    VX_SLOT_FREE)
		return false;
	return hnsw_node(g, slot)->level1 != 0;
}

/* Lock-free list reads: pair with hnsw_list_store() in the writer. */
static inline u32 hnsw_list_count(const struct vx_hnsw *g, const u32 *list,
				  u32 level)
{
	return min(vx_load_acquire(&list[0]), hnsw_level_cap(g, level));
}

static inline u32 hnsw_list_link(const u32 *list, u32 i)
{
	return vx_load_acquire(&list[1 + i]);
}

/* Is @slot a live point that @filter accepts? (Deleted ones are only walked through.) */
static inline bool hnsw_returnable(const struct vx_hnsw *g, u32 slot,
				   const struct vx_point_filter *filter)
{
	const struct vx_slot_head *head = vx_vecstore_head(g->vs, slot);

	if (vx_read_once(head->state) != VX_SLOT_LIVE)
		return false;
	return !filter || filter->accept(filter->arg, head->id);
}

/* One beam search of a single level. */
struct hnsw_layer_search {
	const struct vx_hnsw *g;
	struct vx_dist_computer *dc;
	struct vx_search_ctx *ctx;
	u32 level;
	u32 ef;
	u32 exclude; /* never a result (VX_SLOT_NONE: none) */
	const struct vx_point_filter *filter;
	u64 max_dists; /* give up after this many distances (0: never) */
	bool gave_up; /* out: stopped by max_dists */
};

/*
 * Beam search from @entry (a packed candidate) at one level, into
 * ctx->results (a max-heap of at most ef returnable nodes). Starts a new
 * visited set.
 */
int hnsw_search_layer(struct hnsw_layer_search *ls, u64 entry);

/* Greedy descent (beam of one) from level @from down to level @to. */
u64 hnsw_greedy(const struct vx_hnsw *g, struct vx_dist_computer *dc,
		struct vx_search_ctx *ctx, u64 cur, u32 from, u32 to);

/*
 * The neighbour-selection heuristic: walk @cands (sorted ascending by key to
 * the base node) and keep a candidate unless an already kept one is closer
 * to it than the base is. Writes at most @max slots to @out.
 */
u32 hnsw_select_neighbours(struct vx_hnsw *g, struct vx_dist_computer *dc,
			   const u64 *cands, u32 nr, u32 max, u32 *out);

/* Overwrite a list; concurrent readers see old or new links, all valid. */
void hnsw_list_store(u32 *list, const u32 *links, u32 nr);

void hnsw_sort_cands(u64 *cands, u32 nr);

#endif /* VEXFS_CORE_HNSW_INTERNAL_H */
