// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of tests/vm/powercut_test.sh (not a selftest on its own: the
 * name does not end in _test, so run_all.sh leaves it alone).
 *
 *   powercut_writer run MNT COLL START
 *	Create COLL (dim 16, Euclid) unless it exists, print "PCW START",
 *	then upsert ids START, START+1, ... forever, one at a time or in
 *	batches of 8. Each id is printed as "ACK <id>" once the upsert that
 *	wrote it returned (durable). Ids with id % 7 == 3 are deleted right
 *	after, and printed as "DEL <id>" once that returned.
 *
 *   powercut_writer check MNT COLL MAXACK|none [MAYBE...]
 *	Every id 0..MAXACK must hold its vector and payload, except the ids
 *	with id % 7 == 3, which must be absent, unless listed in MAYBE (acked
 *	but their delete was not). Points past MAXACK may exist (written,
 *	or acknowledged with the "ACK" still in the tty at the cut), but
 *	must be whole.
 *	Prints "PCC OK <count>" or "PCC FAIL <why>"; exit 0 or 1.
 *
 * Point id's vector and payload are functions of id.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vexfs_selftest.h"

#define DIM 16
#define BATCH 8
#define CHUNK 1024u

static void vec_of(uint64_t id, float *v)
{
	uint64_t s = id * 0x9E3779B97F4A7C15ull + 12345;

	for (int d = 0; d < DIM; d++)
		v[d] = vxt_rand(&s);
}

static bool deleted_kind(uint64_t id)
{
	return id % 7 == 3;
}

/* Straight to the console: nothing may sit in a stdio buffer at the cut. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(STDOUT_FILENO, buf, n) != n)
		exit(3);
}

static int open_coll(const char *mnt, const char *name, bool create,
		     struct vexfs **vx)
{
	struct vexfs_collection_config c;
	int ret;

	*vx = vexfs_open(mnt);
	if (!*vx) {
		fprintf(stderr, "powercut_writer: %s: %s\n", mnt,
			strerror(errno));
		return -errno;
	}
	if (create) {
		vexfs_config_init(&c, DIM, VEXFS_DISTANCE_EUCLID);
		ret = vexfs_coll_create(*vx, name, &c);
		if (ret && ret != -EEXIST) {
			fprintf(stderr, "powercut_writer: create %s: %s\n",
				name, strerror(-ret));
			return ret;
		}
	}
	return vexfs_coll_open(*vx, name);
}

static int run(const char *mnt, const char *name, uint64_t start)
{
	struct vexfs_point_id ids[BATCH];
	float vecs[BATCH * DIM];
	uint32_t lens[BATCH];
	uint8_t pl[BATCH * 16], *p;
	struct vexfs *vx;
	uint64_t id = start;
	int fd, ret;

	fd = open_coll(mnt, name, true, &vx);
	if (fd < 0) {
		say("PCW FAIL open %d\n", fd);
		return 1;
	}
	say("PCW START %" PRIu64 "\n", start);
	for (;;) {
		/* Singles and batches, so group commit sees both. */
		uint32_t n = (id / 64) % 2 && id % BATCH == 0 ? BATCH : 1;

		p = pl;
		for (uint32_t i = 0; i < n; i++) {
			ids[i] = vexfs_id_num(id + i);
			vec_of(id + i, vecs + i * DIM);
			lens[i] = vxt_cbor_int_map(p, id + i);
			p += lens[i];
		}
		ret = vexfs_upsert(fd, n, DIM, ids, vecs, lens, pl);
		if (ret) {
			say("PCW FAIL upsert %" PRIu64 " %d\n", id, ret);
			return 1;
		}
		for (uint32_t i = 0; i < n; i++)
			say("ACK %" PRIu64 "\n", id + i);
		for (uint32_t i = 0; i < n; i++) {
			if (!deleted_kind(id + i))
				continue;
			ret = vexfs_delete(fd, 1, &ids[i]);
			if (ret != 1) {
				say("PCW FAIL delete %" PRIu64 " %d\n", id + i,
				    ret);
				return 1;
			}
			say("DEL %" PRIu64 "\n", id + i);
		}
		id += n;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool listed(const uint64_t *maybe, int n, uint64_t id)
{
	return bsearch(&id, maybe, n, sizeof(*maybe), cmp_u64);
}

/* Check ids[0..n) hold their contents, all of them found. */
static int check_contents(int fd, const struct vexfs_point_id *ids, uint32_t n,
			  uint8_t *found, float *vecs, uint32_t *lens,
			  uint8_t *pl)
{
	uint64_t size = CHUNK * 16, off = 0;
	uint8_t want_pl[16];
	float want[DIM];
	int ret;

	ret = vexfs_get(fd, n, ids, found, vecs, lens, pl, &size);
	if (ret < 0) {
		say("PCC FAIL get %d\n", ret);
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t id = ids[i].num;
		uint32_t len = vxt_cbor_int_map(want_pl, id);

		if (!found[i]) {
			say("PCC FAIL id %" PRIu64 " missing\n", id);
			return -1;
		}
		vec_of(id, want);
		if (memcmp(want, vecs + (size_t)i * DIM, sizeof(want)) ||
		    lens[i] != len || memcmp(pl + off, want_pl, len)) {
			say("PCC FAIL id %" PRIu64 " has wrong contents\n", id);
			return -1;
		}
		off += lens[i];
	}
	return 0;
}

static int check(const char *mnt, const char *name, const char *maxack_s,
		 int nmaybe, char **maybe_s)
{
	struct vexfs_point_id *ids = calloc(CHUNK, sizeof(*ids));
	float *vecs = calloc(CHUNK * DIM, sizeof(float));
	uint32_t *lens = calloc(CHUNK, sizeof(*lens));
	uint8_t *pl = calloc(CHUNK, 16), *found = calloc(CHUNK, 1);
	uint64_t *maybe = calloc(nmaybe + 1, sizeof(*maybe));
	uint64_t maxack = 0, count, cursor = VEXFS_SCROLL_START, seen = 0;
	uint64_t must = 0;
	bool none = !strcmp(maxack_s, "none");
	struct vexfs *vx;
	int fd, ret;

	if (!ids || !vecs || !lens || !pl || !found || !maybe)
		return 2;
	if (!none)
		maxack = strtoull(maxack_s, NULL, 10);
	for (int i = 0; i < nmaybe; i++)
		maybe[i] = strtoull(maybe_s[i], NULL, 10);
	qsort(maybe, nmaybe, sizeof(*maybe), cmp_u64);

	fd = open_coll(mnt, name, false, &vx);
	if (fd < 0) {
		if (none) { /* cut before anything was acknowledged */
			say("PCC OK 0\n");
			return 0;
		}
		say("PCC FAIL collection %s: %d\n", name, fd);
		return 1;
	}
	/* 1. Everything acknowledged (and not deleted) is there, intact. */
	for (uint64_t id = 0; !none && id <= maxack;) {
		uint32_t n = 0;

		while (n < CHUNK && id <= maxack) {
			if (!deleted_kind(id))
				ids[n++] = vexfs_id_num(id);
			id++;
		}
		must += n;
		if (n && check_contents(fd, ids, n, found, vecs, lens, pl))
			return 1;
	}
	/* 2. Acknowledged deletes stuck; nothing unexpected exists. */
	while (cursor != VEXFS_SCROLL_END) {
		ret = vexfs_scroll(fd, &cursor, CHUNK, ids);
		if (ret < 0) {
			say("PCC FAIL scroll %d\n", ret);
			return 1;
		}
		for (int i = 0; i < ret; i++) {
			uint64_t id = ids[i].num;

			if (ids[i].kind != VEXFS_ID_NUM) {
				say("PCC FAIL a uuid id appeared\n");
				return 1;
			}
			if (!none && id <= maxack && deleted_kind(id) &&
			    !listed(maybe, nmaybe, id)) {
				say("PCC FAIL id %" PRIu64
				    " was deleted (acknowledged) but is back\n",
				    id);
				return 1;
			}
			/*
			 * Acks still in the guest's tty buffer at the cut
			 * never reach the host: allow a wide margin.
			 */
			if (id > (none ? 0 : maxack) + 100000) {
				say("PCC FAIL id %" PRIu64
				    " exists but was never written\n",
				    id);
				return 1;
			}
			/* Unacknowledged but present: must be whole. */
			if ((none || id > maxack) && !deleted_kind(id) &&
			    check_contents(fd, &ids[i], 1, found, vecs, lens,
					   pl))
				return 1;
		}
		seen += ret;
	}
	ret = vexfs_count(fd, &count, NULL);
	if (ret || count != seen) {
		say("PCC FAIL count %" PRIu64 " but scroll saw %" PRIu64 "\n",
		    count, seen);
		return 1;
	}
	if (seen < must) {
		say("PCC FAIL %" PRIu64 " points, %" PRIu64 " acknowledged\n",
		    seen, must);
		return 1;
	}
	say("PCC OK %" PRIu64 "\n", count);
	close(fd);
	vexfs_close(vx);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "run"))
		return run(argv[2], argv[3], strtoull(argv[4], NULL, 10));
	if (argc >= 5 && !strcmp(argv[1], "check"))
		return check(argv[2], argv[3], argv[4], argc - 5, argv + 5);
	fprintf(stderr,
		"usage: powercut_writer run MNT COLL START\n"
		"       powercut_writer check MNT COLL MAXACK|none [MAYBE...]\n");
	return 2;
}
