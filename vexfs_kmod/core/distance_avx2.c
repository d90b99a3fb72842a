// SPDX-License-Identifier: GPL-2.0
/*
 * AVX2 + FMA distance kernels (x86-64), 8 floats per vector register.
 *
 * Written with GCC vector extensions rather than <immintrin.h>, which the
 * kernel cannot include (-nostdinc); built with -mavx2 -mfma, so "acc +=
 * a * b" becomes vfmadd231ps. Four independent accumulators hide the FMA
 * latency. Loads go through __builtin_memcpy, so vectors need no alignment.
 *
 * FPU translation unit: only entered inside an FPU section (distance.c).
 */
#include "shim.h"
#include "distance_fpu.h"

typedef float vx_f32x8 __attribute__((vector_size(32)));
typedef u32 vx_u32x8 __attribute__((vector_size(32)));

static __always_inline vx_f32x8 load8(const float *p)
{
	vx_f32x8 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static __always_inline float hsum8(vx_f32x8 v)
{
	return ((v[0] + v[4]) + (v[1] + v[5])) +
	       ((v[2] + v[6]) + (v[3] + v[7]));
}

static __always_inline vx_f32x8 abs8(vx_f32x8 v)
{
	return (vx_f32x8)((vx_u32x8)v & 0x7FFFFFFFu);
}

static float dot_avx2(const float *a, const float *b, u32 n)
{
	vx_f32x8 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
	float tail = 0.0f;
	u32 i = 0;

	for (; i + 32 <= n; i += 32) {
		s0 += load8(a + i) * load8(b + i);
		s1 += load8(a + i + 8) * load8(b + i + 8);
		s2 += load8(a + i + 16) * load8(b + i + 16);
		s3 += load8(a + i + 24) * load8(b + i + 24);
	}
	for (; i + 8 <= n; i += 8)
		s0 += load8(a + i) * load8(b + i);
	for (; i < n; i++)
		tail += a[i] * b[i];
	return hsum8((s0 + s1) + (s2 + s3)) + tail;
}

static float l2sq_avx2(const float *a, const float *b, u32 n)
{
	vx_f32x8 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 }, d;
	float tail = 0.0f;
	u32 i = 0;

	for (; i + 32 <= n; i += 32) {
		d = load8(a + i) - load8(b + i);
		s0 += d * d;
		d = load8(a + i + 8) - load8(b + i + 8);
		s1 += d * d;
		d = load8(a + i + 16) - load8(b + i + 16);
		s2 += d * d;
		d = load8(a + i + 24) - load8(b + i + 24);
		s3 += d * d;
	}
	for (; i + 8 <= n; i += 8) {
		d = load8(a + i) - load8(b + i);
		s0 += d * d;
	}
	for (; i < n; i++) {
		float e = a[i] - b[i];

		tail += e * e;
	}
	return hsum8((s0 + s1) + (s2 + s3)) + tail;
}

static float l1_avx2(const float *a, const float *b, u32 n)
{
	vx_f32x8 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
	float tail = 0.0f;
	u32 i = 0;

	for (; i + 32 <= n; i += 32) {
		s0 += abs8(load8(a + i) - load8(b + i));
		s1 += abs8(load8(a + i + 8) - load8(b + i + 8));
		s2 += abs8(load8(a + i + 16) - load8(b + i + 16));
		s3 += abs8(load8(a + i + 24) - load8(b + i + 24));
	}
	for (; i + 8 <= n; i += 8)
		s0 += abs8(load8(a + i) - load8(b + i));
	for (; i < n; i++) {
		float e = a[i] - b[i];

		tail += e < 0.0f ? -e : e;
	}
	return hsum8((s0 + s1) + (s2 + s3)) + tail;
}

static void keys_avx2(enum vx_metric metric, const float *q,
		      const float *const *vecs, u32 n, u32 dim, u32 *keys)
{
	u32 i;

	/* One loop per metric keeps the kernel call direct and inlinable. */
	switch (metric) {
	case VX_METRIC_EUCLID:
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				vx_prefetch_vector(vecs[i + 1], dim);
			keys[i] = vx_float_to_key(l2sq_avx2(q, vecs[i], dim));
		}
		break;
	case VX_METRIC_MANHATTAN:
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				vx_prefetch_vector(vecs[i + 1], dim);
			keys[i] = vx_float_to_key(l1_avx2(q, vecs[i], dim));
		}
		break;
	default:
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				vx_prefetch_vector(vecs[i + 1], dim);
			keys[i] = vx_float_to_key(-dot_avx2(q, vecs[i], dim));
		}
		break;
	}
}

const struct vx_dist_impl vx_dist_avx2 = {
	.name = "avx2",
	.cpu_feature = VX_CPU_AVX2_FMA,
	.keys = keys_avx2,
};
