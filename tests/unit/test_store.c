// SPDX-License-Identifier: GPL-2.0
/*
 * Storage engine behaviour beyond crashes: a full device, persistence of a
 * large collection through an image file, group commit under concurrent
 * writers, and corruption of every structure type.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "db.h"
#include "distance.h"
#include "vxtest.h"
#include "crashdev.h"
#include "cbor_payload.h"

static struct vexfs_collection_config cfg_of(u32 dim, u32 dist)
{
	struct vexfs_collection_config cfg = { .dim = dim, .distance = dist };

	return cfg;
}

static int upsert_one(struct vx_db *db, const char *coll, u64 id, u32 dim,
		      u32 plen, u8 fill)
{
	float vec[128];
	static u8 payload[VEXFS_PAYLOAD_MAX];
	struct vx_point_in in = { .id = { .kind = VEXFS_ID_NUM, .num = id },
				  .vec = vec,
				  .payload = payload };

	for (u32 d = 0; d < dim; d++)
		vec[d] = (float)(id % 97) + (float)d;
	in.payload_len = make_payload(payload, plen, fill);
	return vx_db_upsert(db, coll, (u32)strlen(coll), &in, 1);
}

static u64 count_of(struct vx_db *db, const char *coll)
{
	struct vx_collection *c =
		vx_db_get_collection(db, coll, (u32)strlen(coll));
	u64 n;

	if (!c)
		return ~0ULL;
	n = vx_collection_count(c);
	vx_db_put_collection(db, c);
	return n;
}

/* Fill the device: ENOSPC, nothing acknowledged lost, deletes free space. */
VX_TEST(full_device_enospc_and_reuse)
{
	struct crashdev *d = crashdev_new(1024, NULL, 3), *d2;
	struct vexfs_collection_config cfg = cfg_of(16, VEXFS_DISTANCE_DOT);
	struct vx_db *db = vx_db_new();
	struct vexfs_point_id id = { .kind = VEXFS_ID_NUM };
	const char *why;
	u64 acked = 0;
	int err = 0;

	VX_ASSERT_EQ(crashdev_mkfs(d, VX_MIN_WAL_BLOCKS), 0);
	VX_ASSERT_EQ(vx_db_open(db, &d->bd, 0, &why), 0);
	VX_ASSERT_EQ(vx_db_create_collection(db, "c", 1, &cfg), 0);
	/* 16 KiB payloads: ~760 data blocks hold well under 200 of them. */
	while (acked < 10000) {
		err = upsert_one(db, "c", acked, 16, 16384, (u8)acked);
		if (err)
			break;
		acked++;
	}
	VX_ASSERT_EQ(err, -ENOSPC);
	VX_ASSERT(acked > 20);
	VX_ASSERT_EQ(count_of(db, "c"), acked);
	/* Still full, still refusing, nothing broken. */
	VX_ASSERT_EQ(upsert_one(db, "c", 999999, 16, 16384, 1), -ENOSPC);
	/* Deleting frees space for new data. */
	for (u64 i = 0; i < acked / 2; i++) {
		id.num = i;
		VX_ASSERT_EQ(vx_db_delete(db, "c", 1, &id, 1, NULL), 0);
	}
	VX_ASSERT_EQ(upsert_one(db, "c", 999999, 16, 16384, 1), 0);
	VX_ASSERT_EQ(vx_db_close(db, true), 0);
	vx_db_free(db);

	/* Everything acknowledged survives a remount. */
	d2 = crashdev_new(1024, crashdev_image(d), 1);
	db = vx_db_new();
	VX_ASSERT_EQ(vx_db_open(db, &d2->bd, 0, &why), 0);
	VX_ASSERT_EQ(count_of(db, "c"), acked - acked / 2 + 1);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d2);
	crashdev_free(d);
}

/* A large collection through a real image file and the file block device. */
VX_TEST(persistence_round_trip_100k_points_128d)
{
	enum { N = 100000, DIM = 128 };
	char path[] = "/tmp/vexfs-test-XXXXXX";
	struct vexfs_collection_config cfg = cfg_of(DIM, VEXFS_DISTANCE_EUCLID);
	struct vx_mkfs_params p = { .total_blocks = 65536, .uuid = { 7, 8 } };
	struct vx_point_in *in = calloc(1024, sizeof(*in));
	float *vecs = malloc(sizeof(float) * DIM * 1024);
	static u8 payload[1024][24];
	struct vx_disk_super ds;
	struct vx_bdev *bd;
	struct vx_db *db;
	const char *why;
	int fd = mkstemp(path);

	VX_ASSERT(fd >= 0);
	VX_ASSERT_EQ(ftruncate(fd, (off_t)p.total_blocks * VX_BLOCK_SIZE), 0);
	VX_ASSERT_EQ(vx_super_format(&ds, &p, &why), 0);
	VX_ASSERT_EQ(pwrite(fd, &ds, sizeof(ds), VX_BLOCK_SIZE),
		     (ssize_t)sizeof(ds));
	close(fd);

	VX_ASSERT_EQ(vx_bdev_file_open(path, true, &bd), 0);
	db = vx_db_new();
	VX_ASSERT_EQ(vx_db_open(db, bd, 0, &why), 0);
	VX_ASSERT_EQ(vx_db_create_collection(db, "big", 3, &cfg), 0);
	for (u32 base = 0; base < N; base += 1024) {
		u32 n = min(1024u, N - base);

		for (u32 i = 0; i < n; i++) {
			for (u32 d = 0; d < DIM; d++)
				vecs[i * DIM + d] =
					(float)((base + i) * 31 + d);
			in[i].id.kind = VEXFS_ID_NUM;
			in[i].id.num = base + i;
			in[i].vec = vecs + i * DIM;
			in[i].payload_len =
				make_payload(payload[i], sizeof(payload[i]), 0);
			payload[i][5] = (u8)('a' + (base + i) % 26);
			in[i].payload = payload[i];
		}
		VX_ASSERT_EQ(vx_db_upsert(db, "big", 3, in, n), 0);
	}
	VX_ASSERT_EQ(vx_db_close(db, true), 0);
	vx_db_free(db);
	vx_bdev_file_close(bd);

	VX_ASSERT_EQ(vx_bdev_file_open(path, false, &bd), 0);
	db = vx_db_new();
	VX_ASSERT_EQ(vx_db_open(db, bd, VX_STORE_RDONLY, &why), 0);
	{
		struct vx_collection *c = vx_db_get_collection(db, "big", 3);

		VX_ASSERT(c != NULL);
		VX_ASSERT_EQ(vx_collection_count(c), N);
		for (u32 i = 0; i < N; i += 997) {
			struct vexfs_point_id id = { .kind = VEXFS_ID_NUM,
						     .num = i };
			struct vx_point *pt = vx_pointmap_get(&c->points, &id);

			VX_ASSERT(pt != NULL);
			VX_ASSERT(vx_point_vec(pt)[5] == (float)(i * 31 + 5));
			VX_ASSERT_EQ(pt->payload_len, sizeof(payload[0]));
			VX_ASSERT_EQ(vx_point_payload(pt)[5],
				     (u8)('a' + i % 26));
		}
		vx_db_put_collection(db, c);
	}
	/* Read-only: writes are refused, nothing is written at close. */
	VX_ASSERT_EQ(upsert_one(db, "big", 1, DIM, 0, 0), -EROFS);
	vx_db_close(db, true);
	vx_db_free(db);
	vx_bdev_file_close(bd);
	unlink(path);
	free(in);
	free(vecs);
}

/* Many writers at once share flushes, and all of their writes land. */
struct writer_arg {
	struct vx_db *db;
	u32 first, n;
	int err;
};

static void *writer(void *p)
{
	struct writer_arg *a = p;

	for (u32 i = 0; i < a->n && !a->err; i++)
		a->err = upsert_one(a->db, "w", a->first + i, 8, 100, 1);
	return NULL;
}

VX_TEST(group_commit_shares_flushes)
{
	enum { THREADS = 8, EACH = 200 };
	struct crashdev *d = crashdev_new(4096, NULL, 5);
	struct vexfs_collection_config cfg = cfg_of(8, VEXFS_DISTANCE_EUCLID);
	struct vx_db *db = vx_db_new();
	struct writer_arg args[THREADS];
	pthread_t th[THREADS];
	const char *why;
	u64 flushes;

	VX_ASSERT_EQ(crashdev_mkfs(d, 0), 0);
	VX_ASSERT_EQ(vx_db_open(db, &d->bd, 0, &why), 0);
	VX_ASSERT_EQ(vx_db_create_collection(db, "w", 1, &cfg), 0);
	flushes = d->flushes;
	d->flush_delay_us = 2000;
	for (int t = 0; t < THREADS; t++) {
		args[t] = (struct writer_arg){ db, (u32)t * EACH, EACH, 0 };
		pthread_create(&th[t], NULL, writer, &args[t]);
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		VX_ASSERT_EQ(args[t].err, 0);
	}
	VX_ASSERT_EQ(count_of(db, "w"), THREADS * EACH);
	printf("# %d acknowledged writes took %llu flushes\n", THREADS * EACH,
	       (unsigned long long)(d->flushes - flushes));
	/* With 8 writers waiting on a 2 ms flush, most flushes serve several. */
	VX_ASSERT(d->flushes - flushes < THREADS * EACH / 2);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

/*
 * Flip bits in every structure type of a used filesystem. Mount must refuse
 * with a reason, or come up with the state of some prefix of the history.
 */
#define HIST 40

static u64 state_sig(struct vx_db *db)
{
	struct vx_collection *c = vx_db_get_collection(db, "h", 1);
	u64 sig = 0, pos = 0;
	struct vx_point *p;

	if (!c)
		return 1;
	while ((p = vx_pointmap_next(&c->points, &pos)))
		sig += (p->id.num + 1) * 1000003ULL *
		       (u64)(vx_point_payload(p)[p->payload_len - 1] + 1);
	sig ^= vx_collection_count(c) << 48;
	vx_db_put_collection(db, c);
	return sig;
}

VX_TEST(bit_flips_in_every_structure)
{
	struct crashdev *d = crashdev_new(1024, NULL, 9);
	struct vexfs_collection_config cfg = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	struct vx_db *db = vx_db_new();
	struct vx_super_info sb;
	u64 sigs[HIST + 1], seed = 77;
	u64 targets[6];
	const char *why;
	int refused = 0, recovered = 0;

	VX_ASSERT_EQ(crashdev_mkfs(d, VX_MIN_WAL_BLOCKS), 0);
	VX_ASSERT_EQ(vx_db_open(db, &d->bd, 0, &why), 0);
	VX_ASSERT_EQ(vx_db_create_collection(db, "h", 1, &cfg), 0);
	for (u32 i = 0; i < 20; i++)
		VX_ASSERT_EQ(upsert_one(db, "h", i, 4, 300, (u8)i), 0);
	VX_ASSERT_EQ(vx_store_checkpoint(db->store), 0);
	sb = db->store->sb;
	sigs[0] = state_sig(db);
	for (u32 i = 0; i < HIST; i++) { /* these live in the WAL only */
		VX_ASSERT_EQ(upsert_one(db, "h", 100 + i, 4, 300, (u8)(i + 50)),
			     0);
		sigs[i + 1] = state_sig(db);
	}
	vx_db_close(db, false);
	vx_db_free(db);

	targets[0] = VX_SB_SLOT_A;
	targets[1] = VX_SB_SLOT_B;
	targets[2] = sb.checkpoint_block; /* root */
	targets[3] = sb.checkpoint_block + 1; /* first stream block */
	targets[4] = sb.wal_start + sb.wal_replay_off / VX_BLOCK_SIZE;
	targets[5] = targets[4] + 3;
	for (int trial = 0; trial < 600; trial++) {
		struct crashdev *c = crashdev_new(1024, crashdev_image(d), 1);
		u64 blk, bit;
		bool match = false;
		int err;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		blk = targets[(seed >> 33) % 6];
		bit = (seed >> 7) % (VX_BLOCK_SIZE * 8);
		c->durable[blk * VX_BLOCK_SIZE + bit / 8] ^=
			(u8)(1u << (bit % 8));
		memcpy(c->view, c->durable, 1024 * (size_t)VX_BLOCK_SIZE);

		db = vx_db_new();
		why = NULL;
		err = vx_db_open(db, &c->bd, 0, &why);
		if (err) {
			VX_ASSERT(why != NULL);
			refused++;
		} else {
			u64 s = state_sig(db);

			for (int k = 0; k <= HIST; k++)
				match |= s == sigs[k];
			if (!match)
				VX_FAIL("trial %d: block %llu bit %llu: state is no prefix",
					trial, (unsigned long long)blk,
					(unsigned long long)bit);
			recovered++;
			vx_db_close(db, false);
		}
		vx_db_free(db);
		crashdev_free(c);
	}
	printf("# 600 bit flips: %d refused with a reason, %d recovered a prefix\n",
	       refused, recovered);
	VX_ASSERT(refused > 0 && recovered > 0);
	crashdev_free(d);
}

struct count_ctx {
	u64 frames, bytes;
};

static int count_frame(void *ctx, u64 seq, const void *body, u32 len)
{
	struct count_ctx *c = ctx;

	c->frames++;
	c->bytes += len;
	return 0;
}

/*
 * Fill the WAL ring to the last byte it accepts, around the end and with
 * the head ending inside the tail's block: every frame must replay.
 * (A regression test: whole-block writes once clobbered the oldest frames.)
 */
VX_TEST(wal_filled_to_the_brim_replays_every_frame)
{
	struct crashdev *d = crashdev_new(512, NULL, 2);
	u64 size = 256 * VX_BLOCK_SIZE, rng = 3;
	struct vx_wal_pos start = { .seq = 1, .off = 0, .prev = 0 }, pos;
	static u8 body[3000];
	struct vx_wal wal;

	for (int round = 0; round < 4; round++) {
		struct count_ctx cnt = { 0 };
		u64 appended = 0, seq = 0;
		int err = 0;

		VX_ASSERT_EQ(vx_wal_init(&wal, &d->bd, 3, size, 0x55, &start,
					 start.off),
			     0);
		while (!err) {
			u32 len;

			rng = rng * 6364136223846793005ULL + 1;
			len = (u32)((rng >> 33) % sizeof(body));
			memset(body, (int)appended, len);
			err = vx_wal_append(&wal, body, len, &seq);
			if (!err)
				appended++;
		}
		VX_ASSERT_EQ(err, -ENOSPC);
		VX_ASSERT_EQ(vx_wal_sync(&wal, &pos), 0);
		VX_ASSERT(wal.used > size - 2 * VX_BLOCK_SIZE - 4096);
		vx_wal_destroy(&wal);

		pos = start;
		VX_ASSERT_EQ(vx_wal_replay(&d->bd, 3, size, 0x55, &pos,
					   count_frame, &cnt, NULL),
			     0);
		VX_ASSERT_EQ(cnt.frames, appended);
		/* Next round: the tail moves to where a checkpoint would put it,
		 * somewhere in the middle, so the ring wraps.
		 */
		start = pos;
		start.off = (pos.off + (rng >> 40) % size) &
			    ~(u64)(VX_WAL_ALIGN - 1);
		start.off %= size;
		/* a fresh position needs a fresh chain: nothing valid is there */
		start.prev = 0xdead0000u + (u32)round;
	}
	crashdev_free(d);
}

int main(void)
{
	vx_dist_init();
	return vx_run_tests();
}
