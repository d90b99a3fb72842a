// SPDX-License-Identifier: GPL-2.0
/* The storage engine: mount, recovery, logging and checkpoints (store.h). */
#include "store.h"
#include "checkpoint.h"

struct replay_ctx {
	struct vx_store *s;
};

static int replay_apply(void *ctx, u64 seq, const void *body, u32 len)
{
	struct vx_store *s = ctx;

	return s->ops->apply(s->sm, body, len);
}

/* Read both slots and load the newest valid superblock. */
static int load_super(struct vx_store *s, const char **why)
{
	u8 *two = vx_alloc(2 * VX_BLOCK_SIZE);
	int err;

	if (!two)
		return -ENOMEM;
	err = vx_bdev_read(s->bd, VX_SB_SLOT_A, 2, two);
	if (err)
		*why = "cannot read the superblocks";
	else
		err = vx_super_pick(two, two + VX_BLOCK_SIZE, s->bd->nr_blocks,
				    &s->sb, why);
	vx_free(two);
	return err;
}

int vx_store_open(struct vx_bdev *bd, const struct vx_sm_ops *ops, void *sm,
		  u32 flags, struct vx_store **out, const char **why)
{
	struct vx_wal_pos pos;
	struct vx_store *s;
	u64 wal_bytes;
	int err;

	s = vx_zalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->bd = bd;
	s->ops = ops;
	s->sm = sm;
	s->read_only = flags & VX_STORE_RDONLY;
	s->sb_buf = vx_alloc(VX_BLOCK_SIZE);
	if (!s->sb_buf) {
		err = -ENOMEM;
		goto fail;
	}
	err = load_super(s, why);
	if (err)
		goto fail;
	if (s->sb.read_only && !s->read_only) {
		*why = "unknown ro_compat features: read-only only";
		err = -EROFS;
		goto fail;
	}
	s->data_blocks = s->sb.total_blocks - s->sb.data_start;
	wal_bytes = s->sb.wal_blocks * VX_BLOCK_SIZE;

	if (s->sb.checkpoint_block) {
		err = vx_ckpt_read(bd, &s->sb, ops, sm, &s->live_blocks, why);
		if (err)
			goto fail;
		s->live_rel = s->sb.checkpoint_block - s->sb.data_start;
	}

	pos.seq = s->sb.wal_replay_seq;
	pos.off = s->sb.wal_replay_off;
	pos.prev = s->sb.wal_replay_prev;
	err = vx_wal_replay(bd, s->sb.wal_start, wal_bytes,
			    vx_wal_salt(s->sb.uuid), &pos, replay_apply, s,
			    &s->replayed);
	if (err) {
		*why = err == -EIO ? "cannot read the WAL" :
				     "a WAL record was rejected";
		goto fail;
	}
	err = vx_wal_init(&s->wal, bd, s->sb.wal_start, wal_bytes,
			  vx_wal_salt(s->sb.uuid), &pos, s->sb.wal_replay_off);
	if (err) {
		*why = "cannot set up the WAL";
		goto fail;
	}
	vx_rwlock_init(&s->freeze);
	vx_mutex_init(&s->ckpt_lock);
	*out = s;
	return 0;
fail:
	vx_free(s->sb_buf);
	vx_free(s);
	return err;
}

int vx_store_log(struct vx_store *s, const void *rec, u32 len, u64 *seq)
{
	if (s->read_only)
		return -EROFS;
	return vx_wal_append(&s->wal, rec, len, seq);
}

int vx_store_wait(struct vx_store *s, u64 seq)
{
	return vx_wal_wait(&s->wal, seq);
}

int vx_store_sync(struct vx_store *s)
{
	if (s->read_only)
		return 0;
	return vx_wal_sync(&s->wal, NULL);
}

u64 vx_store_capacity(const struct vx_store *s)
{
	/* A new checkpoint needs room beside the live one: half the area. */
	return (s->data_blocks / 2 - 1) * VX_CKPT_PAYLOAD;
}

bool vx_store_fits(struct vx_store *s, u64 state_bytes)
{
	/* Lockless: writers call this inside begin/end, under the freeze. */
	u64 live = vx_read_once(s->live_blocks);

	return vx_ckpt_blocks_for(state_bytes) <= s->data_blocks - live;
}

/* Make the superblock in the other slot point at a new checkpoint. */
static int write_super(struct vx_store *s, const struct vx_super_info *next)
{
	u64 slot = next->slot ? VX_SB_SLOT_B : VX_SB_SLOT_A;
	int err;

	vx_super_encode(s->sb_buf, next);
	err = vx_bdev_write(s->bd, slot, 1, s->sb_buf, VX_BDEV_FUA);
	return err ?: vx_bdev_flush(s->bd);
}

int vx_store_checkpoint(struct vx_store *s)
{
	struct vx_ckpt_writer w;
	struct vx_super_info next;
	struct vx_wal_pos pos;
	u64 bytes, need, rel, nr_blocks;
	int err;

	if (s->read_only)
		return -EROFS;
	vx_mutex_lock(&s->ckpt_lock);
	vx_write_lock(&s->freeze); /* no writer between log and apply */

	err = vx_wal_sync(&s->wal, &pos);
	if (err)
		goto unfreeze;
	bytes = s->ops->save_bytes(s->sm);
	need = vx_ckpt_blocks_for(bytes);
	if (need > s->data_blocks - s->live_blocks) {
		err = -ENOSPC;
		goto unfreeze;
	}
	rel = s->live_blocks ? (s->live_rel + s->live_blocks) % s->data_blocks :
			       0;
	next = s->sb;
	next.generation++;
	err = vx_ckpt_writer_init(&w, s->bd, s->sb.data_start, s->data_blocks,
				  rel, s->data_blocks - s->live_blocks,
				  next.generation);
	if (err)
		goto unfreeze;
	err = s->ops->save(s->sm, &w);
	if (!err && w.bytes != bytes)
		err = -EUCLEAN; /* save() and save_bytes() disagree: a bug */
	if (!err)
		err = vx_ckpt_finish(&w, pos.seq, vx_time_ns(), &nr_blocks);
	vx_ckpt_writer_destroy(&w);
	if (!err)
		err = vx_bdev_flush(s->bd);
	/* Writers may go on: the old WAL stays until the superblock moves. */
	vx_write_unlock(&s->freeze);
	if (err)
		goto out;

	next.slot = !s->sb.slot;
	next.checkpoint_block = s->sb.data_start + rel;
	next.wal_replay_seq = pos.seq;
	next.wal_replay_off = pos.off;
	next.wal_replay_prev = pos.prev;
	err = write_super(s, &next);
	if (err)
		goto out;
	s->sb = next;
	s->live_rel = rel;
	vx_write_once(s->live_blocks, nr_blocks);
	s->checkpoints++;
	vx_wal_release(&s->wal, &pos);
out:
	vx_mutex_unlock(&s->ckpt_lock);
	return err;
unfreeze:
	vx_write_unlock(&s->freeze);
	vx_mutex_unlock(&s->ckpt_lock);
	return err;
}

int vx_store_maybe_checkpoint(struct vx_store *s, u32 pct)
{
	if (s->read_only)
		return 0;
	if (vx_wal_used(&s->wal) * 100 < s->wal.size * pct)
		return 0;
	return vx_store_checkpoint(s);
}

void vx_store_stats(struct vx_store *s, struct vx_store_stats *st)
{
	vx_mutex_lock(&s->ckpt_lock);
	st->checkpoints = s->checkpoints;
	st->live_ckpt_blocks = s->live_blocks;
	vx_mutex_unlock(&s->ckpt_lock);
	st->replayed_frames = s->replayed;
	st->wal_bytes_used = vx_wal_used(&s->wal);
	st->wal_bytes = s->wal.size;
	vx_mutex_lock(&s->wal.lock);
	st->wal_wraps = s->wal.wraps;
	vx_mutex_unlock(&s->wal.lock);
}

int vx_store_close(struct vx_store *s, bool checkpoint)
{
	int err = 0;

	if (!s)
		return 0;
	if (!s->read_only)
		err = checkpoint ? vx_store_checkpoint(s) : vx_store_sync(s);
	vx_wal_destroy(&s->wal);
	vx_mutex_destroy(&s->ckpt_lock);
	vx_rwlock_destroy(&s->freeze);
	vx_free(s->sb_buf);
	vx_free(s);
	return err;
}
