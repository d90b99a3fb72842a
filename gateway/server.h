/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP server: one worker thread per CPU, each with its own event
 * base, evhttp and SO_REUSEPORT listening socket, so the kernel spreads
 * connections over the workers and they share nothing on the hot path.
 */
#ifndef VEXFS_GATEWAY_SERVER_H
#define VEXFS_GATEWAY_SERVER_H

struct evhttp_request;
struct gw_server;
struct gw_metrics_shard;

/* Bind, start the workers and print the "listening" line. */
int gw_server_start(struct gw_server *srv);
/* Stop accepting, let requests in flight finish, join the workers. */
void gw_server_stop(struct gw_server *srv);

/* dispatch.c: run one request through auth, routing and its handler. */
void gw_dispatch(struct gw_server *srv, struct gw_metrics_shard *stats,
		 struct evhttp_request *ev);

#endif
