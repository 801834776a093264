/*
 * report.c - the access line and metrics of a finished exchange (see
 * report.h). Nothing here is kept: each call reads the exchange once.
 */
#include "report.h"

#include "config.h"
#include "log.h"
#include "metrics.h"
#include "request.h"
#include "route.h"
#include "router.h"

void gw_report_upstream(const struct gw_exchange *x, struct gw_metrics *m)
{
	const struct gw_upstream_call *up = &x->up;
	const char *outcome = gw_metrics_outcome(up->result, up->http_status);

	if (m == NULL)
		return;
	/* A 502 without a BBB messageKey after a clean HTTP 200: the reply was unreadable. */
	if (up->result == GW_OK && up->http_status == 200 && x->resp.status == 502 &&
	    x->resp.message_key == NULL)
		outcome = "bad_reply";
	gw_metrics_upstream(m, x->bbb.name, outcome, up->total_ms / 1e3);
}

/* The name of the fleet server x's call went to, or NULL when it went to none that is named. */
static const char *server_of(const struct gw_exchange *x)
{
	const struct gw_services *svc = x->req.svc;

	if (x->bbb.server == NULL || svc == NULL || svc->server_name == NULL)
		return NULL;
	return svc->server_name(x->bbb.server);
}

static void log_access(const struct gw_exchange *x, double duration_ms,
		       unsigned long long bytes_out)
{
	const struct gw_token *t = x->req.token;
	const struct gw_token_claims *c = t != NULL ? t->claims : NULL;
	struct gw_access_entry e = {
		.request_id = x->req.request_id,
		.method = x->req.method_name,
		.route = x->req.route != NULL ? x->req.route->pattern : "(unmatched)",
		.status = x->resp.status,
		.bytes_out = bytes_out,
		.duration_ms = duration_ms,
		.token_name = t != NULL && c == NULL ? t->name : NULL,
		.token_iss = c != NULL ? c->iss : NULL,
		.token_sub = c != NULL ? c->sub : NULL,
		.token_jti = c != NULL ? c->jti : NULL,
		/* Only a call that was handed to the upstream (a problem may stop one before). */
		.bbb_call = x->up.url != NULL ? x->bbb.name : NULL,
		.server = x->up.url != NULL ? server_of(x) : NULL,
		.upstream_status = x->up.http_status,
		.upstream_ms = x->up.total_ms,
		.retries = x->up.retries,
		.message_key = x->resp.message_key,
	};

	gw_log_access(&e);
}

void gw_report_request(const struct gw_exchange *x, struct gw_metrics *m, double duration_ms,
		       unsigned long long bytes_out)
{
	const struct gw_route_table *table = x->req.svc != NULL ? x->req.svc->routes : NULL;
	/* SIZE_MAX (unmatched) when the exchange matched no route of the table. */
	size_t idx = gw_router_index(table, x->req.route);

	if (m != NULL)
		gw_metrics_request(m, idx, x->req.method_name, x->resp.status, duration_ms / 1e3);
	if (x->req.cfg->access_log)
		log_access(x, duration_ms, bytes_out);
}
