// SPDX-License-Identifier: GPL-2.0
/*
 * Filtered search through the planner on clustered data: with filters
 * matching 1%, 10% (indexed candidates searched exactly), 20% and 50% of
 * the points (the graph walked with the filter), recall@10 against an
 * exact filtered scan is at least 0.95 and every query gets
 * min(limit, matches) hits, all of them matching.
 */
#include "db.h"
#include "pindex_plan.h"
#include "vxtest.h"
#include "crashdev.h"
#include "filter_build.h"
#include "synth.h"

#define N 10000
#define DIM 24
#define NQ 60
#define K 10

static u8 g_of[N], r_of[N];

static void fb_lt(struct fb *b, const char *key, double hi)
{
	u32 at = fb_head(b, VEXFS_FOP_RANGE, VEXFS_FILTER_R_LT);
	u64 bits;

	memcpy(&bits, &hi, 8);
	fb_key(b, key);
	fb_le(b, 0, 8);
	fb_le(b, bits, 8);
	fb_end(b, at);
}

static float l2(const float *a, const float *b)
{
	float d = 0;

	for (int i = 0; i < DIM; i++)
		d += (a[i] - b[i]) * (a[i] - b[i]);
	return d;
}

/* The exact filtered top K ids of @q, best first; returns how many. */
static u32 exact_top(const float *v, const float *q, bool (*pred)(u32, int),
		     int arg, u64 *ids, u64 *matches)
{
	float best[K] = { 0 };
	u32 n = 0;

	*matches = 0;
	for (u32 i = 0; i < N; i++) {
		float d;
		u32 j;

		if (!pred(i, arg))
			continue;
		(*matches)++;
		d = l2(v + (size_t)i * DIM, q);
		if (n == K && d >= best[K - 1])
			continue;
		j = n < K ? n++ : K - 1;
		while (j && best[j - 1] > d) {
			best[j] = best[j - 1];
			ids[j] = ids[j - 1];
			j--;
		}
		best[j] = d;
		ids[j] = i;
	}
	return n;
}

static bool g_eq(u32 i, int v)
{
	return g_of[i] == v;
}

static bool g_lt(u32 i, int v)
{
	return g_of[i] < v;
}

static bool g_eq_r_lt(u32 i, int v)
{
	return g_of[i] == v && r_of[i] < 5;
}

VX_TEST(filtered_recall_at_1_10_50_percent)
{
	struct crashdev *d = crashdev_new(65536, NULL, 1);
	struct vexfs_collection_config cfg = {
		.dim = DIM,
		.distance = VEXFS_DISTANCE_EUCLID,
		.full_scan_threshold = 50, /* KiB: 533 points of 96 bytes */
	};
	struct synth s = { 42 };
	float *v = synth_clustered(&s, N, DIM, 40, 0.15), *q;
	static struct vx_point_in in[N];
	static u8 pl[N][16];
	struct vx_collection *c;
	struct vx_db *db;
	const char *why;
	u64 left = 1;
	struct {
		const char *name;
		int kind; /* 0: g == 7, 1: g < arg, 2: g == 7 and r < 5 */
		int arg;
		bool (*pred)(u32, int);
		bool planned; /* candidates searched exactly */
	} cases[] = {
		{ "1%", 0, 7, g_eq, true },
		{ "10%", 1, 10, g_lt, true }, /* <= N / 8 */
		{ "20%", 1, 20, g_lt, false },
		{ "50%", 1, 50, g_lt, false },
		{ "0.05%", 2, 7, g_eq_r_lt, true },
	};

	VX_ASSERT_EQ(crashdev_mkfs(d, 0), 0);
	db = vx_db_new();
	VX_ASSERT_EQ(vx_db_open(db, &d->bd, 0, &why), 0);
	VX_ASSERT_EQ(vx_db_create_collection(db, "r", 1, &cfg), 0);
	VX_ASSERT_EQ(
		vx_db_index_create(db, "r", 1, "g", 1, VEXFS_INDEX_INTEGER), 0);
	for (u32 i = 0; i < N; i++) {
		g_of[i] = (u8)(synth_u64(&s) % 100);
		r_of[i] = (u8)(synth_u64(&s) % 100);
		/* {"g": g, "r": r}, both below 100: one or two bytes each */
		pl[i][0] = 0xa2;
		pl[i][1] = 0x61;
		pl[i][2] = 'g';
		in[i].payload_len = 3;
		if (g_of[i] < 24) {
			pl[i][in[i].payload_len++] = g_of[i];
		} else {
			pl[i][in[i].payload_len++] = 0x18;
			pl[i][in[i].payload_len++] = g_of[i];
		}
		pl[i][in[i].payload_len++] = 0x61;
		pl[i][in[i].payload_len++] = 'r';
		if (r_of[i] < 24) {
			pl[i][in[i].payload_len++] = r_of[i];
		} else {
			pl[i][in[i].payload_len++] = 0x18;
			pl[i][in[i].payload_len++] = r_of[i];
		}
		in[i].id.kind = VEXFS_ID_NUM;
		in[i].id.num = i;
		in[i].vec = v + (size_t)i * DIM;
		in[i].payload = pl[i];
	}
	for (u32 i = 0; i < N; i += 1000)
		VX_ASSERT_EQ(vx_db_upsert(db, "r", 1, in + i, 1000), 0);
	while (left)
		VX_ASSERT_EQ(vx_db_index_pending(db, 2000, &left), 0);

	q = malloc(sizeof(float) * NQ * DIM);
	for (u32 i = 0; i < NQ * DIM; i++)
		q[i] = v[(size_t)(synth_u64(&s) % N) * DIM + i % DIM] +
		       (float)(0.05 * synth_gauss(&s));
	c = vx_db_get_collection(db, "r", 1);
	VX_ASSERT(c != NULL);
	for (u32 ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		struct vx_db_hit hits[K];
		struct vx_pindex_plan plan;
		struct vx_filter *f;
		u8 buf[256];
		struct fb b;
		u64 want[K], matches, found = 0, total = 0;

		fb_init(&b, buf, sizeof(buf));
		if (cases[ci].kind == 2) {
			fb_open(&b, VEXFS_FOP_AND, 2);
			fb_match_int(&b, "g", cases[ci].arg);
			fb_lt(&b, "r", 5);
			fb_close(&b);
		} else if (cases[ci].kind == 0) {
			fb_match_int(&b, "g", cases[ci].arg);
		} else {
			fb_lt(&b, "g", cases[ci].arg);
		}
		VX_ASSERT_EQ(vx_filter_load(buf, fb_finish(&b), &f, &why), 0);
		/* the planner's choice follows the threshold */
		VX_ASSERT_EQ(vx_collection_plan(c, f,
						vx_collection_plan_threshold(c),
						&plan),
			     0);
		VX_ASSERT_EQ(plan.have, cases[ci].planned);
		VX_ASSERT(plan.estimate != ~0ULL);
		vx_pindex_plan_free(&plan);
		for (u32 qi = 0; qi < NQ; qi++) {
			u32 nh, ne;

			ne = exact_top(v, q + (size_t)qi * DIM, cases[ci].pred,
				       cases[ci].arg, want, &matches);
			VX_ASSERT_EQ(vx_collection_search_filter(
					     c, q + (size_t)qi * DIM, 1, K, 0,
					     0, 0, f, hits, &nh),
				     0);
			VX_ASSERT_EQ(nh, matches < K ? matches : K);
			VX_ASSERT_EQ(ne, nh);
			for (u32 h = 0; h < nh; h++) {
				VX_ASSERT(cases[ci].pred((u32)hits[h].id.num,
							 cases[ci].arg));
				for (u32 w = 0; w < ne; w++)
					found += hits[h].id.num == want[w];
			}
			total += ne;
		}
		printf("# %s: %llu matches, recall@10 %.4f\n", cases[ci].name,
		       (unsigned long long)matches,
		       (double)found / (double)total);
		VX_ASSERT((double)found >= 0.95 * (double)total);
		vx_filter_free(f);
	}
	vx_db_put_collection(db, c);
	free(q);
	free(v);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

int main(void)
{
	return vx_run_tests();
}
