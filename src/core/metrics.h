/*
 * metrics.h - process-wide counters, gauges and histograms, rendered in the
 * Prometheus text exposition format 0.0.4 for GET /metrics.
 *
 * Every update is a relaxed atomic add on a slot chosen from fixed tables:
 * no lock, no allocation, no string copied. Label values come only from
 * those tables (route templates, method names, status codes, BBB call
 * labels given at creation, outcome words), so nothing a client or BBB
 * sends (paths, query strings, tokens, secrets) can ever reach a label. A
 * name that is not in a table is counted as "other".
 *
 * Every update function accepts m == NULL and then does nothing, so code
 * under test may run without metrics.
 */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"
#include "gw_limits.h"

struct gw_metrics;

/* The route label of requests that matched no route (and of route_index >= n_routes). */
#define GW_METRICS_UNMATCHED "(unmatched)"

/*
 * Creates the metrics of one process. routes[0..n_routes-1] are the route
 * templates ("/v1/meetings/{meetingID}"; non-NULL, never "(unmatched)");
 * the strings are copied, so the array is borrowed for the call only
 * (routes may be NULL when n_routes is 0). A template may repeat (one
 * pattern with several methods): its indexes then share one series.
 * calls[0..n_calls-1] are the BBB call labels (distinct; "other" is added
 * last), rendered in that order; the array is borrowed for the call only,
 * the strings for m's lifetime (static: the BBB call table's labels). The
 * start time (process_start_time_seconds) is taken now. Returns NULL on
 * OOM. Free with gw_metrics_free.
 */
struct gw_metrics *gw_metrics_new(const char *const *routes, size_t n_routes,
				  const char *const *calls, size_t n_calls);

/* Frees m. NULL is fine. No other thread may still update m. */
void gw_metrics_free(struct gw_metrics *m);

/*
 * Counts one finished client request: bbb_gateway_http_requests_total
 * {route,method,status} and bbb_gateway_http_request_duration_seconds
 * {route}. route_index is the position in the routes given to
 * gw_metrics_new; n_routes (or anything larger) means unmatched. method is
 * the request method name (borrowed, may be NULL): GET HEAD POST PUT PATCH
 * DELETE OPTIONS, anything else counts as "other". A status outside the
 * fixed set (see gw_metrics_render) counts as "other". seconds < 0 or NaN
 * counts as 0.
 */
void gw_metrics_request(struct gw_metrics *m, size_t route_index, const char *method, int status,
			double seconds);

/*
 * Counts one finished BBB call: bbb_gateway_upstream_requests_total
 * {call,outcome} and bbb_gateway_upstream_duration_seconds{call}. call is
 * the BBB call name ("getMeetingInfo", "hooks/create"; borrowed); a name
 * outside the known list counts as "other". outcome is one of "ok",
 * "timeout", "connect", "bad_reply", "too_large", "http", "unavailable"
 * (borrowed); anything else counts as "other".
 */
void gw_metrics_upstream(struct gw_metrics *m, const char *call, const char *outcome,
			 double seconds);

/*
 * The outcome word of a finished BBB call, from its transport result and
 * HTTP status (struct gw_upstream_call .result and .http_status): a result
 * other than GW_OK maps GW_E_UPSTREAM_TIMEOUT "timeout",
 * GW_E_UPSTREAM_CONNECT "connect", GW_E_UPSTREAM_BAD_REPLY "bad_reply",
 * GW_E_UPSTREAM_TOO_LARGE "too_large", GW_E_UPSTREAM_HTTP "http",
 * GW_E_UNAVAILABLE "unavailable", anything else "other"; GW_OK with a
 * non-2xx status is "http"; GW_OK with 2xx is "ok" (whatever BBB's
 * returncode). A 2xx reply that then fails to parse is the caller's to
 * count as "bad_reply". A static string.
 */
const char *gw_metrics_outcome(enum gw_err result, long http_status);

/* Adds delta to bbb_gateway_upstream_inflight (BBB calls submitted and not yet done). */
void gw_metrics_inflight_add(struct gw_metrics *m, int delta);

/* Counts one configuration reload: bbb_gateway_config_reloads_total{result="ok"|"failed"}. */
void gw_metrics_reload(struct gw_metrics *m, bool ok);

/* Sets bbb_gateway_draining to 1 (draining after SIGTERM/SIGINT) or 0. */
void gw_metrics_set_draining(struct gw_metrics *m, bool draining);

/*
 * Values owned by other modules, sampled by the caller at render time. A
 * negative value leaves its series out.
 */
struct gw_metrics_extra {
	long long http_active;       /* bbb_gateway_http_requests_in_flight (gauge) */
	long long upstream_open;     /* bbb_gateway_upstream_connections_open (gauge) */
	long long upstream_connects; /* bbb_gateway_upstream_connections_opened_total */
	long long circuit_open;      /* bbb_gateway_upstream_circuit_open (gauge, 0/1) */
	long long conn_open;         /* bbb_gateway_http_connections_open (gauge) */
	/* bbb_gateway_http_connections_ended_total{reason}: the connection guard's doing */
	long long conn_header_timeout;
	long long conn_displaced;
	long long conn_refused;
	/* bbb_gateway_jwt_cache_lookups_total{result}: browser tokens found verified, or verified anew */
	long long jwt_cache_hits;
	long long jwt_cache_misses;
	/* live events: bbb_gateway_events_received_total, _dropped_total, callbacks refused */
	long long events_received;
	long long events_dropped;
	long long callbacks_refused;
	/*
	 * By event type (with events_received >= 0): n_event_types names label
	 * bbb_gateway_events_received_total{type} (events_in) and
	 * bbb_gateway_events_sent_total{type} (deliveries to streams, events_out).
	 */
	const char *const *event_types;
	size_t n_event_types;
	long long events_in[GW_MAX_EVENT_TYPES];
	long long events_out[GW_MAX_EVENT_TYPES];
	/* the event streams: open now, opened, refused{reason}, closed{reason} */
	long long streams_open;
	long long streams_opened;
	long long streams_refused[2]; /* max_streams, per_token */
	long long streams_closed[5];  /* client, overflow, stalled, revoked, drain */
	/* the fleet: bbb_gateway_server_*{server} for n_servers servers */
	size_t n_servers;
	struct gw_metrics_server {
		const char *name;  /* [A-Za-z0-9._-]{1,64}, borrowed */
		const char *state; /* "enabled", "cordoned" or "disabled" */
		bool healthy;
		long long meetings;     /* in its last poll */
		long long users;        /* in its last poll */
		long long placed;       /* meetings the map sends to it */
		long long failed_polls; /* in a row */
		double load;
		bool circuit_open; /* its own breaker is open (its calls fail fast) */
	} servers[GW_MAX_SERVERS];
};

/*
 * Appends the exposition text of every metric to out (text format 0.0.4;
 * serve it as "text/plain; version=0.0.4; charset=utf-8"). extra is
 * borrowed and may be NULL (its series are then left out). Labelled
 * counters and histograms are rendered only for label sets counted at
 * least once; the order is fixed (table order), so two renders of the same
 * counts are byte-identical. Statuses with their own label value: 200 201
 * 202 204 400 401 403 404 405 406 409 413 415 429 500 502 503 504. A render
 * of a busy gateway is some tens of KiB; GW_E_TOO_LARGE when out's
 * maximum is reached (out then holds a cut text: reset it).
 */
enum gw_err gw_metrics_render(const struct gw_metrics *m, const struct gw_metrics_extra *extra,
			      struct gw_buf *out) GW_WUR;

#endif
