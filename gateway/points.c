// SPDX-License-Identifier: GPL-2.0
/*
 * Points API.
 */
#include <errno.h>

#include "backend.h"
#include "gateway.h"
#include "handlers.h"
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
				   &count);
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
