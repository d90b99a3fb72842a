// SPDX-License-Identifier: GPL-2.0
/*
 * vexfsctl: manage the collections of a mounted VexFS filesystem and run
 * imports and searches against it, through libvexfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libvexfs/vexfs.h"

#define DEFAULT_MOUNT "/mnt/vexfs"
#define DEFAULT_BATCH 1000u

/* Exit statuses. */
#define EX_OK 0
#define EX_FAIL 1
#define EX_USAGE 2

static const char *prog = "vexfsctl";
static const char *mountpoint;

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *out);
};

static const struct command commands[];

static void main_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] COMMAND [options] [arguments]\n"
		"\n"
		"Manage the collections of a mounted VexFS filesystem.\n"
		"\n"
		"Options:\n"
		"  -m, --mount MOUNT  the filesystem's mount point (default:\n"
		"                     $VEXFS_MOUNT, else " DEFAULT_MOUNT ")\n"
		"  -h, --help         show this help\n"
		"\n"
		"Commands:\n",
		prog);
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->summary);
	fprintf(out,
		"\n"
		"'%s COMMAND --help' describes a command.\n"
		"Exit status: 0 on success, 1 when an operation fails, 2 on a\n"
		"usage error.\n",
		prog);
}

static int usage_error(void (*help)(FILE *), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(void (*help)(FILE *), const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (help)
		fprintf(stderr, "Try '%s --help'.\n", prog);
	return EX_USAGE;
}

/* An operation failed with -errno @err. */
static int fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(-err));
	fputc('\n', stderr);
	return EX_FAIL;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || end == s || *end || *s == '-' ? -EINVAL : 0;
}

static struct vexfs *open_mount(void)
{
	struct vexfs *vx = vexfs_open(mountpoint);

	if (!vx)
		fail(-errno, "%s", mountpoint);
	return vx;
}

/*
 * getopt_long over a command's own arguments; -h/--help prints its help.
 * Returns the option, -1 at the end, or 'h'/'?' after handling them (the
 * caller returns *status then).
 */
static int next_opt(int argc, char **argv, const char *opts,
		    const struct option *longopts, void (*help)(FILE *),
		    int *status)
{
	int c = getopt_long(argc, argv, opts, longopts, NULL);

	*status = EX_USAGE;
	if (c == 'h') {
		help(stdout);
		*status = EX_OK;
	} else if (c == '?') {
		fprintf(stderr, "Try '%s --help'.\n", argv[0]);
	}
	return c;
}

static int want_args(int argc, char **argv, int n, const char *what)
{
	if (argc - optind == n)
		return 0;
	fprintf(stderr, "%s: %s %s\n", argv[0],
		argc - optind < n ? "missing" : "too many arguments; expected",
		what);
	fprintf(stderr, "Try '%s --help'.\n", argv[0]);
	return EX_USAGE;
}

/* --- create ------------------------------------------------------------- */

static void create_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] create NAME --dim N --distance DISTANCE\n"
		"                [--m M] [--ef-construct EF]\n"
		"                [--full-scan-threshold KB]\n"
		"\n"
		"Create the collection NAME for vectors of N dimensions.\n"
		"\n"
		"  -d, --dim N              vector size, 1..%u\n"
		"  -D, --distance DISTANCE  Cosine, Euclid, Dot or Manhattan\n"
		"      --m M                HNSW links per node (default 16;\n"
		"                           0: no graph, every search exact)\n"
		"      --ef-construct EF    HNSW build beam width (default 100)\n"
		"      --full-scan-threshold KB\n"
		"                           below this many KiB of vectors a\n"
		"                           search is exact (default 10000)\n"
		"  -h, --help               show this help\n"
		"\n"
		"Needs write permission on the filesystem's root directory.\n",
		prog, VEXFS_MAX_DIM);
}

/* --m M: 0 asks for no graph (Qdrant's m = 0), which the ABI spells as a flag. */
static int parse_m(const char *arg, struct vexfs_collection_config *cfg)
{
	if (parse_u32(arg, 0, UINT32_MAX, &cfg->hnsw_m))
		return -EINVAL;
	if (cfg->hnsw_m)
		cfg->flags &= ~VEXFS_CONFIG_NO_GRAPH;
	else
		cfg->flags |= VEXFS_CONFIG_NO_GRAPH;
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dim", required_argument, NULL, 'd' },
		{ "distance", required_argument, NULL, 'D' },
		{ "m", required_argument, NULL, 'M' },
		{ "ef-construct", required_argument, NULL, 'E' },
		{ "full-scan-threshold", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct vexfs_collection_config cfg = {};
	struct vexfs *vx;
	uint64_t fst;
	int c, status, ret;

	while ((c = next_opt(argc, argv, "d:D:h", longopts, create_help,
			     &status)) != -1) {
		switch (c) {
		case 'd':
			if (parse_u32(optarg, 1, VEXFS_MAX_DIM, &cfg.dim))
				return usage_error(
					NULL, "--dim: want 1..%u, not '%s'",
					VEXFS_MAX_DIM, optarg);
			break;
		case 'D':
			ret = vexfs_distance_parse(optarg);
			if (ret < 0)
				return usage_error(
					NULL,
					"--distance: want Cosine, Euclid, Dot or Manhattan, not '%s'",
					optarg);
			cfg.distance = ret;
			break;
		case 'M':
			if (parse_m(optarg, &cfg))
				return usage_error(NULL, "bad --m '%s'",
						   optarg);
			break;
		case 'E':
			if (parse_u32(optarg, 1, UINT32_MAX,
				      &cfg.hnsw_ef_construct))
				return usage_error(NULL,
						   "bad --ef-construct '%s'",
						   optarg);
			break;
		case 'F':
			if (parse_u64(optarg, &fst))
				return usage_error(
					NULL, "bad --full-scan-threshold '%s'",
					optarg);
			cfg.full_scan_threshold = fst;
			break;
		default:
			return status;
		}
	}
	if ((status = want_args(argc, argv, 1, "NAME")))
		return status;
	if (!cfg.dim || !cfg.distance)
		return usage_error(NULL,
				   "create: --dim and --distance are required");
	vx = open_mount();
	if (!vx)
		return EX_FAIL;
	ret = vexfs_coll_create(vx, argv[optind], &cfg);
	vexfs_close(vx);
	if (ret)
		return fail(ret, "create %s", argv[optind]);
	return EX_OK;
}

/* --- delete ------------------------------------------------------------- */

static void delete_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] delete NAME\n"
		"\n"
		"Delete the collection NAME and all its points.\n"
		"Needs write permission on the filesystem's root directory.\n",
		prog);
}

static int cmd_delete(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, {}
	};
	struct vexfs *vx;
	int c, status, ret;

	while ((c = next_opt(argc, argv, "h", longopts, delete_help,
			     &status)) != -1)
		return status;
	if ((status = want_args(argc, argv, 1, "NAME")))
		return status;
	vx = open_mount();
	if (!vx)
		return EX_FAIL;
	ret = vexfs_coll_delete(vx, argv[optind]);
	vexfs_close(vx);
	if (ret)
		return fail(ret, "delete %s", argv[optind]);
	return EX_OK;
}

/* --- list, info, count --------------------------------------------------- */

static void list_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] list\n"
		"\n"
		"List the collections: name, dimension, distance, points and\n"
		"points in the HNSW graph, one per line.\n",
		prog);
}

static const char *distance_str(uint32_t d)
{
	const char *s = vexfs_distance_name(d);

	return s ? s : "?";
}

static int list_one(const struct vexfs_coll_info *info, void *arg)
{
	if (*(int *)arg) {
		printf("%-24s %6s %-9s %12s %12s\n", "NAME", "DIM", "DISTANCE",
		       "POINTS", "INDEXED");
		*(int *)arg = 0;
	}
	printf("%-24s %6u %-9s %12" PRIu64 " %12" PRIu64 "\n", info->name,
	       info->config.dim, distance_str(info->config.distance),
	       info->points, info->indexed);
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, {}
	};
	struct vexfs *vx;
	int c, status, ret, header = isatty(STDOUT_FILENO);

	while ((c = next_opt(argc, argv, "h", longopts, list_help, &status)) !=
	       -1)
		return status;
	if ((status = want_args(argc, argv, 0, "no arguments")))
		return status;
	vx = open_mount();
	if (!vx)
		return EX_FAIL;
	ret = vexfs_coll_list(vx, list_one, &header);
	vexfs_close(vx);
	if (ret < 0)
		return fail(ret, "list");
	return EX_OK;
}

static void info_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] info NAME\n"
		"\n"
		"Show the configuration and size of the collection NAME, one\n"
		"'key: value' per line.\n",
		prog);
}

static int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, {}
	};
	struct vexfs_coll_info info;
	struct vexfs *vx;
	int c, status, ret;

	while ((c = next_opt(argc, argv, "h", longopts, info_help, &status)) !=
	       -1)
		return status;
	if ((status = want_args(argc, argv, 1, "NAME")))
		return status;
	vx = open_mount();
	if (!vx)
		return EX_FAIL;
	ret = vexfs_coll_get(vx, argv[optind], &info);
	vexfs_close(vx);
	if (ret)
		return fail(ret, "info %s", argv[optind]);
	printf("name: %s\n"
	       "dim: %u\n"
	       "distance: %s\n"
	       "hnsw_m: %u%s\n"
	       "hnsw_ef_construct: %u\n"
	       "full_scan_threshold_kb: %" PRIu64 "\n"
	       "points: %" PRIu64 "\n"
	       "indexed: %" PRIu64 "\n",
	       info.name, info.config.dim, distance_str(info.config.distance),
	       info.config.hnsw_m,
	       (info.config.flags & VEXFS_CONFIG_NO_GRAPH) ? " (no graph)" : "",
	       info.config.hnsw_ef_construct,
	       (uint64_t)info.config.full_scan_threshold, info.points,
	       info.indexed);
	return EX_OK;
}

static void count_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] count NAME\n"
		"\n"
		"Print the number of points in the collection NAME (an ioctl on\n"
		"its directory: needs read permission there, no netlink).\n",
		prog);
}

static int open_coll(struct vexfs *vx, const char *name)
{
	int fd = vexfs_coll_open(vx, name);

	if (fd < 0)
		fail(fd, "collection %s", name);
	return fd;
}

static int cmd_count(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, {}
	};
	struct vexfs *vx;
	uint64_t n;
	int c, status, fd, ret;

	while ((c = next_opt(argc, argv, "h", longopts, count_help, &status)) !=
	       -1)
		return status;
	if ((status = want_args(argc, argv, 1, "NAME")))
		return status;
	vx = open_mount();
	if (!vx)
		return EX_FAIL;
	fd = open_coll(vx, argv[optind]);
	vexfs_close(vx);
	if (fd < 0)
		return EX_FAIL;
	ret = vexfs_count(fd, &n, NULL);
	close(fd);
	if (ret)
		return fail(ret, "count %s", argv[optind]);
	printf("%" PRIu64 "\n", n);
	return EX_OK;
}

/* --- .fvecs files ---------------------------------------------------------- */

/* A .fvecs file: per vector, a little-endian int32 dimension, then floats. */
struct fvecs {
	FILE *f;
	uint32_t dim;
	uint64_t n;
};

static int fvecs_open(struct fvecs *fv, const char *path)
{
	struct stat st;
	int32_t dim;

	fv->f = fopen(path, "rb");
	if (!fv->f)
		return fail(-errno, "%s", path);
	if (fstat(fileno(fv->f), &st) || fread(&dim, 4, 1, fv->f) != 1) {
		fail(0, "%s: empty or unreadable", path);
		goto bad;
	}
	if (dim <= 0 || (uint32_t)dim > VEXFS_MAX_DIM ||
	    st.st_size % (4 + 4 * (off_t)dim)) {
		fail(0, "%s: not an .fvecs file (dimension %d, %lld bytes)",
		     path, dim, (long long)st.st_size);
		goto bad;
	}
	fv->dim = dim;
	fv->n = st.st_size / (4 + 4 * (uint64_t)dim);
	rewind(fv->f);
	return 0;
bad:
	fclose(fv->f);
	fv->f = NULL;
	return EX_FAIL;
}

/* Read @n vectors into @out (n * dim floats). */
static int fvecs_read(struct fvecs *fv, float *out, uint32_t n)
{
	int32_t dim;

	for (uint32_t i = 0; i < n; i++) {
		if (fread(&dim, 4, 1, fv->f) != 1 || (uint32_t)dim != fv->dim ||
		    fread(out + (size_t)i * fv->dim, 4, fv->dim, fv->f) !=
			    fv->dim)
			return -EIO;
	}
	return 0;
}

/* --- import -------------------------------------------------------------- */

static void import_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] import NAME FILE.fvecs [--batch N] "
		"[--start ID]\n"
		"\n"
		"Upsert every vector of FILE.fvecs into the collection NAME, with\n"
		"ids START, START+1, ... (default 0) and no payload. The file's\n"
		"dimension must be the collection's. A progress bar is drawn on\n"
		"stderr when it is a terminal.\n"
		"\n"
		"  -b, --batch N   points per upsert call, 1..%u (default %u)\n"
		"  -s, --start ID  id of the first vector (default 0)\n"
		"  -h, --help      show this help\n",
		prog, VEXFS_BATCH_MAX, DEFAULT_BATCH);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(uint64_t done, uint64_t total, double t0, bool last)
{
	const int width = 40;
	double dt = now_s() - t0;
	int fill = total ? (int)(done * width / total) : width;

	fprintf(stderr, "\r[%.*s%*s] %3d%% %" PRIu64 "/%" PRIu64 " %.0f pts/s",
		fill, "########################################", width - fill,
		"", total ? (int)(done * 100 / total) : 100, done, total,
		dt > 0 ? done / dt : 0.0);
	if (last)
		fputc('\n', stderr);
}

static int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "batch", required_argument, NULL, 'b' },
		{ "start", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint32_t batch = DEFAULT_BATCH;
	uint64_t start = 0, done = 0;
	struct vexfs_coll_info info;
	struct vexfs_point_id *ids = NULL;
	struct fvecs fv = {};
	float *vecs = NULL;
	struct vexfs *vx;
	bool tty = isatty(STDERR_FILENO);
	double t0, last = 0;
	int c, status, fd = -1, ret = EX_FAIL, err;

	while ((c = next_opt(argc, argv, "b:s:h", longopts, import_help,
			     &status)) != -1) {
		switch (c) {
		case 'b':
			if (parse_u32(optarg, 1, VEXFS_BATCH_MAX, &batch))
				return usage_error(
					NULL, "--batch: want 1..%u, not '%s'",
					VEXFS_BATCH_MAX, optarg);
			break;
		case 's':
			if (parse_u64(optarg, &start))
				return usage_error(NULL, "bad --start '%s'",
						   optarg);
			break;
		default:
			return status;
		}
	}
	if ((status = want_args(argc, argv, 2, "NAME FILE.fvecs")))
		return status;
	vx = open_mount();
	if (!vx)
		return EX_FAIL;
	err = vexfs_coll_get(vx, argv[optind], &info);
	if (err) {
		fail(err, "collection %s", argv[optind]);
		goto out;
	}
	fd = open_coll(vx, argv[optind]);
	if (fd < 0 || fvecs_open(&fv, argv[optind + 1]))
		goto out;
	if (fv.dim != info.config.dim) {
		fail(0, "%s has dimension %u, collection %s has %u",
		     argv[optind + 1], fv.dim, argv[optind], info.config.dim);
		goto out;
	}
	ids = calloc(batch, sizeof(*ids));
	vecs = malloc((size_t)batch * fv.dim * sizeof(float));
	if (!ids || !vecs) {
		fail(-ENOMEM, "import");
		goto out;
	}
	t0 = now_s();
	while (done < fv.n) {
		uint32_t n = fv.n - done < batch ? (uint32_t)(fv.n - done) :
						   batch;

		if (fvecs_read(&fv, vecs, n)) {
			fail(0, "%s: short read at vector %" PRIu64,
			     argv[optind + 1], done);
			goto out;
		}
		for (uint32_t i = 0; i < n; i++)
			ids[i] = vexfs_id_num(start + done + i);
		err = vexfs_upsert(fd, n, fv.dim, ids, vecs, NULL, NULL);
		if (err) {
			if (tty)
				fputc('\n', stderr);
			fail(err, "upsert of ids %" PRIu64 "..%" PRIu64,
			     start + done, start + done + n - 1);
			goto out;
		}
		done += n;
		if (tty && (now_s() - last > 0.1 || done == fv.n)) {
			last = now_s();
			progress(done, fv.n, t0, done == fv.n);
		}
	}
	if (!tty)
		fprintf(stderr, "%s: imported %" PRIu64 " points in %.1f s\n",
			prog, done, now_s() - t0);
	ret = EX_OK;
out:
	free(ids);
	free(vecs);
	if (fv.f)
		fclose(fv.f);
	if (fd >= 0)
		close(fd);
	vexfs_close(vx);
	return ret;
}

/* --- search -------------------------------------------------------------- */

static void search_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] search NAME (--vector V | --fvecs FILE "
		"--query I)\n"
		"                [-k K] [--offset N] [--ef EF] [--exact]\n"
		"                [--threshold SCORE]\n"
		"\n"
		"Search the collection NAME for the nearest points to one query\n"
		"vector and print them best first: rank, id, score.\n"
		"\n"
		"  -v, --vector V       the query, comma or space separated\n"
		"                       (\"0.1,0.2,0.3\")\n"
		"  -f, --fvecs FILE     take the query from FILE.fvecs ...\n"
		"  -q, --query I        ... its vector number I (from 0)\n"
		"  -k, --limit K        results wanted, 1..%u (default 10)\n"
		"      --offset N       skip the first N results (default 0)\n"
		"      --ef EF          HNSW search beam width (default: the\n"
		"                       collection's ef_construct)\n"
		"  -e, --exact          exact scan instead of the graph\n"
		"      --threshold S    only results scoring better than S\n"
		"  -h, --help           show this help\n"
		"\n"
		"Scores are as Qdrant reports them: similarity for Cosine and\n"
		"Dot (higher is better), distance for Euclid and Manhattan.\n",
		prog, VEXFS_K_MAX);
}

/* "1,2.5 -3" -> floats; returns the count or -EINVAL. */
static int parse_vector(const char *s, float **out)
{
	size_t cap = 16, n = 0;
	float *v = malloc(cap * sizeof(*v));
	char *end;

	if (!v)
		return -ENOMEM;
	for (;;) {
		while (*s == ' ' || *s == ',' || *s == '\t' || *s == '[' ||
		       *s == ']')
			s++;
		if (!*s)
			break;
		if (n == cap) {
			float *nv = realloc(v, (cap *= 2) * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		errno = 0;
		v[n] = strtof(s, &end);
		if (end == s || errno || n >= VEXFS_MAX_DIM) {
			free(v);
			return -EINVAL;
		}
		n++;
		s = end;
	}
	if (!n) {
		free(v);
		return -EINVAL;
	}
	*out = v;
	return (int)n;
}

static void print_id(const struct vexfs_point_id *id)
{
	if (id->kind == VEXFS_ID_NUM) {
		printf("%" PRIu64, (uint64_t)id->num);
		return;
	}
	for (int i = 0; i < 16; i++)
		printf("%s%02x",
		       i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
		       id->uuid[i]);
}

static int cmd_search(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vector", required_argument, NULL, 'v' },
		{ "fvecs", required_argument, NULL, 'f' },
		{ "query", required_argument, NULL, 'q' },
		{ "limit", required_argument, NULL, 'k' },
		{ "offset", required_argument, NULL, 'O' },
		{ "ef", required_argument, NULL, 'E' },
		{ "exact", no_argument, NULL, 'e' },
		{ "threshold", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct vexfs_search_opts so = { .limit = 10 };
	const char *vec_arg = NULL, *fvecs_path = NULL;
	struct vexfs_hit *hits = NULL;
	uint64_t qidx = UINT64_MAX;
	struct fvecs fv = {};
	float *q = NULL;
	struct vexfs *vx = NULL;
	int c, status, fd = -1, ret = EX_FAIL, dim = 0, n;
	char *end;

	while ((c = next_opt(argc, argv, "v:f:q:k:eh", longopts, search_help,
			     &status)) != -1) {
		switch (c) {
		case 'v':
			vec_arg = optarg;
			break;
		case 'f':
			fvecs_path = optarg;
			break;
		case 'q':
			if (parse_u64(optarg, &qidx))
				return usage_error(NULL, "bad --query '%s'",
						   optarg);
			break;
		case 'k':
			if (parse_u32(optarg, 1, VEXFS_K_MAX, &so.limit))
				return usage_error(NULL,
						   "-k: want 1..%u, not '%s'",
						   VEXFS_K_MAX, optarg);
			break;
		case 'O':
			if (parse_u32(optarg, 0, VEXFS_K_MAX, &so.offset))
				return usage_error(NULL, "bad --offset '%s'",
						   optarg);
			break;
		case 'E':
			if (parse_u32(optarg, 1, UINT32_MAX, &so.ef))
				return usage_error(NULL, "bad --ef '%s'",
						   optarg);
			break;
		case 'e':
			so.flags |= VEXFS_SEARCH_EXACT;
			break;
		case 'T':
			so.score_threshold = strtof(optarg, &end);
			if (end == optarg || *end)
				return usage_error(NULL, "bad --threshold '%s'",
						   optarg);
			so.flags |= VEXFS_SEARCH_THRESHOLD;
			break;
		default:
			return status;
		}
	}
	if ((status = want_args(argc, argv, 1, "NAME")))
		return status;
	if (!!vec_arg == !!fvecs_path)
		return usage_error(NULL,
				   "search: give either --vector or --fvecs");
	if (fvecs_path && qidx == UINT64_MAX)
		return usage_error(NULL, "search: --fvecs needs --query I");
	if ((uint64_t)so.limit + so.offset > VEXFS_K_MAX)
		return usage_error(NULL, "search: -k plus --offset above %u",
				   VEXFS_K_MAX);

	if (vec_arg) {
		dim = parse_vector(vec_arg, &q);
		if (dim < 0)
			return usage_error(NULL, "search: bad --vector '%s'",
					   vec_arg);
	} else {
		if (fvecs_open(&fv, fvecs_path))
			return EX_FAIL;
		if (qidx >= fv.n) {
			fail(0,
			     "%s has %" PRIu64 " vectors, no number %" PRIu64,
			     fvecs_path, fv.n, qidx);
			goto out;
		}
		dim = fv.dim;
		q = malloc(dim * sizeof(float));
		if (!q ||
		    fseeko(fv.f, (off_t)qidx * (4 + 4 * (off_t)dim),
			   SEEK_SET) ||
		    fvecs_read(&fv, q, 1)) {
			fail(0, "%s: cannot read vector %" PRIu64, fvecs_path,
			     qidx);
			goto out;
		}
	}
	hits = calloc(so.limit, sizeof(*hits));
	if (!hits) {
		fail(-ENOMEM, "search");
		goto out;
	}
	vx = open_mount();
	if (!vx)
		goto out;
	fd = open_coll(vx, argv[optind]);
	if (fd < 0)
		goto out;
	n = vexfs_search(fd, 1, dim, q, &so, hits, NULL);
	if (n < 0) {
		struct vexfs_coll_info info;

		if (n == -EINVAL && !vexfs_coll_get(vx, argv[optind], &info) &&
		    info.config.dim != (uint32_t)dim)
			fail(0,
			     "search: the query has %d dimensions, %s has %u",
			     dim, argv[optind], info.config.dim);
		else
			fail(n, "search %s", argv[optind]);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		printf("%u\t", so.offset + (unsigned int)i + 1);
		print_id(&hits[i].id);
		printf("\t%.6g\n", hits[i].score);
	}
	ret = EX_OK;
out:
	if (fd >= 0)
		close(fd);
	vexfs_close(vx);
	if (fv.f)
		fclose(fv.f);
	free(hits);
	free(q);
	return ret;
}

/* --- version ------------------------------------------------------------- */

static void version_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] version\n"
		"\n"
		"Show the ABI and module versions of the mounted filesystem, and\n"
		"the ABI this program was built for.\n",
		prog);
}

static int cmd_version(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, {}
	};
	struct vexfs_version v;
	struct vexfs *vx;
	int c, status, ret;

	while ((c = next_opt(argc, argv, "h", longopts, version_help,
			     &status)) != -1)
		return status;
	if ((status = want_args(argc, argv, 0, "no arguments")))
		return status;
	printf("vexfsctl ABI: %u.%u\n", VEXFS_ABI_MAJOR, VEXFS_ABI_MINOR);
	vx = open_mount();
	if (!vx)
		return EX_FAIL;
	ret = vexfs_version(vx, &v);
	vexfs_close(vx);
	if (ret)
		return fail(ret, "version");
	v.module_version[sizeof(v.module_version) - 1] = '\0';
	printf("module: %s\nmodule ABI: %u.%u\non-disk format: %u\nsimd:%s%s%s%s\n",
	       v.module_version, v.abi_major, v.abi_minor, v.format_version,
	       v.flags & VEXFS_VERSION_F_SIMD_AVX2 ? " avx2" : "",
	       v.flags & VEXFS_VERSION_F_SIMD_AVX512 ? " avx512" : "",
	       v.flags & VEXFS_VERSION_F_SIMD_NEON ? " neon" : "",
	       v.flags & (VEXFS_VERSION_F_SIMD_AVX2 |
			  VEXFS_VERSION_F_SIMD_AVX512 |
			  VEXFS_VERSION_F_SIMD_NEON) ?
		       "" :
		       " none");
	return EX_OK;
}

/* --- main ---------------------------------------------------------------- */

/* --- update ------------------------------------------------------------- */

static void update_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] update NAME [--m M] [--ef-construct EF]\n"
		"                [--full-scan-threshold KB]\n"
		"\n"
		"Change the HNSW parameters of the collection (or alias) NAME;\n"
		"options not given keep their value. A new m or ef_construct\n"
		"rebuilds the graph in the background: every point is queued\n"
		"again, and searches are exact until it is linked.\n"
		"\n"
		"      --m M                HNSW links per node (0: no graph)\n"
		"      --ef-construct EF    HNSW build beam width\n"
		"      --full-scan-threshold KB\n"
		"                           exact search below this many KiB\n"
		"  -h, --help               show this help\n"
		"\n"
		"Needs write permission on the filesystem's root directory.\n",
		prog);
}

static int cmd_update(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "m", required_argument, NULL, 'M' },
		{ "ef-construct", required_argument, NULL, 'E' },
		{ "full-scan-threshold", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct vexfs_collection_config want = {};
	struct vexfs_coll_info info;
	bool set_m = false, set_ef = false, set_fst = false;
	struct vexfs *vx;
	uint64_t fst = 0;
	int c, status, ret;

	while ((c = next_opt(argc, argv, "h", longopts, update_help,
			     &status)) != -1) {
		switch (c) {
		case 'M':
			if (parse_m(optarg, &want))
				return usage_error(NULL, "bad --m '%s'",
						   optarg);
			set_m = true;
			break;
		case 'E':
			if (parse_u32(optarg, 1, UINT32_MAX,
				      &want.hnsw_ef_construct))
				return usage_error(NULL,
						   "bad --ef-construct '%s'",
						   optarg);
			set_ef = true;
			break;
		case 'F':
			if (parse_u64(optarg, &fst) || !fst)
				return usage_error(
					NULL, "bad --full-scan-threshold '%s'",
					optarg);
			set_fst = true;
			break;
		default:
			return status;
		}
	}
	if ((status = want_args(argc, argv, 1, "NAME")))
		return status;
	if (!set_m && !set_ef && !set_fst)
		return usage_error(NULL, "update: nothing to change");
	vx = open_mount();
	if (!vx)
		return EX_FAIL;
	/* Read, change, write: dim and distance go back as they are. */
	ret = vexfs_coll_get(vx, argv[optind], &info);
	if (!ret) {
		if (set_m) {
			info.config.hnsw_m = want.hnsw_m;
			info.config.flags = want.flags;
		}
		if (set_ef)
			info.config.hnsw_ef_construct = want.hnsw_ef_construct;
		if (set_fst)
			info.config.full_scan_threshold = fst;
		ret = vexfs_coll_update(vx, argv[optind], &info.config);
	}
	vexfs_close(vx);
	if (ret)
		return fail(ret, "update %s", argv[optind]);
	return EX_OK;
}

/* --- alias -------------------------------------------------------------- */

static void alias_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] alias create ALIAS COLLECTION\n"
		"       %s [-m MOUNT] alias delete ALIAS\n"
		"       %s [-m MOUNT] alias rename OLD NEW\n"
		"       %s [-m MOUNT] alias list [COLLECTION]\n"
		"\n"
		"Manage collection aliases. An alias is another name of a\n"
		"collection, accepted wherever a collection name is, and shown\n"
		"as a symlink in the filesystem's root. create re-points an\n"
		"existing alias; rename replaces an alias named NEW. Each change\n"
		"is atomic. list prints 'ALIAS COLLECTION' lines.\n"
		"\n"
		"Changes need write permission on the filesystem's root.\n",
		prog, prog, prog, prog);
}

static int alias_list_one(const char *alias, const char *coll, void *arg)
{
	printf("%s %s\n", alias, coll);
	return 0;
}

static int cmd_alias(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, {}
	};
	const char *sub;
	struct vexfs *vx;
	int c, status, ret, nargs;

	while ((c = next_opt(argc, argv, "+h", longopts, alias_help,
			     &status)) != -1)
		return status;
	if (optind >= argc)
		return usage_error(NULL,
				   "alias: create, delete, rename or list?");
	sub = argv[optind++];
	if (!strcmp(sub, "create") || !strcmp(sub, "rename"))
		nargs = 2;
	else if (!strcmp(sub, "delete"))
		nargs = 1;
	else if (!strcmp(sub, "list"))
		nargs = argc - optind > 1 ? -1 : argc - optind;
	else
		return usage_error(NULL, "alias: unknown action '%s'", sub);
	if (nargs < 0 || argc - optind != nargs)
		return usage_error(NULL, "alias %s: wrong number of arguments",
				   sub);
	vx = open_mount();
	if (!vx)
		return EX_FAIL;
	if (!strcmp(sub, "create"))
		ret = vexfs_alias_create(vx, argv[optind], argv[optind + 1]);
	else if (!strcmp(sub, "rename"))
		ret = vexfs_alias_rename(vx, argv[optind], argv[optind + 1]);
	else if (!strcmp(sub, "delete"))
		ret = vexfs_alias_delete(vx, argv[optind]);
	else
		ret = vexfs_alias_list(vx, nargs ? argv[optind] : NULL,
				       alias_list_one, NULL);
	vexfs_close(vx);
	if (ret < 0)
		return fail(ret, "alias %s%s%s", sub, nargs ? " " : "",
			    nargs ? argv[optind] : "");
	return EX_OK;
}

static void help_help(FILE *out)
{
	fprintf(out, "Usage: %s help [COMMAND]\n\nDescribe COMMAND, or all.\n",
		prog);
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1)
		for (const struct command *c = commands; c->name; c++)
			if (!strcmp(c->name, argv[1])) {
				c->help(stdout);
				return EX_OK;
			}
	if (argc > 1)
		return usage_error(main_help, "unknown command '%s'", argv[1]);
	main_help(stdout);
	return EX_OK;
}

/* --- index ---------------------------------------------------------------- */

static const char *const index_types[] = {
	[VEXFS_INDEX_KEYWORD] = "keyword", [VEXFS_INDEX_INTEGER] = "integer",
	[VEXFS_INDEX_FLOAT] = "float",	   [VEXFS_INDEX_BOOL] = "bool",
	[VEXFS_INDEX_UUID] = "uuid",	   [VEXFS_INDEX_DATETIME] = "datetime",
	[VEXFS_INDEX_GEO] = "geo",	   [VEXFS_INDEX_TEXT] = "text",
};
#define NR_INDEX_TYPES (sizeof(index_types) / sizeof(index_types[0]))

static void index_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [-m MOUNT] index list NAME\n"
		"       %s [-m MOUNT] index create NAME KEY TYPE\n"
		"       %s [-m MOUNT] index delete NAME KEY\n"
		"\n"
		"List, create or delete the payload indexes of the collection\n"
		"(or alias) NAME. KEY is a payload key path (a.b, a[].b);\n"
		"TYPE is keyword, integer, float, bool, uuid, datetime, geo or\n"
		"text. Creating an index that exists with another type replaces\n"
		"it. list prints key, type and indexed points, one per line.\n"
		"Creating and deleting need write permission on the root.\n",
		prog, prog, prog);
}

static int index_one(const struct vexfs_index_info *info, void *arg)
{
	printf("%-32s %-9s %12" PRIu64 "\n", info->key,
	       info->type < NR_INDEX_TYPES && index_types[info->type] ?
		       index_types[info->type] :
		       "?",
	       info->points);
	return 0;
}

static int cmd_index(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, {}
	};
	const char *verb;
	uint32_t type = 0;
	struct vexfs *vx;
	int c, status, ret, n;

	while ((c = next_opt(argc, argv, "h", longopts, index_help, &status)) !=
	       -1)
		return status;
	if (argc - optind < 2)
		return want_args(argc, argv, 2, "list|create|delete NAME ...");
	verb = argv[optind];
	n = !strcmp(verb, "list")   ? 2 :
	    !strcmp(verb, "create") ? 4 :
	    !strcmp(verb, "delete") ? 3 :
				      0;
	if (!n)
		return usage_error(index_help, "index: unknown verb '%s'",
				   verb);
	if ((status = want_args(argc, argv, n, "arguments (see --help)")))
		return status;
	if (n == 4) {
		for (type = 1; type < NR_INDEX_TYPES; type++)
			if (!strcmp(argv[optind + 3], index_types[type]))
				break;
		if (type == NR_INDEX_TYPES)
			return usage_error(NULL, "index: unknown type '%s'",
					   argv[optind + 3]);
	}
	vx = open_mount();
	if (!vx)
		return EX_FAIL;
	if (n == 2)
		ret = vexfs_index_list(vx, argv[optind + 1], index_one, NULL);
	else if (n == 4)
		ret = vexfs_index_create(vx, argv[optind + 1], argv[optind + 2],
					 type);
	else
		ret = vexfs_index_delete(vx, argv[optind + 1],
					 argv[optind + 2]);
	vexfs_close(vx);
	if (ret < 0)
		return fail(ret, "index %s %s", verb, argv[optind + 1]);
	return EX_OK;
}

static const struct command commands[] = {
	{ "create", "create a collection", cmd_create, create_help },
	{ "list", "list the collections", cmd_list, list_help },
	{ "info", "show a collection's configuration and size", cmd_info,
	  info_help },
	{ "delete", "delete a collection", cmd_delete, delete_help },
	{ "update", "change a collection's HNSW parameters", cmd_update,
	  update_help },
	{ "alias", "create, delete, rename or list aliases", cmd_alias,
	  alias_help },
	{ "index", "create, delete or list payload indexes", cmd_index,
	  index_help },
	{ "import", "upsert the vectors of an .fvecs file", cmd_import,
	  import_help },
	{ "search", "nearest neighbours of a vector", cmd_search, search_help },
	{ "count", "number of points in a collection", cmd_count, count_help },
	{ "version", "ABI and module versions", cmd_version, version_help },
	{ "help", "describe a command", cmd_help, help_help },
	{}
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mount", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	mountpoint = getenv("VEXFS_MOUNT");
	if (!mountpoint || !*mountpoint)
		mountpoint = DEFAULT_MOUNT;
	/* '+': stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mountpoint = optarg;
			break;
		case 'h':
			main_help(stdout);
			return EX_OK;
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return EX_USAGE;
		}
	}
	if (optind >= argc)
		return usage_error(main_help, "no command given");
	for (const struct command *cmd = commands; cmd->name; cmd++) {
		if (strcmp(cmd->name, argv[optind]))
			continue;
		static char name[64];

		argc -= optind;
		argv += optind;
		/* getopt's messages start with argv[0]: "vexfsctl create" */
		snprintf(name, sizeof(name), "%s %s", prog, cmd->name);
		argv[0] = name;
		optind = 0; /* restart getopt on the command's arguments */
		return cmd->run(argc, argv);
	}
	return usage_error(main_help, "unknown command '%s'", argv[optind]);
}
