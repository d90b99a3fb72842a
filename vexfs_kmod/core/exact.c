// SPDX-License-Identifier: GPL-2.0
#include "exact.h"

/* Slots scanned per block; with the largest vectors one block is 16 MiB. */
#define EXACT_BLOCK VX_DIST_BATCH

static u32 keep_accepted(const struct vx_vecstore *vs,
			 const struct vx_point_filter *filter, const u32 *in,
			 u32 n, u32 *out)
{
	u32 i, kept = 0;

	for (i = 0; i < n; i++)
		if (filter->accept(filter->arg, vx_vecstore_id(vs, in[i])))
			out[kept++] = in[i];
	return kept;
}

/* @slots are live already; score them and push the ones that make the cut. */
static int score_and_push(const struct vx_vecstore *vs,
			  const struct vx_exact_query *q, const u32 *slots,
			  u32 n, u32 *keys)
{
	u32 i;
	int err;

	q->dc->ops->to_query(q->dc, slots, n, keys);
	for (i = 0; i < n; i++) {
		struct vx_hit hit;

		if (!vx_topk_wants(q->topk, keys[i]))
			continue;
		hit.id = vx_vecstore_id(vs, slots[i]);
		hit.key = keys[i];
		hit.slot = slots[i];
		err = vx_topk_push(q->topk, &hit);
		if (err)
			return err;
	}
	return 0;
}

int vx_exact_offer(const struct vx_vecstore *vs, const struct vx_exact_query *q,
		   const u32 *slots, u32 n, u32 *scratch_slots, u32 *keys)
{
	u32 i, live = 0;

	for (i = 0; i < n; i++)
		if (vx_vecstore_live(vs, slots[i]))
			scratch_slots[live++] = slots[i];
	if (q->filter)
		live = keep_accepted(vs, q->filter, scratch_slots, live,
				     scratch_slots);
	if (!live)
		return 0;
	return score_and_push(vs, q, scratch_slots, live, keys);
}

int vx_exact_search(const struct vx_vecstore *vs,
		    const struct vx_exact_query *queries, u32 nr)
{
	u32 live_slots[EXACT_BLOCK], accepted[EXACT_BLOCK], keys[EXACT_BLOCK];
	u32 nr_slots = vx_vecstore_nr_slots(vs);
	u32 base, i, live, qi;
	int err;

	for (base = 0; base < nr_slots; base += EXACT_BLOCK) {
		u32 end = min(nr_slots - base, EXACT_BLOCK) + base;

		for (i = base, live = 0; i < end; i++)
			if (vx_vecstore_live(vs, i))
				live_slots[live++] = i;
		for (qi = 0; qi < nr && live; qi++) {
			const struct vx_exact_query *q = &queries[qi];
			const u32 *slots = live_slots;
			u32 n = live;

			if (q->filter) {
				n = keep_accepted(vs, q->filter, live_slots,
						  live, accepted);
				slots = accepted;
			}
			if (!n)
				continue;
			err = score_and_push(vs, q, slots, n, keys);
			if (err)
				return err;
		}
		if ((base / EXACT_BLOCK & 63) == 63)
			vx_cond_resched();
	}
	return 0;
}
