// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the parsers of untrusted request bytes: the
 * request-target normaliser and query parser (router.c), route matching,
 * and the JSON body parser over a multi-chunk evbuffer (request.c).
 *
 *   make -C gateway fuzz && gateway/build/fuzz_http -max_total_time=30
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "gateway.h"
#include "request.h"
#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stand-in handlers: the fuzzer only needs the table's patterns. */
static void nop(struct gw_req *req)
{
}

const struct gw_route gw_routes[] = {
	{ EVHTTP_REQ_GET, "/", nop, GW_ROUTE_OPEN },
	{ EVHTTP_REQ_GET, "/collections", nop, 0 },
	{ EVHTTP_REQ_POST, "/collections/aliases", nop, GW_ROUTE_WRITES },
	{ EVHTTP_REQ_GET, "/collections/{collection_name}", nop, 0 },
	{ EVHTTP_REQ_PUT, "/collections/{collection_name}", nop,
	  GW_ROUTE_WRITES | GW_ROUTE_BODY },
	{ EVHTTP_REQ_GET, "/collections/{collection_name}/points/{id}", nop,
	  0 },
	{ EVHTTP_REQ_DELETE,
	  "/collections/{collection_name}/index/{field_name}", nop,
	  GW_ROUTE_WRITES },
};

const unsigned int gw_nroutes = ARRAY_SIZE(gw_routes);

static void check_target(const struct gw_target *t)
{
	size_t n = strlen(t->path);
	unsigned int i;

	/* Normalised: rooted, no empty segment, no trailing slash. */
	if (t->path[0] != '/' || strstr(t->path, "//") ||
	    (n > 1 && t->path[n - 1] == '/'))
		abort();
	if (t->nseg > GW_MAX_SEGS || t->nquery > GW_MAX_QUERY)
		abort();
	for (i = 0; i < t->nseg; i++)
		if (!gw_utf8_valid(t->seg[i], strlen(t->seg[i])))
			abort();
	for (i = 0; i < t->nquery; i++)
		if (!gw_target_query(t, t->query[i].key) ||
		    !gw_utf8_valid(t->query[i].val, strlen(t->query[i].val)))
			abort();
}

static void fuzz_target(const uint8_t *data, size_t size)
{
	static const unsigned int methods[] = {
		EVHTTP_REQ_GET,	 EVHTTP_REQ_HEAD,   EVHTTP_REQ_PUT,
		EVHTTP_REQ_POST, EVHTTP_REQ_DELETE,
	};
	struct gw_target t;
	struct gw_match m;
	const char *why;
	unsigned int i, j;

	if (gw_target_parse(&t, (const char *)data, size, &why)) {
		if (!why || !*why)
			abort();
		return;
	}
	check_target(&t);
	for (i = 0; i < ARRAY_SIZE(methods); i++) {
		if (gw_route_match(&t, methods[i], &m) != GW_MATCH_OK)
			continue;
		for (j = 0; j < m.nparams; j++)
			if (!m.params[j].value || !m.params[j].name_len)
				abort();
		gw_match_param(&m, "collection_name");
	}
	gw_target_free(&t);
}

static void fuzz_json(const uint8_t *data, size_t size)
{
	struct evbuffer *buf = evbuffer_new();
	size_t half = size / 2;
	char err[256];
	json_t *doc;

	if (!buf)
		return;
	/* Two chains, as a body read in two packets would be. */
	evbuffer_add(buf, data, half);
	evbuffer_add(buf, data + half, size - half);
	doc = gw_json_parse_evbuffer(buf, err, sizeof(err));
	if (doc && !json_is_object(doc))
		abort();
	if (!doc && !memchr(err, '\0', sizeof(err)))
		abort();
	json_decref(doc);
	evbuffer_free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_target(data, size);
	fuzz_json(data, size);
	gw_utf8_valid((const char *)data, size);
	return 0;
}
