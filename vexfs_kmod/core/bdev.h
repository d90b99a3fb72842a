/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The block device as the storage engine sees it: whole 4 KiB blocks, a
 * write that may ask for FUA, and a cache flush. Hosts implement the ops:
 * bios in the kernel (vexfs_kmod/bio.c), pread/pwrite/fdatasync on an image
 * file or device in userspace (core/user/bdev_file.c), and the unit tests a
 * device that records writes and can lose power (tests/unit/crashdev.c).
 */
#ifndef VEXFS_CORE_BDEV_H
#define VEXFS_CORE_BDEV_H

#include "shim.h"

#define VX_BDEV_FUA 1u /* durable when the write completes */

struct vx_bdev;

struct vx_bdev_ops {
	int (*read)(struct vx_bdev *bd, u64 block, u32 nr, void *buf);
	int (*write)(struct vx_bdev *bd, u64 block, u32 nr, const void *buf,
		     u32 flags);
	int (*flush)(struct vx_bdev *bd);
};

struct vx_bdev {
	const struct vx_bdev_ops *ops;
	u64 nr_blocks;
};

static inline int vx_bdev_read(struct vx_bdev *bd, u64 block, u32 nr, void *buf)
{
	if (block > bd->nr_blocks || nr > bd->nr_blocks - block)
		return -EIO;
	return bd->ops->read(bd, block, nr, buf);
}

static inline int vx_bdev_write(struct vx_bdev *bd, u64 block, u32 nr,
				const void *buf, u32 flags)
{
	if (block > bd->nr_blocks || nr > bd->nr_blocks - block)
		return -EIO;
	return bd->ops->write(bd, block, nr, buf, flags);
}

static inline int vx_bdev_flush(struct vx_bdev *bd)
{
	return bd->ops->flush(bd);
}

#ifndef __KERNEL__
/* Userspace host: an image file or a block device. */
int vx_bdev_file_open(const char *path, bool writable, struct vx_bdev **out);
void vx_bdev_file_close(struct vx_bdev *bd);
#endif

#endif /* VEXFS_CORE_BDEV_H */
