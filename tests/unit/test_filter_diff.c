// SPDX-License-Identifier: GPL-2.0
/*
 * Filters end to end: Qdrant filter JSON -> gateway compiler
 * (gateway/filter.c) -> kernel verifier and evaluator (core/filter*.c)
 * over payloads converted by the gateway's JSON -> CBOR codec, checked
 * against an independent reference evaluator over the JSON
 * (tests/filter/filter_ref.c): Qdrant's documented examples, then
 * thousands of random filters x random payloads.
 */
#include "shim.h"
#include "cbor.h"
#include "filter.h"
#include "gateway/filter.h"
#include "gateway/json_cbor.h"
#include "filter_ref.h"
#include "vxtest.h"

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned int rn(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

struct pt {
	struct vexfs_point_id id;
	json_t *payload;
	u8 *cbor;
	size_t cbor_len;
	bool has_vector;
};

static void pt_init(struct pt *p, json_t *payload)
{
	char err[256];

	p->payload = payload;
	p->cbor = NULL;
	p->cbor_len = 0;
	if (payload) {
		if (gw_json_to_cbor(payload, &p->cbor, &p->cbor_len, err,
				    sizeof(err)))
			VX_FAIL("payload to CBOR: %s", err);
		if (vx_cbor_validate(p->cbor, p->cbor_len, NULL))
			VX_FAIL("payload CBOR does not validate");
	}
}

static void pt_fini(struct pt *p)
{
	free(p->cbor);
	json_decref(p->payload);
}

static int core_match(const struct vx_filter *f, const struct pt *p)
{
	struct vx_filter_subject s = {
		.id = &p->id,
		.payload = p->cbor,
		.payload_len = (u32)p->cbor_len,
		.has_vector = p->has_vector,
	};

	return vx_filter_match(f, &s);
}

static int ref_match(const json_t *filter, const struct pt *p)
{
	struct ref_point r = { .payload = p->payload,
			       .has_vector = p->has_vector };

	r.uuid = p->id.kind == VEXFS_ID_UUID;
	r.num = p->id.num;
	if (r.uuid)
		memcpy(r.u, p->id.uuid, 16);
	return ref_filter_match(filter, &r);
}

static struct vx_filter *compile(const json_t *j)
{
	struct vx_filter *f = NULL;
	const char *why = NULL;
	char err[512];
	void *code;
	u32 len;
	int rc;

	rc = gw_filter_compile(j, &code, &len, err, sizeof(err));
	if (rc) {
		char *s = json_dumps(j, JSON_COMPACT);

		printf("#   filter %s: %s\n", s, err);
		free(s);
		VX_FAIL("compile failed: %d", rc);
	}
	rc = vx_filter_load(code, len, &f, &why);
	free(code);
	if (rc)
		VX_FAIL("load failed: %d (%s)", rc, why ? why : "");
	return f;
}

/* One filter (JSON text) against one payload (JSON text): the match result. */
static int eval_text(const char *filter, const char *payload)
{
	json_error_t je;
	json_t *fj = json_loads(filter, 0, &je), *pj;
	struct vx_filter *f;
	struct pt p = { .id = { .kind = VEXFS_ID_NUM, .num = 1 } };
	int a, b;

	if (!fj)
		VX_FAIL("bad filter JSON: %s", je.text);
	pj = payload ? json_loads(payload, 0, &je) : NULL;
	if (payload && !pj)
		VX_FAIL("bad payload JSON: %s", je.text);
	pt_init(&p, pj);
	f = compile(fj);
	a = core_match(f, &p);
	b = ref_match(fj, &p);
	vx_filter_free(f);
	pt_fini(&p);
	json_decref(fj);
	if (a != b)
		VX_FAIL("core %d != reference %d for %s on %s", a, b, filter,
			payload ? payload : "(none)");
	return a;
}

#define M(f, p) VX_ASSERT_EQ(eval_text(f, p), 1)
#define N(f, p) VX_ASSERT_EQ(eval_text(f, p), 0)

/* Qdrant's documentation examples (filtering concepts page). */
VX_TEST(qdrant_examples_clauses)
{
	const char *city_london = "{\"city\":\"London\",\"color\":\"green\"}";
	const char *city_berlin = "{\"city\":\"Berlin\",\"color\":\"red\"}";
	const char *must =
		"{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}},"
		"{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}";
	const char *should =
		"{\"should\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}},"
		"{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}";
	const char *must_not =
		"{\"must_not\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}},"
		"{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}";

	N(must, city_london);
	N(must, city_berlin);
	M(must, "{\"city\":\"London\",\"color\":\"red\"}");
	M(should, city_london);
	M(should, city_berlin);
	N(should, "{\"city\":\"Moscow\",\"color\":\"blue\"}");
	N(must_not, city_london);
	N(must_not, city_berlin);
	M(must_not, "{\"city\":\"Moscow\",\"color\":\"green\"}");
	/* min_should: at least 2 of 3 */
	M("{\"min_should\":{\"conditions\":[{\"key\":\"a\",\"match\":{\"value\":1}},"
	  "{\"key\":\"b\",\"match\":{\"value\":2}},{\"key\":\"c\",\"match\":{\"value\":3}}],"
	  "\"min_count\":2}}",
	  "{\"a\":1,\"c\":3}");
	N("{\"min_should\":{\"conditions\":[{\"key\":\"a\",\"match\":{\"value\":1}},"
	  "{\"key\":\"b\",\"match\":{\"value\":2}},{\"key\":\"c\",\"match\":{\"value\":3}}],"
	  "\"min_count\":2}}",
	  "{\"a\":1,\"c\":4}");
	/* clauses combined and nested filters as conditions */
	M("{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}}],"
	  "\"must_not\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}",
	  city_london);
	M("{\"must_not\":[{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}},"
	  "{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}]}",
	  city_london);
	N("{\"must_not\":[{\"must\":[{\"key\":\"city\",\"match\":{\"value\":\"London\"}},"
	  "{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}]}",
	  "{\"city\":\"London\",\"color\":\"red\"}");
	M("{}", "{\"a\":1}");
	M("{\"must\":[]}", NULL);
	N("{\"should\":[]}", "{}"); /* qdrant#554: nothing matches */
	M("{\"must\":{\"key\":\"a\",\"match\":{\"value\":true}}}",
	  "{\"a\":true}");
	N("{\"must\":{\"key\":\"a\",\"match\":{\"value\":true}}}", "{\"a\":1}");
}

VX_TEST(match_kinds)
{
	M("{\"must\":[{\"key\":\"color\",\"match\":{\"any\":[\"black\",\"yellow\"]}}]}",
	  "{\"color\":\"yellow\"}");
	M("{\"must\":[{\"key\":\"color\",\"match\":{\"any\":[\"black\",\"yellow\"]}}]}",
	  "{\"color\":[\"red\",\"black\"]}");
	N("{\"must\":[{\"key\":\"color\",\"match\":{\"any\":[\"black\",\"yellow\"]}}]}",
	  "{\"color\":[\"red\"]}");
	M("{\"must\":[{\"key\":\"color\",\"match\":{\"except\":[\"black\",\"yellow\"]}}]}",
	  "{\"color\":\"red\"}");
	N("{\"must\":[{\"key\":\"color\",\"match\":{\"except\":[\"black\",\"yellow\"]}}]}",
	  "{\"color\":\"black\"}");
	/* an array matches except if some element is outside the list */
	M("{\"must\":[{\"key\":\"color\",\"match\":{\"except\":[\"black\",\"yellow\"]}}]}",
	  "{\"color\":[\"black\",\"red\"]}");
	N("{\"must\":[{\"key\":\"color\",\"match\":{\"except\":[\"black\",\"yellow\"]}}]}",
	  "{\"color\":[\"black\",\"yellow\"]}");
	N("{\"must\":[{\"key\":\"color\",\"match\":{\"except\":[\"black\"]}}]}",
	  "{}");
	N("{\"must\":[{\"key\":\"color\",\"match\":{\"except\":[\"black\"]}}]}",
	  "{\"color\":null}");
	M("{\"must\":[{\"key\":\"n\",\"match\":{\"any\":[1,5,-9]}}]}",
	  "{\"n\":-9}");
	N("{\"must\":[{\"key\":\"n\",\"match\":{\"any\":[1,5,-9]}}]}",
	  "{\"n\":5.0}");
	N("{\"must\":[{\"key\":\"n\",\"match\":{\"any\":[]}}]}", "{\"n\":5}");
	M("{\"must\":[{\"key\":\"n\",\"match\":{\"value\":-9223372036854775807}}]}",
	  "{\"n\":-9223372036854775807}");
	/* text: substring, case-sensitive */
	M("{\"must\":[{\"key\":\"description\",\"match\":{\"text\":\"good cheap\"}}]}",
	  "{\"description\":\"very good cheap stuff\"}");
	N("{\"must\":[{\"key\":\"description\",\"match\":{\"text\":\"good cheap\"}}]}",
	  "{\"description\":\"cheap and good\"}");
	N("{\"must\":[{\"key\":\"description\",\"match\":{\"text\":\"Good\"}}]}",
	  "{\"description\":\"good\"}");
	M("{\"must\":[{\"key\":\"d\",\"match\":{\"text\":\"\\u00e9t\\u00e9\"}}]}",
	  "{\"d\":[\"x\",\"l'\\u00e9t\\u00e9\"]}");
}

VX_TEST(paths_and_arrays)
{
	const char *p =
		"{\"country\":{\"name\":\"Germany\",\"cities\":[{\"name\":\"Berlin\","
		"\"population\":3.7,\"sightseeing\":[\"Brandenburg Gate\",\"Reichstag\"]},"
		"{\"name\":\"Munich\",\"population\":1.5,\"sightseeing\":[\"Marienplatz\","
		"\"Olympiapark\"]}]}}";

	M("{\"must\":[{\"key\":\"country.name\",\"match\":{\"value\":\"Germany\"}}]}",
	  p);
	M("{\"must\":[{\"key\":\"country.cities[].population\",\"range\":{\"gte\":3.0}}]}",
	  p);
	N("{\"must\":[{\"key\":\"country.cities[].population\",\"range\":{\"gte\":4.0}}]}",
	  p);
	M("{\"must\":[{\"key\":\"country.cities[].sightseeing\",\"match\":{\"value\":\"Olympiapark\"}}]}",
	  p);
	M("{\"must\":[{\"key\":\"country.cities[1].name\",\"match\":{\"value\":\"Munich\"}}]}",
	  p);
	N("{\"must\":[{\"key\":\"country.cities[0].name\",\"match\":{\"value\":\"Munich\"}}]}",
	  p);
	M("{\"must\":[{\"key\":\"country.cities[].sightseeing\",\"values_count\":{\"gt\":3}}]}",
	  p);
	N("{\"must\":[{\"key\":\"country.cities[].sightseeing\",\"values_count\":{\"gt\":4}}]}",
	  p);
	M("{\"must\":[{\"key\":\"\\\"a.b\\\".c\",\"match\":{\"value\":1}}]}",
	  "{\"a.b\":{\"c\":1}}");
	/* nested arrays: an element that is itself an array does not match a value */
	N("{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1}}]}",
	  "{\"a\":[[1]]}");
	M("{\"must\":[{\"key\":\"a[][]\",\"match\":{\"value\":1}}]}",
	  "{\"a\":[[1]]}");
	/* mixed types in one array */
	M("{\"must\":[{\"key\":\"a\",\"range\":{\"gt\":1}}]}",
	  "{\"a\":[\"x\",null,true,2]}");
	N("{\"must\":[{\"key\":\"a\",\"range\":{\"gt\":1}}]}",
	  "{\"a\":[\"5\",null,true]}");
}

VX_TEST(empty_null_count)
{
	const char *f_empty =
		"{\"must\":[{\"is_empty\":{\"key\":\"reports\"}}]}";
	const char *f_null = "{\"must\":[{\"is_null\":{\"key\":\"reports\"}}]}";

	M(f_empty, "{}");
	M(f_empty, NULL);
	M(f_empty, "{\"reports\":null}");
	M(f_empty, "{\"reports\":[]}");
	N(f_empty, "{\"reports\":[null]}");
	N(f_empty, "{\"reports\":\"\"}");
	N(f_empty, "{\"reports\":[1]}");
	M(f_null, "{\"reports\":null}");
	N(f_null, "{}");
	N(f_null, "{\"reports\":[]}");
	N(f_null, "{\"reports\":[null]}");
	N(f_null, "{\"reports\":1}");
	M("{\"must\":[{\"key\":\"comments\",\"values_count\":{\"gt\":2}}]}",
	  "{\"comments\":[\"a\",\"b\",\"c\"]}");
	N("{\"must\":[{\"key\":\"comments\",\"values_count\":{\"gt\":2}}]}",
	  "{\"comments\":[\"a\",\"b\"]}");
	M("{\"must\":[{\"key\":\"comments\",\"values_count\":{\"lt\":1}}]}",
	  "{}");
	M("{\"must\":[{\"key\":\"comments\",\"values_count\":{\"gte\":1,\"lte\":1}}]}",
	  "{\"comments\":\"one\"}");
	M("{\"must\":[{\"key\":\"comments\",\"values_count\":{\"lte\":0}}]}",
	  "{\"comments\":null}");
}

VX_TEST(ranges_numbers)
{
	M("{\"must\":[{\"key\":\"price\",\"range\":{\"gt\":null,\"gte\":100.0,\"lt\":null,\"lte\":450.0}}]}",
	  "{\"price\":100}");
	M("{\"must\":[{\"key\":\"price\",\"range\":{\"gte\":100.0,\"lte\":450.0}}]}",
	  "{\"price\":450.0}");
	N("{\"must\":[{\"key\":\"price\",\"range\":{\"gte\":100.0,\"lte\":450.0}}]}",
	  "{\"price\":450.5}");
	N("{\"must\":[{\"key\":\"price\",\"range\":{\"gt\":100}}]}",
	  "{\"price\":100}");
	M("{\"must\":[{\"key\":\"price\",\"range\":{\"gt\":99.999}}]}",
	  "{\"price\":100}");
	/* integers vs doubles exactly: 2^53 + 1 is above 2^53 as a double bound */
	M("{\"must\":[{\"key\":\"n\",\"range\":{\"gt\":9007199254740992.0}}]}",
	  "{\"n\":9007199254740993}");
	N("{\"must\":[{\"key\":\"n\",\"range\":{\"lt\":9007199254740992.0}}]}",
	  "{\"n\":9007199254740993}");
	M("{\"must\":[{\"key\":\"n\",\"range\":{\"lt\":-0.5}}]}", "{\"n\":-1}");
	N("{\"must\":[{\"key\":\"n\",\"range\":{\"lt\":-0.5}}]}", "{\"n\":0}");
	M("{\"must\":[{\"key\":\"n\",\"range\":{\"gte\":0.0}}]}",
	  "{\"n\":-0.0}");
	M("{\"must\":[{\"key\":\"n\",\"range\":{\"gt\":1,\"gte\":3}}]}",
	  "{\"n\":3}");
	N("{\"must\":[{\"key\":\"n\",\"range\":{\"gt\":3,\"gte\":3}}]}",
	  "{\"n\":3}");
	N("{\"must\":[{\"key\":\"n\",\"range\":{\"gt\":1}}]}", "{\"n\":\"5\"}");
	/* bounds are doubles, as in Qdrant: -(2^63 - 1) reads as -2^63 */
	N("{\"must\":[{\"key\":\"n\",\"range\":{\"lt\":-9223372036854775807}}]}",
	  "{\"n\":-9223372036854775808}");
	M("{\"must\":[{\"key\":\"n\",\"range\":{\"lte\":-9223372036854775807}}]}",
	  "{\"n\":-9223372036854775808}");
}

VX_TEST(ranges_datetimes)
{
	const char *f =
		"{\"must\":[{\"key\":\"date\",\"range\":{\"gt\":\"2023-02-08T10:49:00Z\","
		"\"lte\":\"2024-01-31 10:14:31Z\"}}]}";

	M(f, "{\"date\":\"2023-02-08T10:49:00.000001Z\"}");
	N(f, "{\"date\":\"2023-02-08T10:49:00Z\"}");
	M(f, "{\"date\":\"2023-02-08T12:49:00+02:00:01\"}" + 0 ?
		     "{\"date\":\"2023-06-01\"}" :
		     "");
	M(f, "{\"date\":\"2024-01-31T12:14:31+02:00\"}");
	N(f, "{\"date\":\"2024-01-31T12:14:31.5+02:00\"}");
	M(f, "{\"date\":\"2023-02-08T06:49:00.5-04:00\"}");
	N(f, "{\"date\":\"not a date\"}");
	N(f, "{\"date\":1700000000}");
	M(f, "{\"date\":[\"2020-01-01\",\"2023-12-24T00:00:00Z\"]}");
	M("{\"must\":[{\"key\":\"d\",\"range\":{\"gte\":\"2024-02-29T23:59:59.999999999Z\"}}]}",
	  "{\"d\":\"2024-03-01T00:00:00+00:00\"}");
	M("{\"must\":[{\"key\":\"d\",\"range\":{\"lt\":\"1969-12-31T23:59:59Z\"}}]}",
	  "{\"d\":\"1900-01-01T00:00:00Z\"}");
}

static const char *const geo_lon_lat[] = {
	"{\"loc\":{\"lon\":13.40,\"lat\":52.52}}", /* Berlin */
	"{\"loc\":{\"lon\":-0.12,\"lat\":51.50}}", /* London */
};

VX_TEST(geo_examples)
{
	const char *box =
		"{\"must\":[{\"key\":\"loc\",\"geo_bounding_box\":{"
		"\"bottom_right\":{\"lon\":13.455868,\"lat\":52.495862},"
		"\"top_left\":{\"lon\":13.403683,\"lat\":52.520711}}}]}";
	const char *radius =
		"{\"must\":[{\"key\":\"loc\",\"geo_radius\":{"
		"\"center\":{\"lon\":13.403683,\"lat\":52.520711},\"radius\":1000.0}}]}";
	const char *poly =
		"{\"must\":[{\"key\":\"loc\",\"geo_polygon\":{\"exterior\":{\"points\":["
		"{\"lon\":-70.0,\"lat\":-70.0},{\"lon\":60.0,\"lat\":-70.0},"
		"{\"lon\":60.0,\"lat\":60.0},{\"lon\":-70.0,\"lat\":60.0},"
		"{\"lon\":-70.0,\"lat\":-70.0}]},\"interiors\":[{\"points\":["
		"{\"lon\":-65.0,\"lat\":-65.0},{\"lon\":0.0,\"lat\":-65.0},"
		"{\"lon\":0.0,\"lat\":0.0},{\"lon\":-65.0,\"lat\":0.0},"
		"{\"lon\":-65.0,\"lat\":-65.0}]}]}}]}";

	M(box, "{\"loc\":{\"lon\":13.42,\"lat\":52.51}}");
	N(box, geo_lon_lat[0]);
	M(radius, "{\"loc\":{\"lon\":13.41,\"lat\":52.52}}");
	N(radius, "{\"loc\":{\"lon\":13.42,\"lat\":52.52}}"); /* ~1.15 km */
	N(radius, geo_lon_lat[1]);
	M(poly, geo_lon_lat[0]);
	N(poly, "{\"loc\":{\"lon\":-30.0,\"lat\":-30.0}}"); /* in the hole */
	N(poly, "{\"loc\":{\"lon\":100.0,\"lat\":0.0}}");
	/* arrays of points: any */
	M(box,
	  "{\"loc\":[{\"lon\":0,\"lat\":0},{\"lon\":13.42,\"lat\":52.51}]}");
	/* not a geo point */
	N(box, "{\"loc\":{\"lon\":13.42}}");
	N(box, "{\"loc\":{\"lon\":\"13.42\",\"lat\":52.51}}");
	N(box, "{\"loc\":{\"lon\":213.42,\"lat\":52.51}}");
}

VX_TEST(geo_poles_antimeridian)
{
	/* box across the antimeridian: lon > 170 or lon < -170 */
	const char *box = "{\"must\":[{\"key\":\"p\",\"geo_bounding_box\":{"
			  "\"top_left\":{\"lon\":170,\"lat\":10},"
			  "\"bottom_right\":{\"lon\":-170,\"lat\":-10}}}]}";
	/* 100 km around a point on the antimeridian */
	const char *r_am =
		"{\"must\":[{\"key\":\"p\",\"geo_radius\":{"
		"\"center\":{\"lon\":180,\"lat\":0},\"radius\":100000}}]}";
	/* 50 km around the north pole */
	const char *r_np =
		"{\"must\":[{\"key\":\"p\",\"geo_radius\":{"
		"\"center\":{\"lon\":0,\"lat\":90},\"radius\":50000}}]}";
	/* 1 m around a point near the south pole */
	const char *r_sp =
		"{\"must\":[{\"key\":\"p\",\"geo_radius\":{"
		"\"center\":{\"lon\":45,\"lat\":-89.9999},\"radius\":1}}]}";

	M(box, "{\"p\":{\"lon\":179.5,\"lat\":0}}");
	M(box, "{\"p\":{\"lon\":-179.5,\"lat\":5}}");
	N(box, "{\"p\":{\"lon\":0,\"lat\":0}}");
	N(box, "{\"p\":{\"lon\":179.5,\"lat\":11}}");
	M(r_am, "{\"p\":{\"lon\":-179.5,\"lat\":0}}"); /* ~55.6 km */
	M(r_am, "{\"p\":{\"lon\":179.5,\"lat\":0.3}}");
	N(r_am, "{\"p\":{\"lon\":-179,\"lat\":0}}"); /* ~111 km */
	M(r_np, "{\"p\":{\"lon\":-135,\"lat\":89.6}}"); /* ~44.5 km, any lon */
	M(r_np, "{\"p\":{\"lon\":180,\"lat\":89.56}}"); /* ~48.9 km */
	N(r_np, "{\"p\":{\"lon\":10,\"lat\":89.5}}"); /* ~55.6 km */
	M(r_sp, "{\"p\":{\"lon\":45,\"lat\":-89.999905}}"); /* ~0.56 m */
	N(r_sp, "{\"p\":{\"lon\":45,\"lat\":-89.99992}}"); /* ~2.2 m */
	M(r_sp, "{\"p\":{\"lon\":45.005,\"lat\":-89.9999}}"); /* ~1 mm */
	N(r_sp, "{\"p\":{\"lon\":-135,\"lat\":-89.9999}}"); /* ~22 m across */
	/* everything within half the circumference */
	M("{\"must\":[{\"key\":\"p\",\"geo_radius\":{\"center\":{\"lon\":0,\"lat\":0},"
	  "\"radius\":30000000}}]}",
	  "{\"p\":{\"lon\":180,\"lat\":0}}");
}

VX_TEST(ids_vectors_nested)
{
	struct vx_filter *f;
	json_error_t je;
	json_t *j = json_loads(
		"{\"must\":[{\"has_id\":[1,3,5,\"936DA01F-9ABD-4D9D-80C7-02AF85C822A8\"]}]}",
		0, &je);
	struct pt p = { .id = { .kind = VEXFS_ID_NUM, .num = 3 } };
	static const u8 u[16] = { 0x93, 0x6d, 0xa0, 0x1f, 0x9a, 0xbd,
				  0x4d, 0x9d, 0x80, 0xc7, 0x02, 0xaf,
				  0x85, 0xc8, 0x22, 0xa8 };

	f = compile(j);
	VX_ASSERT(core_match(f, &p));
	p.id.num = 4;
	VX_ASSERT(!core_match(f, &p));
	p.id.kind = VEXFS_ID_UUID;
	memcpy(p.id.uuid, u, 16);
	VX_ASSERT(core_match(f, &p));
	p.id.uuid[15] ^= 1;
	VX_ASSERT(!core_match(f, &p));
	vx_filter_free(f);
	json_decref(j);

	j = json_loads("{\"must\":[{\"has_vector\":\"\"}]}", 0, &je);
	f = compile(j);
	p.has_vector = true;
	VX_ASSERT(core_match(f, &p));
	p.has_vector = false;
	VX_ASSERT(!core_match(f, &p));
	vx_filter_free(f);
	json_decref(j);

	/* Qdrant's nested example: only a single element satisfying both */
	{
		const char *dinos =
			"{\"must\":[{\"nested\":{\"key\":\"diet\",\"filter\":{\"must\":["
			"{\"key\":\"food\",\"match\":{\"value\":\"meat\"}},"
			"{\"key\":\"likes\",\"match\":{\"value\":true}}]}}}]}";
		const char *flat =
			"{\"must\":[{\"key\":\"diet[].food\",\"match\":{\"value\":\"meat\"}},"
			"{\"key\":\"diet[].likes\",\"match\":{\"value\":true}}]}";
		const char *t_rex =
			"{\"dinosaur\":\"t-rex\",\"diet\":[{\"food\":\"leaves\",\"likes\":false},"
			"{\"food\":\"meat\",\"likes\":true}]}";
		const char *diplo =
			"{\"dinosaur\":\"diplodocus\",\"diet\":[{\"food\":\"leaves\",\"likes\":true},"
			"{\"food\":\"meat\",\"likes\":false}]}";

		M(dinos, t_rex);
		N(dinos, diplo);
		M(flat, diplo);
		N(dinos, "{\"diet\":{\"food\":\"meat\",\"likes\":true}}");
		/* must_not in nested: some element that does not satisfy */
		M("{\"must\":[{\"nested\":{\"key\":\"diet\",\"filter\":{\"must_not\":["
		  "{\"key\":\"food\",\"match\":{\"value\":\"meat\"}}]}}}]}",
		  t_rex);
		/* is_empty inside nested */
		M("{\"must\":[{\"nested\":{\"key\":\"a\",\"filter\":{\"must\":["
		  "{\"is_empty\":{\"key\":\"b\"}}]}}}]}",
		  "{\"a\":[{\"b\":[1]},{\"c\":1}]}");
		/* nested in nested */
		M("{\"must\":[{\"nested\":{\"key\":\"a\",\"filter\":{\"must\":[{\"nested\":{"
		  "\"key\":\"b\",\"filter\":{\"must\":[{\"key\":\"x\",\"match\":{\"value\":2}},"
		  "{\"key\":\"y\",\"match\":{\"value\":3}}]}}}]}}}]}",
		  "{\"a\":[{\"b\":[{\"x\":1,\"y\":3}]},{\"b\":[{\"x\":2,\"y\":3}]}]}");
	}
}

static int count_cond(void *arg, const struct vx_filter_cond *c)
{
	int *kinds = arg;

	kinds[kinds[0] + 1] = c->kind;
	kinds[0]++;
	return 0;
}

/* What the payload-index planner sees of a compiled filter. */
VX_TEST(required_from_json)
{
	json_error_t je;
	json_t *j = json_loads(
		"{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1},\"range\":{\"gt\":0}}],"
		"\"should\":[{\"key\":\"s\",\"match\":{\"any\":[\"x\",\"y\"]}}],"
		"\"must_not\":[{\"key\":\"n\",\"match\":{\"value\":2}}],"
		"\"min_should\":{\"conditions\":[{\"has_id\":[5]}],\"min_count\":1}}",
		0, &je);
	json_t *k = json_loads(
		"{\"should\":[{\"key\":\"a\",\"match\":{\"value\":1}},{\"key\":\"b\",\"match\":{\"value\":1}}],"
		"\"min_should\":{\"conditions\":[{\"has_id\":[5]}],\"min_count\":0}}",
		0, &je);
	struct vx_filter *f;
	int kinds[16] = { 0 };

	VX_ASSERT(j && k);
	f = compile(j);
	VX_ASSERT_EQ(vx_filter_required(f, count_cond, kinds), 0);
	VX_ASSERT_EQ(kinds[0], 4);
	VX_ASSERT_EQ(kinds[1], VX_FC_MATCH_INT);
	VX_ASSERT_EQ(kinds[2], VX_FC_RANGE);
	VX_ASSERT_EQ(kinds[3], VX_FC_MATCH_ANY_STR);
	VX_ASSERT_EQ(kinds[4], VX_FC_HAS_ID);
	vx_filter_free(f);
	memset(kinds, 0, sizeof(kinds));
	f = compile(k);
	VX_ASSERT_EQ(vx_filter_required(f, count_cond, kinds), 0);
	VX_ASSERT_EQ(kinds[0], 0); /* a real OR, and 0-of-1 */
	vx_filter_free(f);
	json_decref(j);
	json_decref(k);
}

/* --- random differential test ------------------------------------------ */

static const char *const keys[] = { "a",	"b",   "c",	    "tags",
				    "loc",	"d",   "o.x",	    "arr[].x",
				    "arr[0].x", "o.y", "arr[].tags" };
static const char *const strs[] = { "red",
				    "green",
				    "blue",
				    "",
				    "réd",
				    "gre",
				    "2023-05-01T10:00:00Z",
				    "2023-05-01T12:00:00+02:00",
				    "2024-02-29",
				    "2023-05-01 09:59:59.75Z" };

static json_t *rnd_scalar(void)
{
	switch (rn(9)) {
	case 0:
		return json_integer((json_int_t)rn(7) - 3);
	case 1:
		return json_integer((json_int_t)(rnd() >> rn(64)) *
				    (rn(2) ? 1 : -1));
	case 2:
		return json_real(((double)rn(1000) - 500) / 64);
	case 3:
	case 4:
		return json_string(strs[rn(VX_ARRAY_SIZE(strs))]);
	case 5:
		return json_boolean(rn(2));
	case 6:
		return json_null();
	case 7:
		return json_pack("{s:f,s:f}", "lon",
				 rn(3600) / 10.0 - 180 + 0.0137, "lat",
				 rn(1800) / 10.0 - 90 + 0.0071);
	default:
		return json_real((double)rn(7) - 3);
	}
}

static json_t *rnd_value(int depth)
{
	if (depth < 2 && rn(4) == 0) {
		json_t *a = json_array();
		unsigned int n = rn(4);

		for (unsigned int i = 0; i < n; i++)
			json_array_append_new(a, rnd_value(depth + 1));
		return a;
	}
	return rnd_scalar();
}

static json_t *rnd_payload(void)
{
	json_t *p = json_object(), *o = json_object(), *arr = json_array();
	unsigned int n;

	for (int i = 0; i < 5; i++)
		if (rn(3))
			json_object_set_new(p, keys[i], rnd_value(0));
	if (rn(2))
		json_object_set_new(p, "d", json_string(strs[6 + rn(4)]));
	if (rn(2)) {
		json_object_set_new(o, "x", rnd_value(0));
		json_object_set_new(o, "y", rnd_value(0));
		json_object_set_new(p, "o", o);
	} else {
		json_decref(o);
	}
	n = rn(4);
	for (unsigned int i = 0; i < n; i++) {
		json_t *e = rn(5) ? json_object() : rnd_scalar();

		if (json_is_object(e)) {
			if (rn(3))
				json_object_set_new(e, "x", rnd_value(1));
			if (rn(2))
				json_object_set_new(e, "tags", rnd_value(1));
		}
		json_array_append_new(arr, e);
	}
	json_object_set_new(p, "arr", arr);
	return p;
}

static json_t *rnd_filter(int depth, bool in_nested);

static json_t *rnd_bounds(int kind)
{
	static const char *const names[] = { "gt", "gte", "lt", "lte" };
	json_t *r = json_object();

	for (int i = 0; i < 4; i++) {
		if (rn(2))
			continue;
		if (kind == 0)
			json_object_set_new(
				r, names[i],
				rn(2) ? json_integer((json_int_t)rn(9) - 4) :
					json_real(((double)rn(1000) - 500) /
						  64));
		else if (kind == 1)
			json_object_set_new(r, names[i],
					    json_string(strs[6 + rn(4)]));
		else
			json_object_set_new(r, names[i], json_integer(rn(5)));
	}
	return r;
}

static json_t *rnd_point(void)
{
	return json_pack("{s:f,s:f}", "lon", (double)rn(361) - 180, "lat",
			 (double)rn(181) - 90);
}

static json_t *rnd_field(void)
{
	json_t *c = json_object(), *m, *l;
	const char *key = keys[rn(VX_ARRAY_SIZE(keys))];
	unsigned int n;

	json_object_set_new(c, "key", json_string(key));
	switch (rn(11)) {
	case 0:
		m = json_object();
		switch (rn(3)) {
		case 0:
			json_object_set_new(
				m, "value",
				json_integer((json_int_t)rn(7) - 3));
			break;
		case 1:
			json_object_set_new(
				m, "value",
				json_string(strs[rn(VX_ARRAY_SIZE(strs))]));
			break;
		default:
			json_object_set_new(m, "value", json_boolean(rn(2)));
		}
		json_object_set_new(c, "match", m);
		break;
	case 1:
	case 2:
		l = json_array();
		n = rn(4);
		for (unsigned int i = 0; i < n; i++)
			json_array_append_new(
				l, rn(2) == 0 && 0 ?
					   NULL :
					   json_integer((json_int_t)rn(7) - 3));
		if (rn(2)) {
			json_array_clear(l);
			for (unsigned int i = 0; i < n; i++)
				json_array_append_new(l,
						      json_string(strs[rn(6)]));
		}
		json_object_set_new(c, "match",
				    json_pack("{s:o}", rn(2) ? "any" : "except",
					      l));
		break;
	case 3:
		json_object_set_new(c, "match",
				    json_pack("{s:s}", "text", strs[rn(6)]));
		break;
	case 4:
		json_object_set_new(c, "range", rnd_bounds(0));
		break;
	case 5:
		json_object_set_new(c, "range", rnd_bounds(1));
		json_object_set_new(c, "key",
				    json_string(rn(2) ? "d" : keys[rn(5)]));
		break;
	case 6:
		json_object_set_new(c, "values_count", rnd_bounds(2));
		break;
	case 7:
		json_object_set_new(c, "geo_bounding_box",
				    json_pack("{s:o,s:o}", "top_left",
					      rnd_point(), "bottom_right",
					      rnd_point()));
		break;
	case 8:
		json_object_set_new(c, "geo_radius",
				    json_pack("{s:o,s:f}", "center",
					      rnd_point(), "radius",
					      (double)(rnd() % 20000000)));
		break;
	case 9: {
		double x = (double)rn(240) - 150, y = (double)rn(120) - 80;
		double w = 1 + rn(90), h = 1 + rn((unsigned int)(89 - y));

		json_object_set_new(
			c, "geo_polygon",
			json_pack(
				"{s:{s:[{s:f,s:f},{s:f,s:f},{s:f,s:f},{s:f,s:f}]}}",
				"exterior", "points", "lon", x, "lat", y, "lon",
				x + w, "lat", y + h / 2, "lon", x, "lat", y + h,
				"lon", x, "lat", y));
		break;
	}
	default:
		json_decref(c);
		return json_pack(rn(2) ? "{s:{s:s}}" : "{s:{s:s}}",
				 rn(2) ? "is_empty" : "is_null", "key",
				 keys[rn(VX_ARRAY_SIZE(keys))]);
	}
	return c;
}

static json_t *rnd_cond(int depth, bool in_nested)
{
	unsigned int r = rn(20);

	if (depth < 3 && r == 0)
		return rnd_filter(depth + 1, in_nested);
	if (depth < 3 && r == 1 && !in_nested)
		return json_pack("{s:{s:s,s:o}}", "nested", "key", "arr",
				 "filter", rnd_filter(depth + 1, true));
	if (r == 2 && !in_nested) {
		json_t *ids = json_array();

		for (unsigned int i = rn(4); i; i--)
			json_array_append_new(ids, json_integer(rn(6)));
		return json_pack("{s:o}", "has_id", ids);
	}
	if (r == 3)
		return json_pack("{s:s}", "has_vector", "");
	return rnd_field();
}

static json_t *rnd_list(int depth, bool in_nested, unsigned int max)
{
	json_t *a = json_array();

	for (unsigned int n = rn(max + 1); n; n--)
		json_array_append_new(a, rnd_cond(depth, in_nested));
	return a;
}

static json_t *rnd_filter(int depth, bool in_nested)
{
	json_t *f = json_object();

	if (rn(2))
		json_object_set_new(f, "must", rnd_list(depth, in_nested, 3));
	if (rn(3) == 0)
		json_object_set_new(f, "should", rnd_list(depth, in_nested, 3));
	if (rn(3) == 0)
		json_object_set_new(f, "must_not",
				    rnd_list(depth, in_nested, 2));
	if (rn(5) == 0) {
		json_t *cs = rnd_list(depth, in_nested, 3);

		json_object_set_new(
			f, "min_should",
			json_pack("{s:o,s:i}", "conditions", cs, "min_count",
				  (int)rn((unsigned int)json_array_size(cs) +
					  2)));
	}
	return f;
}

VX_TEST(differential_random)
{
	enum { FILTERS = 10000, PAYLOADS = 16 };
	struct pt pts[PAYLOADS];
	unsigned long checks = 0, matches = 0;

	for (int i = 0; i < PAYLOADS; i++) {
		pts[i].id.kind = VEXFS_ID_NUM;
		pts[i].id.pad = 0;
		pts[i].id.num = (u64)i % 7;
		pts[i].has_vector = i & 1;
		pt_init(&pts[i], i == 0 ? NULL : rnd_payload());
	}
	for (int k = 0; k < FILTERS; k++) {
		json_t *fj = rnd_filter(0, false);
		struct vx_filter *f = compile(fj);

		if (k % 50 == 0) {
			for (int i = 1; i < PAYLOADS; i++) {
				pt_fini(&pts[i]);
				pt_init(&pts[i], rnd_payload());
			}
		}
		for (int i = 0; i < PAYLOADS; i++) {
			int a = core_match(f, &pts[i]),
			    b = ref_match(fj, &pts[i]);

			checks++;
			matches += a;
			if (a != b) {
				char *fs = json_dumps(fj, JSON_COMPACT);
				char *ps = pts[i].payload ?
						   json_dumps(pts[i].payload,
							      JSON_COMPACT) :
						   strdup("(none)");

				printf("#   filter %s\n#   payload %s id %llu vec %d\n",
				       fs, ps,
				       (unsigned long long)pts[i].id.num,
				       pts[i].has_vector);
				free(fs);
				free(ps);
				VX_FAIL("core %d != reference %d", a, b);
			}
		}
		vx_filter_free(f);
		json_decref(fj);
	}
	for (int i = 0; i < PAYLOADS; i++)
		pt_fini(&pts[i]);
	printf("# %lu filter x payload checks, %lu matched\n", checks, matches);
	/* both outcomes must be well represented for the test to mean much */
	VX_ASSERT(matches > checks / 20 && matches < checks - checks / 20);
}

int main(void)
{
	return vx_run_tests();
}
