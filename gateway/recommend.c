// SPDX-License-Identifier: GPL-2.0
/*
 * Recommend: search near the average of positive examples, away from the
 * negative ones (Qdrant's average_vector strategy). Examples are point
 * ids or vectors; the example points are left out of the results.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "gateway.h"
#include "handlers.h"
#include "ids.h"

/*
 * Qdrant's RecommendRequest has no bound; here the examples of one
 * request, and their vectors held at once (floats).
 */
#define GW_EXAMPLES_MAX 4096u
#define GW_EXAMPLE_FLOATS_MAX (16u << 20)

struct examples {
	uint32_t n;
	double *sum; /* [dim] */
};

/* An example is a vector if it is an array (or a named-vector object). */
static bool is_vector(json_t *v)
{
	return json_is_array(v) || json_is_object(v);
}

/* The point ids among @list, appended to ids[*n]. */
static int collect_ids(struct gw_req *req, json_t *list,
		       struct gw_point_id *ids, uint32_t *n)
{
	json_t *e;
	size_t i;

	json_array_foreach(list, i, e)
	{
		if (is_vector(e))
			continue;
		if (gw_parse_id(req, e, &ids[*n]))
			return -1;
		(*n)++;
	}
	return 0;
}

/*
 * Add every example of @list into @ex: vectors as given, ids through
 * their stored vectors (vecs[], in the order collect_ids() saw them,
 * from *next on). 0 or a reply and -1.
 */
static int add_examples(struct gw_req *req, const char *name, uint32_t dim,
			json_t *list, const char *what, struct examples *ex,
			const float *vecs, uint32_t *next)
{
	float *v = malloc(((size_t)dim + 1) * sizeof(float));
	char path[64];
	const float *x;
	json_t *e;
	size_t i;
	uint32_t k;

	if (!v) {
		gw_reply_errno(req, -ENOMEM, NULL);
		return -1;
	}
	json_array_foreach(list, i, e)
	{
		if (is_vector(e)) {
			snprintf(path, sizeof(path), "%s[%zu]", what, i);
			if (gw_parse_vector(req, name, e, dim, v, path)) {
				free(v);
				return -1;
			}
			x = v;
		} else {
			x = vecs + (size_t)(*next)++ * dim;
		}
		for (k = 0; k < dim; k++)
			ex->sum[k] += x[k];
		ex->n++;
	}
	free(v);
	return 0;
}

/* The stored vectors of ids[n] into vecs[n * dim]; 404 if one has none. */
static int fetch_vectors(struct gw_req *req, const char *name, uint32_t dim,
			 uint32_t n, const struct gw_point_id *ids, float *vecs)
{
	struct gw_backend *be = req->srv->backend;
	uint8_t *found = calloc(n ? n : 1, 1), *hasv = calloc(n ? n : 1, 1);
	char buf[48];
	uint32_t i;
	int err, ret = -1;

	if (!found || !hasv) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	err = n ? be->ops->point_get(be, name, n, ids, found, vecs, NULL, NULL,
				     NULL, hasv) :
		  0;
	if (err < 0) {
		gw_reply_backend(req, err, name, "Cannot read points");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!found[i] || !hasv[i]) {
			gw_id_str(&ids[i], buf, sizeof(buf));
			gw_reply_errno(req, -ENOENT,
				       "No point with id %s found", buf);
			goto out;
		}
	}
	ret = 0;
out:
	free(found);
	free(hasv);
	return ret;
}

json_t *gw_recommend_one(struct gw_req *req, const char *name, json_t *body,
			 json_t *reco, long long dflt_limit)
{
	json_t *pos = json_object_get(reco, "positive");
	json_t *neg = json_object_get(reco, "negative");
	json_t *strategy = json_object_get(reco, "strategy");
	struct examples p = { 0 }, n = { 0 };
	struct gw_collection_info info;
	struct gw_point_id *excl = NULL;
	uint32_t nexcl = 0, next = 0, k, dim, max;
	json_t *res = NULL;
	float *q = NULL, *vecs = NULL;
	size_t total;

	if ((pos && !json_is_null(pos) && !json_is_array(pos)) ||
	    (neg && !json_is_null(neg) && !json_is_array(neg))) {
		gw_reply_error(
			req, 400,
			"Format error in JSON body: positive, negative: expected arrays of point ids or vectors");
		return NULL;
	}
	if (strategy && !json_is_null(strategy)) {
		const char *s = json_string_value(strategy);

		if (!s) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: strategy: expected a string");
			return NULL;
		}
		if (!strcmp(s, "best_score") || !strcmp(s, "sum_scores")) {
			gw_reply_errno(
				req, -EOPNOTSUPP,
				"recommend strategy `%s` is not supported yet",
				s);
			return NULL;
		}
		if (strcmp(s, "average_vector")) {
			gw_reply_error(
				req, 400,
				"Format error in JSON body: strategy: unknown variant `%s`, expected one of `average_vector`, `best_score`, `sum_scores`",
				s);
			return NULL;
		}
	}
	if ((json_object_get(body, "using") &&
	     !json_is_null(json_object_get(body, "using")) &&
	     strcmp(json_string_value(json_object_get(body, "using")) ?: "x",
		    "")) ||
	    (json_object_get(body, "lookup_from") &&
	     !json_is_null(json_object_get(body, "lookup_from")))) {
		gw_reply_errno(req, -EOPNOTSUPP,
			       "using and lookup_from are not supported yet");
		return NULL;
	}
	if (!json_array_size(pos)) {
		gw_reply_error(
			req, 400,
			"Bad request: At least one positive vector ID required with this strategy");
		return NULL;
	}
	if (gw_coll_info(req, name, &info))
		return NULL;
	dim = info.params.size;
	total = json_array_size(pos) + json_array_size(neg);
	max = GW_EXAMPLE_FLOATS_MAX / dim < GW_EXAMPLES_MAX ?
		      GW_EXAMPLE_FLOATS_MAX / dim :
		      GW_EXAMPLES_MAX;
	if (total > max) {
		gw_reply_invalid(
			req, "positive, negative: at most %u examples in all",
			max);
		return NULL;
	}
	excl = calloc(total, sizeof(*excl));
	vecs = malloc((total * dim + 1) * sizeof(float));
	p.sum = calloc(dim, sizeof(double));
	n.sum = calloc(dim, sizeof(double));
	q = malloc((size_t)dim * sizeof(float));
	if (!excl || !vecs || !p.sum || !n.sum || !q) {
		gw_reply_errno(req, -ENOMEM, NULL);
		goto out;
	}
	/* Every example id in one lookup; they are also left out. */
	if (collect_ids(req, pos, excl, &nexcl) ||
	    (json_is_array(neg) && collect_ids(req, neg, excl, &nexcl)) ||
	    fetch_vectors(req, name, dim, nexcl, excl, vecs) ||
	    add_examples(req, name, dim, pos, "positive", &p, vecs, &next) ||
	    (json_is_array(neg) &&
	     add_examples(req, name, dim, neg, "negative", &n, vecs, &next)))
		goto out;
	/* avg(pos), or avg(pos) + (avg(pos) - avg(neg)) with negatives. */
	for (k = 0; k < dim; k++) {
		double ap = p.sum[k] / p.n;

		q[k] = (float)(n.n ? ap + (ap - n.sum[k] / n.n) : ap);
	}
	res = gw_do_search(req, name, body, NULL, q, dim, dflt_limit, excl,
			   nexcl);
out:
	free(excl);
	free(vecs);
	free(p.sum);
	free(n.sum);
	free(q);
	return res;
}
