// SPDX-License-Identifier: GPL-2.0
/*
 * The 0.2 point operations through the database layer: payload edits,
 * vector update and delete, and filters in search, scroll, count and
 * delete, each checked against a brute-force loop, and each surviving WAL
 * replay and a checkpoint.
 */
#include "db.h"
#include "cbor.h"
#include "distance.h"
#include "filter.h"
#include "vxtest.h"
#include "crashdev.h"
#include "json_cbor.h"
#include "filter_build.h"

#define DIM 8
#define N 600

static float vecs[N][DIM];
static struct crashdev *dev;
static u32 coll_id;

static struct vx_db *open_db(void)
{
	struct vx_db *db = vx_db_new();
	const char *why;

	if (vx_db_open(db, &dev->bd, 0, &why)) {
		vx_db_free(db);
		return NULL;
	}
	return db;
}

/* Close (with or without a checkpoint) and mount the same bytes again. */
static struct vx_db *remount(struct vx_db *db, bool checkpoint)
{
	struct crashdev *d2;

	vx_db_close(db, checkpoint);
	vx_db_free(db);
	d2 = crashdev_new(8192, crashdev_image(dev), 1);
	crashdev_free(dev);
	dev = d2;
	return open_db();
}

static struct vexfs_point_id nid(u64 n)
{
	struct vexfs_point_id id = { .kind = VEXFS_ID_NUM, .num = n };

	return id;
}

/* A fresh db with collection "c": N points, payload {"a": i%5, "i": i}. */
static struct vx_db *setup(u32 n, u32 distance)
{
	struct vexfs_collection_config cfg = { .dim = DIM,
					       .distance = distance };
	static struct vx_point_in in[8192];
	static u8 pl[8192][32];
	struct vx_collection *c;
	struct vx_db *db;
	u64 rng = 11;

	dev = crashdev_new(8192, NULL, 1);
	/* an 8 MiB WAL: records up to 2 MiB, for payloads near the limit */
	if (crashdev_mkfs(dev, 2048))
		return NULL;
	db = open_db();
	if (!db || vx_db_create_collection(db, "c", 1, &cfg))
		return NULL;
	for (u32 i = 0; i < n; i++) {
		char js[64];

		for (int k = 0; k < DIM; k++) {
			rng = rng * 6364136223846793005ULL + 1;
			if (i < N)
				vecs[i][k] =
					(float)(rng >> 40) / (float)(1 << 24);
		}
		snprintf(js, sizeof(js), "{\"a\":%u,\"i\":%u}", i % 5, i);
		in[i].id = nid(i);
		in[i].vec = vecs[i % N];
		in[i].payload = pl[i];
		in[i].payload_len = (u32)json_cbor(js, pl[i], sizeof(pl[i]));
	}
	for (u32 at = 0; at < n; at += 1000)
		if (vx_db_upsert(db, "c", 1, in + at, min_t(u32, 1000, n - at)))
			return NULL;
	c = vx_db_get_collection(db, "c", 1);
	coll_id = c->id;
	vx_db_put_collection(db, c);
	return db;
}

static void teardown(struct vx_db *db)
{
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(dev);
	dev = NULL;
}

/* The payload of point @n as JSON ("-" if absent), in a static buffer. */
static const char *payload_json(struct vx_db *db, u64 n)
{
	static char out[4096];
	struct vx_collection *c = vx_db_get_collection_id(db, coll_id);
	struct vexfs_point_id id = nid(n);
	struct vx_point *p = vx_collection_find(c, &id);

	if (!p)
		strcpy(out, "-");
	else if (!p->payload_len)
		strcpy(out, "{}");
	else if (vx_cbor_to_json(vx_point_payload(p), p->payload_len, out,
				 sizeof(out)) < 0)
		strcpy(out, "<bad>");
	vx_db_put_collection(db, c);
	return out;
}

/* Point @n: 1 with a vector, 0 without, -1 absent. */
static int has_vec(struct vx_db *db, u64 n)
{
	struct vx_collection *c = vx_db_get_collection_id(db, coll_id);
	struct vexfs_point_id id = nid(n);
	struct vx_point *p = vx_collection_find(c, &id);
	int r = p ? p->dim != 0 : -1;

	vx_db_put_collection(db, c);
	return r;
}

static int payload_op(struct vx_db *db, u32 op, const char *json,
		      const char *key, const u64 *ids, u32 n,
		      const struct vx_filter *f, u64 *updated)
{
	static u8 cb[4096];
	struct vexfs_point_id pid[64];
	struct vx_payload_edit e = { .op = op };

	if (json) {
		e.len = (u32)json_cbor(json, cb, sizeof(cb));
		e.cbor = cb;
	}
	if (key) {
		e.key = key;
		e.key_len = (u32)strlen(key);
	}
	for (u32 i = 0; i < n; i++)
		pid[i] = nid(ids[i]);
	return vx_db_payload_id(db, coll_id, &e, n ? pid : NULL, n, f, updated);
}

static struct vx_filter *load(const u8 *code, u32 len)
{
	struct vx_filter *f = NULL;
	const char *why = NULL;

	if (vx_filter_load(code, len, &f, &why)) {
		fprintf(stderr, "# filter refused: %s\n", why ? why : "?");
		return NULL;
	}
	return f;
}

/* a == v */
static struct vx_filter *f_eq(const char *key, s64 v)
{
	static u8 buf[256];
	struct fb b;

	fb_init(&b, buf, sizeof(buf));
	fb_match_int(&b, key, v);
	return load(buf, fb_finish(&b));
}

#define EXPECT(got, want)                   \
	VX_ASSERT(!strcmp((got), (want)) || \
		  (fprintf(stderr, "# got %s want %s\n", (got), (want)), 0))

VX_TEST(payload_ops_by_ids)
{
	struct vx_db *db = setup(20, VEXFS_DISTANCE_EUCLID);
	const u64 ids[] = { 1, 2, 3 }, bad[] = { 4, 999 };
	u64 upd = 0;

	VX_ASSERT(db != NULL);
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_SET, "{\"b\":[1,2],\"a\":7}",
				NULL, ids, 3, NULL, &upd),
		     0);
	VX_ASSERT_EQ(upd, 3);
	EXPECT(payload_json(db, 2), "{\"a\":7,\"i\":2,\"b\":[1,2]}");
	EXPECT(payload_json(db, 4), "{\"a\":4,\"i\":4}");
	/* with a key: merged into the object there, created */
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_SET, "{\"z\":1}", "n.m", ids,
				1, NULL, NULL),
		     0);
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_SET, "{\"y\":2}", "n.m", ids,
				1, NULL, NULL),
		     0);
	EXPECT(payload_json(db, 1),
	       "{\"a\":7,\"i\":1,\"b\":[1,2],\"n\":{\"m\":{\"z\":1,\"y\":2}}}");
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_DELETE_KEYS,
				"[\"n.m.z\",\"b\",\"nope\"]", NULL, ids, 1,
				NULL, NULL),
		     0);
	EXPECT(payload_json(db, 1),
	       "{\"a\":7,\"i\":1,\"n\":{\"m\":{\"y\":2}}}");
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_OVERWRITE, "{\"o\":true}",
				NULL, ids + 1, 2, NULL, NULL),
		     0);
	EXPECT(payload_json(db, 2), "{\"o\":true}");
	EXPECT(payload_json(db, 3), "{\"o\":true}");
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_CLEAR, NULL, NULL, ids + 2, 1,
				NULL, NULL),
		     0);
	EXPECT(payload_json(db, 3), "{}");
	/* a missing id: -ENOENT and the present one is untouched */
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_SET, "{\"x\":1}", NULL, bad,
				2, NULL, NULL),
		     -ENOENT);
	EXPECT(payload_json(db, 4), "{\"a\":4,\"i\":4}");
	/* malformed requests */
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_SET, "[1]", NULL, ids, 1,
				NULL, NULL),
		     -EINVAL);
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_DELETE_KEYS, "{\"a\":1}",
				NULL, ids, 1, NULL, NULL),
		     -EINVAL);
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_OVERWRITE, "{\"a\":1}", "k",
				ids, 1, NULL, NULL),
		     -EINVAL);
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_CLEAR, "{}", NULL, ids, 1,
				NULL, NULL),
		     -EINVAL);
	VX_ASSERT_EQ(payload_op(db, 9, "{}", NULL, ids, 1, NULL, NULL),
		     -EINVAL);
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_CLEAR, NULL, NULL, NULL, 0,
				NULL, NULL),
		     -EINVAL); /* neither ids nor a filter */
	{
		static u8 junk[] = { 0xa1, 0x61, 'a', 0x1f };

		struct vx_payload_edit e = { .op = VEXFS_PAYLOAD_SET,
					     .cbor = junk,
					     .len = sizeof(junk) };
		struct vexfs_point_id one = nid(1);

		VX_ASSERT_EQ(vx_db_payload_id(db, coll_id, &e, &one, 1, NULL,
					      NULL),
			     -EINVAL);
	}
	/* all of it replays from the WAL, then from a checkpoint */
	for (int pass = 0; pass < 2; pass++) {
		db = remount(db, pass == 1);
		VX_ASSERT(db != NULL);
		EXPECT(payload_json(db, 1),
		       "{\"a\":7,\"i\":1,\"n\":{\"m\":{\"y\":2}}}");
		EXPECT(payload_json(db, 2), "{\"o\":true}");
		EXPECT(payload_json(db, 3), "{}");
		EXPECT(payload_json(db, 4), "{\"a\":4,\"i\":4}");
		VX_ASSERT_EQ(has_vec(db, 3), 1);
	}
	teardown(db);
}

VX_TEST(payload_too_big_is_refused_whole)
{
	struct vx_db *db = setup(4, VEXFS_DISTANCE_DOT);
	static u8 big[VEXFS_PAYLOAD_MAX / 2 + 64];
	u32 half = sizeof(big);
	struct vexfs_point_id ids[2] = { nid(0), nid(1) };
	struct vx_payload_edit e = { .op = VEXFS_PAYLOAD_SET,
				     .cbor = big,
				     .len = half };

	VX_ASSERT(db != NULL);
	big[0] = 0xa1;
	big[1] = 0x61;
	big[2] = 'p';
	big[3] = 0x7a;
	big[4] = (u8)((half - 8) >> 24);
	big[5] = (u8)((half - 8) >> 16);
	big[6] = (u8)((half - 8) >> 8);
	big[7] = (u8)(half - 8);
	memset(big + 8, 'x', half - 8);
	e.key = "k1";
	e.key_len = 2;
	VX_ASSERT_EQ(vx_db_payload_id(db, coll_id, &e, ids, 1, NULL, NULL), 0);
	e.key = "k2";
	/* point 0 would exceed VEXFS_PAYLOAD_MAX: point 1 is not changed */
	VX_ASSERT_EQ(vx_db_payload_id(db, coll_id, &e, ids, 2, NULL, NULL),
		     -E2BIG);
	EXPECT(payload_json(db, 1), "{\"a\":1,\"i\":1}");
	teardown(db);
}

VX_TEST(payload_by_filter_matches_brute_force)
{
	struct vx_db *db = setup(N, VEXFS_DISTANCE_EUCLID);
	struct vx_filter *f = f_eq("a", 2), *tag = f_eq("tag", 1);
	struct vx_collection *c;
	u64 upd = 0;

	VX_ASSERT(db && f && tag);
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_SET, "{\"tag\":1}", NULL,
				NULL, 0, f, &upd),
		     0);
	VX_ASSERT_EQ(upd, N / 5);
	c = vx_db_get_collection_id(db, coll_id);
	VX_ASSERT_EQ(vx_collection_count_filter(c, tag), N / 5);
	vx_db_put_collection(db, c);
	for (u64 i = 0; i < N; i++) {
		char want[64];

		if (i % 5 == 2)
			snprintf(want, sizeof(want),
				 "{\"a\":2,\"i\":%llu,\"tag\":1}",
				 (unsigned long long)i);
		else
			snprintf(want, sizeof(want), "{\"a\":%llu,\"i\":%llu}",
				 (unsigned long long)(i % 5),
				 (unsigned long long)i);
		EXPECT(payload_json(db, i), want);
	}
	/* a filter matching nothing changes nothing */
	upd = 99;
	vx_filter_free(f);
	f = f_eq("a", 77);
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_CLEAR, NULL, NULL, NULL, 0, f,
				&upd),
		     0);
	VX_ASSERT_EQ(upd, 0);
	db = remount(db, false);
	VX_ASSERT(db != NULL);
	c = vx_db_get_collection_id(db, coll_id);
	VX_ASSERT_EQ(vx_collection_count_filter(c, tag), N / 5);
	vx_db_put_collection(db, c);
	vx_filter_free(f);
	vx_filter_free(tag);
	teardown(db);
}

/* Points beyond one filtered batch (4096) are all rewritten. */
VX_TEST(filter_ops_span_several_batches)
{
	const u32 n = 6000;
	struct vx_db *db = setup(n, VEXFS_DISTANCE_DOT);
	struct vx_filter *all = f_eq("a", 1), *tag = f_eq("t", 5);
	struct vx_collection *c;
	static u8 buf[64];
	struct vx_filter *odd;
	struct fb b;
	u64 upd = 0, del = 0;

	VX_ASSERT(db && all && tag);
	vx_filter_free(all);
	/* NOT a == 1: 4800 points */
	fb_init(&b, buf, sizeof(buf));
	fb_open(&b, VEXFS_FOP_NOT, 1);
	fb_match_int(&b, "a", 1);
	fb_close(&b);
	all = load(buf, fb_finish(&b));
	VX_ASSERT(all != NULL);
	VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_SET, "{\"t\":5}", NULL, NULL,
				0, all, &upd),
		     0);
	VX_ASSERT_EQ(upd, n - n / 5);
	c = vx_db_get_collection_id(db, coll_id);
	VX_ASSERT_EQ(vx_collection_count_filter(c, tag), n - n / 5);
	vx_db_put_collection(db, c);
	VX_ASSERT_EQ(vx_db_vectors_delete_id(db, coll_id, NULL, 0, tag, &upd),
		     0);
	VX_ASSERT_EQ(upd, n - n / 5);
	odd = f_eq("a", 3);
	VX_ASSERT_EQ(vx_db_delete_filter_id(db, coll_id, odd, &del), 0);
	VX_ASSERT_EQ(del, n / 5);
	db = remount(db, false);
	VX_ASSERT(db != NULL);
	c = vx_db_get_collection_id(db, coll_id);
	VX_ASSERT_EQ(vx_collection_count(c), n - n / 5);
	VX_ASSERT_EQ(vx_collection_count_filter(c, tag), n - 2 * (n / 5));
	VX_ASSERT_EQ(vx_collection_count_filter(c, odd), 0);
	/* only the a == 1 points keep a vector */
	VX_ASSERT_EQ(vx_vindex_count(c->vi), n / 5);
	vx_db_put_collection(db, c);
	vx_filter_free(all);
	vx_filter_free(tag);
	vx_filter_free(odd);
	teardown(db);
}

/* Brute force: ids of the @k nearest points with a vector that match. */
static u32 brute_knn(struct vx_db *db, const float *q,
		     const struct vx_filter *f, u32 k, u64 *out)
{
	struct vx_collection *c = vx_db_get_collection_id(db, coll_id);
	static float best[N];
	u32 n = 0;

	for (u64 i = 0; i < N; i++) {
		struct vexfs_point_id id = nid(i);
		struct vx_point *p = vx_collection_find(c, &id);
		float d = 0;
		u32 at;

		if (!p || !p->dim || !vx_point_matches(p, f))
			continue;
		for (int j = 0; j < DIM; j++)
			d += (q[j] - vecs[i][j]) * (q[j] - vecs[i][j]);
		/* insertion into the sorted top k */
		at = n < k ? n++ : k;
		while (at > 0 && best[at - 1] > d) {
			if (at < k) {
				best[at] = best[at - 1];
				out[at] = out[at - 1];
			}
			at--;
		}
		if (at < k) {
			best[at] = d;
			out[at] = i;
		}
	}
	vx_db_put_collection(db, c);
	return n;
}

static bool contains(const u64 *a, u32 n, u64 v)
{
	for (u32 i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

/* Check search, scroll and count with @f against brute force. */
static bool check_filter(struct vx_db *db, const struct vx_filter *f,
			 const char *what)
{
	struct vx_collection *c = vx_db_get_collection_id(db, coll_id);
	static struct vexfs_point_id ids[N];
	static bool in_set[N];
	struct vx_db_hit hits[20];
	u64 want[20], cursor = 0, matches = 0, scrolled = 0;
	bool ok = true;
	u32 nh;

	for (u64 i = 0; i < N; i++) {
		struct vexfs_point_id id = nid(i);
		struct vx_point *p = vx_collection_find(c, &id);

		in_set[i] = p && vx_point_matches(p, f);
		matches += in_set[i];
	}
	ok = ok && vx_collection_count_filter(c, f) == matches;
	while (ok && cursor != ~0ULL) {
		u32 n = vx_collection_scroll_filter(c, &cursor, 7, f, ids);

		for (u32 i = 0; i < n; i++)
			ok = ok && in_set[ids[i].num];
		scrolled += n;
	}
	ok = ok && scrolled == matches;
	vx_db_put_collection(db, c);
	for (u64 qi = 3; ok && qi < N; qi += 97) {
		u32 nw = brute_knn(db, vecs[qi], f, 20, want);

		c = vx_db_get_collection_id(db, coll_id);
		for (int exact = 0; exact < 2 && ok; exact++) {
			VX_ASSERT_EQ(vx_collection_search_filter(
					     c, vecs[qi], 1, 20, 0, 0,
					     exact ? VEXFS_SEARCH_EXACT : 0, f,
					     hits, &nh),
				     0);
			ok = nh == min_t(u32, nw, 20);
			for (u32 h = 0; ok && h < nh; h++)
				ok = in_set[hits[h].id.num] &&
				     (!exact ||
				      contains(want, nw < 20 ? nw : 20,
					       hits[h].id.num));
		}
		vx_db_put_collection(db, c);
	}
	if (!ok)
		fprintf(stderr, "# filter %s: mismatch (%llu matches)\n", what,
			(unsigned long long)matches);
	return ok;
}

VX_TEST(filters_in_search_scroll_count_delete)
{
	struct vx_db *db = setup(N, VEXFS_DISTANCE_EUCLID);
	static u8 buf[1024];
	struct vx_filter *f[5];
	u64 some[] = { 3, 10, 11, 250, 599, 600 }, del = 0;
	struct fb b;

	VX_ASSERT(db != NULL);
	/* a graph, so that filtered graph search is exercised */
	while (1) {
		u64 left;

		VX_ASSERT_EQ(vx_db_index_pending(db, 1000, &left), 0);
		if (!left)
			break;
	}
	f[0] = f_eq("a", 3);
	fb_init(&b, buf, sizeof(buf)); /* (a == 1 OR i == 7) AND has_vector */
	fb_open(&b, VEXFS_FOP_AND, 2);
	fb_open(&b, VEXFS_FOP_OR, 2);
	fb_match_int(&b, "a", 1);
	fb_match_int(&b, "i", 7);
	fb_close(&b);
	fb_has_vector(&b);
	fb_close(&b);
	f[1] = load(buf, fb_finish(&b));
	fb_init(&b, buf, sizeof(buf));
	fb_has_id(&b, some, 6);
	f[2] = load(buf, fb_finish(&b));
	fb_init(&b, buf, sizeof(buf));
	fb_open(&b, VEXFS_FOP_NOT, 1);
	fb_has_vector(&b);
	fb_close(&b);
	f[3] = load(buf, fb_finish(&b));
	f[4] = f_eq("i", 599);
	for (int i = 0; i < 5; i++)
		VX_ASSERT(f[i] != NULL);
	/* drop some vectors: filters and searches must see it */
	{
		struct vexfs_point_id v[3] = { nid(13), nid(21), nid(599) };
		u64 upd;

		VX_ASSERT_EQ(vx_db_vectors_delete_id(db, coll_id, v, 3, NULL,
						     &upd),
			     0);
		VX_ASSERT_EQ(upd, 3);
		/* again: they have none, nothing to do */
		VX_ASSERT_EQ(vx_db_vectors_delete_id(db, coll_id, v, 3, NULL,
						     &upd),
			     0);
		VX_ASSERT_EQ(upd, 0);
	}
	for (int pass = 0; pass < 2; pass++) {
		VX_ASSERT(check_filter(db, f[0], "a==3"));
		VX_ASSERT(check_filter(db, f[1], "(a==1|i==7)&has_vector"));
		VX_ASSERT(check_filter(db, f[2], "has_id"));
		VX_ASSERT(check_filter(db, f[3], "!has_vector"));
		VX_ASSERT(check_filter(db, f[4], "i==599 (no vector)"));
		VX_ASSERT(check_filter(db, NULL, "none"));
		db = remount(db, pass == 0);
		VX_ASSERT(db != NULL);
	}
	/* filtered delete removes exactly the matches */
	VX_ASSERT_EQ(vx_db_delete_filter_id(db, coll_id, f[0], &del), 0);
	VX_ASSERT_EQ(del, N / 5);
	for (u64 i = 0; i < N; i++)
		VX_ASSERT_EQ(has_vec(db, i) < 0, i % 5 == 3);
	VX_ASSERT(check_filter(db, f[1], "after delete"));
	VX_ASSERT_EQ(vx_db_delete_filter_id(db, coll_id, NULL, &del), -EINVAL);
	for (int i = 0; i < 5; i++)
		vx_filter_free(f[i]);
	teardown(db);
}

VX_TEST(vectors_update_and_delete)
{
	struct vx_db *db = setup(50, VEXFS_DISTANCE_EUCLID);
	struct vexfs_point_id ids[2] = { nid(5), nid(6) },
			      miss[2] = { nid(7), nid(77) };
	float nv[2 * DIM], far[DIM];
	struct vx_db_hit hits[50];
	struct vx_collection *c;
	u32 nh;
	u64 upd = 0;

	VX_ASSERT(db != NULL);
	for (int k = 0; k < DIM; k++) {
		nv[k] = 100.0f + (float)k;
		nv[DIM + k] = -100.0f;
		far[k] = 100.0f + (float)k;
	}
	VX_ASSERT_EQ(vx_db_vectors_update_id(db, coll_id, ids, nv, 2, &upd), 0);
	VX_ASSERT_EQ(upd, 2);
	/* a missing id: nothing changes */
	VX_ASSERT_EQ(vx_db_vectors_update_id(db, coll_id, miss, nv, 2, NULL),
		     -ENOENT);
	nv[0] = 1.0f / 0.0f;
	VX_ASSERT_EQ(vx_db_vectors_update_id(db, coll_id, ids, nv, 1, NULL),
		     -EINVAL);
	c = vx_db_get_collection_id(db, coll_id);
	VX_ASSERT_EQ(vx_collection_search(c, far, 1, 1, 0, 0, 0, hits, &nh), 0);
	VX_ASSERT_EQ(nh, 1);
	VX_ASSERT_EQ(hits[0].id.num, 5);
	{
		struct vexfs_point_id id7 = nid(7);
		struct vx_point *p = vx_collection_find(c, &id7);

		VX_ASSERT(!memcmp(vx_point_vec(p), vecs[7], sizeof(vecs[7])));
	}
	vx_db_put_collection(db, c);
	/* delete 5's vector: never a hit, still there with its payload */
	VX_ASSERT_EQ(vx_db_vectors_delete_id(db, coll_id, ids, 1, NULL, &upd),
		     0);
	VX_ASSERT_EQ(upd, 1);
	for (int pass = 0; pass < 3; pass++) {
		c = vx_db_get_collection_id(db, coll_id);
		VX_ASSERT_EQ(vx_collection_search(c, far, 1, 50, 0, 0, 0, hits,
						  &nh),
			     0);
		VX_ASSERT_EQ(nh, 49);
		for (u32 h = 0; h < nh; h++)
			VX_ASSERT(hits[h].id.num != 5);
		VX_ASSERT_EQ(vx_collection_count(c), 50);
		VX_ASSERT_EQ(vx_vindex_count(c->vi), 49);
		vx_db_put_collection(db, c);
		EXPECT(payload_json(db, 5), "{\"a\":0,\"i\":5}");
		VX_ASSERT_EQ(has_vec(db, 5), 0);
		/* a payload edit keeps the point vectorless */
		if (pass == 0)
			VX_ASSERT_EQ(payload_op(db, VEXFS_PAYLOAD_SET,
						"{\"a\":0}", NULL,
						(const u64[]){ 5 }, 1, NULL,
						NULL),
				     0);
		{
			const char *why = "";

			VX_ASSERT_EQ(vx_db_verify(db, &why), 0);
		}
		db = remount(db, pass == 1);
		VX_ASSERT(db != NULL);
	}
	/* an update gives it a vector again */
	VX_ASSERT_EQ(vx_db_vectors_update_id(db, coll_id, ids, far, 1, NULL),
		     0);
	VX_ASSERT_EQ(has_vec(db, 5), 1);
	c = vx_db_get_collection_id(db, coll_id);
	VX_ASSERT_EQ(vx_collection_search(c, far, 1, 1, 0, 0, 0, hits, &nh), 0);
	VX_ASSERT_EQ(hits[0].id.num, 5);
	vx_db_put_collection(db, c);
	teardown(db);
}

int main(void)
{
	vx_dist_init();
	return vx_run_tests();
}
