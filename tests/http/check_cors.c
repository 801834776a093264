/*
 * check_cors.c - the CORS module on in-memory exchanges: the origin
 * decision (the global list, token origins before and after
 * authentication, exact comparison), preflight answers, and the CORS
 * headers every response carries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "cors.h"
#include "pipeline.h"
#include "request.h"
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

/* ---- preflights ---- */

/* The pipeline let the request through to its handler, which asked BBB for call. */
static void assert_served(const char *call)
{
	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_str_eq(x->bbb.name, call);
}

static void start_preflight(const char *path, const char *origin)
{
	start("OPTIONS", path);
	if (origin != NULL)
		x->req.origin = gw_test_xstrdup(x, origin);
	x->req.access_control_request_method = gw_test_xstrdup(x, "POST");
}

START_TEST(test_cors_preflight_allowed_origin)
{
	const char *h;

	start_preflight("/v1/meetings", GW_TEST_APP_ORIGIN);
	gw_pipeline_dispatch(x);
	ck_assert_int_eq(x->resp.status, 204);
	ck_assert_ptr_null(x->up.url);
	ck_assert_uint_eq(x->resp.body_len, 0);
	h = gw_test_header(x, "Access-Control-Allow-Methods");
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(strstr(h, "GET"));
	ck_assert_ptr_nonnull(strstr(h, "POST"));
	h = gw_test_header(x, "Access-Control-Allow-Headers");
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(strstr(h, "Authorization"));
	ck_assert_ptr_nonnull(strstr(h, "Content-Type"));
	ck_assert_ptr_nonnull(strstr(h, "X-Request-Id"));
	ck_assert_str_eq(gw_test_header(x, "Access-Control-Max-Age"), "321");
	/* the HTTP server echoes this origin in Access-Control-Allow-Origin */
	ck_assert_str_eq(gw_cors_origin(&x->req), GW_TEST_APP_ORIGIN);
}
END_TEST

START_TEST(test_cors_preflight_needs_no_token_on_any_v1_path)
{
	start_preflight("/v1/meetings/m1/join", GW_TEST_APP_ORIGIN);
	gw_pipeline_dispatch(x);
	ck_assert_int_eq(x->resp.status, 204);
	ck_assert_ptr_null(gw_test_header(x, "WWW-Authenticate"));
}
END_TEST

START_TEST(test_cors_preflight_disallowed_origin_403)
{
	start_preflight("/v1/meetings", GW_TEST_EVIL_ORIGIN);
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 403, "forbidden");
	ck_assert_ptr_null(gw_test_header(x, "Access-Control-Allow-Methods"));
	ck_assert_ptr_null(gw_test_header(x, "Access-Control-Allow-Headers"));
	ck_assert_ptr_null(gw_test_header(x, "Access-Control-Max-Age"));
	ck_assert_ptr_null(gw_cors_origin(&x->req));
}
END_TEST

START_TEST(test_cors_preflight_without_origin_403)
{
	start_preflight("/v1/meetings", NULL);
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 403, "forbidden");
	ck_assert_ptr_null(gw_test_header(x, "Access-Control-Allow-Methods"));
}
END_TEST

START_TEST(test_cors_preflight_origin_compared_exactly)
{
	static const char *const near[] = {"https://app.example.org/", "http://app.example.org",
					   "https://APP.example.org",
					   "https://app.example.org.evil", "null"};
	size_t i;

	for (i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		start_preflight("/v1/meetings", near[i]);
		gw_pipeline_dispatch(x);
		ck_assert_msg(x->resp.status == 403, "%s allowed", near[i]);
	}
}
END_TEST

START_TEST(test_cors_preflight_token_origin_allowed)
{
	char lms[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "lms", GW_SCOPE_ALL, GW_TEST_LMS_ORIGIN, lms);
	start_preflight("/v1/meetings", GW_TEST_LMS_ORIGIN);
	gw_pipeline_dispatch(x);
	ck_assert_int_eq(x->resp.status, 204);
	ck_assert_str_eq(gw_cors_origin(&x->req), GW_TEST_LMS_ORIGIN);
}
END_TEST

START_TEST(test_cors_token_origins_enforced)
{
	char lms[GW_TEST_BEARER_LEN];
	char other[GW_TEST_BEARER_LEN];
	char plain[GW_TEST_BEARER_LEN];

	gw_test_add_token(cfg, "lms", GW_SCOPE_ALL, GW_TEST_LMS_ORIGIN, lms);
	gw_test_add_token(cfg, "other", GW_SCOPE_ALL, GW_TEST_OTHER_ORIGIN, other);
	gw_test_add_token(cfg, "plain", GW_SCOPE_ALL, NULL, plain);

	/* the token's own origin */
	start("GET", "/v1/meetings");
	gw_test_set_auth(x, lms);
	x->req.origin = gw_test_xstrdup(x, GW_TEST_LMS_ORIGIN);
	gw_pipeline_dispatch(x);
	assert_served("getMeetings");
	ck_assert_str_eq(gw_cors_origin(&x->req), GW_TEST_LMS_ORIGIN);

	/* another token's origin is not this token's */
	start("GET", "/v1/meetings");
	gw_test_set_auth(x, other);
	x->req.origin = gw_test_xstrdup(x, GW_TEST_LMS_ORIGIN);
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 403, "origin_not_allowed");
	ck_assert_ptr_null(x->up.url);
	ck_assert_ptr_null(gw_cors_origin(&x->req));

	/* a token's own origins replace the global list for that token */
	start("GET", "/v1/meetings");
	gw_test_set_auth(x, other);
	x->req.origin = gw_test_xstrdup(x, GW_TEST_APP_ORIGIN);
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 403, "origin_not_allowed");
	ck_assert_ptr_null(gw_cors_origin(&x->req));

	/* a token without origins is served but gets no CORS origin for a foreign one */
	start("GET", "/v1/meetings");
	gw_test_set_auth(x, plain);
	x->req.origin = gw_test_xstrdup(x, GW_TEST_LMS_ORIGIN);
	gw_pipeline_dispatch(x);
	assert_served("getMeetings");
	ck_assert_ptr_null(gw_cors_origin(&x->req));
}
END_TEST

START_TEST(test_cors_origin_global_list)
{
	start("GET", "/v1/meetings");
	ck_assert_ptr_null(gw_cors_origin(&x->req));
	x->req.origin = gw_test_xstrdup(x, GW_TEST_APP_ORIGIN);
	ck_assert_ptr_eq(gw_cors_origin(&x->req), x->req.origin);
	x->req.origin = gw_test_xstrdup(x, GW_TEST_EVIL_ORIGIN);
	ck_assert_ptr_null(gw_cors_origin(&x->req));
}
END_TEST
/* ---- response headers ---- */

/* The CORS headers gw_cors_response_headers yields for x, as "Name: value\n" lines. */
static void cors_lines(char *out, size_t outlen)
{
	struct gw_cors_header h[GW_CORS_MAX_HEADERS];
	size_t n = gw_cors_response_headers(x, h);
	size_t used = 0;
	size_t i;

	ck_assert_uint_le(n, GW_CORS_MAX_HEADERS);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(out + used, outlen - used, "%s: %s\n", h[i].name, h[i].value);

		ck_assert_int_gt(w, 0);
		ck_assert_uint_lt((size_t)w, outlen - used);
		used += (size_t)w;
	}
}

START_TEST(test_cors_headers_allowed_origin)
{
	char got[512];

	start("GET", "/v1/meetings");
	x->req.origin = gw_test_xstrdup(x, GW_TEST_APP_ORIGIN);
	x->resp.status = 200;
	cors_lines(got, sizeof(got));
	ck_assert_str_eq(got, "Vary: Origin\n"
			      "Access-Control-Allow-Origin: " GW_TEST_APP_ORIGIN "\n"
			      "Access-Control-Expose-Headers: X-Request-Id, Location, Retry-After, "
			      "WWW-Authenticate\n");

	/* a preflight's 204 exposes nothing */
	x->resp.status = 204;
	cors_lines(got, sizeof(got));
	ck_assert_str_eq(got,
			 "Vary: Origin\nAccess-Control-Allow-Origin: " GW_TEST_APP_ORIGIN "\n");
}
END_TEST

START_TEST(test_cors_headers_vary_only)
{
	char got[512];

	/* no Origin */
	start("GET", "/v1/meetings");
	x->resp.status = 200;
	cors_lines(got, sizeof(got));
	ck_assert_str_eq(got, "Vary: Origin\n");

	/* a disallowed one */
	x->req.origin = gw_test_xstrdup(x, GW_TEST_EVIL_ORIGIN);
	cors_lines(got, sizeof(got));
	ck_assert_str_eq(got, "Vary: Origin\n");

	/* an allowed origin on a response that must not carry CORS (a refused preflight) */
	x->req.origin = gw_test_xstrdup(x, GW_TEST_APP_ORIGIN);
	x->resp.no_cors = true;
	cors_lines(got, sizeof(got));
	ck_assert_str_eq(got, "Vary: Origin\n");
}
END_TEST

START_TEST(test_cors_preflight_refused_header_sends_no_cors)
{
	start_preflight("/v1/meetings", GW_TEST_APP_ORIGIN);
	x->req.access_control_request_headers = gw_test_xstrdup(x, "Authorization, X-Evil");
	gw_cors_preflight(x);
	gw_test_assert_problem(x, 403, "forbidden");
	ck_assert(x->resp.no_cors);

	start_preflight("/v1/meetings", GW_TEST_APP_ORIGIN);
	x->req.access_control_request_method = gw_test_xstrdup(x, "PUT");
	gw_cors_preflight(x);
	gw_test_assert_problem(x, 403, "forbidden");

	/* listed headers in any case and spacing are fine */
	start_preflight("/v1/meetings", GW_TEST_APP_ORIGIN);
	x->req.access_control_request_headers = gw_test_xstrdup(x, "content-type,authorization , "
								   "X-REQUEST-ID");
	gw_cors_preflight(x);
	ck_assert_int_eq(x->resp.status, 204);
}
END_TEST

START_TEST(test_cors_preflight_path_is_the_v1_api)
{
	ck_assert(gw_cors_preflight_path("/v1/meetings"));
	ck_assert(gw_cors_preflight_path("/v1/"));
	ck_assert(!gw_cors_preflight_path("/v1"));
	ck_assert(!gw_cors_preflight_path("/healthz"));
	ck_assert(!gw_cors_preflight_path(""));
}
END_TEST

static Suite *cors_suite(void)
{
	Suite *s = suite_create("cors");
	TCase *p = tcase_create("preflight");
	TCase *h = tcase_create("headers");

	tcase_add_checked_fixture(p, setup, teardown);
	tcase_add_test(p, test_cors_preflight_allowed_origin);
	tcase_add_test(p, test_cors_preflight_needs_no_token_on_any_v1_path);
	tcase_add_test(p, test_cors_preflight_disallowed_origin_403);
	tcase_add_test(p, test_cors_preflight_without_origin_403);
	tcase_add_test(p, test_cors_preflight_origin_compared_exactly);
	tcase_add_test(p, test_cors_preflight_token_origin_allowed);
	tcase_add_test(p, test_cors_token_origins_enforced);
	tcase_add_test(p, test_cors_origin_global_list);
	tcase_add_test(p, test_cors_preflight_refused_header_sends_no_cors);
	tcase_add_test(p, test_cors_preflight_path_is_the_v1_api);
	suite_add_tcase(s, p);

	tcase_add_checked_fixture(h, setup, teardown);
	tcase_add_test(h, test_cors_headers_allowed_origin);
	tcase_add_test(h, test_cors_headers_vary_only);
	suite_add_tcase(s, h);
	return s;
}

GW_TEST_MAIN(cors_suite)
