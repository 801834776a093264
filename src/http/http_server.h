/*
 * http_server.h - libmicrohttpd glue (microhttpd.h is included by the
 * server's own files only: http_server.c, http_intake.c,
 * http_server_int.h): requests in, responses out, client-side limits,
 * suspend/resume around BBB calls, quiesce and drain.
 *
 * Threads: `threads` event loops (loop.h), each a thread with its own
 * MHD daemon (external polling, epoll) and its own upstream pool in one
 * epoll set; all accept from one shared listening socket. A request is
 * parsed, authenticated, validated, sent to BBB, converted and answered
 * on the loop that accepted it: a request whose exchange is left pending
 * is suspended, its work (a BBB call on the loop's pool) completes on the
 * same thread, and the daemon runs again in the same iteration to answer
 * it. No loop ever waits for BBB. The connection guard's sweeper thread
 * only shuts sockets down.
 */
#ifndef GW_HTTP_SERVER_H
#define GW_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"
#include "err.h"

struct gw_config;
struct gw_services;
struct gw_upstream_group;
struct gw_http_server;

/* Returns a new reference to the configuration a new request should use. */
struct gw_redis_opts;

typedef struct gw_config *(*gw_config_get_fn)(void *arg);

struct gw_http_opts {
	const char *address;         /* numeric IPv4 or IPv6 address */
	unsigned port;               /* 0 = pick a free port */
	unsigned threads;            /* event loops (threads), >= 1 */
	unsigned max_connections;    /* split across the loops' daemons */
	unsigned per_ip_connections; /* 0 = unlimited */
	unsigned connection_reserve; /* connections kept free for new clients (conn_guard.h) */
	unsigned idle_timeout_s;
	unsigned header_timeout_s;     /* request line + headers must arrive within; 0 = none */
	size_t max_header_bytes;       /* request line + headers (431 beyond) */
	size_t max_body_bytes;         /* JSON bodies */
	size_t max_upload_bytes;       /* routes that take a file upload */
	size_t max_form_bytes;         /* routes that take a form (webhook callbacks) */
	unsigned max_inflight;         /* requests waiting on BBB at once, all loops together */
	int listen_fd;                 /* an inherited listening socket, or -1 */
	const struct gw_services *svc; /* borrowed; handed to every request */
	/*
	 * One upstream pool on a thread of its own for every loop (a hand-off
	 * per call, as before the loops), instead of one pool per loop. For
	 * comparison only (bench/).
	 */
	bool shared_pool;
	/* state.redis: a client in each loop (redis.h; borrowed for the start); NULL = none */
	const struct gw_redis_opts *redis;
};

/* What each loop did (tests and diagnostics). */
struct gw_http_loop_stats {
	unsigned long requests;     /* requests it accepted */
	unsigned long local_done;   /* asynchronous exchanges that ended on its own thread */
	unsigned long foreign_done; /* ... that ended on another thread */
};

/*
 * Starts listening: makes the listening socket (or takes opts->listen_fd)
 * and starts the loops, each with a pool of group (borrowed; NULL = no
 * upstream: requests that need BBB get 503). group and config_get must
 * outlive the server. out is written on success; stop with
 * gw_http_server_stop.
 */
enum gw_err gw_http_server_start(const struct gw_http_opts *opts, struct gw_upstream_group *group,
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
 * Ends every BBB call in flight with GW_E_UNAVAILABLE (each completes once,
 * on its loop, and its request is answered 503) and frees the loops'
 * pools; later requests that need BBB get 503. Idempotent.
 */
void gw_http_server_cancel_calls(struct gw_http_server *srv);

/* Fills out[0..*n) with each loop's counters; *n becomes the number of loops written. */
void gw_http_server_loop_stats(struct gw_http_server *srv, struct gw_http_loop_stats *out,
			       unsigned *n);

/*
 * Cancels what is still in flight (gw_http_server_cancel_calls), stops the
 * loops and daemons and frees the server. NULL is fine.
 */
void gw_http_server_stop(struct gw_http_server *srv);

#endif
