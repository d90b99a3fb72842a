// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs.ko selftests of payload indexes: create, list (with point counts)
 * and delete over generic netlink, who may do it, filtered counts and
 * deletes that agree with and without an index, and the schema surviving
 * a remount (the index rebuilt from the points).
 *
 * Runs as root in the test guest (see vexfs_selftest.h).
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "vexfs_selftest.h"
#include "uapi/vexfs_filter.h"

#define NPTS 500

/* A one-node program: MATCH_INT key == v (uapi/vexfs_filter.h). */
static uint32_t match_int(uint8_t *p, const char *key, int64_t v)
{
	uint32_t klen = strlen(key), node = 6 + 2 + klen + 8, n = 0;
	uint32_t len = VEXFS_FILTER_HDR_SIZE + node;

#define LE(x, b)                                                       \
	do {                                                           \
		for (int i_ = 0; i_ < (b); i_++)                       \
			p[n++] = (uint8_t)((uint64_t)(x) >> (8 * i_)); \
	} while (0)
	LE(VEXFS_FILTER_MAGIC, 4);
	LE(VEXFS_FILTER_VERSION, 2);
	LE(0, 2);
	LE(len, 4);
	LE(1, 4);
	p[n++] = VEXFS_FOP_MATCH_INT;
	p[n++] = 0;
	LE(node, 4);
	LE(klen, 2);
	memcpy(p + n, key, klen);
	n += klen;
	LE(v, 8);
#undef LE
	return n;
}

/* NPTS points {"i": id % 10}. */
static int fill(int fd)
{
	struct vexfs_point_id ids[NPTS];
	static float vec[NPTS * 4];
	uint32_t lens[NPTS];
	uint8_t pl[NPTS * 12];
	uint64_t seed = 7;
	uint32_t off = 0;

	for (uint32_t i = 0; i < NPTS; i++) {
		ids[i] = vexfs_id_num(i);
		for (int k = 0; k < 4; k++)
			vec[i * 4 + k] = vxt_rand(&seed);
		lens[i] = vxt_cbor_int_map(pl + off, i % 10);
		off += lens[i];
	}
	return vexfs_upsert(fd, NPTS, 4, ids, vec, lens, pl);
}

struct seen {
	int n;
	char key[4][VEXFS_KEY_MAX + 1];
	uint32_t type[4];
	uint64_t points[4];
};

static int collect(const struct vexfs_index_info *info, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4) {
		strcpy(s->key[s->n], info->key);
		s->type[s->n] = info->type;
		s->points[s->n] = info->points;
	}
	s->n++;
	return 0;
}

static uint64_t count_i(int fd, int64_t v)
{
	uint8_t prog[64];
	uint64_t n = ~0ull;

	if (vexfs_count_filter(fd, prog, match_int(prog, "i", v), &n))
		return ~0ull;
	return n;
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

TEST_F(fs, create_list_delete_and_filtered_counts)
{
	struct vexfs_collection_config c;
	struct seen s = { 0 };
	uint8_t prog[64];
	int fd;

	vexfs_config_init(&c, 4, VEXFS_DISTANCE_EUCLID);
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "p", &c));
	fd = vexfs_coll_open(self->vx, "p");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fill(fd));
	EXPECT_EQ(50, count_i(fd, 3)); /* a scan */

	ASSERT_EQ(0,
		  vexfs_index_create(self->vx, "p", "i", VEXFS_INDEX_INTEGER));
	ASSERT_EQ(0,
		  vexfs_index_create(self->vx, "p", "w", VEXFS_INDEX_KEYWORD));
	ASSERT_EQ(2, vexfs_index_list(self->vx, "p", collect, &s));
	EXPECT_STREQ("i", s.key[0]);
	EXPECT_EQ(VEXFS_INDEX_INTEGER, s.type[0]);
	EXPECT_EQ(NPTS, s.points[0]);
	EXPECT_STREQ("w", s.key[1]);
	EXPECT_EQ(0, s.points[1]); /* no point has "w" */
	/* the same counts through the index */
	for (int v = 0; v < 10; v++)
		EXPECT_EQ(50, count_i(fd, v));
	EXPECT_EQ(0, count_i(fd, 10));

	/* errors */
	EXPECT_EQ(-EINVAL, vexfs_index_create(self->vx, "p", "i", 99));
	EXPECT_EQ(-EINVAL, vexfs_index_create(self->vx, "p", "a[", 1));
	EXPECT_EQ(-ENOENT, vexfs_index_create(self->vx, "nope", "i", 1));
	EXPECT_EQ(-ENOENT, vexfs_index_delete(self->vx, "p", "zz"));
	EXPECT_EQ(-ENOENT, vexfs_index_list(self->vx, "nope", NULL, NULL));

	/* delete one: the counts stay, by scan */
	ASSERT_EQ(0, vexfs_index_delete(self->vx, "p", "w"));
	EXPECT_EQ(1, vexfs_index_list(self->vx, "p", NULL, NULL));

	/* remount: the schema stays, the index is rebuilt */
	close(fd);
	ASSERT_EQ(0, vxt_remount(&self->vx));
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(1, vexfs_index_list(self->vx, "p", collect, &s));
	EXPECT_STREQ("i", s.key[0]);
	EXPECT_EQ(NPTS, s.points[0]);
	fd = vexfs_coll_open(self->vx, "p");
	ASSERT_LE(0, fd);
	EXPECT_EQ(50, count_i(fd, 7));

	/* delete by filter through the index; the index follows */
	EXPECT_EQ(50, vexfs_delete_filter(fd, prog, match_int(prog, "i", 7)));
	EXPECT_EQ(0, count_i(fd, 7));
	EXPECT_EQ(50, count_i(fd, 6));
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(1, vexfs_index_list(self->vx, "p", collect, &s));
	EXPECT_EQ(NPTS - 50, s.points[0]);
	ASSERT_EQ(0, vexfs_index_delete(self->vx, "p", "i"));
	EXPECT_EQ(50, count_i(fd, 6));
	EXPECT_EQ(0, count_i(fd, 7));
	close(fd);
}

struct unpriv_arg {
	struct vexfs *vx;
};

/* Exit codes: 0 as expected, 10+ the step that was not. */
static int unpriv_denied(void *p)
{
	struct unpriv_arg *a = p;
	int ret;

	ret = vexfs_index_create(a->vx, "q", "x", VEXFS_INDEX_KEYWORD);
	if (ret != -EACCES && ret != -EPERM)
		return 10;
	ret = vexfs_index_delete(a->vx, "q", "i");
	if (ret != -EACCES && ret != -EPERM)
		return 11;
	if (vexfs_index_list(a->vx, "q", NULL, NULL) != 1) /* reading is fine */
		return 12;
	return 0;
}

static int unpriv_allowed(void *p)
{
	struct unpriv_arg *a = p;

	if (vexfs_index_create(a->vx, "q", "x", VEXFS_INDEX_KEYWORD))
		return 20;
	if (vexfs_index_delete(a->vx, "q", "x"))
		return 21;
	return 0;
}

TEST_F(fs, unprivileged_cannot_change_indexes)
{
	struct vexfs_collection_config c;
	struct unpriv_arg a = { self->vx };

	vexfs_config_init(&c, 4, VEXFS_DISTANCE_EUCLID);
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "q", &c));
	ASSERT_EQ(0,
		  vexfs_index_create(self->vx, "q", "i", VEXFS_INDEX_INTEGER));
	EXPECT_EQ(0, vxt_as_nobody(unpriv_denied, &a));
	EXPECT_EQ(1, vexfs_index_list(self->vx, "q", NULL, NULL));
	/* write permission on the root is what counts */
	ASSERT_EQ(0, chmod(VXT_MNT, 0777));
	EXPECT_EQ(0, vxt_as_nobody(unpriv_allowed, &a));
	EXPECT_EQ(1, vexfs_index_list(self->vx, "q", NULL, NULL));
}

TEST_HARNESS_MAIN
