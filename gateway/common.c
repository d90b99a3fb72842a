// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the points handlers (see common.h).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "filter.h"
#include "gateway.h"
#include "ids.h"
#include "json_cbor.h"

static atomic_uint_fast64_t next_operation_id;

int gw_coll_info(struct gw_req *req, const char *name,
		 struct gw_collection_info *info)
{
	struct gw_backend *be = req->srv->backend;
	int err = be->ops->collection_get(be, name, info);

	if (!err)
		return 0;
	gw_reply_backend(req, err, name, "Collection");
	return -1;
}

void gw_reply_backend(struct gw_req *req, int err, const char *name,
		      const char *what)
{
	if (err == -ENOENT)
		gw_reply_errno(req, err, "Collection `%s` doesn't exist!",
			       name);
	else if (err == -EOPNOTSUPP)
		gw_reply_errno(req, err,
			       "%s: not supported by the %s backend yet", what,
			       req->srv->backend->ops->name);
	else
		gw_reply_errno(req, err, "%s: %s", what, strerror(-err));
}

int gw_parse_id(struct gw_req *req, const json_t *v, struct gw_point_id *id)
{
	char bad[80];

	if (!v) {
		gw_reply_error(req, 400,
			       "Format error in JSON body: missing field `id`");
		return -1;
	}
	if (!gw_id_parse(v, id, bad, sizeof(bad)))
		return 0;
	gw_reply_error(
		req, 400,
		"Format error in JSON body: value %s is not a valid point ID, valid values are either an unsigned integer or a UUID",
		bad);
	return -1;
}

int gw_parse_ids(struct gw_req *req, json_t *arr, const char *what,
		 struct gw_point_id **ids, uint32_t *n)
{
	size_t i, len;

	*ids = NULL;
	if (!json_is_array(arr)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: %s: expected an array of point ids",
			what);
		return -1;
	}
	len = json_array_size(arr);
	if (len > GW_BATCH_MAX) {
		gw_reply_invalid(req, "%s: at most %u ids per request", what,
				 GW_BATCH_MAX);
		return -1;
	}
	*ids = calloc(len ? len : 1, sizeof(**ids));
	if (!*ids) {
		gw_reply_errno(req, -ENOMEM, NULL);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (gw_parse_id(req, json_array_get(arr, i), &(*ids)[i])) {
			free(*ids);
			*ids = NULL;
			return -1;
		}
	}
	*n = (uint32_t)len;
	return 0;
}

json_t *gw_unwrap_vector(json_t *v)
{
	if (json_is_object(v) && json_object_get(v, "vector"))
		return json_object_get(v, "vector");
	if (json_is_object(v) && json_object_size(v) == 1 &&
	    json_object_get(v, ""))
		return json_object_get(v, "");
	return v;
}

uint32_t gw_vector_len(json_t *v)
{
	size_t n;

	v = gw_unwrap_vector(v);
	n = json_is_array(v) ? json_array_size(v) : 0;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

void gw_reply_bad_dim(struct gw_req *req, const char *name, uint32_t a,
		      uint32_t b, int err)
{
	struct gw_collection_info info;

	if (gw_coll_info(req, name, &info))
		return;
	if (info.params.size != a || info.params.size != b)
		gw_reply_errno(
			req, -EINVAL,
			"Vector dimension error: expected dim: %u, got %u",
			info.params.size, info.params.size != a ? a : b);
	else
		gw_reply_errno(req, err, "%s", strerror(-err));
}

int gw_parse_vector(struct gw_req *req, const char *name, json_t *v,
		    uint32_t dim, float *out, const char *what)
{
	size_t i, n;

	v = gw_unwrap_vector(v);
	if (!json_is_array(v)) {
		if (json_is_object(v))
			gw_reply_errno(
				req, -EOPNOTSUPP,
				"%s: named and sparse vectors are not supported yet",
				what);
		else
			gw_reply_error(
				req, 400,
				"Format error in JSON body: %s: expected an array of numbers",
				what);
		return -1;
	}
	n = json_array_size(v);
	if (n != dim) {
		gw_reply_bad_dim(req, name,
				 n > UINT32_MAX ? UINT32_MAX : (uint32_t)n, dim,
				 -EINVAL);
		return -1;
	}
	for (i = 0; i < n; i++) {
		double d;

		if (!gw_json_number(json_array_get(v, i), &d)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: %s[%zu]: expected a number",
				what, i);
			return -1;
		}
		out[i] = (float)d;
	}
	return 0;
}

json_t *gw_vector_json(const float *v, uint32_t dim)
{
	json_t *a = json_array();
	uint32_t i;

	for (i = 0; a && i < dim; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

int gw_parse_with_payload(struct gw_req *req, json_t *v, bool dflt,
			  struct gw_payload_sel *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->want = dflt;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		sel->want = json_is_true(v);
		return 0;
	}
	if (json_is_array(v)) {
		sel->want = true;
		sel->include = v;
		return 0;
	}
	if (json_is_object(v) && json_is_array(json_object_get(v, "include"))) {
		sel->want = true;
		sel->include = json_object_get(v, "include");
		return 0;
	}
	if (json_is_object(v) && json_is_array(json_object_get(v, "exclude"))) {
		sel->want = true;
		sel->exclude = json_object_get(v, "exclude");
		return 0;
	}
	gw_reply_error(
		req, 400,
		"Format error in JSON body: with_payload: expected a boolean, a list of keys, or {\"include\"|\"exclude\": [...]}");
	return -1;
}

static bool key_listed(json_t *list, const char *key)
{
	size_t i;
	json_t *k;

	json_array_foreach(list, i, k)
	{
		if (json_is_string(k) && !strcmp(json_string_value(k), key))
			return true;
	}
	return false;
}

/* Apply include/exclude (top-level keys) to a decoded payload in place. */
static void payload_select(json_t *payload, const struct gw_payload_sel *sel)
{
	const char *key;
	void *tmp;
	json_t *v;

	if (!sel->include && !sel->exclude)
		return;
	json_object_foreach_safe(payload, tmp, key, v)
	{
		bool listed = key_listed(
			sel->include ? sel->include : sel->exclude, key);

		if (sel->include ? !listed : listed)
			json_object_del(payload, key);
	}
}

int gw_parse_with_vector(struct gw_req *req, json_t *body, bool dflt,
			 bool *want)
{
	json_t *v = json_object_get(body, "with_vector");

	if (!v)
		v = json_object_get(body, "with_vectors");
	*want = dflt;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		*want = json_is_true(v);
		return 0;
	}
	if (json_is_array(v)) {
		*want = key_listed(v, "");
		return 0;
	}
	gw_reply_error(
		req, 400,
		"Format error in JSON body: with_vector: expected a boolean or a list of names");
	return -1;
}

int gw_fetch_points(struct gw_req *req, const char *coll, uint32_t dim,
		    uint32_t n, const struct gw_point_id *ids, uint8_t *found,
		    const struct gw_payload_sel *psel, bool want_vec,
		    json_t **recs)
{
	struct gw_backend *be = req->srv->backend;
	float *vecs = NULL;
	uint32_t *plens = NULL;
	uint8_t *pbuf = NULL, *hasv = NULL;
	uint64_t psize = 0, off = 0;
	int ret = -1, err;
	uint32_t i;

	if (!n)
		return 0;
	if (want_vec) {
		vecs = malloc((size_t)n * dim * sizeof(float) + 1);
		hasv = calloc(n, 1);
	}
	if (psel->want) {
		plens = calloc(n, sizeof(*plens));
		psize = 64 * 1024;
		pbuf = malloc(psize);
	}
	if ((want_vec && (!vecs || !hasv)) ||
	    (psel->want && (!plens || !pbuf))) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	for (;;) {
		uint64_t room = psize;

		err = be->ops->point_get(be, coll, n, ids, found, vecs, plens,
					 pbuf, psel->want ? &room : NULL, hasv);
		if (err == -ENOSPC && psel->want && room > psize) {
			uint8_t *nb = realloc(pbuf, room);

			if (!nb) {
				gw_reply_errno(req, -ENOMEM, NULL);
				goto out;
			}
			pbuf = nb;
			psize = room;
			continue;
		}
		break;
	}
	if (err < 0) {
		gw_reply_backend(req, err, coll, "Cannot read points");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (psel->want) {
			uint32_t len = plens[i];
			json_t *p;

			if (!found[i] || !len) {
				p = json_object();
			} else {
				char msg[128];

				p = gw_cbor_to_json(pbuf + off, len, msg,
						    sizeof(msg));
				if (!p) {
					gw_reply_errno(
						req, -EIO,
						"Stored payload is not valid: %s",
						msg);
					goto out;
				}
			}
			off += len;
			if (found[i]) {
				payload_select(p, psel);
				json_object_set_new(recs[i], "payload", p);
			} else {
				json_decref(p);
			}
		}
		/* A point whose vector was deleted has none: {} as Qdrant. */
		if (want_vec && found[i])
			json_object_set_new(
				recs[i], "vector",
				hasv[i] ? gw_vector_json(vecs + (size_t)i * dim,
							 dim) :
					  json_object());
	}
	ret = 0;
out:
	free(vecs);
	free(hasv);
	free(plens);
	free(pbuf);
	return ret;
}

json_t *gw_update_result(struct gw_req *req)
{
	const char *wait = gw_req_query(req, "wait");
	uint64_t op = atomic_fetch_add(&next_operation_id, 1);

	return json_pack("{s:I, s:s}", "operation_id", (json_int_t)op, "status",
			 wait && !strcmp(wait, "true") ? "completed" :
							 "acknowledged");
}

int gw_parse_filter(struct gw_req *req, json_t *v, struct gw_cfilter *out)
{
	char msg[256] = "";
	uint32_t len = 0;
	void *code = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if (!v || json_is_null(v))
		return 0;
	err = gw_filter_compile(v, &code, &len, msg, sizeof(msg));
	if (err == -EINVAL) {
		gw_reply_error(req, 400, "Format error in JSON body: %s",
			       msg[0] ? msg : "filter: invalid");
		return -1;
	}
	if (err == -E2BIG) {
		gw_reply_invalid(req, "filter: %s",
				 msg[0] ? msg : "the filter is too large");
		return -1;
	}
	if (err) {
		gw_reply_errno(req, err, NULL);
		return -1;
	}
	out->code = code;
	out->f.code = code;
	out->f.len = len;
	return 0;
}

void gw_cfilter_free(struct gw_cfilter *cf)
{
	free(cf->code);
	memset(cf, 0, sizeof(*cf));
}

int gw_parse_selector(struct gw_req *req, json_t *obj, struct gw_selector *sel)
{
	json_t *pts = json_object_get(obj, "points");
	json_t *filter = json_object_get(obj, "filter");

	memset(sel, 0, sizeof(*sel));
	if (pts && !json_is_null(pts))
		return gw_parse_ids(req, pts, "points", &sel->ids, &sel->n);
	if (!filter || json_is_null(filter)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: data did not match any variant of untagged enum PointsSelector: expected \"points\": [...] or \"filter\": {...}");
		return -1;
	}
	sel->by_filter = true;
	return gw_parse_filter(req, filter, &sel->filt);
}

void gw_selector_free(struct gw_selector *sel)
{
	free(sel->ids);
	gw_cfilter_free(&sel->filt);
}
