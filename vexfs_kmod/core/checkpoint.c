// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint streams: the state machine's saved state as a root block and
 * a run of stream blocks in the data-area ring (format.h).
 */
#include "store.h"
#include "checkpoint.h"

#define CKPT_IO_BLOCKS 64u /* stream blocks per write or read */

static u32 block_crc(const void *block)
{
	const struct vx_ckpt_block_hdr *h = block;
	static const __le32 zero;
	u32 crc;

	crc = vx_crc32c(~0u, h, offsetof(struct vx_ckpt_block_hdr, crc));
	crc = vx_crc32c(crc, &zero, sizeof(zero));
	crc = vx_crc32c(crc,
			(const u8 *)block +
				offsetof(struct vx_ckpt_block_hdr, generation),
			VX_BLOCK_SIZE -
				offsetof(struct vx_ckpt_block_hdr, generation));
	return ~crc;
}

/* Write @nr consecutive run blocks from @buf, splitting at the ring's end. */
static int ring_write(struct vx_bdev *bd, u64 data_start, u64 data_blocks,
		      u64 rel, u64 first, u32 nr, const u8 *buf)
{
	u64 pos = (rel + first) % data_blocks;
	u32 before_end = (u32)min_t(u64, nr, data_blocks - pos);
	int err;

	err = vx_bdev_write(bd, data_start + pos, before_end, buf, 0);
	if (!err && before_end < nr)
		err = vx_bdev_write(bd, data_start, nr - before_end,
				    buf + (size_t)before_end * VX_BLOCK_SIZE,
				    0);
	return err;
}

static int ring_read(struct vx_bdev *bd, u64 data_start, u64 data_blocks,
		     u64 rel, u64 first, u32 nr, u8 *buf)
{
	u64 pos = (rel + first) % data_blocks;
	u32 before_end = (u32)min_t(u64, nr, data_blocks - pos);
	int err;

	err = vx_bdev_read(bd, data_start + pos, before_end, buf);
	if (!err && before_end < nr)
		err = vx_bdev_read(bd, data_start, nr - before_end,
				   buf + (size_t)before_end * VX_BLOCK_SIZE);
	return err;
}

/* --- writing ------------------------------------------------------------- */

int vx_ckpt_writer_init(struct vx_ckpt_writer *w, struct vx_bdev *bd,
			u64 data_start, u64 data_blocks, u64 rel,
			u64 max_blocks, u64 generation)
{
	memset(w, 0, sizeof(*w));
	w->bd = bd;
	w->data_start = data_start;
	w->data_blocks = data_blocks;
	w->rel = rel;
	w->max_blocks = max_blocks;
	w->generation = generation;
	w->buf = vx_alloc((size_t)CKPT_IO_BLOCKS * VX_BLOCK_SIZE);
	return w->buf ? 0 : -ENOMEM;
}

void vx_ckpt_writer_destroy(struct vx_ckpt_writer *w)
{
	vx_free(w->buf);
	w->buf = NULL;
}

/* Seal the block being filled; write the batch when it is full or @force. */
static int writer_seal(struct vx_ckpt_writer *w, bool force)
{
	u8 *blk = w->buf + (size_t)w->in_buf * VX_BLOCK_SIZE;
	struct vx_ckpt_block_hdr *h = (void *)blk;
	int err;

	if (w->used) {
		memset(blk + sizeof(*h) + w->used, 0,
		       VX_CKPT_PAYLOAD - w->used);
		h->magic = cpu_to_le32(VX_CKPT_BLOCK_MAGIC);
		h->generation = cpu_to_le64(w->generation);
		h->index = cpu_to_le64(w->blocks);
		h->used = cpu_to_le32((u32)w->used);
		h->pad = 0;
		h->crc = cpu_to_le32(block_crc(blk));
		w->blocks++;
		w->in_buf++;
		w->used = 0;
	}
	if (!w->in_buf || (!force && w->in_buf < CKPT_IO_BLOCKS))
		return 0;
	/* Stream block i lives at run position 1 + i: the root comes first. */
	err = ring_write(w->bd, w->data_start, w->data_blocks, w->rel,
			 1 + w->blocks - w->in_buf, w->in_buf, w->buf);
	w->in_buf = 0;
	return err;
}

int vx_ckpt_put(struct vx_ckpt_writer *w, const void *p, size_t n)
{
	const u8 *src = p;
	int err;

	while (n) {
		size_t room = VX_CKPT_PAYLOAD - w->used, take = min(room, n);
		u8 *blk = w->buf + (size_t)w->in_buf * VX_BLOCK_SIZE;

		if (1 + w->blocks + 1 > w->max_blocks)
			return -ENOSPC;
		memcpy(blk + sizeof(struct vx_ckpt_block_hdr) + w->used, src,
		       take);
		w->used += take;
		w->bytes += take;
		src += take;
		n -= take;
		if (w->used == VX_CKPT_PAYLOAD) {
			err = writer_seal(w, false);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Write the last stream blocks and then the root; the caller flushes. */
int vx_ckpt_finish(struct vx_ckpt_writer *w, u64 wal_seq, u64 now_ns,
		   u64 *nr_blocks)
{
	struct vx_ckpt_root *root;
	int err;

	err = writer_seal(w, true);
	if (err)
		return err;
	root = (struct vx_ckpt_root *)w->buf;
	memset(root, 0, sizeof(*root));
	root->magic = cpu_to_le32(VX_CKPT_MAGIC);
	root->generation = cpu_to_le64(w->generation);
	root->stream_bytes = cpu_to_le64(w->bytes);
	root->nr_blocks = cpu_to_le64(w->blocks);
	root->wal_seq = cpu_to_le64(wal_seq);
	root->created_ns = cpu_to_le64(now_ns);
	root->crc = cpu_to_le32(vx_ckpt_root_crc(root));
	*nr_blocks = 1 + w->blocks;
	return ring_write(w->bd, w->data_start, w->data_blocks, w->rel, 0, 1,
			  w->buf);
}

u32 vx_ckpt_root_crc(const struct vx_ckpt_root *root)
{
	struct vx_ckpt_root *r = (struct vx_ckpt_root *)root;
	u32 saved = r->crc, crc;

	r->crc = 0;
	crc = ~vx_crc32c(~0u, r, sizeof(*r));
	r->crc = saved;
	return crc;
}

/* --- reading ------------------------------------------------------------- */

struct vx_ckpt_reader {
	struct vx_bdev *bd;
	u64 data_start, data_blocks, rel;
	u64 generation, nr_blocks, stream_bytes;
	u64 next_block; /* stream index of the next block to load */
	u64 consumed; /* stream bytes handed out */
	u8 *buf;
	u32 in_buf, cur; /* blocks loaded in buf, the one being read */
	u32 off, avail; /* position in the current block's payload */
	const char *why;
};

static int reader_load(struct vx_ckpt_reader *r)
{
	u32 nr = (u32)min_t(u64, CKPT_IO_BLOCKS, r->nr_blocks - r->next_block);
	int err;

	if (!nr) {
		r->why = "checkpoint stream ends early";
		return -EUCLEAN;
	}
	err = ring_read(r->bd, r->data_start, r->data_blocks, r->rel,
			1 + r->next_block, nr, r->buf);
	if (err) {
		r->why = "cannot read checkpoint";
		return err;
	}
	for (u32 i = 0; i < nr; i++) {
		const u8 *blk = r->buf + (size_t)i * VX_BLOCK_SIZE;
		const struct vx_ckpt_block_hdr *h = (const void *)blk;

		if (le32_to_cpu(h->magic) != VX_CKPT_BLOCK_MAGIC ||
		    le32_to_cpu(h->crc) != block_crc(blk) ||
		    le64_to_cpu(h->generation) != r->generation ||
		    le64_to_cpu(h->index) != r->next_block + i ||
		    le32_to_cpu(h->used) > VX_CKPT_PAYLOAD ||
		    !le32_to_cpu(h->used) ||
		    (r->next_block + i + 1 < r->nr_blocks &&
		     le32_to_cpu(h->used) != VX_CKPT_PAYLOAD)) {
			r->why = "corrupt checkpoint block";
			return -EUCLEAN;
		}
	}
	r->next_block += nr;
	r->in_buf = nr;
	r->cur = 0;
	r->off = 0;
	r->avail = le32_to_cpu(((struct vx_ckpt_block_hdr *)r->buf)->used);
	return 0;
}

int vx_ckpt_get(struct vx_ckpt_reader *r, void *p, size_t n)
{
	u8 *dst = p;
	int err;

	if (n > r->stream_bytes - r->consumed) {
		r->why = "checkpoint stream ends early";
		return -EUCLEAN;
	}
	while (n) {
		size_t take;
		const u8 *blk;

		if (r->off == r->avail) {
			if (r->cur + 1 < r->in_buf) {
				r->cur++;
				blk = r->buf + (size_t)r->cur * VX_BLOCK_SIZE;
				r->avail = le32_to_cpu(
					((const struct vx_ckpt_block_hdr *)blk)
						->used);
				r->off = 0;
			} else {
				err = reader_load(r);
				if (err)
					return err;
			}
		}
		blk = r->buf + (size_t)r->cur * VX_BLOCK_SIZE;
		take = min((size_t)(r->avail - r->off), n);
		memcpy(dst, blk + sizeof(struct vx_ckpt_block_hdr) + r->off,
		       take);
		r->off += (u32)take;
		r->consumed += take;
		dst += take;
		n -= take;
	}
	return 0;
}

u64 vx_ckpt_remaining(const struct vx_ckpt_reader *r)
{
	return r->stream_bytes - r->consumed;
}

/*
 * Validate the root at @sb->checkpoint_block and stream the checkpoint into
 * @ops->load. Reports the run length (root included) in *@nr_blocks.
 */
int vx_ckpt_read(struct vx_bdev *bd, const struct vx_super_info *sb,
		 const struct vx_sm_ops *ops, void *sm, u64 *nr_blocks,
		 const char **why)
{
	struct vx_ckpt_reader r = { 0 };
	struct vx_ckpt_root *root;
	u64 data_blocks = sb->total_blocks - sb->data_start;
	int err;

	r.buf = vx_alloc((size_t)CKPT_IO_BLOCKS * VX_BLOCK_SIZE);
	if (!r.buf)
		return -ENOMEM;
	root = (struct vx_ckpt_root *)r.buf;
	err = vx_bdev_read(bd, sb->checkpoint_block, 1, root);
	if (err) {
		*why = "cannot read checkpoint root";
		goto out;
	}
	r.nr_blocks = le64_to_cpu(root->nr_blocks);
	r.stream_bytes = le64_to_cpu(root->stream_bytes);
	if (le32_to_cpu(root->magic) != VX_CKPT_MAGIC ||
	    le32_to_cpu(root->crc) != vx_ckpt_root_crc(root) ||
	    le64_to_cpu(root->generation) > sb->generation ||
	    r.nr_blocks > data_blocks - 1 ||
	    r.stream_bytes > r.nr_blocks * VX_CKPT_PAYLOAD ||
	    (r.nr_blocks &&
	     r.stream_bytes <= (r.nr_blocks - 1) * VX_CKPT_PAYLOAD) ||
	    le64_to_cpu(root->wal_seq) != sb->wal_replay_seq) {
		*why = "corrupt checkpoint root";
		err = -EUCLEAN;
		goto out;
	}
	r.bd = bd;
	r.data_start = sb->data_start;
	r.data_blocks = data_blocks;
	r.rel = sb->checkpoint_block - sb->data_start;
	r.generation = le64_to_cpu(root->generation);
	r.in_buf = 0;
	r.cur = 0;
	r.off = 0;
	r.avail = 0;
	*nr_blocks = 1 + r.nr_blocks;

	err = ops->load(sm, &r);
	if (!err && vx_ckpt_remaining(&r)) {
		r.why = "checkpoint has trailing bytes";
		err = -EUCLEAN;
	}
	if (err)
		*why = r.why ? r.why : "checkpoint contents rejected";
out:
	vx_free(r.buf);
	return err;
}
