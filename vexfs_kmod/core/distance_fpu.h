/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Float helpers for the FPU translation units (distance_*.c) only. Including
 * this from any other core file would put float code where the kernel has
 * no FPU context.
 */
#ifndef VEXFS_CORE_DISTANCE_FPU_H
#define VEXFS_CORE_DISTANCE_FPU_H

#include "distance_impl.h"

/*
 * Order-preserving map of a float to u32: flip all bits of negatives, set the
 * sign bit of positives. NaN (only reachable from inf - inf) sorts last.
 */
static inline u32 vx_float_to_key(float f)
{
	u32 bits;

	if (f != f)
		return VX_KEY_MAX;
	__builtin_memcpy(&bits, &f, sizeof(bits));
	return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

/* The internal distance as a key: dot products are negated so that smaller is closer. */
static inline u32 vx_dist_to_key(enum vx_metric metric, float raw)
{
	if (metric == VX_METRIC_COSINE || metric == VX_METRIC_DOT)
		raw = -raw;
	return vx_float_to_key(raw);
}

/* Prefetch the first cache lines of the next vector of a batch. */
static inline void vx_prefetch_vector(const float *v, u32 dim)
{
	__builtin_prefetch(v);
	if (dim > 16)
		__builtin_prefetch(v + 16);
}

#endif /* VEXFS_CORE_DISTANCE_FPU_H */
