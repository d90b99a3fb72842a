// SPDX-License-Identifier: GPL-2.0
/* The database state machine: operation records, apply, save and load. */
#include "db.h"
#include "distance.h"
#include "cbor.h"
#include "cbor_edit.h"
#include "filter.h"
#include "pindex_plan.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "VexFS stores floats in host order: little-endian hosts only"
#endif

#define DB_MAGIC 0x42445856u /* "VXDB" */
/* id, name_len, config, next_key, nr_points, mode, uid, gid */
#define COLL_HDR_FIXED (4 + 4 + 32 + 8 + 8 + 12)
#define DB_VERSION 3u /* 2: the alias section; 3: payload index schemas */
#define DISK_ID_BYTES 24u
/*
 * In a point's payload-length word (WAL UPSERT and checkpoint records): the
 * point has no vector, no floats follow. Version 1 never sets it.
 */
#define REC_NOVEC 0x80000000u

/* Checkpoint bytes of one point and one collection header (see save). */
static u64 point_bytes(u32 dim, u32 payload_len)
{
	return DISK_ID_BYTES + 8 + 4 + (u64)dim * sizeof(float) + payload_len;
}

/* The header, the name and the (empty) payload index schema (pindex.h). */
static u64 coll_header_bytes(u32 name_len)
{
	return COLL_HDR_FIXED + name_len + 4;
}

#define DB_HEADER_BYTES 16u
#define ALIAS_SECTION_BYTES 4u /* the alias count */

/* Checkpoint bytes of one alias: collection id, name length, name. */
static u64 alias_bytes(u32 name_len)
{
	return 8 + (u64)name_len;
}

VX_STATIC_ASSERT(COLL_HDR_FIXED <= 96, "collection header fits the buffers");

/* --- little-endian field codec ------------------------------------------- */

static void put_id(u8 *p, const struct vexfs_point_id *id)
{
	__le32 kind = cpu_to_le32(id->kind);

	memset(p, 0, DISK_ID_BYTES);
	memcpy(p, &kind, 4);
	if (id->kind == VEXFS_ID_NUM) {
		__le64 num = cpu_to_le64(id->num);

		memcpy(p + 8, &num, 8);
	} else {
		memcpy(p + 8, id->uuid, 16);
	}
}

static int get_id(const u8 *p, struct vexfs_point_id *id)
{
	__le32 kind;
	__le64 num;

	memset(id, 0, sizeof(*id));
	memcpy(&kind, p, 4);
	id->kind = le32_to_cpu(kind);
	if (id->kind == VEXFS_ID_NUM) {
		memcpy(&num, p + 8, 8);
		id->num = le64_to_cpu(num);
	} else {
		memcpy(id->uuid, p + 8, 16);
	}
	memcpy(&id->pad, p + 4, 4);
	return vx_point_id_valid(id) && !memcmp(p + 4, "\0\0\0\0", 4) ?
		       0 :
		       -EUCLEAN;
}

static u32 get_le32(const u8 *p)
{
	__le32 v;

	memcpy(&v, p, 4);
	return le32_to_cpu(v);
}

static void put_le32(u8 *p, u32 v)
{
	__le32 le = cpu_to_le32(v);

	memcpy(p, &le, 4);
}

/* --- collections ---------------------------------------------------------- */

bool vx_collection_name_valid(const char *name, u32 len)
{
	if (!len || len > VEXFS_COLLECTION_NAME_MAX)
		return false;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	for (u32 i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		/* It is a directory name: no '/', no control characters. */
		if (ch == '/' || ch < 0x20 || ch == 0x7f)
			return false;
	}
	return true;
}

int vx_db_config_check(struct vexfs_collection_config *cfg)
{
	bool no_graph = cfg->flags & VEXFS_CONFIG_NO_GRAPH;

	if (!cfg->dim || cfg->dim > VEXFS_MAX_DIM ||
	    !vx_metric_valid(cfg->distance) ||
	    (cfg->flags & ~VEXFS_CONFIG_NO_GRAPH) || cfg->pad)
		return -EINVAL;
	if (no_graph && cfg->hnsw_m)
		return -EINVAL;
	if (!cfg->hnsw_m && !no_graph)
		cfg->hnsw_m = 16;
	if (!cfg->hnsw_ef_construct)
		cfg->hnsw_ef_construct = 100;
	if (!cfg->full_scan_threshold)
		cfg->full_scan_threshold = 10000;
	if ((!no_graph && (cfg->hnsw_m < 2 || cfg->hnsw_m > VX_HNSW_M_MAX)) ||
	    cfg->hnsw_ef_construct < 4 || cfg->hnsw_ef_construct > 4096)
		return -EINVAL;
	return 0;
}

static struct vx_collection *find_coll(struct vx_db *db, const char *name,
				       u32 len)
{
	struct vx_collection *c;

	for (c = db->colls; c; c = c->next)
		if (c->name_len == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}

static struct vx_collection *find_coll_id(struct vx_db *db, u32 id)
{
	struct vx_collection *c;

	for (c = db->colls; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

/* An empty vector index for a (checked) config. */
static int vindex_new(const struct vexfs_collection_config *cfg,
		      struct vx_vindex **out)
{
	struct vx_vindex_params vp;

	vx_vindex_params_default(&vp, cfg->dim, cfg->distance);
	vp.m = cfg->hnsw_m; /* 0 with VEXFS_CONFIG_NO_GRAPH */
	vp.ef_construct = cfg->hnsw_ef_construct;
	vp.full_scan_threshold_kb =
		(u32)min_t(u64, cfg->full_scan_threshold, 0xffffffffu);
	return vx_vindex_create(&vp, out);
}

static struct vx_collection *
coll_alloc(u32 id, const char *name, u32 len,
	   const struct vexfs_collection_config *cfg)
{
	struct vx_collection *c = vx_zalloc(sizeof(*c));

	if (!c)
		return NULL;
	if (vindex_new(cfg, &c->vi)) {
		vx_free(c);
		return NULL;
	}
	c->id = id;
	c->name_len = len;
	memcpy(c->name, name, len);
	c->cfg = *cfg;
	c->mode = 0755;
	c->bytes = coll_header_bytes(len);
	vx_rwlock_init(&c->lock);
	vx_pointmap_init(&c->points);
	return c;
}

static void coll_free(struct vx_collection *c)
{
	vx_pindex_set_destroy(&c->pidx);
	vx_vindex_destroy(c->vi);
	vx_free(c->by_key);
	vx_pointmap_destroy(&c->points, true);
	vx_rwlock_destroy(&c->lock);
	vx_free(c);
}

/* Link @c (applying COLL_CREATE); cannot fail. */
static void coll_link(struct vx_db *db, struct vx_collection *c)
{
	struct vx_collection **pp = &db->colls;

	while (*pp) /* keep creation order: listings and saves follow it */
		pp = &(*pp)->next;
	*pp = c;
	db->nr_colls++;
	db->bytes += c->bytes;
	if (c->id >= db->next_coll_id)
		db->next_coll_id = c->id + 1;
}

static void coll_unlink(struct vx_db *db, struct vx_collection *c)
{
	struct vx_collection **pp = &db->colls;

	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	db->nr_colls--;
	db->bytes -= c->bytes;
}

/* --- aliases (catalog lock) ------------------------------------------------ */

static struct vx_alias *find_alias(struct vx_db *db, const char *name, u32 len)
{
	struct vx_alias *a;

	for (a = db->aliases; a; a = a->next)
		if (a->name_len == len && !memcmp(a->name, name, len))
			return a;
	return NULL;
}

/* A collection by its name or by one of its aliases. */
static struct vx_collection *resolve_coll(struct vx_db *db, const char *name,
					  u32 len)
{
	struct vx_collection *c = find_coll(db, name, len);
	struct vx_alias *a;

	if (c)
		return c;
	a = find_alias(db, name, len);
	return a ? find_coll_id(db, a->coll_id) : NULL;
}

static void alias_link(struct vx_db *db, struct vx_alias *a)
{
	struct vx_alias **pp = &db->aliases;

	while (*pp)
		pp = &(*pp)->next;
	a->next = NULL;
	a->id = db->next_alias_id++;
	*pp = a;
	db->nr_aliases++;
	db->bytes += alias_bytes(a->name_len);
}

static void alias_unlink_free(struct vx_db *db, struct vx_alias *a)
{
	struct vx_alias **pp = &db->aliases;

	while (*pp != a)
		pp = &(*pp)->next;
	*pp = a->next;
	db->nr_aliases--;
	db->bytes -= alias_bytes(a->name_len);
	vx_free(a);
}

/* Deleting a collection deletes its aliases (as Qdrant does). */
static void drop_coll_aliases(struct vx_db *db, u32 coll_id)
{
	struct vx_alias *a, *next;

	for (a = db->aliases; a; a = next) {
		next = a->next;
		if (a->coll_id == coll_id)
			alias_unlink_free(db, a);
	}
}

/*
 * Check an alias action against the catalog: 0 or the errno the caller
 * gets. CREATE needs a spare alias (*@need_spare) unless it re-points.
 */
static int alias_check(struct vx_db *db, u32 action, u32 coll_id,
		       const char *name, u32 len, const char *old, u32 olen,
		       bool *need_spare)
{
	*need_spare = false;
	if (!vx_collection_name_valid(name, len))
		return -EINVAL;
	switch (action) {
	case VX_ALIAS_CREATE:
		if (!find_coll_id(db, coll_id))
			return -ENOENT;
		if (find_coll(db, name, len))
			return -EEXIST;
		if (find_alias(db, name, len))
			return 0;
		if (db->nr_aliases >= VEXFS_ALIASES_MAX)
			return -ENOSPC;
		*need_spare = true;
		return 0;
	case VX_ALIAS_DELETE:
		return find_alias(db, name, len) ? 0 : -ENOENT;
	case VX_ALIAS_RENAME:
		if (!vx_collection_name_valid(old, olen))
			return -EINVAL;
		if (!find_alias(db, old, olen))
			return -ENOENT;
		return find_coll(db, name, len) ? -EEXIST : 0;
	}
	return -EINVAL;
}

/* Apply a checked action; @spare is used (and taken) by a new alias. */
static void alias_apply(struct vx_db *db, u32 action, u32 coll_id,
			const char *name, u32 len, const char *old, u32 olen,
			struct vx_alias **spare)
{
	struct vx_alias *a = find_alias(db,
					action == VX_ALIAS_RENAME ? old : name,
					action == VX_ALIAS_RENAME ? olen : len);
	struct vx_alias *other;

	switch (action) {
	case VX_ALIAS_CREATE:
		if (a) {
			a->coll_id = coll_id;
			return;
		}
		a = *spare;
		*spare = NULL;
		a->coll_id = coll_id;
		a->name_len = len;
		memcpy(a->name, name, len);
		a->name[len] = '\0';
		alias_link(db, a);
		return;
	case VX_ALIAS_DELETE:
		alias_unlink_free(db, a);
		return;
	case VX_ALIAS_RENAME:
		other = find_alias(db, name, len);
		if (other == a)
			return;
		if (other) /* Qdrant: a rename replaces an alias of that name */
			alias_unlink_free(db, other);
		db->bytes -= alias_bytes(a->name_len);
		a->name_len = len;
		memcpy(a->name, name, len);
		a->name[len] = '\0';
		db->bytes += alias_bytes(len);
		return;
	}
}

/* --- operation records ------------------------------------------------------ */

static void put_hdr(u8 *rec, u16 op, u32 coll_id, u32 count, u16 name_len)
{
	struct vx_op_hdr h = {
		.op = cpu_to_le16(op),
		.name_len = cpu_to_le16(name_len),
		.coll_id = cpu_to_le32(coll_id),
		.count = cpu_to_le32(count),
	};

	memcpy(rec, &h, sizeof(h));
}

static u64 upsert_point_rec_bytes(u32 dim, u32 payload_len)
{
	return DISK_ID_BYTES + 4 + (u64)dim * sizeof(float) +
	       VX_ALIGN_UP((u64)payload_len, 4ULL);
}

/*
 * Decode an UPSERT record of @c into new points (allocated), checking every
 * length against the record. On success *@out holds @count points.
 */
static int decode_upsert(u32 dim, const u8 *rec, u32 len, u32 count,
			 struct vx_point ***out)
{
	const u8 *p = rec + sizeof(struct vx_op_hdr), *end = rec + len;
	struct vx_point **pts;
	u32 i;
	int err = -EUCLEAN;

	if (!count || count > (len - sizeof(struct vx_op_hdr)) /
				      upsert_point_rec_bytes(0, 0))
		return -EUCLEAN;
	pts = vx_zalloc_array(count, sizeof(*pts));
	if (!pts)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		struct vexfs_point_id id;
		u32 plen, pdim;
		u64 need;

		if (end - p < DISK_ID_BYTES + 4 || get_id(p, &id))
			goto fail;
		plen = get_le32(p + DISK_ID_BYTES);
		pdim = (plen & REC_NOVEC) ? 0 : dim;
		plen &= ~REC_NOVEC;
		if (plen > VEXFS_PAYLOAD_MAX)
			goto fail;
		need = upsert_point_rec_bytes(pdim, plen);
		if ((u64)(end - p) < need)
			goto fail;
		pts[i] = vx_alloc(sizeof(struct vx_point) +
				  (size_t)pdim * sizeof(float) + plen);
		if (!pts[i]) {
			err = -ENOMEM;
			goto fail;
		}
		pts[i]->id = id;
		pts[i]->dim = pdim;
		pts[i]->payload_len = plen;
		p += DISK_ID_BYTES + 4;
		memcpy(vx_point_vec(pts[i]), p, (size_t)pdim * sizeof(float));
		p += (size_t)pdim * sizeof(float);
		memcpy(vx_point_payload(pts[i]), p, plen);
		p += VX_ALIGN_UP((size_t)plen, (size_t)4);
	}
	if (p != end)
		goto fail;
	*out = pts;
	return 0;
fail:
	for (u32 j = 0; j < count; j++)
		vx_free(pts[j]);
	vx_free(pts);
	return err;
}

/* Room in by_key for @extra new keys, so applying cannot fail. */
static int reserve_keys(struct vx_collection *c, u64 extra)
{
	u64 cap = c->by_key_cap ? c->by_key_cap : 64;
	struct vx_point **nk;

	if (c->next_key + extra <= c->by_key_cap)
		return 0;
	while (cap < c->next_key + extra)
		cap *= 2;
	nk = vx_zalloc_array(cap, sizeof(*nk));
	if (!nk)
		return -ENOMEM;
	if (c->by_key)
		memcpy(nk, c->by_key, c->by_key_cap * sizeof(*nk));
	vx_free(c->by_key);
	c->by_key = nk;
	c->by_key_cap = cap;
	return 0;
}

static int reserve_keys_to(struct vx_collection *c, u64 n)
{
	return n > c->next_key ? reserve_keys(c, n - c->next_key) : 0;
}

/*
 * Index upkeep after a point changed; the point store is the truth. A point
 * without a vector (dim 0) leaves the vector index; @old, the point it
 * replaces, spares re-indexing a vector that did not change.
 */
static void index_put(struct vx_collection *c, struct vx_point *p,
		      const struct vx_point *old)
{
	c->by_key[p->key] = p;
	vx_pindex_set_update(&c->pidx, p->key,
			     old ? vx_point_payload((struct vx_point *)old) :
				   NULL,
			     old ? old->payload_len : 0, vx_point_payload(p),
			     p->payload_len);
	if (!p->dim) {
		if (!old || old->dim) {
			int err = vx_vindex_delete(c->vi, p->key);

			if (err && err != -ENOENT)
				c->index_errors++;
		}
		return;
	}
	if (old && old->dim == p->dim &&
	    !memcmp(old->data, p->data, (size_t)p->dim * sizeof(float)))
		return;
	if (vx_vindex_upsert(c->vi, p->key, vx_point_vec(p)))
		c->index_errors++;
}

/* Apply decoded points to @c, whose map has room reserved: cannot fail. */
static void commit_upsert(struct vx_db *db, struct vx_collection *c,
			  struct vx_point **pts, u32 count)
{
	for (u32 i = 0; i < count; i++) {
		struct vx_point *old;

		old = vx_pointmap_put_reserved(&c->points, pts[i]);
		if (old) {
			pts[i]->key = old->key; /* an id keeps its index key */
			c->bytes -= point_bytes(old->dim, old->payload_len);
			db->bytes -= point_bytes(old->dim, old->payload_len);
		} else {
			pts[i]->key = c->next_key++;
		}
		c->bytes += point_bytes(pts[i]->dim, pts[i]->payload_len);
		db->bytes += point_bytes(pts[i]->dim, pts[i]->payload_len);
		index_put(c, pts[i], old);
		vx_free(old);
	}
	vx_free(pts);
}

static int decode_delete(const u8 *rec, u32 len, u32 count,
			 struct vexfs_point_id **out)
{
	const u8 *p = rec + sizeof(struct vx_op_hdr);
	struct vexfs_point_id *ids;

	if (!count ||
	    (u64)count * DISK_ID_BYTES != len - sizeof(struct vx_op_hdr))
		return -EUCLEAN;
	ids = vx_alloc_array(count, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (u32 i = 0; i < count; i++, p += DISK_ID_BYTES) {
		if (get_id(p, &ids[i])) {
			vx_free(ids);
			return -EUCLEAN;
		}
	}
	*out = ids;
	return 0;
}

static u32 commit_delete(struct vx_db *db, struct vx_collection *c,
			 const struct vexfs_point_id *ids, u32 count)
{
	u32 deleted = 0;

	for (u32 i = 0; i < count; i++) {
		struct vx_point *p = vx_pointmap_remove(&c->points, &ids[i]);

		if (!p)
			continue;
		c->by_key[p->key] = NULL;
		vx_pindex_set_update(&c->pidx, p->key, vx_point_payload(p),
				     p->payload_len, NULL, 0);
		vx_vindex_delete(c->vi, p->key);
		c->bytes -= point_bytes(p->dim, p->payload_len);
		db->bytes -= point_bytes(p->dim, p->payload_len);
		vx_free(p);
		deleted++;
	}
	return deleted;
}

static int decode_create(const u8 *rec, u32 len, u32 *id,
			 struct vexfs_collection_config *cfg, const char **name,
			 u32 *name_len)
{
	struct vx_op_hdr h;
	const u8 *p = rec + sizeof(h);

	memcpy(&h, rec, sizeof(h));
	*name_len = le16_to_cpu(h.name_len);
	if (len != sizeof(h) + sizeof(*cfg) + *name_len)
		return -EUCLEAN;
	memcpy(cfg, p, sizeof(*cfg));
	cfg->dim = le32_to_cpu(cfg->dim);
	cfg->distance = le32_to_cpu(cfg->distance);
	cfg->hnsw_m = le32_to_cpu(cfg->hnsw_m);
	cfg->hnsw_ef_construct = le32_to_cpu(cfg->hnsw_ef_construct);
	cfg->full_scan_threshold = le64_to_cpu(cfg->full_scan_threshold);
	cfg->flags = le32_to_cpu(cfg->flags);
	*name = (const char *)p + sizeof(*cfg);
	*id = le32_to_cpu(h.coll_id);
	if (!vx_collection_name_valid(*name, *name_len) ||
	    vx_db_config_check(cfg))
		return -EUCLEAN;
	return 0;
}

static void encode_config(u8 *p, const struct vexfs_collection_config *cfg)
{
	struct vexfs_collection_config le = {
		.dim = cpu_to_le32(cfg->dim),
		.distance = cpu_to_le32(cfg->distance),
		.hnsw_m = cpu_to_le32(cfg->hnsw_m),
		.hnsw_ef_construct = cpu_to_le32(cfg->hnsw_ef_construct),
		.full_scan_threshold = cpu_to_le64(cfg->full_scan_threshold),
		.flags = cpu_to_le32(cfg->flags),
	};

	memcpy(p, &le, sizeof(le));
}

static void encode_attr(u8 *p, u32 mode, u32 uid, u32 gid)
{
	put_le32(p, mode & 07777);
	put_le32(p + 4, uid);
	put_le32(p + 8, gid);
}

static void decode_attr(struct vx_collection *c, const u8 *p)
{
	c->mode = get_le32(p) & 07777;
	c->uid = get_le32(p + 4);
	c->gid = get_le32(p + 8);
}

static void decode_config(struct vexfs_collection_config *cfg, const u8 *p)
{
	memcpy(cfg, p, sizeof(*cfg));
	cfg->dim = le32_to_cpu(cfg->dim);
	cfg->distance = le32_to_cpu(cfg->distance);
	cfg->hnsw_m = le32_to_cpu(cfg->hnsw_m);
	cfg->hnsw_ef_construct = le32_to_cpu(cfg->hnsw_ef_construct);
	cfg->full_scan_threshold = le64_to_cpu(cfg->full_scan_threshold);
	cfg->flags = le32_to_cpu(cfg->flags);
	cfg->pad = le32_to_cpu(cfg->pad);
}

/* Does going from @c's config to @cfg need a new vector index? */
static bool update_rebuilds(const struct vx_collection *c,
			    const struct vexfs_collection_config *cfg)
{
	return cfg->hnsw_m != c->cfg.hnsw_m ||
	       cfg->hnsw_ef_construct != c->cfg.hnsw_ef_construct ||
	       cfg->flags != c->cfg.flags;
}

/*
 * A vector index of @c's points under @cfg: every point queued, linked later
 * by the background indexer (and searched exactly until then).
 */
static int vindex_rebuild(struct vx_collection *c,
			  const struct vexfs_collection_config *cfg,
			  struct vx_vindex **out)
{
	struct vx_vindex *vi = NULL;
	struct vx_point *p;
	u64 pos = 0;
	int err = vindex_new(cfg, &vi);

	if (err)
		return err;
	for (u64 n = 1; (p = vx_pointmap_next(&c->points, &pos)); n++) {
		if (!(n & 4095)) /* the catalog lock is a sleeping lock */
			vx_cond_resched();
		if (!p->dim)
			continue; /* no vector: not in the index */
		/* as index_put: only running out of memory stops it */
		if (vx_vindex_upsert(vi, p->key, vx_point_vec(p)) == -ENOMEM) {
			vx_vindex_destroy(vi);
			return -ENOMEM;
		}
	}
	*out = vi;
	return 0;
}

/* Switch @c to @cfg; @vi is its new index, or NULL when none is needed. */
static void update_commit(struct vx_collection *c,
			  const struct vexfs_collection_config *cfg,
			  struct vx_vindex *vi)
{
	if (vi) {
		vx_vindex_destroy(c->vi);
		c->vi = vi;
		c->index_errors = 0;
	} else {
		/* only the threshold changed: the index keeps its graph */
		c->vi->params.full_scan_threshold_kb =
			(u32)min_t(u64, cfg->full_scan_threshold, 0xffffffffu);
		c->vi->full_scan_points =
			(u64)c->vi->params.full_scan_threshold_kb * 1024 /
			((u64)cfg->dim * sizeof(float));
	}
	c->cfg = *cfg;
}

/* 0, or why @cfg cannot replace @c's config. */
static int update_check(const struct vx_collection *c,
			struct vexfs_collection_config *cfg)
{
	if (cfg->dim != c->cfg.dim || cfg->distance != c->cfg.distance)
		return -EINVAL;
	return vx_db_config_check(cfg);
}

static int replay_update(struct vx_collection *c, const u8 *p)
{
	struct vexfs_collection_config cfg;
	struct vx_vindex *vi = NULL;
	int err;

	decode_config(&cfg, p);
	if (update_check(c, &cfg))
		return -EUCLEAN;
	if (update_rebuilds(c, &cfg)) {
		err = vindex_rebuild(c, &cfg, &vi);
		if (err)
			return err == -EINVAL ? -EUCLEAN : err;
	}
	update_commit(c, &cfg, vi);
	return 0;
}

static int replay_alias(struct vx_db *db, const struct vx_op_hdr *h,
			const u8 *rec, u32 len)
{
	u32 action = le32_to_cpu(h->count), alen = le16_to_cpu(h->name_len);
	u32 olen = le32_to_cpu(h->pad), coll_id = le32_to_cpu(h->coll_id);
	const char *name = (const char *)rec + sizeof(*h);
	struct vx_alias *spare = NULL;
	bool need_spare;

	if (olen > VEXFS_COLLECTION_NAME_MAX ||
	    len != sizeof(*h) + alen + olen ||
	    (action != VX_ALIAS_RENAME && olen) ||
	    alias_check(db, action, coll_id, name, alen, name + alen, olen,
			&need_spare))
		return -EUCLEAN;
	if (need_spare) {
		spare = vx_zalloc(sizeof(*spare));
		if (!spare)
			return -ENOMEM;
	}
	alias_apply(db, action, coll_id, name, alen, name + alen, olen, &spare);
	vx_free(spare);
	return 0;
}

/* --- payload index schema ------------------------------------------------- */

static u64 index_schema_bytes(u32 key_len)
{
	return 8 + key_len; /* type, key length, key (pindex.c) */
}

/* Link @ix into @c, accounting its schema bytes; the old index is returned. */
static struct vx_pindex *index_link(struct vx_db *db, struct vx_collection *c,
				    struct vx_pindex *ix)
{
	struct vx_pindex *old = vx_pindex_set_link(&c->pidx, ix);

	c->bytes += index_schema_bytes(ix->key_len);
	db->bytes += index_schema_bytes(ix->key_len);
	if (old) {
		c->bytes -= index_schema_bytes(old->key_len);
		db->bytes -= index_schema_bytes(old->key_len);
	}
	return old;
}

static void index_unlink(struct vx_db *db, struct vx_collection *c,
			 struct vx_pindex *ix)
{
	vx_pindex_set_unlink(&c->pidx, ix->key, ix->key_len);
	c->bytes -= index_schema_bytes(ix->key_len);
	db->bytes -= index_schema_bytes(ix->key_len);
}

/* INDEX_CREATE: count = type, name_len = key bytes; INDEX_DELETE: key. */
static int replay_index(struct vx_db *db, const struct vx_op_hdr *h,
			const u8 *rec, u32 len)
{
	struct vx_collection *c = find_coll_id(db, le32_to_cpu(h->coll_id));
	const char *key = (const char *)rec + sizeof(*h);
	u32 key_len = le16_to_cpu(h->name_len);
	struct vx_pindex *ix;
	int err;

	if (!c || len != sizeof(*h) + key_len ||
	    !vx_pindex_key_valid(key, key_len))
		return -EUCLEAN;
	ix = vx_pindex_set_find(&c->pidx, key, key_len);
	if (le16_to_cpu(h->op) == VX_OP_INDEX_DELETE) {
		if (!ix)
			return -EUCLEAN;
		index_unlink(db, c, ix);
		vx_pindex_free(ix);
		return 0;
	}
	if (!ix && c->pidx.n >= VEXFS_INDEXES_MAX)
		return -EUCLEAN;
	err = vx_pindex_build(&c->pidx, le32_to_cpu(h->count), key, key_len,
			      c->by_key, c->next_key, &ix);
	if (err)
		return err == -EINVAL ? -EUCLEAN : err;
	vx_pindex_free(index_link(db, c, ix));
	return 0;
}

/* Replay one record (the store's apply); also the checker of its bytes. */
static int db_apply(void *sm, const void *rec_v, u32 len)
{
	struct vx_db *db = sm;
	const u8 *rec = rec_v;
	struct vx_collection *c;
	struct vx_op_hdr h;
	int err;

	if (len < sizeof(h))
		return -EUCLEAN;
	memcpy(&h, rec, sizeof(h));
	switch (le16_to_cpu(h.op)) {
	case VX_OP_COLL_CREATE: {
		struct vexfs_collection_config cfg;
		const char *name;
		u32 id, name_len;

		err = decode_create(rec, len, &id, &cfg, &name, &name_len);
		if (err)
			return err;
		if (find_coll(db, name, name_len) || find_coll_id(db, id))
			return -EUCLEAN;
		c = coll_alloc(id, name, name_len, &cfg);
		if (!c)
			return -ENOMEM;
		coll_link(db, c);
		return 0;
	}
	case VX_OP_COLL_SETATTR:
		c = find_coll_id(db, le32_to_cpu(h.coll_id));
		if (!c || len != sizeof(h) + 12)
			return -EUCLEAN;
		decode_attr(c, rec + sizeof(h));
		return 0;
	case VX_OP_COLL_DELETE:
		c = find_coll_id(db, le32_to_cpu(h.coll_id));
		if (!c || len != sizeof(h))
			return -EUCLEAN;
		drop_coll_aliases(db, c->id);
		coll_unlink(db, c);
		coll_free(c);
		return 0;
	case VX_OP_COLL_UPDATE:
		c = find_coll_id(db, le32_to_cpu(h.coll_id));
		if (!c ||
		    len != sizeof(h) + sizeof(struct vexfs_collection_config))
			return -EUCLEAN;
		return replay_update(c, rec + sizeof(h));
	case VX_OP_ALIAS:
		return replay_alias(db, &h, rec, len);
	case VX_OP_INDEX_CREATE:
	case VX_OP_INDEX_DELETE:
		return replay_index(db, &h, rec, len);
	case VX_OP_UPSERT: {
		struct vx_point **pts;
		u32 count = le32_to_cpu(h.count);

		c = find_coll_id(db, le32_to_cpu(h.coll_id));
		if (!c)
			return -EUCLEAN;
		err = decode_upsert(c->cfg.dim, rec, len, count, &pts);
		if (err)
			return err;
		err = vx_pointmap_reserve(&c->points, count);
		if (!err)
			err = reserve_keys(c, count);
		if (err) {
			for (u32 i = 0; i < count; i++)
				vx_free(pts[i]);
			vx_free(pts);
			return err;
		}
		commit_upsert(db, c, pts, count);
		return 0;
	}
	case VX_OP_DELETE: {
		struct vexfs_point_id *ids;
		u32 count = le32_to_cpu(h.count);

		c = find_coll_id(db, le32_to_cpu(h.coll_id));
		if (!c)
			return -EUCLEAN;
		err = decode_delete(rec, len, count, &ids);
		if (err)
			return err;
		commit_delete(db, c, ids, count);
		vx_free(ids);
		return 0;
	}
	default:
		return -EUCLEAN;
	}
}

/* --- save and load -------------------------------------------------------- */

static u64 db_save_bytes(void *sm)
{
	return DB_HEADER_BYTES + ALIAS_SECTION_BYTES +
	       ((struct vx_db *)sm)->bytes;
}

static int save_aliases(struct vx_db *db, struct vx_ckpt_writer *w)
{
	struct vx_alias *a;
	u8 buf[8];
	int err;

	put_le32(buf, db->nr_aliases);
	err = vx_ckpt_put(w, buf, ALIAS_SECTION_BYTES);
	for (a = db->aliases; a && !err; a = a->next) {
		put_le32(buf, a->coll_id);
		put_le32(buf + 4, a->name_len);
		err = vx_ckpt_put(w, buf, 8);
		if (!err)
			err = vx_ckpt_put(w, a->name, a->name_len);
	}
	return err;
}

static int load_aliases(struct vx_db *db, struct vx_ckpt_reader *r)
{
	struct vx_alias *a;
	u8 buf[8];
	u32 nr;
	int err;

	err = vx_ckpt_get(r, buf, ALIAS_SECTION_BYTES);
	if (err)
		return err;
	nr = get_le32(buf);
	if (nr > VEXFS_ALIASES_MAX)
		return -EUCLEAN;
	for (u32 i = 0; i < nr; i++) {
		err = vx_ckpt_get(r, buf, 8);
		if (err)
			return err;
		a = vx_zalloc(sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->coll_id = get_le32(buf);
		a->name_len = get_le32(buf + 4);
		if (a->name_len > VEXFS_COLLECTION_NAME_MAX) {
			vx_free(a);
			return -EUCLEAN;
		}
		err = vx_ckpt_get(r, a->name, a->name_len);
		if (!err && (!vx_collection_name_valid(a->name, a->name_len) ||
			     !find_coll_id(db, a->coll_id) ||
			     find_coll(db, a->name, a->name_len) ||
			     find_alias(db, a->name, a->name_len)))
			err = -EUCLEAN;
		if (err) {
			vx_free(a);
			return err;
		}
		alias_link(db, a);
	}
	return 0;
}

static int db_save(void *sm, struct vx_ckpt_writer *w)
{
	struct vx_db *db = sm;
	struct vx_collection *c;
	u8 buf[96]; /* >= COLL_HDR_FIXED, DISK_ID_BYTES + 12 */
	int err = 0;

	vx_read_lock(&db->lock);
	put_le32(buf, DB_MAGIC);
	put_le32(buf + 4, DB_VERSION);
	put_le32(buf + 8, db->nr_colls);
	put_le32(buf + 12, db->next_coll_id);
	err = vx_ckpt_put(w, buf, DB_HEADER_BYTES);
	for (c = db->colls; c && !err; c = c->next) {
		struct vx_point *p;
		__le64 le;
		u64 pos = 0;

		vx_read_lock(&c->lock);
		put_le32(buf, c->id);
		put_le32(buf + 4, c->name_len);
		encode_config(buf + 8, &c->cfg);
		le = cpu_to_le64(c->next_key);
		memcpy(buf + 40, &le, 8);
		le = cpu_to_le64(c->points.count);
		memcpy(buf + 48, &le, 8);
		encode_attr(buf + 56, c->mode, c->uid, c->gid);
		err = vx_ckpt_put(w, buf, COLL_HDR_FIXED);
		if (!err)
			err = vx_ckpt_put(w, c->name, c->name_len);
		while (!err && (p = vx_pointmap_next(&c->points, &pos))) {
			put_id(buf, &p->id);
			le = cpu_to_le64(p->key);
			memcpy(buf + DISK_ID_BYTES, &le, 8);
			put_le32(buf + DISK_ID_BYTES + 8,
				 p->payload_len | (p->dim ? 0 : REC_NOVEC));
			err = vx_ckpt_put(w, buf, DISK_ID_BYTES + 12);
			if (!err)
				err = vx_ckpt_put(
					w, p->data,
					(size_t)p->dim * sizeof(float) +
						p->payload_len);
		}
		if (!err)
			err = vx_pindex_set_save(&c->pidx, w);
		vx_read_unlock(&c->lock);
	}
	if (!err)
		err = save_aliases(db, w);
	vx_read_unlock(&db->lock);
	return err;
}

static int load_collection(struct vx_db *db, struct vx_ckpt_reader *r,
			   u32 version)
{
	struct vexfs_collection_config cfg;
	struct vx_collection *c;
	char name[VEXFS_COLLECTION_NAME_MAX + 1];
	u8 buf[96]; /* >= COLL_HDR_FIXED, DISK_ID_BYTES + 12 */
	u64 nr_points, next_key;
	u32 id, name_len;
	__le64 le;
	int err;

	err = vx_ckpt_get(r, buf, COLL_HDR_FIXED);
	if (err)
		return err;
	id = get_le32(buf);
	name_len = get_le32(buf + 4);
	memcpy(&le, buf + 40, 8);
	next_key = le64_to_cpu(le);
	memcpy(&le, buf + 48, 8);
	nr_points = le64_to_cpu(le);
	/* decode_create's checks, on the same bytes layout */
	memcpy(&cfg, buf + 8, sizeof(cfg));
	cfg.dim = le32_to_cpu(cfg.dim);
	cfg.distance = le32_to_cpu(cfg.distance);
	cfg.hnsw_m = le32_to_cpu(cfg.hnsw_m);
	cfg.hnsw_ef_construct = le32_to_cpu(cfg.hnsw_ef_construct);
	cfg.full_scan_threshold = le64_to_cpu(cfg.full_scan_threshold);
	cfg.flags = le32_to_cpu(cfg.flags);
	if (name_len > VEXFS_COLLECTION_NAME_MAX || vx_db_config_check(&cfg))
		return -EUCLEAN;
	err = vx_ckpt_get(r, name, name_len);
	if (err)
		return err;
	if (!vx_collection_name_valid(name, name_len) ||
	    find_coll(db, name, name_len) || find_coll_id(db, id) ||
	    id >= db->next_coll_id)
		return -EUCLEAN;
	/* Never allocate for more points than the stream can hold. */
	if (nr_points > vx_ckpt_remaining(r) / point_bytes(0, 0))
		return -EUCLEAN;
	c = coll_alloc(id, name, name_len, &cfg);
	if (!c)
		return -ENOMEM;
	decode_attr(c, buf + 56);
	c->next_key = next_key;
	err = vx_pointmap_reserve(&c->points, nr_points);
	if (!err && next_key > c->by_key_cap) {
		/* keys below next_key: the table is as large as next_key */
		if (next_key > vx_ckpt_remaining(r) + nr_points + 1024)
			err = -EUCLEAN; /* absurd next_key: refuse, do not allocate */
		else
			err = reserve_keys(c, 0) ?:
						   reserve_keys_to(c, next_key);
	}
	for (u64 i = 0; i < nr_points && !err; i++) {
		struct vexfs_point_id pid;
		struct vx_point *p;
		u32 plen, pdim;

		err = vx_ckpt_get(r, buf, DISK_ID_BYTES + 12);
		if (err)
			break;
		plen = get_le32(buf + DISK_ID_BYTES + 8);
		pdim = (plen & REC_NOVEC) ? 0 : cfg.dim;
		plen &= ~REC_NOVEC;
		memcpy(&le, buf + DISK_ID_BYTES, 8);
		if (get_id(buf, &pid) || plen > VEXFS_PAYLOAD_MAX ||
		    le64_to_cpu(le) >= next_key) {
			err = -EUCLEAN;
			break;
		}
		p = vx_alloc(sizeof(*p) + (size_t)pdim * sizeof(float) + plen);
		if (!p) {
			err = -ENOMEM;
			break;
		}
		p->id = pid;
		p->key = le64_to_cpu(le);
		p->dim = pdim;
		p->payload_len = plen;
		err = vx_ckpt_get(r, p->data,
				  (size_t)pdim * sizeof(float) + plen);
		if (!err && vx_pointmap_get(&c->points, &pid))
			err = -EUCLEAN; /* the same id twice */
		if (err) {
			vx_free(p);
			break;
		}
		if (c->by_key[p->key]) {
			vx_free(p);
			err = -EUCLEAN; /* two points share a key */
			break;
		}
		vx_pointmap_put_reserved(&c->points, p);
		c->bytes += point_bytes(p->dim, p->payload_len);
		index_put(c, p, NULL);
	}
	if (!err && version >= 3) {
		err = vx_pindex_set_load(&c->pidx, r, c->by_key, c->next_key);
		c->bytes += vx_pindex_set_save_bytes(&c->pidx) - 4;
	}
	if (err) {
		coll_free(c);
		return err;
	}
	coll_link(db, c);
	return 0;
}

static int db_load(void *sm, struct vx_ckpt_reader *r)
{
	struct vx_db *db = sm;
	u8 buf[DB_HEADER_BYTES];
	u32 nr;
	int err;

	err = vx_ckpt_get(r, buf, sizeof(buf));
	if (err)
		return err;
	nr = get_le32(buf + 8);
	/* versions 1 (no aliases) and 2 (no index schemas) are read too */
	if (get_le32(buf) != DB_MAGIC || get_le32(buf + 4) < 1 ||
	    get_le32(buf + 4) > DB_VERSION || nr > VEXFS_MAX_COLLECTIONS)
		return -EUCLEAN;
	db->next_coll_id = get_le32(buf + 12);
	for (u32 i = 0; i < nr; i++) {
		err = load_collection(db, r, get_le32(buf + 4));
		if (err)
			return err;
	}
	return get_le32(buf + 4) >= 2 ? load_aliases(db, r) : 0;
}

const struct vx_sm_ops vx_db_sm_ops = {
	.apply = db_apply,
	.save = db_save,
	.save_bytes = db_save_bytes,
	.load = db_load,
};

/* --- lifecycle ------------------------------------------------------------ */

struct vx_db *vx_db_new(void)
{
	struct vx_db *db = vx_zalloc(sizeof(*db));

	if (!db)
		return NULL;
	vx_rwlock_init(&db->lock);
	db->next_coll_id = 1;
	return db;
}

void vx_db_free(struct vx_db *db)
{
	struct vx_collection *c, *next;

	if (!db)
		return;
	for (c = db->colls; c; c = next) {
		next = c->next;
		coll_free(c);
	}
	while (db->aliases)
		alias_unlink_free(db, db->aliases);
	vx_rwlock_destroy(&db->lock);
	vx_free(db);
}

int vx_db_open(struct vx_db *db, struct vx_bdev *bd, u32 flags,
	       const char **why)
{
	return vx_store_open(bd, &vx_db_sm_ops, db, flags, &db->store, why);
}

int vx_db_close(struct vx_db *db, bool checkpoint)
{
	int err = vx_store_close(db->store, checkpoint);

	db->store = NULL;
	return err;
}

u64 vx_db_state_bytes(struct vx_db *db)
{
	u64 bytes;

	vx_read_lock(&db->lock);
	bytes = db_save_bytes(db);
	vx_read_unlock(&db->lock);
	return bytes;
}

/* --- writes --------------------------------------------------------------- */

/*
 * Log @rec and wait for it. @apply runs between logging and unlocking, under
 * the locks the caller took in @lock; it must not fail. On a full WAL the
 * store checkpoints once and the operation is retried.
 */
struct write_op {
	int (*lock)(struct vx_db *db, struct write_op *op); /* and validate */
	void (*apply)(struct vx_db *db, struct write_op *op);
	void (*unlock)(struct vx_db *db, struct write_op *op);
	u8 *rec;
	u32 len;
	u64 grow; /* upper bound of state bytes added */
};

static int run_write(struct vx_db *db, struct write_op *op)
{
	bool retried = false;
	u64 seq;
	int err;

	if (!db->store || db->store->read_only)
		return -EROFS;
again:
	vx_store_begin(db->store);
	err = op->lock(db, op);
	if (err) {
		vx_store_end(db->store);
		return err;
	}
	if (op->grow && !vx_store_fits(db->store, db_save_bytes(db) + op->grow))
		err = -ENOSPC;
	else
		err = vx_store_log(db->store, op->rec, op->len, &seq);
	if (!err)
		op->apply(db, op);
	op->unlock(db, op);
	vx_store_end(db->store);
	if (err == -ENOSPC && !retried) {
		/* A checkpoint frees the WAL and may shrink the live checkpoint. */
		retried = true;
		err = vx_store_checkpoint(db->store);
		if (!err || err == -ENOSPC)
			goto again;
		return err;
	}
	if (err)
		return err;
	return vx_store_wait(db->store, seq);
}

struct create_op {
	struct write_op w;
	const char *name;
	u32 len;
	struct vexfs_collection_config cfg;
	struct vx_collection *c;
};

static int create_lock(struct vx_db *db, struct write_op *w)
{
	struct create_op *op = (struct create_op *)w;

	vx_write_lock(&db->lock);
	if (find_coll(db, op->name, op->len) ||
	    find_alias(db, op->name, op->len)) {
		vx_write_unlock(&db->lock);
		return -EEXIST;
	}
	if (db->nr_colls >= VEXFS_MAX_COLLECTIONS) {
		vx_write_unlock(&db->lock);
		return -ENOSPC;
	}
	op->c->id = db->next_coll_id;
	put_hdr(w->rec, VX_OP_COLL_CREATE, op->c->id, 0, (u16)op->len);
	return 0;
}

static void create_apply(struct vx_db *db, struct write_op *w)
{
	struct create_op *op = (struct create_op *)w;

	coll_link(db, op->c);
	op->c = NULL;
}

static void db_write_unlock(struct vx_db *db, struct write_op *w)
{
	vx_write_unlock(&db->lock);
}

int vx_db_create_collection(struct vx_db *db, const char *name, u32 len,
			    const struct vexfs_collection_config *cfg)
{
	struct create_op op = {
		.w = { .lock = create_lock,
		       .apply = create_apply,
		       .unlock = db_write_unlock },
		.name = name,
		.len = len,
		.cfg = *cfg,
	};
	int err;

	if (!vx_collection_name_valid(name, len))
		return -EINVAL;
	err = vx_db_config_check(&op.cfg);
	if (err)
		return err;
	op.w.len = sizeof(struct vx_op_hdr) + sizeof(op.cfg) + len;
	op.w.grow = coll_header_bytes(len);
	op.w.rec = vx_alloc(op.w.len);
	op.c = coll_alloc(0, name, len, &op.cfg);
	if (!op.w.rec || !op.c) {
		err = -ENOMEM;
		goto out;
	}
	encode_config(op.w.rec + sizeof(struct vx_op_hdr), &op.cfg);
	memcpy(op.w.rec + sizeof(struct vx_op_hdr) + sizeof(op.cfg), name, len);
	err = run_write(db, &op.w);
out:
	if (op.c)
		coll_free(op.c);
	vx_free(op.w.rec);
	return err;
}

struct delete_coll_op {
	struct write_op w;
	const char *name;
	u32 len;
	struct vx_collection *victim;
	bool unlinked; /* applied: the victim is ours to free */
};

static int delete_coll_lock(struct vx_db *db, struct write_op *w)
{
	struct delete_coll_op *op = (struct delete_coll_op *)w;
	struct vx_collection *c;

	vx_write_lock(&db->lock);
	c = find_coll(db, op->name, op->len);
	if (!c) {
		vx_write_unlock(&db->lock);
		return -ENOENT;
	}
	put_hdr(w->rec, VX_OP_COLL_DELETE, c->id, 0, 0);
	op->victim = c;
	return 0;
}

static void delete_coll_apply(struct vx_db *db, struct write_op *w)
{
	struct delete_coll_op *op = (struct delete_coll_op *)w;

	drop_coll_aliases(db, op->victim->id);
	coll_unlink(db, op->victim);
	op->unlinked = true;
}

int vx_db_delete_collection(struct vx_db *db, const char *name, u32 len)
{
	u8 rec[sizeof(struct vx_op_hdr)];
	struct delete_coll_op op = {
		.w = { .lock = delete_coll_lock,
		       .apply = delete_coll_apply,
		       .unlock = db_write_unlock,
		       .rec = rec,
		       .len = sizeof(rec) },
		.name = name,
		.len = len,
	};
	int err;

	if (!vx_collection_name_valid(name, len))
		return -EINVAL;
	err = run_write(db, &op.w);
	/*
	 * Unlinked under the catalog lock, so no reader can still reach it;
	 * this holds even when the wait for durability failed afterwards.
	 */
	if (op.unlinked)
		coll_free(op.victim);
	return err;
}

struct attr_op {
	struct write_op w;
	u32 coll_id;
	u8 rec[sizeof(struct vx_op_hdr) + 12];
	struct vx_collection *c;
};

static int attr_lock(struct vx_db *db, struct write_op *w)
{
	struct attr_op *op = (struct attr_op *)w;

	vx_write_lock(&db->lock);
	op->c = find_coll_id(db, op->coll_id);
	if (!op->c) {
		vx_write_unlock(&db->lock);
		return -ENOENT;
	}
	return 0;
}

static void attr_apply(struct vx_db *db, struct write_op *w)
{
	struct attr_op *op = (struct attr_op *)w;

	decode_attr(op->c, op->rec + sizeof(struct vx_op_hdr));
}

int vx_db_set_collection_attr(struct vx_db *db, u32 coll_id, u32 mode, u32 uid,
			      u32 gid)
{
	struct attr_op op = {
		.w = { .lock = attr_lock,
		       .apply = attr_apply,
		       .unlock = db_write_unlock },
		.coll_id = coll_id,
	};

	op.w.rec = op.rec;
	op.w.len = sizeof(op.rec);
	put_hdr(op.rec, VX_OP_COLL_SETATTR, coll_id, 0, 0);
	encode_attr(op.rec + sizeof(struct vx_op_hdr), mode, uid, gid);
	return run_write(db, &op.w);
}

/* Collection config update: the catalog write-locked excludes every reader,
 * point writer and the indexer, so the vector index can be swapped.
 */
struct update_op {
	struct write_op w;
	const char *name;
	u32 len;
	struct vexfs_collection_config cfg;
	struct vx_collection *c;
	struct vx_vindex *vi; /* the rebuilt index, until applied */
	char *real;
	u32 *real_len;
	u8 rec[sizeof(struct vx_op_hdr) +
	       sizeof(struct vexfs_collection_config)];
};

static int update_lock(struct vx_db *db, struct write_op *w)
{
	struct update_op *op = (struct update_op *)w;
	int err;

	vx_write_lock(&db->lock);
	op->c = resolve_coll(db, op->name, op->len);
	err = op->c ? update_check(op->c, &op->cfg) : -ENOENT;
	if (!err && op->vi) { /* a retry after a checkpoint: build anew */
		vx_vindex_destroy(op->vi);
		op->vi = NULL;
	}
	if (!err && update_rebuilds(op->c, &op->cfg))
		err = vindex_rebuild(op->c, &op->cfg, &op->vi);
	if (err) {
		vx_write_unlock(&db->lock);
		return err;
	}
	put_hdr(op->rec, VX_OP_COLL_UPDATE, op->c->id, 0, 0);
	encode_config(op->rec + sizeof(struct vx_op_hdr), &op->cfg);
	memcpy(op->real, op->c->name, op->c->name_len);
	*op->real_len = op->c->name_len;
	return 0;
}

static void update_apply(struct vx_db *db, struct write_op *w)
{
	struct update_op *op = (struct update_op *)w;

	update_commit(op->c, &op->cfg, op->vi);
	op->vi = NULL;
}

int vx_db_update_collection(struct vx_db *db, const char *name, u32 len,
			    const struct vexfs_collection_config *cfg,
			    char *real, u32 *real_len)
{
	struct update_op op = {
		.w = { .lock = update_lock,
		       .apply = update_apply,
		       .unlock = db_write_unlock },
		.name = name,
		.len = len,
		.cfg = *cfg,
		.real = real,
		.real_len = real_len,
	};
	int err;

	if (!vx_collection_name_valid(name, len))
		return -EINVAL;
	op.w.rec = op.rec;
	op.w.len = sizeof(op.rec);
	err = run_write(db, &op.w);
	if (op.vi)
		vx_vindex_destroy(op.vi);
	return err;
}

/* Alias changes: catalog write-locked. */
struct alias_op {
	struct write_op w;
	u32 action;
	const char *name, *old, *coll;
	u32 len, olen, clen;
	u32 coll_id;
	struct vx_alias *spare;
	char *coll_out;
	u32 *coll_out_len;
};

static int alias_lock(struct vx_db *db, struct write_op *w)
{
	struct alias_op *op = (struct alias_op *)w;
	struct vx_collection *c = NULL;
	struct vx_alias *a;
	bool need_spare;
	int err;

	vx_write_lock(&db->lock);
	if (op->action == VX_ALIAS_CREATE) {
		/* the target must be a collection itself, not an alias */
		c = find_coll(db, op->coll, op->clen);
		op->coll_id = c ? c->id : 0;
	} else {
		a = find_alias(
			db, op->action == VX_ALIAS_RENAME ? op->old : op->name,
			op->action == VX_ALIAS_RENAME ? op->olen : op->len);
		c = a ? find_coll_id(db, a->coll_id) : NULL;
		op->coll_id = 0;
	}
	err = alias_check(db, op->action, op->coll_id, op->name, op->len,
			  op->old, op->olen, &need_spare);
	if (!err && need_spare && !op->spare)
		err = -ENOMEM; /* allocated before: see vx_db_alias_* */
	if (err) {
		vx_write_unlock(&db->lock);
		return err;
	}
	put_hdr(w->rec, VX_OP_ALIAS, op->coll_id, op->action, (u16)op->len);
	((struct vx_op_hdr *)w->rec)->pad = cpu_to_le32(op->olen);
	w->grow = need_spare ? alias_bytes(op->len) : 0;
	if (c) {
		memcpy(op->coll_out, c->name, c->name_len);
		*op->coll_out_len = c->name_len;
	}
	return 0;
}

static void alias_op_apply(struct vx_db *db, struct write_op *w)
{
	struct alias_op *op = (struct alias_op *)w;

	alias_apply(db, op->action, op->coll_id, op->name, op->len, op->old,
		    op->olen, &op->spare);
}

static int run_alias(struct alias_op *op, struct vx_db *db)
{
	int err = -ENOMEM;

	op->w.lock = alias_lock;
	op->w.apply = alias_op_apply;
	op->w.unlock = db_write_unlock;
	*op->coll_out_len = 0;
	if (!vx_collection_name_valid(op->name, op->len) ||
	    (op->action == VX_ALIAS_CREATE &&
	     !vx_collection_name_valid(op->coll, op->clen)) ||
	    (op->action == VX_ALIAS_RENAME &&
	     !vx_collection_name_valid(op->old, op->olen)))
		return -EINVAL;
	op->w.len = sizeof(struct vx_op_hdr) + op->len + op->olen;
	op->w.rec = vx_alloc(op->w.len);
	if (op->action == VX_ALIAS_CREATE)
		op->spare = vx_zalloc(sizeof(*op->spare));
	if (!op->w.rec || (op->action == VX_ALIAS_CREATE && !op->spare))
		goto out;
	memcpy(op->w.rec + sizeof(struct vx_op_hdr), op->name, op->len);
	if (op->olen)
		memcpy(op->w.rec + sizeof(struct vx_op_hdr) + op->len, op->old,
		       op->olen);
	err = run_write(db, &op->w);
out:
	vx_free(op->spare);
	vx_free(op->w.rec);
	return err;
}

int vx_db_alias_create(struct vx_db *db, const char *alias, u32 alen,
		       const char *coll, u32 clen, char *coll_out,
		       u32 *coll_out_len)
{
	struct alias_op op = { .action = VX_ALIAS_CREATE,
			       .name = alias,
			       .len = alen,
			       .coll = coll,
			       .clen = clen,
			       .coll_out = coll_out,
			       .coll_out_len = coll_out_len };

	return run_alias(&op, db);
}

int vx_db_alias_delete(struct vx_db *db, const char *alias, u32 alen,
		       char *coll_out, u32 *coll_out_len)
{
	struct alias_op op = { .action = VX_ALIAS_DELETE,
			       .name = alias,
			       .len = alen,
			       .coll_out = coll_out,
			       .coll_out_len = coll_out_len };

	return run_alias(&op, db);
}

int vx_db_alias_rename(struct vx_db *db, const char *old, u32 olen,
		       const char *alias, u32 alen, char *coll_out,
		       u32 *coll_out_len)
{
	struct alias_op op = { .action = VX_ALIAS_RENAME,
			       .name = alias,
			       .len = alen,
			       .old = old,
			       .olen = olen,
			       .coll_out = coll_out,
			       .coll_out_len = coll_out_len };

	return run_alias(&op, db);
}

int vx_db_alias_at(struct vx_db *db, u32 index, char *name, u32 *len, u32 *id,
		   char *coll, u32 *clen)
{
	struct vx_collection *c;
	struct vx_alias *a;
	int err = -ENOENT;

	vx_read_lock(&db->lock);
	for (a = db->aliases; a && index; a = a->next)
		index--;
	c = a ? find_coll_id(db, a->coll_id) : NULL;
	if (c) {
		memcpy(name, a->name, a->name_len);
		*len = a->name_len;
		*id = a->id;
		memcpy(coll, c->name, c->name_len);
		*clen = c->name_len;
		err = 0;
	}
	vx_read_unlock(&db->lock);
	return err;
}

u32 vx_db_alias_sizes(struct vx_db *db, u64 *name_bytes)
{
	struct vx_collection *c;
	struct vx_alias *a;
	u32 n;

	vx_read_lock(&db->lock);
	n = db->nr_aliases;
	*name_bytes = 0;
	for (a = db->aliases; a; a = a->next) {
		c = find_coll_id(db, a->coll_id);
		*name_bytes += a->name_len + (c ? c->name_len : 0);
	}
	vx_read_unlock(&db->lock);
	return n;
}

int vx_db_alias_find(struct vx_db *db, const char *name, u32 len, u32 *id)
{
	struct vx_alias *a;

	vx_read_lock(&db->lock);
	a = find_alias(db, name, len);
	if (a)
		*id = a->id;
	vx_read_unlock(&db->lock);
	return a ? 0 : -ENOENT;
}

int vx_db_alias_target(struct vx_db *db, u32 id, char *coll, u32 *clen)
{
	struct vx_collection *c = NULL;
	struct vx_alias *a;

	vx_read_lock(&db->lock);
	for (a = db->aliases; a && a->id != id; a = a->next)
		;
	c = a ? find_coll_id(db, a->coll_id) : NULL;
	if (c) {
		memcpy(coll, c->name, c->name_len);
		*clen = c->name_len;
	}
	vx_read_unlock(&db->lock);
	return c ? 0 : -ENOENT;
}

/* Point writes: catalog read-locked, the collection write-locked. */
struct points_op {
	struct write_op w;
	const char *name; /* NULL: by coll_id */
	u32 len;
	u32 coll_id;
	const struct vx_point_in *in;
	const struct vexfs_point_id *ids;
	u32 n;
	struct vx_collection *c;
	struct vx_point **pts;
	u32 deleted;
};

static int points_lock(struct vx_db *db, struct points_op *op)
{
	vx_read_lock(&db->lock);
	op->c = op->name ? find_coll(db, op->name, op->len) :
			   find_coll_id(db, op->coll_id);
	if (!op->c) {
		vx_read_unlock(&db->lock);
		return -ENOENT;
	}
	vx_write_lock(&op->c->lock);
	return 0;
}

static void points_unlock(struct vx_db *db, struct write_op *w)
{
	struct points_op *op = (struct points_op *)w;

	vx_write_unlock(&op->c->lock);
	vx_read_unlock(&db->lock);
}

static void free_points(struct vx_point **pts, u32 n)
{
	if (!pts)
		return;
	for (u32 i = 0; i < n; i++)
		vx_free(pts[i]);
	vx_free(pts);
}

/*
 * Encode and decode an upsert before taking the collection's lock: only its
 * id, dimension and distance are needed, and concurrent writers to one
 * collection then do this work in parallel. The lock is taken by id, so a
 * collection dropped (or dropped and made again) meanwhile gives -ENOENT.
 */
static int upsert_prepare(struct vx_db *db, struct points_op *op)
{
	struct write_op *w = &op->w;
	struct vx_collection *c;
	u32 dim, metric, id;
	u64 len = sizeof(struct vx_op_hdr), grow = 0;
	u8 *p;

	vx_read_lock(&db->lock);
	c = op->name ? find_coll(db, op->name, op->len) :
		       find_coll_id(db, op->coll_id);
	if (!c) {
		vx_read_unlock(&db->lock);
		return -ENOENT;
	}
	id = c->id;
	dim = c->cfg.dim;
	metric = c->cfg.distance;
	vx_read_unlock(&db->lock);

	for (u32 i = 0; i < op->n; i++) {
		len += upsert_point_rec_bytes(dim, op->in[i].payload_len);
		grow += point_bytes(dim, op->in[i].payload_len);
		if (!vx_vector_is_finite(op->in[i].vec, dim))
			return -EINVAL;
	}
	if (len > vx_wal_max_body(&db->store->wal))
		return -E2BIG;
	w->rec = vx_alloc((size_t)len);
	if (!w->rec)
		return -ENOMEM;
	w->len = (u32)len;
	w->grow = grow;
	put_hdr(w->rec, VX_OP_UPSERT, id, op->n, 0);
	p = w->rec + sizeof(struct vx_op_hdr);
	for (u32 i = 0; i < op->n; i++) {
		const struct vx_point_in *in = &op->in[i];
		u32 pad = (u32)(VX_ALIGN_UP((u64)in->payload_len, 4ULL) -
				in->payload_len);

		put_id(p, &in->id);
		put_le32(p + DISK_ID_BYTES, in->payload_len);
		p += DISK_ID_BYTES + 4;
		/* 4-aligned: the record layout pads payloads to 4 bytes */
		/* cppcheck-suppress invalidPointerCast */
		vx_dist_prepare(metric, in->vec, (float *)p, dim);
		p += (size_t)dim * sizeof(float);
		if (in->payload_len)
			memcpy(p, in->payload, in->payload_len);
		memset(p + in->payload_len, 0, pad);
		p += in->payload_len + pad;
	}
	op->name = NULL;
	op->coll_id = id;
	/* Decode the very bytes we log, as replay will. */
	return decode_upsert(dim, w->rec, w->len, op->n, &op->pts);
}

static int upsert_lock(struct vx_db *db, struct write_op *w)
{
	struct points_op *op = (struct points_op *)w;
	int err = points_lock(db, op);

	if (err)
		return err;
	err = vx_pointmap_reserve(&op->c->points, op->n);
	if (!err)
		err = reserve_keys(op->c, op->n);
	if (err)
		points_unlock(db, w);
	return err;
}

static void upsert_apply(struct vx_db *db, struct write_op *w)
{
	struct points_op *op = (struct points_op *)w;

	commit_upsert(db, op->c, op->pts, op->n);
	op->pts = NULL;
}

static int do_upsert(struct vx_db *db, const char *name, u32 len, u32 id,
		     const struct vx_point_in *pts, u32 n)
{
	struct points_op op = {
		.w = { .lock = upsert_lock,
		       .apply = upsert_apply,
		       .unlock = points_unlock },
		.name = name,
		.len = len,
		.coll_id = id,
		.in = pts,
		.n = n,
	};
	int err;

	if (!n)
		return -EINVAL;
	for (u32 i = 0; i < n; i++) {
		const char *why;

		if (!vx_point_id_valid(&pts[i].id) ||
		    pts[i].payload_len > VEXFS_PAYLOAD_MAX ||
		    (pts[i].payload_len && !pts[i].payload) || !pts[i].vec)
			return -EINVAL;
		/* A payload is a CBOR map (length 0: no payload). */
		if (pts[i].payload_len &&
		    vx_cbor_validate(pts[i].payload, pts[i].payload_len, &why))
			return -EINVAL;
	}
	if (!db->store || db->store->read_only)
		return -EROFS;
	err = upsert_prepare(db, &op);
	if (!err)
		err = run_write(db, &op.w);
	free_points(op.pts, n);
	vx_free(op.w.rec);
	return err;
}

int vx_db_upsert(struct vx_db *db, const char *name, u32 len,
		 const struct vx_point_in *pts, u32 n)
{
	return do_upsert(db, name, len, 0, pts, n);
}

int vx_db_upsert_id(struct vx_db *db, u32 coll_id,
		    const struct vx_point_in *pts, u32 n)
{
	return do_upsert(db, NULL, 0, coll_id, pts, n);
}

static int delete_lock(struct vx_db *db, struct write_op *w)
{
	struct points_op *op = (struct points_op *)w;
	int err = points_lock(db, op);

	if (!err)
		put_hdr(w->rec, VX_OP_DELETE, op->c->id, op->n, 0);
	return err;
}

static void delete_apply(struct vx_db *db, struct write_op *w)
{
	struct points_op *op = (struct points_op *)w;

	op->deleted = commit_delete(db, op->c, op->ids, op->n);
}

static int do_delete(struct vx_db *db, const char *name, u32 len, u32 id,
		     const struct vexfs_point_id *ids, u32 n, u32 *deleted)
{
	struct points_op op = {
		.w = { .lock = delete_lock,
		       .apply = delete_apply,
		       .unlock = points_unlock },
		.name = name,
		.len = len,
		.coll_id = id,
		.ids = ids,
		.n = n,
	};
	u8 *p;
	int err;

	if (!n)
		return -EINVAL;
	if ((u64)n * DISK_ID_BYTES + sizeof(struct vx_op_hdr) > VX_WAL_MAX_BODY)
		return -E2BIG;
	for (u32 i = 0; i < n; i++)
		if (!vx_point_id_valid(&ids[i]))
			return -EINVAL;
	op.w.len = sizeof(struct vx_op_hdr) + n * DISK_ID_BYTES;
	op.w.rec = vx_alloc(op.w.len);
	if (!op.w.rec)
		return -ENOMEM;
	p = op.w.rec + sizeof(struct vx_op_hdr);
	for (u32 i = 0; i < n; i++, p += DISK_ID_BYTES)
		put_id(p, &ids[i]);
	err = run_write(db, &op.w);
	if (deleted)
		*deleted = op.deleted;
	vx_free(op.w.rec);
	return err;
}

int vx_db_delete(struct vx_db *db, const char *name, u32 len,
		 const struct vexfs_point_id *ids, u32 n, u32 *deleted)
{
	return do_delete(db, name, len, 0, ids, n, deleted);
}

int vx_db_delete_id(struct vx_db *db, u32 coll_id,
		    const struct vexfs_point_id *ids, u32 n, u32 *deleted)
{
	return do_delete(db, NULL, 0, coll_id, ids, n, deleted);
}

/* --- reads ---------------------------------------------------------------- */

struct vx_collection *vx_db_get_collection(struct vx_db *db, const char *name,
					   u32 len)
{
	struct vx_collection *c;

	vx_read_lock(&db->lock);
	c = resolve_coll(db, name, len);
	if (!c) {
		vx_read_unlock(&db->lock);
		return NULL;
	}
	vx_read_lock(&c->lock);
	return c;
}

struct vx_collection *vx_db_get_collection_id(struct vx_db *db, u32 id)
{
	struct vx_collection *c;

	vx_read_lock(&db->lock);
	c = find_coll_id(db, id);
	if (!c) {
		vx_read_unlock(&db->lock);
		return NULL;
	}
	vx_read_lock(&c->lock);
	return c;
}

struct vx_collection *vx_db_collection_at(struct vx_db *db, u32 index)
{
	struct vx_collection *c;

	vx_read_lock(&db->lock);
	for (c = db->colls; c && index; c = c->next)
		index--;
	if (!c) {
		vx_read_unlock(&db->lock);
		return NULL;
	}
	vx_read_lock(&c->lock);
	return c;
}

void vx_db_put_collection(struct vx_db *db, struct vx_collection *c)
{
	vx_read_unlock(&c->lock);
	vx_read_unlock(&db->lock);
}

u64 vx_collection_count(struct vx_collection *c)
{
	return c->points.count;
}

u64 vx_collection_indexed(struct vx_collection *c)
{
	u64 all, pending;

	if (c->cfg.flags & VEXFS_CONFIG_NO_GRAPH)
		return 0; /* Qdrant reports no indexed vectors without a graph */
	/* vectors in the graph: those with a vector, less the queue */
	pending = vx_vindex_nr_pending(c->vi);
	all = vx_vindex_count(c->vi);
	return all > pending ? all - pending : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

int vx_db_verify(struct vx_db *db, const char **why)
{
	struct vx_collection *c;
	u64 total = 0;
	int err = 0;

	vx_read_lock(&db->lock);
	for (c = db->colls; c && !err; c = c->next) {
		u64 n = c->points.count, pos = 0, i = 0, bytes;
		struct vx_point *p;
		u64 *keys;

		bytes = coll_header_bytes(c->name_len) +
			vx_pindex_set_save_bytes(&c->pidx) - 4;
		keys = vx_alloc_array(n ? n : 1, sizeof(*keys));
		if (!keys) {
			err = -ENOMEM;
			break;
		}
		vx_read_lock(&c->lock);
		while ((p = vx_pointmap_next(&c->points, &pos)) && i < n) {
			keys[i++] = p->key;
			bytes += point_bytes(p->dim, p->payload_len);
			if (p->key >= c->next_key ||
			    (p->dim && p->dim != c->cfg.dim)) {
				*why = "point with a bad index key or dimension";
				err = -EUCLEAN;
			}
		}
		vx_read_unlock(&c->lock);
		if (!err && i != n) {
			*why = "point count does not match the points";
			err = -EUCLEAN;
		}
		if (!err) {
			vx_sort(keys, n, sizeof(*keys), cmp_u64);
			for (i = 1; i < n && !err; i++)
				if (keys[i] == keys[i - 1]) {
					*why = "two points share an index key";
					err = -EUCLEAN;
				}
		}
		if (!err && bytes != c->bytes) {
			*why = "collection byte accounting is off";
			err = -EUCLEAN;
		}
		total += bytes;
		vx_free(keys);
	}
	for (struct vx_alias *a = db->aliases; a && !err; a = a->next) {
		total += alias_bytes(a->name_len);
		if (!find_coll_id(db, a->coll_id) ||
		    find_coll(db, a->name, a->name_len)) {
			*why = "alias of a missing collection or shadowing one";
			err = -EUCLEAN;
		}
	}
	if (!err && total != db->bytes) {
		*why = "database byte accounting is off";
		err = -EUCLEAN;
	}
	vx_read_unlock(&db->lock);
	return err;
}

struct vx_point *vx_collection_find(struct vx_collection *c,
				    const struct vexfs_point_id *id)
{
	return vx_pointmap_get(&c->points, id);
}

bool vx_point_matches(struct vx_point *p, const struct vx_filter *f)
{
	struct vx_filter_subject s;

	if (!f)
		return true;
	s.id = &p->id;
	s.payload = vx_point_payload(p);
	s.payload_len = p->payload_len;
	s.has_vector = p->dim != 0;
	return vx_filter_match(f, &s);
}

/* A filter and its plan (pindex_plan.h): the candidates to test. */
struct cands {
	const struct vx_filter *f;
	struct vx_pindex_plan plan;
	u64 i; /* next in plan.keys */
};

/* Without memory for the plan the candidates are every point: a scan. */
static void cands_begin(struct vx_collection *c, const struct vx_filter *f,
			struct cands *cd)
{
	cd->f = f;
	cd->i = 0;
	if (vx_collection_plan(c, f, ~0ULL, &cd->plan))
		cd->plan.have = false;
}

static void cands_end(struct cands *cd)
{
	vx_pindex_plan_free(&cd->plan);
}

/*
 * The candidates of a filter, by ascending key from *@pos, NULL at the
 * end: the planned ones, or every point. Callers still test each candidate
 * with the filter.
 */
static struct vx_point *candidate_next(struct vx_collection *c,
				       struct cands *cd, u64 *pos)
{
	const struct vx_pindex_plan *pl = &cd->plan;

	if (pl->have) {
		while (cd->i < pl->n && pl->keys[cd->i] < *pos)
			cd->i++;
		while (cd->i < pl->n) {
			u64 key = pl->keys[cd->i++];

			*pos = key + 1;
			if (key < c->next_key && c->by_key[key])
				return c->by_key[key];
		}
		*pos = c->next_key;
		return NULL;
	}
	while (*pos < c->next_key) {
		struct vx_point *p = c->by_key[(*pos)++];

		if (p)
			return p;
	}
	return NULL;
}

/* The next point matching the filter from key *@pos (candidate_next()). */
static struct vx_point *match_next(struct vx_collection *c, struct cands *cd,
				   u64 *pos)
{
	struct vx_point *p;

	while ((p = candidate_next(c, cd, pos)))
		if (vx_point_matches(p, cd->f))
			return p;
	return NULL;
}

u64 vx_collection_count_filter(struct vx_collection *c,
			       const struct vx_filter *f)
{
	struct cands cd;
	u64 pos = 0, n = 0;

	if (!f)
		return c->points.count;
	cands_begin(c, f, &cd);
	while (match_next(c, &cd, &pos))
		if (!(++n & 4095))
			vx_cond_resched();
	cands_end(&cd);
	return n;
}

struct search_accept {
	struct vx_collection *c;
	const struct vx_filter *f;
};

/* The index's filter callback: by point key, under the collection lock. */
static bool search_accepts(void *arg, u64 key)
{
	struct search_accept *a = arg;
	struct vx_point *p = key < a->c->next_key ? a->c->by_key[key] : NULL;

	return p && p->dim && vx_point_matches(p, a->f);
}

int vx_collection_search(struct vx_collection *c, const float *queries, u32 nq,
			 u32 limit, u32 offset, u32 ef, u32 flags,
			 struct vx_db_hit *hits, u32 *nhits)
{
	return vx_collection_search_filter(c, queries, nq, limit, offset, ef,
					   flags, NULL, hits, nhits);
}

int vx_collection_search_filter(struct vx_collection *c, const float *queries,
				u32 nq, u32 limit, u32 offset, u32 ef,
				u32 flags, const struct vx_filter *f,
				struct vx_db_hit *hits, u32 *nhits)
{
	u32 want = limit + offset, dim = c->cfg.dim;
	struct search_accept acc = { c, f };
	struct vx_point_filter pf = { search_accepts, &acc };
	struct vx_scored_point *sp;
	int err = 0;

	if (!nq || !limit || want > VEXFS_K_MAX || want < limit)
		return -EINVAL;
	sp = vx_alloc_array(want, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	for (u32 q = 0; q < nq && !err; q++) {
		struct vx_search_request req = {
			.query = queries + (size_t)q * dim,
			.limit = want,
			.ef = ef,
			.flags = (flags & VEXFS_SEARCH_EXACT) ?
					 VX_SEARCH_EXACT :
					 0,
			.filter = f ? &pf : NULL,
		};
		u32 got = 0, n = 0;

		/* the planner: indexed candidates exactly, or the graph */
		err = vx_collection_search_planned(c, f, &req, sp, &got);
		if (!err && f && got < want && !(req.flags & VX_SEARCH_EXACT)) {
			/* a selective filter starves the graph: scan instead */
			req.flags |= VX_SEARCH_EXACT;
			err = vx_collection_search_planned(c, f, &req, sp,
							   &got);
		}
		for (u32 i = offset; !err && i < got; i++) {
			struct vx_point *p = sp[i].id < c->next_key ?
						     c->by_key[sp[i].id] :
						     NULL;

			if (!p || !p->dim)
				continue; /* deleted since the index saw it */
			hits[(size_t)q * limit + n].id = p->id;
			memcpy(&hits[(size_t)q * limit + n].score_bits,
			       &sp[i].score, sizeof(u32));
			n++;
		}
		nhits[q] = n;
	}
	vx_free(sp);
	return err;
}

u32 vx_collection_scroll(struct vx_collection *c, u64 *cursor, u32 limit,
			 struct vexfs_point_id *ids)
{
	return vx_collection_scroll_filter(c, cursor, limit, NULL, ids);
}

u32 vx_collection_scroll_filter(struct vx_collection *c, u64 *cursor, u32 limit,
				const struct vx_filter *f,
				struct vexfs_point_id *ids)
{
	u64 pos = *cursor, seen = 0;
	u8 *cand = NULL; /* planned candidates by key, a bitmap */
	struct cands cd;
	u32 n = 0;

	/* The cursor follows the point table: candidates only spare tests. */
	if (f) {
		cands_begin(c, f, &cd);
		if (cd.plan.have && !cd.plan.n)
			pos = ~0ULL; /* nothing can match */
		else if (cd.plan.have)
			cand = vx_zalloc(VX_DIV_ROUND_UP(c->next_key, 8ULL));
		for (u64 i = 0; cand && i < cd.plan.n; i++) {
			u64 key = cd.plan.keys[i];

			cand[key >> 3] |= 1 << (key & 7);
		}
		cands_end(&cd);
	}
	while (n < limit && pos != ~0ULL) {
		struct vx_point *p = vx_pointmap_next(&c->points, &pos);

		if (!p) {
			pos = ~0ULL;
			break;
		}
		if ((!cand || (cand[p->key >> 3] & (1 << (p->key & 7)))) &&
		    vx_point_matches(p, f))
			ids[n++] = p->id;
		if (!(++seen & 4095))
			vx_cond_resched();
	}
	vx_free(cand);
	*cursor = pos;
	return n;
}

int vx_db_index_pending_ex(struct vx_db *db, u32 budget, u64 *still_pending,
			   u32 *drained, u32 max, u32 *nr_drained)
{
	struct vx_collection *c;
	u64 pending = 0;
	u32 nd = 0;
	int err = 0;

	vx_read_lock(&db->lock);
	for (c = db->colls; c && !err; c = c->next) {
		bool had = vx_vindex_nr_pending(c->vi) != 0;
		int n = vx_vindex_index_pending(c->vi, budget);
		u64 left = vx_vindex_nr_pending(c->vi);

		if (n < 0)
			err = n;
		pending += left;
		if (had && !left && nd < max)
			drained[nd++] = c->id;
	}
	vx_read_unlock(&db->lock);
	if (still_pending)
		*still_pending = pending;
	if (nr_drained)
		*nr_drained = nd;
	return err;
}

int vx_db_index_pending(struct vx_db *db, u32 budget, u64 *still_pending)
{
	return vx_db_index_pending_ex(db, budget, still_pending, NULL, 0, NULL);
}

/* --- point rewrites: payload edits, vector updates, filtered deletes ------ */

enum rw_kind {
	RW_PAYLOAD = 1,
	RW_VEC_UPDATE,
	RW_VEC_DELETE,
	RW_DELETE,
};

/* Points one filtered batch takes at most (bounds the lock hold time). */
#define RW_FILTER_BATCH 4096u

struct rewrite_op {
	struct points_op p; /* first: points_unlock() casts the write_op */
	enum rw_kind kind;
	const struct vx_payload_edit *edit;
	const struct vexfs_point_id *ids; /* by ids: n of them */
	u32 n;
	const float *vecs; /* RW_VEC_UPDATE: n * dim, as given */
	const struct vx_filter *f; /* by filter */
	u64 cursor, next_cursor; /* by filter: the next key to look at */
	bool more; /* by filter: points may be left past this batch */
	/* this attempt */
	struct vx_point **sel; /* the points selected (current versions) */
	u32 *src; /* by ids: the index in ids of each (a repeated id: each) */
	u8 **newpl; /* RW_PAYLOAD: their new payloads (NULL: none/as given) */
	u32 *newlen;
	u32 nsel, cap;
	struct vexfs_point_id *del_ids; /* RW_DELETE */
	u64 done;
};

static void rewrite_reset(struct rewrite_op *op)
{
	for (u32 i = 0; op->newpl && i < op->nsel; i++) {
		if (op->newpl[i] != op->edit->cbor)
			vx_free(op->newpl[i]);
		op->newpl[i] = NULL;
	}
	free_points(op->p.pts, op->nsel);
	op->p.pts = NULL;
	vx_free(op->p.w.rec);
	op->p.w.rec = NULL;
	op->nsel = 0;
}

/* The payload @e makes of @p's: *@out (allocated, or e->cbor itself). */
static int edit_payload(const struct vx_payload_edit *e, struct vx_point *p,
			u8 **out, u32 *len)
{
	switch (e->op) {
	case VEXFS_PAYLOAD_SET:
		return vx_cbor_set(vx_point_payload(p), p->payload_len, e->cbor,
				   e->len, e->key, e->key_len, out, len);
	case VEXFS_PAYLOAD_OVERWRITE:
		*out = (u8 *)e->cbor;
		*len = e->len;
		return 0;
	case VEXFS_PAYLOAD_DELETE_KEYS:
		return vx_cbor_delete_keys(vx_point_payload(p), p->payload_len,
					   e->cbor, e->len, out, len);
	default: /* CLEAR */
		*out = NULL;
		*len = 0;
		return 0;
	}
}

/* Record bytes of @p rewritten: the new payload @plen, vector or not. */
static u64 rewrite_rec_bytes(struct rewrite_op *op, struct vx_point *p,
			     u32 plen)
{
	if (op->kind == RW_DELETE)
		return DISK_ID_BYTES;
	if (op->kind == RW_VEC_DELETE)
		return upsert_point_rec_bytes(0, p->payload_len);
	if (op->kind == RW_VEC_UPDATE)
		return upsert_point_rec_bytes(op->p.c->cfg.dim, p->payload_len);
	return upsert_point_rec_bytes(p->dim, plen);
}

/*
 * Take @p into the batch if the record still has room. 1: taken, 0: full
 * (by filter: stop here), < 0: error.
 */
static int rewrite_take(struct rewrite_op *op, struct vx_point *p, u32 src,
			u64 *len, u64 max)
{
	u32 plen = p->payload_len;
	u8 *pl = NULL;
	u64 need;
	int err;

	if (op->kind == RW_PAYLOAD) {
		err = edit_payload(op->edit, p, &pl, &plen);
		if (err)
			return err;
	}
	need = rewrite_rec_bytes(op, p, plen);
	if (*len + need > max) {
		if (op->kind == RW_PAYLOAD && pl != op->edit->cbor)
			vx_free(pl);
		return op->f && op->nsel ? 0 : -E2BIG;
	}
	*len += need;
	op->sel[op->nsel] = p;
	op->src[op->nsel] = src;
	if (op->newpl) {
		op->newpl[op->nsel] = pl;
		op->newlen[op->nsel] = plen;
	}
	op->nsel++;
	return 1;
}

/* Choose the points of this attempt, under the collection's write lock. */
static int rewrite_select(struct rewrite_op *op, u64 *len, u64 max)
{
	struct vx_collection *c = op->p.c;
	struct cands cd;
	int err = 0;

	if (!op->f) {
		for (u32 i = 0; i < op->n; i++) {
			struct vx_point *p = vx_collection_find(c, &op->ids[i]);

			if (!p) {
				if (op->kind == RW_VEC_DELETE)
					continue;
				return -ENOENT;
			}
			if (op->kind == RW_VEC_DELETE && !p->dim)
				continue;
			err = rewrite_take(op, p, i, len, max);
			if (err < 0)
				return err;
		}
		return 0;
	}
	op->next_cursor = op->cursor;
	op->more = false;
	cands_begin(c, op->f, &cd);
	while (op->nsel < op->cap) {
		u64 at = op->next_cursor;
		struct vx_point *p = match_next(c, &cd, &op->next_cursor);

		if (!p)
			break;
		if (op->kind == RW_VEC_DELETE && !p->dim)
			continue;
		err = rewrite_take(op, p, 0, len, max);
		if (err < 0)
			break;
		if (!err) { /* the record is full: next time */
			op->next_cursor = at;
			op->more = true;
			break;
		}
	}
	if (op->nsel == op->cap)
		op->more = true;
	cands_end(&cd);
	return err < 0 ? err : 0;
}

/* Encode the batch as the record replay applies, and decode it. */
static int rewrite_encode(struct rewrite_op *op, u64 len)
{
	struct vx_collection *c = op->p.c;
	u32 dim = c->cfg.dim;
	u64 grow = 0;
	u8 *p;

	op->p.w.rec = vx_alloc((size_t)len);
	if (!op->p.w.rec)
		return -ENOMEM;
	op->p.w.len = (u32)len;
	p = op->p.w.rec + sizeof(struct vx_op_hdr);
	if (op->kind == RW_DELETE) {
		put_hdr(op->p.w.rec, VX_OP_DELETE, c->id, op->nsel, 0);
		for (u32 i = 0; i < op->nsel; i++, p += DISK_ID_BYTES) {
			op->del_ids[i] = op->sel[i]->id;
			put_id(p, &op->sel[i]->id);
		}
		op->p.w.grow = 0;
		return 0;
	}
	put_hdr(op->p.w.rec, VX_OP_UPSERT, c->id, op->nsel, 0);
	for (u32 i = 0; i < op->nsel; i++) {
		struct vx_point *old = op->sel[i];
		const u8 *pl = vx_point_payload(old);
		u32 plen = old->payload_len, pdim = old->dim, pad;

		if (op->kind == RW_PAYLOAD) {
			pl = op->newpl[i];
			plen = op->newlen[i];
		} else {
			pdim = op->kind == RW_VEC_DELETE ? 0 : dim;
		}
		put_id(p, &old->id);
		put_le32(p + DISK_ID_BYTES, plen | (pdim ? 0 : REC_NOVEC));
		p += DISK_ID_BYTES + 4;
		if (op->kind == RW_VEC_UPDATE) {
			/* 4-aligned: the record pads payloads to 4 bytes */
			/* cppcheck-suppress invalidPointerCast */
			float *dst = (float *)p;

			vx_dist_prepare(c->cfg.distance,
					op->vecs + (size_t)op->src[i] * dim,
					dst, dim);
		} else if (pdim) {
			memcpy(p, vx_point_vec(old),
			       (size_t)pdim * sizeof(float));
		}
		p += (size_t)pdim * sizeof(float);
		pad = (u32)(VX_ALIGN_UP((u64)plen, 4ULL) - plen);
		if (plen)
			memcpy(p, pl, plen);
		memset(p + plen, 0, pad);
		p += plen + pad;
		if (point_bytes(pdim, plen) >
		    point_bytes(old->dim, old->payload_len))
			grow += point_bytes(pdim, plen) -
				point_bytes(old->dim, old->payload_len);
	}
	op->p.w.grow = grow;
	return decode_upsert(dim, op->p.w.rec, op->p.w.len, op->nsel,
			     &op->p.pts);
}

/* 1: nothing to do (unlocked); 0: locked with the record ready. */
static int rewrite_lock(struct vx_db *db, struct write_op *w)
{
	struct rewrite_op *op = (struct rewrite_op *)w;
	u64 len = sizeof(struct vx_op_hdr);
	int err;

	rewrite_reset(op);
	err = points_lock(db, &op->p);
	if (err)
		return err;
	err = rewrite_select(op, &len, vx_wal_max_body(&db->store->wal));
	if (!err && !op->nsel)
		err = 1;
	if (!err)
		err = rewrite_encode(op, len);
	/* the new payloads are in the record now */
	for (u32 i = 0; op->newpl && i < op->nsel; i++) {
		if (op->newpl[i] != op->edit->cbor)
			vx_free(op->newpl[i]);
		op->newpl[i] = NULL;
	}
	if (err)
		points_unlock(db, w);
	return err;
}

static void rewrite_apply(struct vx_db *db, struct write_op *w)
{
	struct rewrite_op *op = (struct rewrite_op *)w;

	if (op->kind == RW_DELETE) {
		op->done += commit_delete(db, op->p.c, op->del_ids, op->nsel);
	} else {
		commit_upsert(db, op->p.c, op->p.pts, op->nsel);
		op->p.pts = NULL;
		op->done += op->nsel;
	}
	op->cursor = op->next_cursor;
}

static int run_rewrite(struct vx_db *db, struct rewrite_op *op, u64 *done)
{
	u32 cap = op->f ? RW_FILTER_BATCH : op->n;
	int err = 0;

	op->p.w.lock = rewrite_lock;
	op->p.w.apply = rewrite_apply;
	op->p.w.unlock = points_unlock;
	op->cap = cap;
	if (!db->store || db->store->read_only)
		return -EROFS;
	op->sel = vx_alloc_array(cap, sizeof(*op->sel));
	op->src = vx_alloc_array(cap, sizeof(*op->src));
	if (op->kind == RW_PAYLOAD) {
		op->newpl = vx_zalloc_array(cap, sizeof(*op->newpl));
		op->newlen = vx_alloc_array(cap, sizeof(*op->newlen));
	}
	if (op->kind == RW_DELETE)
		op->del_ids = vx_alloc_array(cap, sizeof(*op->del_ids));
	if (!op->sel || !op->src ||
	    (op->kind == RW_PAYLOAD && (!op->newpl || !op->newlen)) ||
	    (op->kind == RW_DELETE && !op->del_ids)) {
		err = -ENOMEM;
		goto out;
	}
	do {
		err = run_write(db, &op->p.w);
		if (err == 1) { /* nothing (more) selected */
			err = 0;
			break;
		}
	} while (!err && op->f && op->more);
out:
	rewrite_reset(op);
	vx_free(op->sel);
	vx_free(op->src);
	vx_free(op->newpl);
	vx_free(op->newlen);
	vx_free(op->del_ids);
	if (done)
		*done = op->done;
	return err;
}

/* By ids (n > 0, no filter) or by filter (n == 0): exactly one of them. */
static int rewrite_check(const struct vexfs_point_id *ids, u32 n,
			 const struct vx_filter *f)
{
	if (!n == !f || n > VEXFS_BATCH_MAX)
		return -EINVAL;
	for (u32 i = 0; i < n; i++)
		if (!vx_point_id_valid(&ids[i]))
			return -EINVAL;
	return 0;
}

int vx_db_payload_id(struct vx_db *db, u32 coll_id,
		     const struct vx_payload_edit *e,
		     const struct vexfs_point_id *ids, u32 n,
		     const struct vx_filter *f, u64 *updated)
{
	struct rewrite_op op = {
		.p = { .coll_id = coll_id },
		.kind = RW_PAYLOAD,
		.edit = e,
		.ids = ids,
		.n = n,
		.f = f,
	};
	const char *why;
	int err = rewrite_check(ids, n, f);

	if (err)
		return err;
	if (e->key_len && e->op != VEXFS_PAYLOAD_SET)
		return -EINVAL;
	switch (e->op) {
	case VEXFS_PAYLOAD_SET:
	case VEXFS_PAYLOAD_OVERWRITE:
		if (!e->len || e->len > VEXFS_PAYLOAD_MAX)
			return e->len ? -E2BIG : -EINVAL;
		if (vx_cbor_validate(e->cbor, e->len, &why))
			return -EINVAL;
		if (e->key_len && (e->key_len > VEXFS_KEY_MAX ||
				   vx_cbor_path_check(e->key, e->key_len) < 0))
			return -EINVAL;
		break;
	case VEXFS_PAYLOAD_DELETE_KEYS:
		if (!e->len || e->len > VEXFS_PAYLOAD_MAX ||
		    vx_cbor_paths_check(e->cbor, e->len))
			return -EINVAL;
		break;
	case VEXFS_PAYLOAD_CLEAR:
		if (e->len)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	return run_rewrite(db, &op, updated);
}

int vx_db_vectors_update_id(struct vx_db *db, u32 coll_id,
			    const struct vexfs_point_id *ids, const float *vecs,
			    u32 n, u64 *updated)
{
	struct rewrite_op op = {
		.p = { .coll_id = coll_id },
		.kind = RW_VEC_UPDATE,
		.ids = ids,
		.n = n,
		.vecs = vecs,
	};
	struct vx_collection *c;
	int err = rewrite_check(ids, n, NULL);

	if (err)
		return err;
	c = vx_db_get_collection_id(db, coll_id);
	if (!c)
		return -ENOENT;
	/* dim never changes, so checking it outside the write is safe */
	for (u32 i = 0; i < n && !err; i++)
		if (!vx_vector_is_finite(vecs + (size_t)i * c->cfg.dim,
					 c->cfg.dim))
			err = -EINVAL;
	vx_db_put_collection(db, c);
	return err ?: run_rewrite(db, &op, updated);
}

int vx_db_vectors_delete_id(struct vx_db *db, u32 coll_id,
			    const struct vexfs_point_id *ids, u32 n,
			    const struct vx_filter *f, u64 *updated)
{
	struct rewrite_op op = {
		.p = { .coll_id = coll_id },
		.kind = RW_VEC_DELETE,
		.ids = ids,
		.n = n,
		.f = f,
	};
	int err = rewrite_check(ids, n, f);

	return err ?: run_rewrite(db, &op, updated);
}

int vx_db_delete_filter_id(struct vx_db *db, u32 coll_id,
			   const struct vx_filter *f, u64 *deleted)
{
	struct rewrite_op op = {
		.p = { .coll_id = coll_id },
		.kind = RW_DELETE,
		.f = f,
	};

	if (!f)
		return -EINVAL;
	return run_rewrite(db, &op, deleted);
}

/* --- payload indexes -------------------------------------------------------- */

struct index_op {
	struct write_op w;
	const char *name;
	u32 len;
	const char *key;
	u32 key_len;
	u32 type; /* 0: delete */
	struct vx_collection *c;
	struct vx_pindex *ix; /* built (create) or unlinked (delete) */
	bool applied;
};

static void index_op_unlock(struct vx_db *db, struct write_op *w)
{
	struct index_op *op = (struct index_op *)w;

	vx_write_unlock(&op->c->lock);
	vx_read_unlock(&db->lock);
}

/*
 * Build the index under the collection's write lock, before logging, so
 * that applying only links it. A retry (full WAL) builds it again.
 */
static int index_op_lock(struct vx_db *db, struct write_op *w)
{
	struct index_op *op = (struct index_op *)w;
	struct vx_pindex *cur;
	int err = 0;

	vx_pindex_free(op->type ? op->ix : NULL);
	op->ix = NULL;
	vx_read_lock(&db->lock);
	op->c = resolve_coll(db, op->name, op->len);
	if (!op->c) {
		vx_read_unlock(&db->lock);
		return -ENOENT;
	}
	vx_write_lock(&op->c->lock);
	cur = vx_pindex_set_find(&op->c->pidx, op->key, op->key_len);
	if (!op->type)
		err = cur ? 0 : -ENOENT;
	else if (cur && cur->type == op->type)
		err = -EEXIST; /* nothing to do */
	else if (!cur && op->c->pidx.n >= VEXFS_INDEXES_MAX)
		err = -ENOSPC;
	else
		err = vx_pindex_build(&op->c->pidx, op->type, op->key,
				      op->key_len, op->c->by_key,
				      op->c->next_key, &op->ix);
	if (err) {
		index_op_unlock(db, w);
		return err;
	}
	if (!op->type)
		op->ix = cur;
	put_hdr(w->rec, op->type ? VX_OP_INDEX_CREATE : VX_OP_INDEX_DELETE,
		op->c->id, op->type, (u16)op->key_len);
	return 0;
}

static void index_op_apply(struct vx_db *db, struct write_op *w)
{
	struct index_op *op = (struct index_op *)w;

	if (op->type)
		op->ix = index_link(db, op->c, op->ix); /* now the old one */
	else
		index_unlink(db, op->c, op->ix);
	op->applied = true;
}

static int index_change(struct vx_db *db, const char *name, u32 len,
			const char *key, u32 key_len, u32 type)
{
	struct index_op op = {
		.w = { .lock = index_op_lock,
		       .apply = index_op_apply,
		       .unlock = index_op_unlock },
		.name = name,
		.len = len,
		.key = key,
		.key_len = key_len,
		.type = type,
	};
	int err;

	if (!vx_collection_name_valid(name, len) ||
	    !vx_pindex_key_valid(key, key_len) ||
	    (type && !vx_pindex_type_valid(type)))
		return -EINVAL;
	op.w.len = sizeof(struct vx_op_hdr) + key_len;
	op.w.grow = type ? index_schema_bytes(key_len) : 0;
	op.w.rec = vx_alloc(op.w.len);
	if (!op.w.rec)
		return -ENOMEM;
	memcpy(op.w.rec + sizeof(struct vx_op_hdr), key, key_len);
	err = run_write(db, &op.w);
	/* applied: the replaced (create) or unlinked (delete) index; else ours */
	if (op.applied || type)
		vx_pindex_free(op.ix);
	vx_free(op.w.rec);
	return err == -EEXIST ? 0 : err;
}

int vx_db_index_create(struct vx_db *db, const char *name, u32 len,
		       const char *key, u32 key_len, u32 type)
{
	return type ? index_change(db, name, len, key, key_len, type) : -EINVAL;
}

int vx_db_index_delete(struct vx_db *db, const char *name, u32 len,
		       const char *key, u32 key_len)
{
	return index_change(db, name, len, key, key_len, 0);
}

int vx_collection_index_at(struct vx_collection *c, u32 i,
			   struct vx_index_info *out)
{
	const struct vx_pindex *ix;

	if (i >= c->pidx.n)
		return -ENOENT;
	ix = c->pidx.ix[i];
	out->key = ix->key;
	out->key_len = ix->key_len;
	out->type = ix->type;
	out->points = ix->points;
	return 0;
}
