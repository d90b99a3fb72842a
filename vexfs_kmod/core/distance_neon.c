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

enum { OP_DOT, OP_L2, OP_L1 };

/* One 4-wide step of a sum: s + contribution of (q, v). */
static __always_inline vx_f32x4 step4(int op, vx_f32x4 s, vx_f32x4 q,
				      vx_f32x4 v)
{
	vx_f32x4 d;

	if (op == OP_DOT)
		return s + q * v;
	d = q - v;
	return op == OP_L2 ? s + d * d : s + abs4(d);
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
 * one pass over @q: each 16-float block of the query is loaded once for all
 * of them and their memory streams run side by side. Each vector keeps the
 * four accumulators and summation order of the one-vector case, so a key
 * never depends on how a batch was grouped; 16 accumulators, the query
 * block and temporaries fit the 32 vector registers.
 */
static __always_inline void dist_n(int op, const float *q,
				   const float *const *v, u32 n, u32 *keys,
				   const u32 nv)
{
	vx_f32x4 s[4][4], qv;
	float tail[4], r;
	u32 i = 0, j, k;

#pragma GCC unroll 4
	for (j = 0; j < nv; j++) {
#pragma GCC unroll 4
		for (k = 0; k < 4; k++)
			s[j][k] = (vx_f32x4){ 0 };
		tail[j] = 0.0f;
	}
	for (; i + 16 <= n; i += 16) {
#pragma GCC unroll 4
		for (k = 0; k < 4; k++) {
			qv = load4(q + i + 4 * k);
#pragma GCC unroll 4
			for (j = 0; j < nv; j++)
				s[j][k] = step4(op, s[j][k], qv,
						load4(v[j] + i + 4 * k));
		}
	}
	for (; i + 4 <= n; i += 4) {
		qv = load4(q + i);
#pragma GCC unroll 4
		for (j = 0; j < nv; j++)
			s[j][0] = step4(op, s[j][0], qv, load4(v[j] + i));
	}
	for (; i < n; i++)
#pragma GCC unroll 4
		for (j = 0; j < nv; j++)
			tail[j] = step1(op, tail[j], q[i], v[j][i]);
#pragma GCC unroll 4
	for (j = 0; j < nv; j++) {
		r = hsum4((s[j][0] + s[j][1]) + (s[j][2] + s[j][3])) + tail[j];
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

static void keys_neon(enum vx_metric metric, const float *q,
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

const struct vx_dist_impl vx_dist_neon = {
	.name = "neon",
	.cpu_feature = VX_CPU_NEON,
	.keys = keys_neon,
};
