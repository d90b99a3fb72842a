/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VexFS on-disk format. Shared by vexfs.ko, mkfs.vexfs and fsck.vexfs.
 *
 * All fields are little-endian; every structure carries a magic, and a CRC32C
 * over the structure with its crc field taken as zero. Sizes are asserted at
 * build time below. Documentation/filesystems/vexfs-format.rst has the prose.
 *
 *   block 0           block 1        block 2        block 3 ..            .. end
 *  +----------------+--------------+--------------+---------------------+------+
 *  | unused (boot,  | superblock   | superblock   | write-ahead log     | data |
 *  | partition tbl) | slot A       | slot B       | (wal_blocks blocks) | area |
 *  +----------------+--------------+--------------+---------------------+------+
 *
 * The two slots alternate: a checkpoint is made live by writing the slot that
 * does not hold the newest generation, so a torn superblock write always
 * leaves the previous one intact. Mount uses the valid slot with the highest
 * generation.
 */
#ifndef VEXFS_CORE_FORMAT_H
#define VEXFS_CORE_FORMAT_H

#include "shim.h"

#define VX_BLOCK_SIZE 4096u
#define VX_BLOCK_SHIFT 12
#define VX_SB_MAGIC 0x3153465845565fULL /* "_VEXFS1\0" read little-endian */
#define VX_FORMAT_VERSION 1u
#define VX_SB_SLOT_A 1u /* block numbers of the two superblock slots */
#define VX_SB_SLOT_B 2u
#define VX_WAL_START 3u
#define VX_LABEL_MAX 64

/* The smallest device worth formatting: superblocks, 1 MiB of WAL, 1 MiB data. */
#define VX_MIN_WAL_BLOCKS 256u
#define VX_MIN_DATA_BLOCKS 256u
#define VX_MIN_BLOCKS (VX_WAL_START + VX_MIN_WAL_BLOCKS + VX_MIN_DATA_BLOCKS)

/*
 * Feature masks. A mount refuses unknown incompat bits, mounts read-only with
 * unknown ro_compat bits, and ignores unknown compat bits.
 */
#define VX_FEATURE_COMPAT_SUPP 0ULL
#define VX_FEATURE_RO_COMPAT_SUPP 0ULL
#define VX_FEATURE_INCOMPAT_SUPP 0ULL

struct vx_disk_super {
	__le64 magic;
	__le32 version;
	__le32 crc; /* CRC32C of this block with crc = 0 */
	__le64 generation; /* bumped on every superblock write */
	__le64 feature_compat;
	__le64 feature_ro_compat;
	__le64 feature_incompat;
	__le32 block_size; /* bytes; VX_BLOCK_SIZE for now */
	__le32 flags;
	__le64 total_blocks; /* device size the fs was made for */
	__le64 wal_start; /* first WAL block */
	__le64 wal_blocks;
	__le64 data_start; /* first data-area block */
	__le64 checkpoint_block; /* root of the live checkpoint, 0 = empty fs */
	__le64 wal_replay_seq; /* first WAL sequence to replay after it */
	__le64 created_sec; /* seconds since the epoch, at mkfs */
	__le64 uuid[2];
	char label[VX_LABEL_MAX]; /* NUL-padded, not necessarily terminated */
	__le64 wal_replay_off; /* byte offset in the WAL of that record */
	__le32 wal_replay_prev; /* chain value that record must carry */
	__le32 pad;
	__u8 reserved[VX_BLOCK_SIZE - 208];
};

VX_STATIC_ASSERT(sizeof(struct vx_disk_super) == VX_BLOCK_SIZE,
		 "superblock must fill one block");

/*
 * Write-ahead log: a ring of wal_blocks blocks holding frames. A frame is a
 * 32-byte header and a body, padded to a 512-byte sector, so a torn write
 * damages whole frames only, and every frame's CRCs catch it.
 *
 * Frames chain: each carries the header CRC of the frame before it
 * (prev), so replay after a crash can never pick up a stale frame that
 * happens to sit where the next one would be. Replay starts at the
 * superblock's (wal_replay_seq, wal_replay_off, wal_replay_prev) and stops
 * at the first frame whose magic, salt, sequence, chain or CRCs are wrong.
 * A frame never wraps around the end of the ring: a WRAP frame (no body)
 * sends the reader back to offset 0.
 */
#define VX_WAL_MAGIC 0x4c415756u /* "VWAL" */
#define VX_WAL_ALIGN 512u
#define VX_WAL_MAX_BODY \
	(16u << 20) /* 16 MiB; also at most a quarter of the WAL */

enum vx_wal_type {
	VX_WAL_WRAP = 1, /* continue at offset 0 */
	VX_WAL_OP = 2, /* a state-machine record (see db.h) */
};

struct vx_wal_frame {
	__le32 magic;
	__le32 hdr_crc; /* CRC32C of the header with hdr_crc = 0 */
	__le64 seq;
	__le32 len; /* body bytes */
	__le32 body_crc;
	__le32 prev; /* hdr_crc of the previous frame */
	__le16 type;
	__le16 salt; /* from the filesystem UUID: frames of an older fs fail */
};

/*
 * Checkpoint: the whole state, written to free space in the data area (a
 * ring too: right after the live checkpoint), then made live by a
 * superblock write. It is a root block followed by stream blocks; each
 * stream block has its own header and CRC. The stream may wrap around the
 * end of the data area once, so it is at most two extents.
 */
#define VX_CKPT_MAGIC 0x544b4356u /* "VCKT" */
#define VX_CKPT_BLOCK_MAGIC 0x4b4c4256u /* "VBLK" */

struct vx_ckpt_root {
	__le32 magic;
	__le32 crc; /* of the block with crc = 0 */
	__le64 generation; /* superblock generation that made it live */
	__le64 stream_bytes; /* payload bytes in the stream */
	__le64 nr_blocks; /* stream blocks after the root */
	__le64 wal_seq; /* first WAL seq not contained in the checkpoint */
	__le64 created_ns;
	__u8 reserved[VX_BLOCK_SIZE - 48];
};

struct vx_ckpt_block_hdr {
	__le32 magic;
	__le32 crc; /* of the whole block with crc = 0 */
	__le64 generation; /* the root's: a stale block of an older one fails */
	__le64 index; /* position in the stream */
	__le32 used; /* payload bytes in this block */
	__le32 pad;
};

#define VX_CKPT_PAYLOAD (VX_BLOCK_SIZE - sizeof(struct vx_ckpt_block_hdr))

VX_STATIC_ASSERT(sizeof(struct vx_wal_frame) == 32, "WAL frame header");
VX_STATIC_ASSERT(sizeof(struct vx_ckpt_root) == VX_BLOCK_SIZE,
		 "checkpoint root");
VX_STATIC_ASSERT(sizeof(struct vx_ckpt_block_hdr) == 32,
		 "checkpoint block header");

/* What a validated superblock tells the rest of the engine, in CPU order. */
struct vx_super_info {
	u64 generation;
	u64 feature_compat;
	u64 feature_ro_compat;
	u64 feature_incompat;
	u64 total_blocks;
	u64 wal_start;
	u64 wal_blocks;
	u64 data_start;
	u64 checkpoint_block;
	u64 wal_replay_seq;
	u64 wal_replay_off;
	u32 wal_replay_prev;
	u64 created_sec;
	u64 uuid[2];
	char label[VX_LABEL_MAX + 1];
	bool read_only; /* unknown ro_compat features: mount read-only */
	int slot; /* 0 = A, 1 = B */
};

struct vx_mkfs_params {
	u64 total_blocks;
	u64 wal_blocks; /* 0: choose from the device size */
	u64 uuid[2];
	u64 created_sec;
	const char *label; /* may be NULL */
};

u32 vx_super_crc(const struct vx_disk_super *ds);
void vx_super_encode(struct vx_disk_super *ds,
		     const struct vx_super_info *info);
int vx_super_decode(const void *block, u64 dev_blocks,
		    struct vx_super_info *info, const char **why);
int vx_super_pick(const void *slot_a, const void *slot_b, u64 dev_blocks,
		  struct vx_super_info *info, const char **why);
int vx_super_format(struct vx_disk_super *ds, const struct vx_mkfs_params *p,
		    const char **why);

#endif /* VEXFS_CORE_FORMAT_H */
