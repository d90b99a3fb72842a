// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs.ko selftests: the collection lifecycle over generic netlink (create,
 * get, list, delete), its errors, who may do it, the events it announces,
 * and the directories collections appear as under the mount.
 *
 * Runs as root in the test guest, loads and unloads vexfs.ko itself and
 * formats the scratch disk (see vexfs_selftest.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kselftest_harness.h"
#include "vexfs_selftest.h"

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

static bool dir_exists(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", VXT_MNT, name);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Entries of the mount root other than "." and "..". */
static int count_dir_entries(const char *want, bool *seen)
{
	DIR *d = opendir(VXT_MNT);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	*seen = false;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		if (want && !strcmp(e->d_name, want))
			*seen = true;
	}
	closedir(d);
	return n;
}

struct names {
	int n;
	char name[8][VEXFS_COLLECTION_NAME_MAX + 1];
	struct vexfs_coll_info info[8];
};

static int collect(const struct vexfs_coll_info *info, void *arg)
{
	struct names *nm = arg;

	if (nm->n < 8) {
		strcpy(nm->name[nm->n], info->name);
		nm->info[nm->n] = *info;
	}
	nm->n++;
	return 0;
}

static int find_name(const struct names *nm, const char *name)
{
	for (int i = 0; i < nm->n && i < 8; i++)
		if (!strcmp(nm->name[i], name))
			return i;
	return -1;
}

static struct vexfs_collection_config cfg_of(uint32_t dim, uint32_t dist)
{
	struct vexfs_collection_config c;

	vexfs_config_init(&c, dim, dist);
	return c;
}

/*
 * A hand-built request, for what libvexfs will not send: a missing or
 * foreign root fd, a config of the wrong size. Returns the kernel's errno.
 */
struct raw_state {
	int err;
	bool done;
};

static int raw_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct raw_state *st = arg;

	st->err = e->error;
	st->done = true;
	return NL_STOP;
}

static int raw_ack(struct nl_msg *msg, void *arg)
{
	((struct raw_state *)arg)->done = true;
	return NL_STOP;
}

static int raw_request(uint8_t cmd, int root_fd, const char *name,
		       const void *cfg, int cfg_len)
{
	struct raw_state st = { 0 };
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = nlmsg_alloc();
	int family, ret = -ENOMEM;

	if (!sk || !msg)
		goto out;
	ret = -EIO;
	if (genl_connect(sk))
		goto out;
	family = genl_ctrl_resolve(sk, VEXFS_GENL_NAME);
	if (family < 0) {
		ret = -ENOENT;
		goto out;
	}
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK, cmd,
		    VEXFS_GENL_VERSION);
	if (root_fd != -1)
		nla_put_u32(msg, VEXFS_A_ROOT_FD, (uint32_t)root_fd);
	if (name)
		nla_put_string(msg, VEXFS_A_COLL_NAME, name);
	if (cfg)
		nla_put(msg, VEXFS_A_COLL_CONFIG, cfg_len, cfg);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, raw_err, &st);
	nl_socket_modify_cb(sk, NL_CB_ACK, NL_CB_CUSTOM, raw_ack, &st);
	if (nl_send_auto(sk, msg) < 0)
		goto out;
	while (!st.done)
		if (nl_recvmsgs_default(sk) < 0 && !st.done)
			goto out;
	ret = st.err;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
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

TEST_F(fs, create_get_list_delete)
{
	struct vexfs_collection_config c = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	struct vexfs_coll_info info;
	struct names nm = { 0 };
	bool seen;

	ASSERT_EQ(0, vexfs_coll_list(self->vx, collect, &nm));
	EXPECT_EQ(0, count_dir_entries(NULL, &seen));

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "alpha", &c));
	EXPECT_TRUE(dir_exists("alpha"));
	EXPECT_EQ(1, count_dir_entries("alpha", &seen));
	EXPECT_TRUE(seen);

	/* get reports the config with the defaults filled in. */
	memset(&info, 0xff, sizeof(info));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "alpha", &info));
	EXPECT_STREQ("alpha", info.name);
	EXPECT_EQ(4, info.config.dim);
	EXPECT_EQ(VEXFS_DISTANCE_EUCLID, info.config.distance);
	EXPECT_EQ(16, info.config.hnsw_m);
	EXPECT_EQ(100, info.config.hnsw_ef_construct);
	EXPECT_EQ(10000, info.config.full_scan_threshold);
	EXPECT_EQ(0, info.config.flags);
	EXPECT_EQ(0, info.points);
	EXPECT_EQ(0, info.indexed);

	/* Explicit HNSW parameters are kept. */
	c = cfg_of(1536, VEXFS_DISTANCE_COSINE);
	c.hnsw_m = 32;
	c.hnsw_ef_construct = 200;
	c.full_scan_threshold = 20;
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "beta", &c));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "beta", &info));
	EXPECT_EQ(1536, info.config.dim);
	EXPECT_EQ(VEXFS_DISTANCE_COSINE, info.config.distance);
	EXPECT_EQ(32, info.config.hnsw_m);
	EXPECT_EQ(200, info.config.hnsw_ef_construct);
	EXPECT_EQ(20, info.config.full_scan_threshold);

	ASSERT_EQ(2, vexfs_coll_list(self->vx, collect, &nm));
	ASSERT_EQ(2, nm.n);
	ASSERT_LE(0, find_name(&nm, "alpha"));
	ASSERT_LE(0, find_name(&nm, "beta"));
	EXPECT_EQ(4, nm.info[find_name(&nm, "alpha")].config.dim);
	EXPECT_EQ(VEXFS_DISTANCE_COSINE,
		  nm.info[find_name(&nm, "beta")].config.distance);
	EXPECT_EQ(2, count_dir_entries(NULL, &seen));

	ASSERT_EQ(0, vexfs_coll_delete(self->vx, "alpha"));
	EXPECT_FALSE(dir_exists("alpha"));
	EXPECT_TRUE(dir_exists("beta"));
	EXPECT_EQ(-ENOENT, vexfs_coll_get(self->vx, "alpha", &info));
	EXPECT_EQ(-ENOENT, vexfs_coll_delete(self->vx, "alpha"));
	EXPECT_EQ(-ENOENT, vexfs_coll_open(self->vx, "alpha"));
	nm.n = 0;
	EXPECT_EQ(1, vexfs_coll_list(self->vx, collect, &nm));
	EXPECT_STREQ("beta", nm.name[0]);
	EXPECT_EQ(1, count_dir_entries("beta", &seen));
	EXPECT_TRUE(seen);

	/* The name is free again. */
	c = cfg_of(8, VEXFS_DISTANCE_DOT);
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "alpha", &c));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "alpha", &info));
	EXPECT_EQ(8, info.config.dim);
	EXPECT_EQ(VEXFS_DISTANCE_DOT, info.config.distance);
}

TEST_F(fs, duplicate_create_is_eexist)
{
	struct vexfs_collection_config c = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	struct vexfs_coll_info info;

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "dup", &c));
	EXPECT_EQ(-EEXIST, vexfs_coll_create(self->vx, "dup", &c));
	/* A different config does not replace the collection either. */
	c = cfg_of(16, VEXFS_DISTANCE_DOT);
	EXPECT_EQ(-EEXIST, vexfs_coll_create(self->vx, "dup", &c));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "dup", &info));
	EXPECT_EQ(4, info.config.dim);
	EXPECT_EQ(VEXFS_DISTANCE_EUCLID, info.config.distance);
	EXPECT_EQ(1, vexfs_coll_list(self->vx, NULL, NULL));
}

TEST_F(fs, bad_names)
{
	struct vexfs_collection_config c = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	static const char *const bad[] = {
		"", ".", "..", "a/b", "/", "tab\there", "nl\n", "del\x7f"
	};
	char name[VEXFS_COLLECTION_NAME_MAX + 2];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = vexfs_coll_create(self->vx, bad[i], &c);

		if (ret != -EINVAL)
			TH_LOG("name #%zu gave %d", i, ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	/* 255 bytes is the longest name, and a valid directory name. */
	memset(name, 'n', VEXFS_COLLECTION_NAME_MAX);
	name[VEXFS_COLLECTION_NAME_MAX] = '\0';
	EXPECT_EQ(0, vexfs_coll_create(self->vx, name, &c));
	EXPECT_TRUE(dir_exists(name));
	name[VEXFS_COLLECTION_NAME_MAX] = 'n';
	name[VEXFS_COLLECTION_NAME_MAX + 1] = '\0';
	EXPECT_ONE_OF(vexfs_coll_create(self->vx, name, &c), -EINVAL,
		      -ENAMETOOLONG, -ERANGE);
	/* No name at all. */
	EXPECT_EQ(-EINVAL,
		  raw_request(VEXFS_CMD_COLL_CREATE, vexfs_root_fd(self->vx),
			      NULL, &c, sizeof(c)));
	/* Only the 255-byte one was made. */
	EXPECT_EQ(1, vexfs_coll_list(self->vx, NULL, NULL));
	/* Unusual but legal bytes. */
	EXPECT_EQ(0,
		  vexfs_coll_create(self->vx, "with space-and_ünï.çødé", &c));
	EXPECT_TRUE(dir_exists("with space-and_ünï.çødé"));
}

TEST_F(fs, bad_configs)
{
	struct {
		const char *what;
		struct vexfs_collection_config c;
	} bad[] = {
		{ "dim 0", cfg_of(0, VEXFS_DISTANCE_EUCLID) },
		{ "dim 65537",
		  cfg_of(VEXFS_MAX_DIM + 1, VEXFS_DISTANCE_EUCLID) },
		{ "dim ~0", cfg_of(~0u, VEXFS_DISTANCE_EUCLID) },
		{ "distance 0", cfg_of(4, 0) },
		{ "distance 5", cfg_of(4, 5) },
		{ "flags", cfg_of(4, VEXFS_DISTANCE_EUCLID) },
		{ "pad", cfg_of(4, VEXFS_DISTANCE_EUCLID) },
		{ "m 1", cfg_of(4, VEXFS_DISTANCE_EUCLID) },
		{ "m 257", cfg_of(4, VEXFS_DISTANCE_EUCLID) },
		{ "ef_construct 3", cfg_of(4, VEXFS_DISTANCE_EUCLID) },
		{ "ef_construct 4097", cfg_of(4, VEXFS_DISTANCE_EUCLID) },
	};
	struct vexfs_collection_config good = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	char big[sizeof(good) + 8] = { 0 };
	int ncolls;

	bad[5].c.flags = 2; /* undefined; bit 0 is VEXFS_CONFIG_NO_GRAPH */
	bad[6].c.pad = 1;
	bad[7].c.hnsw_m = 1;
	bad[8].c.hnsw_m = 257;
	bad[9].c.hnsw_ef_construct = 3;
	bad[10].c.hnsw_ef_construct = 4097;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = vexfs_coll_create(self->vx, "c", &bad[i].c);

		if (ret != -EINVAL)
			TH_LOG("%s gave %d", bad[i].what, ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	/* The limits themselves are fine. */
	good.dim = VEXFS_MAX_DIM;
	EXPECT_EQ(0, vexfs_coll_create(self->vx, "maxdim", &good));
	good = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	good.hnsw_m = 256;
	EXPECT_EQ(0, vexfs_coll_create(self->vx, "maxm", &good));
	good.hnsw_m = 0;
	good.hnsw_ef_construct = 4096;
	EXPECT_EQ(0, vexfs_coll_create(self->vx, "maxef", &good));
	good = cfg_of(1, VEXFS_DISTANCE_MANHATTAN);
	good.hnsw_m = 2;
	good.hnsw_ef_construct = 4;
	EXPECT_EQ(0, vexfs_coll_create(self->vx, "min", &good));
	ncolls = vexfs_coll_list(self->vx, NULL, NULL);

	/*
	 * No config, a short one, a longer one (the netlink policy's exact
	 * length check answers -ERANGE, as for any genl family).
	 */
	EXPECT_EQ(-EINVAL, raw_request(VEXFS_CMD_COLL_CREATE,
				       vexfs_root_fd(self->vx), "c", NULL, 0));
	EXPECT_ONE_OF(raw_request(VEXFS_CMD_COLL_CREATE,
				  vexfs_root_fd(self->vx), "c", &good,
				  sizeof(good) - 4),
		      -EINVAL, -ERANGE);
	memcpy(big, &good, sizeof(good));
	EXPECT_ONE_OF(raw_request(VEXFS_CMD_COLL_CREATE,
				  vexfs_root_fd(self->vx), "c", big,
				  sizeof(big)),
		      -EINVAL, -ERANGE);
	EXPECT_FALSE(dir_exists("c"));
	EXPECT_EQ(ncolls, vexfs_coll_list(self->vx, NULL, NULL));
}

TEST_F(fs, root_fd_must_be_a_vexfs_root)
{
	struct vexfs_collection_config c = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	int tmp = open("/tmp", O_RDONLY | O_DIRECTORY);
	int coll;

	ASSERT_LE(0, tmp);
	/* Missing, not an open fd, an fd of another filesystem. */
	EXPECT_EQ(-EINVAL,
		  raw_request(VEXFS_CMD_COLL_CREATE, -1, "c", &c, sizeof(c)));
	EXPECT_EQ(-EBADF,
		  raw_request(VEXFS_CMD_COLL_CREATE, 999, "c", &c, sizeof(c)));
	EXPECT_EQ(-EINVAL,
		  raw_request(VEXFS_CMD_COLL_CREATE, tmp, "c", &c, sizeof(c)));
	EXPECT_EQ(-EINVAL,
		  raw_request(VEXFS_CMD_COLL_LIST, tmp, NULL, NULL, 0));
	close(tmp);
	EXPECT_EQ(0, vexfs_coll_list(self->vx, NULL, NULL));

	/* A collection directory is not the root. */
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "c", &c));
	coll = vexfs_coll_open(self->vx, "c");
	ASSERT_LE(0, coll);
	EXPECT_EQ(-EINVAL,
		  raw_request(VEXFS_CMD_COLL_CREATE, coll, "d", &c, sizeof(c)));
	close(coll);
	EXPECT_FALSE(dir_exists("d"));
}

struct unpriv_arg {
	struct vexfs *vx;
	const char *name;
};

/* Exit codes: 0 all as expected, 10+ which step failed. */
static int unpriv_denied(void *p)
{
	struct unpriv_arg *a = p;
	struct vexfs_collection_config c = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	struct vexfs_coll_info info;
	int ret;

	ret = vexfs_coll_create(a->vx, "mine", &c);
	if (ret != -EACCES && ret != -EPERM)
		return 10;
	ret = vexfs_coll_delete(a->vx, a->name);
	if (ret != -EACCES && ret != -EPERM)
		return 11;
	/* Reading is allowed: the root is world-readable. */
	if (vexfs_coll_get(a->vx, a->name, &info))
		return 12;
	if (vexfs_coll_list(a->vx, NULL, NULL) != 1)
		return 13;
	return 0;
}

static int unpriv_allowed(void *p)
{
	struct unpriv_arg *a = p;
	struct vexfs_collection_config c = cfg_of(4, VEXFS_DISTANCE_EUCLID);

	if (vexfs_coll_create(a->vx, "mine", &c))
		return 20;
	if (vexfs_coll_delete(a->vx, "mine"))
		return 21;
	if (vexfs_coll_create(a->vx, "mine2", &c))
		return 22;
	return 0;
}

TEST_F(fs, unprivileged_cannot_create_or_delete)
{
	struct vexfs_collection_config c = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	struct unpriv_arg a = { self->vx, "theirs" };
	struct stat st;

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "theirs", &c));
	ASSERT_EQ(0, stat(VXT_MNT, &st));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0755, st.st_mode & 07777);
	EXPECT_EQ(0, vxt_as_nobody(unpriv_denied, &a));
	EXPECT_TRUE(dir_exists("theirs"));
	EXPECT_FALSE(dir_exists("mine"));

	/* Who may write the root may create and delete. */
	ASSERT_EQ(0, chmod(VXT_MNT, 0777));
	EXPECT_EQ(0, vxt_as_nobody(unpriv_allowed, &a));
	EXPECT_TRUE(dir_exists("mine2"));
	EXPECT_FALSE(dir_exists("mine"));
}

TEST_F(fs, events_announce_changes)
{
	struct vexfs_collection_config c = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	struct vexfs_events *ev = vexfs_events_open();
	struct vexfs_event_info e;

	ASSERT_NE(NULL, ev);
	EXPECT_EQ(0, vexfs_events_read(ev, &e, 0));
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "evt", &c));
	ASSERT_EQ(1, vexfs_events_read(ev, &e, 2000));
	EXPECT_EQ(VEXFS_EVENT_COLL_CREATED, e.event);
	EXPECT_STREQ("evt", e.coll);
	/* A failed create announces nothing. */
	EXPECT_EQ(-EEXIST, vexfs_coll_create(self->vx, "evt", &c));
	ASSERT_EQ(0, vexfs_coll_delete(self->vx, "evt"));
	ASSERT_EQ(1, vexfs_events_read(ev, &e, 2000));
	EXPECT_EQ(VEXFS_EVENT_COLL_DELETED, e.event);
	EXPECT_STREQ("evt", e.coll);
	EXPECT_EQ(0, vexfs_events_read(ev, &e, 200));
	vexfs_events_close(ev);
}

TEST_F(fs, many_collections)
{
	struct vexfs_collection_config c = cfg_of(2, VEXFS_DISTANCE_DOT);
	char name[64];
	bool seen;

	for (int i = 0; i < 300; i++) {
		/* Long names make the list reply several pages long. */
		snprintf(name, sizeof(name),
			 "collection-with-a-longish-name-%04d", i);
		ASSERT_EQ(0, vexfs_coll_create(self->vx, name, &c));
	}
	EXPECT_EQ(300, vexfs_coll_list(self->vx, NULL, NULL));
	EXPECT_EQ(300, count_dir_entries("collection-with-a-longish-name-0299",
					 &seen));
	EXPECT_TRUE(seen);
	for (int i = 0; i < 300; i += 2) {
		snprintf(name, sizeof(name),
			 "collection-with-a-longish-name-%04d", i);
		ASSERT_EQ(0, vexfs_coll_delete(self->vx, name));
	}
	EXPECT_EQ(150, vexfs_coll_list(self->vx, NULL, NULL));
	EXPECT_EQ(150, count_dir_entries(NULL, &seen));
}

TEST_F(fs, collections_persist_across_remount)
{
	struct vexfs_collection_config c = cfg_of(12, VEXFS_DISTANCE_MANHATTAN);
	struct vexfs_coll_info info;

	c.hnsw_m = 8;
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "kept", &c));
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "gone", &c));
	ASSERT_EQ(0, vexfs_coll_delete(self->vx, "gone"));
	ASSERT_EQ(0, vxt_remount(&self->vx));
	EXPECT_EQ(1, vexfs_coll_list(self->vx, NULL, NULL));
	ASSERT_EQ(0, vexfs_coll_get(self->vx, "kept", &info));
	EXPECT_EQ(12, info.config.dim);
	EXPECT_EQ(VEXFS_DISTANCE_MANHATTAN, info.config.distance);
	EXPECT_EQ(8, info.config.hnsw_m);
	EXPECT_EQ(100, info.config.hnsw_ef_construct);
	EXPECT_TRUE(dir_exists("kept"));
	EXPECT_FALSE(dir_exists("gone"));
	EXPECT_EQ(-ENOENT, vexfs_coll_get(self->vx, "gone", &info));
}

/* A mode set with chmod on a collection directory survives a remount. */
TEST_F(fs, collection_dir_mode_and_owner_persist)
{
	struct vexfs_collection_config c = cfg_of(4, VEXFS_DISTANCE_EUCLID);
	char path[256];
	struct stat st;

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "m", &c));
	snprintf(path, sizeof(path), "%s/m", VXT_MNT);
	ASSERT_EQ(0, chmod(path, 0750));
	ASSERT_EQ(0, chown(path, 1000, 1001));
	ASSERT_EQ(0, vxt_remount(&self->vx));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0750, st.st_mode & 07777);
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(1001, st.st_gid);
}

/* An fd of a deleted collection answers with errors, not stale data. */
TEST_F(fs, deleted_collection_fd)
{
	struct vexfs_collection_config c = cfg_of(2, VEXFS_DISTANCE_EUCLID);
	struct vexfs_point_id id = vexfs_id_num(1);
	float v[2] = { 1, 2 };
	uint64_t n = 7;
	int fd;

	ASSERT_EQ(0, vexfs_coll_create(self->vx, "old", &c));
	fd = vexfs_coll_open(self->vx, "old");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vexfs_upsert(fd, 1, 2, &id, v, NULL, NULL));
	ASSERT_EQ(0, vexfs_coll_delete(self->vx, "old"));
	EXPECT_EQ(-ENOENT, vexfs_count(fd, &n, NULL));
	EXPECT_EQ(-ENOENT, vexfs_upsert(fd, 1, 2, &id, v, NULL, NULL));
	/* A new collection of the same name is not reached by the old fd. */
	ASSERT_EQ(0, vexfs_coll_create(self->vx, "old", &c));
	EXPECT_EQ(-ENOENT, vexfs_upsert(fd, 1, 2, &id, v, NULL, NULL));
	close(fd);
	fd = vexfs_coll_open(self->vx, "old");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vexfs_count(fd, &n, NULL));
	EXPECT_EQ(0, n);
	close(fd);
}

/* Without the module, the family is gone and libvexfs says so. */
TEST(family_goes_with_the_module)
{
	vxt_cleanup();
	ASSERT_EQ(-ENOENT, raw_request(VEXFS_CMD_COLL_LIST, 0, NULL, NULL, 0));
	ASSERT_EQ(0, vxt_load_module());
	EXPECT_EQ(-EINVAL, raw_request(VEXFS_CMD_COLL_LIST, -1, NULL, NULL, 0));
	EXPECT_EQ(0, vxt_unload_module());
	EXPECT_EQ(-ENOENT, raw_request(VEXFS_CMD_COLL_LIST, 0, NULL, NULL, 0));
	EXPECT_FALSE(vxt_module_loaded());
}

TEST_HARNESS_MAIN
