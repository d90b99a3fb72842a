// SPDX-License-Identifier: GPL-2.0
/*
 * The storage engine's block device (core/bdev.h) over bios.
 *
 * Engine buffers come from kvmalloc and may be vmalloc memory or, under
 * slub_debug, not even sector aligned, so I/O goes through pages of our own:
 * the data is copied in (writes) or out (reads). Writes with VX_BDEV_FUA
 * carry REQ_FUA; a flush is an empty REQ_PREFLUSH bio.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include "vexfs.h"

#define VEXFS_BIO_PAGES 64u /* blocks per bio */

static struct vexfs_bdev *to_vbd(struct vx_bdev *bd)
{
	return container_of(bd, struct vexfs_bdev, bd);
}

/* One bio of at most VEXFS_BIO_PAGES blocks. */
static int vexfs_bio_rw(struct vexfs_bdev *vbd, u64 block, u32 nr, void *buf,
			blk_opf_t opf)
{
	bool write = op_is_write(opf);
	struct page *pages[VEXFS_BIO_PAGES];
	struct bio *bio;
	u32 i, got = 0;
	int err;

	bio = bio_alloc(vbd->bdev, nr, opf, GFP_NOIO);
	bio->bi_iter.bi_sector = block << (VX_BLOCK_SHIFT - SECTOR_SHIFT);
	for (i = 0; i < nr; i++) {
		pages[i] = alloc_page(GFP_NOIO);
		if (!pages[i]) {
			err = -ENOMEM;
			goto out;
		}
		got++;
		if (write)
			memcpy_to_page(pages[i], 0,
				       (u8 *)buf + (size_t)i * VX_BLOCK_SIZE,
				       VX_BLOCK_SIZE);
		if (bio_add_page(bio, pages[i], VX_BLOCK_SIZE, 0) !=
		    VX_BLOCK_SIZE) {
			err = -EIO;
			goto out;
		}
	}
	err = submit_bio_wait(bio);
	if (!err && !write)
		for (i = 0; i < nr; i++)
			memcpy_from_page((u8 *)buf + (size_t)i * VX_BLOCK_SIZE,
					 pages[i], 0, VX_BLOCK_SIZE);
out:
	bio_put(bio);
	for (i = 0; i < got; i++)
		__free_page(pages[i]);
	if (err)
		pr_err_ratelimited(
			"vexfs: %s of %u blocks at %llu failed: %d\n",
			write ? "write" : "read", nr, block, err);
	return err;
}

static int vexfs_bdev_io(struct vx_bdev *bd, u64 block, u32 nr, void *buf,
			 blk_opf_t opf)
{
	struct vexfs_bdev *vbd = to_vbd(bd);

	while (nr) {
		u32 n = min(nr, VEXFS_BIO_PAGES);
		/* FUA only on the last bio: the caller wants it all durable. */
		blk_opf_t f = (n == nr) ? opf : (opf & ~REQ_FUA);
		int err = vexfs_bio_rw(vbd, block, n, buf, f);

		if (err)
			return err;
		block += n;
		nr -= n;
		buf = (u8 *)buf + (size_t)n * VX_BLOCK_SIZE;
	}
	return 0;
}

static int vexfs_bdev_read(struct vx_bdev *bd, u64 block, u32 nr, void *buf)
{
	return vexfs_bdev_io(bd, block, nr, buf, REQ_OP_READ);
}

static int vexfs_bdev_write(struct vx_bdev *bd, u64 block, u32 nr,
			    const void *buf, u32 flags)
{
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC;
	int err;

	if (flags & VX_BDEV_FUA)
		opf |= REQ_FUA;
	err = vexfs_bdev_io(bd, block, nr, (void *)buf, opf);
	/* FUA on earlier bios was dropped: make all of them durable. */
	if (!err && (flags & VX_BDEV_FUA) && nr > VEXFS_BIO_PAGES)
		err = blkdev_issue_flush(to_vbd(bd)->bdev);
	return err;
}

static int vexfs_bdev_flush(struct vx_bdev *bd)
{
	return blkdev_issue_flush(to_vbd(bd)->bdev);
}

static const struct vx_bdev_ops vexfs_bdev_ops = {
	.read = vexfs_bdev_read,
	.write = vexfs_bdev_write,
	.flush = vexfs_bdev_flush,
};

void vexfs_bdev_init(struct vexfs_bdev *vbd, struct block_device *bdev)
{
	vbd->bdev = bdev;
	vbd->bd.ops = &vexfs_bdev_ops;
	vbd->bd.nr_blocks = bdev_nr_sectors(bdev) >>
			    (VX_BLOCK_SHIFT - SECTOR_SHIFT);
}
