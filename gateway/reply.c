// SPDX-License-Identifier: GPL-2.0
/*
 * Replies: Qdrant's envelopes, and the one table that turns an errno
 * from a backend into Qdrant's HTTP code and message prefix.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "gateway.h"
#include "ids.h"
#include "metrics.h"
#include "request.h"

static const struct gw_errmap {
	int err;
	int code;
	const char *prefix; /* Qdrant's StorageError wording */
} errmap[] = {
	{ ENOENT, 404, "Not found: " },
	{ EEXIST, 409, "Wrong input: " },
	{ EINVAL, 400, "Wrong input: " },
	{ EACCES, 403, "Forbidden: " },
	{ EPERM, 403, "Forbidden: " },
	{ EROFS, 403, "Storage locked: " },
	{ ETIMEDOUT, 408, "Timeout: " },
	{ EAGAIN, 503, "Service unavailable: " },
	{ EBUSY, 503, "Service unavailable: " },
	{ ENOSPC, 507, "Insufficient storage: " },
	{ EDQUOT, 507, "Insufficient storage: " },
	/* Not a Qdrant code: a feature the gateway does not have yet. */
	{ EOPNOTSUPP, 501, "Not implemented: " },
};

static const struct gw_errmap errmap_default = { 0, 500,
						 "Service internal error: " };

static const struct gw_errmap *errmap_find(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errmap); i++)
		if (errmap[i].err == err)
			return &errmap[i];
	return &errmap_default;
}

uint64_t gw_req_elapsed_ns(const struct gw_req *req)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - req->start.tv_sec) * 1000000000u +
	       now.tv_nsec - req->start.tv_nsec;
}

/*
 * The Date header's text (RFC 9110's IMF-fixdate), made once a second per
 * thread. strftime's names are the C locale's: the gateway never calls
 * setlocale().
 */
static const char *http_date(void)
{
	static __thread char text[40];
	static __thread time_t made = -1;
	time_t now = time(NULL);
	struct tm tm;

	if (now != made && gmtime_r(&now, &tm) &&
	    strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm))
		made = now;
	return text;
}

/* Decimal digits of @v into @buf (room for 20); their count. */
static size_t u64_text(uint64_t v, char *buf)
{
	char t[20];
	size_t n = 0, i;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	return n;
}

/*
 * The envelope's tail: @head, then the seconds since the request came in
 * with 6 decimals (what "%.6f" prints) and "}". Written by hand: this runs
 * once per request, and printf's machinery costs more than the rest.
 */
static int add_time_tail(struct evbuffer *out, const struct gw_req *req,
			 const char *head, size_t head_len)
{
	uint64_t us = (gw_req_elapsed_ns(req) + 500) / 1000;
	char buf[64];
	size_t n = head_len, i;
	uint32_t frac = (uint32_t)(us % 1000000);

	memcpy(buf, head, head_len);
	n += u64_text(us / 1000000, buf + n);
	buf[n++] = '.';
	for (i = 6; i-- > 0; frac /= 10)
		buf[n + i] = (char)('0' + frac % 10);
	n += 6;
	buf[n++] = '}';
	return evbuffer_add(out, buf, n);
}

/* The output buffer, or NULL if this request already has its reply. */
static struct evbuffer *claim(struct gw_req *req, int code)
{
	if (req->status) {
		fprintf(stderr,
			"vexfs-gateway: BUG: second reply %d (first %d) to %s\n",
			code, req->status,
			req->target.path ? req->target.path : "?");
		return NULL;
	}
	return evhttp_request_get_output_buffer(req->ev);
}

/* Reason phrases libevent 2.1 lacks (it would say "Client Error"). */
static const char *reason(int code)
{
	switch (code) {
	case 422:
		return "Unprocessable Entity";
	case 429:
		return "Too Many Requests";
	case 507:
		return "Insufficient Storage";
	}
	return NULL; /* libevent's own */
}

static void send_reply(struct gw_req *req, int code, const char *ctype)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);
	struct evbuffer *out = evhttp_request_get_output_buffer(req->ev);
	const struct gw_route *r = req->match.route;

	req->status = code;
	if (ctype)
		evhttp_add_header(h, "Content-Type", ctype);
	/*
	 * Date and Content-Length before evhttp would add them with
	 * snprintf (and gmtime for every reply); no length on a reply that
	 * has no body by definition. A HEAD reply's length is its GET's.
	 */
	evhttp_add_header(h, "Date", http_date());
	if (code != 204 && code != 304) {
		char len[24];

		len[u64_text(evbuffer_get_length(out), len)] = '\0';
		evhttp_add_header(h, "Content-Length", len);
	}
	/* libevent would send the body of a HEAD reply: drop it. */
	if (req->method == EVHTTP_REQ_HEAD)
		evbuffer_drain(out, evbuffer_get_length(out));
	/* While draining, make keep-alive clients go elsewhere. */
	if (atomic_load_explicit(&req->srv->stopping, memory_order_relaxed))
		evhttp_add_header(h, "Connection", "close");

	gw_metrics_observe(req->stats, r ? (int)(r - gw_routes) : -1,
			   req->method, code, gw_req_elapsed_ns(req));
	evhttp_send_reply(req->ev, code, reason(code), NULL);
}

static int dump_cb(const char *buf, size_t len, void *out)
{
	return evbuffer_add(out, buf, len);
}

#define JSON_TYPE "application/json"
#define DUMP_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY)
/* Most results are far smaller: those are dumped in one piece. */
#define DUMP_CHUNK (16 << 10)

/*
 * Straight into the reply buffer's free space in one pass; a bigger
 * result is streamed token by token instead. With @unescape, u64 markers
 * made for ids beyond int64 become bare digits (ids.h), which needs the
 * whole text in one piece.
 */
static int dump_result(struct evbuffer *out, json_t *result, bool unescape)
{
	struct evbuffer_iovec v;
	size_t n;
	char *s;
	int err;

	if (evbuffer_reserve_space(out, DUMP_CHUNK, &v, 1) == 1) {
		n = json_dumpb(result, v.iov_base, v.iov_len, DUMP_FLAGS);
		if (n && n <= v.iov_len) {
			v.iov_len = unescape ?
					    gw_bigint_unescape(v.iov_base, n) :
					    n;
			return evbuffer_commit_space(out, &v, 1);
		}
	}
	if (!unescape)
		return json_dump_callback(result, dump_cb, out, DUMP_FLAGS);
	n = json_dumpb(result, NULL, 0, DUMP_FLAGS);
	s = n ? malloc(n) : NULL;
	if (!s || json_dumpb(result, s, n, DUMP_FLAGS) != n) {
		free(s);
		return -1;
	}
	err = evbuffer_add(out, s, gw_bigint_unescape(s, n));
	free(s);
	return err;
}

#define OK_TAIL ",\"status\":\"ok\",\"time\":"
#define ERROR_TAIL "},\"time\":"

void gw_reply_ok(struct gw_req *req, json_t *result)
{
	struct evbuffer *out = claim(req, 200);
	/* Whether u64 ids beyond int64 were made as markers for this reply. */
	bool unescape = gw_bigint_take();

	if (!out) {
		json_decref(result);
		return;
	}
	if (!result || evbuffer_add(out, "{\"result\":", 10) ||
	    dump_result(out, result, unescape) ||
	    add_time_tail(out, req, OK_TAIL, sizeof(OK_TAIL) - 1)) {
		json_decref(result);
		evbuffer_drain(out, evbuffer_get_length(out));
		gw_reply_errno(req, ENOMEM, NULL);
		return;
	}
	json_decref(result);
	send_reply(req, 200, JSON_TYPE);
}

void gw_reply_json(struct gw_req *req, int code, json_t *doc)
{
	struct evbuffer *out = claim(req, code);

	if (!out) {
		json_decref(doc);
		return;
	}
	if (!doc || json_dump_callback(doc, dump_cb, out, JSON_COMPACT)) {
		json_decref(doc);
		evbuffer_drain(out, evbuffer_get_length(out));
		gw_reply_errno(req, ENOMEM, NULL);
		return;
	}
	json_decref(doc);
	send_reply(req, code, JSON_TYPE);
}

void gw_reply_text(struct gw_req *req, int code, const char *ctype,
		   const char *text)
{
	struct evbuffer *out = claim(req, code);

	if (!out)
		return;
	evbuffer_add(out, text, strlen(text));
	send_reply(req, code, ctype);
}

void gw_reply_buffer(struct gw_req *req, int code, const char *ctype,
		     struct evbuffer *body)
{
	struct evbuffer *out = claim(req, code);

	if (!out)
		return;
	evbuffer_add_buffer(out, body);
	send_reply(req, code, ctype);
}

/* Messages may quote client bytes; keep the JSON we emit valid UTF-8. */
static json_t *message_string(char *msg)
{
	json_t *s = json_string(msg);
	char *p;

	if (s)
		return s;
	for (p = msg; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	return json_string(msg);
}

static void reply_errorv(struct gw_req *req, int code, const char *prefix,
			 const char *fmt, va_list ap)
{
	struct evbuffer *out = claim(req, code);
	char *detail = NULL, *msg = NULL;
	json_t *s = NULL;

	if (!out)
		return;
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	if (!detail || asprintf(&msg, "%s%s", prefix, detail) < 0)
		msg = NULL;
	if (msg)
		s = message_string(msg);
	evbuffer_add(out, "{\"status\":{\"error\":", 19);
	if (!s || json_dump_callback(s, dump_cb, out, JSON_ENCODE_ANY))
		evbuffer_add_printf(out, "\"%s\"", prefix);
	add_time_tail(out, req, ERROR_TAIL, sizeof(ERROR_TAIL) - 1);
	json_decref(s);
	free(msg);
	free(detail);
	send_reply(req, code, JSON_TYPE);
}

void gw_reply_error(struct gw_req *req, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_errorv(req, code, "", fmt, ap);
	va_end(ap);
}

void gw_reply_errno(struct gw_req *req, int err, const char *fmt, ...)
{
	const struct gw_errmap *e;
	va_list ap;

	if (err < 0)
		err = -err;
	e = errmap_find(err);
	if (!fmt) {
		gw_reply_error(req, e->code, "%s%s", e->prefix, strerror(err));
		return;
	}
	va_start(ap, fmt);
	reply_errorv(req, e->code, e->prefix, fmt, ap);
	va_end(ap);
}

void gw_reply_invalid(struct gw_req *req, const char *fmt, ...)
{
	char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	gw_reply_error(req, 422, "Validation error in JSON body: [%s]",
		       detail ? detail : "?");
	free(detail);
}
