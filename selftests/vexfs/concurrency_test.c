// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs.ko selftests: several threads searching one collection while others
 * upsert and delete, then counts and contents checked against what every
 * thread was told; and a collection deleted under readers and writers.
 *
 * Runs as root in the test guest, loads and unloads vexfs.ko itself and
 * formats the scratch disk (see vexfs_selftest.h).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "kselftest_harness.h"
#include "vexfs_selftest.h"

#define DIM 16
#define PRELOAD 3000 /* ids [0, PRELOAD), written 50 at a time */
#define SEARCHERS 4
#define WRITERS 2 /* writer w owns ids [WBASE * (w + 1), ...) */
#define WBASE 1000000ull
#define RUN_SECONDS 8

struct shared {
	int fd;
	atomic_bool stop;
	atomic_int errors;
	atomic_ulong searches;
	/* what the writers and the deleter were told */
	uint64_t written[WRITERS]; /* writer w wrote ids WBASE*(w+1) + [0, n) */
	uint64_t deleted; /* preloaded ids the deleter removed */
	uint64_t del_upto; /* it tried every preloaded id below this */
};

static void vec_of(uint64_t id, float *v)
{
	uint64_t s = id * 0x9E3779B97F4A7C15ull + 1;

	for (int d = 0; d < DIM; d++)
		v[d] = vxt_rand(&s);
}

static int upsert_ids(int fd, uint64_t first, uint32_t n)
{
	struct vexfs_point_id ids[64];
	float vecs[64 * DIM];
	uint32_t lens[64];
	uint8_t pl[64 * 16], *p = pl;

	for (uint32_t i = 0; i < n; i++) {
		ids[i] = vexfs_id_num(first + i);
		vec_of(first + i, vecs + i * DIM);
		lens[i] = vxt_cbor_int_map(p, first + i);
		p += lens[i];
	}
	return vexfs_upsert(fd, n, DIM, ids, vecs, lens, pl);
}

static void note_error(struct shared *sh, const char *what, int err)
{
	if (atomic_fetch_add(&sh->errors, 1) < 10)
		fprintf(stderr, "# %s: %d (%s)\n", what, err, strerror(-err));
}

static void *searcher(void *arg)
{
	struct shared *sh = arg;
	struct vexfs_hit hits[2 * 20];
	uint32_t nhits[2];
	uint64_t seed = (uintptr_t)&hits | 1;
	float q[2 * DIM];
	int ret, round = 0;

	while (!atomic_load(&sh->stop)) {
		struct vexfs_search_opts so = {
			.limit = 20,
			.ef = round % 3 ? 0 : 40,
			.flags = round % 4 ? 0 : VEXFS_SEARCH_EXACT,
		};

		for (int d = 0; d < 2 * DIM; d++)
			q[d] = vxt_rand(&seed);
		ret = vexfs_search(sh->fd, 2, DIM, q, &so, hits, nhits);
		if (ret < 0) {
			note_error(sh, "search", ret);
			continue;
		}
		/* There are always well over 20 points. */
		for (int j = 0; j < 2; j++) {
			if (nhits[j] != 20) {
				note_error(sh, "search: short result", -EIO);
				continue;
			}
			/* Euclid: non-decreasing distances, distinct ids. */
			for (int r = 1; r < 20; r++)
				if (hits[j * 20 + r].score <
					    hits[j * 20 + r - 1].score ||
				    hits[j * 20 + r].id.num ==
					    hits[j * 20 + r - 1].id.num)
					note_error(sh, "search: order", -EIO);
		}
		atomic_fetch_add(&sh->searches, 1);
		round++;
	}
	return NULL;
}

struct writer_arg {
	struct shared *sh;
	int w;
};

static void *writer(void *arg)
{
	struct writer_arg *wa = arg;
	struct shared *sh = wa->sh;
	uint64_t base = WBASE * (wa->w + 1), n = 0;
	int ret;

	while (!atomic_load(&sh->stop)) {
		ret = upsert_ids(sh->fd, base + n, 32);
		if (ret) {
			note_error(sh, "upsert", ret);
			break;
		}
		n += 32;
		/* Rewrite a batch of the shared preloaded range too. */
		ret = upsert_ids(sh->fd, (n * 7) % (PRELOAD - 2000 - 16) + 2000,
				 16);
		if (ret)
			note_error(sh, "upsert (rewrite)", ret);
	}
	sh->written[wa->w] = n;
	return NULL;
}

/* Deletes preloaded ids [0, 2000) in batches; rewriters never touch them. */
static void *deleter(void *arg)
{
	struct shared *sh = arg;
	struct vexfs_point_id ids[25];
	uint64_t next = 0;
	int ret;

	while (!atomic_load(&sh->stop) && next < 2000) {
		for (int i = 0; i < 25; i++)
			ids[i] = vexfs_id_num(next + i);
		ret = vexfs_delete(sh->fd, 25, ids);
		if (ret < 0) {
			note_error(sh, "delete", ret);
			break;
		}
		sh->deleted += ret;
		next += 25;
		usleep(2000);
	}
	sh->del_upto = next;
	return NULL;
}

/* count and scroll, which must agree with each other at the end only. */
static void *counter(void *arg)
{
	struct shared *sh = arg;
	struct vexfs_point_id ids[256];
	uint64_t n, cursor;
	int ret;

	while (!atomic_load(&sh->stop)) {
		ret = vexfs_count(sh->fd, &n, NULL);
		if (ret)
			note_error(sh, "count", ret);
		cursor = VEXFS_SCROLL_START;
		while (!atomic_load(&sh->stop) && cursor != VEXFS_SCROLL_END) {
			ret = vexfs_scroll(sh->fd, &cursor, 256, ids);
			if (ret < 0) {
				note_error(sh, "scroll", ret);
				break;
			}
		}
	}
	return NULL;
}

FIXTURE(load)
{
	struct vexfs *vx;
	int fd;
};

FIXTURE_SETUP(load)
{
	struct vexfs_collection_config c;
	int fd;

	self->fd = -1;
	ASSERT_EQ(0, vxt_up(&self->vx));
	vexfs_config_init(&c, DIM, VEXFS_DISTANCE_EUCLID);
	c.full_scan_threshold = 1; /* searches use the graph */
	fd = vexfs_coll_create(self->vx, "c", &c);
	if (!fd)
		fd = vexfs_coll_open(self->vx, "c");
	if (fd < 0)
		vxt_down(self->vx);
	ASSERT_LE(0, fd);
	self->fd = fd;
	for (uint64_t i = 0; i < PRELOAD; i += 50)
		ASSERT_EQ(0, upsert_ids(fd, i, 50));
}

FIXTURE_TEARDOWN(load)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, vxt_down(self->vx));
	EXPECT_FALSE(vxt_module_loaded());
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST_F_TIMEOUT(load, search_while_upserting_and_deleting, 180)
{
	struct shared sh = { .fd = self->fd };
	struct writer_arg wa[WRITERS];
	pthread_t t[SEARCHERS + WRITERS + 2];
	int nt = 0;
	uint64_t expect, n, cursor = 0, got = 0, *all;
	struct vexfs_point_id *ids;
	uint8_t *found;
	float *vecs, want[DIM];
	int ret;

	for (int i = 0; i < SEARCHERS; i++)
		ASSERT_EQ(0, pthread_create(&t[nt++], NULL, searcher, &sh));
	for (int i = 0; i < WRITERS; i++) {
		wa[i] = (struct writer_arg){ &sh, i };
		ASSERT_EQ(0, pthread_create(&t[nt++], NULL, writer, &wa[i]));
	}
	ASSERT_EQ(0, pthread_create(&t[nt++], NULL, deleter, &sh));
	ASSERT_EQ(0, pthread_create(&t[nt++], NULL, counter, &sh));
	sleep(RUN_SECONDS);
	atomic_store(&sh.stop, true);
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);

	EXPECT_EQ(0, atomic_load(&sh.errors));
	TH_LOG("%lu searches, %llu + %llu upserted, %llu deleted",
	       (unsigned long)atomic_load(&sh.searches),
	       (unsigned long long)sh.written[0],
	       (unsigned long long)sh.written[1],
	       (unsigned long long)sh.deleted);
	EXPECT_LT(0, atomic_load(&sh.searches));
	EXPECT_LT(0, sh.written[0]);
	EXPECT_EQ(sh.del_upto, sh.deleted); /* each preloaded id existed once */

	expect = PRELOAD - sh.deleted + sh.written[0] + sh.written[1];
	ASSERT_EQ(0, vexfs_count(self->fd, &n, NULL));
	EXPECT_EQ(expect, n);

	/* Scroll sees exactly the expected ids. */
	ids = calloc(n + 256, sizeof(*ids));
	all = calloc(n + 256, sizeof(*all));
	ASSERT_NE(NULL, ids);
	ASSERT_NE(NULL, all);
	while (cursor != VEXFS_SCROLL_END) {
		ret = vexfs_scroll(self->fd, &cursor, 256, ids);
		ASSERT_LE(0, ret);
		ASSERT_GE(n, got + ret);
		for (int i = 0; i < ret; i++)
			all[got++] = ids[i].num;
	}
	EXPECT_EQ(n, got);
	for (uint64_t i = 0, shown = 0; i < got && shown < 10; i++) {
		uint64_t id = all[i], w = id / WBASE;

		if (id < sh.del_upto ||
		    (id >= PRELOAD && (w < 1 || w > WRITERS ||
				       id % WBASE >= sh.written[w - 1]))) {
			TH_LOG("unexpected id %llu", (unsigned long long)id);
			shown++;
		}
	}
	ASSERT_EQ(expect, got);
	qsort(all, got, sizeof(*all), cmp_u64);
	for (uint64_t i = 1; i < got; i++)
		ASSERT_NE(all[i - 1], all[i]);

	/* Every id holds its vector; deleted ones are gone. */
	for (uint64_t i = 0; i < got; i++)
		ids[i] = vexfs_id_num(all[i]);
	found = calloc(got, 1);
	vecs = calloc(got * DIM, sizeof(float));
	ASSERT_TRUE(found && vecs);
	for (uint64_t i = 0; i < got; i += 4096) {
		uint32_t m = got - i < 4096 ? got - i : 4096;

		ASSERT_EQ((int)m, vexfs_get(self->fd, m, ids + i, found + i,
					    vecs + i * DIM, NULL, NULL, NULL));
	}
	for (uint64_t i = 0; i < got; i++) {
		vec_of(all[i], want);
		if (memcmp(want, vecs + i * DIM, sizeof(want)) ||
		    all[i] < sh.del_upto) {
			TH_LOG("id %llu: wrong vector, or deleted but present",
			       (unsigned long long)all[i]);
			EXPECT_TRUE(false);
			break;
		}
	}
	free(found);
	free(vecs);
	free(ids);
	free(all);

	/* And the same after a remount. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, vxt_remount(&self->vx));
	self->fd = vexfs_coll_open(self->vx, "c");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vexfs_count(self->fd, &n, NULL));
	EXPECT_EQ(expect, n);
}

struct doomed {
	int fd;
	atomic_bool stop;
	atomic_int bad; /* errors other than -ENOENT */
	atomic_int enoent;
};

static void *doomed_worker(void *arg)
{
	struct doomed *d = arg;
	struct vexfs_search_opts so = { .limit = 5 };
	struct vexfs_hit hits[5];
	float q[DIM] = { 0 };
	uint64_t i = 0;
	int ret;

	while (!atomic_load(&d->stop)) {
		if (i % 2)
			ret = vexfs_search(d->fd, 1, DIM, q, &so, hits, NULL);
		else
			ret = upsert_ids(d->fd, PRELOAD + i, 8);
		i++;
		if (ret == -ENOENT)
			atomic_fetch_add(&d->enoent, 1);
		else if (ret < 0)
			atomic_fetch_add(&d->bad, 1);
	}
	return NULL;
}

TEST_F_TIMEOUT(load, delete_collection_under_load, 120)
{
	struct doomed d = { .fd = self->fd };
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, doomed_worker, &d));
	usleep(500 * 1000);
	EXPECT_EQ(0, vexfs_coll_delete(self->vx, "c"));
	usleep(500 * 1000);
	atomic_store(&d.stop, true);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, atomic_load(&d.bad));
	EXPECT_LT(0, atomic_load(&d.enoent));
	EXPECT_EQ(0, vexfs_coll_list(self->vx, NULL, NULL));
}

TEST_HARNESS_MAIN
