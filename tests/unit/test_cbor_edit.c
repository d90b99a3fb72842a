// SPDX-License-Identifier: GPL-2.0
/* Payload edits (cbor_edit.c) against Qdrant's set/delete payload semantics. */
#include "vxtest.h"
#include "cbor.h"
#include "cbor_edit.h"
#include "json_cbor.h"

static u8 a[1 << 16], b[1 << 16];
static char js[1 << 16];

/* Render CBOR as JSON for comparison. */
static const char *render(const u8 *buf, u32 len)
{
	ssize_t n = vx_cbor_to_json(buf, len, js, sizeof(js));

	return n < 0 ? "<bad>" : js;
}

/* set(payload, map, key) rendered, or "E<errno>". */
static const char *do_set(const char *payload, const char *map, const char *key)
{
	static char err[16];
	u32 la = payload ? (u32)json_cbor(payload, a, sizeof(a)) : 0;
	u32 lb = (u32)json_cbor(map, b, sizeof(b)), out_len = 0;
	u8 *out = NULL;
	int e = vx_cbor_set(a, la, b, lb, key, key ? (u32)strlen(key) : 0, &out,
			    &out_len);

	if (e) {
		snprintf(err, sizeof(err), "E%d", -e);
		return err;
	}
	render(out, out_len);
	vx_free(out);
	return js;
}

static const char *do_del(const char *payload, const char *paths)
{
	static char err[16];
	u32 la = (u32)json_cbor(payload, a, sizeof(a));
	u32 lb = (u32)json_cbor(paths, b, sizeof(b)), out_len = 0;
	u8 *out = NULL;
	int e = vx_cbor_delete_keys(a, la, b, lb, &out, &out_len);

	if (e) {
		snprintf(err, sizeof(err), "E%d", -e);
		return err;
	}
	render(out, out_len);
	vx_free(out);
	return js;
}

#define EXPECT(got, want)                   \
	VX_ASSERT(!strcmp((got), (want)) || \
		  (fprintf(stderr, "# got %s want %s\n", (got), (want)), 0))

VX_TEST(set_top_level_merges_keeping_order)
{
	EXPECT(do_set("{\"a\":1,\"b\":2,\"c\":3}", "{\"b\":\"x\",\"d\":4}",
		      NULL),
	       "{\"a\":1,\"b\":\"x\",\"c\":3,\"d\":4}");
	/* shallow: a nested object is replaced whole, not merged */
	EXPECT(do_set("{\"a\":{\"x\":1,\"y\":2}}", "{\"a\":{\"z\":3}}", NULL),
	       "{\"a\":{\"z\":3}}");
	EXPECT(do_set(NULL, "{\"k\":[1,2]}", NULL), "{\"k\":[1,2]}");
	EXPECT(do_set("{}", "{}", NULL), "{}");
}

VX_TEST(set_with_key_merges_into_the_object)
{
	EXPECT(do_set("{\"a\":{\"x\":1,\"y\":2},\"b\":0}", "{\"y\":9,\"z\":3}",
		      "a"),
	       "{\"a\":{\"x\":1,\"y\":9,\"z\":3},\"b\":0}");
	/* missing: created, at the end */
	EXPECT(do_set("{\"b\":0}", "{\"z\":3}", "a.c"),
	       "{\"b\":0,\"a\":{\"c\":{\"z\":3}}}");
	/* a non-object on the path is replaced by an object */
	EXPECT(do_set("{\"a\":5}", "{\"z\":3}", "a.c"),
	       "{\"a\":{\"c\":{\"z\":3}}}");
	EXPECT(do_set("{\"a\":5}", "{\"z\":3}", "a"), "{\"a\":{\"z\":3}}");
	/* quoted keys hold dots */
	EXPECT(do_set("{}", "{\"z\":1}", "\"a.b\""), "{\"a.b\":{\"z\":1}}");
}

VX_TEST(set_through_arrays)
{
	EXPECT(do_set("{\"a\":[{\"x\":1},{\"x\":2}]}", "{\"y\":0}", "a[1]"),
	       "{\"a\":[{\"x\":1},{\"x\":2,\"y\":0}]}");
	EXPECT(do_set("{\"a\":[{\"x\":1},5]}", "{\"y\":0}", "a[]"),
	       "{\"a\":[{\"x\":1,\"y\":0},{\"y\":0}]}");
	/* past the end: nothing changes */
	EXPECT(do_set("{\"a\":[1]}", "{\"y\":0}", "a[3]"), "{\"a\":[1]}");
	/* not an array: becomes an empty one (as Qdrant does) */
	EXPECT(do_set("{\"a\":1}", "{\"y\":0}", "a[]"), "{\"a\":[]}");
	EXPECT(do_set("{\"a\":1}", "{\"y\":0}", "a[0].b"), "{\"a\":[]}");
}

VX_TEST(set_rejects_bad_input)
{
	EXPECT(do_set("{}", "[1]", NULL), "E22");
	EXPECT(do_set("{}", "{\"a\":1}", "a..b"), "E22");
	EXPECT(do_set("{}", "{\"a\":1}", "[0]"), "E22");
}

VX_TEST(delete_keys)
{
	EXPECT(do_del("{\"a\":1,\"b\":2,\"c\":3}", "[\"b\",\"zz\"]"),
	       "{\"a\":1,\"c\":3}");
	EXPECT(do_del("{\"a\":{\"x\":1,\"y\":2},\"b\":2}", "[\"a.x\"]"),
	       "{\"a\":{\"y\":2},\"b\":2}");
	EXPECT(do_del("{\"a\":[{\"x\":1,\"y\":2},{\"x\":3}]}", "[\"a[].x\"]"),
	       "{\"a\":[{\"y\":2},{}]}");
	EXPECT(do_del("{\"a\":[10,20,30]}", "[\"a[1]\"]"), "{\"a\":[10,30]}");
	EXPECT(do_del("{\"a\":[10,20,30]}", "[\"a[]\"]"), "{\"a\":[]}");
	EXPECT(do_del("{\"a\":[10]}", "[\"a[5]\",\"a.b\",\"q.r\"]"),
	       "{\"a\":[10]}");
	EXPECT(do_del("{\"a\":1}", "[\"a\"]"), "{}");
	/* not an array of paths */
	EXPECT(do_del("{\"a\":1}", "{\"a\":1}"), "E22");
	EXPECT(do_del("{\"a\":1}", "[1]"), "E22");
	EXPECT(do_del("{\"a\":1}", "[\"a..\"]"), "E22");
}

VX_TEST(result_size_is_enforced)
{
	static u8 big[VEXFS_PAYLOAD_MAX];
	u32 half = VEXFS_PAYLOAD_MAX / 2 + 16, out_len;
	u8 *out = NULL;

	/* {"p": "xxx..."} of just over half the limit, set twice under two keys */
	big[0] = 0xa1;
	big[1] = 0x61;
	big[2] = 'p';
	big[3] = 0x7a; /* text, 4-byte length */
	big[4] = (u8)((half - 8) >> 24);
	big[5] = (u8)((half - 8) >> 16);
	big[6] = (u8)((half - 8) >> 8);
	big[7] = (u8)(half - 8);
	memset(big + 8, 'x', half - 8);
	VX_ASSERT_EQ(vx_cbor_validate(big, half, NULL), 0);
	VX_ASSERT_EQ(vx_cbor_set(NULL, 0, big, half, "k1", 2, &out, &out_len),
		     0);
	VX_ASSERT(out_len > half);
	{
		u8 *out2 = NULL;
		u32 len2;

		VX_ASSERT_EQ(vx_cbor_set(out, out_len, big, half, "k2", 2,
					 &out2, &len2),
			     -E2BIG);
		VX_ASSERT(!out2);
	}
	vx_free(out);
}

VX_TEST(depth_beyond_the_limit_is_refused)
{
	char key[200];
	size_t n = 0;

	/* 31 nested keys + the map set there: deeper than VX_CBOR_MAX_DEPTH */
	for (int i = 0; i < 31; i++)
		n += (size_t)snprintf(key + n, sizeof(key) - n, "%sk",
				      i ? "." : "");
	EXPECT(do_set("{}", "{\"a\":{\"b\":1}}", key), "E22");
}

VX_TEST(untouched_values_keep_their_bytes)
{
	/* float16 1.0 (f9 3c 00) stays float16: copied, never re-encoded */
	static const u8 in[] = { 0xa2, 0x61, 'f', 0xf9, 0x3c,
				 0x00, 0x61, 'g', 0x01 };
	static const u8 set[] = { 0xa1, 0x61, 'g', 0x02 };
	static const u8 want[] = { 0xa2, 0x61, 'f', 0xf9, 0x3c,
				   0x00, 0x61, 'g', 0x02 };
	u8 *out = NULL;
	u32 len;

	VX_ASSERT_EQ(vx_cbor_set(in, sizeof(in), set, sizeof(set), NULL, 0,
				 &out, &len),
		     0);
	VX_ASSERT_EQ(len, sizeof(want));
	VX_ASSERT(!memcmp(out, want, len));
	vx_free(out);
}

int main(void)
{
	return vx_run_tests();
}
