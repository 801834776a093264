/*
 * router.h - the one route table of the API and the dispatch of an
 * exchange: CORS preflight, route match (404/405 with Allow), path
 * parameter decoding, token check and scope check, then the handler.
 */
#ifndef GW_ROUTER_H
#define GW_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"
#include "err.h"
#include "request.h"

typedef void (*gw_handler_fn)(struct gw_exchange *x);

enum gw_route_auth {
	GW_ROUTE_PUBLIC = 0, /* no token needed */
	GW_ROUTE_TOKEN,      /* a valid token with every scope in `scopes` */
	GW_ROUTE_METRICS,    /* metrics scope unless configured public */
};

enum gw_route_body {
	GW_BODY_JSON = 0, /* application/json, up to limits.max_body_bytes */
	GW_BODY_UPLOAD,   /* a file upload (multipart/form-data), up to limits.max_upload_bytes */
};

struct gw_route {
	enum gw_method method;
	const char *pattern;  /* "/v1/meetings/{meetingID}/join"; {x} matches one segment */
	gw_handler_fn handler;
	enum gw_route_auth auth;
	unsigned scopes;      /* bit set of enum gw_scope */
	enum gw_route_body body;
	bool heavy; /* expensive for BBB: also counted against limits.heavy_rate_per_s */
};

/* The route table (static). */
const struct gw_route *gw_router_routes(size_t *n);

/*
 * Matches method and raw path against table. On GW_OK sets req->route and
 * the decoded path parameters. Otherwise GW_E_NOT_FOUND (no pattern
 * matches the path), GW_E_METHOD_NOT_ALLOWED (the path matches but not the
 * method; *allowed gets the methods that would match) or
 * GW_E_BAD_PATH_PARAM (a parameter is not valid percent-encoded UTF-8).
 */
enum gw_err gw_router_match(const struct gw_route *table, size_t n, struct gw_request *req,
			    unsigned *allowed) GW_WUR;

/* The route for method and raw path, or NULL. No side effects. */
const struct gw_route *gw_router_find(enum gw_method method, const char *path);

/*
 * Runs the whole request pipeline on a filled request: preflight, match,
 * auth, handler. Afterwards either x->resp.status is set or x->bbb.url
 * names a BBB call to run.
 */
void gw_router_dispatch(struct gw_exchange *x);

/*
 * The first half of gw_router_dispatch, for a transport that has the
 * headers but not yet the body: preflight, match, authentication, scope
 * and rate limit. Returns true when the request may go on (then call
 * gw_router_handle once the body is in); false when a response was
 * written.
 */
bool gw_router_admit(struct gw_exchange *x);

/* The second half: body media type and the route's handler. */
void gw_router_handle(struct gw_exchange *x);

/* The CORS origin to echo for this request, or NULL when it is not allowed. Borrowed. */
const char *gw_router_cors_origin(const struct gw_request *req);

#endif
