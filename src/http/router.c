/*
 * router.c - one const route table {method, pattern, handler, auth,
 * scopes} and the request pipeline around it. Patterns are matched
 * segment by segment on the raw path; parameters are percent-decoded only
 * after a match, so an encoded '/' (%2F) stays inside its segment.
 */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "config.h"
#include "handlers.h"
#include "ratelimit.h"
#include "str.h"

#define ROUTE(m, p, h, auth, scopes) {GW_METHOD_##m, p, h, auth, scopes, GW_BODY_JSON, false}
#define HEAVY(m, p, h, auth, scopes) {GW_METHOD_##m, p, h, auth, scopes, GW_BODY_JSON, true}
#define UPLOAD(m, p, h, auth, scopes) {GW_METHOD_##m, p, h, auth, scopes, GW_BODY_UPLOAD, true}
#define T GW_ROUTE_TOKEN

static const struct gw_route routes[] = {
	ROUTE(GET, "/healthz", gw_handle_healthz, GW_ROUTE_PUBLIC, 0),
	ROUTE(GET, "/readyz", gw_handle_readyz, GW_ROUTE_PUBLIC, 0),
	ROUTE(GET, "/metrics", gw_handle_metrics, GW_ROUTE_METRICS, GW_SCOPE_METRICS),
	ROUTE(GET, "/v1/server", gw_handle_server, T, 0),
	ROUTE(GET, "/v1/openapi.json", gw_handle_openapi, GW_ROUTE_PUBLIC, 0),
	HEAVY(GET, "/v1/meetings", gw_handle_meetings_list, T, GW_SCOPE_MEETINGS_READ),
	HEAVY(POST, "/v1/meetings", gw_handle_meetings_create, T, GW_SCOPE_MEETINGS_CREATE),
	ROUTE(GET, "/v1/meetings/{meetingID}", gw_handle_meeting_get, T, GW_SCOPE_MEETINGS_READ),
	ROUTE(GET, "/v1/meetings/{meetingID}/running", gw_handle_meeting_running, T,
	      GW_SCOPE_MEETINGS_READ),
	ROUTE(POST, "/v1/meetings/{meetingID}/join", gw_handle_meeting_join, T,
	      GW_SCOPE_MEETINGS_JOIN),
	ROUTE(POST, "/v1/meetings/{meetingID}/end", gw_handle_meeting_end, T,
	      GW_SCOPE_MEETINGS_END),
	HEAVY(POST, "/v1/meetings/{meetingID}/documents", gw_handle_meeting_documents, T,
	      GW_SCOPE_MEETINGS_WRITE),
	ROUTE(POST, "/v1/meetings/{meetingID}/chat", gw_handle_meeting_chat, T,
	      GW_SCOPE_MEETINGS_WRITE),
	HEAVY(GET, "/v1/recordings", gw_handle_recordings_list, T, GW_SCOPE_RECORDINGS_READ),
	ROUTE(GET, "/v1/recordings/{recordID}", gw_handle_recording_get, T,
	      GW_SCOPE_RECORDINGS_READ),
	HEAVY(PATCH, "/v1/recordings/{recordID}", gw_handle_recording_patch, T,
	      GW_SCOPE_RECORDINGS_WRITE),
	HEAVY(DELETE, "/v1/recordings/{recordID}", gw_handle_recording_delete, T,
	      GW_SCOPE_RECORDINGS_WRITE),
	ROUTE(GET, "/v1/recordings/{recordID}/text-tracks", gw_handle_text_tracks_list, T,
	      GW_SCOPE_RECORDINGS_READ),
	UPLOAD(POST, "/v1/recordings/{recordID}/text-tracks", gw_handle_text_track_upload, T,
	       GW_SCOPE_RECORDINGS_WRITE),
	ROUTE(GET, "/v1/hooks", gw_handle_hooks_list, T, GW_SCOPE_HOOKS),
	ROUTE(POST, "/v1/hooks", gw_handle_hooks_create, T, GW_SCOPE_HOOKS),
	ROUTE(DELETE, "/v1/hooks/{hookID}", gw_handle_hook_delete, T, GW_SCOPE_HOOKS),
	ROUTE(GET, "/v1/legacy/default-config-xml", gw_handle_legacy_default_config, T,
	      GW_SCOPE_MEETINGS_READ),
	ROUTE(POST, "/v1/legacy/config-xml", gw_handle_legacy_set_config, T,
	      GW_SCOPE_MEETINGS_WRITE),
};

#undef ROUTE
#undef HEAVY
#undef UPLOAD
#undef T

const struct gw_route *gw_router_routes(size_t *n)
{
	*n = GW_ARRAY_SIZE(routes);
	return routes;
}

/* Length of the segment at p (up to '/' or the end). */
static size_t seglen(const char *p)
{
	const char *s = strchr(p, '/');

	return s != NULL ? (size_t)(s - p) : strlen(p);
}

/*
 * Compares a pattern with a path; on a match stores the [start,len) of
 * each parameter segment. Returns the number of parameters, or -1.
 */
static int match_pattern(const char *pat, const char *path, const char **pstart, size_t *plen)
{
	int np = 0;

	while (*pat == '/' && *path == '/') {
		size_t pl;
		size_t sl;

		pat++;
		path++;
		pl = seglen(pat);
		sl = seglen(path);
		if (pl > 0 && pat[0] == '{') {
			if (sl == 0 || (size_t)np >= GW_MAX_PATH_PARAMS)
				return -1;
			pstart[np] = path;
			plen[np] = sl;
			np++;
		} else if (pl != sl || strncmp(pat, path, pl) != 0) {
			return -1;
		}
		pat += pl;
		path += sl;
	}
	return (*pat == '\0' && *path == '\0') ? np : -1;
}

static void clear_params(struct gw_request *req)
{
	size_t i;

	for (i = 0; i < req->n_params; i++) {
		free(req->params[i]);
		req->params[i] = NULL;
	}
	req->n_params = 0;
}

static enum gw_err take_params(struct gw_request *req, const char **ps, const size_t *pl, int np)
{
	int i;

	clear_params(req);
	for (i = 0; i < np; i++) {
		enum gw_err err = gw_str_pct_decode(ps[i], pl[i], false, &req->params[i]);

		if (err != GW_OK) {
			clear_params(req);
			return err == GW_E_NOMEM ? err : GW_E_BAD_PATH_PARAM;
		}
		req->n_params = (size_t)i + 1;
	}
	return GW_OK;
}

enum gw_err gw_router_match(const struct gw_route *table, size_t n, struct gw_request *req,
			    unsigned *allowed)
{
	const char *ps[GW_MAX_PATH_PARAMS];
	size_t pl[GW_MAX_PATH_PARAMS];
	const struct gw_route *hit = NULL;
	int hit_np = 0;
	unsigned mask = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *s[GW_MAX_PATH_PARAMS];
		size_t l[GW_MAX_PATH_PARAMS];
		int np = match_pattern(table[i].pattern, req->path, s, l);

		if (np < 0)
			continue;
		mask |= table[i].method;
		if (hit == NULL && (table[i].method == req->method ||
				    (req->method == GW_METHOD_HEAD &&
				     table[i].method == GW_METHOD_GET))) {
			hit = &table[i];
			hit_np = np;
			memcpy(ps, s, sizeof(s));
			memcpy(pl, l, sizeof(l));
		}
	}
	if (mask == 0)
		return GW_E_NOT_FOUND;
	if (mask & GW_METHOD_GET)
		mask |= GW_METHOD_HEAD;
	if (hit == NULL) {
		/* OPTIONS is answered (as a CORS preflight) on /v1 paths only. */
		*allowed = mask | (strncmp(req->path, "/v1/", 4) == 0 ? GW_METHOD_OPTIONS : 0u);
		return GW_E_METHOD_NOT_ALLOWED;
	}
	req->route = hit;
	return take_params(req, ps, pl, hit_np);
}

const struct gw_route *gw_router_find(enum gw_method method, const char *path)
{
	const char *ps[GW_MAX_PATH_PARAMS];
	size_t pl[GW_MAX_PATH_PARAMS];
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(routes); i++) {
		if ((routes[i].method == method ||
		     (method == GW_METHOD_HEAD && routes[i].method == GW_METHOD_GET)) &&
		    match_pattern(routes[i].pattern, path, ps, pl) >= 0)
			return &routes[i];
	}
	return NULL;
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

const char *gw_router_cors_origin(const struct gw_request *req)
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
#define CORS_HEADERS "Authorization, Content-Type, X-Request-Id"

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

static void preflight(struct gw_exchange *x)
{
	const struct gw_request *req = &x->req;
	char max_age[16];

	if (gw_router_cors_origin(req) == NULL) {
		gw_response_problem(x, GW_E_FORBIDDEN, "Origin not allowed", NULL);
		return;
	}
	if (!all_in(req->access_control_request_method, "GET,HEAD,POST,PATCH,DELETE,OPTIONS") ||
	    !all_in(req->access_control_request_headers, "Authorization,Content-Type,X-Request-Id")) {
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

static bool authorize(struct gw_exchange *x)
{
	const struct gw_route *r = x->req.route;
	const struct gw_config *cfg = x->req.cfg;
	unsigned need = r->scopes;
	char detail[96];
	json_t *extra;

	if (r->auth == GW_ROUTE_PUBLIC || (r->auth == GW_ROUTE_METRICS && cfg->metrics_public))
		return true;
	if (r->auth == GW_ROUTE_METRICS)
		need = GW_SCOPE_METRICS;
	x->req.token = gw_auth_lookup(cfg->tokens, cfg->n_tokens, x->req.authorization);
	if (x->req.token == NULL) {
		gw_response_header(&x->resp, "WWW-Authenticate", "Bearer realm=\"bbb-gateway\"");
		gw_response_problem(x, GW_E_UNAUTHORIZED,
				    x->req.authorization == NULL
					    ? "A bearer token is required"
					    : "The bearer token is not valid",
				    NULL);
		return false;
	}
	if (!gw_auth_has_scope(x->req.token, need)) {
		unsigned missing = need & ~x->req.token->scopes;
		unsigned bit = missing & (~missing + 1u);
		const char *name = gw_auth_scope_name(bit);

		snprintf(detail, sizeof(detail), "The token lacks the scope '%s'",
			 name != NULL ? name : "?");
		extra = json_pack("{s:s}", "scope", name != NULL ? name : "?");
		gw_response_problem_extra(x, GW_E_FORBIDDEN, detail, NULL, extra);
		json_decref(extra);
		return false;
	}
	if (x->req.origin != NULL && x->req.token->n_origins > 0 &&
	    gw_router_cors_origin(&x->req) == NULL) {
		gw_response_problem(x, GW_E_FORBIDDEN, "Origin not allowed for this token", NULL);
		return false;
	}
	return true;
}

/* False (with a 429 written) when the bucket `key` has no token left. */
static bool take(struct gw_exchange *x, const char *key, double rate, double burst)
{
	double retry;
	char value[16];

	if (rate <= 0 || gw_ratelimit_take(x->req.svc->ratelimit, key, rate, burst,
					   gw_ratelimit_now_ns(), &retry))
		return true;
	snprintf(value, sizeof(value), "%u", gw_ratelimit_retry_after_header(retry));
	gw_response_header(&x->resp, "Retry-After", value);
	gw_response_problem(x, GW_E_RATE_LIMITED, "The token is over its request rate", NULL);
	return false;
}

/*
 * Per-token token buckets: one for every request, and a stricter one for
 * the routes that are expensive for BBB. 429 with Retry-After when over.
 */
static bool rate_limited(struct gw_exchange *x)
{
	const struct gw_services *svc = x->req.svc;
	const struct gw_config *cfg = x->req.cfg;
	double rate;
	double burst;
	char key[GW_RATELIMIT_KEY_MAX + 1];

	if (svc == NULL || svc->ratelimit == NULL || x->req.token == NULL)
		return false;
	gw_config_token_rate(cfg, x->req.token, &rate, &burst);
	if (!take(x, x->req.token->name, rate, burst))
		return true;
	if (!x->req.route->heavy || cfg->heavy_rate_per_s <= 0)
		return false;
	/* '#' cannot occur in a token name, so the keys never collide. */
	snprintf(key, sizeof(key), "%s#heavy", x->req.token->name);
	burst = cfg->heavy_burst > 0 ? (double)cfg->heavy_burst : 2 * cfg->heavy_rate_per_s;
	return !take(x, key, cfg->heavy_rate_per_s, burst < 1 ? 1 : burst);
}

bool gw_router_admit(struct gw_exchange *x)
{
	unsigned allowed = 0;
	char list[96];
	enum gw_err err;

	if (x->req.method == GW_METHOD_OPTIONS && strncmp(x->req.path, "/v1/", 4) == 0) {
		preflight(x);
		return false;
	}
	err = gw_router_match(routes, GW_ARRAY_SIZE(routes), &x->req, &allowed);
	if (err == GW_E_METHOD_NOT_ALLOWED) {
		gw_method_list(allowed, list, sizeof(list));
		gw_response_header(&x->resp, "Allow", list);
		gw_response_problem(x, err, "Method not allowed on this resource", NULL);
		return false;
	}
	if (err != GW_OK) {
		gw_response_problem(x, err,
				    err == GW_E_NOT_FOUND ? "No such resource"
							  : "Path parameter is not valid",
				    NULL);
		return false;
	}
	return authorize(x) && !rate_limited(x);
}

void gw_router_handle(struct gw_exchange *x)
{
	if (x->req.body_len > 0 && x->req.route->body == GW_BODY_JSON &&
	    !gw_str_media_type_is(x->req.content_type, "application/json")) {
		gw_response_problem(x, GW_E_UNSUPPORTED_MEDIA_TYPE,
				    "Request bodies must be application/json", NULL);
		return;
	}
	x->req.route->handler(x);
}

void gw_router_dispatch(struct gw_exchange *x)
{
	if (gw_router_admit(x))
		gw_router_handle(x);
}
