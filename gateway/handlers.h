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
gw_handler_fn gw_collection_update;
gw_handler_fn gw_index_create;
gw_handler_fn gw_index_delete;

/* aliases.c */
gw_handler_fn gw_aliases_update;
gw_handler_fn gw_aliases_list;
gw_handler_fn gw_collection_aliases;

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
gw_handler_fn gw_points_recommend;
gw_handler_fn gw_points_recommend_batch;

/* payload.c */
gw_handler_fn gw_points_set_payload;
gw_handler_fn gw_points_overwrite_payload;
gw_handler_fn gw_points_delete_payload;
gw_handler_fn gw_points_clear_payload;
gw_handler_fn gw_points_update_vectors;
gw_handler_fn gw_points_delete_vectors;
gw_handler_fn gw_points_batch;

#endif
