// SPDX-License-Identifier: GPL-2.0
/*
 * Service endpoints: version, probes, telemetry, metrics, cluster.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include <event2/buffer.h>

#include "backend.h"
#include "commit.h" /* generated: GW_COMMIT */
#include "gateway.h"
#include "handlers.h"
#include "metrics.h"
#include "request.h"

#define TEXT_TYPE "text/plain; charset=utf-8"

/* SDKs call this first and compare the version with their own. */
void gw_service_root(struct gw_req *req)
{
	gw_reply_json(req, 200,
		      json_pack("{s:s, s:s, s:s}", "title",
				"qdrant - vector search engine", "version",
				GW_QDRANT_VERSION, "commit", GW_COMMIT));
}

/* /healthz and /livez: the process is up and serving HTTP. */
void gw_service_healthz(struct gw_req *req)
{
	gw_reply_text(req, 200, TEXT_TYPE, "healthz check passed");
}

void gw_service_readyz(struct gw_req *req)
{
	struct gw_backend *be = req->srv->backend;

	if (atomic_load(&req->srv->stopping) || !be->ops->ready(be)) {
		gw_reply_text(req, 503, TEXT_TYPE, "some shards are not ready");
		return;
	}
	gw_reply_text(req, 200, TEXT_TYPE, "all shards are ready");
}

static long collection_count(struct gw_backend *be)
{
	struct gw_names names;
	long n;

	if (be->ops->collection_list(be, &names))
		return -1;
	n = (long)names.n;
	gw_names_free(&names);
	return n;
}

void gw_service_telemetry(struct gw_req *req)
{
	long n = collection_count(req->srv->backend);
	char startup[32];
	json_t *app;
	struct tm tm;

	gmtime_r(&req->srv->started, &tm);
	strftime(startup, sizeof(startup), "%Y-%m-%dT%H:%M:%SZ", &tm);
	app = json_pack("{s:s, s:s, s:s, s:s}", "name", "qdrant", "version",
			GW_QDRANT_VERSION, "commit", GW_COMMIT, "startup",
			startup);
	gw_reply_ok(req, json_pack("{s:s, s:o, s:{s:I}, s:{s:b}}", "id",
				   req->srv->id, "app", app, "collections",
				   "number_of_collections",
				   (json_int_t)(n < 0 ? 0 : n), "cluster",
				   "enabled", 0));
}

void gw_service_metrics(struct gw_req *req)
{
	struct evbuffer *buf = evbuffer_new();

	if (!buf || gw_metrics_render(req->srv->metrics, buf,
				      collection_count(req->srv->backend))) {
		if (buf)
			evbuffer_free(buf);
		gw_reply_errno(req, -ENOMEM, NULL);
		return;
	}
	gw_reply_buffer(req, 200, "text/plain; version=0.0.4; charset=utf-8",
			buf);
	evbuffer_free(buf);
}

/* Standalone: there is no cluster to describe. */
void gw_service_cluster(struct gw_req *req)
{
	gw_reply_ok(req, json_pack("{s:s}", "status", "disabled"));
}
