/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the VexFS selftests that use libvexfs: module load and
 * unload, mkfs, mount, tiny CBOR payloads, and running a step as an
 * unprivileged user.
 *
 * Environment (as in module_test.c):
 *   VEXFS_KO          path of vexfs.ko (default /lib/modules/vexfs.ko)
 *   VEXFS_SCRATCH_DEV scratch block device (default /dev/vda)
 */
#ifndef VEXFS_SELFTEST_H
#define VEXFS_SELFTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvexfs/vexfs.h"

#define VXT_MNT "/tmp/vexfs-selftest"
#define VXT_NOBODY 65534

static inline const char *vxt_env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static inline const char *vxt_dev(void)
{
	return vxt_env_or("VEXFS_SCRATCH_DEV", "/dev/vda");
}

static inline int vxt_load_module(void)
{
	int fd = open(vxt_env_or("VEXFS_KO", "/lib/modules/vexfs.ko"),
		      O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static inline bool vxt_module_loaded(void)
{
	char line[256];
	FILE *f = fopen("/proc/modules", "r");
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "vexfs ", 6))
			found = true;
	fclose(f);
	return found;
}

/* The module's references drop asynchronously after an umount: retry. */
static inline int vxt_unload_module(void)
{
	int ret = 0;

	for (int i = 0; i < 50; i++) {
		ret = syscall(SYS_delete_module, "vexfs", O_NONBLOCK) ? -errno :
									0;
		if (ret != -EWOULDBLOCK && ret != -EAGAIN && ret != -EBUSY)
			break;
		usleep(100 * 1000);
	}
	return ret;
}

static inline int vxt_mkfs(const char *dev)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkfs.vexfs -f -q %s", dev);
	return system(cmd) ? -EIO : 0;
}

static inline int vxt_mount(const char *dev, unsigned long flags)
{
	mkdir(VXT_MNT, 0755);
	return mount(dev, VXT_MNT, "vexfs", flags, NULL) ? -errno : 0;
}

/* Whatever an earlier, crashed test left behind. */
static inline void vxt_cleanup(void)
{
	while (!umount(VXT_MNT))
		;
	if (vxt_module_loaded())
		vxt_unload_module();
}

/*
 * Load the module, make a filesystem on the scratch device, mount it and
 * open it with libvexfs. On failure everything is undone and a negative
 * errno returned, so a fixture can ASSERT on it without a teardown.
 */
static inline int vxt_up(struct vexfs **vx)
{
	int ret;

	vxt_cleanup();
	ret = vxt_load_module();
	if (ret)
		return ret;
	ret = vxt_mkfs(vxt_dev());
	if (!ret)
		ret = vxt_mount(vxt_dev(), 0);
	if (!ret) {
		*vx = vexfs_open(VXT_MNT);
		if (!*vx) {
			ret = -errno;
			umount(VXT_MNT);
		}
	}
	if (ret)
		vxt_unload_module();
	return ret;
}

/* Undo vxt_up(); 0 when the module unloaded cleanly. */
static inline int vxt_down(struct vexfs *vx)
{
	int ret = 0;

	vexfs_close(vx);
	if (umount(VXT_MNT))
		ret = -errno;
	if (vxt_unload_module() && !ret)
		ret = -EBUSY;
	return ret;
}

/* Unmount and mount again, reopening @vx. */
static inline int vxt_remount(struct vexfs **vx)
{
	vexfs_close(*vx);
	*vx = NULL;
	if (umount(VXT_MNT))
		return -errno;
	if (vxt_mount(vxt_dev(), 0))
		return -errno;
	*vx = vexfs_open(VXT_MNT);
	return *vx ? 0 : -errno;
}

/* Bytes of the CBOR head for major type @mt and argument @v. */
static inline size_t vxt_cbor_head(uint8_t *p, uint8_t mt, uint64_t v)
{
	mt <<= 5;
	if (v < 24) {
		p[0] = mt | v;
		return 1;
	}
	if (v <= 0xff) {
		p[0] = mt | 24;
		p[1] = v;
		return 2;
	}
	if (v <= 0xffff) {
		p[0] = mt | 25;
		p[1] = v >> 8;
		p[2] = v;
		return 3;
	}
	if (v <= 0xffffffffull) {
		p[0] = mt | 26;
		for (int i = 0; i < 4; i++)
			p[1 + i] = v >> (24 - 8 * i);
		return 5;
	}
	p[0] = mt | 27;
	for (int i = 0; i < 8; i++)
		p[1 + i] = v >> (56 - 8 * i);
	return 9;
}

/* {"i": v} as CBOR into @p (at most 12 bytes); returns its length. */
static inline uint32_t vxt_cbor_int_map(uint8_t *p, uint64_t v)
{
	p[0] = 0xa1; /* map of 1 */
	p[1] = 0x61; /* text of 1 */
	p[2] = 'i';
	return 3 + vxt_cbor_head(p + 3, 0, v);
}

/* {"t": "xxx..."} with @len bytes of text derived from @seed. */
static inline uint32_t vxt_cbor_text_map(uint8_t *p, uint32_t len,
					 uint32_t seed)
{
	uint32_t n = 3;

	p[0] = 0xa1;
	p[1] = 0x61;
	p[2] = 't';
	n += vxt_cbor_head(p + n, 3, len);
	for (uint32_t i = 0; i < len; i++)
		p[n + i] = 'a' + (seed + i * 7) % 26;
	return n + len;
}

/*
 * Run @fn(@arg) in a child as uid/gid nobody, without supplementary groups;
 * returns what it returned (0..255), or -1 if it crashed. The child inherits
 * every fd, so fds opened as root can be used as nobody.
 */
static inline int vxt_as_nobody(int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgroups(0, NULL) || setgid(VXT_NOBODY) ||
		    setuid(VXT_NOBODY))
			_exit(200);
		_exit(fn(arg) & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Deterministic pseudo-random floats in [-1, 1) (xorshift). */
static inline float vxt_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (float)((*s >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

#endif /* VEXFS_SELFTEST_H */
