// SPDX-License-Identifier: GPL-2.0
/*
 * The request pipeline: parse the target, match a route, check the API
 * key (unless the path is open), answer 404/405, refuse writes to the
 * read-only key, parse the JSON body, run the handler.
 *
 * Every early exit replies once and returns; the handler owns the reply
 * after that, and a handler that forgets gets a 500 rather than leaving
 * the client hanging.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <event2/http.h>

#include "auth.h"
#include "gateway.h"
#include "request.h"
#include "server.h"

static void reply_405(struct gw_req *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);
	char allow[80] = "";
	unsigned int bit;

	for (bit = 1; bit <= EVHTTP_REQ_PATCH; bit <<= 1) {
		if (!(req->match.allow & bit))
			continue;
		if (allow[0])
			strcat(allow, ", ");
		strcat(allow, gw_method_name(bit));
	}
	evhttp_add_header(h, "Allow", allow);
	gw_reply_error(req, 405, "Method not allowed: %s %s",
		       gw_method_name(req->method), req->target.path);
}

/* Qdrant's wording; its 401/403 split is folded into 403 here. */
static bool check_key(struct gw_req *req)
{
	switch (gw_auth_check(req->srv->cfg, req->ev)) {
	case GW_AUTH_FULL:
		req->access = GW_ACCESS_FULL;
		return true;
	case GW_AUTH_READ:
		req->access = GW_ACCESS_READ;
		return true;
	case GW_AUTH_MISSING:
		gw_reply_error(
			req, 403,
			"Must provide an API key or an Authorization bearer token");
		return false;
	case GW_AUTH_INVALID:
		break;
	}
	gw_reply_error(req, 403, "Invalid API key or JWT");
	return false;
}

static int parse_body(struct gw_req *req)
{
	char err[256];

	req->body = gw_json_parse_evbuffer(
		evhttp_request_get_input_buffer(req->ev), err, sizeof(err));
	if (!req->body) {
		gw_reply_error(req, 400, "Format error in JSON body: %s", err);
		return -1;
	}
	return 0;
}

static void run(struct gw_req *req, const char *uri)
{
	const struct gw_route *route;
	enum gw_match_result res;
	const char *why;

	if (gw_target_parse(&req->target, uri, strlen(uri), &why)) {
		gw_reply_error(req, 400, "Bad request: %s", why);
		return;
	}
	res = gw_route_match(&req->target, req->method, &req->match);
	if (!(req->match.flags & GW_ROUTE_OPEN) && !check_key(req))
		return;
	if (res == GW_MATCH_NO_PATH) {
		gw_reply_error(req, 404, "Not found: no endpoint %s %s",
			       gw_method_name(req->method), req->target.path);
		return;
	}
	if (res == GW_MATCH_NO_METHOD) {
		reply_405(req);
		return;
	}
	route = req->match.route;
	if ((route->flags & GW_ROUTE_WRITES) && req->access != GW_ACCESS_FULL) {
		gw_reply_errno(req, -EACCES,
			       "Global manage access is required");
		return;
	}
	if ((route->flags & GW_ROUTE_BODY) && parse_body(req))
		return;

	route->handler(req);
	if (!req->status) {
		fprintf(stderr, "vexfs-gateway: BUG: no reply from %s %s\n",
			gw_method_name(req->method), route->pattern);
		gw_reply_error(req, 500,
			       "Service internal error: handler sent no reply");
	}
}

void gw_dispatch(struct gw_server *srv, struct gw_metrics_shard *stats,
		 struct evhttp_request *ev)
{
	struct gw_req req = {
		.ev = ev,
		.srv = srv,
		.stats = stats,
		.method = evhttp_request_get_command(ev),
		.access = GW_ACCESS_FULL,
	};
	const char *uri = evhttp_request_get_uri(ev);

	clock_gettime(CLOCK_MONOTONIC, &req.start);
	run(&req, uri);
	json_decref(req.body);
	gw_target_free(&req.target);
}
