/*
 * handler_admin.c - liveness, readiness and the BBB server's version.
 * /healthz answers from the process alone; /readyz and /v1/server ask
 * BBB's API root (unsigned), the cheapest call BBB has.
 */
#include <stdlib.h>
#include <string.h>

#include "bbb_api.h"
#include "gw_limits.h"
#include "metrics.h"
#include "handlers.h"
#include "xml2json.h"

void gw_handle_healthz(struct gw_exchange *x)
{
	gw_response_json(x, 200, json_pack("{s:s}", "status", "ok"));
}

static void finish_ready(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	(void)r;
	gw_response_json(x, 200, json_pack("{s:s}", "status", "ready"));
}

void gw_handle_readyz(struct gw_exchange *x)
{
	gw_bbb_request_root(x, finish_ready);
	x->bbb.raw_reply = false;
	x->bbb.probe = true;
}

static void finish_server(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	gw_response_json(x, 200, r->body);
	r->body = NULL;
}

void gw_handle_server(struct gw_exchange *x)
{
	gw_bbb_request_root(x, finish_server);
}

void gw_handle_metrics(struct gw_exchange *x)
{
	const struct gw_services *svc = x->req.svc;
	struct gw_metrics_extra extra = {-1, -1, -1, -1};
	struct gw_buf out;
	size_t len;
	char *text;

	if (svc == NULL || svc->metrics == NULL) {
		gw_response_problem(x, GW_E_NOT_FOUND, "Metrics are not collected", NULL);
		return;
	}
	if (svc->stats != NULL)
		svc->stats(svc->stats_arg, &extra);
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
