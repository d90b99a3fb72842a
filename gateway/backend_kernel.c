// SPDX-License-Identifier: GPL-2.0
/*
 * The "kernel" backend: a mounted VexFS through libvexfs (generic netlink
 * for collections, ioctls on collection directories for points).
 *
 * Each worker thread gets its own struct vexfs (its own netlink socket),
 * opened on first use and closed when the thread exits. Attached to a
 * worker's event loop, the thread also subscribes to the VexFS events and
 * keeps the collection directories it used open (a small LRU cache), so a
 * data-plane op costs one ioctl instead of openat + ioctl + close. Events
 * drop the entries they may have made stale; a thread without events
 * opens the directory per op.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "libvexfs/vexfs.h"

#include "backend.h"

/* Open collection fds per worker thread, at most (see kernel_open()). */
#define FD_CACHE_MAX 32u
/* Events handled per wakeup before yielding to the clients. */
#define EVENTS_BATCH 256
/* Receive buffer of the events socket (the kernel caps it at rmem_max). */
#define EVENTS_RCVBUF (256 << 10)

struct fd_entry {
	char name[VEXFS_COLLECTION_NAME_MAX + 1];
	int fd;
	uint64_t used; /* LRU clock */
};

/* One thread's handle, event subscription and fd cache. */
struct kthread {
	struct vexfs *vx;
	struct vexfs_events *evs; /* NULL: no cache, open per op */
	struct event *ev;
	uint64_t gen; /* kernel_priv.gen the cache is valid for */
	uint64_t clock;
	unsigned int n;
	struct fd_entry fds[FD_CACHE_MAX];
};

struct kernel_priv {
	char *mount;
	pthread_key_t key;
	unsigned int cache_cap; /* 0: no cache (RLIMIT_NOFILE too low) */
	/*
	 * Bumped by this gateway's own create, delete and alias changes:
	 * every thread drops its cache before its next op, with no window
	 * in which a client that saw the change succeed could hit an fd
	 * the change made stale. Events cover other clients.
	 */
	atomic_uint_fast64_t gen;
	atomic_bool warned;
};

/* An fd on a collection directory for one op (see coll_get()). */
struct coll_ref {
	int fd;
	bool cached; /* owned by the cache: do not close */
	bool hit; /* from the cache: may be stale */
};

static void cache_drop_at(struct kthread *t, unsigned int i)
{
	close(t->fds[i].fd);
	t->fds[i] = t->fds[--t->n];
}

static void cache_drop_all(struct kthread *t)
{
	while (t->n)
		cache_drop_at(t, t->n - 1);
}

static int cache_find(const struct kthread *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->fds[i].name, name))
			return (int)i;
	return -1;
}

static void cache_drop(struct kthread *t, const char *name)
{
	int i = cache_find(t, name);

	if (i >= 0)
		cache_drop_at(t, (unsigned int)i);
}

static void cache_add(struct kthread *t, unsigned int cap, const char *name,
		      int fd)
{
	unsigned int i, lru = 0;

	if (t->n == cap) {
		for (i = 1; i < t->n; i++)
			if (t->fds[i].used < t->fds[lru].used)
				lru = i;
		cache_drop_at(t, lru);
	}
	snprintf(t->fds[t->n].name, sizeof(t->fds[t->n].name), "%s", name);
	t->fds[t->n].fd = fd;
	t->fds[t->n].used = ++t->clock;
	t->n++;
}

static void thread_free(void *arg)
{
	struct kthread *t = arg;

	cache_drop_all(t);
	/* t->ev went with detach, before its base. */
	vexfs_events_close(t->evs);
	vexfs_close(t->vx);
	free(t);
}

/* This thread's state, made on first use, or NULL with *err set. */
static struct kthread *thread_state(struct gw_backend *be, int *err)
{
	struct kernel_priv *kp = be->priv;
	struct kthread *t = pthread_getspecific(kp->key);

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	t->vx = vexfs_open(kp->mount);
	if (!t->vx) {
		*err = errno ? -errno : -EIO;
		free(t);
		return NULL;
	}
	if (pthread_setspecific(kp->key, t)) {
		thread_free(t);
		*err = -ENOMEM;
		return NULL;
	}
	return t;
}

/* This thread's handle on the mount, or NULL with *err set. */
static struct vexfs *handle(struct gw_backend *be, int *err)
{
	struct kthread *t = thread_state(be, err);

	return t ? t->vx : NULL;
}

/* Stop caching on this thread: without events an fd could go stale. */
static void events_stop(struct kthread *t)
{
	if (t->ev)
		event_del(t->ev);
	vexfs_events_close(t->evs);
	t->evs = NULL;
	cache_drop_all(t);
}

static void on_event(struct kthread *t, const struct vexfs_event_info *e)
{
	switch (e->event) {
	case VEXFS_EVENT_COLL_CREATED:
	case VEXFS_EVENT_COLL_DELETED:
		/*
		 * A deleted collection's aliases go with it, silently; their
		 * fds fail with -ENOENT and coll_put() drops them then.
		 */
		cache_drop(t, e->coll);
		break;
	case VEXFS_EVENT_ALIAS_CHANGED:
		/*
		 * The event names the target, and a rename's old alias not
		 * at all: drop every entry, aliases are rarely changed.
		 */
		cache_drop_all(t);
		break;
	default: /* INDEXED, UPDATED: the directory is still the same */
		break;
	}
}

/* The events socket is readable: apply everything pending. */
static void on_events(evutil_socket_t fd, short what, void *arg)
{
	struct kthread *t = arg;
	struct vexfs_event_info e;
	int i, ret;

	for (i = 0; i < EVENTS_BATCH && t->evs; i++) {
		ret = vexfs_events_read(t->evs, &e, 0);
		if (ret > 0) {
			on_event(t, &e);
		} else if (ret == -ENOBUFS) {
			cache_drop_all(t); /* events lost */
		} else if (ret == 0 || ret == -EINTR || ret == -EAGAIN) {
			return;
		} else {
			fprintf(stderr,
				"vexfs-gateway: VexFS events: %s; collection fds are no longer cached on this thread\n",
				strerror(-ret));
			events_stop(t);
		}
	}
}

/*
 * Subscribe this worker thread to the events on its own loop. Failing
 * that the thread opens collections per op, as it does unattached.
 */
static int kernel_attach(struct gw_backend *be, struct event_base *base)
{
	struct kernel_priv *kp = be->priv;
	int err = 0, rcvbuf = EVENTS_RCVBUF;
	struct kthread *t;

	t = thread_state(be, &err);
	if (!t)
		return err;
	if (!kp->cache_cap || t->evs)
		return 0;
	t->evs = vexfs_events_open();
	if (!t->evs) {
		err = errno ? -errno : -EIO;
		if (!atomic_exchange(&kp->warned, true))
			fprintf(stderr,
				"vexfs-gateway: cannot subscribe to VexFS events (%s): collections are opened per request\n",
				strerror(-err));
		return 0;
	}
	/* Room for bursts (INDEXED after every write batch): fewer -ENOBUFS. */
	setsockopt(vexfs_events_fd(t->evs), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	/*
	 * Events first: a change whose reply a client has seen was queued
	 * on this socket before the client's next request reached its
	 * connection, so in the loop pass that sees both the event runs
	 * before the request. Events made before this call (evhttp's
	 * listener) keep priority 0; connections made later get 1.
	 */
	if (event_base_get_npriorities(base) < 2)
		event_base_priority_init(base, 2);
	t->ev = event_new(base, vexfs_events_fd(t->evs), EV_READ | EV_PERSIST,
			  on_events, t);
	if (!t->ev || event_priority_set(t->ev, 0) || event_add(t->ev, NULL)) {
		if (t->ev)
			event_free(t->ev);
		t->ev = NULL;
		vexfs_events_close(t->evs);
		t->evs = NULL;
		return -ENOMEM;
	}
	t->gen = atomic_load(&kp->gen);
	return 0;
}

static void kernel_detach(struct gw_backend *be, struct event_base *base)
{
	struct kernel_priv *kp = be->priv;
	struct kthread *t = pthread_getspecific(kp->key);

	if (!t)
		return;
	events_stop(t);
	if (t->ev)
		event_free(t->ev);
	t->ev = NULL;
}

/*
 * An fd on collection @name for one op: the cached one, or a fresh one
 * (cached if this thread has events). Release it with coll_put().
 */
static int coll_get(struct gw_backend *be, const char *name,
		    struct coll_ref *ref)
{
	struct kernel_priv *kp = be->priv;
	struct kthread *t;
	uint64_t gen;
	int err = 0, i;

	ref->cached = false;
	ref->hit = false;
	t = thread_state(be, &err);
	if (!t)
		return err;
	if (!t->evs) {
		ref->fd = vexfs_coll_open(t->vx, name);
		return ref->fd < 0 ? ref->fd : 0;
	}
	gen = atomic_load(&kp->gen);
	if (gen != t->gen) {
		cache_drop_all(t);
		t->gen = gen;
	}
	i = cache_find(t, name);
	if (i >= 0) {
		t->fds[i].used = ++t->clock;
		ref->fd = t->fds[i].fd;
		ref->cached = true;
		ref->hit = true;
		return 0;
	}
	ref->fd = vexfs_coll_open(t->vx, name);
	if (ref->fd == -EMFILE || ref->fd == -ENFILE) {
		cache_drop_all(t);
		ref->fd = vexfs_coll_open(t->vx, name);
	}
	if (ref->fd < 0)
		return ref->fd;
	if (strlen(name) <= VEXFS_COLLECTION_NAME_MAX) {
		cache_add(t, kp->cache_cap, name, ref->fd);
		ref->cached = true;
	}
	return 0;
}

/*
 * Done with @ref after an op that returned @err. True when the op must be
 * retried once with coll_get(): it failed on a cached fd of a collection
 * deleted since (perhaps recreated under the same name before this
 * thread saw the events). Collection ids are never reused, so every
 * ioctl on such an fd fails with -ENOENT; a count tells that apart from
 * an -ENOENT of the op itself (a missing point).
 */
static bool coll_put(struct gw_backend *be, const char *name,
		     struct coll_ref *ref, int err)
{
	struct kernel_priv *kp = be->priv;
	uint64_t points, indexed;
	struct kthread *t;
	int i;

	if (!ref->cached) {
		close(ref->fd);
		return false;
	}
	if (err != -ENOENT || !ref->hit ||
	    vexfs_count(ref->fd, &points, &indexed) != -ENOENT)
		return false;
	t = pthread_getspecific(kp->key);
	i = cache_find(t, name);
	if (i >= 0 && t->fds[i].fd == ref->fd)
		cache_drop_at(t, (unsigned int)i);
	return true;
}

/* Collection fds each thread may keep, from RLIMIT_NOFILE. */
static unsigned int cache_cap(void)
{
	struct rlimit rl;

	/* A sixty-fourth of the fds per thread leaves the rest to clients. */
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur / 64 >= FD_CACHE_MAX)
		return FD_CACHE_MAX;
	return (unsigned int)(rl.rlim_cur / 64);
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
	if (!kp->mount || pthread_key_create(&kp->key, thread_free)) {
		free(kp->mount);
		free(kp);
		return -ENOMEM;
	}
	kp->cache_cap = cache_cap();
	atomic_init(&kp->gen, 0);
	atomic_init(&kp->warned, false);
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
	struct kthread *t;

	if (!kp)
		return;
	/* Only this thread's state: workers have exited by now. */
	t = pthread_getspecific(kp->key);
	if (t) {
		pthread_setspecific(kp->key, NULL);
		thread_free(t);
	}
	pthread_key_delete(kp->key);
	free(kp->mount);
	free(kp);
}

/* After this gateway changed what a name opens: see kernel_priv.gen. */
static void names_changed(struct gw_backend *be)
{
	struct kernel_priv *kp = be->priv;

	atomic_fetch_add(&kp->gen, 1);
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

/*
 * The array @v (*@cap elements of @size) with room for element @n, which
 * the list callbacks below fill one at a time: doubled when full. NULL
 * when out of memory (@v is left as it was).
 */
static void *grow_for_one(void *v, size_t n, size_t *cap, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 16;
	nv = realloc(v, ncap * size);
	if (nv)
		*cap = ncap;
	return nv;
}

struct list_ctx {
	struct gw_names *out;
	size_t cap;
};

static int list_cb(const struct vexfs_coll_info *info, void *arg)
{
	struct list_ctx *lc = arg;
	struct gw_names *n = lc->out;
	char **v;

	v = grow_for_one(n->v, n->n, &lc->cap, sizeof(*n->v));
	if (!v)
		return -ENOMEM;
	n->v = v;
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
	err = vexfs_coll_create(vx, name, &cfg);
	names_changed(be);
	return err;
}

static int kernel_delete(struct gw_backend *be, const char *name)
{
	struct vexfs *vx;
	int err = 0;

	vx = handle(be, &err);
	if (!vx)
		return err;
	err = vexfs_coll_delete(vx, name);
	names_changed(be);
	return err;
}

/*
 * Each data-plane op below runs as
 *	do { coll_get(); ioctl; } while (coll_put());
 * which retries at most once: the retry's coll_get() opens afresh.
 */

static int kernel_count(struct gw_backend *be, const char *collection,
			bool exact, const struct gw_filter *filter,
			uint64_t *count)
{
	uint64_t indexed;
	bool filtered = filter && filter->len;
	struct coll_ref ref;
	int err;

	do {
		err = coll_get(be, collection, &ref);
		if (err)
			return err;
		if (filtered)
			err = vexfs_count_filter(ref.fd, filter->code,
						 filter->len, count);
		else
			err = vexfs_count(ref.fd, count, &indexed);
	} while (coll_put(be, collection, &ref, err));
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
	struct coll_ref ref;
	int err;

	kids = ids_to_uapi(n, ids);
	if (!kids)
		return -ENOMEM;
	do {
		err = coll_get(be, collection, &ref);
		if (err)
			break;
		err = vexfs_upsert(ref.fd, n, dim, kids, vectors, payload_lens,
				   payloads);
	} while (coll_put(be, collection, &ref, err));
	free(kids);
	return err < 0 ? err : 0;
}

static int kernel_pget(struct gw_backend *be, const char *collection,
		       uint32_t n, const struct gw_point_id *ids,
		       uint8_t *found, float *vectors, uint32_t *payload_lens,
		       void *payloads, uint64_t *payloads_size,
		       uint8_t *has_vector)
{
	uint64_t room = payloads_size ? *payloads_size : 0;
	struct vexfs_point_id *kids;
	struct coll_ref ref;
	int err;

	kids = ids_to_uapi(n, ids);
	if (!kids)
		return -ENOMEM;
	do {
		err = coll_get(be, collection, &ref);
		if (err)
			break;
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
				.payloads_size = room,
				.has_vector = (uintptr_t)has_vector,
			};

			err = vexfs_get_ex(ref.fd, &g);
			if (payloads_size)
				*payloads_size = g.payloads_size;
		} else {
			if (payloads_size)
				*payloads_size = room;
			err = vexfs_get(ref.fd, n, kids, found, vectors,
					payload_lens, payloads, payloads_size);
		}
	} while (coll_put(be, collection, &ref, err));
	free(kids);
	return err;
}

static int kernel_pdelete(struct gw_backend *be, const char *collection,
			  uint32_t n, const struct gw_point_id *ids)
{
	struct vexfs_point_id *kids;
	struct coll_ref ref;
	int err;

	kids = ids_to_uapi(n, ids);
	if (!kids)
		return -ENOMEM;
	do {
		err = coll_get(be, collection, &ref);
		if (err)
			break;
		err = vexfs_delete(ref.fd, n, kids);
	} while (coll_put(be, collection, &ref, err));
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
	struct coll_ref ref;
	int nh, i;

	if (!opts->limit)
		return 0;
	kh = calloc(opts->limit, sizeof(*kh));
	if (!kh)
		return -ENOMEM;
	do {
		nh = coll_get(be, collection, &ref);
		if (nh)
			break;
		nh = vexfs_search(ref.fd, 1, dim, query, &so, kh, NULL);
	} while (coll_put(be, collection, &ref, nh));
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
	uint64_t start = *cursor;
	struct coll_ref ref;
	int n, i;

	kids = calloc(limit ? limit : 1, sizeof(*kids));
	if (!kids)
		return -ENOMEM;
	do {
		n = coll_get(be, collection, &ref);
		if (n)
			break;
		*cursor = start;
		if (filtered)
			n = vexfs_scroll_filter(ref.fd, cursor, limit,
						filter->code, filter->len,
						kids);
		else
			n = vexfs_scroll(ref.fd, cursor, limit, kids);
	} while (coll_put(be, collection, &ref, n));
	for (i = 0; i < n; i++)
		id_from_uapi(&kids[i], &ids[i]);
	free(kids);
	return n;
}

static int kernel_pdelete_filter(struct gw_backend *be, const char *collection,
				 const struct gw_filter *filter)
{
	struct coll_ref ref;
	int err;

	do {
		err = coll_get(be, collection, &ref);
		if (err)
			return err;
		err = vexfs_delete_filter(ref.fd, filter->code, filter->len);
	} while (coll_put(be, collection, &ref, err));
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
	struct vexfs_payload_op attempt;
	struct coll_ref ref;
	int err;

	if (n) {
		kids = ids_to_uapi(n, ids);
		if (!kids)
			return -ENOMEM;
		po.ids = (uintptr_t)kids;
	} else if (filter) {
		po.filter.code = (uintptr_t)filter->code;
		po.filter.len = filter->len;
	}
	do {
		err = coll_get(be, collection, &ref);
		if (err)
			break;
		attempt = po; /* the ioctl writes back into it */
		err = vexfs_payload(ref.fd, &attempt);
	} while (coll_put(be, collection, &ref, err));
	free(kids);
	return err;
}

static int kernel_vectors_update(struct gw_backend *be, const char *collection,
				 uint32_t n, uint32_t dim,
				 const struct gw_point_id *ids,
				 const float *vectors)
{
	struct vexfs_point_id *kids;
	struct coll_ref ref;
	int err;

	kids = ids_to_uapi(n, ids);
	if (!kids)
		return -ENOMEM;
	do {
		err = coll_get(be, collection, &ref);
		if (err)
			break;
		err = vexfs_vectors_update(ref.fd, n, dim, kids, vectors);
	} while (coll_put(be, collection, &ref, err));
	free(kids);
	return err;
}

static int kernel_vectors_delete(struct gw_backend *be, const char *collection,
				 uint32_t n, const struct gw_point_id *ids,
				 const struct gw_filter *filter)
{
	struct vexfs_point_id *kids = NULL;
	struct coll_ref ref;
	int err;

	if (n) {
		kids = ids_to_uapi(n, ids);
		if (!kids)
			return -ENOMEM;
	}
	do {
		err = coll_get(be, collection, &ref);
		if (err)
			break;
		err = vexfs_vectors_delete(ref.fd, n, kids,
					   n ? NULL : filter->code,
					   n ? 0 : filter->len);
	} while (coll_put(be, collection, &ref, err));
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
		err = vexfs_alias_rename(vx, old, alias);
	else if (collection)
		err = vexfs_alias_create(vx, alias, collection);
	else
		err = vexfs_alias_delete(vx, alias);
	names_changed(be);
	return err;
}

struct alias_ctx {
	struct gw_aliases *out;
	size_t cap;
};

static int alias_cb(const char *alias, const char *coll, void *arg)
{
	struct alias_ctx *ac = arg;
	struct gw_aliases *a = ac->out;
	struct gw_alias *v;

	v = grow_for_one(a->v, a->n, &ac->cap, sizeof(*a->v));
	if (!v)
		return -ENOMEM;
	a->v = v;
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
	struct gw_index_info *v;

	v = grow_for_one(x->v, x->n, &ic->cap, sizeof(*x->v));
	if (!v)
		return -ENOMEM;
	x->v = v;
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
	.attach = kernel_attach,
	.detach = kernel_detach,
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
