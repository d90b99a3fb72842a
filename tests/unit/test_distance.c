// SPDX-License-Identifier: GPL-2.0
/*
 * Every distance implementation against the scalar reference and against a
 * double-precision oracle, over dimensions 1..4096 with unaligned vectors.
 */
#include "shim.h"
#include "distance.h"
#include "vxtest.h"
#include <math.h>

#define MAX_DIM 4096
#define SLACK 16 /* misalignment offsets, in floats */

static u64 rng_state = 0x1234567887654321ull;

static u64 next_u64(void)
{
	u64 z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static float uniform(float lo, float hi)
{
	return lo + (hi - lo) * (float)((next_u64() >> 40) * 0x1p-24);
}

static float key_to_float(u32 key)
{
	u32 bits = vx_dist_key_to_bits(key);
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* The oracle, in double, with the sum of magnitudes for the error bound. */
static double oracle(enum vx_metric m, const float *a, const float *b, u32 n,
		     double *magnitude)
{
	double sum = 0, mag = 0;

	for (u32 i = 0; i < n; i++) {
		double t;

		switch (m) {
		case VX_METRIC_EUCLID:
			t = ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
			break;
		case VX_METRIC_MANHATTAN:
			t = fabs((double)a[i] - b[i]);
			break;
		default:
			t = -(double)a[i] * b[i];
			break;
		}
		sum += t;
		mag += fabs(t);
	}
	*magnitude = mag;
	return sum;
}

static const enum vx_metric metrics[] = { VX_METRIC_DOT, VX_METRIC_COSINE,
					  VX_METRIC_EUCLID,
					  VX_METRIC_MANHATTAN };

/*
 * Float sums of n terms are within about n * 2^-24 of the exact sum, relative
 * to the sum of magnitudes; allow that plus subtraction rounding.
 */
static int within(double got, double want, double magnitude, u32 n)
{
	double tol = (n + 8) * 0x1p-23 * magnitude + 1e-30;

	return fabs(got - want) <= tol;
}

VX_TEST(every_impl_matches_oracle_dims_1_to_4096_unaligned)
{
	static float abuf[MAX_DIM + SLACK], bbuf[MAX_DIM + SLACK];
	const char *const *names = vx_dist_impl_names();
	int tested = 0;

	for (u32 i = 0; i < MAX_DIM + SLACK; i++) {
		abuf[i] = uniform(-1, 1);
		bbuf[i] = uniform(-1, 1) * (i % 7 == 0 ? 100.0f : 1.0f);
	}
	for (const char *const *name = names; *name; name++) {
		if (vx_dist_select(*name)) {
			printf("# %s: not supported on this CPU, skipped\n",
			       *name);
			continue;
		}
		tested++;
		for (u32 dim = 1; dim <= MAX_DIM; dim++) {
			const float *a = abuf + dim % SLACK;
			const float *b = bbuf + (dim * 7 + 3) % SLACK;

			for (size_t k = 0; k < VX_ARRAY_SIZE(metrics); k++) {
				double mag, want = oracle(metrics[k], a, b, dim,
							  &mag);
				u32 key;

				vx_dist_keys(metrics[k], a, &b, 1, dim, &key);
				if (!within(key_to_float(key), want, mag, dim))
					VX_FAIL("%s metric %d dim %u: %.9g vs %.9g",
						*name, metrics[k], dim,
						key_to_float(key), want);
			}
		}
	}
	VX_ASSERT(tested >= 1);
	vx_dist_select("generic");
	VX_ASSERT(!strcmp(vx_dist_impl_name(), "generic"));
}

VX_TEST(simd_matches_generic_batches)
{
	enum { N = 37 };
	static float data[N][MAX_DIM + SLACK];
	static float query[MAX_DIM + SLACK];
	const float *vecs[N];
	u32 ref[N], got[N];
	const char *const *names = vx_dist_impl_names();
	static const u32 dims[] = { 1,	  3,	7,    8,   9,	15,  16,
				    17,	  31,	33,   63,  64,	65,  100,
				    127,  128,	129,  255, 257, 784, 960,
				    1023, 1536, 4095, 4096 };

	for (u32 v = 0; v < N; v++)
		for (u32 i = 0; i < MAX_DIM + SLACK; i++)
			data[v][i] = uniform(-2, 2);
	for (u32 i = 0; i < MAX_DIM + SLACK; i++)
		query[i] = uniform(-2, 2);

	for (size_t d = 0; d < VX_ARRAY_SIZE(dims); d++) {
		u32 dim = dims[d];

		for (u32 v = 0; v < N; v++)
			vecs[v] = data[v] + (v * 5) % SLACK;
		for (size_t k = 0; k < VX_ARRAY_SIZE(metrics); k++) {
			vx_dist_select("generic");
			vx_dist_keys(metrics[k], query + 1, vecs, N, dim, ref);
			for (const char *const *name = names; *name; name++) {
				if (vx_dist_select(*name))
					continue;
				vx_dist_keys(metrics[k], query + 1, vecs, N,
					     dim, got);
				for (u32 v = 0; v < N; v++) {
					double mag;

					oracle(metrics[k], query + 1, vecs[v],
					       dim, &mag);
					if (!within(key_to_float(got[v]),
						    key_to_float(ref[v]), mag,
						    2 * dim))
						VX_FAIL("%s metric %d dim %u vec %u: %.9g vs generic %.9g",
							*name, metrics[k], dim,
							v, key_to_float(got[v]),
							key_to_float(ref[v]));
				}
			}
		}
	}
	vx_dist_select("generic");
}

/*
 * The SIMD kernels score a batch several vectors per pass over the query
 * (4 with AVX-512 and NEON, 2 with AVX2). Over every dimension 1..4096, with
 * unaligned vectors, each key of a batch must be bit-identical to scoring
 * that vector alone (so graphs never depend on batch grouping) and agree
 * with the scalar reference. Batches of 1..9 cover full groups and every
 * remainder.
 */
VX_TEST(batched_kernels_equal_single_every_dim)
{
	enum { N = 9 };
	static float data[N][MAX_DIM + SLACK];
	static float query[MAX_DIM + SLACK];
	const float *vecs[N];
	u32 batch[N], one, ref[N];
	const char *const *names = vx_dist_impl_names();
	int tested = 0;

	for (u32 v = 0; v < N; v++)
		for (u32 i = 0; i < MAX_DIM + SLACK; i++)
			data[v][i] = uniform(-2, 2);
	for (u32 i = 0; i < MAX_DIM + SLACK; i++)
		query[i] = uniform(-2, 2);
	for (const char *const *name = names; *name; name++) {
		if (vx_dist_select(*name))
			continue;
		tested++;
		for (u32 dim = 1; dim <= MAX_DIM; dim++) {
			const float *q = query + (dim * 3) % SLACK;
			u32 nb = 1 + dim % N;

			for (u32 v = 0; v < N; v++)
				vecs[v] = data[v] + (dim + v * 5) % SLACK;
			for (size_t k = 0; k < VX_ARRAY_SIZE(metrics); k++) {
				vx_dist_select("generic");
				vx_dist_keys(metrics[k], q, vecs, nb, dim, ref);
				vx_dist_select(*name);
				vx_dist_keys(metrics[k], q, vecs, nb, dim,
					     batch);
				for (u32 v = 0; v < nb; v++) {
					double mag;

					vx_dist_keys(metrics[k], q, &vecs[v], 1,
						     dim, &one);
					if (one != batch[v])
						VX_FAIL("%s metric %d dim %u: vec %u of %u: batch %08x, alone %08x",
							*name, metrics[k], dim,
							v, nb, batch[v], one);
					oracle(metrics[k], q, vecs[v], dim,
					       &mag);
					if (!within(key_to_float(batch[v]),
						    key_to_float(ref[v]), mag,
						    2 * dim))
						VX_FAIL("%s metric %d dim %u vec %u: %.9g vs generic %.9g",
							*name, metrics[k], dim,
							v,
							key_to_float(batch[v]),
							key_to_float(ref[v]));
				}
			}
		}
	}
	VX_ASSERT(tested >= 2);
	vx_dist_select("generic");
}

/* Batches longer than one FPU section are split; results must not change. */
VX_TEST(section_chunking_keeps_results)
{
	enum { N = 5 };
	const u32 dim = VX_DIM_MAX;
	float *q = vx_alloc_array(dim, sizeof(float));
	float *base = vx_alloc_array((size_t)N * dim, sizeof(float));
	const float *vecs[N];
	u32 batch[N], one;

	for (u32 i = 0; i < dim; i++)
		q[i] = uniform(-1, 1);
	for (u32 i = 0; i < N * dim; i++)
		base[i] = uniform(-1, 1);
	for (u32 v = 0; v < N; v++)
		vecs[v] = base + (size_t)v * dim;
	vx_dist_init();
	vx_dist_keys(VX_METRIC_EUCLID, q, vecs, N, dim, batch);
	for (u32 v = 0; v < N; v++) {
		vx_dist_keys(VX_METRIC_EUCLID, q, &vecs[v], 1, dim, &one);
		VX_ASSERT_EQ(one, batch[v]);
	}
	vx_free(q);
	vx_free(base);
}

/* Keys order like the distances they encode, over the whole float line. */
VX_TEST(keys_order_like_floats)
{
	static const float samples[] = { -INFINITY, -3e38f, -1.5f,   -1e-40f,
					 0.0f,	    1e-40f, 1e-7f,   1.0f,
					 2.5f,	    3e38f,  INFINITY };
	const float one = 1.0f, *v = &one;
	u32 prev = 0;

	vx_dist_init();
	/* Dot with (1) is s and its internal distance is -s: keys descend. */
	for (size_t i = 0; i < VX_ARRAY_SIZE(samples); i++) {
		float d;
		u32 key;

		vx_dist_keys(VX_METRIC_DOT, &samples[i], &v, 1, 1, &key);
		VX_ASSERT(i == 0 || key < prev);
		d = key_to_float(key);
		VX_ASSERT(d == -samples[i]);
		prev = key;
	}
}

VX_TEST(dot_keys_negate_and_scores_restore)
{
	float a[4] = { 1, 2, 3, 4 }, b[4] = { 0.5f, -1, 2, 0.25f };
	const float *vb = b;
	u32 key;
	float score;

	vx_dist_init();
	vx_dist_keys(VX_METRIC_DOT, a, &vb, 1, 4, &key);
	vx_dist_keys_to_scores(VX_METRIC_DOT, &key, 1, &score);
	VX_ASSERT(score == 0.5f - 2 + 6 + 1);
	vx_dist_keys(VX_METRIC_EUCLID, a, &vb, 1, 4, &key);
	vx_dist_keys_to_scores(VX_METRIC_EUCLID, &key, 1, &score);
	VX_ASSERT(score == sqrtf(0.25f + 9 + 1 + 14.0625f));
	vx_dist_keys(VX_METRIC_MANHATTAN, a, &vb, 1, 4, &key);
	vx_dist_keys_to_scores(VX_METRIC_MANHATTAN, &key, 1, &score);
	VX_ASSERT(score == 0.5f + 3 + 1 + 3.75f);
}

/* The libm-free square root must agree with sqrtf bit for bit. */
VX_TEST(euclid_sqrt_is_correctly_rounded)
{
	enum { N = 1 << 16 };
	static u32 keys[N];
	static float scores[N], inputs[N];
	u32 mismatches = 0;

	for (int round = 0; round < 8; round++) {
		for (u32 i = 0; i < N; i++) {
			float d;
			u32 bits;

			if (round == 0 && i < 64)
				d = (float)i; /* perfect squares and friends */
			else
				d = ldexpf(uniform(1, 2),
					   (int)(next_u64() % 250) - 140);
			inputs[i] = d;
			memcpy(&bits, &d, sizeof(bits));
			keys[i] = bits | 0x80000000u;
		}
		vx_dist_keys_to_scores(VX_METRIC_EUCLID, keys, N, scores);
		for (u32 i = 0; i < N; i++)
			if (scores[i] != sqrtf(inputs[i]))
				mismatches++;
	}
	VX_ASSERT_EQ(mismatches, 0);
}

VX_TEST(cosine_prepare_normalises)
{
	float v[5] = { 3, 0, 4, 0, 0 }, out[5], zero[5] = { 0 };

	vx_dist_prepare(VX_METRIC_COSINE, v, out, 5);
	VX_ASSERT(out[0] == 0.6f && out[2] == 0.8f && out[1] == 0.0f);
	vx_dist_prepare(VX_METRIC_COSINE, v, v, 5); /* in place */
	VX_ASSERT(v[0] == 0.6f && v[2] == 0.8f);
	vx_dist_prepare(VX_METRIC_COSINE, zero, out, 5);
	for (int i = 0; i < 5; i++)
		VX_ASSERT(out[i] == 0.0f);
	v[0] = 3;
	vx_dist_prepare(VX_METRIC_EUCLID, v, out, 5);
	VX_ASSERT(out[0] == 3.0f && out[2] == 0.8f);
}

VX_TEST(cosine_score_of_prepared_vectors)
{
	enum { DIM = 100 };
	float a[DIM], b[DIM];
	const float *vb = b;
	double dot = 0, na = 0, nb = 0;
	u32 key;
	float score;

	for (int i = 0; i < DIM; i++) {
		a[i] = uniform(-3, 3);
		b[i] = uniform(-3, 3);
		dot += (double)a[i] * b[i];
		na += (double)a[i] * a[i];
		nb += (double)b[i] * b[i];
	}
	vx_dist_prepare(VX_METRIC_COSINE, a, a, DIM);
	vx_dist_prepare(VX_METRIC_COSINE, b, b, DIM);
	vx_dist_keys(VX_METRIC_COSINE, a, &vb, 1, DIM, &key);
	vx_dist_keys_to_scores(VX_METRIC_COSINE, &key, 1, &score);
	VX_ASSERT(fabs(score - dot / sqrt(na * nb)) < 1e-5);
}

/* The check the module runs in the guest kernel passes here too. */
VX_TEST(in_kernel_selftest_passes)
{
	VX_ASSERT_EQ(vx_dist_selftest(), 0);
}

VX_TEST(finite_check)
{
	float v[3] = { 1, -2, 3 };

	VX_ASSERT(vx_vector_is_finite(v, 3));
	v[1] = NAN;
	VX_ASSERT(!vx_vector_is_finite(v, 3));
	v[1] = -INFINITY;
	VX_ASSERT(!vx_vector_is_finite(v, 3));
	v[1] = 3e38f;
	VX_ASSERT(vx_vector_is_finite(v, 3));
}

int main(void)
{
	printf("# distance implementation chosen for this CPU: ");
	vx_dist_init();
	printf("%s\n", vx_dist_impl_name());
	return vx_run_tests();
}
