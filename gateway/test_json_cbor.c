// SPDX-License-Identifier: GPL-2.0
/*
 * The payload converter (json_cbor.c) with the core's CBOR code built in:
 * canonical encodings, JSON -> CBOR -> JSON round trips (values and key
 * order), the limits, and a randomized differential check: every byte
 * string the core validator accepts renders (vx_cbor_to_json) to text that
 * jansson parses into the same document gw_cbor_to_json() builds.
 *
 *	make -C gateway test
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_cbor.h"
#include "cbor.h"
#include "vxtest.h"

static char err[256];

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_ALLOW_NUL, &jerr);

	if (!v)
		printf("# parse %s: %s\n", text, jerr.text);
	return v;
}

/* text -> CBOR, as hex */
static const char *cbor_hex(const char *text)
{
	static char hex[4096];
	json_t *v = parse(text);
	uint8_t *cb = NULL;
	size_t n = 0, i;
	int rc;

	if (!v)
		return "parse error";
	rc = gw_json_to_cbor(v, &cb, &n, err, sizeof(err));
	json_decref(v);
	if (rc)
		return "encode error";
	for (i = 0; i < n && i < sizeof(hex) / 2 - 1; i++)
		sprintf(hex + 2 * i, "%02x", cb[i]);
	hex[2 * i] = '\0';
	free(cb);
	return hex;
}

VX_TEST(canonical_encodings)
{
	static const struct {
		const char *json, *hex;
	} t[] = {
		{ "{}", "a0" },
		{ "{\"a\":1}", "a1616101" },
		{ "{\"a\":23}", "a1616117" },
		{ "{\"a\":24}", "a16161"
				"1818" },
		{ "{\"a\":255}", "a16161"
				 "18ff" },
		{ "{\"a\":256}", "a16161"
				 "190100" },
		{ "{\"a\":65536}", "a16161"
				   "1a00010000" },
		{ "{\"a\":4294967296}", "a16161"
					"1b0000000100000000" },
		{ "{\"a\":9223372036854775807}", "a16161"
						 "1b7fffffffffffffff" },
		{ "{\"a\":-1}", "a16161"
				"20" },
		{ "{\"a\":-25}", "a16161"
				 "3818" },
		{ "{\"a\":-9223372036854775808}", "a16161"
						  "3b7fffffffffffffff" },
		{ "{\"a\":0.0}", "a16161"
				 "f90000" },
		{ "{\"a\":-0.0}", "a16161"
				  "f98000" },
		{ "{\"a\":1.0}", "a16161"
				 "f93c00" },
		{ "{\"a\":1.5}", "a16161"
				 "f93e00" },
		{ "{\"a\":65504.0}", "a16161"
				     "f97bff" },
		{ "{\"a\":65505.0}", "a16161"
				     "fa477fe100" },
		{ "{\"a\":5.960464477539063e-8}", "a16161"
						  "f90001" },
		{ "{\"a\":6.097555160522461e-05}", "a16161"
						   "f903ff" },
		{ "{\"a\":0.00006103515625}", "a16161"
					      "f90400" },
		{ "{\"a\":2.9802322387695312e-8}", "a16161"
						   "fa33000000" },
		{ "{\"a\":100000.0}", "a16161"
				      "fa47c35000" },
		{ "{\"a\":3.4028234663852886e+38}", "a16161"
						    "fa7f7fffff" },
		{ "{\"a\":1.401298464324817e-45}", "a16161"
						   "fa00000001" },
		{ "{\"a\":0.1}", "a16161"
				 "fb3fb999999999999a" },
		{ "{\"a\":1.1}", "a16161"
				 "fb3ff199999999999a" },
		{ "{\"a\":1e300}", "a16161"
				   "fb7e37e43c8800759c" },
		{ "{\"a\":-4.1}", "a16161"
				  "fbc010666666666666" },
		{ "{\"a\":true,\"b\":false,\"c\":null}",
		  "a36161f56162f46163f6" },
		{ "{\"a\":\"\\u00fc\\u6c34\\ud800\\udd51\"}",
		  "a16161"
		  "69c3bce6b0b4f0908591" },
		{ "{\"a\":[1,[2,3],{}]}", "a16161"
					  "83018202"
					  "03a0" },
		{ "{\"z\":1,\"a\":2}", "a2617a016161"
				       "02" },
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(t); i++) {
		const char *h = cbor_hex(t[i].json);

		if (strcmp(h, t[i].hex))
			VX_FAIL("%s: %s, want %s", t[i].json, h, t[i].hex);
	}
}

static int has_nul_key(json_t *v)
{
	if (json_is_object(v)) {
		for (void *it = json_object_iter(v); it;
		     it = json_object_iter_next(v, it))
			if (memchr(json_object_iter_key(it), 0,
				   json_object_iter_key_len(it)) ||
			    has_nul_key(json_object_iter_value(it)))
				return 1;
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			if (has_nul_key(json_array_get(v, i)))
				return 1;
	}
	return 0;
}

/* JSON -> CBOR -> jansson, and -> text by the core; all three agree */
static int round_trip(json_t *in)
{
	char *a = NULL, *b = NULL, *c = NULL;
	static char text[1 << 21];
	json_t *out = NULL, *back = NULL;
	json_error_t jerr;
	uint8_t *cb = NULL, *cb2 = NULL;
	size_t n = 0, n2 = 0;
	ssize_t tl;
	int bad = 1;

	if (gw_json_to_cbor(in, &cb, &n, err, sizeof(err))) {
		printf("# encode: %s\n", err);
		goto out;
	}
	out = gw_cbor_to_json(cb, n, err, sizeof(err));
	if (!out) {
		printf("# decode: %s\n", err);
		goto out;
	}
	tl = vx_cbor_to_json(cb, n, text, sizeof(text));
	if (tl < 0 || (size_t)tl >= sizeof(text)) {
		printf("# render failed\n");
		goto out;
	}
	/* jansson's parser cannot take NUL in keys: compare the rest */
	back = json_loadb(text, tl, JSON_ALLOW_NUL, &jerr);
	if (!back && has_nul_key(in) && strstr(jerr.text, "NUL")) {
		back = json_incref(in);
	} else if (!back) {
		printf("# jansson cannot read %s: %s\n", text, jerr.text);
		goto out;
	}
	/*
	 * Equal values, and the same key order (compact dumps compare it;
	 * json_equal() looks keys up as C strings, so it is skipped for keys
	 * with NUL in them and the dumps alone decide).
	 */
	a = json_dumps(in, JSON_COMPACT | JSON_ENCODE_ANY);
	b = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
	c = json_dumps(back, JSON_COMPACT | JSON_ENCODE_ANY);
	if ((!has_nul_key(in) &&
	     (!json_equal(in, out) || !json_equal(in, back))) ||
	    strcmp(a, b) || strcmp(a, c)) {
		printf("# in   %s\n# out  %s\n# text %s\n", a, b, c);
		goto out;
	}
	/* the encoding is canonical: encoding the decoded document again */
	if (gw_json_to_cbor(out, &cb2, &n2, err, sizeof(err)) || n2 != n ||
	    memcmp(cb, cb2, n)) {
		printf("# re-encoding differs\n");
		goto out;
	}
	bad = 0;
out:
	free(a);
	free(b);
	free(c);
	free(cb);
	free(cb2);
	json_decref(out);
	json_decref(back);
	return bad;
}

VX_TEST(round_trip_documents)
{
	static const char *const docs[] = {
		"{}",
		"{\"city\":\"Berlin\",\"count\":[0],\"price\":11.99,\"ok\":true}",
		"{\"z\":1,\"y\":2,\"x\":3,\"a\":{\"q\":null,\"b\":[]},\"m\":{}}",
		"{\"int\":1,\"real\":1.0,\"neg\":-0.0,\"tiny\":5e-324,"
		"\"huge\":1.7976931348623157e308,\"e21\":1e21,\"e-7\":1e-7}",
		"{\"s\":\"quote \\\" backslash \\\\ nl \\n tab \\t nul \\u0000 "
		"ctl \\u001f del \\u007f \\u00e9 \\u2028 \\ud83d\\ude00\"}",
		"{\"location\":[{\"name\":\"home\",\"counts\":[1,2,3]},"
		"{\"name\":\"work\",\"counts\":[4,5,6]}]}",
		"{\"geo\":{\"lon\":13.404954,\"lat\":52.520008},"
		"\"when\":\"2023-02-08T10:49:00Z\"}",
		"{\"min\":-9223372036854775808,\"max\":9223372036854775807}",
		"{\"\":\"empty key\",\"k e y\":\"spaces\",\"a.b\":\"dot\"}",
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(docs); i++) {
		json_t *v = parse(docs[i]);

		VX_ASSERT(v);
		if (round_trip(v))
			VX_FAIL("doc %zu", i);
		json_decref(v);
	}
}

VX_TEST(refusals_and_limits)
{
	json_t *v, *inner;
	uint8_t *cb = NULL;
	size_t n;
	char *big;
	int i;

	/* top level must be an object */
	v = json_array();
	VX_ASSERT_EQ(gw_json_to_cbor(v, &cb, &n, err, sizeof(err)), -EINVAL);
	json_decref(v);
	v = json_integer(1);
	VX_ASSERT_EQ(gw_json_to_cbor(v, &cb, &n, err, sizeof(err)), -EINVAL);
	json_decref(v);

	/* 32 levels of objects and arrays in all, the top one included */
	for (int depth = 31; depth <= 33; depth++) {
		v = json_object();
		inner = v;
		for (i = 1; i < depth; i++) {
			json_t *next = i % 2 ? json_array() : json_object();

			if (json_is_object(inner))
				json_object_set_new(inner, "k", next);
			else
				json_array_append_new(inner, next);
			inner = next;
		}
		VX_ASSERT_EQ(gw_json_to_cbor(v, &cb, &n, err, sizeof(err)),
			     depth <= 32 ? 0 : -EINVAL);
		if (depth <= 32) {
			VX_ASSERT_EQ(round_trip(v), 0);
			free(cb);
		}
		json_decref(v);
	}

	/* 1 MiB of CBOR at most: a string just fitting, then one byte more */
	big = malloc(VEXFS_PAYLOAD_MAX);
	VX_ASSERT(big);
	memset(big, 'a', VEXFS_PAYLOAD_MAX);
	/* {"k": text}: a1 61 6b 7a xxxxxxxx, 8 bytes around the text */
	v = json_object();
	json_object_set_new(v, "k", json_stringn(big, VEXFS_PAYLOAD_MAX - 8));
	VX_ASSERT_EQ(gw_json_to_cbor(v, &cb, &n, err, sizeof(err)), 0);
	VX_ASSERT_EQ(n, VEXFS_PAYLOAD_MAX);
	free(cb);
	json_object_set_new(v, "k", json_stringn(big, VEXFS_PAYLOAD_MAX - 7));
	VX_ASSERT_EQ(gw_json_to_cbor(v, &cb, &n, err, sizeof(err)), -E2BIG);
	json_decref(v);
	free(big);

	/* jansson refuses integers outside int64 (documented limitation) */
	VX_ASSERT(!json_loads("{\"a\":18446744073709551615}", 0, NULL));
	v = json_loads("{\"a\":18446744073709551615}", JSON_DECODE_INT_AS_REAL,
		       NULL);
	VX_ASSERT(v);
	VX_ASSERT(!strcmp(cbor_hex("{\"a\":18446744073709551615.0}"),
			  "a16161fa5f800000"));
	json_decref(v);
}

VX_TEST(cbor_beyond_json)
{
	static const struct {
		const char *hex, *json;
	} t[] = {
		/* integers outside int64 come back as the nearest real */
		{ "a161611bffffffffffffffff", "{\"a\":1.8446744073709552e19}" },
		{ "a161613bffffffffffffffff",
		  "{\"a\":-1.8446744073709552e19}" },
		{ "a161611b8000000000000000", "{\"a\":9.2233720368547758e18}" },
		{ "a161613b7fffffffffffffff", "{\"a\":-9223372036854775808}" },
		/* NaN and infinities as null */
		{ "a16161f97e00", "{\"a\":null}" },
		{ "a16161fa7f800000", "{\"a\":null}" },
		{ "a16161fbfff0000000000000", "{\"a\":null}" },
		/* a key with NUL in it */
		{ "a162610001", "{\"a\\u0000\":1}" },
		/* non-shortest floats are accepted, read as their value */
		{ "a16161fb3ff0000000000000", "{\"a\":1.0}" },
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(t); i++) {
		uint8_t b[64];
		size_t n = strlen(t[i].hex) / 2;
		json_t *got, *want;

		for (size_t j = 0; j < n; j++)
			sscanf(t[i].hex + 2 * j, "%2hhx", &b[j]);
		got = gw_cbor_to_json(b, n, err, sizeof(err));
		VX_ASSERT(got);
		if (strstr(t[i].json, "\\u0000")) {
			/* jansson's parser refuses NUL in keys: compare by hand */
			void *it = json_object_iter(got);

			VX_ASSERT(it && json_object_iter_key_len(it) == 2);
			VX_ASSERT(!memcmp(json_object_iter_key(it), "a\0", 2));
			json_decref(got);
			continue;
		}
		want = parse(t[i].json);
		VX_ASSERT(want);
		if (!json_equal(got, want))
			VX_FAIL("%s", t[i].hex);
		json_decref(got);
		json_decref(want);
	}
	/* invalid bytes are refused, with a reason */
	VX_ASSERT(!gw_cbor_to_json((const uint8_t *)"\xa1\x61\x61\x40", 4, err,
				   sizeof(err)));
	VX_ASSERT(strstr(err, "byte string"));
	VX_ASSERT(!gw_cbor_to_json((const uint8_t *)"", 0, err, sizeof(err)));
}

/* ---- randomized: documents, then mutations of their encodings ---------- */

static uint64_t rng = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static json_t *random_string(void)
{
	static const char *const pieces[] = {
		"a",
		"b",
		"key",
		"\xc3\xa9",
		"\xe6\xb0\xb4",
		"\xf0\x9f\x98\x80",
		"\"",
		"\\",
		"\n",
		"\x01",
		" ",
		".",
		"[]",
		"\x7f",
		"0",
	};
	char s[64];
	size_t len = 0, n = rnd() % 6;

	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[rnd() % VX_ARRAY_SIZE(pieces)];

		memcpy(s + len, p, strlen(p));
		len += strlen(p);
	}
	if (rnd() % 16 == 0)
		s[len++] = '\0'; /* NUL inside a string */
	return json_stringn(s, len);
}

static json_t *random_value(int depth)
{
	uint64_t b;
	double d;

	switch (rnd() % (depth < 6 ? 9 : 7)) {
	case 0:
		return json_integer((json_int_t)rnd() >> (rnd() % 64));
	case 1:
		return json_integer(-(json_int_t)(rnd() >> (1 + rnd() % 63)));
	case 2:
		do {
			b = rnd();
			memcpy(&d, &b, 8);
		} while (!isfinite(d));
		return json_real(d);
	case 3: /* reals that fit float16/32 */
		d = ldexp((double)(rnd() % 2048), (int)(rnd() % 60) - 40);
		return json_real(rnd() % 2 ? d : -d);
	case 4:
		return random_string();
	case 5:
		return json_boolean(rnd() % 2);
	case 6:
		return json_null();
	case 7: {
		json_t *a = json_array();
		size_t n = rnd() % 5;

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		size_t n = rnd() % 5;

		for (size_t i = 0; i < n; i++) {
			json_t *k = random_string();

			json_object_setn_new(o, json_string_value(k),
					     json_string_length(k),
					     random_value(depth + 1));
			json_decref(k);
		}
		return o;
	}
	}
}

static json_t *random_doc(void)
{
	json_t *o = json_object();
	size_t n = rnd() % 8;

	for (size_t i = 0; i < n; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%llu",
			 (unsigned long long)(rnd() % 50));
		json_object_set_new(o, k, random_value(1));
	}
	return o;
}

/* Whatever the validator accepts, jansson reads as gw_cbor_to_json() does. */
static int differential(const uint8_t *b, size_t n)
{
	static char text[1 << 20];
	json_t *direct, *parsed;
	json_error_t jerr;
	char *d1, *d2;
	ssize_t tl;
	int bad = 0;

	if (vx_cbor_validate(b, n, NULL)) {
		/* refused: the renderer must not crash; it may still render */
		vx_cbor_to_json(b, n, text, sizeof(text));
		return 0;
	}
	tl = vx_cbor_to_json(b, n, text, sizeof(text));
	if (tl < 0 || (size_t)tl >= sizeof(text))
		return 1;
	direct = gw_cbor_to_json(b, n, err, sizeof(err));
	if (!direct)
		return 1;
	parsed = json_loadb(text, tl, JSON_ALLOW_NUL, &jerr);
	if (!parsed) {
		/* jansson's own limits: integers beyond int64, NUL in keys */
		bad = !strstr(jerr.text, "too big") &&
		      !(strstr(jerr.text, "NUL") && has_nul_key(direct));
		if (bad)
			printf("# %s: %s\n", text, jerr.text);
		json_decref(direct);
		return bad;
	}
	d1 = json_dumps(direct, JSON_COMPACT);
	d2 = json_dumps(parsed, JSON_COMPACT);
	if ((!has_nul_key(direct) && !json_equal(direct, parsed)) ||
	    strcmp(d1, d2)) {
		printf("# rendered %s\n# direct   %s\n", text, d1);
		bad = 1;
	}
	free(d1);
	free(d2);
	json_decref(direct);
	json_decref(parsed);
	return bad;
}

VX_TEST(random_documents_round_trip)
{
	int bad = 0;

	for (int i = 0; i < 3000 && bad < 5; i++) {
		json_t *v = random_doc();

		bad += round_trip(v);
		json_decref(v);
	}
	VX_ASSERT_EQ(bad, 0);
}

VX_TEST(random_mutations_differential)
{
	int bad = 0, accepted = 0;

	for (int i = 0; i < 20000 && bad < 5; i++) {
		json_t *v = random_doc();
		uint8_t *cb = NULL, *m;
		size_t n = 0, mn;

		if (gw_json_to_cbor(v, &cb, &n, err, sizeof(err))) {
			json_decref(v);
			continue;
		}
		json_decref(v);
		m = malloc(n + 16);
		memcpy(m, cb, n);
		mn = n;
		for (int k = 1 + (int)(rnd() % 3); k > 0; k--) {
			size_t at = rnd() % (mn + 1);

			switch (rnd() % 4) {
			case 0: /* flip a bit */
				if (at < mn)
					m[at] ^= (uint8_t)(1u << (rnd() % 8));
				break;
			case 1: /* replace a byte */
				if (at < mn)
					m[at] = (uint8_t)rnd();
				break;
			case 2: /* insert one */
				if (mn < n + 16) {
					memmove(m + at + 1, m + at, mn - at);
					m[at] = (uint8_t)rnd();
					mn++;
				}
				break;
			default: /* drop one */
				if (at < mn) {
					memmove(m + at, m + at + 1,
						mn - at - 1);
					mn--;
				}
				break;
			}
		}
		accepted += !vx_cbor_validate(m, mn, NULL);
		bad += differential(m, mn);
		bad += differential(cb, n);
		free(m);
		free(cb);
	}
	printf("# %d mutated payloads still valid\n", accepted);
	VX_ASSERT_EQ(bad, 0);
	VX_ASSERT(accepted > 100);
}

int main(void)
{
	return vx_run_tests();
}
