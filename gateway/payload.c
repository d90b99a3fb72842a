// SPDX-License-Identifier: GPL-2.0
/*
 * Payload and vector updates of existing points, and the batch of update
 * operations: POST|PUT .../points/payload, .../payload/delete,
 * .../payload/clear, PUT .../points/vectors, .../vectors/delete,
 * POST .../points/batch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "gateway.h"
#include "handlers.h"
#include "ids.h"
#include "json_cbor.h"

/*
 * -ENOENT from an op on ids: the collection, or one of the points, is
 * missing. Name the first missing point as Qdrant does.
 */
static void reply_missing(struct gw_req *req, const char *name,
			  const struct gw_selector *sel, const char *what)
{
	struct gw_backend *be = req->srv->backend;
	struct gw_collection_info info;
	uint8_t *found;
	char buf[48];
	uint32_t i;
	int err;

	if (gw_coll_info(req, name, &info))
		return;
	found = calloc(sel->n ? sel->n : 1, 1);
	if (!found) {
		gw_reply_errno(req, -ENOMEM, NULL);
		return;
	}
	err = sel->n ? be->ops->point_get(be, name, sel->n, sel->ids, found,
					  NULL, NULL, NULL, NULL, NULL) :
		       0;
	for (i = 0; err >= 0 && i < sel->n; i++)
		if (!found[i])
			break;
	free(found);
	if (err >= 0 && i < sel->n) {
		gw_id_str(&sel->ids[i], buf, sizeof(buf));
		gw_reply_errno(req, -ENOENT, "No point with id %s found", buf);
		return;
	}
	gw_reply_errno(req, -ENOENT, "%s", what);
}

/* The payload op on @sel; 0 or a reply and -1. */
static int run_payload_op(struct gw_req *req, const char *name,
			  enum gw_payload_op op, struct gw_selector *sel,
			  const char *key, const void *cbor, uint32_t len)
{
	struct gw_backend *be = req->srv->backend;
	struct gw_collection_info info;
	int err;

	if (!gw_backend_has(be, payload_op)) {
		gw_reply_backend(req, -EOPNOTSUPP, name, "Payload update");
		return -1;
	}
	/* No ids and no filter: nothing to do (n == 0 means by filter). */
	if (!sel->by_filter && !sel->n)
		return gw_coll_info(req, name, &info);
	err = be->ops->payload_op(be, name, op, sel->n, sel->ids,
				  sel->by_filter ? &sel->filt.f : NULL, key,
				  cbor, len);
	if (err == -ENOENT && !sel->by_filter) {
		reply_missing(req, name, sel, "Point not found");
		return -1;
	}
	if (err < 0) {
		gw_reply_backend(req, err, name, "Cannot update payload");
		return -1;
	}
	return 0;
}

/* SetPayload {payload, points | filter, key}: set (merge) or overwrite. */
static int op_set_payload(struct gw_req *req, const char *name, json_t *body,
			  bool overwrite)
{
	json_t *payload = json_object_get(body, "payload");
	json_t *jkey = json_object_get(body, "key");
	struct gw_selector sel;
	const char *key = NULL;
	uint8_t *cbor = NULL;
	size_t len = 0;
	char msg[160];
	int err, ret = -1;

	if (!payload) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: missing field `payload`");
		return -1;
	}
	if (!json_is_object(payload)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: payload: expected an object");
		return -1;
	}
	if (jkey && !json_is_null(jkey)) {
		key = json_string_value(jkey);
		if (!key) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: key: expected a string");
			return -1;
		}
		if (!*key || strlen(key) > 255) {
			gw_reply_invalid(req,
					 "key: must be 1 to 255 bytes long");
			return -1;
		}
		if (overwrite)
			key = NULL; /* Qdrant ignores key for overwrite */
	}
	if (gw_parse_selector(req, body, &sel))
		return -1;
	gw_bigint_to_real(payload);
	err = gw_json_to_cbor(payload, &cbor, &len, msg, sizeof(msg));
	if (err == -ENOMEM) {
		gw_reply_errno(req, err, NULL);
		goto out;
	}
	if (err) {
		gw_reply_invalid(req, "payload: %s", msg);
		goto out;
	}
	ret = run_payload_op(req, name,
			     overwrite ? GW_PAYLOAD_OVERWRITE : GW_PAYLOAD_SET,
			     &sel, key, cbor, (uint32_t)len);
out:
	free(cbor);
	gw_selector_free(&sel);
	return ret;
}

/* CBOR head: major type @mt with argument @v. */
static size_t cbor_head(uint8_t *p, uint8_t mt, uint64_t v)
{
	mt <<= 5;
	if (v < 24) {
		p[0] = mt | (uint8_t)v;
		return 1;
	}
	if (v < 0x100) {
		p[0] = mt | 24;
		p[1] = (uint8_t)v;
		return 2;
	}
	if (v < 0x10000) {
		p[0] = mt | 25;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)v;
		return 3;
	}
	p[0] = mt | 26;
	p[1] = (uint8_t)(v >> 24);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 8);
	p[4] = (uint8_t)v;
	return 5;
}

/* DeletePayload {keys, points | filter}. */
static int op_delete_payload(struct gw_req *req, const char *name, json_t *body)
{
	json_t *keys = json_object_get(body, "keys"), *k;
	struct gw_selector sel;
	size_t i, cap = 5;
	uint8_t *cbor, *p;
	int ret;

	if (!keys) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: missing field `keys`");
		return -1;
	}
	if (!json_is_array(keys)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: keys: expected an array of strings");
		return -1;
	}
	json_array_foreach(keys, i, k)
	{
		if (!json_is_string(k)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: keys[%zu]: expected a string",
				i);
			return -1;
		}
		if (json_string_length(k) > 255) {
			gw_reply_invalid(
				req, "keys[%zu]: at most 255 bytes long", i);
			return -1;
		}
		cap += 5 + json_string_length(k);
	}
	if (gw_parse_selector(req, body, &sel))
		return -1;
	cbor = malloc(cap);
	if (!cbor) {
		gw_selector_free(&sel);
		gw_reply_errno(req, -ENOMEM, NULL);
		return -1;
	}
	p = cbor + cbor_head(cbor, 4, json_array_size(keys));
	json_array_foreach(keys, i, k)
	{
		p += cbor_head(p, 3, json_string_length(k));
		memcpy(p, json_string_value(k), json_string_length(k));
		p += json_string_length(k);
	}
	ret = run_payload_op(req, name, GW_PAYLOAD_DELETE_KEYS, &sel, NULL,
			     cbor, (uint32_t)(p - cbor));
	free(cbor);
	gw_selector_free(&sel);
	return ret;
}

/* PointsSelector: clear the whole payload. */
static int op_clear_payload(struct gw_req *req, const char *name, json_t *body)
{
	struct gw_selector sel;
	int ret;

	if (gw_parse_selector(req, body, &sel))
		return -1;
	ret = run_payload_op(req, name, GW_PAYLOAD_CLEAR, &sel, NULL, NULL, 0);
	gw_selector_free(&sel);
	return ret;
}

/* UpdateVectors {points: [{id, vector}]}. */
static int op_update_vectors(struct gw_req *req, const char *name, json_t *body)
{
	struct gw_backend *be = req->srv->backend;
	json_t *pts = json_object_get(body, "points"), *pt;
	struct gw_selector sel = { 0 };
	float *vecs = NULL;
	char what[64];
	uint32_t dim;
	int ret = -1, err;
	size_t i, n;

	if (!json_is_array(pts)) {
		gw_reply_error(
			req, 400,
			pts ? "Format error in JSON body: points: expected an array of {\"id\", \"vector\"}" :
			      "Format error in JSON body: missing field `points`");
		return -1;
	}
	n = json_array_size(pts);
	if (n > GW_BATCH_MAX) {
		gw_reply_invalid(req, "points: at most %u points per request",
				 GW_BATCH_MAX);
		return -1;
	}
	if (!n) {
		gw_reply_invalid(req, "points: must contain at least 1 item");
		return -1;
	}
	dim = gw_vector_len(json_object_get(json_array_get(pts, 0), "vector"));
	sel.ids = calloc(n, sizeof(*sel.ids));
	vecs = calloc(n * dim + 1, sizeof(float));
	if (!sel.ids || !vecs) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	sel.n = (uint32_t)n;
	json_array_foreach(pts, i, pt)
	{
		json_t *v = json_object_get(pt, "vector");

		if (!json_is_object(pt)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: points[%zu]: expected an object",
				i);
			goto out;
		}
		if (!json_object_get(pt, "id") || !v) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: missing field `%s`",
				v ? "id" : "vector");
			goto out;
		}
		if (gw_parse_id(req, json_object_get(pt, "id"), &sel.ids[i]))
			goto out;
		snprintf(what, sizeof(what), "points[%zu].vector", i);
		if (gw_parse_vector(req, name, v, dim, vecs + i * dim, what))
			goto out;
	}
	err = gw_backend_has(be, vectors_update) ?
		      be->ops->vectors_update(be, name, sel.n, dim, sel.ids,
					      vecs) :
		      -EOPNOTSUPP;
	if (err == -ENOENT)
		reply_missing(req, name, &sel, "Point not found");
	else if (err == -EINVAL)
		gw_reply_bad_dim(req, name, dim, dim, err);
	else if (err < 0)
		gw_reply_backend(req, err, name, "Cannot update vectors");
	else
		ret = 0;
out:
	free(vecs);
	gw_selector_free(&sel);
	return ret;
}

/* DeleteVectors {points | filter, vector: [names]}. */
static int op_delete_vectors(struct gw_req *req, const char *name, json_t *body)
{
	struct gw_backend *be = req->srv->backend;
	json_t *names = json_object_get(body, "vector"), *nm;
	struct gw_collection_info info;
	struct gw_selector sel;
	bool unnamed = false;
	int err;
	size_t i;

	if (!names) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: missing field `vector`");
		return -1;
	}
	if (!json_is_array(names)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: vector: expected an array of vector names");
		return -1;
	}
	json_array_foreach(names, i, nm)
	{
		if (!json_is_string(nm)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: vector[%zu]: expected a string",
				i);
			return -1;
		}
		if (*json_string_value(nm)) {
			if (gw_coll_info(req, name, &info))
				return -1;
			gw_reply_errno(req, -EINVAL,
				       "Not existing vector name error: %s",
				       json_string_value(nm));
			return -1;
		}
		unnamed = true;
	}
	if (gw_parse_selector(req, body, &sel))
		return -1;
	if (!unnamed || (!sel.by_filter && !sel.n)) {
		/* Nothing to remove. */
		err = gw_coll_info(req, name, &info);
		gw_selector_free(&sel);
		return err;
	}
	err = gw_backend_has(be, vectors_delete) ?
		      be->ops->vectors_delete(be, name, sel.n, sel.ids,
					      &sel.filt.f) :
		      -EOPNOTSUPP;
	gw_selector_free(&sel);
	if (err < 0) {
		gw_reply_backend(req, err, name, "Cannot delete vectors");
		return -1;
	}
	return 0;
}

static void reply_update(struct gw_req *req, int ret)
{
	if (!ret)
		gw_reply_ok(req, gw_update_result(req));
}

void gw_points_set_payload(struct gw_req *req)
{
	reply_update(req,
		     op_set_payload(req, gw_req_param(req, "collection_name"),
				    req->body, false));
}

void gw_points_overwrite_payload(struct gw_req *req)
{
	reply_update(req,
		     op_set_payload(req, gw_req_param(req, "collection_name"),
				    req->body, true));
}

void gw_points_delete_payload(struct gw_req *req)
{
	reply_update(req, op_delete_payload(
				  req, gw_req_param(req, "collection_name"),
				  req->body));
}

void gw_points_clear_payload(struct gw_req *req)
{
	reply_update(req,
		     op_clear_payload(req, gw_req_param(req, "collection_name"),
				      req->body));
}

void gw_points_update_vectors(struct gw_req *req)
{
	reply_update(req, op_update_vectors(
				  req, gw_req_param(req, "collection_name"),
				  req->body));
}

void gw_points_delete_vectors(struct gw_req *req)
{
	reply_update(req, op_delete_vectors(
				  req, gw_req_param(req, "collection_name"),
				  req->body));
}

static int op_set(struct gw_req *req, const char *name, json_t *body)
{
	return op_set_payload(req, name, body, false);
}

static int op_overwrite(struct gw_req *req, const char *name, json_t *body)
{
	return op_set_payload(req, name, body, true);
}

struct batch_op {
	const char *name;
	int (*op)(struct gw_req *req, const char *name, json_t *body);
};

static const struct batch_op batch_ops[] = {
	{ "upsert", gw_op_upsert },
	{ "delete", gw_op_delete },
	{ "set_payload", op_set },
	{ "overwrite_payload", op_overwrite },
	{ "delete_payload", op_delete_payload },
	{ "clear_payload", op_clear_payload },
	{ "update_vectors", op_update_vectors },
	{ "delete_vectors", op_delete_vectors },
};

/* The operation an object {<name>: {...}} names, or NULL. */
static const struct batch_op *batch_op_of(json_t *o, json_t **args)
{
	const char *key;
	void *it;
	size_t j;

	if (!json_is_object(o) || json_object_size(o) != 1)
		return NULL;
	it = json_object_iter(o);
	key = json_object_iter_key(it);
	*args = json_object_iter_value(it);
	if (!json_is_object(*args))
		return NULL;
	for (j = 0; j < ARRAY_SIZE(batch_ops); j++)
		if (!strcmp(key, batch_ops[j].name))
			return &batch_ops[j];
	return NULL;
}

/*
 * POST .../points/batch {operations: [{<op>: {...}}, ...]}: in order,
 * stopping at the first that fails (those before it stay applied, as in
 * Qdrant). One UpdateResult per operation.
 */
void gw_points_batch(struct gw_req *req)
{
	const char *name = gw_req_param(req, "collection_name");
	json_t *ops = json_object_get(req->body, "operations"), *o, *out;
	struct gw_collection_info info;
	json_t *args;
	size_t i;

	if (!json_is_array(ops)) {
		gw_reply_error(
			req, 400,
			ops ? "Format error in JSON body: operations: expected an array" :
			      "Format error in JSON body: missing field `operations`");
		return;
	}
	/* Validate the shape of every operation before applying any. */
	json_array_foreach(ops, i, o)
	{
		if (!batch_op_of(o, &args)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: operations[%zu]: data did not match any variant of untagged enum UpdateOperation",
				i);
			return;
		}
	}
	if (gw_coll_info(req, name, &info))
		return;
	out = json_array();
	if (!out) {
		gw_reply_errno(req, -ENOMEM, NULL);
		return;
	}
	json_array_foreach(ops, i, o)
	{
		const struct batch_op *bo = batch_op_of(o, &args);

		if (!bo || bo->op(req, name, args)) {
			json_decref(out);
			return;
		}
		json_array_append_new(out, gw_update_result(req));
	}
	gw_reply_ok(req, out);
}
