// SPDX-License-Identifier: GPL-2.0
/*
 * Points API: upsert, retrieve, delete, count, search, query, scroll.
 * Payload and vector updates are in payload.c, recommend in recommend.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "common.h"
#include "f32_text.h"
#include "gateway.h"
#include "handlers.h"
#include "ids.h"
#include "json_cbor.h"
#include "request.h"

void gw_points_count(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	json_t *exact = json_object_get(req->body, "exact");
	struct gw_cfilter cf;
	uint64_t count;
	int err;

	if (exact && !json_is_boolean(exact) && !json_is_null(exact)) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: exact: expected a boolean");
		return;
	}
	if (gw_parse_filter(req, json_object_get(req->body, "filter"), &cf))
		return;
	err = be->ops->point_count(be, name, !exact || !json_is_false(exact),
				   cf.f.len ? &cf.f : NULL, &count);
	gw_cfilter_free(&cf);
	if (err) {
		gw_reply_backend(req, err, name, "Cannot count points");
		return;
	}
	gw_reply_ok(req, json_pack("{s:I}", "count", (json_int_t)count));
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
	gw_bigint_to_real(p); /* u64 beyond int64 in payloads: numbers */
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
		if (gw_parse_id(req, json_object_get(pt, "id"), &u->ids[i]))
			return -1;
		snprintf(what, sizeof(what), "points[%zu].vector", i);
		if (gw_parse_vector(req, name, json_object_get(pt, "vector"),
				    dim, u->vecs + i * dim, what))
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
		if (gw_parse_id(req, json_array_get(ids, i), &u->ids[i]))
			return -1;
		snprintf(what, sizeof(what), "batch.vectors[%zu]", i);
		if (gw_parse_vector(req, name, json_array_get(vecs, i), dim,
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

int gw_op_upsert(struct gw_req *req, const char *name, json_t *body)
{
	struct gw_backend *be = req->srv->backend;
	json_t *pts = json_object_get(body, "points");
	json_t *batch = json_object_get(body, "batch");
	struct gw_collection_info info;
	struct upsert_buf u = { 0 };
	int ret = -1, err;
	uint32_t dim;

	if (!json_is_array(pts) && !batch) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: data did not match any variant of untagged enum PointInsertOperations: expected \"points\": [...] or \"batch\": {...}");
		return -1;
	}
	/*
	 * The size of the first vector is taken as the collection's; the
	 * kernel checks it (EINVAL), and only then is the collection looked
	 * up for the message: no extra round trip on the hot path.
	 */
	dim = gw_vector_len(
		json_is_array(pts) ?
			json_object_get(json_array_get(pts, 0), "vector") :
			json_array_get(json_object_get(batch, "vectors"), 0));
	if (json_is_array(pts) ? parse_points_list(req, name, pts, &u, dim) :
				 parse_points_batch(req, name, batch, &u, dim))
		goto out;
	if (!u.n) {
		ret = gw_coll_info(req, name, &info);
		goto out;
	}
	err = be->ops->point_upsert(be, name, u.n, u.dim, u.ids, u.vecs,
				    u.any_payload ? u.plens : NULL, u.pbuf);
	if (err == -EINVAL)
		gw_reply_bad_dim(req, name, dim, dim, err);
	else if (err)
		gw_reply_backend(req, err, name, "Cannot upsert points");
	else
		ret = 0;
out:
	upsert_buf_free(&u);
	return ret;
}

void gw_points_upsert(struct gw_req *req)
{
	const char *name = gw_req_param(req, "collection_name");

	if (!gw_op_upsert(req, name, req->body))
		gw_reply_ok(req, gw_update_result(req));
}

/* --- retrieve ------------------------------------------------------------ */

/* Records of the found points among ids[n], in request order. */
static void reply_records(struct gw_req *req, const char *name, uint32_t dim,
			  uint32_t n, const struct gw_point_id *ids,
			  const struct gw_payload_sel *psel, bool want_vec,
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
		recs[i] = json_pack("{s:o}", "id", gw_id_json(&ids[i]));
	if (gw_fetch_points(req, name, dim, n, ids, found, psel, want_vec,
			    recs))
		goto out;
	if (single) {
		char buf[40];

		if (!found[0]) {
			gw_id_str(&ids[0], buf, sizeof(buf));
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
	struct gw_payload_sel psel;
	bool want_vec;
	uint32_t n;

	if (gw_parse_ids(req, json_object_get(req->body, "ids"), "ids", &ids,
			 &n))
		return;
	if (gw_parse_with_payload(req,
				  json_object_get(req->body, "with_payload"),
				  true, &psel) ||
	    gw_parse_with_vector(req, req->body, false, &want_vec) ||
	    gw_coll_info(req, name, &info))
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
	struct gw_payload_sel psel = { .want = true };
	struct gw_collection_info info;
	struct gw_point_id id;

	if (gw_id_parse_str(sid, &id)) {
		gw_reply_error(
			req, 400,
			"Format error in path: id: `%s` is not an unsigned integer or a UUID",
			sid);
		return;
	}
	if (gw_coll_info(req, name, &info))
		return;
	reply_records(req, name, info.params.size, 1, &id, &psel, true, true);
}

/* --- delete -------------------------------------------------------------- */

int gw_op_delete(struct gw_req *req, const char *name, json_t *body)
{
	struct gw_backend *be = req->srv->backend;
	struct gw_collection_info info;
	struct gw_selector sel;
	int err = 0;

	if (gw_parse_selector(req, body, &sel))
		return -1;
	if (sel.by_filter) {
		err = gw_backend_has(be, point_delete_filter) ?
			      be->ops->point_delete_filter(be, name,
							   &sel.filt.f) :
			      -EOPNOTSUPP;
	} else if (sel.n) {
		err = be->ops->point_delete(be, name, sel.n, sel.ids);
	} else if (gw_coll_info(req, name, &info)) {
		gw_selector_free(&sel);
		return -1;
	}
	gw_selector_free(&sel);
	if (err < 0) {
		gw_reply_backend(req, err, name, "Cannot delete points");
		return -1;
	}
	return 0;
}

void gw_points_delete(struct gw_req *req)
{
	const char *name = gw_req_param(req, "collection_name");

	if (!gw_op_delete(req, name, req->body))
		gw_reply_ok(req, gw_update_result(req));
}

/* --- search -------------------------------------------------------------- */

static bool excluded(const struct gw_point_id *id,
		     const struct gw_point_id *excl, uint32_t nexcl)
{
	uint32_t i;

	for (i = 0; i < nexcl; i++)
		if (gw_id_eq(id, &excl[i]))
			return true;
	return false;
}

/* limit, offset, score_threshold and params of @body into @so. */
static int parse_search_opts(struct gw_req *req, json_t *body,
			     long long dflt_limit, struct gw_search *so,
			     json_int_t *limit_out, json_int_t *offset_out)
{
	json_t *params = json_object_get(body, "params");
	json_t *jlimit = json_object_get(body, "limit");
	json_t *joffset = json_object_get(body, "offset");
	json_t *jthr = json_object_get(body, "score_threshold");
	json_int_t limit = dflt_limit, offset = 0;

	if (jlimit && !json_is_null(jlimit)) {
		if (!json_is_integer(jlimit) ||
		    json_integer_value(jlimit) < 0) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: limit: expected an unsigned integer");
			return -1;
		}
		limit = json_integer_value(jlimit);
	} else if (dflt_limit < 0) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: missing field `limit`");
		return -1;
	}
	if (joffset && !json_is_null(joffset)) {
		if (!json_is_integer(joffset) ||
		    json_integer_value(joffset) < 0) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: offset: expected an unsigned integer");
			return -1;
		}
		offset = json_integer_value(joffset);
	}
	if (limit < 1) {
		gw_reply_invalid(
			req, "limit: value 0 invalid, must be 1.0 or larger");
		return -1;
	}
	if (limit + offset > GW_K_MAX) {
		gw_reply_invalid(req,
				 "limit: limit + offset must be at most %u",
				 GW_K_MAX);
		return -1;
	}
	if (jthr && !json_is_null(jthr)) {
		if (!json_is_number(jthr)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: score_threshold: expected a number");
			return -1;
		}
		so->has_threshold = true;
		so->score_threshold = (float)json_number_value(jthr);
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
			return -1;
		}
		if (json_is_integer(ef))
			so->ef = (uint32_t)json_integer_value(ef);
		so->exact = json_is_true(ex);
	}
	*limit_out = limit;
	*offset_out = offset;
	return 0;
}

/*
 * {"id", "version": 0, "score"}: built directly, as json_pack would, but
 * without reading a format string for every hit of every search.
 */
static json_t *hit_record(const struct gw_point_id *id, float score)
{
	json_t *r = json_object();

	if (r && !json_object_set_new_nocheck(r, "id", gw_id_json(id)) &&
	    !json_object_set_new_nocheck(r, "version", json_integer(0)) &&
	    !json_object_set_new_nocheck(r, "score", gw_score_json(score)))
		return r;
	json_decref(r);
	return NULL;
}

json_t *gw_do_search(struct gw_req *req, const char *name, json_t *body,
		     json_t *vec, const float *qv, uint32_t dim,
		     long long dflt_limit, const struct gw_point_id *excl,
		     uint32_t nexcl)
{
	struct gw_backend *be = req->srv->backend;
	struct gw_search so = { 0 };
	struct gw_point_id *ids = NULL;
	struct gw_hit *hits = NULL;
	json_t **recs = NULL, *out = NULL;
	uint8_t *found = NULL;
	struct gw_payload_sel psel;
	struct gw_cfilter cf = { 0 };
	float *q = NULL;
	json_int_t limit, offset;
	bool want_vec;
	int nh = 0, i;

	if (parse_search_opts(req, body, dflt_limit, &so, &limit, &offset) ||
	    gw_parse_with_payload(req, json_object_get(body, "with_payload"),
				  false, &psel) ||
	    gw_parse_with_vector(req, body, false, &want_vec))
		return NULL;
	if (!vec && !qv) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: missing field `vector`");
		return NULL;
	}
	if (gw_parse_filter(req, json_object_get(body, "filter"), &cf))
		return NULL;
	so.filter = cf.f;
	/* As upsert: the kernel checks the size, no lookup beforehand. */
	if (vec)
		dim = gw_vector_len(vec);
	/*
	 * With points to leave out, the offset applies after them: ask for
	 * offset + limit + nexcl from the start and cut here.
	 */
	so.limit = (uint32_t)limit;
	so.offset = (uint32_t)offset;
	if (nexcl) {
		so.limit = limit + offset + nexcl > GW_K_MAX ?
				   GW_K_MAX :
				   (uint32_t)(limit + offset + nexcl);
		so.offset = 0;
	}
	q = malloc(((size_t)dim + 1) * sizeof(float));
	hits = calloc(so.limit, sizeof(*hits));
	if (!q || !hits) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	if (vec) {
		if (gw_parse_vector(req, name, vec, dim, q, "vector"))
			goto out;
	} else {
		memcpy(q, qv, (size_t)dim * sizeof(float));
	}
	nh = be->ops->point_search(be, name, dim, q, &so, hits);
	if (nh < 0) {
		if (nh == -EINVAL && !cf.f.len)
			gw_reply_bad_dim(req, name, dim, dim, nh);
		else
			gw_reply_backend(req, nh, name, "Search failed");
		nh = 0;
		goto out;
	}
	if (nexcl) {
		int j = 0, skip = (int)offset;

		for (i = 0; i < nh && j < limit; i++) {
			if (excluded(&hits[i].id, excl, nexcl))
				continue;
			if (skip) {
				skip--;
				continue;
			}
			hits[j++] = hits[i];
		}
		nh = j;
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
		recs[i] = hit_record(&ids[i], hits[i].score);
		if (!recs[i]) {
			gw_reply_errno(req, -ENOMEM, NULL);
			goto out;
		}
	}
	if ((psel.want || want_vec) &&
	    gw_fetch_points(req, name, dim, (uint32_t)nh, ids, found, &psel,
			    want_vec, recs))
		goto out;
	out = json_array();
	for (i = 0; out && i < nh; i++) {
		if (json_array_append(out, recs[i])) {
			json_decref(out);
			out = NULL;
		}
	}
	if (!out)
		gw_reply_errno(req, -ENOMEM, NULL);
out:
	for (i = 0; recs && i < nh; i++)
		json_decref(recs[i]);
	gw_cfilter_free(&cf);
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
	json_t *res = gw_do_search(req, name, req->body,
				   json_object_get(req->body, "vector"), NULL,
				   0, -1, NULL, 0);

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
	return gw_do_search(req, name, body, json_object_get(body, "vector"),
			    NULL, 0, -1, NULL, 0);
}

void gw_points_search_batch(struct gw_req *req)
{
	batch(req, search_one);
}

static json_t *recommend_one(struct gw_req *req, const char *name, json_t *body)
{
	return gw_recommend_one(req, name, body, body, -1);
}

void gw_points_recommend(struct gw_req *req)
{
	json_t *res = recommend_one(req, gw_req_param(req, "collection_name"),
				    req->body);

	if (res)
		gw_reply_ok(req, res);
}

void gw_points_recommend_batch(struct gw_req *req)
{
	batch(req, recommend_one);
}

/* One query request object: {"points": [...]}, or a reply and NULL. */
static json_t *query_one(struct gw_req *req, const char *name, json_t *body)
{
	json_t *q = json_object_get(body, "query");
	json_t *res, *reco;
	struct gw_point_id id;

	if (json_object_get(body, "prefetch")) {
		gw_reply_errno(req, -EOPNOTSUPP,
			       "prefetch is not supported yet");
		return NULL;
	}
	if (json_is_object(q) && json_object_get(q, "nearest"))
		q = json_object_get(q, "nearest");
	reco = json_is_object(q) ? json_object_get(q, "recommend") : NULL;
	if (!q || json_is_null(q)) {
		gw_reply_errno(
			req, -EOPNOTSUPP,
			"a query without \"query\" (scroll order) is not supported yet");
		return NULL;
	}
	if (reco) {
		if (!json_is_object(reco)) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: query.recommend: expected an object");
			return NULL;
		}
		res = gw_recommend_one(req, name, body, reco, 10);
	} else if (json_is_integer(q) || json_is_string(q)) {
		/* By point id: as recommend with one positive example. */
		if (gw_parse_id(req, q, &id))
			return NULL;
		reco = json_pack("{s:[O]}", "positive", q);
		res = reco ? gw_recommend_one(req, name, body, reco, 10) : NULL;
		if (!reco)
			gw_reply_errno(req, -ENOMEM, NULL);
		json_decref(reco);
	} else {
		if (json_is_object(q) && !json_object_get(q, "vector") &&
		    !json_object_get(q, "")) {
			gw_reply_errno(req, -EOPNOTSUPP,
				       "this query type is not supported yet");
			return NULL;
		}
		res = gw_do_search(req, name, body, q, NULL, 0, 10, NULL, 0);
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

/*
 * The storage scrolls in its own order with an opaque cursor, while
 * Qdrant pages in id order with a point id as offset: read every
 * matching id, sort, and cut the page. O(n log n) per page; a
 * kernel-side ordered scroll would make it O(limit).
 */
void gw_points_scroll(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;
	const char *name = gw_req_param(req, "collection_name");
	json_t *body = req->body, *joff = json_object_get(body, "offset");
	json_t *jlimit = json_object_get(body, "limit");
	struct gw_collection_info info;
	struct gw_point_id *all = NULL, off;
	struct gw_payload_sel psel;
	struct gw_cfilter cf = { 0 };
	json_t **recs = NULL, *pts, *next;
	uint8_t *found = NULL;
	size_t n = 0, cap = 0, start = 0, end = 0, i;
	uint64_t cursor = 0;
	json_int_t limit = 10;
	bool want_vec;
	int got;

	if (json_object_get(body, "order_by") &&
	    !json_is_null(json_object_get(body, "order_by"))) {
		gw_reply_errno(req, -EOPNOTSUPP,
			       "order_by is not supported yet");
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
	if (joff && !json_is_null(joff) && gw_parse_id(req, joff, &off))
		return;
	if (gw_parse_with_payload(req, json_object_get(body, "with_payload"),
				  true, &psel) ||
	    gw_parse_with_vector(req, body, false, &want_vec) ||
	    gw_parse_filter(req, json_object_get(body, "filter"), &cf))
		return;
	if (gw_coll_info(req, name, &info))
		goto out;

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
		got = be->ops->point_scroll(be, name, &cursor, 4096,
					    cf.f.len ? &cf.f : NULL, all + n);
		if (got < 0) {
			gw_reply_backend(req, got, name, "Scroll failed");
			goto out;
		}
		n += got;
		if (!got && cursor != UINT64_MAX)
			break; /* no progress: do not spin */
	}
	if (n)
		qsort(all, n, sizeof(*all), gw_id_cmp);
	if (joff && !json_is_null(joff))
		while (start < n && gw_id_cmp(&all[start], &off) < 0)
			start++;
	end = start + (size_t)limit < n ? start + (size_t)limit : n;

	recs = calloc(end - start + 1, sizeof(*recs));
	found = calloc(end - start + 1, 1);
	if (!recs || !found) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	for (i = start; i < end; i++)
		recs[i - start] = json_pack("{s:o}", "id", gw_id_json(&all[i]));
	if ((psel.want || want_vec) &&
	    gw_fetch_points(req, name, info.params.size,
			    (uint32_t)(end - start), all + start, found, &psel,
			    want_vec, recs))
		goto out;
	pts = json_array();
	for (i = start; pts && i < end; i++)
		json_array_append(pts, recs[i - start]);
	next = end < n ? gw_id_json(&all[end]) : json_null();
	gw_reply_ok(req, json_pack("{s:o, s:o}", "points", pts,
				   "next_page_offset", next));
out:
	for (i = start; recs && i < end; i++)
		json_decref(recs[i - start]);
	gw_cfilter_free(&cf);
	free(recs);
	free(found);
	free(all);
}
