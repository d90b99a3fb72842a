/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dense float32 storage of one vector space of a collection.
 *
 * Every point lives in a slot: a fixed-size record in a chunk of records.
 *
 *   record = [ vector: dim x f32 | head: id, state | index area ]
 *
 * The index area is reserved for the owner's index (HNSW keeps its level-0
 * links there, hnswlib-style, so one record holds everything a graph step
 * touches). Records are 64-byte aligned so SIMD loads never split a cache
 * line. Chunks never move once allocated; the chunk directory grows by
 * replacing it with a bigger copy and keeping the old copies until the owner
 * says no reader can hold them (vx_vecstore_detach_retired()), so readers
 * need no lock to reach a record.
 *
 * External ids are u64 keys (the collection layer maps Qdrant's UUID ids to
 * keys); an id maps to at most one slot at a time.
 *
 * Concurrency contract:
 *  - writers (upsert, delete, release) are serialised by the owner;
 *  - readers may run concurrently with writers: a slot becomes visible with
 *    a release store of its state, and is only recycled (released) after a
 *    grace period in which every reader that could have seen it finished.
 */
#ifndef VEXFS_CORE_VECSTORE_H
#define VEXFS_CORE_VECSTORE_H

#include "shim.h"
#include "distance.h"
#include "idmap.h"

enum vx_slot_state {
	VX_SLOT_FREE = 0, /* unused, or being filled */
	VX_SLOT_LIVE = 1, /* holds the current vector of its id */
	VX_SLOT_DELETED = 2, /* deleted or superseded; awaits release */
};

struct vx_slot_head {
	u64 id;
	u32 state; /* enum vx_slot_state; read locklessly */
	u32 pad;
};

/* Directory of chunk pointers; replaced, never resized in place. */
struct vx_chunk_dir {
	u32 capacity;
	struct vx_chunk_dir
		*older; /* retired copies, freed after a grace period */
	u8 *chunks[];
};

struct vx_vecstore {
	u32 dim;
	enum vx_metric metric;
	u32 stride; /* bytes per record, multiple of 64 */
	u32 head_off; /* offset of struct vx_slot_head */
	u32 index_off; /* offset of the index area */
	u32 index_bytes;
	u32 chunk_shift; /* log2(records per chunk) */
	struct vx_chunk_dir *dir; /* published with release */
	void **chunk_mem; /* allocation behind each chunk (writer only) */
	u32 nr_chunks;
	u32 nr_slots; /* slots [0, nr_slots) exist; release/acquire */
	u32 *free_slots; /* released slots, reused LIFO */
	u32 nr_free, free_capacity;
	u64 nr_live; /* written by the writer, read with read_once */
	struct vx_idmap ids;
};

/*
 * @index_bytes: size of the per-record index area (zeroed whenever a slot is
 * (re)filled; zero must mean "not in the index").
 */
int vx_vecstore_init(struct vx_vecstore *vs, u32 dim, enum vx_metric metric,
		     u32 index_bytes);
void vx_vecstore_destroy(struct vx_vecstore *vs);

/*
 * Store @vec (prepared on the way in: Cosine vectors are normalised) as the
 * vector of @id. A new slot is always used, so concurrent readers of the old
 * one are undisturbed; the old slot, if any, is marked deleted and returned
 * in *@old_slot (VX_SLOT_NONE otherwise) for the owner to retire.
 */
int vx_vecstore_upsert(struct vx_vecstore *vs, u64 id, const float *vec,
		       u32 *new_slot, u32 *old_slot);

/* Mark @id's slot deleted; returns the slot or VX_SLOT_NONE if absent. */
u32 vx_vecstore_delete(struct vx_vecstore *vs, u64 id);

/* Current slot of @id or VX_SLOT_NONE (writer side, or under the owner's lock). */
static inline u32 vx_vecstore_lookup(const struct vx_vecstore *vs, u64 id)
{
	return vx_idmap_get(&vs->ids, id);
}

/*
 * Make a deleted slot reusable. Only after a grace period: no reader may
 * still hold the slot number.
 */
int vx_vecstore_release(struct vx_vecstore *vs, u32 slot);

/*
 * Directory copies retired by growth, detached from the store (writer side):
 * free them with vx_vecstore_free_dirs() once a grace period has passed
 * since the detach.
 */
struct vx_chunk_dir *vx_vecstore_detach_retired(struct vx_vecstore *vs);
void vx_vecstore_free_dirs(struct vx_chunk_dir *list);

/* Readers. */

static inline u32 vx_vecstore_nr_slots(const struct vx_vecstore *vs)
{
	return vx_load_acquire(&vs->nr_slots);
}

static inline u64 vx_vecstore_nr_live(const struct vx_vecstore *vs)
{
	return vx_read_once(vs->nr_live);
}

static inline u8 *vx_vecstore_record(const struct vx_vecstore *vs, u32 slot)
{
	const struct vx_chunk_dir *dir = vx_load_acquire(&vs->dir);
	u32 mask = (1u << vs->chunk_shift) - 1;

	return dir->chunks[slot >> vs->chunk_shift] +
	       (size_t)(slot & mask) * vs->stride;
}

static inline const float *vx_vecstore_vector(const struct vx_vecstore *vs,
					      u32 slot)
{
	/* The record starts with the vector (64-byte aligned). */
	return (const float *)(void *)vx_vecstore_record(vs, slot);
}

static inline struct vx_slot_head *
vx_vecstore_head(const struct vx_vecstore *vs, u32 slot)
{
	return (struct vx_slot_head *)(vx_vecstore_record(vs, slot) +
				       vs->head_off);
}

static inline void *vx_vecstore_index_area(const struct vx_vecstore *vs,
					   u32 slot)
{
	return vx_vecstore_record(vs, slot) + vs->index_off;
}

/* Is the slot live? Acquire: a true answer makes its vector and id readable. */
static inline bool vx_vecstore_live(const struct vx_vecstore *vs, u32 slot)
{
	return vx_load_acquire(&vx_vecstore_head(vs, slot)->state) ==
	       VX_SLOT_LIVE;
}

static inline u64 vx_vecstore_id(const struct vx_vecstore *vs, u32 slot)
{
	return vx_vecstore_head(vs, slot)->id;
}

/* Copy @id's stored (prepared) vector to @out; -ENOENT if absent. Writer side. */
int vx_vecstore_get(const struct vx_vecstore *vs, u64 id, float *out);

/* A distance computer over this store's raw vectors (see distance.h). */
void vx_vecstore_dc_init(struct vx_dist_computer *dc,
			 const struct vx_vecstore *vs, const float *query);

#endif /* VEXFS_CORE_VECSTORE_H */
