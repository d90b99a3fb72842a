// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON body parser, kept apart from the server for the fuzzer.
 */
#include <stdio.h>
#include <stdlib.h>

#include <event2/buffer.h>

#include "ids.h"
#include "json_read.h"
#include "request.h"

json_t *gw_json_parse_slow(const void *buf, size_t len, char *err,
			   size_t errlen)
{
	json_error_t jerr;
	json_t *doc;
	char *esc = NULL;
	size_t esclen;
	int r;

	/* u64 ids beyond jansson's int64: marker strings (ids.h). */
	r = gw_bigint_escape(len ? buf : "", len, &esc, &esclen);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/*
	 * The body is not NUL-terminated, hence json_loadb. Duplicate keys
	 * are allowed (last wins) as serde_json does for payload objects.
	 */
	if (r)
		doc = json_loadb(esc, esclen, JSON_ALLOW_NUL, &jerr);
	else
		doc = json_loadb(len ? buf : "", len, 0, &jerr);
	free(esc);
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

json_t *gw_json_parse(const void *buf, size_t len, char *err, size_t errlen)
{
	/* Most bodies are plain: the fast reader takes them, or declines. */
	json_t *doc = gw_json_read(buf, len);

	return doc ? doc : gw_json_parse_slow(buf, len, err, errlen);
}

json_t *gw_json_parse_evbuffer(struct evbuffer *in, char *err, size_t errlen)
{
	size_t len = evbuffer_get_length(in);

	/* One copy at most: a body usually sits in a few chains. */
	return gw_json_parse(evbuffer_pullup(in, -1), len, err, errlen);
}
