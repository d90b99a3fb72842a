// SPDX-License-Identifier: GPL-2.0
/*
 * Search quality and semantics of a vector index (vindex: store + HNSW +
 * queued tail + exact search), under ASan and UBSan.
 */
#include "shim.h"
#include "vindex.h"
#include "vxtest.h"
#include "synth.h"

#define K 10

/* Data set for the recall tests: big enough to need a graph, small enough for sanitizers. */
#define N_BASE 6000
#define N_QUERY 200
#define DIM 48

static float *data; /* N_BASE base vectors, then N_QUERY queries */

static float *vec(u32 i)
{
	return data + (size_t)i * DIM;
}

static const float *query(u32 q)
{
	return data + (size_t)(N_BASE + q) * DIM;
}

static struct vx_vindex *make_index(enum vx_metric metric, u32 dim)
{
	struct vx_vindex_params p;
	struct vx_vindex *vi = NULL;

	vx_vindex_params_default(&p, dim, metric);
	p.full_scan_threshold_kb = 0; /* always use the graph when it can */
	if (vx_vindex_create(&p, &vi))
		return NULL;
	return vi;
}

static void index_everything(struct vx_vindex *vi)
{
	while (vx_vindex_nr_pending(vi))
		if (vx_vindex_index_pending(vi, 1000) < 0)
			return;
}

static int search(struct vx_vindex *vi, const float *q, u32 limit, u32 flags,
		  struct vx_scored_point *out, u32 *nr)
{
	struct vx_search_request req = {
		.query = q,
		.limit = limit,
		.flags = flags,
	};

	return vx_vindex_search(vi, &req, out, nr);
}

/*
 * Mean recall@K of graph search with beam @ef (0: default) against exact
 * search; deleted ids must never appear.
 */
static double recall_ef(struct vx_vindex *vi, const u8 *deleted, u32 ef)
{
	struct vx_scored_point approx[K], exact[K];
	u32 na, ne, hits = 0, total = 0;

	for (u32 q = 0; q < N_QUERY; q++) {
		struct vx_search_request req = {
			.query = query(q),
			.limit = K,
			.ef = ef,
		};

		if (vx_vindex_search(vi, &req, approx, &na) ||
		    search(vi, query(q), K, VX_SEARCH_EXACT, exact, &ne))
			return -1;
		for (u32 i = 0; i < na; i++)
			if (deleted && deleted[approx[i].id])
				return -2;
		for (u32 i = 0; i < ne; i++) {
			for (u32 j = 0; j < na; j++)
				if (approx[j].id == exact[i].id) {
					hits++;
					break;
				}
		}
		total += ne;
	}
	return total ? (double)hits / total : 0;
}

static double recall(struct vx_vindex *vi, const u8 *deleted)
{
	return recall_ef(vi, deleted, 0);
}

VX_TEST(recall_at_defaults_clustered)
{
	struct vx_vindex *vi = make_index(VX_METRIC_EUCLID, DIM);
	u64 t0;
	double r;

	VX_ASSERT(vi);
	t0 = vx_time_ns();
	for (u32 i = 0; i < N_BASE; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	index_everything(vi);
	VX_ASSERT_EQ(vx_vindex_nr_pending(vi), 0);
	VX_ASSERT_EQ(vx_vindex_count(vi), N_BASE);
	printf("# built %d x %d in %.2f s (sanitizers on)\n", N_BASE, DIM,
	       (vx_time_ns() - t0) / 1e9);
	printf("# recall@%d at ef=10: %.4f, ef=32: %.4f\n", K,
	       recall_ef(vi, NULL, 10), recall_ef(vi, NULL, 32));
	r = recall(vi, NULL);
	printf("# recall@%d = %.4f (m=16, ef_construct=100, ef=100)\n", K, r);
	VX_ASSERT(r >= 0.95);
	vx_vindex_destroy(vi);
}

/* Points are searchable before the graph has them, and counted once after. */
VX_TEST(unindexed_tail_is_searched)
{
	struct vx_vindex *vi = make_index(VX_METRIC_EUCLID, DIM);
	struct vx_scored_point out[K];
	u32 n;

	VX_ASSERT(vi);
	for (u32 i = 0; i < N_BASE; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	VX_ASSERT_EQ(vx_vindex_nr_pending(vi), N_BASE);
	/* Nothing linked yet: the tail scan alone must be exact. */
	VX_ASSERT(recall(vi, NULL) == 1.0);
	VX_ASSERT(vx_vindex_index_pending(vi, N_BASE / 2) == N_BASE / 2);
	VX_ASSERT(recall(vi, NULL) >= 0.95);
	/* A point that only the tail holds is found first when queried exactly. */
	VX_ASSERT_EQ(search(vi, vec(N_BASE - 1), K, 0, out, &n), 0);
	VX_ASSERT(n == K && out[0].id == N_BASE - 1);
	VX_ASSERT_EQ(search(vi, vec(7), K, 0, out, &n), 0);
	VX_ASSERT(n == K && out[0].id == 7);
	for (u32 i = 1; i < n; i++)
		VX_ASSERT(out[i].id != out[i - 1].id);
	vx_vindex_destroy(vi);
}

VX_TEST(delete_30_percent_keeps_recall_and_hides_deleted)
{
	struct vx_vindex *vi = make_index(VX_METRIC_EUCLID, DIM);
	static u8 deleted[N_BASE];
	struct synth s = { 7 };
	u32 nr_deleted = 0;
	double r;

	VX_ASSERT(vi);
	for (u32 i = 0; i < N_BASE; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	index_everything(vi);
	while (nr_deleted < N_BASE * 3 / 10) {
		u32 id = (u32)(synth_u64(&s) % N_BASE);

		if (deleted[id]) {
			VX_ASSERT_EQ(vx_vindex_delete(vi, id), -ENOENT);
			continue;
		}
		VX_ASSERT_EQ(vx_vindex_delete(vi, id), 0);
		deleted[id] = 1;
		nr_deleted++;
	}
	VX_ASSERT_EQ(vx_vindex_count(vi), N_BASE - nr_deleted);

	/* Tombstones still in the graph: walked through, never returned. */
	r = recall(vi, deleted);
	printf("# after deleting 30%%, before repair: recall@%d = %.4f\n", K,
	       r);
	VX_ASSERT(r >= 0.95);

	/* The background step sees 30% > vacuum threshold and repairs. */
	VX_ASSERT(vx_vindex_index_pending(vi, 100) >= 0);
	VX_ASSERT_EQ(vi->vs.nr_free, nr_deleted);
	r = recall(vi, deleted);
	printf("# after repair: recall@%d = %.4f\n", K, r);
	VX_ASSERT(r >= 0.95);

	/* Freed slots are reused by new points; the graph stays sound. */
	for (u32 i = 0; i < N_BASE; i++) {
		if (!deleted[i])
			continue;
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
		deleted[i] = 0;
	}
	VX_ASSERT_EQ(vi->vs.nr_free, 0);
	VX_ASSERT_EQ(vx_vindex_nr_pending(vi), nr_deleted);
	index_everything(vi);
	VX_ASSERT_EQ(vx_vindex_nr_pending(vi), 0);
	r = recall(vi, deleted);
	printf("# after re-inserting into reused slots: recall@%d = %.4f\n", K,
	       r);
	VX_ASSERT(r >= 0.95);
	vx_vindex_destroy(vi);
}

/* Deleting nearly everything must not strand the survivors. */
VX_TEST(heavy_delete_then_vacuum)
{
	struct vx_vindex *vi = make_index(VX_METRIC_DOT, DIM);
	struct vx_scored_point out[K];
	u32 n;

	VX_ASSERT(vi);
	for (u32 i = 0; i < 2000; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	index_everything(vi);
	for (u32 i = 0; i < 2000; i++)
		if (i % 20)
			VX_ASSERT_EQ(vx_vindex_delete(vi, i), 0);
	VX_ASSERT_EQ(vx_vindex_vacuum(vi), 0);
	VX_ASSERT_EQ(vx_vindex_count(vi), 100);
	/* Every survivor is still reachable: find each one by its own vector. */
	for (u32 i = 0; i < 2000; i += 20) {
		struct vx_search_request req = {
			.query = vec(i),
			.limit = 1,
			.ef = 64,
		};
		float want;

		VX_ASSERT_EQ(vx_vindex_search(vi, &req, out, &n), 0);
		VX_ASSERT_EQ(n, 1);
		VX_ASSERT_EQ(
			search(vi, vec(i), 1, VX_SEARCH_EXACT, out + 1, &n), 0);
		want = out[1].score;
		VX_ASSERT(out[0].score == want);
		VX_ASSERT(out[0].id % 20 == 0);
	}
	/* Delete the rest, including the entry point. */
	for (u32 i = 0; i < 2000; i += 20)
		VX_ASSERT_EQ(vx_vindex_delete(vi, i), 0);
	VX_ASSERT_EQ(vx_vindex_vacuum(vi), 0);
	VX_ASSERT_EQ(search(vi, vec(0), K, 0, out, &n), 0);
	VX_ASSERT_EQ(n, 0);
	VX_ASSERT_EQ(vi->graph.nr_nodes, 0);
	VX_ASSERT_EQ(vi->graph.entry, VX_HNSW_NO_ENTRY);
	VX_ASSERT_EQ(vx_vindex_upsert(vi, 5, vec(5)), 0);
	index_everything(vi);
	VX_ASSERT_EQ(search(vi, vec(0), K, 0, out, &n), 0);
	VX_ASSERT(n == 1 && out[0].id == 5);
	vx_vindex_destroy(vi);
}

static void check_k_larger_than_collection(u32 flags, enum vx_metric metric)
{
	enum { N = 150, LIMIT = 400 };
	struct vx_vindex *vi = make_index(metric, DIM);
	static struct vx_scored_point out[LIMIT];
	static u8 seen[N];
	u32 n;

	VX_ASSERT(vi);
	for (u32 i = 0; i < N; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i * 3 + 1, vec(i)), 0);
	index_everything(vi);
	VX_ASSERT_EQ(search(vi, query(0), LIMIT, flags, out, &n), 0);
	VX_ASSERT_EQ(n, N);
	memset(seen, 0, sizeof(seen));
	for (u32 i = 0; i < n; i++) {
		VX_ASSERT(out[i].id % 3 == 1 && out[i].id / 3 < N);
		VX_ASSERT(!seen[out[i].id / 3]);
		seen[out[i].id / 3] = 1;
		if (i && vx_metric_higher_is_better(metric))
			VX_ASSERT(out[i].score <= out[i - 1].score);
		else if (i)
			VX_ASSERT(out[i].score >= out[i - 1].score);
	}
	vx_vindex_destroy(vi);
}

VX_TEST(k_larger_than_collection_returns_each_point_once)
{
	check_k_larger_than_collection(0, VX_METRIC_EUCLID);
	check_k_larger_than_collection(VX_SEARCH_EXACT, VX_METRIC_DOT);
	check_k_larger_than_collection(0, VX_METRIC_COSINE);
	check_k_larger_than_collection(0, VX_METRIC_MANHATTAN);
}

/* With k below the size but ef far above it, the graph path returns distinct points too. */
VX_TEST(large_k_through_the_graph_is_distinct_and_sorted)
{
	enum { N = 1500, LIMIT = 700 };
	struct vx_vindex *vi = make_index(VX_METRIC_MANHATTAN, DIM);
	static struct vx_scored_point out[LIMIT], exact[LIMIT];
	static u8 seen[N];
	u32 n, ne, common = 0;

	VX_ASSERT(vi);
	for (u32 i = 0; i < N; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	index_everything(vi);
	VX_ASSERT_EQ(search(vi, query(3), LIMIT, 0, out, &n), 0);
	VX_ASSERT_EQ(search(vi, query(3), LIMIT, VX_SEARCH_EXACT, exact, &ne),
		     0);
	VX_ASSERT_EQ(n, LIMIT);
	for (u32 i = 0; i < n; i++) {
		VX_ASSERT(!seen[out[i].id]);
		seen[out[i].id] = 1;
		VX_ASSERT(i == 0 || out[i].score >= out[i - 1].score);
	}
	for (u32 i = 0; i < ne; i++)
		common += seen[exact[i].id];
	printf("# recall@%d through the graph: %.3f\n", LIMIT,
	       (double)common / ne);
	VX_ASSERT(common >= ne * 95 / 100);
	vx_vindex_destroy(vi);
}

/* Scores as Qdrant reports them, per metric, against a double-precision oracle. */
VX_TEST(scores_follow_qdrant_semantics)
{
	static const enum vx_metric metrics[] = { VX_METRIC_COSINE,
						  VX_METRIC_DOT,
						  VX_METRIC_EUCLID,
						  VX_METRIC_MANHATTAN };

	for (size_t m = 0; m < VX_ARRAY_SIZE(metrics); m++) {
		struct vx_vindex *vi = make_index(metrics[m], DIM);
		struct vx_scored_point out[K];
		const float *q = query(1);
		u32 n;

		VX_ASSERT(vi);
		for (u32 i = 0; i < 500; i++)
			VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
		VX_ASSERT_EQ(search(vi, q, K, VX_SEARCH_EXACT, out, &n), 0);
		VX_ASSERT_EQ(n, K);
		for (u32 i = 0; i < n; i++) {
			const float *v = vec((u32)out[i].id);
			double dot = 0, l2 = 0, l1 = 0, qq = 0, vv = 0, want;

			for (u32 d = 0; d < DIM; d++) {
				dot += (double)q[d] * v[d];
				l2 += ((double)q[d] - v[d]) *
				      ((double)q[d] - v[d]);
				l1 += fabs((double)q[d] - v[d]);
				qq += (double)q[d] * q[d];
				vv += (double)v[d] * v[d];
			}
			switch (metrics[m]) {
			case VX_METRIC_COSINE:
				want = dot / sqrt(qq * vv);
				break;
			case VX_METRIC_DOT:
				want = dot;
				break;
			case VX_METRIC_EUCLID:
				want = sqrt(l2);
				break;
			default:
				want = l1;
				break;
			}
			if (fabs(out[i].score - want) > 1e-4 * (1 + fabs(want)))
				VX_FAIL("metric %d: score %.7g, want %.7g",
					metrics[m], out[i].score, want);
			if (i && vx_metric_higher_is_better(metrics[m]))
				VX_ASSERT(out[i].score <= out[i - 1].score);
			else if (i)
				VX_ASSERT(out[i].score >= out[i - 1].score);
		}
		vx_vindex_destroy(vi);
	}
}

/* Equal scores come back in id order, from both search paths. */
VX_TEST(ties_are_broken_by_id)
{
	static const u64 ids[] = { 90, 12, 55, 3, 1000, 41, 7, 600 };
	struct vx_vindex *vi = make_index(VX_METRIC_EUCLID, DIM);
	struct vx_scored_point out[4];
	u32 n;

	VX_ASSERT(vi);
	for (u32 i = 0; i < 2000; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, 5000 + i, vec(i)), 0);
	for (size_t i = 0; i < VX_ARRAY_SIZE(ids); i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, ids[i], query(2)), 0);
	index_everything(vi);
	for (int exact = 0; exact < 2; exact++) {
		VX_ASSERT_EQ(search(vi, query(2), 4,
				    exact ? VX_SEARCH_EXACT : 0, out, &n),
			     0);
		VX_ASSERT_EQ(n, 4);
		VX_ASSERT_EQ(out[0].id, 3);
		VX_ASSERT_EQ(out[1].id, 7);
		VX_ASSERT_EQ(out[2].id, 12);
		VX_ASSERT_EQ(out[3].id, 41);
		VX_ASSERT(out[0].score == 0.0f && out[3].score == 0.0f);
	}
	vx_vindex_destroy(vi);
}

VX_TEST(update_moves_the_point)
{
	struct vx_vindex *vi = make_index(VX_METRIC_COSINE, DIM);
	struct vx_scored_point out[K];
	float got[DIM];
	u32 n;

	VX_ASSERT(vi);
	for (u32 i = 0; i < 1000; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	index_everything(vi);
	/* Point 17 moves onto query 4; the old spot no longer finds it. */
	VX_ASSERT_EQ(vx_vindex_upsert(vi, 17, query(4)), 0);
	VX_ASSERT_EQ(vx_vindex_count(vi), 1000);
	for (int linked = 0; linked < 2; linked++) {
		VX_ASSERT_EQ(search(vi, query(4), K, 0, out, &n), 0);
		VX_ASSERT(n == K && out[0].id == 17);
		VX_ASSERT(out[0].score > 0.9999f);
		VX_ASSERT_EQ(search(vi, vec(17), K, 0, out, &n), 0);
		for (u32 i = 0; i < n; i++)
			VX_ASSERT(out[i].id != 17 || out[i].score < 0.9999f);
		index_everything(vi);
	}
	VX_ASSERT_EQ(vx_vindex_get(vi, 17, got), 0);
	VX_ASSERT(fabsf(got[0] * 1.0f) <= 1.0f);
	VX_ASSERT_EQ(vx_vindex_get(vi, 4242, got), -ENOENT);
	vx_vindex_destroy(vi);
}

static bool accept_even(void *arg, u64 id)
{
	(void)arg;
	return !(id & 1);
}

VX_TEST(filtered_search_returns_only_accepted)
{
	struct vx_point_filter even = { accept_even, NULL };
	struct vx_vindex *vi = make_index(VX_METRIC_EUCLID, DIM);
	struct vx_scored_point out[K], exact[K];
	u32 n, ne, hits = 0, total = 0;

	VX_ASSERT(vi);
	for (u32 i = 0; i < 3000; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	index_everything(vi);
	for (u32 q = 0; q < 50; q++) {
		struct vx_search_request req = {
			.query = query(q),
			.limit = K,
			.filter = &even,
		};

		VX_ASSERT_EQ(vx_vindex_search(vi, &req, out, &n), 0);
		req.flags = VX_SEARCH_EXACT;
		VX_ASSERT_EQ(vx_vindex_search(vi, &req, exact, &ne), 0);
		VX_ASSERT_EQ(n, K);
		for (u32 i = 0; i < n; i++) {
			VX_ASSERT(!(out[i].id & 1));
			for (u32 j = 0; j < ne; j++)
				hits += out[i].id == exact[j].id;
		}
		total += ne;
	}
	VX_ASSERT(hits >= total * 95 / 100);
	vx_vindex_destroy(vi);
}

struct every_nth {
	u64 n;
	u64 calls;
};

static bool accept_every_nth(void *arg, u64 id)
{
	struct every_nth *f = arg;

	f->calls++;
	return f->n && id % f->n == 0;
}

/*
 * Selective filters: the beam fills slowly or runs dry, so the index falls
 * back to an exact scan of the matches. Whatever the selectivity, a search
 * returns min(limit, matches) points, exactly the exact search's when few
 * match, and never a rejected one; a filter matching nothing returns none.
 */
VX_TEST(selective_filters_return_min_limit_matches)
{
	static const u64 every[] = { 0, 3000, 1000, 400, 300, 150, 50, 7 };
	struct vx_vindex *vi = make_index(VX_METRIC_EUCLID, DIM);
	struct vx_scored_point out[K], exact[K];
	u32 n, ne;

	VX_ASSERT(vi);
	for (u32 i = 0; i < 3000; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	index_everything(vi);
	/* Ten more left in the queued tail, one of them a match for most n. */
	for (u32 i = 3000; i < 3010; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	for (size_t e = 0; e < VX_ARRAY_SIZE(every); e++) {
		struct every_nth f = { every[e], 0 };
		struct vx_point_filter filter = { accept_every_nth, &f };
		u64 matches = every[e] ? (3009 / every[e]) + 1 : 0;
		u32 hits = 0, total = 0;

		for (u32 q = 0; q < 20; q++) {
			struct vx_search_request req = {
				.query = query(q),
				.limit = K,
				/* A narrow beam gives up early: the fallback runs. */
				.ef = q & 1 ? K : 0,
				.filter = &filter,
			};

			VX_ASSERT_EQ(vx_vindex_search(vi, &req, out, &n), 0);
			req.flags = VX_SEARCH_EXACT;
			VX_ASSERT_EQ(vx_vindex_search(vi, &req, exact, &ne), 0);
			VX_ASSERT_EQ(ne, min_t(u64, K, matches));
			VX_ASSERT_EQ(n, ne);
			for (u32 i = 0; i < n; i++) {
				VX_ASSERT(every[e] &&
					  out[i].id % every[e] == 0);
				if (matches <= 2 * K)
					VX_ASSERT_EQ(out[i].id, exact[i].id);
				for (u32 j = 0; j < ne; j++)
					hits += out[i].id == exact[j].id;
			}
			total += ne;
		}
		VX_ASSERT(hits >= total * 95 / 100);
		/* The fallback scans each live point once, the graph fewer. */
		VX_ASSERT(f.calls <= 2 * 20 * 2 * 3010);
	}
	vx_vindex_destroy(vi);
}

VX_TEST(batch_equals_single_searches)
{
	enum { NQ = 12 };
	struct vx_vindex *vi = make_index(VX_METRIC_DOT, DIM);
	struct vx_search_request reqs[NQ];
	static struct vx_scored_point res[NQ][K], one[K];
	struct vx_scored_point *outs[NQ];
	u32 nr[NQ], n;

	VX_ASSERT(vi);
	for (u32 i = 0; i < 2500; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	index_everything(vi);
	for (u32 q = 0; q < NQ; q++) {
		memset(&reqs[q], 0, sizeof(reqs[q]));
		reqs[q].query = query(q);
		reqs[q].limit = K - q % 3;
		reqs[q].flags = q % 2 ? VX_SEARCH_EXACT : 0;
		outs[q] = res[q];
	}
	VX_ASSERT_EQ(vx_vindex_search_batch(vi, reqs, NQ, outs, nr), 0);
	for (u32 q = 0; q < NQ; q++) {
		VX_ASSERT_EQ(vx_vindex_search(vi, &reqs[q], one, &n), 0);
		VX_ASSERT_EQ(nr[q], n);
		for (u32 i = 0; i < n; i++) {
			VX_ASSERT_EQ(res[q][i].id, one[i].id);
			VX_ASSERT(res[q][i].score == one[i].score);
		}
	}
	vx_vindex_destroy(vi);
}

/* Same seed, same insertion order: the same graph, so the same answers. */
VX_TEST(deterministic_with_seed)
{
	struct vx_vindex *a = make_index(VX_METRIC_EUCLID, DIM);
	struct vx_vindex *b = make_index(VX_METRIC_EUCLID, DIM);
	struct vx_scored_point ra[K], rb[K];
	u32 na, nb;

	VX_ASSERT(a && b);
	for (u32 i = 0; i < 2000; i++) {
		VX_ASSERT_EQ(vx_vindex_upsert(a, i, vec(i)), 0);
		VX_ASSERT_EQ(vx_vindex_upsert(b, i, vec(i)), 0);
	}
	index_everything(a);
	index_everything(b);
	VX_ASSERT_EQ(a->graph.entry, b->graph.entry);
	for (u32 q = 0; q < 20; q++) {
		struct vx_search_request req = { .query = query(q),
						 .limit = K,
						 .ef = 12 };

		VX_ASSERT_EQ(vx_vindex_search(a, &req, ra, &na), 0);
		VX_ASSERT_EQ(vx_vindex_search(b, &req, rb, &nb), 0);
		VX_ASSERT_EQ(na, nb);
		for (u32 i = 0; i < na; i++)
			VX_ASSERT_EQ(ra[i].id, rb[i].id);
	}
	vx_vindex_destroy(a);
	vx_vindex_destroy(b);
}

VX_TEST(no_graph_and_bad_input)
{
	struct vx_vindex_params p;
	struct vx_vindex *vi;
	struct vx_scored_point out[K];
	float bad[DIM];
	u32 n;

	vx_vindex_params_default(&p, DIM, VX_METRIC_EUCLID);
	p.m = 1;
	VX_ASSERT_EQ(vx_vindex_create(&p, &vi), -EINVAL);
	p.m = 0; /* Qdrant's m = 0: no graph, exact search only */
	VX_ASSERT_EQ(vx_vindex_create(&p, &vi), 0);
	for (u32 i = 0; i < 300; i++)
		VX_ASSERT_EQ(vx_vindex_upsert(vi, i, vec(i)), 0);
	VX_ASSERT_EQ(vx_vindex_nr_pending(vi), 0);
	VX_ASSERT_EQ(vx_vindex_delete(vi, 5), 0);
	VX_ASSERT_EQ(vx_vindex_upsert(vi, 6, vec(7)), 0);
	VX_ASSERT_EQ(vx_vindex_index_pending(vi, 10), 0); /* recycles */
	VX_ASSERT_EQ(vi->vs.nr_free, 2);
	VX_ASSERT_EQ(search(vi, vec(5), K, 0, out, &n), 0);
	VX_ASSERT_EQ(n, K);
	for (u32 i = 0; i < n; i++)
		VX_ASSERT(out[i].id != 5);
	memcpy(bad, vec(0), sizeof(bad));
	bad[3] = NAN;
	VX_ASSERT_EQ(vx_vindex_upsert(vi, 1, bad), -EINVAL);
	VX_ASSERT_EQ(search(vi, bad, K, 0, out, &n), -EINVAL);
	VX_ASSERT_EQ(search(vi, vec(0), 0, 0, out, &n), 0);
	VX_ASSERT_EQ(n, 0);
	vx_vindex_destroy(vi);
}

int main(void)
{
	struct synth s = { 2024 };
	int ret;

	/*
	 * Few, wide clusters: hard enough that a beam of 10 finds only ~84%
	 * of the true neighbours, so recall at the default beam (100) means
	 * the graph works, not that it was scanned whole.
	 */
	data = synth_clustered(&s, N_BASE + N_QUERY, DIM, 10, 0.5);
	printf("# distance implementation: %s\n", vx_dist_impl_name());
	ret = vx_run_tests();
	free(data);
	return ret;
}
