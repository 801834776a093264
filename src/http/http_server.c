/*
 * http_server.c - the only module that speaks libmicrohttpd (with
 * http_intake.c, which reads a request head, and http_server_int.h).
 *
 * One MHD daemon per event loop (loop.c), in external-polling epoll mode:
 * the loop's thread runs it, and the daemon's epoll fd sits in the loop's
 * epoll set next to the sockets of the loop's upstream pool. All daemons
 * accept from one listening socket, made here (or inherited from
 * systemd), so the bound port is known before any daemon starts and port 0
 * and socket activation work the same way. MHD_OPTION_CONNECTION_LIMIT is
 * split across the daemons like MHD's own thread pool splits it; the
 * connection guard and the in-flight count are process-wide.
 *
 * Per request a `struct conn` is created in the URI-log callback (which
 * sees the raw request target before MHD decodes anything) and freed in
 * the completion callback, the one place a request ends. The access
 * handler is a small state machine:
 *   HEADERS -> BODY -> (dispatch) -> respond
 *                            \-> WAITING (suspended; the exchange's
 *                                 asynchronous work runs, see request.h)
 *                                   -> DONE (gw_exchange_done resumed it) -> respond
 * The transport knows nothing of BBB: a handler that leaves the exchange
 * pending gets it parked and its start function run; the exchange is
 * answered when gw_exchange_done calls back (exchange_resume).
 */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "conn_guard.h"
#include "cors.h"
#include "gw_limits.h"
#include "http_head.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "pipeline.h"
#include "report.h"
#include "request.h"
#include "route.h"
#include "str.h"
#include "upstream.h"

#include "http_server_int.h"

static double ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

static struct sock *sock_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info != NULL ? info->socket_context : NULL;
}

static void exchange_resume(struct gw_exchange *x, void *arg);

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *mc)
{
	struct lp *lp = cls;
	struct gw_http_server *srv = lp->srv;
	struct gw_config *cfg = srv->config_get(srv->config_arg);
	struct conn *c = calloc(1, sizeof(*c));
	const char *q;
	size_t plen;

	if (uri == NULL)
		uri = "";
	q = strchr(uri, '?');
	plen = q != NULL ? (size_t)(q - uri) : strlen(uri);
	if (c == NULL || cfg == NULL)
		goto fail;
	c->srv = srv;
	c->lp = lp;
	c->mc = mc;
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	gw_buf_init(&c->body, srv->opts.max_body_bytes);
	c->x = gw_exchange_new(cfg);
	if (c->x == NULL)
		goto fail;
	c->x->req.svc = srv->opts.svc;
	/* from the start: a create is routed (placed through the store) while its handler runs */
	c->x->redis = gw_loop_redis(lp->loop);
	c->x->resume = exchange_resume;
	c->x->resume_arg = c;
	c->x->stream_ready = gw_http_stream_ready;
	c->x->stream_ready_arg = c;
	c->x->req.path = gw_arena_strndup(&c->x->arena, uri, plen);
	c->raw_query = gw_arena_strdup(&c->x->arena, q != NULL ? q + 1 : "");
	if (c->x->req.path == NULL || c->raw_query == NULL)
		goto fail;
	c->x->req.raw_query = c->raw_query;
	/*
	 * The gateway parses the query itself (gw_request_parse_query, with
	 * its own caps). MHD 0.9.75 would also split it into one record per
	 * argument in the connection's small memory pool and, when they do
	 * not fit, drop the connection without an answer. The target lies in
	 * MHD's writable read buffer and MHD parses the arguments only after
	 * this callback, from the byte after '?': ending the string there
	 * leaves it nothing to split.
	 */
	if (q != NULL)
		((char *)q)[1] = '\0';
	c->sock = sock_of(mc);
	if (c->sock != NULL)
		c->sock->cur = c;
	gw_config_unref(cfg);
	atomic_fetch_add(&srv->active, 1);
	atomic_fetch_add_explicit(&lp->requests, 1, memory_order_relaxed);
	return c;
fail:
	if (c != NULL) {
		gw_exchange_free(c->x);
		free(c);
	}
	gw_config_unref(cfg);
	return NULL;
}

void gw_http_add_common_headers(struct conn *c, struct MHD_Response *r)
{
	struct gw_exchange *x = c->x;
	struct gw_cors_header cors[GW_CORS_MAX_HEADERS];
	size_t n_cors;
	size_t i;

	if (x->resp.content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, x->resp.content_type);
	if (x->resp.minimal) {
		/*
		 * The request head filled most of the connection's memory, which
		 * the response head shares: send the least that still explains.
		 */
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
		return;
	}
	MHD_add_response_header(r, "X-Request-Id", x->req.request_id);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; frame-ancestors 'none'");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	n_cors = gw_cors_response_headers(x, cors);
	for (i = 0; i < n_cors; i++)
		MHD_add_response_header(r, cors[i].name, cors[i].value);
	for (i = 0; i < x->resp.n_headers; i++)
		MHD_add_response_header(r, x->resp.headers[i].name, x->resp.headers[i].value);
	if (c->close || atomic_load(&c->srv->draining))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
}

static enum MHD_Result respond(struct conn *c)
{
	struct gw_response *resp = &c->x->resp;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (resp->status == 0)
		gw_response_problem(c->x, GW_E_INTERNAL, "No response was produced", NULL);
	if (c->x->stream_ops != NULL)
		return gw_http_stream_respond(c);
	r = MHD_create_response_from_buffer(resp->body_len, resp->body,
					    resp->body != NULL ? MHD_RESPMEM_MUST_FREE
							       : MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	resp->body = NULL; /* owned by the MHD response now */
	c->bytes_out = resp->body_len;
	gw_http_add_common_headers(c, r);
	ret = MHD_queue_response(c->mc, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	c->state = ST_RESPONDED;
	return ret;
}

/*
 * gw_exchange_done's hook: the asynchronous work wrote the response. On
 * the loop's own thread (the usual case) the loop runs the daemon again
 * before it sleeps, so the answer goes out in this iteration.
 */
static void exchange_resume(struct gw_exchange *x, void *arg)
{
	struct conn *c = arg;
	struct lp *lp = c->lp;

	(void)x;
	atomic_fetch_sub(&c->srv->inflight, 1);
	if (c->srv->opts.svc != NULL)
		gw_metrics_inflight_add(c->srv->opts.svc->metrics, -1);
	c->state = ST_DONE;
	if (gw_loop_current(lp->loop)) {
		atomic_fetch_add_explicit(&lp->local_done, 1, memory_order_relaxed);
		gw_loop_kick(lp->loop);
		MHD_resume_connection(c->mc);
		return;
	}
	atomic_fetch_add_explicit(&lp->foreign_done, 1, memory_order_relaxed);
	MHD_resume_connection(c->mc);
	/* c may be gone now; the loop is not. */
	gw_loop_wake(lp->loop);
}

/*
 * Parks the request and starts the exchange's asynchronous work; false
 * (with a 503 written) when too many requests wait already.
 */
static bool start_async(struct conn *c)
{
	struct gw_exchange *x = c->x;

	if (atomic_fetch_add(&c->srv->inflight, 1) >= c->srv->opts.max_inflight) {
		atomic_fetch_sub(&c->srv->inflight, 1);
		gw_response_retry(x, GW_E_UNAVAILABLE, 1, "Too many requests waiting on BBB");
		return false;
	}
	if (c->srv->opts.svc != NULL)
		gw_metrics_inflight_add(c->srv->opts.svc->metrics, 1);
	x->upstream = gw_loop_upstream(c->lp->loop);
	c->state = ST_WAITING;
	/* Suspended first: the work may end (and resume) on any thread, even right away. */
	MHD_suspend_connection(c->mc);
	gw_exchange_start(x);
	return true;
}

static enum MHD_Result dispatch(struct conn *c)
{
	struct gw_exchange *x = c->x;

	if (c->body_too_large) {
		c->close = true;
		gw_response_problem(x, GW_E_BODY_TOO_LARGE,
				    "The request body is larger than the configured limit", NULL);
		return respond(c);
	}
	if (c->body.len > 0) {
		x->req.body_len = c->body.len;
		x->req.body = gw_buf_take(&c->body, NULL);
		if (x->req.body == NULL)
			return MHD_NO;
	}
	gw_pipeline_handle(x);
	if (gw_exchange_pending(x) && start_async(c))
		return MHD_YES;
	return respond(c);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *mc, const char *url,
				 const char *method, const char *version, const char *upload_data,
				 size_t *upload_data_size, void **con_cls)
{
	struct conn *c = *con_cls;

	(void)cls;
	(void)url;
	if (c == NULL)
		return MHD_NO;
	switch (c->state) {
	case ST_HEADERS:
		c->state = ST_BODY;
		if (gw_http_intake_head(c, method, version))
			return respond(c);
		return MHD_YES;
	case ST_BODY:
		if (*upload_data_size > 0) {
			c->body_seen += *upload_data_size;
			if (!c->body_too_large &&
			    gw_buf_append(&c->body, upload_data, *upload_data_size) != GW_OK) {
				c->body_too_large = true;
				gw_buf_deinit(&c->body);
			}
			*upload_data_size = 0;
			/*
			 * A body without Content-Length is read (and dropped) past the
			 * limit so that a modest overrun still gets its 413; an
			 * endless one is cut off by closing the connection.
			 */
			if (c->body_too_large && c->body_seen > 2 * c->body.max + 65536)
				return MHD_NO;
			return MHD_YES;
		}
		return dispatch(c);
	case ST_DONE:
		return respond(c);
	case ST_WAITING:
	case ST_RESPONDED:
		break;
	}
	*upload_data_size = 0;
	return MHD_YES;
}

/* The one place a request ends: counts, logs and frees it. */
static void finish_request(struct gw_http_server *srv, struct conn *c)
{
	if (c->x->req.method_name != NULL)
		gw_report_request(c->x, srv->opts.svc != NULL ? srv->opts.svc->metrics : NULL,
				  ms_since(&c->start), c->bytes_out);
	gw_http_stream_finish(c);
	if (c->sock != NULL) {
		c->sock->cur = NULL;
		gw_conn_guard_idle(srv->guard, c->sock->guarded, gw_conn_guard_now_ms());
	}
	gw_exchange_free(c->x);
	gw_buf_deinit(&c->body);
	free(c);
	atomic_fetch_sub(&srv->active, 1);
}

static void completed_cb(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn *c = *con_cls;

	(void)mc;
	(void)toe;
	if (c == NULL)
		return;
	*con_cls = NULL;
	finish_request(((struct lp *)cls)->srv, c);
}

static void peer_address(struct MHD_Connection *mc, uint8_t out[16])
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info != NULL ? info->client_addr : NULL;

	memset(out, 0, 16);
	if (sa != NULL && sa->sa_family == AF_INET) {
		out[10] = 0xff;
		out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
	}
}

/*
 * Connection start and end (MHD_OPTION_NOTIFY_CONNECTION). A close comes
 * after the completion callback of its last request, if MHD called it,
 * and before MHD closes the socket, so the guard may shut the socket
 * until then.
 */
static void connection_cb(void *cls, struct MHD_Connection *mc, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct lp *lp = cls;
	struct gw_http_server *srv = lp->srv;
	struct sock *sk = *socket_context;
	const union MHD_ConnectionInfo *info;
	uint8_t addr[16];

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		sk = calloc(1, sizeof(*sk));
		if (sk == NULL)
			return;
		info = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		peer_address(mc, addr);
		if (info != NULL)
			sk->guarded = gw_conn_guard_open(srv->guard, info->connect_fd, addr,
							 gw_conn_guard_now_ms());
		*socket_context = sk;
		return;
	}
	/*
	 * A daemon at its share of the connection limit took the listening
	 * socket out of its epoll set; it puts it back only when it runs again.
	 * Without its own thread nothing else makes it run: have the loop run it
	 * once more, so a client waiting in the backlog is accepted now.
	 */
	if (gw_loop_current(lp->loop))
		gw_loop_kick(lp->loop);
	if (sk == NULL)
		return;
	if (sk->cur != NULL) {
		/* MHD gave up on the request without completing it: end it here. */
		struct conn *c = sk->cur;

		finish_request(srv, c);
	}
	gw_conn_guard_close(srv->guard, sk->guarded);
	free(sk);
	*socket_context = NULL;
}

static void shut_socket(void *arg, int fd)
{
	(void)arg;
	/* Wakes the worker that owns fd: it reads end-of-file and closes the connection. */
	shutdown(fd, SHUT_RDWR);
}

GW_PRINTF(2, 0) static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	gw_log_warn("http: %s", msg);
}

union addr {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

static enum gw_err parse_address(const char *text, unsigned port, union addr *a, bool *v6)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, &a->v4.sin_addr) == 1) {
		a->v4.sin_family = AF_INET;
		a->v4.sin_port = htons((uint16_t)port);
		*v6 = false;
		return GW_OK;
	}
	if (inet_pton(AF_INET6, text, &a->v6.sin6_addr) == 1) {
		a->v6.sin6_family = AF_INET6;
		a->v6.sin6_port = htons((uint16_t)port);
		*v6 = true;
		return GW_OK;
	}
	return GW_E_CONFIG;
}

/* Makes the listening socket every daemon accepts from; -1 on failure (logged). */
static int make_listener(const union addr *a, bool v6, unsigned *port)
{
	union addr bound;
	socklen_t len = sizeof(bound);
	int one = 1;
	char eb[96];
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* As MHD does for an IPv6 address without MHD_USE_DUAL_STACK. */
	if (v6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, &a->sa, v6 ? sizeof(a->v6) : sizeof(a->v4)) != 0 || listen(fd, 1024) != 0 ||
	    getsockname(fd, &bound.sa, &len) != 0)
		goto fail;
	*port = ntohs(v6 ? bound.v6.sin6_port : bound.v4.sin_port);
	return fd;
fail:
	gw_log_err("http: cannot listen: %s", strerror_r(errno, eb, sizeof(eb)));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The bound port of an inherited socket (0 when it cannot be told). */
static unsigned socket_port(int fd)
{
	union addr bound;
	socklen_t len = sizeof(bound);

	if (getsockname(fd, &bound.sa, &len) != 0)
		return 0;
	if (bound.sa.sa_family == AF_INET6)
		return ntohs(bound.v6.sin6_port);
	return bound.sa.sa_family == AF_INET ? ntohs(bound.v4.sin_port) : 0;
}

static struct MHD_Daemon *start_daemon(struct lp *lp, unsigned limit, bool v6)
{
	struct gw_http_server *srv = lp->srv;
	const struct gw_http_opts *o = &srv->opts;
	/*
	 * External polling: the loop's thread calls MHD_run and nothing else
	 * touches the daemon while the loop runs (quiesce runs as a loop
	 * command), so 0.9.75's quiesce race with its own epoll workers, which
	 * made the old thread pool use poll(), cannot happen.
	 */
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[] = {
		{MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_logger, NULL},
		{MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_cb, lp},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed_cb, lp},
		{MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)connection_cb, lp},
		{MHD_OPTION_CONNECTION_LIMIT, (intptr_t)limit, NULL},
		{MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)o->idle_timeout_s, NULL},
		/*
		 * The request head and the response head share this memory: the
		 * head may use all but GW_HTTP_RESPONSE_RESERVE of it (http_head.c,
		 * 431 beyond), so a request that was acted on always gets its
		 * response. MHD zeroes it for every request: keep it small.
		 */
		{MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)o->max_header_bytes, NULL},
		{MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL},
		{MHD_OPTION_LISTEN_SOCKET, (intptr_t)srv->listen_fd, NULL},
		{MHD_OPTION_END, 0, NULL},
	};

	if (v6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, (uint16_t)srv->port, NULL, NULL, access_cb, srv,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
}

static void loop_run(void *arg)
{
	struct lp *lp = arg;

	gw_http_streams_run(lp);
	MHD_run(lp->daemon);
}

static long loop_timeout(void *arg)
{
	struct lp *lp = arg;
	MHD_UNSIGNED_LONG_LONG t = 0;

	long st = gw_http_streams_timeout(lp);

	if (MHD_get_timeout(lp->daemon, &t) != MHD_YES)
		return st;
	if (st >= 0 && (MHD_UNSIGNED_LONG_LONG)st < t)
		return st;
	return t > 60000 ? 60000 : (long)t;
}

static const struct gw_loop_hooks loop_hooks = {loop_run, loop_timeout};

/* Loop thread (or after the loop stopped): the daemon accepts no more. */
static void quiesce_one(void *arg)
{
	struct lp *lp = arg;

	if (lp->quiesced || lp->daemon == NULL)
		return;
	/* The listening socket is shared: it is closed once, here in the server. */
	(void)MHD_quiesce_daemon(lp->daemon);
	lp->quiesced = true;
	gw_http_streams_drain(lp);
}

static void free_server(struct gw_http_server *srv)
{
	unsigned i;

	for (i = 0; srv->lps != NULL && i < srv->n_loops; i++) {
		struct lp *lp = &srv->lps[i];

		gw_loop_stop(lp->loop);
		quiesce_one(lp);
	}
	for (i = 0; srv->lps != NULL && i < srv->n_loops; i++) {
		struct lp *lp = &srv->lps[i];

		/* No connection may be suspended when the daemon stops: streams end. */
		gw_http_streams_drain(lp);
		/* Before the loop: the streams' ends unwatch their sockets in its epoll set. */
		if (lp->daemon != NULL)
			MHD_stop_daemon(lp->daemon);
		gw_loop_free(lp->loop);
		pthread_mutex_destroy(&lp->slock);
	}
	gw_upstream_free(srv->shared);
	if (srv->own_listen && srv->listen_fd >= 0)
		close(srv->listen_fd);
	gw_conn_guard_free(srv->guard);
	free(srv->lps);
	free(srv);
}

/* Loop i of n: its daemon, in its loop's epoll set. */
static enum gw_err start_loop(struct gw_http_server *srv, struct gw_upstream_group *group,
			      unsigned i, bool v6)
{
	struct lp *lp = &srv->lps[i];
	unsigned n = srv->n_loops;
	unsigned max = srv->opts.max_connections;
	/* MHD's own thread pool splits its limit the same way. */
	unsigned limit = max / n + (i < max % n ? 1u : 0u);
	const union MHD_DaemonInfo *info;
	enum gw_err err;

	lp->srv = srv;
	lp->index = i;
	pthread_mutex_init(&lp->slock, NULL);
	err = gw_loop_new(i, group, srv->shared, &lp->loop);
	if (err != GW_OK)
		return err;
	lp->daemon = start_daemon(lp, limit > 0 ? limit : 1, v6);
	if (lp->daemon == NULL)
		return GW_E_IO;
	info = MHD_get_daemon_info(lp->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL || gw_loop_watch(lp->loop, info->epoll_fd) != GW_OK)
		return GW_E_IO;
	err = gw_loop_start(lp->loop, &loop_hooks, lp);
	if (err == GW_OK && srv->opts.redis != NULL)
		err = gw_loop_redis_start(lp->loop, srv->opts.redis);
	return err;
}

enum gw_err gw_http_server_start(const struct gw_http_opts *opts, struct gw_upstream_group *group,
				 gw_config_get_fn config_get, void *arg,
				 struct gw_http_server **out)
{
	struct gw_http_server *srv;
	union addr a;
	bool v6 = false;
	enum gw_err err = GW_E_IO;
	unsigned i;
	struct gw_conn_guard_opts gopts = {
		.max_connections = opts->max_connections,
		.reserve = opts->connection_reserve,
		.per_ip = opts->per_ip_connections,
		.header_timeout_ms = (uint64_t)opts->header_timeout_s * 1000u,
		.idle_timeout_ms = (uint64_t)opts->idle_timeout_s * 1000u,
		.shut = shut_socket,
		.shut_arg = NULL,
	};

	if (opts->listen_fd < 0 && parse_address(opts->address, opts->port, &a, &v6) != GW_OK) {
		gw_log_err("listen.address '%s' is not a numeric IPv4 or IPv6 address",
			   opts->address);
		return GW_E_CONFIG;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return GW_E_NOMEM;
	srv->config_get = config_get;
	srv->config_arg = arg;
	srv->opts = *opts;
	srv->n_loops = opts->threads > 0 ? opts->threads : 1;
	srv->listen_fd = opts->listen_fd;
	if (opts->listen_fd >= 0) {
		srv->port = socket_port(opts->listen_fd);
	} else {
		srv->listen_fd = make_listener(&a, v6, &srv->port);
		srv->own_listen = srv->listen_fd >= 0;
	}
	srv->lps = calloc(srv->n_loops, sizeof(*srv->lps));
	srv->guard = gw_conn_guard_new(&gopts);
	if (srv->listen_fd < 0 || srv->lps == NULL || srv->guard == NULL)
		goto fail;
	if (opts->shared_pool && group != NULL &&
	    gw_upstream_new_threaded(group, &srv->shared) != GW_OK)
		goto fail;
	for (i = 0; i < srv->n_loops; i++) {
		err = start_loop(srv, group, i, v6);
		if (err != GW_OK)
			goto fail;
	}
	err = gw_conn_guard_start_sweeper(srv->guard);
	if (err != GW_OK)
		goto fail;
	*out = srv;
	return GW_OK;
fail:
	gw_log_err("cannot listen on %s port %u", opts->address != NULL ? opts->address : "fd",
		   opts->port);
	if (srv->lps == NULL)
		srv->n_loops = 0;
	free_server(srv);
	return err != GW_OK ? err : GW_E_IO;
}

unsigned gw_http_server_port(const struct gw_http_server *srv)
{
	return srv->port;
}

void gw_http_server_quiesce(struct gw_http_server *srv)
{
	unsigned i;

	if (atomic_exchange(&srv->draining, true))
		return;
	for (i = 0; i < srv->n_loops; i++)
		gw_loop_call(srv->lps[i].loop, quiesce_one, &srv->lps[i]);
	/*
	 * Our own listen socket is closed at once, so new clients are refused
	 * instead of waiting in the backlog of a server that is going away. A
	 * socket systemd passed stays open: its queue belongs to the next
	 * instance (zero-downtime restart).
	 */
	if (srv->own_listen) {
		close(srv->listen_fd);
		srv->listen_fd = -1;
		srv->own_listen = false;
	}
	/*
	 * Connections that wait for a request (idle keep-alive, or a head
	 * still arriving) have nothing to finish: end them now, so a drain
	 * waits only for requests in progress.
	 */
	gw_conn_guard_shut_waiting(srv->guard);
}

void gw_http_server_conn_stats(struct gw_http_server *srv, struct gw_conn_guard_stats *out)
{
	gw_conn_guard_stats(srv->guard, out);
}

unsigned gw_http_server_active(const struct gw_http_server *srv)
{
	return atomic_load(&srv->active);
}

void gw_http_server_loop_stats(struct gw_http_server *srv, struct gw_http_loop_stats *out,
			       unsigned *n)
{
	unsigned i;

	for (i = 0; i < srv->n_loops && i < *n; i++) {
		out[i].requests = atomic_load(&srv->lps[i].requests);
		out[i].local_done = atomic_load(&srv->lps[i].local_done);
		out[i].foreign_done = atomic_load(&srv->lps[i].foreign_done);
	}
	*n = i;
}

void gw_http_server_stop(struct gw_http_server *srv)
{
	if (srv == NULL)
		return;
	gw_conn_guard_stop_sweeper(srv->guard);
	gw_http_server_cancel_calls(srv);
	free_server(srv);
}

void gw_http_server_cancel_calls(struct gw_http_server *srv)
{
	unsigned i;

	if (srv->calls_cancelled)
		return;
	srv->calls_cancelled = true;
	for (i = 0; i < srv->n_loops; i++)
		gw_loop_drop_upstream(srv->lps[i].loop);
	/* The shared pool's thread resumes its requests; their loops answer them. */
	gw_upstream_free(srv->shared);
	srv->shared = NULL;
}
