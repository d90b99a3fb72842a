/* SPDX-License-Identifier: GPL-2.0 */
/* VexFS kernel glue: in-memory superblock and the VFS entry points. */
#ifndef VEXFS_H
#define VEXFS_H

#include <linux/fs.h>
#include <linux/workqueue.h>
#include "core/format.h"
#include "core/db.h"
#include "compat.h"
#include "uapi/vexfs.h"

#define VEXFS_ROOT_INO 1
#define VEXFS_MODULE_VERSION "0.1.0"

/* The engine's block device (core/bdev.h) on a struct block_device. */
struct vexfs_bdev {
	struct vx_bdev bd;
	struct block_device *bdev;
};

struct vexfs_sb_info {
	struct vexfs_bdev vbd;
	struct vx_db *db;
	struct delayed_work ckpt_work; /* background checkpoints */
	unsigned long last_ckpt; /* jiffies */
	struct work_struct index_work; /* links new points into the graphs */
};

static inline struct vexfs_sb_info *VEXFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* super.c */
extern struct file_system_type vexfs_fs_type;

/* bio.c */
void vexfs_bdev_init(struct vexfs_bdev *vbd, struct block_device *bdev);

/* super.c */
void vexfs_kick_indexer(struct super_block *sb);

/* inode.c */
extern const struct dentry_operations vexfs_dentry_ops;
struct inode *vexfs_root_inode(struct super_block *sb);
u32 vexfs_file_coll_id(struct file *file);

/* genl.c */
int vexfs_genl_register(void);
void vexfs_genl_unregister(void);
void vexfs_genl_event(u32 event, const char *name, u32 len);
void vexfs_genl_event_ex(u32 event, const char *name, u32 len,
			 const char *alias, u32 alias_len, u64 indexed);

/* ioctl.c */
long vexfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* VEXFS_H */
