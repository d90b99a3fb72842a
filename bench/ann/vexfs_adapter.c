// SPDX-License-Identifier: GPL-2.0
#include "shim.h"
#include "vindex.h"
#include "vexfs_adapter.h"

struct vxb {
	struct vx_vindex *vi;
	struct vx_scored_point *hits;
	unsigned int hits_cap;
};

struct vxb *vxb_create(unsigned int dim, unsigned int m,
		       unsigned int ef_construct, unsigned long long seed)
{
	struct vx_vindex_params p;
	struct vxb *b = vx_zalloc(sizeof(*b));

	if (!b)
		return NULL;
	vx_vindex_params_default(&p, dim, VX_METRIC_EUCLID);
	p.m = m;
	p.ef_construct = ef_construct;
	p.seed = seed;
	p.full_scan_threshold_kb = 0;
	if (vx_vindex_create(&p, &b->vi)) {
		vx_free(b);
		return NULL;
	}
	return b;
}

int vxb_add(struct vxb *b, unsigned long long id, const float *vec)
{
	return vx_vindex_upsert(b->vi, id, vec);
}

int vxb_build(struct vxb *b)
{
	int ret;

	while (vx_vindex_nr_pending(b->vi)) {
		ret = vx_vindex_index_pending(b->vi, 1u << 20);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int vxb_search(struct vxb *b, const float *q, unsigned int k, unsigned int ef,
	       unsigned long long *ids)
{
	struct vx_search_request req = { .query = q, .limit = k, .ef = ef };
	u32 n, i;
	int err;

	if (k > b->hits_cap) {
		vx_free(b->hits);
		b->hits = vx_alloc_array(k, sizeof(*b->hits));
		b->hits_cap = b->hits ? k : 0;
		if (!b->hits)
			return -ENOMEM;
	}
	err = vx_vindex_search(b->vi, &req, b->hits, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		ids[i] = b->hits[i].id;
	return (int)n;
}

void vxb_destroy(struct vxb *b)
{
	vx_vindex_destroy(b->vi);
	vx_free(b->hits);
	vx_free(b);
}

const char *vxb_impl(void)
{
	return vx_dist_impl_name();
}

int vxb_select_impl(const char *name)
{
	return vx_dist_select(name);
}
