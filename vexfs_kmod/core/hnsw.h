/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HNSW graph over the slots of a vector store (Malkov & Yashunin, with
 * hnswlib's memory layout and pgvector's delete repair).
 *
 * Layout: a node's level-0 links live in its vecstore record (the index
 * area, next to its vector), so one record holds what a level-0 step needs;
 * the few nodes above level 0 (1 in m) get one extra block for all their
 * upper levels. Every link list is [count, link, link, ...].
 *
 * Concurrency (see Documentation/core-engine.md):
 *  - one writer at a time (insert, vacuum), serialised by the owner;
 *  - any number of lock-free readers, concurrently with the writer. Link
 *    counts and links are written with release stores and read with acquire
 *    loads, so a reader that finds a slot in a list sees that slot's vector,
 *    head and links fully initialised. Lists are rewritten in place; a reader
 *    may see a mix of old and new links, all of them valid nodes;
 *  - slots are only recycled after a grace period (the owner's rwlock).
 *
 * Deletes: a deleted point stays in the graph as a tombstone, still walked
 * through but never returned, until vx_hnsw_vacuum() relinks its neighbours
 * around it (candidates from the two-hop neighbourhood, the selection
 * heuristic, a fresh search when too few remain) and hands it back for
 * release.
 */
#ifndef VEXFS_CORE_HNSW_H
#define VEXFS_CORE_HNSW_H

#include "shim.h"
#include "distance.h"
#include "rng.h"
#include "search_ctx.h"
#include "vecstore.h"

/* Qdrant's defaults. */
#define VX_HNSW_DEFAULT_M 16u
#define VX_HNSW_DEFAULT_EF_CONSTRUCT 100u
#define VX_HNSW_M_MAX 256u
#define VX_HNSW_EF_MAX 65536u
/* P(level >= l) = m^-l, so 2^32 points reach level 8 for m = 16. */
#define VX_HNSW_MAX_LEVEL 15u

#define VX_HNSW_NO_ENTRY (~0ull)

struct vx_hnsw_params {
	u32 m; /* links per node per level (2m at level 0) */
	u32 ef_construct; /* beam width while inserting */
	u64 seed; /* level draws */
};

/* The index area of a record. */
struct vx_hnsw_node {
	u32 level1; /* level + 1; 0 = not in the graph */
	u32 pad; /* keeps upper 8-byte aligned */
	u32 *upper; /* levels 1..level, (1 + m) u32 each */
	u32 list0[]; /* level 0: count, then up to 2m links */
};

struct vx_hnsw {
	struct vx_vecstore *vs;
	u32 m, m0, ef_construct;
	u64 level_threshold; /* a draw below it climbs one level */
	struct vx_rng rng;
	u64 entry; /* level << 32 | slot, or VX_HNSW_NO_ENTRY */
	u64 nr_nodes; /* in the graph, tombstones included */
	/* Writer scratch: insert and vacuum never run concurrently. */
	u32 *w_slots;
	u32 *w_keys;
	u64 *w_cands;
	u32 w_cands_cap;
};

/* Bytes the graph needs in each vecstore record (pass to vx_vecstore_init). */
u32 vx_hnsw_index_bytes(u32 m);

int vx_hnsw_init(struct vx_hnsw *g, struct vx_vecstore *vs,
		 const struct vx_hnsw_params *params);
void vx_hnsw_destroy(struct vx_hnsw *g);

/* Writer side. */

/* Link stored slot @slot into the graph. */
int vx_hnsw_insert(struct vx_hnsw *g, struct vx_search_ctx *ctx, u32 slot);

/*
 * Unlink every tombstone (graph node whose slot is deleted): each node that
 * points at one gets its list rebuilt. Returns the unlinked slots in a new
 * array (*@gone, *@nr_gone; free with vx_free) which the caller passes to
 * vx_hnsw_forget() and releases, after a grace period.
 */
int vx_hnsw_vacuum(struct vx_hnsw *g, struct vx_search_ctx *ctx, u32 **gone,
		   u32 *nr_gone);

/*
 * Give every live level-0 node that no live node links to an in-link (see
 * hnsw_vacuum.c); vx_hnsw_vacuum() ends with it. Returns how many it fixed
 * in *@nr_adopted.
 */
int vx_hnsw_connect_orphans(struct vx_hnsw *g, struct vx_search_ctx *ctx,
			    u32 *nr_adopted);

/* Drop what the graph still holds for an unlinked slot. After a grace period. */
void vx_hnsw_forget(struct vx_hnsw *g, u32 slot);

/* Reader side. */

/*
 * Approximate nearest neighbours of the computer's query: the @ef best live
 * (and accepted) nodes, sorted ascending, as packed candidates in
 * ctx->results.v[0..*nr). The caller has begun @ctx over the current slots.
 */
int vx_hnsw_search(const struct vx_hnsw *g, struct vx_search_ctx *ctx,
		   struct vx_dist_computer *dc, u32 ef,
		   const struct vx_point_filter *filter, u32 *nr);

/*
 * The same, giving up once the level-0 search has computed @max_dists
 * distances (0: no bound); *@gave_up then says so and the results so far
 * are in ctx->results. With a selective filter the beam fills slowly and
 * would walk most of the graph: an exact scan of the matches is cheaper.
 */
int vx_hnsw_search_bounded(const struct vx_hnsw *g, struct vx_search_ctx *ctx,
			   struct vx_dist_computer *dc, u32 ef,
			   const struct vx_point_filter *filter, u64 max_dists,
			   u32 *nr, bool *gave_up);

#endif /* VEXFS_CORE_HNSW_H */
