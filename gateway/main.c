// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs-gateway: the Qdrant REST API in front of VexFS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "backend.h"
#include "gateway.h"
#include "metrics.h"
#include "server.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vexfs-gateway [options]\n"
		"\n"
		"  --host ADDR              address to listen on (default %s)\n"
		"  --port N                 TCP port, 0 for any (default %u)\n"
		"  --threads N              worker threads (default: online CPUs)\n"
		"  --api-key KEY            require this key on every request but the\n"
		"                           probes and / (env QDRANT__SERVICE__API_KEY)\n"
		"  --read-only-api-key KEY  a key that may only read\n"
		"                           (env QDRANT__SERVICE__READ_ONLY_API_KEY)\n"
		"  --max-body BYTES         request body limit, K/M/G suffixes allowed\n"
		"                           (default 32M)\n"
		"  --backend NAME           kernel or none (default: kernel if the\n"
		"                           mount exists, else none)\n"
		"  --mount DIR              VexFS mount of the kernel backend\n"
		"                           (default %s)\n"
		"  --help                   show this help\n",
		GW_DEFAULT_HOST, GW_DEFAULT_PORT, GW_DEFAULT_MOUNT);
}

/* Strict unsigned parse with an optional binary K/M/G suffix. */
static int parse_size(const char *s, unsigned long long max, bool suffix,
		      unsigned long long *out)
{
	unsigned long long v;
	unsigned int shift;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	if (suffix && *end) {
		switch (*end++) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
		if (v > (max >> shift))
			return -ERANGE;
		v <<= shift;
	}
	if (*end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Empty keys count as unset, as in Qdrant. */
static const char *key_or_null(const char *key)
{
	return key && key[0] ? key : NULL;
}

static int parse_args(int argc, char **argv, struct gw_config *cfg)
{
	enum {
		O_HOST = 256,
		O_PORT,
		O_THREADS,
		O_KEY,
		O_RO_KEY,
		O_MAX_BODY,
		O_BACKEND,
		O_MOUNT,
		O_HELP
	};
	static const struct option opts[] = {
		{ "host", required_argument, NULL, O_HOST },
		{ "port", required_argument, NULL, O_PORT },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "api-key", required_argument, NULL, O_KEY },
		{ "read-only-api-key", required_argument, NULL, O_RO_KEY },
		{ "max-body", required_argument, NULL, O_MAX_BODY },
		{ "backend", required_argument, NULL, O_BACKEND },
		{ "mount", required_argument, NULL, O_MOUNT },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	long cpus;
	int c;

	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	*cfg = (struct gw_config){
		.host = GW_DEFAULT_HOST,
		.port = GW_DEFAULT_PORT,
		.threads = cpus > 0 ? (unsigned int)cpus : 1,
		.max_body = GW_DEFAULT_MAX_BODY,
		.mount = GW_DEFAULT_MOUNT,
		.api_key = getenv("QDRANT__SERVICE__API_KEY"),
		.ro_api_key = getenv("QDRANT__SERVICE__READ_ONLY_API_KEY"),
	};

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_HOST:
			cfg->host = optarg;
			break;
		case O_PORT:
			if (parse_size(optarg, 65535, false, &v))
				goto bad;
			cfg->port = v;
			break;
		case O_THREADS:
			if (parse_size(optarg, 1024, false, &v) || !v)
				goto bad;
			cfg->threads = v;
			break;
		case O_KEY:
			cfg->api_key = optarg;
			break;
		case O_RO_KEY:
			cfg->ro_api_key = optarg;
			break;
		case O_MAX_BODY:
			/* evhttp takes an ev_ssize_t */
			if (parse_size(optarg, SSIZE_MAX, true, &v) || !v)
				goto bad;
			cfg->max_body = v;
			break;
		case O_BACKEND:
			cfg->backend = optarg;
			break;
		case O_MOUNT:
			cfg->mount = optarg;
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vexfs-gateway: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	cfg->api_key = key_or_null(cfg->api_key);
	cfg->ro_api_key = key_or_null(cfg->ro_api_key);
	return 0;
bad:
	fprintf(stderr, "vexfs-gateway: invalid value '%s' for --%s\n", optarg,
		opts[c - O_HOST].name);
	return -EINVAL;
}

/* A random (version 4) UUID for /telemetry. */
static void make_id(char out[37])
{
	unsigned char b[16] = { 0 };

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		fprintf(stderr,
			"vexfs-gateway: getrandom failed, id is not random\n");
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(
		out, 37,
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		b[10], b[11], b[12], b[13], b[14], b[15]);
}

/*
 * The backend asked for, or by default the kernel one on the mount when
 * it exists (falling back to none, with a warning, if it is not VexFS).
 */
static struct gw_backend *open_backend(const struct gw_config *cfg)
{
	const char *name = cfg->backend;
	bool kernel;
	struct gw_backend *be;

	if (!name) {
		if (access(cfg->mount, F_OK) == 0) {
			be = gw_backend_open("kernel", cfg->mount);
			if (be)
				goto opened;
			fprintf(stderr,
				"vexfs-gateway: %s is not a usable VexFS mount (%s), using the none backend\n",
				cfg->mount, strerror(errno));
		}
		name = "none";
	}
	kernel = !strcmp(name, "kernel");
	be = gw_backend_open(name, kernel ? cfg->mount : NULL);
	if (!be) {
		fprintf(stderr, "vexfs-gateway: backend %s%s%s: %s\n", name,
			kernel ? " on " : "", kernel ? cfg->mount : "",
			strerror(errno));
		return NULL;
	}
opened:
	kernel = !strcmp(be->ops->name, "kernel");
	fprintf(stderr, "vexfs-gateway: backend %s%s%s\n", be->ops->name,
		kernel ? " on " : "", kernel ? cfg->mount : "");
	return be;
}

int main(int argc, char **argv)
{
	struct gw_server srv = { 0 };
	struct gw_config cfg;
	sigset_t stop;
	int sig, rc = 1;

	if (parse_args(argc, argv, &cfg))
		return 2;

	/*
	 * Block the stop signals before any thread exists, so every worker
	 * inherits the mask and only sigwait() below ever sees them.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	/* A client that hangs up mid-reply must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);

	srv.cfg = &cfg;
	srv.started = time(NULL);
	make_id(srv.id);
	srv.backend = open_backend(&cfg);
	srv.metrics = gw_metrics_new(cfg.threads);
	if (!srv.backend || !srv.metrics) {
		fprintf(stderr, "vexfs-gateway: startup failed: %s\n",
			strerror(errno));
		goto out;
	}
	if (gw_server_start(&srv))
		goto out;

	if (sigwait(&stop, &sig) == 0)
		fprintf(stderr, "vexfs-gateway: %s, shutting down\n",
			strsignal(sig));
	gw_server_stop(&srv);
	rc = 0;
out:
	gw_metrics_free(srv.metrics);
	gw_backend_close(srv.backend);
	return rc;
}
