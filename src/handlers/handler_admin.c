/*
 * handler_admin.c - liveness, readiness and the BBB server's version.
 * /healthz answers from the process alone; /readyz and /v1/server ask
 * BBB's API root (unsigned), the cheapest call BBB has. A draining
 * gateway's /readyz answers 503 without asking.
 *
 * /readyz needs no token, so it must not turn each request into a BBB
 * call: it answers from the last probe while that is younger than
 * limits.readyz_cache_ms, and only one request at a time becomes the
 * probe (see probe_cache.h). The probe's ticket rides on the exchange as
 * its bbb.state: gw_bbb_complete records the result, and freeing the
 * exchange abandons a probe that never completed, so no path leaves the
 * probe marked in flight. /v1/server is authenticated and always calls.
 *
 * With a polled fleet of several servers the polls are the probes: the
 * gateway is ready while one server that is not disabled answered its
 * last poll (and its breaker is closed), without a call, so a dead first
 * server does not make it unready; only when none did does it probe the
 * first usable server, as with one server.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bbb_api.h"
#include "config.h"
#include "gw_limits.h"
#include "metrics.h"
#include "handlers.h"
#include "probe_cache.h"
#include "xml2json.h"

/*
 * How much longer than bbb.timeout_ms a probe may stay in flight before it
 * is taken for lost: the upstream ends every call by its deadline (queue
 * wait and retry included), so this only matters if a completion was lost.
 */
#define PROBE_STUCK_SLACK_MS 1000u

void gw_handle_healthz(struct gw_exchange *x)
{
	gw_response_json(x, 200, json_pack("{s:s}", "status", "ok"));
}

static void finish_ready(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	(void)r;
	gw_response_json(x, 200, json_pack("{s:s}", "status", "ready"));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The probe this exchange is sending (its bbb.state). */
struct probe_ticket {
	struct gw_probe_cache *pc; /* borrowed from the services; outlives every exchange */
	uint64_t id;
	bool ended;
};

static void probe_completed(struct gw_exchange *x, int status)
{
	struct probe_ticket *t = gw_bbb_state(x);

	gw_probe_cache_record(t->pc, t->id, status, now_ms());
	t->ended = true;
}

/* Runs when the exchange is freed, however it ended. */
static void probe_ticket_free(void *state)
{
	struct probe_ticket *t = state;

	/* Refused before it went out (limits.max_inflight), or the connection ended first. */
	if (!t->ended)
		gw_probe_cache_abandon(t->pc, t->id);
	free(t);
}

/* Sends the readiness probe; t (taken), when not NULL, records its outcome in the cache. */
static void send_probe(struct gw_exchange *x, struct probe_ticket *t)
{
	gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(apiRoot_probe),
					       .finish = finish_ready,
					       .completed = t != NULL ? probe_completed : NULL,
					       .state = t,
					       .state_free = probe_ticket_free});
}

static void answer_from(struct gw_exchange *x, const struct gw_probe_result *r)
{
	if (r->status == 200)
		finish_ready(x, NULL);
	else
		gw_bbb_not_ready(x, r->status);
}

void gw_handle_readyz(struct gw_exchange *x)
{
	struct gw_probe_cache *pc = x->req.svc != NULL ? x->req.svc->probe_cache : NULL;
	const struct gw_config *cfg = x->req.cfg;
	struct gw_probe_result last;
	struct probe_ticket *t;
	uint64_t id = 0;

	/* A draining gateway is not ready, whatever BBB says: balancers move away first. */
	if (x->req.svc != NULL && atomic_load(&x->req.svc->draining)) {
		gw_response_retry(x, GW_E_UNAVAILABLE, 5, "The gateway is shutting down");
		return;
	}
	if (x->req.svc != NULL && gw_servers_answering(x->req.svc->fleet)) {
		finish_ready(x, NULL);
		return;
	}
	if (pc == NULL) {
		send_probe(x, NULL);
		return;
	}
	switch (gw_probe_cache_begin(pc, now_ms(), cfg->readyz_cache_ms,
				     cfg->bbb_timeout_ms + PROBE_STUCK_SLACK_MS, &last, &id)) {
	case GW_PROBE_CACHED:
	case GW_PROBE_STALE:
		answer_from(x, &last);
		return;
	case GW_PROBE_UNKNOWN:
		gw_response_retry(x, GW_E_UNAVAILABLE, 1,
				  "Readiness is not known yet: the first probe of BBB is running");
		return;
	case GW_PROBE_SEND:
		break;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		gw_probe_cache_abandon(pc, id);
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	t->pc = pc;
	t->id = id;
	send_probe(x, t);
}

static void finish_server(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	gw_bbb_respond_body(x, 200, r);
}

void gw_handle_server(struct gw_exchange *x)
{
	gw_bbb_request(x,
		       &(struct gw_bbb_req){.call = GW_BBB_CALL(apiRoot), .finish = finish_server});
}

void gw_handle_metrics(struct gw_exchange *x)
{
	const struct gw_services *svc = x->req.svc;
	struct gw_metrics_extra extra;
	struct gw_buf out;
	size_t len;
	char *text;

	if (svc == NULL || svc->metrics == NULL) {
		gw_response_problem(x, GW_E_NOT_FOUND, "Metrics are not collected", NULL);
		return;
	}
	/* A series whose owner does not fill it stays out (negative). */
	memset(&extra, 0, sizeof(extra));
	extra.http_active = extra.upstream_open = extra.upstream_connects = -1;
	extra.circuit_open = extra.conn_open = extra.jwt_cache_hits = extra.events_received = -1;
	if (svc->stats != NULL)
		svc->stats(svc->stats_arg, &extra);
	if (svc->fleet != NULL)
		gw_servers_metrics(svc->fleet, &extra);
	gw_buf_init(&out, GW_MAX_METRICS_BYTES);
	if (gw_metrics_render(svc->metrics, &extra, &out) != GW_OK) {
		gw_buf_deinit(&out);
		gw_response_problem(x, GW_E_INTERNAL, "Metrics could not be rendered", NULL);
		return;
	}
	text = gw_buf_take(&out, &len);
	if (text == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	gw_response_raw(x, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	free(text);
}
