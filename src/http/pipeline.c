/*
 * pipeline.c - the request pipeline (see pipeline.h): each step either
 * lets the exchange go on or writes its response, so the order below is
 * the order of the contract's answers (404/405 before 401, 401 before
 * 403, auth before 415, 429 after auth so unknown callers cannot drain a
 * token's bucket).
 */
#include "pipeline.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "bearer.h"
#include "compiler.h"
#include "config.h"
#include "cors.h"
#include "ratelimit.h"
#include "router.h"
#include "str.h"

/* 401 for a missing, unknown or refused token (RFC 6750: invalid_token names a refused one). */
static void unauthorized(struct gw_exchange *x, enum gw_bearer_status st, const char *why)
{
	static const enum gw_err errs[] = {
		[GW_BEARER_INVALID] = GW_E_TOKEN_INVALID,
		[GW_BEARER_EXPIRED] = GW_E_TOKEN_EXPIRED,
		[GW_BEARER_NOT_YET_VALID] = GW_E_TOKEN_NOT_YET_VALID,
		[GW_BEARER_REVOKED] = GW_E_TOKEN_REVOKED,
	};
	enum gw_err err = GW_E_UNAUTHORIZED;

	if ((size_t)st < GW_ARRAY_SIZE(errs) && errs[st] != GW_OK)
		err = errs[st];
	if (err == GW_E_UNAUTHORIZED) {
		gw_response_header(&x->resp, "WWW-Authenticate", "Bearer realm=\"bbb-gateway\"");
		gw_response_problem(x, err,
				    st == GW_BEARER_MISSING ? "A bearer token is required"
							    : "The bearer token is not valid",
				    NULL);
		return;
	}
	gw_response_header(&x->resp, "WWW-Authenticate",
			   "Bearer realm=\"bbb-gateway\", error=\"invalid_token\"");
	gw_response_problem(x, err, why, NULL);
}

/*
 * The token of a route that takes ?access_token= becomes the request's
 * Authorization value, so everything after (auth, the access log's token
 * fields, a stream's later checks) sees one credential. False, with a 400
 * written, for the parameter on any other route or next to the header.
 */
static bool query_token(struct gw_exchange *x)
{
	const char *t = gw_request_query(&x->req, "access_token");
	char *v;

	if (t == NULL || x->req.token_from_query)
		return true;
	if (!x->req.route->query_token) {
		gw_response_problem(x, GW_E_BAD_REQUEST,
				    "access_token is accepted only by the event streams; send the "
				    "token in the Authorization header",
				    NULL);
		return false;
	}
	if (x->req.authorization != NULL) {
		gw_response_problem(x, GW_E_BAD_REQUEST,
				    "Send the token in the Authorization header or in "
				    "access_token, "
				    "not both",
				    NULL);
		return false;
	}
	v = gw_arena_alloc(&x->arena, strlen(t) + sizeof("Bearer "));
	if (v == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return false;
	}
	memcpy(v, "Bearer ", 7);
	memcpy(v + 7, t, strlen(t) + 1);
	x->req.authorization = v;
	x->req.token_from_query = true;
	return true;
}

static bool authenticate(struct gw_exchange *x)
{
	const struct gw_services *svc = x->req.svc;
	const char *why = NULL;
	enum gw_bearer_status st;

	/* a second pass over one exchange must not leak the first pass's reference */
	gw_token_unref(x->req.token);
	x->req.token = NULL;
	st = gw_bearer_authenticate(svc != NULL ? svc->bearer : NULL, x->req.cfg,
				    x->req.authorization, (long long)time(NULL), &x->req.token,
				    &why);
	if (st == GW_BEARER_OK)
		return true;
	if (st == GW_BEARER_NOMEM) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return false;
	}
	unauthorized(x, st, why);
	return false;
}

/*
 * The token's tenant, from the request's configuration. A token naming a
 * tenant the configuration no longer has is refused, never let through
 * without the tenant's rules.
 */
static bool find_tenant(struct gw_exchange *x)
{
	const struct gw_token *t = x->req.token;
	const char *name = t->claims != NULL ? t->claims->tenant : t->tenant;

	x->req.tenant = gw_config_token_tenant(x->req.cfg, t);
	if (name == NULL || x->req.tenant != NULL)
		return true;
	gw_response_problem(x, GW_E_TOKEN_INVALID, "The token's tenant does not exist", NULL);
	return false;
}

/* A tenant's caller names its meetings without any tenant's prefix. */
static bool meeting_id_ok(struct gw_exchange *x)
{
	if (gw_config_tenant_id_ok(x->req.cfg, x->req.tenant, x->req.params[0]))
		return true;
	gw_response_problem(x, GW_E_PARAM_DENIED,
			    "A meetingID may not start with a tenant's prefix", "meetingID");
	return false;
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
	if (!authenticate(x) || !find_tenant(x))
		return false;
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
	    gw_cors_origin(&x->req) == NULL) {
		gw_response_problem(x, GW_E_ORIGIN_NOT_ALLOWED, "Origin not allowed for this token",
				    NULL);
		return false;
	}
	if (r->meeting_param && !gw_token_meeting_allowed(x->req.token, x->req.params[0])) {
		gw_response_problem(x, GW_E_MEETING_NOT_ALLOWED,
				    "The token does not allow this meeting", NULL);
		return false;
	}
	return !r->meeting_param || meeting_id_ok(x);
}

/* False (with a 429 written) when the bucket `key` has no token left. */
static bool take(struct gw_exchange *x, const char *key, double rate, double burst)
{
	double retry;

	if (rate <= 0 || gw_ratelimit_take(x->req.svc->ratelimit, key, rate, burst,
					   gw_ratelimit_now_ns(), &retry))
		return true;
	gw_response_retry(x, GW_E_RATE_LIMITED, gw_ratelimit_retry_after_header(retry),
			  "The token is over its request rate");
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
	/*
	 * A control character starts no token name (static names are
	 * [A-Za-z0-9._-], issuer names printable), so the keys never collide,
	 * and as a prefix it survives the table's cut of long keys.
	 */
	snprintf(key, sizeof(key), "\x01%s", x->req.token->name);
	burst = cfg->heavy_burst > 0 ? (double)cfg->heavy_burst : 2 * cfg->heavy_rate_per_s;
	return !take(x, key, cfg->heavy_rate_per_s, burst < 1 ? 1 : burst);
}

void gw_pipeline_route(struct gw_exchange *x)
{
	struct gw_request *req = &x->req;
	const struct gw_route_table *table = req->svc != NULL ? req->svc->routes : NULL;

	if (req->routed)
		return;
	req->routed = true;
	req->route_allowed = 0;
	req->route_err = table != NULL ? gw_router_match(table, req, &req->route_allowed)
				       : GW_E_NOT_FOUND;
}

bool gw_pipeline_admit(struct gw_exchange *x)
{
	char list[96];
	enum gw_err err;

	if (x->req.method == GW_METHOD_OPTIONS && gw_cors_preflight_path(x->req.path)) {
		gw_cors_preflight(x);
		return false;
	}
	gw_pipeline_route(x);
	err = x->req.route_err;
	if (err == GW_E_METHOD_NOT_ALLOWED) {
		gw_method_list(x->req.route_allowed, list, sizeof(list));
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
	return query_token(x) && authorize(x) && !rate_limited(x);
}

void gw_pipeline_handle(struct gw_exchange *x)
{
	if (x->req.body_len > 0 && x->req.route->body == GW_BODY_JSON &&
	    !gw_str_media_type_is(x->req.content_type, "application/json")) {
		gw_response_problem(x, GW_E_UNSUPPORTED_MEDIA_TYPE,
				    "Request bodies must be application/json", NULL);
		return;
	}
	x->req.route->handler(x);
}

void gw_pipeline_dispatch(struct gw_exchange *x)
{
	if (gw_pipeline_admit(x))
		gw_pipeline_handle(x);
}
