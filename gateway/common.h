/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the points handlers (points.c, payload.c,
 * recommend.c): request parsing that answers Qdrant's errors itself.
 * Functions returning int give 0, or -1 after sending the error reply.
 */
#ifndef VEXFS_GATEWAY_COMMON_H
#define VEXFS_GATEWAY_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "backend.h"
#include "request.h"

#define GW_BATCH_MAX 65536u /* points per request (the kernel's batch) */
#define GW_K_MAX 10000u /* limit + offset of one search */

/* The collection's info, or a reply (404 ...) and -1. */
int gw_coll_info(struct gw_req *req, const char *name,
		 struct gw_collection_info *info);

/* A backend error: 404 for a missing collection, else "@what: strerror". */
void gw_reply_backend(struct gw_req *req, int err, const char *name,
		      const char *what);

/* One id; 400 "value X is not a valid point ID, ..." otherwise. */
int gw_parse_id(struct gw_req *req, const json_t *v, struct gw_point_id *id);

/* An array of ids into *ids (malloc'd, also for n == 0). */
int gw_parse_ids(struct gw_req *req, json_t *arr, const char *what,
		 struct gw_point_id **ids, uint32_t *n);

/* The dense vector in @v: [...], {"vector": [...]}, {"": [...]}. */
json_t *gw_unwrap_vector(json_t *v);
uint32_t gw_vector_len(json_t *v);

/* Qdrant's "Vector dimension error" for sizes @a / @b seen. */
void gw_reply_bad_dim(struct gw_req *req, const char *name, uint32_t a,
		      uint32_t b, int err);

/* Exactly @dim numbers into @out (a different size: the 400 above). */
int gw_parse_vector(struct gw_req *req, const char *name, json_t *v,
		    uint32_t dim, float *out, const char *what);

json_t *gw_vector_json(const float *v, uint32_t dim);

/* with_payload: true/false, [keys], {"include": [...]}, {"exclude": [...]}. */
struct gw_payload_sel {
	bool want;
	json_t *include;
	json_t *exclude;
};

int gw_parse_with_payload(struct gw_req *req, json_t *v, bool dflt,
			  struct gw_payload_sel *sel);
int gw_parse_with_vector(struct gw_req *req, json_t *body, bool dflt,
			 bool *want);

/*
 * Look up @n points and add "payload" and/or "vector" to recs[i] (objects
 * with "id" already). found[] says which exist.
 */
int gw_fetch_points(struct gw_req *req, const char *coll, uint32_t dim,
		    uint32_t n, const struct gw_point_id *ids, uint8_t *found,
		    const struct gw_payload_sel *psel, bool want_vec,
		    json_t **recs);

/* {"operation_id": N, "status": "acknowledged"|"completed"}. */
json_t *gw_update_result(struct gw_req *req);

/* A compiled filter (gw_filter_compile()); f.len 0: none. */
struct gw_cfilter {
	struct gw_filter f;
	void *code;
};

/* @v absent or null: no filter. */
int gw_parse_filter(struct gw_req *req, json_t *v, struct gw_cfilter *out);
void gw_cfilter_free(struct gw_cfilter *cf);

/* Qdrant's PointsSelector: {"points": [ids]} or {"filter": {...}}. */
struct gw_selector {
	struct gw_point_id *ids;
	uint32_t n;
	bool by_filter;
	struct gw_cfilter filt;
};

int gw_parse_selector(struct gw_req *req, json_t *obj, struct gw_selector *sel);
void gw_selector_free(struct gw_selector *sel);

/*
 * One nearest-neighbour search described by request object @body (limit,
 * offset, filter, params, with_*): the ScoredPoint array, or NULL after a
 * reply. The query is @vec (JSON) or, if @vec is NULL, q[dim]. Points
 * excl[nexcl] are left out of the results. @dflt_limit < 0: limit is
 * required.
 */
json_t *gw_do_search(struct gw_req *req, const char *name, json_t *body,
		     json_t *vec, const float *q, uint32_t dim,
		     long long dflt_limit, const struct gw_point_id *excl,
		     uint32_t nexcl);

/* recommend.c: a recommend request (positive, negative, strategy). */
json_t *gw_recommend_one(struct gw_req *req, const char *name, json_t *body,
			 json_t *reco, long long dflt_limit);

/* points.c / payload.c: one update operation of @body, no reply on success. */
int gw_op_upsert(struct gw_req *req, const char *name, json_t *body);
int gw_op_delete(struct gw_req *req, const char *name, json_t *body);

#endif
