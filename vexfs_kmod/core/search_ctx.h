/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-search scratch memory, pooled per vector index so a search allocates
 * nothing in the common case: the visited list, two heaps, a batch of slots
 * and keys for one distance call, the prepared query.
 *
 * The visited list is hnswlib's tag trick: one u16 per slot holds the number
 * of the search that last visited it, so starting a search is "tag++" and the
 * array is only cleared when the tag wraps (every 65535 searches).
 */
#ifndef VEXFS_CORE_SEARCH_CTX_H
#define VEXFS_CORE_SEARCH_CTX_H

#include "shim.h"
#include "heap.h"
#include "topk.h"

/*
 * Optional search filter: only accepted points are returned. Graph search
 * still walks through rejected nodes so the filter does not cut the graph.
 *
 * @accept is never called inside an FPU section: sections are opened only
 * in distance.c around the SIMD kernels, which call nothing back, and the
 * graph and exact searches call @accept between distance calls, from
 * integer code, with only the index's grace rwsem held shared (no
 * spinlock). It may therefore be long-running (that only delays slot
 * recycling), and must itself use no floating point.
 */
struct vx_point_filter {
	bool (*accept)(void *arg, u64 id);
	void *arg;
};

struct vx_search_ctx {
	struct vx_search_ctx *next; /* pool link */
	u16 *visited;
	u32 visited_cap; /* slots covered by this search */
	u16 tag;
	struct vx_heap cands; /* min-heap: to expand */
	struct vx_heap results; /* max-heap: best so far */
	struct vx_heap aux; /* scratch for callers */
	struct vx_topk topk; /* final k best */
	u32 *batch_slots; /* one distance batch */
	u32 *batch_keys;
	u32 batch_cap;
	float *query; /* prepared query vector */
	u32 query_cap;
};

struct vx_search_pool {
	struct vx_spinlock lock;
	struct vx_search_ctx *free;
	u32 nr_free;
};

void vx_search_pool_init(struct vx_search_pool *pool);
void vx_search_pool_destroy(struct vx_search_pool *pool);

/* A context from the pool, or a new one; NULL on allocation failure. */
struct vx_search_ctx *vx_search_ctx_get(struct vx_search_pool *pool);
void vx_search_ctx_put(struct vx_search_pool *pool, struct vx_search_ctx *ctx);

/*
 * Prepare for one search: room for a query of @dim floats and batches of
 * @batch slots, an empty visited set over slots [0, @nr_slots), empty heaps.
 */
int vx_search_ctx_begin(struct vx_search_ctx *ctx, u32 nr_slots, u32 dim,
			u32 batch);

/*
 * Mark @slot visited; true if it was not visited before. Slots created after
 * the search began (beyond the visited capacity) count as visited: a search
 * may miss points inserted while it runs, never read past its array.
 */
static inline bool vx_visit(struct vx_search_ctx *ctx, u32 slot)
{
	if (slot >= ctx->visited_cap || ctx->visited[slot] == ctx->tag)
		return false;
	ctx->visited[slot] = ctx->tag;
	return true;
}

/* Start a new visited set without touching the other scratch. */
void vx_search_ctx_new_visit(struct vx_search_ctx *ctx);

#endif /* VEXFS_CORE_SEARCH_CTX_H */
