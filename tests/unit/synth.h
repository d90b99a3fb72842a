/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deterministic synthetic vectors for the search tests: Gaussian clusters
 * around random centres, the shape that makes ANN recall meaningful (uniform
 * random data in many dimensions has no real neighbours).
 */
#ifndef VX_TEST_SYNTH_H
#define VX_TEST_SYNTH_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

struct synth {
	uint64_t state;
};

static inline uint64_t synth_u64(struct synth *s)
{
	uint64_t z = (s->state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline double synth_uniform(struct synth *s)
{
	return ((synth_u64(s) >> 11) + 0.5) * 0x1p-53;
}

static inline double synth_gauss(struct synth *s)
{
	return sqrt(-2 * log(synth_uniform(s))) *
	       cos(2 * M_PI * synth_uniform(s));
}

/*
 * @n vectors of @dim floats in @clusters clusters: centres uniform in
 * [-1, 1]^dim, points at Gaussian offsets of deviation @spread.
 */
static inline float *synth_clustered(struct synth *s, unsigned int n,
				     unsigned int dim, unsigned int clusters,
				     double spread)
{
	float *centres = malloc(sizeof(float) * clusters * dim);
	float *v = malloc(sizeof(float) * n * dim);

	for (unsigned int i = 0; i < clusters * dim; i++)
		centres[i] = (float)(2 * synth_uniform(s) - 1);
	for (unsigned int i = 0; i < n; i++) {
		const float *c = centres + (synth_u64(s) % clusters) * dim;

		for (unsigned int d = 0; d < dim; d++)
			v[i * dim + d] =
				c[d] + (float)(spread * synth_gauss(s));
	}
	free(centres);
	return v;
}

#endif /* VX_TEST_SYNTH_H */
