/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Qdrant's filter JSON compiled to VexFS filter bytecode
 * (uapi/vexfs_filter.h), which the kernel verifies and evaluates next to
 * the payloads. The gateway compiles once per request; the kernel never
 * sees JSON.
 */
#ifndef VEXFS_GATEWAY_FILTER_H
#define VEXFS_GATEWAY_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/*
 * Compile @filter (a JSON object, Qdrant's Filter) into *@code (malloc'd,
 * *@len bytes; free()). JSON null compiles to no filter (*code NULL, *len 0).
 * Returns 0, or -EINVAL with a message for Qdrant's 400/422 body in @err
 * ("Format error in JSON body: ..." style, without the prefix), or
 * -E2BIG when the program would exceed VEXFS_FILTER_MAX, or -ENOMEM.
 */
int gw_filter_compile(const json_t *filter, void **code, uint32_t *len,
		      char *err, size_t errlen);

#endif
