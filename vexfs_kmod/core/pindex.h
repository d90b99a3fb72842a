/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Payload indexes: per collection, up to VEXFS_INDEXES_MAX indexes, each on
 * one key path (cbor.h syntax) with one type (enum vexfs_index_type).
 *
 * Every index is an ordered set of (value key, point key) pairs, a sorted
 * array cut into chunks (a two-level B-tree): the value key is what the
 * type makes of a payload value, chosen so that the conditions of a filter
 * become value-key ranges:
 *   integer, float  order-preserving key of the value as a binary64
 *                   (integers converted, rounding toward zero: monotone)
 *   datetime        microseconds since the epoch (RFC 3339 strings), biased
 *   bool            0 / 1
 *   keyword, uuid   a 64-bit hash of the string / of the UUID's 16 bytes
 *   text            a 64-bit hash of each lowercased alphanumeric token
 *   geo             grid cells of {lon, lat} at three sizes (1/16, 1, 16 deg)
 * Hashes may collide and cells are coarse, so an index yields a superset of
 * the matching points: callers still check the whole filter per candidate.
 *
 * A value inside an array at the end of the path indexes every element. A
 * value an index cannot take (another type, a NaN, a nested array, a map
 * that is not a geo point) puts the point in the index's "others" set,
 * which every lookup adds to its candidates: whatever the payloads hold, a
 * plan using an index finds exactly the points a full scan finds.
 *
 * The indexes live in memory only; their schema is durable (db.c) and they
 * are rebuilt from the points at mount. Maintained under the collection's
 * write lock by vx_pindex_set_update(); read under its read lock.
 */
#ifndef VEXFS_CORE_PINDEX_H
#define VEXFS_CORE_PINDEX_H

#include "shim.h"
#include "uapi/vexfs.h"
#include "pointmap.h"

struct vx_pi_pair {
	u64 v; /* value key */
	u64 k; /* point key */
};

#define VX_PI_CHUNK 254u /* pairs per chunk: 4 KiB with its header */

struct vx_pi_chunk {
	u32 n;
	u32 pad;
	struct vx_pi_pair e[VX_PI_CHUNK];
};

/* Ordered set of pairs: chunks in order, each sorted and non-empty. */
struct vx_pi_tree {
	struct vx_pi_chunk **ch;
	u32 nch, cap;
	u64 n; /* pairs */
};

struct vx_pindex {
	u32 type; /* enum vexfs_index_type */
	u32 key_len;
	char key[VEXFS_KEY_MAX + 1];
	struct vx_pi_tree vals;
	struct vx_pi_tree others; /* (0, point key): a value it could not take */
	u64 points; /* points with at least one indexed value */
	bool broken; /* an update failed for memory: never used for plans */
};

struct vx_pindex_set {
	struct vx_pindex *ix[VEXFS_INDEXES_MAX]; /* creation order */
	u32 n;
	u64 *scratch; /* value keys of one point (writer side) */
	u32 scratch_cap;
	u64 build_ns; /* time the last vx_pindex_set_load() took to rebuild */
	u64 build_values; /* value keys it indexed */
};

bool vx_pindex_type_valid(u32 type);
/* A key path an index can be made on: 1..VEXFS_KEY_MAX bytes, well formed. */
bool vx_pindex_key_valid(const char *key, u32 len);

void vx_pindex_set_init(struct vx_pindex_set *s);
void vx_pindex_set_destroy(struct vx_pindex_set *s);

struct vx_pindex *vx_pindex_set_find(const struct vx_pindex_set *s,
				     const char *key, u32 len);

/*
 * A new index, filled from the points by_key[0 .. nkeys) (NULL where none).
 * -ENOMEM; may sleep. Not linked: see vx_pindex_set_link().
 */
int vx_pindex_build(struct vx_pindex_set *s, u32 type, const char *key, u32 len,
		    struct vx_point *const *by_key, u64 nkeys,
		    struct vx_pindex **out);
void vx_pindex_free(struct vx_pindex *ix);

/*
 * Link @ix, replacing the index on the same key (returned, for the caller to
 * free) if any. Cannot fail: the caller checked the count limit.
 */
struct vx_pindex *vx_pindex_set_link(struct vx_pindex_set *s,
				     struct vx_pindex *ix);
/* Unlink the index on @key and return it (NULL if none). */
struct vx_pindex *vx_pindex_set_unlink(struct vx_pindex_set *s, const char *key,
				       u32 len);

/*
 * Point @pkey's payload changed from @old (NULL/0: it did not exist or had
 * none) to @new (NULL/0: deleted or cleared). Cannot fail: an index that
 * cannot get the memory it needs is marked broken.
 */
void vx_pindex_set_update(struct vx_pindex_set *s, u64 pkey, const u8 *old,
			  u32 old_len, const u8 *new, u32 new_len);

/*
 * Value keys of one payload for index @ix: sorted and distinct in
 * vals[0 .. *nr) if they fit @cap (*nr may exceed @cap: retry with more),
 * *other set if some value was not taken. Exposed for tests.
 */
int vx_pindex_extract(const struct vx_pindex *ix, const u8 *payload, u32 len,
		      u64 *vals, u32 cap, u32 *nr, bool *other);

/* The chunk where pairs of value key >= @v may start. */
u32 vx_pi_tree_chunk(const struct vx_pi_tree *t, u64 v);
bool vx_pi_tree_has(const struct vx_pi_tree *t, u64 v, u64 k);
/* Pairs of @t with value keys in [lo, hi]. */
u64 vx_pi_tree_count(const struct vx_pi_tree *t, u64 lo, u64 hi);

/* Checkpoint: the schema (type, key) of every index, in creation order. */
u64 vx_pindex_set_save_bytes(const struct vx_pindex_set *s);
struct vx_ckpt_writer;
struct vx_ckpt_reader;
int vx_pindex_set_save(const struct vx_pindex_set *s, struct vx_ckpt_writer *w);
/* Read the schema and build the indexes over the loaded points. */
int vx_pindex_set_load(struct vx_pindex_set *s, struct vx_ckpt_reader *r,
		       struct vx_point *const *by_key, u64 nkeys);

/* Helpers the planner shares. */
u64 vx_pindex_hash(const void *p, size_t n);
u64 vx_pindex_num_key(bool neg, u64 mag);
int vx_pindex_parse_uuid(const u8 *s, u32 len, u8 out[16]);
/* Text tokens: runs of ASCII alphanumerics and non-ASCII bytes, lowercased. */
bool vx_pindex_is_tok(u8 ch);
u64 vx_pindex_token_hash(const u8 *s, u64 len);
/* floor(x * 2^20) of a binary64 x with |x| <= 360; false otherwise. */
bool vx_pindex_f64_fixed(u64 bits, s64 *out);
/* Geo cells: lat + 90 and lon + 180 in 2^-20 degrees, cut at a level's shift. */
#define VX_PI_GEO_LEVELS 3
extern const u32 vx_pindex_geo_shift[VX_PI_GEO_LEVELS];
u64 vx_pindex_geo_cell(u32 level, u64 ulat, u64 ulon);

#endif /* VEXFS_CORE_PINDEX_H */
