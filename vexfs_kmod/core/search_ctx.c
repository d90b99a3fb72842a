// SPDX-License-Identifier: GPL-2.0
#include "search_ctx.h"

/* Idle contexts kept per index; more than the CPUs that search at once is waste. */
#define POOL_KEEP_MAX 64u

void vx_search_pool_init(struct vx_search_pool *pool)
{
	vx_spin_init(&pool->lock);
	pool->free = NULL;
	pool->nr_free = 0;
}

static void ctx_free(struct vx_search_ctx *ctx)
{
	vx_free(ctx->visited);
	vx_heap_free(&ctx->cands);
	vx_heap_free(&ctx->results);
	vx_heap_free(&ctx->aux);
	vx_topk_free(&ctx->topk);
	vx_free(ctx->batch_slots);
	vx_free(ctx->batch_keys);
	vx_free(ctx->query);
	vx_free(ctx);
}

void vx_search_pool_destroy(struct vx_search_pool *pool)
{
	struct vx_search_ctx *ctx, *next;

	for (ctx = pool->free; ctx; ctx = next) {
		next = ctx->next;
		ctx_free(ctx);
	}
	pool->free = NULL;
	pool->nr_free = 0;
	vx_spin_destroy(&pool->lock);
}

struct vx_search_ctx *vx_search_ctx_get(struct vx_search_pool *pool)
{
	struct vx_search_ctx *ctx;

	vx_spin_lock(&pool->lock);
	ctx = pool->free;
	if (ctx) {
		pool->free = ctx->next;
		pool->nr_free--;
	}
	vx_spin_unlock(&pool->lock);
	if (!ctx)
		ctx = vx_zalloc(sizeof(*ctx));
	return ctx;
}

void vx_search_ctx_put(struct vx_search_pool *pool, struct vx_search_ctx *ctx)
{
	if (!ctx)
		return;
	vx_spin_lock(&pool->lock);
	if (pool->nr_free < POOL_KEEP_MAX) {
		ctx->next = pool->free;
		pool->free = ctx;
		pool->nr_free++;
		ctx = NULL;
	}
	vx_spin_unlock(&pool->lock);
	if (ctx)
		ctx_free(ctx);
}

static int ensure_visited(struct vx_search_ctx *ctx, u32 nr_slots)
{
	u32 cap;
	u16 *bigger;

	if (nr_slots <= ctx->visited_cap)
		return 0;
	/* Grow ahead of the index so a growing collection reallocates rarely. */
	cap = max(nr_slots, nr_slots + nr_slots / 4);
	bigger = vx_zalloc_array(cap, sizeof(u16));
	if (!bigger)
		return -ENOMEM;
	vx_free(ctx->visited);
	ctx->visited = bigger;
	ctx->visited_cap = cap;
	ctx->tag = 0;
	return 0;
}

void vx_search_ctx_new_visit(struct vx_search_ctx *ctx)
{
	if (++ctx->tag == 0) {
		memset(ctx->visited, 0, ctx->visited_cap * sizeof(u16));
		ctx->tag = 1;
	}
}

int vx_search_ctx_begin(struct vx_search_ctx *ctx, u32 nr_slots, u32 dim,
			u32 batch)
{
	int err;

	err = ensure_visited(ctx, nr_slots);
	if (err)
		return err;
	if (dim > ctx->query_cap) {
		vx_free(ctx->query);
		ctx->query = vx_alloc_array(dim, sizeof(float));
		ctx->query_cap = ctx->query ? dim : 0;
		if (!ctx->query)
			return -ENOMEM;
	}
	if (batch > ctx->batch_cap) {
		vx_free(ctx->batch_slots);
		vx_free(ctx->batch_keys);
		ctx->batch_slots = vx_alloc_array(batch, sizeof(u32));
		ctx->batch_keys = vx_alloc_array(batch, sizeof(u32));
		ctx->batch_cap = batch;
		if (!ctx->batch_slots || !ctx->batch_keys) {
			vx_free(ctx->batch_slots);
			vx_free(ctx->batch_keys);
			ctx->batch_slots = NULL;
			ctx->batch_keys = NULL;
			ctx->batch_cap = 0;
			return -ENOMEM;
		}
	}
	vx_search_ctx_new_visit(ctx);
	ctx->cands.n = 0;
	ctx->results.n = 0;
	ctx->aux.n = 0;
	return 0;
}
