/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A block device for crash tests (header-only, for unit tests).
 *
 * It keeps what is durable apart from what sits in the volatile write cache.
 * A flush makes the cache durable; a FUA write is durable at once. After
 * `crash_after` writes it loses power: that write and every unflushed write
 * before it are each dropped, kept, or torn at 512-byte granularity (a
 * random subset of their sectors lands), and every later I/O fails with
 * -EIO. crashdev_image() then gives what a reboot would read.
 */
#ifndef VEXFS_TEST_CRASHDEV_H
#define VEXFS_TEST_CRASHDEV_H

#include <unistd.h>

#include "bdev.h"
#include "format.h"

struct crash_write {
	u64 block;
	u8 *data; /* one block */
};

struct crashdev {
	struct vx_bdev bd;
	u8 *durable; /* nr_blocks blocks */
	u8 *view; /* what reads see: durable + cache */
	struct crash_write *cache;
	size_t nr_cache, cap_cache;
	u64 writes; /* write calls so far (one per block) */
	u64 flushes;
	u64 crash_after; /* 0: never */
	bool dead;
	u64 rng;
	u32 flush_delay_us; /* a flush takes this long, as on a real disk */
};

static inline u64 crashdev_rand(struct crashdev *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return d->rng;
}

static inline struct crashdev *to_crashdev(struct vx_bdev *bd)
{
	return (struct crashdev *)bd;
}

/* Power loss: each cached write is dropped, kept or torn. */
static inline void crashdev_lose_power(struct crashdev *d)
{
	for (size_t i = 0; i < d->nr_cache; i++) {
		struct crash_write *w = &d->cache[i];
		u8 *dst = d->durable + w->block * VX_BLOCK_SIZE;

		switch (crashdev_rand(d) % 3) {
		case 0: /* dropped */
			break;
		case 1: /* landed */
			memcpy(dst, w->data, VX_BLOCK_SIZE);
			break;
		default: /* torn: some sectors landed */
			for (u32 s = 0; s < VX_BLOCK_SIZE / 512; s++)
				if (crashdev_rand(d) & 1)
					memcpy(dst + s * 512, w->data + s * 512,
					       512);
		}
		free(w->data);
	}
	d->nr_cache = 0;
	d->dead = true;
}

static int crashdev_read(struct vx_bdev *bd, u64 block, u32 nr, void *buf)
{
	struct crashdev *d = to_crashdev(bd);

	if (d->dead)
		return -EIO;
	memcpy(buf, d->view + block * VX_BLOCK_SIZE,
	       (size_t)nr * VX_BLOCK_SIZE);
	return 0;
}

static int crashdev_flush(struct vx_bdev *bd)
{
	struct crashdev *d = to_crashdev(bd);

	if (d->dead)
		return -EIO;
	if (d->flush_delay_us)
		usleep(d->flush_delay_us);
	for (size_t i = 0; i < d->nr_cache; i++) {
		memcpy(d->durable + d->cache[i].block * VX_BLOCK_SIZE,
		       d->cache[i].data, VX_BLOCK_SIZE);
		free(d->cache[i].data);
	}
	d->nr_cache = 0;
	d->flushes++;
	return 0;
}

static int crashdev_write(struct vx_bdev *bd, u64 block, u32 nr,
			  const void *buf, u32 flags)
{
	struct crashdev *d = to_crashdev(bd);

	for (u32 i = 0; i < nr; i++) {
		const u8 *src = (const u8 *)buf + (size_t)i * VX_BLOCK_SIZE;
		struct crash_write *w;

		if (d->dead)
			return -EIO;
		if (d->nr_cache == d->cap_cache) {
			d->cap_cache = d->cap_cache ? 2 * d->cap_cache : 64;
			d->cache = realloc(d->cache,
					   d->cap_cache * sizeof(*d->cache));
		}
		w = &d->cache[d->nr_cache++];
		w->block = block + i;
		w->data = malloc(VX_BLOCK_SIZE);
		memcpy(w->data, src, VX_BLOCK_SIZE);
		memcpy(d->view + (block + i) * VX_BLOCK_SIZE, src,
		       VX_BLOCK_SIZE);
		d->writes++;
		if (d->crash_after && d->writes == d->crash_after) {
			crashdev_lose_power(d);
			return -EIO;
		}
	}
	if (flags & VX_BDEV_FUA) {
		/* Only this write is forced out; model it as a flush of it. */
		for (size_t i = 0; i < d->nr_cache; i++) {
			struct crash_write *w = &d->cache[i];

			if (w->block >= block && w->block < block + nr)
				memcpy(d->durable + w->block * VX_BLOCK_SIZE,
				       w->data, VX_BLOCK_SIZE);
		}
	}
	return 0;
}

static const struct vx_bdev_ops crashdev_ops = {
	.read = crashdev_read,
	.write = crashdev_write,
	.flush = crashdev_flush,
};

/* A device of @blocks blocks; @image (or zeros) as its durable content. */
static inline struct crashdev *crashdev_new(u64 blocks, const u8 *image,
					    u64 seed)
{
	struct crashdev *d = calloc(1, sizeof(*d));

	d->bd.ops = &crashdev_ops;
	d->bd.nr_blocks = blocks;
	d->durable = calloc(blocks, VX_BLOCK_SIZE);
	d->view = calloc(blocks, VX_BLOCK_SIZE);
	if (image) {
		memcpy(d->durable, image, blocks * VX_BLOCK_SIZE);
		memcpy(d->view, image, blocks * VX_BLOCK_SIZE);
	}
	d->rng = seed | 1;
	return d;
}

/* What survives: the durable blocks (after power loss, if any). */
static inline const u8 *crashdev_image(struct crashdev *d)
{
	return d->durable;
}

static inline void crashdev_free(struct crashdev *d)
{
	for (size_t i = 0; i < d->nr_cache; i++)
		free(d->cache[i].data);
	free(d->cache);
	free(d->durable);
	free(d->view);
	free(d);
}

/* mkfs on a crashdev: slot A written and durable. */
static inline int crashdev_mkfs(struct crashdev *d, u64 wal_blocks)
{
	struct vx_mkfs_params p = { .total_blocks = d->bd.nr_blocks,
				    .wal_blocks = wal_blocks,
				    .uuid = { 0x1234, 0x5678 } };
	struct vx_disk_super ds;
	const char *why;
	int err = vx_super_format(&ds, &p, &why);

	if (err)
		return err;
	memcpy(d->durable + VX_SB_SLOT_A * VX_BLOCK_SIZE, &ds, sizeof(ds));
	memcpy(d->view + VX_SB_SLOT_A * VX_BLOCK_SIZE, &ds, sizeof(ds));
	return 0;
}

#endif /* VEXFS_TEST_CRASHDEV_H */
