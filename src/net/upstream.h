/*
 * upstream.h - calls to BBB over a pool of kept-alive connections.
 *
 * One thread owns one curl multi handle (and so the connection cache, DNS
 * cache and TLS sessions); other threads submit calls through a locked
 * queue and curl_multi_wakeup(). No CURL pointer leaves upstream.c.
 *
 * A call's completion callback runs on the upstream thread; it must not
 * block (the HTTP server's callback only resumes a suspended connection).
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

typedef void (*gw_upstream_done_fn)(struct gw_upstream_call *call, void *arg);

struct gw_upstream_opts {
	unsigned connect_timeout_ms; /* CURLOPT_CONNECTTIMEOUT_MS */
	unsigned max_host_connections; /* CURLMOPT_MAX_HOST_CONNECTIONS (bulkhead) */
	unsigned maxage_conn_s;      /* CURLOPT_MAXAGE_CONN; 0 = 60 */
	bool retry;                  /* retry once where safe (see gw_upstream_call.idempotent) */
	unsigned breaker_failures;   /* consecutive failures that open the breaker; 0 = off */
	unsigned breaker_cooldown_ms;     /* first open period */
	unsigned breaker_max_cooldown_ms; /* the period doubles up to this */
};

/*
 * An optional receiver of a reply's body as it arrives, so a caller can
 * work on a large reply without holding it whole. The transport never
 * looks at the bytes. The three functions run on the upstream thread and
 * must not block.
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
	const char *url;          /* full signed URL, sent byte for byte */
	bool post;                /* POST with body, else GET */
	const char *body;         /* POST body, may be NULL for an empty body */
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
	size_t max_reply_bytes;   /* reply cap, enforced while receiving (sink or buffer) */
	const struct gw_upstream_sink *sink; /* optional (borrowed until done runs); NULL = buffer */
	gw_upstream_done_fn done;
	void *arg;

	/* result (written before done runs) */
	enum gw_err result;   /* GW_OK, or GW_E_UPSTREAM_* / GW_E_NOMEM / GW_E_UNAVAILABLE */
	long http_status;     /* 0 when no HTTP response arrived */
	struct gw_buf reply;  /* the reply body, unless sunk; the caller deinits it */
	bool sunk;            /* the last attempt's body went to the sink */
	bool sink_failed;     /* result is the error the sink's data returned */
	char *reply_content_type; /* owned (free()); NULL if none */
	double total_ms;      /* wall time from submit to done */
	double started_ms;    /* CLOCK_MONOTONIC ms at submit; 0 until submitted */
	unsigned retries;     /* attempts after the first */
	unsigned retry_after_s; /* with GW_E_CIRCUIT_OPEN: when to try again */

	/* private to upstream.c */
	void *priv_easy;
	struct gw_upstream_call *priv_next;
	bool priv_probe;   /* the breaker's half-open probe */
	double priv_due;   /* monotonic ms a delayed retry starts */
};

/* Process-wide libcurl initialisation; call once in main before any thread starts. */
enum gw_err gw_upstream_global_init(void) GW_WUR;

/* Process-wide cleanup; call once at exit after every upstream is freed. */
void gw_upstream_global_cleanup(void);

/* Starts the upstream thread. out written on success; free with gw_upstream_free. */
enum gw_err gw_upstream_new(const struct gw_upstream_opts *opts, struct gw_upstream **out) GW_WUR;

/*
 * Queues a call. On GW_OK, done(call, arg) will run exactly once on the
 * upstream thread. On error done is not called: GW_E_UNAVAILABLE while
 * stopping, GW_E_CIRCUIT_OPEN while the breaker is open (retry_after_s
 * set), GW_E_INTERNAL for a malformed call.
 */
enum gw_err gw_upstream_submit(struct gw_upstream *up, struct gw_upstream_call *call) GW_WUR;

/* Prepares call's result fields (call before filling and submitting). */
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
 * Stops the thread: every queued or running call completes with
 * GW_E_UNAVAILABLE (done still runs once), then frees everything. NULL ok.
 */
void gw_upstream_free(struct gw_upstream *up);

/*
 * One blocking GET of url with a timeout, outside any upstream thread (for
 * `bbb-gateway --healthcheck`). Writes the HTTP status to *status.
 */
enum gw_err gw_upstream_probe(const char *url, unsigned timeout_ms, long *status) GW_WUR;

/* True while the circuit breaker is open (calls fail fast). */
bool gw_upstream_breaker_open(struct gw_upstream *up);

/* Number of TCP connections curl opened so far (for tests and metrics). */
unsigned long gw_upstream_connects(struct gw_upstream *up);

#endif
