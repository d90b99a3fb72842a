// SPDX-License-Identifier: GPL-2.0
/*
 * Request-target parsing (path normalisation, query string) and route
 * matching against the table in routes.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <event2/http.h> /* EVHTTP_REQ_* only */

#include "gateway.h"
#include "router.h"

bool gw_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + len;

	while (s < end) {
		unsigned int c = *s++, need, min;
		uint32_t cp;

		if (c < 0x80)
			continue;
		if ((c & 0xe0) == 0xc0) {
			need = 1;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3;
			min = 0x10000;
		} else {
			return false;
		}
		cp = c & (0x3f >> need);
		if ((size_t)(end - s) < need)
			return false;
		while (need--) {
			if ((*s & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*s++ & 0x3f);
		}
		/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF. */
		if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Percent-decode @len bytes of @src into @dst and NUL-terminate it.
 * A malformed escape is kept as is, like most servers do; a decoded
 * NUL or invalid UTF-8 is refused since the result is used as a C string
 * and may be echoed back inside JSON.
 */
static ssize_t decode(char *dst, const char *src, size_t len, bool plus)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int hi = -1, lo = -1;

		if (src[i] == '%' && i + 2 < len) {
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			dst[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus && src[i] == '+') {
			dst[n++] = ' ';
		} else {
			dst[n++] = src[i];
		}
	}
	dst[n] = '\0';
	if (memchr(dst, '\0', n) || !gw_utf8_valid(dst, n))
		return -EINVAL;
	return (ssize_t)n;
}

/* RFC 9112 3.2.2: a server must accept absolute-form targets too. */
static void skip_scheme_authority(const char **raw, size_t *len)
{
	static const char *const schemes[] = { "http://", "https://" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(schemes); i++) {
		size_t n = strlen(schemes[i]);
		const char *slash;

		if (*len < n || strncasecmp(*raw, schemes[i], n))
			continue;
		slash = memchr(*raw + n, '/', *len - n);
		if (!slash) {
			*raw = "/";
			*len = 1;
		} else {
			*len -= slash - *raw;
			*raw = slash;
		}
		return;
	}
}

static int parse_path(struct gw_target *t, const char *p, size_t len,
		      char **area)
{
	char *out = t->path;
	size_t i = 0;

	while (i < len) {
		size_t start, seglen;
		ssize_t n;

		while (i < len && p[i] == '/')
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && p[i] != '/')
			i++;
		seglen = i - start;

		*out++ = '/';
		memcpy(out, p + start, seglen);
		out += seglen;

		if (t->nseg == GW_MAX_SEGS) {
			t->too_deep = true;
			continue;
		}
		n = decode(*area, p + start, seglen, false);
		if (n < 0)
			return -EINVAL;
		t->seg[t->nseg++] = *area;
		*area += n + 1;
	}
	if (out == t->path)
		*out++ = '/';
	*out = '\0';
	return 0;
}

static int parse_query(struct gw_target *t, const char *q, size_t len,
		       char **area, const char **why)
{
	const char *p = q, *end = q + len;

	while (p < end) {
		const char *amp = memchr(p, '&', end - p);
		const char *eq, *kend;
		struct gw_kv *kv;
		ssize_t n;

		if (!amp)
			amp = end;
		if (amp == p) { /* "a=1&&b=2" */
			p++;
			continue;
		}
		if (t->nquery == GW_MAX_QUERY) {
			*why = "too many query parameters";
			return -E2BIG;
		}
		eq = memchr(p, '=', amp - p);
		kend = eq ? eq : amp;
		kv = &t->query[t->nquery++];

		n = decode(*area, p, kend - p, true);
		if (n < 0)
			goto bad;
		kv->key = *area;
		*area += n + 1;
		kv->val = "";
		if (eq) {
			n = decode(*area, eq + 1, amp - eq - 1, true);
			if (n < 0)
				goto bad;
			kv->val = *area;
			*area += n + 1;
		}
		p = amp + 1;
	}
	return 0;
bad:
	*why = "query parameters must be valid UTF-8 without NUL";
	return -EINVAL;
}

/*
 * Parse the raw request target (not NUL-terminated). On failure returns
 * a negative errno and points @why at a static reason for the client.
 */
int gw_target_parse(struct gw_target *t, const char *raw, size_t len,
		    const char **why)
{
	size_t plen, qlen = 0;
	const char *q = NULL, *frag;
	char *area;
	int err;

	memset(t, 0, sizeof(*t));
	/* evhttp hands us a C string, but this must not rely on it. */
	if (memchr(raw, '\0', len)) {
		*why = "request target contains a NUL byte";
		return -EINVAL;
	}
	skip_scheme_authority(&raw, &len);
	if (len == 0 || raw[0] != '/') {
		*why = "request target must start with '/'";
		return -EINVAL;
	}
	frag = memchr(raw, '#', len);
	if (frag)
		len = frag - raw;
	q = memchr(raw, '?', len);
	plen = q ? (size_t)(q - raw) : len;
	if (q) {
		q++;
		qlen = len - plen - 1;
	} else {
		q = "";
	}

	/*
	 * Normalised path (<= plen + 1), decoded segments (<= plen + 1) and
	 * decoded keys/values (<= qlen + 1): decoding never grows a string
	 * and every terminating NUL replaces a separator.
	 */
	t->buf = malloc(2 * plen + qlen + 4);
	if (!t->buf) {
		*why = "out of memory";
		return -ENOMEM;
	}
	t->path = t->buf;
	area = t->buf + plen + 2;

	err = parse_path(t, raw, plen, &area);
	if (err) {
		*why = "path segments must be valid UTF-8 without NUL";
		goto fail;
	}
	err = parse_query(t, q, qlen, &area, why);
	if (err)
		goto fail;
	return 0;
fail:
	gw_target_free(t);
	return err;
}

void gw_target_free(struct gw_target *t)
{
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

/* First value of @key; repeated keys are not merged. */
const char *gw_target_query(const struct gw_target *t, const char *key)
{
	unsigned int i;

	for (i = 0; i < t->nquery; i++)
		if (!strcmp(t->query[i].key, key))
			return t->query[i].val;
	return NULL;
}

static bool pattern_match(const char *pat, const struct gw_target *t,
			  struct gw_match *m)
{
	unsigned int i = 0;

	m->nparams = 0;
	while (*pat == '/') {
		const char *s = ++pat;
		size_t n;

		while (*pat && *pat != '/')
			pat++;
		n = pat - s;
		if (n == 0) /* the root pattern "/" */
			break;
		if (i == t->nseg)
			return false;
		if (s[0] == '{' && s[n - 1] == '}') {
			struct gw_param *p = &m->params[m->nparams++];

			p->name = s + 1;
			p->name_len = n - 2;
			p->value = t->seg[i];
		} else if (strlen(t->seg[i]) != n || memcmp(t->seg[i], s, n)) {
			return false;
		}
		i++;
	}
	return i == t->nseg;
}

/*
 * First route in table order wins, so literal routes must come before a
 * {param} route that would also match ("/collections/aliases" before
 * "/collections/{collection_name}"). HEAD is served by the GET route.
 */
enum gw_match_result gw_route_match(const struct gw_target *t,
				    unsigned int method, struct gw_match *m)
{
	unsigned int want = method == EVHTTP_REQ_HEAD ? EVHTTP_REQ_GET : method;
	unsigned int i;

	memset(m, 0, sizeof(*m));
	if (t->too_deep)
		return GW_MATCH_NO_PATH;
	for (i = 0; i < gw_nroutes; i++) {
		const struct gw_route *r = &gw_routes[i];
		struct gw_match tmp;

		if (!pattern_match(r->pattern, t, &tmp))
			continue;
		if (r->method == want) {
			*m = tmp;
			m->route = r;
			m->flags = r->flags;
			return GW_MATCH_OK;
		}
		m->allow |= r->method;
		m->flags |= r->flags;
	}
	if (!m->allow)
		return GW_MATCH_NO_PATH;
	if (m->allow & EVHTTP_REQ_GET)
		m->allow |= EVHTTP_REQ_HEAD;
	return GW_MATCH_NO_METHOD;
}

const char *gw_match_param(const struct gw_match *m, const char *name)
{
	size_t n = strlen(name);
	unsigned int i;

	for (i = 0; i < m->nparams; i++)
		if (m->params[i].name_len == n &&
		    !memcmp(m->params[i].name, name, n))
			return m->params[i].value;
	return NULL;
}

const char *gw_method_name(unsigned int method)
{
	switch (method) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	case EVHTTP_REQ_TRACE:
		return "TRACE";
	case EVHTTP_REQ_CONNECT:
		return "CONNECT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	}
	return "?";
}
