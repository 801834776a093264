/*
 * http_server.h - libmicrohttpd glue (microhttpd.h is included by
 * http_server.c only): requests in, responses out, client-side limits,
 * suspend/resume around BBB calls, quiesce and drain.
 *
 * Threads: a worker pool (poll(); see http_server.c) parses, authenticates and validates;
 * a request that needs BBB is suspended and handed to the upstream
 * thread; on completion it is resumed and converted on a worker. No
 * worker ever waits for BBB.
 */
#ifndef GW_HTTP_SERVER_H
#define GW_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"
#include "err.h"

struct gw_config;
struct gw_services;
struct gw_upstream;
struct gw_http_server;

/* Returns a new reference to the configuration a new request should use. */
typedef struct gw_config *(*gw_config_get_fn)(void *arg);

struct gw_http_opts {
	const char *address;   /* numeric IPv4 or IPv6 address */
	unsigned port;         /* 0 = pick a free port */
	unsigned threads;      /* worker threads, >= 1 */
	unsigned max_connections;
	unsigned per_ip_connections; /* 0 = unlimited */
	unsigned connection_reserve; /* connections kept free for new clients (conn_guard.h) */
	unsigned idle_timeout_s;
	unsigned header_timeout_s;   /* request line + headers must arrive within; 0 = none */
	size_t max_header_bytes;     /* request line + headers (431 beyond) */
	size_t max_body_bytes;       /* JSON bodies */
	size_t max_upload_bytes;     /* routes that take a file upload */
	unsigned max_inflight;       /* requests waiting on BBB at once */
	int listen_fd;               /* an inherited listening socket, or -1 */
	const struct gw_services *svc; /* borrowed; handed to every request */
};

/*
 * Starts listening. up and config_get are borrowed and must outlive the
 * server. out is written on success; stop with gw_http_server_stop.
 */
enum gw_err gw_http_server_start(const struct gw_http_opts *opts, struct gw_upstream *up,
				 gw_config_get_fn config_get, void *arg,
				 struct gw_http_server **out) GW_WUR;

/* The port actually bound. */
unsigned gw_http_server_port(const struct gw_http_server *srv);

/*
 * Stops accepting new connections (the listen socket stays open until
 * stop) and marks the server draining: /readyz answers 503 and responses
 * carry Connection: close.
 */
void gw_http_server_quiesce(struct gw_http_server *srv);

struct gw_conn_guard_stats;

/* The connection guard's counters (conn_guard.h). */
void gw_http_server_conn_stats(struct gw_http_server *srv, struct gw_conn_guard_stats *out);

/* Requests accepted and not yet completed. */
unsigned gw_http_server_active(const struct gw_http_server *srv);

/*
 * Stops handing calls to the upstream: once this returns no thread is
 * inside gw_upstream_submit and later requests that need BBB get 503, so
 * the upstream may be freed.
 */
void gw_http_server_detach_upstream(struct gw_http_server *srv);

/*
 * Stops the daemon and frees the server. Every request waiting on BBB
 * must have been resumed first (free the upstream before, which
 * completes all its calls). NULL is fine.
 */
void gw_http_server_stop(struct gw_http_server *srv);

#endif
