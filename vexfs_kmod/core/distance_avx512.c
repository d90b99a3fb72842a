// SPDX-License-Identifier: GPL-2.0
/*
 * AVX-512F distance kernels (x86-64), 16 floats per vector register, with a
 * 256-bit step (AVX-512VL) and a scalar tail for the last < 8 elements.
 * Same structure and rules as distance_avx2.c; built with -mavx512f
 * -mavx512vl -mfma.
 *
 * FPU translation unit: only entered inside an FPU section (distance.c).
 */
#include "shim.h"
#include "distance_fpu.h"

typedef float vx_f32x16 __attribute__((vector_size(64)));
typedef u32 vx_u32x16 __attribute__((vector_size(64)));
typedef float vx_f32x8 __attribute__((vector_size(32)));
typedef u32 vx_u32x8 __attribute__((vector_size(32)));

static __always_inline vx_f32x16 load16(const float *p)
{
	vx_f32x16 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static __always_inline vx_f32x8 load8(const float *p)
{
	vx_f32x8 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static __always_inline vx_f32x8 fold16(vx_f32x16 v)
{
	vx_f32x8 lo = { v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] };
	vx_f32x8 hi = { v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15] };

	return lo + hi;
}

static __always_inline float hsum8(vx_f32x8 v)
{
	return ((v[0] + v[4]) + (v[1] + v[5])) +
	       ((v[2] + v[6]) + (v[3] + v[7]));
}

static __always_inline vx_f32x16 abs16(vx_f32x16 v)
{
	return (vx_f32x16)((vx_u32x16)v & 0x7FFFFFFFu);
}

static __always_inline vx_f32x8 abs8(vx_f32x8 v)
{
	return (vx_f32x8)((vx_u32x8)v & 0x7FFFFFFFu);
}

static float dot_avx512(const float *a, const float *b, u32 n)
{
	vx_f32x16 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
	vx_f32x8 h = { 0 };
	float tail = 0.0f;
	u32 i = 0;

	for (; i + 64 <= n; i += 64) {
		s0 += load16(a + i) * load16(b + i);
		s1 += load16(a + i + 16) * load16(b + i + 16);
		s2 += load16(a + i + 32) * load16(b + i + 32);
		s3 += load16(a + i + 48) * load16(b + i + 48);
	}
	for (; i + 16 <= n; i += 16)
		s0 += load16(a + i) * load16(b + i);
	if (i + 8 <= n) {
		h = load8(a + i) * load8(b + i);
		i += 8;
	}
	for (; i < n; i++)
		tail += a[i] * b[i];
	return hsum8(fold16((s0 + s1) + (s2 + s3)) + h) + tail;
}

static float l2sq_avx512(const float *a, const float *b, u32 n)
{
	vx_f32x16 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 }, d;
	vx_f32x8 h = { 0 }, e;
	float tail = 0.0f;
	u32 i = 0;

	for (; i + 64 <= n; i += 64) {
		d = load16(a + i) - load16(b + i);
		s0 += d * d;
		d = load16(a + i + 16) - load16(b + i + 16);
		s1 += d * d;
		d = load16(a + i + 32) - load16(b + i + 32);
		s2 += d * d;
		d = load16(a + i + 48) - load16(b + i + 48);
		s3 += d * d;
	}
	for (; i + 16 <= n; i += 16) {
		d = load16(a + i) - load16(b + i);
		s0 += d * d;
	}
	if (i + 8 <= n) {
		e = load8(a + i) - load8(b + i);
		h = e * e;
		i += 8;
	}
	for (; i < n; i++) {
		float t = a[i] - b[i];

		tail += t * t;
	}
	return hsum8(fold16((s0 + s1) + (s2 + s3)) + h) + tail;
}

static float l1_avx512(const float *a, const float *b, u32 n)
{
	vx_f32x16 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
	vx_f32x8 h = { 0 };
	float tail = 0.0f;
	u32 i = 0;

	for (; i + 64 <= n; i += 64) {
		s0 += abs16(load16(a + i) - load16(b + i));
		s1 += abs16(load16(a + i + 16) - load16(b + i + 16));
		s2 += abs16(load16(a + i + 32) - load16(b + i + 32));
		s3 += abs16(load16(a + i + 48) - load16(b + i + 48));
	}
	for (; i + 16 <= n; i += 16)
		s0 += abs16(load16(a + i) - load16(b + i));
	if (i + 8 <= n) {
		h = abs8(load8(a + i) - load8(b + i));
		i += 8;
	}
	for (; i < n; i++) {
		float t = a[i] - b[i];

		tail += t < 0.0f ? -t : t;
	}
	return hsum8(fold16((s0 + s1) + (s2 + s3)) + h) + tail;
}

static void keys_avx512(enum vx_metric metric, const float *q,
			const float *const *vecs, u32 n, u32 dim, u32 *keys)
{
	u32 i;

	switch (metric) {
	case VX_METRIC_EUCLID:
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				vx_prefetch_vector(vecs[i + 1], dim);
			keys[i] = vx_float_to_key(l2sq_avx512(q, vecs[i], dim));
		}
		break;
	case VX_METRIC_MANHATTAN:
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				vx_prefetch_vector(vecs[i + 1], dim);
			keys[i] = vx_float_to_key(l1_avx512(q, vecs[i], dim));
		}
		break;
	default:
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				vx_prefetch_vector(vecs[i + 1], dim);
			keys[i] = vx_float_to_key(-dot_avx512(q, vecs[i], dim));
		}
		break;
	}
}

const struct vx_dist_impl vx_dist_avx512 = {
	.name = "avx512",
	.cpu_feature = VX_CPU_AVX512F,
	.keys = keys_avx512,
};
