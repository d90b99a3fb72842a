/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvexfs: the native client library of VexFS.
 *
 * A mounted VexFS filesystem is reached two ways (uapi/vexfs.h):
 *
 *   control plane  generic netlink family "vexfs": create, delete, get and
 *                  list collections. Every request names the filesystem by
 *                  an fd of its mount root, which struct vexfs holds.
 *   data plane     ioctls on an fd of a collection directory
 *                  (vexfs_coll_open()): upsert, get, delete, count, search,
 *                  scroll.
 *
 * Conventions:
 *   - Functions returning int give 0 (or a count) on success and a negative
 *     errno on failure (-EINVAL, -ENOENT, ...), never -1 with errno.
 *     The two constructors returning pointers give NULL and set errno.
 *   - The data-plane calls are thin wrappers around one ioctl each: they do
 *     not allocate, lock or keep state, and are safe from any thread on any
 *     collection fd. Callers own every buffer.
 *   - The control-plane calls share one netlink socket per struct vexfs,
 *     serialized by a mutex: safe from several threads, not a hot path.
 *     The family id is resolved once, on the first control-plane call.
 *
 * Build: include "libvexfs/vexfs.h" with the top of the tree and tools/ on
 * the include path, link build/tools/libvexfs.a (or -lvexfs) and
 * `pkg-config --libs libnl-genl-3.0`.
 */
#ifndef LIBVEXFS_VEXFS_H
#define LIBVEXFS_VEXFS_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/vexfs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- the filesystem ------------------------------------------------------ */

/* An open VexFS mount: its root directory fd and a netlink socket. */
struct vexfs;

/*
 * Open the VexFS filesystem mounted at @mountpoint (its root directory).
 * Checks that it is VexFS with a compatible ABI major version.
 * Returns NULL with errno set: ENOENT, ENOTDIR, ENOTTY (not VexFS),
 * EPROTO (incompatible ABI), ENOMEM, ...
 */
struct vexfs *vexfs_open(const char *mountpoint);

/* Close the handle (collection fds from vexfs_coll_open() stay open). */
void vexfs_close(struct vexfs *vx);

/* The mount root fd the handle holds (owned by the handle). */
int vexfs_root_fd(const struct vexfs *vx);

/* VEXFS_IOC_VERSION on the mount root. */
int vexfs_version(struct vexfs *vx, struct vexfs_version *v);

/* --- control plane (generic netlink) ------------------------------------- */

struct vexfs_coll_info {
	char name[VEXFS_COLLECTION_NAME_MAX + 1];
	struct vexfs_collection_config config; /* defaults filled in */
	uint64_t points;
	uint64_t indexed; /* points in the HNSW graph */
};

/* A config with @dim and @distance and every other field 0 (defaults). */
void vexfs_config_init(struct vexfs_collection_config *cfg, uint32_t dim,
		       uint32_t distance);

/*
 * Create collection @name. Needs write permission on the mount root.
 * -EEXIST, -EINVAL (bad name or config), -EACCES/-EPERM, -ENOSPC, ...
 * -ENOENT if the module offers no "vexfs" netlink family.
 */
int vexfs_coll_create(struct vexfs *vx, const char *name,
		      const struct vexfs_collection_config *cfg);

/* Delete collection @name and all its points. -ENOENT if absent. */
int vexfs_coll_delete(struct vexfs *vx, const char *name);

/* Fill @info for collection @name. -ENOENT if absent. */
int vexfs_coll_get(struct vexfs *vx, const char *name,
		   struct vexfs_coll_info *info);

/*
 * Call @cb for every collection, in the kernel's order. A non-zero return
 * from @cb stops the walk and is returned. Otherwise returns the number of
 * collections seen.
 */
typedef int (*vexfs_coll_cb)(const struct vexfs_coll_info *info, void *arg);
int vexfs_coll_list(struct vexfs *vx, vexfs_coll_cb cb, void *arg);

/*
 * Open the directory of collection @name for the data plane
 * (O_RDONLY | O_DIRECTORY | O_CLOEXEC). Returns the fd (close it with
 * close(2)) or a negative errno: -ENOENT if absent, -EINVAL for a name
 * that cannot be a collection ("", ".", "..", a '/').
 */
int vexfs_coll_open(struct vexfs *vx, const char *name);

/*
 * Change a collection's HNSW parameters and full-scan threshold; dim and
 * distance must equal the current ones (-EINVAL otherwise).
 */
int vexfs_coll_update(struct vexfs *vx, const char *name,
		      const struct vexfs_collection_config *cfg);

/*
 * Aliases (VEXFS_CMD_ALIAS_CHANGE, each call atomic). An alias is accepted
 * wherever a collection name is, and shows as a symlink in the mount root.
 * create re-points an existing alias; -ENOENT for a missing collection or
 * alias, -EEXIST when an alias would shadow a collection.
 */
int vexfs_alias_create(struct vexfs *vx, const char *alias, const char *coll);
int vexfs_alias_delete(struct vexfs *vx, const char *alias);
int vexfs_alias_rename(struct vexfs *vx, const char *old_alias,
		       const char *new_alias);

/* Every alias (@coll NULL) or those of @coll; callback as vexfs_coll_list(). */
typedef int (*vexfs_alias_cb)(const char *alias, const char *coll, void *arg);
int vexfs_alias_list(struct vexfs *vx, const char *coll, vexfs_alias_cb cb,
		     void *arg);

/* Payload indexes (Qdrant's payload_schema). */
struct vexfs_index_info {
	char key[VEXFS_KEY_MAX + 1];
	uint32_t type; /* enum vexfs_index_type */
	uint64_t points; /* points with an indexed value */
};

/* Create (or, with another type, replace) the index on @key. */
int vexfs_index_create(struct vexfs *vx, const char *coll, const char *key,
		       uint32_t type);
int vexfs_index_delete(struct vexfs *vx, const char *coll, const char *key);
typedef int (*vexfs_index_cb)(const struct vexfs_index_info *info, void *arg);
int vexfs_index_list(struct vexfs *vx, const char *coll, vexfs_index_cb cb,
		     void *arg);

/* --- events (multicast group "events") ----------------------------------- */

struct vexfs_events;

struct vexfs_event_info {
	uint32_t event; /* enum vexfs_event */
	char coll[VEXFS_COLLECTION_NAME_MAX + 1]; /* "" if none */
	uint64_t indexed; /* VEXFS_EVENT_INDEXED: points in the graph */
};

/* Subscribe to the events of every VexFS filesystem. NULL + errno. */
struct vexfs_events *vexfs_events_open(void);
void vexfs_events_close(struct vexfs_events *ev);

/* A pollable fd: readable when vexfs_events_read() has something. */
int vexfs_events_fd(struct vexfs_events *ev);

/*
 * Next event, waiting at most @timeout_ms (-1: forever, 0: do not wait).
 * Returns 1 with @out filled, 0 on timeout, or a negative errno
 * (-ENOBUFS: events were lost because the socket overflowed).
 */
int vexfs_events_read(struct vexfs_events *ev, struct vexfs_event_info *out,
		      int timeout_ms);

/* --- data plane (ioctl on a collection directory fd) --------------------- */

static inline struct vexfs_point_id vexfs_id_num(uint64_t num)
{
	struct vexfs_point_id id = { .kind = VEXFS_ID_NUM };

	id.num = num;
	return id;
}

static inline struct vexfs_point_id vexfs_id_uuid(const uint8_t uuid[16])
{
	struct vexfs_point_id id = { .kind = VEXFS_ID_UUID };

	for (int i = 0; i < 16; i++)
		id.uuid[i] = uuid[i];
	return id;
}

/* Any VexFS ioctl: 0 or the ioctl's non-negative result, or -errno. */
int vexfs_ioctl(int fd, unsigned long request, void *arg);

/*
 * Insert or replace @count points: ids[count], vectors[count * dim] (dim
 * must be the collection's), and optionally their CBOR payloads:
 * payload_lens[count] bytes each, back to back at @payloads. Pass
 * payload_lens = NULL for points without payload. Durable on return.
 */
int vexfs_upsert(int cfd, uint32_t count, uint32_t dim,
		 const struct vexfs_point_id *ids, const float *vectors,
		 const uint32_t *payload_lens, const void *payloads);

/*
 * Look up @count points. found[count] is required; vectors
 * (float[count * dim]) and payload_lens (u32[count]) are optional and ask for
 * vectors and payloads. Payloads are written back to back at @payloads,
 * *payloads_size bytes at most; on return *payloads_size holds the bytes
 * needed, and -ENOSPC means @payloads was too small.
 * Returns the number of points found.
 */
int vexfs_get(int cfd, uint32_t count, const struct vexfs_point_id *ids,
	      uint8_t *found, float *vectors, uint32_t *payload_lens,
	      void *payloads, uint64_t *payloads_size);

/* Delete @count points; absent ones are ignored. Returns how many existed. */
int vexfs_delete(int cfd, uint32_t count, const struct vexfs_point_id *ids);

/* Points in the collection, and how many of them are in the graph. */
int vexfs_count(int cfd, uint64_t *points, uint64_t *indexed);

struct vexfs_search_opts {
	uint32_t limit; /* results per query */
	uint32_t offset; /* results skipped first */
	uint32_t ef; /* 0: the collection's ef_construct */
	uint32_t flags; /* VEXFS_SEARCH_EXACT, VEXFS_SEARCH_THRESHOLD */
	float score_threshold; /* with VEXFS_SEARCH_THRESHOLD */
	const void *filter; /* bytecode (uapi/vexfs_filter.h) or NULL */
	uint32_t filter_len;
};

/*
 * Search @nq queries (queries[nq * dim]). Query i's results are
 * hits[i * limit .. i * limit + nhits[i]), best first; @nhits may be NULL
 * when nq == 1. Returns the total number of hits.
 */
int vexfs_search(int cfd, uint32_t nq, uint32_t dim, const float *queries,
		 const struct vexfs_search_opts *opts, struct vexfs_hit *hits,
		 uint32_t *nhits);

/* The cursor value that starts a scroll, and the one that says it is done. */
#define VEXFS_SCROLL_START 0ull
#define VEXFS_SCROLL_END (~0ull)

/*
 * The next at most @limit ids from *cursor (start with VEXFS_SCROLL_START);
 * *cursor is advanced and is VEXFS_SCROLL_END after the last batch.
 * Returns the number of ids written.
 */
int vexfs_scroll(int cfd, uint64_t *cursor, uint32_t limit,
		 struct vexfs_point_id *ids);

/* VEXFS_IOC_GET with every field of struct vexfs_get (has_vector, ...). */
int vexfs_get_ex(int cfd, struct vexfs_get *g);

/*
 * The filtered forms: @filter is bytecode of @filter_len bytes
 * (uapi/vexfs_filter.h), verified by the kernel (-EINVAL if malformed).
 * vexfs_delete_filter() returns how many points it deleted.
 */
int vexfs_count_filter(int cfd, const void *filter, uint32_t filter_len,
		       uint64_t *points);
int vexfs_scroll_filter(int cfd, uint64_t *cursor, uint32_t limit,
			const void *filter, uint32_t filter_len,
			struct vexfs_point_id *ids);
int vexfs_delete_filter(int cfd, const void *filter, uint32_t filter_len);

/* VEXFS_IOC_PAYLOAD; returns op->updated (points changed). */
int vexfs_payload(int cfd, struct vexfs_payload_op *op);

/* Replace vectors of existing points; -ENOENT (nothing changed) if one is missing. */
int vexfs_vectors_update(int cfd, uint32_t count, uint32_t dim,
			 const struct vexfs_point_id *ids,
			 const float *vectors);

/* Remove the vectors of ids[count], or with count 0 of @filter's points. */
int vexfs_vectors_delete(int cfd, uint32_t count,
			 const struct vexfs_point_id *ids, const void *filter,
			 uint32_t filter_len);

/* --- helpers ------------------------------------------------------------- */

/* "Cosine", "Euclid", "Dot", "Manhattan", or NULL. */
const char *vexfs_distance_name(uint32_t distance);

/* The reverse, case-insensitive; returns VEXFS_DISTANCE_* or -EINVAL. */
int vexfs_distance_parse(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* LIBVEXFS_VEXFS_H */
