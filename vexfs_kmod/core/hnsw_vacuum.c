// SPDX-License-Identifier: GPL-2.0
/*
 * Delete repair (pgvector's vacuum, in memory): find the tombstones, give
 * every live node that links to one a new list, and return the tombstones
 * so the owner can release their slots after a grace period.
 *
 * A node that loses a neighbour takes as candidates its surviving neighbours
 * and the neighbours of the ones it lost (the two-hop neighbourhood, so the
 * nodes that were reachable only through a deleted node stay reachable),
 * then runs the same selection heuristic as insertion. If that leaves fewer
 * candidates than a full list, a layer search from the entry point tops them
 * up.
 *
 * The heuristic prunes for diversity, so a node can end up with links out
 * but none in, and then no search reaches it: after deletes, and even after
 * plain inserts for Dot, where small vectors are nobody's nearest (4% of a
 * clustered 2000-point Dot graph). vx_hnsw_connect_orphans() finds level-0
 * nodes nothing live links to and gives each an in-link from its nearest
 * neighbour, displacing that neighbour's farthest link that has another way
 * in.
 */
#include "hnsw_internal.h"

static bool slot_live(const struct vx_hnsw *g, u32 slot)
{
	return vx_read_once(vx_vecstore_head(g->vs, slot)->state) ==
	       VX_SLOT_LIVE;
}

/* A new entry point: the highest node that survives, preferring live ones. */
static void move_entry(struct vx_hnsw *g, const u8 *doomed, u32 nr_slots)
{
	u64 best = VX_HNSW_NO_ENTRY;
	bool best_live = false;
	u32 slot;

	for (slot = 0; slot < nr_slots; slot++) {
		struct vx_hnsw_node *node = hnsw_node(g, slot);
		bool live;

		if (doomed[slot] || !hnsw_in_graph(g, slot))
			continue;
		live = slot_live(g, slot);
		if (best == VX_HNSW_NO_ENTRY || (live && !best_live) ||
		    (live == best_live &&
		     node->level1 - 1 > hnsw_entry_level(best))) {
			best = hnsw_entry_pack(node->level1 - 1, slot);
			best_live = live;
		}
	}
	vx_store_release(&g->entry, best);
}

static int add_cand(struct vx_search_ctx *ctx, u32 slot)
{
	struct vx_heap *c = &ctx->aux; /* used as a plain array here */
	int err = vx_heap_reserve(c, c->n + 1);

	if (err)
		return err;
	c->v[c->n++] = slot;
	return 0;
}

/* Top up @ctx->aux with what a layer search for @slot finds. */
static int search_more(struct vx_hnsw *g, struct vx_dist_computer *dc,
		       struct vx_search_ctx *ctx, u32 slot, u32 level)
{
	struct hnsw_layer_search ls = {
		.g = g,
		.dc = dc,
		.ctx = ctx,
		.level = level,
		.ef = g->ef_construct,
		.exclude = slot,
		.filter = NULL,
	};
	u64 entry = g->entry, cur;
	u32 entry_slot, key, i;
	int err;

	if (entry == VX_HNSW_NO_ENTRY || hnsw_entry_level(entry) < level)
		return 0;
	dc->ops->query_from_slot(dc, slot);
	entry_slot = hnsw_entry_slot(entry);
	dc->ops->to_query(dc, &entry_slot, 1, &key);
	cur = hnsw_greedy(g, dc, ctx, vx_cand(key, entry_slot),
			  hnsw_entry_level(entry), level + 1);
	err = hnsw_search_layer(&ls, cur);
	if (err)
		return err;
	/* The layer search reset the visited set: mark what we hold again. */
	vx_search_ctx_new_visit(ctx);
	vx_visit(ctx, slot);
	for (i = 0; i < ctx->aux.n; i++)
		vx_visit(ctx, (u32)ctx->aux.v[i]);
	for (i = 0; i < ctx->results.n; i++) {
		u32 s = vx_cand_slot(ctx->results.v[i]);

		if (vx_visit(ctx, s)) {
			err = add_cand(ctx, s);
			if (err)
				return err;
		}
	}
	return 0;
}

static int relink(struct vx_hnsw *g, struct vx_dist_computer *dc,
		  struct vx_search_ctx *ctx, const u8 *doomed, u32 slot,
		  u32 level)
{
	u32 *list = hnsw_list(g, slot, level);
	u32 nr = list[0], cap = hnsw_level_cap(g, level);
	u32 *slots = ctx->batch_slots, *keys = ctx->batch_keys;
	u64 *cands;
	u32 i, j, n, step;
	int err;

	vx_search_ctx_new_visit(ctx);
	vx_visit(ctx, slot);
	ctx->aux.n = 0;
	for (i = 0; i < nr; i++) {
		u32 y = list[1 + i];

		if (!doomed[y]) {
			if (slot_live(g, y) && vx_visit(ctx, y)) {
				err = add_cand(ctx, y);
				if (err)
					return err;
			}
			continue;
		}
		{
			const u32 *ylist = hnsw_list(g, y, level);
			u32 ynr = ylist[0];

			for (j = 0; j < ynr; j++) {
				u32 z = ylist[1 + j];

				if (doomed[z] || !slot_live(g, z) ||
				    !vx_visit(ctx, z))
					continue;
				err = add_cand(ctx, z);
				if (err)
					return err;
			}
		}
	}
	if (ctx->aux.n < cap) {
		err = search_more(g, dc, ctx, slot, level);
		if (err)
			return err;
	}

	/* Keys from @slot to every candidate, then nearest first. */
	cands = ctx->aux.v;
	n = ctx->aux.n;
	for (i = 0; i < n; i += step) {
		step = min(n - i, ctx->batch_cap);
		for (j = 0; j < step; j++)
			slots[j] = (u32)cands[i + j];
		dc->ops->between(dc, slot, slots, step, keys);
		for (j = 0; j < step; j++)
			cands[i + j] = vx_cand(keys[j], slots[j]);
	}
	hnsw_sort_cands(cands, n);
	n = min(n, g->ef_construct);
	n = hnsw_select_neighbours(g, dc, cands, n, cap, g->w_slots);
	hnsw_list_store(list, g->w_slots, n);
	return 0;
}

/* A tombstone deleted after the scan only needs its doomed links cut. */
static void cut_doomed(struct vx_hnsw *g, const u8 *doomed, u32 *list)
{
	u32 nr = list[0], i, kept = 0;

	for (i = 0; i < nr; i++)
		if (!doomed[list[1 + i]])
			g->w_slots[kept++] = list[1 + i];
	hnsw_list_store(list, g->w_slots, kept);
}

static bool links_doomed(const u8 *doomed, const u32 *list)
{
	u32 i;

	for (i = 0; i < list[0]; i++)
		if (doomed[list[1 + i]])
			return true;
	return false;
}

/*
 * Make @orphan one of @host's level-0 links: append if there is room, else
 * replace the farthest link that is farther than @orphan and still has
 * another in-link.
 */
static bool adopt(struct vx_hnsw *g, struct vx_dist_computer *dc,
		  struct vx_search_ctx *ctx, u32 *indegree, u32 host,
		  u32 orphan, u32 key)
{
	u32 *list = hnsw_list(g, host, 0);
	u32 nr = list[0], i, worst = nr, worst_key = key;
	u32 *keys = ctx->batch_keys;

	if (nr < g->m0) {
		vx_store_release(&list[1 + nr], orphan);
		vx_store_release(&list[0], nr + 1);
		indegree[orphan]++;
		return true;
	}
	dc->ops->between(dc, host, list + 1, nr, keys);
	for (i = 0; i < nr; i++) {
		if (indegree[list[1 + i]] >= 2 && keys[i] > worst_key) {
			worst = i;
			worst_key = keys[i];
		}
	}
	if (worst == nr)
		return false;
	indegree[list[1 + worst]]--;
	vx_store_release(&list[1 + worst], orphan);
	indegree[orphan]++;
	return true;
}

/* How many hosts to try, nearest first, before giving up on an orphan. */
#define ADOPT_TRIES 8u

int vx_hnsw_connect_orphans(struct vx_hnsw *g, struct vx_search_ctx *ctx,
			    u32 *nr_adopted)
{
	u32 nr_slots = vx_vecstore_nr_slots(g->vs);
	struct vx_dist_computer dc;
	u32 slot, i, *indegree, entry_slot;
	int err = 0;

	*nr_adopted = 0;
	if (g->entry == VX_HNSW_NO_ENTRY)
		return 0;
	indegree = vx_zalloc_array(nr_slots, sizeof(u32));
	if (!indegree)
		return -ENOMEM;
	for (slot = 0; slot < nr_slots; slot++) {
		const u32 *list = hnsw_list(g, slot, 0);

		if (!slot_live(g, slot) || !hnsw_in_graph(g, slot))
			continue;
		for (i = 0; i < list[0]; i++)
			indegree[list[1 + i]]++;
	}

	vx_vecstore_dc_init(&dc, g->vs, NULL);
	entry_slot = hnsw_entry_slot(g->entry);
	for (slot = 0; slot < nr_slots; slot++) {
		u32 tries;

		if (indegree[slot] || slot == entry_slot ||
		    !slot_live(g, slot) || !hnsw_in_graph(g, slot))
			continue;
		ctx->aux.n = 0;
		err = search_more(g, &dc, ctx, slot, 0);
		if (err)
			break;
		/* search_more left the hits in ctx->results, a max-heap. */
		tries = vx_maxheap_drain_sorted(&ctx->results, ctx->results.v);
		tries = min(tries, ADOPT_TRIES);
		for (i = 0; i < tries; i++) {
			u64 host = ctx->results.v[i];

			if (adopt(g, &dc, ctx, indegree, vx_cand_slot(host),
				  slot, vx_cand_key(host))) {
				(*nr_adopted)++;
				break;
			}
		}
		vx_cond_resched();
	}
	vx_free(indegree);
	return err;
}

int vx_hnsw_vacuum(struct vx_hnsw *g, struct vx_search_ctx *ctx, u32 **gone,
		   u32 *nr_gone)
{
	u32 nr_slots = vx_vecstore_nr_slots(g->vs);
	struct vx_dist_computer dc;
	u32 slot, level, nr_doomed = 0, nr_adopted, *out;
	u8 *doomed;
	int err = 0;

	*gone = NULL;
	*nr_gone = 0;
	doomed = vx_zalloc(nr_slots);
	if (!doomed)
		return -ENOMEM;
	for (slot = 0; slot < nr_slots; slot++) {
		if (vx_load_acquire(&vx_vecstore_head(g->vs, slot)->state) ==
			    VX_SLOT_DELETED &&
		    hnsw_node(g, slot)->level1) {
			doomed[slot] = 1;
			nr_doomed++;
		}
	}
	if (!nr_doomed)
		goto out;
	out = vx_alloc_array(nr_doomed, sizeof(u32));
	if (!out) {
		err = -ENOMEM;
		goto out;
	}

	if (doomed[hnsw_entry_slot(g->entry)])
		move_entry(g, doomed, nr_slots);

	vx_vecstore_dc_init(&dc, g->vs, NULL);
	for (slot = 0; slot < nr_slots; slot++) {
		struct vx_hnsw_node *node = hnsw_node(g, slot);

		if (doomed[slot] || !hnsw_in_graph(g, slot))
			continue;
		for (level = 0; level < node->level1; level++) {
			u32 *list = hnsw_list(g, slot, level);

			if (!links_doomed(doomed, list))
				continue;
			if (!slot_live(g, slot)) {
				cut_doomed(g, doomed, list);
				continue;
			}
			err = relink(g, &dc, ctx, doomed, slot, level);
			if (err) {
				/* Never hand back a slot something still links to. */
				cut_doomed(g, doomed, list);
			}
		}
		if ((slot & 255) == 255)
			vx_cond_resched();
	}

	for (slot = 0; slot < nr_slots; slot++)
		if (doomed[slot])
			out[(*nr_gone)++] = slot;
	g->nr_nodes -= nr_doomed;
	*gone = out;
	/* Best effort: the doomed slots are unlinked whatever happens here. */
	vx_hnsw_connect_orphans(g, ctx, &nr_adopted);
out:
	vx_free(doomed);
	return err;
}
