/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Points of one collection, by external id: an open-addressing hash table
 * of pointers with linear probing and tombstones. The caller locks.
 */
#ifndef VEXFS_CORE_POINTMAP_H
#define VEXFS_CORE_POINTMAP_H

#include "shim.h"
#include "uapi/vexfs.h"

/*
 * One point. The vector (dim floats, stored as prepared: unit length for
 * Cosine) and the payload bytes follow the struct in the same allocation.
 */
struct vx_point {
	struct vexfs_point_id id;
	u64 key; /* dense internal number, for the index */
	u32 payload_len;
	u32 dim;
	u8 data[]; /* float vec[dim], then payload */
};

static inline float *vx_point_vec(struct vx_point *p)
{
	/* cppcheck-suppress invalidPointerCast */
	return (float *)p->data;
}

static inline u8 *vx_point_payload(struct vx_point *p)
{
	return p->data + (size_t)p->dim * sizeof(float);
}

struct vx_pointmap {
	struct vx_point **slots;
	u64 cap; /* power of two, or 0 */
	u64 count;
	u64 used; /* count + tombstones */
};

bool vx_point_id_eq(const struct vexfs_point_id *a,
		    const struct vexfs_point_id *b);
/* A valid id: known kind, zero padding, and no stray bytes after a number. */
bool vx_point_id_valid(const struct vexfs_point_id *id);

void vx_pointmap_init(struct vx_pointmap *m);
/* Frees the table and, with @free_points, every point in it. */
void vx_pointmap_destroy(struct vx_pointmap *m, bool free_points);
struct vx_point *vx_pointmap_get(const struct vx_pointmap *m,
				 const struct vexfs_point_id *id);
/* Grow so that @extra more points go in without allocating. */
int vx_pointmap_reserve(struct vx_pointmap *m, u64 extra);
/* Insert @p, or replace the point with its id (returned in *@old). */
int vx_pointmap_put(struct vx_pointmap *m, struct vx_point *p,
		    struct vx_point **old);
/* As put, after vx_pointmap_reserve(): cannot fail. */
struct vx_point *vx_pointmap_put_reserved(struct vx_pointmap *m,
					  struct vx_point *p);
struct vx_point *vx_pointmap_remove(struct vx_pointmap *m,
				    const struct vexfs_point_id *id);

/* Iterate: *@pos starts at 0; returns NULL at the end. */
struct vx_point *vx_pointmap_next(const struct vx_pointmap *m, u64 *pos);

#endif /* VEXFS_CORE_POINTMAP_H */
