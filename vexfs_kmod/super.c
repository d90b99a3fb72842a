// SPDX-License-Identifier: GPL-2.0
/* Mount, superblock and statfs: the VFS side of struct vx_disk_super. */
#include <linux/blkdev.h>
#include <linux/buffer_head.h>
#include <linux/fs_context.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include "vexfs.h"

#define VEXFS_SUPER_MAGIC 0x56455846 /* "VEXF", reported by statfs */

static int vexfs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct super_block *sb = dentry->d_sb;
	struct vx_super_info *disk = &VEXFS_SB(sb)->disk;

	buf->f_type = VEXFS_SUPER_MAGIC;
	buf->f_bsize = VX_BLOCK_SIZE;
	buf->f_blocks = disk->total_blocks;
	buf->f_bfree = disk->total_blocks - disk->data_start;
	buf->f_bavail = buf->f_bfree;
	buf->f_namelen = 255;
	buf->f_fsid.val[0] = (u32)disk->uuid[0] ^ (u32)(disk->uuid[0] >> 32);
	buf->f_fsid.val[1] = (u32)disk->uuid[1] ^ (u32)(disk->uuid[1] >> 32);
	return 0;
}

static const struct super_operations vexfs_super_ops = {
	.statfs = vexfs_statfs,
	.drop_inode = generic_delete_inode,
};

/* Read both superblock slots and keep the newest valid one. */
static int vexfs_load_super(struct super_block *sb, struct fs_context *fc)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct buffer_head *a, *b;
	u64 dev_blocks = bdev_nr_sectors(sb->s_bdev) >> (VX_BLOCK_SHIFT - 9);
	const char *why = "unknown";
	int err;

	if (dev_blocks < VX_MIN_BLOCKS)
		return invalfc(fc, "device too small for vexfs");
	a = sb_bread(sb, VX_SB_SLOT_A);
	if (!a)
		return invalfc(fc, "cannot read superblock slot A");
	b = sb_bread(sb, VX_SB_SLOT_B);
	if (!b) {
		brelse(a);
		return invalfc(fc, "cannot read superblock slot B");
	}
	err = vx_super_pick(a->b_data, b->b_data, dev_blocks, &sbi->disk, &why);
	brelse(b);
	brelse(a);
	if (err) {
		errorfc(fc, "no valid superblock on %s: %s", sb->s_id, why);
		return err;
	}
	if (sbi->disk.read_only && !sb_rdonly(sb))
		return invalfc(fc,
			       "unknown ro_compat features: mount read-only");
	return 0;
}

static int vexfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct vexfs_sb_info *sbi;
	struct inode *root;
	int err;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	sb->s_fs_info = sbi; /* freed by vexfs_kill_sb, also on failure */

	if (!sb_set_blocksize(sb, VX_BLOCK_SIZE))
		return invalfc(fc, "device block size above %u", VX_BLOCK_SIZE);
	err = vexfs_load_super(sb, fc);
	if (err)
		return err;

	sb->s_magic = VEXFS_SUPER_MAGIC;
	sb->s_op = &vexfs_super_ops;
	sb->s_time_gran = 1;
	sb->s_maxbytes = MAX_LFS_FILESIZE;

	root = vexfs_root_inode(sb);
	if (IS_ERR(root))
		return PTR_ERR(root);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	pr_info("vexfs: mounted %s (generation %llu, slot %c)\n", sb->s_id,
		sbi->disk.generation, sbi->disk.slot ? 'B' : 'A');
	return 0;
}

static int vexfs_get_tree(struct fs_context *fc)
{
	return get_tree_bdev(fc, vexfs_fill_super);
}

static const struct fs_context_operations vexfs_context_ops = {
	.get_tree = vexfs_get_tree,
};

static int vexfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &vexfs_context_ops;
	return 0;
}

static void vexfs_kill_sb(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	kill_block_super(sb);
	kfree(sbi);
}

struct file_system_type vexfs_fs_type = {
	.owner = THIS_MODULE,
	.name = VEXFS_FS_NAME,
	.init_fs_context = vexfs_init_fs_context,
	.kill_sb = vexfs_kill_sb,
	.fs_flags = FS_REQUIRES_DEV,
};
