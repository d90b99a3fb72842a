// SPDX-License-Identifier: GPL-2.0
/*
 * No leaks across the module's whole life: load, mount, create, write,
 * search, checkpoint, unmount, unload, many times over. Kernel slab memory
 * (SUnreclaim) after the last cycle must be where it was after the second,
 * give or take noise; a leak of what one cycle allocates (thousands of
 * points, an index, a WAL buffer) would show as steady growth.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vexfs_selftest.h"

#define CYCLES 10
#define POINTS 2000
#define DIM 32

static long meminfo_kb(const char *key)
{
	char line[128], name[64];
	long kb, found = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %ld kB", name, &kb) == 2 &&
		    !strcmp(name, key))
			found = kb;
	fclose(f);
	return found;
}

static int one_cycle(void)
{
	static struct vexfs_point_id ids[POINTS];
	static float vecs[POINTS * DIM];
	static struct vexfs_hit hits[10];
	struct vexfs_search_opts opts = { .limit = 10 };
	struct vexfs_collection_config cfg;
	struct vexfs *vx;
	uint64_t seed = 1;
	uint32_t nhits;
	int fd, ret;

	ret = vxt_up(&vx);
	if (ret)
		return ret;
	vexfs_config_init(&cfg, DIM, VEXFS_DISTANCE_COSINE);
	ret = vexfs_coll_create(vx, "leak", &cfg);
	fd = ret ? -1 : vexfs_coll_open(vx, "leak");
	for (uint32_t i = 0; i < POINTS; i++) {
		ids[i].kind = VEXFS_ID_NUM;
		ids[i].num = i;
		for (int d = 0; d < DIM; d++)
			vecs[i * DIM + d] = vxt_rand(&seed);
	}
	if (fd >= 0)
		ret = vexfs_upsert(fd, POINTS, DIM, ids, vecs, NULL, NULL);
	if (fd >= 0 && !ret) /* returns how many hits */
		ret = vexfs_search(fd, 1, DIM, vecs, &opts, hits, &nhits) ==
				      10 ?
			      0 :
			      -EIO;
	if (fd >= 0 && !ret)
		ret = vexfs_delete(fd, POINTS / 2, ids) < 0 ? -EIO : 0;
	if (fd >= 0)
		close(fd);
	if (!ret)
		ret = vxt_remount(
			&vx); /* checkpoint, recovery, index rebuild */
	if (vxt_down(vx) && !ret)
		ret = -EBUSY;
	return ret;
}

/*
 * Slab objects show in SUnreclaim and large kvmalloc buffers in VmallocUsed,
 * both exact counters; whole pages show only in MemAvailable, which also
 * moves with caches (7.6 MB seen in a clean run), so its bound is loose.
 */
TEST(no_memory_growth_over_load_mount_write_unload_cycles)
{
	long slab0 = -1, avail0 = -1, vm0 = -1, slab = 0, avail = 0, vm = 0;

	for (int c = 0; c < CYCLES; c++) {
		ASSERT_EQ(0, one_cycle());
		ASSERT_FALSE(vxt_module_loaded());
		/* RCU-freed objects and per-cpu caches settle over a moment. */
		sync();
		usleep(200 * 1000);
		slab = meminfo_kb("SUnreclaim");
		avail = meminfo_kb("MemAvailable");
		vm = meminfo_kb("VmallocUsed");
		ASSERT_LT(0, slab);
		if (c == 1) {
			slab0 = slab;
			avail0 = avail;
			vm0 = vm;
		}
	}
	TH_LOG("after cycle 2 and %d: SUnreclaim %ld -> %ld kB, VmallocUsed %ld -> %ld kB, MemAvailable %ld -> %ld kB",
	       CYCLES, slab0, slab, vm0, vm, avail0, avail);
	/*
	 * One cycle holds ~2000 x 32-d points and an index, well over 1 MB:
	 * leaking it 8 times over fails the slab or the vmalloc bound.
	 */
	EXPECT_LT(slab - slab0, 512);
	EXPECT_LT(vm - vm0, 1024);
	EXPECT_LT(avail0 - avail, 16384);
}

TEST_HARNESS_MAIN
