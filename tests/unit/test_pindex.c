// SPDX-License-Identifier: GPL-2.0
/*
 * Payload indexes: every type against a brute-force scan (arrays, type
 * mismatches, range boundaries), kept exact through updates and deletes,
 * the schema and limits, and recovery (checkpoint and WAL replay).
 */
#include "db.h"
#include "pindex_plan.h"
#include "vxtest.h"
#include "crashdev.h"
#include "filter_build.h"

#define DIM 4
#define N 3000

/* --- a small CBOR writer ------------------------------------------------ */

struct cb {
	u8 b[512];
	u32 n;
};

static void cb_head(struct cb *c, u8 major, u64 v)
{
	if (v < 24) {
		c->b[c->n++] = (u8)(major << 5 | v);
	} else if (v < 256) {
		c->b[c->n++] = (u8)(major << 5 | 24);
		c->b[c->n++] = (u8)v;
	} else if (v < 65536) {
		c->b[c->n++] = (u8)(major << 5 | 25);
		c->b[c->n++] = (u8)(v >> 8);
		c->b[c->n++] = (u8)v;
	} else if (v <= 0xffffffffULL) {
		c->b[c->n++] = (u8)(major << 5 | 26);
		for (int i = 3; i >= 0; i--)
			c->b[c->n++] = (u8)(v >> (8 * i));
	} else {
		c->b[c->n++] = (u8)(major << 5 | 27);
		for (int i = 7; i >= 0; i--)
			c->b[c->n++] = (u8)(v >> (8 * i));
	}
}

static void cb_int(struct cb *c, s64 v)
{
	if (v >= 0)
		cb_head(c, 0, (u64)v);
	else
		cb_head(c, 1, (u64)(-1 - v));
}

static void cb_text(struct cb *c, const char *s)
{
	cb_head(c, 3, strlen(s));
	memcpy(c->b + c->n, s, strlen(s));
	c->n += strlen(s);
}

static void cb_f64(struct cb *c, double d)
{
	u64 bits;

	memcpy(&bits, &d, 8);
	c->b[c->n++] = 0xfb;
	for (int i = 7; i >= 0; i--)
		c->b[c->n++] = (u8)(bits >> (8 * i));
}

static void cb_simple(struct cb *c, u8 v) /* 20 false, 21 true, 22 null */
{
	c->b[c->n++] = 0xe0 | v;
}

/* --- filters beyond filter_build.h ---------------------------------------- */

static u64 dbits(double d)
{
	u64 b;

	memcpy(&b, &d, 8);
	return b;
}

static void fb_range(struct fb *b, const char *key, u8 aux, double lo,
		     double hi)
{
	u32 at = fb_head(b, VEXFS_FOP_RANGE, aux);

	fb_key(b, key);
	fb_le(b, aux & 3 ? dbits(lo) : 0, 8);
	fb_le(b, aux & 12 ? dbits(hi) : 0, 8);
	fb_end(b, at);
}

static void fb_range_dt(struct fb *b, const char *key, s64 lo, s64 hi)
{
	u32 at = fb_head(b, VEXFS_FOP_RANGE_DT,
			 VEXFS_FILTER_R_GTE | VEXFS_FILTER_R_LT);

	fb_key(b, key);
	fb_le(b, (u64)lo, 8);
	fb_le(b, (u64)hi, 8);
	fb_end(b, at);
}

static void fb_any_int(struct fb *b, const char *key, const s64 *v, u32 n)
{
	u32 at = fb_head(b, VEXFS_FOP_MATCH_ANY_INT, 0);

	fb_key(b, key);
	fb_le(b, n, 4);
	for (u32 i = 0; i < n; i++)
		fb_le(b, (u64)v[i], 8);
	fb_end(b, at);
}

static void fb_any_str(struct fb *b, const char *key, const char *const *v,
		       u32 n)
{
	u32 at = fb_head(b, VEXFS_FOP_MATCH_ANY_STR, 0);

	fb_key(b, key);
	fb_le(b, n, 4);
	for (u32 i = 0; i < n; i++) {
		fb_le(b, strlen(v[i]), 4);
		fb_put(b, v[i], (u32)strlen(v[i]));
	}
	fb_end(b, at);
}

static void fb_text(struct fb *b, const char *key, const char *s)
{
	u32 at = fb_head(b, VEXFS_FOP_MATCH_TEXT, 0);

	fb_key(b, key);
	fb_le(b, strlen(s), 4);
	fb_put(b, s, (u32)strlen(s));
	fb_end(b, at);
}

static void fb_box(struct fb *b, const char *key, double left, double top,
		   double right, double bottom)
{
	u32 at = fb_head(b, VEXFS_FOP_GEO_BOX, 0);

	fb_key(b, key);
	fb_le(b, dbits(left), 8);
	fb_le(b, dbits(top), 8);
	fb_le(b, dbits(right), 8);
	fb_le(b, dbits(bottom), 8);
	fb_end(b, at);
}

static struct vx_filter *load(struct fb *b)
{
	struct vx_filter *f = NULL;
	const char *why = NULL;
	u32 len = fb_finish(b);

	if (!len || vx_filter_load(b->buf, len, &f, &why)) {
		printf("# filter: %s\n", why ? why : "overflow");
		return NULL;
	}
	return f;
}

/* --- data ------------------------------------------------------------------ */

static const char *const words[] = { "alpha", "beta",  "gamma", "delta",
				     "eps",   "zeta",  "eta",	"theta",
				     "iota",  "kappa", "lambda" };
#define NWORDS (sizeof(words) / sizeof(words[0]))
static const char *const uuids[] = {
	"6ba7b810-9dad-11d1-80b4-00c04fd430c8",
	"6BA7B811-9DAD-11D1-80B4-00C04FD430C8",
	"123e4567e89b12d3a456426614174000",
	"00000000-0000-0000-0000-000000000001",
};

static u64 rng = 88172645463325252ULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* One value under key @k, of the kind the key's index wants, or not. */
static void value(struct cb *c, char k, int depth)
{
	u32 r = rnd() % 20;
	char buf[64];

	if (r == 0) {
		cb_simple(c, 22); /* null */
		return;
	}
	if (r == 1) {
		cb_text(c, "mismatch");
		return;
	}
	if (r == 2) {
		cb_int(c, (s64)(rnd() % 7));
		return;
	}
	if (r == 3 && depth == 0) {
		u32 n = rnd() % 4;

		cb_head(c, 4, n);
		for (u32 i = 0; i < n; i++)
			value(c, k, 1);
		return;
	}
	if (r == 4 && depth == 1) {
		cb_head(c, 4, 1); /* nested array */
		value(c, k, 2);
		return;
	}
	switch (k) {
	case 'i':
		if (r == 5)
			cb_f64(c, (double)(s64)(rnd() % 101 - 50) + 0.5);
		else if (r == 6)
			cb_int(c, (s64)(rnd() >> 2) * (r & 1 ? 1 : -1));
		else
			cb_int(c, (s64)(rnd() % 101) - 50);
		break;
	case 'f':
		if (r == 5)
			cb_f64(c, __builtin_nan(""));
		else
			cb_f64(c, (double)(s64)(rnd() % 2001 - 1000) / 8.0);
		break;
	case 's':
		cb_text(c, words[rnd() % NWORDS]);
		break;
	case 'b':
		cb_simple(c, rnd() & 1 ? 21 : 20);
		break;
	case 'u':
		cb_text(c, uuids[rnd() % 4]);
		break;
	case 'd':
		snprintf(buf, sizeof(buf), "2024-03-%02uT%02u:%02u:00Z",
			 (unsigned)(rnd() % 28 + 1), (unsigned)(rnd() % 24),
			 (unsigned)(rnd() % 60));
		cb_text(c, buf);
		break;
	case 'g':
		cb_head(c, 5, 2);
		cb_text(c, "lon");
		cb_f64(c, (double)(s64)(rnd() % 3600 - 1800) / 10.0);
		cb_text(c, "lat");
		if (r == 7)
			cb_int(c, (s64)(rnd() % 181) - 90);
		else
			cb_f64(c, (double)(s64)(rnd() % 1800 - 900) / 10.0);
		break;
	case 't':
		buf[0] = 0;
		for (u32 i = 0, n = rnd() % 5 + 1; i < n; i++) {
			strcat(buf, i ? (rnd() & 1 ? " " : ", ") : "");
			strcat(buf, words[rnd() % NWORDS]);
		}
		if (rnd() % 3 == 0)
			buf[0] = (char)(buf[0] - 'a' + 'A');
		cb_text(c, buf);
		break;
	}
}

static const char keys[] = "ifsbudgt";

static u32 make_payload_of(struct cb *c)
{
	u32 n = 0;
	u8 present = 0;

	c->n = 0;
	for (u32 i = 0; i < sizeof(keys) - 1; i++)
		if (rnd() % 8) {
			present |= 1 << i;
			n++;
		}
	cb_head(c, 5, n);
	for (u32 i = 0; i < sizeof(keys) - 1; i++) {
		char key[2] = { keys[i], 0 };

		if (!(present & (1 << i)))
			continue;
		cb_text(c, key);
		value(c, keys[i], 0);
	}
	return c->n;
}

static const u32 types[] = { VEXFS_INDEX_INTEGER, VEXFS_INDEX_FLOAT,
			     VEXFS_INDEX_KEYWORD, VEXFS_INDEX_BOOL,
			     VEXFS_INDEX_UUID,	  VEXFS_INDEX_DATETIME,
			     VEXFS_INDEX_GEO,	  VEXFS_INDEX_TEXT };

static float vec[DIM] = { 1, 0, 0, 0 };

static int upsert_random(struct vx_db *db, u64 id)
{
	struct cb c;
	struct vx_point_in in = { .id = { .kind = VEXFS_ID_NUM, .num = id },
				  .vec = vec };

	in.payload_len = make_payload_of(&c);
	in.payload = c.b;
	return vx_db_upsert(db, "c", 1, &in, 1);
}

static struct vx_db *open_db(struct crashdev *d)
{
	struct vx_db *db = vx_db_new();
	const char *why;

	if (vx_db_open(db, &d->bd, 0, &why))
		return NULL;
	return db;
}

static struct vx_db *remount(struct vx_db *db, struct crashdev **d,
			     bool checkpoint)
{
	struct crashdev *d2;

	if (vx_db_close(db, checkpoint))
		return NULL;
	vx_db_free(db);
	d2 = crashdev_new((*d)->bd.nr_blocks, crashdev_image(*d), 1);
	crashdev_free(*d);
	*d = d2;
	return open_db(*d);
}

/* Every pair of every index equals a fresh build's (content is exact). */
static bool indexes_exact(struct vx_collection *c)
{
	for (u32 i = 0; i < c->pidx.n; i++) {
		struct vx_pindex *ix = c->pidx.ix[i], *fresh;
		const struct vx_pi_tree *a, *b;
		bool ok = true;

		if (vx_pindex_build(&c->pidx, ix->type, ix->key, ix->key_len,
				    c->by_key, c->next_key, &fresh))
			return false;
		for (int t = 0; t < 2 && ok; t++) {
			u32 ca = 0, cb_ = 0, ea = 0, eb = 0;

			a = t ? &ix->others : &ix->vals;
			b = t ? &fresh->others : &fresh->vals;
			ok = a->n == b->n;
			while (ok && ca < a->nch && cb_ < b->nch) {
				const struct vx_pi_pair *x = &a->ch[ca]->e[ea];
				const struct vx_pi_pair *y = &b->ch[cb_]->e[eb];

				ok = x->v == y->v && x->k == y->k;
				if (++ea == a->ch[ca]->n) {
					ca++;
					ea = 0;
				}
				if (++eb == b->ch[cb_]->n) {
					cb_++;
					eb = 0;
				}
			}
		}
		ok = ok && ix->points == fresh->points && !ix->broken;
		if (!ok)
			printf("# index %.*s differs from a rebuild\n",
			       (int)ix->key_len, ix->key);
		vx_pindex_free(fresh);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * The filter through the planner: a candidate superset of the brute-force
 * matches (when @planned), and the count and scroll it gives equal the
 * scan's.
 */
static void check_filter(struct vx_collection *c, struct vx_filter *f,
			 bool planned, u64 *matches)
{
	struct vx_pindex_plan plan;
	u64 brute = 0, covered = 0;

	VX_ASSERT(f != NULL);
	VX_ASSERT_EQ(vx_collection_plan(c, f, ~0ULL, &plan), 0);
	VX_ASSERT_EQ(plan.have, planned);
	for (u64 k = 0; k < c->next_key; k++) {
		struct vx_point *p = c->by_key[k];
		u64 lo = 0, hi = plan.n;

		if (!p || !vx_point_matches(p, f))
			continue;
		brute++;
		while (lo < hi) { /* binary search of the sorted candidates */
			u64 mid = (lo + hi) / 2;

			if (plan.keys[mid] < k)
				lo = mid + 1;
			else
				hi = mid;
		}
		covered += lo < plan.n && plan.keys[lo] == k;
	}
	if (planned) {
		VX_ASSERT_EQ(covered, brute);
		VX_ASSERT(plan.n <= c->points.count);
	}
	VX_ASSERT_EQ(vx_collection_count_filter(c, f), brute);
	vx_pindex_plan_free(&plan);
	{ /* a filtered scroll, in pages, sees each match once */
		struct vexfs_point_id ids[97];
		u64 cursor = 0, seen = 0;

		while (cursor != ~0ULL) {
			u32 got = vx_collection_scroll_filter(c, &cursor, 97, f,
							      ids);

			for (u32 i = 0; i < got; i++)
				VX_ASSERT(vx_point_matches(
					vx_collection_find(c, &ids[i]), f));
			seen += got;
		}
		VX_ASSERT_EQ(seen, brute);
	}
	if (matches)
		*matches = brute;
}

static void check_all_filters(struct vx_collection *c)
{
	u8 buf[4096];
	struct fb b;
	struct vx_filter *f;
	u64 m, total = 0;

	for (s64 v = -3; v <= 3; v++) {
		fb_init(&b, buf, sizeof(buf));
		fb_match_int(&b, "i", v);
		f = load(&b);
		check_filter(c, f, true, &m);
		total += m;
		vx_filter_free(f);
	}
	VX_ASSERT(total > 0);
	{
		static const u8 auxes[] = {
			VEXFS_FILTER_R_GTE | VEXFS_FILTER_R_LTE,
			VEXFS_FILTER_R_GT | VEXFS_FILTER_R_LT,
			VEXFS_FILTER_R_GT, VEXFS_FILTER_R_LTE, 0
		};
		static const double bounds[][2] = {
			{ -10, 10 },  { -10.5, 10.5 }, { 0, 0 },
			{ 3.5, 3.5 }, { -1e30, 1e30 }, { 9.2e18, 1e19 }
		};

		for (u32 a = 0; a < sizeof(auxes); a++)
			for (u32 r = 0; r < 6; r++)
				for (const char *k = "if"; *k; k++) {
					char key[2] = { *k, 0 };

					fb_init(&b, buf, sizeof(buf));
					fb_range(&b, key, auxes[a],
						 bounds[r][0], bounds[r][1]);
					f = load(&b);
					check_filter(c, f, true, NULL);
					vx_filter_free(f);
				}
	}
	{
		static const s64 any[] = { -2, 0, 5, 40 };

		fb_init(&b, buf, sizeof(buf));
		fb_any_int(&b, "i", any, 4);
		f = load(&b);
		check_filter(c, f, true, NULL);
		vx_filter_free(f);
		fb_init(&b, buf, sizeof(buf));
		fb_match_int(&b, "f", 5); /* a float index answers ints */
		f = load(&b);
		check_filter(c, f, true, NULL);
		vx_filter_free(f);
	}
	for (u32 w = 0; w < NWORDS; w++) {
		fb_init(&b, buf, sizeof(buf));
		fb_match_str(&b, "s", words[w]);
		f = load(&b);
		check_filter(c, f, true, &m);
		VX_ASSERT(m > 0);
		vx_filter_free(f);
	}
	{
		static const char *const two[] = { "beta", "eta" };

		fb_init(&b, buf, sizeof(buf));
		fb_any_str(&b, "s", two, 2);
		f = load(&b);
		check_filter(c, f, true, NULL);
		vx_filter_free(f);
	}
	for (int v = 0; v < 2; v++) {
		fb_init(&b, buf, sizeof(buf));
		fb_match_bool(&b, "b", v);
		f = load(&b);
		check_filter(c, f, true, &m);
		VX_ASSERT(m > 0);
		vx_filter_free(f);
	}
	for (u32 u = 0; u < 4; u++) {
		fb_init(&b, buf, sizeof(buf));
		fb_match_str(&b, "u", uuids[u]);
		f = load(&b);
		check_filter(c, f, true, &m);
		VX_ASSERT(m > 0);
		vx_filter_free(f);
	}
	fb_init(&b, buf, sizeof(buf));
	fb_match_str(&b, "u", "mismatch"); /* not a UUID: only the others */
	f = load(&b);
	check_filter(c, f, true, &m);
	VX_ASSERT(m > 0);
	vx_filter_free(f);
	for (int day = 1; day < 28; day += 5) {
		s64 lo = (1709251200LL + (day - 1) * 86400LL) * 1000000;

		fb_init(&b, buf, sizeof(buf));
		fb_range_dt(&b, "d", lo, lo + 3 * 86400LL * 1000000);
		f = load(&b);
		check_filter(c, f, true, &m);
		VX_ASSERT(m > 0);
		vx_filter_free(f);
	}
	{
		static const double boxes[][4] = { { -10, 10, 10, -10 },
						   { -180, 90, 180, -90 },
						   { 0.05, 0.3, 0.25, 0.05 },
						   { 100.1, 45.5, 101.9, 44.5 },
						   { -180, 0, 0, -90 } };

		for (u32 i = 0; i < 5; i++) {
			fb_init(&b, buf, sizeof(buf));
			fb_box(&b, "g", boxes[i][0], boxes[i][1], boxes[i][2],
			       boxes[i][3]);
			f = load(&b);
			check_filter(c, f, true, NULL);
			vx_filter_free(f);
		}
		/* across the antimeridian: not planned, still right */
		fb_init(&b, buf, sizeof(buf));
		fb_box(&b, "g", 170, 10, -170, -10);
		f = load(&b);
		check_filter(c, f, false, NULL);
		vx_filter_free(f);
	}
	{
		static const char *const q[] = { "x beta gamma y", "a, eta b",
						 " alpha " };

		for (u32 i = 0; i < 3; i++) {
			fb_init(&b, buf, sizeof(buf));
			fb_text(&b, "t", q[i]);
			f = load(&b);
			check_filter(c, f, true, NULL);
			vx_filter_free(f);
		}
		/* no whole token in the query: a scan */
		fb_init(&b, buf, sizeof(buf));
		fb_text(&b, "t", "lph");
		f = load(&b);
		check_filter(c, f, false, &m);
		VX_ASSERT(m > 0);
		vx_filter_free(f);
	}
	/* AND: candidates intersected; HAS_ID; a key without an index */
	fb_init(&b, buf, sizeof(buf));
	fb_open(&b, VEXFS_FOP_AND, 2);
	fb_range(&b, "i", VEXFS_FILTER_R_GTE, 0, 0);
	fb_match_str(&b, "s", "gamma");
	fb_close(&b);
	f = load(&b);
	check_filter(c, f, true, NULL);
	vx_filter_free(f);
	{
		static const u64 ids[] = { 1, 7, 100, 2999, 5000 };

		fb_init(&b, buf, sizeof(buf));
		fb_has_id(&b, ids, 5);
		f = load(&b);
		check_filter(c, f, true, &m);
		vx_filter_free(f);
	}
	fb_init(&b, buf, sizeof(buf));
	fb_match_int(&b, "nokey", 1);
	f = load(&b);
	check_filter(c, f, false, NULL);
	vx_filter_free(f);
}

static int list_points(struct vx_collection *c, const char *key, u64 *points,
		       u32 *type)
{
	struct vx_index_info info;

	for (u32 i = 0; !vx_collection_index_at(c, i, &info); i++)
		if (info.key_len == strlen(key) &&
		    !memcmp(info.key, key, info.key_len)) {
			*points = info.points;
			*type = info.type;
			return 0;
		}
	return -ENOENT;
}

VX_TEST(every_type_matches_a_scan_through_updates_and_remounts)
{
	struct crashdev *d = crashdev_new(16384, NULL, 1);
	struct vexfs_collection_config cfg = {
		.dim = DIM, .distance = VEXFS_DISTANCE_EUCLID
	};
	struct vx_collection *c;
	struct vx_db *db;
	u64 pts;
	u32 type;

	VX_ASSERT_EQ(crashdev_mkfs(d, 0), 0);
	db = open_db(d);
	VX_ASSERT(db != NULL);
	VX_ASSERT_EQ(vx_db_create_collection(db, "c", 1, &cfg), 0);
	/* half the points before the indexes, half after */
	for (u64 id = 0; id < N / 2; id++)
		VX_ASSERT_EQ(upsert_random(db, id), 0);
	for (u32 i = 0; i < 8; i++) {
		char key[2] = { keys[i], 0 };

		VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, key, 1, types[i]),
			     0);
	}
	for (u64 id = N / 2; id < N; id++)
		VX_ASSERT_EQ(upsert_random(db, id), 0);
	c = vx_db_get_collection(db, "c", 1);
	VX_ASSERT(c && c->pidx.n == 8);
	VX_ASSERT(indexes_exact(c));
	VX_ASSERT_EQ(list_points(c, "s", &pts, &type), 0);
	VX_ASSERT_EQ(type, VEXFS_INDEX_KEYWORD);
	VX_ASSERT(pts > N / 2 && pts < N);
	check_all_filters(c);
	vx_db_put_collection(db, c);

	/* updates and deletes keep every index exact */
	for (u32 round = 0; round < 3; round++) {
		for (u32 i = 0; i < 400; i++)
			VX_ASSERT_EQ(upsert_random(db, rnd() % (N + 200)), 0);
		for (u32 i = 0; i < 150; i++) {
			struct vexfs_point_id id = { .kind = VEXFS_ID_NUM,
						     .num = rnd() % N };

			VX_ASSERT_EQ(vx_db_delete(db, "c", 1, &id, 1, NULL), 0);
		}
		c = vx_db_get_collection(db, "c", 1);
		VX_ASSERT(indexes_exact(c));
		check_all_filters(c);
		vx_db_put_collection(db, c);
		/* remount: by WAL replay, then from a checkpoint */
		db = remount(db, &d, round == 1);
		VX_ASSERT(db != NULL);
		c = vx_db_get_collection(db, "c", 1);
		VX_ASSERT(c && c->pidx.n == 8);
		for (u32 i = 0; i < 8; i++)
			VX_ASSERT_EQ(c->pidx.ix[i]->type, types[i]);
		VX_ASSERT(indexes_exact(c));
		check_all_filters(c);
		vx_db_put_collection(db, c);
	}
	{
		const char *why = NULL;

		VX_ASSERT_EQ(vx_db_verify(db, &why), 0);
	}
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

VX_TEST(range_boundaries_and_arrays)
{
	struct crashdev *d = crashdev_new(4096, NULL, 1);
	struct vexfs_collection_config cfg = {
		.dim = DIM, .distance = VEXFS_DISTANCE_EUCLID
	};
	struct vx_collection *c;
	struct vx_db *db;
	u8 buf[256];
	struct fb b;
	struct vx_filter *f;
	static const struct {
		u8 aux;
		double lo, hi;
		u64 want;
	} cases[] = {
		{ VEXFS_FILTER_R_GTE | VEXFS_FILTER_R_LTE, 10, 20, 11 },
		{ VEXFS_FILTER_R_GT | VEXFS_FILTER_R_LT, 10, 20, 9 },
		{ VEXFS_FILTER_R_GT | VEXFS_FILTER_R_LTE, 9.5, 10, 1 },
		{ VEXFS_FILTER_R_GTE, 99, 0, 1 + 1 }, /* 99 and 2^62 */
		{ VEXFS_FILTER_R_LT, 0, -0.0, 3 }, /* -1, -2, -2^62 */
		{ VEXFS_FILTER_R_GTE, 4611686018427387904.0, 0, 1 },
		{ VEXFS_FILTER_R_LTE, 0, -4611686018427387904.0, 1 },
	};

	VX_ASSERT_EQ(crashdev_mkfs(d, 0), 0);
	db = open_db(d);
	VX_ASSERT(db && !vx_db_create_collection(db, "c", 1, &cfg));
	VX_ASSERT_EQ(
		vx_db_index_create(db, "c", 1, "n", 1, VEXFS_INDEX_INTEGER), 0);
	/* n: 0..99 (as [v, v] for even ids), -1, -2, +-2^62 */
	for (s64 v = -4; v < 100; v++) {
		struct cb cb = { .n = 0 };
		struct vx_point_in in = { .id = { .kind = VEXFS_ID_NUM,
						  .num = (u64)(v + 4) },
					  .vec = vec };
		s64 x = v == -4 ? -(1LL << 62) : v == -3 ? (1LL << 62) : v;

		cb_head(&cb, 5, 1);
		cb_text(&cb, "n");
		if (v >= 0 && !(v & 1)) {
			cb_head(&cb, 4, 2);
			cb_int(&cb, x);
		}
		cb_int(&cb, x);
		in.payload = cb.b;
		in.payload_len = cb.n;
		VX_ASSERT_EQ(vx_db_upsert(db, "c", 1, &in, 1), 0);
	}
	c = vx_db_get_collection(db, "c", 1);
	VX_ASSERT_EQ(c->pidx.ix[0]->points, 104);
	VX_ASSERT_EQ(c->pidx.ix[0]->vals.n, 104); /* [v, v] once */
	for (u32 i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		u64 m;

		fb_init(&b, buf, sizeof(buf));
		fb_range(&b, "n", cases[i].aux, cases[i].lo, cases[i].hi);
		f = load(&b);
		check_filter(c, f, true, &m);
		if (m != cases[i].want)
			printf("# case %u: %llu\n", i, (unsigned long long)m);
		VX_ASSERT_EQ(m, cases[i].want);
		vx_filter_free(f);
	}
	vx_db_put_collection(db, c);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

VX_TEST(schema_rules_and_limits)
{
	struct crashdev *d = crashdev_new(4096, NULL, 1);
	struct vexfs_collection_config cfg = {
		.dim = DIM, .distance = VEXFS_DISTANCE_EUCLID
	};
	char key[VEXFS_KEY_MAX + 2];
	struct vx_collection *c;
	struct vx_db *db;
	u64 pts;
	u32 type;

	VX_ASSERT_EQ(crashdev_mkfs(d, 0), 0);
	db = open_db(d);
	VX_ASSERT(db && !vx_db_create_collection(db, "c", 1, &cfg));
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, "a", 1, 0), -EINVAL);
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, "a", 1, 9), -EINVAL);
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, "a[", 2, 1), -EINVAL);
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, "a", 0, 1), -EINVAL);
	memset(key, 'k', sizeof(key));
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, key, VEXFS_KEY_MAX + 1, 1),
		     -EINVAL);
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, key, VEXFS_KEY_MAX, 1), 0);
	VX_ASSERT_EQ(vx_db_index_create(db, "x", 1, "a", 1, 1), -ENOENT);
	VX_ASSERT_EQ(vx_db_index_delete(db, "c", 1, "a", 1), -ENOENT);
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, "a", 1, 1), 0);
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, "a", 1, 1), 0); /* again */
	VX_ASSERT_EQ(upsert_random(db, 1), 0);
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, "a", 1, 2),
		     0); /* replace */
	c = vx_db_get_collection(db, "c", 1);
	VX_ASSERT_EQ(c->pidx.n, 2);
	VX_ASSERT_EQ(list_points(c, "a", &pts, &type), 0);
	VX_ASSERT_EQ(type, 2);
	vx_db_put_collection(db, c);
	for (u32 i = 2; i < VEXFS_INDEXES_MAX; i++) {
		char k[8];

		snprintf(k, sizeof(k), "k%u", i);
		VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, k, strlen(k),
						1 + i % 8),
			     0);
	}
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, "over", 4, 1), -ENOSPC);
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, "a", 1, 3),
		     0); /* replace ok */
	VX_ASSERT_EQ(vx_db_index_delete(db, "c", 1, "a", 1), 0);
	VX_ASSERT_EQ(vx_db_index_delete(db, "c", 1, "a", 1), -ENOENT);
	VX_ASSERT_EQ(vx_db_index_create(db, "c", 1, "over", 4, 1), 0);
	db = remount(db, &d, true);
	VX_ASSERT(db != NULL);
	c = vx_db_get_collection(db, "c", 1);
	VX_ASSERT_EQ(c->pidx.n, VEXFS_INDEXES_MAX);
	VX_ASSERT_EQ(list_points(c, "a", &pts, &type), -ENOENT);
	VX_ASSERT_EQ(list_points(c, "over", &pts, &type), 0);
	vx_db_put_collection(db, c);
	{
		const char *why = NULL;

		VX_ASSERT_EQ(vx_db_verify(db, &why), 0);
	}
	/* dropping the collection drops its indexes */
	VX_ASSERT_EQ(vx_db_delete_collection(db, "c", 1), 0);
	VX_ASSERT_EQ(vx_db_create_collection(db, "c", 1, &cfg), 0);
	c = vx_db_get_collection(db, "c", 1);
	VX_ASSERT_EQ(c->pidx.n, 0);
	vx_db_put_collection(db, c);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

int main(void)
{
	return vx_run_tests();
}
