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

/*
 * The float a bound key stands for; VX_KEY_MAX decodes to NaN, which no
 * partial sum exceeds, so "no bound" needs no special case.
 */
static inline float vx_key_to_float(u32 key)
{
	u32 bits = vx_dist_key_to_bits(key);
	float f;

	__builtin_memcpy(&f, &bits, sizeof(f));
	return f;
}

/*
 * Euclid and Manhattan sum non-negative terms, so a partial sum never
 * exceeds the final one (float rounding is monotone): once it passes the
 * caller's bound the rest of the vector need not be read. Checked every
 * this many elements.
 */
#define VX_ABANDON_EVERY 128u

/* Prefetch the first cache lines of the next vector of a batch. */
static inline void vx_prefetch_vector(const float *v, u32 dim)
{
	__builtin_prefetch(v);
	if (dim > 16)
		__builtin_prefetch(v + 16);
}

#endif /* VEXFS_CORE_DISTANCE_FPU_H */
