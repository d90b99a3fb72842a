/* SPDX-License-Identifier: GPL-2.0 */
/* Differences between the kernels VexFS supports (Debian's 6.1 and 6.12). */
#ifndef VEXFS_COMPAT_H
#define VEXFS_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define vexfs_inode_init_times(inode) simple_inode_init_ts(inode)
#else
static inline void vexfs_inode_init_times(struct inode *inode)
{
	struct timespec64 now = current_time(inode);

	inode->i_atime = now;
	inode->i_mtime = now;
	inode->i_ctime = now;
}
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define vexfs_inode_init_owner(inode, dir, mode) \
	inode_init_owner(&nop_mnt_idmap, inode, dir, mode)
#else
#define vexfs_inode_init_owner(inode, dir, mode) \
	inode_init_owner(&init_user_ns, inode, dir, mode)
#endif

/* ->setattr and the helpers it calls take an idmap (6.3+) or a userns. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define VEXFS_IDMAP_ARG struct mnt_idmap *idmap
#else
#define VEXFS_IDMAP_ARG struct user_namespace *idmap
#endif

#endif /* VEXFS_COMPAT_H */
