/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * VexFS userspace ABI: ioctl numbers and structures, the generic-netlink
 * family, and the limits both sides enforce. This is the only header shared
 * by vexfs.ko, libvexfs, the gateway and the tools.
 *
 * Rules: fixed-width fields, explicit padding, user pointers as __u64, a
 * size or flags field for extension, and a size assertion on every struct.
 */
#ifndef _UAPI_LINUX_VEXFS_H
#define _UAPI_LINUX_VEXFS_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VEXFS_FS_NAME "vexfs"

/* ABI version reported by VEXFS_IOC_VERSION; bumped on incompatible change. */
#define VEXFS_ABI_MAJOR 0
#define VEXFS_ABI_MINOR 1

/*
 * 0xE7 is unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst
 * (checked against 6.1); VexFS uses numbers 0x00-0x3F.
 */
#define VEXFS_IOC_MAGIC 0xE7

/* Limits (see Documentation/vexfs/limits.rst). */
#define VEXFS_MAX_DIM 65536u
#define VEXFS_COLLECTION_NAME_MAX 255u

struct vexfs_version {
	__u32 abi_major;
	__u32 abi_minor;
	__u32 format_version; /* on-disk format of the mounted filesystem */
	__u32 flags; /* VEXFS_VERSION_F_* */
	char module_version[32]; /* NUL-terminated */
};

/* SIMD distance implementation the module chose at load. */
#define VEXFS_VERSION_F_SIMD_AVX2 (1u << 0)
#define VEXFS_VERSION_F_SIMD_AVX512 (1u << 1)
#define VEXFS_VERSION_F_SIMD_NEON (1u << 2)

#define VEXFS_IOC_VERSION _IOR(VEXFS_IOC_MAGIC, 0x00, struct vexfs_version)

/* Generic netlink control plane. */
#define VEXFS_GENL_NAME "vexfs"
#define VEXFS_GENL_VERSION 1
#define VEXFS_GENL_MCGRP_EVENTS "events"

_Static_assert(sizeof(struct vexfs_version) == 48, "vexfs_version size");

#endif /* _UAPI_LINUX_VEXFS_H */
