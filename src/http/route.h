/*
 * route.h - what a route is: method, path pattern, handler, the
 * authentication and scopes it needs, the body it takes. The API's own
 * table lives with the handlers (routes.h); the HTTP layer only sees it
 * through a struct gw_route_table handed down at start (gw_services).
 */
#ifndef GW_ROUTE_H
#define GW_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

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
	GW_BODY_FORM,     /* a form (webhook callbacks), up to events.max_callback_bytes */
	GW_BODY_BBB,      /* any (the BBB-compatible API: BBB judges it), up to max_upload_bytes */
};

struct gw_route {
	enum gw_method method;
	const char *pattern; /* "/v1/meetings/{meetingID}/join"; {x} matches one segment */
	gw_handler_fn handler;
	enum gw_route_auth auth;
	unsigned scopes; /* bit set of enum gw_scope */
	enum gw_route_body body;
	bool heavy; /* expensive for BBB: also counted against limits.heavy_rate_per_s */
	/* the first path parameter is a meetingID: a meeting-bound token must allow it */
	bool meeting_param;
	/*
	 * the token may come as ?access_token= (RFC 6750 2.3), for EventSource,
	 * which cannot send headers; every other route refuses the parameter
	 */
	bool query_token;
	/* BBB's own API (the BBB-compatible API), not part of the gateway's OpenAPI document */
	bool bbb_api;
};

/* A route table: n routes, tried in order (the first of a method wins). Static. */
struct gw_route_table {
	const struct gw_route *routes;
	size_t n;
};

#endif
