// SPDX-License-Identifier: GPL-2.0
/*
 * Payload indexes under ThreadSanitizer: writers upsert and delete points
 * with payloads, another thread creates, replaces and deletes indexes, and
 * readers run planned filtered counts and searches, all at once through
 * the database layer. Each filtered count must equal a scan made under the
 * same lock, and afterwards every index must equal a rebuild.
 */
#include "db.h"
#include "pindex_plan.h"
#include "vxtest.h"
#include "crashdev.h"
#include "filter_build.h"
#include <pthread.h>

#define DIM 4
#define IDS 1500
#define WRITES 1500

static struct vx_db *db;
static int writers_done;
static unsigned long counts, bad_counts, searches;

static int upsert(u64 id, u32 g)
{
	static const float vec[DIM] = { 1, 2, 3, 4 };
	u8 pl[8] = { 0xa1, 0x61, 'g', (u8)(g % 20) };
	struct vx_point_in in = { .id = { .kind = VEXFS_ID_NUM, .num = id },
				  .vec = vec,
				  .payload = pl,
				  .payload_len = 4 };

	return vx_db_upsert(db, "t", 1, &in, 1);
}

static void *writer(void *arg)
{
	u64 rng = (u64)(uintptr_t)arg;

	for (u32 i = 0; i < WRITES; i++) {
		struct vexfs_point_id id = { .kind = VEXFS_ID_NUM };

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		id.num = (rng >> 33) % IDS;
		if ((rng >> 20) % 4)
			upsert(id.num, (u32)(rng >> 45));
		else
			vx_db_delete(db, "t", 1, &id, 1, NULL);
	}
	__atomic_add_fetch(&writers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *schema(void *arg)
{
	(void)arg;
	for (u32 i = 0; __atomic_load_n(&writers_done, __ATOMIC_ACQUIRE) < 2;
	     i++) {
		vx_db_index_create(db, "t", 1, "g", 1,
				   i % 3 ? VEXFS_INDEX_INTEGER :
					   VEXFS_INDEX_FLOAT);
		if (i % 5 == 4)
			vx_db_index_delete(db, "t", 1, "g", 1);
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct vx_filter *f;
	const char *why;
	u8 buf[64];
	struct fb b;

	(void)arg;
	fb_init(&b, buf, sizeof(buf));
	fb_match_int(&b, "g", 7);
	if (vx_filter_load(buf, fb_finish(&b), &f, &why))
		return NULL;
	while (__atomic_load_n(&writers_done, __ATOMIC_ACQUIRE) < 2) {
		struct vx_collection *c = vx_db_get_collection(db, "t", 1);
		static const float q[DIM] = { 1, 2, 3, 4 };
		struct vx_db_hit hits[5];
		u64 n, scan = 0;
		u32 nh;

		if (!c)
			continue;
		n = vx_collection_count_filter(c, f);
		for (u64 k = 0; k < c->next_key; k++)
			scan += c->by_key[k] &&
				vx_point_matches(c->by_key[k], f);
		if (!vx_collection_search_filter(c, q, 1, 5, 0, 0, 0, f, hits,
						 &nh))
			__atomic_add_fetch(&searches, 1, __ATOMIC_RELAXED);
		vx_db_put_collection(db, c);
		__atomic_add_fetch(&counts, 1, __ATOMIC_RELAXED);
		if (n != scan)
			__atomic_add_fetch(&bad_counts, 1, __ATOMIC_RELAXED);
	}
	vx_filter_free(f);
	return NULL;
}

VX_TEST(indexes_stay_exact_under_concurrent_writes_and_schema_changes)
{
	struct crashdev *d = crashdev_new(16384, NULL, 1);
	struct vexfs_collection_config cfg = {
		.dim = DIM, .distance = VEXFS_DISTANCE_EUCLID
	};
	pthread_t w[2], s, r[2];
	struct vx_collection *c;
	const char *why;

	VX_ASSERT_EQ(crashdev_mkfs(d, 0), 0);
	db = vx_db_new();
	VX_ASSERT_EQ(vx_db_open(db, &d->bd, 0, &why), 0);
	VX_ASSERT_EQ(vx_db_create_collection(db, "t", 1, &cfg), 0);
	for (u64 i = 0; i < IDS; i += 3)
		VX_ASSERT_EQ(upsert(i, (u32)i), 0);
	pthread_create(&w[0], NULL, writer, (void *)1);
	pthread_create(&w[1], NULL, writer, (void *)2);
	pthread_create(&s, NULL, schema, NULL);
	pthread_create(&r[0], NULL, reader, NULL);
	pthread_create(&r[1], NULL, reader, NULL);
	pthread_join(w[0], NULL);
	pthread_join(w[1], NULL);
	pthread_join(s, NULL);
	pthread_join(r[0], NULL);
	pthread_join(r[1], NULL);
	printf("# %lu filtered counts, %lu searches\n", counts, searches);
	VX_ASSERT(counts > 0);
	VX_ASSERT_EQ(bad_counts, 0);
	VX_ASSERT_EQ(
		vx_db_index_create(db, "t", 1, "g", 1, VEXFS_INDEX_INTEGER), 0);
	c = vx_db_get_collection(db, "t", 1);
	VX_ASSERT(c && c->pidx.n == 1);
	{
		struct vx_pindex *ix = c->pidx.ix[0], *fresh;

		VX_ASSERT_EQ(vx_pindex_build(&c->pidx, ix->type, ix->key,
					     ix->key_len, c->by_key,
					     c->next_key, &fresh),
			     0);
		VX_ASSERT_EQ(fresh->vals.n, ix->vals.n);
		VX_ASSERT_EQ(fresh->points, ix->points);
		VX_ASSERT_EQ(fresh->others.n, ix->others.n);
		VX_ASSERT(!ix->broken);
		vx_pindex_free(fresh);
	}
	vx_db_put_collection(db, c);
	VX_ASSERT_EQ(vx_db_verify(db, &why), 0);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

int main(void)
{
	return vx_run_tests();
}
