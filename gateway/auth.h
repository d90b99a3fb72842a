/* SPDX-License-Identifier: GPL-2.0 */
/*
 * API keys, as Qdrant does them: "api-key: <key>" or
 * "Authorization: Bearer <key>"; a read-only key may only read.
 */
#ifndef VEXFS_GATEWAY_AUTH_H
#define VEXFS_GATEWAY_AUTH_H

#include <stdbool.h>

struct evhttp_request;
struct gw_config;

enum gw_auth {
	GW_AUTH_FULL,
	GW_AUTH_READ,
	GW_AUTH_MISSING,
	GW_AUTH_INVALID,
};

bool gw_auth_enabled(const struct gw_config *cfg);
enum gw_auth gw_auth_check(const struct gw_config *cfg,
			   struct evhttp_request *ev);

#endif
