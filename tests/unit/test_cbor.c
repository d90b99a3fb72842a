// SPDX-License-Identifier: GPL-2.0
/*
 * CBOR payloads: the validator (RFC 8949 Appendix A, the subset's refusals,
 * canonical form, depth, duplicate keys, UTF-8), the cursor and key paths,
 * the JSON renderer, and the integer-only double formatter (round trip
 * through strtod, shortest, closest, on edge cases and random bits).
 */
#include <float.h>
#include <math.h>

#include "cbor.h"
#include "dtoa.h"
#include "vxtest.h"

/* ---- helpers ------------------------------------------------------------ */

static u8 buf[1 << 21];

static size_t unhex(const char *hex, u8 *out)
{
	size_t n = 0;
	unsigned int b;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		if (sscanf(hex, "%2x", &b) != 1)
			abort();
		out[n++] = (u8)b;
		hex += 2;
	}
	return n;
}

/* {"k": <item>}: a map around one Appendix A item */
static size_t wrap(const char *item_hex, u8 *out)
{
	out[0] = 0xa1;
	out[1] = 0x61;
	out[2] = 'k';
	return 3 + unhex(item_hex, out + 3);
}

static int validate_hex(const char *hex)
{
	size_t n = unhex(hex, buf);
	const char *why = NULL;
	int err = vx_cbor_validate(buf, n, &why);

	if (err && !why)
		return 1000; /* every refusal must say why */
	return err;
}

static int validate_item(const char *item_hex)
{
	size_t n = wrap(item_hex, buf);
	const char *why = NULL;
	int err = vx_cbor_validate(buf, n, &why);

	if (err && !why)
		return 1000;
	return err;
}

static char json[1 << 16];

static const char *render_item(const char *item_hex)
{
	size_t n = wrap(item_hex, buf);
	ssize_t r = vx_cbor_to_json(buf, n, json, sizeof(json));

	if (r < 7)
		return NULL;
	/* strip {"k": and } */
	json[r - 1] = '\0';
	return json + 5;
}

/*
 * A tiny encoder of a JSON subset for building test payloads: objects,
 * arrays, strings without escapes, integers, reals (as float64), literals.
 */
struct enc {
	u8 *out;
	size_t n;
	const char *s;
};

static void enc_head(struct enc *e, unsigned int major, u64 v)
{
	u8 *o = e->out + e->n;
	int len, i;

	if (v < 24) {
		o[0] = (u8)(major << 5 | v);
		e->n += 1;
		return;
	}
	len = v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x100000000ull ? 4 : 8;
	o[0] = (u8)(major << 5 | (len == 1 ? 24 :
				  len == 2 ? 25 :
				  len == 4 ? 26 :
					     27));
	for (i = 0; i < len; i++)
		o[1 + i] = (u8)(v >> (8 * (len - 1 - i)));
	e->n += 1 + len;
}

static void enc_ws(struct enc *e)
{
	while (*e->s == ' ')
		e->s++;
}

static void enc_value(struct enc *e);

static void enc_container(struct enc *e, char close, unsigned int major)
{
	/* count first, with a dry run on a scratch encoder */
	static u8 scratch[1 << 20];
	struct enc dry = { scratch, 0, e->s + 1 };
	u64 count = 0;

	enc_ws(&dry);
	while (*dry.s != close) {
		enc_value(&dry);
		if (major == 5) {
			enc_ws(&dry);
			if (*dry.s++ != ':')
				abort();
			enc_value(&dry);
		}
		count++;
		enc_ws(&dry);
		if (*dry.s == ',')
			dry.s++;
		enc_ws(&dry);
	}
	enc_head(e, major, count);
	e->s++;
	enc_ws(e);
	while (*e->s != close) {
		enc_value(e);
		if (major == 5) {
			enc_ws(e);
			e->s++;
			enc_value(e);
		}
		enc_ws(e);
		if (*e->s == ',')
			e->s++;
		enc_ws(e);
	}
	e->s++;
}

static void enc_value(struct enc *e)
{
	enc_ws(e);
	if (*e->s == '{') {
		enc_container(e, '}', 5);
	} else if (*e->s == '[') {
		enc_container(e, ']', 4);
	} else if (*e->s == '"') {
		const char *end = strchr(e->s + 1, '"');

		enc_head(e, 3, end - e->s - 1);
		memcpy(e->out + e->n, e->s + 1, end - e->s - 1);
		e->n += end - e->s - 1;
		e->s = end + 1;
	} else if (!strncmp(e->s, "true", 4)) {
		e->out[e->n++] = 0xf5;
		e->s += 4;
	} else if (!strncmp(e->s, "false", 5)) {
		e->out[e->n++] = 0xf4;
		e->s += 5;
	} else if (!strncmp(e->s, "null", 4)) {
		e->out[e->n++] = 0xf6;
		e->s += 4;
	} else {
		size_t len = strspn(e->s, "-+0123456789.eE");
		char tmp[64];

		memcpy(tmp, e->s, len);
		tmp[len] = '\0';
		e->s += len;
		if (strpbrk(tmp, ".eE")) {
			double d = strtod(tmp, NULL);
			u64 bits;

			memcpy(&bits, &d, 8);
			e->out[e->n++] = 0xfb;
			for (int i = 0; i < 8; i++)
				e->out[e->n++] = (u8)(bits >> (56 - 8 * i));
		} else if (tmp[0] == '-') {
			enc_head(e, 1, (u64)(-(strtoll(tmp, NULL, 10) + 1)));
		} else {
			enc_head(e, 0, strtoull(tmp, NULL, 10));
		}
	}
}

static size_t enc(const char *text, u8 *out)
{
	struct enc e = { out, 0, text };

	enc_value(&e);
	return e.n;
}

static const char *to_json(const char *text)
{
	size_t n = enc(text, buf);
	ssize_t r = vx_cbor_to_json(buf, n, json, sizeof(json));

	return r < 0 ? NULL : json;
}

/* ---- validator: RFC 8949 Appendix A ------------------------------------- */

VX_TEST(appendix_a_integers)
{
	static const char *const ok[] = {
		"00",
		"01",
		"0a",
		"17",
		"1818",
		"1819",
		"1864",
		"1903e8",
		"1a000f4240",
		"1b000000e8d4a51000",
		"1bffffffffffffffff",
		"3bffffffffffffffff",
		"20",
		"29",
		"3863",
		"3903e7",
	};
	static const char *const json_of[] = {
		"0",
		"1",
		"10",
		"23",
		"24",
		"25",
		"100",
		"1000",
		"1000000",
		"1000000000000",
		"18446744073709551615",
		"-18446744073709551616",
		"-1",
		"-10",
		"-100",
		"-1000",
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(ok); i++) {
		VX_ASSERT_EQ(validate_item(ok[i]), 0);
		VX_ASSERT(render_item(ok[i]));
		if (strcmp(render_item(ok[i]), json_of[i]))
			VX_FAIL("%s rendered %s", ok[i], render_item(ok[i]));
	}
	/* bignums are tags: c249010000000000000000 */
	VX_ASSERT_EQ(validate_item("c249010000000000000000"), -EINVAL);
	VX_ASSERT_EQ(validate_item("c349010000000000000000"), -EINVAL);
}

VX_TEST(appendix_a_floats)
{
	static const struct {
		const char *hex, *json;
	} t[] = {
		{ "f90000", "0.0" },
		{ "f98000", "-0.0" },
		{ "f93c00", "1.0" },
		{ "fb3ff199999999999a", "1.1" },
		{ "f93e00", "1.5" },
		{ "f97bff", "65504.0" },
		{ "fa47c35000", "100000.0" },
		{ "fa7f7fffff", "3.4028234663852886e+38" },
		{ "fb7e37e43c8800759c", "1e+300" },
		{ "f90001", "5.960464477539063e-8" },
		{ "f90400", "0.00006103515625" },
		{ "f9c400", "-4.0" },
		{ "fbc010666666666666", "-4.1" },
		{ "f97c00", "null" }, /* Infinity */
		{ "f97e00", "null" }, /* NaN */
		{ "f9fc00", "null" }, /* -Infinity */
		{ "fa7f800000", "null" },
		{ "fa7fc00000", "null" },
		{ "faff800000", "null" },
		{ "fb7ff0000000000000", "null" },
		{ "fb7ff8000000000000", "null" },
		{ "fbfff0000000000000", "null" },
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(t); i++) {
		const char *j;

		VX_ASSERT_EQ(validate_item(t[i].hex), 0);
		j = render_item(t[i].hex);
		VX_ASSERT(j);
		if (strcmp(j, t[i].json))
			VX_FAIL("%s rendered %s, want %s", t[i].hex, j,
				t[i].json);
	}
	/* not the shortest width, still accepted: floats are kept as stored */
	VX_ASSERT_EQ(validate_item("fb3ff0000000000000"), 0);
	VX_ASSERT(!strcmp(render_item("fb3ff0000000000000"), "1.0"));
	VX_ASSERT(!strcmp(render_item("fa3f800000"), "1.0"));
}

VX_TEST(appendix_a_simple_values)
{
	VX_ASSERT_EQ(validate_item("f4"), 0);
	VX_ASSERT_EQ(validate_item("f5"), 0);
	VX_ASSERT_EQ(validate_item("f6"), 0);
	VX_ASSERT(!strcmp(render_item("f4"), "false"));
	VX_ASSERT(!strcmp(render_item("f5"), "true"));
	VX_ASSERT(!strcmp(render_item("f6"), "null"));
	VX_ASSERT_EQ(validate_item("f7"), -EINVAL); /* undefined */
	VX_ASSERT_EQ(validate_item("f0"), -EINVAL); /* simple(16) */
	VX_ASSERT_EQ(validate_item("f8ff"), -EINVAL); /* simple(255) */
	VX_ASSERT_EQ(validate_item("f818"), -EINVAL);
	VX_ASSERT_EQ(validate_item("e0"), -EINVAL); /* simple(0) */
	VX_ASSERT_EQ(validate_item("f3"), -EINVAL); /* simple(19) */
	VX_ASSERT_EQ(validate_item("fc"), -EINVAL); /* reserved */
	VX_ASSERT_EQ(validate_item("ff"), -EINVAL); /* break */
}

VX_TEST(appendix_a_tags_and_byte_strings_are_refused)
{
	static const char *const bad[] = {
		"c074323031332d30332d32315432303a30343a30305a",
		"c11a514b67b0",
		"c1fb41d452d9ec200000",
		"d74401020304",
		"d818456449455446",
		"d82076687474703a2f2f7777772e6578616d706c652e636f6d",
		"40",
		"4401020304",
		"5f42010243030405ff", /* indefinite byte string */
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(bad); i++)
		VX_ASSERT_EQ(validate_item(bad[i]), -EINVAL);
}

VX_TEST(appendix_a_text_arrays_maps)
{
	static const struct {
		const char *hex, *json;
	} t[] = {
		{ "60", "\"\"" },
		{ "6161", "\"a\"" },
		{ "6449455446", "\"IETF\"" },
		{ "62225c", "\"\\\"\\\\\"" },
		{ "62c3bc", "\"\xc3\xbc\"" },
		{ "63e6b0b4", "\"\xe6\xb0\xb4\"" },
		{ "64f0908591", "\"\xf0\x90\x85\x91\"" },
		{ "80", "[]" },
		{ "83010203", "[1,2,3]" },
		{ "8301820203820405", "[1,[2,3],[4,5]]" },
		{ "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
		  "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
		  "23,24,25]" },
		{ "a0", "{}" },
		{ "a26161016162820203", "{\"a\":1,\"b\":[2,3]}" },
		{ "826161a161626163", "[\"a\",{\"b\":\"c\"}]" },
		{ "a56161614161626142616361436164614461656145",
		  "{\"a\":\"A\",\"b\":\"B\",\"c\":\"C\",\"d\":\"D\",\"e\":\"E\"}" },
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(t); i++) {
		const char *j;

		VX_ASSERT_EQ(validate_item(t[i].hex), 0);
		j = render_item(t[i].hex);
		VX_ASSERT(j);
		if (strcmp(j, t[i].json))
			VX_FAIL("%s rendered %s, want %s", t[i].hex, j,
				t[i].json);
	}
	/* the Appendix A payloads themselves, where the top level is a map */
	VX_ASSERT_EQ(validate_hex("a0"), 0);
	VX_ASSERT_EQ(validate_hex("a26161016162820203"), 0);
	VX_ASSERT_EQ(validate_hex("a56161614161626142616361436164614461656145"),
		     0);
	/* {1: 2, 3: 4}: keys must be text */
	VX_ASSERT_EQ(validate_hex("a201020304"), -EINVAL);
	VX_ASSERT_EQ(validate_item("a201020304"), -EINVAL);
}

VX_TEST(appendix_a_indefinite_lengths_are_refused)
{
	static const char *const bad[] = {
		"7f657374726561646d696e67ff",
		"9fff",
		"9f018202039f0405ffff",
		"9f01820203820405ff",
		"83018202039f0405ff",
		"83019f0203ff820405",
		"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
		"bf61610161629f0203ffff",
		"826161bf61626163ff",
		"bf6346756ef563416d7421ff",
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(bad); i++)
		VX_ASSERT_EQ(validate_item(bad[i]), -EINVAL);
	VX_ASSERT_EQ(validate_hex("bf6346756ef563416d7421ff"), -EINVAL);
}

/* ---- validator: the rest of the subset ---------------------------------- */

VX_TEST(top_level_must_be_one_map)
{
	VX_ASSERT_EQ(validate_hex(""), -EINVAL);
	VX_ASSERT_EQ(validate_hex("01"), -EINVAL);
	VX_ASSERT_EQ(validate_hex("80"), -EINVAL);
	VX_ASSERT_EQ(validate_hex("6161"), -EINVAL);
	VX_ASSERT_EQ(validate_hex("f6"), -EINVAL);
	VX_ASSERT_EQ(validate_hex("a0a0"), -EINVAL); /* trailing bytes */
	VX_ASSERT_EQ(validate_hex("a000"), -EINVAL);
	VX_ASSERT_EQ(validate_hex("a0"), 0);
	VX_ASSERT(vx_cbor_to_json(buf, 0, json, sizeof(json)) == -EINVAL);
	unhex("01", buf);
	VX_ASSERT(vx_cbor_to_json(buf, 1, json, sizeof(json)) == -EINVAL);
}

VX_TEST(non_shortest_heads_are_refused)
{
	static const char *const bad[] = {
		"1800",
		"1817",
		"190000",
		"1900ff",
		"1a00000000",
		"1a0000ffff",
		"1b0000000000000000",
		"1b00000000ffffffff",
		"3817",
		"3900ff",
		"3a0000ffff",
		"3b00000000ffffffff",
		"7800",
		"780161",
		"9800",
		"980101",
		"b800",
		"b8016161f6",
	};
	static const char *const ok[] = {
		"1818",
		"190100",
		"19ffff",
		"1a00010000",
		"1affffffff",
		"1b0000000100000000",
		"3818",
		"3bffffffffffffffff",
		"7818616161616161616161616161616161616161616161616161",
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(bad); i++)
		if (validate_item(bad[i]) != -EINVAL)
			VX_FAIL("%s accepted", bad[i]);
	for (size_t i = 0; i < VX_ARRAY_SIZE(ok); i++)
		if (validate_item(ok[i]) != 0)
			VX_FAIL("%s refused", ok[i]);
	/* reserved additional information 28..30, indefinite 31 */
	VX_ASSERT_EQ(validate_item("1c"), -EINVAL);
	VX_ASSERT_EQ(validate_item("1d"), -EINVAL);
	VX_ASSERT_EQ(validate_item("1e"), -EINVAL);
	VX_ASSERT_EQ(validate_item("1f"), -EINVAL);
	VX_ASSERT_EQ(validate_item("3f"), -EINVAL);
	VX_ASSERT_EQ(validate_item("bf"), -EINVAL);
}

VX_TEST(truncation_and_trailing_bytes)
{
	static u8 full[256];
	const char *text =
		"{\"a\": [1, 1000, -70000, \"xyz\", {\"b\": 1.5}], \"long\": "
		"4294967296, \"t\": true, \"s\": \"\xe2\x82\xac\"}";
	size_t n = enc(text, full), i;

	VX_ASSERT_EQ(vx_cbor_validate(full, n, NULL), 0);
	for (i = 0; i < n; i++) {
		const char *why = NULL;

		VX_ASSERT_EQ(vx_cbor_validate(full, i, &why), -EINVAL);
		VX_ASSERT(why);
		VX_ASSERT(vx_cbor_to_json(full, i, json, sizeof(json)) ==
			  -EINVAL);
	}
	full[n] = 0;
	VX_ASSERT_EQ(vx_cbor_validate(full, n + 1, NULL), -EINVAL);
	VX_ASSERT(vx_cbor_to_json(full, n + 1, json, sizeof(json)) == -EINVAL);
	/* counts larger than the bytes left are refused up front */
	VX_ASSERT_EQ(validate_hex("a1616b9bffffffffffffffff"), -EINVAL);
	VX_ASSERT_EQ(validate_hex("bbffffffffffffffff"), -EINVAL);
	VX_ASSERT_EQ(validate_hex("a1616b7bffffffffffffffff"), -EINVAL);
}

VX_TEST(payload_size_limit)
{
	/* {"k": "aaaa..."} of exactly VEXFS_PAYLOAD_MAX bytes, then one more */
	size_t textlen = VEXFS_PAYLOAD_MAX - 3 - 5, n;

	buf[0] = 0xa1;
	buf[1] = 0x61;
	buf[2] = 'k';
	buf[3] = 0x7a;
	buf[4] = (u8)(textlen >> 24);
	buf[5] = (u8)(textlen >> 16);
	buf[6] = (u8)(textlen >> 8);
	buf[7] = (u8)textlen;
	memset(buf + 8, 'a', textlen);
	n = 8 + textlen;
	VX_ASSERT_EQ(n, VEXFS_PAYLOAD_MAX);
	VX_ASSERT_EQ(vx_cbor_validate(buf, n, NULL), 0);
	VX_ASSERT(vx_cbor_to_json(buf, n, NULL, 0) == (ssize_t)textlen + 8);
	textlen++;
	buf[4] = (u8)(textlen >> 24);
	buf[5] = (u8)(textlen >> 16);
	buf[6] = (u8)(textlen >> 8);
	buf[7] = (u8)textlen;
	buf[8 + textlen - 1] = 'a';
	VX_ASSERT_EQ(vx_cbor_validate(buf, n + 1, NULL), -EINVAL);
	VX_ASSERT(vx_cbor_to_json(buf, n + 1, NULL, 0) == -EINVAL);
}

static size_t nest(u8 *out, int arrays)
{
	size_t n = 0;

	out[n++] = 0xa1;
	out[n++] = 0x61;
	out[n++] = 'a';
	for (int i = 0; i < arrays; i++)
		out[n++] = 0x81;
	out[n++] = 0x01;
	return n;
}

VX_TEST(depth_limit_is_32_containers)
{
	const char *why = NULL;
	size_t n;

	n = nest(buf, VX_CBOR_MAX_DEPTH - 1);
	VX_ASSERT_EQ(vx_cbor_validate(buf, n, NULL), 0);
	VX_ASSERT(vx_cbor_to_json(buf, n, json, sizeof(json)) > 0);
	n = nest(buf, VX_CBOR_MAX_DEPTH);
	VX_ASSERT_EQ(vx_cbor_validate(buf, n, &why), -EINVAL);
	VX_ASSERT(why && strstr(why, "deeper"));
	VX_ASSERT(vx_cbor_to_json(buf, n, json, sizeof(json)) == -EINVAL);
	/* maps nest the same way */
	n = 0;
	for (int i = 0; i < VX_CBOR_MAX_DEPTH; i++) {
		buf[n++] = 0xa1;
		buf[n++] = 0x61;
		buf[n++] = 'm';
	}
	buf[n++] = 0xa0; /* the 33rd */
	VX_ASSERT_EQ(vx_cbor_validate(buf, n, NULL), -EINVAL);
	buf[n - 1] = 0xf6;
	VX_ASSERT_EQ(vx_cbor_validate(buf, n, NULL), 0);
	/* a deep hostile prefix does not matter either: 100000 levels */
	memset(buf + 3, 0x81, 100000);
	buf[100003] = 0x01;
	VX_ASSERT_EQ(vx_cbor_validate(buf, 100004, NULL), -EINVAL);
}

VX_TEST(duplicate_keys)
{
	char text[8192];
	size_t len, n;
	int i;

	VX_ASSERT_EQ(vx_cbor_validate(buf, enc("{\"a\": 1, \"a\": 2}", buf),
				      NULL),
		     -EINVAL);
	VX_ASSERT_EQ(
		vx_cbor_validate(
			buf,
			enc("{\"a\": 1, \"b\": {\"a\": 2, \"b\": 3}, \"c\": {\"a\": 1}}",
			    buf),
			NULL),
		0);
	VX_ASSERT_EQ(
		vx_cbor_validate(buf,
				 enc("{\"a\": 1, \"b\": {\"a\": 2, \"a\": 3}}",
				     buf),
				 NULL),
		-EINVAL);
	VX_ASSERT_EQ(vx_cbor_validate(buf,
				      enc("{\"a\": {\"x\": 1}, \"a\": 2}", buf),
				      NULL),
		     -EINVAL);
	VX_ASSERT_EQ(
		vx_cbor_validate(buf,
				 enc("{\"ab\": 1, \"a\": 2, \"b\": 3, \"\": 4}",
				     buf),
				 NULL),
		0);
	VX_ASSERT_EQ(vx_cbor_validate(buf, enc("{\"\": 1, \"\": 2}", buf),
				      NULL),
		     -EINVAL);
	/* the same key in sibling maps and in arrays of maps is fine */
	VX_ASSERT_EQ(vx_cbor_validate(
			     buf, enc("{\"l\": [{\"a\": 1}, {\"a\": 2}]}", buf),
			     NULL),
		     0);

	/* large maps (sorted check, keys beyond the on-stack pool), nested */
	for (int dup = 0; dup < 3; dup++) {
		len = (size_t)sprintf(text, "{");
		for (i = 0; i < 300; i++)
			len += (size_t)sprintf(text + len, "%s\"k%d\": %d",
					       i ? ", " : "", i, i);
		len += (size_t)sprintf(text + len, ", \"inner\": {");
		for (i = 0; i < 100; i++)
			len += (size_t)sprintf(text + len, "%s\"k%d\": %d",
					       i ? ", " : "",
					       dup == 1 && i == 99 ? 7 : i, i);
		len += (size_t)sprintf(text + len, "}%s}",
				       dup == 2 ? ", \"k150\": 0" : "");
		n = enc(text, buf);
		VX_ASSERT_EQ(vx_cbor_validate(buf, n, NULL), dup ? -EINVAL : 0);
	}
}

VX_TEST(map_keys_must_be_text)
{
	VX_ASSERT_EQ(validate_hex("a10101"), -EINVAL);
	VX_ASSERT_EQ(validate_hex("a1f6f6"), -EINVAL);
	VX_ASSERT_EQ(validate_hex("a180f6"), -EINVAL);
	VX_ASSERT_EQ(validate_hex("a1a0f6"), -EINVAL);
	VX_ASSERT_EQ(validate_item("a10101"), -EINVAL);
	unhex("a10101", buf);
	VX_ASSERT(vx_cbor_to_json(buf, 3, json, sizeof(json)) == -EINVAL);
}

VX_TEST(utf8_edge_cases)
{
	static const struct {
		const char *hex;
		int ok;
	} t[] = {
		{ "6100", 1 }, /* U+0000 is a character */
		{ "617f", 1 },
		{ "6180", 0 }, /* lone continuation */
		{ "61bf", 0 },
		{ "62c080", 0 }, /* overlong NUL */
		{ "62c1bf", 0 }, /* overlong U+007F */
		{ "62c280", 1 }, /* U+0080 */
		{ "62dfbf", 1 }, /* U+07FF */
		{ "63e08080", 0 }, /* overlong */
		{ "63e09fbf", 0 }, /* overlong U+07FF */
		{ "63e0a080", 1 }, /* U+0800 */
		{ "63ed9fbf", 1 }, /* U+D7FF */
		{ "63eda080", 0 }, /* U+D800, a surrogate */
		{ "63edbfbf", 0 }, /* U+DFFF */
		{ "63ee8080", 1 }, /* U+E000 */
		{ "63efbfbf", 1 }, /* U+FFFF */
		{ "64f0808080", 0 }, /* overlong */
		{ "64f08fbfbf", 0 }, /* overlong U+FFFF */
		{ "64f0908080", 1 }, /* U+10000 */
		{ "64f48fbfbf", 1 }, /* U+10FFFF */
		{ "64f4908080", 0 }, /* U+110000 */
		{ "64f5808080", 0 },
		{ "61fe", 0 },
		{ "61ff", 0 },
		{ "62e282", 0 }, /* truncated sequence */
		{ "63e282ac", 1 }, /* U+20AC */
		{ "63e28228", 0 }, /* bad continuation */
		{ "64f0908028", 0 },
		{ "6cedb080eda080f09f98806161", 0 }, /* CESU-8 pair */
		{ "66f09f9880c3a9", 1 },
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(t); i++) {
		if (validate_item(t[i].hex) != (t[i].ok ? 0 : -EINVAL))
			VX_FAIL("%s: want %s", t[i].hex,
				t[i].ok ? "ok" : "refused");
		/* the renderer makes the same call */
		if (!render_item(t[i].hex) != !t[i].ok)
			VX_FAIL("%s: renderer disagrees", t[i].hex);
		/* and so it goes for keys */
		buf[0] = 0xa1;
		{
			size_t n = 1 + unhex(t[i].hex, buf + 1);

			buf[n++] = 0xf6;
			if (vx_cbor_validate(buf, n, NULL) !=
			    (t[i].ok ? 0 : -EINVAL))
				VX_FAIL("%s as a key", t[i].hex);
		}
	}
}

/* ---- the renderer ------------------------------------------------------- */

VX_TEST(render_string_escapes)
{
	size_t n = 0;
	const char *want =
		"{\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\"/\\\\\x7f"
		"\xc3\xa9\":\"\\u0000\"}";

	buf[n++] = 0xa2;
	{
		static const u8 key[] = { 0,	1,    8,    9,	 10,  11,
					  12,	13,   31,   ' ', '"', '/',
					  '\\', 0x7f, 0xc3, 0xa9 };

		buf[n++] = 0x60 | sizeof(key);
		memcpy(buf + n, key, sizeof(key));
		n += sizeof(key);
	}
	buf[n++] = 0x61;
	buf[n++] = 0;
	buf[n++] = 0x61;
	buf[n++] = 'x';
	buf[n++] = 0xf5;
	VX_ASSERT_EQ(vx_cbor_validate(buf, n, NULL), 0);
	VX_ASSERT(vx_cbor_to_json(buf, n, json, sizeof(json)) > 0);
	VX_ASSERT(!strncmp(json, want, strlen(want) - 1));
	VX_ASSERT(!strcmp(json + strlen(want) - 1, ",\"x\":true}"));
}

VX_TEST(render_keeps_key_order_and_nesting)
{
	const char *j = to_json(
		"{\"z\": 1, \"a\": [true, false, null, {\"y\": [], \"b\": {}}],"
		" \"m\": -5, \"f\": 0.25, \"big\": 18446744073709551615}");

	VX_ASSERT(j);
	VX_ASSERT(!strcmp(
		j, "{\"z\":1,\"a\":[true,false,null,{\"y\":[],\"b\":{}}],"
		   "\"m\":-5,\"f\":0.25,\"big\":18446744073709551615}"));
	VX_ASSERT(!strcmp(to_json("{}"), "{}"));
	VX_ASSERT(!strcmp(to_json("{\"a\": [[[]]]}"), "{\"a\":[[[]]]}"));
}

VX_TEST(render_is_bounded_like_snprintf)
{
	const char *text = "{\"key\": [1, 2, 3], \"s\": \"hello\"}";
	const char *want = "{\"key\":[1,2,3],\"s\":\"hello\"}";
	size_t n = enc(text, buf), wl = strlen(want);
	char small[64];

	VX_ASSERT(vx_cbor_to_json(buf, n, NULL, 0) == (ssize_t)wl);
	for (size_t size = 1; size <= wl + 2; size++) {
		memset(small, 'X', sizeof(small));
		VX_ASSERT(vx_cbor_to_json(buf, n, small, size) == (ssize_t)wl);
		VX_ASSERT_EQ(strlen(small), size - 1 < wl ? size - 1 : wl);
		VX_ASSERT(!strncmp(small, want, strlen(small)));
		VX_ASSERT_EQ(small[size], 'X'); /* nothing past size */
	}
	/* a failed rendering leaves an empty string */
	memset(small, 'X', sizeof(small));
	unhex("a1616b40", buf);
	VX_ASSERT(vx_cbor_to_json(buf, 4, small, sizeof(small)) == -EINVAL);
	VX_ASSERT_EQ(small[0], 0);
}

/* ---- cursor and key paths ------------------------------------------------ */

VX_TEST(cursor_next_skip_find)
{
	struct vx_cbor_cur c;
	struct vx_cbor_item it;
	size_t n =
		enc("{\"a\": [1, {\"x\": 2}], \"b\": \"hi\", \"c\": -3}", buf);

	vx_cbor_cur_init(&c, buf, n);
	VX_ASSERT_EQ(vx_cbor_next(&c, &it), 0);
	VX_ASSERT_EQ(it.type, VX_CBOR_MAP);
	VX_ASSERT_EQ(it.val, 3);
	VX_ASSERT_EQ(vx_cbor_map_find(&c, it.val, "c", 1), 1);
	VX_ASSERT_EQ(vx_cbor_next(&c, &it), 0);
	VX_ASSERT_EQ(it.type, VX_CBOR_NINT);
	VX_ASSERT_EQ(it.val, 2);
	VX_ASSERT(vx_cbor_cur_done(&c));

	vx_cbor_cur_init(&c, buf, n);
	VX_ASSERT_EQ(vx_cbor_next(&c, &it), 0);
	VX_ASSERT_EQ(vx_cbor_map_find(&c, it.val, "nope", 4), 0);
	VX_ASSERT(vx_cbor_cur_done(&c));

	vx_cbor_cur_init(&c, buf, n);
	VX_ASSERT_EQ(vx_cbor_next(&c, &it), 0);
	VX_ASSERT_EQ(vx_cbor_next(&c, &it), 0); /* "a" */
	VX_ASSERT_EQ(vx_cbor_skip(&c), 0); /* the array */
	VX_ASSERT_EQ(vx_cbor_next(&c, &it), 0);
	VX_ASSERT_EQ(it.type, VX_CBOR_TEXT);
	VX_ASSERT(it.val == 1 && it.str[0] == 'b');
	VX_ASSERT_EQ(vx_cbor_next(&c, &it), 0);
	VX_ASSERT(it.type == VX_CBOR_TEXT && it.val == 2);
	VX_ASSERT(!memcmp(it.str, "hi", 2));

	/* skip over a truncated container fails cleanly */
	vx_cbor_cur_init(&c, buf, n - 1);
	VX_ASSERT_EQ(vx_cbor_skip(&c), -EINVAL);
	VX_ASSERT(c.why);
}

struct collect {
	int n;
	size_t len[16];
	const u8 *at[16];
};

static int collect_fn(void *arg, const struct vx_cbor_item *it,
		      struct vx_cbor_cur *c)
{
	struct collect *col = arg;

	if (col->n == 16)
		return -E2BIG;
	if (vx_cbor_skip_contents(c, it))
		return -EINVAL;
	col->at[col->n] = it->head;
	col->len[col->n] = c->p - it->head;
	col->n++;
	return 0;
}

/* path on doc yields exactly the values in want (a JSON array) */
static int path_yields(const char *doc, const char *path, const char *want)
{
	static u8 d[4096], w[4096];
	struct collect col = { 0 };
	struct vx_cbor_cur c;
	struct vx_cbor_item it;
	size_t dn = enc(doc, d), wn = enc(want, w);
	int err;

	err = vx_cbor_path_visit(d, dn, path, strlen(path), collect_fn, &col);
	if (err)
		return err;
	vx_cbor_cur_init(&c, w, wn);
	if (vx_cbor_next(&c, &it) || it.type != VX_CBOR_ARRAY)
		abort();
	if (it.val != (u64)col.n) {
		printf("# %s: %d values, want %d\n", path, col.n, (int)it.val);
		return 1;
	}
	for (int i = 0; i < col.n; i++) {
		const u8 *start = c.p;

		vx_cbor_skip(&c);
		if ((size_t)(c.p - start) != col.len[i] ||
		    memcmp(start, col.at[i], col.len[i])) {
			printf("# %s: value %d differs\n", path, i);
			return 1;
		}
	}
	return 0;
}

/* The examples of qdrant-client's value_by_key (local mode), unflattened. */
VX_TEST(key_paths_as_qdrant_resolves_them)
{
	const char *doc =
		"{\"name\": \"John\", \"age\": 25, \"counts\": [1, 2, 3],"
		" \"address\": {\"city\": \"New York\"},"
		" \"location\": [{\"name\": \"home\", \"counts\": [1, 2, 3]},"
		" {\"name\": \"work\", \"counts\": [4, 5, 6]}],"
		" \"nested\": [{\"empty\": []}, {\"empty\": []}, {\"empty\": null}],"
		" \"the_null\": null, \"the\": {\"nested.key\": \"cuckoo\"},"
		" \"double-nest-array\": [[1, 2], [3, 4], [5, 6]]}";

	VX_ASSERT_EQ(path_yields(doc, "name", "[\"John\"]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "address.city", "[\"New York\"]"), 0);
	VX_ASSERT_EQ(
		path_yields(doc, "location[].name", "[\"home\", \"work\"]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "location[0].name", "[\"home\"]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "location[1].name", "[\"work\"]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "location[2].name", "[]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "location[].name[0]", "[]"), 0);
	VX_ASSERT_EQ(
		path_yields(doc, "location[0]",
			    "[{\"name\": \"home\", \"counts\": [1, 2, 3]}]"),
		0);
	VX_ASSERT_EQ(path_yields(doc, "not_exits", "[]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "address", "[{\"city\": \"New York\"}]"),
		     0);
	VX_ASSERT_EQ(path_yields(doc, "address.city[0]", "[]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "counts", "[[1, 2, 3]]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "counts[]", "[1, 2, 3]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "location[].counts",
				 "[[1, 2, 3], [4, 5, 6]]"),
		     0);
	VX_ASSERT_EQ(path_yields(doc, "location[].counts[]",
				 "[1, 2, 3, 4, 5, 6]"),
		     0);
	VX_ASSERT_EQ(path_yields(doc, "nested[].empty", "[[], [], null]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "the_null", "[null]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "the.\"nested.key\"", "[\"cuckoo\"]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "double-nest-array[][]",
				 "[1, 2, 3, 4, 5, 6]"),
		     0);
	VX_ASSERT_EQ(path_yields(doc, "double-nest-array[0][]", "[1, 2]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "double-nest-array[0][0]", "[1]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "double-nest-array[][1]", "[2, 4, 6]"),
		     0);
	VX_ASSERT_EQ(path_yields(doc, "age.nested.not_exist", "[]"), 0);
	/* a key step does not look into arrays, nor [] into maps */
	VX_ASSERT_EQ(path_yields(doc, "location.name", "[]"), 0);
	VX_ASSERT_EQ(path_yields(doc, "address[]", "[]"), 0);
	VX_ASSERT_EQ(path_yields("{\"e\": []}", "e[]", "[]"), 0);
	VX_ASSERT_EQ(path_yields("{\"e\": [[], [1], []]}", "e[][]", "[1]"), 0);
}

static int stop_at_second(void *arg, const struct vx_cbor_item *it,
			  struct vx_cbor_cur *c)
{
	int *n = arg;

	return ++*n == 2 ? 42 : 0;
}

VX_TEST(key_path_syntax_and_early_stop)
{
	static const char *const bad[] = {
		"",	".a",  "a.",	 "a..b", "[0]",
		"[]",	"a[",  "a[x]",	 "a[1",	 "a]",
		"\"\"", "\"a", "a\"b\"", "a[]b", "a[99999999999]",
	};
	static const char *const ok[] = {
		"a",
		"a.b",
		"a[]",
		"a[0]",
		"a[][]",
		"a[3].b[]",
		"\"a.b\"",
		"\"a[]\".c",
		"a-b_c",
		"\xc3\xa9t\xc3\xa9",
		"a[4294967294]",
	};
	size_t n = enc("{\"a\": [1, 2, 3]}", buf);
	int count = 0;

	for (size_t i = 0; i < VX_ARRAY_SIZE(bad); i++)
		if (vx_cbor_path_check(bad[i], strlen(bad[i])) != -EINVAL)
			VX_FAIL("path %s accepted", bad[i]);
	for (size_t i = 0; i < VX_ARRAY_SIZE(ok); i++)
		if (vx_cbor_path_check(ok[i], strlen(ok[i])) < 1)
			VX_FAIL("path %s refused", ok[i]);
	VX_ASSERT_EQ(vx_cbor_path_check("a[3].b[]", 8), 4);
	VX_ASSERT_EQ(vx_cbor_path_visit(buf, n, "a[", 2, stop_at_second,
					&count),
		     -EINVAL);
	VX_ASSERT_EQ(vx_cbor_path_visit(buf, n, "a[]", 3, stop_at_second,
					&count),
		     42);
	VX_ASSERT_EQ(count, 2);
}

VX_TEST(key_paths_on_hostile_bytes_do_not_overrun)
{
	/* [] over an array whose count runs past the end */
	unhex("a161618561", buf);
	VX_ASSERT(vx_cbor_path_visit(buf, 5, "a[]", 3, collect_fn,
				     &(struct collect){ 0 }) < 0);
	unhex("a1616183010203", buf);
	for (size_t n = 0; n < 7; n++)
		VX_ASSERT(vx_cbor_path_visit(buf, n, "a[]", 3, collect_fn,
					     &(struct collect){ 0 }) < 0);
	VX_ASSERT_EQ(vx_cbor_path_visit(buf, 7, "a[]", 3, collect_fn,
					&(struct collect){ 0 }),
		     0);
}

/* ---- doubles ------------------------------------------------------------ */

static u64 bits_of(double d)
{
	u64 b;

	memcpy(&b, &d, 8);
	return b;
}

static double of_bits(u64 b)
{
	double d;

	memcpy(&d, &b, 8);
	return d;
}

static int check_double(u64 bits)
{
	char out[VX_DTOA_BUFSZ], dig[17], ref[64];
	double v = of_bits(bits), back;
	int len, nd, k, p;

	memset(out, 0x55, sizeof(out));
	len = vx_dtoa_json(bits, out);
	if (len <= 0 || len >= VX_DTOA_BUFSZ || (int)strlen(out) != len) {
		printf("# %016llx: bad length %d\n", (unsigned long long)bits,
		       len);
		return 1;
	}
	if (!isfinite(v))
		return strcmp(out, "null") != 0;
	back = strtod(out, NULL);
	if (bits_of(back) != bits) {
		printf("# %016llx (%.17g): %s reads back as %.17g\n",
		       (unsigned long long)bits, v, out, back);
		return 1;
	}
	/* a JSON reader must see a real: a '.' or an exponent */
	if (!strpbrk(out, ".e"))
		return 1;
	if (v == 0)
		return 0;
	nd = vx_dtoa_shortest(bits, dig, &k);
	/* shortest: no string of fewer digits reads back as v */
	for (p = 1; p < nd; p++) {
		snprintf(ref, sizeof(ref), "%.*e", p - 1, v);
		if (bits_of(strtod(ref, NULL)) == bits) {
			printf("# %016llx: %s is shorter than %s\n",
			       (unsigned long long)bits, ref, out);
			return 1;
		}
	}
	/* closest: if the correctly rounded nd digits read back, they are ours */
	snprintf(ref, sizeof(ref), "%.*e", nd - 1, fabs(v));
	if (bits_of(strtod(ref, NULL)) == bits_of(fabs(v))) {
		char rd[20] = { 0 };
		int j = 0;

		for (const char *q = ref; *q && *q != 'e'; q++)
			if (*q != '.')
				rd[j++] = *q;
		if (j != nd || memcmp(rd, dig, nd) ||
		    atoi(strchr(ref, 'e') + 1) != k - 1) {
			printf("# %016llx: %.*s e%d, correctly rounded %s\n",
			       (unsigned long long)bits, nd, dig, k, ref);
			return 1;
		}
	}
	return 0;
}

VX_TEST(double_edge_cases)
{
	static const struct {
		double v;
		const char *json;
	} t[] = {
		{ 0.0, "0.0" },
		{ -0.0, "-0.0" },
		{ 1.0, "1.0" },
		{ -1.0, "-1.0" },
		{ 0.1, "0.1" },
		{ 0.2, "0.2" },
		{ 0.3, "0.3" },
		{ 0.1 + 0.2, "0.30000000000000004" },
		{ 1.5, "1.5" },
		{ 100.0, "100.0" },
		{ 123.456, "123.456" },
		{ 1e21, "1e+21" },
		{ 1e20, "100000000000000000000.0" },
		{ 123456789012345680000.0, "123456789012345680000.0" },
		{ 1.2345e21, "1.2345e+21" },
		{ 1e-7, "1e-7" },
		{ 1.5e-7, "1.5e-7" },
		{ 1e-6, "0.000001" },
		{ 1.25e-6, "0.00000125" },
		{ 5e-324, "5e-324" },
		{ -5e-324, "-5e-324" },
		{ 1e-323, "1e-323" },
		{ 2.2250738585072014e-308,
		  "2.2250738585072014e-308" }, /* DBL_MIN */
		{ 2.225073858507201e-308,
		  "2.225073858507201e-308" }, /* max subnormal */
		{ 1.7976931348623157e308,
		  "1.7976931348623157e+308" }, /* DBL_MAX */
		{ -1.7976931348623157e308, "-1.7976931348623157e+308" },
		{ 9007199254740992.0, "9007199254740992.0" }, /* 2^53 */
		{ 9007199254740993.0, "9007199254740992.0" },
		{ 18446744073709551616.0, "18446744073709552000.0" }, /* 2^64 */
		{ 4.35, "4.35" },
		{ 2.5, "2.5" },
		{ 1e23, "1e+23" },
		{ 9.5e-5, "0.000095" },
		{ 1e300, "1e+300" },
		{ 3.4028234663852886e38, "3.4028234663852886e+38" },
		{ 0.000001234, "0.000001234" },
		{ 2e-7, "2e-7" },
		{ 1.7976931348623157e308 / 2, "8.988465674311579e+307" },
		{ 4.9406564584124654e-324 * 3, "1.5e-323" },
		{ 5e-310, "5e-310" },
	};
	char out[VX_DTOA_BUFSZ];

	for (size_t i = 0; i < VX_ARRAY_SIZE(t); i++) {
		vx_dtoa_json(bits_of(t[i].v), out);
		if (strcmp(out, t[i].json))
			VX_FAIL("%.17g printed %s, want %s", t[i].v, out,
				t[i].json);
		VX_ASSERT_EQ(check_double(bits_of(t[i].v)), 0);
	}
	vx_dtoa_json(bits_of(INFINITY), out);
	VX_ASSERT(!strcmp(out, "null"));
	vx_dtoa_json(bits_of(-INFINITY), out);
	VX_ASSERT(!strcmp(out, "null"));
	vx_dtoa_json(bits_of(NAN), out);
	VX_ASSERT(!strcmp(out, "null"));
	vx_dtoa_json(0x7ff0000000000001ull, out); /* signalling NaN */
	VX_ASSERT(!strcmp(out, "null"));
	vx_dtoa_json(0xfff8000000000000ull, out);
	VX_ASSERT(!strcmp(out, "null"));
	VX_ASSERT_EQ(vx_dtoa_shortest(bits_of(DBL_MAX), out, &(int){ 0 }), 17);
}

/* xorshift64*: reproducible without libc's rand */
static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

VX_TEST(double_round_trip_random_bits)
{
	int bad = 0;

	for (int i = 0; i < 200000 && bad < 10; i++)
		bad += check_double(rnd());
	VX_ASSERT_EQ(bad, 0);
}

VX_TEST(double_round_trip_every_exponent)
{
	int bad = 0;

	/* every biased exponent with small, large, power-of-two significands */
	for (u64 be = 0; be < 0x7ff && bad < 10; be++) {
		u64 m[] = { 0,
			    1,
			    2,
			    0xfffffffffffffull,
			    0x8000000000000ull,
			    rnd() & 0xfffffffffffffull,
			    rnd() & 0xfffffffffffffull };

		for (size_t j = 0; j < VX_ARRAY_SIZE(m); j++) {
			bad += check_double(be << 52 | m[j]);
			bad += check_double(1ull << 63 | be << 52 | m[j]);
		}
	}
	/* integers, decimal fractions with few digits, neighbours of them */
	for (int i = 0; i < 20000 && bad < 10; i++) {
		double v = (double)(rnd() % 100000000) /
			   (double)(1ull << (rnd() % 40));
		u64 b = bits_of(v);

		bad += check_double(b) + check_double(b + 1) +
		       check_double(b ? b - 1 : b);
		snprintf(json, 64, "%llue%d",
			 (unsigned long long)(rnd() % 1000000),
			 (int)(rnd() % 600) - 300);
		bad += check_double(bits_of(strtod(json, NULL)));
	}
	VX_ASSERT_EQ(bad, 0);
}

VX_TEST(render_floats_of_each_width)
{
	/* float16 subnormal, float32 subnormal, float32 0.1 as stored */
	VX_ASSERT(!strcmp(render_item("f90001"), "5.960464477539063e-8"));
	VX_ASSERT(!strcmp(render_item("f903ff"), "0.00006097555160522461"));
	VX_ASSERT(!strcmp(render_item("fa00000001"), "1.401298464324817e-45"));
	VX_ASSERT(!strcmp(render_item("fa3dcccccd"), "0.10000000149011612"));
	VX_ASSERT(!strcmp(render_item("fa80000000"), "-0.0"));
	VX_ASSERT(!strcmp(render_item("f9fbff"), "-65504.0"));
	VX_ASSERT(!strcmp(render_item("fb0000000000000001"), "5e-324"));
	/* every float16 widens exactly: compare with the FPU here */
	for (u32 h = 0; h < 0x10000; h++) {
		char hex[8];
		const char *j;
		double want;

		snprintf(hex, sizeof(hex), "f9%04x", h);
		j = render_item(hex);
		VX_ASSERT(j);
		if ((h & 0x7c00) == 0x7c00) {
			VX_ASSERT(!strcmp(j, "null"));
			continue;
		}
		want = ldexp((h & 0x3ff) + ((h & 0x7c00) ? 1024 : 0),
			     ((h & 0x7c00) ? (int)((h >> 10) & 31) : 1) - 25);
		if (h & 0x8000)
			want = -want;
		if (bits_of(strtod(j, NULL)) != bits_of(want))
			VX_FAIL("f9%04x rendered %s", h, j);
	}
	/* random float32 patterns */
	for (int i = 0; i < 20000; i++) {
		u32 f = (u32)rnd();
		char hex[16];
		const char *j;
		float want;

		snprintf(hex, sizeof(hex), "fa%08x", f);
		j = render_item(hex);
		VX_ASSERT(j);
		memcpy(&want, &f, 4);
		if (!isfinite(want)) {
			VX_ASSERT(!strcmp(j, "null"));
			continue;
		}
		if (bits_of(strtod(j, NULL)) != bits_of((double)want))
			VX_FAIL("fa%08x rendered %s", f, j);
	}
}

int main(void)
{
	return vx_run_tests();
}
