// SPDX-License-Identifier: GPL-2.0
/*
 * Listening sockets, worker threads and graceful shutdown.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>

#include "backend.h"
#include "gateway.h"
#include "metrics.h"
#include "server.h"

#define LISTEN_BACKLOG 1024
#define MAX_HEADERS_SIZE (64 << 10)

#define ALL_METHODS                                                            \
	(EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | \
	 EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |           \
	 EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH)

struct gw_worker {
	struct gw_server *srv;
	struct gw_metrics_shard *stats;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct event *stop_ev;
	pthread_t thread;
	bool started;
	bool draining;
	/*
	 * Replies not yet fully written. libevent does not report a reply
	 * lost with its connection, so this can stay high; shutdown then
	 * waits cfg->shutdown_timeout at most.
	 */
	unsigned int inflight;
	int fd;
};

/*
 * The first socket resolves @host and fixes the port (the kernel picks
 * one for port 0); the others bind to exactly that address.
 */
static int open_socket(const struct sockaddr *sa, socklen_t len)
{
	int one = 1, fd;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(fd, sa, len) || listen(fd, LISTEN_BACKLOG)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * SO_REUSEPORT would let a second gateway of the same user silently
 * share the port and take half the connections. A socket bound without
 * it first makes a busy port fail with EADDRINUSE, as users expect.
 */
static int check_port_free(const struct sockaddr *sa, socklen_t len)
{
	int one = 1, err = 0, fd;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, sa, len))
		err = -errno;
	close(fd);
	return err;
}

static int open_first_socket(const struct gw_config *cfg,
			     struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	struct addrinfo *res, *ai;
	int fd = -EADDRNOTAVAIL, rc;
	char port[8];

	snprintf(port, sizeof(port), "%u", cfg->port);
	rc = getaddrinfo(cfg->host, port, &hints, &res);
	if (rc) {
		fprintf(stderr, "vexfs-gateway: %s: %s\n", cfg->host,
			gai_strerror(rc));
		return -EINVAL;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = 0;
		if (cfg->port)
			fd = check_port_free(ai->ai_addr, ai->ai_addrlen);
		if (!fd)
			fd = open_socket(ai->ai_addr, ai->ai_addrlen);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return fd;
	*len = sizeof(*ss);
	if (getsockname(fd, (struct sockaddr *)ss, len)) {
		close(fd);
		return -errno;
	}
	return fd;
}

static unsigned int sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static void on_request_done(struct evhttp_request *ev, void *arg)
{
	struct gw_worker *w = arg;

	if (--w->inflight == 0 && w->draining)
		event_base_loopexit(w->base, NULL);
}

/*
 * A request that arrives on a kept-alive connection after the stop signal:
 * 503 and close, so the client retries elsewhere or later.
 */
static void refuse_draining(struct evhttp_request *ev)
{
	static const char body[] =
		"{\"status\":{\"error\":\"Service Unavailable: shutting down\"},\"time\":0.0}";
	struct evbuffer *buf = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(ev);

	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Connection", "close");
	if (buf)
		evbuffer_add(buf, body, sizeof(body) - 1);
	evhttp_send_reply(ev, 503, "Service Unavailable", buf);
	if (buf)
		evbuffer_free(buf);
}

static void on_request(struct evhttp_request *ev, void *arg)
{
	struct gw_worker *w = arg;

	if (w->draining) {
		refuse_draining(ev);
		return;
	}
	w->inflight++;
	evhttp_request_set_on_complete_cb(ev, on_request_done, w);
	gw_dispatch(w->srv, w->stats, ev);
}

/* Runs on the worker's own thread, woken by gw_server_stop(). */
static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	struct gw_worker *w = arg;
	struct timeval drain = { w->srv->cfg->shutdown_timeout, 0 };

	w->draining = true;
	/* Closes the listening socket: the kernel stops queueing to it. */
	evhttp_del_accept_socket(w->http, w->bound);
	w->bound = NULL;
	if (!w->inflight)
		event_base_loopexit(w->base, NULL);
	else
		event_base_loopexit(w->base, &drain);
}

static int worker_init(struct gw_worker *w, struct gw_server *srv,
		       unsigned int i, int fd)
{
	struct evconnlistener *lev;
	struct event_config *cfg;

	w->srv = srv;
	w->stats = gw_metrics_shard(srv->metrics, i);
	w->fd = fd;
	cfg = event_config_new();
	if (!cfg)
		return -ENOMEM;
	/*
	 * evhttp turns read and write interest on and off around every
	 * request; the changelist folds those into one epoll_ctl per loop
	 * pass (or none when they cancel out).
	 */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	w->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (!w->base)
		return -ENOMEM;
	w->http = evhttp_new(w->base);
	w->stop_ev = event_new(w->base, -1, 0, on_stop, w);
	if (!w->http || !w->stop_ev)
		return -ENOMEM;
	evhttp_set_max_body_size(w->http, srv->cfg->max_body);
	evhttp_set_max_headers_size(w->http, MAX_HEADERS_SIZE);
	/* Let every method reach the router: it answers 405 in Qdrant's form. */
	evhttp_set_allowed_methods(w->http, ALL_METHODS);
	evhttp_set_gencb(w->http, on_request, w);

	lev = evconnlistener_new(w->base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE, 0,
				 fd);
	if (!lev)
		return -ENOMEM;
	w->fd = -1; /* owned by the listener now */
	w->bound = evhttp_bind_listener(w->http, lev);
	if (!w->bound) {
		evconnlistener_free(lev);
		return -ENOMEM;
	}
	return 0;
}

static void worker_destroy(struct gw_worker *w)
{
	/* Frees the listener (if still bound) and closes idle connections. */
	if (w->http)
		evhttp_free(w->http);
	if (w->stop_ev)
		event_free(w->stop_ev);
	if (w->base)
		event_base_free(w->base);
	if (w->fd >= 0)
		close(w->fd);
}

static void *worker_main(void *arg)
{
	struct gw_worker *w = arg;
	struct gw_backend *be = w->srv->backend;

	/* On this thread: the backend keeps per-thread state (netlink). */
	if (be && be->ops->attach && be->ops->attach(be, w->base))
		fprintf(stderr, "vexfs-gateway: backend attach failed\n");
	if (event_base_dispatch(w->base) < 0)
		fprintf(stderr, "vexfs-gateway: worker event loop failed\n");
	if (be && be->ops->detach)
		be->ops->detach(be, w->base);
	return NULL;
}

int gw_server_start(struct gw_server *srv)
{
	const struct gw_config *cfg = srv->cfg;
	struct sockaddr_storage ss;
	unsigned int i;
	socklen_t len;
	int fd, err;

	if (evthread_use_pthreads())
		return -ENOMEM;
	srv->workers = calloc(cfg->threads, sizeof(*srv->workers));
	if (!srv->workers)
		return -ENOMEM;
	for (i = 0; i < cfg->threads; i++)
		srv->workers[i].fd = -1;

	fd = open_first_socket(cfg, &ss, &len);
	for (i = 0; fd >= 0 && i < cfg->threads; i++) {
		if (i > 0)
			fd = open_socket((struct sockaddr *)&ss, len);
		if (fd < 0)
			break;
		err = worker_init(&srv->workers[i], srv, i, fd);
		if (err) {
			fd = err;
			break;
		}
	}
	if (fd < 0) {
		fprintf(stderr, "vexfs-gateway: cannot listen on %s:%u: %s\n",
			cfg->host, cfg->port, strerror(-fd));
		err = fd;
		goto fail;
	}
	srv->port = sockaddr_port(&ss);

	for (i = 0; i < cfg->threads; i++) {
		struct gw_worker *w = &srv->workers[i];

		err = -pthread_create(&w->thread, NULL, worker_main, w);
		if (err)
			goto fail;
		w->started = true;
	}
	fprintf(stderr,
		"vexfs-gateway: listening on http://%s%s%s:%u (%u threads)\n",
		strchr(cfg->host, ':') ? "[" : "", cfg->host,
		strchr(cfg->host, ':') ? "]" : "", srv->port, cfg->threads);
	return 0;
fail:
	gw_server_stop(srv);
	return err;
}

void gw_server_stop(struct gw_server *srv)
{
	unsigned int i;

	if (!srv->workers)
		return;
	atomic_store(&srv->stopping, true);
	for (i = 0; i < srv->cfg->threads; i++) {
		struct gw_worker *w = &srv->workers[i];

		if (w->started)
			event_active(w->stop_ev, EV_READ, 0);
	}
	for (i = 0; i < srv->cfg->threads; i++) {
		struct gw_worker *w = &srv->workers[i];

		if (w->started)
			pthread_join(w->thread, NULL);
		worker_destroy(w);
	}
	free(srv->workers);
	srv->workers = NULL;
}
