// SPDX-License-Identifier: GPL-2.0
/*
 * Collections API.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "backend.h"
#include "common.h"
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
static json_t *collection_info_json(const struct gw_collection_info *ci,
				    json_t *schema)
{
	const struct gw_collection_params *p = &ci->params;

	return json_pack("{s:s, s:s, s:I, s:I, s:I,"
			 " s:{s:{s:{s:I, s:s}}, s:{s:I, s:I, s:I}}, s:o}",
			 "status", status_names[ci->status], "optimizer_status",
			 "ok", "segments_count", (json_int_t)ci->segments_count,
			 "points_count", (json_int_t)ci->points_count,
			 "indexed_vectors_count",
			 (json_int_t)ci->indexed_vectors_count, "config",
			 "params", "vectors", "size", (json_int_t)p->size,
			 "distance", distance_names[p->distance], "hnsw_config",
			 "m", (json_int_t)p->hnsw.m, "ef_construct",
			 (json_int_t)p->hnsw.ef_construct,
			 "full_scan_threshold",
			 (json_int_t)p->hnsw.full_scan_threshold,
			 "payload_schema", schema);
}

/* Qdrant's field_schema names, by VEXFS_INDEX_* value. */
static const char *const index_names[] = {
	[1] = "keyword", [2] = "integer",  [3] = "float", [4] = "bool",
	[5] = "uuid",	 [6] = "datetime", [7] = "geo",	  [8] = "text",
};

/* payload_schema: {key: {"data_type", "points"}}; NULL after a reply. */
static json_t *payload_schema(struct gw_req *req, const char *name)
{
	struct gw_backend *be = req->srv->backend;
	struct gw_indexes x = { 0 };
	json_t *schema = json_object();
	size_t i;
	int err;

	if (!schema) {
		gw_reply_errno(req, -ENOMEM, NULL);
		return NULL;
	}
	err = gw_backend_has(be, index_list) ?
		      be->ops->index_list(be, name, &x) :
		      -EOPNOTSUPP;
	if (err == -EOPNOTSUPP)
		return schema; /* no indexes where none can be made */
	if (err) {
		json_decref(schema);
		gw_reply_backend(req, err, name, "Cannot list payload indexes");
		return NULL;
	}
	for (i = 0; i < x.n; i++) {
		uint32_t t = x.v[i].type;

		json_object_set_new(schema, x.v[i].key,
				    json_pack("{s:s, s:I}", "data_type",
					      t < ARRAY_SIZE(index_names) &&
							      index_names[t] ?
						      index_names[t] :
						      "keyword",
					      "points",
					      (json_int_t)x.v[i].points));
	}
	gw_indexes_free(&x);
	return schema;
}

void gw_collection_get(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	struct gw_collection_info info;
	json_t *schema;
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
	schema = payload_schema(req, name);
	if (schema)
		gw_reply_ok(req, collection_info_json(&info, schema));
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

/* An optional object field; 400 if it is there but not an object. */
static int get_object(struct gw_req *req, json_t *body, const char *field,
		      json_t **out)
{
	json_t *v = json_object_get(body, field);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: %s: expected an object",
			field);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * PATCH /collections/{c}: hnsw_config changes go to the kernel;
 * optimizers_config and params are accepted (VexFS has no optimizer
 * segments or replicas to tune) once their shape is checked.
 */
void gw_collection_update(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	struct gw_collection_info info;
	struct gw_collection_params p;
	json_t *hnsw, *opt, *params;
	int err;

	if (get_object(req, req->body, "hnsw_config", &hnsw) ||
	    get_object(req, req->body, "optimizers_config", &opt) ||
	    get_object(req, req->body, "params", &params))
		return;
	if (gw_coll_info(req, name, &info))
		return;
	p = info.params;
	if (hnsw && (get_uint(req, hnsw, "m", "hnsw_config", 0, UINT32_MAX,
			      &p.hnsw.m) ||
		     get_uint(req, hnsw, "ef_construct", "hnsw_config", 4,
			      UINT32_MAX, &p.hnsw.ef_construct) ||
		     get_uint(req, hnsw, "full_scan_threshold", "hnsw_config",
			      10, UINT32_MAX, &p.hnsw.full_scan_threshold)))
		return;
	if (opt) {
		static const char *const ints[] = {
			"deleted_threshold",	  "vacuum_min_vector_number",
			"default_segment_number", "max_segment_size",
			"memmap_threshold",	  "indexing_threshold",
			"flush_interval_sec",	  "max_optimization_threads",
		};
		uint32_t dummy;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(ints); i++) {
			json_t *v = json_object_get(opt, ints[i]);

			/* deleted_threshold is a ratio, the rest counts. */
			if (i == 0 ? v && !json_is_null(v) &&
					     !json_is_number(v) :
				     get_uint(req, opt, ints[i],
					      "optimizers_config", 0,
					      UINT32_MAX, &dummy)) {
				if (i == 0)
					gw_reply_error(
						req, 400,
						"Format error in JSON body: optimizers_config.deleted_threshold: expected a number");
				return;
			}
		}
	}
	if (memcmp(&p.hnsw, &info.params.hnsw, sizeof(p.hnsw))) {
		err = gw_backend_has(be, collection_update) ?
			      be->ops->collection_update(be, name, &p) :
			      -EOPNOTSUPP;
		if (err) {
			gw_reply_backend(req, err, name,
					 "Cannot update collection");
			return;
		}
	}
	gw_reply_ok(req, json_true());
}

/* PUT /collections/{c}/index {field_name, field_schema}. */
void gw_index_create(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	json_t *jfield = json_object_get(req->body, "field_name");
	json_t *schema = json_object_get(req->body, "field_schema");
	const char *field = json_string_value(jfield), *type;
	struct gw_collection_info info;
	uint32_t t;
	int err;

	if (!field) {
		gw_reply_error(
			req, 400,
			jfield ?
				"Format error in JSON body: field_name: expected a string" :
				"Format error in JSON body: missing field `field_name`");
		return;
	}
	if (json_is_object(schema))
		schema = json_object_get(schema, "type");
	type = json_string_value(schema);
	if (!type) {
		gw_reply_error(
			req, 400,
			schema ?
				"Format error in JSON body: field_schema: expected a schema name or {\"type\": ...}" :
				"Format error in JSON body: missing field `field_schema`");
		return;
	}
	for (t = 1; t < ARRAY_SIZE(index_names); t++)
		if (!strcmp(type, index_names[t]))
			break;
	if (t == ARRAY_SIZE(index_names)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: field_schema: unknown variant `%s`, expected one of `keyword`, `integer`, `float`, `geo`, `text`, `bool`, `datetime`, `uuid`",
			type);
		return;
	}
	if (!*field || strlen(field) > 255) {
		gw_reply_invalid(req, "field_name: must be 1 to 255 bytes");
		return;
	}
	if (gw_coll_info(req, name, &info))
		return;
	err = gw_backend_has(be, index_create) ?
		      be->ops->index_create(be, name, field, t) :
		      -EOPNOTSUPP;
	if (err) {
		gw_reply_backend(req, err, name, "Cannot create payload index");
		return;
	}
	gw_reply_ok(req, gw_update_result(req));
}

/* DELETE /collections/{c}/index/{field_name}. */
void gw_index_delete(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	const char *field = gw_req_param(req, "field_name");
	struct gw_collection_info info;
	int err;

	if (gw_coll_info(req, name, &info))
		return;
	err = gw_backend_has(be, index_delete) ?
		      be->ops->index_delete(be, name, field) :
		      -EOPNOTSUPP;
	/* Qdrant answers success for a field that had no index. */
	if (err && err != -ENOENT) {
		gw_reply_backend(req, err, name, "Cannot delete payload index");
		return;
	}
	gw_reply_ok(req, gw_update_result(req));
}
