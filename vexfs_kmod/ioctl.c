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
	u8 *found = NULL, *payloads = NULL;
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
	if (g.flags & VEXFS_GET_VECTOR)
		vecs = kvcalloc((size_t)g.count * dim, sizeof(float),
				GFP_KERNEL_ACCOUNT);
	if (g.flags & VEXFS_GET_PAYLOAD) {
		lens = kvcalloc(g.count, sizeof(*lens), GFP_KERNEL_ACCOUNT);
		payloads = kvmalloc(g.payloads_size ? g.payloads_size : 1,
				    GFP_KERNEL_ACCOUNT);
	}
	if (!found || ((g.flags & VEXFS_GET_VECTOR) && !vecs) ||
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
		if (vecs)
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
	kvfree(vecs);
	kvfree(lens);
	kvfree(payloads);
	return err;
}

static long vexfs_ioc_delete(struct vx_db *db, u32 id, void __user *arg)
{
	struct vexfs_delete d;
	struct vexfs_point_id *ids;
	long err;

	if (copy_from_user(&d, arg, sizeof(d)))
		return -EFAULT;
	if (!d.count)
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
	struct vexfs_count n = { 0 };
	struct vx_collection *c = vx_db_get_collection_id(db, id);
	u64 pending;

	if (!c)
		return -ENOENT;
	n.count = vx_collection_count(c);
	pending = vx_vindex_nr_pending(c->vi);
	n.indexed = n.count > pending ? n.count - pending : 0;
	vx_db_put_collection(db, c);
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

	queries = copy_array_in(s.queries, (u64)s.nq * dim, sizeof(float));
	if (IS_ERR(queries))
		return PTR_ERR(queries);
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
	err = vx_collection_search(c, queries, s.nq, s.limit, s.offset, s.ef,
				   s.flags, hits, nhits);
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
	long err = 0;

	if (copy_from_user(&s, arg, sizeof(s)))
		return -EFAULT;
	if (!s.limit)
		return -EINVAL;
	if (s.limit > VEXFS_BATCH_MAX)
		return -E2BIG;
	ids = kvcalloc(s.limit, sizeof(*ids), GFP_KERNEL_ACCOUNT);
	if (!ids)
		return -ENOMEM;
	s.nr = 0;
	if (s.cursor != ~0ULL) {
		c = vx_db_get_collection_id(db, id);
		if (!c) {
			err = -ENOENT;
			goto out;
		}
		s.nr = vx_collection_scroll(c, &s.cursor, s.limit, ids);
		vx_db_put_collection(db, c);
	}
	if (copy_to_user(uptr(s.ids), ids, (size_t)s.nr * sizeof(*ids)) ||
	    copy_to_user(arg, &s, sizeof(s)))
		err = -EFAULT;
out:
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
	if (cmd == VEXFS_IOC_UPSERT)
		err = vexfs_ioc_upsert(db, id, arg);
	else
		err = vexfs_ioc_delete(db, id, arg);
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
				       cmd == VEXFS_IOC_SCROLL ?
			       -EISDIR :
			       -ENOTTY;
	switch (cmd) {
	case VEXFS_IOC_UPSERT:
	case VEXFS_IOC_DELETE:
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
