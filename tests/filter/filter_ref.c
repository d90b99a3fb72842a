// SPDX-License-Identifier: GPL-2.0
/*
 * Reference evaluator: see filter_ref.h. Deliberately simple: it collects
 * the values a key path reaches into an array and then checks them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter_ref.h"

static const double earth_r = 6371088.0;

/* Append the values @path reaches from @v to @out. */
static void resolve(const json_t *v, const char *path, json_t *out)
{
	char key[1100];
	size_t n = 0;

	if (!*path) {
		json_array_append(out, (json_t *)v);
		return;
	}
	if (*path == '.')
		path++;
	if (*path == '[') {
		const char *close = strchr(path, ']');

		if (!json_is_array(v))
			return;
		if (close == path + 1) {
			size_t i;
			json_t *e;

			json_array_foreach(v, i, e)
			{
				resolve(e, close + 1, out);
			}
		} else {
			size_t idx = strtoull(path + 1, NULL, 10);

			if (idx < json_array_size(v))
				resolve(json_array_get(v, idx), close + 1, out);
		}
		return;
	}
	if (*path == '"') {
		const char *end = strchr(path + 1, '"');

		n = end - path - 1;
		memcpy(key, path + 1, n);
		path = end + 1;
	} else {
		while (path[n] && path[n] != '.' && path[n] != '[')
			n++;
		memcpy(key, path, n);
		path += n;
	}
	key[n] = 0;
	if (json_is_object(v) && json_object_get(v, key))
		resolve(json_object_get(v, key), path, out);
}

static json_t *values(const json_t *payload, const char *key)
{
	json_t *out = json_array();

	if (payload)
		resolve(payload, key, out);
	return out;
}

static bool is_int(const json_t *v)
{
	return json_is_integer(v);
}

static bool match_one(const json_t *m, const json_t *v)
{
	const json_t *x;
	size_t i;
	json_t *e;

	if ((x = json_object_get(m, "value"))) {
		if (json_is_boolean(x))
			return json_is_boolean(v) &&
			       json_is_true(x) == json_is_true(v);
		if (json_is_integer(x))
			return is_int(v) &&
			       json_integer_value(v) == json_integer_value(x);
		return json_is_string(v) && json_equal(v, x);
	}
	if ((x = json_object_get(m, "any"))) {
		json_array_foreach(x, i, e)
		{
			if (json_typeof(e) == json_typeof(v) &&
			    json_equal(e, v))
				return true;
		}
		return false;
	}
	if ((x = json_object_get(m, "except"))) {
		if (json_is_null(v))
			return false;
		json_array_foreach(x, i, e)
		{
			if (json_typeof(e) == json_typeof(v) &&
			    json_equal(e, v))
				return false;
		}
		return true;
	}
	x = json_object_get(m, "text");
	return json_is_string(v) &&
	       strstr(json_string_value(v), json_string_value(x)) != NULL;
}

/* Independent RFC 3339 reader: sscanf + timegm. */
static bool parse_dt(const char *s, double *us)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh = 0, om = 0;
	struct tm tm = { 0 };
	double frac = 0;
	const char *p;
	int sign = 0;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return false;
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 &&
				 (y % 4 == 0 && (y % 100 || y % 400 == 0))))
		return false;
	p = s + 10;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return false;
		p++;
		if (strlen(p) < 5 || p[2] != ':')
			return false;
		for (int i = 0; i < 5; i++)
			if (i != 2 && (p[i] < '0' || p[i] > '9'))
				return false;
		h = (p[0] - '0') * 10 + p[1] - '0';
		mi = (p[3] - '0') * 10 + p[4] - '0';
		p += 5;
		if (*p == ':') {
			if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
			      p[2] <= '9'))
				return false;
			sec = (p[1] - '0') * 10 + p[2] - '0';
			p += 3;
			if (*p == '.') {
				long long f = 0;
				int nd = 0;

				for (p++; *p >= '0' && *p <= '9'; p++, nd++)
					if (nd < 6)
						f = f * 10 + (*p - '0');
				if (!nd)
					return false;
				while (nd < 6) {
					f *= 10;
					nd++;
				}
				frac = (double)f;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return false;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p == '-' ? -1 : 1;
			p++;
			if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' &&
			      p[1] <= '9'))
				return false;
			oh = (p[0] - '0') * 10 + p[1] - '0';
			p += 2;
			if (*p == ':')
				p++;
			if (*p) {
				if (!(p[0] >= '0' && p[0] <= '9' &&
				      p[1] >= '0' && p[1] <= '9'))
					return false;
				om = (p[0] - '0') * 10 + p[1] - '0';
				p += 2;
			}
			if (oh > 23 || om > 59)
				return false;
		}
		if (*p)
			return false;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*us = ((double)timegm(&tm) - sign * (oh * 3600.0 + om * 60.0)) * 1e6 +
	      frac;
	return true;
}

static bool bound_ok(const json_t *r, double x, bool dt)
{
	static const char *const names[] = { "gt", "gte", "lt", "lte" };

	for (int i = 0; i < 4; i++) {
		const json_t *b = json_object_get(r, names[i]);
		double v;

		if (!b || json_is_null(b))
			continue;
		if (dt)
			parse_dt(json_string_value(b), &v);
		else
			v = json_number_value(b);
		if ((i == 0 && !(x > v)) || (i == 1 && !(x >= v)) ||
		    (i == 2 && !(x < v)) || (i == 3 && !(x <= v)))
			return false;
	}
	return true;
}

static bool range_is_dt(const json_t *r)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)r, k, v)
	{
		if (json_is_string(v))
			return true;
	}
	return false;
}

static bool range_one(const json_t *r, const json_t *v)
{
	double x;

	if (range_is_dt(r)) {
		if (!json_is_string(v) || !parse_dt(json_string_value(v), &x))
			return false;
		return bound_ok(r, x, true);
	}
	if (!json_is_number(v))
		return false;
	if (json_is_integer(v)) {
		/* exact: compare integer and bound via long double */
		static const char *const names[] = { "gt", "gte", "lt", "lte" };
		long double xi = (long double)json_integer_value(v);

		for (int i = 0; i < 4; i++) {
			const json_t *b = json_object_get(r, names[i]);
			long double bv;

			if (!b || json_is_null(b))
				continue;
			bv = json_is_integer(b) ?
				     (long double)(double)json_integer_value(
					     b) :
				     (long double)json_real_value(b);
			if ((i == 0 && !(xi > bv)) || (i == 1 && !(xi >= bv)) ||
			    (i == 2 && !(xi < bv)) || (i == 3 && !(xi <= bv)))
				return false;
		}
		return true;
	}
	x = json_real_value(v);
	return bound_ok(r, x, false);
}

static bool geo_of(const json_t *v, double *lon, double *lat)
{
	const json_t *x = json_object_get(v, "lon"),
		     *y = json_object_get(v, "lat");

	if (!json_is_object(v) || !json_is_number(x) || !json_is_number(y))
		return false;
	*lon = json_number_value(x);
	*lat = json_number_value(y);
	return *lon >= -180 && *lon <= 180 && *lat >= -90 && *lat <= 90;
}

static double rad(double d)
{
	return d * M_PI / 180;
}

static bool in_ring(const json_t *ring, double x, double y)
{
	const json_t *pts = json_object_get(ring, "points");
	size_t n = json_array_size(pts);
	bool in = false;

	for (size_t i = 0; i + 1 < n; i++) {
		double x1, y1, x2, y2;

		geo_of(json_array_get(pts, i), &x1, &y1);
		geo_of(json_array_get(pts, i + 1), &x2, &y2);
		if ((y1 > y) != (y2 > y) &&
		    x < x1 + (y - y1) * (x2 - x1) / (y2 - y1))
			in = !in;
	}
	return in;
}

static bool geo_one(const char *kind, const json_t *g, const json_t *v)
{
	double lon, lat;

	if (!geo_of(v, &lon, &lat))
		return false;
	if (!strcmp(kind, "geo_bounding_box")) {
		double l, t, r, b;
		bool lon_ok;

		geo_of(json_object_get(g, "top_left"), &l, &t);
		geo_of(json_object_get(g, "bottom_right"), &r, &b);
		lon_ok = l > r ? (lon > l || lon < r) : (l < lon && lon < r);
		return lon_ok && b < lat && lat < t;
	}
	if (!strcmp(kind, "geo_radius")) {
		double clon, clat, dlat, dlon, h;

		geo_of(json_object_get(g, "center"), &clon, &clat);
		dlat = rad(lat - clat);
		dlon = rad(lon - clon);
		h = sin(dlat / 2) * sin(dlat / 2) +
		    cos(rad(clat)) * cos(rad(lat)) * sin(dlon / 2) *
			    sin(dlon / 2);
		return 2 * earth_r * asin(sqrt(fmin(1, h))) <
		       json_number_value(json_object_get(g, "radius"));
	}
	/* polygon */
	{
		const json_t *in = json_object_get(g, "interiors"), *r;
		size_t i;

		if (!in_ring(json_object_get(g, "exterior"), lon, lat))
			return false;
		json_array_foreach(in, i, r)
		{
			if (in_ring(r, lon, lat))
				return false;
		}
		return true;
	}
}

static bool values_count_ok(const json_t *r, size_t n)
{
	return bound_ok(r, (double)n, false);
}

static int filter(const json_t *f, const struct ref_point *p);

static bool any_value(const char *kind, const json_t *cond, const json_t *vals)
{
	size_t i, j;
	json_t *v, *e;

	json_array_foreach(vals, i, v)
	{
		if (json_is_array(v)) {
			json_array_foreach(v, j, e)
			{
				if (!strcmp(kind, "match") ?
					    match_one(cond, e) :
				    !strcmp(kind, "range") ?
					    range_one(cond, e) :
					    geo_one(kind, cond, e))
					return true;
			}
		} else if (!strcmp(kind, "match") ? match_one(cond, v) :
			   !strcmp(kind, "range") ? range_one(cond, v) :
						    geo_one(kind, cond, v)) {
			return true;
		}
	}
	return false;
}

static bool is_empty(const json_t *vals)
{
	size_t i;
	json_t *v;

	json_array_foreach(vals, i, v)
	{
		if (!json_is_null(v) &&
		    !(json_is_array(v) && !json_array_size(v)))
			return false;
	}
	return true;
}

static bool is_null(const json_t *vals)
{
	size_t i;
	json_t *v;

	json_array_foreach(vals, i, v)
	{
		if (json_is_null(v))
			return true;
	}
	return false;
}

static bool field(const json_t *c, const struct ref_point *p)
{
	const char *key = json_string_value(json_object_get(c, "key")), *k;
	json_t *vals = values(p->payload, key), *v;
	bool ok = true;

	json_object_foreach((json_t *)c, k, v)
	{
		if (!ok || !strcmp(k, "key") || json_is_null(v))
			continue;
		if (!strcmp(k, "values_count")) {
			size_t n = 0, i;
			json_t *x;

			json_array_foreach(vals, i, x)
				n += json_is_array(x) ? json_array_size(x) :
							!json_is_null(x);
			ok = values_count_ok(v, n);
		} else if (!strcmp(k, "is_empty")) {
			ok = is_empty(vals) == json_is_true(v);
		} else if (!strcmp(k, "is_null")) {
			ok = is_null(vals) == json_is_true(v);
		} else {
			ok = any_value(k, v, vals);
		}
	}
	json_decref(vals);
	return ok;
}

static bool uuid_eq(const char *s, const uint8_t u[16])
{
	char hex[33];
	size_t k = 0;

	for (; *s && k < 32; s++)
		if (*s != '-')
			hex[k++] =
				(char)(*s >= 'A' && *s <= 'F' ? *s + 32 : *s);
	hex[k] = 0;
	for (int i = 0; i < 16; i++) {
		char b[3];

		snprintf(b, sizeof(b), "%02x", u[i]);
		if (memcmp(hex + 2 * i, b, 2))
			return false;
	}
	return true;
}

static bool cond(const json_t *c, const struct ref_point *p)
{
	const json_t *x;

	if (json_object_get(c, "key"))
		return field(c, p);
	if ((x = json_object_get(c, "is_empty"))) {
		json_t *vals =
			values(p->payload,
			       json_string_value(json_object_get(x, "key")));
		bool r = is_empty(vals);

		json_decref(vals);
		return r;
	}
	if ((x = json_object_get(c, "is_null"))) {
		json_t *vals =
			values(p->payload,
			       json_string_value(json_object_get(x, "key")));
		bool r = is_null(vals);

		json_decref(vals);
		return r;
	}
	if ((x = json_object_get(c, "has_id"))) {
		size_t i;
		json_t *e;

		json_array_foreach(x, i, e)
		{
			if (json_is_integer(e) && !p->uuid &&
			    (uint64_t)json_integer_value(e) == p->num)
				return true;
			if (json_is_string(e) && p->uuid &&
			    uuid_eq(json_string_value(e), p->u))
				return true;
		}
		return false;
	}
	if (json_object_get(c, "has_vector"))
		return p->has_vector;
	if ((x = json_object_get(c, "nested"))) {
		const char *key = json_string_value(json_object_get(x, "key"));
		json_t *vals = values(p->payload, key), *v, *e;
		size_t i, j;
		bool r = false;

		json_array_foreach(vals, i, v)
		{
			if (!json_is_array(v))
				continue;
			json_array_foreach(v, j, e)
			{
				struct ref_point q = *p;

				if (!json_is_object(e))
					continue;
				q.payload = e;
				if (filter(json_object_get(x, "filter"), &q)) {
					r = true;
					break;
				}
			}
			if (r)
				break;
		}
		json_decref(vals);
		return r;
	}
	return filter(c, p);
}

static int count_true(const json_t *cs, const struct ref_point *p)
{
	size_t i;
	json_t *c;
	int n = 0;

	if (!json_is_array(cs))
		return cond(cs, p);
	json_array_foreach(cs, i, c)
	{
		n += cond(c, p);
	}
	return n;
}

static size_t count_of(const json_t *cs)
{
	return json_is_array(cs) ? json_array_size(cs) : 1;
}

static int filter(const json_t *f, const struct ref_point *p)
{
	const json_t *x;

	if ((x = json_object_get(f, "must")) && !json_is_null(x) &&
	    count_true(x, p) != (int)count_of(x))
		return 0;
	if ((x = json_object_get(f, "should")) && !json_is_null(x) &&
	    !count_true(x, p))
		return 0;
	if ((x = json_object_get(f, "must_not")) && !json_is_null(x) &&
	    count_true(x, p))
		return 0;
	if ((x = json_object_get(f, "min_should")) && !json_is_null(x) &&
	    count_true(json_object_get(x, "conditions"), p) <
		    json_integer_value(json_object_get(x, "min_count")))
		return 0;
	return 1;
}

int ref_filter_match(const json_t *f, const struct ref_point *p)
{
	if (!f || json_is_null(f))
		return 1;
	return filter(f, p);
}
