// SPDX-License-Identifier: GPL-2.0
/*
 * Distance dispatch: chooses an implementation once by CPU feature and runs
 * every call into it inside short FPU sections.
 *
 * This file has no float code and is built without FPU flags: the kernel's
 * floating-point rules want kernel_fpu_begin()/end() called from outside the
 * translation unit that uses the FPU, since the compiler may schedule float
 * instructions anywhere inside a function built with FPU flags.
 */
#include "shim.h"
#include "distance_impl.h"

/* Preference order: the first supported one wins. */
static const struct vx_dist_impl *const vx_dist_impls[] = {
#if defined(__x86_64__)
	&vx_dist_avx512,  &vx_dist_avx2,
#endif
#if defined(__aarch64__)
	&vx_dist_neon,
#endif
	&vx_dist_generic, NULL,
};

static const char *const vx_dist_names[] = {
#if defined(__x86_64__)
	"avx512",  "avx2",
#endif
#if defined(__aarch64__)
	"neon",
#endif
	"generic", NULL,
};

static const struct vx_dist_impl *vx_dist_active;

const struct vx_dist_impl *const *vx_dist_all_impls(void)
{
	return vx_dist_impls;
}

bool vx_dist_impl_supported(const struct vx_dist_impl *impl)
{
	return impl->cpu_feature < 0 ||
	       vx_cpu_has((enum vx_cpu_feature)impl->cpu_feature);
}

void vx_dist_init(void)
{
	size_t i;

	if (vx_read_once(vx_dist_active))
		return;
	for (i = 0; vx_dist_impls[i]; i++) {
		if (vx_dist_impl_supported(vx_dist_impls[i])) {
			/* Racing first callers all store the same pointer. */
			vx_write_once(vx_dist_active, vx_dist_impls[i]);
			return;
		}
	}
}

static const struct vx_dist_impl *active_impl(void)
{
	const struct vx_dist_impl *impl = vx_read_once(vx_dist_active);

	if (unlikely(!impl)) {
		vx_dist_init();
		impl = vx_read_once(vx_dist_active);
	}
	return impl;
}

const char *vx_dist_impl_name(void)
{
	return active_impl()->name;
}

const char *const *vx_dist_impl_names(void)
{
	return vx_dist_names;
}

int vx_dist_select(const char *name)
{
	size_t i;

	for (i = 0; vx_dist_impls[i]; i++) {
		if (strcmp(vx_dist_impls[i]->name, name))
			continue;
		if (!vx_dist_impl_supported(vx_dist_impls[i]))
			return -ENODEV;
		vx_write_once(vx_dist_active, vx_dist_impls[i]);
		return 0;
	}
	return -ENODEV;
}

void vx_dist_keys(enum vx_metric metric, const float *q,
		  const float *const *vecs, u32 n, u32 dim, u32 *keys)
{
	const struct vx_dist_impl *impl = active_impl();
	u32 per_section, done, step;

	if (!dim) {
		/* Zero-length vectors are all at distance 0 (not a stored shape). */
		for (done = 0; done < n; done++)
			keys[done] = 0x80000000u;
		return;
	}
	per_section =
		dim >= VX_FPU_SECTION_FLOATS ? 1 : VX_FPU_SECTION_FLOATS / dim;
	for (done = 0; done < n; done += step) {
		step = min(per_section, n - done);
		vx_fpu_begin();
		impl->keys(metric, q, vecs + done, step, dim, keys + done);
		vx_fpu_end();
	}
}

void vx_dist_prepare(enum vx_metric metric, const float *in, float *out,
		     u32 dim)
{
	/* At most VX_DIM_MAX elements, twice over: one section. */
	vx_fpu_begin();
	vx_dist_generic_prepare(metric, in, out, dim);
	vx_fpu_end();
}

void vx_dist_keys_to_scores(enum vx_metric metric, const u32 *keys, u32 n,
			    float *scores)
{
	u32 done, step;

	/* A square root costs a few divisions; keep sections short for big k. */
	for (done = 0; done < n; done += step) {
		step = min(1024u, n - done);
		vx_fpu_begin();
		vx_dist_generic_scores(metric, keys + done, step,
				       scores + done);
		vx_fpu_end();
	}
}

void vx_dist_score_points(enum vx_metric metric, struct vx_scored_point *pts,
			  u32 n)
{
	u32 done, step;

	for (done = 0; done < n; done += step) {
		step = min(1024u, n - done);
		vx_fpu_begin();
		vx_dist_generic_score_points(metric, pts + done, step);
		vx_fpu_end();
	}
}

bool vx_vector_is_finite(const float *v, u32 dim)
{
	u32 i, bits;

	for (i = 0; i < dim; i++) {
		__builtin_memcpy(&bits, &v[i], sizeof(bits));
		if ((bits & 0x7F800000u) == 0x7F800000u)
			return false;
	}
	return true;
}
