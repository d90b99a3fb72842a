// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs.ko selftests: the data plane, ioctls on a collection directory fd.
 * Upsert, get, delete, count, scroll and search; exact search checked
 * against a brute-force computation here; payload bytes round trip; bad
 * input from a native program (bad pointers, huge counts, dimension
 * mismatch, unknown ioctls, reserved fields, an unprivileged caller, a
 * read-only mount, a full device); persistence across umount and mount.
 *
 * Runs as root in the test guest, loads and unloads vexfs.ko itself and
 * formats the scratch disk (see vexfs_selftest.h).
 */
#define _GNU_SOURCE
#include <math.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vexfs_selftest.h"

#define DIM 8
#define BAD_PTR 16ull /* never mapped */
#define KERNEL_PTR 0xffff888000000000ull

/* -errno of a raw ioctl. */
static int ioc(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* @ret must be one of the listed errors; logs what it was otherwise. */
#define EXPECT_ONE_OF(ret, ...)                                               \
	do {                                                                  \
		int __r = (ret), __w[] = { __VA_ARGS__ };                     \
		bool __ok = false;                                            \
		for (size_t __i = 0; __i < sizeof(__w) / sizeof(__w[0]);      \
		     __i++)                                                   \
			__ok |= __r == __w[__i];                              \
		if (!__ok)                                                    \
			TH_LOG("%s returned %d (%s), wanted one of %s", #ret, \
			       __r, strerror(__r < 0 ? -__r : __r),           \
			       #__VA_ARGS__);                                 \
		EXPECT_TRUE(__ok);                                            \
	} while (0)

/* Point i's vector: a deterministic function of (seed, i). */
static void vec_of(uint64_t seed, uint64_t i, float *v, uint32_t dim)
{
	uint64_t s = (seed * 0x9E3779B97F4A7C15ull) ^
		     (i + 1) * 0xBF58476D1CE4E5B9ull;

	if (!s)
		s = 1;
	for (uint32_t d = 0; d < dim; d++)
		v[d] = vxt_rand(&s);
}

/* Upsert ids [first, first + n) with vec_of(seed, id) and {"i": id}. */
static int upsert_range(int fd, uint64_t first, uint32_t n, uint32_t dim,
			uint64_t seed, bool payloads)
{
	struct vexfs_point_id *ids = calloc(n, sizeof(*ids));
	float *vecs = calloc((size_t)n * dim, sizeof(float));
	uint32_t *lens = calloc(n, sizeof(uint32_t));
	uint8_t *pl = calloc(n, 16), *p = pl;
	int ret = -ENOMEM;

	if (!ids || !vecs || !lens || !pl)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		ids[i] = vexfs_id_num(first + i);
		vec_of(seed, first + i, vecs + (size_t)i * dim, dim);
		lens[i] = vxt_cbor_int_map(p, first + i);
		p += lens[i];
	}
	ret = vexfs_upsert(fd, n, dim, ids, vecs, payloads ? lens : NULL,
			   payloads ? pl : NULL);
out:
	free(ids);
	free(vecs);
	free(lens);
	free(pl);
	return ret;
}

static uint64_t count_of(int fd)
{
	uint64_t n = ~0ull;

	vexfs_count(fd, &n, NULL);
	return n;
}

FIXTURE(coll)
{
	struct vexfs *vx;
	int fd;
};

static int make_coll(struct vexfs *vx, const char *name, uint32_t dim,
		     uint32_t distance, uint64_t fst)
{
	struct vexfs_collection_config c;
	int ret;

	vexfs_config_init(&c, dim, distance);
	c.full_scan_threshold = fst;
	ret = vexfs_coll_create(vx, name, &c);
	return ret ? ret : vexfs_coll_open(vx, name);
}

FIXTURE_SETUP(coll)
{
	int fd;

	self->fd = -1;
	ASSERT_EQ(0, vxt_up(&self->vx));
	fd = make_coll(self->vx, "c", DIM, VEXFS_DISTANCE_EUCLID, 0);
	if (fd < 0)
		vxt_down(self->vx);
	ASSERT_LE(0, fd);
	self->fd = fd;
}

FIXTURE_TEARDOWN(coll)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, vxt_down(self->vx));
	EXPECT_FALSE(vxt_module_loaded());
}

TEST_F(coll, upsert_get_roundtrip)
{
	enum { N = 100 };
	struct vexfs_point_id ids[N + 3];
	float vecs[N * DIM], got[(N + 3) * DIM], want[DIM];
	uint32_t lens[N], glens[N + 3];
	uint8_t pl[N * 16], gpl[N * 16 + 64], found[N + 3], *p = pl;
	uint64_t size = sizeof(gpl), off = 0;
	uint64_t n, indexed;

	/* Even ids carry a payload, odd ones none (length 0). */
	for (int i = 0; i < N; i++) {
		ids[i] = vexfs_id_num(1000 + i);
		vec_of(1, 1000 + i, vecs + i * DIM, DIM);
		lens[i] = i % 2 ? 0 : vxt_cbor_int_map(p, 1000 + i);
		p += lens[i];
	}
	ASSERT_EQ(0, vexfs_count(self->fd, &n, &indexed));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, vexfs_upsert(self->fd, N, DIM, ids, vecs, lens, pl));
	ASSERT_EQ(0, vexfs_count(self->fd, &n, &indexed));
	EXPECT_EQ(N, n);
	EXPECT_LE(indexed, n);

	/* Plus three absent ids, one of them a UUID. */
	ids[N] = vexfs_id_num(1);
	ids[N + 1] = vexfs_id_num(1000 + N);
	ids[N + 2] = vexfs_id_uuid((const uint8_t *)"0123456789abcdef");
	memset(found, 0xee, sizeof(found));
	memset(glens, 0xee, sizeof(glens));
	ASSERT_EQ(N, vexfs_get(self->fd, N + 3, ids, found, got, glens, gpl,
			       &size));
	EXPECT_EQ(p - pl, size);
	for (int i = 0; i < N; i++) {
		EXPECT_EQ(1, found[i]);
		EXPECT_EQ(0, memcmp(vecs + i * DIM, got + i * DIM,
				    DIM * sizeof(float)));
		EXPECT_EQ(lens[i], glens[i]);
		EXPECT_EQ(0, memcmp(pl + off, gpl + off, lens[i]));
		off += lens[i];
	}
	for (int i = N; i < N + 3; i++) {
		EXPECT_EQ(0, found[i]);
		EXPECT_EQ(0, glens[i]);
	}

	/* Upsert replaces vector and payload, and drops a payload. */
	vec_of(2, 1000, want, DIM);
	lens[0] = vxt_cbor_text_map(pl, 40, 3);
	ASSERT_EQ(0, vexfs_upsert(self->fd, 1, DIM, ids, want, lens, pl));
	ASSERT_EQ(0, vexfs_upsert(self->fd, 1, DIM, ids + 2, want, NULL, NULL));
	EXPECT_EQ(N, count_of(self->fd));
	size = sizeof(gpl);
	ASSERT_EQ(1,
		  vexfs_get(self->fd, 1, ids, found, got, glens, gpl, &size));
	EXPECT_EQ(0, memcmp(want, got, sizeof(want)));
	EXPECT_EQ(lens[0], glens[0]);
	EXPECT_EQ(lens[0], size);
	EXPECT_EQ(0, memcmp(pl, gpl, lens[0]));
	size = sizeof(gpl);
	ASSERT_EQ(1, vexfs_get(self->fd, 1, ids + 2, found, got, glens, gpl,
			       &size));
	EXPECT_EQ(0, glens[0]);
	EXPECT_EQ(0, size);

	/* Neither vector nor payload asked for: found[] only. */
	ASSERT_EQ(2, vexfs_get(self->fd, 3, ids + N - 2, found, NULL, NULL,
			       NULL, NULL));
	EXPECT_EQ(1, found[0]);
	EXPECT_EQ(1, found[1]);
	EXPECT_EQ(0, found[2]);
}

TEST_F(coll, get_payload_buffer_too_small)
{
	struct vexfs_point_id ids[3] = { vexfs_id_num(1), vexfs_id_num(2),
					 vexfs_id_num(3) };
	uint8_t pl[3 * 200], gpl[600], found[3];
	uint32_t lens[3], glens[3], total = 0;
	float vecs[3 * DIM] = { 0 };
	uint64_t size;

	for (int i = 0; i < 3; i++) {
		lens[i] = vxt_cbor_text_map(pl + total, 150, i);
		total += lens[i];
	}
	ASSERT_EQ(0, vexfs_upsert(self->fd, 3, DIM, ids, vecs, lens, pl));
	size = total - 1;
	EXPECT_EQ(-ENOSPC,
		  vexfs_get(self->fd, 3, ids, found, NULL, glens, gpl, &size));
	EXPECT_EQ(total, size);
	size = 0;
	EXPECT_EQ(-ENOSPC,
		  vexfs_get(self->fd, 3, ids, found, NULL, glens, NULL, &size));
	EXPECT_EQ(total, size);
	size = total;
	ASSERT_EQ(3,
		  vexfs_get(self->fd, 3, ids, found, NULL, glens, gpl, &size));
	EXPECT_EQ(0, memcmp(pl, gpl, total));
}

TEST_F(coll, delete_and_count)
{
	struct vexfs_point_id ids[10];
	uint8_t found[10];

	ASSERT_EQ(0, upsert_range(self->fd, 0, 50, DIM, 1, true));
	/* Five present, five absent (and one of those twice). */
	for (int i = 0; i < 10; i++)
		ids[i] = vexfs_id_num(i < 5 ? i * 10 : 1000 + i);
	ids[9] = ids[8];
	EXPECT_EQ(5, vexfs_delete(self->fd, 10, ids));
	EXPECT_EQ(45, count_of(self->fd));
	EXPECT_EQ(0,
		  vexfs_get(self->fd, 10, ids, found, NULL, NULL, NULL, NULL));
	/* Deleting again finds nothing; the same id twice counts once. */
	EXPECT_EQ(0, vexfs_delete(self->fd, 10, ids));
	ids[1] = ids[0] = vexfs_id_num(1);
	EXPECT_EQ(1, vexfs_delete(self->fd, 2, ids));
	EXPECT_EQ(44, count_of(self->fd));
	/* A deleted id can come back. */
	ASSERT_EQ(0, upsert_range(self->fd, 1, 1, DIM, 1, false));
	EXPECT_EQ(45, count_of(self->fd));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST_F(coll, scroll_visits_every_point_once)
{
	enum { N = 1000, B = 97 };
	struct vexfs_point_id ids[B], del[100];
	uint64_t cursor = VEXFS_SCROLL_START, *seen = calloc(N, 8);
	int total = 0, calls = 0, ret;

	ASSERT_NE(NULL, seen);
	/* Empty first. */
	ASSERT_EQ(0, vexfs_scroll(self->fd, &cursor, B, ids));
	EXPECT_EQ(VEXFS_SCROLL_END, cursor);

	/* Ids 0, 3, 6, ...; then every tenth of them deleted. */
	for (int i = 0; i < N; i += 250) {
		struct vexfs_point_id up[250];
		float vecs[250 * DIM] = { 0 };

		for (int j = 0; j < 250; j++)
			up[j] = vexfs_id_num((uint64_t)(i + j) * 3);
		ASSERT_EQ(0, vexfs_upsert(self->fd, 250, DIM, up, vecs, NULL,
					  NULL));
	}
	for (int i = 0; i < 100; i++)
		del[i] = vexfs_id_num((uint64_t)i * 30);
	ASSERT_EQ(100, vexfs_delete(self->fd, 100, del));

	cursor = VEXFS_SCROLL_START;
	while (cursor != VEXFS_SCROLL_END) {
		ret = vexfs_scroll(self->fd, &cursor, B, ids);
		ASSERT_LE(0, ret);
		ASSERT_GE(B, ret);
		ASSERT_GT(N, ++calls);
		for (int i = 0; i < ret; i++) {
			ASSERT_EQ(VEXFS_ID_NUM, ids[i].kind);
			ASSERT_GT(N - 100, total);
			seen[total++] = ids[i].num;
		}
	}
	ASSERT_EQ(N - 100, total);
	qsort(seen, total, 8, cmp_u64);
	for (int i = 1; i < total; i++)
		ASSERT_NE(seen[i - 1], seen[i]);
	for (int i = 0; i < total; i++) {
		EXPECT_EQ(0, seen[i] % 3);
		EXPECT_NE(0, seen[i] % 30);
		EXPECT_GT(3 * N, seen[i]);
	}
	free(seen);
}

TEST_F(coll, uuid_ids)
{
	struct vexfs_point_id ids[3], out[8];
	uint8_t u[16], found[3];
	float vecs[3 * DIM] = { 0 };
	uint64_t cursor = 0;
	int nu = 0, nn = 0, ret;

	for (int i = 0; i < 16; i++)
		u[i] = 0xa0 + i;
	ids[0] = vexfs_id_uuid(u);
	u[15] ^= 1;
	ids[1] = vexfs_id_uuid(u);
	ids[2] = vexfs_id_num(0xa0a1a2a3a4a5a6a7ull); /* same bytes, numeric */
	ASSERT_EQ(0, vexfs_upsert(self->fd, 3, DIM, ids, vecs, NULL, NULL));
	EXPECT_EQ(3, count_of(self->fd));
	EXPECT_EQ(3,
		  vexfs_get(self->fd, 3, ids, found, NULL, NULL, NULL, NULL));
	ret = vexfs_scroll(self->fd, &cursor, 8, out);
	ASSERT_EQ(3, ret);
	for (int i = 0; i < ret; i++) {
		if (out[i].kind == VEXFS_ID_UUID) {
			nu++;
			EXPECT_TRUE(!memcmp(out[i].uuid, ids[0].uuid, 16) ||
				    !memcmp(out[i].uuid, ids[1].uuid, 16));
		} else {
			nn++;
			EXPECT_EQ(ids[2].num, out[i].num);
		}
	}
	EXPECT_EQ(2, nu);
	EXPECT_EQ(1, nn);
	EXPECT_EQ(1, vexfs_delete(self->fd, 1, ids));
	EXPECT_EQ(2, count_of(self->fd));
}

TEST_F(coll, dimension_mismatch)
{
	struct vexfs_point_id id = vexfs_id_num(1);
	struct vexfs_search_opts so = { .limit = 1,
					.flags = VEXFS_SEARCH_EXACT };
	float v[DIM + 1] = { 0 };
	struct vexfs_hit hit;

	EXPECT_EQ(-EINVAL,
		  vexfs_upsert(self->fd, 1, DIM - 1, &id, v, NULL, NULL));
	EXPECT_EQ(-EINVAL,
		  vexfs_upsert(self->fd, 1, DIM + 1, &id, v, NULL, NULL));
	EXPECT_EQ(-EINVAL, vexfs_upsert(self->fd, 1, 0, &id, v, NULL, NULL));
	EXPECT_EQ(0, count_of(self->fd));
	ASSERT_EQ(0, vexfs_upsert(self->fd, 1, DIM, &id, v, NULL, NULL));
	EXPECT_EQ(-EINVAL,
		  vexfs_search(self->fd, 1, DIM + 1, v, &so, &hit, NULL));
	EXPECT_EQ(-EINVAL,
		  vexfs_search(self->fd, 1, DIM - 1, v, &so, &hit, NULL));
	EXPECT_EQ(1, vexfs_search(self->fd, 1, DIM, v, &so, &hit, NULL));
}

TEST_F(coll, bad_pointers)
{
	struct vexfs_point_id ids[4] = { vexfs_id_num(1), vexfs_id_num(2),
					 vexfs_id_num(3), vexfs_id_num(4) };
	float vecs[4 * DIM] = { 0 };
	uint32_t lens[4], nhits;
	uint8_t pl[64], found[4];
	struct vexfs_hit hits[4];
	struct vexfs_upsert u = {
		.count = 4,
		.dim = DIM,
		.ids = (uintptr_t)ids,
		.vectors = (uintptr_t)vecs,
	};
	struct vexfs_get g = { .count = 4,
			       .flags = VEXFS_GET_VECTOR | VEXFS_GET_PAYLOAD,
			       .ids = (uintptr_t)ids,
			       .found = (uintptr_t)found,
			       .vectors = (uintptr_t)vecs,
			       .payload_lens = (uintptr_t)lens,
			       .payloads = (uintptr_t)pl,
			       .payloads_size = sizeof(pl) };
	struct vexfs_search s = { .nq = 1,
				  .dim = DIM,
				  .limit = 4,
				  .queries = (uintptr_t)vecs,
				  .hits = (uintptr_t)hits,
				  .nhits = (uintptr_t)&nhits };
	struct vexfs_delete d = { .count = 4, .ids = (uintptr_t)ids };
	struct vexfs_scroll sc = { .limit = 4, .ids = (uintptr_t)ids };
	struct vexfs_upsert bu;
	struct vexfs_get bg;
	struct vexfs_search bs;
	uint64_t bad[] = { BAD_PTR, KERNEL_PTR };

	for (int i = 0; i < 4; i++)
		lens[i] = vxt_cbor_int_map(pl + 4 * i, i); /* 4 bytes */
	/* The argument itself. */
	for (int b = 0; b < 2; b++) {
		void *p = (void *)(uintptr_t)bad[b];

		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_UPSERT, p));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_GET, p));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_DELETE, p));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_COUNT, p));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_SEARCH, p));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_SCROLL, p));
	}
	EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_COUNT, NULL));

	/* Each pointer inside, for upsert: nothing is written. */
	for (int b = 0; b < 2; b++) {
		bu = u;
		bu.ids = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
		bu = u;
		bu.vectors = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
		bu = u;
		bu.payload_lens = bad[b];
		bu.payloads = (uintptr_t)pl;
		bu.payloads_size = 16;
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
		bu = u;
		bu.payload_lens = (uintptr_t)lens;
		bu.payloads = bad[b];
		bu.payloads_size = lens[0] + lens[1] + lens[2] + lens[3];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
	}
	/* A vector array that ends in an unmapped page. */
	{
		long pg = sysconf(_SC_PAGESIZE);
		char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ASSERT_NE(MAP_FAILED, m);
		ASSERT_EQ(0, munmap(m + pg, pg));
		bu = u;
		bu.vectors = (uintptr_t)(m + pg - 2 * DIM * sizeof(float));
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
		munmap(m, pg);
	}
	EXPECT_EQ(0, count_of(self->fd));

	/* With payloads, so that a get has payload bytes to write. */
	u.payload_lens = (uintptr_t)lens;
	u.payloads = (uintptr_t)pl;
	u.payloads_size = lens[0] + lens[1] + lens[2] + lens[3];
	ASSERT_EQ(0, ioc(self->fd, VEXFS_IOC_UPSERT, &u));
	EXPECT_EQ(4, count_of(self->fd));

	for (int b = 0; b < 2; b++) {
		bg = g;
		bg.ids = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_GET, &bg));
		bg = g;
		bg.found = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_GET, &bg));
		bg = g;
		bg.vectors = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_GET, &bg));
		bg = g;
		bg.payload_lens = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_GET, &bg));
		bg = g;
		bg.payloads = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_GET, &bg));

		bs = s;
		bs.queries = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_SEARCH, &bs));
		bs = s;
		bs.hits = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_SEARCH, &bs));
		bs = s;
		bs.nhits = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_SEARCH, &bs));

		d.ids = bad[b];
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_DELETE, &d));
		sc.ids = bad[b];
		sc.cursor = 0;
		EXPECT_EQ(-EFAULT, ioc(self->fd, VEXFS_IOC_SCROLL, &sc));
	}
	EXPECT_EQ(4, count_of(self->fd));
	/* Still fine afterwards. */
	EXPECT_EQ(0, ioc(self->fd, VEXFS_IOC_GET, &g));
	EXPECT_EQ(0, ioc(self->fd, VEXFS_IOC_SEARCH, &s));
	EXPECT_EQ(4, nhits);
}

TEST_F(coll, huge_counts)
{
	float v[DIM] = { 0 };
	struct vexfs_point_id id = vexfs_id_num(1);
	struct vexfs_hit hits[4];
	uint32_t nhits[4], len = 4;
	uint8_t found[4], pl[8];
	struct vexfs_upsert u = { .dim = DIM,
				  .ids = (uintptr_t)&id,
				  .vectors = (uintptr_t)v };
	struct vexfs_get g = { .ids = (uintptr_t)&id,
			       .found = (uintptr_t)found };
	struct vexfs_delete d = { .ids = (uintptr_t)&id };
	struct vexfs_search s = { .nq = 1,
				  .dim = DIM,
				  .limit = 1,
				  .queries = (uintptr_t)v,
				  .hits = (uintptr_t)hits,
				  .nhits = (uintptr_t)nhits };
	struct vexfs_scroll sc = { .ids = (uintptr_t)&id };
	struct vexfs_search bs;
	uint32_t huge[] = { VEXFS_BATCH_MAX + 1, 1u << 31, ~0u };

	for (int i = 0; i < 3; i++) {
		u.count = huge[i];
		EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_UPSERT, &u), -E2BIG,
			      -EINVAL);
		g.count = huge[i];
		EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_GET, &g), -E2BIG,
			      -EINVAL);
		d.count = huge[i];
		EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_DELETE, &d), -E2BIG,
			      -EINVAL);
		sc.limit = huge[i];
		EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_SCROLL, &sc), -E2BIG,
			      -EINVAL);
		bs = s;
		bs.nq = huge[i];
		EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_SEARCH, &bs), -E2BIG,
			      -EINVAL);
	}
	bs = s;
	bs.nq = VEXFS_QUERIES_MAX + 1;
	EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_SEARCH, &bs), -E2BIG, -EINVAL);
	bs = s;
	bs.limit = VEXFS_K_MAX + 1;
	EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_SEARCH, &bs), -E2BIG, -EINVAL);
	bs = s;
	bs.limit = VEXFS_K_MAX;
	bs.offset = 1;
	EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_SEARCH, &bs), -E2BIG, -EINVAL);
	bs = s;
	bs.limit = 10;
	bs.offset = ~0u - 5; /* limit + offset wraps in 32 bits */
	EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_SEARCH, &bs), -E2BIG, -EINVAL);
	bs = s;
	bs.dim = ~0u;
	EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_SEARCH, &bs), -E2BIG, -EINVAL);
	/* dim * count overflowing 32 bits. */
	u.count = 1u << 16;
	u.dim = 1u << 16;
	EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_UPSERT, &u), -E2BIG, -EINVAL);
	u.dim = DIM;

	/* A payload above VEXFS_PAYLOAD_MAX, and sizes that do not add up. */
	u.count = 1;
	len = VEXFS_PAYLOAD_MAX + 1;
	u.payload_lens = (uintptr_t)&len;
	u.payloads = (uintptr_t)pl;
	u.payloads_size = len;
	EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_UPSERT, &u), -E2BIG, -EINVAL);
	len = vxt_cbor_int_map(pl, 1);
	u.payloads_size = ~0ull;
	EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_UPSERT, &u), -E2BIG, -EINVAL);
	u.payloads_size = len + 1;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_UPSERT, &u));
	u.payloads_size = len - 1;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_UPSERT, &u));
	/*
	 * A get may offer more payload room than it needs; past what one
	 * call can return (16 MiB frames) the kernel may refuse it.
	 */
	u.payloads_size = len;
	ASSERT_EQ(0, ioc(self->fd, VEXFS_IOC_UPSERT, &u));
	g.count = 1;
	g.flags = VEXFS_GET_PAYLOAD;
	g.payload_lens = (uintptr_t)&len;
	g.payloads = (uintptr_t)pl;
	g.payloads_size = sizeof(pl);
	EXPECT_EQ(0, ioc(self->fd, VEXFS_IOC_GET, &g));
	g.payloads_size = ~0ull;
	EXPECT_ONE_OF(ioc(self->fd, VEXFS_IOC_GET, &g), 0, -E2BIG);
	EXPECT_EQ(1, count_of(self->fd));
}

TEST_F(coll, reserved_fields_and_bad_values)
{
	float v[DIM] = { 0 }, nan_v[DIM] = { 0 };
	struct vexfs_point_id id = vexfs_id_num(1), bid;
	struct vexfs_hit hits[2];
	uint32_t nhits, len;
	uint8_t found, pl[16];
	struct vexfs_upsert u = { .count = 1,
				  .dim = DIM,
				  .ids = (uintptr_t)&id,
				  .vectors = (uintptr_t)v },
			    bu;
	struct vexfs_search s = { .nq = 1,
				  .dim = DIM,
				  .limit = 2,
				  .queries = (uintptr_t)v,
				  .hits = (uintptr_t)hits,
				  .nhits = (uintptr_t)&nhits },
			    bs;
	struct vexfs_get g = { .count = 1,
			       .ids = (uintptr_t)&id,
			       .found = (uintptr_t)&found };
	static const struct {
		const char *what;
		uint8_t bytes[8];
		uint32_t len;
	} bad_cbor[] = {
		{ "truncated map", { 0xa1, 0x61, 'a' }, 3 },
		{ "not a map (integer)", { 0x01 }, 1 },
		{ "not a map (array)", { 0x81, 0x01 }, 2 },
		{ "integer key", { 0xa1, 0x01, 0x01 }, 3 },
		{ "trailing bytes", { 0xa1, 0x61, 'a', 0x01, 0x00 }, 5 },
		{ "break byte", { 0xff }, 1 },
		{ "indefinite map", { 0xbf, 0x61, 'a', 0x01, 0xff }, 5 },
		{ "bad UTF-8 key", { 0xa1, 0x61, 0xff, 0x01 }, 4 },
	};

	bu = u;
	bu.flags = 1;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
	bu = u;
	bu.pad = 1;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
	bu = u;
	bu.count = 0;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
	/* Bad ids: unknown kind, non-zero pad. */
	bid = id;
	bid.kind = 2;
	bu = u;
	bu.ids = (uintptr_t)&bid;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
	bid = id;
	bid.pad = 1;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
	g.ids = (uintptr_t)&bid;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_GET, &g));
	g.ids = (uintptr_t)&id;
	/* Non-finite vectors. */
	nan_v[3] = NAN;
	bu = u;
	bu.vectors = (uintptr_t)nan_v;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
	nan_v[3] = INFINITY;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
	/* Payloads that are not CBOR maps VexFS stores. */
	for (size_t i = 0; i < sizeof(bad_cbor) / sizeof(bad_cbor[0]); i++) {
		int ret;

		bu = u;
		len = bad_cbor[i].len;
		bu.payload_lens = (uintptr_t)&len;
		bu.payloads = (uintptr_t)bad_cbor[i].bytes;
		bu.payloads_size = len;
		ret = ioc(self->fd, VEXFS_IOC_UPSERT, &bu);
		if (ret != -EINVAL)
			TH_LOG("payload '%s' gave %d", bad_cbor[i].what, ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	EXPECT_EQ(0, count_of(self->fd));
	/* A valid empty map is fine. */
	bu = u;
	pl[0] = 0xa0;
	len = 1;
	bu.payload_lens = (uintptr_t)&len;
	bu.payloads = (uintptr_t)pl;
	bu.payloads_size = 1;
	EXPECT_EQ(0, ioc(self->fd, VEXFS_IOC_UPSERT, &bu));
	EXPECT_EQ(1, count_of(self->fd));

	/* Search: unknown flags, pad, zero limit or queries. */
	bs = s;
	bs.flags = 1u << 7;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_SEARCH, &bs));
	bs = s;
	bs.pad = 1;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_SEARCH, &bs));
	bs = s;
	bs.limit = 0;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_SEARCH, &bs));
	bs = s;
	bs.nq = 0;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_SEARCH, &bs));
	bs = s;
	bs.queries = (uintptr_t)nan_v;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_SEARCH, &bs));
	/* Get: unknown flags. */
	g.flags = 1u << 9;
	EXPECT_EQ(-EINVAL, ioc(self->fd, VEXFS_IOC_GET, &g));
	g.flags = 0;
	EXPECT_EQ(0, ioc(self->fd, VEXFS_IOC_GET, &g));
	EXPECT_EQ(1, found);
	EXPECT_EQ(0, ioc(self->fd, VEXFS_IOC_SEARCH, &s));
	EXPECT_EQ(1, nhits);
}

/* Output structs carry no stale kernel bytes in padding or unused id bytes. */
TEST_F(coll, outputs_have_no_stale_bytes)
{
	struct vexfs_search_opts so = { .limit = 4,
					.flags = VEXFS_SEARCH_EXACT };
	struct vexfs_point_id ids[4];
	struct vexfs_hit hits[4];
	uint64_t cursor = 0;
	float q[DIM] = { 0 };
	static const uint8_t zero[8];

	ASSERT_EQ(0, upsert_range(self->fd, 0, 4, DIM, 1, false));
	memset(hits, 0xaa, sizeof(hits));
	ASSERT_EQ(4, vexfs_search(self->fd, 1, DIM, q, &so, hits, NULL));
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(0, hits[i].pad);
		EXPECT_EQ(0, hits[i].id.pad);
		EXPECT_EQ(0, memcmp(hits[i].id.uuid + 8, zero, 8));
	}
	memset(ids, 0xaa, sizeof(ids));
	ASSERT_EQ(4, vexfs_scroll(self->fd, &cursor, 4, ids));
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(0, ids[i].pad);
		EXPECT_EQ(0, memcmp(ids[i].uuid + 8, zero, 8));
	}
}

TEST_F(coll, unknown_ioctls)
{
	char buf[256] = { 0 };
	int root = vexfs_root_fd(self->vx);
	struct vexfs_count c = { 0 };

	EXPECT_EQ(-ENOTTY, ioc(self->fd, _IO(VEXFS_IOC_MAGIC, 0x3f), buf));
	EXPECT_EQ(-ENOTTY,
		  ioc(self->fd, _IOWR(VEXFS_IOC_MAGIC, 0x07, buf), buf));
	EXPECT_EQ(-ENOTTY,
		  ioc(self->fd, _IOWR(VEXFS_IOC_MAGIC, 0xff, buf), buf));
	EXPECT_EQ(-ENOTTY, ioc(self->fd, _IOWR(0x12, 0x01, int), buf));
	/* The right number with the wrong size or direction. */
	EXPECT_EQ(-ENOTTY,
		  ioc(self->fd, _IOW(VEXFS_IOC_MAGIC, 0x01, char[40]), buf));
	EXPECT_EQ(-ENOTTY,
		  ioc(self->fd, _IOW(VEXFS_IOC_MAGIC, 0x04, struct vexfs_count),
		      buf));
	EXPECT_EQ(-ENOTTY, ioc(self->fd, _IO(VEXFS_IOC_MAGIC, 0x05), buf));
	/*
	 * VERSION works on a collection too; data ioctls on the root are
	 * -EISDIR (a directory, but not a collection), others -ENOTTY.
	 */
	EXPECT_EQ(0, ioc(self->fd, VEXFS_IOC_VERSION, buf));
	EXPECT_EQ(-EISDIR, ioc(root, VEXFS_IOC_COUNT, &c));
	EXPECT_EQ(-EISDIR, ioc(root, VEXFS_IOC_UPSERT, buf));
	EXPECT_EQ(-ENOTTY, ioc(root, _IO(VEXFS_IOC_MAGIC, 0x3f), buf));
}

TEST_F(coll, read_only_mount)
{
	struct vexfs_point_id id = vexfs_id_num(5);
	struct vexfs_search_opts so = { .limit = 3 };
	struct vexfs_collection_config cfg;
	float v[DIM] = { 1 };
	struct vexfs_hit hits[3];
	uint8_t found;

	ASSERT_EQ(0, upsert_range(self->fd, 0, 10, DIM, 1, true));
	ASSERT_EQ(0, mount(NULL, VXT_MNT, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	EXPECT_EQ(-EROFS, vexfs_upsert(self->fd, 1, DIM, &id, v, NULL, NULL));
	EXPECT_EQ(-EROFS, vexfs_delete(self->fd, 1, &id));
	vexfs_config_init(&cfg, 2, VEXFS_DISTANCE_DOT);
	EXPECT_EQ(-EROFS, vexfs_coll_create(self->vx, "new", &cfg));
	EXPECT_EQ(-EROFS, vexfs_coll_delete(self->vx, "c"));
	EXPECT_EQ(10, count_of(self->fd));
	EXPECT_EQ(1,
		  vexfs_get(self->fd, 1, &id, &found, NULL, NULL, NULL, NULL));
	EXPECT_EQ(3, vexfs_search(self->fd, 1, DIM, v, &so, hits, NULL));
	ASSERT_EQ(0, mount(NULL, VXT_MNT, NULL, MS_REMOUNT, NULL));
	EXPECT_EQ(1, vexfs_delete(self->fd, 1, &id));
	EXPECT_EQ(9, count_of(self->fd));
}

struct unpriv {
	int fd; /* opened by root */
	int root; /* the mount root, opened by root */
	const char *name;
};

/* As nobody: reads work, writes are refused. 0, or 10+ the failing step. */
static int unpriv_data(void *p)
{
	struct unpriv *a = p;
	struct vexfs_point_id id = vexfs_id_num(1);
	struct vexfs_search_opts so = { .limit = 2 };
	struct vexfs_hit hits[2];
	float v[DIM] = { 0 };
	uint64_t n;
	int fd, ret;

	fd = openat(a->root, a->name, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 10;
	if (vexfs_count(fd, &n, NULL) || n != 3)
		return 11;
	if (vexfs_search(fd, 1, DIM, v, &so, hits, NULL) != 2)
		return 12;
	ret = vexfs_upsert(fd, 1, DIM, &id, v, NULL, NULL);
	if (ret != -EACCES && ret != -EPERM)
		return 13;
	ret = vexfs_delete(fd, 1, &id);
	if (ret != -EACCES && ret != -EPERM)
		return 14;
	/* An fd root opened does not lend root's rights. */
	ret = vexfs_upsert(a->fd, 1, DIM, &id, v, NULL, NULL);
	if (ret != -EACCES && ret != -EPERM)
		return 15;
	if (vexfs_count(a->fd, &n, NULL) || n != 3)
		return 16;
	close(fd);
	return 0;
}

static int unpriv_no_read(void *p)
{
	struct unpriv *a = p;
	int fd = openat(a->root, a->name, O_RDONLY | O_DIRECTORY);

	if (fd >= 0) {
		close(fd);
		return 20;
	}
	return errno == EACCES ? 0 : 21;
}

static int unpriv_owner(void *p)
{
	struct unpriv *a = p;
	struct vexfs_point_id id = vexfs_id_num(7);
	float v[DIM] = { 0 };

	return vexfs_upsert(a->fd, 1, DIM, &id, v, NULL, NULL) ? 30 : 0;
}

TEST_F(coll, unprivileged_caller)
{
	/*
	 * Paths are looked up from the mount root's fd: the guest's "/"
	 * may not be searchable by nobody.
	 */
	struct unpriv a = { self->fd, vexfs_root_fd(self->vx), "c" };

	ASSERT_EQ(0, upsert_range(self->fd, 0, 3, DIM, 1, false));
	/* Collection directories start as root's, 0755. */
	EXPECT_EQ(0, vxt_as_nobody(unpriv_data, &a));
	ASSERT_EQ(0, fchmodat(a.root, a.name, 0700, 0));
	EXPECT_EQ(0, vxt_as_nobody(unpriv_no_read, &a));
	/* The owner decides: give it to nobody. */
	ASSERT_EQ(0, fchownat(a.root, a.name, VXT_NOBODY, VXT_NOBODY, 0));
	EXPECT_EQ(0, vxt_as_nobody(unpriv_owner, &a));
	EXPECT_EQ(4, count_of(self->fd));
}

/* Everything a collection holds, to compare before and after a remount. */
struct snapshot {
	uint64_t n;
	struct vexfs_point_id *ids;
	float *vecs;
	uint32_t *lens;
	uint8_t *pl;
	uint64_t pl_size;
	struct vexfs_hit hits[10];
	uint32_t nhits;
};

static int cmp_id(const void *a, const void *b)
{
	const struct vexfs_point_id *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->kind == VEXFS_ID_NUM)
		return x->num < y->num ? -1 : x->num > y->num;
	return memcmp(x->uuid, y->uuid, 16);
}

static int take_snapshot(int fd, struct snapshot *s)
{
	struct vexfs_search_opts so = { .limit = 10 };
	uint64_t cursor = 0, cap = 0;
	float q[DIM];
	uint8_t *found;
	int ret;

	memset(s, 0, sizeof(*s));
	if (vexfs_count(fd, &cap, NULL))
		return -1;
	s->ids = calloc(cap + 1, sizeof(*s->ids));
	while (cursor != VEXFS_SCROLL_END) {
		ret = vexfs_scroll(fd, &cursor, 64, s->ids + s->n);
		if (ret < 0 || s->n + ret > cap)
			return -2;
		s->n += ret;
	}
	if (s->n != cap)
		return -3;
	qsort(s->ids, s->n, sizeof(*s->ids), cmp_id);
	s->vecs = calloc(s->n * DIM + 1, sizeof(float));
	s->lens = calloc(s->n + 1, sizeof(uint32_t));
	found = calloc(s->n + 1, 1);
	s->pl_size = 0;
	/* Ask for the size first, then fetch. */
	ret = vexfs_get(fd, s->n, s->ids, found, s->vecs, s->lens, NULL,
			&s->pl_size);
	if (ret != -ENOSPC && ret != (int)s->n)
		return -4;
	s->pl = malloc(s->pl_size + 1);
	if (vexfs_get(fd, s->n, s->ids, found, s->vecs, s->lens, s->pl,
		      &s->pl_size) != (int)s->n)
		return -5;
	free(found);
	vec_of(99, 0, q, DIM);
	so.flags = VEXFS_SEARCH_EXACT;
	ret = vexfs_search(fd, 1, DIM, q, &so, s->hits, &s->nhits);
	return ret < 0 ? -6 : 0;
}

static bool same_snapshot(const struct snapshot *a, const struct snapshot *b)
{
	return a->n == b->n && a->pl_size == b->pl_size &&
	       !memcmp(a->ids, b->ids, a->n * sizeof(*a->ids)) &&
	       !memcmp(a->vecs, b->vecs, a->n * DIM * sizeof(float)) &&
	       !memcmp(a->lens, b->lens, a->n * sizeof(uint32_t)) &&
	       !memcmp(a->pl, b->pl, a->pl_size) && a->nhits == b->nhits &&
	       !memcmp(a->hits, b->hits, a->nhits * sizeof(a->hits[0]));
}

static void free_snapshot(struct snapshot *s)
{
	free(s->ids);
	free(s->vecs);
	free(s->lens);
	free(s->pl);
}

TEST_F_TIMEOUT(coll, persistence_across_remount, 120)
{
	struct snapshot before, after;
	struct vexfs_point_id del[50];
	uint8_t u[16] = { 1, 2, 3 };
	struct vexfs_point_id uid = vexfs_id_uuid(u);
	float v[DIM];
	uint32_t len;
	uint8_t pl[1200];
	int fd2;

	ASSERT_EQ(0, upsert_range(self->fd, 0, 500, DIM, 3, true));
	ASSERT_EQ(0, upsert_range(self->fd, 500, 300, DIM, 4, false));
	for (int i = 0; i < 50; i++)
		del[i] = vexfs_id_num(i * 13);
	ASSERT_EQ(50, vexfs_delete(self->fd, 50, del));
	ASSERT_EQ(0,
		  upsert_range(self->fd, 100, 20, DIM, 5, true)); /* replace */
	vec_of(6, 0, v, DIM);
	len = vxt_cbor_text_map(pl, 1000, 9);
	ASSERT_EQ(0, vexfs_upsert(self->fd, 1, DIM, &uid, v, &len, pl));
	/* A second collection, to see that they do not mix. */
	fd2 = make_coll(self->vx, "other", 3, VEXFS_DISTANCE_DOT, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, upsert_range(fd2, 0, 10, 3, 7, true));
	close(fd2);
	ASSERT_EQ(0, take_snapshot(self->fd, &before));
	/* 800 - 50 deleted + 2 of those rewritten + the UUID point */
	ASSERT_EQ(753, before.n);

	/* umount + mount. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, vxt_remount(&self->vx));
	self->fd = vexfs_coll_open(self->vx, "c");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, take_snapshot(self->fd, &after));
	EXPECT_TRUE(same_snapshot(&before, &after));
	free_snapshot(&after);

	/* Again with the module unloaded in between. */
	close(self->fd);
	self->fd = -1;
	vexfs_close(self->vx);
	self->vx = NULL;
	ASSERT_EQ(0, umount(VXT_MNT));
	ASSERT_EQ(0, vxt_unload_module());
	ASSERT_EQ(0, vxt_load_module());
	ASSERT_EQ(0, vxt_mount(vxt_dev(), 0));
	self->vx = vexfs_open(VXT_MNT);
	ASSERT_NE(NULL, self->vx);
	self->fd = vexfs_coll_open(self->vx, "c");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, take_snapshot(self->fd, &after));
	EXPECT_TRUE(same_snapshot(&before, &after));
	free_snapshot(&after);
	fd2 = vexfs_coll_open(self->vx, "other");
	ASSERT_LE(0, fd2);
	EXPECT_EQ(10, count_of(fd2));
	close(fd2);
	free_snapshot(&before);
}

TEST_F(coll, large_payloads_roundtrip)
{
	enum { N = 4, LEN = 64 * 1024 };
	struct vexfs_point_id ids[N];
	uint32_t lens[N], glens[N];
	float vecs[N * DIM] = { 0 };
	uint8_t *pl = malloc(N * (LEN + 16)), *gpl = malloc(N * (LEN + 16));
	uint8_t found[N];
	uint64_t total = 0, size;

	ASSERT_NE(NULL, pl);
	ASSERT_NE(NULL, gpl);
	for (int i = 0; i < N; i++) {
		ids[i] = vexfs_id_num(i);
		lens[i] = vxt_cbor_text_map(pl + total, LEN - i * 1000, i);
		total += lens[i];
	}
	ASSERT_EQ(0, vexfs_upsert(self->fd, N, DIM, ids, vecs, lens, pl));
	size = N * (LEN + 16);
	ASSERT_EQ(N,
		  vexfs_get(self->fd, N, ids, found, NULL, glens, gpl, &size));
	EXPECT_EQ(total, size);
	EXPECT_EQ(0, memcmp(lens, glens, sizeof(lens)));
	EXPECT_EQ(0, memcmp(pl, gpl, total));
	free(pl);
	free(gpl);
}

TEST_F_TIMEOUT(coll, background_indexer_catches_up, 120)
{
	uint64_t n, indexed = 0;

	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0,
			  upsert_range(self->fd, i * 500, 500, DIM, 1, false));
	for (int i = 0; i < 900 && indexed < 2000; i++) {
		ASSERT_EQ(0, vexfs_count(self->fd, &n, &indexed));
		ASSERT_EQ(2000, n);
		usleep(100 * 1000);
	}
	EXPECT_EQ(2000, indexed);
}

/* Fill the device: -ENOSPC, then still consistent and usable. */
TEST_F_TIMEOUT(coll, full_device, 300)
{
	enum { BD = 1024, B = 64 };
	uint64_t acked = 0, n;
	struct vexfs_point_id id;
	struct vexfs_search_opts so = { .limit = 1,
					.flags = VEXFS_SEARCH_EXACT };
	struct vexfs_hit hit;
	float q[BD] = { 0 };
	int fd, ret = 0;

	fd = make_coll(self->vx, "big", BD, VEXFS_DISTANCE_EUCLID, 0);
	ASSERT_LE(0, fd);
	/* 64 MiB hold well under 16k vectors of 4 KiB. */
	for (int i = 0; i < 256 && !ret; i++) {
		ret = upsert_range(fd, acked, B, BD, 1, false);
		if (!ret)
			acked += B;
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_LT(0, acked);
	EXPECT_EQ(acked, count_of(fd));
	EXPECT_EQ(1, vexfs_search(fd, 1, BD, q, &so, &hit, NULL));
	/* Deleting is possible on a full device, and reads still work. */
	id = vexfs_id_num(0);
	EXPECT_EQ(1, vexfs_delete(fd, 1, &id));
	EXPECT_EQ(acked - 1, count_of(fd));
	close(fd);
	/* Everything acknowledged is there after a remount. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, vxt_remount(&self->vx));
	fd = vexfs_coll_open(self->vx, "big");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vexfs_count(fd, &n, NULL));
	EXPECT_EQ(acked - 1, n);
	/* Deleting a collection gives the space back. */
	close(fd);
	ASSERT_EQ(0, vexfs_coll_delete(self->vx, "big"));
	fd = make_coll(self->vx, "again", BD, VEXFS_DISTANCE_EUCLID, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, upsert_range(fd, 0, B, BD, 2, false));
	close(fd);
}

/* --- search, per distance -------------------------------------------------- */

FIXTURE(metric)
{
	struct vexfs *vx;
	int fd;
	float *vecs; /* N * MDIM, as upserted */
};

FIXTURE_VARIANT(metric)
{
	uint32_t distance;
	uint64_t full_scan_threshold; /* 1: graph search from 1 KiB on */
};

FIXTURE_VARIANT_ADD(metric, euclid){ VEXFS_DISTANCE_EUCLID, 0 };
FIXTURE_VARIANT_ADD(metric, dot){ VEXFS_DISTANCE_DOT, 0 };
FIXTURE_VARIANT_ADD(metric, cosine){ VEXFS_DISTANCE_COSINE, 0 };
FIXTURE_VARIANT_ADD(metric, manhattan){ VEXFS_DISTANCE_MANHATTAN, 0 };
FIXTURE_VARIANT_ADD(metric, euclid_graph){ VEXFS_DISTANCE_EUCLID, 1 };
FIXTURE_VARIANT_ADD(metric, cosine_graph){ VEXFS_DISTANCE_COSINE, 1 };

#define N 1200
#define MDIM 24
#define NQ 8

FIXTURE_SETUP(metric)
{
	int fd;

	self->fd = -1;
	ASSERT_EQ(0, vxt_up(&self->vx));
	fd = make_coll(self->vx, "m", MDIM, variant->distance,
		       variant->full_scan_threshold);
	if (fd < 0)
		vxt_down(self->vx);
	ASSERT_LE(0, fd);
	self->fd = fd;
	self->vecs = malloc(N * MDIM * sizeof(float));
	ASSERT_NE(NULL, self->vecs);
	for (int i = 0; i < N; i++)
		vec_of(11, i, self->vecs + i * MDIM, MDIM);
	for (int i = 0; i < N; i += 300)
		ASSERT_EQ(0, upsert_range(self->fd, i, 300, MDIM, 11, false));
}

FIXTURE_TEARDOWN(metric)
{
	free(self->vecs);
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, vxt_down(self->vx));
	EXPECT_FALSE(vxt_module_loaded());
}

/* The score Qdrant reports for query q and point v. */
static double ref_score(uint32_t distance, const float *q, const float *v)
{
	double s = 0, nq = 0, nv = 0;

	for (int d = 0; d < MDIM; d++) {
		switch (distance) {
		case VEXFS_DISTANCE_EUCLID:
			s += ((double)q[d] - v[d]) * ((double)q[d] - v[d]);
			break;
		case VEXFS_DISTANCE_MANHATTAN:
			s += fabs((double)q[d] - v[d]);
			break;
		default:
			s += (double)q[d] * v[d];
			nq += (double)q[d] * q[d];
			nv += (double)v[d] * v[d];
		}
	}
	if (distance == VEXFS_DISTANCE_EUCLID)
		return sqrt(s);
	if (distance == VEXFS_DISTANCE_COSINE)
		return nq && nv ? s / sqrt(nq * nv) : 0;
	return s;
}

static bool higher_better(uint32_t distance)
{
	return distance == VEXFS_DISTANCE_COSINE ||
	       distance == VEXFS_DISTANCE_DOT;
}

struct ranked {
	double score;
	int id;
};

static uint32_t g_distance;

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->score == y->score)
		return x->id - y->id;
	if (higher_better(g_distance))
		return x->score > y->score ? -1 : 1;
	return x->score < y->score ? -1 : 1;
}

/* All points ranked for query q. */
static void brute_force(uint32_t distance, const float *vecs, const float *q,
			struct ranked *out)
{
	for (int i = 0; i < N; i++) {
		out[i].id = i;
		out[i].score = ref_score(distance, q, vecs + i * MDIM);
	}
	g_distance = distance;
	qsort(out, N, sizeof(*out), cmp_ranked);
}

static bool close_enough(double a, double b)
{
	return fabs(a - b) <= 1e-4 * (1 + fabs(a) + fabs(b));
}

TEST_F(metric, exact_search_matches_brute_force)
{
	struct vexfs_search_opts so = { .limit = 10,
					.flags = VEXFS_SEARCH_EXACT };
	struct ranked *ref = malloc(N * sizeof(*ref));
	float q[NQ * MDIM];
	struct vexfs_hit hits[NQ * 10];
	uint32_t nhits[NQ];
	double *score_of = malloc(N * sizeof(double));

	ASSERT_NE(NULL, ref);
	for (int j = 0; j < NQ; j++)
		vec_of(12, j, q + j * MDIM, MDIM);
	/* All queries in one call. */
	ASSERT_EQ(NQ * 10,
		  vexfs_search(self->fd, NQ, MDIM, q, &so, hits, nhits));
	for (int j = 0; j < NQ; j++) {
		brute_force(variant->distance, self->vecs, q + j * MDIM, ref);
		for (int i = 0; i < N; i++)
			score_of[ref[i].id] = ref[i].score;
		ASSERT_EQ(10, nhits[j]);
		for (int r = 0; r < 10; r++) {
			struct vexfs_hit *h = &hits[j * 10 + r];

			ASSERT_EQ(VEXFS_ID_NUM, h->id.kind);
			ASSERT_GT(N, h->id.num);
			/* Same rank, up to ties; the reported score is right. */
			if (!close_enough(ref[r].score, score_of[h->id.num]))
				TH_LOG("query %d rank %d: id %llu (%.6f), want id %d (%.6f)",
				       j, r, (unsigned long long)h->id.num,
				       score_of[h->id.num], ref[r].id,
				       ref[r].score);
			EXPECT_TRUE(close_enough(ref[r].score,
						 score_of[h->id.num]));
			EXPECT_TRUE(
				close_enough(score_of[h->id.num], h->score));
		}
	}

	/* Offset: ranks 5..11 of query 0. */
	brute_force(variant->distance, self->vecs, q, ref);
	so.limit = 7;
	so.offset = 5;
	ASSERT_EQ(7, vexfs_search(self->fd, 1, MDIM, q, &so, hits, NULL));
	for (int r = 0; r < 7; r++)
		EXPECT_TRUE(close_enough(ref[5 + r].score, hits[r].score));

	/* Threshold between ranks 4 and 5: five results. */
	so.offset = 0;
	so.limit = 10;
	so.flags |= VEXFS_SEARCH_THRESHOLD;
	so.score_threshold = (ref[4].score + ref[5].score) / 2;
	ASSERT_EQ(5, vexfs_search(self->fd, 1, MDIM, q, &so, hits, NULL));
	for (int r = 0; r < 5; r++)
		EXPECT_TRUE(close_enough(ref[r].score, hits[r].score));

	/* More wanted than exist: all of them, in order. */
	so.flags = VEXFS_SEARCH_EXACT;
	so.limit = N + 100;
	{
		struct vexfs_hit *all = calloc(N + 100, sizeof(*all));

		ASSERT_EQ(N,
			  vexfs_search(self->fd, 1, MDIM, q, &so, all, NULL));
		for (int r = 0; r < N; r += 97)
			EXPECT_TRUE(close_enough(ref[r].score, all[r].score));
		free(all);
	}
	free(ref);
	free(score_of);
}

TEST_F_TIMEOUT(metric, approximate_search_recall, 120)
{
	struct vexfs_search_opts so = { .limit = 10, .ef = 64 };
	struct ranked *ref = malloc(N * sizeof(*ref));
	struct vexfs_hit hits[10];
	float q[MDIM];
	int good = 0;

	ASSERT_NE(NULL, ref);
	for (int j = 0; j < 20; j++) {
		vec_of(13, j, q, MDIM);
		brute_force(variant->distance, self->vecs, q, ref);
		ASSERT_EQ(10,
			  vexfs_search(self->fd, 1, MDIM, q, &so, hits, NULL));
		for (int r = 0; r < 10; r++)
			for (int k = 0; k < 10; k++)
				good += hits[r].id.num == (uint64_t)ref[k].id;
	}
	/* recall@10 over 20 queries */
	TH_LOG("recall@10 = %.3f", good / 200.0);
	EXPECT_LE(180, good);
	free(ref);
}

TEST_HARNESS_MAIN
