/*
 * http_server_int.h - private to the HTTP server (http_server.c,
 * http_intake.c): the server, its loops, and a connection and request as
 * libmicrohttpd hands them over. microhttpd.h is included here only.
 */
#ifndef GW_HTTP_SERVER_INT_H
#define GW_HTTP_SERVER_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "ev.h"
#include "http_server.h"
#include "request.h"

struct gw_http_server;

/* One event loop's share of the server: its daemon and counters. */
struct lp {
	struct gw_http_server *srv;
	struct MHD_Daemon *daemon;
	struct gw_loop *loop;
	unsigned index;
	bool quiesced;             /* loop thread, then the stopping thread after the join */
	atomic_ulong requests;     /* requests this loop accepted */
	atomic_ulong local_done;   /* exchanges done on this loop's thread */
	atomic_ulong foreign_done; /* exchanges done on another thread */
	/* the loop's event streams (http_stream.c) */
	struct conn *streams;  /* loop thread: every open stream */
	uint64_t next_tick_ms; /* loop thread: the next look at waiting streams */
	pthread_mutex_t slock; /* guards pending and the streams' queued flags */
	struct conn *pending;  /* slock: streams that have something to send */
	atomic_uint n_streams; /* open streams on this loop */
};

struct gw_http_server {
	struct lp *lps;
	unsigned n_loops;
	struct gw_upstream *shared; /* the one threaded pool with opts.shared_pool, else NULL */
	bool calls_cancelled;
	int listen_fd;   /* shared by every daemon */
	bool own_listen; /* made here, not inherited: closed here */
	gw_config_get_fn config_get;
	void *config_arg;
	struct gw_http_opts opts;
	unsigned port;
	atomic_bool draining;
	atomic_uint active;          /* requests between URI callback and completion */
	atomic_uint inflight;        /* requests whose asynchronous work runs */
	struct gw_conn_guard *guard; /* its own thread ends connections past their deadline */
};

/*
 * Per TCP connection (MHD's socket context): its entry in the guard and
 * the request it is processing, if any. The request pointer lets the
 * close notification free a request MHD dropped without completing it
 * (0.9.75 does so when a request head overflows the connection's memory).
 */
struct sock {
	struct gw_conn *guarded;
	struct conn *cur;
};

enum conn_state { ST_HEADERS, ST_BODY, ST_WAITING, ST_DONE, ST_RESPONDED };

struct conn {
	struct gw_http_server *srv;
	struct lp *lp;
	struct MHD_Connection *mc;
	struct sock *sock; /* NULL when the connection is not tracked (OOM) */
	struct gw_exchange *x;
	enum conn_state state;
	char *raw_query; /* in the exchange's arena */
	struct gw_buf body;
	bool body_too_large;
	unsigned long long body_seen; /* body bytes received, kept or not */
	bool close;
	struct timespec start;
	unsigned long long bytes_out;
	struct stream *stream; /* an event stream's transport state, or NULL */
};

/* An event stream's transport state (http_stream.c); loop thread unless marked. */
struct stream {
	struct conn *c;
	struct gw_buf out;   /* bytes the stream gave and MHD has not taken yet */
	size_t off;          /* of out, already taken */
	int fd;              /* the connection's socket */
	struct gw_ev hangup; /* watched while suspended */
	bool watched;        /* fd is in the loop's epoll set */
	bool suspended;      /* MHD_suspend_connection called, no resume yet */
	bool over;           /* the stream ended: send out, then end the response */
	bool gone;           /* the client hung up: end with an error */
	enum gw_stream_end why;
	uint64_t want_ms;          /* when MHD last asked for bytes or the stream last woke */
	bool queued;               /* slock: on lp->pending */
	struct conn *pending_next; /* slock */
	struct conn *prev, *next;  /* lp->streams */
};

/* http_server.c: the headers every response carries. */
void gw_http_add_common_headers(struct conn *c, struct MHD_Response *r);

/* http_stream.c: the event-stream transport. */
enum MHD_Result gw_http_stream_respond(struct conn *c);
void gw_http_stream_finish(struct conn *c);
void gw_http_streams_run(struct lp *lp);
long gw_http_streams_timeout(struct lp *lp);
void gw_http_streams_drain(struct lp *lp);
void gw_http_stream_ready(void *arg);

/*
 * The request head is in: collects the selected headers, refuses heads
 * libmicrohttpd let through, does the size and query checks, routes the
 * request, then authentication, scope and rate limit, all before any body
 * byte is read. True when a response was written (http_intake.c).
 */
bool gw_http_intake_head(struct conn *c, const char *method, const char *version);

#endif
