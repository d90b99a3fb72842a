// SPDX-License-Identifier: GPL-2.0
/*
 * Qdrant's Filter JSON to VexFS filter bytecode (uapi/vexfs_filter.h).
 * Everything the kernel would have to compute with floating point is
 * computed here: range bounds as IEEE-754 bits, polygon vertices in fixed
 * point, the geo radius as a squared chord on the unit sphere, datetimes
 * as microseconds (with the core's own parser, so payload strings read the
 * same way in the evaluator).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "ids.h"
#include "shim.h"
#include "cbor.h"
#include "uapi/vexfs.h"
#include "uapi/vexfs_filter.h"
#include "../vexfs_kmod/core/filter.h"

#define EARTH_RADIUS_M 6371088.0 /* Qdrant's, for haversine */

struct bld {
	uint8_t *buf;
	size_t len, cap;
	uint32_t nodes;
	unsigned int depth, nested;
	int err;
	char *msg;
	size_t msglen;
};

static void fail(struct bld *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct bld *b, int err, const char *fmt, ...)
{
	va_list ap;

	if (b->err)
		return;
	b->err = err;
	if (b->msg && b->msglen) {
		va_start(ap, fmt);
		vsnprintf(b->msg, b->msglen, fmt, ap);
		va_end(ap);
	}
}

static uint8_t *grow(struct bld *b, size_t n)
{
	if (b->err)
		return NULL;
	if (b->len + n > VEXFS_FILTER_MAX) {
		fail(b, -E2BIG, "filter is too large: over %u bytes compiled",
		     VEXFS_FILTER_MAX);
		return NULL;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		uint8_t *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->buf, cap);
		if (!p) {
			fail(b, -ENOMEM, "out of memory");
			return NULL;
		}
		b->buf = p;
		b->cap = cap;
	}
	b->len += n;
	return b->buf + b->len - n;
}

static void put_le(struct bld *b, uint64_t v, int n)
{
	uint8_t *p = grow(b, n);

	for (int i = 0; p && i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void patch_le(struct bld *b, size_t off, uint64_t v, int n)
{
	if (b->err)
		return;
	for (int i = 0; i < n; i++)
		b->buf[off + i] = (uint8_t)(v >> (8 * i));
}

static void put_bytes(struct bld *b, const void *s, size_t n)
{
	uint8_t *p = grow(b, n);

	if (p && n)
		memcpy(p, s, n);
}

static void put_f64(struct bld *b, double d)
{
	uint64_t bits;

	if (d == 0)
		d = 0; /* -0 */
	memcpy(&bits, &d, 8);
	put_le(b, bits, 8);
}

static size_t open_node(struct bld *b, uint8_t op, uint8_t aux)
{
	size_t off = b->len;

	if (++b->depth > VEXFS_FILTER_MAX_DEPTH)
		fail(b, -EINVAL, "filter nests too deep (at most %u levels)",
		     VEXFS_FILTER_MAX_DEPTH);
	b->nodes++;
	put_le(b, op, 1);
	put_le(b, aux, 1);
	put_le(b, 0, 4);
	return off;
}

static void close_node(struct bld *b, size_t off)
{
	b->depth--;
	patch_le(b, off + 2, b->len - off, 4);
}

static void leaf_node(struct bld *b, uint8_t op, uint8_t aux)
{
	close_node(b, open_node(b, op, aux));
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "map";
	case JSON_ARRAY:
		return "sequence";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "floating point";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

/* The key path, validated as the core will. */
static void put_key(struct bld *b, const json_t *key)
{
	const char *s;
	size_t n;

	if (!json_is_string(key)) {
		fail(b, -EINVAL, "invalid type: %s, expected a string key",
		     key ? type_name(key) : "nothing");
		return;
	}
	s = json_string_value(key);
	n = json_string_length(key);
	if (!n || n > VEXFS_FILTER_KEY_MAX || memchr(s, 0, n) ||
	    vx_cbor_path_check(s, n) < 0) {
		fail(b, -EINVAL, "Invalid key path: \"%.*s\"",
		     (int)(n > 200 ? 200 : n), s);
		return;
	}
	put_le(b, n, 2);
	put_bytes(b, s, n);
}

static void put_str(struct bld *b, const json_t *s)
{
	put_le(b, json_string_length(s), 4);
	put_bytes(b, json_string_value(s), json_string_length(s));
}

static void condition(struct bld *b, const json_t *c);
static void filter(struct bld *b, const json_t *f);

/* --- match ------------------------------------------------------------ */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_jstr(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	size_t xn = json_string_length(x), yn = json_string_length(y);
	int r = memcmp(json_string_value(x), json_string_value(y),
		       xn < yn ? xn : yn);

	if (r)
		return r;
	return xn < yn ? -1 : xn > yn;
}

static void match_list(struct bld *b, const json_t *key, const json_t *list,
		       bool except)
{
	size_t n = json_array_size(list), i, k;
	bool strs = n && json_is_string(json_array_get(list, 0));
	const json_t *v;

	if (!json_is_array(list)) {
		fail(b, -EINVAL, "invalid type: %s, expected a sequence",
		     type_name(list));
		return;
	}
	json_array_foreach(list, i, v)
	{
		if (strs ? !json_is_string(v) : !json_is_integer(v)) {
			fail(b, -EINVAL,
			     "data did not match any variant of untagged enum AnyVariants");
			return;
		}
	}
	if (strs) {
		const json_t **a = calloc(n, sizeof(*a));
		size_t off;

		if (!a) {
			fail(b, -ENOMEM, "out of memory");
			return;
		}
		for (i = 0; i < n; i++)
			a[i] = json_array_get(list, i);
		qsort(a, n, sizeof(*a), cmp_jstr);
		size_t cnt;

		off = open_node(b, VEXFS_FOP_MATCH_ANY_STR,
				except ? VEXFS_FILTER_EXCEPT : 0);
		put_key(b, key);
		cnt = b->len;
		put_le(b, 0, 4);
		for (i = k = 0; i < n; i++) {
			if (i && !cmp_jstr(&a[i - 1], &a[i]))
				continue;
			put_str(b, a[i]);
			k++;
		}
		patch_le(b, cnt, k, 4);
		close_node(b, off);
		free(a);
	} else {
		int64_t *a = calloc(n ? n : 1, sizeof(*a));
		size_t off;

		if (!a) {
			fail(b, -ENOMEM, "out of memory");
			return;
		}
		for (i = 0; i < n; i++)
			a[i] = json_integer_value(json_array_get(list, i));
		qsort(a, n, sizeof(*a), cmp_i64);
		for (i = k = 0; i < n; i++)
			if (!i || a[i] != a[k - 1])
				a[k++] = a[i];
		off = open_node(b, VEXFS_FOP_MATCH_ANY_INT,
				except ? VEXFS_FILTER_EXCEPT : 0);
		put_key(b, key);
		put_le(b, k, 4);
		for (i = 0; i < k; i++)
			put_le(b, (uint64_t)a[i], 8);
		close_node(b, off);
		free(a);
	}
}

static void match(struct bld *b, const json_t *key, const json_t *m)
{
	const json_t *v;
	size_t off;

	if (!json_is_object(m) || json_object_size(m) != 1) {
		fail(b, -EINVAL,
		     "data did not match any variant of untagged enum Match");
		return;
	}
	if ((v = json_object_get(m, "value"))) {
		if (json_is_boolean(v)) {
			off = open_node(b, VEXFS_FOP_MATCH_BOOL,
					json_is_true(v));
			put_key(b, key);
		} else if (json_is_integer(v)) {
			off = open_node(b, VEXFS_FOP_MATCH_INT, 0);
			put_key(b, key);
			put_le(b, (uint64_t)json_integer_value(v), 8);
		} else if (json_is_string(v)) {
			off = open_node(b, VEXFS_FOP_MATCH_STR, 0);
			put_key(b, key);
			put_str(b, v);
		} else {
			fail(b, -EINVAL,
			     "data did not match any variant of untagged enum ValueVariants");
			return;
		}
		close_node(b, off);
	} else if ((v = json_object_get(m, "any"))) {
		match_list(b, key, v, false);
	} else if ((v = json_object_get(m, "except"))) {
		match_list(b, key, v, true);
	} else if ((v = json_object_get(m, "text"))) {
		if (!json_is_string(v)) {
			fail(b, -EINVAL, "invalid type: %s, expected a string",
			     type_name(v));
			return;
		}
		off = open_node(b, VEXFS_FOP_MATCH_TEXT, 0);
		put_key(b, key);
		put_str(b, v);
		close_node(b, off);
	} else {
		fail(b, -EINVAL,
		     "data did not match any variant of untagged enum Match");
	}
}

/* --- range and values_count ------------------------------------------ */

struct bounds {
	uint8_t flags;
	double lo, hi; /* numbers */
	int64_t ilo, ihi; /* datetimes (us), counts */
};

static const char *const bound_names[4] = { "gt", "gte", "lt", "lte" };

/* Keep the tighter of two lower (or upper) bounds, as both must hold. */
static void tighten(struct bounds *r, int which, double d, int64_t i, bool ints)
{
	bool lower = which < 2, strict = which == 0 || which == 2;
	uint8_t f = 1u << which,
		other = lower ? (which ? 1 : 2) : (which == 2 ? 8 : 4);
	bool have = r->flags & (f | other);

	if (have) {
		double cd = lower ? r->lo : r->hi;
		int64_t ci = lower ? r->ilo : r->ihi;
		int c = ints ? (i < ci ? -1 : i > ci) : (d < cd ? -1 : d > cd);

		if (!lower)
			c = -c;
		/* c > 0: the new one is tighter; equal: exclusive wins */
		if (c < 0 || (c == 0 && !strict))
			return;
		r->flags &= ~(f | other);
	}
	r->flags |= f;
	if (lower) {
		r->lo = d;
		r->ilo = i;
	} else {
		r->hi = d;
		r->ihi = i;
	}
}

static void range(struct bld *b, const json_t *key, const json_t *r)
{
	struct bounds bd = { 0 };
	bool dt = false, num = false;
	const char *k;
	json_t *v;
	size_t off;
	int w;

	if (!json_is_object(r)) {
		fail(b, -EINVAL, "invalid type: %s, expected struct Range",
		     type_name(r));
		return;
	}
	json_object_foreach((json_t *)r, k, v)
	{
		for (w = 0; w < 4 && strcmp(k, bound_names[w]); w++)
			;
		if (w == 4) {
			fail(b, -EINVAL,
			     "unknown field `%s`, expected one of `lt`, `gt`, `gte`, `lte`",
			     k);
			return;
		}
		if (json_is_null(v))
			continue;
		if (json_is_number(v)) {
			num = true;
			tighten(&bd, w, json_number_value(v), 0, false);
		} else if (json_is_string(v)) {
			int64_t us;

			dt = true;
			if (vx_filter_parse_datetime(json_string_value(v),
						     json_string_length(v),
						     &us)) {
				fail(b, -EINVAL,
				     "range.%s: invalid datetime \"%s\", expected RFC 3339",
				     k, json_string_value(v));
				return;
			}
			tighten(&bd, w, 0, us, true);
		} else {
			fail(b, -EINVAL,
			     "data did not match any variant of untagged enum RangeInterface");
			return;
		}
	}
	if (dt && num) {
		fail(b, -EINVAL,
		     "data did not match any variant of untagged enum RangeInterface");
		return;
	}
	off = open_node(b, dt ? VEXFS_FOP_RANGE_DT : VEXFS_FOP_RANGE, bd.flags);
	put_key(b, key);
	if (dt) {
		put_le(b, (bd.flags & 3) ? (uint64_t)bd.ilo : 0, 8);
		put_le(b, (bd.flags & 12) ? (uint64_t)bd.ihi : 0, 8);
	} else {
		if (bd.flags & 3)
			put_f64(b, bd.lo);
		else
			put_le(b, 0, 8);
		if (bd.flags & 12)
			put_f64(b, bd.hi);
		else
			put_le(b, 0, 8);
	}
	close_node(b, off);
}

static void values_count(struct bld *b, const json_t *key, const json_t *r)
{
	struct bounds bd = { 0 };
	const char *k;
	json_t *v;
	size_t off;
	int w;

	if (!json_is_object(r)) {
		fail(b, -EINVAL,
		     "invalid type: %s, expected struct ValuesCount",
		     type_name(r));
		return;
	}
	json_object_foreach((json_t *)r, k, v)
	{
		for (w = 0; w < 4 && strcmp(k, bound_names[w]); w++)
			;
		if (w == 4) {
			fail(b, -EINVAL,
			     "unknown field `%s`, expected one of `lt`, `gt`, `gte`, `lte`",
			     k);
			return;
		}
		if (json_is_null(v))
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			fail(b, -EINVAL,
			     "values_count.%s: expected a non-negative integer",
			     k);
			return;
		}
		tighten(&bd, w, 0, json_integer_value(v), true);
	}
	off = open_node(b, VEXFS_FOP_VALUES_COUNT, bd.flags);
	put_key(b, key);
	put_le(b, (bd.flags & 3) ? (uint64_t)bd.ilo : 0, 8);
	put_le(b, (bd.flags & 12) ? (uint64_t)bd.ihi : 0, 8);
	close_node(b, off);
}

/* --- geo -------------------------------------------------------------- */

static bool geo_point(struct bld *b, const json_t *p, const char *what,
		      double *lon, double *lat)
{
	const json_t *x = json_object_get(p, "lon"),
		     *y = json_object_get(p, "lat");

	if (!json_is_object(p) || !json_is_number(x) || !json_is_number(y)) {
		fail(b, -EINVAL,
		     "%s: expected a geo point {\"lon\": number, \"lat\": number}",
		     what);
		return false;
	}
	*lon = json_number_value(x);
	*lat = json_number_value(y);
	if (!(*lon >= -180 && *lon <= 180)) {
		fail(b, -EINVAL,
		     "%s.lon: value %g invalid, must be from -180 to 180", what,
		     *lon);
		return false;
	}
	if (!(*lat >= -90 && *lat <= 90)) {
		fail(b, -EINVAL,
		     "%s.lat: value %g invalid, must be from -90 to 90", what,
		     *lat);
		return false;
	}
	return true;
}

static void geo_box(struct bld *b, const json_t *key, const json_t *g)
{
	double l, t, r, bo;
	size_t off;

	if (!geo_point(b, json_object_get(g, "top_left"),
		       "geo_bounding_box.top_left", &l, &t) ||
	    !geo_point(b, json_object_get(g, "bottom_right"),
		       "geo_bounding_box.bottom_right", &r, &bo))
		return;
	off = open_node(b, VEXFS_FOP_GEO_BOX, 0);
	put_key(b, key);
	put_f64(b, l);
	put_f64(b, t);
	put_f64(b, r);
	put_f64(b, bo);
	close_node(b, off);
}

static void geo_radius(struct bld *b, const json_t *key, const json_t *g)
{
	const json_t *rad = json_object_get(g, "radius");
	double lon, lat, r, half, chord2;
	uint64_t q;
	size_t off;

	if (!geo_point(b, json_object_get(g, "center"), "geo_radius.center",
		       &lon, &lat))
		return;
	if (!json_is_number(rad) || !(json_number_value(rad) >= 0) ||
	    !isfinite(json_number_value(rad))) {
		fail(b, -EINVAL,
		     "geo_radius.radius: expected a non-negative number of meters");
		return;
	}
	r = json_number_value(rad);
	half = r / (2 * EARTH_RADIUS_M);
	if (half >= M_PI / 2) {
		q = ~0ull;
	} else {
		chord2 = 4 * sin(half) * sin(half);
		q = (uint64_t)ldexp(chord2, 60);
		if (q > (1ull << 62))
			q = 1ull << 62;
	}
	off = open_node(b, VEXFS_FOP_GEO_RADIUS, 0);
	put_key(b, key);
	put_f64(b, lon);
	put_f64(b, lat);
	put_le(b, q, 8);
	{
		uint64_t lb, tb;
		int64_t v[3];

		/* the bits put_f64() wrote; -0 is 0 there */
		lon = lon == 0 ? 0 : lon;
		lat = lat == 0 ? 0 : lat;
		memcpy(&lb, &lon, 8);
		memcpy(&tb, &lat, 8);
		vx_filter_geo_unit(lb, tb, v);
		for (int i = 0; i < 3; i++)
			put_le(b, (uint64_t)v[i], 8);
	}
	close_node(b, off);
}

static void ring(struct bld *b, const json_t *r, const char *what)
{
	const json_t *pts = json_object_get(r, "points"), *p;
	double lon, lat, lon0 = 0, lat0 = 0;
	size_t i, n = json_array_size(pts);

	if (!json_is_object(r) || !json_is_array(pts)) {
		fail(b, -EINVAL, "%s: expected {\"points\": [...]}", what);
		return;
	}
	if (n < 4) {
		fail(b, -EINVAL, "%s: polygon line must have at least 4 points",
		     what);
		return;
	}
	put_le(b, n, 4);
	json_array_foreach(pts, i, p)
	{
		if (!geo_point(b, p, what, &lon, &lat))
			return;
		if (!i) {
			lon0 = lon;
			lat0 = lat;
		}
		if (i == n - 1 && (lon != lon0 || lat != lat0)) {
			fail(b, -EINVAL,
			     "%s: the first and the last points of a polygon line must be the same",
			     what);
			return;
		}
		/* exact: scaling by 2^32 is exact, the cast truncates like the core */
		put_le(b, (uint64_t)(int64_t)ldexp(lon, 32), 8);
		put_le(b, (uint64_t)(int64_t)ldexp(lat, 32), 8);
	}
}

static void geo_polygon(struct bld *b, const json_t *key, const json_t *g)
{
	const json_t *in = json_object_get(g, "interiors"), *r;
	size_t off, i, nin = json_array_size(in);

	if (in && !json_is_null(in) && !json_is_array(in)) {
		fail(b, -EINVAL, "geo_polygon.interiors: expected a sequence");
		return;
	}
	if (nin + 1 > VEXFS_FILTER_RINGS_MAX) {
		fail(b, -EINVAL, "geo_polygon: at most %u interiors",
		     VEXFS_FILTER_RINGS_MAX - 1);
		return;
	}
	off = open_node(b, VEXFS_FOP_GEO_POLYGON, 0);
	put_key(b, key);
	put_le(b, nin + 1, 4);
	ring(b, json_object_get(g, "exterior"), "geo_polygon.exterior");
	json_array_foreach(in, i, r)
	{
		ring(b, r, "geo_polygon.interiors");
	}
	close_node(b, off);
}

/* --- conditions -------------------------------------------------------- */

static void key_only(struct bld *b, uint8_t op, const json_t *key)
{
	size_t off = open_node(b, op, 0);

	put_key(b, key);
	close_node(b, off);
}

static void field_condition(struct bld *b, const json_t *c)
{
	const json_t *key = json_object_get(c, "key");
	size_t off = 0, cnt_off = 0;
	unsigned int n = 0;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)c, k, v)
	{
		n += strcmp(k, "key") && !json_is_null(v);
	}
	if (!n) {
		fail(b, -EINVAL,
		     "At least one field condition must be specified for key %s",
		     json_is_string(key) ? json_string_value(key) : "?");
		return;
	}
	/* several conditions on one key: all must hold */
	if (n > 1) {
		off = open_node(b, VEXFS_FOP_AND, 0);
		cnt_off = b->len;
		put_le(b, n, 2);
	}
	json_object_foreach((json_t *)c, k, v)
	{
		if (!strcmp(k, "key"))
			continue;
		if (json_is_null(v))
			continue;
		if (!strcmp(k, "match"))
			match(b, key, v);
		else if (!strcmp(k, "range"))
			range(b, key, v);
		else if (!strcmp(k, "geo_bounding_box"))
			geo_box(b, key, v);
		else if (!strcmp(k, "geo_radius"))
			geo_radius(b, key, v);
		else if (!strcmp(k, "geo_polygon"))
			geo_polygon(b, key, v);
		else if (!strcmp(k, "values_count"))
			values_count(b, key, v);
		else if (!strcmp(k, "is_empty") || !strcmp(k, "is_null")) {
			size_t noff;

			if (!json_is_boolean(v)) {
				fail(b, -EINVAL, "%s: expected a boolean", k);
				return;
			}
			noff = json_is_false(v) ?
				       open_node(b, VEXFS_FOP_NOT, 0) :
				       0;
			key_only(b,
				 k[3] == 'e' ? VEXFS_FOP_IS_EMPTY :
					       VEXFS_FOP_IS_NULL,
				 key);
			if (json_is_false(v))
				close_node(b, noff);
		} else {
			fail(b, -EINVAL,
			     "unknown field `%s`, expected one of `key`, `match`, `range`, `geo_bounding_box`, `geo_radius`, `geo_polygon`, `values_count`, `is_empty`, `is_null`",
			     k);
			return;
		}
	}
	if (n > 1) {
		patch_le(b, cnt_off, n, 2);
		close_node(b, off);
	}
}

static int uuid_parse(const char *s, size_t n, uint8_t out[16])
{
	size_t i, k = 0;

	if (n != 36 && n != 32)
		return -1;
	for (i = 0; i < n; i++) {
		int hv;
		char ch = s[i];

		if (n == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (ch != '-')
				return -1;
			continue;
		}
		if (ch >= '0' && ch <= '9')
			hv = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			hv = ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			hv = ch - 'A' + 10;
		else
			return -1;
		if (k & 1)
			out[k / 2] |= (uint8_t)hv;
		else
			out[k / 2] = (uint8_t)(hv << 4);
		k++;
	}
	return k == 32 ? 0 : -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_uuid(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static void has_id(struct bld *b, const json_t *ids)
{
	size_t n = json_array_size(ids), i, nn = 0, nu = 0, k;
	uint64_t *num;
	uint8_t(*uu)[16];
	const json_t *v;
	size_t off;

	if (!json_is_array(ids)) {
		fail(b, -EINVAL,
		     "has_id: invalid type: %s, expected a sequence",
		     type_name(ids));
		return;
	}
	num = calloc(n + 1, sizeof(*num));
	uu = calloc(n + 1, sizeof(*uu));
	if (!num || !uu) {
		fail(b, -ENOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(ids, i, v)
	{
		struct gw_point_id id;
		char bad[64];

		/* gw_id_parse: u64 ids above INT64_MAX arrive as markers. */
		if (!gw_id_parse(v, &id, bad, sizeof(bad)) &&
		    id.kind == GW_ID_NUM) {
			num[nn++] = id.num;
		} else if (json_is_string(v) &&
			   !uuid_parse(json_string_value(v),
				       json_string_length(v), uu[nu])) {
			nu++;
		} else {
			fail(b, -EINVAL,
			     "has_id: data did not match any variant of untagged enum ExtendedPointId");
			goto out;
		}
	}
	qsort(num, nn, sizeof(*num), cmp_u64);
	qsort(uu, nu, sizeof(*uu), cmp_uuid);
	for (i = k = 0; i < nn; i++)
		if (!k || num[i] != num[k - 1])
			num[k++] = num[i];
	nn = k;
	for (i = k = 0; i < nu; i++)
		if (!k || memcmp(uu[i], uu[k - 1], 16))
			memmove(uu[k++], uu[i], 16);
	nu = k;
	off = open_node(b, VEXFS_FOP_HAS_ID, 0);
	put_le(b, nn, 4);
	put_le(b, nu, 4);
	for (i = 0; i < nn; i++)
		put_le(b, num[i], 8);
	put_bytes(b, uu, 16 * nu);
	close_node(b, off);
out:
	free(num);
	free(uu);
}

static void nested(struct bld *b, const json_t *n)
{
	const json_t *key = json_object_get(n, "key");
	const json_t *f = json_object_get(n, "filter");
	char *path;
	size_t off, len;

	if (!json_is_object(n) || !json_is_string(key) || !f) {
		fail(b, -EINVAL,
		     "nested: expected {\"key\": string, \"filter\": Filter}");
		return;
	}
	if (b->nested >= VEXFS_FILTER_MAX_NESTED) {
		fail(b, -EINVAL, "nested filters nest too deep (at most %u)",
		     VEXFS_FILTER_MAX_NESTED);
		return;
	}
	len = json_string_length(key);
	path = malloc(len + 3);
	if (!path) {
		fail(b, -ENOMEM, "out of memory");
		return;
	}
	memcpy(path, json_string_value(key), len);
	/* Qdrant's nested {key: k} walks the elements of the array at k */
	if (len < 2 || memcmp(path + len - 2, "[]", 2)) {
		memcpy(path + len, "[]", 2);
		len += 2;
	}
	{
		json_t *k = json_stringn(path, len);

		off = open_node(b, VEXFS_FOP_NESTED, 0);
		put_key(b, k);
		json_decref(k);
	}
	free(path);
	b->nested++;
	filter(b, f);
	b->nested--;
	close_node(b, off);
}

static bool is_filter_key(const char *k)
{
	return !strcmp(k, "must") || !strcmp(k, "should") ||
	       !strcmp(k, "must_not") || !strcmp(k, "min_should");
}

static void condition(struct bld *b, const json_t *c)
{
	const char *k;
	json_t *v;
	bool all_filter = true;

	if (b->err)
		return;
	if (!json_is_object(c)) {
		fail(b, -EINVAL,
		     "data did not match any variant of untagged enum Condition");
		return;
	}
	if (json_object_get(c, "key")) {
		field_condition(b, c);
		return;
	}
	if (json_object_size(c) == 1) {
		json_object_foreach((json_t *)c, k, v)
		{
			if (!strcmp(k, "is_empty") || !strcmp(k, "is_null")) {
				if (!json_is_object(v) ||
				    !json_object_get(v, "key")) {
					fail(b, -EINVAL,
					     "%s: expected {\"key\": string}",
					     k);
					return;
				}
				key_only(b,
					 k[3] == 'e' ? VEXFS_FOP_IS_EMPTY :
						       VEXFS_FOP_IS_NULL,
					 json_object_get(v, "key"));
				return;
			}
			if (!strcmp(k, "has_id")) {
				if (b->nested) {
					fail(b, -EINVAL,
					     "HasId condition is not supported inside nested filters");
					return;
				}
				has_id(b, v);
				return;
			}
			if (!strcmp(k, "has_vector")) {
				if (!json_is_string(v)) {
					fail(b, -EINVAL,
					     "has_vector: expected a vector name");
					return;
				}
				if (json_string_length(v)) {
					fail(b, -EINVAL,
					     "Wrong input: Not existing vector name error: %s",
					     json_string_value(v));
					return;
				}
				leaf_node(b, VEXFS_FOP_HAS_VECTOR, 0);
				return;
			}
			if (!strcmp(k, "nested")) {
				nested(b, v);
				return;
			}
		}
	}
	json_object_foreach((json_t *)c, k, v)
	{
		all_filter &= is_filter_key(k);
	}
	if (all_filter) { /* {} too: an empty Filter */
		filter(b, c);
		return;
	}
	fail(b, -EINVAL,
	     "data did not match any variant of untagged enum Condition");
}

/* Each condition of @v (one condition or an array), @wrap_not: under NOT. */
static unsigned int conditions(struct bld *b, const json_t *v, bool wrap_not)
{
	unsigned int n = 0;
	const json_t *c;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, c)
		{
			size_t off = wrap_not ? open_node(b, VEXFS_FOP_NOT, 0) :
						0;

			condition(b, c);
			if (wrap_not)
				close_node(b, off);
			n++;
		}
		return n;
	}
	{
		size_t off = wrap_not ? open_node(b, VEXFS_FOP_NOT, 0) : 0;

		condition(b, v);
		if (wrap_not)
			close_node(b, off);
	}
	return 1;
}

static void check_count(struct bld *b, unsigned int n)
{
	if (n > 0xffff)
		fail(b, -E2BIG,
		     "too many conditions in one clause (at most 65535)");
}

static void filter(struct bld *b, const json_t *f)
{
	const json_t *v;
	const char *k;
	size_t off, cnt_off;
	unsigned int n = 0;

	if (b->err)
		return;
	if (!json_is_object(f)) {
		fail(b, -EINVAL, "invalid type: %s, expected struct Filter",
		     type_name(f));
		return;
	}
	json_object_foreach((json_t *)f, k, v)
	{
		if (!is_filter_key(k)) {
			fail(b, -EINVAL,
			     "unknown field `%s`, expected one of `should`, `min_should`, `must`, `must_not`",
			     k);
			return;
		}
	}
	off = open_node(b, VEXFS_FOP_AND, 0);
	cnt_off = b->len;
	put_le(b, 0, 2);
	v = json_object_get(f, "must");
	if (v && !json_is_null(v))
		n += conditions(b, v, false);
	v = json_object_get(f, "should");
	/* should: [] matches nothing, as in Qdrant (qdrant#554) */
	if (v && !json_is_null(v)) {
		size_t o = open_node(b, VEXFS_FOP_OR, 0), c = b->len;
		unsigned int m;

		put_le(b, 0, 2);
		m = conditions(b, v, false);
		check_count(b, m);
		patch_le(b, c, m, 2);
		close_node(b, o);
		n++;
	}
	v = json_object_get(f, "must_not");
	if (v && !json_is_null(v))
		n += conditions(b, v, true);
	v = json_object_get(f, "min_should");
	if (v && !json_is_null(v)) {
		const json_t *cs = json_object_get(v, "conditions");
		const json_t *mc = json_object_get(v, "min_count");
		size_t o, c;
		unsigned int m;

		if (!json_is_object(v) || !json_is_array(cs) ||
		    !json_is_integer(mc) || json_integer_value(mc) < 0) {
			fail(b, -EINVAL,
			     "min_should: expected {\"conditions\": [...], \"min_count\": non-negative integer}");
			return;
		}
		if ((size_t)json_integer_value(mc) > json_array_size(cs)) {
			leaf_node(b, VEXFS_FOP_FALSE, 0); /* cannot be met */
		} else {
			o = open_node(b, VEXFS_FOP_ATLEAST, 0);
			c = b->len;
			put_le(b, (uint64_t)json_integer_value(mc), 2);
			put_le(b, 0, 2);
			m = conditions(b, cs, false);
			check_count(b, m);
			patch_le(b, c + 2, m, 2);
			close_node(b, o);
		}
		n++;
	}
	check_count(b, n);
	patch_le(b, cnt_off, n, 2);
	close_node(b, off);
}

int gw_filter_compile(const json_t *f, void **code, uint32_t *len, char *err,
		      size_t errlen)
{
	struct bld b = { .msg = err, .msglen = errlen };

	*code = NULL;
	*len = 0;
	if (err && errlen)
		err[0] = 0;
	if (!f || json_is_null(f))
		return 0;
	put_le(&b, VEXFS_FILTER_MAGIC, 4);
	put_le(&b, VEXFS_FILTER_VERSION, 2);
	put_le(&b, 0, 2);
	put_le(&b, 0, 4);
	put_le(&b, 0, 4);
	filter(&b, f);
	if (b.err) {
		free(b.buf);
		return b.err;
	}
	patch_le(&b, 8, b.len, 4);
	patch_le(&b, 12, b.nodes, 4);
	*code = b.buf;
	*len = (uint32_t)b.len;
	return 0;
}
