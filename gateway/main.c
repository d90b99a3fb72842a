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
#include "config.h"
#include "gateway.h"
#include "json_alloc.h"
#include "metrics.h"
#include "server.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vexfs-gateway [options]\n"
		"\n"
		"  --config FILE            read settings from FILE (key = value, keys are\n"
		"                           these flags' names); flags override it\n"
		"  --host ADDR              address to listen on (default %s)\n"
		"                           (env QDRANT__SERVICE__HOST)\n"
		"  --port N                 TCP port, 0 for any (default %u)\n"
		"                           (env QDRANT__SERVICE__HTTP_PORT)\n"
		"  --threads N              worker threads (default: online CPUs)\n"
		"  --api-key KEY            require this key on every request but the\n"
		"                           probes and / (env QDRANT__SERVICE__API_KEY)\n"
		"  --read-only-api-key KEY  a key that may only read\n"
		"                           (env QDRANT__SERVICE__READ_ONLY_API_KEY)\n"
		"  --max-body BYTES         request body limit, K/M/G suffixes allowed\n"
		"                           (default 32M; env\n"
		"                           QDRANT__SERVICE__MAX_REQUEST_SIZE_MB)\n"
		"  --backend NAME           kernel, embedded or none (default: embedded\n"
		"                           with --data, else kernel if the mount\n"
		"                           exists, else none)\n"
		"  --mount DIR              VexFS mount of the kernel backend\n"
		"                           (default %s)\n"
		"  --data IMAGE             VexFS image (or device) of the embedded\n"
		"                           backend\n"
		"  --data-size BYTES        make IMAGE this big if it does not exist\n"
		"  --shutdown-timeout SECS  on SIGTERM, wait this long for replies in\n"
		"                           flight (default %u)\n"
		"  --help                   show this help\n"
		"\n"
		"Precedence: flags, then environment, then the config file.\n",
		GW_DEFAULT_HOST, GW_DEFAULT_PORT, GW_DEFAULT_MOUNT,
		GW_DEFAULT_SHUTDOWN_TIMEOUT);
}

static const struct option opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "host", required_argument, NULL, 0 },
	{ "port", required_argument, NULL, 0 },
	{ "threads", required_argument, NULL, 0 },
	{ "api-key", required_argument, NULL, 0 },
	{ "read-only-api-key", required_argument, NULL, 0 },
	{ "max-body", required_argument, NULL, 0 },
	{ "backend", required_argument, NULL, 0 },
	{ "mount", required_argument, NULL, 0 },
	{ "data", required_argument, NULL, 0 },
	{ "data-size", required_argument, NULL, 0 },
	{ "shutdown-timeout", required_argument, NULL, 0 },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Defaults, then the config file, then the environment, then the flags:
 * the flags are parsed twice, first only to find --config.
 */
static int parse_args(int argc, char **argv, struct gw_config *cfg)
{
	const char *config = NULL;
	int c, idx, err;

	gw_config_defaults(cfg);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (c == 'c')
			config = optarg;
	opterr = 1;
	optind = 0;
	if (config && gw_config_load(cfg, config))
		return -EINVAL;
	if (gw_config_env(cfg))
		return -EINVAL;

	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		switch (c) {
		case 0:
			err = gw_config_set(cfg, opts[idx].name, optarg);
			if (err) {
				fprintf(stderr,
					"vexfs-gateway: invalid value '%s' for --%s\n",
					optarg, opts[idx].name);
				return -EINVAL;
			}
			break;
		case 'c':
			break;
		case 'h':
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
	gw_config_finish(cfg);
	if (cfg->backend && !strcmp(cfg->backend, "embedded") && !cfg->data) {
		fprintf(stderr,
			"vexfs-gateway: the embedded backend needs --data IMAGE\n");
		return -EINVAL;
	}
	return 0;
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

/* The embedded backend's image, made first if missing and a size is set. */
static int prepare_image(const struct gw_config *cfg)
{
	int err;

	if (access(cfg->data, F_OK) == 0 || errno != ENOENT || !cfg->data_size)
		return 0;
	err = gw_embedded_mkfs(cfg->data, cfg->data_size);
	if (err) {
		fprintf(stderr, "vexfs-gateway: cannot make %s: %s\n",
			cfg->data, strerror(-err));
		return err;
	}
	fprintf(stderr,
		"vexfs-gateway: made a new %llu-byte VexFS image at %s\n",
		cfg->data_size, cfg->data);
	return 0;
}

/*
 * The backend asked for; by default the embedded one with --data, else
 * the kernel one on the mount when it exists (falling back to none, with
 * a warning, if it is not VexFS).
 */
static struct gw_backend *open_backend(const struct gw_config *cfg)
{
	const char *name = cfg->backend, *arg = NULL;
	struct gw_backend *be;

	if (!name && cfg->data)
		name = "embedded";
	if (!name) {
		if (access(cfg->mount, F_OK) == 0) {
			be = gw_backend_open("kernel", cfg->mount);
			if (be) {
				arg = cfg->mount;
				goto opened;
			}
			fprintf(stderr,
				"vexfs-gateway: %s is not a usable VexFS mount (%s), using the none backend\n",
				cfg->mount, strerror(errno));
		}
		name = "none";
	}
	if (!strcmp(name, "kernel"))
		arg = cfg->mount;
	else if (!strcmp(name, "embedded"))
		arg = cfg->data;
	if (!strcmp(name, "embedded") && prepare_image(cfg))
		return NULL;
	be = gw_backend_open(name, arg);
	if (!be) {
		fprintf(stderr, "vexfs-gateway: backend %s%s%s: %s\n", name,
			arg ? " on " : "", arg ? arg : "", strerror(errno));
		return NULL;
	}
opened:
	fprintf(stderr, "vexfs-gateway: backend %s%s%s\n", be->ops->name,
		arg ? " on " : "", arg ? arg : "");
	return be;
}

int main(int argc, char **argv)
{
	struct gw_server srv = { 0 };
	struct gw_config cfg = { 0 };
	sigset_t stop;
	int sig, rc = 1;

	/* Before the first jansson value. */
	gw_json_alloc_init();
	if (parse_args(argc, argv, &cfg)) {
		gw_config_free(&cfg);
		return 2;
	}

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
	/* After the workers: nothing uses it; embedded checkpoints here. */
	gw_backend_close(srv.backend);
	if (rc == 0)
		fprintf(stderr, "vexfs-gateway: stopped\n");
	gw_config_free(&cfg);
	gw_json_alloc_drain();
	return rc;
}
