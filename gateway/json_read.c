// SPDX-License-Identifier: GPL-2.0
/*
 * The fast reader for request bodies (see json_read.h).
 *
 * It accepts a strict subset of what the slow path accepts and must build
 * the identical tree, so every rule here mirrors jansson's: an integer
 * literal is a json_integer, beyond int64 a u64 marker (ids.h); a literal
 * with a fraction or exponent is a json_real holding strtod()'s double,
 * and an overflowing one is an error; duplicate keys keep the last value
 * in the first one's place.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "json_read.h"

/* Deeper documents are rare in requests: the slow path takes them. */
#define READ_DEPTH_MAX 32
/* Longer number literals are rare too. */
#define NUMBER_MAX 80
/* u64 holds any 19 decimal digits. */
#define DIGITS_MAX 19

struct reader {
	const char *p, *end;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' ||
				 *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

const long double gw_pow10l[GW_POW10L_MAX + 1] = {
	1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,	 1e7L,	1e8L,  1e9L,
	1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
	1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
};

#if LDBL_MANT_DIG == 64

/*
 * x87 extended precision has a 64-bit significand: @m and 10^|e10| are
 * exact in it, so one multiply or divide gives the decimal's value to
 * within half a unit of the 64th bit. Rounding that to the 53 bits of a
 * double can only go the wrong way if the 11 bits dropped are exactly
 * the halfway pattern; then strtod() decides.
 */
bool gw_decimal_to_double(uint64_t m, int e10, bool neg, double *out)
{
	long double x;
	uint64_t sig;

	if (!m) {
		*out = neg ? -0.0 : 0.0;
		return true;
	}
	if (e10 < -GW_POW10L_MAX || e10 > GW_POW10L_MAX)
		return false;
	x = (long double)m;
	x = e10 < 0 ? x / gw_pow10l[-e10] : x * gw_pow10l[e10];
	/* The significand is the first 8 bytes of an x87 long double. */
	memcpy(&sig, &x, sizeof(sig));
	if ((sig & 0x7ff) == 0x400)
		return false;
	*out = neg ? -(double)x : (double)x;
	return true;
}
#else
/* Without an 80-bit long double, only Clinger's exact case is quick. */
bool gw_decimal_to_double(uint64_t m, int e10, bool neg, double *out)
{
	static const double p10[] = { 1e0,  1e1,  1e2,	1e3,  1e4,  1e5,
				      1e6,  1e7,  1e8,	1e9,  1e10, 1e11,
				      1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
				      1e18, 1e19, 1e20, 1e21, 1e22 };
	double x;

	if (!m) {
		*out = neg ? -0.0 : 0.0;
		return true;
	}
	if (m > (1ull << 53) || e10 < -22 || e10 > 22)
		return false;
	x = (double)m;
	x = e10 < 0 ? x / p10[-e10] : x * p10[e10];
	*out = neg ? -x : x;
	return true;
}
#endif

/* An integer literal @s (sign included, no leading zeros) of @len bytes. */
static json_t *read_integer(const char *s, size_t len)
{
	bool neg = *s == '-';
	const char *d = s + neg, *end = s + len;
	uint64_t mag = 0;

	if (end - d > DIGITS_MAX)
		return gw_bigint_json(s, len);
	for (; d < end; d++) {
		unsigned int v = (unsigned int)(*d - '0');

		if (mag > (UINT64_MAX - v) / 10)
			return gw_bigint_json(s, len);
		mag = mag * 10 + v;
	}
	if (!neg && mag <= (uint64_t)INT64_MAX)
		return json_integer((json_int_t)mag);
	if (neg && mag <= (uint64_t)INT64_MAX + 1)
		return json_integer(mag ? (json_int_t)(0 - mag) : 0);
	return gw_bigint_json(s, len);
}

/* A real literal @s of @len bytes, its grammar already checked. */
static json_t *read_real(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	bool neg = *p == '-', dot = false, slow = false;
	uint64_t m = 0;
	unsigned int nd = 0;
	int e10 = 0;
	double d;

	p += neg;
	for (; p < end && *p != 'e' && *p != 'E'; p++) {
		unsigned int v;

		if (*p == '.') {
			dot = true;
			continue;
		}
		v = (unsigned int)(*p - '0');
		if (!m && !v) { /* a leading zero */
			e10 -= dot;
			continue;
		}
		if (nd == DIGITS_MAX) {
			slow = true;
			break;
		}
		m = m * 10 + v;
		nd++;
		e10 -= dot;
	}
	if (!slow && p < end) {
		bool eneg = false;
		int e = 0;

		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		for (; p < end && !slow; p++) {
			e = e * 10 + (*p - '0');
			slow = e > 100000;
		}
		e10 += eneg ? -e : e;
	}
	if (slow || !gw_decimal_to_double(m, e10, neg, &d)) {
		char buf[NUMBER_MAX + 1];

		if (len > NUMBER_MAX)
			return NULL;
		memcpy(buf, s, len);
		buf[len] = '\0';
		d = strtod(buf, NULL);
	}
	/* jansson refuses an overflow ("real number overflow"). */
	if (isinf(d))
		return NULL;
	return json_real(d);
}

static json_t *read_number(struct reader *r)
{
	const char *s = r->p, *p = r->p, *end = r->end;
	bool real = false;

	if (*p == '-')
		p++;
	if (p == end)
		return NULL;
	if (*p == '0')
		p++;
	else if (is_digit(*p))
		while (p < end && is_digit(*p))
			p++;
	else
		return NULL;
	if (p < end && *p == '.') {
		if (++p == end || !is_digit(*p))
			return NULL;
		while (p < end && is_digit(*p))
			p++;
		real = true;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			return NULL;
		while (p < end && is_digit(*p))
			p++;
		real = true;
	}
	r->p = p;
	return real ? read_real(s, (size_t)(p - s)) :
		      read_integer(s, (size_t)(p - s));
}

/*
 * A string's bytes after its opening quote: printable ASCII only, no
 * escapes (anything else is the slow path's). Leaves r->p past the quote.
 */
static const char *read_plain_string(struct reader *r, size_t *len)
{
	const char *s = r->p, *p = r->p;

	while (p < r->end) {
		unsigned char c = (unsigned char)*p;

		if (c == '"') {
			*len = (size_t)(p - s);
			r->p = p + 1;
			return s;
		}
		if (c < 0x20 || c >= 0x80 || c == '\\')
			return NULL;
		p++;
	}
	return NULL;
}

static bool read_literal(struct reader *r, const char *lit, size_t n)
{
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n))
		return false;
	r->p += n;
	return true;
}

static json_t *read_value(struct reader *r, unsigned int depth);

static json_t *read_array(struct reader *r, unsigned int depth)
{
	json_t *a = json_array(), *v;

	if (!a)
		return NULL;
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return a;
	}
	for (;;) {
		v = read_value(r, depth);
		if (!v || json_array_append_new(a, v))
			goto fail;
		skip_ws(r);
		if (r->p == r->end)
			goto fail;
		if (*r->p == ']') {
			r->p++;
			return a;
		}
		if (*r->p++ != ',')
			goto fail;
	}
fail:
	json_decref(a);
	return NULL;
}

static json_t *read_object(struct reader *r, unsigned int depth)
{
	json_t *o = json_object(), *v;
	const char *key;
	size_t klen;

	if (!o)
		return NULL;
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return o;
	}
	for (;;) {
		if (r->p == r->end || *r->p++ != '"')
			goto fail;
		key = read_plain_string(r, &klen);
		if (!key)
			goto fail;
		skip_ws(r);
		if (r->p == r->end || *r->p++ != ':')
			goto fail;
		v = read_value(r, depth);
		if (!v || json_object_setn_new_nocheck(o, key, klen, v))
			goto fail;
		skip_ws(r);
		if (r->p == r->end)
			goto fail;
		if (*r->p == '}') {
			r->p++;
			return o;
		}
		if (*r->p++ != ',')
			goto fail;
		skip_ws(r);
	}
fail:
	json_decref(o);
	return NULL;
}

static json_t *read_value(struct reader *r, unsigned int depth)
{
	const char *s;
	size_t len;

	skip_ws(r);
	if (r->p == r->end)
		return NULL;
	switch (*r->p) {
	case '{':
		return depth < READ_DEPTH_MAX ? read_object(r, depth + 1) :
						NULL;
	case '[':
		return depth < READ_DEPTH_MAX ? read_array(r, depth + 1) : NULL;
	case '"':
		r->p++;
		s = read_plain_string(r, &len);
		return s ? json_stringn_nocheck(s, len) : NULL;
	case 't':
		return read_literal(r, "true", 4) ? json_true() : NULL;
	case 'f':
		return read_literal(r, "false", 5) ? json_false() : NULL;
	case 'n':
		return read_literal(r, "null", 4) ? json_null() : NULL;
	default:
		return read_number(r);
	}
}

json_t *gw_json_read(const char *buf, size_t len)
{
	struct reader r;
	json_t *doc;

	/* An empty body may come as NULL: no arithmetic on it. */
	if (!len)
		return NULL;
	r.p = buf;
	r.end = buf + len;
	skip_ws(&r);
	if (r.p == r.end || *r.p != '{')
		return NULL;
	doc = read_object(&r, 1);
	if (!doc)
		return NULL;
	skip_ws(&r);
	if (r.p != r.end) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
