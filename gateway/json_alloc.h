/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jansson's allocator in the gateway: small blocks come from per-thread
 * free lists in front of malloc (json_alloc.c).
 *
 * gw_json_alloc_init() must run before the first jansson value exists.
 * From then on, text that jansson allocates (json_dumps()) is freed with
 * gw_json_free(), never free().
 */
#ifndef VEXFS_GATEWAY_JSON_ALLOC_H
#define VEXFS_GATEWAY_JSON_ALLOC_H

#include <stddef.h>

void gw_json_alloc_init(void);
void *gw_json_malloc(size_t size);
void gw_json_free(void *p);
/* Give this thread's cached blocks back to malloc (threads do at exit). */
void gw_json_alloc_drain(void);

#endif
