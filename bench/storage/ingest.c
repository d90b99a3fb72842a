// SPDX-License-Identifier: GPL-2.0
/*
 * Durable ingest and recovery benchmark of the storage engine (userspace
 * host, image file). Not a test: it prints a table.
 *
 * For each batch size (1, 64, 1024 points of 128-d + 32 bytes of payload)
 * and writer count (1, 8): acknowledged points per second. The peer, timed
 * in the same run on the same disk, is the plain path: each writer appends
 * the same bytes to its own file with pwrite + fdatasync per batch. The
 * ratio VexFS / peer is what to quote; absolute rates vary with the disk.
 *
 * Then mount (checkpoint load + WAL replay) time for 100k and 1M points,
 * beside the time to read the same image bytes sequentially.
 *
 *   bench/storage/ingest [DIR] [--quick]
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "distance.h"

#define DIM 128
#define PAYLOAD 32

static const char *dir = "/tmp";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *make_image(const char *name, u64 bytes)
{
	struct vx_mkfs_params p = { .total_blocks = bytes / VX_BLOCK_SIZE,
				    .uuid = { 1, 2 } };
	struct vx_disk_super ds;
	char *path = malloc(512);
	const char *why;
	int fd;

	snprintf(path, 512, "%s/vexfs-bench-%s.img", dir, name);
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) ||
	    vx_super_format(&ds, &p, &why) ||
	    pwrite(fd, &ds, sizeof(ds), VX_BLOCK_SIZE) != sizeof(ds)) {
		perror(path);
		exit(1);
	}
	fsync(fd);
	close(fd);
	return path;
}

struct job {
	struct vx_db *db;
	u32 batch, batches, base;
	int fd; /* peer: the file to append to */
	int err;
};

static void fill(struct vx_point_in *in, float *vecs, u8 *pay, u32 n, u32 base)
{
	for (u32 i = 0; i < n; i++) {
		for (u32 d = 0; d < DIM; d++)
			vecs[i * DIM + d] =
				(float)((base + i) * 7 + d) * 0.001f;
		/* {"p": "<27 letters>"}: a 32-byte CBOR map */
		memcpy(pay + i * PAYLOAD, "\xa1\x61p\x78\x1b", 5);
		memset(pay + i * PAYLOAD + 5, 'a' + (int)(i % 26), PAYLOAD - 5);
		in[i].id.kind = VEXFS_ID_NUM;
		in[i].id.num = base + i;
		in[i].vec = vecs + i * DIM;
		in[i].payload = pay + i * PAYLOAD;
		in[i].payload_len = PAYLOAD;
	}
}

static void *vexfs_writer(void *arg)
{
	struct job *j = arg;
	struct vx_point_in *in = calloc(j->batch, sizeof(*in));
	float *vecs = malloc(sizeof(float) * DIM * j->batch);
	u8 *pay = malloc((size_t)PAYLOAD * j->batch);

	for (u32 b = 0; b < j->batches && !j->err; b++) {
		fill(in, vecs, pay, j->batch, j->base + b * j->batch);
		j->err = vx_db_upsert(j->db, "bench", 5, in, j->batch);
	}
	free(in);
	free(vecs);
	free(pay);
	return NULL;
}

static void *peer_writer(void *arg)
{
	struct job *j = arg;
	size_t bytes = (size_t)j->batch * (DIM * sizeof(float) + PAYLOAD + 24);
	u8 *buf = calloc(1, bytes);

	for (u32 b = 0; b < j->batches && !j->err; b++) {
		memset(buf, (int)b, bytes);
		if (write(j->fd, buf, bytes) != (ssize_t)bytes ||
		    fdatasync(j->fd))
			j->err = -1;
	}
	free(buf);
	return NULL;
}

static double run_vexfs(u32 batch, u32 writers, u32 per_writer)
{
	struct vexfs_collection_config cfg = {
		.dim = DIM, .distance = VEXFS_DISTANCE_EUCLID
	};
	char *path = make_image("ingest", 2ULL << 30);
	struct job jobs[8];
	pthread_t th[8];
	struct vx_bdev *bd;
	struct vx_db *db = vx_db_new();
	const char *why;
	double t;

	if (vx_bdev_file_open(path, true, &bd) || vx_db_open(db, bd, 0, &why) ||
	    vx_db_create_collection(db, "bench", 5, &cfg))
		exit(1);
	t = now();
	for (u32 w = 0; w < writers; w++) {
		jobs[w] = (struct job){
			db, batch, per_writer / batch, w * per_writer, -1, 0
		};
		pthread_create(&th[w], NULL, vexfs_writer, &jobs[w]);
	}
	for (u32 w = 0; w < writers; w++) {
		pthread_join(th[w], NULL);
		if (jobs[w].err) {
			fprintf(stderr, "upsert failed: %d\n", jobs[w].err);
			exit(1);
		}
	}
	t = now() - t;
	vx_db_close(db, false);
	vx_db_free(db);
	vx_bdev_file_close(bd);
	unlink(path);
	free(path);
	return (double)writers * per_writer / t;
}

static double run_peer(u32 batch, u32 writers, u32 per_writer)
{
	struct job jobs[8];
	pthread_t th[8];
	char path[8][512];
	double t;

	for (u32 w = 0; w < writers; w++) {
		snprintf(path[w], sizeof(path[w]), "%s/vexfs-bench-peer-%u",
			 dir, w);
		jobs[w] = (struct job){
			NULL,
			batch,
			per_writer / batch,
			0,
			open(path[w], O_WRONLY | O_CREAT | O_TRUNC, 0644),
			0
		};
	}
	t = now();
	for (u32 w = 0; w < writers; w++)
		pthread_create(&th[w], NULL, peer_writer, &jobs[w]);
	for (u32 w = 0; w < writers; w++)
		pthread_join(th[w], NULL);
	t = now() - t;
	for (u32 w = 0; w < writers; w++) {
		close(jobs[w].fd);
		unlink(path[w]);
	}
	return (double)writers * per_writer / t;
}

static double median3(double *x)
{
	double a = x[0], b = x[1], c = x[2];

	if (a > b) {
		double t = a;

		a = b;
		b = t;
	}
	return c < a ? a : c > b ? b : c;
}

static void recovery(u32 points, bool wal_tail)
{
	struct vexfs_collection_config cfg = {
		.dim = DIM, .distance = VEXFS_DISTANCE_EUCLID
	};
	u64 img_bytes = ((u64)points * 700 * 2 + (256ULL << 20)) & ~4095ULL;
	char *path = make_image("recover", img_bytes);
	struct vx_point_in *in = calloc(1024, sizeof(*in));
	float *vecs = malloc(sizeof(float) * DIM * 1024);
	u8 *pay = malloc(PAYLOAD * 1024);
	struct vx_bdev *bd;
	struct vx_db *db = vx_db_new();
	const char *why;
	double t_mount, t_read;
	struct stat st;
	char *buf;
	int fd;

	if (vx_bdev_file_open(path, true, &bd) || vx_db_open(db, bd, 0, &why) ||
	    vx_db_create_collection(db, "bench", 5, &cfg))
		exit(1);
	for (u32 b = 0; b < points; b += 1024) {
		fill(in, vecs, pay, 1024, b);
		if (vx_db_upsert(db, "bench", 5, in, 1024))
			exit(1);
	}
	/* Checkpoint everything; optionally leave the last 10% in the WAL. */
	vx_db_close(db, !wal_tail);
	vx_db_free(db);
	vx_bdev_file_close(bd);

	/* Drop what we can of the page cache so both reads hit the disk. */
	fd = open(path, O_RDONLY);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	t_mount = now();
	db = vx_db_new();
	if (vx_bdev_file_open(path, false, &bd) ||
	    vx_db_open(db, bd, VX_STORE_RDONLY, &why)) {
		fprintf(stderr, "mount: %s\n", why);
		exit(1);
	}
	t_mount = now() - t_mount;
	vx_db_close(db, false);
	vx_db_free(db);
	vx_bdev_file_close(bd);

	fd = open(path, O_RDONLY);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	fstat(fd, &st);
	buf = malloc(1 << 20);
	t_read = now();
	{
		/* The peer: read the bytes a mount must read, sequentially. */
		u64 want =
			(u64)points * (DIM * 4 + PAYLOAD + 36) + (8ULL << 20);
		for (u64 done = 0; done < want && done < (u64)st.st_size;) {
			ssize_t n = read(fd, buf, 1 << 20);

			if (n <= 0)
				break;
			done += (u64)n;
		}
	}
	t_read = now() - t_read;
	close(fd);
	printf("mount %7u points (%s): %.2fx the time of a sequential read of the same bytes\n",
	       points, wal_tail ? "tail in the WAL" : "checkpointed",
	       t_mount / t_read);
	unlink(path);
	free(path);
	free(buf);
	free(in);
	free(vecs);
	free(pay);
}

int main(int argc, char **argv)
{
	static const u32 batches[] = { 1, 64, 1024 };
	static const u32 writers[] = { 1, 8 };
	bool quick = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = true;
		else
			dir = argv[i];
	}
	vx_dist_init();
	printf("durable upsert, 128-d + %d B payload, image in %s\n", PAYLOAD,
	       dir);
	printf("%6s %8s %14s %14s %8s\n", "batch", "writers", "vexfs pts/s",
	       "peer pts/s", "ratio");
	for (u32 b = 0; b < 3; b++) {
		for (u32 w = 0; w < 2; w++) {
			u32 per = batches[b] == 1  ? (quick ? 200 : 1000) :
				  batches[b] == 64 ? (quick ? 6400 : 32000) :
						     (quick ? 32768 : 131072);
			double v[3], p[3];

			per /= writers[w] > 1 ? 2 : 1;
			per = per / batches[b] * batches[b];
			/* Alternate, three rounds: the disk is shared and noisy. */
			for (int r = 0; r < 3; r++) {
				v[r] = run_vexfs(batches[b], writers[w], per);
				p[r] = run_peer(batches[b], writers[w], per);
			}
			printf("%6u %8u %14.0f %14.0f %7.2fx\n", batches[b],
			       writers[w], median3(v), median3(p),
			       median3(v) / median3(p));
		}
	}
	recovery(quick ? 20480 : 102400, false);
	recovery(quick ? 20480 : 102400, true);
	if (!quick)
		recovery(1024000, false);
	return 0;
}
