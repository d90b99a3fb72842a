// SPDX-License-Identifier: GPL-2.0
/*
 * The baseline the gateway is measured against: the same 10-NN searches
 * without HTTP and JSON, straight into the engine.
 *
 *   direct embedded IMAGE load N DIM DIR   make collection "bench" with N
 *                                          points, index them, write the
 *                                          queries to DIR (q.f32, q.jsonl,
 *                                          up.jsonl)
 *   direct embedded IMAGE search DIR SECS C1,C2,...
 *   direct embedded IMAGE run N DIM DIR SECS C1,C2,...   load, then search
 *   direct kernel MOUNT load N DIM DIR     the same through libvexfs
 *   direct kernel MOUNT search DIR SECS C1,C2,...
 *   direct queries N DIM DIR               only the query files "load N DIM"
 *                                          writes (for wrk on another host)
 *
 * "embedded" runs the core in this process on an image (the gateway's
 * embedded backend must not have it open); "kernel" uses the ioctls on a
 * mounted VexFS. Search prints one line per concurrency:
 *   RESULT direct-<mode> search c=C rps=R p50_us=P p99_us=Q n=N
 * Points and queries come from a fixed seed: every run sees the same data.
 * GWB_FULL_SCAN_KB sets the collection's full_scan_threshold (KiB) at load:
 * below it searches are exact scans, so a small collection needs it lowered
 * for the searches to go through the HNSW graph. Each RESULT line ends with
 * the 1-minute load average of the machine it ran on (load1=).
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include "shim.h"

#include <errno.h>
#include <sched.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "bdev.h"
#include "db.h"
#include "distance.h"
#include "libvexfs/vexfs.h"

#define COLL "bench"
#define NQUERIES 1000
#define K 10
#define BATCH 1000

static bool kernel_mode;
static const char *target;
static struct vx_bdev *bd;
static struct vx_db *db;
static struct vexfs *vx;

static float *queries;
static u32 dim;

static void die(const char *what, int err)
{
	fprintf(stderr, "direct: %s: %s\n", what,
		strerror(err < 0 ? -err : err));
	exit(1);
}

/* xorshift64*, then a rough normal deviate: sums of uniforms. */
static u64 rng = 0x9e3779b97f4a7c15ull;

static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545f4914f6cdd1dull) >> 11) /
	       9007199254740992.0;
}

static float gauss(void)
{
	return (float)(uniform() + uniform() + uniform() + uniform() - 2.0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void open_target(void)
{
	const char *why = "unknown";
	int err;

	if (kernel_mode) {
		vx = vexfs_open(target);
		if (!vx)
			die(target, errno);
		return;
	}
	vx_dist_init();
	err = vx_bdev_file_open(target, true, &bd);
	if (err)
		die(target, err);
	db = vx_db_new();
	if (!db)
		die("vx_db_new", ENOMEM);
	err = vx_db_open(db, bd, 0, &why);
	if (err) {
		fprintf(stderr, "direct: %s: %s\n", target, why);
		exit(1);
	}
}

static void close_target(void)
{
	if (kernel_mode) {
		vexfs_close(vx);
		return;
	}
	vx_db_close(db, true);
	vx_db_free(db);
	vx_bdev_file_close(bd);
}

static void write_vec_json(FILE *f, const float *v)
{
	u32 j;

	for (j = 0; j < dim; j++)
		fprintf(f, "%s%.6f", j ? "," : "", v[j]);
}

/* Searches are measured on a fully linked graph. */
static void wait_indexed(void)
{
	u64 pending;
	int fd = -1, err;

	if (kernel_mode) {
		fd = vexfs_coll_open(vx, COLL);
		if (fd < 0)
			die("open " COLL, fd);
	}
	for (;;) {
		if (kernel_mode) {
			u64 pts, indexed;

			err = vexfs_count(fd, &pts, &indexed);
			if (err < 0)
				die("count", err);
			pending = pts - indexed;
			if (pending)
				sleep(1);
		} else {
			err = vx_db_index_pending(db, 4096, &pending);
			if (err)
				die("index", err);
		}
		if (!pending)
			break;
	}
	if (fd >= 0)
		close(fd);
}

/*
 * The queries, drawn after the points from the same generator: q.f32 for
 * this driver, q.jsonl (search bodies) and up.jsonl (upsert vectors) for wrk.
 */
static void write_queries(const char *dir)
{
	char path[4096];
	u64 i;
	FILE *f;

	queries = malloc((size_t)NQUERIES * dim * sizeof(float));
	if (!queries)
		die("malloc", ENOMEM);
	for (i = 0; i < (u64)NQUERIES * dim; i++)
		queries[i] = gauss();
	snprintf(path, sizeof(path), "%s/q.f32", dir);
	f = fopen(path, "w");
	if (!f || fwrite(queries, sizeof(float) * dim, NQUERIES, f) != NQUERIES)
		die(path, errno);
	fclose(f);
	/* The same queries as request bodies for wrk, and upsert bodies. */
	snprintf(path, sizeof(path), "%s/q.jsonl", dir);
	f = fopen(path, "w");
	if (!f)
		die(path, errno);
	for (i = 0; i < NQUERIES; i++) {
		fputs("{\"vector\":[", f);
		write_vec_json(f, queries + i * dim);
		fprintf(f, "],\"limit\":%d}\n", K);
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/up.jsonl", dir);
	f = fopen(path, "w");
	if (!f)
		die(path, errno);
	for (i = 0; i < NQUERIES; i++) {
		fputs("[", f);
		write_vec_json(f, queries + i * dim);
		fputs("]\n", f);
	}
	fclose(f);
}

static void load(u64 n, const char *dir)
{
	struct vexfs_collection_config cfg = {
		.dim = dim, .distance = VEXFS_DISTANCE_COSINE
	};
	struct vexfs_point_id *ids = calloc(BATCH, sizeof(*ids));
	struct vx_point_in *in = calloc(BATCH, sizeof(*in));
	float *vecs = malloc((size_t)BATCH * dim * sizeof(float));
	double t0 = now();
	u64 i;
	int fd = -1, err;

	if (!ids || !in || !vecs)
		die("malloc", ENOMEM);
	if (getenv("GWB_FULL_SCAN_KB"))
		cfg.full_scan_threshold =
			strtoull(getenv("GWB_FULL_SCAN_KB"), NULL, 10);
	/* "up" takes the upsert benchmark's points, apart from "bench". */
	if (kernel_mode) {
		err = vexfs_coll_create(vx, "up", &cfg);
		if (!err)
			err = vexfs_coll_create(vx, COLL, &cfg);
		if (err)
			die("create " COLL, err);
		fd = vexfs_coll_open(vx, COLL);
		if (fd < 0)
			die("open " COLL, fd);
	} else {
		err = vx_db_create_collection(db, "up", 2, &cfg);
		if (!err)
			err = vx_db_create_collection(db, COLL, strlen(COLL),
						      &cfg);
		if (err)
			die("create " COLL, err);
	}
	for (i = 0; i < n; i += BATCH) {
		u32 b = n - i < BATCH ? (u32)(n - i) : BATCH, j, d;

		for (j = 0; j < b; j++) {
			ids[j] = vexfs_id_num(i + j + 1);
			for (d = 0; d < dim; d++)
				vecs[(size_t)j * dim + d] = gauss();
			in[j].id = ids[j];
			in[j].vec = vecs + (size_t)j * dim;
		}
		if (kernel_mode)
			err = vexfs_upsert(fd, b, dim, ids, vecs, NULL, NULL);
		else
			err = vx_db_upsert(db, COLL, strlen(COLL), in, b);
		if (err < 0)
			die("upsert", err);
	}
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "direct: %" PRIu64 " points upserted in %.1f s\n", n,
		now() - t0);
	wait_indexed();
	fprintf(stderr, "direct: indexed after %.1f s\n", now() - t0);

	write_queries(dir);
	free(ids);
	free(in);
	free(vecs);
}

struct worker {
	pthread_t t;
	u32 first;
	double until;
	double *lat;
	size_t n, cap;
	int err;
};

static int search_one(int fd, const float *q)
{
	if (kernel_mode) {
		struct vexfs_search_opts so = { .limit = K };
		struct vexfs_hit hits[K];
		u32 nh;

		return vexfs_search(fd, 1, dim, q, &so, hits, &nh);
	} else {
		struct vx_collection *c =
			vx_db_get_collection(db, COLL, strlen(COLL));
		struct vx_db_hit hits[K];
		u32 nh;
		int err;

		if (!c)
			return -ENOENT;
		err = vx_collection_search(c, q, 1, K, 0, 0, 0, hits, &nh);
		vx_db_put_collection(db, c);
		return err;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int fd = -1;
	u32 i = w->first;
	double t;

	/* As the gateway (its fd cache) and native programs: one fd. */
	if (kernel_mode) {
		fd = vexfs_coll_open(vx, COLL);
		if (fd < 0) {
			w->err = fd;
			return NULL;
		}
	}
	while ((t = now()) < w->until) {
		int err = search_one(fd,
				     queries + (size_t)(i++ % NQUERIES) * dim);

		if (err < 0) {
			w->err = err;
			break;
		}
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 4096;
			w->lat = realloc(w->lat, w->cap * sizeof(double));
			if (!w->lat) {
				w->err = -ENOMEM;
				break;
			}
		}
		w->lat[w->n++] = now() - t;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The 1-minute load average, or -1. */
static double load1(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double l = -1;

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

/* CPU seconds (user + system) this process has used. */
static double cpu_secs(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The CPUs this process may run on (taskset), else those online. */
static long usable_cpus(void)
{
	cpu_set_t set;

	if (!sched_getaffinity(0, sizeof(set), &set))
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static void search(const char *dir, double secs, char *concs)
{
	char path[4096], *tok, *save = NULL;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/q.f32", dir);
	f = fopen(path, "r");
	if (!f || fstat(fileno(f), &st))
		die(path, errno);
	dim = st.st_size / sizeof(float) / NQUERIES;
	queries = malloc(st.st_size);
	if (!queries || fread(queries, 1, st.st_size, f) != (size_t)st.st_size)
		die(path, EIO);
	fclose(f);

	for (tok = strtok_r(concs, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		/*
		 * c clients, run on at most one thread per CPU: the engine's
		 * capacity, as the gateway runs one worker per CPU (more
		 * threads only queue, and convoy on the engine's locks).
		 */
		u32 c = atoi(tok), i;
		long cpus = usable_cpus();
		u32 nt = cpus > 0 && (u32)cpus < c ? (u32)cpus : c;
		struct worker *w = calloc(nt, sizeof(*w));
		double *all, until = now() + secs, cpu0 = cpu_secs(), cpu;
		size_t total = 0, k = 0;

		for (i = 0; i < nt; i++) {
			w[i].first = i * (NQUERIES / nt);
			w[i].until = until;
			pthread_create(&w[i].t, NULL, worker_main, &w[i]);
		}
		for (i = 0; i < nt; i++) {
			pthread_join(w[i].t, NULL);
			if (w[i].err)
				die("search", w[i].err);
			total += w[i].n;
		}
		cpu = cpu_secs() - cpu0;
		all = malloc((total ? total : 1) * sizeof(double));
		for (i = 0; i < nt; i++) {
			memcpy(all + k, w[i].lat, w[i].n * sizeof(double));
			k += w[i].n;
			free(w[i].lat);
		}
		qsort(all, total, sizeof(double), cmp_double);
		printf("RESULT direct-%s search c=%u threads=%u rps=%.1f p50_us=%.0f p99_us=%.0f n=%zu cpu_us=%.1f load1=%.2f\n",
		       kernel_mode ? "kernel" : "embedded", c, nt, total / secs,
		       total ? all[total / 2] * 1e6 : 0,
		       total ? all[(size_t)(total * 0.99)] * 1e6 : 0, total,
		       total ? cpu * 1e6 / total : 0, load1());
		fflush(stdout);
		free(all);
		free(w);
	}
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "queries")) {
		u64 i, n = strtoull(argv[2], NULL, 10);

		dim = atoi(argv[3]);
		/* Skip the points' draws, as load() makes them. */
		for (i = 0; i < n * dim; i++)
			gauss();
		write_queries(argv[4]);
		return 0;
	}
	if (argc < 5)
		goto usage;
	kernel_mode = !strcmp(argv[1], "kernel");
	if (!kernel_mode && strcmp(argv[1], "embedded"))
		goto usage;
	target = argv[2];
	if (!strcmp(argv[3], "load") && argc == 7) {
		dim = atoi(argv[5]);
		open_target();
		load(strtoull(argv[4], NULL, 10), argv[6]);
		close_target();
		return 0;
	}
	if (!strcmp(argv[3], "search") && argc == 7) {
		open_target();
		/* The graph is rebuilt after an open: wait for it. */
		wait_indexed();
		search(argv[4], atof(argv[5]), argv[6]);
		close_target();
		return 0;
	}
	if (!strcmp(argv[3], "run") && argc == 9) {
		dim = atoi(argv[5]);
		open_target();
		load(strtoull(argv[4], NULL, 10), argv[6]);
		free(queries);
		search(argv[6], atof(argv[7]), argv[8]);
		close_target();
		return 0;
	}
usage:
	fprintf(stderr,
		"usage: direct embedded|kernel IMAGE|MOUNT load N DIM DIR\n"
		"       direct embedded|kernel IMAGE|MOUNT search DIR SECS C1,C2,...\n"
		"       direct embedded|kernel IMAGE|MOUNT run N DIM DIR SECS C1,C2,...\n"
		"       direct queries N DIM DIR\n");
	return 2;
}
