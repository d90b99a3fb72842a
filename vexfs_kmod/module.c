// SPDX-License-Identifier: GPL-2.0
/* VexFS: a vector database as a Linux filesystem. Module entry points. */
#include <linux/module.h>
#include <linux/init.h>
#include "vexfs.h"
#include "core/distance.h"

/* Layout of every on-disk structure, checked once at build time. */
static void __init vexfs_check_ondisk_layout(void)
{
	BUILD_BUG_ON(sizeof(struct vx_disk_super) != VX_BLOCK_SIZE);
	BUILD_BUG_ON(offsetof(struct vx_disk_super, crc) != 12);
	BUILD_BUG_ON(offsetof(struct vx_disk_super, label) != 128);
}

static bool dist_selftest;
module_param(dist_selftest, bool, 0444);
MODULE_PARM_DESC(dist_selftest,
		 "At load, check every SIMD distance against the scalar one");

static int __init vexfs_init(void)
{
	int err;

	vexfs_check_ondisk_layout();
	vx_dist_init();
	if (dist_selftest) {
		/* In FPU sections of bounded size; refuses to load on a mismatch. */
		err = vx_dist_selftest();
		if (err)
			return err;
		pr_info("vexfs: distance selftest passed (%s against generic)\n",
			vx_dist_impl_name());
	}
	err = vexfs_genl_register();
	if (err)
		return err;
	err = register_filesystem(&vexfs_fs_type);
	if (err) {
		vexfs_genl_unregister();
		return err;
	}
	pr_info("vexfs: registered filesystem (format %u)\n",
		VX_FORMAT_VERSION);
	return 0;
}

static void __exit vexfs_exit(void)
{
	unregister_filesystem(&vexfs_fs_type);
	vexfs_genl_unregister();
	pr_info("vexfs: unregistered filesystem\n");
}

module_init(vexfs_init);
module_exit(vexfs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VexFS: vector database filesystem");
MODULE_AUTHOR("The VexFS authors");
MODULE_VERSION(VEXFS_MODULE_VERSION);
MODULE_ALIAS_FS("vexfs");
