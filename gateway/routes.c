// SPDX-License-Identifier: GPL-2.0
/*
 * The route table. Patterns and {names} are Qdrant's (openapi.json):
 * they are also the "endpoint" label in /metrics.
 *
 * Order matters: the first match wins, so a literal segment must come
 * before a {param} in the same position. Mark every route that changes
 * state GW_ROUTE_WRITES, or the read-only API key could call it.
 */
#include <event2/http.h>

#include "gateway.h"
#include "handlers.h"

#define GET EVHTTP_REQ_GET
#define POST EVHTTP_REQ_POST
#define PUT EVHTTP_REQ_PUT
#define PATCH EVHTTP_REQ_PATCH
#define DELETE EVHTTP_REQ_DELETE

#define OPEN GW_ROUTE_OPEN
#define WRITES GW_ROUTE_WRITES
#define BODY GW_ROUTE_BODY

const struct gw_route gw_routes[] = {
	/* Service; the probes and "/" are open, as in Qdrant. */
	{ GET, "/", gw_service_root, OPEN },
	{ GET, "/healthz", gw_service_healthz, OPEN },
	{ GET, "/livez", gw_service_healthz, OPEN },
	{ GET, "/readyz", gw_service_readyz, OPEN },
	{ GET, "/telemetry", gw_service_telemetry, 0 },
	{ GET, "/metrics", gw_service_metrics, 0 },
	{ GET, "/cluster", gw_service_cluster, 0 },

	/* Collections; literal segments before {collection_name}. */
	{ GET, "/collections", gw_collections_list, 0 },
	{ POST, "/collections/aliases", gw_aliases_update, WRITES | BODY },
	{ GET, "/aliases", gw_aliases_list, 0 },
	{ GET, "/collections/{collection_name}", gw_collection_get, 0 },
	{ PUT, "/collections/{collection_name}", gw_collection_create,
	  WRITES | BODY },
	{ DELETE, "/collections/{collection_name}", gw_collection_delete,
	  WRITES },
	{ PATCH, "/collections/{collection_name}", gw_collection_update,
	  WRITES | BODY },
	{ GET, "/collections/{collection_name}/exists", gw_collection_exists,
	  0 },
	{ GET, "/collections/{collection_name}/aliases", gw_collection_aliases,
	  0 },
	{ PUT, "/collections/{collection_name}/index", gw_index_create,
	  WRITES | BODY },
	{ DELETE, "/collections/{collection_name}/index/{field_name}",
	  gw_index_delete, WRITES },

	/* Points: reads that take a body are POST but not WRITES. */
	{ POST, "/collections/{collection_name}/points/count", gw_points_count,
	  BODY },
	{ POST, "/collections/{collection_name}/points/scroll",
	  gw_points_scroll, BODY },
	{ POST, "/collections/{collection_name}/points/delete",
	  gw_points_delete, WRITES | BODY },
	{ POST, "/collections/{collection_name}/points/search",
	  gw_points_search, BODY },
	{ POST, "/collections/{collection_name}/points/query", gw_points_query,
	  BODY },
	{ POST, "/collections/{collection_name}/points/search/batch",
	  gw_points_search_batch, BODY },
	{ POST, "/collections/{collection_name}/points/query/batch",
	  gw_points_query_batch, BODY },
	{ POST, "/collections/{collection_name}/points/recommend",
	  gw_points_recommend, BODY },
	{ POST, "/collections/{collection_name}/points/recommend/batch",
	  gw_points_recommend_batch, BODY },
	{ POST, "/collections/{collection_name}/points/payload",
	  gw_points_set_payload, WRITES | BODY },
	{ PUT, "/collections/{collection_name}/points/payload",
	  gw_points_overwrite_payload, WRITES | BODY },
	{ POST, "/collections/{collection_name}/points/payload/delete",
	  gw_points_delete_payload, WRITES | BODY },
	{ POST, "/collections/{collection_name}/points/payload/clear",
	  gw_points_clear_payload, WRITES | BODY },
	{ PUT, "/collections/{collection_name}/points/vectors",
	  gw_points_update_vectors, WRITES | BODY },
	{ POST, "/collections/{collection_name}/points/vectors/delete",
	  gw_points_delete_vectors, WRITES | BODY },
	{ POST, "/collections/{collection_name}/points/batch", gw_points_batch,
	  WRITES | BODY },
	{ PUT, "/collections/{collection_name}/points", gw_points_upsert,
	  WRITES | BODY },
	{ POST, "/collections/{collection_name}/points", gw_points_retrieve,
	  BODY },
	{ GET, "/collections/{collection_name}/points/{id}", gw_point_get, 0 },
};

const unsigned int gw_nroutes = ARRAY_SIZE(gw_routes);
