// SPDX-License-Identifier: GPL-2.0
/* Write-ahead log: frame codec, replay, append and group commit. */
#include "wal.h"

#define WAL_READ_WINDOW (256u * 1024) /* replay reads ahead this much */

static u32 frame_hdr_crc(const struct vx_wal_frame *f)
{
	struct vx_wal_frame tmp = *f;

	tmp.hdr_crc = 0;
	return ~vx_crc32c(~0u, &tmp, sizeof(tmp));
}

u16 vx_wal_salt(const u64 uuid[2])
{
	/* Never 0, so a zeroed ring cannot look like ours. */
	return (u16)(vx_crc32c(~0u, uuid, 2 * sizeof(u64)) | 1);
}

static u32 max_body(u64 size)
{
	u64 quarter = size / 4 - sizeof(struct vx_wal_frame);

	return (u32)min_t(u64, VX_WAL_MAX_BODY,
			  quarter & ~(u64)(VX_WAL_ALIGN - 1));
}

u32 vx_wal_max_body(const struct vx_wal *wal)
{
	return max_body(wal->size);
}

/* --- replay --------------------------------------------------------------- */

struct wal_reader {
	struct vx_bdev *bd;
	u64 start_block, size;
	u8 *win;
	size_t win_cap;
	u64 win_off; /* ring offset of win[0], block aligned */
	size_t win_len;
};

/* Pointer to ring bytes [off, off + len), which never cross the ring's end. */
static const u8 *reader_get(struct wal_reader *r, u64 off, size_t len)
{
	u64 blk_off, end;
	size_t need;
	int err;

	if (off >= r->win_off && off + len <= r->win_off + r->win_len)
		return r->win + (off - r->win_off);

	blk_off = off & ~(u64)(VX_BLOCK_SIZE - 1);
	need = (size_t)VX_ALIGN_UP(off + len - blk_off, (u64)VX_BLOCK_SIZE);
	if (need < WAL_READ_WINDOW)
		need = WAL_READ_WINDOW;
	end = min_t(u64, blk_off + need, r->size);
	need = (size_t)(end - blk_off);
	if (need > r->win_cap) {
		vx_free(r->win);
		r->win = vx_alloc(need);
		r->win_cap = r->win ? need : 0;
		r->win_len = 0;
		if (!r->win)
			return NULL;
	}
	err = vx_bdev_read(r->bd, r->start_block + blk_off / VX_BLOCK_SIZE,
			   (u32)(need / VX_BLOCK_SIZE), r->win);
	if (err) {
		r->win_len = 0;
		return NULL;
	}
	r->win_off = blk_off;
	r->win_len = need;
	return r->win + (off - blk_off);
}

int vx_wal_replay(struct vx_bdev *bd, u64 start_block, u64 size, u16 salt,
		  struct vx_wal_pos *pos, vx_wal_apply_fn apply, void *ctx,
		  u64 *nr_frames)
{
	struct wal_reader r = { .bd = bd,
				.start_block = start_block,
				.size = size,
				.win_off = ~0ULL };
	u32 limit = max_body(size);
	u64 frames = 0;
	int err = 0;

	for (;;) {
		struct vx_wal_frame f;
		const u8 *p;
		u32 len, crc;
		u64 bytes;

		if (pos->off >= size)
			pos->off = 0;
		p = reader_get(&r, pos->off, sizeof(f));
		if (!p) {
			err = -EIO;
			break;
		}
		memcpy(&f, p, sizeof(f));
		crc = frame_hdr_crc(&f);
		len = le32_to_cpu(f.len);
		if (le32_to_cpu(f.magic) != VX_WAL_MAGIC ||
		    le16_to_cpu(f.salt) != salt ||
		    le32_to_cpu(f.hdr_crc) != crc ||
		    le64_to_cpu(f.seq) != pos->seq ||
		    le32_to_cpu(f.prev) != pos->prev)
			break; /* the end of the log, torn or stale */

		if (le16_to_cpu(f.type) == VX_WAL_WRAP) {
			if (len)
				break;
			pos->off = 0;
			pos->seq++;
			pos->prev = crc;
			frames++;
			continue;
		}
		bytes = vx_wal_frame_bytes(len);
		if (le16_to_cpu(f.type) != VX_WAL_OP || len > limit ||
		    pos->off + bytes > size)
			break;
		p = reader_get(&r, pos->off + sizeof(f), len);
		if (!p) {
			err = -EIO;
			break;
		}
		if (le32_to_cpu(f.body_crc) != ~vx_crc32c(~0u, p, len))
			break;
		err = apply(ctx, pos->seq, p, len);
		if (err)
			break;
		pos->off += bytes;
		pos->seq++;
		pos->prev = crc;
		frames++;
	}
	if (pos->off >= size)
		pos->off = 0;
	vx_free(r.win);
	if (nr_frames)
		*nr_frames = frames;
	return err;
}

/* --- append and group commit --------------------------------------------- */

int vx_wal_init(struct vx_wal *wal, struct vx_bdev *bd, u64 start_block,
		u64 size, u16 salt, const struct vx_wal_pos *pos, u64 tail)
{
	int err;

	memset(wal, 0, sizeof(*wal));
	wal->bd = bd;
	wal->start_block = start_block;
	wal->size = size;
	wal->salt = salt;
	wal->head = *pos;
	wal->tail = tail;
	wal->used = (pos->off + size - tail) % size;
	wal->durable_seq = pos->seq;
	wal->tail_block = vx_zalloc(VX_BLOCK_SIZE);
	if (!wal->tail_block)
		return -ENOMEM;
	/* The head's block holds durable frames before head: keep them. */
	if (pos->off % VX_BLOCK_SIZE) {
		err = vx_bdev_read(bd, start_block + pos->off / VX_BLOCK_SIZE,
				   1, wal->tail_block);
		if (err) {
			vx_free(wal->tail_block);
			return err;
		}
	}
	vx_mutex_init(&wal->lock);
	vx_waitq_init(&wal->done);
	return 0;
}

void vx_wal_destroy(struct vx_wal *wal)
{
	vx_waitq_destroy(&wal->done);
	vx_mutex_destroy(&wal->lock);
	vx_free(wal->pend);
	vx_free(wal->spare);
	vx_free(wal->iobuf);
	vx_free(wal->tail_block);
}

static int pend_reserve(struct vx_wal *wal, size_t more)
{
	size_t cap = wal->pend_cap ? wal->pend_cap : 64 * 1024;
	u8 *p;

	if (wal->pend_len + more <= wal->pend_cap)
		return 0;
	while (cap < wal->pend_len + more)
		cap *= 2;
	p = vx_alloc(cap);
	if (!p)
		return -ENOMEM;
	if (wal->pend_len)
		memcpy(p, wal->pend, wal->pend_len);
	vx_free(wal->pend);
	wal->pend = p;
	wal->pend_cap = cap;
	return 0;
}

/* Encode a frame at the head into the pending buffer (space is checked). */
static void emit_frame(struct vx_wal *wal, u16 type, const void *body, u32 len)
{
	u64 bytes = vx_wal_frame_bytes(len);
	struct vx_wal_frame f = {
		.magic = cpu_to_le32(VX_WAL_MAGIC),
		.seq = cpu_to_le64(wal->head.seq),
		.len = cpu_to_le32(len),
		.body_crc = cpu_to_le32(~vx_crc32c(~0u, body, len)),
		.prev = cpu_to_le32(wal->head.prev),
		.type = cpu_to_le16(type),
		.salt = cpu_to_le16(wal->salt),
	};
	u8 *p;

	if (!wal->pend_len)
		wal->pend_off = wal->head.off;
	else if (wal->head.off == 0 && !wal->pend_wrap)
		wal->pend_wrap =
			wal->pend_len; /* the ring ended exactly here */
	f.hdr_crc = cpu_to_le32(frame_hdr_crc(&f));

	p = wal->pend + wal->pend_len;
	memcpy(p, &f, sizeof(f));
	if (len)
		memcpy(p + sizeof(f), body, len);
	memset(p + sizeof(f) + len, 0, bytes - sizeof(f) - len);
	wal->pend_len += bytes;
	wal->pend_last_seq = wal->head.seq;

	wal->head.seq++;
	wal->head.prev = le32_to_cpu(f.hdr_crc);
	wal->head.off += bytes;
	wal->used += bytes;
	if (wal->head.off == wal->size) {
		wal->head.off = 0;
		wal->wraps++;
	}
}

int vx_wal_append(struct vx_wal *wal, const void *body, u32 len, u64 *seq)
{
	u64 bytes = vx_wal_frame_bytes(len), skip = 0;
	int err;

	if (len > max_body(wal->size))
		return -E2BIG;
	vx_mutex_lock(&wal->lock);
	err = wal->error;
	if (err)
		goto out;
	if (wal->head.off + bytes > wal->size)
		skip = wal->size -
		       wal->head.off; /* WRAP frame and dead space */
	/*
	 * Keep a whole block between head and tail: writes cover whole blocks
	 * (zero-padded after the last frame), so a block shared by the head
	 * and the oldest live frames would lose those frames.
	 */
	if (wal->used + skip + bytes > wal->size - VX_BLOCK_SIZE) {
		err = -ENOSPC;
		goto out;
	}
	err = pend_reserve(wal, (size_t)(VX_WAL_ALIGN + bytes));
	if (err)
		goto out;
	if (skip) {
		emit_frame(wal, VX_WAL_WRAP, NULL, 0);
		wal->used += skip - VX_WAL_ALIGN;
		if (wal->head.off) /* else emit_frame counted it */
			wal->wraps++;
		wal->head.off = 0;
		wal->pend_wrap = wal->pend_len;
	}
	*seq = wal->head.seq;
	emit_frame(wal, VX_WAL_OP, body, len);
out:
	vx_mutex_unlock(&wal->lock);
	return err;
}

/* Write @n pending bytes at ring offset @off, merging the head's block. */
static int write_segment(struct vx_wal *wal, u64 off, const u8 *bytes, size_t n)
{
	u64 first = off / VX_BLOCK_SIZE;
	size_t lead = (size_t)(off % VX_BLOCK_SIZE);
	size_t total = (size_t)VX_ALIGN_UP((u64)lead + n, (u64)VX_BLOCK_SIZE);
	int err;

	if (total > wal->iobuf_cap) {
		vx_free(wal->iobuf);
		wal->iobuf = vx_alloc(total);
		wal->iobuf_cap = wal->iobuf ? total : 0;
		if (!wal->iobuf)
			return -ENOMEM;
	}
	if (lead)
		memcpy(wal->iobuf, wal->tail_block, lead);
	memcpy(wal->iobuf + lead, bytes, n);
	memset(wal->iobuf + lead + n, 0, total - lead - n);
	err = vx_bdev_write(wal->bd, wal->start_block + first,
			    (u32)(total / VX_BLOCK_SIZE), wal->iobuf, 0);
	if (err)
		return err;
	if ((lead + n) % VX_BLOCK_SIZE)
		memcpy(wal->tail_block, wal->iobuf + total - VX_BLOCK_SIZE,
		       VX_BLOCK_SIZE);
	return 0;
}

/* Leader: write one batch and flush. Called without the lock. */
static int write_batch(struct vx_wal *wal, const u8 *buf, size_t len, u64 off,
		       size_t wrap)
{
	int err;

	if (wrap) {
		err = write_segment(wal, off, buf, wrap);
		if (!err)
			err = write_segment(wal, 0, buf + wrap, len - wrap);
	} else {
		err = write_segment(wal, off, buf, len);
	}
	return err ?: vx_bdev_flush(wal->bd);
}

int vx_wal_wait(struct vx_wal *wal, u64 seq)
{
	int err = 0;

	vx_mutex_lock(&wal->lock);
	while (wal->durable_seq <= seq) {
		u8 *buf;
		size_t len, cap, wrap;
		u64 off, last;

		err = wal->error;
		if (err)
			break;
		if (wal->writing) {
			vx_waitq_wait(&wal->done, &wal->lock);
			continue;
		}
		if (!wal->pend_len) { /* nothing was appended up to @seq */
			wal->durable_seq = wal->head.seq;
			break;
		}
		/* Lead: take the pending batch, do the I/O unlocked. */
		buf = wal->pend;
		len = wal->pend_len;
		cap = wal->pend_cap;
		off = wal->pend_off;
		wrap = wal->pend_wrap;
		last = wal->pend_last_seq;
		wal->pend = wal->spare;
		wal->pend_cap = wal->spare_cap;
		wal->spare = NULL;
		wal->spare_cap = 0;
		wal->pend_len = 0;
		wal->pend_wrap = 0;
		wal->writing = true;
		vx_mutex_unlock(&wal->lock);

		err = write_batch(wal, buf, len, off, wrap);

		vx_mutex_lock(&wal->lock);
		if (!wal->spare) { /* keep it for the batch after next */
			wal->spare = buf;
			wal->spare_cap = cap;
		} else {
			vx_free(buf);
		}
		wal->writing = false;
		if (err)
			wal->error = err;
		else
			wal->durable_seq = last + 1;
		vx_waitq_wake_all(&wal->done);
		if (err)
			break;
	}
	vx_mutex_unlock(&wal->lock);
	return err;
}

int vx_wal_sync(struct vx_wal *wal, struct vx_wal_pos *pos)
{
	u64 last;
	int err;

	vx_mutex_lock(&wal->lock);
	last = wal->head.seq - 1; /* sequences start at 1 */
	vx_mutex_unlock(&wal->lock);
	err = vx_wal_wait(wal, last);
	vx_mutex_lock(&wal->lock);
	if (pos)
		*pos = wal->head;
	if (!err)
		err = wal->error;
	vx_mutex_unlock(&wal->lock);
	return err;
}

void vx_wal_release(struct vx_wal *wal, const struct vx_wal_pos *pos)
{
	vx_mutex_lock(&wal->lock);
	wal->tail = pos->off;
	wal->used = (wal->head.off + wal->size - wal->tail) % wal->size;
	vx_mutex_unlock(&wal->lock);
}
