/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The database: collections of points, as the state machine the store keeps
 * durable (store.h). Every mutation is encoded as one operation record,
 * logged, and applied by the same function replay uses, so what recovery
 * rebuilds is bit-for-bit what the live system had.
 *
 * Operation records (little-endian, after struct vx_op_hdr):
 *   COLL_CREATE  config, name
 *   COLL_DELETE  -
 *   UPSERT       count, then per point: id, payload_len, vector, payload
 *                (payload_len bit 31: the point has no vector, none follows)
 *   DELETE       count, then ids
 *   COLL_UPDATE  config (dim and distance unchanged)
 *   ALIAS        count = VX_ALIAS_*; name_len = alias; pad = old name's
 *                length (RENAME); then the alias name and the old name;
 *                coll_id = the target (CREATE)
 * Payload and vector updates are logged as UPSERTs of the resulting point
 * (physiological logging), so replay needs no payload or filter logic.
 *
 * Locking: the catalog lock (db->lock) guards the list of collections; each
 * collection's lock guards its points. Writers hold the store's freeze read
 * side from logging to applying (store.h); readers take only the locks here.
 */
#ifndef VEXFS_CORE_DB_H
#define VEXFS_CORE_DB_H

#include "shim.h"
#include "store.h"
#include "pointmap.h"
#include "vindex.h"
#include "pindex.h"
#include "uapi/vexfs.h"

enum vx_op {
	VX_OP_COLL_CREATE = 1,
	VX_OP_COLL_DELETE = 2,
	VX_OP_UPSERT = 3,
	VX_OP_DELETE = 4,
	VX_OP_COLL_SETATTR = 5, /* mode, uid, gid of the collection directory */
	VX_OP_COLL_UPDATE = 16, /* hnsw m, ef_construct, full_scan_threshold */
	VX_OP_ALIAS = 17, /* create (re-point), delete or rename an alias */
	VX_OP_INDEX_CREATE = 18, /* count: type; name_len: key bytes; key */
	VX_OP_INDEX_DELETE = 19, /* name_len: key bytes; key */
};

enum vx_alias_action {
	VX_ALIAS_CREATE = 1,
	VX_ALIAS_DELETE = 2,
	VX_ALIAS_RENAME = 3,
};

/* Another name of a collection; lives in the catalog (db->lock). */
struct vx_alias {
	u32 id; /* in memory only: names the symlink's inode */
	u32 coll_id;
	u32 name_len;
	char name[VEXFS_COLLECTION_NAME_MAX + 1];
	struct vx_alias *next;
};

struct vx_op_hdr {
	__le16 op;
	__le16 name_len; /* COLL_CREATE: bytes of name after the config */
	__le32 coll_id;
	__le32 count; /* UPSERT, DELETE: points */
	__le32 pad;
};

struct vx_collection {
	u32 id; /* stable, never reused */
	u32 name_len;
	char name[VEXFS_COLLECTION_NAME_MAX + 1];
	struct vexfs_collection_config cfg;
	u32 mode, uid, gid; /* its directory's permission bits and owner */
	struct vx_rwlock lock; /* points, next_key, bytes */
	struct vx_pointmap points;
	u64 next_key;
	u64 bytes; /* checkpoint bytes of this collection */
	/* Search: the vector index, keyed by point key, and key -> point. */
	struct vx_vindex *vi;
	struct vx_point **by_key; /* [next_key], NULL where deleted */
	u64 by_key_cap;
	u64 index_errors; /* index updates that failed (ENOMEM) */
	struct vx_pindex_set pidx; /* payload indexes (pindex.h) */
	struct vx_collection *next;
};

struct vx_db {
	struct vx_rwlock lock; /* the collection list */
	struct vx_collection *colls;
	u32 nr_colls;
	u32 next_coll_id;
	struct vx_alias *aliases; /* creation order */
	u32 nr_aliases;
	u32 next_alias_id;
	u64 bytes; /* checkpoint bytes of everything: see save_bytes */
	struct vx_store *store; /* NULL while loading */
	void *scratch; /* encode buffer, under the freeze write side only */
};

/* An input point: its vector has dim floats; the payload is CBOR. */
struct vx_point_in {
	struct vexfs_point_id id;
	const float *vec;
	const void *payload;
	u32 payload_len;
};

extern const struct vx_sm_ops vx_db_sm_ops;

struct vx_db *vx_db_new(void);
void vx_db_free(struct vx_db *db);
/* Mount: open the store with @db as its state machine. */
int vx_db_open(struct vx_db *db, struct vx_bdev *bd, u32 flags,
	       const char **why);
int vx_db_close(struct vx_db *db, bool checkpoint);

bool vx_collection_name_valid(const char *name, u32 len);
int vx_db_config_check(struct vexfs_collection_config *cfg);

int vx_db_create_collection(struct vx_db *db, const char *name, u32 len,
			    const struct vexfs_collection_config *cfg);
/* By its own name only: an alias is not accepted (as Qdrant). */
int vx_db_delete_collection(struct vx_db *db, const char *name, u32 len);
/*
 * Change hnsw m, ef_construct and full_scan_threshold (and the NO_GRAPH
 * flag) of collection or alias @name; dim and distance must not change.
 * A new m or ef_construct rebuilds the vector index: every point is queued
 * again and the background indexer relinks them (searches stay exact
 * meanwhile). The collection's name is copied to @real (256 bytes).
 */
int vx_db_update_collection(struct vx_db *db, const char *name, u32 len,
			    const struct vexfs_collection_config *cfg,
			    char *real, u32 *real_len);
/*
 * Aliases, each atomic and durable. create re-points an existing alias;
 * an alias may not take a collection's name (-EEXIST). Deleting a
 * collection deletes its aliases. The target's name goes to @coll_out
 * (256 bytes) for the event.
 */
int vx_db_alias_create(struct vx_db *db, const char *alias, u32 alen,
		       const char *coll, u32 clen, char *coll_out,
		       u32 *coll_out_len);
int vx_db_alias_delete(struct vx_db *db, const char *alias, u32 alen,
		       char *coll_out, u32 *coll_out_len);
int vx_db_alias_rename(struct vx_db *db, const char *old, u32 olen,
		       const char *alias, u32 alen, char *coll_out,
		       u32 *coll_out_len);
/*
 * The @index-th alias (creation order): its name, id and target's name
 * (both buffers 256 bytes). -ENOENT past the end.
 */
int vx_db_alias_at(struct vx_db *db, u32 index, char *name, u32 *len, u32 *id,
		   char *coll, u32 *clen);
/* Aliases, and bytes of their names and of their targets' names. */
u32 vx_db_alias_sizes(struct vx_db *db, u64 *name_bytes);
/* The alias named @name: its id, or -ENOENT. */
int vx_db_alias_find(struct vx_db *db, const char *name, u32 len, u32 *id);
/* The target's name of alias @id (256 bytes), or -ENOENT. */
int vx_db_alias_target(struct vx_db *db, u32 id, char *coll, u32 *clen);
/* chmod/chown of a collection directory, durably (mode: 07777 bits). */
int vx_db_set_collection_attr(struct vx_db *db, u32 coll_id, u32 mode, u32 uid,
			      u32 gid);
int vx_db_upsert(struct vx_db *db, const char *name, u32 len,
		 const struct vx_point_in *pts, u32 n);
/* Deletes the given ids; absent ones are not an error. */
int vx_db_delete(struct vx_db *db, const char *name, u32 len,
		 const struct vexfs_point_id *ids, u32 n, u32 *deleted);
/* The same, naming the collection by its id (ioctls on its directory). */
int vx_db_upsert_id(struct vx_db *db, u32 coll_id,
		    const struct vx_point_in *pts, u32 n);
int vx_db_delete_id(struct vx_db *db, u32 coll_id,
		    const struct vexfs_point_id *ids, u32 n, u32 *deleted);

/*
 * Readers. Lookups return with the collection read-locked: release with
 * vx_db_put_collection(). vx_db_get_collection() also takes an alias.
 */
struct vx_collection *vx_db_get_collection(struct vx_db *db, const char *name,
					   u32 len);
struct vx_collection *vx_db_get_collection_id(struct vx_db *db, u32 id);
/* The @index-th collection in creation order (listings), or NULL. */
struct vx_collection *vx_db_collection_at(struct vx_db *db, u32 index);
void vx_db_put_collection(struct vx_db *db, struct vx_collection *c);
u64 vx_collection_count(struct vx_collection *c);
/* Vectors in the HNSW graph (0 for a collection without one). */
u64 vx_collection_indexed(struct vx_collection *c);

/* Under vx_db_get_collection(). */
struct vx_point *vx_collection_find(struct vx_collection *c,
				    const struct vexfs_point_id *id);

/* A search hit: the point and the score bits Qdrant reports. */
struct vx_db_hit {
	struct vexfs_point_id id;
	u32 score_bits; /* IEEE-754 float */
};

/*
 * Search @nq queries of @c's dimension (read-locked collection). Each query
 * gets up to @limit hits after skipping @offset, best first, in
 * hits[q * limit ...] with the count in nhits[q].
 */
int vx_collection_search(struct vx_collection *c, const float *queries, u32 nq,
			 u32 limit, u32 offset, u32 ef, u32 flags,
			 struct vx_db_hit *hits, u32 *nhits);

/*
 * Up to @limit ids from *@cursor on (0 to start); *@cursor is ~0 at the end.
 * Not a snapshot: points written meanwhile may be missed or seen twice.
 */
u32 vx_collection_scroll(struct vx_collection *c, u64 *cursor, u32 limit,
			 struct vexfs_point_id *ids);

/*
 * Filtered reads (filter.h; NULL: every point). A point without a vector
 * is never a search hit. A filtered search returns min(limit, matches)
 * hits: when the graph finds too few, the query is answered exactly.
 */
struct vx_filter;
int vx_collection_search_filter(struct vx_collection *c, const float *queries,
				u32 nq, u32 limit, u32 offset, u32 ef,
				u32 flags, const struct vx_filter *f,
				struct vx_db_hit *hits, u32 *nhits);
u32 vx_collection_scroll_filter(struct vx_collection *c, u64 *cursor, u32 limit,
				const struct vx_filter *f,
				struct vexfs_point_id *ids);
/* Points matching @f, counted exactly. */
u64 vx_collection_count_filter(struct vx_collection *c,
			       const struct vx_filter *f);
/* Does point @p of a read-locked collection match @f? */
bool vx_point_matches(struct vx_point *p, const struct vx_filter *f);

/*
 * Point rewrites, logged as UPSERTs of the resulting points. By ids (@n >
 * 0, @f NULL) a call is one WAL record: all or nothing, -E2BIG if the
 * result does not fit one. By filter (@n == 0, @f set) the matching points
 * are rewritten in batches of one record each, in key order; a failure
 * leaves the batches before it applied. *@updated: points rewritten.
 */
struct vx_payload_edit {
	u32 op; /* VEXFS_PAYLOAD_* */
	const u8 *cbor; /* SET, OVERWRITE: a map; DELETE_KEYS: array of paths */
	u32 len;
	const char *key; /* SET: key path, or key_len 0 */
	u32 key_len;
};

/* All ids must exist (-ENOENT, nothing changed). */
int vx_db_payload_id(struct vx_db *db, u32 coll_id,
		     const struct vx_payload_edit *e,
		     const struct vexfs_point_id *ids, u32 n,
		     const struct vx_filter *f, u64 *updated);
/* New vectors (@n * dim floats) for existing points; all must exist. */
int vx_db_vectors_update_id(struct vx_db *db, u32 coll_id,
			    const struct vexfs_point_id *ids, const float *vecs,
			    u32 n, u64 *updated);
/* Drop the vectors of points (absent ids and vectorless points skipped). */
int vx_db_vectors_delete_id(struct vx_db *db, u32 coll_id,
			    const struct vexfs_point_id *ids, u32 n,
			    const struct vx_filter *f, u64 *updated);
/* Delete every point matching @f (batches of one DELETE record each). */
int vx_db_delete_filter_id(struct vx_db *db, u32 coll_id,
			   const struct vx_filter *f, u64 *deleted);

/* Background indexing: link up to @budget queued points of every collection. */
int vx_db_index_pending(struct vx_db *db, u32 budget, u64 *still_pending);
/*
 * The same, also reporting (up to @max) ids of collections whose queue
 * this call drained, for the INDEXED event.
 */
int vx_db_index_pending_ex(struct vx_db *db, u32 budget, u64 *still_pending,
			   u32 *drained, u32 max, u32 *nr_drained);

/*
 * Check invariants a mount does not (fsck): index keys unique and below
 * next_key in every collection, byte accounting exact. 0 or -EUCLEAN.
 */
int vx_db_verify(struct vx_db *db, const char **why);

/*
 * Payload indexes (pindex.h), by collection name or alias. Create builds the
 * index over the points before logging it (the collection is write-locked
 * meanwhile); an index of the same type on the key is a no-op, another type
 * replaces it. -EINVAL (key path, type), -ENOENT, -ENOSPC
 * (VEXFS_INDEXES_MAX), -ENOMEM. Delete: -ENOENT if there is none.
 */
int vx_db_index_create(struct vx_db *db, const char *name, u32 len,
		       const char *key, u32 key_len, u32 type);
int vx_db_index_delete(struct vx_db *db, const char *name, u32 len,
		       const char *key, u32 key_len);
/* The @i-th index of @c (read-locked), creation order; -ENOENT past the end. */
struct vx_index_info {
	const char *key; /* not NUL-terminated; valid under the lock */
	u32 key_len;
	u32 type;
	u64 points; /* points with an indexed value */
};
int vx_collection_index_at(struct vx_collection *c, u32 i,
			   struct vx_index_info *out);

/* Bytes the next checkpoint of everything takes. */
u64 vx_db_state_bytes(struct vx_db *db);

#endif /* VEXFS_CORE_DB_H */
