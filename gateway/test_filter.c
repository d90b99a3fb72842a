// SPDX-License-Identifier: GPL-2.0
/*
 * The filter compiler (filter.c): the bytes it writes for each condition,
 * Qdrant's validation errors for bad input, ids, limits. Every program it
 * produces is also loaded by the core verifier. Evaluation end to end is
 * tests/unit/test_filter_diff.c.
 */
#include <errno.h>
#include <string.h>

#include "filter.h"
#include "ids.h"
#include "../vexfs_kmod/core/filter.h"
#include "vxtest.h"

static char err[512];

/* Compile JSON text; check the core verifier accepts the result. */
static int cc(const char *text, uint8_t **code, uint32_t *len)
{
	json_error_t je;
	char *esc = NULL;
	size_t esc_len = 0;
	json_t *j;
	struct vx_filter *f;
	const char *why;
	int rc;

	/* As the request parser does: u64 ids above INT64_MAX become markers. */
	if (gw_bigint_escape(text, strlen(text), &esc, &esc_len) == 1) {
		j = json_loadb(esc, esc_len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
			       &je);
		free(esc);
	} else {
		j = json_loads(text, JSON_DECODE_ANY, &je);
	}
	if (!j)
		VX_FAIL("bad JSON %s: %s", text, je.text);
	rc = gw_filter_compile(j, (void **)code, len, err, sizeof(err));
	json_decref(j);
	if (!rc && *len) {
		if (vx_filter_load(*code, *len, &f, &why))
			VX_FAIL("verifier refused %s: %s", text, why);
		vx_filter_free(f);
	}
	return rc;
}

static void expect_error(const char *text, const char *msg)
{
	uint8_t *code = NULL;
	uint32_t len = 0;
	int rc = cc(text, &code, &len);

	if (rc != -EINVAL)
		VX_FAIL("%s: %d, not -EINVAL", text, rc);
	if (code || len)
		VX_FAIL("%s: output on error", text);
	if (!strstr(err, msg))
		VX_FAIL("%s: message \"%s\" lacks \"%s\"", text, err, msg);
}

static uint64_t rd(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

VX_TEST(null_and_empty)
{
	uint8_t *code = (uint8_t *)1;
	uint32_t len = 1;

	VX_ASSERT_EQ(cc("null", &code, &len), 0);
	VX_ASSERT(!code && !len);
	VX_ASSERT_EQ(cc("{}", &code, &len), 0);
	/* header + AND(0) */
	VX_ASSERT_EQ(len, 16 + 8);
	VX_ASSERT_EQ(rd(code, 4), VEXFS_FILTER_MAGIC);
	VX_ASSERT_EQ(rd(code + 4, 2), VEXFS_FILTER_VERSION);
	VX_ASSERT_EQ(rd(code + 8, 4), len);
	VX_ASSERT_EQ(rd(code + 12, 4), 1);
	VX_ASSERT_EQ(code[16], VEXFS_FOP_AND);
	VX_ASSERT_EQ(rd(code + 18, 4), 8);
	VX_ASSERT_EQ(rd(code + 22, 2), 0);
	free(code);
}

VX_TEST(layout_match_value)
{
	uint8_t *code;
	uint32_t len;
	const uint8_t *n;

	VX_ASSERT_EQ(
		cc("{\"must\":[{\"key\":\"a.b\",\"match\":{\"value\":-2}}]}",
		   &code, &len),
		0);
	n = code + 16 + 8; /* inside AND(1) */
	VX_ASSERT_EQ(n[0], VEXFS_FOP_MATCH_INT);
	VX_ASSERT_EQ(rd(n + 2, 4), 6 + 2 + 3 + 8);
	VX_ASSERT_EQ(rd(n + 6, 2), 3);
	VX_ASSERT(!memcmp(n + 8, "a.b", 3));
	VX_ASSERT_EQ((int64_t)rd(n + 11, 8), -2);
	free(code);
	VX_ASSERT_EQ(cc("{\"must\":{\"key\":\"k\",\"match\":{\"value\":true}}}",
			&code, &len),
		     0);
	VX_ASSERT_EQ(code[24], VEXFS_FOP_MATCH_BOOL);
	VX_ASSERT_EQ(code[25], 1);
	free(code);
	VX_ASSERT_EQ(
		cc("{\"must\":{\"key\":\"k\",\"match\":{\"value\":\"caf\\u00e9\"}}}",
		   &code, &len),
		0);
	VX_ASSERT_EQ(code[24], VEXFS_FOP_MATCH_STR);
	VX_ASSERT_EQ(rd(code + 24 + 9, 4), 5);
	VX_ASSERT(!memcmp(code + 24 + 13, "caf\xc3\xa9", 5));
	free(code);
}

VX_TEST(lists_sorted_deduplicated)
{
	uint8_t *code;
	uint32_t len;
	const uint8_t *p;

	VX_ASSERT_EQ(
		cc("{\"must\":{\"key\":\"k\",\"match\":{\"any\":[5,-1,5,3]}}}",
		   &code, &len),
		0);
	VX_ASSERT_EQ(code[24], VEXFS_FOP_MATCH_ANY_INT);
	VX_ASSERT_EQ(code[25], 0);
	p = code + 24 + 6 + 3;
	VX_ASSERT_EQ(rd(p, 4), 3);
	VX_ASSERT_EQ((int64_t)rd(p + 4, 8), -1);
	VX_ASSERT_EQ((int64_t)rd(p + 12, 8), 3);
	VX_ASSERT_EQ((int64_t)rd(p + 20, 8), 5);
	free(code);
	VX_ASSERT_EQ(
		cc("{\"must\":{\"key\":\"k\",\"match\":{\"except\":[\"b\",\"ab\",\"b\",\"a\"]}}}",
		   &code, &len),
		0);
	VX_ASSERT_EQ(code[24], VEXFS_FOP_MATCH_ANY_STR);
	VX_ASSERT_EQ(code[25], VEXFS_FILTER_EXCEPT);
	p = code + 24 + 6 + 3;
	VX_ASSERT_EQ(rd(p, 4), 3);
	VX_ASSERT(rd(p + 4, 4) == 1 && p[8] == 'a');
	VX_ASSERT(rd(p + 9, 4) == 2 && !memcmp(p + 13, "ab", 2));
	VX_ASSERT(rd(p + 15, 4) == 1 && p[19] == 'b');
	free(code);
}

VX_TEST(ranges)
{
	uint8_t *code;
	uint32_t len;
	double d;
	uint64_t b;

	/* gt 1 and gte 3: gte 3 is tighter; lt 10 and lte 10: lt wins */
	VX_ASSERT_EQ(
		cc("{\"must\":{\"key\":\"k\",\"range\":{\"gt\":1,\"gte\":3,\"lte\":10,\"lt\":10}}}",
		   &code, &len),
		0);
	VX_ASSERT_EQ(code[24], VEXFS_FOP_RANGE);
	VX_ASSERT_EQ(code[25], VEXFS_FILTER_R_GTE | VEXFS_FILTER_R_LT);
	b = rd(code + 24 + 9, 8);
	memcpy(&d, &b, 8);
	VX_ASSERT(d == 3.0);
	b = rd(code + 24 + 17, 8);
	memcpy(&d, &b, 8);
	VX_ASSERT(d == 10.0);
	free(code);
	/* datetimes: microseconds, offsets applied */
	VX_ASSERT_EQ(
		cc("{\"must\":{\"key\":\"k\",\"range\":{\"gte\":\"1970-01-01T01:00:00.25+01:00\",\"lt\":null}}}",
		   &code, &len),
		0);
	VX_ASSERT_EQ(code[24], VEXFS_FOP_RANGE_DT);
	VX_ASSERT_EQ(code[25], VEXFS_FILTER_R_GTE);
	VX_ASSERT_EQ((int64_t)rd(code + 24 + 9, 8), 250000);
	VX_ASSERT_EQ(rd(code + 24 + 17, 8), 0);
	free(code);
	VX_ASSERT_EQ(
		cc("{\"must\":{\"key\":\"k\",\"values_count\":{\"gte\":2}}}",
		   &code, &len),
		0);
	VX_ASSERT_EQ(code[24], VEXFS_FOP_VALUES_COUNT);
	VX_ASSERT_EQ(rd(code + 24 + 9, 8), 2);
	free(code);
}

VX_TEST(geo_precomputed)
{
	uint8_t *code;
	uint32_t len;

	VX_ASSERT_EQ(
		cc("{\"must\":{\"key\":\"g\",\"geo_radius\":{\"center\":{\"lon\":1,\"lat\":2},\"radius\":6371088}}}",
		   &code, &len),
		0);
	VX_ASSERT_EQ(code[24], VEXFS_FOP_GEO_RADIUS);
	/* r = R: chord^2 = 4 sin^2(1/2) = 0.9194..., * 2^60 */
	{
		double c2 =
			(double)rd(code + 24 + 25, 8) / 1152921504606846976.0;

		VX_ASSERT(c2 > 0.919395 && c2 < 0.919396);
	}
	free(code);
	VX_ASSERT_EQ(
		cc("{\"must\":{\"key\":\"g\",\"geo_radius\":{\"center\":{\"lon\":1,\"lat\":2},\"radius\":1e9}}}",
		   &code, &len),
		0);
	VX_ASSERT_EQ(rd(code + 24 + 25, 8), ~0ull);
	free(code);
	VX_ASSERT_EQ(
		cc("{\"must\":{\"key\":\"g\",\"geo_polygon\":{\"exterior\":{\"points\":["
		   "{\"lon\":-0.5,\"lat\":0},{\"lon\":1,\"lat\":0},{\"lon\":1,\"lat\":1},{\"lon\":-0.5,\"lat\":0}]}}}}",
		   &code, &len),
		0);
	VX_ASSERT_EQ(code[24], VEXFS_FOP_GEO_POLYGON);
	VX_ASSERT_EQ(rd(code + 24 + 9, 4), 1);
	VX_ASSERT_EQ(rd(code + 24 + 13, 4), 4);
	VX_ASSERT_EQ((int64_t)rd(code + 24 + 17, 8), -(1ll << 31));
	free(code);
}

VX_TEST(ids)
{
	uint8_t *code;
	uint32_t len;
	const uint8_t *p;
	static const uint8_t u[16] = { 0x93, 0x6d, 0xa0, 0x1f, 0x9a, 0xbd,
				       0x4d, 0x9d, 0x80, 0xc7, 0x02, 0xaf,
				       0x85, 0xc8, 0x22, 0xa8 };

	VX_ASSERT_EQ(
		cc("{\"must\":[{\"has_id\":[9223372036854775807,0,\"936da01f9abd4d9d80c702af85c822a8\","
		   "\"936DA01F-9ABD-4D9D-80C7-02AF85C822A8\",7,0]}]}",
		   &code, &len),
		0);
	p = code + 24;
	VX_ASSERT_EQ(p[0], VEXFS_FOP_HAS_ID);
	VX_ASSERT_EQ(rd(p + 6, 4), 3);
	VX_ASSERT_EQ(rd(p + 10, 4), 1);
	VX_ASSERT_EQ(rd(p + 14, 8), 0);
	VX_ASSERT_EQ(rd(p + 22, 8), 7);
	VX_ASSERT_EQ(rd(p + 30, 8), 9223372036854775807ull);
	VX_ASSERT(!memcmp(p + 38, u, 16));
	free(code);

	/* Ids above INT64_MAX, as SDKs send them. */
	VX_ASSERT_EQ(
		cc("{\"must\":[{\"has_id\":[18446744073709551615,9223372036854775808]}]}",
		   &code, &len),
		0);
	p = code + 24;
	VX_ASSERT_EQ(p[0], VEXFS_FOP_HAS_ID);
	VX_ASSERT_EQ(rd(p + 6, 4), 2);
	VX_ASSERT_EQ(rd(p + 14, 8), 9223372036854775808ull);
	VX_ASSERT_EQ(rd(p + 22, 8), 18446744073709551615ull);
	free(code);
	expect_error("{\"must\":[{\"has_id\":[18446744073709551616]}]}",
		     "ExtendedPointId");
	expect_error("{\"must\":[{\"has_id\":[-1]}]}", "ExtendedPointId");
	expect_error(
		"{\"must\":[{\"has_id\":[\"936da01f-9abd-4d9d-80c7-02af85c822a\"]}]}",
		"ExtendedPointId");
	expect_error("{\"must\":[{\"has_id\":[1.5]}]}", "ExtendedPointId");
	expect_error("{\"must\":[{\"has_id\":5}]}", "expected a sequence");
	expect_error(
		"{\"must\":[{\"nested\":{\"key\":\"a\",\"filter\":{\"must\":[{\"has_id\":[1]}]}}}]}",
		"HasId");
}

VX_TEST(nested_key)
{
	uint8_t *code;
	uint32_t len;

	VX_ASSERT_EQ(
		cc("{\"must\":[{\"nested\":{\"key\":\"diet\",\"filter\":{\"must\":[{\"key\":\"food\",\"match\":{\"value\":\"meat\"}}]}}}]}",
		   &code, &len),
		0);
	VX_ASSERT_EQ(code[24], VEXFS_FOP_NESTED);
	VX_ASSERT_EQ(rd(code + 30, 2), 6);
	VX_ASSERT(!memcmp(code + 32, "diet[]", 6));
	free(code);
}

VX_TEST(validation_errors)
{
	expect_error("[]", "expected struct Filter");
	expect_error("{\"must\":[{\"key\":\"a\"}]}",
		     "At least one field condition");
	expect_error("{\"musts\":[]}", "unknown field `musts`");
	expect_error("{\"must\":[{\"foo\":1}]}", "untagged enum Condition");
	expect_error("{\"must\":[5]}", "untagged enum Condition");
	expect_error("{\"must\":[{\"key\":5,\"match\":{\"value\":1}}]}",
		     "expected a string key");
	expect_error("{\"must\":[{\"key\":\"a..b\",\"match\":{\"value\":1}}]}",
		     "Invalid key path");
	expect_error("{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1.5}}]}",
		     "ValueVariants");
	expect_error("{\"must\":[{\"key\":\"a\",\"match\":{\"value\":null}}]}",
		     "ValueVariants");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"match\":{\"any\":[1,\"x\"]}}]}",
		"AnyVariants");
	expect_error("{\"must\":[{\"key\":\"a\",\"match\":{\"any\":[true]}}]}",
		     "AnyVariants");
	expect_error("{\"must\":[{\"key\":\"a\",\"match\":{\"foo\":1}}]}",
		     "untagged enum Match");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1,\"text\":\"x\"}}]}",
		"untagged enum Match");
	expect_error("{\"must\":[{\"key\":\"a\",\"match\":{\"text\":5}}]}",
		     "expected a string");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"range\":{\"gt\":\"2023-02-30T00:00:00Z\"}}]}",
		"invalid datetime");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"range\":{\"gt\":\"yesterday\"}}]}",
		"invalid datetime");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"range\":{\"gt\":\"2023-02-01\",\"lt\":5}}]}",
		"RangeInterface");
	expect_error("{\"must\":[{\"key\":\"a\",\"range\":{\"gt\":true}}]}",
		     "RangeInterface");
	expect_error("{\"must\":[{\"key\":\"a\",\"range\":{\"from\":1}}]}",
		     "unknown field `from`");
	expect_error("{\"must\":[{\"key\":\"a\",\"range\":[1]}]}",
		     "expected struct Range");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"values_count\":{\"gt\":-1}}]}",
		"non-negative");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"geo_bounding_box\":{\"top_left\":{\"lon\":181,\"lat\":0},"
		"\"bottom_right\":{\"lon\":1,\"lat\":0}}}]}",
		"must be from -180 to 180");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"geo_bounding_box\":{\"top_left\":{\"lon\":1,\"lat\":-90.5},"
		"\"bottom_right\":{\"lon\":1,\"lat\":0}}}]}",
		"must be from -90 to 90");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"geo_bounding_box\":{\"top_left\":{\"lon\":1}}}]}",
		"expected a geo point");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"geo_radius\":{\"center\":{\"lon\":1,\"lat\":2},\"radius\":-1}}]}",
		"non-negative");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"geo_polygon\":{\"exterior\":{\"points\":[{\"lon\":1,\"lat\":2},"
		"{\"lon\":3,\"lat\":2},{\"lon\":1,\"lat\":2}]}}}]}",
		"at least 4 points");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"geo_polygon\":{\"exterior\":{\"points\":[{\"lon\":1,\"lat\":2},"
		"{\"lon\":3,\"lat\":2},{\"lon\":3,\"lat\":3},{\"lon\":1,\"lat\":3}]}}}]}",
		"must be the same");
	expect_error("{\"must\":[{\"has_vector\":\"image\"}]}",
		     "Not existing vector name");
	expect_error("{\"must\":[{\"is_empty\":{\"field\":\"a\"}}]}",
		     "expected {\"key\"");
	expect_error("{\"must\":[{\"nested\":{\"key\":\"a\"}}]}", "nested");
	expect_error("{\"min_should\":{\"conditions\":[],\"min_count\":-1}}",
		     "min_should");
	expect_error(
		"{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1},\"bogus\":1}]}",
		"unknown field `bogus`");
}

VX_TEST(limits)
{
	uint8_t *code;
	uint32_t len;
	char *big;
	size_t n = 0, cap = 1 << 22;
	json_t *j;
	int rc;

	/* depth: must inside must, 20 levels */
	big = malloc(cap);
	n = 0;
	for (int i = 0; i < 20; i++)
		n += (size_t)sprintf(big + n, "{\"must\":[");
	n += (size_t)sprintf(big + n,
			     "{\"key\":\"a\",\"match\":{\"value\":1}}");
	for (int i = 0; i < 20; i++)
		n += (size_t)sprintf(big + n, "]}");
	expect_error(big, "nests too deep");
	/* nested in nested in nested in nested */
	n = 0;
	for (int i = 0; i < 4; i++)
		n += (size_t)sprintf(
			big + n,
			"{\"must\":[{\"nested\":{\"key\":\"a\",\"filter\":");
	n += (size_t)sprintf(big + n, "{}");
	for (int i = 0; i < 4; i++)
		n += (size_t)sprintf(big + n, "}}]}");
	expect_error(big, "nested filters nest too deep");
	/* size: 70000 ids do not fit in 64 KiB */
	n = (size_t)sprintf(big, "{\"must\":[{\"has_id\":[");
	for (int i = 0; i < 70000; i++)
		n += (size_t)sprintf(big + n, "%s%d", i ? "," : "", i);
	sprintf(big + n, "]}]}");
	j = json_loads(big, 0, NULL);
	VX_ASSERT(j);
	rc = gw_filter_compile(j, (void **)&code, &len, err, sizeof(err));
	VX_ASSERT_EQ(rc, -E2BIG);
	VX_ASSERT(strstr(err, "too large"));
	json_decref(j);
	/* 8000 ids do: 64 KiB minus a little */
	n = (size_t)sprintf(big, "{\"must\":[{\"has_id\":[");
	for (int i = 0; i < 8000; i++)
		n += (size_t)sprintf(big + n, "%s%d", i ? "," : "", i);
	sprintf(big + n, "]}]}");
	VX_ASSERT_EQ(cc(big, &code, &len), 0);
	VX_ASSERT(len > 64000 && len <= VEXFS_FILTER_MAX);
	free(code);
	free(big);
}

int main(void)
{
	return vx_run_tests();
}
