// SPDX-License-Identifier: GPL-2.0
/* The database state machine: operation records, apply, save and load. */
#include "db.h"
#include "distance.h"
#include "cbor.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "VexFS stores floats in host order: little-endian hosts only"
#endif

#define DB_MAGIC 0x42445856u /* "VXDB" */
/* id, name_len, config, next_key, nr_points, mode, uid, gid */
#define COLL_HDR_FIXED (4 + 4 + 32 + 8 + 8 + 12)
#define DB_VERSION 1u
#define DISK_ID_BYTES 24u

/* Checkpoint bytes of one point and one collection header (see save). */
static u64 point_bytes(u32 dim, u32 payload_len)
{
	return DISK_ID_BYTES + 8 + 4 + (u64)dim * sizeof(float) + payload_len;
}

static u64 coll_header_bytes(u32 name_len)
{
	return COLL_HDR_FIXED + name_len;
}

#define DB_HEADER_BYTES 16u

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
	if (!cfg->dim || cfg->dim > VEXFS_MAX_DIM ||
	    !vx_metric_valid(cfg->distance) || cfg->flags || cfg->pad)
		return -EINVAL;
	if (!cfg->hnsw_m)
		cfg->hnsw_m = 16;
	if (!cfg->hnsw_ef_construct)
		cfg->hnsw_ef_construct = 100;
	if (!cfg->full_scan_threshold)
		cfg->full_scan_threshold = 10000;
	if (cfg->hnsw_m < 2 || cfg->hnsw_m > VX_HNSW_M_MAX ||
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

static struct vx_collection *
coll_alloc(u32 id, const char *name, u32 len,
	   const struct vexfs_collection_config *cfg)
{
	struct vx_collection *c = vx_zalloc(sizeof(*c));
	struct vx_vindex_params vp;

	if (!c)
		return NULL;
	vx_vindex_params_default(&vp, cfg->dim, cfg->distance);
	vp.m = cfg->hnsw_m;
	vp.ef_construct = cfg->hnsw_ef_construct;
	vp.full_scan_threshold_kb =
		(u32)min_t(u64, cfg->full_scan_threshold, 0xffffffffu);
	if (vx_vindex_create(&vp, &c->vi)) {
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
				      upsert_point_rec_bytes(dim, 0))
		return -EUCLEAN;
	pts = vx_zalloc_array(count, sizeof(*pts));
	if (!pts)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		struct vexfs_point_id id;
		u32 plen;
		u64 need;

		if (end - p < DISK_ID_BYTES + 4 || get_id(p, &id))
			goto fail;
		plen = get_le32(p + DISK_ID_BYTES);
		if (plen > VEXFS_PAYLOAD_MAX)
			goto fail;
		need = upsert_point_rec_bytes(dim, plen);
		if ((u64)(end - p) < need)
			goto fail;
		pts[i] = vx_alloc(sizeof(struct vx_point) +
				  (size_t)dim * sizeof(float) + plen);
		if (!pts[i]) {
			err = -ENOMEM;
			goto fail;
		}
		pts[i]->id = id;
		pts[i]->dim = dim;
		pts[i]->payload_len = plen;
		p += DISK_ID_BYTES + 4;
		memcpy(vx_point_vec(pts[i]), p, (size_t)dim * sizeof(float));
		p += (size_t)dim * sizeof(float);
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

/* Index upkeep after a point changed; the point store is the truth. */
static void index_put(struct vx_collection *c, struct vx_point *p)
{
	c->by_key[p->key] = p;
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
			vx_free(old);
		} else {
			pts[i]->key = c->next_key++;
		}
		c->bytes += point_bytes(pts[i]->dim, pts[i]->payload_len);
		db->bytes += point_bytes(pts[i]->dim, pts[i]->payload_len);
		index_put(c, pts[i]);
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
		coll_unlink(db, c);
		coll_free(c);
		return 0;
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
	return DB_HEADER_BYTES + ((struct vx_db *)sm)->bytes;
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
			put_le32(buf + DISK_ID_BYTES + 8, p->payload_len);
			err = vx_ckpt_put(w, buf, DISK_ID_BYTES + 12);
			if (!err)
				err = vx_ckpt_put(
					w, p->data,
					(size_t)p->dim * sizeof(float) +
						p->payload_len);
		}
		vx_read_unlock(&c->lock);
	}
	vx_read_unlock(&db->lock);
	return err;
}

static int load_collection(struct vx_db *db, struct vx_ckpt_reader *r)
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
	if (nr_points > vx_ckpt_remaining(r) / point_bytes(cfg.dim, 0))
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
		u32 plen;

		err = vx_ckpt_get(r, buf, DISK_ID_BYTES + 12);
		if (err)
			break;
		plen = get_le32(buf + DISK_ID_BYTES + 8);
		memcpy(&le, buf + DISK_ID_BYTES, 8);
		if (get_id(buf, &pid) || plen > VEXFS_PAYLOAD_MAX ||
		    le64_to_cpu(le) >= next_key) {
			err = -EUCLEAN;
			break;
		}
		p = vx_alloc(sizeof(*p) + (size_t)cfg.dim * sizeof(float) +
			     plen);
		if (!p) {
			err = -ENOMEM;
			break;
		}
		p->id = pid;
		p->key = le64_to_cpu(le);
		p->dim = cfg.dim;
		p->payload_len = plen;
		err = vx_ckpt_get(r, p->data,
				  (size_t)cfg.dim * sizeof(float) + plen);
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
		index_put(c, p);
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
	if (get_le32(buf) != DB_MAGIC || get_le32(buf + 4) != DB_VERSION ||
	    nr > VEXFS_MAX_COLLECTIONS)
		return -EUCLEAN;
	db->next_coll_id = get_le32(buf + 12);
	for (u32 i = 0; i < nr; i++) {
		err = load_collection(db, r);
		if (err)
			return err;
	}
	return 0;
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
	if (find_coll(db, op->name, op->len)) {
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
	c = find_coll(db, name, len);
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

		bytes = coll_header_bytes(c->name_len);
		keys = vx_alloc_array(n ? n : 1, sizeof(*keys));
		if (!keys) {
			err = -ENOMEM;
			break;
		}
		vx_read_lock(&c->lock);
		while ((p = vx_pointmap_next(&c->points, &pos)) && i < n) {
			keys[i++] = p->key;
			bytes += point_bytes(p->dim, p->payload_len);
			if (p->key >= c->next_key || p->dim != c->cfg.dim) {
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

int vx_collection_search(struct vx_collection *c, const float *queries, u32 nq,
			 u32 limit, u32 offset, u32 ef, u32 flags,
			 struct vx_db_hit *hits, u32 *nhits)
{
	u32 want = limit + offset, dim = c->cfg.dim;
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
		};
		u32 got = 0, n = 0;

		err = vx_vindex_search(c->vi, &req, sp, &got);
		for (u32 i = offset; !err && i < got; i++) {
			struct vx_point *p = sp[i].id < c->next_key ?
						     c->by_key[sp[i].id] :
						     NULL;

			if (!p)
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
	u64 pos = *cursor;
	u32 n = 0;

	while (n < limit) {
		struct vx_point *p = vx_pointmap_next(&c->points, &pos);

		if (!p) {
			pos = ~0ULL;
			break;
		}
		ids[n++] = p->id;
	}
	*cursor = pos;
	return n;
}

int vx_db_index_pending(struct vx_db *db, u32 budget, u64 *still_pending)
{
	struct vx_collection *c;
	u64 pending = 0;
	int err = 0;

	vx_read_lock(&db->lock);
	for (c = db->colls; c && !err; c = c->next) {
		int n = vx_vindex_index_pending(c->vi, budget);

		if (n < 0)
			err = n;
		pending += vx_vindex_nr_pending(c->vi);
	}
	vx_read_unlock(&db->lock);
	if (still_pending)
		*still_pending = pending;
	return err;
}
