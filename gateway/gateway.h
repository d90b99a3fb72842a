/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vexfs-gateway: process-wide configuration and state shared by all workers.
 */
#ifndef VEXFS_GATEWAY_H
#define VEXFS_GATEWAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The Qdrant release whose REST API we speak; SDKs compare against it. */
#define GW_QDRANT_VERSION "1.18.0"

#define GW_DEFAULT_HOST "127.0.0.1"
#define GW_DEFAULT_PORT 6333u
#define GW_DEFAULT_MAX_BODY (32u << 20) /* Qdrant's max_request_size_mb */
#define GW_DEFAULT_MOUNT "/mnt/vexfs"
#define GW_DEFAULT_SHUTDOWN_TIMEOUT 10u

struct gw_backend;
struct gw_metrics;
struct gw_worker;

struct gw_config {
	const char *host;
	unsigned int port; /* 0: let the kernel pick one */
	unsigned int threads;
	size_t max_body;
	const char *api_key; /* NULL: no auth */
	const char *ro_api_key;
	const char *backend; /* NULL: kernel if the mount exists, else none */
	const char *mount; /* the VexFS mount of the kernel backend */
	const char *data; /* the image of the embedded backend */
	unsigned long long data_size; /* make it this big if missing; 0: no */
	unsigned int shutdown_timeout; /* seconds to finish replies in flight */
	char *file_buf; /* the config file's text; strings above point in */
};

struct gw_server {
	const struct gw_config *cfg;
	struct gw_backend *backend;
	struct gw_metrics *metrics;
	time_t started;
	char id[37]; /* telemetry id, a random UUID */
	atomic_bool stopping; /* set once on SIGTERM/SIGINT */
	struct gw_worker *workers; /* server.c */
	unsigned int port; /* bound port, even if cfg->port is 0 */
};

#endif
