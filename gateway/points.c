// SPDX-License-Identifier: GPL-2.0
/*
 * Points API.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "gateway.h"
#include "handlers.h"
#include "json_cbor.h"
#include "request.h"

void gw_points_count(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	json_t *exact = json_object_get(req->body, "exact");
	json_t *filter = json_object_get(req->body, "filter");
	uint64_t count;
	int err;

	if (exact && !json_is_boolean(exact) && !json_is_null(exact)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: exact: expected a boolean");
		return;
	}
	if (filter && !json_is_null(filter)) {
		gw_reply_errno(req, -EOPNOTSUPP,
			       "filters are not supported yet");
		return;
	}
	err = be->ops->point_count(be, name, !exact || !json_is_false(exact),
				   NULL, &count);
	if (err == -ENOENT) {
		gw_reply_errno(req, err, "Collection `%s` doesn't exist!",
			       name);
		return;
	}
	if (err) {
		gw_reply_errno(req, err, "Cannot count points in `%s`", name);
		return;
	}
	gw_reply_ok(req, json_pack("{s:I}", "count", (json_int_t)count));
}

/* --- shared helpers ------------------------------------------------------ */

#define GW_BATCH_MAX 65536u /* points per request (the kernel's batch) */
#define GW_K_MAX 10000u /* limit + offset of one search */

static atomic_uint_fast64_t next_operation_id;

/* The collection's info, or a reply (404 ...) and -1. */
static int coll_info(struct gw_req *req, const char *name,
		     struct gw_collection_info *info)
{
	struct gw_backend *be = req->srv->backend;
	int err = be->ops->collection_get(be, name, info);

	if (!err)
		return 0;
	if (err == -ENOENT)
		gw_reply_errno(req, err, "Collection `%s` doesn't exist!",
			       name);
	else
		gw_reply_errno(req, err, "Collection `%s`: %s", name,
			       strerror(-err));
	return -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A UUID, hyphenated (8-4-4-4-12) or 32 hex digits, any case. */
static int parse_uuid(const char *s, uint8_t out[16])
{
	size_t len = strlen(s), i, j = 0;
	bool hyph = len == 36;

	if (len != 36 && len != 32)
		return -1;
	for (i = 0; i < len;) {
		int hi, lo;

		if (hyph && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i++] != '-')
				return -1;
			continue;
		}
		hi = hexval((unsigned char)s[i]);
		lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[j++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return j == 16 ? 0 : -1;
}

/* A point id from JSON, or -1 (no reply sent). */
static int parse_id(const json_t *v, struct gw_point_id *id)
{
	memset(id, 0, sizeof(*id));
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		id->kind = GW_ID_NUM;
		id->num = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		id->kind = GW_ID_UUID;
		return parse_uuid(json_string_value(v), id->uuid);
	}
	return -1;
}

/* The same from a path segment: digits or a UUID. */
static int parse_id_str(const char *s, struct gw_point_id *id)
{
	char *end;

	memset(id, 0, sizeof(*id));
	if (*s >= '0' && *s <= '9' && strlen(s) < 32) {
		errno = 0;
		id->num = strtoull(s, &end, 10);
		if (errno || *end)
			return -1;
		id->kind = GW_ID_NUM;
		return 0;
	}
	id->kind = GW_ID_UUID;
	return parse_uuid(s, id->uuid);
}

static json_t *id_json(const struct gw_point_id *id)
{
	char buf[37];
	const uint8_t *b = id->uuid;

	if (id->kind == GW_ID_NUM) {
		/* jansson's integers are int64; larger ids go out as reals. */
		if (id->num > (uint64_t)INT64_MAX)
			return json_real((double)id->num);
		return json_integer((json_int_t)id->num);
	}
	snprintf(
		buf, sizeof(buf),
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		b[10], b[11], b[12], b[13], b[14], b[15]);
	return json_string(buf);
}

static void id_str(const struct gw_point_id *id, char *buf, size_t len)
{
	json_t *j = id_json(id);

	if (json_is_string(j))
		snprintf(buf, len, "%s", json_string_value(j));
	else
		snprintf(buf, len, "%llu", (unsigned long long)id->num);
	json_decref(j);
}

/* The dense vector in @v: [...], {"name": "", "vector": [...]}, {"": [...]}. */
static json_t *unwrap_vector(json_t *v)
{
	if (json_is_object(v) && json_object_get(v, "vector"))
		return json_object_get(v, "vector");
	if (json_is_object(v) && json_object_size(v) == 1 &&
	    json_object_get(v, ""))
		return json_object_get(v, "");
	return v;
}

/* Its length, 0 if it is not an array (parse_vector() then says why). */
static uint32_t vector_len(json_t *v)
{
	size_t n;

	v = unwrap_vector(v);
	n = json_is_array(v) ? json_array_size(v) : 0;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/*
 * A vector of the wrong size was given (the kernel said EINVAL, or the
 * points of one request disagree): look up the collection's size for
 * Qdrant's message. @a and @b are the sizes seen; @err the error to
 * report if neither is wrong after all.
 */
static void reply_bad_dim(struct gw_req *req, const char *name, uint32_t a,
			  uint32_t b, int err)
{
	struct gw_collection_info info;

	if (coll_info(req, name, &info))
		return;
	if (info.params.size != a || info.params.size != b)
		gw_reply_errno(
			req, -EINVAL,
			"Vector dimension error: expected dim: %u, got %u",
			info.params.size, info.params.size != a ? a : b);
	else
		gw_reply_errno(req, err, "%s", strerror(-err));
}

/*
 * A dense vector of exactly @dim numbers into @out, or a reply and -1.
 * @dim is the first vector's size in the request; a different size is
 * checked against collection @name for the message.
 */
static int parse_vector(struct gw_req *req, const char *name, json_t *v,
			uint32_t dim, float *out, const char *what)
{
	size_t i, n;

	v = unwrap_vector(v);
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
		reply_bad_dim(req, name,
			      n > UINT32_MAX ? UINT32_MAX : (uint32_t)n, dim,
			      -EINVAL);
		return -1;
	}
	for (i = 0; i < n; i++) {
		json_t *x = json_array_get(v, i);

		if (!json_is_number(x)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: %s[%zu]: expected a number",
				what, i);
			return -1;
		}
		out[i] = (float)json_number_value(x);
	}
	return 0;
}

/* with_payload: true/false, [keys], {"include": [...]}, {"exclude": [...]}. */
struct payload_sel {
	bool want;
	json_t *include; /* array of keys or NULL */
	json_t *exclude;
};

static int parse_with_payload(struct gw_req *req, json_t *v, bool dflt,
			      struct payload_sel *sel)
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

	json_array_foreach(list, i, k) if (json_is_string(k) &&
					   !strcmp(json_string_value(k),
						   key)) return true;
	return false;
}

/* Apply include/exclude (top-level keys) to a decoded payload in place. */
static void payload_select(json_t *payload, const struct payload_sel *sel)
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

static int parse_with_vector(struct gw_req *req, json_t *body, bool dflt,
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

static json_t *vector_json(const float *v, uint32_t dim)
{
	json_t *a = json_array();
	uint32_t i;

	for (i = 0; a && i < dim; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

/*
 * Look up @n points and add "payload" and/or "vector" to recs[i] (objects
 * with "id" already). found[] says which exist. 0, or a reply and -1.
 */
static int fetch_points(struct gw_req *req, const char *coll, uint32_t dim,
			uint32_t n, const struct gw_point_id *ids,
			uint8_t *found, const struct payload_sel *psel,
			bool want_vec, json_t **recs)
{
	struct gw_backend *be = req->srv->backend;
	float *vecs = NULL;
	uint32_t *plens = NULL;
	uint8_t *pbuf = NULL;
	uint64_t psize = 0, off = 0;
	int ret = -1, err;
	uint32_t i;

	if (!n)
		return 0;
	if (want_vec)
		vecs = malloc((size_t)n * dim * sizeof(float));
	if (psel->want) {
		plens = calloc(n, sizeof(*plens));
		psize = 64 * 1024;
		pbuf = malloc(psize);
	}
	if ((want_vec && !vecs) || (psel->want && (!plens || !pbuf))) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	for (;;) {
		uint64_t room = psize;

		err = be->ops->point_get(be, coll, n, ids, found, vecs, plens,
					 pbuf, psel->want ? &room : NULL, NULL);
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
		if (err == -ENOENT)
			gw_reply_errno(req, err,
				       "Collection `%s` doesn't exist!", coll);
		else
			gw_reply_errno(req, err, "Cannot read points: %s",
				       strerror(-err));
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
		if (want_vec && found[i])
			json_object_set_new(recs[i], "vector",
					    vector_json(vecs + (size_t)i * dim,
							dim));
	}
	ret = 0;
out:
	free(vecs);
	free(plens);
	free(pbuf);
	return ret;
}

static json_t *update_result(struct gw_req *req)
{
	const char *wait = gw_req_query(req, "wait");
	uint64_t op = atomic_fetch_add(&next_operation_id, 1);

	return json_pack("{s:I, s:s}", "operation_id", (json_int_t)op, "status",
			 wait && !strcmp(wait, "true") ? "completed" :
							 "acknowledged");
}

/* An array of ids, or a reply and -1. *ids is malloc'd. */
static int parse_ids(struct gw_req *req, json_t *arr, const char *what,
		     struct gw_point_id **ids, uint32_t *n)
{
	size_t i, len;

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
		if (parse_id(json_array_get(arr, i), &(*ids)[i])) {
			free(*ids);
			*ids = NULL;
			gw_reply_error(
				req, 400,
				"Format error in JSON body: %s[%zu]: value is not an unsigned integer or a UUID",
				what, i);
			return -1;
		}
	}
	*n = (uint32_t)len;
	return 0;
}

/* --- upsert -------------------------------------------------------------- */

struct upsert_buf {
	uint32_t n, dim;
	struct gw_point_id *ids;
	float *vecs;
	uint32_t *plens;
	uint8_t *pbuf;
	size_t psize, pcap;
	bool any_payload;
};

static void upsert_buf_free(struct upsert_buf *u)
{
	free(u->ids);
	free(u->vecs);
	free(u->plens);
	free(u->pbuf);
}

static int add_payload(struct gw_req *req, struct upsert_buf *u, uint32_t i,
		       json_t *p, const char *what)
{
	uint8_t *cbor;
	size_t len;
	char msg[160];
	int err;

	if (!p || json_is_null(p))
		return 0;
	if (!json_is_object(p)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: %s: expected an object",
			what);
		return -1;
	}
	err = gw_json_to_cbor(p, &cbor, &len, msg, sizeof(msg));
	if (err) {
		if (err == -ENOMEM)
			gw_reply_errno(req, err, NULL);
		else
			gw_reply_invalid(req, "%s: %s", what, msg);
		return -1;
	}
	if (u->psize + len > u->pcap) {
		size_t cap = (u->psize + len) * 2;
		uint8_t *nb = realloc(u->pbuf, cap);

		if (!nb) {
			free(cbor);
			gw_reply_errno(req, -ENOMEM, NULL);
			return -1;
		}
		u->pbuf = nb;
		u->pcap = cap;
	}
	memcpy(u->pbuf + u->psize, cbor, len);
	u->psize += len;
	u->plens[i] = (uint32_t)len;
	u->any_payload = true;
	free(cbor);
	return 0;
}

static int upsert_alloc(struct gw_req *req, struct upsert_buf *u, size_t n,
			uint32_t dim)
{
	if (n > GW_BATCH_MAX) {
		gw_reply_invalid(req, "points: at most %u points per request",
				 GW_BATCH_MAX);
		return -1;
	}
	u->n = (uint32_t)n;
	u->dim = dim;
	u->ids = calloc(n ? n : 1, sizeof(*u->ids));
	u->vecs = calloc(n ? n * dim : 1, sizeof(float));
	u->plens = calloc(n ? n : 1, sizeof(*u->plens));
	if (!u->ids || !u->vecs || !u->plens) {
		gw_reply_errno(req, -ENOMEM, NULL);
		return -1;
	}
	return 0;
}

static int bad_id(struct gw_req *req, const char *what, size_t i)
{
	gw_reply_error(
		req, 400,
		"Format error in JSON body: %s[%zu].id: value is not an unsigned integer or a UUID",
		what, i);
	return -1;
}

static int parse_points_list(struct gw_req *req, const char *name, json_t *pts,
			     struct upsert_buf *u, uint32_t dim)
{
	char what[64];
	json_t *pt;
	size_t i;

	if (upsert_alloc(req, u, json_array_size(pts), dim))
		return -1;
	json_array_foreach(pts, i, pt)
	{
		if (!json_is_object(pt)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: points[%zu]: expected an object",
				i);
			return -1;
		}
		if (parse_id(json_object_get(pt, "id"), &u->ids[i]))
			return bad_id(req, "points", i);
		snprintf(what, sizeof(what), "points[%zu].vector", i);
		if (parse_vector(req, name, json_object_get(pt, "vector"), dim,
				 u->vecs + i * dim, what))
			return -1;
		snprintf(what, sizeof(what), "points[%zu].payload", i);
		if (add_payload(req, u, (uint32_t)i,
				json_object_get(pt, "payload"), what))
			return -1;
	}
	return 0;
}

static int parse_points_batch(struct gw_req *req, const char *name,
			      json_t *batch, struct upsert_buf *u, uint32_t dim)
{
	json_t *ids = json_object_get(batch, "ids");
	json_t *vecs = json_object_get(batch, "vectors");
	json_t *pls = json_object_get(batch, "payloads");
	char what[64];
	size_t i, n;

	if (!json_is_object(batch) || !json_is_array(ids) ||
	    !json_is_array(vecs) ||
	    (pls && !json_is_null(pls) && !json_is_array(pls))) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: batch: expected {\"ids\": [...], \"vectors\": [...], \"payloads\": [...]}");
		return -1;
	}
	n = json_array_size(ids);
	if (json_array_size(vecs) != n ||
	    (json_is_array(pls) && json_array_size(pls) != n)) {
		gw_reply_errno(req, -EINVAL,
			       "number of ids and vectors must be equal");
		return -1;
	}
	if (upsert_alloc(req, u, n, dim))
		return -1;
	for (i = 0; i < n; i++) {
		if (parse_id(json_array_get(ids, i), &u->ids[i])) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: batch.ids[%zu]: value is not an unsigned integer or a UUID",
				i);
			return -1;
		}
		snprintf(what, sizeof(what), "batch.vectors[%zu]", i);
		if (parse_vector(req, name, json_array_get(vecs, i), dim,
				 u->vecs + i * dim, what))
			return -1;
		snprintf(what, sizeof(what), "batch.payloads[%zu]", i);
		if (add_payload(req, u, (uint32_t)i,
				json_is_array(pls) ? json_array_get(pls, i) :
						     NULL,
				what))
			return -1;
	}
	return 0;
}

void gw_points_upsert(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	json_t *pts = json_object_get(req->body, "points");
	json_t *batch = json_object_get(req->body, "batch");
	struct gw_collection_info info;
	struct upsert_buf u = { 0 };
	uint32_t dim;
	int err;

	if (!json_is_array(pts) && !batch) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: data did not match any variant of untagged enum PointInsertOperations: expected \"points\": [...] or \"batch\": {...}");
		return;
	}
	/*
	 * The size of the first vector is taken as the collection's; the
	 * kernel checks it (EINVAL), and only then is the collection looked
	 * up for the message: no extra round trip on the hot path.
	 */
	dim = vector_len(
		json_is_array(pts) ?
			json_object_get(json_array_get(pts, 0), "vector") :
			json_array_get(json_object_get(batch, "vectors"), 0));
	if (json_is_array(pts) ? parse_points_list(req, name, pts, &u, dim) :
				 parse_points_batch(req, name, batch, &u, dim))
		goto out;
	if (!u.n) {
		if (!coll_info(req, name, &info))
			gw_reply_ok(req, update_result(req));
		goto out;
	}
	err = be->ops->point_upsert(be, name, u.n, u.dim, u.ids, u.vecs,
				    u.any_payload ? u.plens : NULL, u.pbuf);
	if (err == -EINVAL)
		reply_bad_dim(req, name, dim, dim, err);
	else if (err == -ENOENT)
		gw_reply_errno(req, err, "Collection `%s` doesn't exist!",
			       name);
	else if (err)
		gw_reply_errno(req, err, "Cannot upsert points: %s",
			       strerror(-err));
	else
		gw_reply_ok(req, update_result(req));
out:
	upsert_buf_free(&u);
}

/* --- retrieve ------------------------------------------------------------ */

/* Records of the found points among ids[n], in request order. */
static void reply_records(struct gw_req *req, const char *name, uint32_t dim,
			  uint32_t n, const struct gw_point_id *ids,
			  const struct payload_sel *psel, bool want_vec,
			  bool single)
{
	json_t **recs = calloc(n ? n : 1, sizeof(*recs));
	uint8_t *found = calloc(n ? n : 1, 1);
	json_t *out = NULL;
	uint32_t i;

	if (!recs || !found) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < n; i++)
		recs[i] = json_pack("{s:o}", "id", id_json(&ids[i]));
	if (fetch_points(req, name, dim, n, ids, found, psel, want_vec, recs))
		goto out;
	if (single) {
		char buf[40];

		if (!found[0]) {
			id_str(&ids[0], buf, sizeof(buf));
			gw_reply_errno(req, -ENOENT,
				       "No point with id %s found", buf);
			goto out;
		}
		out = json_incref(recs[0]);
	} else {
		out = json_array();
		for (i = 0; out && i < n; i++)
			if (found[i])
				json_array_append(out, recs[i]);
	}
	gw_reply_ok(req, out);
out:
	for (i = 0; recs && i < n; i++)
		json_decref(recs[i]);
	free(recs);
	free(found);
}

void gw_points_retrieve(struct gw_req *req)
{
	const char *name = gw_req_param(req, "collection_name");
	struct gw_collection_info info;
	struct gw_point_id *ids = NULL;
	struct payload_sel psel;
	bool want_vec;
	uint32_t n;

	if (parse_ids(req, json_object_get(req->body, "ids"), "ids", &ids, &n))
		return;
	if (parse_with_payload(req, json_object_get(req->body, "with_payload"),
			       true, &psel) ||
	    parse_with_vector(req, req->body, false, &want_vec) ||
	    coll_info(req, name, &info))
		goto out;
	reply_records(req, name, info.params.size, n, ids, &psel, want_vec,
		      false);
out:
	free(ids);
}

void gw_point_get(struct gw_req *req)
{
	const char *name = gw_req_param(req, "collection_name");
	const char *sid = gw_req_param(req, "id");
	struct payload_sel psel = { .want = true };
	struct gw_collection_info info;
	struct gw_point_id id;

	if (parse_id_str(sid, &id)) {
		gw_reply_error(
			req, 400,
			"Format error in path: id: `%s` is not an unsigned integer or a UUID",
			sid);
		return;
	}
	if (coll_info(req, name, &info))
		return;
	reply_records(req, name, info.params.size, 1, &id, &psel, true, true);
}

/* --- delete -------------------------------------------------------------- */

void gw_points_delete(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	json_t *pts = json_object_get(req->body, "points");
	struct gw_collection_info info;
	struct gw_point_id *ids = NULL;
	uint32_t n;
	int err;

	if (!pts && json_object_get(req->body, "filter")) {
		gw_reply_errno(req, -EOPNOTSUPP,
			       "delete by filter is not supported yet");
		return;
	}
	if (parse_ids(req, pts, "points", &ids, &n))
		return;
	if (coll_info(req, name, &info))
		goto out;
	err = n ? be->ops->point_delete(be, name, n, ids) : 0;
	if (err == -ENOENT)
		gw_reply_errno(req, err, "Collection `%s` doesn't exist!",
			       name);
	else if (err < 0)
		gw_reply_errno(req, err, "Cannot delete points: %s",
			       strerror(-err));
	else
		gw_reply_ok(req, update_result(req));
out:
	free(ids);
}

/* --- search -------------------------------------------------------------- */

static bool id_eq(const struct gw_point_id *a, const struct gw_point_id *b)
{
	if (a->kind != b->kind)
		return false;
	return a->kind == GW_ID_NUM ? a->num == b->num :
				      !memcmp(a->uuid, b->uuid, 16);
}

/*
 * Run one nearest-neighbour search (the request object @body: limit,
 * offset, params, ...) and build the ScoredPoint array. @vec is the query
 * vector JSON; @exclude a point left out of the results (query by id).
 * NULL (a reply sent) on failure.
 */
static json_t *do_search(struct gw_req *req, const char *name, json_t *body,
			 json_t *vec, json_int_t dflt_limit,
			 const struct gw_point_id *exclude)
{
	struct gw_backend *be = req->srv->backend;
	json_t *params = json_object_get(body, "params");
	json_t *jlimit = json_object_get(body, "limit");
	json_t *joffset = json_object_get(body, "offset");
	json_t *jthr = json_object_get(body, "score_threshold");
	struct gw_search so = { 0 };
	struct gw_point_id *ids = NULL;
	struct gw_hit *hits = NULL;
	json_t **recs = NULL, *out = NULL;
	uint8_t *found = NULL;
	struct payload_sel psel;
	float *q = NULL;
	json_int_t limit = dflt_limit, offset = 0;
	bool want_vec;
	uint32_t dim;
	int nh = 0, i;

	if (json_object_get(body, "filter") &&
	    !json_is_null(json_object_get(body, "filter"))) {
		gw_reply_errno(req, -EOPNOTSUPP,
			       "filters are not supported yet");
		return NULL;
	}
	if (jlimit && !json_is_null(jlimit)) {
		if (!json_is_integer(jlimit) ||
		    json_integer_value(jlimit) < 0) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: limit: expected an unsigned integer");
			return NULL;
		}
		limit = json_integer_value(jlimit);
	} else if (dflt_limit < 0) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: missing field `limit`");
		return NULL;
	}
	if (joffset && !json_is_null(joffset)) {
		if (!json_is_integer(joffset) ||
		    json_integer_value(joffset) < 0) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: offset: expected an unsigned integer");
			return NULL;
		}
		offset = json_integer_value(joffset);
	}
	if (limit < 1 || limit + offset > GW_K_MAX) {
		if (limit == 0) {
			gw_reply_invalid(
				req,
				"limit: value 0 invalid, must be 1.0 or larger");
			return NULL;
		}
		gw_reply_invalid(req,
				 "limit: limit + offset must be at most %u",
				 GW_K_MAX);
		return NULL;
	}
	if (jthr && !json_is_null(jthr)) {
		if (!json_is_number(jthr)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: score_threshold: expected a number");
			return NULL;
		}
		so.has_threshold = true;
		so.score_threshold = (float)json_number_value(jthr);
	}
	if (params && !json_is_null(params)) {
		json_t *ef = json_object_get(params, "hnsw_ef");
		json_t *ex = json_object_get(params, "exact");

		if (!json_is_object(params) ||
		    (ef && !json_is_null(ef) &&
		     (!json_is_integer(ef) || json_integer_value(ef) < 0 ||
		      json_integer_value(ef) > UINT32_MAX)) ||
		    (ex && !json_is_null(ex) && !json_is_boolean(ex))) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: params: expected {\"hnsw_ef\": unsigned integer, \"exact\": boolean}");
			return NULL;
		}
		if (json_is_integer(ef))
			so.ef = (uint32_t)json_integer_value(ef);
		so.exact = json_is_true(ex);
	}
	if (parse_with_payload(req, json_object_get(body, "with_payload"),
			       false, &psel) ||
	    parse_with_vector(req, body, false, &want_vec))
		return NULL;
	if (!vec) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: missing field `vector`");
		return NULL;
	}
	/* As upsert: the kernel checks the size, no lookup beforehand. */
	dim = vector_len(vec);
	/* One more when a point is excluded, so that limit are left. */
	so.limit = (uint32_t)limit + (exclude && limit + offset < GW_K_MAX);
	so.offset = (uint32_t)offset;
	q = malloc(((size_t)dim + 1) * sizeof(float));
	hits = calloc(so.limit, sizeof(*hits));
	if (!q || !hits) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	if (parse_vector(req, name, vec, dim, q, "vector"))
		goto out;
	nh = be->ops->point_search(be, name, dim, q, &so, hits);
	if (nh < 0) {
		if (nh == -EINVAL)
			reply_bad_dim(req, name, dim, dim, nh);
		else if (nh == -ENOENT)
			gw_reply_errno(req, nh,
				       "Collection `%s` doesn't exist!", name);
		else
			gw_reply_errno(req, nh, "Search failed: %s",
				       strerror(-nh));
		nh = 0;
		goto out;
	}
	if (exclude) {
		int j = 0;

		for (i = 0; i < nh; i++)
			if (!id_eq(&hits[i].id, exclude))
				hits[j++] = hits[i];
		nh = j < limit ? j : (int)limit;
	}
	ids = calloc(nh ? nh : 1, sizeof(*ids));
	recs = calloc(nh ? nh : 1, sizeof(*recs));
	found = calloc(nh ? nh : 1, 1);
	if (!ids || !recs || !found) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < nh; i++) {
		ids[i] = hits[i].id;
		recs[i] = json_pack("{s:o, s:i, s:f}", "id", id_json(&ids[i]),
				    "version", 0, "score",
				    (double)hits[i].score);
	}
	if ((psel.want || want_vec) &&
	    fetch_points(req, name, dim, (uint32_t)nh, ids, found, &psel,
			 want_vec, recs))
		goto out;
	out = json_array();
	for (i = 0; out && i < nh; i++)
		json_array_append(out, recs[i]);
	if (!out)
		gw_reply_errno(req, -ENOMEM, NULL);
out:
	for (i = 0; recs && i < nh; i++)
		json_decref(recs[i]);
	free(recs);
	free(found);
	free(ids);
	free(hits);
	free(q);
	return out;
}

void gw_points_search(struct gw_req *req)
{
	const char *name = gw_req_param(req, "collection_name");
	json_t *res = do_search(req, name, req->body,
				json_object_get(req->body, "vector"), -1, NULL);

	if (res)
		gw_reply_ok(req, res);
}

/* Each of body.searches through @one; the array of results, or a reply. */
static void batch(struct gw_req *req,
		  json_t *(*one)(struct gw_req *, const char *, json_t *))
{
	const char *name = gw_req_param(req, "collection_name");
	json_t *searches = json_object_get(req->body, "searches");
	json_t *out, *s, *r;
	size_t i;

	if (!json_is_array(searches)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: missing field `searches`");
		return;
	}
	out = json_array();
	if (!out) {
		gw_reply_errno(req, -ENOMEM, NULL);
		return;
	}
	json_array_foreach(searches, i, s)
	{
		if (!json_is_object(s)) {
			json_decref(out);
			gw_reply_error(
				req, 400,
				"Format error in JSON body: searches[%zu]: expected an object",
				i);
			return;
		}
		r = one(req, name, s);
		if (!r) {
			json_decref(out);
			return;
		}
		json_array_append_new(out, r);
	}
	gw_reply_ok(req, out);
}

static json_t *search_one(struct gw_req *req, const char *name, json_t *body)
{
	return do_search(req, name, body, json_object_get(body, "vector"), -1,
			 NULL);
}

void gw_points_search_batch(struct gw_req *req)
{
	batch(req, search_one);
}

/* The vector of point @id as a JSON array, or a reply and NULL. */
static json_t *point_vector(struct gw_req *req, const char *name,
			    const struct gw_point_id *id)
{
	struct payload_sel none = { .want = false };
	struct gw_collection_info info;
	json_t *rec, *vec;
	uint8_t found = 0;
	char buf[40];

	if (coll_info(req, name, &info))
		return NULL;
	rec = json_object();
	if (!rec) {
		gw_reply_errno(req, -ENOMEM, NULL);
		return NULL;
	}
	if (fetch_points(req, name, info.params.size, 1, id, &found, &none,
			 true, &rec)) {
		json_decref(rec);
		return NULL;
	}
	if (!found) {
		json_decref(rec);
		id_str(id, buf, sizeof(buf));
		gw_reply_errno(req, -ENOENT, "No point with id %s found", buf);
		return NULL;
	}
	vec = json_incref(json_object_get(rec, "vector"));
	json_decref(rec);
	return vec;
}

/* One query request object: {"points": [...]}, or a reply and NULL. */
static json_t *query_one(struct gw_req *req, const char *name, json_t *body)
{
	json_t *q = json_object_get(body, "query");
	struct gw_point_id id;
	json_t *res, *vec;

	if (json_object_get(body, "prefetch")) {
		gw_reply_errno(req, -EOPNOTSUPP,
			       "prefetch is not supported yet");
		return NULL;
	}
	if (json_is_object(q) && json_object_get(q, "nearest"))
		q = json_object_get(q, "nearest");
	if (!q || json_is_null(q)) {
		gw_reply_errno(
			req, -EOPNOTSUPP,
			"a query without \"query\" (scroll order) is not supported yet");
		return NULL;
	}
	if (json_is_integer(q) || json_is_string(q)) {
		/* By point id: its vector, the point itself left out. */
		if (parse_id(q, &id)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: query: value is not a vector, an unsigned integer or a UUID");
			return NULL;
		}
		vec = point_vector(req, name, &id);
		if (!vec)
			return NULL;
		res = do_search(req, name, body, vec, 10, &id);
		json_decref(vec);
	} else {
		if (json_is_object(q) && !json_object_get(q, "vector") &&
		    !json_object_get(q, "")) {
			gw_reply_errno(req, -EOPNOTSUPP,
				       "this query type is not supported yet");
			return NULL;
		}
		res = do_search(req, name, body, q, 10, NULL);
	}
	return res ? json_pack("{s:o}", "points", res) : NULL;
}

void gw_points_query(struct gw_req *req)
{
	json_t *res =
		query_one(req, gw_req_param(req, "collection_name"), req->body);

	if (res)
		gw_reply_ok(req, res);
}

void gw_points_query_batch(struct gw_req *req)
{
	batch(req, query_one);
}

/* --- scroll -------------------------------------------------------------- */

/* Qdrant's order: numeric ids ascending, then UUIDs (by their bytes). */
static int id_cmp(const void *pa, const void *pb)
{
	const struct gw_point_id *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind == GW_ID_NUM ? -1 : 1;
	if (a->kind == GW_ID_NUM)
		return a->num < b->num ? -1 : a->num > b->num;
	return memcmp(a->uuid, b->uuid, 16);
}

/*
 * The storage scrolls in its own order with an opaque cursor, while
 * Qdrant pages in id order with a point id as offset: read every id,
 * sort, and cut the page. O(n log n) per page; a kernel-side ordered
 * scroll would make it O(limit).
 */
void gw_points_scroll(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	json_t *body = req->body, *joff = json_object_get(body, "offset");
	json_t *jlimit = json_object_get(body, "limit");
	json_t *filter = json_object_get(body, "filter");
	struct gw_collection_info info;
	struct gw_point_id *all = NULL, off;
	struct payload_sel psel;
	json_t **recs = NULL, *pts, *next;
	uint8_t *found = NULL;
	size_t n = 0, cap = 0, start = 0, end = 0, i;
	uint64_t cursor = 0;
	json_int_t limit = 10;
	bool want_vec;
	int got;

	if ((filter && !json_is_null(filter)) ||
	    (json_object_get(body, "order_by") &&
	     !json_is_null(json_object_get(body, "order_by")))) {
		gw_reply_errno(req, -EOPNOTSUPP,
			       "filter and order_by are not supported yet");
		return;
	}
	if (jlimit && !json_is_null(jlimit)) {
		if (!json_is_integer(jlimit) ||
		    json_integer_value(jlimit) < 1 ||
		    json_integer_value(jlimit) > GW_BATCH_MAX) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: limit: expected an integer from 1 to %u",
				GW_BATCH_MAX);
			return;
		}
		limit = json_integer_value(jlimit);
	}
	if (joff && !json_is_null(joff) && parse_id(joff, &off)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: offset: value is not an unsigned integer or a UUID");
		return;
	}
	if (parse_with_payload(req, json_object_get(body, "with_payload"), true,
			       &psel) ||
	    parse_with_vector(req, body, false, &want_vec) ||
	    coll_info(req, name, &info))
		return;

	while (cursor != UINT64_MAX) {
		if (cap - n < 4096) {
			struct gw_point_id *na;

			cap = cap ? cap * 2 : 8192;
			na = realloc(all, cap * sizeof(*all));
			if (!na) {
				gw_reply_errno(req, -ENOMEM, NULL);
				goto out;
			}
			all = na;
		}
		got = be->ops->point_scroll(be, name, &cursor, 4096, NULL,
					    all + n);
		if (got < 0) {
			if (got == -ENOENT)
				gw_reply_errno(req, got,
					       "Collection `%s` doesn't exist!",
					       name);
			else
				gw_reply_errno(req, got, "Scroll failed: %s",
					       strerror(-got));
			goto out;
		}
		n += got;
		if (!got && cursor != UINT64_MAX)
			break; /* no progress: do not spin */
	}
	if (n)
		qsort(all, n, sizeof(*all), id_cmp);
	if (joff && !json_is_null(joff))
		while (start < n && id_cmp(&all[start], &off) < 0)
			start++;
	end = start + (size_t)limit < n ? start + (size_t)limit : n;

	recs = calloc(end - start + 1, sizeof(*recs));
	found = calloc(end - start + 1, 1);
	if (!recs || !found) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	for (i = start; i < end; i++)
		recs[i - start] = json_pack("{s:o}", "id", id_json(&all[i]));
	if ((psel.want || want_vec) &&
	    fetch_points(req, name, info.params.size, (uint32_t)(end - start),
			 all + start, found, &psel, want_vec, recs))
		goto out;
	pts = json_array();
	for (i = start; pts && i < end; i++)
		json_array_append(pts, recs[i - start]);
	next = end < n ? id_json(&all[end]) : json_null();
	gw_reply_ok(req, json_pack("{s:o, s:o}", "points", pts,
				   "next_page_offset", next));
out:
	for (i = start; recs && i < end; i++)
		json_decref(recs[i - start]);
	free(recs);
	free(found);
	free(all);
}
