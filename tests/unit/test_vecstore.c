// SPDX-License-Identifier: GPL-2.0
/* The id map against a reference model, and slot life cycles in the vector store. */
#include "shim.h"
#include "idmap.h"
#include "vecstore.h"
#include "vxtest.h"

static u64 rng_state = 42;

static u64 next_u64(void)
{
	u64 z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

VX_TEST(idmap_matches_reference_under_random_ops)
{
	enum { KEYS = 3000, OPS = 200000 };
	static u32 model[KEYS];
	struct vx_idmap map;
	u64 count = 0;

	VX_ASSERT_EQ(vx_idmap_init(&map), 0);
	for (u32 i = 0; i < KEYS; i++)
		model[i] = VX_SLOT_NONE;
	for (u32 op = 0; op < OPS; op++) {
		u32 k = (u32)(next_u64() % KEYS);
		/* Spread keys so that high bits matter too. */
		u64 id = (u64)k * 0x100000001ull;

		switch (next_u64() % 3) {
		case 0:
		case 1:
			VX_ASSERT_EQ(vx_idmap_put(&map, id, op), 0);
			if (model[k] == VX_SLOT_NONE)
				count++;
			model[k] = op;
			break;
		default:
			VX_ASSERT_EQ(vx_idmap_remove(&map, id), model[k]);
			if (model[k] != VX_SLOT_NONE)
				count--;
			model[k] = VX_SLOT_NONE;
			break;
		}
		if (op % 1000 == 0) {
			for (u32 j = 0; j < KEYS; j++)
				VX_ASSERT_EQ(
					vx_idmap_get(&map,
						     (u64)j * 0x100000001ull),
					model[j]);
		}
		VX_ASSERT_EQ(map.count, count);
	}
	vx_idmap_destroy(&map);
}

VX_TEST(idmap_extreme_ids)
{
	struct vx_idmap map;
	static const u64 ids[] = { 0, 1, ~0ull, 1ull << 63, 0xDEADBEEFull };

	VX_ASSERT_EQ(vx_idmap_init(&map), 0);
	for (size_t i = 0; i < VX_ARRAY_SIZE(ids); i++)
		VX_ASSERT_EQ(vx_idmap_put(&map, ids[i], (u32)i), 0);
	for (size_t i = 0; i < VX_ARRAY_SIZE(ids); i++)
		VX_ASSERT_EQ(vx_idmap_get(&map, ids[i]), i);
	VX_ASSERT_EQ(vx_idmap_get(&map, 2), VX_SLOT_NONE);
	vx_idmap_destroy(&map);
}

VX_TEST(vecstore_rejects_bad_shapes)
{
	struct vx_vecstore vs;

	VX_ASSERT_EQ(vx_vecstore_init(&vs, 0, VX_METRIC_DOT, 0), -EINVAL);
	VX_ASSERT_EQ(vx_vecstore_init(&vs, VX_DIM_MAX + 1, VX_METRIC_DOT, 0),
		     -EINVAL);
	VX_ASSERT_EQ(vx_vecstore_init(&vs, 4, 0, 0), -EINVAL);
	VX_ASSERT_EQ(vx_vecstore_init(&vs, VX_DIM_MAX, VX_METRIC_DOT, 0), 0);
	VX_ASSERT_EQ(vs.stride % 64, 0);
	vx_vecstore_destroy(&vs);
}

VX_TEST(vecstore_upsert_update_delete_release_reuse)
{
	enum { DIM = 7, N = 5000 };
	struct vx_vecstore vs;
	float v[DIM], out[DIM];
	u32 slot, old, first_dead;

	VX_ASSERT_EQ(vx_vecstore_init(&vs, DIM, VX_METRIC_EUCLID, 24), 0);
	for (u32 i = 0; i < N; i++) {
		for (int d = 0; d < DIM; d++)
			v[d] = (float)(i * DIM + d);
		VX_ASSERT_EQ(vx_vecstore_upsert(&vs, 1000 + i, v, &slot, &old),
			     0);
		VX_ASSERT_EQ(slot, i);
		VX_ASSERT_EQ(old, VX_SLOT_NONE);
		VX_ASSERT(((uintptr_t)vx_vecstore_vector(&vs, slot) & 63) == 0);
	}
	VX_ASSERT_EQ(vx_vecstore_nr_live(&vs), N);
	VX_ASSERT_EQ(vx_vecstore_nr_slots(&vs), N);

	/* Every record reads back, across chunk boundaries. */
	for (u32 i = 0; i < N; i += 97) {
		VX_ASSERT_EQ(vx_vecstore_get(&vs, 1000 + i, out), 0);
		VX_ASSERT(out[DIM - 1] == (float)(i * DIM + DIM - 1));
		VX_ASSERT_EQ(vx_vecstore_id(&vs, i), 1000 + i);
		VX_ASSERT(vx_vecstore_live(&vs, i));
	}

	/* An update takes a new slot and kills the old one. */
	v[0] = -1;
	VX_ASSERT_EQ(vx_vecstore_upsert(&vs, 1003, v, &slot, &old), 0);
	VX_ASSERT_EQ(slot, N);
	VX_ASSERT_EQ(old, 3);
	VX_ASSERT(!vx_vecstore_live(&vs, 3));
	VX_ASSERT_EQ(vx_vecstore_nr_live(&vs), N);
	VX_ASSERT_EQ(vx_vecstore_get(&vs, 1003, out), 0);
	VX_ASSERT(out[0] == -1);

	first_dead = vx_vecstore_delete(&vs, 1010);
	VX_ASSERT_EQ(first_dead, 10);
	VX_ASSERT_EQ(vx_vecstore_delete(&vs, 1010), VX_SLOT_NONE);
	VX_ASSERT_EQ(vx_vecstore_get(&vs, 1010, out), -ENOENT);
	VX_ASSERT_EQ(vx_vecstore_nr_live(&vs), N - 1);

	/* Live slots cannot be released; dead ones are reused, LIFO. */
	VX_ASSERT_EQ(vx_vecstore_release(&vs, 11), -EINVAL);
	VX_ASSERT_EQ(vx_vecstore_release(&vs, 3), 0);
	VX_ASSERT_EQ(vx_vecstore_release(&vs, 10), 0);
	VX_ASSERT_EQ(vx_vecstore_release(&vs, 10), -EINVAL);
	VX_ASSERT_EQ(vx_vecstore_upsert(&vs, 77, v, &slot, &old), 0);
	VX_ASSERT_EQ(slot, 10);
	VX_ASSERT_EQ(vx_vecstore_upsert(&vs, 78, v, &slot, &old), 0);
	VX_ASSERT_EQ(slot, 3);
	VX_ASSERT_EQ(vx_vecstore_upsert(&vs, 79, v, &slot, &old), 0);
	VX_ASSERT_EQ(slot, N + 1);
	VX_ASSERT_EQ(vx_vecstore_id(&vs, 10), 77);

	vx_vecstore_free_dirs(vx_vecstore_detach_retired(&vs));
	vx_vecstore_destroy(&vs);
}

VX_TEST(vecstore_cosine_stores_unit_vectors)
{
	struct vx_vecstore vs;
	float v[2] = { 3, 4 }, out[2];
	u32 slot, old;

	VX_ASSERT_EQ(vx_vecstore_init(&vs, 2, VX_METRIC_COSINE, 0), 0);
	VX_ASSERT_EQ(vx_vecstore_upsert(&vs, 1, v, &slot, &old), 0);
	VX_ASSERT_EQ(vx_vecstore_get(&vs, 1, out), 0);
	VX_ASSERT(out[0] == 0.6f && out[1] == 0.8f);
	vx_vecstore_destroy(&vs);
}

int main(void)
{
	return vx_run_tests();
}
