// SPDX-License-Identifier: GPL-2.0
/*
 * Advanced SIMD (NEON) distance kernels for arm64, 4 floats per register.
 *
 * Same rules as distance_avx2.c: GCC vector extensions instead of
 * <arm_neon.h> (which the kernel cannot include), unaligned loads through
 * __builtin_memcpy, four independent accumulators; AArch64 always has fused
 * multiply-add, so "acc += a * b" becomes fmla. Built only for arm64.
 *
 * FPU translation unit: only entered inside an FPU section (distance.c),
 * which is kernel_neon_begin()/kernel_neon_end() there.
 */
#include "shim.h"
#include "distance_fpu.h"

typedef float vx_f32x4 __attribute__((vector_size(16)));
typedef u32 vx_u32x4 __attribute__((vector_size(16)));

static __always_inline vx_f32x4 load4(const float *p)
{
	vx_f32x4 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static __always_inline float hsum4(vx_f32x4 v)
{
	return (v[0] + v[2]) + (v[1] + v[3]);
}

static __always_inline vx_f32x4 abs4(vx_f32x4 v)
{
	return (vx_f32x4)((vx_u32x4)v & 0x7FFFFFFFu);
}

static float dot_neon(const float *a, const float *b, u32 n)
{
	vx_f32x4 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
	float tail = 0.0f;
	u32 i = 0;

	for (; i + 16 <= n; i += 16) {
		s0 += load4(a + i) * load4(b + i);
		s1 += load4(a + i + 4) * load4(b + i + 4);
		s2 += load4(a + i + 8) * load4(b + i + 8);
		s3 += load4(a + i + 12) * load4(b + i + 12);
	}
	for (; i + 4 <= n; i += 4)
		s0 += load4(a + i) * load4(b + i);
	for (; i < n; i++)
		tail += a[i] * b[i];
	return hsum4((s0 + s1) + (s2 + s3)) + tail;
}

static float l2sq_neon(const float *a, const float *b, u32 n)
{
	vx_f32x4 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 }, d;
	float tail = 0.0f;
	u32 i = 0;

	for (; i + 16 <= n; i += 16) {
		d = load4(a + i) - load4(b + i);
		s0 += d * d;
		d = load4(a + i + 4) - load4(b + i + 4);
		s1 += d * d;
		d = load4(a + i + 8) - load4(b + i + 8);
		s2 += d * d;
		d = load4(a + i + 12) - load4(b + i + 12);
		s3 += d * d;
	}
	for (; i + 4 <= n; i += 4) {
		d = load4(a + i) - load4(b + i);
		s0 += d * d;
	}
	for (; i < n; i++) {
		float e = a[i] - b[i];

		tail += e * e;
	}
	return hsum4((s0 + s1) + (s2 + s3)) + tail;
}

static float l1_neon(const float *a, const float *b, u32 n)
{
	vx_f32x4 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
	float tail = 0.0f;
	u32 i = 0;

	for (; i + 16 <= n; i += 16) {
		s0 += abs4(load4(a + i) - load4(b + i));
		s1 += abs4(load4(a + i + 4) - load4(b + i + 4));
		s2 += abs4(load4(a + i + 8) - load4(b + i + 8));
		s3 += abs4(load4(a + i + 12) - load4(b + i + 12));
	}
	for (; i + 4 <= n; i += 4)
		s0 += abs4(load4(a + i) - load4(b + i));
	for (; i < n; i++) {
		float e = a[i] - b[i];

		tail += e < 0.0f ? -e : e;
	}
	return hsum4((s0 + s1) + (s2 + s3)) + tail;
}

static void keys_neon(enum vx_metric metric, const float *q,
		      const float *const *vecs, u32 n, u32 dim, u32 *keys)
{
	u32 i;

	switch (metric) {
	case VX_METRIC_EUCLID:
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				vx_prefetch_vector(vecs[i + 1], dim);
			keys[i] = vx_float_to_key(l2sq_neon(q, vecs[i], dim));
		}
		break;
	case VX_METRIC_MANHATTAN:
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				vx_prefetch_vector(vecs[i + 1], dim);
			keys[i] = vx_float_to_key(l1_neon(q, vecs[i], dim));
		}
		break;
	default:
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				vx_prefetch_vector(vecs[i + 1], dim);
			keys[i] = vx_float_to_key(-dot_neon(q, vecs[i], dim));
		}
		break;
	}
}

const struct vx_dist_impl vx_dist_neon = {
	.name = "neon",
	.cpu_feature = VX_CPU_NEON,
	.keys = keys_neon,
};
