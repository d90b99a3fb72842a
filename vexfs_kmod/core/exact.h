/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exact (brute-force) nearest neighbours over a vector store: below the
 * full-scan threshold, when a request asks for it, and for the points that
 * are stored but not yet in the graph. Results follow the same order as
 * graph search (distance, then id).
 */
#ifndef VEXFS_CORE_EXACT_H
#define VEXFS_CORE_EXACT_H

#include "shim.h"
#include "distance.h"
#include "search_ctx.h"
#include "topk.h"
#include "vecstore.h"

struct vx_exact_query {
	struct vx_dist_computer *dc;
	const struct vx_point_filter *filter; /* may be NULL */
	struct vx_topk *topk; /* receives the hits */
};

/*
 * Score @n slots for one query and offer the live, accepted ones to its
 * top-k. @slots and @keys are scratch of VX_DIST_BATCH entries.
 */
int vx_exact_offer(const struct vx_vecstore *vs, const struct vx_exact_query *q,
		   const u32 *slots, u32 n, u32 *scratch_slots, u32 *keys);

/*
 * Every live slot against @nr queries. The store is walked once, a block of
 * slots at a time, and each block is scored for all queries while it is in
 * cache, so a batch costs much less than its queries one by one.
 */
int vx_exact_search(const struct vx_vecstore *vs,
		    const struct vx_exact_query *queries, u32 nr);

#endif /* VEXFS_CORE_EXACT_H */
