// SPDX-License-Identifier: GPL-2.0
/*
 * The data plane: ioctls on a collection directory (uapi/vexfs.h).
 *
 * Every argument struct is copied in whole, every count checked against the
 * limits before a byte is allocated, every user array copied with
 * copy_from_user/copy_to_user outside the engine's locks. Writes need write
 * permission on the directory and a writable mount.
 */
#include <linux/mount.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "vexfs.h"
#include "core/distance.h"
#include "core/filter.h"

/* Engine writes are bounded by a WAL frame; so are our copies. */
#define VEXFS_IOC_BYTES_MAX VX_WAL_MAX_BODY
#define VEXFS_HITS_MAX (1u << 18)

static void __user *uptr(u64 p)
{
	return u64_to_user_ptr(p);
}

/* kvmalloc + copy_from_user of @n elements of @size; sizes pre-checked. */
static void *copy_array_in(u64 uaddr, u64 n, size_t size)
{
	void *p = kvmalloc_array(n ? n : 1, size, GFP_KERNEL_ACCOUNT);

	if (!p)
		return ERR_PTR(-ENOMEM);
	if (n && copy_from_user(p, uptr(uaddr), n * size)) {
		kvfree(p);
		return ERR_PTR(-EFAULT);
	}
	return p;
}

/*
 * Copy in and verify a filter: *@out is NULL for len 0 (every point).
 * The length is checked before anything is allocated.
 */
static int filter_in(const struct vexfs_filter *uf, struct vx_filter **out)
{
	const char *why = NULL;
	void *code;
	int err;

	*out = NULL;
	if (uf->pad)
		return -EINVAL;
	if (!uf->len)
		return 0;
	if (uf->len > VEXFS_FILTER_MAX)
		return -E2BIG;
	code = vmemdup_user(uptr(uf->code), uf->len);
	if (IS_ERR(code))
		return PTR_ERR(code);
	err = vx_filter_load(code, uf->len, out, &why);
	kvfree(code);
	if (err == -EINVAL)
		pr_debug_ratelimited("vexfs: filter refused: %s\n",
				     why ? why : "malformed");
	return err;
}

/* Copy in @n point ids, each checked. */
static struct vexfs_point_id *ids_in(u64 uaddr, u32 n)
{
	struct vexfs_point_id *ids = copy_array_in(uaddr, n, sizeof(*ids));

	if (IS_ERR(ids))
		return ids;
	for (u32 i = 0; i < n; i++) {
		if (!vx_point_id_valid(&ids[i])) {
			kvfree(ids);
			return ERR_PTR(-EINVAL);
		}
	}
	return ids;
}

static long vexfs_ioc_version(void __user *arg)
{
	struct vexfs_version v = {
		.abi_major = VEXFS_ABI_MAJOR,
		.abi_minor = VEXFS_ABI_MINOR,
		.format_version = VX_FORMAT_VERSION,
	};

	strscpy(v.module_version, VEXFS_MODULE_VERSION,
		sizeof(v.module_version));
	if (!strcmp(vx_dist_impl_name(), "avx2"))
		v.flags |= VEXFS_VERSION_F_SIMD_AVX2;
	else if (!strcmp(vx_dist_impl_name(), "avx512"))
		v.flags |= VEXFS_VERSION_F_SIMD_AVX512;
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* The collection's dimension, or -ENOENT. */
static int coll_dim(struct vx_db *db, u32 id, u32 *dim, u32 *metric)
{
	struct vx_collection *c = vx_db_get_collection_id(db, id);

	if (!c)
		return -ENOENT;
	*dim = c->cfg.dim;
	if (metric)
		*metric = c->cfg.distance;
	vx_db_put_collection(db, c);
	return 0;
}

static long vexfs_ioc_upsert(struct vx_db *db, u32 id, void __user *arg)
{
	struct vexfs_upsert u;
	struct vexfs_point_id *ids = NULL;
	struct vx_point_in *in = NULL;
	float *vecs = NULL;
	u32 *lens = NULL;
	u8 *payloads = NULL;
	u64 total = 0, off = 0;
	u32 dim;
	long err;

	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	if (!u.count || u.flags || u.pad)
		return -EINVAL;
	if (u.count > VEXFS_BATCH_MAX)
		return -E2BIG;
	err = coll_dim(db, id, &dim, NULL);
	if (err)
		return err;
	if (u.dim != dim)
		return -EINVAL; /* dimension mismatch */
	if ((u64)u.count * dim * sizeof(float) > VEXFS_IOC_BYTES_MAX ||
	    u.payloads_size > VEXFS_IOC_BYTES_MAX)
		return -E2BIG;
	if (!u.payload_lens && u.payloads_size)
		return -EINVAL;

	ids = copy_array_in(u.ids, u.count, sizeof(*ids));
	vecs = copy_array_in(u.vectors, (u64)u.count * dim, sizeof(float));
	in = kvcalloc(u.count, sizeof(*in), GFP_KERNEL_ACCOUNT);
	if (IS_ERR(ids) || IS_ERR(vecs) || !in) {
		err = IS_ERR(ids)  ? PTR_ERR(ids) :
		      IS_ERR(vecs) ? PTR_ERR(vecs) :
				     -ENOMEM;
		goto out;
	}
	if (u.payload_lens) {
		lens = copy_array_in(u.payload_lens, u.count, sizeof(*lens));
		if (IS_ERR(lens)) {
			err = PTR_ERR(lens);
			lens = NULL;
			goto out;
		}
		for (u32 i = 0; i < u.count; i++) {
			if (lens[i] > VEXFS_PAYLOAD_MAX) {
				err = -E2BIG;
				goto out;
			}
			total += lens[i];
		}
		if (total != u.payloads_size) {
			err = -EINVAL;
			goto out;
		}
		payloads = copy_array_in(u.payloads, total, 1);
		if (IS_ERR(payloads)) {
			err = PTR_ERR(payloads);
			payloads = NULL;
			goto out;
		}
	}
	for (u32 i = 0; i < u.count; i++) {
		in[i].id = ids[i];
		in[i].vec = vecs + (size_t)i * dim;
		if (lens && lens[i]) {
			in[i].payload = payloads + off;
			in[i].payload_len = lens[i];
			off += lens[i];
		}
	}
	err = vx_db_upsert_id(db, id, in, u.count);
out:
	if (!IS_ERR(ids))
		kvfree(ids);
	if (!IS_ERR(vecs))
		kvfree(vecs);
	kvfree(in);
	kvfree(lens);
	kvfree(payloads);
	return err;
}

static long vexfs_ioc_get(struct vx_db *db, u32 id, void __user *arg)
{
	struct vexfs_get g;
	struct vexfs_point_id *ids;
	struct vx_collection *c;
	u8 *found = NULL, *payloads = NULL, *hasv = NULL;
	float *vecs = NULL;
	u32 *lens = NULL, dim;
	u64 need = 0;
	long err = 0;

	if (copy_from_user(&g, arg, sizeof(g)))
		return -EFAULT;
	if (!g.count || (g.flags & ~(VEXFS_GET_VECTOR | VEXFS_GET_PAYLOAD)))
		return -EINVAL;
	if (g.count > VEXFS_BATCH_MAX || g.payloads_size > VEXFS_IOC_BYTES_MAX)
		return -E2BIG;
	err = coll_dim(db, id, &dim, NULL);
	if (err)
		return err;
	if ((g.flags & VEXFS_GET_VECTOR) &&
	    (u64)g.count * dim * sizeof(float) > VEXFS_IOC_BYTES_MAX)
		return -E2BIG;

	ids = copy_array_in(g.ids, g.count, sizeof(*ids));
	if (IS_ERR(ids))
		return PTR_ERR(ids);
	for (u32 i = 0; i < g.count; i++) {
		if (!vx_point_id_valid(&ids[i])) {
			kvfree(ids);
			return -EINVAL;
		}
	}
	found = kvzalloc(g.count, GFP_KERNEL_ACCOUNT);
	if (g.has_vector)
		hasv = kvzalloc(g.count, GFP_KERNEL_ACCOUNT);
	if (g.flags & VEXFS_GET_VECTOR)
		vecs = kvcalloc((size_t)g.count * dim, sizeof(float),
				GFP_KERNEL_ACCOUNT);
	if (g.flags & VEXFS_GET_PAYLOAD) {
		lens = kvcalloc(g.count, sizeof(*lens), GFP_KERNEL_ACCOUNT);
		payloads = kvmalloc(g.payloads_size ? g.payloads_size : 1,
				    GFP_KERNEL_ACCOUNT);
	}
	if (!found || (g.has_vector && !hasv) ||
	    ((g.flags & VEXFS_GET_VECTOR) && !vecs) ||
	    ((g.flags & VEXFS_GET_PAYLOAD) && (!lens || !payloads))) {
		err = -ENOMEM;
		goto out;
	}

	c = vx_db_get_collection_id(db, id);
	if (!c) {
		err = -ENOENT;
		goto out;
	}
	for (u32 i = 0; i < g.count; i++) {
		struct vx_point *p = vx_collection_find(c, &ids[i]);

		if (!p)
			continue;
		found[i] = 1;
		if (hasv)
			hasv[i] = p->dim != 0;
		/* a point without a vector reads as zeros (has_vector says) */
		if (vecs && p->dim)
			memcpy(vecs + (size_t)i * dim, vx_point_vec(p),
			       (size_t)dim * sizeof(float));
		if (lens) {
			lens[i] = p->payload_len;
			if (need + p->payload_len <= g.payloads_size)
				memcpy(payloads + need, vx_point_payload(p),
				       p->payload_len);
			need += p->payload_len;
		}
	}
	vx_db_put_collection(db, c);

	if (copy_to_user(uptr(g.found), found, g.count) ||
	    (hasv && copy_to_user(uptr(g.has_vector), hasv, g.count)) ||
	    (vecs && copy_to_user(uptr(g.vectors), vecs,
				  (size_t)g.count * dim * sizeof(float))) ||
	    (lens && copy_to_user(uptr(g.payload_lens), lens,
				  (size_t)g.count * sizeof(*lens))) ||
	    (lens && need <= g.payloads_size &&
	     copy_to_user(uptr(g.payloads), payloads, need))) {
		err = -EFAULT;
		goto out;
	}
	if (lens && need > g.payloads_size)
		err = -ENOSPC; /* payloads_size tells how much is needed */
	g.payloads_size = need;
	if (copy_to_user(arg, &g, sizeof(g)))
		err = -EFAULT;
out:
	kvfree(ids);
	kvfree(found);
	kvfree(hasv);
	kvfree(vecs);
	kvfree(lens);
	kvfree(payloads);
	return err;
}

static long vexfs_ioc_delete(struct vx_db *db, u32 id, void __user *arg)
{
	struct vexfs_delete d;
	struct vexfs_point_id *ids;
	struct vx_filter *f;
	long err;

	if (copy_from_user(&d, arg, sizeof(d)))
		return -EFAULT;
	if (!d.count) { /* by filter: required */
		u64 deleted = 0;

		if (!d.filter.len)
			return -EINVAL;
		err = filter_in(&d.filter, &f);
		if (err)
			return err;
		err = vx_db_delete_filter_id(db, id, f, &deleted);
		vx_filter_free(f);
		d.deleted = (u32)min_t(u64, deleted, U32_MAX);
		if (!err && copy_to_user(arg, &d, sizeof(d)))
			err = -EFAULT;
		return err;
	}
	if (d.filter.len || d.filter.pad)
		return -EINVAL;
	if (d.count > VEXFS_BATCH_MAX)
		return -E2BIG;
	ids = copy_array_in(d.ids, d.count, sizeof(*ids));
	if (IS_ERR(ids))
		return PTR_ERR(ids);
	err = vx_db_delete_id(db, id, ids, d.count, &d.deleted);
	kvfree(ids);
	if (!err && copy_to_user(arg, &d, sizeof(d)))
		err = -EFAULT;
	return err;
}

static long vexfs_ioc_count(struct vx_db *db, u32 id, void __user *arg)
{
	struct vexfs_count n;
	struct vx_collection *c;
	struct vx_filter *f;
	int err;

	if (copy_from_user(&n, arg, sizeof(n)))
		return -EFAULT;
	err = filter_in(&n.filter, &f);
	if (err)
		return err;
	c = vx_db_get_collection_id(db, id);
	if (!c) {
		vx_filter_free(f);
		return -ENOENT;
	}
	n.count = vx_collection_count_filter(c, f);
	n.indexed = vx_collection_indexed(c);
	vx_db_put_collection(db, c);
	vx_filter_free(f);
	return copy_to_user(arg, &n, sizeof(n)) ? -EFAULT : 0;
}

/* IEEE-754 bits mapped so that unsigned order is float order. */
static u32 float_order(u32 bits)
{
	return (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
}

static long vexfs_ioc_search(struct vx_db *db, u32 id, void __user *arg)
{
	struct vexfs_search s;
	struct vx_collection *c;
	struct vx_filter *f = NULL;
	struct vx_db_hit *hits = NULL;
	struct vexfs_hit *out = NULL;
	u32 *nhits = NULL, dim, metric, thr;
	float *queries;
	long err;

	if (copy_from_user(&s, arg, sizeof(s)))
		return -EFAULT;
	if (!s.nq || !s.limit || s.pad ||
	    (s.flags & ~(VEXFS_SEARCH_EXACT | VEXFS_SEARCH_THRESHOLD)))
		return -EINVAL;
	if (s.nq > VEXFS_QUERIES_MAX || (u64)s.limit + s.offset > VEXFS_K_MAX ||
	    (u64)s.nq * s.limit > VEXFS_HITS_MAX)
		return -E2BIG;
	err = coll_dim(db, id, &dim, &metric);
	if (err)
		return err;
	if (s.dim != dim)
		return -EINVAL;
	if ((u64)s.nq * dim * sizeof(float) > VEXFS_IOC_BYTES_MAX)
		return -E2BIG;

	err = filter_in(&s.filter, &f);
	if (err)
		return err;
	queries = copy_array_in(s.queries, (u64)s.nq * dim, sizeof(float));
	if (IS_ERR(queries)) {
		vx_filter_free(f);
		return PTR_ERR(queries);
	}
	hits = kvcalloc((size_t)s.nq * s.limit, sizeof(*hits),
			GFP_KERNEL_ACCOUNT);
	out = kvcalloc((size_t)s.nq * s.limit, sizeof(*out),
		       GFP_KERNEL_ACCOUNT);
	nhits = kvcalloc(s.nq, sizeof(*nhits), GFP_KERNEL_ACCOUNT);
	if (!hits || !out || !nhits) {
		err = -ENOMEM;
		goto out;
	}
	/* The engine normalises Cosine queries itself. */
	c = vx_db_get_collection_id(db, id);
	if (!c) {
		err = -ENOENT;
		goto out;
	}
	err = vx_collection_search_filter(c, queries, s.nq, s.limit, s.offset,
					  s.ef, s.flags, f, hits, nhits);
	vx_db_put_collection(db, c);
	if (err)
		goto out;

	memcpy(&thr, &s.score_threshold, sizeof(thr));
	for (u32 q = 0; q < s.nq; q++) {
		u32 n = 0;

		for (u32 i = 0; i < nhits[q]; i++) {
			struct vx_db_hit *h = &hits[(size_t)q * s.limit + i];
			struct vexfs_hit *o = &out[(size_t)q * s.limit + n];

			/* Qdrant: a minimum score, or a maximum distance. */
			if (s.flags & VEXFS_SEARCH_THRESHOLD) {
				bool higher =
					vx_metric_higher_is_better(metric);
				u32 a = float_order(h->score_bits),
				    b = float_order(thr);

				if (higher ? a < b : a > b)
					continue;
			}
			o->id = h->id;
			memcpy(&o->score, &h->score_bits, sizeof(u32));
			n++;
		}
		nhits[q] = n;
	}
	if (copy_to_user(uptr(s.hits), out,
			 (size_t)s.nq * s.limit * sizeof(*out)) ||
	    copy_to_user(uptr(s.nhits), nhits, (size_t)s.nq * sizeof(*nhits)))
		err = -EFAULT;
out:
	vx_filter_free(f);
	kvfree(queries);
	kvfree(hits);
	kvfree(out);
	kvfree(nhits);
	return err;
}

static long vexfs_ioc_scroll(struct vx_db *db, u32 id, void __user *arg)
{
	struct vexfs_scroll s;
	struct vexfs_point_id *ids;
	struct vx_collection *c;
	struct vx_filter *f;
	long err = 0;

	if (copy_from_user(&s, arg, sizeof(s)))
		return -EFAULT;
	if (!s.limit)
		return -EINVAL;
	if (s.limit > VEXFS_BATCH_MAX)
		return -E2BIG;
	err = filter_in(&s.filter, &f);
	if (err)
		return err;
	ids = kvcalloc(s.limit, sizeof(*ids), GFP_KERNEL_ACCOUNT);
	if (!ids) {
		vx_filter_free(f);
		return -ENOMEM;
	}
	s.nr = 0;
	if (s.cursor != ~0ULL) {
		c = vx_db_get_collection_id(db, id);
		if (!c) {
			err = -ENOENT;
			goto out;
		}
		s.nr = vx_collection_scroll_filter(c, &s.cursor, s.limit, f,
						   ids);
		vx_db_put_collection(db, c);
	}
	if (copy_to_user(uptr(s.ids), ids, (size_t)s.nr * sizeof(*ids)) ||
	    copy_to_user(arg, &s, sizeof(s)))
		err = -EFAULT;
out:
	vx_filter_free(f);
	kvfree(ids);
	return err;
}

static long vexfs_ioc_payload(struct vx_db *db, u32 id, void __user *arg)
{
	struct vexfs_payload_op op;
	struct vexfs_point_id *ids = NULL;
	struct vx_payload_edit e = { 0 };
	struct vx_filter *f = NULL;
	u8 *cbor = NULL;
	char *key = NULL;
	long err;

	if (copy_from_user(&op, arg, sizeof(op)))
		return -EFAULT;
	if (op.op < VEXFS_PAYLOAD_SET || op.op > VEXFS_PAYLOAD_CLEAR ||
	    (op.key_len && op.op != VEXFS_PAYLOAD_SET) ||
	    (op.op == VEXFS_PAYLOAD_CLEAR) != !op.payload_len)
		return -EINVAL;
	if (op.count > VEXFS_BATCH_MAX || op.payload_len > VEXFS_PAYLOAD_MAX ||
	    op.key_len > VEXFS_KEY_MAX)
		return -E2BIG;
	if (op.count ? op.filter.len || op.filter.pad : !op.filter.len)
		return -EINVAL;
	if (op.count) {
		ids = ids_in(op.ids, op.count);
		if (IS_ERR(ids))
			return PTR_ERR(ids);
	} else {
		err = filter_in(&op.filter, &f);
		if (err)
			return err;
	}
	if (op.payload_len) {
		cbor = vmemdup_user(uptr(op.payload), op.payload_len);
		if (IS_ERR(cbor)) {
			err = PTR_ERR(cbor);
			cbor = NULL;
			goto out;
		}
	}
	if (op.key_len) {
		key = vmemdup_user(uptr(op.key), op.key_len);
		if (IS_ERR(key)) {
			err = PTR_ERR(key);
			key = NULL;
			goto out;
		}
	}
	e.op = op.op;
	e.cbor = cbor;
	e.len = op.payload_len;
	e.key = key;
	e.key_len = op.key_len;
	op.updated = 0;
	err = vx_db_payload_id(db, id, &e, ids, op.count, f, &op.updated);
	if (!err && copy_to_user(arg, &op, sizeof(op)))
		err = -EFAULT;
out:
	vx_filter_free(f);
	kvfree(ids);
	kvfree(cbor);
	kvfree(key);
	return err;
}

static long vexfs_ioc_vectors_update(struct vx_db *db, u32 id, void __user *arg)
{
	struct vexfs_vectors_update u;
	struct vexfs_point_id *ids;
	float *vecs;
	u64 updated = 0;
	u32 dim;
	long err;

	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	if (!u.count || u.flags)
		return -EINVAL;
	if (u.count > VEXFS_BATCH_MAX)
		return -E2BIG;
	err = coll_dim(db, id, &dim, NULL);
	if (err)
		return err;
	if (u.dim != dim)
		return -EINVAL;
	if ((u64)u.count * dim * sizeof(float) > VEXFS_IOC_BYTES_MAX)
		return -E2BIG;
	ids = ids_in(u.ids, u.count);
	if (IS_ERR(ids))
		return PTR_ERR(ids);
	vecs = copy_array_in(u.vectors, (u64)u.count * dim, sizeof(float));
	if (IS_ERR(vecs)) {
		kvfree(ids);
		return PTR_ERR(vecs);
	}
	err = vx_db_vectors_update_id(db, id, ids, vecs, u.count, &updated);
	u.updated = (u32)updated;
	if (!err && copy_to_user(arg, &u, sizeof(u)))
		err = -EFAULT;
	kvfree(ids);
	kvfree(vecs);
	return err;
}

static long vexfs_ioc_vectors_delete(struct vx_db *db, u32 id, void __user *arg)
{
	struct vexfs_vectors_delete d;
	struct vexfs_point_id *ids = NULL;
	struct vx_filter *f = NULL;
	u64 updated = 0;
	long err;

	if (copy_from_user(&d, arg, sizeof(d)))
		return -EFAULT;
	if (d.count ? d.filter.len || d.filter.pad : !d.filter.len)
		return -EINVAL;
	if (d.count > VEXFS_BATCH_MAX)
		return -E2BIG;
	if (d.count) {
		ids = ids_in(d.ids, d.count);
		if (IS_ERR(ids))
			return PTR_ERR(ids);
	} else {
		err = filter_in(&d.filter, &f);
		if (err)
			return err;
	}
	err = vx_db_vectors_delete_id(db, id, ids, d.count, f, &updated);
	d.updated = (u32)min_t(u64, updated, U32_MAX);
	if (!err && copy_to_user(arg, &d, sizeof(d)))
		err = -EFAULT;
	vx_filter_free(f);
	kvfree(ids);
	return err;
}

/* Writes: a writable mount and write permission on the directory. */
static long vexfs_ioc_write(struct file *file, struct vx_db *db, u32 id,
			    unsigned int cmd, void __user *arg)
{
	long err = file_permission(file, MAY_WRITE);

	if (err)
		return err;
	err = mnt_want_write_file(file);
	if (err)
		return err;
	switch (cmd) {
	case VEXFS_IOC_UPSERT:
		err = vexfs_ioc_upsert(db, id, arg);
		break;
	case VEXFS_IOC_DELETE:
		err = vexfs_ioc_delete(db, id, arg);
		break;
	case VEXFS_IOC_PAYLOAD:
		err = vexfs_ioc_payload(db, id, arg);
		break;
	case VEXFS_IOC_VECTORS_UPDATE:
		err = vexfs_ioc_vectors_update(db, id, arg);
		break;
	default:
		err = vexfs_ioc_vectors_delete(db, id, arg);
		break;
	}
	mnt_drop_write_file(file);
	if (!err)
		vexfs_kick_indexer(file_inode(file)->i_sb);
	return err;
}

long vexfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vx_db *db = VEXFS_SB(file_inode(file)->i_sb)->db;
	void __user *uarg = (void __user *)arg;
	u32 id = vexfs_file_coll_id(file);

	if (cmd == VEXFS_IOC_VERSION)
		return vexfs_ioc_version(uarg);
	if (_IOC_TYPE(cmd) != VEXFS_IOC_MAGIC)
		return -ENOTTY;
	if (!id) /* data-plane commands need a collection directory */
		return cmd == VEXFS_IOC_UPSERT || cmd == VEXFS_IOC_GET ||
				       cmd == VEXFS_IOC_DELETE ||
				       cmd == VEXFS_IOC_COUNT ||
				       cmd == VEXFS_IOC_SEARCH ||
				       cmd == VEXFS_IOC_SCROLL ||
				       cmd == VEXFS_IOC_PAYLOAD ||
				       cmd == VEXFS_IOC_VECTORS_UPDATE ||
				       cmd == VEXFS_IOC_VECTORS_DELETE ?
			       -EISDIR :
			       -ENOTTY;
	switch (cmd) {
	case VEXFS_IOC_UPSERT:
	case VEXFS_IOC_DELETE:
	case VEXFS_IOC_PAYLOAD:
	case VEXFS_IOC_VECTORS_UPDATE:
	case VEXFS_IOC_VECTORS_DELETE:
		return vexfs_ioc_write(file, db, id, cmd, uarg);
	case VEXFS_IOC_GET:
		return vexfs_ioc_get(db, id, uarg);
	case VEXFS_IOC_COUNT:
		return vexfs_ioc_count(db, id, uarg);
	case VEXFS_IOC_SEARCH:
		return vexfs_ioc_search(db, id, uarg);
	case VEXFS_IOC_SCROLL:
		return vexfs_ioc_scroll(db, id, uarg);
	default:
		return -ENOTTY;
	}
}
