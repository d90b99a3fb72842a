// SPDX-License-Identifier: GPL-2.0
#include "idmap.h"

#define IDMAP_MIN_CAPACITY 16u

/* splitmix64's finaliser: sequential ids spread over the whole table. */
static u64 idmap_hash(u64 id)
{
	id ^= id >> 30;
	id *= 0xBF58476D1CE4E5B9ull;
	id ^= id >> 27;
	id *= 0x94D049BB133111EBull;
	return id ^ (id >> 31);
}

static int idmap_alloc(struct vx_idmap *map, u64 capacity)
{
	u64 i;

	map->ids = vx_alloc_array(capacity, sizeof(*map->ids));
	map->slots = vx_alloc_array(capacity, sizeof(*map->slots));
	if (!map->ids || !map->slots) {
		vx_free(map->ids);
		vx_free(map->slots);
		return -ENOMEM;
	}
	for (i = 0; i < capacity; i++)
		map->slots[i] = VX_SLOT_NONE;
	map->mask = capacity - 1;
	map->count = 0;
	return 0;
}

int vx_idmap_init(struct vx_idmap *map)
{
	return idmap_alloc(map, IDMAP_MIN_CAPACITY);
}

void vx_idmap_destroy(struct vx_idmap *map)
{
	vx_free(map->ids);
	vx_free(map->slots);
	map->ids = NULL;
	map->slots = NULL;
}

/* Bucket holding @id, or the empty bucket where it would go. */
static u64 idmap_find(const struct vx_idmap *map, u64 id)
{
	u64 b = idmap_hash(id) & map->mask;

	while (map->slots[b] != VX_SLOT_NONE && map->ids[b] != id)
		b = (b + 1) & map->mask;
	return b;
}

u32 vx_idmap_get(const struct vx_idmap *map, u64 id)
{
	return map->slots[idmap_find(map, id)];
}

/* Keep the load factor at or below 3/4 so probe sequences stay short. */
static int idmap_grow(struct vx_idmap *map)
{
	struct vx_idmap bigger;
	u64 i;
	int err;

	err = idmap_alloc(&bigger, (map->mask + 1) * 2);
	if (err)
		return err;
	for (i = 0; i <= map->mask; i++) {
		u64 b;

		if (map->slots[i] == VX_SLOT_NONE)
			continue;
		b = idmap_find(&bigger, map->ids[i]);
		bigger.ids[b] = map->ids[i];
		bigger.slots[b] = map->slots[i];
	}
	bigger.count = map->count;
	vx_idmap_destroy(map);
	*map = bigger;
	return 0;
}

int vx_idmap_reserve_one(struct vx_idmap *map)
{
	if ((map->count + 1) * 4 > (map->mask + 1) * 3)
		return idmap_grow(map);
	return 0;
}

int vx_idmap_put(struct vx_idmap *map, u64 id, u32 slot)
{
	u64 b = idmap_find(map, id);
	int err;

	if (map->slots[b] != VX_SLOT_NONE) {
		map->slots[b] = slot;
		return 0;
	}
	err = vx_idmap_reserve_one(map);
	if (err)
		return err;
	b = idmap_find(map, id);
	map->ids[b] = id;
	map->slots[b] = slot;
	map->count++;
	return 0;
}

/*
 * Backward-shift deletion: pull later members of the probe run into the hole
 * when their home bucket does not lie cyclically in (hole, their bucket].
 */
u32 vx_idmap_remove(struct vx_idmap *map, u64 id)
{
	u64 hole = idmap_find(map, id), b, home;
	u32 slot = map->slots[hole];

	if (slot == VX_SLOT_NONE)
		return VX_SLOT_NONE;
	b = hole;
	for (;;) {
		b = (b + 1) & map->mask;
		if (map->slots[b] == VX_SLOT_NONE)
			break;
		home = idmap_hash(map->ids[b]) & map->mask;
		if (((b - home) & map->mask) >= ((b - hole) & map->mask)) {
			map->ids[hole] = map->ids[b];
			map->slots[hole] = map->slots[b];
			hole = b;
		}
	}
	map->slots[hole] = VX_SLOT_NONE;
	map->count--;
	return slot;
}
