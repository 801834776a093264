/*
 * check_router.c - the route table and matching: every route matches its
 * own pattern, the contract's routes are there with their scopes, 404/405
 * with the allowed methods, HEAD on GET routes, percent-decoded path
 * parameters, and the patterns and indexes the metrics are keyed by.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "request.h"
#include "router.h"
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

/* Runs gw_router_match with the API's table on the current exchange. */
static enum gw_err match(unsigned *allowed)
{
	return gw_router_match(gw_routes_table(), &x->req, allowed);
}

/* ---- the table ---- */

START_TEST(test_router_table_every_route_matches_itself)
{
	const struct gw_route *routes;
	size_t n;
	size_t i;

	routes = gw_routes_table()->routes;
	n = gw_routes_table()->n;
	ck_assert_uint_gt(n, 0);
	for (i = 0; i < n; i++) {
		char path[256];
		unsigned allowed = 0;
		size_t np = gw_test_fill_pattern(routes[i].pattern, "abc", path, sizeof(path));
		size_t k;

		start(gw_test_method_name(routes[i].method), path);
		ck_assert_msg(match(&allowed) == GW_OK, "%s %s",
			      gw_test_method_name(routes[i].method), path);
		ck_assert_ptr_eq(x->req.route, &routes[i]);
		ck_assert(x->req.route->handler == routes[i].handler);
		ck_assert_uint_eq(x->req.n_params, np);
		for (k = 0; k < x->req.n_params; k++)
			ck_assert_str_eq(x->req.params[k], "abc");
	}
}
END_TEST

START_TEST(test_router_table_contract_routes_present)
{
	static const struct {
		const char *method;
		const char *path;
		unsigned scopes;
		enum gw_route_auth auth;
	} want[] = {
		{"GET", "/healthz", 0, GW_ROUTE_PUBLIC},
		{"GET", "/readyz", 0, GW_ROUTE_PUBLIC},
		{"GET", "/v1/server", 0, GW_ROUTE_TOKEN},
		{"GET", "/v1/meetings", GW_SCOPE_MEETINGS_READ, GW_ROUTE_TOKEN},
		{"POST", "/v1/meetings", GW_SCOPE_MEETINGS_CREATE, GW_ROUTE_TOKEN},
		{"GET", "/v1/meetings/m1", GW_SCOPE_MEETINGS_READ, GW_ROUTE_TOKEN},
		{"GET", "/v1/meetings/m1/running", GW_SCOPE_MEETINGS_READ, GW_ROUTE_TOKEN},
		{"POST", "/v1/meetings/m1/join", GW_SCOPE_MEETINGS_JOIN, GW_ROUTE_TOKEN},
		{"POST", "/v1/meetings/m1/end", GW_SCOPE_MEETINGS_END, GW_ROUTE_TOKEN},
		{"POST", "/v1/meetings/m1/documents", GW_SCOPE_MEETINGS_WRITE, GW_ROUTE_TOKEN},
		{"POST", "/v1/meetings/m1/chat", GW_SCOPE_MEETINGS_WRITE, GW_ROUTE_TOKEN},
		{"GET", "/v1/recordings", GW_SCOPE_RECORDINGS_READ, GW_ROUTE_TOKEN},
		{"GET", "/v1/recordings/r1", GW_SCOPE_RECORDINGS_READ, GW_ROUTE_TOKEN},
		{"PATCH", "/v1/recordings/r1", GW_SCOPE_RECORDINGS_WRITE, GW_ROUTE_TOKEN},
		{"DELETE", "/v1/recordings/r1", GW_SCOPE_RECORDINGS_WRITE, GW_ROUTE_TOKEN},
		{"GET", "/v1/recordings/r1/text-tracks", GW_SCOPE_RECORDINGS_READ, GW_ROUTE_TOKEN},
		{"POST", "/v1/recordings/r1/text-tracks", GW_SCOPE_RECORDINGS_WRITE,
		 GW_ROUTE_TOKEN},
		{"GET", "/v1/hooks", GW_SCOPE_HOOKS, GW_ROUTE_TOKEN},
		{"POST", "/v1/hooks", GW_SCOPE_HOOKS, GW_ROUTE_TOKEN},
		{"DELETE", "/v1/hooks/h1", GW_SCOPE_HOOKS, GW_ROUTE_TOKEN},
		{"GET", "/v1/openapi.json", 0, GW_ROUTE_PUBLIC},
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		unsigned allowed = 0;

		start(want[i].method, want[i].path);
		ck_assert_msg(match(&allowed) == GW_OK, "%s %s", want[i].method, want[i].path);
		ck_assert_uint_eq(x->req.route->scopes, want[i].scopes);
		ck_assert_int_eq(x->req.route->auth, want[i].auth);
	}
}
END_TEST

/* ---- matching ---- */

START_TEST(test_router_match_param_slash_escape_stays_in_segment)
{
	unsigned allowed = 0;

	start("GET", "/v1/meetings/a%2Fb");
	ck_assert_int_eq(match(&allowed), GW_OK);
	ck_assert_str_eq(x->req.route->pattern, "/v1/meetings/{meetingID}");
	ck_assert_uint_eq(x->req.n_params, 1);
	ck_assert_str_eq(x->req.params[0], "a/b");

	start("POST", "/v1/meetings/a%2Fb/join");
	ck_assert_int_eq(match(&allowed), GW_OK);
	ck_assert_str_eq(x->req.route->pattern, "/v1/meetings/{meetingID}/join");
	ck_assert_str_eq(x->req.params[0], "a/b");
}
END_TEST

START_TEST(test_router_match_param_utf8_decoded)
{
	unsigned allowed = 0;

	start("GET", "/v1/meetings/caf%C3%A9");
	ck_assert_int_eq(match(&allowed), GW_OK);
	ck_assert_str_eq(x->req.params[0], "caf\xc3\xa9");
	start("GET", "/v1/meetings/caf%c3%a9/running");
	ck_assert_int_eq(match(&allowed), GW_OK);
	ck_assert_str_eq(x->req.params[0], "caf\xc3\xa9");
}
END_TEST

START_TEST(test_router_match_param_plus_and_space)
{
	unsigned allowed = 0;

	/* In a path '+' is a plain character; only %20 is a space. */
	start("GET", "/v1/meetings/a+b");
	ck_assert_int_eq(match(&allowed), GW_OK);
	ck_assert_str_eq(x->req.params[0], "a+b");
	start("GET", "/v1/meetings/a%20b");
	ck_assert_int_eq(match(&allowed), GW_OK);
	ck_assert_str_eq(x->req.params[0], "a b");
}
END_TEST

START_TEST(test_router_match_bad_param)
{
	static const char *const bad[] = {"/v1/meetings/%ZZ",    "/v1/meetings/%",
					  "/v1/meetings/a%4",    "/v1/meetings/%00",
					  "/v1/meetings/%C0%AF", "/v1/meetings/%FF/join"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned allowed = 0;

		start(strstr(bad[i], "join") != NULL ? "POST" : "GET", bad[i]);
		ck_assert_msg(match(&allowed) == GW_E_BAD_PATH_PARAM, "%s", bad[i]);
		ck_assert_uint_eq(x->req.n_params, 0);
	}
}
END_TEST

START_TEST(test_router_match_unknown_paths_404)
{
	static const char *const paths[] = {
		"/v1/meetingsx",
		"/v1/meetings/a/b/c",
		"/",
		"",
		"/v1",
		"/v1/",
		"/v1/meetings/",
		"/v1/meetings//join",
		"//v1/meetings",
		"/V1/meetings",
		"/healthz/",
		"/v1/meetings/a/running/x",
		"/v1/meetings/a/joinx",
		"/v2/meetings",
		"/v1/meetings/a//",
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		unsigned allowed = 0;

		start("GET", paths[i]);
		ck_assert_msg(match(&allowed) == GW_E_NOT_FOUND, "'%s' matched", paths[i]);
		ck_assert_uint_eq(x->req.n_params, 0);
		start("POST", paths[i]);
		ck_assert_msg(match(&allowed) == GW_E_NOT_FOUND, "POST '%s' matched", paths[i]);
	}
}
END_TEST

START_TEST(test_router_match_wrong_method_405_with_allowed)
{
	unsigned allowed = 0;

	start("PUT", "/v1/meetings");
	ck_assert_int_eq(match(&allowed), GW_E_METHOD_NOT_ALLOWED);
	ck_assert_uint_eq(allowed,
			  GW_METHOD_GET | GW_METHOD_POST | GW_METHOD_HEAD | GW_METHOD_OPTIONS);

	allowed = 0;
	start("DELETE", "/v1/meetings/abc");
	ck_assert_int_eq(match(&allowed), GW_E_METHOD_NOT_ALLOWED);
	ck_assert_uint_eq(allowed, GW_METHOD_GET | GW_METHOD_HEAD | GW_METHOD_OPTIONS);

	allowed = 0;
	start("GET", "/v1/meetings/abc/join");
	ck_assert_int_eq(match(&allowed), GW_E_METHOD_NOT_ALLOWED);
	ck_assert_uint_eq(allowed, GW_METHOD_POST | GW_METHOD_OPTIONS);
}
END_TEST

START_TEST(test_router_match_head_uses_get_route)
{
	unsigned allowed = 0;

	start("HEAD", "/v1/meetings/abc");
	ck_assert_int_eq(match(&allowed), GW_OK);
	ck_assert_int_eq(x->req.route->method, GW_METHOD_GET);
	ck_assert_str_eq(x->req.route->pattern, "/v1/meetings/{meetingID}");
	ck_assert_str_eq(x->req.params[0], "abc");

	start("HEAD", "/v1/meetings");
	ck_assert_int_eq(match(&allowed), GW_OK);
	ck_assert_int_eq(x->req.route->method, GW_METHOD_GET);

	/* HEAD is not a way into a POST-only route */
	allowed = 0;
	start("HEAD", "/v1/meetings/abc/end");
	ck_assert_int_eq(match(&allowed), GW_E_METHOD_NOT_ALLOWED);
	ck_assert_uint_eq(allowed & GW_METHOD_HEAD, 0);
}
END_TEST

START_TEST(test_router_match_custom_table)
{
	static const struct gw_route table[] = {
		{.method = GW_METHOD_GET, .pattern = "/a/{x}/b/{y}", .auth = GW_ROUTE_PUBLIC},
		{.method = GW_METHOD_DELETE, .pattern = "/a/{x}", .auth = GW_ROUTE_PUBLIC},
	};
	static const struct gw_route_table t = {table, 2};
	unsigned allowed = 0;

	start("GET", "/a/one%21/b/t%C3%BCo");
	ck_assert_int_eq(gw_router_match(&t, &x->req, &allowed), GW_OK);
	ck_assert_ptr_eq(x->req.route, &table[0]);
	ck_assert_uint_eq(x->req.n_params, 2);
	ck_assert_str_eq(x->req.params[0], "one!");
	ck_assert_str_eq(x->req.params[1], "t\xc3\xbco");

	/* outside /v1 OPTIONS is not answered, so it is not allowed either */
	start("GET", "/a/one");
	ck_assert_int_eq(gw_router_match(&t, &x->req, &allowed), GW_E_METHOD_NOT_ALLOWED);
	ck_assert_uint_eq(allowed, GW_METHOD_DELETE);
}
END_TEST

START_TEST(test_router_match_sets_params_only_on_success)
{
	unsigned allowed = 0;

	/* a bad parameter still names its route (the body limit depends on it) */
	start("GET", "/v1/meetings/%ZZ");
	ck_assert_int_eq(match(&allowed), GW_E_BAD_PATH_PARAM);
	ck_assert_ptr_nonnull(x->req.route);
	ck_assert_str_eq(x->req.route->pattern, "/v1/meetings/{meetingID}");
	ck_assert_uint_eq(x->req.n_params, 0);

	start("GET", "/v1/nothing");
	ck_assert_int_eq(match(&allowed), GW_E_NOT_FOUND);
	ck_assert_ptr_null(x->req.route);
}
END_TEST

START_TEST(test_router_match_empty_table)
{
	static const struct gw_route_table none = {NULL, 0};
	unsigned allowed = 0;

	start("GET", "/healthz");
	ck_assert_int_eq(gw_router_match(&none, &x->req, &allowed), GW_E_NOT_FOUND);
	ck_assert_ptr_null(x->req.route);
}
END_TEST

/* ---- patterns and indexes ---- */

START_TEST(test_router_patterns_in_table_order)
{
	const struct gw_route_table *t = gw_routes_table();
	const char *pats[64];
	size_t n = gw_router_patterns(t, pats, 64);
	size_t i;

	ck_assert_uint_eq(n, t->n < 64 ? t->n : 64);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_eq(pats[i], t->routes[i].pattern);
		ck_assert_uint_eq(gw_router_index(t, &t->routes[i]), i);
	}
	/* a short array gets the first routes only */
	ck_assert_uint_eq(gw_router_patterns(t, pats, 2), 2);
	ck_assert_str_eq(pats[1], t->routes[1].pattern);
	ck_assert_uint_eq(gw_router_patterns(t, pats, 0), 0);
}
END_TEST

START_TEST(test_router_index_of_foreign_route)
{
	static const struct gw_route other = {.method = GW_METHOD_GET, .pattern = "/x"};
	const struct gw_route_table *t = gw_routes_table();

	ck_assert_uint_eq(gw_router_index(t, NULL), SIZE_MAX);
	ck_assert_uint_eq(gw_router_index(t, &other), SIZE_MAX);
	ck_assert_uint_eq(gw_router_index(NULL, &t->routes[0]), SIZE_MAX);
}
END_TEST

static Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *t = tcase_create("table");
	TCase *m = tcase_create("match");
	TCase *p = tcase_create("patterns");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_router_table_every_route_matches_itself);
	tcase_add_test(t, test_router_table_contract_routes_present);
	suite_add_tcase(s, t);

	tcase_add_checked_fixture(m, setup, teardown);
	tcase_add_test(m, test_router_match_param_slash_escape_stays_in_segment);
	tcase_add_test(m, test_router_match_param_utf8_decoded);
	tcase_add_test(m, test_router_match_param_plus_and_space);
	tcase_add_test(m, test_router_match_bad_param);
	tcase_add_test(m, test_router_match_unknown_paths_404);
	tcase_add_test(m, test_router_match_wrong_method_405_with_allowed);
	tcase_add_test(m, test_router_match_head_uses_get_route);
	tcase_add_test(m, test_router_match_custom_table);
	tcase_add_test(m, test_router_match_sets_params_only_on_success);
	tcase_add_test(m, test_router_match_empty_table);
	suite_add_tcase(s, m);

	tcase_add_checked_fixture(p, setup, teardown);
	tcase_add_test(p, test_router_patterns_in_table_order);
	tcase_add_test(p, test_router_index_of_foreign_route);
	suite_add_tcase(s, p);
	return s;
}

GW_TEST_MAIN(router_suite)
