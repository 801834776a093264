/*
 * cors.h - all of CORS: which origin a request may be answered to, the
 * answer to a preflight, and the CORS headers of every response.
 *
 * The allowed origins are cors.origins plus, per token, the token's own
 * list; a token that lists origins is restricted to them. A disallowed
 * origin gets no CORS headers at all.
 */
#ifndef GW_CORS_H
#define GW_CORS_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

/* True when an OPTIONS request to path is a CORS preflight (the /v1 API only). */
bool gw_cors_preflight_path(const char *path);

/*
 * The CORS origin to echo for req (req->origin itself), or NULL when it is
 * not allowed. Before authentication (req->token NULL) any token's origins
 * qualify; after it, the token's own list replaces cors.origins when it
 * has one. Borrowed.
 */
const char *gw_cors_origin(const struct gw_request *req);

/*
 * Answers the preflight x: 204 with Access-Control-Allow-Methods,
 * -Allow-Headers and -Max-Age when the origin, the requested method and
 * the requested headers are allowed; otherwise a 403 problem.
 */
void gw_cors_preflight(struct gw_exchange *x);

/* One response header; both strings are static or borrowed from the exchange. */
struct gw_cors_header {
	const char *name;
	const char *value;
};

#define GW_CORS_MAX_HEADERS 3u

/*
 * The CORS headers the response of x carries, in order, into out: always
 * Vary: Origin; Access-Control-Allow-Origin for an allowed origin (unless
 * x->resp.no_cors); Access-Control-Expose-Headers with it, except on a
 * 204. Returns how many were written (at most GW_CORS_MAX_HEADERS). The
 * values live as long as x.
 */
size_t gw_cors_response_headers(const struct gw_exchange *x,
				struct gw_cors_header out[GW_CORS_MAX_HEADERS]);

#endif
