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

enum { OP_DOT, OP_L2, OP_L1 };

/* One 8-wide step of a sum: s + contribution of (q, v). */
static __always_inline vx_f32x8 step8(int op, vx_f32x8 s, vx_f32x8 q,
				      vx_f32x8 v)
{
	vx_f32x8 d;

	if (op == OP_DOT)
		return s + q * v;
	d = q - v;
	return op == OP_L2 ? s + d * d : s + abs8(d);
}

static __always_inline float step1(int op, float s, float q, float v)
{
	float t;

	if (op == OP_DOT)
		return s + q * v;
	t = q - v;
	return op == OP_L2 ? s + t * t : s + (t < 0.0f ? -t : t);
}

/*
 * Distances from @q to @nv (1 or 2, a constant after inlining) vectors in
 * one pass over @q: each block of the query is loaded once for all of them
 * and their memory streams run side by side. Each vector keeps the four
 * accumulators and the summation order of the one-vector case (so a key
 * never depends on how a batch was grouped); two vectors is what the 16
 * YMM registers hold without spilling.
 */
static __always_inline void dist_n(int op, const float *q,
				   const float *const *v, u32 n, u32 *keys,
				   const u32 nv)
{
	vx_f32x8 s[2][4], qv;
	float tail[2], r;
	u32 i = 0, j, k;

#pragma GCC unroll 2
	for (j = 0; j < nv; j++) {
#pragma GCC unroll 4
		for (k = 0; k < 4; k++)
			s[j][k] = (vx_f32x8){ 0 };
		tail[j] = 0.0f;
	}
	for (; i + 32 <= n; i += 32) {
#pragma GCC unroll 4
		for (k = 0; k < 4; k++) {
			qv = load8(q + i + 8 * k);
#pragma GCC unroll 2
			for (j = 0; j < nv; j++)
				s[j][k] = step8(op, s[j][k], qv,
						load8(v[j] + i + 8 * k));
		}
	}
	for (; i + 8 <= n; i += 8) {
		qv = load8(q + i);
#pragma GCC unroll 2
		for (j = 0; j < nv; j++)
			s[j][0] = step8(op, s[j][0], qv, load8(v[j] + i));
	}
	for (; i < n; i++)
#pragma GCC unroll 2
		for (j = 0; j < nv; j++)
			tail[j] = step1(op, tail[j], q[i], v[j][i]);
#pragma GCC unroll 2
	for (j = 0; j < nv; j++) {
		r = hsum8((s[j][0] + s[j][1]) + (s[j][2] + s[j][3])) + tail[j];
		keys[j] = vx_float_to_key(op == OP_DOT ? -r : r);
	}
}

/* Pairs, then the odd one; the next pair's heads are prefetched. */
static __always_inline void keys_op(int op, const float *q,
				    const float *const *vecs, u32 n, u32 dim,
				    u32 *keys)
{
	u32 i = 0, j;

	for (; i + 2 <= n; i += 2) {
		for (j = i + 2; j < n && j < i + 4; j++)
			vx_prefetch_vector(vecs[j], dim);
		dist_n(op, q, vecs + i, dim, keys + i, 2);
	}
	if (i < n)
		dist_n(op, q, vecs + i, dim, keys + i, 1);
}

static void keys_avx2(enum vx_metric metric, const float *q,
		      const float *const *vecs, u32 n, u32 dim, u32 *keys)
{
	/* One instance per metric keeps the kernels direct and inlined. */
	switch (metric) {
	case VX_METRIC_EUCLID:
		keys_op(OP_L2, q, vecs, n, dim, keys);
		break;
	case VX_METRIC_MANHATTAN:
		keys_op(OP_L1, q, vecs, n, dim, keys);
		break;
	default:
		keys_op(OP_DOT, q, vecs, n, dim, keys);
		break;
	}
}

const struct vx_dist_impl vx_dist_avx2 = {
	.name = "avx2",
	.cpu_feature = VX_CPU_AVX2_FMA,
	.keys = keys_avx2,
};
