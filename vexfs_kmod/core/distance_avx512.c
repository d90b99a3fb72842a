// SPDX-License-Identifier: GPL-2.0
/*
 * AVX-512F distance kernels (x86-64), 16 floats per vector register, with a
 * 256-bit step (AVX-512VL) and a scalar tail for the last < 8 elements.
 * Same rules as distance_avx2.c; built with -mavx512f -mavx512vl -mfma.
 * A batch is scored four vectors per pass over the query (dist_n()).
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

enum { OP_DOT, OP_L2, OP_L1 };

/* One 16-wide step of a sum: s + contribution of (q, v). */
static __always_inline vx_f32x16 step16(int op, vx_f32x16 s, vx_f32x16 q,
					vx_f32x16 v)
{
	vx_f32x16 d;

	if (op == OP_DOT)
		return s + q * v;
	d = q - v;
	return op == OP_L2 ? s + d * d : s + abs16(d);
}

static __always_inline vx_f32x8 first8(int op, vx_f32x8 q, vx_f32x8 v)
{
	vx_f32x8 e;

	if (op == OP_DOT)
		return q * v;
	e = q - v;
	return op == OP_L2 ? e * e : abs8(e);
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
 * Distances from @q to @nv (1 or 4, a constant after inlining) vectors in
 * one pass over @q: each 64-float block of the query is loaded once and
 * used for every vector, and the vectors' cache-line streams run side by
 * side, which keeps more memory reads in flight than one vector at a time.
 * Every vector gets the same accumulators and summation order as in the
 * one-vector case, so a key never depends on how a batch was grouped.
 */
static __always_inline void dist_n(int op, const float *q,
				   const float *const *v, u32 n, u32 *keys,
				   const u32 nv)
{
	vx_f32x16 s[4][4], qv[4];
	vx_f32x8 h[4];
	float tail[4], r;
	u32 i = 0, j, k;

#pragma GCC unroll 4
	for (j = 0; j < nv; j++) {
#pragma GCC unroll 4
		for (k = 0; k < 4; k++)
			s[j][k] = (vx_f32x16){ 0 };
		h[j] = (vx_f32x8){ 0 };
		tail[j] = 0.0f;
	}
	for (; i + 64 <= n; i += 64) {
#pragma GCC unroll 4
		for (k = 0; k < 4; k++)
			qv[k] = load16(q + i + 16 * k);
#pragma GCC unroll 4
		for (j = 0; j < nv; j++)
#pragma GCC unroll 4
			for (k = 0; k < 4; k++)
				s[j][k] = step16(op, s[j][k], qv[k],
						 load16(v[j] + i + 16 * k));
	}
	for (; i + 16 <= n; i += 16) {
		qv[0] = load16(q + i);
#pragma GCC unroll 4
		for (j = 0; j < nv; j++)
			s[j][0] = step16(op, s[j][0], qv[0], load16(v[j] + i));
	}
	if (i + 8 <= n) {
#pragma GCC unroll 4
		for (j = 0; j < nv; j++)
			h[j] = first8(op, load8(q + i), load8(v[j] + i));
		i += 8;
	}
	for (; i < n; i++)
#pragma GCC unroll 4
		for (j = 0; j < nv; j++)
			tail[j] = step1(op, tail[j], q[i], v[j][i]);
#pragma GCC unroll 4
	for (j = 0; j < nv; j++) {
		r = hsum8(fold16((s[j][0] + s[j][1]) + (s[j][2] + s[j][3])) +
			  h[j]) +
		    tail[j];
		keys[j] = vx_float_to_key(op == OP_DOT ? -r : r);
	}
}

/* Groups of four, then one by one; the next group's heads are prefetched. */
static __always_inline void keys_op(int op, const float *q,
				    const float *const *vecs, u32 n, u32 dim,
				    u32 *keys)
{
	u32 i = 0, j;

	for (; i + 4 <= n; i += 4) {
		for (j = i + 4; j < n && j < i + 8; j++)
			vx_prefetch_vector(vecs[j], dim);
		dist_n(op, q, vecs + i, dim, keys + i, 4);
	}
	for (; i < n; i++)
		dist_n(op, q, vecs + i, dim, keys + i, 1);
}

static void keys_avx512(enum vx_metric metric, const float *q,
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

const struct vx_dist_impl vx_dist_avx512 = {
	.name = "avx512",
	.cpu_feature = VX_CPU_AVX512F,
	.keys = keys_avx512,
};
