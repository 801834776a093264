/*
 * upstream.h - calls to BBB over pools of kept-alive connections.
 *
 * A pool is one curl multi handle (its connection cache) driven through an
 * epoll set. Either it lives in an event loop's epoll set and is used only
 * on that loop's thread (gw_upstream_new_on: submit, completion and done()
 * all run there, with no hand-off), or it runs a thread of its own that
 * other threads submit to (gw_upstream_new, gw_upstream_new_threaded;
 * done() then runs on that thread). The pools of one gateway belong to a
 * group that holds what they share: a circuit breaker, the connect
 * counter, the DNS cache and TLS sessions. No CURL pointer leaves the
 * module's files (upstream.c, upstream_pool.c, upstream_probe.c).
 *
 * Several BBB servers: a pool's connection caps count per host and port
 * (CURLMOPT_MAX_HOST_CONNECTIONS), so each server gets its own connections
 * in every pool, up to the pool's share of the bulkhead each, and a call
 * never waits for another server's connections. The cache of idle
 * connections (CURLMOPT_MAXCONNECTS) is the pool's, sized for one server's
 * share: with several servers, fewer of them stay kept alive.
 * Each server's calls name its lane, a breaker of its own, so that a
 * failing server does not stop the calls to the others; a call without a
 * lane answers to its group's breaker.
 *
 * done() must not block: it runs on the thread that drives the pool.
 */
#ifndef GW_UPSTREAM_H
#define GW_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"

struct gw_upstream;
struct gw_upstream_call;
struct gw_upstream_group;
struct gw_upstream_lane;

typedef void (*gw_upstream_done_fn)(struct gw_upstream_call *call, void *arg);

struct gw_upstream_opts {
	unsigned connect_timeout_ms; /* CURLOPT_CONNECTTIMEOUT_MS */
	/*
	 * The bulkhead: connections to one BBB server at once, all pools
	 * together. Each of a group's n pools gets max/n (the remainder to the
	 * first ones, at least 1) as its CURLMOPT_MAX_HOST_CONNECTIONS, which
	 * curl counts per host and port. 0 = unlimited.
	 */
	unsigned max_host_connections;
	unsigned maxage_conn_s;       /* CURLOPT_MAXAGE_CONN; 0 = 60 */
	bool retry;                   /* retry once where safe (see gw_upstream_call.idempotent) */
	unsigned breaker_failures;    /* consecutive failures that open the breaker; 0 = off */
	unsigned breaker_cooldown_ms; /* first open period */
	unsigned breaker_max_cooldown_ms; /* the period doubles up to this */
};

/*
 * An optional receiver of a reply's body as it arrives, so a caller can
 * work on a large reply without holding it whole. The transport never
 * looks at the bytes. The three functions run on the thread that drives
 * the call's pool (the event loop's, or the shared pool's own) and must
 * not block.
 */
struct gw_upstream_sink {
	/*
	 * Before an attempt's first body byte, once its head is read: the HTTP
	 * status and Content-Type (borrowed, may be NULL). true takes the body
	 * (data receives it, call->reply stays empty); false has it buffered in
	 * call->reply as without a sink. Not called for an empty body.
	 */
	bool (*begin)(void *arg, long http_status, const char *content_type);
	/*
	 * The next n bytes (borrowed). Anything but GW_OK aborts the transfer:
	 * the call completes with that error and sink_failed set, is not
	 * retried, and the breaker counts the transport as healthy.
	 */
	enum gw_err (*data)(void *arg, const char *p, size_t n);
	/* The attempt begin accepted is dropped (a retry follows): forget its bytes. */
	void (*reset)(void *arg);
	void *arg;
};

/* One BBB call. The caller owns the struct; fill the request part, submit. */
struct gw_upstream_call {
	/* request (borrowed until done runs) */
	const char *url;  /* full signed URL, sent byte for byte */
	bool post;        /* POST with body, else GET */
	const char *body; /* POST body, may be NULL for an empty body */
	size_t body_len;
	const char *content_type; /* POST Content-Type, e.g. "application/xml" */
	const char *accept;       /* Accept header; NULL = "application/xml" */
	unsigned timeout_ms;      /* whole call, including the queue wait and a retry */
	/*
	 * Safe to send twice (read-only, or idempotent like create): may be
	 * retried once after a reset, an unreadable reply or HTTP 502/503/504.
	 * Any call is retried once when the connection could not be made.
	 */
	bool idempotent;
	/*
	 * Not a call to BBB (a callback to a client's URL): the circuit breaker
	 * neither stops nor counts it, and it is never retried.
	 */
	bool outside;
	/*
	 * The breaker the call answers to: its BBB server's lane (borrowed: the
	 * caller keeps a reference until done runs), or NULL for the group's.
	 * gw_upstream_call_init clears it; set it after init, before submit.
	 */
	struct gw_upstream_lane *lane;
	size_t max_reply_bytes; /* reply cap, enforced while receiving (sink or buffer) */
	const struct gw_upstream_sink *sink; /* optional (borrowed until done runs); NULL = buffer */
	gw_upstream_done_fn done;
	void *arg;

	/* result (written before done runs) */
	enum gw_err result;       /* GW_OK, or GW_E_UPSTREAM_* / GW_E_NOMEM / GW_E_UNAVAILABLE */
	long http_status;         /* 0 when no HTTP response arrived */
	struct gw_buf reply;      /* the reply body, unless sunk; the caller deinits it */
	bool sunk;                /* the last attempt's body went to the sink */
	bool sink_failed;         /* result is the error the sink's data returned */
	char *reply_content_type; /* owned (free()); NULL if none */
	double total_ms;          /* wall time from submit to done */
	double started_ms;        /* CLOCK_MONOTONIC ms at submit; 0 until submitted */
	unsigned retries;         /* attempts after the first */
	unsigned retry_after_s;   /* with GW_E_CIRCUIT_OPEN: when to try again */

	/* private to the upstream module (upstream*.c) */
	void *priv_easy;
	struct gw_upstream_call *priv_next;
	bool priv_probe; /* the breaker's half-open probe */
	double priv_due; /* monotonic ms a delayed retry starts */
};

/* Process-wide libcurl initialisation; call once in main before any thread starts. */
enum gw_err gw_upstream_global_init(void) GW_WUR;

/* Process-wide cleanup; call once at exit after every upstream is freed. */
void gw_upstream_global_cleanup(void);

/*
 * The shared part of n_pools pools: breaker, connect counter, DNS and TLS
 * session cache. opts is copied. Free with gw_upstream_group_free after
 * every pool of the group.
 */
enum gw_err gw_upstream_group_new(const struct gw_upstream_opts *opts, unsigned n_pools,
				  struct gw_upstream_group **out) GW_WUR;

/* NULL is fine. */
void gw_upstream_group_free(struct gw_upstream_group *g);

/* True while the group's circuit breaker is open (calls fail fast). Any thread. */
bool gw_upstream_group_breaker_open(struct gw_upstream_group *g);

/* TCP connections the group's pools opened so far. Any thread. */
unsigned long gw_upstream_group_connects(struct gw_upstream_group *g);

/*
 * A lane: the circuit breaker of one BBB server, for the calls that name
 * it (gw_upstream_call.lane) on any pool of any group, from
 * opts->breaker_failures, breaker_cooldown_ms and breaker_max_cooldown_ms
 * (opts is not kept). One reference, the caller's: drop it with
 * gw_upstream_lane_unref. A lane may outlive the pools that used it; a
 * pool takes no reference of its own, so the caller keeps one for each
 * call until its done runs.
 */
enum gw_err gw_upstream_lane_new(const struct gw_upstream_opts *opts,
				 struct gw_upstream_lane **out) GW_WUR;

/* Takes a reference; returns lane. Any thread; NULL is fine. */
struct gw_upstream_lane *gw_upstream_lane_ref(struct gw_upstream_lane *lane);

/* Drops a reference, freeing the lane on the last. Any thread; NULL is fine. */
void gw_upstream_lane_unref(struct gw_upstream_lane *lane);

/* True while the lane's breaker is open (its calls fail fast). Any thread. */
bool gw_upstream_lane_breaker_open(struct gw_upstream_lane *lane);

/* How many times the lane's breaker opened so far (for metrics). Any thread. */
unsigned long gw_upstream_lane_opened(struct gw_upstream_lane *lane);

/*
 * Pool number index of the group, living in the epoll set epfd (borrowed;
 * must outlive the pool). Its sockets are added to epfd with a struct
 * gw_ev (ev.h) as their data; the owner of epfd calls its fn for their
 * events, and calls gw_upstream_run_timers after each batch of events and
 * whenever it may have submitted calls, sleeping no longer than
 * gw_upstream_timeout_ms. Everything but the group's counters is for the
 * thread that drives epfd only. Free with gw_upstream_free on that thread.
 */
enum gw_err gw_upstream_new_on(struct gw_upstream_group *g, int epfd, unsigned index,
			       struct gw_upstream **out) GW_WUR;

/* Milliseconds until the pool needs gw_upstream_run_timers; -1 = no timer. */
long gw_upstream_timeout_ms(const struct gw_upstream *up);

/* Runs what is due: curl's timeouts, call deadlines, delayed retries. */
void gw_upstream_run_timers(struct gw_upstream *up);

/*
 * A pool of the group with a thread of its own (the whole bulkhead), fed
 * by any thread through a locked queue and an eventfd.
 */
enum gw_err gw_upstream_new_threaded(struct gw_upstream_group *g, struct gw_upstream **out) GW_WUR;

/* A threaded pool with a group of its own (freed with it). */
enum gw_err gw_upstream_new(const struct gw_upstream_opts *opts, struct gw_upstream **out) GW_WUR;

/*
 * Starts a call: on a pool of a loop, from that loop's thread, the transfer
 * starts at once; a threaded pool queues it. On GW_OK, done(call, arg) will
 * run exactly once on the pool's thread (rarely before this returns, when
 * the call cannot even start). On error done is not called:
 * GW_E_UNAVAILABLE while stopping, GW_E_CIRCUIT_OPEN while the call's
 * breaker (its lane's, else the group's) is open (retry_after_s set),
 * GW_E_INTERNAL for a malformed call.
 */
enum gw_err gw_upstream_submit(struct gw_upstream *up, struct gw_upstream_call *call) GW_WUR;

/* Prepares call's result fields and clears its lane (call before filling and submitting). */
void gw_upstream_call_init(struct gw_upstream_call *call);

/*
 * The end of call's whole budget (timeout_ms from its submit) in
 * CLOCK_MONOTONIC milliseconds, for work that follows the transfer such as
 * reading the reply; 0 (no deadline) for a call never submitted.
 */
uint64_t gw_upstream_deadline_ms(const struct gw_upstream_call *call);

/* Releases call's result fields (reply, reply_content_type). */
void gw_upstream_call_deinit(struct gw_upstream_call *call);

/*
 * Every queued or running call completes with GW_E_UNAVAILABLE (done still
 * runs once; a call submitted from a done() then is refused), then frees
 * the pool. A threaded pool's thread is stopped; a loop's pool must be
 * freed on its loop's thread. NULL ok.
 */
void gw_upstream_free(struct gw_upstream *up);

/*
 * One blocking GET of url with a timeout, outside any upstream thread (for
 * `bbb-gateway --healthcheck`). Writes the HTTP status to *status.
 */
enum gw_err gw_upstream_probe(const char *url, unsigned timeout_ms, long *status) GW_WUR;

/* True while the circuit breaker of up's group is open (calls fail fast). */
bool gw_upstream_breaker_open(struct gw_upstream *up);

/* TCP connections up's group opened so far (for tests and metrics). */
unsigned long gw_upstream_connects(struct gw_upstream *up);

#endif
