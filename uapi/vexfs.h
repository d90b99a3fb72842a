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
#define VEXFS_ABI_MINOR 2

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
#define VEXFS_ALIASES_MAX 4096u /* per filesystem */
#define VEXFS_INDEXES_MAX 64u /* payload indexes per collection */
#define VEXFS_KEY_MAX 255u /* bytes of a payload key path (index, set) */
#define VEXFS_FILTER_MAX (64u << 10) /* bytes of filter bytecode */

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
	__u32 flags; /* VEXFS_CONFIG_* */
	__u32 pad;
};

/*
 * No HNSW graph (Qdrant's hnsw m = 0): every search is an exact scan and
 * nothing is indexed in the background. hnsw_m must be 0 with it.
 */
#define VEXFS_CONFIG_NO_GRAPH (1u << 0)

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

/*
 * A payload filter: bytecode as defined in uapi/vexfs_filter.h, compiled
 * from Qdrant's filter JSON by the gateway and verified by the kernel
 * before use. len == 0: no filter (every point).
 */
struct vexfs_filter {
	__u64 code; /* user pointer to len bytes */
	__u32 len; /* <= VEXFS_FILTER_MAX */
	__u32 pad; /* must be 0 */
};

#define VEXFS_IOC_VERSION _IOR(VEXFS_IOC_MAGIC, 0x00, struct vexfs_version)

/*
 * Data plane: ioctls on an open collection directory
 * (open("/mnt/vexfs/<collection>", O_RDONLY | O_DIRECTORY)). Writes need
 * write permission on that directory, reads need read permission.
 * Every array is a user pointer (__u64) with its count; sizes are checked
 * against the limits below before anything is allocated.
 */
#define VEXFS_BATCH_MAX 65536u /* points per upsert/get/delete call */
#define VEXFS_QUERIES_MAX 1024u /* queries per search call */
#define VEXFS_K_MAX 10000u /* results per query (limit + offset) */

struct vexfs_upsert {
	__u32 count; /* points */
	__u32 dim; /* must equal the collection's */
	__u32 flags; /* none defined; must be 0 */
	__u32 pad;
	__u64 ids; /* struct vexfs_point_id[count] */
	__u64 vectors; /* float[count * dim] */
	__u64 payload_lens; /* __u32[count]; 0 = no pointer, no payloads */
	__u64 payloads; /* the payloads (CBOR maps), back to back */
	__u64 payloads_size; /* bytes at payloads; must equal the sum of lens */
};

#define VEXFS_GET_VECTOR (1u << 0)
#define VEXFS_GET_PAYLOAD (1u << 1)

struct vexfs_get {
	__u32 count;
	__u32 flags; /* VEXFS_GET_* */
	__u64 ids; /* in: struct vexfs_point_id[count] */
	__u64 found; /* out: __u8[count], 1 if the point exists */
	__u64 vectors; /* out: float[count * dim] (VEXFS_GET_VECTOR) */
	__u64 payload_lens; /* out: __u32[count] (VEXFS_GET_PAYLOAD) */
	__u64 payloads; /* out: payloads back to back */
	__u64 payloads_size; /* in: capacity; out: bytes needed (-ENOSPC if more) */
	__u64 has_vector; /* out, optional (0): __u8[count], 1 if it has one */
};

/* By ids (count > 0), or every point matching filter (count == 0). */
struct vexfs_delete {
	__u32 count;
	__u32 deleted; /* out: how many existed */
	__u64 ids; /* struct vexfs_point_id[count] */
	struct vexfs_filter filter; /* only with count == 0; required then */
};

struct vexfs_count {
	__u64 count; /* out: points in the collection (matching filter) */
	__u64 indexed; /* out: points in the HNSW graph (whole collection) */
	struct vexfs_filter filter; /* in, optional */
};

#define VEXFS_SEARCH_EXACT (1u << 0) /* no graph: exact scan */
#define VEXFS_SEARCH_THRESHOLD (1u << 1) /* score_threshold is set */

struct vexfs_hit {
	struct vexfs_point_id id;
	float score; /* as Qdrant reports it for the distance */
	__u32 pad;
};

struct vexfs_search {
	__u32 nq; /* queries */
	__u32 dim;
	__u32 limit; /* results per query */
	__u32 offset; /* skipped first; limit + offset <= VEXFS_K_MAX */
	__u32 ef; /* 0: the collection's ef_construct */
	__u32 flags; /* VEXFS_SEARCH_* */
	float score_threshold;
	__u32 pad;
	__u64 queries; /* float[nq * dim] */
	__u64 hits; /* out: struct vexfs_hit[nq * limit] */
	__u64 nhits; /* out: __u32[nq] */
	struct vexfs_filter filter; /* optional: only matching points */
};

struct vexfs_scroll {
	__u64 cursor; /* in/out: 0 to start; opaque; ~0 when done */
	__u32 limit; /* ids wanted, <= VEXFS_BATCH_MAX */
	__u32 nr; /* out: ids returned */
	__u64 ids; /* out: struct vexfs_point_id[limit] */
	struct vexfs_filter filter; /* optional: only matching points */
};

/*
 * Payload updates, on the points named by ids (count > 0: all must exist,
 * else -ENOENT and nothing changes) or on every point matching filter
 * (count == 0). Each changed point is rewritten whole and atomically.
 */
#define VEXFS_PAYLOAD_SET 1 /* merge the CBOR map's keys (under key, if any) */
#define VEXFS_PAYLOAD_OVERWRITE 2 /* replace the payload by the CBOR map */
#define VEXFS_PAYLOAD_DELETE_KEYS 3 /* payload: CBOR array of key paths */
#define VEXFS_PAYLOAD_CLEAR 4 /* make the payload empty; payload_len 0 */

struct vexfs_payload_op {
	__u32 op; /* VEXFS_PAYLOAD_* */
	__u32 count; /* ids; 0 selects by filter */
	__u64 ids; /* struct vexfs_point_id[count] */
	struct vexfs_filter filter; /* only with count == 0; required then */
	__u64 payload; /* CBOR, payload_len bytes */
	__u32 payload_len; /* <= VEXFS_PAYLOAD_MAX */
	__u32 key_len; /* SET: bytes of the key path at key; 0: top level */
	__u64 key; /* Qdrant key path ("a.b", "a[0].b", "a[].b") */
	__u64 updated; /* out: points changed */
};

/* Replace the vectors of existing points (all must exist, else -ENOENT). */
struct vexfs_vectors_update {
	__u32 count;
	__u32 dim; /* must equal the collection's */
	__u64 ids; /* struct vexfs_point_id[count] */
	__u64 vectors; /* float[count * dim] */
	__u32 flags; /* none defined; must be 0 */
	__u32 updated; /* out */
};

/*
 * Remove the vector of points (they stay, with payload, but no longer
 * match searches): by ids (absent ones ignored) or by filter (count == 0).
 */
struct vexfs_vectors_delete {
	__u32 count;
	__u32 updated; /* out: points that lost a vector */
	__u64 ids; /* struct vexfs_point_id[count] */
	struct vexfs_filter filter; /* only with count == 0; required then */
};

#define VEXFS_IOC_UPSERT _IOW(VEXFS_IOC_MAGIC, 0x01, struct vexfs_upsert)
#define VEXFS_IOC_GET _IOWR(VEXFS_IOC_MAGIC, 0x02, struct vexfs_get)
#define VEXFS_IOC_DELETE _IOWR(VEXFS_IOC_MAGIC, 0x03, struct vexfs_delete)
#define VEXFS_IOC_COUNT _IOWR(VEXFS_IOC_MAGIC, 0x04, struct vexfs_count)
#define VEXFS_IOC_SEARCH _IOWR(VEXFS_IOC_MAGIC, 0x05, struct vexfs_search)
#define VEXFS_IOC_SCROLL _IOWR(VEXFS_IOC_MAGIC, 0x06, struct vexfs_scroll)
#define VEXFS_IOC_PAYLOAD _IOWR(VEXFS_IOC_MAGIC, 0x07, struct vexfs_payload_op)
#define VEXFS_IOC_VECTORS_UPDATE \
	_IOWR(VEXFS_IOC_MAGIC, 0x08, struct vexfs_vectors_update)
#define VEXFS_IOC_VECTORS_DELETE \
	_IOWR(VEXFS_IOC_MAGIC, 0x09, struct vexfs_vectors_delete)

/*
 * Control plane: generic netlink family "vexfs". Every command names the
 * filesystem by an open fd of its mount root (VEXFS_A_ROOT_FD), in the
 * sender's process. Creating or deleting a collection needs write
 * permission on that root directory.
 */
#define VEXFS_GENL_NAME "vexfs"
#define VEXFS_GENL_VERSION 1
#define VEXFS_GENL_MCGRP_EVENTS "events"

enum vexfs_genl_cmd {
	VEXFS_CMD_UNSPEC,
	VEXFS_CMD_COLL_CREATE, /* ROOT_FD, COLL_NAME, COLL_CONFIG */
	VEXFS_CMD_COLL_DELETE, /* ROOT_FD, COLL_NAME */
	VEXFS_CMD_COLL_GET, /* ROOT_FD, COLL_NAME -> one COLL reply */
	VEXFS_CMD_COLL_LIST, /* ROOT_FD -> one reply, COLL nested per collection */
	VEXFS_CMD_EVENT, /* multicast: EVENT, COLL_NAME [, COLL_INDEXED] */
	/* ROOT_FD, COLL_NAME, COLL_CONFIG: dim and distance must not change */
	VEXFS_CMD_COLL_UPDATE,
	/*
	 * ROOT_FD and one of, atomically:
	 *   create  ALIAS_NAME, COLL_NAME (re-points an existing alias)
	 *   delete  ALIAS_NAME
	 *   rename  ALIAS_OLD, ALIAS_NAME
	 * Needs write permission on the root. Aliases show as symlinks in the
	 * root and are accepted wherever a collection name is.
	 */
	VEXFS_CMD_ALIAS_CHANGE,
	VEXFS_CMD_ALIAS_LIST, /* ROOT_FD [, COLL_NAME] -> ALIAS nested per alias */
	VEXFS_CMD_INDEX_CREATE, /* ROOT_FD, COLL_NAME, INDEX_KEY, INDEX_TYPE */
	VEXFS_CMD_INDEX_DELETE, /* ROOT_FD, COLL_NAME, INDEX_KEY */
	VEXFS_CMD_INDEX_LIST, /* ROOT_FD, COLL_NAME -> INDEX nested per index */
	__VEXFS_CMD_MAX,
};
#define VEXFS_CMD_MAX (__VEXFS_CMD_MAX - 1)

enum vexfs_genl_attr {
	VEXFS_A_UNSPEC,
	VEXFS_A_ROOT_FD, /* u32 */
	VEXFS_A_COLL_NAME, /* string, 1..255 bytes */
	VEXFS_A_COLL_CONFIG, /* binary struct vexfs_collection_config */
	VEXFS_A_COLL_POINTS, /* u64 */
	VEXFS_A_COLL_INDEXED, /* u64: points in the graph */
	VEXFS_A_COLL, /* nested: NAME, CONFIG, POINTS, INDEXED */
	VEXFS_A_EVENT, /* u32 enum vexfs_event */
	VEXFS_A_PAD,
	VEXFS_A_ALIAS_NAME, /* string, 1..255 bytes */
	VEXFS_A_ALIAS_OLD, /* string: the alias a rename replaces */
	VEXFS_A_ALIAS, /* nested: ALIAS_NAME, COLL_NAME */
	VEXFS_A_INDEX_KEY, /* string, 1..VEXFS_KEY_MAX bytes */
	VEXFS_A_INDEX_TYPE, /* u32 VEXFS_INDEX_* */
	VEXFS_A_INDEX_POINTS, /* u64: points with a value indexed */
	VEXFS_A_INDEX, /* nested: INDEX_KEY, INDEX_TYPE, INDEX_POINTS */
	__VEXFS_A_MAX,
};
#define VEXFS_A_MAX (__VEXFS_A_MAX - 1)

enum vexfs_event {
	VEXFS_EVENT_COLL_CREATED = 1,
	VEXFS_EVENT_COLL_DELETED = 2,
	VEXFS_EVENT_INDEXED = 3, /* the background indexer caught up */
	VEXFS_EVENT_COLL_UPDATED = 4, /* config or payload indexes changed */
	VEXFS_EVENT_ALIAS_CHANGED = 5, /* COLL_NAME: the alias's target */
};

/* Payload index types (Qdrant's field_schema). */
enum vexfs_index_type {
	VEXFS_INDEX_KEYWORD = 1,
	VEXFS_INDEX_INTEGER = 2,
	VEXFS_INDEX_FLOAT = 3,
	VEXFS_INDEX_BOOL = 4,
	VEXFS_INDEX_UUID = 5,
	VEXFS_INDEX_DATETIME = 6,
	VEXFS_INDEX_GEO = 7,
	VEXFS_INDEX_TEXT = 8,
};

_Static_assert(sizeof(struct vexfs_version) == 48, "vexfs_version size");
_Static_assert(sizeof(struct vexfs_point_id) == 24, "vexfs_point_id size");
_Static_assert(sizeof(struct vexfs_collection_config) == 32,
	       "vexfs_collection_config size");
_Static_assert(sizeof(struct vexfs_filter) == 16, "vexfs_filter size");
_Static_assert(sizeof(struct vexfs_upsert) == 56, "vexfs_upsert size");
_Static_assert(sizeof(struct vexfs_get) == 64, "vexfs_get size");
_Static_assert(sizeof(struct vexfs_delete) == 32, "vexfs_delete size");
_Static_assert(sizeof(struct vexfs_count) == 32, "vexfs_count size");
_Static_assert(sizeof(struct vexfs_hit) == 32, "vexfs_hit size");
_Static_assert(sizeof(struct vexfs_search) == 72, "vexfs_search size");
_Static_assert(sizeof(struct vexfs_scroll) == 40, "vexfs_scroll size");
_Static_assert(sizeof(struct vexfs_payload_op) == 64, "vexfs_payload_op size");
_Static_assert(sizeof(struct vexfs_vectors_update) == 32,
	       "vexfs_vectors_update size");
_Static_assert(sizeof(struct vexfs_vectors_delete) == 32,
	       "vexfs_vectors_delete size");

#endif /* _UAPI_LINUX_VEXFS_H */
