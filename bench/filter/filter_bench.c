// SPDX-License-Identifier: GPL-2.0
/*
 * Filtered search through the userspace core (not a test): Fashion-MNIST
 * (Debian's dataset-fashion-mnist: 60000 x 784 train, test images as
 * queries) with payload {"label": class, "r": 0..99, "kw": "k00".."k99"},
 * payload indexes on all three, and filters matching 1% (kw), 10% (label)
 * and 50% (r < 50) of the points, beside unfiltered search. QPS (one
 * thread) and recall@10 against the exact filtered answer, with the
 * indexes and then without them (the planner can only scan or walk the
 * graph). Then the time a mount takes to rebuild indexes over 100k points.
 *
 *   build/bench/filter_bench [DIR] [NQ]   (image files go to DIR, /tmp)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "db.h"
#include "format.h"
#include "filter.h"
#include "pindex_plan.h"

#define K 10u
#define FASHION "/usr/share/datasets/fashion-mnist/"

static const char *dir = "/tmp";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* An IDX file (gzipped): images as float rows, or labels as bytes. */
static u8 *read_idx(const char *name, u32 *n, u32 *dim)
{
	char path[256];
	u8 hdr[16], *px;
	gzFile f;
	u32 magic, hl;

	snprintf(path, sizeof(path), FASHION "%s", name);
	f = gzopen(path, "rb");
	if (!f || gzread(f, hdr, 8) != 8) {
		fprintf(stderr,
			"%s: not found (apt-get install dataset-fashion-mnist)\n",
			path);
		exit(1);
	}
	magic = be32(hdr);
	*n = be32(hdr + 4);
	*dim = 1;
	hl = magic == 0x803 ? 8 : 0;
	if (hl && gzread(f, hdr + 8, hl) == (int)hl)
		*dim = be32(hdr + 8) * be32(hdr + 12);
	px = malloc((size_t)*n * *dim);
	if (gzread(f, px, *n * *dim) != (int)(*n * *dim)) {
		fprintf(stderr, "%s: short\n", path);
		exit(1);
	}
	gzclose(f);
	return px;
}

static char *make_image(const char *name, u64 bytes)
{
	struct vx_mkfs_params p = { .total_blocks = bytes / VX_BLOCK_SIZE,
				    .uuid = { 3, 4 } };
	struct vx_disk_super ds;
	char *path = malloc(512);
	const char *why;
	int fd;

	snprintf(path, 512, "%s/vexfs-filter-bench-%s.img", dir, name);
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) ||
	    vx_super_format(&ds, &p, &why) ||
	    pwrite(fd, &ds, sizeof(ds), VX_BLOCK_SIZE) != sizeof(ds)) {
		perror(path);
		exit(1);
	}
	close(fd);
	return path;
}

static struct vx_db *open_db(const char *path, struct vx_bdev **bd)
{
	struct vx_db *db = vx_db_new();
	const char *why = "";

	if (vx_bdev_file_open(path, true, bd) || vx_db_open(db, *bd, 0, &why)) {
		fprintf(stderr, "open %s: %s\n", path, why);
		exit(1);
	}
	return db;
}

/* {"label": l, "r": r, "kw": "kNN"}: 23 or 24 bytes. */
static u32 payload(u8 *p, u32 label, u32 r, u32 kw)
{
	u32 n = 0;

	memcpy(p, "\xa3\x65label", 7);
	n = 7;
	p[n++] = (u8)label; /* < 24 */
	memcpy(p + n, "\x61r", 2);
	n += 2;
	if (r < 24) {
		p[n++] = (u8)r;
	} else {
		p[n++] = 0x18;
		p[n++] = (u8)r;
	}
	memcpy(p + n, "\x62kw\x63k", 5);
	n += 5;
	p[n++] = (u8)('0' + kw / 10);
	p[n++] = (u8)('0' + kw % 10);
	return n;
}

/* Filter programs (uapi/vexfs_filter.h): one leaf each. */
static u32 prog_head(u8 *p, u8 op, u8 aux, const char *key, u32 body)
{
	u32 klen = (u32)strlen(key), node = 6 + 2 + klen + body;
	u32 len = VEXFS_FILTER_HDR_SIZE + node, n = 0;
	u8 h[16] = { 0 };

	memcpy(h, "\x56\x58\x46\x4c", 4); /* VEXFS_FILTER_MAGIC, LE */
	h[4] = VEXFS_FILTER_VERSION;
	memcpy(h + 8, &len, 4);
	h[12] = 1;
	memcpy(p, h, 16);
	n = 16;
	p[n++] = op;
	p[n++] = aux;
	memcpy(p + n, &node, 4);
	n += 4;
	p[n++] = (u8)klen;
	p[n++] = 0;
	memcpy(p + n, key, klen);
	return n + klen;
}

static u32 prog_int(u8 *p, const char *key, s64 v)
{
	u32 n = prog_head(p, VEXFS_FOP_MATCH_INT, 0, key, 8);

	memcpy(p + n, &v, 8);
	return n + 8;
}

static u32 prog_str(u8 *p, const char *key, const char *s)
{
	u32 sl = (u32)strlen(s),
	    n = prog_head(p, VEXFS_FOP_MATCH_STR, 0, key, 4 + sl);

	memcpy(p + n, &sl, 4);
	memcpy(p + n + 4, s, sl);
	return n + 4 + sl;
}

static u32 prog_lt(u8 *p, const char *key, double hi)
{
	u32 n = prog_head(p, VEXFS_FOP_RANGE, VEXFS_FILTER_R_LT, key, 16);
	u64 zero = 0;

	memcpy(p + n, &zero, 8);
	memcpy(p + n + 8, &hi, 8);
	return n + 16;
}

struct row {
	const char *name;
	struct vx_filter *f; /* NULL: unfiltered */
	u64 matches;
};

static void run_row(struct vx_collection *c, const struct row *r,
		    const float *q, u32 nq, u32 dim, const char *how)
{
	struct vx_db_hit hits[K], truth[K];
	u64 found = 0, total = 0;
	struct vx_pindex_plan plan;
	bool have = false;
	u64 est = ~0ULL;
	u32 nh, nt;
	double t0, secs;

	/* ground truth: the exact filtered answer */
	struct vx_db_hit *gt = malloc(sizeof(*gt) * K * nq);
	u32 *ngt = malloc(sizeof(u32) * nq);

	for (u32 i = 0; i < nq; i++) {
		vx_collection_search_filter(c, q + (size_t)i * dim, 1, K, 0, 0,
					    VEXFS_SEARCH_EXACT, r->f, truth,
					    &nt);
		memcpy(gt + (size_t)i * K, truth, sizeof(truth));
		ngt[i] = nt;
	}
	t0 = now();
	for (u32 i = 0; i < nq; i++) {
		vx_collection_search_filter(c, q + (size_t)i * dim, 1, K, 0, 0,
					    0, r->f, hits, &nh);
		for (u32 h = 0; h < nh; h++)
			for (u32 t = 0; t < ngt[i]; t++)
				found += hits[h].id.num ==
					 gt[(size_t)i * K + t].id.num;
		total += ngt[i];
	}
	secs = now() - t0;
	if (r->f && !vx_collection_plan(
			    c, r->f, vx_collection_plan_threshold(c), &plan)) {
		have = plan.have;
		est = plan.estimate;
		vx_pindex_plan_free(&plan);
	}
	printf("| %-18s | %-9s | %7llu | %9.0f | %6.4f | %-22s |\n", r->name,
	       how, (unsigned long long)r->matches, nq / secs,
	       total ? (double)found / (double)total : 1.0,
	       !r->f	    ? "graph" :
	       have	    ? "exact over candidates" :
	       est != ~0ULL ? "graph + filter (indexed)" :
			      "graph + filter (no index)");
	free(gt);
	free(ngt);
}

/* Mount-time rebuild of payload indexes over 100k points. */
static void rebuild_100k(void)
{
	const u32 n = 100000, batch = 5000;
	char *path = make_image("100k", 512ULL << 20);
	struct vexfs_collection_config cfg = {
		.dim = 4, .distance = VEXFS_DISTANCE_EUCLID
	};
	struct vx_point_in *in = calloc(batch, sizeof(*in));
	u8 *pl = malloc((size_t)batch * 32);
	float *v = calloc((size_t)batch * 4, sizeof(float));
	struct vx_collection *c;
	struct vx_bdev *bd;
	struct vx_db *db = open_db(path, &bd);
	u64 rng = 1;
	double t0;

	vx_db_create_collection(db, "h", 1, &cfg);
	vx_db_index_create(db, "h", 1, "label", 5, VEXFS_INDEX_INTEGER);
	vx_db_index_create(db, "h", 1, "r", 1, VEXFS_INDEX_INTEGER);
	vx_db_index_create(db, "h", 1, "kw", 2, VEXFS_INDEX_KEYWORD);
	for (u32 b = 0; b < n; b += batch) {
		for (u32 i = 0; i < batch; i++) {
			rng = rng * 6364136223846793005ULL +
			      1442695040888963407ULL;
			in[i].id.kind = VEXFS_ID_NUM;
			in[i].id.num = b + i;
			in[i].vec = v + (size_t)i * 4;
			v[i * 4] = (float)(b + i);
			in[i].payload = pl + (size_t)i * 32;
			in[i].payload_len =
				payload(pl + (size_t)i * 32, (rng >> 33) % 10,
					(rng >> 40) % 100, (rng >> 20) % 100);
		}
		if (vx_db_upsert(db, "h", 1, in, batch)) {
			fprintf(stderr, "upsert failed\n");
			exit(1);
		}
	}
	vx_db_close(db, true);
	vx_db_free(db);
	vx_bdev_file_close(bd);
	t0 = now();
	db = open_db(path, &bd);
	c = vx_db_get_collection(db, "h", 1);
	printf("\nmount of 100000 points (dim 4) with 3 payload indexes: %.0f ms, "
	       "of which index rebuild %.1f ms (%u indexes, %llu values)\n",
	       (now() - t0) * 1e3, (double)c->pidx.build_ns / 1e6, c->pidx.n,
	       (unsigned long long)(c->pidx.ix[0]->vals.n +
				    c->pidx.ix[1]->vals.n +
				    c->pidx.ix[2]->vals.n));
	vx_db_put_collection(db, c);
	vx_db_close(db, false);
	vx_db_free(db);
	vx_bdev_file_close(bd);
	unlink(path);
	free(path);
	free(in);
	free(pl);
	free(v);
}

int main(int argc, char **argv)
{
	u32 nb, dim, nq, dq, nl, one, nq_use = 300;
	u8 *img, *qimg, *labels;
	float *base, *q;
	struct vexfs_collection_config cfg = { .distance =
						       VEXFS_DISTANCE_EUCLID };
	struct vx_collection *c;
	struct vx_point_in *in;
	struct vx_bdev *bd;
	struct vx_db *db;
	char *path;
	u8 *pl, progs[3][128];
	u32 plen[3];
	struct row rows[4];
	const char *why;
	u64 rng = 12345, left = 1, counts[3] = { 0 };
	double t0;

	if (argc > 1)
		dir = argv[1];
	if (argc > 2)
		nq_use = (u32)atoi(argv[2]);
	vx_dist_init();
	img = read_idx("train-images-idx3-ubyte.gz", &nb, &dim);
	labels = read_idx("train-labels-idx1-ubyte.gz", &nl, &one);
	qimg = read_idx("t10k-images-idx3-ubyte.gz", &nq, &dq);
	if (nl != nb || dq != dim) {
		fprintf(stderr, "inconsistent data\n");
		return 1;
	}
	nq = nq < nq_use ? nq : nq_use;
	base = malloc(sizeof(float) * (size_t)nb * dim);
	q = malloc(sizeof(float) * (size_t)nq * dim);
	for (size_t i = 0; i < (size_t)nb * dim; i++)
		base[i] = img[i];
	for (size_t i = 0; i < (size_t)nq * dim; i++)
		q[i] = qimg[i];
	cfg.dim = dim;
	path = make_image("fashion", 2048ULL << 20);
	db = open_db(path, &bd);
	if (vx_db_create_collection(db, "f", 1, &cfg))
		return 1;
	in = calloc(nb, sizeof(*in));
	pl = malloc((size_t)nb * 32);
	for (u32 i = 0; i < nb; i++) {
		u32 r, kw;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		r = (u32)((rng >> 33) % 100);
		kw = (u32)((rng >> 17) % 100);
		counts[0] += kw == 7;
		counts[1] += labels[i] == 3;
		counts[2] += r < 50;
		in[i].id.kind = VEXFS_ID_NUM;
		in[i].id.num = i;
		in[i].vec = base + (size_t)i * dim;
		in[i].payload = pl + (size_t)i * 32;
		in[i].payload_len =
			payload(pl + (size_t)i * 32, labels[i], r, kw);
	}
	t0 = now();
	for (u32 i = 0; i < nb; i += 1000)
		if (vx_db_upsert(db, "f", 1, in + i, 1000)) {
			fprintf(stderr, "upsert failed\n");
			return 1;
		}
	printf("ingest %u points: %.1f s; ", nb, now() - t0);
	t0 = now();
	while (left)
		if (vx_db_index_pending(db, 5000, &left) < 0)
			return 1;
	printf("HNSW build %.1f s; ", now() - t0);
	t0 = now();
	vx_db_index_create(db, "f", 1, "kw", 2, VEXFS_INDEX_KEYWORD);
	vx_db_index_create(db, "f", 1, "label", 5, VEXFS_INDEX_INTEGER);
	vx_db_index_create(db, "f", 1, "r", 1, VEXFS_INDEX_INTEGER);
	printf("3 payload indexes %.0f ms\n", (now() - t0) * 1e3);

	plen[0] = prog_str(progs[0], "kw", "k07");
	plen[1] = prog_int(progs[1], "label", 3);
	plen[2] = prog_lt(progs[2], "r", 50);
	rows[0] = (struct row){ "unfiltered", NULL, nb };
	rows[1] = (struct row){ "1% (kw = k07)", NULL, counts[0] };
	rows[2] = (struct row){ "10% (label = 3)", NULL, counts[1] };
	rows[3] = (struct row){ "50% (r < 50)", NULL, counts[2] };
	for (int i = 0; i < 3; i++)
		if (vx_filter_load(progs[i], plen[i], &rows[i + 1].f, &why)) {
			fprintf(stderr, "filter %d: %s\n", i, why);
			return 1;
		}
	c = vx_db_get_collection(db, "f", 1);
	printf("\nFashion-MNIST %u x %u, %u queries, k = %u, ef = %u, "
	       "full-scan threshold %llu points, distance %s\n\n",
	       nb, dim, nq, K,
	       cfg.hnsw_ef_construct ? cfg.hnsw_ef_construct : 100,
	       (unsigned long long)vx_collection_plan_threshold(c),
	       vx_dist_impl_name());
	printf("| %-18s | %-9s | %7s | %9s | %6s | %-22s |\n", "filter",
	       "indexes", "matches", "QPS", "recall", "plan");
	printf("|--------------------|-----------|---------|-----------|--------|------------------------|\n");
	for (int i = 0; i < 4; i++)
		run_row(c, &rows[i], q, nq, dim, "yes");
	vx_db_put_collection(db, c);
	vx_db_index_delete(db, "f", 1, "kw", 2);
	vx_db_index_delete(db, "f", 1, "label", 5);
	vx_db_index_delete(db, "f", 1, "r", 1);
	c = vx_db_get_collection(db, "f", 1);
	for (int i = 1; i < 4; i++)
		run_row(c, &rows[i], q, nq, dim, "no");
	vx_db_put_collection(db, c);
	for (int i = 1; i < 4; i++)
		vx_filter_free(rows[i].f);
	vx_db_close(db, false);
	vx_db_free(db);
	vx_bdev_file_close(bd);
	unlink(path);
	rebuild_100k();
	return 0;
}
