/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between distance.c (dispatch, FPU sections; no float code) and the
 * implementations in FPU translation units. Integer-only, like distance.h.
 */
#ifndef VEXFS_CORE_DISTANCE_IMPL_H
#define VEXFS_CORE_DISTANCE_IMPL_H

#include "distance.h"

/*
 * One implementation. Every function pointer here points into an FPU
 * translation unit and is only ever called inside an FPU section; even the
 * CPU-feature test stays out of those files, as data.
 */
struct vx_dist_impl {
	const char *name;
	int cpu_feature; /* enum vx_cpu_feature, or -1 for none */
	/* keys[i] = key(d(q, vecs[i])) */
	void (*keys)(enum vx_metric metric, const float *q,
		     const float *const *vecs, u32 n, u32 dim, u32 *keys);
};

/* In FPU translation units; the caller opens the FPU section. */
extern const struct vx_dist_impl vx_dist_generic;
#if defined(__x86_64__)
extern const struct vx_dist_impl vx_dist_avx2;
extern const struct vx_dist_impl vx_dist_avx512;
#endif
#if defined(__aarch64__)
extern const struct vx_dist_impl vx_dist_neon;
#endif

/* All implementations built in, NULL-terminated, and the CPU check. */
const struct vx_dist_impl *const *vx_dist_all_impls(void);
bool vx_dist_impl_supported(const struct vx_dist_impl *impl);

void vx_dist_generic_prepare(enum vx_metric metric, const float *in, float *out,
			     u32 dim);
void vx_dist_generic_scores(enum vx_metric metric, const u32 *keys, u32 n,
			    float *scores);
void vx_dist_generic_score_points(enum vx_metric metric,
				  struct vx_scored_point *pts, u32 n);

#endif /* VEXFS_CORE_DISTANCE_IMPL_H */
