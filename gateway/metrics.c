// SPDX-License-Identifier: GPL-2.0
/*
 * Metric names and labels follow Qdrant's (rest_responses_total,
 * rest_responses_duration_seconds) so existing dashboards work.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "gateway.h"
#include "metrics.h"
#include "router.h"

static const unsigned int methods[] = {
	EVHTTP_REQ_GET,	  EVHTTP_REQ_POST,    EVHTTP_REQ_HEAD,
	EVHTTP_REQ_PUT,	  EVHTTP_REQ_DELETE,  EVHTTP_REQ_OPTIONS,
	EVHTTP_REQ_TRACE, EVHTTP_REQ_CONNECT, EVHTTP_REQ_PATCH,
};

#define NMETHODS ARRAY_SIZE(methods)

/* Codes the gateway sends; anything else is counted as "other". */
static const int statuses[] = {
	200, 400, 403, 404, 405, 408, 409, 413, 422, 429, 500, 501, 503, 507,
};

#define NSTATUS (ARRAY_SIZE(statuses) + 1)

/* Upper bounds in microseconds; the +Inf bucket is the total count. */
static const uint64_t buckets_us[] = {
	500,	1000,	5000,	 10000,	  25000,   50000,    100000,
	250000, 500000, 1000000, 2500000, 5000000, 10000000,
};

#define NBUCKETS ARRAY_SIZE(buckets_us)

/* One (route, method) pair. */
struct series {
	_Atomic uint64_t status[NSTATUS];
	_Atomic uint64_t bucket[NBUCKETS]; /* non-cumulative */
	_Atomic uint64_t count;
	_Atomic uint64_t sum_ns;
};

/* The same, summed over the shards at render time. */
struct totals {
	uint64_t status[NSTATUS];
	uint64_t bucket[NBUCKETS];
	uint64_t count;
	uint64_t sum_ns;
};

struct gw_metrics_shard {
	struct series *series; /* [(gw_nroutes + 1) * NMETHODS] */
};

struct gw_metrics {
	unsigned int nshards;
	unsigned int nkeys;
	struct gw_metrics_shard shard[];
};

struct gw_metrics *gw_metrics_new(unsigned int nshards)
{
	struct gw_metrics *m;
	unsigned int i;

	m = calloc(1, sizeof(*m) + nshards * sizeof(m->shard[0]));
	if (!m)
		return NULL;
	m->nshards = nshards;
	m->nkeys = (gw_nroutes + 1) * NMETHODS;
	for (i = 0; i < nshards; i++) {
		m->shard[i].series = calloc(m->nkeys, sizeof(struct series));
		if (!m->shard[i].series) {
			gw_metrics_free(m);
			return NULL;
		}
	}
	return m;
}

void gw_metrics_free(struct gw_metrics *m)
{
	unsigned int i;

	if (!m)
		return;
	for (i = 0; i < m->nshards; i++)
		free(m->shard[i].series);
	free(m);
}

struct gw_metrics_shard *gw_metrics_shard(struct gw_metrics *m, unsigned int i)
{
	return &m->shard[i];
}

/* Single writer per shard: a plain load+store, no locked instruction. */
static inline void bump(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + v,
			      memory_order_relaxed);
}

static inline uint64_t get(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static unsigned int method_index(unsigned int method)
{
	unsigned int i;

	for (i = 0; i < NMETHODS; i++)
		if (methods[i] == method)
			return i;
	return 0;
}

void gw_metrics_observe(struct gw_metrics_shard *s, int route,
			unsigned int method, int status, uint64_t ns)
{
	unsigned int r = route < 0 ? gw_nroutes : (unsigned int)route;
	struct series *x = &s->series[r * NMETHODS + method_index(method)];
	unsigned int i;

	for (i = 0; i < NSTATUS - 1 && statuses[i] != status; i++)
		;
	bump(&x->status[i], 1);
	for (i = 0; i < NBUCKETS; i++) {
		if (ns <= buckets_us[i] * 1000) {
			bump(&x->bucket[i], 1);
			break;
		}
	}
	bump(&x->count, 1);
	bump(&x->sum_ns, ns);
}

/* The labels of one series: method="GET",endpoint="/collections" */
static void labels(char *buf, size_t size, unsigned int key)
{
	unsigned int r = key / NMETHODS;

	snprintf(buf, size, "method=\"%s\",endpoint=\"%s\"",
		 gw_method_name(methods[key % NMETHODS]),
		 r < gw_nroutes ? gw_routes[r].pattern : "unmatched");
}

static void sum_series(struct gw_metrics *m, unsigned int key,
		       struct totals *acc)
{
	unsigned int i, j;

	for (i = 0; i < m->nshards; i++) {
		struct series *x = &m->shard[i].series[key];

		for (j = 0; j < NSTATUS; j++)
			acc->status[j] += get(&x->status[j]);
		for (j = 0; j < NBUCKETS; j++)
			acc->bucket[j] += get(&x->bucket[j]);
		acc->count += get(&x->count);
		acc->sum_ns += get(&x->sum_ns);
	}
}

static void render_counts(struct evbuffer *out, const char *lb,
			  const struct totals *t)
{
	unsigned int j;

	for (j = 0; j < NSTATUS; j++) {
		char code[8] = "other";

		if (!t->status[j])
			continue;
		if (j < NSTATUS - 1)
			snprintf(code, sizeof(code), "%d", statuses[j]);
		evbuffer_add_printf(
			out, "rest_responses_total{%s,status=\"%s\"} %llu\n",
			lb, code, (unsigned long long)t->status[j]);
	}
}

static void render_histogram(struct evbuffer *out, const char *lb,
			     const struct totals *t)
{
	const char *name = "rest_responses_duration_seconds";
	unsigned long long cum = 0;
	unsigned int j;

	for (j = 0; j < NBUCKETS; j++) {
		cum += t->bucket[j];
		evbuffer_add_printf(out, "%s_bucket{%s,le=\"%g\"} %llu\n", name,
				    lb, buckets_us[j] / 1e6, cum);
	}
	evbuffer_add_printf(out, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, lb,
			    (unsigned long long)t->count);
	evbuffer_add_printf(out, "%s_sum{%s} %.9f\n", name, lb,
			    t->sum_ns / 1e9);
	evbuffer_add_printf(out, "%s_count{%s} %llu\n", name, lb,
			    (unsigned long long)t->count);
}

int gw_metrics_render(struct gw_metrics *m, struct evbuffer *out,
		      long ncollections)
{
	struct totals *acc;
	unsigned int key;
	char lb[256];

	acc = calloc(m->nkeys, sizeof(*acc));
	if (!acc)
		return -1;
	for (key = 0; key < m->nkeys; key++)
		sum_series(m, key, &acc[key]);

	evbuffer_add_printf(out,
			    "# HELP app_info information about qdrant server\n"
			    "# TYPE app_info gauge\n"
			    "app_info{name=\"qdrant\",version=\"%s\"} 1\n",
			    GW_QDRANT_VERSION);
	if (ncollections >= 0)
		evbuffer_add_printf(
			out,
			"# HELP collections_total number of collections\n"
			"# TYPE collections_total gauge\n"
			"collections_total %ld\n",
			ncollections);

	evbuffer_add_printf(out,
			    "# HELP rest_responses_total number of responses\n"
			    "# TYPE rest_responses_total counter\n");
	for (key = 0; key < m->nkeys; key++) {
		if (!acc[key].count)
			continue;
		labels(lb, sizeof(lb), key);
		render_counts(out, lb, &acc[key]);
	}

	evbuffer_add_printf(
		out,
		"# HELP rest_responses_duration_seconds response duration\n"
		"# TYPE rest_responses_duration_seconds histogram\n");
	for (key = 0; key < m->nkeys; key++) {
		if (!acc[key].count)
			continue;
		labels(lb, sizeof(lb), key);
		render_histogram(out, lb, &acc[key]);
	}
	free(acc);
	return 0;
}
