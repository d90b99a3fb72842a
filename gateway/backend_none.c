// SPDX-License-Identifier: GPL-2.0
/*
 * The "none" backend: no storage at all. Lets the HTTP layer run and be
 * tested before the kernel and embedded backends exist.
 */
#include <errno.h>

#include "backend.h"

static bool none_ready(struct gw_backend *be)
{
	return true;
}

static int none_list(struct gw_backend *be, struct gw_names *out)
{
	out->v = NULL;
	out->n = 0;
	return 0;
}

static int none_get(struct gw_backend *be, const char *name,
		    struct gw_collection_info *out)
{
	return -ENOENT;
}

static int none_create(struct gw_backend *be, const char *name,
		       const struct gw_collection_params *params)
{
	return -EOPNOTSUPP; /* nowhere to store it */
}

static int none_delete(struct gw_backend *be, const char *name)
{
	return -ENOENT;
}

static int none_count(struct gw_backend *be, const char *collection, bool exact,
		      const struct gw_filter *filter, uint64_t *count)
{
	return -ENOENT;
}

static int none_upsert(struct gw_backend *be, const char *c, uint32_t n,
		       uint32_t dim, const struct gw_point_id *ids,
		       const float *vectors, const uint32_t *payload_lens,
		       const void *payloads)
{
	return -ENOENT;
}

static int none_pget(struct gw_backend *be, const char *c, uint32_t n,
		     const struct gw_point_id *ids, uint8_t *found,
		     float *vectors, uint32_t *payload_lens, void *payloads,
		     uint64_t *payloads_size, uint8_t *has_vector)
{
	return -ENOENT;
}

static int none_pdelete(struct gw_backend *be, const char *c, uint32_t n,
			const struct gw_point_id *ids)
{
	return -ENOENT;
}

static int none_search(struct gw_backend *be, const char *c, uint32_t dim,
		       const float *query, const struct gw_search *opts,
		       struct gw_hit *hits)
{
	return -ENOENT;
}

static int none_scroll(struct gw_backend *be, const char *c, uint64_t *cursor,
		       uint32_t limit, const struct gw_filter *filter,
		       struct gw_point_id *ids)
{
	return -ENOENT;
}

const struct gw_backend_ops gw_backend_none = {
	.name = "none",
	.ready = none_ready,
	.collection_list = none_list,
	.collection_get = none_get,
	.collection_create = none_create,
	.collection_delete = none_delete,
	.point_count = none_count,
	.point_upsert = none_upsert,
	.point_get = none_pget,
	.point_delete = none_pdelete,
	.point_search = none_search,
	.point_scroll = none_scroll,
};
