/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Binary heaps of packed candidates for graph and exact search.
 *
 * A candidate is (distance key << 32 | slot): one u64 compare orders by
 * distance and breaks ties by slot, so heaps are integer-only and every run
 * visits equal-distance nodes in the same order.
 */
#ifndef VEXFS_CORE_HEAP_H
#define VEXFS_CORE_HEAP_H

#include "shim.h"

static inline u64 vx_cand(u32 key, u32 slot)
{
	return (u64)key << 32 | slot;
}

static inline u32 vx_cand_key(u64 c)
{
	return (u32)(c >> 32);
}

static inline u32 vx_cand_slot(u64 c)
{
	return (u32)c;
}

struct vx_heap {
	u64 *v;
	u32 n, cap;
};

static inline void vx_heap_free(struct vx_heap *h)
{
	vx_free(h->v);
	h->v = NULL;
	h->n = 0;
	h->cap = 0;
}

/* Room for @need elements; existing contents are kept. */
static inline int vx_heap_reserve(struct vx_heap *h, u32 need)
{
	u64 *bigger;
	u32 cap;

	if (need <= h->cap)
		return 0;
	cap = max(need, h->cap ? h->cap * 2 : 64u);
	bigger = vx_alloc_array(cap, sizeof(u64));
	if (!bigger)
		return -ENOMEM;
	if (h->n)
		memcpy(bigger, h->v, h->n * sizeof(u64));
	vx_free(h->v);
	h->v = bigger;
	h->cap = cap;
	return 0;
}

/*
 * Sift helpers. @max selects a max-heap (root = largest) or a min-heap;
 * callers pass a constant so each use compiles to one specialised loop.
 */
static __always_inline bool heap_above(u64 a, u64 b, bool max)
{
	return max ? a > b : a < b;
}

static __always_inline void heap_sift_up(u64 *v, u32 i, bool max)
{
	u64 x = v[i];

	while (i) {
		u32 parent = (i - 1) / 2;

		if (!heap_above(x, v[parent], max))
			break;
		v[i] = v[parent];
		i = parent;
	}
	v[i] = x;
}

static __always_inline void heap_sift_down(u64 *v, u32 n, u32 i, bool max)
{
	u64 x = v[i];

	for (;;) {
		u32 child = 2 * i + 1;

		if (child >= n)
			break;
		if (child + 1 < n && heap_above(v[child + 1], v[child], max))
			child++;
		if (!heap_above(v[child], x, max))
			break;
		v[i] = v[child];
		i = child;
	}
	v[i] = x;
}

static __always_inline int heap_push(struct vx_heap *h, u64 x, bool max)
{
	if (unlikely(h->n == h->cap) && vx_heap_reserve(h, h->n + 1))
		return -ENOMEM;
	h->v[h->n] = x;
	heap_sift_up(h->v, h->n++, max);
	return 0;
}

static __always_inline u64 heap_pop(struct vx_heap *h, bool max)
{
	u64 top = h->v[0];

	h->v[0] = h->v[--h->n];
	if (h->n)
		heap_sift_down(h->v, h->n, 0, max);
	return top;
}

/* Replace the root (cheaper than pop + push when the heap is full). */
static __always_inline void heap_replace_top(struct vx_heap *h, u64 x, bool max)
{
	h->v[0] = x;
	heap_sift_down(h->v, h->n, 0, max);
}

static inline int vx_minheap_push(struct vx_heap *h, u64 x)
{
	return heap_push(h, x, false);
}

static inline u64 vx_minheap_pop(struct vx_heap *h)
{
	return heap_pop(h, false);
}

static inline int vx_maxheap_push(struct vx_heap *h, u64 x)
{
	return heap_push(h, x, true);
}

static inline u64 vx_maxheap_pop(struct vx_heap *h)
{
	return heap_pop(h, true);
}

static inline void vx_maxheap_replace_top(struct vx_heap *h, u64 x)
{
	heap_replace_top(h, x, true);
}

/*
 * Empty a max-heap into @out in ascending order (out[0] = smallest).
 * @out may be h->v itself.
 */
static inline u32 vx_maxheap_drain_sorted(struct vx_heap *h, u64 *out)
{
	u32 n = h->n, i;

	for (i = n; i > 0; i--)
		out[i - 1] = vx_maxheap_pop(h);
	return n;
}

#endif /* VEXFS_CORE_HEAP_H */
