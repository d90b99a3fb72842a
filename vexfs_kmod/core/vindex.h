/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One vector space of a collection (the collection's vector, or one of its
 * named vectors): storage, HNSW graph, the not-yet-indexed tail, and the
 * planner that picks graph or exact search.
 *
 * Ingest does not wait for the graph: vx_vindex_upsert() stores the vector
 * and queues its slot; searches scan that queue exactly, so the point is
 * found at once; vx_vindex_index_pending(), called by a background worker,
 * moves queued points into the graph, repairs the graph after deletes and
 * recycles dead slots.
 *
 * Locks (all per vector space; order: graph_lock, points_lock, grace):
 *   points_lock  rwlock: writers are upsert/delete, readers are get/count
 *   graph_lock   mutex: the single graph writer (index_pending, vacuum)
 *   grace        rwlock held shared by every search; the graph writer takes
 *                it exclusively (and drops it at once) to wait until no
 *                search can still hold a slot it is about to recycle
 * Searches take nothing else and never wait for writers, except for that
 * instant of exclusivity.
 */
#ifndef VEXFS_CORE_VINDEX_H
#define VEXFS_CORE_VINDEX_H

#include "shim.h"
#include "distance.h"
#include "exact.h"
#include "hnsw.h"
#include "search_ctx.h"
#include "vecstore.h"

/* Qdrant's default: below 10 MB of vectors, exact search beats the graph. */
#define VX_FULL_SCAN_THRESHOLD_KB_DEFAULT 10000u
#define VX_VACUUM_PERCENT_DEFAULT 10u
#define VX_SEARCH_LIMIT_MAX 1048576u

struct vx_vindex_params {
	u32 dim; /* 1..VX_DIM_MAX */
	u32 metric; /* enum vx_metric */
	u32 m; /* 0: no graph, always exact */
	u32 ef_construct;
	u32 full_scan_threshold_kb; /* exact below this much vector data */
	u32 vacuum_percent; /* repair when this share of nodes is deleted */
	u64 seed; /* level draws (tests want it fixed) */
};

/* Qdrant's defaults for a @dim-dimensional space under @metric. */
void vx_vindex_params_default(struct vx_vindex_params *p, u32 dim,
			      enum vx_metric metric);

#define VX_SEARCH_EXACT 0x1u /* Qdrant's params.exact */

struct vx_search_request {
	const float *query; /* dim floats */
	u32 limit; /* k */
	u32 ef; /* beam width; 0 = ef_construct */
	u32 flags; /* VX_SEARCH_* */
	/*
	 * NULL: every point. Otherwise only accepted points are returned, and
	 * min(limit, matches) of them: a graph search that the filter starves
	 * (beam short of the limit, or too many distances spent) is replaced by
	 * an exact scan of the matches. filter->accept runs outside any FPU
	 * section (see search_ctx.h), once per graph node reached or, in the
	 * exact path, once per live point.
	 */
	const struct vx_point_filter *filter;
};

/* FIFO of slots stored but not yet in the graph; replaced when it grows. */
struct vx_pending_ring {
	u64 mask;
	struct vx_pending_ring *older;
	u32 slots[];
};

struct vx_vindex {
	struct vx_vindex_params params;
	struct vx_vecstore vs;
	struct vx_hnsw graph; /* unused if params.m == 0 */
	struct vx_search_pool pool;
	struct vx_rwlock points_lock;
	struct vx_mutex graph_lock;
	struct vx_rwlock grace;
	struct vx_pending_ring *pending; /* release/acquire */
	u64 pending_head; /* next to index; written by graph writer */
	u64 pending_tail; /* next free; written under points_lock */
	vx_atomic64_t deleted; /* deletes since the last vacuum */
	u32 *retired; /* deleted slots to recycle (points_lock) */
	u32 nr_retired, retired_cap;
	u64 full_scan_points; /* exact search below this many live points */
	u64 linked_since_orphans; /* graph writer: inserts since the last orphan pass */
};

int vx_vindex_create(const struct vx_vindex_params *params,
		     struct vx_vindex **out);
void vx_vindex_destroy(struct vx_vindex *vi);

/* Store (or replace) the vector of @id. Searchable on return. */
int vx_vindex_upsert(struct vx_vindex *vi, u64 id, const float *vec);

/* Remove @id; -ENOENT if absent. Never returned by a search that starts later. */
int vx_vindex_delete(struct vx_vindex *vi, u64 id);

/* Copy @id's stored vector (normalised for Cosine) to @out. */
int vx_vindex_get(struct vx_vindex *vi, u64 id, float *out);

u64 vx_vindex_count(const struct vx_vindex *vi);
u64 vx_vindex_nr_pending(const struct vx_vindex *vi);

/*
 * Background work: link up to @budget queued points into the graph, repair
 * the graph if enough points were deleted, recycle dead slots. Returns how
 * many points were linked, or -errno. Callers loop while it returns > 0
 * and the queue is not empty.
 */
int vx_vindex_index_pending(struct vx_vindex *vi, u32 budget);

/* Repair the graph and recycle dead slots now, whatever the delete count. */
int vx_vindex_vacuum(struct vx_vindex *vi);

/*
 * Search: up to req->limit points, best first, in @out (room for limit).
 * Below the full-scan threshold, with VX_SEARCH_EXACT, or when the limit
 * covers the whole space the search is exact; otherwise the graph with beam
 * width max(ef, limit), merged with an exact scan of the queued tail.
 */
int vx_vindex_search(struct vx_vindex *vi, const struct vx_search_request *req,
		     struct vx_scored_point *out, u32 *nr_out);

/* @nr requests at once; out[i] and nr_out[i] as for vx_vindex_search(). */
int vx_vindex_search_batch(struct vx_vindex *vi,
			   const struct vx_search_request *reqs, u32 nr,
			   struct vx_scored_point *const *out, u32 *nr_out);

#endif /* VEXFS_CORE_VINDEX_H */
