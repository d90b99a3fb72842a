/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Point id (u64) -> storage slot (u32) hash map: open addressing with linear
 * probing and backward-shift deletion (no tombstones, so lookups never slow
 * down after many deletes). Keys and values live in two arrays, 12 bytes per
 * entry. Not thread-safe: the owner serialises every call.
 */
#ifndef VEXFS_CORE_IDMAP_H
#define VEXFS_CORE_IDMAP_H

#include "shim.h"

#define VX_SLOT_NONE 0xFFFFFFFFu

struct vx_idmap {
	u64 *ids;
	u32 *slots; /* VX_SLOT_NONE marks an empty bucket */
	u64 mask; /* capacity - 1; capacity is a power of two */
	u64 count;
};

int vx_idmap_init(struct vx_idmap *map);
void vx_idmap_destroy(struct vx_idmap *map);

/* The slot of @id, or VX_SLOT_NONE. */
u32 vx_idmap_get(const struct vx_idmap *map, u64 id);

/* Map @id to @slot, replacing any previous mapping. -ENOMEM leaves it unchanged. */
int vx_idmap_put(struct vx_idmap *map, u64 id, u32 slot);

/* Make sure the next put cannot fail (it will not need to grow). */
int vx_idmap_reserve_one(struct vx_idmap *map);

/* Remove @id; returns its slot or VX_SLOT_NONE. */
u32 vx_idmap_remove(struct vx_idmap *map, u64 id);

#endif /* VEXFS_CORE_IDMAP_H */
