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
 *   DELETE       count, then ids
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
#include "uapi/vexfs.h"

enum vx_op {
	VX_OP_COLL_CREATE = 1,
	VX_OP_COLL_DELETE = 2,
	VX_OP_UPSERT = 3,
	VX_OP_DELETE = 4,
	VX_OP_COLL_SETATTR = 5, /* mode, uid, gid of the collection directory */
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
	struct vx_collection *next;
};

struct vx_db {
	struct vx_rwlock lock; /* the collection list */
	struct vx_collection *colls;
	u32 nr_colls;
	u32 next_coll_id;
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
int vx_db_delete_collection(struct vx_db *db, const char *name, u32 len);
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
 * vx_db_put_collection().
 */
struct vx_collection *vx_db_get_collection(struct vx_db *db, const char *name,
					   u32 len);
struct vx_collection *vx_db_get_collection_id(struct vx_db *db, u32 id);
/* The @index-th collection in creation order (listings), or NULL. */
struct vx_collection *vx_db_collection_at(struct vx_db *db, u32 index);
void vx_db_put_collection(struct vx_db *db, struct vx_collection *c);
u64 vx_collection_count(struct vx_collection *c);

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

/* Background indexing: link up to @budget queued points of every collection. */
int vx_db_index_pending(struct vx_db *db, u32 budget, u64 *still_pending);

/*
 * Check invariants a mount does not (fsck): index keys unique and below
 * next_key in every collection, byte accounting exact. 0 or -EUCLEAN.
 */
int vx_db_verify(struct vx_db *db, const char **why);

/* Bytes the next checkpoint of everything takes. */
u64 vx_db_state_bytes(struct vx_db *db);

#endif /* VEXFS_CORE_DB_H */
