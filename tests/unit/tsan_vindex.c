// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency stress under ThreadSanitizer: searchers (graph, exact,
 * batched, and filtered: loosely, and narrowly enough for the exact
 * fallback) run while a writer upserts, updates and deletes and a
 * background indexer links the queue, repairs the graph and recycles slots.
 * Afterwards the index must agree with the writer's model of what is live.
 */
#include "shim.h"
#include "vindex.h"
#include "vxtest.h"
#include "synth.h"
#include <pthread.h>

#define DIM 16
#define IDS 3000 /* id space the writer works in */
#define PRELOAD 1000
#define WRITES 2000
#define SEARCHERS 2

static float *data; /* IDS vectors; id i's vector is data[i] */
static float *alt; /* a second vector per id, for updates */
static struct vx_vindex *vi;
static u8 live_model[IDS]; /* writer's view; read after join only */
static int writer_done, stop_searching;
static unsigned long searches, bad_results, upserts;

static const float *vector_of(u32 id, int version)
{
	return (version ? alt : data) + (size_t)id * DIM;
}

static void *writer(void *arg)
{
	struct synth s = { 99 };

	(void)arg;
	for (u32 op = 0; op < WRITES; op++) {
		u32 id = (u32)(synth_u64(&s) % IDS);

		switch (synth_u64(&s) % 4) {
		case 0:
			if (vx_vindex_delete(vi, id) == 0)
				live_model[id] = 0;
			break;
		default:
			if (vx_vindex_upsert(vi, id, vector_of(id, op & 1)) ==
			    0) {
				live_model[id] = 1;
				upserts++;
			}
			break;
		}
		/*
		 * Back-pressure, as a real ingest queue has: stay at most a
		 * few dozen points ahead of the indexers, so that vacuums and
		 * slot recycling happen while we still write.
		 */
		while (vx_vindex_nr_pending(vi) > 48)
			sched_yield();
	}
	__atomic_store_n(&writer_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *indexer(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&writer_done, __ATOMIC_ACQUIRE)) {
		if (vx_vindex_index_pending(vi, 32) <= 0)
			sched_yield();
	}
	while (vx_vindex_nr_pending(vi))
		vx_vindex_index_pending(vi, 1000);
	vx_vindex_vacuum(vi);
	return NULL;
}

/* Sorted by distance, no id twice, every id from the id space. */
static bool well_formed(const struct vx_scored_point *out, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		if (out[i].id >= IDS)
			return false;
		if (i && out[i].key < out[i - 1].key)
			return false;
		for (u32 j = 0; j < i; j++)
			if (out[j].id == out[i].id)
				return false;
	}
	return true;
}

/* Filters for the searchers: a loose one and one that starves the beam. */
static bool accept_mod(void *arg, u64 id)
{
	return id % (uintptr_t)arg == 0;
}

static void *searcher(void *arg)
{
	struct synth s = { (uintptr_t)arg };
	struct vx_scored_point out[3][10],
		*outs[3] = { out[0], out[1], out[2] };
	struct vx_search_request reqs[3];
	struct vx_point_filter loose = { accept_mod, (void *)(uintptr_t)5 },
			       narrow = { accept_mod, (void *)(uintptr_t)600 };
	unsigned long done = 0, bad = 0;
	u32 nr[3];

	while (!__atomic_load_n(&stop_searching, __ATOMIC_ACQUIRE)) {
		u32 kind = (u32)(synth_u64(&s) % 8);

		for (int i = 0; i < 3; i++) {
			memset(&reqs[i], 0, sizeof(reqs[i]));
			reqs[i].query =
				vector_of((u32)(synth_u64(&s) % IDS), i & 1);
			reqs[i].limit = 10;
			reqs[i].flags = kind == 0 ? VX_SEARCH_EXACT : 0;
			reqs[i].filter = kind == 2 ? &loose :
					 kind == 3 ? &narrow :
						     NULL;
		}
		if (kind == 1) {
			if (vx_vindex_search_batch(vi, reqs, 3, outs, nr))
				bad++;
			for (int i = 0; i < 3; i++)
				bad += !well_formed(out[i], nr[i]);
		} else {
			if (vx_vindex_search(vi, &reqs[0], out[0], &nr[0]))
				bad++;
			bad += !well_formed(out[0], nr[0]);
			for (u32 i = 0; reqs[0].filter && i < nr[0]; i++)
				bad += !accept_mod(reqs[0].filter->arg,
						   out[0][i].id);
		}
		done++;
	}
	__atomic_add_fetch(&searches, done, __ATOMIC_RELAXED);
	__atomic_add_fetch(&bad_results, bad, __ATOMIC_RELAXED);
	return NULL;
}

VX_TEST(search_while_writing_and_indexing)
{
	struct vx_vindex_params p;
	pthread_t w, ix[2], rd[SEARCHERS];
	struct vx_scored_point out[10];
	u32 live = 0, n;
	float got[DIM];

	vx_vindex_params_default(&p, DIM, VX_METRIC_EUCLID);
	p.full_scan_threshold_kb = 0;
	VX_ASSERT_EQ(vx_vindex_create(&p, &vi), 0);
	for (u32 id = 0; id < PRELOAD; id++) {
		VX_ASSERT_EQ(vx_vindex_upsert(vi, id, vector_of(id, 0)), 0);
		live_model[id] = 1;
	}
	while (vx_vindex_nr_pending(vi))
		vx_vindex_index_pending(vi, 1000);

	pthread_create(&w, NULL, writer, NULL);
	/* Two background workers: the graph lock must serialise them. */
	pthread_create(&ix[0], NULL, indexer, NULL);
	pthread_create(&ix[1], NULL, indexer, NULL);
	for (uintptr_t i = 0; i < SEARCHERS; i++)
		pthread_create(&rd[i], NULL, searcher, (void *)(i + 1));
	pthread_join(w, NULL);
	pthread_join(ix[0], NULL);
	pthread_join(ix[1], NULL);
	__atomic_store_n(&stop_searching, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < SEARCHERS; i++)
		pthread_join(rd[i], NULL);
	printf("# %lu searches ran during %d writes and their indexing\n",
	       searches, WRITES);
	VX_ASSERT_EQ(bad_results, 0);
	VX_ASSERT(searches >= 100);
	/* Dead slots were recycled while the searches ran. */
	printf("# %u slots hold %lu upserts\n", vx_vecstore_nr_slots(&vi->vs),
	       upserts + PRELOAD);
	VX_ASSERT(vx_vecstore_nr_slots(&vi->vs) < upserts + PRELOAD);

	/* Quiet now: the index must match the model exactly. */
	for (u32 id = 0; id < IDS; id++) {
		live += live_model[id];
		VX_ASSERT_EQ(vx_vindex_get(vi, id, got) == 0, live_model[id]);
	}
	VX_ASSERT_EQ(vx_vindex_count(vi), live);
	VX_ASSERT_EQ(vx_vindex_nr_pending(vi), 0);
	for (u32 id = 0; id < IDS; id += 7) {
		VX_ASSERT_EQ(vx_vindex_search(vi,
					      &(struct vx_search_request){
						      .query = vector_of(id, 0),
						      .limit = 10 },
					      out, &n),
			     0);
		VX_ASSERT(well_formed(out, n));
		for (u32 i = 0; i < n; i++)
			VX_ASSERT(live_model[out[i].id]);
	}
	vx_vindex_destroy(vi);
}

int main(void)
{
	struct synth s = { 5 };
	int ret;

	data = synth_clustered(&s, IDS, DIM, 8, 0.4);
	alt = synth_clustered(&s, IDS, DIM, 8, 0.4);
	ret = vx_run_tests();
	free(data);
	free(alt);
	return ret;
}
