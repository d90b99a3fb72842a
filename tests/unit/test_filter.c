// SPDX-License-Identifier: GPL-2.0
/*
 * The filter core on its own: the verifier (every rejection), evaluation of
 * hand-built programs, the integer numerics against libm, the datetime
 * reader, vx_filter_required(). End-to-end JSON tests: test_filter_diff.c.
 */
#include <math.h>

#include "shim.h"
#include "filter_internal.h"
#include "vxtest.h"

/* One-key CBOR maps: {key: value}. */
static size_t cbp_head(u8 *b, u8 major, u64 v)
{
	if (v < 24) {
		b[0] = (u8)(major << 5 | v);
		return 1;
	}
	if (v <= 0xff) {
		b[0] = (u8)(major << 5 | 24);
		b[1] = (u8)v;
		return 2;
	}
	b[0] = (u8)(major << 5 | 27);
	for (int i = 0; i < 8; i++)
		b[1 + i] = (u8)(v >> (56 - 8 * i));
	return 9;
}

static size_t cbp_key(u8 *b, const char *k)
{
	size_t n = 1;

	b[0] = 0xa1;
	n += cbp_head(b + n, 3, strlen(k));
	memcpy(b + n, k, strlen(k));
	return n + strlen(k);
}

static size_t cbp_map1_uint(u8 *b, const char *k, u64 v)
{
	size_t n = cbp_key(b, k);

	return n + cbp_head(b + n, 0, v);
}

static size_t cbp_map1_nint(u8 *b, const char *k, u64 v)
{
	size_t n = cbp_key(b, k);

	return n + cbp_head(b + n, 1, v);
}

static size_t cbp_map1_f64(u8 *b, const char *k, double d)
{
	size_t n = cbp_key(b, k);
	u64 bits;

	memcpy(&bits, &d, 8);
	b[n] = 0xfb;
	for (int i = 0; i < 8; i++)
		b[n + 1 + i] = (u8)(bits >> (56 - 8 * i));
	return n + 9;
}

/* --- a tiny bytecode writer ---------------------------------------------- */

struct prog {
	u8 b[VEXFS_FILTER_MAX + 64];
	u32 len, nodes;
	u32 open[32];
	int depth;
};

static void p8(struct prog *p, u64 v, int n)
{
	for (int i = 0; i < n; i++)
		p->b[p->len++] = i < 8 ? (u8)(v >> (8 * i)) : 0;
}

static void pinit(struct prog *p)
{
	p->len = p->nodes = 0;
	p->depth = 0;
	p8(p, VEXFS_FILTER_MAGIC, 4);
	p8(p, VEXFS_FILTER_VERSION, 2);
	p8(p, 0, 2);
	p8(p, 0, 8);
}

static void nopen(struct prog *p, u8 op, u8 aux)
{
	p->open[p->depth++] = p->len;
	p->nodes++;
	p8(p, op, 1);
	p8(p, aux, 1);
	p8(p, 0, 4);
}

static void nclose(struct prog *p)
{
	u32 off = p->open[--p->depth], size = p->len - off;

	for (int i = 0; i < 4; i++)
		p->b[off + 2 + i] = (u8)(size >> (8 * i));
}

static void pkey(struct prog *p, const char *k)
{
	p8(p, strlen(k), 2);
	memcpy(p->b + p->len, k, strlen(k));
	p->len += strlen(k);
}

static void pstr(struct prog *p, const char *s)
{
	p8(p, strlen(s), 4);
	memcpy(p->b + p->len, s, strlen(s));
	p->len += strlen(s);
}

static void pend(struct prog *p)
{
	for (int i = 0; i < 4; i++) {
		p->b[8 + i] = (u8)(p->len >> (8 * i));
		p->b[12 + i] = (u8)(p->nodes >> (8 * i));
	}
}

static int load(struct prog *p, struct vx_filter **f, const char **why)
{
	pend(p);
	return vx_filter_load(p->b, p->len, f, why);
}

static u64 f64bits(double d)
{
	u64 b;

	memcpy(&b, &d, 8);
	return b;
}

/* A loaded single-leaf program against a payload built with cbor_payload.h. */
static bool run(struct prog *p, const u8 *payload, size_t plen)
{
	struct vexfs_point_id id = { .kind = VEXFS_ID_NUM, .num = 7 };
	struct vx_filter_subject s = { .id = &id,
				       .payload = payload,
				       .payload_len = (u32)plen };
	struct vx_filter *f;
	const char *why;
	bool r;
	int err = load(p, &f, &why);

	if (err)
		VX_FAIL("load: %d %s", err, why ? why : "");
	r = vx_filter_match(f, &s);
	vx_filter_free(f);
	return r;
}

/* --- verifier ------------------------------------------------------------- */

static void expect_einval(struct prog *p, const char *what)
{
	struct vx_filter *f = NULL;
	const char *why = NULL;
	int err = load(p, &f, &why);

	if (err != -EINVAL)
		VX_FAIL("%s: load returned %d, not -EINVAL", what, err);
	VX_ASSERT(why && !strncmp(why, "filter: ", 8));
	VX_ASSERT(!f);
}

VX_TEST(verify_header)
{
	struct prog *p = malloc(sizeof(*p));
	struct vx_filter *f;
	const char *why;

	pinit(p);
	nopen(p, VEXFS_FOP_TRUE, 0);
	nclose(p);
	VX_ASSERT_EQ(load(p, &f, &why), 0);
	VX_ASSERT_EQ(vx_filter_len(f), 22);
	vx_filter_free(f);

	p->b[0] ^= 1;
	VX_ASSERT_EQ(vx_filter_load(p->b, p->len, &f, &why), -EINVAL);
	p->b[0] ^= 1;
	p->b[4] = 2; /* version */
	VX_ASSERT_EQ(vx_filter_load(p->b, p->len, &f, &why), -EINVAL);
	p->b[4] = 1;
	p->b[6] = 1; /* flags */
	VX_ASSERT_EQ(vx_filter_load(p->b, p->len, &f, &why), -EINVAL);
	p->b[6] = 0;
	VX_ASSERT_EQ(vx_filter_load(p->b, p->len - 1, &f, &why), -EINVAL);
	p->b[12] = 2; /* node count */
	VX_ASSERT_EQ(vx_filter_load(p->b, p->len, &f, &why), -EINVAL);
	VX_ASSERT(!strcmp(why, "filter: node count differs from the header"));
	VX_ASSERT_EQ(vx_filter_load(p->b, 10, &f, &why), -EINVAL);
	VX_ASSERT_EQ(vx_filter_load(p->b, VEXFS_FILTER_MAX + 1, &f, &why),
		     -E2BIG);
	/* bytes after the root */
	pinit(p);
	nopen(p, VEXFS_FOP_TRUE, 0);
	nclose(p);
	p8(p, 0, 1);
	expect_einval(p, "trailing byte");
	free(p);
}

VX_TEST(verify_nodes)
{
	struct prog *p = malloc(sizeof(*p));

	/* unknown op */
	pinit(p);
	nopen(p, 0x42, 0);
	nclose(p);
	expect_einval(p, "unknown op");
	/* aux on TRUE */
	pinit(p);
	nopen(p, VEXFS_FOP_TRUE, 1);
	nclose(p);
	expect_einval(p, "aux");
	/* AND count says 2, one child */
	pinit(p);
	nopen(p, VEXFS_FOP_AND, 0);
	p8(p, 2, 2);
	nopen(p, VEXFS_FOP_TRUE, 0);
	nclose(p);
	nclose(p);
	expect_einval(p, "AND count");
	/* child size running past its parent */
	pinit(p);
	nopen(p, VEXFS_FOP_NOT, 0);
	nopen(p, VEXFS_FOP_TRUE, 0);
	nclose(p);
	nclose(p);
	p->b[16 + 6 + 2] = 7;
	expect_einval(p, "child size");
	/* a size under the head */
	pinit(p);
	nopen(p, VEXFS_FOP_TRUE, 0);
	nclose(p);
	p->b[18] = 3;
	expect_einval(p, "tiny size");
	/* ATLEAST k > n */
	pinit(p);
	nopen(p, VEXFS_FOP_ATLEAST, 0);
	p8(p, 2, 2);
	p8(p, 1, 2);
	nopen(p, VEXFS_FOP_TRUE, 0);
	nclose(p);
	nclose(p);
	expect_einval(p, "k > n");
	/* depth: NOT x 16 + leaf is 17 levels */
	pinit(p);
	for (int i = 0; i < 16; i++)
		nopen(p, VEXFS_FOP_NOT, 0);
	nopen(p, VEXFS_FOP_TRUE, 0);
	for (int i = 0; i < 17; i++)
		nclose(p);
	expect_einval(p, "depth");
	/* NESTED within NESTED x 4 */
	pinit(p);
	for (int i = 0; i < 4; i++) {
		nopen(p, VEXFS_FOP_NESTED, 0);
		pkey(p, "a[]");
	}
	nopen(p, VEXFS_FOP_TRUE, 0);
	for (int i = 0; i < 5; i++)
		nclose(p);
	expect_einval(p, "nested depth");
	free(p);
}

VX_TEST(verify_operands)
{
	struct prog *p = malloc(sizeof(*p));
	static const char *const bad_keys[] = { "",	"a..b", "a[",	"[0]",
						"a[x]", "\"\"", "a.\"b" };

	for (size_t i = 0; i < VX_ARRAY_SIZE(bad_keys); i++) {
		pinit(p);
		nopen(p, VEXFS_FOP_IS_NULL, 0);
		pkey(p, bad_keys[i]);
		nclose(p);
		expect_einval(p, bad_keys[i]);
	}
	/* key not UTF-8 */
	pinit(p);
	nopen(p, VEXFS_FOP_IS_NULL, 0);
	pkey(p, "a\xff");
	nclose(p);
	expect_einval(p, "key utf8");
	/* string not UTF-8 (overlong) */
	pinit(p);
	nopen(p, VEXFS_FOP_MATCH_STR, 0);
	pkey(p, "a");
	pstr(p, "\xc0\xaf");
	nclose(p);
	expect_einval(p, "str utf8");
	/* match bool aux 2 */
	pinit(p);
	nopen(p, VEXFS_FOP_MATCH_BOOL, 2);
	pkey(p, "a");
	nclose(p);
	expect_einval(p, "bool");
	/* any-int not ascending */
	pinit(p);
	nopen(p, VEXFS_FOP_MATCH_ANY_INT, 0);
	pkey(p, "a");
	p8(p, 2, 4);
	p8(p, 5, 8);
	p8(p, 5, 8);
	nclose(p);
	expect_einval(p, "ints order");
	/* any-int count past the node */
	pinit(p);
	nopen(p, VEXFS_FOP_MATCH_ANY_INT, 0);
	pkey(p, "a");
	p8(p, 0x20000000, 4);
	p8(p, 5, 8);
	nclose(p);
	expect_einval(p, "ints count");
	/* any-str not ascending */
	pinit(p);
	nopen(p, VEXFS_FOP_MATCH_ANY_STR, 0);
	pkey(p, "a");
	p8(p, 2, 4);
	pstr(p, "b");
	pstr(p, "a");
	nclose(p);
	expect_einval(p, "strs order");
	/* range: gt and gte */
	pinit(p);
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_GT | VEXFS_FILTER_R_GTE);
	pkey(p, "a");
	p8(p, 0, 16);
	nclose(p);
	expect_einval(p, "gt+gte");
	/* range: NaN bound */
	pinit(p);
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_LT);
	pkey(p, "a");
	p8(p, 0, 8);
	p8(p, 0x7ff8000000000000ull, 8);
	nclose(p);
	expect_einval(p, "NaN");
	/* range: absent bound not 0 */
	pinit(p);
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_LT);
	pkey(p, "a");
	p8(p, 1, 8);
	p8(p, 0, 8);
	nclose(p);
	expect_einval(p, "absent bound");
	/* box lat 91 */
	pinit(p);
	nopen(p, VEXFS_FOP_GEO_BOX, 0);
	pkey(p, "a");
	p8(p, f64bits(0), 8);
	p8(p, f64bits(91), 8);
	p8(p, f64bits(1), 8);
	p8(p, f64bits(0), 8);
	nclose(p);
	expect_einval(p, "box lat");
	/* radius chord over 2^62 */
	pinit(p);
	nopen(p, VEXFS_FOP_GEO_RADIUS, 0);
	pkey(p, "a");
	p8(p, f64bits(0), 8);
	p8(p, f64bits(0), 8);
	p8(p, (1ull << 62) + 1, 8);
	p8(p, 0, 24);
	nclose(p);
	expect_einval(p, "chord");
	/* radius centre vector not the one of lon/lat */
	{
		s64 cv[3];

		vx_filter_geo_unit(f64bits(10), f64bits(20), cv);
		for (int k = 0; k < 4; k++) {
			pinit(p);
			nopen(p, VEXFS_FOP_GEO_RADIUS, 0);
			pkey(p, "a");
			p8(p, f64bits(10), 8);
			p8(p, f64bits(20), 8);
			p8(p, 1000, 8);
			for (int i = 0; i < 3; i++)
				p8(p, (u64)(cv[i] + (i == k)), 8);
			nclose(p);
			if (k == 3) { /* intact: accepted */
				struct vx_filter *f;
				const char *why;

				VX_ASSERT_EQ(load(p, &f, &why), 0);
				vx_filter_free(f);
			} else {
				expect_einval(p, "centre vector");
			}
		}
	}
	/* polygon not closed, too few points */
	pinit(p);
	nopen(p, VEXFS_FOP_GEO_POLYGON, 0);
	pkey(p, "a");
	p8(p, 1, 4);
	p8(p, 4, 4);
	for (int i = 0; i < 4; i++) {
		p8(p, (u64)((s64)i << 32), 8);
		p8(p, (u64)((s64)(i * i) << 32), 8);
	}
	nclose(p);
	expect_einval(p, "open ring");
	pinit(p);
	nopen(p, VEXFS_FOP_GEO_POLYGON, 0);
	pkey(p, "a");
	p8(p, 1, 4);
	p8(p, 3, 4);
	p8(p, 0, 48);
	nclose(p);
	expect_einval(p, "3 points");
	/* has_id not ascending */
	pinit(p);
	nopen(p, VEXFS_FOP_HAS_ID, 0);
	p8(p, 2, 4);
	p8(p, 0, 4);
	p8(p, 9, 8);
	p8(p, 3, 8);
	nclose(p);
	expect_einval(p, "ids order");
	/* leftover byte in a leaf */
	pinit(p);
	nopen(p, VEXFS_FOP_IS_NULL, 0);
	pkey(p, "a");
	p8(p, 0, 1);
	nclose(p);
	expect_einval(p, "leftover");
	free(p);
}

/* Every truncation of a valid program is refused. */
VX_TEST(verify_truncations)
{
	struct prog *p = malloc(sizeof(*p));
	struct vx_filter *f;
	const char *why;
	u32 full;

	pinit(p);
	nopen(p, VEXFS_FOP_AND, 0);
	p8(p, 3, 2);
	nopen(p, VEXFS_FOP_MATCH_ANY_STR, VEXFS_FILTER_EXCEPT);
	pkey(p, "a.b[]");
	p8(p, 2, 4);
	pstr(p, "x");
	pstr(p, "y");
	nclose(p);
	nopen(p, VEXFS_FOP_NESTED, 0);
	pkey(p, "n[]");
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_GTE);
	pkey(p, "v");
	p8(p, f64bits(1.5), 8);
	p8(p, 0, 8);
	nclose(p);
	nclose(p);
	nopen(p, VEXFS_FOP_HAS_VECTOR, 0);
	nclose(p);
	nclose(p);
	VX_ASSERT_EQ(load(p, &f, &why), 0);
	vx_filter_free(f);
	full = p->len;
	for (u32 n = 0; n < full; n++) {
		/* header says n: consistent length, truncated tree */
		for (int i = 0; i < 4; i++)
			p->b[8 + i] = (u8)(n >> (8 * i));
		VX_ASSERT_EQ(vx_filter_load(p->b, n, &f, &why), -EINVAL);
	}
	free(p);
}

/* --- evaluation ----------------------------------------------------------- */

VX_TEST(eval_numbers_exact)
{
	struct prog *p = malloc(sizeof(*p));
	u8 buf[64];
	size_t n;

	/* 2^63 as uint vs 9.223372036854775807e18 (== 2^63 as a double) */
	n = cbp_map1_uint(buf, "a", 1ull << 63);
	pinit(p);
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_GTE);
	pkey(p, "a");
	p8(p, f64bits(9223372036854775808.0), 8);
	p8(p, 0, 8);
	nclose(p);
	VX_ASSERT(run(p, buf, n));
	pinit(p);
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_GT);
	pkey(p, "a");
	p8(p, f64bits(9223372036854775808.0), 8);
	p8(p, 0, 8);
	nclose(p);
	VX_ASSERT(!run(p, buf, n));
	/* 2^64 - 1 vs 2^64 */
	n = cbp_map1_uint(buf, "a", ~0ull);
	pinit(p);
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_LT);
	pkey(p, "a");
	p8(p, 0, 8);
	p8(p, f64bits(18446744073709551616.0), 8);
	nclose(p);
	VX_ASSERT(run(p, buf, n));
	/* -2^64 (CBOR nint 2^64-1) vs -1.8e19 */
	n = cbp_map1_nint(buf, "a", ~0ull);
	pinit(p);
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_LTE);
	pkey(p, "a");
	p8(p, 0, 8);
	p8(p, f64bits(-18446744073709551616.0), 8);
	nclose(p);
	VX_ASSERT(run(p, buf, n));
	pinit(p);
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_LT);
	pkey(p, "a");
	p8(p, 0, 8);
	p8(p, f64bits(-18446744073709551616.0), 8);
	nclose(p);
	VX_ASSERT(!run(p, buf, n));
	/* NaN payload never in range; infinity above everything */
	n = cbp_map1_f64(buf, "a", NAN);
	pinit(p);
	nopen(p, VEXFS_FOP_RANGE, 0);
	pkey(p, "a");
	p8(p, 0, 16);
	nclose(p);
	VX_ASSERT(!run(p, buf, n));
	n = cbp_map1_f64(buf, "a", INFINITY);
	pinit(p);
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_GT);
	pkey(p, "a");
	p8(p, f64bits(1e308), 8);
	p8(p, 0, 8);
	nclose(p);
	VX_ASSERT(run(p, buf, n));
	free(p);
}

/* vxf_cmp_num_f64 against long double on random pairs. */
VX_TEST(cmp_num_random)
{
	u64 s = 12345;

	for (int i = 0; i < 200000; i++) {
		struct vx_cbor_item it = { 0 };
		long double a, b;
		double d;
		u64 r, bits;
		int want, got;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		r = s >> (s & 63);
		switch (i % 3) {
		case 0:
			it.type = VX_CBOR_UINT;
			it.val = r;
			a = (long double)r;
			break;
		case 1:
			it.type = VX_CBOR_NINT;
			it.val = r;
			a = -1.0L - (long double)r;
			break;
		default:
			it.type = VX_CBOR_FLOAT;
			d = (double)(s64)s / (double)(1ull << (s % 60));
			memcpy(&it.val, &d, 8);
			a = d;
		}
		/* bounds near the value, sometimes exactly on it */
		d = (double)a +
		    ((i & 4) ? 0.0 :
			       (double)((s64)(s % 7) - 3) * (i & 8 ? 1 : 0.5));
		if (i % 5 == 0)
			d = (double)(s64)(s % 2001 - 1000);
		bits = f64bits(d);
		b = d;
		want = a < b ? -1 : a > b;
		got = vxf_cmp_num_f64(&it, bits);
		if (want != got)
			VX_FAIL("type %d val %llu vs %.17g: %d != %d", it.type,
				(unsigned long long)it.val, d, got, want);
	}
}

/* Integer trig against libm over the whole range. */
VX_TEST(sincos_accuracy)
{
	double worst = 0;

	for (s64 d = -(180ll << 32); d <= (180ll << 32);
	     d += (1ll << 32) / 997) {
		s64 s, c;
		double rad = (double)d / 4294967296.0 * M_PI / 180;

		vxf_sincos_deg(d, &s, &c);
		worst = fmax(worst, fabs((double)s / (1ll << 40) - sin(rad)));
		worst = fmax(worst, fabs((double)c / (1ll << 40) - cos(rad)));
	}
	printf("# sincos worst error %.3g\n", worst);
	VX_ASSERT(worst < 1e-11);
}

/* Radius tests against haversine in doubles, away from the boundary. */
VX_TEST(radius_vs_haversine)
{
	u64 s = 99;
	int disagree = 0, near = 0;

	for (int i = 0; i < 100000; i++) {
		double lon1, lat1, lon2, lat2, r, h, dist, half;
		struct vxf_geo g;
		u64 chord2;
		bool got;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		lon1 = (double)(s % 3600001) / 10000 - 180;
		lat1 = (double)((s >> 22) % 1800001) / 10000 - 90;
		if (i &
		    1) { /* near the centre, or around the poles / antimeridian */
			lon2 = lon1 +
			       (double)((s64)((s >> 40) % 2001) - 1000) / 1e4;
			lat2 = lat1 +
			       (double)((s64)((s >> 52) % 201) - 100) / 1e4;
			lon2 = lon2 > 180  ? lon2 - 360 :
			       lon2 < -180 ? lon2 + 360 :
					     lon2;
			lat2 = fmin(90, fmax(-90, lat2));
		} else {
			lon2 = (double)((s >> 11) % 3600001) / 10000 - 180;
			lat2 = (double)((s >> 33) % 1800001) / 10000 - 90;
		}
		{
			double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
			double dl = (lon2 - lon1) * M_PI / 180;

			h = pow(sin((p2 - p1) / 2), 2) +
			    cos(p1) * cos(p2) * pow(sin(dl / 2), 2);
			dist = 2 * 6371088.0 * asin(sqrt(fmin(1, h)));
		}
		r = dist * (0.5 + (double)(s % 1000) / 1000);
		if (i % 4 == 3) /* just inside or outside: 5 mm either way */
			r = dist + ((s >> 7) & 1 ? 0.005 : -0.005);
		if (fabs(dist - r) < 0.002) { /* within 2 mm: either answer */
			near++;
			continue;
		}
		half = r / (2 * 6371088.0);
		chord2 = half >= M_PI / 2 ?
				 ~0ull :
				 (u64)ldexp(4 * sin(half) * sin(half), 60);
		g.lon = (s64)ldexp(lon2, 32);
		g.lat = (s64)ldexp(lat2, 32);
		{
			s64 cv[3];

			vxf_unit_vector((s64)ldexp(lon1, 32),
					(s64)ldexp(lat1, 32), cv);
			got = vxf_geo_in_radius(&g, cv, chord2);
		}
		if (got != (dist < r)) {
			if (++disagree < 5)
				printf("#   (%g,%g)-(%g,%g) dist %.4f r %.4f got %d\n",
				       lon1, lat1, lon2, lat2, dist, r, got);
		}
	}
	printf("# radius: %d disagreements, %d within 2 mm skipped\n", disagree,
	       near);
	VX_ASSERT_EQ(disagree, 0);
}

VX_TEST(datetime_reader)
{
	static const struct {
		const char *s;
		s64 us;
	} ok[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01", 0 },
		{ "1970-01-01T00:00:00.000001Z", 1 },
		{ "1970-01-01T01:00:00+01:00", 0 },
		{ "1970-01-01T00:00:00-0130", 5400000000ll },
		{ "1969-12-31T23:59:59.5Z", -500000 },
		{ "2023-02-08T10:49:00Z", 1675853340000000ll },
		{ "2023-02-08 10:49:00", 1675853340000000ll },
		{ "2023-02-08t10:49z", 1675853340000000ll },
		{ "2024-02-29T12:00:00.1234567+05:30", 1709188200123456ll },
		{ "2000-03-01T00:00:00Z", 951868800000000ll },
		{ "0001-01-01T00:00:00Z", -62135596800000000ll },
		{ "9999-12-31T23:59:59.999999Z", 253402300799999999ll },
	};
	static const char *const bad[] = {
		"",
		"2023",
		"2023-02-30",
		"2023-13-01",
		"2023-02-29",
		"1900-02-29",
		"2023-02-08T24:00:00Z",
		"2023-02-08T10:60",
		"2023-02-08T10:49:00.Z",
		"2023-02-08T10:49:00+25:00",
		"2023-02-08X10:49",
		"2023-02-08T10:49:00Zjunk",
		"2023-2-08",
		"+2023-02-08",
		"2023-02-08T10",
	};

	for (size_t i = 0; i < VX_ARRAY_SIZE(ok); i++) {
		s64 us = 42;

		if (vx_filter_parse_datetime(ok[i].s, strlen(ok[i].s), &us))
			VX_FAIL("refused %s", ok[i].s);
		if (us != ok[i].us)
			VX_FAIL("%s: %lld != %lld", ok[i].s, (long long)us,
				(long long)ok[i].us);
	}
	for (size_t i = 0; i < VX_ARRAY_SIZE(bad); i++) {
		s64 us;

		if (!vx_filter_parse_datetime(bad[i], strlen(bad[i]), &us))
			VX_FAIL("accepted %s", bad[i]);
	}
}

/* A corrupt payload (truncated) makes leaves false, never a crash. */
VX_TEST(eval_corrupt_payload)
{
	struct prog *p = malloc(sizeof(*p));
	u8 buf[64];
	size_t n = cbp_map1_uint(buf, "abc", 5);

	pinit(p);
	nopen(p, VEXFS_FOP_MATCH_INT, 0);
	pkey(p, "abc");
	p8(p, 5, 8);
	nclose(p);
	VX_ASSERT(run(p, buf, n));
	for (size_t k = 1; k < n; k++)
		VX_ASSERT(!run(p, buf, k));
	/* no payload at all */
	VX_ASSERT(!run(p, NULL, 0));
	free(p);
}

static int collect(void *arg, const struct vx_filter_cond *c)
{
	struct vx_filter_cond *out = arg;
	int i = 0;

	while (out[i].kind)
		i++;
	out[i] = *c;
	return 0;
}

VX_TEST(required_conditions)
{
	struct prog *p = malloc(sizeof(*p));
	struct vx_filter_cond got[8];
	struct vx_filter *f;
	const char *why;
	u32 len;

	/* AND(match a=3, OR(range b), NOT(NOT(has_id 4,9)), OR(x, y), NOT(z),
	 *     ATLEAST 2-of-2(any-str c, is_null d)) */
	pinit(p);
	nopen(p, VEXFS_FOP_AND, 0);
	p8(p, 6, 2);
	nopen(p, VEXFS_FOP_MATCH_INT, 0);
	pkey(p, "a");
	p8(p, 3, 8);
	nclose(p);
	nopen(p, VEXFS_FOP_OR, 0);
	p8(p, 1, 2);
	nopen(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_GTE | VEXFS_FILTER_R_LT);
	pkey(p, "b");
	p8(p, f64bits(1), 8);
	p8(p, f64bits(2), 8);
	nclose(p);
	nclose(p);
	nopen(p, VEXFS_FOP_NOT, 0);
	nopen(p, VEXFS_FOP_NOT, 0);
	nopen(p, VEXFS_FOP_HAS_ID, 0);
	p8(p, 2, 4);
	p8(p, 0, 4);
	p8(p, 4, 8);
	p8(p, 9, 8);
	nclose(p);
	nclose(p);
	nclose(p);
	nopen(p, VEXFS_FOP_OR, 0);
	p8(p, 2, 2);
	nopen(p, VEXFS_FOP_IS_NULL, 0);
	pkey(p, "x");
	nclose(p);
	nopen(p, VEXFS_FOP_IS_NULL, 0);
	pkey(p, "y");
	nclose(p);
	nclose(p);
	nopen(p, VEXFS_FOP_NOT, 0);
	nopen(p, VEXFS_FOP_IS_NULL, 0);
	pkey(p, "z");
	nclose(p);
	nclose(p);
	nopen(p, VEXFS_FOP_ATLEAST, 0);
	p8(p, 2, 2);
	p8(p, 2, 2);
	nopen(p, VEXFS_FOP_MATCH_ANY_STR, 0);
	pkey(p, "c");
	p8(p, 2, 4);
	pstr(p, "p");
	pstr(p, "q");
	nclose(p);
	nopen(p, VEXFS_FOP_IS_NULL, 0);
	pkey(p, "d");
	nclose(p);
	nclose(p);
	nclose(p);
	VX_ASSERT_EQ(load(p, &f, &why), 0);
	memset(got, 0, sizeof(got));
	VX_ASSERT_EQ(vx_filter_required(f, collect, got), 0);
	VX_ASSERT_EQ(got[0].kind, VX_FC_MATCH_INT);
	VX_ASSERT(got[0].key_len == 1 && got[0].key[0] == 'a' && got[0].i == 3);
	VX_ASSERT_EQ(got[1].kind, VX_FC_RANGE);
	VX_ASSERT_EQ(got[1].range.flags, VX_FR_GTE | VX_FR_LT);
	VX_ASSERT(got[1].range.lo == f64bits(1) &&
		  got[1].range.hi == f64bits(2));
	VX_ASSERT_EQ(got[2].kind, VX_FC_HAS_ID);
	VX_ASSERT_EQ(got[2].n, 2);
	VX_ASSERT_EQ(vx_filter_cond_id(&got[2], 1), 9);
	VX_ASSERT_EQ(got[3].kind, VX_FC_MATCH_ANY_STR);
	VX_ASSERT_EQ(got[3].n, 2);
	VX_ASSERT(!memcmp(vx_filter_cond_str(&got[3], 1, &len), "q", 1) &&
		  len == 1);
	VX_ASSERT_EQ(got[4].kind, VX_FC_IS_NULL);
	VX_ASSERT(got[4].key[0] == 'd');
	VX_ASSERT_EQ(got[5].kind, 0);
	vx_filter_free(f);
	free(p);
}

int main(void)
{
	return vx_run_tests();
}
