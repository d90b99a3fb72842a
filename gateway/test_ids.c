// SPDX-License-Identifier: GPL-2.0
/*
 * ids.c: u64 integers beyond jansson's int64 through the marker strings
 * (request text -> JSON tree -> point id -> reply text), the range and
 * the error texts, UUID forms, and Qdrant's id order.
 *
 *	make -C gateway test
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "vxtest.h"

/* Parse request text as request.c does. */
static json_t *parse(const char *text)
{
	json_error_t jerr;
	size_t len = strlen(text), elen;
	char *esc = NULL;
	json_t *v;
	int r = gw_bigint_escape(text, len, &esc, &elen);

	if (r < 0)
		return NULL;
	v = r ? json_loadb(esc, elen, JSON_ALLOW_NUL, &jerr) :
		json_loadb(text, len, 0, &jerr);
	free(esc);
	return v;
}

/* Serialize as gw_reply_ok() does. */
static char *dump(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s && gw_bigint_take())
		s[gw_bigint_unescape(s, strlen(s))] = '\0';
	return s;
}

VX_TEST(escape_leaves_plain_text_alone)
{
	char *out = NULL;
	size_t len;

	VX_ASSERT_EQ(gw_bigint_escape("{\"a\":9223372036854775807}", 25, &out,
				      &len),
		     0);
	VX_ASSERT_EQ(gw_bigint_escape("{\"a\":-9223372036854775808}", 26, &out,
				      &len),
		     0);
	/* Digits inside strings and reals are not integers. */
	VX_ASSERT_EQ(gw_bigint_escape("{\"99999999999999999999\":1e30}", 29,
				      &out, &len),
		     0);
	VX_ASSERT_EQ(gw_bigint_escape("[18446744073709551615.5]", 24, &out,
				      &len),
		     0);
	/* Leading zeros stay malformed for jansson to refuse. */
	VX_ASSERT_EQ(
		gw_bigint_escape("[018446744073709551615]", 23, &out, &len), 0);
	VX_ASSERT(out == NULL);
}

/* A body ending in "-": nothing may be read past its last byte (ASan). */
VX_TEST(escape_stops_at_a_trailing_minus)
{
	char *body = malloc(7), *minus = malloc(1), *out = NULL;
	size_t len;

	VX_ASSERT(body && minus);
	memcpy(body, "{\"a\":[-", 7);
	VX_ASSERT_EQ(gw_bigint_escape(body, 7, &out, &len), 0);
	minus[0] = '-';
	VX_ASSERT_EQ(gw_bigint_escape(minus, 1, &out, &len), 0);
	VX_ASSERT(out == NULL);
	free(body);
	free(minus);
}

VX_TEST(u64_ids_round_trip_exactly)
{
	static const char *const ids[] = {
		"9223372036854775807",
		"9223372036854775808",
		"18446744073709551614",
		"18446744073709551615",
	};
	char text[128], want[64];
	struct gw_point_id id;
	size_t i;

	for (i = 0; i < 4; i++) {
		json_t *doc, *rec;
		char *out;

		snprintf(text, sizeof(text),
			 "{\"ids\":[ %s ],\"s\":\"x\\\"%s\"}", ids[i], ids[i]);
		doc = parse(text);
		VX_ASSERT(doc);
		VX_ASSERT_EQ(
			gw_id_parse(json_array_get(json_object_get(doc, "ids"),
						   0),
				    &id, NULL, 0),
			0);
		VX_ASSERT_EQ(id.kind, GW_ID_NUM);
		VX_ASSERT(id.num == strtoull(ids[i], NULL, 10));
		/* The string holding the same digits stays a string. */
		snprintf(want, sizeof(want), "x\"%s", ids[i]);
		VX_ASSERT(!strcmp(json_string_value(json_object_get(doc, "s")),
				  want));
		rec = json_pack("{s:o}", "id", gw_id_json(&id));
		out = dump(rec);
		snprintf(want, sizeof(want), "{\"id\":%s}", ids[i]);
		if (strcmp(out, want))
			VX_FAIL("%s != %s", out, want);
		free(out);
		json_decref(rec);
		json_decref(doc);
	}
}

VX_TEST(out_of_range_and_negative_ids_are_refused)
{
	static const char *const bad[] = {
		"18446744073709551616",
		"99999999999999999999999",
		"-1",
		"-9223372036854775809",
		"1.5",
		"\"nope\"",
		"true",
	};
	static const char *const text_of[] = {
		"18446744073709551616",
		"99999999999999999999999",
		"-1",
		"-9223372036854775809",
		"1.5",
		"nope",
		"true",
	};
	struct gw_point_id id;
	char msg[64], text[64];
	size_t i;

	for (i = 0; i < 7; i++) {
		json_t *doc;

		snprintf(text, sizeof(text), "[%s]", bad[i]);
		doc = parse(text);
		VX_ASSERT(doc);
		VX_ASSERT_EQ(gw_id_parse(json_array_get(doc, 0), &id, msg,
					 sizeof(msg)),
			     -EINVAL);
		if (strcmp(msg, text_of[i]))
			VX_FAIL("%s != %s", msg, text_of[i]);
		json_decref(doc);
	}
}

VX_TEST(client_nul_in_strings_is_still_refused)
{
	/* A client cannot forge a marker: NULs keep jansson's refusal. */
	VX_ASSERT(
		parse("{\"id\":\"\\u0000u64:5\",\"n\":18446744073709551615}") ==
		NULL);
}

VX_TEST(markers_in_payloads_become_reals)
{
	json_t *doc = parse("{\"p\":{\"a\":[18446744073709551615],\"b\":1}}");
	double d = 0;

	VX_ASSERT(doc);
	gw_bigint_to_real(doc);
	VX_ASSERT(json_is_real(json_array_get(
		json_object_get(json_object_get(doc, "p"), "a"), 0)));
	VX_ASSERT(gw_json_number(
		json_array_get(json_object_get(json_object_get(doc, "p"), "a"),
			       0),
		&d));
	VX_ASSERT(d == 18446744073709551615.0);
	json_decref(doc);
}

VX_TEST(path_ids_and_uuids)
{
	struct gw_point_id id, u2;
	char buf[48];

	VX_ASSERT_EQ(gw_id_parse_str("18446744073709551615", &id), 0);
	VX_ASSERT(id.num == UINT64_MAX);
	VX_ASSERT_EQ(gw_id_parse_str("18446744073709551616", &id), -EINVAL);
	VX_ASSERT_EQ(gw_id_parse_str("3F2504E0-4F89-11D3-9A0C-0305E82C3301",
				     &id),
		     0);
	gw_id_str(&id, buf, sizeof(buf));
	VX_ASSERT(!strcmp(buf, "3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
	VX_ASSERT_EQ(gw_id_parse_str("3f2504e04f8911d39a0c0305e82c3301", &u2),
		     0);
	VX_ASSERT(gw_id_eq(&id, &u2));
	VX_ASSERT_EQ(gw_id_parse_str("3f2504e0-4f89-11d3-9a0c-0305e82c330",
				     &u2),
		     -EINVAL);
}

VX_TEST(order_numbers_then_uuids)
{
	struct gw_point_id v[4];

	gw_id_parse_str("00000000-0000-0000-0000-000000000001", &v[0]);
	gw_id_parse_str("18446744073709551615", &v[1]);
	gw_id_parse_str("7", &v[2]);
	gw_id_parse_str("00000000-0000-0000-0000-000000000000", &v[3]);
	qsort(v, 4, sizeof(v[0]), gw_id_cmp);
	VX_ASSERT(v[0].kind == GW_ID_NUM && v[0].num == 7);
	VX_ASSERT(v[1].kind == GW_ID_NUM && v[1].num == UINT64_MAX);
	VX_ASSERT(v[2].kind == GW_ID_UUID && v[2].uuid[15] == 0);
	VX_ASSERT(v[3].kind == GW_ID_UUID && v[3].uuid[15] == 1);
}

int main(void)
{
	return vx_run_tests();
}
