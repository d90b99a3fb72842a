// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs.ko selftests: module load/unload, filesystem registration, mount of
 * a freshly made filesystem, and refusal of bad superblocks.
 *
 * Runs as root in the test guest (scripts/vm) with a scratch disk:
 *   VEXFS_KO          path of vexfs.ko (default /lib/modules/vexfs.ko)
 *   VEXFS_SCRATCH_DEV scratch block device (default /dev/vda)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "format.h"
#include "uapi/vexfs.h"

#define MNT "/tmp/vexfs-selftest"
#define VEXFS_SUPER_MAGIC 0x56455846

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static int load_module_with(const char *params)
{
	int fd = open(env_or("VEXFS_KO", "/lib/modules/vexfs.ko"), O_RDONLY);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int load_module(void)
{
	return load_module_with("");
}

static int unload_module(void)
{
	return syscall(SYS_delete_module, "vexfs", O_NONBLOCK) ? -errno : 0;
}

static int module_loaded(void)
{
	char line[256];
	FILE *f = fopen("/proc/modules", "r");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "vexfs ", 6))
			found = 1;
	fclose(f);
	return found;
}

static int fs_registered(void)
{
	char line[256];
	FILE *f = fopen("/proc/filesystems", "r");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "\tvexfs\n"))
			found = 1;
	fclose(f);
	return found;
}

static int run_mkfs(const char *dev)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkfs.vexfs -f -q %s", dev);
	return system(cmd);
}

static u64 dev_blocks(int fd)
{
	u64 bytes = 0;

	if (ioctl(fd, _IOR(0x12, 114, size_t), &bytes)) /* BLKGETSIZE64 */
		return 0;
	return bytes / VX_BLOCK_SIZE;
}

static int write_block(const char *dev, u64 block, const void *buf)
{
	int fd = open(dev, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pwrite(fd, buf, VX_BLOCK_SIZE, (off_t)(block * VX_BLOCK_SIZE));
	fsync(fd);
	close(fd);
	return n == VX_BLOCK_SIZE ? 0 : -EIO;
}

/* A valid superblock for this device, to be bent by the tests. */
static void make_super(const char *dev, struct vx_disk_super *ds, u64 gen)
{
	struct vx_mkfs_params p = { .label = "selftest", .uuid = { 1, 2 } };
	const char *why;
	int fd = open(dev, O_RDONLY);

	p.total_blocks = dev_blocks(fd);
	close(fd);
	if (vx_super_format(ds, &p, &why))
		abort();
	ds->generation = cpu_to_le64(gen);
	ds->crc = cpu_to_le32(vx_super_crc(ds));
}

static void reseal(struct vx_disk_super *ds)
{
	ds->crc = cpu_to_le32(vx_super_crc(ds));
}

static int try_mount(const char *dev)
{
	mkdir(MNT, 0755);
	return mount(dev, MNT, "vexfs", 0, NULL) ? -errno : 0;
}

TEST(load_registers_and_unload_unregisters)
{
	ASSERT_FALSE(module_loaded());
	ASSERT_EQ(0, fs_registered());
	ASSERT_EQ(0, load_module());
	EXPECT_TRUE(module_loaded());
	EXPECT_EQ(1, fs_registered());
	/* Loading twice is refused, and leaves the first instance alone. */
	EXPECT_EQ(-EEXIST, load_module());
	ASSERT_EQ(0, unload_module());
	EXPECT_FALSE(module_loaded());
	EXPECT_EQ(0, fs_registered());
}

/*
 * The SIMD distances the module chose agree with the scalar reference
 * inside this kernel, in its FPU sections (init fails with -EIO if not).
 */
TEST(distance_selftest_in_kernel)
{
	ASSERT_EQ(0, load_module_with("dist_selftest=1"));
	ASSERT_EQ(0, unload_module());
}

TEST(load_unload_cycles)
{
	for (int i = 0; i < 20; i++) {
		ASSERT_EQ(0, load_module());
		ASSERT_EQ(0, unload_module());
	}
	ASSERT_FALSE(module_loaded());
}

FIXTURE(mounted)
{
	const char *dev;
	struct vx_disk_super *ds;
};

FIXTURE_SETUP(mounted)
{
	self->dev = env_or("VEXFS_SCRATCH_DEV", "/dev/vda");
	self->ds = aligned_alloc(VX_BLOCK_SIZE, VX_BLOCK_SIZE);
	ASSERT_NE(NULL, self->ds);
	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, run_mkfs(self->dev));
}

FIXTURE_TEARDOWN(mounted)
{
	umount(MNT);
	EXPECT_EQ(0, unload_module());
	free(self->ds);
}

TEST_F(mounted, mount_statfs_ioctl_umount)
{
	struct vexfs_version v;
	struct statfs st;
	int dirfd;

	ASSERT_EQ(0, try_mount(self->dev));
	ASSERT_EQ(0, statfs(MNT, &st));
	EXPECT_EQ(VEXFS_SUPER_MAGIC, st.f_type);
	EXPECT_EQ(VX_BLOCK_SIZE, st.f_bsize);

	dirfd = open(MNT, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dirfd);
	memset(&v, 0xff, sizeof(v));
	ASSERT_EQ(0, ioctl(dirfd, VEXFS_IOC_VERSION, &v));
	EXPECT_EQ(VEXFS_ABI_MAJOR, v.abi_major);
	EXPECT_EQ(VEXFS_ABI_MINOR, v.abi_minor);
	EXPECT_EQ(VX_FORMAT_VERSION, v.format_version);
	EXPECT_STREQ("0.1.0", v.module_version);
	/* Unknown numbers and bad pointers are errors, never crashes. */
	EXPECT_EQ(-1, ioctl(dirfd, _IO(VEXFS_IOC_MAGIC, 0x3f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(dirfd, VEXFS_IOC_VERSION, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	close(dirfd);

	/* A mounted filesystem pins the module (EWOULDBLOCK: in use). */
	EXPECT_EQ(-EWOULDBLOCK, unload_module());
	EXPECT_TRUE(module_loaded());
	ASSERT_EQ(0, umount(MNT));
}

TEST_F(mounted, refuses_unformatted_device)
{
	char *zero = calloc(1, VX_BLOCK_SIZE);

	ASSERT_EQ(0, write_block(self->dev, VX_SB_SLOT_A, zero));
	free(zero);
	EXPECT_EQ(-EINVAL, try_mount(self->dev));
}

TEST_F(mounted, refuses_bad_checksum)
{
	make_super(self->dev, self->ds, 1);
	self->ds->label[0] ^= 1; /* payload changed, crc not updated */
	ASSERT_EQ(0, write_block(self->dev, VX_SB_SLOT_A, self->ds));
	EXPECT_EQ(-EUCLEAN, try_mount(self->dev));
}

TEST_F(mounted, refuses_unknown_incompat_feature)
{
	make_super(self->dev, self->ds, 1);
	self->ds->feature_incompat = cpu_to_le64(1ULL << 63);
	reseal(self->ds);
	ASSERT_EQ(0, write_block(self->dev, VX_SB_SLOT_A, self->ds));
	EXPECT_EQ(-EOPNOTSUPP, try_mount(self->dev));
}

TEST_F(mounted, refuses_filesystem_larger_than_device)
{
	make_super(self->dev, self->ds, 1);
	self->ds->total_blocks =
		cpu_to_le64(le64_to_cpu(self->ds->total_blocks) + 1);
	reseal(self->ds);
	ASSERT_EQ(0, write_block(self->dev, VX_SB_SLOT_A, self->ds));
	EXPECT_EQ(-EINVAL, try_mount(self->dev));
}

TEST_F(mounted, unknown_ro_compat_mounts_read_only_only)
{
	make_super(self->dev, self->ds, 1);
	self->ds->feature_ro_compat = cpu_to_le64(1ULL << 40);
	reseal(self->ds);
	ASSERT_EQ(0, write_block(self->dev, VX_SB_SLOT_A, self->ds));
	EXPECT_EQ(-EINVAL, try_mount(self->dev));
	ASSERT_EQ(0, mount(self->dev, MNT, "vexfs", MS_RDONLY, NULL));
	ASSERT_EQ(0, umount(MNT));
}

/* statfs reports what the data area can hold: half of it, less a root. */
static u64 capacity_blocks(u64 total, const struct vx_disk_super *ds)
{
	return (total - le64_to_cpu(ds->data_start)) / 2 - 1;
}

/* The newest valid slot wins; a torn newer slot falls back to the older. */
TEST_F(mounted, newest_valid_slot_wins)
{
	struct statfs st;
	u64 total;

	make_super(self->dev, self->ds, 7);
	total = le64_to_cpu(self->ds->total_blocks);
	ASSERT_EQ(0, write_block(self->dev, VX_SB_SLOT_A, self->ds));
	/* Slot B: generation 8, describing a smaller filesystem. */
	self->ds->generation = cpu_to_le64(8);
	self->ds->total_blocks = cpu_to_le64(total - 100);
	reseal(self->ds);
	ASSERT_EQ(0, write_block(self->dev, VX_SB_SLOT_B, self->ds));

	ASSERT_EQ(0, try_mount(self->dev));
	ASSERT_EQ(0, statfs(MNT, &st));
	EXPECT_EQ(capacity_blocks(total - 100, self->ds), st.f_blocks);
	ASSERT_EQ(0, umount(MNT));

	/*
	 * Unmount checkpointed into slot A. Put the generation-7 slot A back
	 * and tear slot B: mount must fall back to slot A.
	 */
	self->ds->uuid[0] ^= 0xff;
	ASSERT_EQ(0, write_block(self->dev, VX_SB_SLOT_B, self->ds));
	make_super(self->dev, self->ds, 7);
	ASSERT_EQ(0, write_block(self->dev, VX_SB_SLOT_A, self->ds));
	ASSERT_EQ(0, try_mount(self->dev));
	ASSERT_EQ(0, statfs(MNT, &st));
	EXPECT_EQ(capacity_blocks(total, self->ds), st.f_blocks);
	ASSERT_EQ(0, umount(MNT));
}

TEST_HARNESS_MAIN
