/*
 * cors.c - CORS for the API (see cors.h): the origin decision, preflight
 * answers and the CORS headers of every response. Origins are compared
 * exactly (scheme, host and port as the browser sent them).
 */
#include "cors.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "config.h"

bool gw_cors_preflight_path(const char *path)
{
	return strncmp(path, "/v1/", 4) == 0;
}

static bool origin_in(const char *origin, char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(origin, list[i]) == 0)
			return true;
	}
	return false;
}

const char *gw_cors_origin(const struct gw_request *req)
{
	const struct gw_config *cfg = req->cfg;
	size_t i;

	if (req->origin == NULL)
		return NULL;
	/* A token that lists origins is restricted to them, whatever cors.origins says. */
	if (req->token != NULL && req->token->n_origins > 0)
		return origin_in(req->origin, req->token->origins, req->token->n_origins)
			       ? req->origin
			       : NULL;
	if (origin_in(req->origin, cfg->cors_origins, cfg->n_cors_origins))
		return req->origin;
	if (req->token != NULL)
		return NULL;
	/* Before auth (preflight), any token's origins qualify. */
	for (i = 0; i < cfg->n_tokens; i++) {
		if (origin_in(req->origin, cfg->tokens[i].origins, cfg->tokens[i].n_origins))
			return req->origin;
	}
	return NULL;
}

#define CORS_METHODS "GET, POST, PATCH, DELETE, OPTIONS"
#define CORS_HEADERS "Authorization, Content-Type, X-Request-Id, Last-Event-ID"
#define CORS_EXPOSE "X-Request-Id, Location, Retry-After, WWW-Authenticate"

/* True when every comma-separated item of list is (case-insensitively) in allowed. */
static bool all_in(const char *list, const char *allowed)
{
	char item[64];
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t n;
		const char *a = allowed;
		bool ok = false;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		n = strcspn(p, ", \t");
		if (n == 0)
			break;
		if (n >= sizeof(item))
			return false;
		memcpy(item, p, n);
		item[n] = '\0';
		while (*a != '\0' && !ok) {
			size_t m = strcspn(a, ",");

			ok = m == n && strncasecmp(a, item, n) == 0;
			a += m;
			while (*a == ',' || *a == ' ')
				a++;
		}
		if (!ok)
			return false;
		p += n;
	}
	return true;
}

void gw_cors_preflight(struct gw_exchange *x)
{
	const struct gw_request *req = &x->req;
	char max_age[16];

	if (gw_cors_origin(req) == NULL) {
		gw_response_problem(x, GW_E_FORBIDDEN, "Origin not allowed", NULL);
		return;
	}
	if (!all_in(req->access_control_request_method, "GET,HEAD,POST,PATCH,DELETE,OPTIONS") ||
	    !all_in(req->access_control_request_headers, "Authorization,Content-Type,X-Request-Id,"
							 "Last-Event-ID")) {
		gw_response_problem(x, GW_E_FORBIDDEN, "Method or header not allowed", NULL);
		x->resp.no_cors = true;
		return;
	}
	x->resp.status = 204;
	gw_response_header(&x->resp, "Access-Control-Allow-Methods", CORS_METHODS);
	gw_response_header(&x->resp, "Access-Control-Allow-Headers", CORS_HEADERS);
	snprintf(max_age, sizeof(max_age), "%u", x->req.cfg->cors_max_age_s);
	gw_response_header(&x->resp, "Access-Control-Max-Age", max_age);
}

size_t gw_cors_response_headers(const struct gw_exchange *x,
				struct gw_cors_header out[GW_CORS_MAX_HEADERS])
{
	const char *origin = x->resp.no_cors ? NULL : gw_cors_origin(&x->req);
	size_t n = 0;

	/* Always: a cache must not hand one origin's answer to another. */
	out[n++] = (struct gw_cors_header){"Vary", "Origin"};
	if (origin == NULL)
		return n;
	out[n++] = (struct gw_cors_header){"Access-Control-Allow-Origin", origin};
	if (x->resp.status != 204)
		out[n++] = (struct gw_cors_header){"Access-Control-Expose-Headers", CORS_EXPOSE};
	return n;
}
