// SPDX-License-Identifier: GPL-2.0
#include "vecstore.h"

/* Chunks of about this many bytes: big enough to amortise, small enough to waste little. */
#define CHUNK_TARGET_BYTES (256u << 10)
#define DIR_MIN_CAPACITY 16u
#define RECORD_ALIGN 64u
#define INDEX_BYTES_MAX (64u << 10)
/* Slot numbers are u32 and VX_SLOT_NONE is reserved. */
#define SLOTS_MAX (VX_SLOT_NONE - 1)

static struct vx_chunk_dir *dir_alloc(u32 capacity)
{
	struct vx_chunk_dir *dir;

	dir = vx_zalloc(sizeof(*dir) +
			(size_t)capacity * sizeof(dir->chunks[0]));
	if (dir)
		dir->capacity = capacity;
	return dir;
}

int vx_vecstore_init(struct vx_vecstore *vs, u32 dim, enum vx_metric metric,
		     u32 index_bytes)
{
	u32 records, shift = 0;
	int err;

	if (!dim || dim > VX_DIM_MAX || !vx_metric_valid(metric) ||
	    index_bytes > INDEX_BYTES_MAX)
		return -EINVAL;
	memset(vs, 0, sizeof(*vs));
	vs->dim = dim;
	vs->metric = metric;
	vs->head_off = VX_ALIGN_UP(dim * (u32)sizeof(float), 8u);
	vs->index_off = vs->head_off + (u32)sizeof(struct vx_slot_head);
	vs->index_bytes = VX_ALIGN_UP(index_bytes, 8u);
	vs->stride = VX_ALIGN_UP(vs->index_off + vs->index_bytes, RECORD_ALIGN);
	records = CHUNK_TARGET_BYTES / vs->stride;
	while (records >> (shift + 1))
		shift++;
	vs->chunk_shift = shift;
	vs->dir = dir_alloc(DIR_MIN_CAPACITY);
	vs->chunk_mem = vx_zalloc_array(DIR_MIN_CAPACITY, sizeof(void *));
	if (!vs->dir || !vs->chunk_mem) {
		err = -ENOMEM;
		goto fail;
	}
	err = vx_idmap_init(&vs->ids);
	if (err)
		goto fail;
	return 0;
fail:
	vx_free(vs->dir);
	vx_free(vs->chunk_mem);
	return err;
}

struct vx_chunk_dir *vx_vecstore_detach_retired(struct vx_vecstore *vs)
{
	struct vx_chunk_dir *old = vs->dir->older;

	vs->dir->older = NULL;
	return old;
}

void vx_vecstore_free_dirs(struct vx_chunk_dir *list)
{
	struct vx_chunk_dir *next;

	for (; list; list = next) {
		next = list->older;
		vx_free(list);
	}
}

void vx_vecstore_destroy(struct vx_vecstore *vs)
{
	u32 i;

	if (!vs->dir)
		return;
	vx_vecstore_free_dirs(vx_vecstore_detach_retired(vs));
	for (i = 0; i < vs->nr_chunks; i++)
		vx_free(vs->chunk_mem[i]);
	vx_free(vs->chunk_mem);
	vx_free(vs->dir);
	vx_free(vs->free_slots);
	vx_idmap_destroy(&vs->ids);
	memset(vs, 0, sizeof(*vs));
}

/*
 * A directory with room for one more chunk. Readers may still be walking the
 * old one, so it is chained for vx_vecstore_free_retired(), not freed.
 */
static int dir_make_room(struct vx_vecstore *vs)
{
	struct vx_chunk_dir *old = vs->dir, *dir;
	void **mem;

	if (vs->nr_chunks < old->capacity)
		return 0;
	dir = dir_alloc(old->capacity * 2);
	mem = vx_zalloc_array((size_t)old->capacity * 2, sizeof(void *));
	if (!dir || !mem) {
		vx_free(dir);
		vx_free(mem);
		return -ENOMEM;
	}
	memcpy(dir->chunks, old->chunks,
	       vs->nr_chunks * sizeof(dir->chunks[0]));
	memcpy(mem, vs->chunk_mem, vs->nr_chunks * sizeof(void *));
	dir->older = old;
	vx_free(vs->chunk_mem);
	vs->chunk_mem = mem;
	vx_store_release(&vs->dir, dir);
	return 0;
}

/* The free list can hold every slot that exists, so release never fails. */
static int free_list_reserve(struct vx_vecstore *vs, u64 slots)
{
	u32 *bigger;

	if (slots <= vs->free_capacity)
		return 0;
	bigger = vx_alloc_array(slots, sizeof(u32));
	if (!bigger)
		return -ENOMEM;
	if (vs->nr_free)
		memcpy(bigger, vs->free_slots, vs->nr_free * sizeof(u32));
	vx_free(vs->free_slots);
	vs->free_slots = bigger;
	vs->free_capacity = (u32)slots;
	return 0;
}

static int add_chunk(struct vx_vecstore *vs)
{
	u32 per_chunk = 1u << vs->chunk_shift;
	size_t bytes = (size_t)per_chunk * vs->stride;
	u64 slots_after = (u64)(vs->nr_chunks + 1) << vs->chunk_shift;
	void *mem;
	int err;

	err = dir_make_room(vs);
	if (err)
		return err;
	if (slots_after > SLOTS_MAX)
		slots_after = SLOTS_MAX;
	err = free_list_reserve(vs, slots_after);
	if (err)
		return err;
	mem = vx_alloc(bytes + RECORD_ALIGN - 1);
	if (!mem)
		return -ENOMEM;
	vs->chunk_mem[vs->nr_chunks] = mem;
	/* Published to readers by the release of vs->nr_slots that follows. */
	vs->dir->chunks[vs->nr_chunks] =
		(u8 *)VX_ALIGN_UP((uintptr_t)mem, (uintptr_t)RECORD_ALIGN);
	vs->nr_chunks++;
	return 0;
}

/* A slot to fill: a released one if any, else a new one (not yet published). */
static int take_slot(struct vx_vecstore *vs, u32 *slot, bool *fresh)
{
	int err;

	if (vs->nr_free) {
		*slot = vs->free_slots[--vs->nr_free];
		*fresh = false;
		return 0;
	}
	if (vs->nr_slots >= SLOTS_MAX)
		return -ENOSPC;
	if (vs->nr_slots == (u64)vs->nr_chunks << vs->chunk_shift) {
		err = add_chunk(vs);
		if (err)
			return err;
	}
	*slot = vs->nr_slots;
	*fresh = true;
	return 0;
}

int vx_vecstore_upsert(struct vx_vecstore *vs, u64 id, const float *vec,
		       u32 *new_slot, u32 *old_slot)
{
	struct vx_slot_head *head;
	bool fresh;
	u32 slot, old;
	int err;

	/* Everything that can fail happens before the store changes. */
	err = vx_idmap_reserve_one(&vs->ids);
	if (err)
		return err;
	err = take_slot(vs, &slot, &fresh);
	if (err)
		return err;

	vx_dist_prepare(vs->metric, vec,
			(float *)(void *)vx_vecstore_record(vs, slot), vs->dim);
	memset(vx_vecstore_index_area(vs, slot), 0, vs->index_bytes);
	head = vx_vecstore_head(vs, slot);
	head->id = id;
	head->pad = 0;
	vx_store_release(&head->state, (u32)VX_SLOT_LIVE);
	if (fresh)
		vx_store_release(&vs->nr_slots, slot + 1);

	old = vx_idmap_get(&vs->ids, id);
	vx_idmap_put(&vs->ids, id, slot); /* cannot fail: reserved */
	if (old != VX_SLOT_NONE)
		vx_write_once(vx_vecstore_head(vs, old)->state,
			      (u32)VX_SLOT_DELETED);
	else
		vx_write_once(vs->nr_live, vs->nr_live + 1);
	*new_slot = slot;
	*old_slot = old;
	return 0;
}

u32 vx_vecstore_delete(struct vx_vecstore *vs, u64 id)
{
	u32 slot = vx_idmap_remove(&vs->ids, id);

	if (slot == VX_SLOT_NONE)
		return VX_SLOT_NONE;
	vx_write_once(vx_vecstore_head(vs, slot)->state, (u32)VX_SLOT_DELETED);
	vx_write_once(vs->nr_live, vs->nr_live - 1);
	return slot;
}

int vx_vecstore_release(struct vx_vecstore *vs, u32 slot)
{
	struct vx_slot_head *head;

	if (slot >= vs->nr_slots)
		return -EINVAL;
	head = vx_vecstore_head(vs, slot);
	if (head->state != VX_SLOT_DELETED)
		return -EINVAL;
	vx_write_once(head->state, (u32)VX_SLOT_FREE);
	vs->free_slots[vs->nr_free++] = slot;
	return 0;
}

int vx_vecstore_get(const struct vx_vecstore *vs, u64 id, float *out)
{
	u32 slot = vx_idmap_get(&vs->ids, id);

	if (slot == VX_SLOT_NONE)
		return -ENOENT;
	memcpy(out, vx_vecstore_vector(vs, slot), vs->dim * sizeof(float));
	return 0;
}

/* Distance computer over raw float32 records. */

static void flat_to_vector(struct vx_dist_computer *dc, const float *q,
			   const u32 *slots, u32 n, u32 *keys)
{
	const struct vx_vecstore *vs = dc->store;
	const float *vecs[VX_DIST_BATCH];
	u32 done, step, i;

	for (done = 0; done < n; done += step) {
		step = min(n - done, VX_DIST_BATCH);
		for (i = 0; i < step; i++)
			vecs[i] = vx_vecstore_vector(vs, slots[done + i]);
		vx_dist_keys(dc->metric, q, vecs, step, dc->dim, keys + done);
	}
}

static void flat_to_query(struct vx_dist_computer *dc, const u32 *slots, u32 n,
			  u32 *keys)
{
	flat_to_vector(dc, dc->query, slots, n, keys);
}

static void flat_between(struct vx_dist_computer *dc, u32 a, const u32 *slots,
			 u32 n, u32 *keys)
{
	flat_to_vector(dc, vx_vecstore_vector(dc->store, a), slots, n, keys);
}

static void flat_query_from_slot(struct vx_dist_computer *dc, u32 a)
{
	dc->query = vx_vecstore_vector(dc->store, a);
}

static const struct vx_dist_computer_ops flat_ops = {
	.to_query = flat_to_query,
	.between = flat_between,
	.query_from_slot = flat_query_from_slot,
};

void vx_vecstore_dc_init(struct vx_dist_computer *dc,
			 const struct vx_vecstore *vs, const float *query)
{
	dc->ops = &flat_ops;
	dc->store = vs;
	dc->query = query;
	dc->metric = vs->metric;
	dc->dim = vs->dim;
}
