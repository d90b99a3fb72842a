/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The storage the gateway serves, behind one interface:
 *
 *   none      no storage; every collection is missing (this skeleton)
 *   kernel    vexfs.ko through ioctl (data plane) and generic netlink
 *             (control plane) - the product
 *   embedded  the userspace core in-process over an image file, for
 *             hosts that cannot load modules and for native benchmarks
 *
 * Rules for implementations:
 * - Ops return 0 or a negative errno; reply.c maps the errno to Qdrant's
 *   HTTP code, and the handler supplies the message (it knows the names).
 * - Ops are called concurrently from every worker thread. A transport
 *   that is not thread-safe (a netlink socket) must be kept per thread.
 * - Ops may block (an ioctl); they run on the worker that owns the
 *   connection, so one slow op delays only that worker's clients.
 * - Inputs are already validated for shape and range by the gateway;
 *   the backend (the kernel) validates them again for safety.
 */
#ifndef VEXFS_GATEWAY_BACKEND_H
#define VEXFS_GATEWAY_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gw_distance {
	GW_DIST_COSINE,
	GW_DIST_EUCLID,
	GW_DIST_DOT,
	GW_DIST_MANHATTAN,
};

struct gw_hnsw_params {
	uint32_t m;
	uint32_t ef_construct;
	uint32_t full_scan_threshold; /* KB of vectors, as Qdrant */
};

/* The unnamed dense vector only, until named vectors are added. */
struct gw_collection_params {
	uint32_t size;
	enum gw_distance distance;
	struct gw_hnsw_params hnsw;
};

enum gw_collection_status {
	GW_STATUS_GREEN,
	GW_STATUS_YELLOW,
	GW_STATUS_GREY,
	GW_STATUS_RED,
};

struct gw_collection_info {
	struct gw_collection_params params;
	enum gw_collection_status status;
	uint64_t points_count;
	uint64_t indexed_vectors_count;
	uint32_t segments_count;
};

/* A list of names the backend allocated; free with gw_names_free(). */
struct gw_names {
	char **v;
	size_t n;
};

void gw_names_free(struct gw_names *names);

/* A point id: an unsigned 64-bit number or a UUID (RFC 4122 byte order). */
enum { GW_ID_NUM, GW_ID_UUID };

struct gw_point_id {
	uint32_t kind; /* GW_ID_* */
	union {
		uint64_t num;
		uint8_t uuid[16];
	};
};

/* Filter bytecode (uapi/vexfs_filter.h) from gw_filter_compile(); len 0: none. */
struct gw_filter {
	const void *code;
	uint32_t len;
};

/* A payload index (Qdrant's payload_schema entry). */
struct gw_index_info {
	char key[256];
	uint32_t type; /* VEXFS_INDEX_* (uapi/vexfs.h) */
	uint64_t points;
};

struct gw_indexes {
	struct gw_index_info *v;
	size_t n;
};

/* An alias and its collection. */
struct gw_alias {
	char alias[256];
	char collection[256];
};

struct gw_aliases {
	struct gw_alias *v;
	size_t n;
};

/* Payload operations (values are VEXFS_PAYLOAD_*). */
enum gw_payload_op {
	GW_PAYLOAD_SET = 1,
	GW_PAYLOAD_OVERWRITE = 2,
	GW_PAYLOAD_DELETE_KEYS = 3,
	GW_PAYLOAD_CLEAR = 4,
};

struct gw_hit {
	struct gw_point_id id;
	float score; /* as Qdrant reports it for the distance */
};

struct gw_search {
	uint32_t limit;
	uint32_t offset;
	uint32_t ef; /* 0: the collection's ef_construct */
	bool exact;
	bool has_threshold;
	float score_threshold;
	struct gw_filter filter;
};

struct gw_backend;
struct event_base;

struct gw_backend_ops {
	const char *name;
	int (*open)(struct gw_backend *be, const char *arg);
	void (*close)(struct gw_backend *be);

	/* False while storage is still recovering: /readyz answers 503. */
	bool (*ready)(struct gw_backend *be);

	/*
	 * Optional (NULL: nothing to do). attach runs on each worker's own
	 * thread before its event loop starts, detach on the same thread
	 * after the loop has stopped and before @base is freed: a backend
	 * can add per-thread events (the kernel backend's netlink socket)
	 * to the worker's loop. An attach error is logged; the worker
	 * still runs.
	 */
	int (*attach)(struct gw_backend *be, struct event_base *base);
	void (*detach)(struct gw_backend *be, struct event_base *base);

	int (*collection_list)(struct gw_backend *be, struct gw_names *out);
	int (*collection_get)(struct gw_backend *be, const char *name,
			      struct gw_collection_info *out);
	int (*collection_create)(struct gw_backend *be, const char *name,
				 const struct gw_collection_params *params);
	int (*collection_delete)(struct gw_backend *be, const char *name);

	/* Points in a collection (matching @filter, which may be NULL). */
	int (*point_count)(struct gw_backend *be, const char *collection,
			   bool exact, const struct gw_filter *filter,
			   uint64_t *count);

	/*
	 * Data plane, as libvexfs (tools/libvexfs/vexfs.h): ids[n],
	 * vectors[n * dim], optional CBOR payloads (payload_lens NULL: none).
	 * point_get: found[n] required, vectors/payload_lens/has_vector
	 * optional;
	 * payloads written back to back, *payloads_size in: room, out: needed
	 * (-ENOSPC: too small). Returns the number found.
	 * point_delete returns how many existed; point_search the hit count
	 * (hits[limit]).
	 */
	int (*point_upsert)(struct gw_backend *be, const char *collection,
			    uint32_t n, uint32_t dim,
			    const struct gw_point_id *ids, const float *vectors,
			    const uint32_t *payload_lens, const void *payloads);
	int (*point_get)(struct gw_backend *be, const char *collection,
			 uint32_t n, const struct gw_point_id *ids,
			 uint8_t *found, float *vectors, uint32_t *payload_lens,
			 void *payloads, uint64_t *payloads_size,
			 uint8_t *has_vector);
	int (*point_delete)(struct gw_backend *be, const char *collection,
			    uint32_t n, const struct gw_point_id *ids);
	int (*point_search)(struct gw_backend *be, const char *collection,
			    uint32_t dim, const float *query,
			    const struct gw_search *opts, struct gw_hit *hits);
	/*
	 * The next at most @limit ids from *cursor (0 to start), in the
	 * storage's order, matching @filter (may be NULL); *cursor is
	 * UINT64_MAX after the last. Returns the number written.
	 */
	int (*point_scroll)(struct gw_backend *be, const char *collection,
			    uint64_t *cursor, uint32_t limit,
			    const struct gw_filter *filter,
			    struct gw_point_id *ids);

	/*
	 * The ops below may be NULL in a backend that lacks them; the
	 * handler then answers 501 (gw_backend_has()).
	 */

	/* Delete every point matching @filter; returns how many. */
	int (*point_delete_filter)(struct gw_backend *be,
				   const char *collection,
				   const struct gw_filter *filter);
	/*
	 * VEXFS_IOC_PAYLOAD: on ids[n] (all must exist: -ENOENT) or, with
	 * n == 0, on the points matching @filter. @payload is CBOR (a map;
	 * for DELETE_KEYS an array of key paths), @key an optional key path
	 * for SET. Returns the number of points changed.
	 */
	int (*payload_op)(struct gw_backend *be, const char *collection,
			  enum gw_payload_op op, uint32_t n,
			  const struct gw_point_id *ids,
			  const struct gw_filter *filter, const char *key,
			  const void *payload, uint32_t payload_len);
	/* Replace vectors of existing points (-ENOENT if any is missing). */
	int (*vectors_update)(struct gw_backend *be, const char *collection,
			      uint32_t n, uint32_t dim,
			      const struct gw_point_id *ids,
			      const float *vectors);
	/* Remove the vector of ids[n] or, with n == 0, of @filter's points. */
	int (*vectors_delete)(struct gw_backend *be, const char *collection,
			      uint32_t n, const struct gw_point_id *ids,
			      const struct gw_filter *filter);

	/* Change hnsw parameters (size and distance must stay). */
	int (*collection_update)(struct gw_backend *be, const char *name,
				 const struct gw_collection_params *params);
	/*
	 * One alias action, atomically: create (@alias -> @collection),
	 * delete (@collection and @old NULL), rename (@old -> @alias).
	 */
	int (*alias_change)(struct gw_backend *be, const char *alias,
			    const char *collection, const char *old);
	/* Every alias, or those of @collection (non-NULL). */
	int (*alias_list)(struct gw_backend *be, const char *collection,
			  struct gw_aliases *out);

	int (*index_create)(struct gw_backend *be, const char *collection,
			    const char *key, uint32_t type);
	int (*index_delete)(struct gw_backend *be, const char *collection,
			    const char *key);
	int (*index_list)(struct gw_backend *be, const char *collection,
			  struct gw_indexes *out);
};

/* Whether @be implements the optional op @field. */
#define gw_backend_has(be, field) ((be)->ops->field != NULL)

struct vexfs_collection_config;

/* The uapi config both backends pass down (hnsw m = 0: no graph). */
void gw_config_to_uapi(const struct gw_collection_params *p,
		       struct vexfs_collection_config *cfg);
enum gw_distance gw_distance_from_uapi(uint32_t d);

void gw_aliases_free(struct gw_aliases *a);
void gw_indexes_free(struct gw_indexes *x);

struct gw_backend {
	const struct gw_backend_ops *ops;
	void *priv;
};

extern const struct gw_backend_ops gw_backend_none;
extern const struct gw_backend_ops gw_backend_kernel;
extern const struct gw_backend_ops gw_backend_embedded;

/* Make a new VexFS image of @size bytes at @path (embedded backend). */
int gw_embedded_mkfs(const char *path, unsigned long long size);

/* Look up a backend by name and open it; NULL with errno on failure. */
struct gw_backend *gw_backend_open(const char *name, const char *arg);
void gw_backend_close(struct gw_backend *be);

#endif
