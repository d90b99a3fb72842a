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
#define VEXFS_PAYLOAD_MAX (1u << 20) /* bytes of CBOR per point */
#define VEXFS_MAX_COLLECTIONS 4096u

/* Distances; the values are also the core's enum vx_metric. */
#define VEXFS_DISTANCE_COSINE 1
#define VEXFS_DISTANCE_EUCLID 2
#define VEXFS_DISTANCE_DOT 3
#define VEXFS_DISTANCE_MANHATTAN 4

/* A point id: an unsigned 64-bit number or a UUID (16 bytes, RFC 4122 order). */
#define VEXFS_ID_NUM 0
#define VEXFS_ID_UUID 1

struct vexfs_point_id {
	__u32 kind; /* VEXFS_ID_* */
	__u32 pad; /* must be 0 */
	union {
		__u64 num;
		__u8 uuid[16];
	};
};

struct vexfs_collection_config {
	__u32 dim; /* 1 .. VEXFS_MAX_DIM */
	__u32 distance; /* VEXFS_DISTANCE_* */
	__u32 hnsw_m; /* 0: default 16 */
	__u32 hnsw_ef_construct; /* 0: default 100 */
	__u64 full_scan_threshold; /* KiB of vectors; 0: default 10000 */
	__u32 flags; /* none defined; must be 0 */
	__u32 pad;
};

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
_Static_assert(sizeof(struct vexfs_point_id) == 24, "vexfs_point_id size");
_Static_assert(sizeof(struct vexfs_collection_config) == 32,
	       "vexfs_collection_config size");

#endif /* _UAPI_LINUX_VEXFS_H */
