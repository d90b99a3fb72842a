// SPDX-License-Identifier: GPL-2.0
/* The directory view: the mount root (collections appear here later). */
#include "vexfs.h"

static const struct file_operations vexfs_root_dir_ops = {
	.open = dcache_dir_open,
	.release = dcache_dir_close,
	.llseek = dcache_dir_lseek,
	.read = generic_read_dir,
	.iterate_shared = dcache_readdir,
	.fsync = noop_fsync,
	.unlocked_ioctl = vexfs_ioctl,
	.compat_ioctl = vexfs_ioctl,
};

struct inode *vexfs_root_inode(struct super_block *sb)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->i_ino = VEXFS_ROOT_INO;
	vexfs_inode_init_owner(inode, NULL, S_IFDIR | 0755);
	vexfs_inode_init_times(inode);
	inode->i_op = &simple_dir_inode_operations;
	inode->i_fop = &vexfs_root_dir_ops;
	set_nlink(inode, 2);
	return inode;
}
