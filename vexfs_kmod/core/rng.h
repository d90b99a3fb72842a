/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small deterministic generator (splitmix64): HNSW levels come from it, so
 * a graph built from the same seed and insertion order is always the same.
 */
#ifndef VEXFS_CORE_RNG_H
#define VEXFS_CORE_RNG_H

#include "shim.h"

struct vx_rng {
	u64 state;
};

static inline void vx_rng_seed(struct vx_rng *rng, u64 seed)
{
	rng->state = seed;
}

static inline u64 vx_rng_next(struct vx_rng *rng)
{
	u64 z = (rng->state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

#endif /* VEXFS_CORE_RNG_H */
