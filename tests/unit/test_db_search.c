// SPDX-License-Identifier: GPL-2.0
/* Search through the database layer: ids, scores, deletes, remount. */
#include "db.h"
#include "distance.h"
#include "vxtest.h"
#include "crashdev.h"

#define N 600
#define DIM 16

static float vecs[N][DIM];

static float score_bits_to_float(u32 bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

static struct vx_db *open_db(struct crashdev *d)
{
	struct vx_db *db = vx_db_new();
	const char *why;

	if (vx_db_open(db, &d->bd, 0, &why))
		return NULL;
	return db;
}

/* Brute force: the id of the nearest point under L2, skipping deleted ids. */
static u64 nearest(const float *q, const bool *gone)
{
	float best = 1e30f;
	u64 id = 0;

	for (u64 i = 0; i < N; i++) {
		float d = 0;

		if (gone[i])
			continue;
		for (int k = 0; k < DIM; k++)
			d += (q[k] - vecs[i][k]) * (q[k] - vecs[i][k]);
		if (d < best) {
			best = d;
			id = i;
		}
	}
	return id;
}

VX_TEST(search_finds_exact_neighbours_and_respects_deletes)
{
	struct crashdev *d = crashdev_new(4096, NULL, 1), *d2;
	struct vexfs_collection_config cfg = {
		.dim = DIM, .distance = VEXFS_DISTANCE_EUCLID
	};
	static struct vx_point_in in[N];
	static bool gone[N];
	struct vx_db_hit hits[10];
	struct vx_collection *c;
	struct vx_db *db;
	u64 rng = 5;
	u32 nhits;

	VX_ASSERT_EQ(crashdev_mkfs(d, 0), 0);
	db = open_db(d);
	VX_ASSERT(db != NULL);
	VX_ASSERT_EQ(vx_db_create_collection(db, "s", 1, &cfg), 0);
	for (u64 i = 0; i < N; i++) {
		for (int k = 0; k < DIM; k++) {
			rng = rng * 6364136223846793005ULL + 1;
			vecs[i][k] = (float)(rng >> 40) / (float)(1 << 24);
		}
		in[i].id.kind = (i % 3) ? VEXFS_ID_NUM : VEXFS_ID_NUM;
		in[i].id.num = i;
		in[i].vec = vecs[i];
	}
	VX_ASSERT_EQ(vx_db_upsert(db, "s", 1, in, N), 0);
	/* Delete every 4th point. */
	for (u64 i = 0; i < N; i += 4) {
		VX_ASSERT_EQ(vx_db_delete(db, "s", 1, &in[i].id, 1, NULL), 0);
		gone[i] = true;
	}
	for (int pass = 0; pass < 2; pass++) {
		c = vx_db_get_collection(db, "s", 1);
		VX_ASSERT(c != NULL);
		VX_ASSERT_EQ(vx_collection_count(c), N - N / 4);
		for (u64 qi = 1; qi < N; qi += 37) {
			VX_ASSERT_EQ(vx_collection_search(c, vecs[qi], 1, 10, 0,
							  0, VEXFS_SEARCH_EXACT,
							  hits, &nhits),
				     0);
			VX_ASSERT_EQ(nhits, 10);
			VX_ASSERT_EQ(hits[0].id.num, nearest(vecs[qi], gone));
			for (u32 h = 0; h < nhits; h++)
				VX_ASSERT(!gone[hits[h].id.num]);
			/* Euclid reports distances, ascending. */
			for (u32 h = 1; h < nhits; h++)
				VX_ASSERT(score_bits_to_float(
						  hits[h].score_bits) >=
					  score_bits_to_float(
						  hits[h - 1].score_bits));
			if (!gone[qi])
				VX_ASSERT(score_bits_to_float(
						  hits[0].score_bits) == 0.0f);
		}
		/* Offset skips the first results. */
		{
			struct vx_db_hit more[5];
			u32 n2;

			VX_ASSERT_EQ(vx_collection_search(c, vecs[1], 1, 10, 0,
							  0, VEXFS_SEARCH_EXACT,
							  hits, &nhits),
				     0);
			VX_ASSERT_EQ(vx_collection_search(c, vecs[1], 1, 5, 3,
							  0, VEXFS_SEARCH_EXACT,
							  more, &n2),
				     0);
			VX_ASSERT_EQ(n2, 5);
			VX_ASSERT_EQ(more[0].id.num, hits[3].id.num);
		}
		vx_db_put_collection(db, c);
		if (pass)
			break;
		/* Remount: the index is rebuilt from the stored points. */
		VX_ASSERT_EQ(vx_db_close(db, true), 0);
		vx_db_free(db);
		d2 = crashdev_new(4096, crashdev_image(d), 1);
		crashdev_free(d);
		d = d2;
		db = open_db(d);
		VX_ASSERT(db != NULL);
	}
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

VX_TEST(scroll_visits_every_point_once)
{
	struct crashdev *d = crashdev_new(2048, NULL, 1);
	struct vexfs_collection_config cfg = { .dim = 2,
					       .distance = VEXFS_DISTANCE_DOT };
	static bool seen[300];
	struct vexfs_point_id ids[7];
	struct vx_collection *c;
	struct vx_db *db;
	float v[2] = { 1, 2 };
	u64 cursor = 0, total = 0;

	VX_ASSERT_EQ(crashdev_mkfs(d, 0), 0);
	db = open_db(d);
	VX_ASSERT_EQ(vx_db_create_collection(db, "r", 1, &cfg), 0);
	for (u64 i = 0; i < 300; i++) {
		struct vx_point_in in = {
			.id = { .kind = VEXFS_ID_NUM, .num = i }, .vec = v
		};

		VX_ASSERT_EQ(vx_db_upsert(db, "r", 1, &in, 1), 0);
	}
	c = vx_db_get_collection(db, "r", 1);
	while (cursor != ~0ULL) {
		u32 n = vx_collection_scroll(c, &cursor, 7, ids);

		for (u32 i = 0; i < n; i++) {
			VX_ASSERT(!seen[ids[i].num]);
			seen[ids[i].num] = true;
		}
		total += n;
	}
	vx_db_put_collection(db, c);
	VX_ASSERT_EQ(total, 300);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

int main(void)
{
	vx_dist_init();
	return vx_run_tests();
}
