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
	__u8 reserved[VX_BLOCK_SIZE - 192];
};

VX_STATIC_ASSERT(sizeof(struct vx_disk_super) == VX_BLOCK_SIZE,
		 "superblock must fill one block");

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
int vx_super_decode(const void *block, u64 dev_blocks,
		    struct vx_super_info *info, const char **why);
int vx_super_pick(const void *slot_a, const void *slot_b, u64 dev_blocks,
		  struct vx_super_info *info, const char **why);
int vx_super_format(struct vx_disk_super *ds, const struct vx_mkfs_params *p,
		    const char **why);

#endif /* VEXFS_CORE_FORMAT_H */
