// SPDX-License-Identifier: GPL-2.0
/*
 * Payloads: jansson JSON <-> canonical CBOR (see json_cbor.h).
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_cbor.h"

#include "cbor.h" /* vexfs_kmod/core: the validator and the cursor */

struct out {
	uint8_t *buf;
	size_t len, cap;
	int err;
	const char *why;
};

static void grow(struct out *o, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (o->err)
		return;
	if (n > VEXFS_PAYLOAD_MAX || o->len > VEXFS_PAYLOAD_MAX - n) {
		o->err = -E2BIG;
		o->why = "payload larger than 1 MiB of CBOR";
		return;
	}
	if (o->len + n <= o->cap)
		return;
	cap = o->cap ? o->cap : 256;
	while (cap < o->len + n)
		cap *= 2;
	p = realloc(o->buf, cap);
	if (!p) {
		o->err = -ENOMEM;
		o->why = "out of memory";
		return;
	}
	o->buf = p;
	o->cap = cap;
}

static void put(struct out *o, const void *p, size_t n)
{
	grow(o, n);
	if (o->err)
		return;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/* A head in its shortest form (RFC 8949 section 4.2.1). */
static void head(struct out *o, unsigned int major, uint64_t v)
{
	uint8_t h[9];
	int n, i;

	if (v < 24) {
		h[0] = (uint8_t)(major << 5 | v);
		put(o, h, 1);
		return;
	}
	n = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
	h[0] = (uint8_t)(major << 5 | (n == 1 ? 24 :
				       n == 2 ? 25 :
				       n == 4 ? 26 :
						27));
	for (i = 0; i < n; i++)
		h[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put(o, h, 1 + n);
}

/* d as binary16 if that is exact. */
static bool as_half(double d, uint16_t *h)
{
	uint32_t b, sign, mant, full;
	int e, shift;
	float f;

	if (fabs(d) > 65504.0)
		return false;
	f = (float)d;
	if ((double)f != d)
		return false;
	memcpy(&b, &f, 4);
	sign = b >> 31 << 15;
	mant = b & 0x7fffff;
	if (!(b & 0x7fffffff)) {
		*h = (uint16_t)sign;
		return true;
	}
	if (!(b >> 23 & 0xff))
		return false; /* float32 subnormals are far below float16's */
	e = (int)(b >> 23 & 0xff) - 127;
	if (e >= -14) {
		if (mant & 0x1fff)
			return false;
		*h = (uint16_t)(sign | (uint32_t)(e + 15) << 10 | mant >> 13);
		return true;
	}
	if (e < -24)
		return false;
	/* a float16 subnormal: m * 2^-24 */
	full = 0x800000 | mant;
	shift = -e - 1;
	if (full & ((1u << shift) - 1))
		return false;
	*h = (uint16_t)(sign | full >> shift);
	return true;
}

static void real(struct out *o, double d)
{
	uint8_t b[9];
	uint16_t h;
	uint64_t u;
	uint32_t s;
	float f;
	int i;

	if (!isfinite(d)) { /* json_real() refuses them; be sure */
		o->err = -EINVAL;
		o->why = "NaN or infinite number";
		return;
	}
	if (as_half(d, &h)) {
		b[0] = 0xf9;
		b[1] = (uint8_t)(h >> 8);
		b[2] = (uint8_t)h;
		put(o, b, 3);
		return;
	}
	if (fabs(d) <= FLT_MAX && (double)(f = (float)d) == d) {
		memcpy(&s, &f, 4);
		b[0] = 0xfa;
		for (i = 0; i < 4; i++)
			b[1 + i] = (uint8_t)(s >> (24 - 8 * i));
		put(o, b, 5);
		return;
	}
	memcpy(&u, &d, 8);
	b[0] = 0xfb;
	for (i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)(u >> (56 - 8 * i));
	put(o, b, 9);
}

static void encode(struct out *o, const json_t *v, int depth)
{
	if (o->err)
		return;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (depth == VX_CBOR_MAX_DEPTH) {
			o->err = -EINVAL;
			o->why =
				"payload nested deeper than 32 objects and arrays";
			return;
		}
		break;
	default:
		break;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		void *it = json_object_iter((json_t *)v);

		head(o, 5, json_object_size(v));
		for (; it && !o->err;
		     it = json_object_iter_next((json_t *)v, it)) {
			size_t klen = json_object_iter_key_len(it);

			head(o, 3, klen);
			put(o, json_object_iter_key(it), klen);
			encode(o, json_object_iter_value(it), depth + 1);
		}
		break;
	}
	case JSON_ARRAY: {
		size_t i, n = json_array_size(v);

		head(o, 4, n);
		for (i = 0; i < n && !o->err; i++)
			encode(o, json_array_get(v, i), depth + 1);
		break;
	}
	case JSON_STRING:
		head(o, 3, json_string_length(v));
		put(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER: {
		json_int_t i = json_integer_value(v);

		if (i >= 0)
			head(o, 0, (uint64_t)i);
		else
			head(o, 1, (uint64_t)(-(i + 1))); /* -1 - n */
		break;
	}
	case JSON_REAL:
		real(o, json_real_value(v));
		break;
	case JSON_TRUE:
		put(o, "\xf5", 1);
		break;
	case JSON_FALSE:
		put(o, "\xf4", 1);
		break;
	case JSON_NULL:
		put(o, "\xf6", 1);
		break;
	}
}

int gw_json_to_cbor(const json_t *obj, uint8_t **out, size_t *len, char *err,
		    size_t errlen)
{
	struct out o = { 0 };
	const char *why = NULL;

	if (!json_is_object(obj)) {
		snprintf(err, errlen, "payload must be a JSON object");
		return -EINVAL;
	}
	encode(&o, obj, 0);
	/* what the kernel will check anyway; cheap next to the HTTP round */
	if (!o.err && vx_cbor_validate(o.buf, o.len, &why)) {
		o.err = -EINVAL;
		o.why = why;
	}
	if (o.err) {
		snprintf(err, errlen, "%s", o.why);
		free(o.buf);
		return o.err;
	}
	*out = o.buf;
	*len = o.len;
	return 0;
}

static json_t *decode(struct vx_cbor_cur *c)
{
	struct vx_cbor_item it, k;
	json_t *v = NULL, *child;
	double d;
	u64 i;

	if (vx_cbor_next(c, &it))
		return NULL;
	switch (it.type) {
	case VX_CBOR_UINT:
		if (it.val <= INT64_MAX)
			return json_integer((json_int_t)it.val);
		return json_real((double)it.val);
	case VX_CBOR_NINT:
		if (it.val <= INT64_MAX)
			return json_integer(-1 - (json_int_t)it.val);
		return json_real(-1.0 - (double)it.val);
	case VX_CBOR_TEXT:
		return json_stringn((const char *)it.str, it.val);
	case VX_CBOR_FLOAT:
		memcpy(&d, &it.val, 8);
		return isfinite(d) ? json_real(d) : json_null();
	case VX_CBOR_FALSE:
		return json_false();
	case VX_CBOR_TRUE:
		return json_true();
	case VX_CBOR_NULL:
		return json_null();
	case VX_CBOR_ARRAY:
		v = json_array();
		for (i = 0; v && i < it.val; i++) {
			child = decode(c);
			if (json_array_append_new(v, child)) {
				json_decref(v);
				return NULL;
			}
		}
		return v;
	case VX_CBOR_MAP:
		v = json_object();
		for (i = 0; v && i < it.val; i++) {
			if (vx_cbor_next(c, &k) || k.type != VX_CBOR_TEXT) {
				json_decref(v);
				return NULL;
			}
			child = decode(c);
			if (!child ||
			    json_object_setn_new(v, (const char *)k.str, k.val,
						 child)) {
				json_decref(v);
				return NULL;
			}
		}
		return v;
	}
	return NULL;
}

json_t *gw_cbor_to_json(const uint8_t *buf, size_t len, char *err,
			size_t errlen)
{
	struct vx_cbor_cur c;
	const char *why = NULL;
	json_t *v;

	if (vx_cbor_validate(buf, len, &why)) {
		snprintf(err, errlen, "stored payload is not valid: %s", why);
		return NULL;
	}
	/* validated: the recursion is at most VX_CBOR_MAX_DEPTH deep */
	vx_cbor_cur_init(&c, buf, len);
	v = decode(&c);
	if (!v)
		snprintf(err, errlen, "out of memory");
	return v;
}
