// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mount arbitrary images. A hostile image must be refused
 * or mounted, never crash or read out of bounds.
 *
 * The device has a fixed small geometry; the input supplies the regions a
 * mount reads: both superblock slots, the head of the WAL and the head of
 * the data area (where the first checkpoints go). Built with
 * -DVX_FUZZ_SEEDGEN it is instead a program that writes seed inputs made
 * from real filesystems (mkfs, a workload, checkpoints) to a directory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "distance.h"

#define DEV_BLOCKS 640u
#define WAL_BLOCKS VX_MIN_WAL_BLOCKS
#define DATA_START (VX_WAL_START + WAL_BLOCKS)
#define SB_BYTES (2u * VX_BLOCK_SIZE)
#define WAL_HEAD_BLOCKS 16u
#define DATA_HEAD_BLOCKS 16u
#define INPUT_MAX \
	(SB_BYTES + (WAL_HEAD_BLOCKS + DATA_HEAD_BLOCKS) * VX_BLOCK_SIZE)

struct memdev {
	struct vx_bdev bd;
	u8 *blocks;
};

static int mem_read(struct vx_bdev *bd, u64 block, u32 nr, void *buf)
{
	memcpy(buf, ((struct memdev *)bd)->blocks + block * VX_BLOCK_SIZE,
	       (size_t)nr * VX_BLOCK_SIZE);
	return 0;
}

static int mem_write(struct vx_bdev *bd, u64 block, u32 nr, const void *buf,
		     u32 flags)
{
	memcpy(((struct memdev *)bd)->blocks + block * VX_BLOCK_SIZE, buf,
	       (size_t)nr * VX_BLOCK_SIZE);
	return 0;
}

static int mem_flush(struct vx_bdev *bd)
{
	return 0;
}

static const struct vx_bdev_ops mem_ops = { mem_read, mem_write, mem_flush };

/* One device, reused: a fresh zeroed device per input costs too much. */
static struct memdev *memdev_new(void)
{
	static struct memdev m;

	if (!m.blocks)
		m.blocks = malloc((size_t)DEV_BLOCKS * VX_BLOCK_SIZE);
	memset(m.blocks, 0, (size_t)DEV_BLOCKS * VX_BLOCK_SIZE);
	m.bd.ops = &mem_ops;
	m.bd.nr_blocks = DEV_BLOCKS;
	return &m;
}

static void memdev_free(struct memdev *m)
{
}

/* Input layout <-> device regions. */
static void input_to_dev(const u8 *in, size_t len, struct memdev *m)
{
	size_t n = len < SB_BYTES ? len : SB_BYTES;

	memcpy(m->blocks + VX_SB_SLOT_A * VX_BLOCK_SIZE, in, n);
	in += n;
	len -= n;
	n = len < WAL_HEAD_BLOCKS * VX_BLOCK_SIZE ?
		    len :
		    WAL_HEAD_BLOCKS * VX_BLOCK_SIZE;
	memcpy(m->blocks + VX_WAL_START * VX_BLOCK_SIZE, in, n);
	in += n;
	len -= n;
	n = len < DATA_HEAD_BLOCKS * VX_BLOCK_SIZE ?
		    len :
		    DATA_HEAD_BLOCKS * VX_BLOCK_SIZE;
	memcpy(m->blocks + DATA_START * VX_BLOCK_SIZE, in, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct memdev *m;
	struct vx_db *db;
	const char *why = NULL;

	if (!init) {
		vx_dist_init();
		init = true;
	}
	if (size > INPUT_MAX)
		return 0;
	m = memdev_new();
	input_to_dev(data, size, m);
	db = vx_db_new();
	if (vx_db_open(db, &m->bd, 0, &why) == 0) {
		/* Mounted: it must also take a checkpoint and a remount. */
		struct vx_db *again = vx_db_new();

		if (vx_db_close(db, true) == 0 &&
		    vx_db_open(again, &m->bd, 0, &why) != 0)
			__builtin_trap(); /* our own checkpoint must mount */
		vx_db_close(again, false);
		vx_db_free(again);
	} else if (!why) {
		__builtin_trap(); /* every refusal gives a reason */
	}
	vx_db_free(db);
	memdev_free(m);
	return 0;
}

#ifdef VX_FUZZ_SEEDGEN
static void dump(struct memdev *m, const char *dir, int n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02d", dir, n);
	f = fopen(path, "wb");
	if (!f)
		exit(1);
	fwrite(m->blocks + VX_SB_SLOT_A * VX_BLOCK_SIZE, 1, SB_BYTES, f);
	fwrite(m->blocks + VX_WAL_START * VX_BLOCK_SIZE, 1,
	       WAL_HEAD_BLOCKS * VX_BLOCK_SIZE, f);
	fwrite(m->blocks + DATA_START * VX_BLOCK_SIZE, 1,
	       DATA_HEAD_BLOCKS * VX_BLOCK_SIZE, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	struct vx_mkfs_params p = { .total_blocks = DEV_BLOCKS,
				    .wal_blocks = WAL_BLOCKS,
				    .uuid = { 3, 4 } };
	struct vexfs_collection_config cfg = {
		.dim = 4, .distance = VEXFS_DISTANCE_COSINE
	};
	struct memdev *m = memdev_new();
	struct vx_db *db = vx_db_new();
	const char *why;
	float vec[4] = { 1, 2, 3, 4 };
	u8 payload[40] = { 0xa1, 0x61, 0x61, 0x01 }; /* {"a": 1} */
	int n = 0;

	if (argc != 2)
		return 2;
	vx_dist_init();
	vx_super_format((struct vx_disk_super *)(m->blocks + VX_BLOCK_SIZE), &p,
			&why);
	dump(m, argv[1], n++); /* fresh mkfs */
	if (vx_db_open(db, &m->bd, 0, &why))
		return 1;
	vx_db_create_collection(db, "seed", 4, &cfg);
	for (u64 i = 0; i < 12; i++) {
		struct vx_point_in in = { .id = { .kind = VEXFS_ID_NUM,
						  .num = i },
					  .vec = vec,
					  .payload = payload,
					  .payload_len = i % 3 ? 4 : 0 };

		vec[0] = (float)i;
		vx_db_upsert(db, "seed", 4, &in, 1);
		if (i == 5)
			dump(m, argv[1], n++); /* WAL only */
	}
	vx_store_checkpoint(db->store);
	dump(m, argv[1], n++); /* checkpoint */
	for (u64 i = 0; i < 4; i++) {
		struct vexfs_point_id id = { .kind = VEXFS_ID_NUM, .num = i };

		vx_db_delete(db, "seed", 4, &id, 1, NULL);
	}
	dump(m, argv[1], n++); /* checkpoint + WAL */
	vx_db_close(db, true);
	dump(m, argv[1], n++); /* two checkpoints */
	vx_db_free(db);
	memdev_free(m);
	return 0;
}
#endif
