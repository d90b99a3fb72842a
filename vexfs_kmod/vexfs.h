/* SPDX-License-Identifier: GPL-2.0 */
/* VexFS kernel glue: in-memory superblock and the VFS entry points. */
#ifndef VEXFS_H
#define VEXFS_H

#include <linux/fs.h>
#include "core/format.h"
#include "compat.h"
#include "uapi/vexfs.h"

#define VEXFS_ROOT_INO 1
#define VEXFS_MODULE_VERSION "0.1.0"

struct vexfs_sb_info {
	struct vx_super_info disk; /* the superblock slot mount chose */
};

static inline struct vexfs_sb_info *VEXFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* super.c */
extern struct file_system_type vexfs_fs_type;

/* inode.c */
struct inode *vexfs_root_inode(struct super_block *sb);

/* ioctl.c */
long vexfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* VEXFS_H */
