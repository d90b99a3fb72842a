// SPDX-License-Identifier: GPL-2.0
/*
 * Point ids and u64 integers in JSON text (see ids.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"

/* In memory: NUL, then a tag no JSON text can produce without a NUL. */
#define MARK "\0u64:"
#define MARK_LEN 5
/* The same as jansson serializes it, after the opening quote. */
#define MARK_TEXT "\\u0000u64:"
#define MARK_TEXT_LEN 10

static _Thread_local bool bigint_made;

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether digits d[n] exceed int64 (@neg: its magnitude bound 2^63). */
static bool beyond_int64(const char *d, size_t n, bool neg)
{
	if (n != 19)
		return n > 19;
	return strncmp(d, neg ? "9223372036854775808" : "9223372036854775807",
		       19) > 0;
}

struct span {
	size_t at, len;
};

int gw_bigint_escape(const char *in, size_t len, char **out, size_t *outlen)
{
	struct span *big = NULL;
	size_t nbig = 0, cap = 0, i = 0, o, extra = 0, k;
	bool in_str = false, user_nul = false;
	char *buf;

	while (i < len) {
		char c = in[i];

		if (in_str) {
			if (c == '\\') {
				/* A NUL of the client's: let jansson refuse it. */
				if (len - i >= 6 &&
				    !memcmp(in + i, "\\u0000", 6))
					user_nul = true;
				i += 2;
				continue;
			}
			in_str = c != '"';
			i++;
			continue;
		}
		if (c == '"') {
			in_str = true;
			i++;
			continue;
		}
		if (c == '-' || is_digit(c)) {
			size_t start = i, ds;
			bool real = false;

			if (c == '-')
				i++;
			ds = i;
			while (i < len && is_digit(in[i]))
				i++;
			while (i < len && (in[i] == '.' || in[i] == 'e' ||
					   in[i] == 'E' || in[i] == '+' ||
					   in[i] == '-' || is_digit(in[i]))) {
				real = true;
				i++;
			}
			/*
			 * A lone "-" (perhaps the last byte) and leading zeros
			 * are not JSON: leave them to jansson.
			 */
			if (real || ds == i || in[ds] == '0' ||
			    !beyond_int64(in + ds, i - ds, c == '-'))
				continue;
			if (nbig == cap) {
				struct span *nb;

				cap = cap ? cap * 2 : 8;
				nb = realloc(big, cap * sizeof(*big));
				if (!nb) {
					free(big);
					return -ENOMEM;
				}
				big = nb;
			}
			big[nbig].at = start;
			big[nbig].len = i - start;
			nbig++;
			extra += MARK_TEXT_LEN + 2;
			continue;
		}
		i++;
	}
	if (!nbig || user_nul) {
		free(big);
		return 0;
	}
	buf = malloc(len + extra + 1);
	if (!buf) {
		free(big);
		return -ENOMEM;
	}
	for (i = 0, o = 0, k = 0; k < nbig; k++) {
		memcpy(buf + o, in + i, big[k].at - i);
		o += big[k].at - i;
		buf[o++] = '"';
		memcpy(buf + o, MARK_TEXT, MARK_TEXT_LEN);
		o += MARK_TEXT_LEN;
		memcpy(buf + o, in + big[k].at, big[k].len);
		o += big[k].len;
		buf[o++] = '"';
		i = big[k].at + big[k].len;
	}
	memcpy(buf + o, in + i, len - i);
	o += len - i;
	buf[o] = '\0';
	free(big);
	*out = buf;
	*outlen = o;
	return 1;
}

size_t gw_bigint_unescape(char *s, size_t len)
{
	size_t r = 0, w = 0;

	while (r < len) {
		if (s[r] == '"' && len - r > MARK_TEXT_LEN + 1 &&
		    !memcmp(s + r + 1, MARK_TEXT, MARK_TEXT_LEN)) {
			r += 1 + MARK_TEXT_LEN;
			while (r < len && s[r] != '"')
				s[w++] = s[r++];
			r++; /* the closing quote */
			continue;
		}
		s[w++] = s[r++];
	}
	return w;
}

bool gw_bigint_take(void)
{
	bool made = bigint_made;

	bigint_made = false;
	return made;
}

const char *gw_json_bigint(const json_t *v)
{
	const char *s;

	if (!json_is_string(v) || json_string_length(v) <= MARK_LEN)
		return NULL;
	s = json_string_value(v);
	return memcmp(s, MARK, MARK_LEN) ? NULL : s + MARK_LEN;
}

bool gw_json_number(const json_t *v, double *out)
{
	const char *d;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return true;
	}
	d = gw_json_bigint(v);
	if (!d)
		return false;
	*out = strtod(d, NULL);
	return true;
}

void gw_bigint_to_real(json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;
	double d;

	if (json_is_object(v)) {
		json_object_foreach(v, key, x)
		{
			if (gw_json_bigint(x) && gw_json_number(x, &d))
				json_object_set_new(v, key, json_real(d));
			else
				gw_bigint_to_real(x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			if (gw_json_bigint(x) && gw_json_number(x, &d))
				json_array_set_new(v, i, json_real(d));
			else
				gw_bigint_to_real(x);
		}
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A UUID, hyphenated (8-4-4-4-12) or 32 hex digits, any case. */
static int parse_uuid(const char *s, uint8_t out[16])
{
	size_t len = strlen(s), i, j = 0;
	bool hyph = len == 36;

	if (len != 36 && len != 32)
		return -EINVAL;
	for (i = 0; i < len;) {
		int hi, lo;

		if (hyph && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i++] != '-')
				return -EINVAL;
			continue;
		}
		hi = hexval((unsigned char)s[i]);
		lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[j++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return j == 16 ? 0 : -EINVAL;
}

/* The text of a value for an error message, as serde prints it. */
static void value_text(const json_t *v, char *buf, size_t len)
{
	const char *d = gw_json_bigint(v);
	size_t n;

	if (!len)
		return;
	if (d) {
		snprintf(buf, len, "%s", d);
	} else if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
	} else if ((n = json_dumpb(v, buf, len - 1,
				   JSON_COMPACT | JSON_ENCODE_ANY))) {
		/* Cut to fit, as snprintf would. */
		buf[n < len - 1 ? n : len - 1] = '\0';
	} else {
		snprintf(buf, len, "?");
	}
}

int gw_id_parse(const json_t *v, struct gw_point_id *id, char *bad,
		size_t badlen)
{
	const char *d;

	memset(id, 0, sizeof(*id));
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		id->kind = GW_ID_NUM;
		id->num = (uint64_t)json_integer_value(v);
		return 0;
	}
	d = gw_json_bigint(v);
	if (d && !gw_id_parse_str(d, id) && id->kind == GW_ID_NUM)
		return 0;
	if (!d && json_is_string(v)) {
		id->kind = GW_ID_UUID;
		if (!parse_uuid(json_string_value(v), id->uuid))
			return 0;
	}
	value_text(v, bad, badlen);
	return -EINVAL;
}

int gw_id_parse_str(const char *s, struct gw_point_id *id)
{
	char *end;

	memset(id, 0, sizeof(*id));
	if (is_digit(*s) && strlen(s) <= 20) {
		errno = 0;
		id->num = strtoull(s, &end, 10);
		if (errno || *end)
			return -EINVAL;
		id->kind = GW_ID_NUM;
		return 0;
	}
	id->kind = GW_ID_UUID;
	return parse_uuid(s, id->uuid);
}

json_t *gw_bigint_json(const char *text, size_t len)
{
	char buf[64];

	if (len > sizeof(buf) - MARK_LEN)
		return NULL;
	memcpy(buf, MARK, MARK_LEN);
	memcpy(buf + MARK_LEN, text, len);
	return json_stringn(buf, MARK_LEN + len);
}

json_t *gw_number_text_json(const char *text, size_t len)
{
	bigint_made = true;
	return gw_bigint_json(text, len);
}

json_t *gw_id_json(const struct gw_point_id *id)
{
	char buf[48];
	int n;

	if (id->kind == GW_ID_NUM) {
		if (id->num <= (uint64_t)INT64_MAX)
			return json_integer((json_int_t)id->num);
		n = snprintf(buf, sizeof(buf), "%llu",
			     (unsigned long long)id->num);
		bigint_made = true;
		return gw_bigint_json(buf, (size_t)n);
	}
	gw_id_str(id, buf, sizeof(buf));
	return json_string(buf);
}

void gw_id_str(const struct gw_point_id *id, char *buf, size_t len)
{
	const uint8_t *b = id->uuid;

	if (id->kind == GW_ID_NUM) {
		snprintf(buf, len, "%llu", (unsigned long long)id->num);
		return;
	}
	snprintf(
		buf, len,
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		b[10], b[11], b[12], b[13], b[14], b[15]);
}

bool gw_id_eq(const struct gw_point_id *a, const struct gw_point_id *b)
{
	if (a->kind != b->kind)
		return false;
	return a->kind == GW_ID_NUM ? a->num == b->num :
				      !memcmp(a->uuid, b->uuid, 16);
}

int gw_id_cmp(const void *pa, const void *pb)
{
	const struct gw_point_id *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind == GW_ID_NUM ? -1 : 1;
	if (a->kind == GW_ID_NUM)
		return a->num < b->num ? -1 : a->num > b->num;
	return memcmp(a->uuid, b->uuid, 16);
}
