// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel and the userspace build of the core give identical answers:
 * the same points go into vexfs.ko (ioctls) and into the userspace engine
 * (libvexfscore on an in-memory device), and every search returns the same
 * ids with bit-identical scores, exact and through the HNSW graph alike.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vexfs_selftest.h"
#include "db.h"
#include "distance.h"
#include "tests/unit/crashdev.h"

#define N 1500
#define DIM 24
#define NQ 20
#define K 10

static float vecs[N * DIM], queries[NQ * DIM];
static struct vexfs_point_id ids[N];

static void make_data(void)
{
	uint64_t s = 99;

	for (int i = 0; i < N; i++) {
		ids[i].kind = VEXFS_ID_NUM;
		ids[i].num = (uint64_t)i * 7 + 3;
		for (int d = 0; d < DIM; d++)
			vecs[i * DIM + d] = vxt_rand(&s) - 0.5f;
	}
	for (int i = 0; i < NQ * DIM; i++)
		queries[i] = vxt_rand(&s) - 0.5f;
}

/* The userspace engine on an in-memory device, same points, same order. */
static struct vx_db *user_db(struct crashdev **dev, uint32_t dist)
{
	/* 1 KiB full-scan threshold: searches go through the graph */
	struct vexfs_collection_config cfg = { .dim = DIM,
					       .distance = dist,
					       .full_scan_threshold = 1 };
	struct vx_point_in *in = calloc(N, sizeof(*in));
	struct vx_db *db = vx_db_new();
	const char *why;
	u64 pending = 1;

	*dev = crashdev_new(4096, NULL, 1);
	crashdev_mkfs(*dev, 0);
	if (vx_db_open(db, &(*dev)->bd, 0, &why) ||
	    vx_db_create_collection(db, "p", 1, &cfg))
		return NULL;
	for (int i = 0; i < N; i++) {
		in[i].id = ids[i];
		in[i].vec = vecs + i * DIM;
	}
	if (vx_db_upsert(db, "p", 1, in, N))
		return NULL;
	free(in);
	while (pending)
		vx_db_index_pending(db, 256, &pending);
	return db;
}

static void compare(struct __test_metadata *_metadata, uint32_t dist)
{
	struct vexfs_collection_config cfg;
	struct vexfs_search_opts opts = { .limit = K };
	struct vexfs_hit khits[NQ * K];
	struct vx_db_hit uhits[K];
	struct crashdev *dev;
	struct vexfs *vx;
	struct vx_db *udb;
	uint64_t points, indexed;
	uint32_t knhits[NQ], unhits;
	int fd;

	make_data();
	udb = user_db(&dev, dist);
	ASSERT_NE(NULL, udb);
	ASSERT_EQ(0, vxt_up(&vx));
	vexfs_config_init(&cfg, DIM, dist);
	cfg.full_scan_threshold = 1;
	ASSERT_EQ(0, vexfs_coll_create(vx, "p", &cfg));
	fd = vexfs_coll_open(vx, "p");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vexfs_upsert(fd, N, DIM, ids, vecs, NULL, NULL));
	/* Wait for the kernel's background indexer to link every point. */
	for (int i = 0; i < 600; i++) {
		ASSERT_EQ(0, vexfs_count(fd, &points, &indexed));
		if (indexed == points)
			break;
		usleep(100 * 1000);
	}
	ASSERT_EQ(points, indexed);

	for (int exact = 0; exact < 2; exact++) {
		opts.flags = exact ? VEXFS_SEARCH_EXACT : 0;
		ASSERT_LE(0, vexfs_search(fd, NQ, DIM, queries, &opts, khits,
					  knhits));
		for (int q = 0; q < NQ; q++) {
			struct vx_collection *c =
				vx_db_get_collection(udb, "p", 1);

			ASSERT_EQ(0, vx_collection_search(
					     c, queries + q * DIM, 1, K, 0, 0,
					     opts.flags, uhits, &unhits));
			vx_db_put_collection(udb, c);
			ASSERT_EQ(unhits, knhits[q]);
			for (uint32_t h = 0; h < unhits; h++) {
				uint32_t kbits;

				memcpy(&kbits, &khits[q * K + h].score, 4);
				EXPECT_EQ(uhits[h].id.num,
					  khits[q * K + h].id.num);
				EXPECT_EQ(uhits[h].score_bits, kbits);
			}
		}
	}
	close(fd);
	ASSERT_EQ(0, vxt_down(vx));
	vx_db_close(udb, false);
	vx_db_free(udb);
	crashdev_free(dev);
}

TEST(cosine_kernel_and_userspace_agree)
{
	compare(_metadata, VEXFS_DISTANCE_COSINE);
}

TEST(euclid_kernel_and_userspace_agree)
{
	compare(_metadata, VEXFS_DISTANCE_EUCLID);
}

TEST(dot_kernel_and_userspace_agree)
{
	compare(_metadata, VEXFS_DISTANCE_DOT);
}

TEST_HARNESS_MAIN
