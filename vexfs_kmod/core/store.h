/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The storage engine: a mounted VexFS device. It keeps an in-memory state
 * machine (the database, db.h) durable with a write-ahead log of its
 * operations and periodic checkpoints of its whole state.
 *
 * Mount: the newest valid superblock slot, its checkpoint (loaded into the
 * state machine), then the WAL replayed from the position the superblock
 * names, up to the first torn, stale or corrupt frame.
 *
 * Write: vx_store_begin(); vx_store_log() the operation and apply it to
 * memory, under the caller's own ordering lock; vx_store_end(); then
 * vx_store_wait() for durability before acknowledging. Concurrent writers
 * share flushes (group commit, wal.h).
 *
 * Checkpoint: writers are held off (the freeze lock) while the state is
 * streamed to free space in the data area after the live checkpoint; one
 * superblock write in the other slot makes it live and frees the WAL
 * before it. Readers (searches) are never held off by the store.
 */
#ifndef VEXFS_CORE_STORE_H
#define VEXFS_CORE_STORE_H

#include "shim.h"
#include "bdev.h"
#include "format.h"
#include "wal.h"

struct vx_ckpt_writer;
struct vx_ckpt_reader;

int vx_ckpt_put(struct vx_ckpt_writer *w, const void *p, size_t n);
int vx_ckpt_get(struct vx_ckpt_reader *r, void *p, size_t n);
/* Bytes of the stream not yet read. */
u64 vx_ckpt_remaining(const struct vx_ckpt_reader *r);

/* The state machine the store keeps durable. */
struct vx_sm_ops {
	/* Apply one logged operation (at replay; callers apply their own). */
	int (*apply)(void *sm, const void *rec, u32 len);
	/* Stream the whole state; exactly save_bytes() bytes. */
	int (*save)(void *sm, struct vx_ckpt_writer *w);
	u64 (*save_bytes)(void *sm);
	/* Load a saved state into the (empty) state machine. */
	int (*load)(void *sm, struct vx_ckpt_reader *r);
};

struct vx_store_stats {
	u64 replayed_frames; /* at mount */
	u64 checkpoints; /* since mount */
	u64 live_ckpt_blocks;
	u64 wal_bytes_used;
	u64 wal_bytes;
	u64 wal_wraps;
};

struct vx_store {
	struct vx_bdev *bd;
	struct vx_super_info sb; /* as last written */
	struct vx_wal wal;
	const struct vx_sm_ops *ops;
	void *sm;
	struct vx_rwlock
		freeze; /* writers read-hold it; checkpoints write-hold */
	struct vx_mutex ckpt_lock; /* one checkpoint at a time; guards below */
	u64 data_blocks;
	u64 live_rel, live_blocks; /* live checkpoint, relative to data_start */
	u64 checkpoints, replayed;
	bool read_only;
	void *sb_buf;
};

#define VX_STORE_RDONLY 1u

int vx_store_open(struct vx_bdev *bd, const struct vx_sm_ops *ops, void *sm,
		  u32 flags, struct vx_store **out, const char **why);
/* Checkpoint (unless read-only or @checkpoint is false) and free. */
int vx_store_close(struct vx_store *s, bool checkpoint);

static inline void vx_store_begin(struct vx_store *s)
{
	vx_read_lock(&s->freeze);
}

static inline void vx_store_end(struct vx_store *s)
{
	vx_read_unlock(&s->freeze);
}

/*
 * Log one operation (between begin and end). -ENOSPC: the WAL is full; the
 * caller ends, calls vx_store_checkpoint() and tries once more. -EROFS on a
 * read-only store.
 */
int vx_store_log(struct vx_store *s, const void *rec, u32 len, u64 *seq);
int vx_store_wait(struct vx_store *s, u64 seq);

/* Would a state of @state_bytes fit in the next checkpoint? */
bool vx_store_fits(struct vx_store *s, u64 state_bytes);
/* Bytes a checkpoint of any state may take at most (for statfs). */
u64 vx_store_capacity(const struct vx_store *s);

int vx_store_checkpoint(struct vx_store *s);
/* Everything logged so far is durable. */
int vx_store_sync(struct vx_store *s);
/* Checkpoint when the WAL is over @pct percent full. */
int vx_store_maybe_checkpoint(struct vx_store *s, u32 pct);

void vx_store_stats(struct vx_store *s, struct vx_store_stats *st);

/* fsck: read a checkpoint's stream without a store (checkpoint.c). */
int vx_ckpt_read(struct vx_bdev *bd, const struct vx_super_info *sb,
		 const struct vx_sm_ops *ops, void *sm, u64 *nr_blocks,
		 const char **why);

#endif /* VEXFS_CORE_STORE_H */
