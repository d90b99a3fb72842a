// SPDX-License-Identifier: GPL-2.0
/*
 * Portable distance kernels: the scalar reference every SIMD variant is
 * tested against, the fallback for CPUs without AVX2/NEON, and the few float
 * helpers that are not worth vectorising (Cosine normalisation, score
 * conversion, square root).
 *
 * FPU translation unit: built with CC_FLAGS_FPU in the kernel and only
 * entered inside vx_fpu_begin()/vx_fpu_end() (distance.c opens them).
 */
#include "shim.h"
#include "distance_fpu.h"

static float dot_generic(const float *a, const float *b, u32 n)
{
	float sum = 0.0f;
	u32 i;

	for (i = 0; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

static float l2sq_generic(const float *a, const float *b, u32 n)
{
	float sum = 0.0f;
	u32 i;

	for (i = 0; i < n; i++) {
		float d = a[i] - b[i];

		sum += d * d;
	}
	return sum;
}

static float l1_generic(const float *a, const float *b, u32 n)
{
	float sum = 0.0f;
	u32 i;

	for (i = 0; i < n; i++) {
		float d = a[i] - b[i];

		sum += d < 0.0f ? -d : d;
	}
	return sum;
}

static void keys_generic(enum vx_metric metric, const float *q,
			 const float *const *vecs, u32 n, u32 dim, u32 *keys)
{
	u32 i;

	for (i = 0; i < n; i++) {
		float d;

		if (metric == VX_METRIC_EUCLID)
			d = l2sq_generic(q, vecs[i], dim);
		else if (metric == VX_METRIC_MANHATTAN)
			d = l1_generic(q, vecs[i], dim);
		else
			d = dot_generic(q, vecs[i], dim);
		keys[i] = vx_dist_to_key(metric, d);
	}
}

const struct vx_dist_impl vx_dist_generic = {
	.name = "generic",
	.cpu_feature = -1,
	.keys = keys_generic,
};

/*
 * Square root without libm, which the kernel does not have (and
 * __builtin_sqrt keeps a libm call for errno unless -fno-math-errno, a
 * flag neither host's build promises). Newton's iteration in double from
 * a guess made by halving the exponent (float inputs are normal doubles):
 * the guess is within 6%, and five steps take that below double
 * precision, so rounding to float is exact for every float input the unit
 * test tries. The same code runs on both hosts, so kernel and userspace
 * report identical scores. Inputs are finite and >= 0 here.
 */
/* Rust's f32::EPSILON, 2^-23, which Qdrant's Cosine preprocessing uses. */
#define F32_EPSILON (1.0f / 8388608)

static double sqrt_newton(double x)
{
	u64 bits;
	double y;
	int i;

	if (x != x || x > 1e308) /* NaN, infinity */
		return x;
	if (x <= 0.0)
		return 0.0;
	__builtin_memcpy(&bits, &x, sizeof(bits));
	bits = (bits >> 1) + (1023ull << 51);
	__builtin_memcpy(&y, &bits, sizeof(y));
	for (i = 0; i < 5; i++)
		y = 0.5 * (y + x / y);
	return y;
}

/*
 * Qdrant's Cosine preprocessing: divide by the f32 length unless it is below
 * f32::EPSILON. The sum of squares is taken in double, in order, so stored
 * vectors do not depend on which SIMD variant the machine has.
 */
void vx_dist_generic_prepare(enum vx_metric metric, const float *in, float *out,
			     u32 dim)
{
	double sumsq = 0.0;
	float length;
	u32 i;

	if (metric != VX_METRIC_COSINE) {
		if (out != in)
			__builtin_memmove(out, in, (size_t)dim * sizeof(float));
		return;
	}
	for (i = 0; i < dim; i++)
		sumsq += (double)in[i] * in[i];
	length = (float)sqrt_newton(sumsq);
	if (length < F32_EPSILON) {
		if (out != in)
			__builtin_memmove(out, in, (size_t)dim * sizeof(float));
		return;
	}
	for (i = 0; i < dim; i++)
		out[i] = in[i] / length;
}

static float key_to_score(enum vx_metric metric, u32 key)
{
	u32 bits = vx_dist_key_to_bits(key);
	float d;

	__builtin_memcpy(&d, &bits, sizeof(d));
	switch (metric) {
	case VX_METRIC_COSINE:
	case VX_METRIC_DOT:
		return -d;
	case VX_METRIC_EUCLID:
		return (float)sqrt_newton(d);
	default:
		return d;
	}
}

void vx_dist_generic_scores(enum vx_metric metric, const u32 *keys, u32 n,
			    float *scores)
{
	u32 i;

	for (i = 0; i < n; i++)
		scores[i] = key_to_score(metric, keys[i]);
}

void vx_dist_generic_score_points(enum vx_metric metric,
				  struct vx_scored_point *pts, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		pts[i].score = key_to_score(metric, pts[i].key);
}
