/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VexFS core behind a plain C interface for the C++ benchmark driver, so
 * the driver does not include the core's headers (whose min/max macros and
 * C-only constructs do not belong in C++).
 */
#ifndef VEXFS_BENCH_ADAPTER_H
#define VEXFS_BENCH_ADAPTER_H

#ifdef __cplusplus
extern "C" {
#endif

struct vxb;

/* An L2 vector space with an HNSW graph; exact search never chosen by size. */
struct vxb *vxb_create(unsigned int dim, unsigned int m,
		       unsigned int ef_construct, unsigned long long seed);
int vxb_add(struct vxb *b, unsigned long long id, const float *vec);
/* Link everything queued into the graph (what the background worker does). */
int vxb_build(struct vxb *b);
/* Up to @k ids nearest to @q with beam @ef; returns how many, or -errno. */
int vxb_search(struct vxb *b, const float *q, unsigned int k, unsigned int ef,
	       unsigned long long *ids);
void vxb_destroy(struct vxb *b);
/* Distance implementation in use ("avx512", "avx2", "generic"). */
const char *vxb_impl(void);
int vxb_select_impl(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* VEXFS_BENCH_ADAPTER_H */
