// SPDX-License-Identifier: GPL-2.0
/*
 * The "kernel" backend: a mounted VexFS through libvexfs (generic netlink
 * for collections, ioctls on collection directories for points).
 *
 * Each worker thread gets its own struct vexfs (its own netlink socket),
 * opened on first use and closed when the thread exits. Collection
 * directories are opened per operation.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvexfs/vexfs.h"

#include "backend.h"

struct kernel_priv {
	char *mount;
	pthread_key_t key;
};

static void handle_free(void *vx)
{
	vexfs_close(vx);
}

/* This thread's handle on the mount, or NULL with *err set. */
static struct vexfs *handle(struct gw_backend *be, int *err)
{
	struct kernel_priv *kp = be->priv;
	struct vexfs *vx = pthread_getspecific(kp->key);

	if (vx)
		return vx;
	vx = vexfs_open(kp->mount);
	if (!vx) {
		*err = errno ? -errno : -EIO;
		return NULL;
	}
	if (pthread_setspecific(kp->key, vx)) {
		vexfs_close(vx);
		*err = -ENOMEM;
		return NULL;
	}
	return vx;
}

static int kernel_open(struct gw_backend *be, const char *arg)
{
	struct kernel_priv *kp;
	struct vexfs *vx;
	int err;

	if (!arg || !*arg)
		return -EINVAL;
	kp = calloc(1, sizeof(*kp));
	if (!kp)
		return -ENOMEM;
	kp->mount = strdup(arg);
	if (!kp->mount || pthread_key_create(&kp->key, handle_free)) {
		free(kp->mount);
		free(kp);
		return -ENOMEM;
	}
	be->priv = kp;
	/* Fail at startup, not on the first request, if it is not VexFS. */
	err = 0;
	vx = handle(be, &err);
	if (!vx) {
		pthread_key_delete(kp->key);
		free(kp->mount);
		free(kp);
		be->priv = NULL;
		return err;
	}
	return 0;
}

static void kernel_close(struct gw_backend *be)
{
	struct kernel_priv *kp = be->priv;
	struct vexfs *vx;

	if (!kp)
		return;
	/* Only this thread's handle: workers have exited by now. */
	vx = pthread_getspecific(kp->key);
	if (vx) {
		pthread_setspecific(kp->key, NULL);
		vexfs_close(vx);
	}
	pthread_key_delete(kp->key);
	free(kp->mount);
	free(kp);
}

static bool kernel_ready(struct gw_backend *be)
{
	return true;
}

static void info_from_uapi(const struct vexfs_coll_info *ci,
			   struct gw_collection_info *out)
{
	memset(out, 0, sizeof(*out));
	out->params.size = ci->config.dim;
	out->params.distance = gw_distance_from_uapi(ci->config.distance);
	out->params.hnsw.m = ci->config.hnsw_m;
	out->params.hnsw.ef_construct = ci->config.hnsw_ef_construct;
	out->params.hnsw.full_scan_threshold =
		ci->config.full_scan_threshold > UINT32_MAX ?
			UINT32_MAX :
			(uint32_t)ci->config.full_scan_threshold;
	out->status = GW_STATUS_GREEN;
	out->points_count = ci->points;
	out->indexed_vectors_count = ci->indexed;
	out->segments_count = 1;
}

struct list_ctx {
	struct gw_names *out;
	size_t cap;
};

static int list_cb(const struct vexfs_coll_info *info, void *arg)
{
	struct list_ctx *lc = arg;
	struct gw_names *n = lc->out;

	if (n->n == lc->cap) {
		size_t cap = lc->cap ? lc->cap * 2 : 16;
		char **v = realloc(n->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		n->v = v;
		lc->cap = cap;
	}
	n->v[n->n] = strdup(info->name);
	if (!n->v[n->n])
		return -ENOMEM;
	n->n++;
	return 0;
}

static int kernel_list(struct gw_backend *be, struct gw_names *out)
{
	struct list_ctx lc = { .out = out };
	struct vexfs *vx;
	int err = 0;

	out->v = NULL;
	out->n = 0;
	vx = handle(be, &err);
	if (!vx)
		return err;
	err = vexfs_coll_list(vx, list_cb, &lc);
	if (err < 0) {
		gw_names_free(out);
		return err;
	}
	return 0;
}

static int kernel_get(struct gw_backend *be, const char *name,
		      struct gw_collection_info *out)
{
	struct vexfs_coll_info ci;
	struct vexfs *vx;
	int err = 0;

	vx = handle(be, &err);
	if (!vx)
		return err;
	err = vexfs_coll_get(vx, name, &ci);
	if (err)
		return err;
	info_from_uapi(&ci, out);
	return 0;
}

static int kernel_create(struct gw_backend *be, const char *name,
			 const struct gw_collection_params *p)
{
	struct vexfs_collection_config cfg;
	struct vexfs *vx;
	int err = 0;

	vx = handle(be, &err);
	if (!vx)
		return err;
	gw_config_to_uapi(p, &cfg);
	return vexfs_coll_create(vx, name, &cfg);
}

static int kernel_delete(struct gw_backend *be, const char *name)
{
	struct vexfs *vx;
	int err = 0;

	vx = handle(be, &err);
	if (!vx)
		return err;
	return vexfs_coll_delete(vx, name);
}

/* An fd on the collection directory, or a negative errno. */
static int coll_fd(struct gw_backend *be, const char *name)
{
	struct vexfs *vx;
	int err = 0;

	vx = handle(be, &err);
	if (!vx)
		return err;
	return vexfs_coll_open(vx, name);
}

static int kernel_count(struct gw_backend *be, const char *collection,
			bool exact, const struct gw_filter *filter,
			uint64_t *count)
{
	uint64_t indexed;
	bool filtered = filter && filter->len;
	int fd, err;

	fd = coll_fd(be, collection);
	if (fd < 0)
		return fd;
	if (filtered)
		err = vexfs_count_filter(fd, filter->code, filter->len, count);
	else
		err = vexfs_count(fd, count, &indexed);
	close(fd);
	return err < 0 ? err : 0;
}

static struct vexfs_point_id *ids_to_uapi(uint32_t n,
					  const struct gw_point_id *ids)
{
	struct vexfs_point_id *v = calloc(n ? n : 1, sizeof(*v));
	uint32_t i;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = ids[i].kind == GW_ID_UUID ? vexfs_id_uuid(ids[i].uuid) :
						   vexfs_id_num(ids[i].num);
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

static int kernel_upsert(struct gw_backend *be, const char *collection,
			 uint32_t n, uint32_t dim,
			 const struct gw_point_id *ids, const float *vectors,
			 const uint32_t *payload_lens, const void *payloads)
{
	struct vexfs_point_id *kids;
	int fd, err;

	kids = ids_to_uapi(n, ids);
	if (!kids)
		return -ENOMEM;
	fd = coll_fd(be, collection);
	if (fd < 0) {
		free(kids);
		return fd;
	}
	err = vexfs_upsert(fd, n, dim, kids, vectors, payload_lens, payloads);
	close(fd);
	free(kids);
	return err < 0 ? err : 0;
}

static int kernel_pget(struct gw_backend *be, const char *collection,
		       uint32_t n, const struct gw_point_id *ids,
		       uint8_t *found, float *vectors, uint32_t *payload_lens,
		       void *payloads, uint64_t *payloads_size,
		       uint8_t *has_vector)
{
	struct vexfs_point_id *kids;
	int fd, err;

	kids = ids_to_uapi(n, ids);
	if (!kids)
		return -ENOMEM;
	fd = coll_fd(be, collection);
	if (fd < 0) {
		free(kids);
		return fd;
	}
	if (has_vector) {
		struct vexfs_get g = {
			.count = n,
			.flags = (vectors ? VEXFS_GET_VECTOR : 0) |
				 (payload_lens ? VEXFS_GET_PAYLOAD : 0),
			.ids = (uintptr_t)kids,
			.found = (uintptr_t)found,
			.vectors = (uintptr_t)vectors,
			.payload_lens = (uintptr_t)payload_lens,
			.payloads = (uintptr_t)payloads,
			.payloads_size = payloads_size ? *payloads_size : 0,
			.has_vector = (uintptr_t)has_vector,
		};

		err = vexfs_get_ex(fd, &g);
		if (payloads_size)
			*payloads_size = g.payloads_size;
	} else {
		err = vexfs_get(fd, n, kids, found, vectors, payload_lens,
				payloads, payloads_size);
	}
	close(fd);
	free(kids);
	return err;
}

static int kernel_pdelete(struct gw_backend *be, const char *collection,
			  uint32_t n, const struct gw_point_id *ids)
{
	struct vexfs_point_id *kids;
	int fd, err;

	kids = ids_to_uapi(n, ids);
	if (!kids)
		return -ENOMEM;
	fd = coll_fd(be, collection);
	if (fd < 0) {
		free(kids);
		return fd;
	}
	err = vexfs_delete(fd, n, kids);
	close(fd);
	free(kids);
	return err;
}

static int kernel_search(struct gw_backend *be, const char *collection,
			 uint32_t dim, const float *query,
			 const struct gw_search *opts, struct gw_hit *hits)
{
	struct vexfs_search_opts so = {
		.limit = opts->limit,
		.offset = opts->offset,
		.ef = opts->ef,
		.flags = (opts->exact ? VEXFS_SEARCH_EXACT : 0) |
			 (opts->has_threshold ? VEXFS_SEARCH_THRESHOLD : 0),
		.score_threshold = opts->score_threshold,
		.filter = opts->filter.len ? opts->filter.code : NULL,
		.filter_len = opts->filter.len,
	};
	struct vexfs_hit *kh;
	int fd, nh, i;

	if (!opts->limit)
		return 0;
	kh = calloc(opts->limit, sizeof(*kh));
	if (!kh)
		return -ENOMEM;
	fd = coll_fd(be, collection);
	if (fd < 0) {
		free(kh);
		return fd;
	}
	nh = vexfs_search(fd, 1, dim, query, &so, kh, NULL);
	close(fd);
	for (i = 0; i < nh; i++) {
		id_from_uapi(&kh[i].id, &hits[i].id);
		hits[i].score = kh[i].score;
	}
	free(kh);
	return nh;
}

static int kernel_scroll(struct gw_backend *be, const char *collection,
			 uint64_t *cursor, uint32_t limit,
			 const struct gw_filter *filter,
			 struct gw_point_id *ids)
{
	struct vexfs_point_id *kids;
	bool filtered = filter && filter->len;
	int fd, n, i;

	kids = calloc(limit ? limit : 1, sizeof(*kids));
	if (!kids)
		return -ENOMEM;
	fd = coll_fd(be, collection);
	if (fd < 0) {
		free(kids);
		return fd;
	}
	if (filtered)
		n = vexfs_scroll_filter(fd, cursor, limit, filter->code,
					filter->len, kids);
	else
		n = vexfs_scroll(fd, cursor, limit, kids);
	close(fd);
	for (i = 0; i < n; i++)
		id_from_uapi(&kids[i], &ids[i]);
	free(kids);
	return n;
}

static int kernel_pdelete_filter(struct gw_backend *be, const char *collection,
				 const struct gw_filter *filter)
{
	int fd, err;

	fd = coll_fd(be, collection);
	if (fd < 0)
		return fd;
	err = vexfs_delete_filter(fd, filter->code, filter->len);
	close(fd);
	return err;
}

static int kernel_payload(struct gw_backend *be, const char *collection,
			  enum gw_payload_op op, uint32_t n,
			  const struct gw_point_id *ids,
			  const struct gw_filter *filter, const char *key,
			  const void *payload, uint32_t payload_len)
{
	struct vexfs_payload_op po = {
		.op = (uint32_t)op,
		.count = n,
		.payload = (uintptr_t)payload,
		.payload_len = payload_len,
		.key = (uintptr_t)key,
		.key_len = key ? (uint32_t)strlen(key) : 0,
	};
	struct vexfs_point_id *kids = NULL;
	int fd, err;

	if (n) {
		kids = ids_to_uapi(n, ids);
		if (!kids)
			return -ENOMEM;
		po.ids = (uintptr_t)kids;
	} else if (filter) {
		po.filter.code = (uintptr_t)filter->code;
		po.filter.len = filter->len;
	}
	fd = coll_fd(be, collection);
	if (fd < 0) {
		free(kids);
		return fd;
	}
	err = vexfs_payload(fd, &po);
	close(fd);
	free(kids);
	return err;
}

static int kernel_vectors_update(struct gw_backend *be, const char *collection,
				 uint32_t n, uint32_t dim,
				 const struct gw_point_id *ids,
				 const float *vectors)
{
	struct vexfs_point_id *kids;
	int fd, err;

	kids = ids_to_uapi(n, ids);
	if (!kids)
		return -ENOMEM;
	fd = coll_fd(be, collection);
	if (fd < 0) {
		free(kids);
		return fd;
	}
	err = vexfs_vectors_update(fd, n, dim, kids, vectors);
	close(fd);
	free(kids);
	return err;
}

static int kernel_vectors_delete(struct gw_backend *be, const char *collection,
				 uint32_t n, const struct gw_point_id *ids,
				 const struct gw_filter *filter)
{
	struct vexfs_point_id *kids = NULL;
	int fd, err;

	if (n) {
		kids = ids_to_uapi(n, ids);
		if (!kids)
			return -ENOMEM;
	}
	fd = coll_fd(be, collection);
	if (fd < 0) {
		free(kids);
		return fd;
	}
	err = vexfs_vectors_delete(fd, n, kids, n ? NULL : filter->code,
				   n ? 0 : filter->len);
	close(fd);
	free(kids);
	return err;
}

static int kernel_update(struct gw_backend *be, const char *name,
			 const struct gw_collection_params *p)
{
	struct vexfs_collection_config cfg;
	struct vexfs *vx;
	int err = 0;

	vx = handle(be, &err);
	if (!vx)
		return err;
	gw_config_to_uapi(p, &cfg);
	return vexfs_coll_update(vx, name, &cfg);
}

static int kernel_alias_change(struct gw_backend *be, const char *alias,
			       const char *collection, const char *old)
{
	struct vexfs *vx;
	int err = 0;

	vx = handle(be, &err);
	if (!vx)
		return err;
	if (old)
		return vexfs_alias_rename(vx, old, alias);
	if (collection)
		return vexfs_alias_create(vx, alias, collection);
	return vexfs_alias_delete(vx, alias);
}

struct alias_ctx {
	struct gw_aliases *out;
	size_t cap;
};

static int alias_cb(const char *alias, const char *coll, void *arg)
{
	struct alias_ctx *ac = arg;
	struct gw_aliases *a = ac->out;

	if (a->n == ac->cap) {
		size_t cap = ac->cap ? ac->cap * 2 : 16;
		struct gw_alias *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		ac->cap = cap;
	}
	snprintf(a->v[a->n].alias, sizeof(a->v[a->n].alias), "%s", alias);
	snprintf(a->v[a->n].collection, sizeof(a->v[a->n].collection), "%s",
		 coll);
	a->n++;
	return 0;
}

static int kernel_alias_list(struct gw_backend *be, const char *collection,
			     struct gw_aliases *out)
{
	struct alias_ctx ac = { .out = out };
	struct vexfs *vx;
	int err = 0;

	out->v = NULL;
	out->n = 0;
	vx = handle(be, &err);
	if (!vx)
		return err;
	err = vexfs_alias_list(vx, collection, alias_cb, &ac);
	if (err < 0) {
		gw_aliases_free(out);
		return err;
	}
	return 0;
}

static int kernel_index_create(struct gw_backend *be, const char *collection,
			       const char *key, uint32_t type)
{
	struct vexfs *vx;
	int err = 0;

	vx = handle(be, &err);
	if (!vx)
		return err;
	return vexfs_index_create(vx, collection, key, type);
}

static int kernel_index_delete(struct gw_backend *be, const char *collection,
			       const char *key)
{
	struct vexfs *vx;
	int err = 0;

	vx = handle(be, &err);
	if (!vx)
		return err;
	return vexfs_index_delete(vx, collection, key);
}

struct index_ctx {
	struct gw_indexes *out;
	size_t cap;
};

static int index_cb(const struct vexfs_index_info *info, void *arg)
{
	struct index_ctx *ic = arg;
	struct gw_indexes *x = ic->out;

	if (x->n == ic->cap) {
		size_t cap = ic->cap ? ic->cap * 2 : 16;
		struct gw_index_info *v = realloc(x->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		x->v = v;
		ic->cap = cap;
	}
	snprintf(x->v[x->n].key, sizeof(x->v[x->n].key), "%s", info->key);
	x->v[x->n].type = info->type;
	x->v[x->n].points = info->points;
	x->n++;
	return 0;
}

static int kernel_index_list(struct gw_backend *be, const char *collection,
			     struct gw_indexes *out)
{
	struct index_ctx ic = { .out = out };
	struct vexfs *vx;
	int err = 0;

	out->v = NULL;
	out->n = 0;
	vx = handle(be, &err);
	if (!vx)
		return err;
	err = vexfs_index_list(vx, collection, index_cb, &ic);
	if (err < 0) {
		gw_indexes_free(out);
		return err;
	}
	return 0;
}

const struct gw_backend_ops gw_backend_kernel = {
	.name = "kernel",
	.open = kernel_open,
	.close = kernel_close,
	.ready = kernel_ready,
	.collection_list = kernel_list,
	.collection_get = kernel_get,
	.collection_create = kernel_create,
	.collection_delete = kernel_delete,
	.point_count = kernel_count,
	.point_upsert = kernel_upsert,
	.point_get = kernel_pget,
	.point_delete = kernel_pdelete,
	.point_search = kernel_search,
	.point_scroll = kernel_scroll,
	.point_delete_filter = kernel_pdelete_filter,
	.payload_op = kernel_payload,
	.vectors_update = kernel_vectors_update,
	.vectors_delete = kernel_vectors_delete,
	.collection_update = kernel_update,
	.alias_change = kernel_alias_change,
	.alias_list = kernel_alias_list,
	.index_create = kernel_index_create,
	.index_delete = kernel_index_delete,
	.index_list = kernel_index_list,
};
