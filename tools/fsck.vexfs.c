// SPDX-License-Identifier: GPL-2.0
/*
 * fsck.vexfs: check a VexFS filesystem, with the same engine code a mount
 * runs: both superblock slots, every block of the live checkpoint and its
 * contents, the write-ahead log up to its end, and the invariants of the
 * recovered state.
 *
 * A torn tail of the WAL and one invalid superblock slot are what a crash
 * leaves behind by design: they are reported, not errors. With -y, a
 * damaged superblock slot is rewritten from the good one.
 *
 * Exit status, as fsck(8): 0 clean, 1 errors corrected, 4 errors left
 * uncorrected, 8 operational error, 16 usage error.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "distance.h"
#include "toolutil.h"

#define FSCK_OK 0
#define FSCK_CORRECTED 1
#define FSCK_UNCORRECTED 4
#define FSCK_OPERATIONAL 8
#define FSCK_USAGE 16

static bool quiet;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: fsck.vexfs [-n | -y] [-q] DEVICE|IMAGE\n"
		"\n"
		"Check a VexFS filesystem (it must not be mounted).\n"
		"\n"
		"  -n, --no        read-only: report, change nothing (default)\n"
		"  -y, --yes       repair what is safe to repair: rewrite a\n"
		"                  damaged superblock slot from the valid one\n"
		"  -q, --quiet     print errors only\n"
		"  -h, --help      show this help\n"
		"\n"
		"Exit status: 0 clean, 1 errors corrected, 4 errors left\n"
		"uncorrected, 8 operational error, 16 usage error.\n");
}

#define say(...)                             \
	do {                                 \
		if (!quiet)                  \
			printf(__VA_ARGS__); \
	} while (0)

struct slot_report {
	int err;
	const char *why;
	struct vx_super_info info;
};

static void check_slots(struct vx_bdev *bd, struct slot_report rep[2])
{
	u8 *buf = malloc(2 * VX_BLOCK_SIZE);

	if (!buf || vx_bdev_read(bd, VX_SB_SLOT_A, 2, buf)) {
		rep[0].err = rep[1].err = -EIO;
		rep[0].why = rep[1].why = "cannot read";
		free(buf);
		return;
	}
	for (int i = 0; i < 2; i++) {
		rep[i].why = NULL;
		rep[i].err = vx_super_decode(buf + i * VX_BLOCK_SIZE,
					     bd->nr_blocks, &rep[i].info,
					     &rep[i].why);
		if (!rep[i].err)
			say("superblock slot %c: generation %" PRIu64 "%s\n",
			    'A' + i, rep[i].info.generation,
			    rep[i].info.read_only ?
				    " (unknown ro_compat features)" :
				    "");
		else
			say("superblock slot %c: not valid (%s)\n", 'A' + i,
			    rep[i].why);
	}
	free(buf);
}

/* Rewrite the invalid slot from the valid one. */
static int repair_slot(struct vx_bdev *bd, const struct slot_report rep[2])
{
	int good = rep[0].err ? 1 : 0, bad = !good;
	struct vx_disk_super *ds = aligned_alloc(VX_BLOCK_SIZE, VX_BLOCK_SIZE);
	int err;

	if (!ds)
		return -ENOMEM;
	vx_super_encode(ds, &rep[good].info);
	err = vx_bdev_write(bd, bad ? VX_SB_SLOT_B : VX_SB_SLOT_A, 1, ds,
			    VX_BDEV_FUA);
	free(ds);
	return err ?: vx_bdev_flush(bd);
}

static void report_state(struct vx_db *db)
{
	struct vx_store_stats st;
	struct vx_collection *c;
	u64 points = 0;

	vx_store_stats(db->store, &st);
	vx_read_lock(&db->lock);
	for (c = db->colls; c; c = c->next) {
		say("collection %.*s: %" PRIu64
		    " points, dim %u, distance %u\n",
		    (int)c->name_len, c->name, c->points.count, c->cfg.dim,
		    c->cfg.distance);
		points += c->points.count;
	}
	say("%u collections, %" PRIu64 " points; checkpoint %" PRIu64
	    " blocks; WAL %" PRIu64 " of %" PRIu64 " bytes in use, %" PRIu64
	    " records replayed\n",
	    db->nr_colls, points, st.live_ckpt_blocks, st.wal_bytes_used,
	    st.wal_bytes, st.replayed_frames);
	vx_read_unlock(&db->lock);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no", no_argument, NULL, 'n' },
		{ "yes", no_argument, NULL, 'y' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct slot_report rep[2];
	struct vx_bdev *bd;
	struct vx_db *db;
	const char *why = NULL, *path;
	bool repair = false;
	int c, err, status = FSCK_OK;

	while ((c = getopt_long(argc, argv, "nyqh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			repair = false;
			break;
		case 'y':
			repair = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return FSCK_OK;
		default:
			usage(stderr);
			return FSCK_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return FSCK_USAGE;
	}
	path = argv[optind];
	vx_dist_init();
	err = vx_bdev_file_open(path, repair, &bd);
	if (err) {
		fprintf(stderr, "fsck.vexfs: cannot open %s: %s\n", path,
			strerror(-err));
		return FSCK_OPERATIONAL;
	}

	check_slots(bd, rep);
	if (rep[0].err && rep[1].err) {
		fprintf(stderr, "fsck.vexfs: %s: no valid superblock\n", path);
		vx_bdev_file_close(bd);
		return FSCK_UNCORRECTED;
	}

	db = vx_db_new();
	if (!db) {
		vx_bdev_file_close(bd);
		return FSCK_OPERATIONAL;
	}
	/* The engine's own mount path: checkpoint blocks, contents, WAL. */
	err = vx_db_open(db, bd, VX_STORE_RDONLY, &why);
	if (err) {
		fprintf(stderr, "fsck.vexfs: %s: %s\n", path, why);
		status = err == -ENOMEM || err == -EIO ? FSCK_OPERATIONAL :
							 FSCK_UNCORRECTED;
		goto out;
	}
	err = vx_db_verify(db, &why);
	if (err) {
		fprintf(stderr, "fsck.vexfs: %s: %s\n", path, why);
		status = FSCK_UNCORRECTED;
	} else {
		report_state(db);
	}
	vx_db_close(db, false);

	/* A slot is only worth repairing once both have been written. */
	if (status == FSCK_OK && (rep[0].err || rep[1].err) &&
	    rep[rep[0].err ? 1 : 0].info.checkpoint_block) {
		if (repair) {
			err = repair_slot(bd, rep);
			if (err) {
				fprintf(stderr,
					"fsck.vexfs: repair failed: %s\n",
					strerror(-err));
				status = FSCK_UNCORRECTED;
			} else {
				say("rewrote the damaged superblock slot\n");
				status = FSCK_CORRECTED;
			}
		} else {
			/* What a torn superblock write leaves: not an error. */
			say("note: one superblock slot is damaged; mount uses the other (-y rewrites it)\n");
		}
	}
	if (status == FSCK_OK)
		say("%s: clean\n", path);
out:
	vx_db_free(db);
	vx_bdev_file_close(bd);
	return status;
}
