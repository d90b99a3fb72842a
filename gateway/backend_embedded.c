// SPDX-License-Identifier: GPL-2.0
/*
 * The "embedded" backend: the userspace build of the core engine in this
 * process, on an image file (or block device) in the on-disk format
 * mkfs.vexfs makes and vexfs.ko mounts. For hosts that cannot load
 * modules, and to measure the engine without the syscall boundary.
 *
 * It does what the module does around the engine: validates sizes as the
 * ioctls do, links new points into the HNSW graphs on a background
 * thread, checkpoints when the WAL fills or has been idle, and leaves a
 * clean checkpoint on close. A lock on the image keeps a second process
 * (gateway, fsck -y) from opening it at the same time.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "bdev.h"
#include "db.h"
#include "distance.h"
#include "vexfs_kmod/core/filter.h" /* not ./filter.h */
#include "format.h"

#include "backend.h"

#define EMB_INDEX_BUDGET 256 /* points linked per pass, as the module */
#define EMB_CKPT_PERIOD_S 5 /* look at the WAL this often */
#define EMB_CKPT_WAL_PCT 50 /* checkpoint when the WAL is this full */
#define EMB_CKPT_IDLE_S 60 /* and at least this often with a WAL */
/* The ioctls' bound on one call's arrays (a WAL frame). */
#define EMB_BYTES_MAX VX_WAL_MAX_BODY

struct emb_priv {
	int lock_fd;
	struct vx_bdev *bd;
	struct vx_db *db;
	bool read_only;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, kick;
	pthread_t indexer, ckpt;
	bool indexer_started, ckpt_started;
};

static struct emb_priv *priv(struct gw_backend *be)
{
	return be->priv;
}

/* --- background work ------------------------------------------------------ */

static void kick_indexer(struct emb_priv *ep)
{
	pthread_mutex_lock(&ep->mu);
	ep->kick = true;
	pthread_cond_broadcast(&ep->cv);
	pthread_mutex_unlock(&ep->mu);
}

static void *indexer_main(void *arg)
{
	struct emb_priv *ep = arg;

	pthread_mutex_lock(&ep->mu);
	/* Points replayed from the WAL at open are pending too. */
	ep->kick = true;
	while (!ep->stop) {
		u64 pending = 0;
		int err;

		if (!ep->kick) {
			pthread_cond_wait(&ep->cv, &ep->mu);
			continue;
		}
		ep->kick = false;
		pthread_mutex_unlock(&ep->mu);
		err = vx_db_index_pending(ep->db, EMB_INDEX_BUDGET, &pending);
		if (err)
			fprintf(stderr,
				"vexfs-gateway: background indexing failed: %s\n",
				strerror(-err));
		pthread_mutex_lock(&ep->mu);
		if (!err && pending)
			ep->kick = true;
	}
	pthread_mutex_unlock(&ep->mu);
	return NULL;
}

static void *ckpt_main(void *arg)
{
	struct emb_priv *ep = arg;
	struct vx_store *s = ep->db->store;
	time_t last = time(NULL);

	pthread_mutex_lock(&ep->mu);
	while (!ep->stop) {
		struct timespec until;
		struct vx_store_stats st;
		int err = 0;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += EMB_CKPT_PERIOD_S;
		pthread_cond_timedwait(&ep->cv, &ep->mu, &until);
		if (ep->stop)
			break;
		pthread_mutex_unlock(&ep->mu);
		vx_store_stats(s, &st);
		if (st.wal_bytes_used * 100 >=
			    st.wal_bytes * EMB_CKPT_WAL_PCT ||
		    (st.wal_bytes_used &&
		     time(NULL) - last >= EMB_CKPT_IDLE_S)) {
			err = vx_store_checkpoint(s);
			last = time(NULL);
		}
		if (err && err != -EROFS)
			fprintf(stderr,
				"vexfs-gateway: background checkpoint failed: %s\n",
				strerror(-err));
		pthread_mutex_lock(&ep->mu);
	}
	pthread_mutex_unlock(&ep->mu);
	return NULL;
}

static void stop_threads(struct emb_priv *ep)
{
	pthread_mutex_lock(&ep->mu);
	ep->stop = true;
	pthread_cond_broadcast(&ep->cv);
	pthread_mutex_unlock(&ep->mu);
	if (ep->indexer_started)
		pthread_join(ep->indexer, NULL);
	if (ep->ckpt_started)
		pthread_join(ep->ckpt, NULL);
	ep->indexer_started = ep->ckpt_started = false;
}

/* --- open and close ------------------------------------------------------- */

int gw_embedded_mkfs(const char *path, unsigned long long size)
{
	struct vx_mkfs_params p = { 0 };
	const char *why = "unknown";
	void *buf;
	int fd, err = 0;

	p.total_blocks = size / VX_BLOCK_SIZE;
	p.created_sec = (u64)time(NULL);
	if (getrandom(p.uuid, sizeof(p.uuid), 0) != sizeof(p.uuid))
		return -EIO;
	buf = aligned_alloc(VX_BLOCK_SIZE, VX_BLOCK_SIZE);
	if (!buf)
		return -ENOMEM;
	err = vx_super_format(buf, &p, &why);
	if (err) {
		fprintf(stderr, "vexfs-gateway: cannot make %s: %s\n", path,
			why);
		free(buf);
		return err;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	/* Slot A, then a zeroed slot B and WAL head, as mkfs.vexfs. */
	if (ftruncate(fd, (off_t)(p.total_blocks * VX_BLOCK_SIZE)) ||
	    pwrite(fd, buf, VX_BLOCK_SIZE,
		   (off_t)VX_SB_SLOT_A * VX_BLOCK_SIZE) != VX_BLOCK_SIZE ||
	    fsync(fd))
		err = -errno;
	close(fd);
	free(buf);
	if (err)
		unlink(path);
	return err;
}

static void emb_free(struct emb_priv *ep)
{
	if (ep->db)
		vx_db_free(ep->db);
	if (ep->bd)
		vx_bdev_file_close(ep->bd);
	if (ep->lock_fd >= 0)
		close(ep->lock_fd);
	pthread_cond_destroy(&ep->cv);
	pthread_mutex_destroy(&ep->mu);
	free(ep);
}

static int emb_open(struct gw_backend *be, const char *path)
{
	const char *why = "unknown";
	struct emb_priv *ep;
	pthread_condattr_t ca;
	int err;

	if (!path || !*path)
		return -EINVAL;
	vx_dist_init();
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ep->lock_fd = -1;
	pthread_mutex_init(&ep->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_cond_init(&ep->cv, &ca);
	pthread_condattr_destroy(&ca);

	ep->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ep->lock_fd < 0) {
		err = -errno;
		goto fail;
	}
	/* One writer per image: a second gateway would corrupt it. */
	if (flock(ep->lock_fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		fprintf(stderr,
			"vexfs-gateway: %s is in use by another process\n",
			path);
		goto fail;
	}
	err = vx_bdev_file_open(path, true, &ep->bd);
	if (err)
		goto fail;
	ep->db = vx_db_new();
	if (!ep->db) {
		err = -ENOMEM;
		goto fail;
	}
	err = vx_db_open(ep->db, ep->bd, 0, &why);
	if (err) {
		fprintf(stderr, "vexfs-gateway: %s: %s\n", path, why);
		vx_db_free(ep->db);
		ep->db = NULL;
		goto fail;
	}
	ep->read_only = ep->db->store->read_only;
	if (ep->read_only)
		fprintf(stderr,
			"vexfs-gateway: %s has features this build does not know: read-only\n",
			path);

	err = -pthread_create(&ep->indexer, NULL, indexer_main, ep);
	if (!err) {
		ep->indexer_started = true;
		err = -pthread_create(&ep->ckpt, NULL, ckpt_main, ep);
		ep->ckpt_started = !err;
	}
	if (err) {
		stop_threads(ep);
		vx_db_close(ep->db, false);
		goto fail;
	}
	be->priv = ep;
	return 0;
fail:
	emb_free(ep);
	return err;
}

static void emb_close(struct gw_backend *be)
{
	struct emb_priv *ep = priv(be);
	int err;

	if (!ep)
		return;
	stop_threads(ep);
	/* Workers have exited: nothing writes now. Leave an empty WAL. */
	err = vx_db_close(ep->db, !ep->read_only);
	if (err)
		fprintf(stderr,
			"vexfs-gateway: checkpoint at close failed: %s (the WAL replays at next open)\n",
			strerror(-err));
	else
		fprintf(stderr,
			"vexfs-gateway: embedded store closed cleanly\n");
	emb_free(ep);
	be->priv = NULL;
}

static bool emb_ready(struct gw_backend *be)
{
	return true;
}

/* --- collections ---------------------------------------------------------- */

/* Under the collection's read lock. */
static void coll_info(struct vx_collection *c, struct gw_collection_info *out)
{
	u64 points = vx_collection_count(c);

	memset(out, 0, sizeof(*out));
	out->params.size = c->cfg.dim;
	out->params.distance = gw_distance_from_uapi(c->cfg.distance);
	out->params.hnsw.m = c->cfg.hnsw_m;
	out->params.hnsw.ef_construct = c->cfg.hnsw_ef_construct;
	out->params.hnsw.full_scan_threshold =
		c->cfg.full_scan_threshold > UINT32_MAX ?
			UINT32_MAX :
			(u32)c->cfg.full_scan_threshold;
	out->status = GW_STATUS_GREEN;
	out->points_count = points;
	out->indexed_vectors_count = vx_collection_indexed(c);
	out->segments_count = 1;
}

static struct vx_collection *coll_get(struct emb_priv *ep, const char *name)
{
	return vx_db_get_collection(ep->db, name, (u32)strlen(name));
}

static int emb_list(struct gw_backend *be, struct gw_names *out)
{
	struct emb_priv *ep = priv(be);
	size_t cap = 0;
	u32 i;

	out->v = NULL;
	out->n = 0;
	for (i = 0;; i++) {
		struct vx_collection *c = vx_db_collection_at(ep->db, i);
		char *name;

		if (!c)
			break;
		name = strdup(c->name);
		vx_db_put_collection(ep->db, c);
		if (!name)
			goto nomem;
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **v = realloc(out->v, ncap * sizeof(*v));

			if (!v) {
				free(name);
				goto nomem;
			}
			out->v = v;
			cap = ncap;
		}
		out->v[out->n++] = name;
	}
	return 0;
nomem:
	gw_names_free(out);
	return -ENOMEM;
}

static int emb_get(struct gw_backend *be, const char *name,
		   struct gw_collection_info *out)
{
	struct emb_priv *ep = priv(be);
	struct vx_collection *c = coll_get(ep, name);

	if (!c)
		return -ENOENT;
	coll_info(c, out);
	vx_db_put_collection(ep->db, c);
	return 0;
}

static int emb_create(struct gw_backend *be, const char *name,
		      const struct gw_collection_params *p)
{
	struct emb_priv *ep = priv(be);
	struct vexfs_collection_config cfg;

	gw_config_to_uapi(p, &cfg);
	if (strlen(name) > VEXFS_COLLECTION_NAME_MAX)
		return -ENAMETOOLONG;
	return vx_db_create_collection(ep->db, name, (u32)strlen(name), &cfg);
}

static int emb_delete(struct gw_backend *be, const char *name)
{
	struct emb_priv *ep = priv(be);

	if (strlen(name) > VEXFS_COLLECTION_NAME_MAX)
		return -ENOENT;
	return vx_db_delete_collection(ep->db, name, (u32)strlen(name));
}

/* --- points --------------------------------------------------------------- */

static struct vexfs_point_id id_to_uapi(const struct gw_point_id *id)
{
	struct vexfs_point_id v;

	memset(&v, 0, sizeof(v));
	if (id->kind == GW_ID_UUID) {
		v.kind = VEXFS_ID_UUID;
		memcpy(v.uuid, id->uuid, 16);
	} else {
		v.kind = VEXFS_ID_NUM;
		v.num = id->num;
	}
	return v;
}

static struct vexfs_point_id *ids_to_uapi(u32 n, const struct gw_point_id *ids)
{
	struct vexfs_point_id *v = calloc(n ? n : 1, sizeof(*v));
	u32 i;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = id_to_uapi(&ids[i]);
	return v;
}

static void id_from_uapi(const struct vexfs_point_id *id,
			 struct gw_point_id *out)
{
	memset(out, 0, sizeof(*out));
	if (id->kind == VEXFS_ID_UUID) {
		out->kind = GW_ID_UUID;
		memcpy(out->uuid, id->uuid, 16);
	} else {
		out->kind = GW_ID_NUM;
		out->num = id->num;
	}
}

static int coll_dim(struct emb_priv *ep, const char *name, u32 *dim,
		    u32 *metric)
{
	struct vx_collection *c = coll_get(ep, name);

	if (!c)
		return -ENOENT;
	*dim = c->cfg.dim;
	if (metric)
		*metric = c->cfg.distance;
	vx_db_put_collection(ep->db, c);
	return 0;
}

/* The stable id of a collection (or an alias's), for the *_id writes. */
static int coll_id(struct emb_priv *ep, const char *name, u32 *id)
{
	struct vx_collection *c = coll_get(ep, name);

	if (!c)
		return -ENOENT;
	*id = c->id;
	vx_db_put_collection(ep->db, c);
	return 0;
}

/* Verify the gateway's bytecode as the ioctls do; NULL for no filter. */
static int filter_load(const struct gw_filter *gf, struct vx_filter **out)
{
	const char *why = NULL;
	int err;

	*out = NULL;
	if (!gf || !gf->len)
		return 0;
	if (gf->len > VEXFS_FILTER_MAX)
		return -E2BIG;
	err = vx_filter_load(gf->code, gf->len, out, &why);
	if (err == -EINVAL)
		fprintf(stderr, "vexfs-gateway: filter refused: %s\n",
			why ? why : "malformed");
	return err;
}

static int emb_count(struct gw_backend *be, const char *collection, bool exact,
		     const struct gw_filter *filter, u64 *count)
{
	struct emb_priv *ep = priv(be);
	struct vx_collection *c;
	struct vx_filter *f;
	int err;

	err = filter_load(filter, &f);
	if (err)
		return err;
	c = coll_get(ep, collection);
	if (!c) {
		vx_filter_free(f);
		return -ENOENT;
	}
	*count = f ? vx_collection_count_filter(c, f) : vx_collection_count(c);
	vx_db_put_collection(ep->db, c);
	vx_filter_free(f);
	return 0;
}

static int emb_upsert(struct gw_backend *be, const char *collection, u32 n,
		      u32 dim, const struct gw_point_id *ids,
		      const float *vectors, const u32 *payload_lens,
		      const void *payloads)
{
	struct emb_priv *ep = priv(be);
	const u8 *pl = payloads;
	struct vx_point_in *in;
	u64 off = 0;
	u32 cdim, id, i;
	int err;

	if (!n)
		return -EINVAL;
	if (n > VEXFS_BATCH_MAX)
		return -E2BIG;
	err = coll_dim(ep, collection, &cdim, NULL);
	if (!err)
		err = coll_id(ep, collection, &id);
	if (err)
		return err;
	if (dim != cdim)
		return -EINVAL;
	if ((u64)n * dim * sizeof(float) > EMB_BYTES_MAX)
		return -E2BIG;
	in = calloc(n, sizeof(*in));
	if (!in)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		in[i].id = id_to_uapi(&ids[i]);
		in[i].vec = vectors + (size_t)i * dim;
		if (payload_lens && payload_lens[i]) {
			if (payload_lens[i] > VEXFS_PAYLOAD_MAX) {
				err = -E2BIG;
				goto out;
			}
			in[i].payload = pl + off;
			in[i].payload_len = payload_lens[i];
			off += payload_lens[i];
		}
	}
	if (off > EMB_BYTES_MAX) {
		err = -E2BIG;
		goto out;
	}
	err = vx_db_upsert_id(ep->db, id, in, n);
	if (!err)
		kick_indexer(ep);
out:
	free(in);
	return err;
}

static int emb_pget(struct gw_backend *be, const char *collection, u32 n,
		    const struct gw_point_id *ids, u8 *found, float *vectors,
		    u32 *payload_lens, void *payloads, u64 *payloads_size,
		    u8 *has_vector)
{
	struct emb_priv *ep = priv(be);
	u64 room = payloads_size ? *payloads_size : 0, need = 0;
	struct vx_collection *c;
	int nfound = 0;
	u32 i;

	if (!n)
		return -EINVAL;
	if (n > VEXFS_BATCH_MAX)
		return -E2BIG;
	c = coll_get(ep, collection);
	if (!c)
		return -ENOENT;
	for (i = 0; i < n; i++) {
		struct vexfs_point_id id = id_to_uapi(&ids[i]);
		struct vx_point *p;

		found[i] = 0;
		if (has_vector)
			has_vector[i] = 0;
		if (payload_lens)
			payload_lens[i] = 0;
		if (!vx_point_id_valid(&id)) {
			vx_db_put_collection(ep->db, c);
			return -EINVAL;
		}
		p = vx_collection_find(c, &id);
		if (!p)
			continue;
		found[i] = 1;
		nfound++;
		/* A point without a vector (dim 0) reads as zeros. */
		if (vectors && p->dim)
			memcpy(vectors + (size_t)i * c->cfg.dim,
			       vx_point_vec(p),
			       (size_t)c->cfg.dim * sizeof(float));
		else if (vectors)
			memset(vectors + (size_t)i * c->cfg.dim, 0,
			       (size_t)c->cfg.dim * sizeof(float));
		if (has_vector)
			has_vector[i] = p->dim != 0;
		if (payload_lens) {
			payload_lens[i] = p->payload_len;
			if (payloads && need + p->payload_len <= room)
				memcpy((u8 *)payloads + need,
				       vx_point_payload(p), p->payload_len);
			need += p->payload_len;
		}
	}
	vx_db_put_collection(ep->db, c);
	if (payloads_size)
		*payloads_size = need;
	if (payload_lens && need > room)
		return -ENOSPC;
	return nfound;
}

static int emb_pdelete(struct gw_backend *be, const char *collection, u32 n,
		       const struct gw_point_id *ids)
{
	struct emb_priv *ep = priv(be);
	struct vexfs_point_id *kids;
	u32 deleted = 0, id;
	int err;

	if (!n)
		return -EINVAL;
	if (n > VEXFS_BATCH_MAX)
		return -E2BIG;
	err = coll_id(ep, collection, &id);
	if (err)
		return err;
	kids = ids_to_uapi(n, ids);
	if (!kids)
		return -ENOMEM;
	err = vx_db_delete_id(ep->db, id, kids, n, &deleted);
	free(kids);
	if (!err)
		kick_indexer(ep);
	return err ? err : (int)deleted;
}

/* IEEE-754 bits mapped so that unsigned order is float order. */
static u32 float_order(u32 bits)
{
	return (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
}

static int emb_search(struct gw_backend *be, const char *collection, u32 dim,
		      const float *query, const struct gw_search *opts,
		      struct gw_hit *hits)
{
	struct emb_priv *ep = priv(be);
	u32 flags = opts->exact ? VEXFS_SEARCH_EXACT : 0;
	struct vx_filter *f = NULL;
	struct vx_db_hit *dh = NULL;
	struct vx_collection *c;
	u32 nh = 0, n = 0, thr, metric, i;
	bool higher;
	int err;

	if (!opts->limit)
		return 0;
	if ((u64)opts->limit + opts->offset > VEXFS_K_MAX)
		return -E2BIG;
	err = filter_load(&opts->filter, &f);
	if (err)
		return err;
	dh = calloc(opts->limit, sizeof(*dh));
	c = dh ? coll_get(ep, collection) : NULL;
	if (!c) {
		err = dh ? -ENOENT : -ENOMEM;
		goto out;
	}
	if (dim != c->cfg.dim) {
		vx_db_put_collection(ep->db, c);
		err = -EINVAL;
		goto out;
	}
	metric = c->cfg.distance;
	err = vx_collection_search_filter(c, query, 1, opts->limit,
					  opts->offset, opts->ef, flags, f, dh,
					  &nh);
	vx_db_put_collection(ep->db, c);
	if (err)
		goto out;
	/* Qdrant: a minimum score, or a maximum distance. */
	memcpy(&thr, &opts->score_threshold, sizeof(thr));
	higher = vx_metric_higher_is_better(metric);
	for (i = 0; i < nh; i++) {
		if (opts->has_threshold) {
			u32 a = float_order(dh[i].score_bits),
			    b = float_order(thr);

			if (higher ? a < b : a > b)
				continue;
		}
		id_from_uapi(&dh[i].id, &hits[n].id);
		memcpy(&hits[n].score, &dh[i].score_bits, sizeof(float));
		n++;
	}
	err = (int)n;
out:
	free(dh);
	vx_filter_free(f);
	return err;
}

static int emb_scroll(struct gw_backend *be, const char *collection,
		      u64 *cursor, u32 limit, const struct gw_filter *filter,
		      struct gw_point_id *ids)
{
	struct emb_priv *ep = priv(be);
	struct vexfs_point_id *kids;
	struct vx_collection *c;
	struct vx_filter *f;
	u32 n = 0, i;
	int err;

	if (!limit)
		return -EINVAL;
	if (limit > VEXFS_BATCH_MAX)
		return -E2BIG;
	err = filter_load(filter, &f);
	if (err)
		return err;
	kids = calloc(limit, sizeof(*kids));
	c = kids ? coll_get(ep, collection) : NULL;
	if (!c) {
		free(kids);
		vx_filter_free(f);
		return kids ? -ENOENT : -ENOMEM;
	}
	if (*cursor != ~0ULL)
		n = vx_collection_scroll_filter(c, cursor, limit, f, kids);
	vx_db_put_collection(ep->db, c);
	for (i = 0; i < n; i++)
		id_from_uapi(&kids[i], &ids[i]);
	free(kids);
	vx_filter_free(f);
	return (int)n;
}

/* --- the 0.2 operations ---------------------------------------------------- */

/* A count for an int return (the handlers report it, never beyond INT_MAX). */
static int count_ret(int err, u64 n)
{
	if (err)
		return err;
	return n > 0x7fffffff ? 0x7fffffff : (int)n;
}

static int emb_pdelete_filter(struct gw_backend *be, const char *collection,
			      const struct gw_filter *filter)
{
	struct emb_priv *ep = priv(be);
	struct vx_filter *f;
	u64 deleted = 0;
	u32 id;
	int err;

	if (!filter || !filter->len)
		return -EINVAL;
	err = coll_id(ep, collection, &id);
	if (!err)
		err = filter_load(filter, &f);
	if (err)
		return err;
	err = vx_db_delete_filter_id(ep->db, id, f, &deleted);
	vx_filter_free(f);
	kick_indexer(ep);
	return count_ret(err, deleted);
}

static int emb_payload(struct gw_backend *be, const char *collection,
		       enum gw_payload_op op, u32 n,
		       const struct gw_point_id *ids,
		       const struct gw_filter *filter, const char *key,
		       const void *payload, u32 payload_len)
{
	struct emb_priv *ep = priv(be);
	struct vx_payload_edit e = {
		.op = (u32)op,
		.cbor = payload,
		.len = payload_len,
		.key = key,
		.key_len = key ? (u32)strlen(key) : 0,
	};
	struct vexfs_point_id *kids = NULL;
	struct vx_filter *f = NULL;
	u64 updated = 0;
	u32 id;
	int err;

	if (n > VEXFS_BATCH_MAX)
		return -E2BIG;
	if (key && strlen(key) > VEXFS_KEY_MAX)
		return -EINVAL;
	err = coll_id(ep, collection, &id);
	if (err)
		return err;
	if (n) {
		kids = ids_to_uapi(n, ids);
		if (!kids)
			return -ENOMEM;
	} else {
		if (!filter || !filter->len)
			return -EINVAL;
		err = filter_load(filter, &f);
		if (err)
			return err;
	}
	err = vx_db_payload_id(ep->db, id, &e, kids, n, f, &updated);
	free(kids);
	vx_filter_free(f);
	return count_ret(err, updated);
}

static int emb_vectors_update(struct gw_backend *be, const char *collection,
			      u32 n, u32 dim, const struct gw_point_id *ids,
			      const float *vectors)
{
	struct emb_priv *ep = priv(be);
	struct vexfs_point_id *kids;
	u64 updated = 0;
	u32 cdim, id;
	int err;

	if (!n)
		return -EINVAL;
	if (n > VEXFS_BATCH_MAX)
		return -E2BIG;
	err = coll_dim(ep, collection, &cdim, NULL);
	if (!err)
		err = coll_id(ep, collection, &id);
	if (err)
		return err;
	if (dim != cdim)
		return -EINVAL;
	if ((u64)n * dim * sizeof(float) > EMB_BYTES_MAX)
		return -E2BIG;
	kids = ids_to_uapi(n, ids);
	if (!kids)
		return -ENOMEM;
	err = vx_db_vectors_update_id(ep->db, id, kids, vectors, n, &updated);
	free(kids);
	if (!err)
		kick_indexer(ep);
	return count_ret(err, updated);
}

static int emb_vectors_delete(struct gw_backend *be, const char *collection,
			      u32 n, const struct gw_point_id *ids,
			      const struct gw_filter *filter)
{
	struct emb_priv *ep = priv(be);
	struct vexfs_point_id *kids = NULL;
	struct vx_filter *f = NULL;
	u64 updated = 0;
	u32 id;
	int err;

	if (n > VEXFS_BATCH_MAX)
		return -E2BIG;
	err = coll_id(ep, collection, &id);
	if (err)
		return err;
	if (n) {
		kids = ids_to_uapi(n, ids);
		if (!kids)
			return -ENOMEM;
	} else {
		if (!filter || !filter->len)
			return -EINVAL;
		err = filter_load(filter, &f);
		if (err)
			return err;
	}
	err = vx_db_vectors_delete_id(ep->db, id, kids, n, f, &updated);
	free(kids);
	vx_filter_free(f);
	if (!err)
		kick_indexer(ep);
	return count_ret(err, updated);
}

static int emb_update(struct gw_backend *be, const char *name,
		      const struct gw_collection_params *p)
{
	struct emb_priv *ep = priv(be);
	char real[VEXFS_COLLECTION_NAME_MAX + 1];
	struct vexfs_collection_config cfg;
	u32 real_len = 0;
	int err;

	if (strlen(name) > VEXFS_COLLECTION_NAME_MAX)
		return -ENOENT;
	gw_config_to_uapi(p, &cfg);
	err = vx_db_update_collection(ep->db, name, (u32)strlen(name), &cfg,
				      real, &real_len);
	if (!err)
		kick_indexer(ep); /* a new m or ef_construct requeues points */
	return err;
}

static int name_len(const char *s, u32 *len)
{
	size_t n = strlen(s);

	if (!n || n > VEXFS_COLLECTION_NAME_MAX)
		return -EINVAL;
	*len = (u32)n;
	return 0;
}

static int emb_alias_change(struct gw_backend *be, const char *alias,
			    const char *collection, const char *old)
{
	struct emb_priv *ep = priv(be);
	char coll[VEXFS_COLLECTION_NAME_MAX + 1];
	u32 alen, olen, clen;

	if (name_len(alias, &alen))
		return -EINVAL;
	if (old) {
		if (name_len(old, &olen))
			return -ENOENT;
		return vx_db_alias_rename(ep->db, old, olen, alias, alen, coll,
					  &clen);
	}
	if (collection) {
		if (name_len(collection, &olen))
			return -ENOENT;
		return vx_db_alias_create(ep->db, alias, alen, collection, olen,
					  coll, &clen);
	}
	return vx_db_alias_delete(ep->db, alias, alen, coll, &clen);
}

static int emb_alias_list(struct gw_backend *be, const char *collection,
			  struct gw_aliases *out)
{
	struct emb_priv *ep = priv(be);
	char name[VEXFS_COLLECTION_NAME_MAX + 1];
	char coll[VEXFS_COLLECTION_NAME_MAX + 1];
	char want[VEXFS_COLLECTION_NAME_MAX + 1];
	u32 len, clen, id, i, wlen = 0;
	size_t cap = 0;

	out->v = NULL;
	out->n = 0;
	if (collection) {
		/* The collection may itself be named by an alias. */
		struct vx_collection *c = coll_get(ep, collection);

		if (!c)
			return -ENOENT;
		wlen = c->name_len;
		memcpy(want, c->name, wlen);
		vx_db_put_collection(ep->db, c);
	}
	for (i = 0; !vx_db_alias_at(ep->db, i, name, &len, &id, coll, &clen);
	     i++) {
		struct gw_alias *a;

		if (collection && (clen != wlen || memcmp(coll, want, wlen)))
			continue;
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct gw_alias *v = realloc(out->v, ncap * sizeof(*v));

			if (!v) {
				gw_aliases_free(out);
				return -ENOMEM;
			}
			out->v = v;
			cap = ncap;
		}
		a = &out->v[out->n++];
		memcpy(a->alias, name, len);
		a->alias[len] = '\0';
		memcpy(a->collection, coll, clen);
		a->collection[clen] = '\0';
	}
	return 0;
}

static int emb_index_create(struct gw_backend *be, const char *collection,
			    const char *key, u32 type)
{
	struct emb_priv *ep = priv(be);
	u32 len;

	if (name_len(collection, &len))
		return -ENOENT;
	if (!*key || strlen(key) > VEXFS_KEY_MAX)
		return -EINVAL;
	return vx_db_index_create(ep->db, collection, len, key,
				  (u32)strlen(key), type);
}

static int emb_index_delete(struct gw_backend *be, const char *collection,
			    const char *key)
{
	struct emb_priv *ep = priv(be);
	u32 len;

	if (name_len(collection, &len))
		return -ENOENT;
	if (!*key || strlen(key) > VEXFS_KEY_MAX)
		return -EINVAL;
	return vx_db_index_delete(ep->db, collection, len, key,
				  (u32)strlen(key));
}

static int emb_index_list(struct gw_backend *be, const char *collection,
			  struct gw_indexes *out)
{
	struct emb_priv *ep = priv(be);
	struct vx_collection *c = coll_get(ep, collection);
	struct vx_index_info info;
	size_t cap = 0;
	u32 i;

	out->v = NULL;
	out->n = 0;
	if (!c)
		return -ENOENT;
	for (i = 0; !vx_collection_index_at(c, i, &info); i++) {
		struct gw_index_info *x;
		u32 klen = info.key_len < sizeof(x->key) ?
				   info.key_len :
				   (u32)sizeof(x->key) - 1;

		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct gw_index_info *v =
				realloc(out->v, ncap * sizeof(*v));

			if (!v) {
				vx_db_put_collection(ep->db, c);
				gw_indexes_free(out);
				return -ENOMEM;
			}
			out->v = v;
			cap = ncap;
		}
		x = &out->v[out->n++];
		memcpy(x->key, info.key, klen);
		x->key[klen] = '\0';
		x->type = info.type;
		x->points = info.points;
	}
	vx_db_put_collection(ep->db, c);
	return 0;
}

const struct gw_backend_ops gw_backend_embedded = {
	.name = "embedded",
	.open = emb_open,
	.close = emb_close,
	.ready = emb_ready,
	.collection_list = emb_list,
	.collection_get = emb_get,
	.collection_create = emb_create,
	.collection_delete = emb_delete,
	.point_count = emb_count,
	.point_upsert = emb_upsert,
	.point_get = emb_pget,
	.point_delete = emb_pdelete,
	.point_search = emb_search,
	.point_scroll = emb_scroll,
	.point_delete_filter = emb_pdelete_filter,
	.payload_op = emb_payload,
	.vectors_update = emb_vectors_update,
	.vectors_delete = emb_vectors_delete,
	.collection_update = emb_update,
	.alias_change = emb_alias_change,
	.alias_list = emb_alias_list,
	.index_create = emb_index_create,
	.index_delete = emb_index_delete,
	.index_list = emb_index_list,
};
