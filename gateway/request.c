// SPDX-License-Identifier: GPL-2.0
/*
 * Request-side helpers: the JSON body parser.
 */
#include <stdio.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "request.h"

json_t *gw_json_parse(const void *buf, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc;

	/*
	 * The body is not NUL-terminated, hence json_loadb. Duplicate keys
	 * are allowed (last wins) as serde_json does for payload objects.
	 */
	doc = json_loadb(len ? buf : "", len, 0, &jerr);
	if (!doc) {
		snprintf(err, errlen, "%s at line %d column %d", jerr.text,
			 jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "expected a JSON object");
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int gw_req_parse_body(struct gw_req *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req->ev);
	size_t len = evbuffer_get_length(in);
	char err[256];

	/* One copy at most: the body usually sits in a single chain. */
	req->body = gw_json_parse(evbuffer_pullup(in, -1), len, err,
				  sizeof(err));
	if (!req->body) {
		gw_reply_error(req, 400, "Format error in JSON body: %s", err);
		return -1;
	}
	return 0;
}
