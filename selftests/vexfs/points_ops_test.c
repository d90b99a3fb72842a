// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs.ko selftests: the 0.2 data plane. Payload edits (VEXFS_IOC_PAYLOAD),
 * vector update and delete, and filters in search, scroll, count and
 * delete: function checked against brute force and against the userspace
 * build of the core fed the same operations (parity); permissions, bad
 * pointers, huge counts, malformed filters and CBOR; persistence.
 *
 * Runs as root in the test guest (see vexfs_selftest.h).
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "vexfs_selftest.h"
#include "db.h"
#include "cbor.h"
#include "distance.h"
#include "filter.h"
#include "tests/unit/crashdev.h"
#include "tests/unit/json_cbor.h"
#include "tests/unit/filter_build.h"

#define DIM 8
#define NP 400
#define BAD_PTR 16ull
#define KERNEL_PTR 0xffff888000000000ull

static int ioc(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static float vecs[NP][DIM];

/* Point i: vecs[i] and payload {"a": i % 5, "i": i}. */
static int fill(int fd, uint32_t n)
{
	struct vexfs_point_id ids[NP];
	uint32_t lens[NP];
	uint8_t pl[NP * 16], *p = pl;
	uint64_t s = 7;

	for (uint32_t i = 0; i < n; i++) {
		char js[48];

		for (int d = 0; d < DIM; d++)
			vecs[i][d] = vxt_rand(&s);
		ids[i] = vexfs_id_num(i);
		snprintf(js, sizeof(js), "{\"a\":%u,\"i\":%u}", i % 5, i);
		lens[i] = (uint32_t)json_cbor(js, p, 16);
		p += lens[i];
	}
	return vexfs_upsert(fd, n, DIM, ids, &vecs[0][0], lens, pl);
}

/* The payload of point @n as JSON, "-" if absent. */
static const char *payload_of(int fd, uint64_t n)
{
	static char js[4096];
	struct vexfs_point_id id = vexfs_id_num(n);
	uint8_t found = 0, pl[4096];
	uint32_t len = 0;
	uint64_t size = sizeof(pl);

	if (vexfs_get(fd, 1, &id, &found, NULL, &len, pl, &size) != 1)
		return "-";
	if (!len)
		return "{}";
	if (vx_cbor_to_json(pl, len, js, sizeof(js)) < 0)
		return "<bad>";
	return js;
}

/* 1: has a vector, 0: has none, -1: absent. */
static int has_vector(int fd, uint64_t n)
{
	struct vexfs_point_id id = vexfs_id_num(n);
	uint8_t found = 0, hv = 7;
	float v[DIM];
	struct vexfs_get g = { .count = 1,
			       .flags = VEXFS_GET_VECTOR,
			       .ids = (uintptr_t)&id,
			       .found = (uintptr_t)&found,
			       .vectors = (uintptr_t)v,
			       .has_vector = (uintptr_t)&hv };

	if (vexfs_get_ex(fd, &g))
		return -2;
	return found ? hv : -1;
}

static int pl_op(int fd, uint32_t op, const char *json, const char *key,
		 const uint64_t *nums, uint32_t n, const void *filter,
		 uint32_t flen)
{
	static uint8_t cb[4096];
	struct vexfs_point_id ids[16];
	struct vexfs_payload_op o = { .op = op, .count = n };

	for (uint32_t i = 0; i < n; i++)
		ids[i] = vexfs_id_num(nums[i]);
	o.ids = (uintptr_t)ids;
	if (json) {
		o.payload = (uintptr_t)cb;
		o.payload_len = (uint32_t)json_cbor(json, cb, sizeof(cb));
	}
	if (key) {
		o.key = (uintptr_t)key;
		o.key_len = (uint32_t)strlen(key);
	}
	if (!n) {
		o.filter.code = (uintptr_t)filter;
		o.filter.len = flen;
	}
	return vexfs_payload(fd, &o);
}

/* MATCH_INT key == v as bytecode in @buf; returns its length. */
static uint32_t f_eq(uint8_t *buf, uint32_t cap, const char *key, int64_t v)
{
	struct fb b;

	fb_init(&b, buf, cap);
	fb_match_int(&b, key, v);
	return fb_finish(&b);
}

FIXTURE(coll)
{
	struct vexfs *vx;
	int fd;
};

FIXTURE_SETUP(coll)
{
	struct vexfs_collection_config c;
	int fd = -1;

	self->fd = -1;
	ASSERT_EQ(0, vxt_up(&self->vx));
	vexfs_config_init(&c, DIM, VEXFS_DISTANCE_EUCLID);
	c.full_scan_threshold = 1; /* searches through the graph */
	if (!vexfs_coll_create(self->vx, "c", &c))
		fd = vexfs_coll_open(self->vx, "c");
	if (fd < 0)
		vxt_down(self->vx);
	ASSERT_LE(0, fd);
	self->fd = fd;
	ASSERT_EQ(0, fill(fd, NP));
}

FIXTURE_TEARDOWN(coll)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, vxt_down(self->vx));
	EXPECT_FALSE(vxt_module_loaded());
}

TEST_F(coll, payload_ops)
{
	const uint64_t ids[] = { 1, 2, 3 }, bad[] = { 4, 100000 };
	uint8_t f[64];
	uint64_t n = 0;

	EXPECT_EQ(3, pl_op(self->fd, VEXFS_PAYLOAD_SET, "{\"b\":[1],\"a\":9}",
			   NULL, ids, 3, NULL, 0));
	EXPECT_STREQ("{\"a\":9,\"i\":2,\"b\":[1]}", payload_of(self->fd, 2));
	EXPECT_EQ(1, pl_op(self->fd, VEXFS_PAYLOAD_SET, "{\"z\":1}", "n.m", ids,
			   1, NULL, 0));
	EXPECT_STREQ("{\"a\":9,\"i\":1,\"b\":[1],\"n\":{\"m\":{\"z\":1}}}",
		     payload_of(self->fd, 1));
	EXPECT_EQ(1, pl_op(self->fd, VEXFS_PAYLOAD_DELETE_KEYS,
			   "[\"n.m.z\",\"b\"]", NULL, ids, 1, NULL, 0));
	EXPECT_STREQ("{\"a\":9,\"i\":1,\"n\":{\"m\":{}}}",
		     payload_of(self->fd, 1));
	EXPECT_EQ(1, pl_op(self->fd, VEXFS_PAYLOAD_OVERWRITE, "{\"o\":true}",
			   NULL, ids + 1, 1, NULL, 0));
	EXPECT_STREQ("{\"o\":true}", payload_of(self->fd, 2));
	EXPECT_EQ(1, pl_op(self->fd, VEXFS_PAYLOAD_CLEAR, NULL, NULL, ids + 2,
			   1, NULL, 0));
	EXPECT_STREQ("{}", payload_of(self->fd, 3));
	/* one id missing: -ENOENT, and point 4 is untouched */
	EXPECT_EQ(-ENOENT, pl_op(self->fd, VEXFS_PAYLOAD_CLEAR, NULL, NULL, bad,
				 2, NULL, 0));
	EXPECT_STREQ("{\"a\":4,\"i\":4}", payload_of(self->fd, 4));
	/* by filter: a == 2 (80 points, 2 of them edited above: not a 2) */
	EXPECT_EQ(NP / 5 - 1,
		  pl_op(self->fd, VEXFS_PAYLOAD_SET, "{\"tag\":1}", NULL, NULL,
			0, f, f_eq(f, sizeof(f), "a", 2)));
	EXPECT_EQ(0, vexfs_count_filter(self->fd, f,
					f_eq(f, sizeof(f), "tag", 1), &n));
	EXPECT_EQ(NP / 5 - 1, n);
	EXPECT_STREQ("{\"a\":2,\"i\":7,\"tag\":1}", payload_of(self->fd, 7));
	/* durable */
	close(self->fd); /* an open directory keeps the mount busy */
	self->fd = -1;
	ASSERT_EQ(0, vxt_remount(&self->vx));
	self->fd = vexfs_coll_open(self->vx, "c");
	ASSERT_LE(0, self->fd);
	EXPECT_STREQ("{\"a\":2,\"i\":7,\"tag\":1}", payload_of(self->fd, 7));
	EXPECT_STREQ("{\"a\":9,\"i\":1,\"n\":{\"m\":{}}}",
		     payload_of(self->fd, 1));
	EXPECT_STREQ("{}", payload_of(self->fd, 3));
}

/* Read a whole small file under the mount; returns its length or -errno. */
static int read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -errno;
	n = (int)read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

TEST_F(coll, vectors_update_and_delete)
{
	struct vexfs_point_id ids[2] = { vexfs_id_num(5), vexfs_id_num(6) },
			      miss[2] = { vexfs_id_num(7),
					  vexfs_id_num(100000) };
	struct vexfs_search_opts so = { .limit = NP };
	static struct vexfs_hit hits[NP];
	float nv[2 * DIM], far[DIM];
	char js[512];
	uint64_t pts = 0, indexed = 0;
	uint8_t f[64];

	for (int d = 0; d < DIM; d++) {
		nv[d] = 50.0f + d;
		nv[DIM + d] = -50.0f;
		far[d] = 50.0f + d;
	}
	EXPECT_EQ(2, vexfs_vectors_update(self->fd, 2, DIM, ids, nv));
	EXPECT_EQ(-ENOENT, vexfs_vectors_update(self->fd, 2, DIM, miss, nv));
	so.limit = 1;
	EXPECT_EQ(1, vexfs_search(self->fd, 1, DIM, far, &so, hits, NULL));
	EXPECT_EQ(5, hits[0].id.num);
	/* drop 5's vector: a point with its payload, never a hit */
	EXPECT_EQ(1, vexfs_vectors_delete(self->fd, 1, ids, NULL, 0));
	EXPECT_EQ(0, vexfs_vectors_delete(self->fd, 1, ids, NULL, 0));
	EXPECT_EQ(0, has_vector(self->fd, 5));
	EXPECT_EQ(1, has_vector(self->fd, 6));
	EXPECT_STREQ("{\"a\":0,\"i\":5}", payload_of(self->fd, 5));
	ASSERT_LT(0, read_file(VXT_MNT "/c/points/5", js, sizeof(js)));
	EXPECT_EQ(NULL, strstr(js, "\"vector\""));
	EXPECT_NE(NULL, strstr(js, "\"payload\": {\"a\":0,\"i\":5}"));
	ASSERT_LT(0, read_file(VXT_MNT "/c/points/6", js, sizeof(js)));
	EXPECT_NE(NULL, strstr(js, "\"vector\": [-50.0"));
	/* by filter: every point with a == 1 */
	EXPECT_EQ(NP / 5, vexfs_vectors_delete(self->fd, 0, NULL, f,
					       f_eq(f, sizeof(f), "a", 1)));
	for (int pass = 0; pass < 2; pass++) {
		so.limit = NP;
		EXPECT_EQ(NP - NP / 5 - 1,
			  vexfs_search(self->fd, 1, DIM, far, &so, hits, NULL));
		for (int h = 0; h < NP - NP / 5 - 1; h++) {
			EXPECT_TRUE(hits[h].id.num != 5 &&
				    hits[h].id.num % 5 != 1);
		}
		EXPECT_EQ(0, vexfs_count(self->fd, &pts, &indexed));
		EXPECT_EQ(NP, pts);
		EXPECT_EQ(0, has_vector(self->fd, 11));
		close(self->fd); /* an open directory keeps the mount busy */
		self->fd = -1;
		ASSERT_EQ(0, vxt_remount(&self->vx));
		self->fd = vexfs_coll_open(self->vx, "c");
		ASSERT_LE(0, self->fd);
	}
	/* an update gives a vector back */
	EXPECT_EQ(1, vexfs_vectors_update(self->fd, 1, DIM, ids, far));
	EXPECT_EQ(1, has_vector(self->fd, 5));
}

static bool in_list(const struct vexfs_point_id *ids, int n, uint64_t v)
{
	for (int i = 0; i < n; i++)
		if (ids[i].num == v)
			return true;
	return false;
}

TEST_F(coll, filters_match_brute_force)
{
	static struct vexfs_point_id ids[NP];
	static struct vexfs_hit hits[20];
	uint8_t f[256];
	uint32_t flen;
	uint64_t cursor = 0, n = 0;
	int got = 0, ret;
	struct fb b;

	/* (a == 1 OR i == 7) */
	fb_init(&b, f, sizeof(f));
	fb_open(&b, VEXFS_FOP_OR, 2);
	fb_match_int(&b, "a", 1);
	fb_match_int(&b, "i", 7);
	fb_close(&b);
	flen = fb_finish(&b);
	ASSERT_LT(0, flen);
	EXPECT_EQ(0, vexfs_count_filter(self->fd, f, flen, &n));
	EXPECT_EQ(NP / 5 + 1, n);
	while (cursor != VEXFS_SCROLL_END) {
		ret = vexfs_scroll_filter(self->fd, &cursor, 9, f, flen,
					  ids + got);
		ASSERT_LE(0, ret);
		got += ret;
		ASSERT_LE(got, NP / 5 + 1);
	}
	EXPECT_EQ(NP / 5 + 1, got);
	for (int i = 0; i < got; i++) {
		EXPECT_TRUE(ids[i].num % 5 == 1 || ids[i].num == 7);
	}
	EXPECT_TRUE(in_list(ids, got, 7));
	/* search: exact and graph, only matches, and the true top 20 */
	for (int exact = 0; exact < 2; exact++) {
		struct vexfs_search_opts so = {
			.limit = 20,
			.flags = exact ? VEXFS_SEARCH_EXACT : 0,
			.filter = f,
			.filter_len = flen,
		};
		float *q = vecs[3];

		ASSERT_EQ(20,
			  vexfs_search(self->fd, 1, DIM, q, &so, hits, NULL));
		for (int h = 0; h < 20; h++) {
			EXPECT_TRUE(hits[h].id.num % 5 == 1 ||
				    hits[h].id.num == 7);
		}
		if (exact) {
			/* brute force: the 20th best distance among matches */
			float d[NP], kth;
			int m = 0;

			for (int i = 0; i < NP; i++) {
				float s = 0;

				if (i % 5 != 1 && i != 7)
					continue;
				for (int k = 0; k < DIM; k++)
					s += (q[k] - vecs[i][k]) *
					     (q[k] - vecs[i][k]);
				d[m++] = s;
			}
			for (int i = 0; i < m; i++) /* partial selection */
				for (int j = i + 1; j < m; j++)
					if (d[j] < d[i]) {
						float t = d[i];

						d[i] = d[j];
						d[j] = t;
					}
			kth = d[19];
			for (int h = 0; h < 20; h++) {
				EXPECT_TRUE(hits[h].score * hits[h].score <=
					    kth * 1.0001f + 1e-6f);
			}
		}
	}
	/* a selective filter: min(limit, matches) hits */
	{
		uint8_t g[64];
		struct vexfs_search_opts so = { .limit = 20,
						.filter = g,
						.filter_len = f_eq(g, sizeof(g),
								   "i", 123) };

		EXPECT_EQ(1, vexfs_search(self->fd, 1, DIM, vecs[0], &so, hits,
					  NULL));
		EXPECT_EQ(123, hits[0].id.num);
	}
	/* delete by filter */
	EXPECT_EQ(NP / 5 + 1, vexfs_delete_filter(self->fd, f, flen));
	EXPECT_EQ(0, vexfs_count_filter(self->fd, f, flen, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, vexfs_count(self->fd, &n, NULL));
	EXPECT_EQ(NP - NP / 5 - 1, n);
	EXPECT_EQ(-EINVAL, vexfs_delete_filter(self->fd, NULL, 0));
}

TEST_F(coll, bad_filters_and_cbor)
{
	uint8_t f[256], junk[300];
	uint32_t flen = f_eq(f, sizeof(f), "a", 1);
	struct vexfs_count c = { 0 };
	struct vexfs_payload_op o = { 0 };
	struct vexfs_point_id one = vexfs_id_num(1);
	uint64_t s = 5, n;
	static uint8_t huge[VEXFS_FILTER_MAX + 1];

	/* malformed bytecode: -EINVAL, never an oops */
	for (int i = 0; i < 2000; i++) {
		uint32_t len = 1 + (uint32_t)(i % 299);

		memcpy(junk, f, flen);
		for (uint32_t k = 0; k < sizeof(junk); k++)
			if (k >= flen || (i & 1) == 0 || vxt_rand(&s) > 0.8f)
				junk[k] = (uint8_t)(vxt_rand(&s) * 128 + 128);
		if (i % 3 == 0) /* a valid header, garbage after */
			memcpy(junk, f, 16);
		EXPECT_EQ(-EINVAL, vexfs_count_filter(self->fd, junk, len, &n));
	}
	/* truncated: each prefix of a valid program */
	for (uint32_t l = 1; l < flen; l++) {
		EXPECT_EQ(-EINVAL, vexfs_count_filter(self->fd, f, l, &n));
	}
	EXPECT_EQ(-E2BIG, vexfs_count_filter(self->fd, huge, sizeof(huge), &n));
	do {
		struct vexfs_search_opts so = { .limit = 3,
						.filter = f,
						.filter_len = flen - 1 };
		struct vexfs_hit h[3];
		struct vexfs_point_id ids[3];
		uint64_t cur = 0;

		EXPECT_EQ(-EINVAL, vexfs_search(self->fd, 1, DIM, vecs[0], &so,
						h, NULL));
		EXPECT_EQ(-EINVAL, vexfs_scroll_filter(self->fd, &cur, 3, f,
						       flen - 1, ids));
		EXPECT_EQ(-EINVAL, vexfs_delete_filter(self->fd, f, flen - 1));
	} while (0);
	c.filter.code = (uintptr_t)f;
	c.filter.len = flen;
	c.filter.pad = 1;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_COUNT, &c));
	/* malformed CBOR payloads */
	do {
		static const uint8_t bad1[] = { 0xa1, 0x61, 'a' }; /* short */
		static const uint8_t bad2[] = { 0x81, 0x01 }; /* not a map */
		static const uint8_t bad3[] = { 0xa1, 0x41, 'a', 0x01 };
		const uint8_t *bads[] = { bad1, bad2, bad3 };
		const uint32_t lens[] = { 3, 2, 4 };

		for (int i = 0; i < 3; i++) {
			o.op = VEXFS_PAYLOAD_SET;
			o.count = 1;
			o.ids = (uintptr_t)&one;
			o.payload = (uintptr_t)bads[i];
			o.payload_len = lens[i];
			EXPECT_EQ(-EINVAL,
				  ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
		}
		/* DELETE_KEYS: an array of paths, nothing else */
		o.op = VEXFS_PAYLOAD_DELETE_KEYS;
		o.payload = (uintptr_t)bad2;
		o.payload_len = 2;
		EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
	} while (0);
	/* bad key paths, bad ops, pads */
	memset(&o, 0, sizeof(o));
	o.op = VEXFS_PAYLOAD_SET;
	o.count = 1;
	o.ids = (uintptr_t)&one;
	o.payload = (uintptr_t) "\xa1\x61x\x01";
	o.payload_len = 4;
	o.key = (uintptr_t) "a..b";
	o.key_len = 4;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
	o.key_len = 0;
	o.op = 0;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
	o.op = VEXFS_PAYLOAD_CLEAR; /* with a payload */
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
	o.op = VEXFS_PAYLOAD_SET;
	o.filter.len = flen; /* ids and a filter */
	o.filter.code = (uintptr_t)f;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
	o.count = 0; /* filter, but pad */
	o.filter.pad = 1;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
	o.filter.len = 0; /* neither */
	o.filter.pad = 0;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
	do {
		struct vexfs_vectors_update u = { .count = 1,
						  .dim = DIM,
						  .ids = (uintptr_t)&one,
						  .vectors = (uintptr_t)vecs[0],
						  .flags = 1 };
		struct vexfs_vectors_delete d = { 0 };
		struct vexfs_delete dl = { 0 };

		EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_VECTORS_UPDATE, &u));
		u.flags = 0;
		u.dim = DIM + 1;
		EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_VECTORS_UPDATE, &u));
		EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_VECTORS_DELETE, &d));
		d.filter.code = (uintptr_t)junk;
		d.filter.len = 40;
		EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_VECTORS_DELETE, &d));
		dl.filter = d.filter;
		EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_DELETE, &dl));
		dl.count = 1; /* ids and a filter */
		dl.ids = (uintptr_t)&one;
		dl.filter.code = (uintptr_t)f;
		dl.filter.len = flen;
		EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_DELETE, &dl));
	} while (0);
	/* nothing changed */
	EXPECT_EQ(0, vexfs_count(self->fd, &n, NULL));
	EXPECT_EQ(NP, n);
	EXPECT_STREQ("{\"a\":1,\"i\":1}", payload_of(self->fd, 1));
	EXPECT_EQ(1, has_vector(self->fd, 1));
}

TEST_F(coll, bad_pointers_and_huge_counts)
{
	uint64_t ptrs[] = { BAD_PTR, KERNEL_PTR };
	struct vexfs_point_id one = vexfs_id_num(1);
	uint8_t f[64];
	uint32_t flen = f_eq(f, sizeof(f), "a", 1);
	const uint8_t map[] = { 0xa1, 0x61, 'x', 0x01 };

	for (int i = 0; i < 2; i++) {
		void *p = (void *)(uintptr_t)ptrs[i];
		struct vexfs_payload_op o = { .op = VEXFS_PAYLOAD_SET,
					      .count = 1,
					      .ids = (uintptr_t)&one,
					      .payload = (uintptr_t)map,
					      .payload_len = sizeof(map) };
		struct vexfs_vectors_update u = { .count = 1,
						  .dim = DIM,
						  .ids = (uintptr_t)&one,
						  .vectors =
							  (uintptr_t)vecs[0] };
		struct vexfs_vectors_delete d = { .count = 1,
						  .ids = (uintptr_t)&one };
		struct vexfs_count c = { .filter = { .code = ptrs[i],
						     .len = flen } };
		struct vexfs_scroll sc = { .limit = 4,
					   .ids = (uintptr_t)&one,
					   .filter = c.filter };
		struct vexfs_get g = { .count = 1,
				       .ids = (uintptr_t)&one,
				       .found = (uintptr_t)f,
				       .has_vector = ptrs[i] };

		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_PAYLOAD, p));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_VECTORS_UPDATE, p));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_VECTORS_DELETE, p));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_COUNT, &c));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_SCROLL, &sc));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_GET, &g));
		o.ids = ptrs[i];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
		o.ids = (uintptr_t)&one;
		o.payload = ptrs[i];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
		o.payload = (uintptr_t)map;
		o.key = ptrs[i];
		o.key_len = 1;
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
		o.key_len = 0;
		o.count = 0;
		o.filter = c.filter;
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
		u.ids = ptrs[i];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_VECTORS_UPDATE, &u));
		u.ids = (uintptr_t)&one;
		u.vectors = ptrs[i];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_VECTORS_UPDATE, &u));
		d.ids = ptrs[i];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_VECTORS_DELETE, &d));
		d.count = 0;
		d.filter = c.filter;
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_VECTORS_DELETE, &d));
	}
	/* huge counts and lengths: refused before anything is allocated */
	{
		struct vexfs_payload_op o = { .op = VEXFS_PAYLOAD_SET,
					      .count = VEXFS_BATCH_MAX + 1,
					      .ids = BAD_PTR,
					      .payload = BAD_PTR,
					      .payload_len = 4 };
		struct vexfs_vectors_update u = { .count = ~0u,
						  .dim = DIM,
						  .ids = BAD_PTR,
						  .vectors = BAD_PTR };
		struct vexfs_vectors_delete d = { .count = ~0u,
						  .ids = BAD_PTR };
		struct vexfs_count c = { .filter = { .code = BAD_PTR,
						     .len = ~0u } };

		EXPECT_EQ(-E2BIG, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
		o.count = 1;
		o.payload_len = VEXFS_PAYLOAD_MAX + 1;
		EXPECT_EQ(-E2BIG, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
		o.payload_len = 4;
		o.key = BAD_PTR;
		o.key_len = ~0u;
		EXPECT_EQ(-E2BIG, ioc(self->fd, VEXFS_IOC_PAYLOAD, &o));
		EXPECT_EQ(-E2BIG, ioc(self->fd, VEXFS_IOC_VECTORS_UPDATE, &u));
		EXPECT_EQ(-E2BIG, ioc(self->fd, VEXFS_IOC_VECTORS_DELETE, &d));
		EXPECT_EQ(-E2BIG, ioc(self->fd, VEXFS_IOC_COUNT, &c));
	}
	EXPECT_STREQ("{\"a\":1,\"i\":1}", payload_of(self->fd, 1));
}

struct unpriv {
	int fd;
	const uint8_t *f;
	uint32_t flen;
};

/* As nobody on a 0755 root-owned collection: reads yes, writes no. */
static int unpriv_ops(void *arg)
{
	struct unpriv *a = arg;
	struct vexfs_point_id one = vexfs_id_num(1);
	struct vexfs_payload_op o = { .op = VEXFS_PAYLOAD_CLEAR,
				      .count = 1,
				      .ids = (uintptr_t)&one };
	uint64_t n = 0, cursor = 0;
	struct vexfs_point_id ids[4];

	if (vexfs_count_filter(a->fd, a->f, a->flen, &n) || n != NP / 5)
		return 1;
	if (vexfs_scroll_filter(a->fd, &cursor, 4, a->f, a->flen, ids) != 4)
		return 2;
	if (vexfs_payload(a->fd, &o) != -EACCES)
		return 3;
	if (vexfs_vectors_update(a->fd, 1, DIM, &one, vecs[0]) != -EACCES)
		return 4;
	if (vexfs_vectors_delete(a->fd, 1, &one, NULL, 0) != -EACCES)
		return 5;
	if (vexfs_vectors_delete(a->fd, 0, NULL, a->f, a->flen) != -EACCES)
		return 6;
	if (vexfs_delete_filter(a->fd, a->f, a->flen) != -EACCES)
		return 7;
	o.count = 0;
	o.filter.code = (uintptr_t)a->f;
	o.filter.len = a->flen;
	if (vexfs_payload(a->fd, &o) != -EACCES)
		return 8;
	return 0;
}

TEST_F(coll, unprivileged_and_read_only)
{
	uint8_t f[64];
	struct unpriv a = { self->fd, f, f_eq(f, sizeof(f), "a", 1) };
	struct vexfs_point_id one = vexfs_id_num(1);
	uint64_t n;

	EXPECT_EQ(0, vxt_as_nobody(unpriv_ops, &a));
	EXPECT_EQ(0, vexfs_count(self->fd, &n, NULL));
	EXPECT_EQ(NP, n);
	EXPECT_EQ(1, has_vector(self->fd, 1));
	/* a read-only mount refuses every write */
	close(self->fd);
	vexfs_close(self->vx);
	self->vx = NULL;
	ASSERT_EQ(0, umount(VXT_MNT));
	ASSERT_EQ(0, vxt_mount(vxt_dev(), MS_RDONLY));
	self->vx = vexfs_open(VXT_MNT);
	ASSERT_NE(NULL, self->vx);
	self->fd = vexfs_coll_open(self->vx, "c");
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(-EROFS, vexfs_vectors_delete(self->fd, 1, &one, NULL, 0));
	EXPECT_EQ(-EROFS, vexfs_delete_filter(self->fd, f, a.flen));
	EXPECT_EQ(0, vexfs_count_filter(self->fd, f, a.flen, &n));
	EXPECT_EQ(NP / 5, n);
}

/*
 * Parity: the same operations on the userspace core (in-memory device)
 * give the same payloads, vector presence, counts and filtered hits.
 */
TEST_F(coll, parity_with_userspace_core)
{
	struct vexfs_collection_config cfg = { .dim = DIM,
					       .distance =
						       VEXFS_DISTANCE_EUCLID,
					       .full_scan_threshold = 1 };
	struct crashdev *dev = crashdev_new(4096, NULL, 1);
	struct vx_db *db = vx_db_new();
	static struct vx_point_in in[NP];
	static uint8_t pl[NP][16];
	struct vx_filter *uf = NULL;
	struct vx_collection *c;
	uint8_t f[64], set[16];
	uint32_t flen = f_eq(f, sizeof(f), "a", 3), cid, setlen;
	struct vexfs_payload_op o = { .op = VEXFS_PAYLOAD_SET };
	static struct vexfs_point_id vd[3];
	const char *why;
	u64 upd;

	ASSERT_EQ(0, crashdev_mkfs(dev, 0));
	ASSERT_EQ(0, vx_db_open(db, &dev->bd, 0, &why));
	ASSERT_EQ(0, vx_db_create_collection(db, "c", 1, &cfg));
	for (int i = 0; i < NP; i++) {
		char js[48];

		snprintf(js, sizeof(js), "{\"a\":%u,\"i\":%u}", i % 5, i);
		in[i].id = vexfs_id_num(i);
		in[i].vec = vecs[i];
		in[i].payload = pl[i];
		in[i].payload_len = (u32)json_cbor(js, pl[i], 16);
	}
	ASSERT_EQ(0, vx_db_upsert(db, "c", 1, in, NP));
	c = vx_db_get_collection(db, "c", 1);
	cid = c->id;
	vx_db_put_collection(db, c);
	ASSERT_EQ(0, vx_filter_load(f, flen, &uf, &why));
	/* the same edits on both */
	setlen = (uint32_t)json_cbor("{\"q\":[1,2]}", set, sizeof(set));
	o.payload = (uintptr_t)set;
	o.payload_len = setlen;
	o.filter.code = (uintptr_t)f;
	o.filter.len = flen;
	EXPECT_EQ(NP / 5, vexfs_payload(self->fd, &o));
	do {
		struct vx_payload_edit e = { .op = VEXFS_PAYLOAD_SET,
					     .cbor = set,
					     .len = setlen };

		EXPECT_EQ(0, vx_db_payload_id(db, cid, &e, NULL, 0, uf, &upd));
		EXPECT_EQ(NP / 5, upd);
	} while (0);
	vd[0] = vexfs_id_num(8);
	vd[1] = vexfs_id_num(13);
	vd[2] = vexfs_id_num(200);
	EXPECT_EQ(3, vexfs_vectors_delete(self->fd, 3, vd, NULL, 0));
	EXPECT_EQ(0, vx_db_vectors_delete_id(db, cid, vd, 3, NULL, &upd));
	/* compare: payload bytes and vector presence of every point */
	c = vx_db_get_collection(db, "c", 1);
	for (int i = 0; i < NP; i++) {
		struct vexfs_point_id id = vexfs_id_num(i);
		struct vx_point *p = vx_collection_find(c, &id);
		uint8_t kp[64], found = 0, hv = 0;
		uint32_t klen = 0;
		uint64_t size = sizeof(kp);
		struct vexfs_get g = { .count = 1,
				       .flags = VEXFS_GET_PAYLOAD,
				       .ids = (uintptr_t)&id,
				       .found = (uintptr_t)&found,
				       .payload_lens = (uintptr_t)&klen,
				       .payloads = (uintptr_t)kp,
				       .payloads_size = size,
				       .has_vector = (uintptr_t)&hv };

		ASSERT_NE(NULL, p);
		ASSERT_EQ(0, vexfs_get_ex(self->fd, &g));
		EXPECT_EQ(p->payload_len, klen);
		EXPECT_EQ(0, memcmp(kp, vx_point_payload(p), klen));
		EXPECT_EQ(p->dim != 0, hv);
	}
	/* filtered searches: same ids, same score bits */
	for (int q = 0; q < 10; q++) {
		struct vexfs_search_opts so = { .limit = 10,
						.filter = f,
						.filter_len = flen };
		struct vexfs_hit kh[10];
		struct vx_db_hit uh[10];
		u32 un = 0;
		int kn = vexfs_search(self->fd, 1, DIM, vecs[q * 17], &so, kh,
				      NULL);

		ASSERT_EQ(0, vx_collection_search_filter(c, vecs[q * 17], 1, 10,
							 0, 0, 0, uf, uh, &un));
		ASSERT_EQ((int)un, kn);
		for (u32 h = 0; h < un; h++) {
			u32 kbits;

			memcpy(&kbits, &kh[h].score, 4);
			EXPECT_EQ(uh[h].id.num, kh[h].id.num);
			EXPECT_EQ(uh[h].score_bits, kbits);
		}
	}
	vx_db_put_collection(db, c);
	vx_filter_free(uf);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(dev);
}

TEST_HARNESS_MAIN
