// SPDX-License-Identifier: GPL-2.0
/*
 * Collections API.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "backend.h"
#include "gateway.h"
#include "handlers.h"
#include "request.h"

void gw_collections_list(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	struct gw_names names;
	json_t *list;
	size_t i;
	int err;

	err = be->ops->collection_list(be, &names);
	if (err) {
		gw_reply_errno(req, err, "Cannot list collections");
		return;
	}
	list = json_array();
	for (i = 0; list && i < names.n; i++) {
		if (json_array_append_new(list, json_pack("{s:s}", "name",
							  names.v[i]))) {
			json_decref(list);
			list = NULL;
		}
	}
	gw_names_free(&names);
	gw_reply_ok(req, list ? json_pack("{s:o}", "collections", list) : NULL);
}

void gw_collection_exists(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	struct gw_collection_info info;
	int err;

	err = be->ops->collection_get(be, name, &info);
	if (err && err != -ENOENT) {
		gw_reply_errno(req, err, "Collection `%s`", name);
		return;
	}
	gw_reply_ok(req, json_pack("{s:b}", "exists", !err));
}

static const char *const distance_names[] = {
	[GW_DIST_COSINE] = "Cosine",
	[GW_DIST_EUCLID] = "Euclid",
	[GW_DIST_DOT] = "Dot",
	[GW_DIST_MANHATTAN] = "Manhattan",
};

static const char *const status_names[] = {
	[GW_STATUS_GREEN] = "green",
	[GW_STATUS_YELLOW] = "yellow",
	[GW_STATUS_GREY] = "grey",
	[GW_STATUS_RED] = "red",
};

/*
 * Minimal CollectionInfo: the fields SDKs require. The collections work
 * completes it (optimizer, WAL, quantization) against openapi.json.
 */
static json_t *collection_info_json(const struct gw_collection_info *ci)
{
	const struct gw_collection_params *p = &ci->params;

	return json_pack(
		"{s:s, s:s, s:I, s:I, s:I,"
		" s:{s:{s:{s:I, s:s}}, s:{s:I, s:I, s:I}}, s:{}}",
		"status", status_names[ci->status], "optimizer_status", "ok",
		"segments_count", (json_int_t)ci->segments_count,
		"points_count", (json_int_t)ci->points_count,
		"indexed_vectors_count", (json_int_t)ci->indexed_vectors_count,
		"config", "params", "vectors", "size", (json_int_t)p->size,
		"distance", distance_names[p->distance], "hnsw_config", "m",
		(json_int_t)p->hnsw.m, "ef_construct",
		(json_int_t)p->hnsw.ef_construct, "full_scan_threshold",
		(json_int_t)p->hnsw.full_scan_threshold, "payload_schema");
}

void gw_collection_get(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	struct gw_collection_info info;
	int err;

	err = be->ops->collection_get(be, name, &info);
	if (err == -ENOENT) {
		gw_reply_errno(req, err, "Collection `%s` doesn't exist!",
			       name);
		return;
	}
	if (err) {
		gw_reply_errno(req, err, "Collection `%s`: %s", name,
			       strerror(-err));
		return;
	}
	gw_reply_ok(req, collection_info_json(&info));
}

/* A JSON integer in [min, max], or a 400/422 reply and -1. */
static int get_uint(struct gw_req *req, json_t *obj, const char *field,
		    const char *path, json_int_t min, json_int_t max,
		    uint32_t *out)
{
	json_t *v = json_object_get(obj, field);
	json_int_t n;

	if (!v || json_is_null(v))
		return 0; /* keep the default */
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: %s.%s: expected an unsigned integer",
			path, field);
		return -1;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		gw_reply_invalid(
			req,
			"%s.%s: value %lld invalid, must be from %lld to %lld",
			path, field, (long long)n, (long long)min,
			(long long)max);
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

/* Only the single unnamed dense vector for now. */
static int parse_vectors(struct gw_req *req, json_t *v,
			 struct gw_collection_params *p)
{
	const char *dist;
	unsigned int i;

	if (!v || !json_is_object(v) || !json_object_get(v, "size")) {
		gw_reply_errno(
			req, -EOPNOTSUPP,
			"only \"vectors\": {\"size\", \"distance\"} is supported yet");
		return -1;
	}
	if (get_uint(req, v, "size", "vectors", 1, 65536, &p->size))
		return -1;
	dist = json_string_value(json_object_get(v, "distance"));
	for (i = 0; dist && i < ARRAY_SIZE(distance_names); i++) {
		if (!strcmp(dist, distance_names[i])) {
			p->distance = i;
			return 0;
		}
	}
	gw_reply_error(
		req, 400,
		"Format error in JSON body: vectors.distance: expected one of `Cosine`, `Euclid`, `Dot`, `Manhattan`");
	return -1;
}

void gw_collection_create(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	struct gw_collection_params p = {
		.hnsw = { .m = 16,
			  .ef_construct = 100,
			  .full_scan_threshold = 10000 },
	};
	json_t *hnsw = json_object_get(req->body, "hnsw_config");
	int err;

	if (parse_vectors(req, json_object_get(req->body, "vectors"), &p))
		return;
	/* Ranges are the kernel's to enforce; here only the types. */
	if (hnsw && (get_uint(req, hnsw, "m", "hnsw_config", 0, UINT32_MAX,
			      &p.hnsw.m) ||
		     get_uint(req, hnsw, "ef_construct", "hnsw_config", 0,
			      UINT32_MAX, &p.hnsw.ef_construct) ||
		     get_uint(req, hnsw, "full_scan_threshold", "hnsw_config",
			      0, UINT32_MAX, &p.hnsw.full_scan_threshold)))
		return;

	err = be->ops->collection_create(be, name, &p);
	if (err == -EEXIST) {
		gw_reply_errno(req, err, "Collection `%s` already exists!",
			       name);
		return;
	}
	if (err) {
		gw_reply_errno(req, err, "Cannot create collection `%s`: %s",
			       name, strerror(-err));
		return;
	}
	gw_reply_ok(req, json_true());
}

void gw_collection_delete(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	int err;

	err = be->ops->collection_delete(be, name);
	if (err == -ENOENT) {
		/* Qdrant answers false for a collection that was not there. */
		gw_reply_ok(req, json_false());
		return;
	}
	if (err) {
		gw_reply_errno(req, err, "Cannot delete collection `%s`: %s",
			       name, strerror(-err));
		return;
	}
	gw_reply_ok(req, json_true());
}
