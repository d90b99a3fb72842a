// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs.ko selftests of the catalog beyond create/delete: aliases (netlink
 * and their symlinks in the mount root), collection config updates,
 * collections without a graph, the events they announce (ALIAS_CHANGED,
 * COLL_UPDATED, INDEXED), who may make the changes, and that all of it
 * survives a remount.
 *
 * Runs as root in the test guest (see vexfs_selftest.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>

#include "kselftest_harness.h"
#include "vexfs_selftest.h"

static struct vexfs_collection_config cfg_of(uint32_t dim)
{
	struct vexfs_collection_config c;

	vexfs_config_init(&c, dim, VEXFS_DISTANCE_EUCLID);
	return c;
}

struct alias_seen {
	int n;
	char alias[8][VEXFS_COLLECTION_NAME_MAX + 1];
	char coll[8][VEXFS_COLLECTION_NAME_MAX + 1];
};

static int collect_alias(const char *alias, const char *coll, void *arg)
{
	struct alias_seen *s = arg;

	if (s->n < 8) {
		strcpy(s->alias[s->n], alias);
		strcpy(s->coll[s->n], coll);
	}
	s->n++;
	return 0;
}

/* The collection alias @a points at per ALIAS_LIST, or "" (static). */
static const char *listed_target(struct vexfs *vx, const char *a)
{
	static struct alias_seen s;

	memset(&s, 0, sizeof(s));
	if (vexfs_alias_list(vx, NULL, collect_alias, &s) < 0)
		return "(error)";
	for (int i = 0; i < s.n && i < 8; i++)
		if (!strcmp(s.alias[i], a))
			return s.coll[i];
	return "";
}

/* readlink of the root entry @name, or "" (static). */
static const char *link_of(const char *name)
{
	static char buf[PATH_MAX];
	char path[512];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", VXT_MNT, name);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* The same relative to the root fd (for a caller who cannot reach it). */
static const char *link_at(struct vexfs *vx, const char *name)
{
	static char buf[PATH_MAX];
	ssize_t n = readlinkat(vexfs_root_fd(vx), name, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* d_type of root entry @name in a readdir, or -1 if not listed. */
static int listed_type(const char *name)
{
	DIR *d = opendir(VXT_MNT);
	struct dirent *e;
	int type = -1;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (!strcmp(e->d_name, name))
			type = e->d_type;
	closedir(d);
	return type;
}

static int upsert_range(int fd, uint32_t dim, uint64_t first, uint32_t n)
{
	struct vexfs_point_id *ids = calloc(n, sizeof(*ids));
	float *vec = calloc((size_t)n * dim, sizeof(float));
	uint64_t seed = first + 1;
	int ret = -ENOMEM;

	if (ids && vec) {
		for (uint32_t i = 0; i < n; i++) {
			ids[i] = vexfs_id_num(first + i);
			for (uint32_t k = 0; k < dim; k++)
				vec[(size_t)i * dim + k] = vxt_rand(&seed);
		}
		ret = vexfs_upsert(fd, n, dim, ids, vec, NULL, NULL);
	}
	free(ids);
	free(vec);
	return ret;
}

FIXTURE(fs)
{
	struct vexfs *vx;
};

FIXTURE_SETUP(fs)
{
	ASSERT_EQ(0, vxt_up(&self->vx));
}

FIXTURE_TEARDOWN(fs)
{
	EXPECT_EQ(0, vxt_down(self->vx));
	EXPECT_FALSE(vxt_module_loaded());
}

TEST_F(fs, alias_create_repoint_rename_delete)
{
	struct vexfs_collection_config c = cfg_of(4);
	struct vexfs_coll_info info;
	struct alias_seen s = { 0 };
	uint64_t points = 0, indexed;
	struct stat st;
	int fd;

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "a", &c));
	c = cfg_of(8);
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "b", &c));
	fd = vexfs_coll_open(self->vx, "a");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, upsert_range(fd, 4, 0, 3));
	close(fd);

	ASSERT_EQ(0, vexfs_alias_create(self->vx, "prod", "a"));
	EXPECT_STREQ("a", listed_target(self->vx, "prod"));
	/* get by the alias reports the collection, under its own name */
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "prod", &info));
	EXPECT_STREQ("a", info.name);
	EXPECT_EQ(4, info.config.dim);
	EXPECT_EQ(3, info.points);
	/* the data plane: a symlink in the root, opened as the directory */
	EXPECT_STREQ("a", link_of("prod"));
	EXPECT_EQ(DT_LNK, listed_type("prod"));
	EXPECT_EQ(DT_DIR, listed_type("a"));
	ASSERT_EQ(0, lstat(VXT_MNT "/prod", &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	ASSERT_EQ(0, stat(VXT_MNT "/prod", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	fd = open(VXT_MNT "/prod", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vexfs_count(fd, &points, &indexed));
	EXPECT_EQ(3, points);
	close(fd);
	fd = vexfs_coll_open(self->vx, "prod");
	ASSERT_LE(0, fd);
	close(fd);

	/* create re-points atomically; the symlink follows */
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "prod", "b"));
	EXPECT_STREQ("b", listed_target(self->vx, "prod"));
	EXPECT_STREQ("b", link_of("prod"));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "prod", &info));
	EXPECT_EQ(8, info.config.dim);
	EXPECT_EQ(1, vexfs_alias_list(self->vx, NULL, NULL, NULL));

	/* rename */
	ASSERT_EQ(0, vexfs_alias_rename(self->vx, "prod", "live"));
	EXPECT_STREQ("", listed_target(self->vx, "prod"));
	EXPECT_STREQ("b", listed_target(self->vx, "live"));
	EXPECT_EQ(-1, listed_type("prod"));
	EXPECT_EQ(DT_LNK, listed_type("live"));
	EXPECT_STREQ("b", link_of("live"));
	EXPECT_EQ(-1, lstat(VXT_MNT "/prod", &st));

	/* per-collection listing, also by an alias of it */
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "other", "a"));
	EXPECT_EQ(2, vexfs_alias_list(self->vx, NULL, NULL, NULL));
	ASSERT_EQ(1, vexfs_alias_list(self->vx, "b", collect_alias, &s));
	EXPECT_STREQ("live", s.alias[0]);
	EXPECT_STREQ("b", s.coll[0]);
	EXPECT_EQ(1, vexfs_alias_list(self->vx, "other", NULL, NULL));
	EXPECT_EQ(-ENOENT, vexfs_alias_list(self->vx, "none", NULL, NULL));

	/* delete */
	ASSERT_EQ(0, vexfs_alias_delete(self->vx, "live"));
	EXPECT_EQ(-1, listed_type("live"));
	EXPECT_EQ(-ENOENT, vexfs_coll_get(self->vx, "live", &info));
	EXPECT_EQ(-ENOENT, vexfs_alias_delete(self->vx, "live"));
	EXPECT_EQ(1, vexfs_alias_list(self->vx, NULL, NULL, NULL));
}

TEST_F(fs, alias_errors)
{
	struct vexfs_collection_config c = cfg_of(4);
	char long_name[VEXFS_COLLECTION_NAME_MAX + 2];

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "a", &c));
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "b", &c));
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "al", "a"));
	/* an alias may not shadow a collection, nor a collection an alias */
	EXPECT_EQ(-EEXIST, vexfs_alias_create(self->vx, "b", "a"));
	EXPECT_EQ(-EEXIST, vexfs_alias_rename(self->vx, "al", "b"));
	EXPECT_EQ(-EEXIST, vexfs_coll_create(self->vx, "al", &c));
	/* targets must be collections */
	EXPECT_EQ(-ENOENT, vexfs_alias_create(self->vx, "x", "none"));
	EXPECT_EQ(-ENOENT, vexfs_alias_create(self->vx, "x", "al"));
	EXPECT_EQ(-ENOENT, vexfs_alias_rename(self->vx, "none", "x"));
	/* names are validated like collection names */
	EXPECT_EQ(-EINVAL, vexfs_alias_create(self->vx, "", "a"));
	EXPECT_EQ(-EINVAL, vexfs_alias_create(self->vx, ".", "a"));
	EXPECT_EQ(-EINVAL, vexfs_alias_create(self->vx, "..", "a"));
	EXPECT_EQ(-EINVAL, vexfs_alias_create(self->vx, "x/y", "a"));
	EXPECT_EQ(-EINVAL, vexfs_alias_create(self->vx, "tab\there", "a"));
	EXPECT_EQ(-EINVAL, vexfs_alias_rename(self->vx, "al", "x/y"));
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	EXPECT_EQ(-EINVAL, vexfs_alias_create(self->vx, long_name, "a"));
	long_name[VEXFS_COLLECTION_NAME_MAX] = '\0'; /* 255 bytes: fine */
	EXPECT_EQ(0, vexfs_alias_create(self->vx, long_name, "a"));
	EXPECT_STREQ("a", link_of(long_name));
	/* deleting a collection by an alias's name is refused (as Qdrant) */
	EXPECT_EQ(-ENOENT, vexfs_coll_delete(self->vx, "al"));
	EXPECT_STREQ("a", listed_target(self->vx, "al"));
	/* deleting the collection deletes its aliases */
	ASSERT_EQ(0, vexfs_coll_delete(self->vx, "a"));
	EXPECT_EQ(0, vexfs_alias_list(self->vx, NULL, NULL, NULL));
	EXPECT_EQ(-1, listed_type("al"));
	/* and the name is free for a collection */
	EXPECT_EQ(0, vexfs_coll_create(self->vx, "al", &c));
}

struct unpriv_arg {
	struct vexfs *vx;
};

/* Exit codes: 0 as expected, 10+ the step that was not. */
static int unpriv_denied(void *p)
{
	struct unpriv_arg *a = p;
	struct vexfs_collection_config c = cfg_of(4);
	int ret;

	ret = vexfs_alias_create(a->vx, "mine", "a");
	if (ret != -EACCES && ret != -EPERM)
		return 10;
	ret = vexfs_alias_delete(a->vx, "al");
	if (ret != -EACCES && ret != -EPERM)
		return 11;
	ret = vexfs_alias_rename(a->vx, "al", "al2");
	if (ret != -EACCES && ret != -EPERM)
		return 12;
	c.hnsw_m = 8;
	ret = vexfs_coll_update(a->vx, "a", &c);
	if (ret != -EACCES && ret != -EPERM)
		return 13;
	/* reading is allowed */
	if (vexfs_alias_list(a->vx, NULL, NULL, NULL) != 1)
		return 14;
	/* the guest's /tmp is not searchable by nobody: use the root fd */
	if (strcmp(link_at(a->vx, "al"), "a"))
		return 15;
	return 0;
}

static int unpriv_allowed(void *p)
{
	struct unpriv_arg *a = p;

	if (vexfs_alias_create(a->vx, "mine", "a"))
		return 20;
	if (vexfs_alias_rename(a->vx, "mine", "mine2"))
		return 21;
	return 0;
}

TEST_F(fs, unprivileged_cannot_change_aliases_or_config)
{
	struct vexfs_collection_config c = cfg_of(4);
	struct unpriv_arg a = { self->vx };
	struct vexfs_coll_info info;

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "a", &c));
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "al", "a"));
	EXPECT_EQ(0, vxt_as_nobody(unpriv_denied, &a));
	EXPECT_STREQ("a", listed_target(self->vx, "al"));
	EXPECT_EQ(1, vexfs_alias_list(self->vx, NULL, NULL, NULL));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "a", &info));
	EXPECT_EQ(16, info.config.hnsw_m);
	/* write permission on the root is what counts */
	ASSERT_EQ(0, chmod(VXT_MNT, 0777));
	EXPECT_EQ(0, vxt_as_nobody(unpriv_allowed, &a));
	EXPECT_STREQ("a", listed_target(self->vx, "mine2"));
}

TEST_F_TIMEOUT(fs, update_changes_hnsw_params_durably, 120)
{
	struct vexfs_collection_config c = cfg_of(4);
	struct vexfs_coll_info info;
	uint64_t points, indexed;
	int fd;

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "u", &c));
	fd = vexfs_coll_open(self->vx, "u");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, upsert_range(fd, 4, 0, 200));
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "ualias", "u"));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "u", &info));

	/* dim and distance must stay */
	c = info.config;
	c.dim = 5;
	EXPECT_EQ(-EINVAL, vexfs_coll_update(self->vx, "u", &c));
	c = info.config;
	c.distance = VEXFS_DISTANCE_DOT;
	EXPECT_EQ(-EINVAL, vexfs_coll_update(self->vx, "u", &c));
	c = info.config;
	c.hnsw_m = 1;
	EXPECT_EQ(-EINVAL, vexfs_coll_update(self->vx, "u", &c));
	c.hnsw_m = 100000;
	EXPECT_EQ(-EINVAL, vexfs_coll_update(self->vx, "u", &c));
	c = info.config;
	c.flags = 0x80;
	EXPECT_EQ(-EINVAL, vexfs_coll_update(self->vx, "u", &c));
	EXPECT_EQ(-ENOENT, vexfs_coll_update(self->vx, "none", &c));

	/* m, ef_construct, threshold, through the alias */
	c = info.config;
	c.hnsw_m = 8;
	c.hnsw_ef_construct = 64;
	c.full_scan_threshold = 1;
	ASSERT_EQ(0, vexfs_coll_update(self->vx, "ualias", &c));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "u", &info));
	EXPECT_EQ(8, info.config.hnsw_m);
	EXPECT_EQ(64, info.config.hnsw_ef_construct);
	EXPECT_EQ(1, info.config.full_scan_threshold);
	EXPECT_EQ(200, info.points);
	/* the rebuilt graph is relinked in the background */
	for (int i = 0; i < 300; i++) {
		ASSERT_EQ(0, vexfs_count(fd, &points, &indexed));
		if (indexed == 200)
			break;
		usleep(20 * 1000);
	}
	EXPECT_EQ(200, indexed);
	close(fd); /* an open directory would keep the mount busy */

	ASSERT_EQ(0, vxt_remount(&self->vx));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "ualias", &info));
	EXPECT_STREQ("u", info.name);
	EXPECT_EQ(8, info.config.hnsw_m);
	EXPECT_EQ(64, info.config.hnsw_ef_construct);
	EXPECT_EQ(1, info.config.full_scan_threshold);
	EXPECT_EQ(200, info.points);
}

TEST_F(fs, no_graph_collection)
{
	struct vexfs_collection_config c = cfg_of(4);
	struct vexfs_coll_info info;
	struct vexfs_search_opts o = { .limit = 1 };
	struct vexfs_hit hit;
	uint64_t points, indexed;
	float q[4];
	uint64_t seed = 1 + 77; /* point 77's vector: see upsert_range */
	int fd;

	c.flags = VEXFS_CONFIG_NO_GRAPH;
	c.hnsw_m = 4;
	EXPECT_EQ(-EINVAL, vexfs_coll_create(self->vx, "flat", &c));
	c.hnsw_m = 0;
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "flat", &c));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "flat", &info));
	EXPECT_EQ(0, info.config.hnsw_m);
	EXPECT_EQ(VEXFS_CONFIG_NO_GRAPH, info.config.flags);
	fd = vexfs_coll_open(self->vx, "flat");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, upsert_range(fd, 4, 77, 1));
	ASSERT_EQ(0, upsert_range(fd, 4, 0, 50));
	ASSERT_EQ(0, vexfs_count(fd, &points, &indexed));
	EXPECT_EQ(51, points); /* 0..49 and 77 */
	EXPECT_EQ(0, indexed); /* no graph: none indexed, as Qdrant reports */
	for (int k = 0; k < 4; k++)
		q[k] = vxt_rand(&seed);
	ASSERT_EQ(1, vexfs_search(fd, 1, 4, q, &o, &hit, NULL));
	EXPECT_EQ(77, hit.id.num);
	close(fd);
	ASSERT_EQ(0, vxt_remount(&self->vx));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "flat", &info));
	EXPECT_EQ(0, info.config.hnsw_m);
	EXPECT_EQ(VEXFS_CONFIG_NO_GRAPH, info.config.flags);
	EXPECT_EQ(51, info.points);
}

TEST_F(fs, aliases_and_updates_persist_across_remount)
{
	struct vexfs_collection_config c = cfg_of(4);
	struct vexfs_coll_info info;
	char cmd[256];

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "a", &c));
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "b", &c));
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "one", "a"));
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "two", "a"));
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "two", "b"));
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "three", "b"));
	ASSERT_EQ(0, vexfs_alias_rename(self->vx, "three", "four"));
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "gone", "b"));
	ASSERT_EQ(0, vexfs_alias_delete(self->vx, "gone"));
	c.hnsw_ef_construct = 77;
	ASSERT_EQ(0, vexfs_coll_update(self->vx, "b", &c));
	/* twice: the first mount replays the WAL, the second a checkpoint */
	for (int round = 0; round < 2; round++) {
		ASSERT_EQ(0, vxt_remount(&self->vx));
		EXPECT_EQ(3, vexfs_alias_list(self->vx, NULL, NULL, NULL));
		EXPECT_STREQ("a", listed_target(self->vx, "one"));
		EXPECT_STREQ("b", listed_target(self->vx, "two"));
		EXPECT_STREQ("b", listed_target(self->vx, "four"));
		EXPECT_STREQ("", listed_target(self->vx, "three"));
		EXPECT_STREQ("", listed_target(self->vx, "gone"));
		EXPECT_STREQ("b", link_of("four"));
		ASSERT_EQ(0, vexfs_coll_get(self->vx, "two", &info));
		EXPECT_EQ(77, info.config.hnsw_ef_construct);
	}
	/* fsck agrees with what the mount saw */
	vexfs_close(self->vx);
	self->vx = NULL;
	ASSERT_EQ(0, umount(VXT_MNT));
	snprintf(cmd, sizeof(cmd), "fsck.vexfs -n %s >/dev/null", vxt_dev());
	EXPECT_EQ(0, system(cmd));
	ASSERT_EQ(0, vxt_mount(vxt_dev(), 0));
	self->vx = vexfs_open(VXT_MNT);
	ASSERT_NE(NULL, self->vx);
}

/* Next event of type @type within @ms, skipping others; 1 if found. */
static int wait_event(struct vexfs_events *ev, uint32_t type,
		      struct vexfs_event_info *e, int ms)
{
	for (int waited = 0; waited < ms; waited += 100) {
		int r = vexfs_events_read(ev, e, 100);

		if (r < 0)
			return r;
		if (r == 1 && e->event == type)
			return 1;
	}
	return 0;
}

TEST_F_TIMEOUT(fs, events_for_aliases_updates_and_indexing, 120)
{
	struct vexfs_collection_config c = cfg_of(8);
	struct vexfs_events *ev = vexfs_events_open();
	struct vexfs_event_info e;
	int fd;

	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "evc", &c));
	ASSERT_EQ(1, wait_event(ev, VEXFS_EVENT_COLL_CREATED, &e, 2000));
	ASSERT_EQ(0, vexfs_alias_create(self->vx, "eva", "evc"));
	ASSERT_EQ(1, wait_event(ev, VEXFS_EVENT_ALIAS_CHANGED, &e, 2000));
	EXPECT_STREQ("evc", e.coll);
	/* a failed change announces nothing */
	EXPECT_EQ(-EEXIST, vexfs_alias_create(self->vx, "evc", "evc"));
	EXPECT_EQ(0, vexfs_events_read(ev, &e, 200));
	ASSERT_EQ(0, vexfs_alias_delete(self->vx, "eva"));
	ASSERT_EQ(1, vexfs_events_read(ev, &e, 2000));
	EXPECT_EQ(VEXFS_EVENT_ALIAS_CHANGED, e.event);
	EXPECT_STREQ("evc", e.coll);

	c.hnsw_ef_construct = 40;
	ASSERT_EQ(0, vexfs_coll_update(self->vx, "evc", &c));
	ASSERT_EQ(1, vexfs_events_read(ev, &e, 2000));
	EXPECT_EQ(VEXFS_EVENT_COLL_UPDATED, e.event);
	EXPECT_STREQ("evc", e.coll);

	/* INDEXED once the background indexer has linked every point */
	fd = vexfs_coll_open(self->vx, "evc");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, upsert_range(fd, 8, 0, 600));
	ASSERT_EQ(1, wait_event(ev, VEXFS_EVENT_INDEXED, &e, 60000));
	EXPECT_STREQ("evc", e.coll);
	EXPECT_EQ(600, e.indexed);
	close(fd);
	vexfs_events_close(ev);
}

TEST_F_TIMEOUT(fs, alias_limit_is_enforced, 300)
{
	struct vexfs_collection_config c = cfg_of(2);
	char name[32];

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "a", &c));
	for (unsigned int i = 0; i < VEXFS_ALIASES_MAX; i++) {
		snprintf(name, sizeof(name), "alias-%u", i);
		ASSERT_EQ(0, vexfs_alias_create(self->vx, name, "a"));
	}
	EXPECT_EQ(-ENOSPC, vexfs_alias_create(self->vx, "one-more", "a"));
	EXPECT_EQ((int)VEXFS_ALIASES_MAX,
		  vexfs_alias_list(self->vx, NULL, NULL, NULL));
	EXPECT_STREQ("a", link_of("alias-4095"));
}

TEST_HARNESS_MAIN
