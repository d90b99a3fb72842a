// SPDX-License-Identifier: GPL-2.0
#include "topk.h"

void vx_topk_free(struct vx_topk *t)
{
	vx_free(t->v);
	memset(t, 0, sizeof(*t));
}

static int topk_grow(struct vx_topk *t)
{
	u32 cap = t->cap ? min(t->cap * 2, t->k) : min(t->k, 64u);
	struct vx_hit *bigger = vx_alloc_array(cap, sizeof(*bigger));

	if (!bigger)
		return -ENOMEM;
	if (t->n)
		memcpy(bigger, t->v, t->n * sizeof(*bigger));
	vx_free(t->v);
	t->v = bigger;
	t->cap = cap;
	return 0;
}

static void sift_down(struct vx_hit *v, u32 n, u32 i)
{
	struct vx_hit x = v[i];

	for (;;) {
		u32 child = 2 * i + 1;

		if (child >= n)
			break;
		if (child + 1 < n && vx_hit_before(&v[child], &v[child + 1]))
			child++;
		if (!vx_hit_before(&x, &v[child]))
			break;
		v[i] = v[child];
		i = child;
	}
	v[i] = x;
}

int vx_topk_push(struct vx_topk *t, const struct vx_hit *hit)
{
	u32 i;

	if (!t->k)
		return 0;
	if (t->n == t->k) {
		if (vx_hit_before(hit, &t->v[0])) {
			t->v[0] = *hit;
			sift_down(t->v, t->n, 0);
		}
		return 0;
	}
	if (t->n == t->cap && topk_grow(t))
		return -ENOMEM;
	i = t->n++;
	while (i) {
		u32 parent = (i - 1) / 2;

		if (!vx_hit_before(&t->v[parent], hit))
			break;
		t->v[i] = t->v[parent];
		i = parent;
	}
	t->v[i] = *hit;
	return 0;
}

static int cmp_hit(const void *a, const void *b)
{
	const struct vx_hit *x = a, *y = b;

	if (vx_hit_before(x, y))
		return -1;
	return vx_hit_before(y, x);
}

/* Order for finding repeated ids: by id, then best first. */
static int cmp_hit_id(const void *a, const void *b)
{
	const struct vx_hit *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return cmp_hit(a, b);
}

u32 vx_topk_finish(struct vx_topk *t)
{
	u32 i, kept;
	bool repeats = false;

	if (!t->n)
		return 0;
	/* Sorting by id puts repeats next to each other, best one first. */
	vx_sort(t->v, t->n, sizeof(*t->v), cmp_hit_id);
	for (i = 1; i < t->n; i++)
		if (t->v[i].id == t->v[i - 1].id)
			repeats = true;
	if (repeats) {
		for (i = 1, kept = 1; i < t->n; i++)
			if (t->v[i].id != t->v[kept - 1].id)
				t->v[kept++] = t->v[i];
		t->n = kept;
	}
	vx_sort(t->v, t->n, sizeof(*t->v), cmp_hit);
	return t->n;
}
