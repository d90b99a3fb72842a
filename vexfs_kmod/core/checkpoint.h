/* SPDX-License-Identifier: GPL-2.0 */
/* Checkpoint stream writer, used by the store (store.c) and by tests. */
#ifndef VEXFS_CORE_CHECKPOINT_H
#define VEXFS_CORE_CHECKPOINT_H

#include "store.h"

struct vx_ckpt_writer {
	struct vx_bdev *bd;
	u64 data_start, data_blocks;
	u64 rel; /* run start in the data-area ring: the root */
	u64 max_blocks; /* run length available, root included */
	u64 generation;
	u64 blocks; /* stream blocks sealed */
	u64 bytes; /* stream bytes put */
	u8 *buf; /* a batch of stream blocks */
	u32 in_buf; /* sealed blocks in buf */
	size_t used; /* payload bytes in the block being filled */
};

int vx_ckpt_writer_init(struct vx_ckpt_writer *w, struct vx_bdev *bd,
			u64 data_start, u64 data_blocks, u64 rel,
			u64 max_blocks, u64 generation);
void vx_ckpt_writer_destroy(struct vx_ckpt_writer *w);
int vx_ckpt_finish(struct vx_ckpt_writer *w, u64 wal_seq, u64 now_ns,
		   u64 *nr_blocks);
u32 vx_ckpt_root_crc(const struct vx_ckpt_root *root);

/* Blocks a checkpoint of @bytes takes, root included. */
static inline u64 vx_ckpt_blocks_for(u64 bytes)
{
	return 1 + VX_DIV_ROUND_UP(bytes, (u64)VX_CKPT_PAYLOAD);
}

#endif /* VEXFS_CORE_CHECKPOINT_H */
