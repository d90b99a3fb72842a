// SPDX-License-Identifier: GPL-2.0
/*
 * Backend registry and helpers shared by the implementations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "gateway.h"
#include "uapi/vexfs.h"

static const struct gw_backend_ops *const backends[] = {
	&gw_backend_none,
	&gw_backend_kernel,
	&gw_backend_embedded,
};

void gw_names_free(struct gw_names *names)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	names->v = NULL;
	names->n = 0;
}

enum gw_distance gw_distance_from_uapi(uint32_t d)
{
	switch (d) {
	case VEXFS_DISTANCE_EUCLID:
		return GW_DIST_EUCLID;
	case VEXFS_DISTANCE_DOT:
		return GW_DIST_DOT;
	case VEXFS_DISTANCE_MANHATTAN:
		return GW_DIST_MANHATTAN;
	default:
		return GW_DIST_COSINE;
	}
}

static uint32_t distance_to_uapi(enum gw_distance d)
{
	switch (d) {
	case GW_DIST_EUCLID:
		return VEXFS_DISTANCE_EUCLID;
	case GW_DIST_DOT:
		return VEXFS_DISTANCE_DOT;
	case GW_DIST_MANHATTAN:
		return VEXFS_DISTANCE_MANHATTAN;
	default:
		return VEXFS_DISTANCE_COSINE;
	}
}

void gw_config_to_uapi(const struct gw_collection_params *p,
		       struct vexfs_collection_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->dim = p->size;
	cfg->distance = distance_to_uapi(p->distance);
	cfg->hnsw_m = p->hnsw.m;
	if (!p->hnsw.m) /* Qdrant: m = 0 builds no graph */
		cfg->flags |= VEXFS_CONFIG_NO_GRAPH;
	cfg->hnsw_ef_construct = p->hnsw.ef_construct;
	cfg->full_scan_threshold = p->hnsw.full_scan_threshold;
}

void gw_aliases_free(struct gw_aliases *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

void gw_indexes_free(struct gw_indexes *x)
{
	free(x->v);
	x->v = NULL;
	x->n = 0;
}

struct gw_backend *gw_backend_open(const char *name, const char *arg)
{
	struct gw_backend *be;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(backends); i++)
		if (!strcmp(backends[i]->name, name))
			break;
	if (i == ARRAY_SIZE(backends)) {
		errno = ENOENT;
		return NULL;
	}
	be = calloc(1, sizeof(*be));
	if (!be)
		return NULL;
	be->ops = backends[i];
	err = be->ops->open ? be->ops->open(be, arg) : 0;
	if (err) {
		free(be);
		errno = -err;
		return NULL;
	}
	return be;
}

void gw_backend_close(struct gw_backend *be)
{
	if (!be)
		return;
	if (be->ops->close)
		be->ops->close(be);
	free(be);
}
