// SPDX-License-Identifier: GPL-2.0
/* Points by external id: open addressing, linear probing, tombstones. */
#include "pointmap.h"

#define TOMBSTONE ((struct vx_point *)1)

bool vx_point_id_eq(const struct vexfs_point_id *a,
		    const struct vexfs_point_id *b)
{
	return a->kind == b->kind && !memcmp(a->uuid, b->uuid, 16);
}

bool vx_point_id_valid(const struct vexfs_point_id *id)
{
	static const u8 zero[8];

	if (id->pad)
		return false;
	if (id->kind == VEXFS_ID_NUM)
		return !memcmp(id->uuid + 8, zero, 8);
	return id->kind == VEXFS_ID_UUID;
}

static u64 id_hash(const struct vexfs_point_id *id)
{
	u64 a, b;

	memcpy(&a, id->uuid, 8);
	memcpy(&b, id->uuid + 8, 8);
	/* A 64-bit mix (splitmix-style finaliser) of both words and the kind. */
	a ^= b * 0x9E3779B97F4A7C15ULL ^ id->kind;
	a ^= a >> 30;
	a *= 0xBF58476D1CE4E5B9ULL;
	a ^= a >> 27;
	a *= 0x94D049BB133111EBULL;
	return a ^ (a >> 31);
}

void vx_pointmap_init(struct vx_pointmap *m)
{
	memset(m, 0, sizeof(*m));
}

void vx_pointmap_destroy(struct vx_pointmap *m, bool free_points)
{
	if (free_points)
		for (u64 i = 0; i < m->cap; i++) {
			if (m->slots[i] && m->slots[i] != TOMBSTONE)
				vx_free(m->slots[i]);
			if (!(i & 0xffff)) /* a million points: seconds */
				vx_cond_resched();
		}
	vx_free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* Slot holding @id, or the first free slot on its probe path. */
static u64 probe(const struct vx_pointmap *m, const struct vexfs_point_id *id,
		 bool *found)
{
	u64 mask = m->cap - 1, i = id_hash(id) & mask, first_free = ~0ULL;

	for (;;) {
		struct vx_point *p = m->slots[i];

		if (!p) {
			*found = false;
			return first_free != ~0ULL ? first_free : i;
		}
		if (p == TOMBSTONE) {
			if (first_free == ~0ULL)
				first_free = i;
		} else if (vx_point_id_eq(&p->id, id)) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
}

static int resize(struct vx_pointmap *m, u64 cap)
{
	struct vx_point **old = m->slots;
	u64 old_cap = m->cap;
	bool found;

	m->slots = vx_zalloc_array(cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->used = m->count;
	for (u64 i = 0; i < old_cap; i++)
		if (old[i] && old[i] != TOMBSTONE)
			m->slots[probe(m, &old[i]->id, &found)] = old[i];
	vx_free(old);
	return 0;
}

struct vx_point *vx_pointmap_get(const struct vx_pointmap *m,
				 const struct vexfs_point_id *id)
{
	bool found;
	u64 i;

	if (!m->cap)
		return NULL;
	i = probe(m, id, &found);
	return found ? m->slots[i] : NULL;
}

int vx_pointmap_reserve(struct vx_pointmap *m, u64 extra)
{
	u64 cap = m->cap ? m->cap : 16;

	/* Keep the load (live + tombstones) under 3/4 after @extra inserts. */
	if ((m->used + extra) * 4 <= m->cap * 3)
		return 0;
	while ((m->count + extra) * 2 > cap)
		cap *= 2;
	return resize(m, cap);
}

struct vx_point *vx_pointmap_put_reserved(struct vx_pointmap *m,
					  struct vx_point *p)
{
	struct vx_point *old = NULL;
	bool found;
	u64 i = probe(m, &p->id, &found);

	if (found) {
		old = m->slots[i];
	} else {
		if (!m->slots[i])
			m->used++;
		m->count++;
	}
	m->slots[i] = p;
	return old;
}

int vx_pointmap_put(struct vx_pointmap *m, struct vx_point *p,
		    struct vx_point **old)
{
	int err = vx_pointmap_reserve(m, 1);

	*old = NULL;
	if (err)
		return err;
	*old = vx_pointmap_put_reserved(m, p);
	return 0;
}

struct vx_point *vx_pointmap_remove(struct vx_pointmap *m,
				    const struct vexfs_point_id *id)
{
	struct vx_point *p;
	bool found;
	u64 i;

	if (!m->cap)
		return NULL;
	i = probe(m, id, &found);
	if (!found)
		return NULL;
	p = m->slots[i];
	m->slots[i] = TOMBSTONE;
	m->count--;
	return p;
}

struct vx_point *vx_pointmap_next(const struct vx_pointmap *m, u64 *pos)
{
	while (*pos < m->cap) {
		struct vx_point *p = m->slots[(*pos)++];

		if (p && p != TOMBSTONE)
			return p;
	}
	return NULL;
}
