/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The k best hits of a search in Qdrant's order: by distance, ties broken by
 * point id, so exact and graph search agree on equal scores.
 */
#ifndef VEXFS_CORE_TOPK_H
#define VEXFS_CORE_TOPK_H

#include "shim.h"

struct vx_hit {
	u64 id;
	u32 key;
	u32 slot;
};

static inline bool vx_hit_before(const struct vx_hit *a, const struct vx_hit *b)
{
	return a->key != b->key ? a->key < b->key : a->id < b->id;
}

/* A max-heap of at most k hits (worst on top) that grows as hits arrive. */
struct vx_topk {
	struct vx_hit *v;
	u32 n, k, cap;
};

void vx_topk_free(struct vx_topk *t);

/* Start collecting the @k best. */
static inline void vx_topk_reset(struct vx_topk *t, u32 k)
{
	t->n = 0;
	t->k = k;
}

/* Would a hit at @key possibly get in? (Cheap pre-check before reading ids.) */
static inline bool vx_topk_wants(const struct vx_topk *t, u32 key)
{
	return t->n < t->k || key <= t->v[0].key;
}

int vx_topk_push(struct vx_topk *t, const struct vx_hit *hit);

/*
 * Sort the hits best-first and drop repeated ids (a point being updated can
 * be seen in its old and new slot for an instant); returns the count.
 */
u32 vx_topk_finish(struct vx_topk *t);

#endif /* VEXFS_CORE_TOPK_H */
