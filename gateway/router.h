/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request-target parsing and the route table.
 *
 * This is the first code to touch untrusted bytes, so it is kept free of
 * the server (only libc and libevent's method constants) and is driven
 * directly by fuzz_http.c.
 */
#ifndef VEXFS_GATEWAY_ROUTER_H
#define VEXFS_GATEWAY_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#define GW_MAX_SEGS 16 /* deeper paths match no route: 404 */
#define GW_MAX_QUERY 32 /* more parameters: 400 */
#define GW_MAX_PARAMS 4 /* {name} captures in one pattern */

struct gw_kv {
	const char *key;
	const char *val;
};

/*
 * A parsed request target. @path is the normalised raw path (duplicate
 * and trailing slashes removed, still percent-encoded) used in messages;
 * @seg holds the percent-decoded segments that routing compares.
 */
struct gw_target {
	char *path;
	const char *seg[GW_MAX_SEGS];
	unsigned int nseg;
	bool too_deep;
	struct gw_kv query[GW_MAX_QUERY];
	unsigned int nquery;
	char *buf; /* backing store for all of the above */
};

int gw_target_parse(struct gw_target *t, const char *raw, size_t len,
		    const char **why);
void gw_target_free(struct gw_target *t);
const char *gw_target_query(const struct gw_target *t, const char *key);

bool gw_utf8_valid(const char *s, size_t len);

struct gw_req;
typedef void gw_handler_fn(struct gw_req *req);

/* Route flags. */
#define GW_ROUTE_OPEN (1u << 0) /* no API key needed */
#define GW_ROUTE_WRITES (1u << 1) /* refused to the read-only key */
#define GW_ROUTE_BODY (1u << 2) /* JSON object body, parsed upfront */

struct gw_route {
	unsigned int method; /* exactly one EVHTTP_REQ_* bit */
	const char *pattern; /* "/collections/{collection_name}" */
	gw_handler_fn *handler;
	unsigned int flags;
};

extern const struct gw_route gw_routes[];
extern const unsigned int gw_nroutes;

struct gw_param {
	const char *name; /* points into the pattern */
	size_t name_len;
	const char *value; /* points into the target */
};

struct gw_match {
	const struct gw_route *route;
	struct gw_param params[GW_MAX_PARAMS];
	unsigned int nparams;
	unsigned int allow; /* methods the path accepts (for 405) */
	unsigned int flags; /* of the route, or of all path matches */
};

enum gw_match_result {
	GW_MATCH_OK,
	GW_MATCH_NO_PATH, /* 404 */
	GW_MATCH_NO_METHOD, /* 405, see @allow */
};

enum gw_match_result gw_route_match(const struct gw_target *t,
				    unsigned int method, struct gw_match *m);
const char *gw_match_param(const struct gw_match *m, const char *name);

const char *gw_method_name(unsigned int method);

#endif
