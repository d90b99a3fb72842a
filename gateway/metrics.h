/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request counters and latency histograms for /metrics.
 *
 * Each worker owns one shard and is its only writer, so the hot path
 * takes no lock and shares no cache line; /metrics sums the shards.
 */
#ifndef VEXFS_GATEWAY_METRICS_H
#define VEXFS_GATEWAY_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct gw_metrics;
struct gw_metrics_shard;

struct gw_metrics *gw_metrics_new(unsigned int nshards);
void gw_metrics_free(struct gw_metrics *m);
struct gw_metrics_shard *gw_metrics_shard(struct gw_metrics *m, unsigned int i);

/* @route: index into gw_routes, or -1 for a request no route matched. */
void gw_metrics_observe(struct gw_metrics_shard *s, int route,
			unsigned int method, int status, uint64_t ns);

/* Prometheus text exposition format 0.0.4. */
int gw_metrics_render(struct gw_metrics *m, struct evbuffer *out,
		      long ncollections);

#endif
