/*
 * pipeline.h - what every request goes through, in order: CORS preflight,
 * route match, authentication, scope, rate limit, body media type, then
 * the route's handler. The route table comes from the request's services
 * (gw_services.routes); a request is matched once, and the result stays
 * in the request (req->route) for the transport and the report.
 */
#ifndef GW_PIPELINE_H
#define GW_PIPELINE_H

#include <stdbool.h>

#include "request.h"

/*
 * Matches x against its services' route table, once: later calls do
 * nothing. Sets req->route (and the path parameters) when a route
 * matches; writes no response (gw_pipeline_admit answers a failed match).
 * A transport calls it when it needs the route early (its body limit).
 */
void gw_pipeline_route(struct gw_exchange *x);

/*
 * The first half of gw_pipeline_dispatch, for a transport that has the
 * headers but not yet the body: preflight, match (gw_pipeline_route),
 * authentication, scope and rate limit. Returns true when the request may
 * go on (then call gw_pipeline_handle once the body is in); false when a
 * response was written.
 */
bool gw_pipeline_admit(struct gw_exchange *x);

/* The second half: body media type and the route's handler. */
void gw_pipeline_handle(struct gw_exchange *x);

/*
 * Runs the whole pipeline on a filled request. Afterwards either
 * x->resp.status is set or x->up.url names a BBB call to run.
 */
void gw_pipeline_dispatch(struct gw_exchange *x);

#endif
