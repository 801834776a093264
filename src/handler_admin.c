/*
 * handler_admin.c - liveness, readiness and the BBB server's version.
 * /healthz answers from the process alone; /readyz and /v1/server ask
 * BBB's API root (unsigned), the cheapest call BBB has.
 */
#include <string.h>

#include "bbb_api.h"
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
