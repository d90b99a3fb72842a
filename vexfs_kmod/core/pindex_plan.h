/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filtered-search planner: which points a filter can match, from the
 * payload indexes (pindex.h), and how to search them.
 *
 * vx_filter_required() lists conditions every match satisfies. Each one on a
 * key with an index of a fitting type becomes value-key ranges of that index
 * (plus its "others"); its size is estimated from the ranges' pair counts,
 * without reading them. The smallest estimate wins; if it is at most @max
 * the candidates are read out (sorted point keys), and intersected with
 * those of the other indexed conditions that are not much larger.
 *
 * Conditions and the index types that answer them:
 *   MATCH_BOOL                      bool
 *   MATCH_INT, MATCH_ANY_INT        integer, float
 *   MATCH_STR, MATCH_ANY_STR        keyword, uuid
 *   MATCH_TEXT                      text: the whole tokens of the query
 *                                   (those with a non-alphanumeric on both
 *                                   sides in it) must all be in the value
 *   RANGE                           integer, float
 *   RANGE_DT                        datetime
 *   GEO_BOX                         geo (not across the antimeridian)
 *   HAS_ID                          (no index: the ids themselves)
 * "except" matches, radius, polygon, counts, emptiness and nulls are not
 * planned; a filter with none of the above is checked on every point.
 *
 * Search (vx_collection_search_planned): with candidates of at most the
 * collection's full-scan threshold (full_scan_threshold KiB of vectors, as
 * points: Qdrant's rule) or an eighth of its points (what a filtered graph
 * search may spend in distances before it gives up and scans), or with an
 * exact request, or without a graph, the candidates are scored exactly;
 * otherwise the graph is walked with the filter as its accept predicate.
 * The filter is checked on every candidate either way.
 */
#ifndef VEXFS_CORE_PINDEX_PLAN_H
#define VEXFS_CORE_PINDEX_PLAN_H

#include "db.h"
#include "filter.h"

struct vx_pindex_plan {
	bool have; /* keys[] hold a superset of the matching points */
	u64 estimate; /* upper bound of the candidates; ~0: no usable index */
	u64 *keys; /* sorted, distinct point keys (vx_alloc) */
	u64 n;
};

/*
 * Plan @f over @c (read-locked). 0 (have or not), or -ENOMEM. Free with
 * vx_pindex_plan_free(). @max: do not read out more candidates than this.
 */
int vx_collection_plan(struct vx_collection *c, const struct vx_filter *f,
		       u64 max, struct vx_pindex_plan *plan);
void vx_pindex_plan_free(struct vx_pindex_plan *plan);

/* Candidates at or below this many are searched exactly (see above). */
u64 vx_collection_plan_threshold(struct vx_collection *c);

/*
 * Exact search over the points @keys[0 .. n) of @vi (those that still have
 * a vector), each also checked by req->filter. As vx_vindex_search().
 */
int vx_vindex_search_keys(struct vx_vindex *vi,
			  const struct vx_search_request *req, const u64 *keys,
			  u64 n, struct vx_scored_point *out, u32 *nr_out);

/*
 * One filtered query of @c (read-locked): plan @f, then search the
 * candidates exactly or the graph, with req->filter (the caller's accept
 * predicate: @f on the point) on every candidate.
 */
int vx_collection_search_planned(struct vx_collection *c,
				 const struct vx_filter *f,
				 const struct vx_search_request *req,
				 struct vx_scored_point *out, u32 *nr_out);

#endif /* VEXFS_CORE_PINDEX_PLAN_H */
