// SPDX-License-Identifier: GPL-2.0
/*
 * The catalog: aliases (create, re-point, rename, delete, collisions, limits,
 * cascade on collection delete), collection config updates and collections
 * without a graph, each surviving a remount through the WAL (no checkpoint)
 * and through a checkpoint.
 */
#include <stdlib.h>

#include "db.h"
#include "distance.h"
#include "vxtest.h"
#include "crashdev.h"

#define VX_ASSERT_STREQ(a, b) VX_ASSERT(!strcmp((a), (b)))

#define DEV_BLOCKS 2048

static struct vexfs_collection_config cfg_of(u32 dim)
{
	struct vexfs_collection_config cfg = {
		.dim = dim, .distance = VEXFS_DISTANCE_EUCLID
	};

	return cfg;
}

/* Close @db (with a checkpoint or leaving the WAL) and mount a copy. */
static struct vx_db *remount(struct vx_db *db, struct crashdev **d,
			     bool checkpoint)
{
	struct crashdev *d2;
	const char *why;

	if (vx_db_close(db, checkpoint))
		return NULL;
	vx_db_free(db);
	d2 = crashdev_new(DEV_BLOCKS, crashdev_image(*d), 1);
	crashdev_free(*d);
	*d = d2;
	db = vx_db_new();
	if (vx_db_open(db, &d2->bd, 0, &why)) {
		vx_db_free(db);
		return NULL;
	}
	return db;
}

static struct vx_db *fresh(struct crashdev **d)
{
	struct vx_db *db = vx_db_new();
	const char *why;

	*d = crashdev_new(DEV_BLOCKS, NULL, 1);
	if (crashdev_mkfs(*d, VX_MIN_WAL_BLOCKS) ||
	    vx_db_open(db, &(*d)->bd, 0, &why))
		return NULL;
	return db;
}

static int create(struct vx_db *db, const char *name, u32 dim)
{
	struct vexfs_collection_config cfg = cfg_of(dim);

	return vx_db_create_collection(db, name, (u32)strlen(name), &cfg);
}

static int acreate(struct vx_db *db, const char *alias, const char *coll)
{
	char out[256];
	u32 olen;

	return vx_db_alias_create(db, alias, (u32)strlen(alias), coll,
				  (u32)strlen(coll), out, &olen);
}

static int adelete(struct vx_db *db, const char *alias)
{
	char out[256];
	u32 olen;

	return vx_db_alias_delete(db, alias, (u32)strlen(alias), out, &olen);
}

static int arename(struct vx_db *db, const char *old, const char *alias)
{
	char out[256];
	u32 olen;

	return vx_db_alias_rename(db, old, (u32)strlen(old), alias,
				  (u32)strlen(alias), out, &olen);
}

/* The collection @name resolves to, as a static string ("" if none). */
static const char *target(struct vx_db *db, const char *name)
{
	static char buf[256];
	struct vx_collection *c =
		vx_db_get_collection(db, name, (u32)strlen(name));

	buf[0] = '\0';
	if (c) {
		memcpy(buf, c->name, c->name_len);
		buf[c->name_len] = '\0';
		vx_db_put_collection(db, c);
	}
	return buf;
}

static u32 nr_aliases(struct vx_db *db)
{
	char name[256], coll[256];
	u32 n = 0, len, clen, id;

	while (!vx_db_alias_at(db, n, name, &len, &id, coll, &clen))
		n++;
	return n;
}

static void check_alias_state(struct vx_db *db)
{
	const char *why = NULL;

	VX_ASSERT_EQ(nr_aliases(db), 2);
	VX_ASSERT_STREQ(target(db, "prod"), "b");
	VX_ASSERT_STREQ(target(db, "stage2"), "a");
	VX_ASSERT_STREQ(target(db, "stage"), "");
	VX_ASSERT_STREQ(target(db, "gone"), "");
	VX_ASSERT_EQ(vx_db_verify(db, &why), 0);
}

VX_TEST(aliases_lifecycle_and_persistence)
{
	struct crashdev *d;
	struct vx_db *db = fresh(&d);
	char out[256];
	u32 olen, id;

	VX_ASSERT(db != NULL);
	VX_ASSERT_EQ(create(db, "a", 4), 0);
	VX_ASSERT_EQ(create(db, "b", 4), 0);
	VX_ASSERT_EQ(create(db, "c", 4), 0);
	VX_ASSERT_EQ(acreate(db, "prod", "a"), 0);
	VX_ASSERT_STREQ(target(db, "prod"), "a");
	/* create re-points, keeping one alias */
	VX_ASSERT_EQ(vx_db_alias_create(db, "prod", 4, "b", 1, out, &olen), 0);
	VX_ASSERT_EQ(olen, 1);
	VX_ASSERT_EQ(out[0], 'b');
	VX_ASSERT_EQ(nr_aliases(db), 1);
	VX_ASSERT_STREQ(target(db, "prod"), "b");
	/* errors */
	VX_ASSERT_EQ(acreate(db, "a", "b"), -EEXIST); /* a collection's name */
	VX_ASSERT_EQ(acreate(db, "x", "nope"), -ENOENT);
	VX_ASSERT_EQ(acreate(db, "x", "prod"), -ENOENT); /* alias of alias */
	VX_ASSERT_EQ(acreate(db, "bad/name", "a"), -EINVAL);
	VX_ASSERT_EQ(acreate(db, "..", "a"), -EINVAL);
	VX_ASSERT_EQ(acreate(db, "", "a"), -EINVAL);
	VX_ASSERT_EQ(adelete(db, "nope"), -ENOENT);
	VX_ASSERT_EQ(arename(db, "nope", "x"), -ENOENT);
	VX_ASSERT_EQ(arename(db, "prod", "c"), -EEXIST);
	VX_ASSERT_EQ(create(db, "prod", 4), -EEXIST); /* an alias's name */
	/* deleting by an alias's name deletes nothing (as Qdrant) */
	VX_ASSERT_EQ(vx_db_delete_collection(db, "prod", 4), -ENOENT);
	VX_ASSERT_STREQ(target(db, "prod"), "b");
	/* rename, and rename over an existing alias replaces it */
	VX_ASSERT_EQ(acreate(db, "stage", "a"), 0);
	VX_ASSERT_EQ(acreate(db, "gone", "c"), 0);
	VX_ASSERT_EQ(arename(db, "stage", "stage2"), 0);
	VX_ASSERT_EQ(acreate(db, "tmp", "c"), 0);
	VX_ASSERT_EQ(arename(db, "tmp", "gone"), 0);
	VX_ASSERT_STREQ(target(db, "gone"), "c");
	VX_ASSERT_EQ(vx_db_alias_find(db, "stage2", 6, &id), 0);
	VX_ASSERT_EQ(vx_db_alias_target(db, id, out, &olen), 0);
	VX_ASSERT_EQ(olen, 1);
	VX_ASSERT_EQ(out[0], 'a');
	/* deleting a collection deletes its aliases */
	VX_ASSERT_EQ(vx_db_delete_collection(db, "c", 1), 0);
	VX_ASSERT_STREQ(target(db, "gone"), "");
	check_alias_state(db);

	db = remount(db, &d, false); /* WAL replay */
	VX_ASSERT(db != NULL);
	check_alias_state(db);
	db = remount(db, &d, true); /* checkpoint */
	VX_ASSERT(db != NULL);
	check_alias_state(db);
	VX_ASSERT_EQ(adelete(db, "prod"), 0);
	VX_ASSERT_EQ(nr_aliases(db), 1);
	db = remount(db, &d, false);
	VX_ASSERT(db != NULL);
	VX_ASSERT_EQ(nr_aliases(db), 1);
	VX_ASSERT_STREQ(target(db, "prod"), "");
	/* a name freed by an alias can become a collection */
	VX_ASSERT_EQ(create(db, "prod", 4), 0);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

VX_TEST(alias_limit)
{
	struct crashdev *d;
	struct vx_db *db = fresh(&d);
	char name[32];
	u32 i;

	VX_ASSERT(db != NULL);
	VX_ASSERT_EQ(create(db, "a", 4), 0);
	for (i = 0; i < VEXFS_ALIASES_MAX; i++) {
		snprintf(name, sizeof(name), "al%u", i);
		VX_ASSERT_EQ(acreate(db, name, "a"), 0);
	}
	VX_ASSERT_EQ(acreate(db, "one-too-many", "a"), -ENOSPC);
	VX_ASSERT_EQ(acreate(db, "al7", "a"), 0); /* re-pointing still works */
	db = remount(db, &d, true);
	VX_ASSERT(db != NULL);
	VX_ASSERT_EQ(nr_aliases(db), VEXFS_ALIASES_MAX);
	VX_ASSERT_EQ(vx_db_delete_collection(db, "a", 1), 0);
	VX_ASSERT_EQ(nr_aliases(db), 0);
	db = remount(db, &d, false);
	VX_ASSERT(db != NULL);
	VX_ASSERT_EQ(nr_aliases(db), 0);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

static int upsert_n(struct vx_db *db, const char *coll, u32 n)
{
	float vec[4];
	int err = 0;

	for (u32 i = 0; i < n && !err; i++) {
		struct vx_point_in in = {
			.id = { .kind = VEXFS_ID_NUM, .num = i },
			.vec = vec,
		};

		for (u32 k = 0; k < 4; k++)
			vec[k] = (float)((i * 7 + k * 13) % 101);
		err = vx_db_upsert(db, coll, (u32)strlen(coll), &in, 1);
	}
	return err;
}

static void config_of(struct vx_db *db, const char *name,
		      struct vexfs_collection_config *cfg, u64 *pending)
{
	struct vx_collection *c =
		vx_db_get_collection(db, name, (u32)strlen(name));

	memset(cfg, 0, sizeof(*cfg));
	if (!c)
		return;
	*cfg = c->cfg;
	*pending = vx_vindex_nr_pending(c->vi);
	vx_db_put_collection(db, c);
}

static u32 nearest(struct vx_db *db, const char *name, const float *q)
{
	struct vx_collection *c =
		vx_db_get_collection(db, name, (u32)strlen(name));
	struct vx_db_hit hit;
	u32 nhits = 0;

	if (!c)
		return ~0u;
	if (vx_collection_search(c, q, 1, 1, 0, 0, 0, &hit, &nhits) ||
	    nhits != 1)
		hit.id.num = ~0u;
	vx_db_put_collection(db, c);
	return (u32)hit.id.num;
}

VX_TEST(collection_update_and_no_graph)
{
	struct crashdev *d;
	struct vx_db *db = fresh(&d);
	struct vexfs_collection_config cfg = cfg_of(4), got;
	char real[256];
	u32 rlen;
	u64 pending = 0, left = 1;
	float q[4] = { 14, 27, 40, 53 }; /* point 2's vector + 0 */

	VX_ASSERT(db != NULL);
	/* NO_GRAPH: hnsw_m must be 0 and stays 0 */
	cfg.flags = VEXFS_CONFIG_NO_GRAPH;
	cfg.hnsw_m = 16;
	VX_ASSERT_EQ(vx_db_create_collection(db, "flat", 4, &cfg), -EINVAL);
	cfg.hnsw_m = 0;
	VX_ASSERT_EQ(vx_db_create_collection(db, "flat", 4, &cfg), 0);
	cfg.flags = 2;
	VX_ASSERT_EQ(vx_db_create_collection(db, "badflag", 7, &cfg), -EINVAL);
	VX_ASSERT_EQ(upsert_n(db, "flat", 300), 0);
	config_of(db, "flat", &got, &pending);
	VX_ASSERT_EQ(got.hnsw_m, 0);
	VX_ASSERT_EQ(pending, 0); /* nothing queued for a graph */
	VX_ASSERT_EQ(nearest(db, "flat", q), 2);

	/* update through an alias: m 0 -> 8 rebuilds, everything queued */
	VX_ASSERT_EQ(acreate(db, "al", "flat"), 0);
	cfg = got;
	cfg.flags = 0;
	cfg.hnsw_m = 8;
	cfg.hnsw_ef_construct = 50;
	VX_ASSERT_EQ(vx_db_update_collection(db, "al", 2, &cfg, real, &rlen),
		     0);
	VX_ASSERT_EQ(rlen, 4);
	config_of(db, "flat", &got, &pending);
	VX_ASSERT_EQ(got.hnsw_m, 8);
	VX_ASSERT_EQ(got.hnsw_ef_construct, 50);
	VX_ASSERT_EQ(pending, 300);
	VX_ASSERT_EQ(nearest(db, "flat", q), 2);
	while (left)
		VX_ASSERT_EQ(vx_db_index_pending(db, 1000, &left), 0);
	VX_ASSERT_EQ(nearest(db, "flat", q), 2);
	/* dim or distance may not change; bad values are refused */
	cfg.dim = 5;
	VX_ASSERT_EQ(vx_db_update_collection(db, "flat", 4, &cfg, real, &rlen),
		     -EINVAL);
	cfg.dim = 4;
	cfg.distance = VEXFS_DISTANCE_DOT;
	VX_ASSERT_EQ(vx_db_update_collection(db, "flat", 4, &cfg, real, &rlen),
		     -EINVAL);
	cfg.distance = VEXFS_DISTANCE_EUCLID;
	cfg.hnsw_m = 1;
	VX_ASSERT_EQ(vx_db_update_collection(db, "flat", 4, &cfg, real, &rlen),
		     -EINVAL);
	VX_ASSERT_EQ(vx_db_update_collection(db, "nope", 4, &cfg, real, &rlen),
		     -ENOENT);
	/* the threshold alone keeps the graph */
	cfg.hnsw_m = 8;
	cfg.full_scan_threshold = 1;
	VX_ASSERT_EQ(vx_db_update_collection(db, "flat", 4, &cfg, real, &rlen),
		     0);
	config_of(db, "flat", &got, &pending);
	VX_ASSERT_EQ(pending, 0);
	VX_ASSERT_EQ(got.full_scan_threshold, 1);

	db = remount(db, &d, false); /* replay rebuilds as the live path did */
	VX_ASSERT(db != NULL);
	config_of(db, "flat", &got, &pending);
	VX_ASSERT_EQ(got.hnsw_m, 8);
	VX_ASSERT_EQ(got.hnsw_ef_construct, 50);
	VX_ASSERT_EQ(got.full_scan_threshold, 1);
	VX_ASSERT_EQ(nearest(db, "flat", q), 2);
	/* back to no graph, through a checkpoint */
	cfg = got;
	cfg.hnsw_m = 0;
	cfg.flags = VEXFS_CONFIG_NO_GRAPH;
	VX_ASSERT_EQ(vx_db_update_collection(db, "flat", 4, &cfg, real, &rlen),
		     0);
	db = remount(db, &d, true);
	VX_ASSERT(db != NULL);
	config_of(db, "flat", &got, &pending);
	VX_ASSERT_EQ(got.hnsw_m, 0);
	VX_ASSERT_EQ(got.flags, VEXFS_CONFIG_NO_GRAPH);
	VX_ASSERT_EQ(pending, 0);
	VX_ASSERT_EQ(nearest(db, "al", q), 2);
	vx_db_close(db, false);
	vx_db_free(db);
	crashdev_free(d);
}

int main(void)
{
	vx_dist_init();
	return vx_run_tests();
}
