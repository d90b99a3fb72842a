// SPDX-License-Identifier: GPL-2.0
/*
 * Every distance implementation this CPU supports against the generic one,
 * for the module to run in the guest kernel (and the unit tests in
 * userspace). No float code: inputs are built from bit patterns and results
 * compared as keys, whose difference is the distance in units in the last
 * place (ulps) when both have the same sign. Inputs are in [0.5, 1), so no
 * sum cancels and every result is positive (after negation for dot
 * products, both keys are negative: the ulp difference holds all the same).
 *
 * Batched scoring (several vectors per pass over the query) must give each
 * vector the key it gets alone, bit for bit.
 *
 * Summation order differs between implementations; over random inputs the
 * two stay within sqrt(dim) ulps, so 4 sqrt(dim) + 16 is the bound, while a
 * lost element costs about 2^23 / dim ulps (2048 at dim 4096).
 */
#include "shim.h"
#include "distance_impl.h"

#define SELFTEST_DIM_MAX 4096u
#define SELFTEST_VECS 4u
#define SELFTEST_SLACK 16u /* misalignment, in floats */

static u32 isqrt(u32 x)
{
	u32 r = 0, bit;

	for (bit = 1u << 30; bit > x; bit >>= 2)
		;
	for (; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/* Uniform in [0.5, 1): exponent of 0.5, random mantissa. */
static void fill(float *v, u32 n, u64 *state)
{
	u32 i, bits;

	for (i = 0; i < n; i++) {
		*state = *state * 6364136223846793005ull +
			 1442695040888963407ull;
		bits = 0x3F000000u | (u32)(*state >> 41);
		__builtin_memcpy(&v[i], &bits, sizeof(bits));
	}
}

static bool dim_tested(u32 dim)
{
	/* Every size up to 300, then a spread including powers of two ± 1. */
	return dim <= 300 || dim % 61 == 0 || !((dim + 1) & dim) ||
	       !(dim & (dim - 1)) || !((dim - 1) & (dim - 2));
}

/* Index of the first key more than @tolerance ulps off, or SELFTEST_VECS. */
static u32 first_far_key(const u32 *want, const u32 *got, u32 tolerance)
{
	u32 v;

	for (v = 0; v < SELFTEST_VECS; v++) {
		u32 diff = got[v] > want[v] ? got[v] - want[v] :
					      want[v] - got[v];

		if (diff > tolerance)
			break;
	}
	return v;
}

static int check_impl(const struct vx_dist_impl *impl, const float *q,
		      const float *base)
{
	static const enum vx_metric metrics[] = { VX_METRIC_DOT,
						  VX_METRIC_EUCLID,
						  VX_METRIC_MANHATTAN };
	u32 want[SELFTEST_VECS], got[SELFTEST_VECS], one[SELFTEST_VECS];
	u32 dim, m, v;
	const float *vecs[SELFTEST_VECS];
	const float *qd;

	for (dim = 1; dim <= SELFTEST_DIM_MAX; dim++) {
		if (!dim_tested(dim))
			continue;
		qd = q + dim % SELFTEST_SLACK;
		for (v = 0; v < SELFTEST_VECS; v++)
			vecs[v] = base +
				  v * (SELFTEST_DIM_MAX + SELFTEST_SLACK) +
				  (dim + v) % SELFTEST_SLACK;
		for (m = 0; m < VX_ARRAY_SIZE(metrics); m++) {
			vx_fpu_begin();
			vx_dist_generic.keys(metrics[m], qd, vecs,
					     SELFTEST_VECS, dim, want);
			impl->keys(metrics[m], qd, vecs, SELFTEST_VECS, dim,
				   got);
			for (v = 0; v < SELFTEST_VECS; v++)
				impl->keys(metrics[m], qd, &vecs[v], 1, dim,
					   &one[v]);
			vx_fpu_end();
			/* A batch scores each vector exactly as it would alone. */
			v = first_far_key(one, got, 0);
			if (v < SELFTEST_VECS) {
				vx_log_err(
					"selftest %s %d/%u: batch %x alone %x\n",
					impl->name, metrics[m], dim, got[v],
					one[v]);
				return -EIO;
			}
			v = first_far_key(want, got, 4 * isqrt(dim) + 16);
			if (v < SELFTEST_VECS) {
				vx_log_err("selftest %s %d/%u: %x %x\n",
					   impl->name, metrics[m], dim, got[v],
					   want[v]);
				return -EIO;
			}
		}
		if (!(dim & 63))
			vx_cond_resched();
	}
	return 0;
}

int vx_dist_selftest(void)
{
	u32 stride = SELFTEST_DIM_MAX + SELFTEST_SLACK;
	const struct vx_dist_impl *const *impl;
	float *q, *base;
	u64 state = 0x5E1F7E57ull;
	int err = -ENOMEM;

	q = vx_alloc_array(stride, sizeof(float));
	base = vx_alloc_array((size_t)stride * SELFTEST_VECS, sizeof(float));
	if (!q || !base)
		goto out;
	fill(q, stride, &state);
	fill(base, stride * SELFTEST_VECS, &state);
	err = 0;
	for (impl = vx_dist_all_impls(); *impl && !err; impl++)
		if (vx_dist_impl_supported(*impl))
			err = check_impl(*impl, q, base);
out:
	vx_free(q);
	vx_free(base);
	return err;
}
