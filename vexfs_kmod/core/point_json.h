/* SPDX-License-Identifier: GPL-2.0 */
/* Points as text: file names of points/<id> and their JSON (point_json.c). */
#ifndef VEXFS_CORE_POINT_JSON_H
#define VEXFS_CORE_POINT_JSON_H

#include "shim.h"
#include "uapi/vexfs.h"

/* Decimal for numbers, lowercase hyphenated for UUIDs; like snprintf. */
int vx_point_id_format(const struct vexfs_point_id *id, char *buf, size_t size);
/* The inverse; only canonical names parse (UUIDs in either case). */
int vx_point_id_parse(const char *s, size_t len, struct vexfs_point_id *id);
/* {"id": ..., "vector": [...], "payload": {...}}\n; like snprintf. */
ssize_t vx_point_to_json(const struct vexfs_point_id *id, const float *vec,
			 u32 dim, const u8 *payload, u32 payload_len, char *buf,
			 size_t size);

#endif /* VEXFS_CORE_POINT_JSON_H */
