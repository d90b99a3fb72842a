// SPDX-License-Identifier: GPL-2.0
/*
 * A per-thread cache of small blocks for jansson (see json_alloc.h).
 *
 * A search request makes and frees a few hundred small jansson values
 * (a 128-d vector alone is 128 reals). Through glibc each one costs a
 * malloc and a free, and the freed chunks make the next large malloc (a
 * socket buffer) consolidate them again. Here a block of up to 256 bytes
 * goes back to a free list of its size class on this thread, and the next
 * value of that size reuses it. Each block carries its class in a header,
 * so a block freed on another thread simply joins that thread's lists.
 * The lists are capped; beyond that, and for big blocks, it is malloc.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "json_alloc.h"

#define CLASS_SIZE 16
#define NCLASSES 16 /* blocks of 16, 32, ... 256 bytes */
#define CACHED_MAX 1024 /* per class and thread: 4.5 MB at most */
#define BIG UINT32_MAX

/* Keeps the payload at malloc's 16-byte alignment. */
struct block {
	union {
		struct block *next; /* on a free list */
		uint32_t cls; /* in use */
	};
	uint64_t pad;
};

struct cache {
	struct block *head[NCLASSES];
	unsigned int n[NCLASSES];
	bool registered;
};

static _Thread_local struct cache cache;
static pthread_key_t cache_key;

static void drain(struct cache *c)
{
	unsigned int i;

	for (i = 0; i < NCLASSES; i++) {
		while (c->head[i]) {
			struct block *b = c->head[i];

			c->head[i] = b->next;
			free(b);
		}
		c->n[i] = 0;
	}
}

static void cache_destroy(void *c)
{
	drain(c);
}

void gw_json_alloc_drain(void)
{
	drain(&cache);
}

void *gw_json_malloc(size_t size)
{
	uint32_t cls = size ? (uint32_t)((size - 1) / CLASS_SIZE) : 0;
	struct block *b;

	if (size > NCLASSES * CLASS_SIZE) {
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->cls = BIG;
		return b + 1;
	}
	b = cache.head[cls];
	if (b) {
		cache.head[cls] = b->next;
		cache.n[cls]--;
	} else {
		/* The thread's first block: free its lists when it exits. */
		if (!cache.registered)
			cache.registered =
				!pthread_setspecific(cache_key, &cache);
		b = malloc(sizeof(*b) + (cls + 1) * CLASS_SIZE);
		if (!b)
			return NULL;
	}
	b->cls = cls;
	return b + 1;
}

void gw_json_free(void *p)
{
	struct block *b;
	uint32_t cls;

	if (!p)
		return;
	b = (struct block *)p - 1;
	cls = b->cls;
	if (cls == BIG || cache.n[cls] >= CACHED_MAX || !cache.registered) {
		free(b);
		return;
	}
	b->next = cache.head[cls];
	cache.head[cls] = b;
	cache.n[cls]++;
}

void gw_json_alloc_init(void)
{
	if (!pthread_key_create(&cache_key, cache_destroy))
		json_set_alloc_funcs(gw_json_malloc, gw_json_free);
}
