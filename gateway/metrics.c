// SPDX-License-Identifier: GPL-2.0
/*
 * Metric names and labels follow Qdrant's (rest_responses_total,
 * rest_responses_duration_seconds) so existing dashboards work.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "gateway.h"
#include "metrics.h"
#include "router.h"

static const unsigned int methods[] = {
	EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT,
	EVHTTP_REQ_DELETE, EVHTTP_REQ_OPTIONS, EVHTTP_REQ_TRACE,
	EVHTTP_REQ_CONNECT, EVHTTP_REQ_PATCH,
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

/* Codes the gateway sends; anything else is counted as "other". */
static const int statuses[] = {
	200, 400, 403, 404, 405, 408, 409, 413, 422, 429, 500, 501, 503, 507,
};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1)

/* Upper bounds in microseconds; the +Inf bucket is the total count. */
static const uint64_t buckets_us[] = {
	500, 1000, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};
#define NBUCKETS (sizeof(buckets_us) / sizeof(buckets_us[0]))

/* One (route, method) pair. */
struct series {
	_Atomic uint64_t status[NSTATUS];
	_Atomic uint64_t bucket[NBUCKETS];	/* non-cumulative */
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
	struct series *series;		/* [(gw_nroutes + 1) * NMETHODS] */
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

struct gw_metrics_shard *gw_metrics_shard(struct gw_metrics *m,
					  unsigned int i)
{
	return &m->shard[i];
}

/* Single writer per shard: a plain load+store, no locked instruction. */
static inline void bump(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed)
			      + v, memory_order_relaxed);
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

static const char *endpoint(unsigned int r)
{
	return r < gw_nroutes ? gw_routes[r].pattern : "unmatched";
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

int gw_metrics_render(struct gw_metrics *m, struct evbuffer *out,
		      long ncollections)
{
	struct totals *acc;
	unsigned int key, j;

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
		evbuffer_add_printf(out,
			"# HELP collections_total number of collections\n"
			"# TYPE collections_total gauge\n"
			"collections_total %ld\n", ncollections);

	evbuffer_add_printf(out,
		"# HELP rest_responses_total total number of responses\n"
		"# TYPE rest_responses_total counter\n");
	for (key = 0; key < m->nkeys; key++) {
		const char *ep = endpoint(key / NMETHODS);
		const char *meth = gw_method_name(methods[key % NMETHODS]);

		for (j = 0; j < NSTATUS; j++) {
			if (!acc[key].status[j])
				continue;
			evbuffer_add_printf(out,
				"rest_responses_total{method=\"%s\",endpoint=\"%s\",status=\"",
				meth, ep);
			if (j < NSTATUS - 1)
				evbuffer_add_printf(out, "%d", statuses[j]);
			else
				evbuffer_add_printf(out, "other");
			evbuffer_add_printf(out, "\"} %llu\n",
				(unsigned long long)acc[key].status[j]);
		}
	}

	evbuffer_add_printf(out,
		"# HELP rest_responses_duration_seconds response duration histogram\n"
		"# TYPE rest_responses_duration_seconds histogram\n");
	for (key = 0; key < m->nkeys; key++) {
		const char *ep = endpoint(key / NMETHODS);
		const char *meth = gw_method_name(methods[key % NMETHODS]);
		unsigned long long cum = 0;

		if (!acc[key].count)
			continue;
		for (j = 0; j < NBUCKETS; j++) {
			cum += acc[key].bucket[j];
			evbuffer_add_printf(out,
				"rest_responses_duration_seconds_bucket{method=\"%s\",endpoint=\"%s\",le=\"%g\"} %llu\n",
				meth, ep, buckets_us[j] / 1e6, cum);
		}
		evbuffer_add_printf(out,
			"rest_responses_duration_seconds_bucket{method=\"%s\",endpoint=\"%s\",le=\"+Inf\"} %llu\n"
			"rest_responses_duration_seconds_sum{method=\"%s\",endpoint=\"%s\"} %.9f\n"
			"rest_responses_duration_seconds_count{method=\"%s\",endpoint=\"%s\"} %llu\n",
			meth, ep, (unsigned long long)acc[key].count,
			meth, ep, acc[key].sum_ns / 1e9,
			meth, ep, (unsigned long long)acc[key].count);
	}
	free(acc);
	return 0;
}
