// SPDX-License-Identifier: GPL-2.0
/*
 * mkfs.vexfs: make a VexFS filesystem on a block device or an image file.
 *
 * Writes superblock slot A (generation 1), invalidates slot B and the head of
 * the write-ahead log so that nothing of an earlier filesystem can be picked
 * up at mount, and syncs before reporting success.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "toolutil.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: mkfs.vexfs [options] DEVICE|IMAGE\n"
		"\n"
		"Make a VexFS filesystem on DEVICE, or on the image file IMAGE.\n"
		"\n"
		"Options:\n"
		"  -s, --size SIZE      create or resize IMAGE to SIZE bytes first\n"
		"                       (suffixes K, M, G, T; images only)\n"
		"  -L, --label LABEL    filesystem label, at most %d bytes\n"
		"  -U, --uuid UUID      filesystem UUID (default: random)\n"
		"  -w, --wal-size SIZE  write-ahead log size (default: 1/16 of the\n"
		"                       device, between 1 MiB and 256 MiB)\n"
		"  -f, --force          overwrite an existing VexFS filesystem\n"
		"  -q, --quiet          print nothing on success\n"
		"  -h, --help           show this help\n"
		"\n"
		"The device must hold at least %u blocks of %u bytes (%u KiB).\n"
		"Exit status: 0 on success, 1 on a usage error, 8 on an operational\n"
		"error (as mkfs(8)).\n",
		VX_LABEL_MAX, VX_MIN_BLOCKS, VX_BLOCK_SIZE,
		VX_MIN_BLOCKS * (VX_BLOCK_SIZE / 1024));
}

static int write_zero_blocks(int fd, uint64_t first, uint64_t count)
{
	static char zero[VX_BLOCK_SIZE];

	for (uint64_t b = first; b < first + count; b++)
		if (pwrite_full(fd, zero, sizeof(zero), b * VX_BLOCK_SIZE))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'L' },
		{ "uuid", required_argument, NULL, 'U' },
		{ "wal-size", required_argument, NULL, 'w' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vx_mkfs_params p = { 0 };
	struct vx_disk_super *ds;
	struct vx_super_info old;
	uint64_t size = 0, wal_bytes = 0, dev_bytes;
	const char *why = NULL, *path;
	bool force = false, quiet = false, have_uuid = false;
	char uuid_str[37];
	int c, fd, err;

	while ((c = getopt_long(argc, argv, "s:L:U:w:fqh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_size(optarg, &size))
				return tool_usage_error("bad size '%s'",
							optarg);
			break;
		case 'L':
			p.label = optarg;
			break;
		case 'U':
			if (parse_uuid(optarg, p.uuid))
				return tool_usage_error("bad UUID '%s'",
							optarg);
			have_uuid = true;
			break;
		case 'w':
			if (parse_size(optarg, &wal_bytes))
				return tool_usage_error("bad WAL size '%s'",
							optarg);
			break;
		case 'f':
			force = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 1;
	}
	path = argv[optind];
	if (p.label && strlen(p.label) > VX_LABEL_MAX)
		return tool_usage_error("label longer than %d bytes",
					VX_LABEL_MAX);

	fd = open_target(path, size, &dev_bytes);
	if (fd < 0)
		return 8;

	ds = aligned_alloc(VX_BLOCK_SIZE, 2 * VX_BLOCK_SIZE);
	if (!ds) {
		fprintf(stderr, "mkfs.vexfs: out of memory\n");
		return 8;
	}
	/* Refuse to overwrite a filesystem unless asked to. */
	if (!force && dev_bytes >= VX_MIN_BLOCKS * (uint64_t)VX_BLOCK_SIZE &&
	    pread_full(fd, ds, 2 * VX_BLOCK_SIZE,
		       VX_SB_SLOT_A * (uint64_t)VX_BLOCK_SIZE) == 0 &&
	    vx_super_pick(ds, (char *)ds + VX_BLOCK_SIZE,
			  dev_bytes / VX_BLOCK_SIZE, &old, &why) == 0) {
		fprintf(stderr,
			"mkfs.vexfs: %s already holds a VexFS filesystem; use -f to overwrite it\n",
			path);
		return 8;
	}

	p.total_blocks = dev_bytes / VX_BLOCK_SIZE;
	p.wal_blocks = wal_bytes / VX_BLOCK_SIZE;
	p.created_sec = (uint64_t)time(NULL);
	if (!have_uuid && random_uuid(p.uuid)) {
		fprintf(stderr, "mkfs.vexfs: cannot read random bytes\n");
		return 8;
	}
	err = vx_super_format(ds, &p, &why);
	if (err) {
		fprintf(stderr, "mkfs.vexfs: %s: %s (%" PRIu64 " bytes)\n",
			path, why, dev_bytes);
		return 8;
	}

	if (pwrite_full(fd, ds, VX_BLOCK_SIZE,
			VX_SB_SLOT_A * (uint64_t)VX_BLOCK_SIZE) ||
	    write_zero_blocks(fd, VX_SB_SLOT_B, 1) ||
	    write_zero_blocks(fd, VX_WAL_START, 16) || fsync(fd)) {
		fprintf(stderr, "mkfs.vexfs: writing %s: %s\n", path,
			strerror(errno));
		return 8;
	}
	close(fd);

	if (!quiet) {
		format_uuid(p.uuid, uuid_str);
		printf("mkfs.vexfs: %s: %" PRIu64
		       " blocks of %u bytes, WAL %" PRIu64
		       " blocks, UUID %s%s%s\n",
		       path, p.total_blocks, VX_BLOCK_SIZE,
		       le64_to_cpu(ds->wal_blocks), uuid_str,
		       p.label ? ", label " : "", p.label ? p.label : "");
	}
	free(ds);
	return 0;
}
