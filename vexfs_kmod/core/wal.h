/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Write-ahead log: append, group commit and replay. The frame format is in
 * format.h.
 *
 * Writers call vx_wal_append() in the order their operations must replay
 * (the caller's locks give that order), then vx_wal_wait() outside those
 * locks. The first waiter to find no I/O in flight becomes the leader: it
 * writes every frame appended so far and flushes once, for everyone. So many
 * concurrent writers share one flush, and a write is acknowledged only
 * after its frame is durable.
 */
#ifndef VEXFS_CORE_WAL_H
#define VEXFS_CORE_WAL_H

#include "shim.h"
#include "bdev.h"
#include "format.h"

/* Where the log continues: the next frame's sequence, offset and chain. */
struct vx_wal_pos {
	u64 seq;
	u64 off; /* byte offset in the ring, VX_WAL_ALIGN aligned */
	u32 prev; /* hdr_crc of the frame before it */
};

struct vx_wal {
	struct vx_bdev *bd;
	u64 start_block; /* first block of the ring on the device */
	u64 size; /* ring bytes */
	u16 salt;

	struct vx_mutex lock; /* everything below */
	struct vx_waitq done; /* durable_seq moved, or I/O finished */
	struct vx_wal_pos head; /* where the next appended frame goes */
	u64 tail; /* offset of the oldest byte still needed (replay start) */
	u64 used; /* bytes from tail to head around the ring */
	u64 durable_seq; /* frames with seq < durable_seq are durable */

	/* Frames appended but not written yet. */
	u8 *pend;
	size_t pend_len, pend_cap;
	u64 pend_off; /* ring offset of pend[0] */
	size_t pend_wrap; /* pend[pend_wrap..] goes to offset 0; 0: no wrap */
	u64 pend_last_seq; /* seq of the last frame in pend */
	u8 *spare; /* the other batch buffer: appends fill one while the */
	size_t spare_cap; /* leader writes the other, no allocation */
	bool writing; /* a leader is doing I/O */
	int error; /* sticky: after an I/O error nothing more is written */
	u64 wraps; /* times the head went round the ring */

	/* The block holding head, as on disk, so a partial block is rewritten whole. */
	u8 *tail_block;
	u8 *iobuf;
	size_t iobuf_cap;
};

/* Bytes one frame with a @len-byte body takes in the ring. */
static inline u64 vx_wal_frame_bytes(u32 len)
{
	return VX_ALIGN_UP((u64)sizeof(struct vx_wal_frame) + len,
			   (u64)VX_WAL_ALIGN);
}

u16 vx_wal_salt(const u64 uuid[2]);

/*
 * Replay from @pos, calling @apply for every valid operation frame in order,
 * until the first torn, stale or corrupt frame. On return @pos is where the
 * log continues. An @apply error stops replay and is returned.
 */
typedef int (*vx_wal_apply_fn)(void *ctx, u64 seq, const void *body, u32 len);
int vx_wal_replay(struct vx_bdev *bd, u64 start_block, u64 size, u16 salt,
		  struct vx_wal_pos *pos, vx_wal_apply_fn apply, void *ctx,
		  u64 *nr_frames);

/* Start appending at @pos (from replay); @tail is the replay start offset. */
int vx_wal_init(struct vx_wal *wal, struct vx_bdev *bd, u64 start_block,
		u64 size, u16 salt, const struct vx_wal_pos *pos, u64 tail);
void vx_wal_destroy(struct vx_wal *wal);

/*
 * Append one operation frame; returns its sequence in *@seq. -ENOSPC: the
 * ring is full until a checkpoint moves the tail. -E2BIG: larger than any
 * frame may be. Does no I/O.
 */
int vx_wal_append(struct vx_wal *wal, const void *body, u32 len, u64 *seq);

/* Wait until frame @seq is durable (writing it if no one else is). */
int vx_wal_wait(struct vx_wal *wal, u64 seq);

/* Make everything appended so far durable; report where the log is. */
int vx_wal_sync(struct vx_wal *wal, struct vx_wal_pos *pos);

/* A checkpoint now holds everything before @pos: free the ring up to it. */
void vx_wal_release(struct vx_wal *wal, const struct vx_wal_pos *pos);

/* Largest body vx_wal_append() accepts on this ring. */
u32 vx_wal_max_body(const struct vx_wal *wal);

/* Bytes in use, for checkpoint triggers. */
static inline u64 vx_wal_used(struct vx_wal *wal)
{
	u64 used;

	vx_mutex_lock(&wal->lock);
	used = wal->used;
	vx_mutex_unlock(&wal->lock);
	return used;
}

#endif /* VEXFS_CORE_WAL_H */
