// SPDX-License-Identifier: GPL-2.0
/* ioctl entry point: decodes the command and copies arguments across. */
#include <linux/uaccess.h>
#include "vexfs.h"

static long vexfs_ioc_version(void __user *arg)
{
	struct vexfs_version v = {
		.abi_major = VEXFS_ABI_MAJOR,
		.abi_minor = VEXFS_ABI_MINOR,
		.format_version = VX_FORMAT_VERSION,
	};

	strscpy(v.module_version, VEXFS_MODULE_VERSION,
		sizeof(v.module_version));
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

long vexfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VEXFS_IOC_VERSION:
		return vexfs_ioc_version(uarg);
	default:
		return -ENOTTY;
	}
}
