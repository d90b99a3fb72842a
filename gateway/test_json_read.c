// SPDX-License-Identifier: GPL-2.0
/*
 * json_read.c: the fast body reader must build exactly the slow path's
 * tree for every text it accepts, decline everything else, and convert
 * numbers exactly as strtod() does.
 *
 *	make -C gateway test
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "request.h"
#include "vxtest.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17))

/* Both readers' trees as text: %.17g tells every two doubles apart. */
static void check_same(const char *text)
{
	char err[128];
	json_t *fast = gw_json_read(text, strlen(text));
	json_t *slow = gw_json_parse_slow(text, strlen(text), err, sizeof(err));
	char *a, *b;

	if (!fast)
		VX_FAIL("fast reader declined %s", text);
	if (!slow)
		VX_FAIL("slow path refused %s: %s", text, err);
	a = json_dumps(fast, DUMP_FLAGS);
	b = json_dumps(slow, DUMP_FLAGS);
	if (!a || !b || strcmp(a, b))
		VX_FAIL("trees differ for %s:\n#   fast %s\n#   slow %s", text,
			a ? a : "(null)", b ? b : "(null)");
	free(a);
	free(b);
	json_decref(fast);
	json_decref(slow);
}

static void check_declined(const char *text, size_t len)
{
	json_t *v = gw_json_read(text, len);

	if (v) {
		json_decref(v);
		VX_FAIL("fast reader accepted %.*s", (int)len, text);
	}
}

VX_TEST(same_tree_as_jansson)
{
	static const char *const docs[] = {
		"{}",
		" \t\r\n{ } \n",
		"{\"vector\":[0.1,0.2,-0.3,1e-3,2E+5,0,-0,7],\"limit\":10}",
		"{\"a\":{\"b\":{\"c\":[[],[{}],[1,[2,[3]]]]}}}",
		"{\"t\":true,\"f\":false,\"n\":null,\"s\":\"plain ascii ~\x7f\"}",
		"{\"k\":1,\"k\":2,\"j\":3}", /* the last wins, first's place */
		"{\"i\":9223372036854775807,\"m\":-9223372036854775808}",
		"{\"big\":9223372036854775808,\"max\":18446744073709551615}",
		"{\"neg\":-9223372036854775809,\"huge\":123456789012345678901234567890}",
		"{\"z\":-0.0,\"zz\":0e0,\"zzz\":-0E-0,\"o\":0.0000}",
		"{\"x\":1.7976931348623157e308,\"tiny\":4.9e-324,\"sub\":1e-320}",
		"{\"u\":1e-400,\"long\":3.14159265358979323846264338327950288}",
		"{\"f32\":[0.10000000149011612,-0.4000000059604645,1.1754944e-38]}",
		"{\"tie\":9007199254740993,\"tier\":9007199254740993.0}",
		"{\"e\":[1e27,1e28,1e-27,1e-28,123456789012345678e-30]}",
		"{\"\":\"\",\"sp ace\":\" \"}",
	};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		check_same(docs[i]);
}

VX_TEST(declines_what_it_does_not_handle)
{
	static const char *const docs[] = {
		"",
		"   ",
		"[1,2]",
		"\"s\"",
		"{\"a\":1}x",
		"{\"a\":1,}",
		"{\"a\" 1}",
		"{\"a\":[1,]}",
		"{\"a\":[1 2]}",
		"{\"a\":01}",
		"{\"a\":1.}",
		"{\"a\":.5}",
		"{\"a\":1e}",
		"{\"a\":1e+}",
		"{\"a\":-}",
		"{\"a\":+1}",
		"{\"a\":NaN}",
		"{\"a\":Infinity}",
		"{\"a\":1e400}",
		"{\"a\":-1e400}",
		"{\"a\":tru}",
		"{\"a\":\"esc\\n\"}",
		"{\"a\":\"caf\xc3\xa9\"}",
		"{\"a\":\"tab\there\"}",
		"{\"a\":\"unterminated}",
		"{a:1}",
		"{\"a\":1",
	};
	char deep[200];
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		check_declined(docs[i], strlen(docs[i]));
	/* No body at all (evhttp gives NULL), a NUL byte, deep nesting. */
	VX_ASSERT(!gw_json_read(NULL, 0));
	check_declined("{\"a\":1}\0", 8);
	check_declined("{\"a\":\"x\0y\"}", 11);
	memset(deep, 0, sizeof(deep));
	strcpy(deep, "{\"a\":");
	for (i = 0; i < 40; i++)
		strcat(deep, "[");
	for (i = 0; i < 40; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	check_declined(deep, strlen(deep));
}

/* Both parts of the reader's number path against strtod(). */
static void check_number(const char *text)
{
	char doc[128];
	json_t *v, *x;
	double want = strtod(text, NULL), got;

	snprintf(doc, sizeof(doc), "{\"x\":%s}", text);
	v = gw_json_read(doc, strlen(doc));
	if (isinf(want)) {
		if (v)
			VX_FAIL("%s overflows but was accepted", text);
		return;
	}
	if (!v)
		VX_FAIL("declined %s", text);
	x = json_object_get(v, "x");
	got = json_real_value(x);
	if (!json_is_real(x) || memcmp(&got, &want, sizeof(got)))
		VX_FAIL("%s: got %.17g, strtod %.17g", text, got, want);
	json_decref(v);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

VX_TEST(numbers_round_as_strtod)
{
	char buf[64];
	int i;

	for (i = 0; i < 300000; i++) {
		uint64_t bits = next();
		double d;
		float f;

		/* Any finite double, at full and at shorter precision. */
		memcpy(&d, &bits, sizeof(d));
		if (!isfinite(d))
			continue;
		snprintf(buf, sizeof(buf), "%.17g", d);
		if (!strchr(buf, '.') && !strchr(buf, 'e'))
			strcat(buf, ".0");
		check_number(buf);
		snprintf(buf, sizeof(buf), "%.*e", (int)(next() % 20), d);
		check_number(buf);
		/* Embedding-like values: float32 in (-1, 1), as SDKs print them. */
		f = (float)((int64_t)next() % 2000000) / 2000000.0f;
		snprintf(buf, sizeof(buf), "%.17g", (double)f);
		if (!strchr(buf, '.') && !strchr(buf, 'e'))
			strcat(buf, ".0");
		check_number(buf);
		snprintf(buf, sizeof(buf), "%.9g", (double)f);
		if (!strchr(buf, '.') && !strchr(buf, 'e'))
			strcat(buf, ".0");
		check_number(buf);
		/* Random digits with exponents around the quick range's edge. */
		snprintf(buf, sizeof(buf), "%llu.%llue%d",
			 (unsigned long long)(next() % 10000000000ull),
			 (unsigned long long)(next() % 1000000000ull),
			 (int)(next() % 80) - 40);
		check_number(buf);
	}
}

VX_TEST(halfway_cases_go_to_strtod)
{
	double d;

	/* 2^53 + 1 lies exactly between two doubles: ties to even. */
	VX_ASSERT(!gw_decimal_to_double(9007199254740993ull, 0, false, &d) ||
		  d == 9007199254740992.0);
	check_number("9007199254740993.0");
	check_number("9007199254740995.0");
	check_number("-9007199254740993e0");
	/* Exact values in range are quick and right. */
	VX_ASSERT(gw_decimal_to_double(15, -1, true, &d));
	VX_ASSERT(d == -1.5);
	VX_ASSERT(gw_decimal_to_double(0, 5, true, &d));
	VX_ASSERT(d == 0 && signbit(d));
	/* Out of the quick range: strtod decides. */
	VX_ASSERT(!gw_decimal_to_double(1, 400, false, &d));
	VX_ASSERT(!gw_decimal_to_double(1, -28, false, &d));
}

int main(void)
{
	return vx_run_tests();
}
