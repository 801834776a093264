/*
 * check_pipeline.c - the request pipeline on in-memory exchanges, in its
 * order: match (404/405 with Allow, 400 for a bad path parameter, once
 * per request), bearer token (401), scope (403), rate limit (429), body
 * media type (415), then the route's handler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "bbb_calls.h"
#include "config.h"
#include "pipeline.h"
#include "ratelimit.h"
#include "request.h"
#include "route.h"
#include "routes.h"
#include "testutil.h"

static struct gw_config *cfg;
static struct gw_exchange *x;

static void setup(void)
{
	gw_test_api_init(&cfg, &x);
}

static void teardown(void)
{
	gw_test_api_deinit(&cfg, &x);
}

/* Starts a fresh exchange for method and path (the previous one is freed). */
static void start(const char *method, const char *path)
{
	gw_test_restart(&x, cfg, method, path);
}

/* Dispatches method path on a fresh exchange with bearer and a JSON body (NULL: none). */
static void dispatch_as(const char *bearer, const char *method, const char *path, const char *json)
{
	start(method, path);
	gw_test_set_auth(x, bearer);
	if (json != NULL)
		gw_test_set_json_body(x, json);
	gw_pipeline_dispatch(x);
}

/* Dispatches method path on a fresh exchange without a token; asserts the problem answer. */
static void expect_problem(const char *method, const char *path, int status, const char *code)
{
	start(method, path);
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, status, code);
}

/* The dispatch handed the exchange to a handler that asked BBB for call. */
static void assert_bbb_call(const char *call)
{
	char prefix[256];

	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_ptr_nonnull(x->up.url);
	snprintf(prefix, sizeof(prefix), "%s/%s?", GW_TEST_BBB_URL, call);
	ck_assert_msg(strncmp(x->up.url, prefix, strlen(prefix)) == 0, "url %s", x->up.url);
}

/* ---- authentication and scope ---- */

START_TEST(test_pipeline_missing_token_401)
{
	const char *www;

	expect_problem("GET", "/v1/meetings", 401, "unauthorized");
	www = gw_test_header(x, "WWW-Authenticate");
	ck_assert_ptr_nonnull(www);
	ck_assert_msg(strncmp(www, "Bearer", 6) == 0, "WWW-Authenticate: %s", www);
	ck_assert_ptr_null(x->up.url);
	ck_assert_ptr_null(x->req.token);
}
END_TEST

START_TEST(test_pipeline_unknown_token_401)
{
	static const char *const headers[] = {
		"Bearer bgw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"Basic dXNlcjpwYXNz",
		"Bearer",
		"",
	};
	char known[GW_TEST_BEARER_LEN];
	size_t i;

	gw_test_add_token(cfg, "known", GW_SCOPE_ALL, NULL, known);
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		start("GET", "/v1/meetings");
		x->req.authorization = gw_test_xstrdup(x, headers[i]);
		gw_pipeline_dispatch(x);
		gw_test_assert_problem(x, 401, "unauthorized");
		ck_assert_ptr_nonnull(gw_test_header(x, "WWW-Authenticate"));
		ck_assert_ptr_null(x->up.url);
	}
}
END_TEST

START_TEST(test_pipeline_valid_token_runs_handler)
{
	char reader[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "reader", GW_SCOPE_MEETINGS_READ, NULL, reader);
	dispatch_as(reader, "GET", "/v1/meetings", NULL);
	assert_bbb_call("getMeetings");
	ck_assert_ptr_nonnull(x->req.token);
	ck_assert_str_eq(x->req.token->name, "reader");
	ck_assert_ptr_null(gw_test_header(x, "WWW-Authenticate"));
}
END_TEST

START_TEST(test_pipeline_picks_the_right_token)
{
	char a[GW_TEST_BEARER_LEN];
	char b[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "a", GW_SCOPE_MEETINGS_READ, NULL, a);
	gw_test_add_token(cfg, "b", GW_SCOPE_MEETINGS_READ, NULL, b);
	dispatch_as(b, "GET", "/v1/meetings/m1", NULL);
	assert_bbb_call("getMeetingInfo");
	ck_assert_str_eq(x->req.token->name, "b");
}
END_TEST

START_TEST(test_pipeline_missing_scope_403)
{
	char reader[GW_TEST_BEARER_LEN];
	json_t *p;
	const char *detail;

	gw_test_add_token(cfg, "reader", GW_SCOPE_MEETINGS_READ, NULL, reader);
	dispatch_as(reader, "POST", "/v1/meetings", "{\"name\":\"Bio 101\"}");
	gw_test_assert_problem(x, 403, "forbidden");
	p = gw_test_json_body(x);
	detail = json_string_value(json_object_get(p, "detail"));
	ck_assert_ptr_nonnull(detail);
	ck_assert_msg(strstr(detail, "meetings:create") != NULL, "detail: %s", detail);
	ck_assert_str_eq(json_string_value(json_object_get(p, "scope")), "meetings:create");
	json_decref(p);
	ck_assert_ptr_null(x->up.url);
	ck_assert_ptr_null(gw_test_header(x, "WWW-Authenticate"));
}
END_TEST

START_TEST(test_pipeline_every_route_names_its_scope)
{
	const struct gw_route *routes;
	size_t n;
	size_t i;

	routes = gw_routes_table()->routes;
	n = gw_routes_table()->n;
	for (i = 0; i < n; i++) {
		char b[GW_TEST_BEARER_LEN];
		char path[256];
		char name[32];
		json_t *p;

		if (routes[i].auth != GW_ROUTE_TOKEN || routes[i].scopes == 0)
			continue;
		snprintf(name, sizeof(name), "t%zu", i);
		gw_test_add_token(cfg, name, GW_SCOPE_ALL & ~routes[i].scopes, NULL, b);
		gw_test_fill_pattern(routes[i].pattern, "m1", path, sizeof(path));
		start(gw_test_method_name(routes[i].method), path);
		gw_test_set_auth(x, b);
		gw_pipeline_dispatch(x);
		gw_test_assert_problem(x, 403, "forbidden");
		p = gw_test_json_body(x);
		ck_assert_str_eq(json_string_value(json_object_get(p, "scope")),
				 gw_auth_scope_name(routes[i].scopes));
		json_decref(p);
		/* a fresh config keeps the token table small */
		teardown();
		setup();
	}
}
END_TEST

START_TEST(test_pipeline_star_scope_allows_everything)
{
	char all[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "all", GW_SCOPE_ALL, NULL, all);
	dispatch_as(all, "GET", "/v1/meetings/m1/running", NULL);
	assert_bbb_call("isMeetingRunning");
	dispatch_as(all, "POST", "/v1/meetings/m1/end", NULL);
	assert_bbb_call("end");
}
END_TEST

START_TEST(test_pipeline_server_needs_any_valid_token)
{
	char metrics[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "metrics-only", GW_SCOPE_METRICS, NULL, metrics);
	dispatch_as(metrics, "GET", "/v1/server", NULL);
	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_str_eq(x->up.url, GW_TEST_BBB_URL);

	expect_problem("GET", "/v1/server", 401, "unauthorized");
}
END_TEST

START_TEST(test_pipeline_public_routes_need_no_token)
{
	json_t *j;

	start("GET", "/healthz");
	gw_pipeline_dispatch(x);
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_str_eq(x->resp.content_type, "application/json; charset=utf-8");
	j = gw_test_json_body(x);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "ok");
	json_decref(j);

	start("GET", "/readyz");
	gw_pipeline_dispatch(x);
	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_str_eq(x->up.url, GW_TEST_BBB_URL);
	ck_assert(x->bbb.def->probe);

	/* a bad token does not matter on a public route */
	start("HEAD", "/healthz");
	x->req.authorization = gw_test_xstrdup(x, "Bearer nope");
	gw_pipeline_dispatch(x);
	ck_assert_int_eq(x->resp.status, 200);
}
END_TEST

/* ---- content type ---- */

START_TEST(test_pipeline_non_json_body_415)
{
	static const char *const types[] = {"text/plain", "application/x-www-form-urlencoded",
					    "application/jsonx", "application/xml"};
	char creator[GW_TEST_BEARER_LEN];
	size_t i;

	gw_test_add_token(cfg, "creator", GW_SCOPE_MEETINGS_CREATE, NULL, creator);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		start("POST", "/v1/meetings");
		gw_test_set_auth(x, creator);
		gw_test_set_json_body(x, "{\"name\":\"x\"}");
		x->req.content_type = gw_test_xstrdup(x, types[i]);
		gw_pipeline_dispatch(x);
		gw_test_assert_problem(x, 415, "unsupported_media_type");
		ck_assert_ptr_null(x->up.url);
	}
	/* no Content-Type at all with a body */
	start("POST", "/v1/meetings");
	gw_test_set_auth(x, creator);
	gw_test_set_json_body(x, "{\"name\":\"x\"}");
	x->req.content_type = NULL;
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 415, "unsupported_media_type");
}
END_TEST

START_TEST(test_pipeline_upload_route_takes_multipart)
{
	char writer[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "writer", GW_SCOPE_RECORDINGS_WRITE, NULL, writer);
	start("POST", "/v1/recordings/r1/text-tracks");
	gw_test_set_auth(x, writer);
	gw_test_set_json_body(x, "--b\r\nContent-Disposition: form-data; "
				 "name=\"kind\"\r\n\r\nsubtitles\r\n"
				 "--b--\r\n");
	x->req.content_type = gw_test_xstrdup(x, "multipart/form-data; boundary=b");
	gw_pipeline_dispatch(x);
	ck_assert_ptr_eq(x->req.token, &cfg->tokens[0]);
	ck_assert_int_ne(x->resp.status, 415);

	/* the JSON routes of the same resource still refuse it */
	start("PATCH", "/v1/recordings/r1");
	gw_test_set_auth(x, writer);
	gw_test_set_json_body(x, "--b--\r\n");
	x->req.content_type = gw_test_xstrdup(x, "multipart/form-data; boundary=b");
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 415, "unsupported_media_type");
}
END_TEST

START_TEST(test_pipeline_auth_before_415)
{
	start("POST", "/v1/meetings");
	gw_test_set_json_body(x, "{\"name\":\"x\"}");
	x->req.content_type = gw_test_xstrdup(x, "text/plain");
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 401, "unauthorized");
}
END_TEST

START_TEST(test_pipeline_json_with_charset_accepted)
{
	char creator[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "creator", GW_SCOPE_MEETINGS_CREATE, NULL, creator);
	start("POST", "/v1/meetings");
	gw_test_set_auth(x, creator);
	gw_test_set_json_body(x, "{\"name\":\"Bio 101\",\"meetingID\":\"bio-101\"}");
	x->req.content_type = gw_test_xstrdup(x, "Application/JSON; charset=utf-8");
	gw_pipeline_dispatch(x);
	assert_bbb_call("create");
	ck_assert_ptr_nonnull(strstr(x->up.url, "meetingID=bio-101"));
}
END_TEST

START_TEST(test_pipeline_empty_body_needs_no_content_type)
{
	char ender[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "ender", GW_SCOPE_MEETINGS_END, NULL, ender);
	dispatch_as(ender, "POST", "/v1/meetings/m1/end", NULL);
	assert_bbb_call("end");
}
END_TEST

START_TEST(test_pipeline_path_param_reaches_handler)
{
	char joiner[GW_TEST_BEARER_LEN];
	json_t *j;
	const char *url;

	gw_test_add_token(cfg, "joiner", GW_SCOPE_MEETINGS_JOIN, NULL, joiner);
	dispatch_as(joiner, "POST", "/v1/meetings/a%2Fb%20c/join",
		    "{\"fullName\":\"Ada\",\"role\":\"VIEWER\"}");
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_ptr_null(x->up.url);
	j = gw_test_json_body(x);
	url = json_string_value(json_object_get(j, "url"));
	ck_assert_ptr_nonnull(url);
	/* the decoded "a/b c" is re-encoded for BBB */
	ck_assert_msg(strstr(url, "meetingID=a%2Fb+c") != NULL, "url %s", url);
	json_decref(j);
}
END_TEST

START_TEST(test_pipeline_head_runs_get_handler)
{
	char reader[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "reader", GW_SCOPE_MEETINGS_READ, NULL, reader);
	dispatch_as(reader, "HEAD", "/v1/meetings/m1", NULL);
	assert_bbb_call("getMeetingInfo");
}
END_TEST

/* ---- 404 / 405 / 400 ---- */

START_TEST(test_pipeline_not_found)
{
	expect_problem("GET", "/v1/nothing-here", 404, "not_found");
	ck_assert_ptr_null(gw_test_header(x, "Allow"));
}
END_TEST

START_TEST(test_pipeline_method_not_allowed_has_allow)
{
	expect_problem("PUT", "/v1/meetings", 405, "method_not_allowed");
	ck_assert_str_eq(gw_test_header(x, "Allow"), "GET, HEAD, POST, OPTIONS");

	expect_problem("GET", "/v1/meetings/m1/end", 405, "method_not_allowed");
	ck_assert_str_eq(gw_test_header(x, "Allow"), "POST, OPTIONS");
}
END_TEST

START_TEST(test_pipeline_allow_lists_only_working_methods)
{
	/* OPTIONS is answered (as a preflight) on /v1 paths only, so only they list it */
	expect_problem("POST", "/healthz", 405, "method_not_allowed");
	ck_assert_str_eq(gw_test_header(x, "Allow"), "GET, HEAD");

	expect_problem("OPTIONS", "/healthz", 405, "method_not_allowed");
	ck_assert_str_eq(gw_test_header(x, "Allow"), "GET, HEAD");
}
END_TEST

START_TEST(test_pipeline_bad_path_param_400)
{
	char reader[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "reader", GW_SCOPE_MEETINGS_READ, NULL, reader);
	dispatch_as(reader, "GET", "/v1/meetings/%ZZ", NULL);
	gw_test_assert_problem(x, 400, "bad_path_parameter");
	ck_assert_ptr_null(x->up.url);
}
END_TEST

/* ---- matching once, rate limits ---- */

START_TEST(test_pipeline_routes_once)
{
	char b[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "reader", GW_SCOPE_MEETINGS_READ, NULL, b);
	start("GET", "/v1/meetings/m1");
	gw_pipeline_route(x);
	ck_assert_ptr_nonnull(x->req.route);
	ck_assert_str_eq(x->req.params[0], "m1");
	/* the stored match is used: a later change of path is not looked at again */
	x->req.path = gw_test_xstrdup(x, "/v1/nothing");
	gw_pipeline_route(x);
	ck_assert_str_eq(x->req.route->pattern, "/v1/meetings/{meetingID}");
	gw_test_set_auth(x, b);
	gw_pipeline_dispatch(x);
	assert_bbb_call("getMeetingInfo");
}
END_TEST

START_TEST(test_pipeline_route_keeps_a_failed_match)
{
	start("PUT", "/v1/meetings");
	gw_pipeline_route(x);
	ck_assert(x->req.routed);
	ck_assert_ptr_null(x->req.route);
	ck_assert_int_eq(x->req.route_err, GW_E_METHOD_NOT_ALLOWED);
	ck_assert_int_eq(x->resp.status, 0); /* answered by admit, not by the match */
	ck_assert(!gw_pipeline_admit(x));
	gw_test_assert_problem(x, 405, "method_not_allowed");
}
END_TEST

START_TEST(test_pipeline_without_table_everything_404)
{
	start("GET", "/healthz");
	x->req.svc = NULL;
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 404, "not_found");
}
END_TEST

/* GET /v1/meetings/m1 with svc, and with bearer when not NULL. */
static void dispatch_with(const struct gw_services *svc, const char *bearer)
{
	start("GET", "/v1/meetings/m1");
	x->req.svc = svc;
	if (bearer != NULL)
		gw_test_set_auth(x, bearer);
	gw_pipeline_dispatch(x);
}

START_TEST(test_pipeline_rate_limit_429_after_auth)
{
	struct gw_services svc = *gw_test_services();
	char b[GW_TEST_BEARER_LEN];

	svc.ratelimit = gw_ratelimit_new(16);
	ck_assert_ptr_nonnull(svc.ratelimit);
	cfg->rate_per_s = 0.001;
	cfg->burst = 1;
	gw_test_add_token(cfg, "reader", GW_SCOPE_MEETINGS_READ, NULL, b);
	dispatch_with(&svc, b);
	assert_bbb_call("getMeetingInfo");

	/* the bucket is empty now, but authentication answers first */
	dispatch_with(&svc, NULL);
	gw_test_assert_problem(x, 401, "unauthorized");

	dispatch_with(&svc, b);
	gw_test_assert_problem(x, 429, "rate_limited");
	ck_assert_ptr_nonnull(gw_test_header(x, "Retry-After"));
	gw_exchange_free(x);
	x = NULL;
	gw_ratelimit_free(svc.ratelimit);
}
END_TEST

static Suite *pipeline_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *a = tcase_create("auth");
	TCase *d = tcase_create("dispatch");
	TCase *o = tcase_create("once");

	tcase_add_checked_fixture(a, setup, teardown);
	tcase_add_test(a, test_pipeline_missing_token_401);
	tcase_add_test(a, test_pipeline_unknown_token_401);
	tcase_add_test(a, test_pipeline_valid_token_runs_handler);
	tcase_add_test(a, test_pipeline_picks_the_right_token);
	tcase_add_test(a, test_pipeline_missing_scope_403);
	tcase_add_test(a, test_pipeline_every_route_names_its_scope);
	tcase_add_test(a, test_pipeline_star_scope_allows_everything);
	tcase_add_test(a, test_pipeline_server_needs_any_valid_token);
	tcase_add_test(a, test_pipeline_public_routes_need_no_token);
	suite_add_tcase(s, a);

	tcase_add_checked_fixture(d, setup, teardown);
	tcase_add_test(d, test_pipeline_non_json_body_415);
	tcase_add_test(d, test_pipeline_upload_route_takes_multipart);
	tcase_add_test(d, test_pipeline_auth_before_415);
	tcase_add_test(d, test_pipeline_json_with_charset_accepted);
	tcase_add_test(d, test_pipeline_empty_body_needs_no_content_type);
	tcase_add_test(d, test_pipeline_path_param_reaches_handler);
	tcase_add_test(d, test_pipeline_head_runs_get_handler);
	tcase_add_test(d, test_pipeline_not_found);
	tcase_add_test(d, test_pipeline_method_not_allowed_has_allow);
	tcase_add_test(d, test_pipeline_allow_lists_only_working_methods);
	tcase_add_test(d, test_pipeline_bad_path_param_400);
	suite_add_tcase(s, d);

	tcase_add_checked_fixture(o, setup, teardown);
	tcase_add_test(o, test_pipeline_routes_once);
	tcase_add_test(o, test_pipeline_route_keeps_a_failed_match);
	tcase_add_test(o, test_pipeline_without_table_everything_404);
	tcase_add_test(o, test_pipeline_rate_limit_429_after_auth);
	suite_add_tcase(s, o);
	return s;
}

GW_TEST_MAIN(pipeline_suite)
