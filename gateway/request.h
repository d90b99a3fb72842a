/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One HTTP request as handlers see it, and the only ways to answer it.
 *
 * Every handler must end in exactly one gw_reply_*() call on every path;
 * the dispatcher answers 500 for a handler that forgot, and a second
 * reply is dropped and logged instead of corrupting the connection.
 * Handlers run synchronously on their worker thread.
 */
#ifndef VEXFS_GATEWAY_REQUEST_H
#define VEXFS_GATEWAY_REQUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "router.h"

struct evhttp_request;
struct evbuffer;
struct gw_server;
struct gw_metrics_shard;

enum gw_access {
	GW_ACCESS_FULL,
	GW_ACCESS_READ,
};

struct gw_req {
	struct evhttp_request *ev;
	struct gw_server *srv;
	struct gw_metrics_shard *stats;
	unsigned int method; /* EVHTTP_REQ_* */
	struct timespec start;
	struct gw_target target;
	struct gw_match match; /* match.route: NULL if none */
	enum gw_access access;
	json_t *body; /* GW_ROUTE_BODY routes: an object */
	int status; /* HTTP status once replied, else 0 */
};

/* {name} segment of the matched pattern, percent-decoded. */
static inline const char *gw_req_param(const struct gw_req *req,
				       const char *name)
{
	return gw_match_param(&req->match, name);
}

static inline const char *gw_req_query(const struct gw_req *req,
				       const char *key)
{
	return gw_target_query(&req->target, key);
}

/*
 * Parse an untrusted JSON body. On failure returns NULL and writes a
 * Qdrant-style reason ("... at line 1 column 5") into @err.
 */
json_t *gw_json_parse(const void *buf, size_t len, char *err, size_t errlen);

/*
 * The same through jansson alone; gw_json_parse() takes this path when
 * the fast reader (json_read.h) declines a body.
 */
json_t *gw_json_parse_slow(const void *buf, size_t len, char *err,
			   size_t errlen);

/* The same over a request's input buffer (linearised in place). */
json_t *gw_json_parse_evbuffer(struct evbuffer *in, char *err, size_t errlen);

/* Success envelope {"result": @result, "status": "ok", "time": ...}. */
void gw_reply_ok(struct gw_req *req, json_t *result);
/* A JSON document sent as is (GET / is not enveloped). */
void gw_reply_json(struct gw_req *req, int code, json_t *doc);
void gw_reply_text(struct gw_req *req, int code, const char *ctype,
		   const char *text);
/* Moves the contents of @body into the reply. */
void gw_reply_buffer(struct gw_req *req, int code, const char *ctype,
		     struct evbuffer *body);

/* Error envelope {"status": {"error": msg}, "time": ...}. */
void gw_reply_error(struct gw_req *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Error from a (negative or positive) errno: the HTTP code and the
 * message prefix ("Not found: ") come from the table in reply.c.
 * A NULL @fmt uses strerror().
 */
void gw_reply_errno(struct gw_req *req, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 422 "Validation error in JSON body: [<field>: <reason>]". */
void gw_reply_invalid(struct gw_req *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

uint64_t gw_req_elapsed_ns(const struct gw_req *req);

#endif
