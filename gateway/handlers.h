/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Route handlers, one file per Qdrant API area; routes.c wires them up.
 */
#ifndef VEXFS_GATEWAY_HANDLERS_H
#define VEXFS_GATEWAY_HANDLERS_H

#include "router.h"

/* service.c */
gw_handler_fn gw_service_root;
gw_handler_fn gw_service_healthz;
gw_handler_fn gw_service_readyz;
gw_handler_fn gw_service_telemetry;
gw_handler_fn gw_service_metrics;
gw_handler_fn gw_service_cluster;

/* collections.c */
gw_handler_fn gw_collections_list;
gw_handler_fn gw_collection_exists;
gw_handler_fn gw_collection_get;
gw_handler_fn gw_collection_create;
gw_handler_fn gw_collection_delete;

/* points.c */
gw_handler_fn gw_points_count;
gw_handler_fn gw_points_upsert;
gw_handler_fn gw_points_retrieve;
gw_handler_fn gw_point_get;
gw_handler_fn gw_points_delete;
gw_handler_fn gw_points_search;
gw_handler_fn gw_points_query;
gw_handler_fn gw_points_search_batch;
gw_handler_fn gw_points_query_batch;
gw_handler_fn gw_points_scroll;

#endif
