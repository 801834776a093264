/*
 * check_router.c - the route table and the request pipeline: matching
 * (404/405 with the allowed methods, HEAD on GET routes, percent-decoded
 * path parameters), bearer tokens and scopes, Content-Type checks and CORS
 * preflights, all on in-memory exchanges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "config.h"
#include "request.h"
#include "router.h"
#include "testutil.h"

#define MAX_TOKENS 8
#define BBB_URL "http://bbb.test/bigbluebutton/api"
#define APP_ORIGIN "https://app.example.org"
#define LMS_ORIGIN "https://lms.example.org"
#define OTHER_ORIGIN "https://other.example.org"
#define EVIL_ORIGIN "https://evil.example.net"

static struct gw_config *cfg;
static struct gw_exchange *x;

/* "Bearer <token>" for tokens added with add_token. */
struct bearer {
	char header[16 + GW_AUTH_TOKEN_LEN];
};

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	ck_assert_ptr_nonnull(d);
	return d;
}

static void setup(void)
{
	cfg = gw_config_new_defaults();
	ck_assert_ptr_nonnull(cfg);
	free(cfg->bbb_url);
	cfg->bbb_url = xstrdup(BBB_URL);
	free(cfg->bbb_public_url);
	cfg->bbb_public_url = xstrdup("https://public.test/bigbluebutton/api");
	free(cfg->bbb_secret);
	cfg->bbb_secret = xstrdup("router-test-secret-0123456789abcdef");
	cfg->checksum = GW_DIGEST_SHA256;
	cfg->tokens = calloc(MAX_TOKENS, sizeof(*cfg->tokens));
	ck_assert_ptr_nonnull(cfg->tokens);
	cfg->n_tokens = 0;
	cfg->cors_origins = calloc(1, sizeof(*cfg->cors_origins));
	ck_assert_ptr_nonnull(cfg->cors_origins);
	cfg->cors_origins[0] = xstrdup(APP_ORIGIN);
	cfg->n_cors_origins = 1;
	cfg->cors_max_age_s = 321;
	x = gw_exchange_new(cfg);
	ck_assert_ptr_nonnull(x);
}

static void teardown(void)
{
	gw_exchange_free(x);
	gw_config_unref(cfg);
}

/* Mints a token with scopes (and one allowed origin when origin is not NULL) into cfg. */
static void add_token(const char *name, unsigned scopes, const char *origin, struct bearer *out)
{
	char token[GW_AUTH_TOKEN_LEN + 1];
	char hash[7 + 2 * GW_AUTH_HASH_LEN + 1];
	struct gw_token *t;

	ck_assert_uint_lt(cfg->n_tokens, MAX_TOKENS);
	t = &cfg->tokens[cfg->n_tokens];
	ck_assert_int_eq(gw_auth_token_new(token, hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_parse(hash, t->hash), GW_OK);
	t->name = xstrdup(name);
	t->scopes = scopes;
	if (origin != NULL) {
		t->origins = calloc(1, sizeof(*t->origins));
		ck_assert_ptr_nonnull(t->origins);
		t->origins[0] = xstrdup(origin);
		t->n_origins = 1;
	}
	cfg->n_tokens++;
	snprintf(out->header, sizeof(out->header), "Bearer %s", token);
}

/* Starts a fresh exchange for method and path (the previous one is freed). */
static void start(const char *method, const char *path)
{
	gw_exchange_free(x);
	x = gw_exchange_new(cfg);
	ck_assert_ptr_nonnull(x);
	x->req.method_name = method;
	x->req.method = gw_method_parse(method);
	x->req.path = xstrdup(path);
	gw_request_set_id(&x->req, "router-test");
}

static void set_auth(const struct bearer *b)
{
	x->req.authorization = xstrdup(b->header);
}

static void set_json_body(const char *json)
{
	x->req.content_type = xstrdup("application/json");
	x->req.body = xstrdup(json);
	x->req.body_len = strlen(json);
}

static const char *resp_header(const char *name)
{
	size_t i;

	for (i = 0; i < x->resp.n_headers; i++) {
		if (strcasecmp(x->resp.headers[i].name, name) == 0)
			return x->resp.headers[i].value;
	}
	return NULL;
}

static json_t *resp_json(void)
{
	json_error_t e;
	json_t *j;

	ck_assert_ptr_nonnull(x->resp.body);
	j = json_loadb(x->resp.body, x->resp.body_len, 0, &e);
	ck_assert_msg(j != NULL, "response body is not JSON: %s", e.text);
	return j;
}

/* Asserts a problem response with status and code. */
static void assert_problem(int status, const char *code)
{
	json_t *p;

	ck_assert_int_eq(x->resp.status, status);
	ck_assert_str_eq(x->resp.content_type, "application/problem+json");
	p = resp_json();
	ck_assert_str_eq(json_string_value(json_object_get(p, "code")), code);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), status);
	ck_assert_str_eq(json_string_value(json_object_get(p, "requestId")), "router-test");
	json_decref(p);
}

/* The dispatch handed the exchange to a handler that asked BBB for call. */
static void assert_bbb_call(const char *call)
{
	char prefix[256];

	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_ptr_nonnull(x->bbb.url);
	snprintf(prefix, sizeof(prefix), "%s/%s?", BBB_URL, call);
	ck_assert_msg(strncmp(x->bbb.url, prefix, strlen(prefix)) == 0, "url %s", x->bbb.url);
}

/* Runs gw_router_match with the whole table on the current exchange. */
static enum gw_err match(unsigned *allowed)
{
	const struct gw_route *routes;
	size_t n;

	routes = gw_router_routes(&n);
	return gw_router_match(routes, n, &x->req, allowed);
}

/* A concrete path for pattern with every {param} replaced by value. */
static void fill_pattern(const char *pattern, const char *value, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = pattern;

	while (*p != '\0' && n + 1 < outlen) {
		if (*p == '{') {
			const char *close = strchr(p, '}');

			ck_assert_ptr_nonnull(close);
			n += (size_t)snprintf(out + n, outlen - n, "%s", value);
			p = close + 1;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
}

static size_t count_params(const char *pattern)
{
	size_t n = 0;

	for (; *pattern != '\0'; pattern++)
		n += *pattern == '{';
	return n;
}

static const char *method_name(enum gw_method m)
{
	switch (m) {
	case GW_METHOD_GET:
		return "GET";
	case GW_METHOD_HEAD:
		return "HEAD";
	case GW_METHOD_POST:
		return "POST";
	case GW_METHOD_PUT:
		return "PUT";
	case GW_METHOD_PATCH:
		return "PATCH";
	case GW_METHOD_DELETE:
		return "DELETE";
	case GW_METHOD_OPTIONS:
		return "OPTIONS";
	default:
		return "OTHER";
	}
}

/* ---- the table ---- */

START_TEST(test_router_table_every_route_matches_itself)
{
	const struct gw_route *routes;
	size_t n;
	size_t i;

	routes = gw_router_routes(&n);
	ck_assert_uint_gt(n, 0);
	for (i = 0; i < n; i++) {
		char path[256];
		unsigned allowed = 0;
		size_t k;

		fill_pattern(routes[i].pattern, "abc", path, sizeof(path));
		start(method_name(routes[i].method), path);
		ck_assert_msg(match(&allowed) == GW_OK, "%s %s", method_name(routes[i].method),
		              path);
		ck_assert_ptr_eq(x->req.route, &routes[i]);
		ck_assert(x->req.route->handler == routes[i].handler);
		ck_assert_uint_eq(x->req.n_params, count_params(routes[i].pattern));
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
	    {"POST", "/v1/recordings/r1/text-tracks", GW_SCOPE_RECORDINGS_WRITE, GW_ROUTE_TOKEN},
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
	unsigned allowed = 0;

	start("GET", "/a/one%21/b/t%C3%BCo");
	ck_assert_int_eq(gw_router_match(table, 2, &x->req, &allowed), GW_OK);
	ck_assert_ptr_eq(x->req.route, &table[0]);
	ck_assert_uint_eq(x->req.n_params, 2);
	ck_assert_str_eq(x->req.params[0], "one!");
	ck_assert_str_eq(x->req.params[1], "t\xc3\xbco");

	/* outside /v1 OPTIONS is not answered, so it is not allowed either */
	start("GET", "/a/one");
	ck_assert_int_eq(gw_router_match(table, 2, &x->req, &allowed), GW_E_METHOD_NOT_ALLOWED);
	ck_assert_uint_eq(allowed, GW_METHOD_DELETE);
}
END_TEST

START_TEST(test_router_find)
{
	const struct gw_route *r;

	r = gw_router_find(GW_METHOD_GET, "/v1/meetings/m1");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->pattern, "/v1/meetings/{meetingID}");
	ck_assert_int_eq(r->method, GW_METHOD_GET);
	r = gw_router_find(GW_METHOD_HEAD, "/v1/meetings/m1");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->method, GW_METHOD_GET);
	r = gw_router_find(GW_METHOD_POST, "/v1/meetings");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->method, GW_METHOD_POST);
	ck_assert_ptr_null(gw_router_find(GW_METHOD_PUT, "/v1/meetings"));
	ck_assert_ptr_null(gw_router_find(GW_METHOD_GET, "/v1/nothing"));
	ck_assert_ptr_null(gw_router_find(GW_METHOD_GET, "/v1/meetings//running"));
}
END_TEST

/* ---- dispatch: auth ---- */

START_TEST(test_router_dispatch_missing_token_401)
{
	const char *www;

	start("GET", "/v1/meetings");
	gw_router_dispatch(x);
	assert_problem(401, "unauthorized");
	www = resp_header("WWW-Authenticate");
	ck_assert_ptr_nonnull(www);
	ck_assert_msg(strncmp(www, "Bearer", 6) == 0, "WWW-Authenticate: %s", www);
	ck_assert_ptr_null(x->bbb.url);
	ck_assert_ptr_null(x->req.token);
}
END_TEST

START_TEST(test_router_dispatch_unknown_token_401)
{
	static const char *const headers[] = {
	    "Bearer bgw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "Basic dXNlcjpwYXNz",
	    "Bearer",
	    "",
	};
	struct bearer known;
	size_t i;

	add_token("known", GW_SCOPE_ALL, NULL, &known);
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		start("GET", "/v1/meetings");
		x->req.authorization = xstrdup(headers[i]);
		gw_router_dispatch(x);
		assert_problem(401, "unauthorized");
		ck_assert_ptr_nonnull(resp_header("WWW-Authenticate"));
		ck_assert_ptr_null(x->bbb.url);
	}
}
END_TEST

START_TEST(test_router_dispatch_valid_token_runs_handler)
{
	struct bearer reader;

	add_token("reader", GW_SCOPE_MEETINGS_READ, NULL, &reader);
	start("GET", "/v1/meetings");
	set_auth(&reader);
	gw_router_dispatch(x);
	assert_bbb_call("getMeetings");
	ck_assert_ptr_nonnull(x->req.token);
	ck_assert_str_eq(x->req.token->name, "reader");
	ck_assert_ptr_null(resp_header("WWW-Authenticate"));
}
END_TEST

START_TEST(test_router_dispatch_picks_the_right_token)
{
	struct bearer a;
	struct bearer b;

	add_token("a", GW_SCOPE_MEETINGS_READ, NULL, &a);
	add_token("b", GW_SCOPE_MEETINGS_READ, NULL, &b);
	start("GET", "/v1/meetings/m1");
	set_auth(&b);
	gw_router_dispatch(x);
	assert_bbb_call("getMeetingInfo");
	ck_assert_str_eq(x->req.token->name, "b");
}
END_TEST

START_TEST(test_router_dispatch_missing_scope_403)
{
	struct bearer reader;
	json_t *p;
	const char *detail;

	add_token("reader", GW_SCOPE_MEETINGS_READ, NULL, &reader);
	start("POST", "/v1/meetings");
	set_auth(&reader);
	set_json_body("{\"name\":\"Bio 101\"}");
	gw_router_dispatch(x);
	assert_problem(403, "forbidden");
	p = resp_json();
	detail = json_string_value(json_object_get(p, "detail"));
	ck_assert_ptr_nonnull(detail);
	ck_assert_msg(strstr(detail, "meetings:create") != NULL, "detail: %s", detail);
	ck_assert_str_eq(json_string_value(json_object_get(p, "scope")), "meetings:create");
	json_decref(p);
	ck_assert_ptr_null(x->bbb.url);
	ck_assert_ptr_null(resp_header("WWW-Authenticate"));
}
END_TEST

START_TEST(test_router_dispatch_every_route_names_its_scope)
{
	const struct gw_route *routes;
	size_t n;
	size_t i;

	routes = gw_router_routes(&n);
	for (i = 0; i < n; i++) {
		struct bearer b;
		char path[256];
		char name[32];
		json_t *p;

		if (routes[i].auth != GW_ROUTE_TOKEN || routes[i].scopes == 0)
			continue;
		snprintf(name, sizeof(name), "t%zu", i);
		add_token(name, GW_SCOPE_ALL & ~routes[i].scopes, NULL, &b);
		fill_pattern(routes[i].pattern, "m1", path, sizeof(path));
		start(method_name(routes[i].method), path);
		set_auth(&b);
		gw_router_dispatch(x);
		assert_problem(403, "forbidden");
		p = resp_json();
		ck_assert_str_eq(json_string_value(json_object_get(p, "scope")),
		                 gw_auth_scope_name(routes[i].scopes));
		json_decref(p);
		/* a fresh config keeps the token table small */
		teardown();
		setup();
	}
}
END_TEST

START_TEST(test_router_dispatch_star_scope_allows_everything)
{
	struct bearer all;

	add_token("all", GW_SCOPE_ALL, NULL, &all);
	start("GET", "/v1/meetings/m1/running");
	set_auth(&all);
	gw_router_dispatch(x);
	assert_bbb_call("isMeetingRunning");
	start("POST", "/v1/meetings/m1/end");
	set_auth(&all);
	gw_router_dispatch(x);
	assert_bbb_call("end");
}
END_TEST

START_TEST(test_router_dispatch_server_needs_any_valid_token)
{
	struct bearer metrics;

	add_token("metrics-only", GW_SCOPE_METRICS, NULL, &metrics);
	start("GET", "/v1/server");
	set_auth(&metrics);
	gw_router_dispatch(x);
	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_str_eq(x->bbb.url, BBB_URL);

	start("GET", "/v1/server");
	gw_router_dispatch(x);
	assert_problem(401, "unauthorized");
}
END_TEST

START_TEST(test_router_dispatch_public_routes_need_no_token)
{
	json_t *j;

	start("GET", "/healthz");
	gw_router_dispatch(x);
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_str_eq(x->resp.content_type, "application/json; charset=utf-8");
	j = resp_json();
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "ok");
	json_decref(j);

	start("GET", "/readyz");
	gw_router_dispatch(x);
	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_str_eq(x->bbb.url, BBB_URL);
	ck_assert(x->bbb.probe);

	/* a bad token does not matter on a public route */
	start("HEAD", "/healthz");
	x->req.authorization = xstrdup("Bearer nope");
	gw_router_dispatch(x);
	ck_assert_int_eq(x->resp.status, 200);
}
END_TEST

/* ---- dispatch: content type ---- */

START_TEST(test_router_dispatch_non_json_body_415)
{
	static const char *const types[] = {"text/plain", "application/x-www-form-urlencoded",
	                                    "application/jsonx", "application/xml"};
	struct bearer creator;
	size_t i;

	add_token("creator", GW_SCOPE_MEETINGS_CREATE, NULL, &creator);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		start("POST", "/v1/meetings");
		set_auth(&creator);
		set_json_body("{\"name\":\"x\"}");
		free(x->req.content_type);
		x->req.content_type = xstrdup(types[i]);
		gw_router_dispatch(x);
		assert_problem(415, "unsupported_media_type");
		ck_assert_ptr_null(x->bbb.url);
	}
	/* no Content-Type at all with a body */
	start("POST", "/v1/meetings");
	set_auth(&creator);
	set_json_body("{\"name\":\"x\"}");
	free(x->req.content_type);
	x->req.content_type = NULL;
	gw_router_dispatch(x);
	assert_problem(415, "unsupported_media_type");
}
END_TEST

START_TEST(test_router_dispatch_upload_route_takes_multipart)
{
	struct bearer writer;

	add_token("writer", GW_SCOPE_RECORDINGS_WRITE, NULL, &writer);
	start("POST", "/v1/recordings/r1/text-tracks");
	set_auth(&writer);
	set_json_body("--b\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nsubtitles\r\n"
	              "--b--\r\n");
	free(x->req.content_type);
	x->req.content_type = xstrdup("multipart/form-data; boundary=b");
	gw_router_dispatch(x);
	ck_assert_ptr_eq(x->req.token, &cfg->tokens[0]);
	ck_assert_int_ne(x->resp.status, 415);

	/* the JSON routes of the same resource still refuse it */
	start("PATCH", "/v1/recordings/r1");
	set_auth(&writer);
	set_json_body("--b--\r\n");
	free(x->req.content_type);
	x->req.content_type = xstrdup("multipart/form-data; boundary=b");
	gw_router_dispatch(x);
	assert_problem(415, "unsupported_media_type");
}
END_TEST

START_TEST(test_router_dispatch_auth_before_415)
{
	start("POST", "/v1/meetings");
	set_json_body("{\"name\":\"x\"}");
	free(x->req.content_type);
	x->req.content_type = xstrdup("text/plain");
	gw_router_dispatch(x);
	assert_problem(401, "unauthorized");
}
END_TEST

START_TEST(test_router_dispatch_json_with_charset_accepted)
{
	struct bearer creator;

	add_token("creator", GW_SCOPE_MEETINGS_CREATE, NULL, &creator);
	start("POST", "/v1/meetings");
	set_auth(&creator);
	set_json_body("{\"name\":\"Bio 101\",\"meetingID\":\"bio-101\"}");
	free(x->req.content_type);
	x->req.content_type = xstrdup("Application/JSON; charset=utf-8");
	gw_router_dispatch(x);
	assert_bbb_call("create");
	ck_assert_ptr_nonnull(strstr(x->bbb.url, "meetingID=bio-101"));
}
END_TEST

START_TEST(test_router_dispatch_empty_body_needs_no_content_type)
{
	struct bearer ender;

	add_token("ender", GW_SCOPE_MEETINGS_END, NULL, &ender);
	start("POST", "/v1/meetings/m1/end");
	set_auth(&ender);
	gw_router_dispatch(x);
	assert_bbb_call("end");
}
END_TEST

START_TEST(test_router_dispatch_path_param_reaches_handler)
{
	struct bearer joiner;
	json_t *j;
	const char *url;

	add_token("joiner", GW_SCOPE_MEETINGS_JOIN, NULL, &joiner);
	start("POST", "/v1/meetings/a%2Fb%20c/join");
	set_auth(&joiner);
	set_json_body("{\"fullName\":\"Ada\",\"role\":\"VIEWER\"}");
	gw_router_dispatch(x);
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_ptr_null(x->bbb.url);
	j = resp_json();
	url = json_string_value(json_object_get(j, "url"));
	ck_assert_ptr_nonnull(url);
	/* the decoded "a/b c" is re-encoded for BBB */
	ck_assert_msg(strstr(url, "meetingID=a%2Fb+c") != NULL, "url %s", url);
	json_decref(j);
}
END_TEST

START_TEST(test_router_dispatch_head_runs_get_handler)
{
	struct bearer reader;

	add_token("reader", GW_SCOPE_MEETINGS_READ, NULL, &reader);
	start("HEAD", "/v1/meetings/m1");
	set_auth(&reader);
	gw_router_dispatch(x);
	assert_bbb_call("getMeetingInfo");
}
END_TEST

/* ---- dispatch: 404 / 405 / 400 ---- */

START_TEST(test_router_dispatch_not_found)
{
	start("GET", "/v1/nothing-here");
	gw_router_dispatch(x);
	assert_problem(404, "not_found");
	ck_assert_ptr_null(resp_header("Allow"));
}
END_TEST

START_TEST(test_router_dispatch_method_not_allowed_has_allow)
{
	start("PUT", "/v1/meetings");
	gw_router_dispatch(x);
	assert_problem(405, "method_not_allowed");
	ck_assert_str_eq(resp_header("Allow"), "GET, HEAD, POST, OPTIONS");

	start("GET", "/v1/meetings/m1/end");
	gw_router_dispatch(x);
	assert_problem(405, "method_not_allowed");
	ck_assert_str_eq(resp_header("Allow"), "POST, OPTIONS");
}
END_TEST

START_TEST(test_router_dispatch_allow_lists_only_working_methods)
{
	/* OPTIONS is answered (as a preflight) on /v1 paths only, so only they list it */
	start("POST", "/healthz");
	gw_router_dispatch(x);
	assert_problem(405, "method_not_allowed");
	ck_assert_str_eq(resp_header("Allow"), "GET, HEAD");

	start("OPTIONS", "/healthz");
	gw_router_dispatch(x);
	assert_problem(405, "method_not_allowed");
	ck_assert_str_eq(resp_header("Allow"), "GET, HEAD");
}
END_TEST

START_TEST(test_router_dispatch_bad_path_param_400)
{
	struct bearer reader;

	add_token("reader", GW_SCOPE_MEETINGS_READ, NULL, &reader);
	start("GET", "/v1/meetings/%ZZ");
	set_auth(&reader);
	gw_router_dispatch(x);
	assert_problem(400, "bad_path_parameter");
	ck_assert_ptr_null(x->bbb.url);
}
END_TEST

/* ---- CORS ---- */

static void start_preflight(const char *path, const char *origin)
{
	start("OPTIONS", path);
	if (origin != NULL)
		x->req.origin = xstrdup(origin);
	x->req.access_control_request_method = xstrdup("POST");
}

START_TEST(test_router_preflight_allowed_origin)
{
	const char *h;

	start_preflight("/v1/meetings", APP_ORIGIN);
	gw_router_dispatch(x);
	ck_assert_int_eq(x->resp.status, 204);
	ck_assert_ptr_null(x->bbb.url);
	ck_assert_uint_eq(x->resp.body_len, 0);
	h = resp_header("Access-Control-Allow-Methods");
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(strstr(h, "GET"));
	ck_assert_ptr_nonnull(strstr(h, "POST"));
	h = resp_header("Access-Control-Allow-Headers");
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(strstr(h, "Authorization"));
	ck_assert_ptr_nonnull(strstr(h, "Content-Type"));
	ck_assert_ptr_nonnull(strstr(h, "X-Request-Id"));
	ck_assert_str_eq(resp_header("Access-Control-Max-Age"), "321");
	/* the HTTP server echoes this origin in Access-Control-Allow-Origin */
	ck_assert_str_eq(gw_router_cors_origin(&x->req), APP_ORIGIN);
}
END_TEST

START_TEST(test_router_preflight_needs_no_token_on_any_v1_path)
{
	start_preflight("/v1/meetings/m1/join", APP_ORIGIN);
	gw_router_dispatch(x);
	ck_assert_int_eq(x->resp.status, 204);
	ck_assert_ptr_null(resp_header("WWW-Authenticate"));
}
END_TEST

START_TEST(test_router_preflight_disallowed_origin_403)
{
	start_preflight("/v1/meetings", EVIL_ORIGIN);
	gw_router_dispatch(x);
	assert_problem(403, "forbidden");
	ck_assert_ptr_null(resp_header("Access-Control-Allow-Methods"));
	ck_assert_ptr_null(resp_header("Access-Control-Allow-Headers"));
	ck_assert_ptr_null(resp_header("Access-Control-Max-Age"));
	ck_assert_ptr_null(gw_router_cors_origin(&x->req));
}
END_TEST

START_TEST(test_router_preflight_without_origin_403)
{
	start_preflight("/v1/meetings", NULL);
	gw_router_dispatch(x);
	assert_problem(403, "forbidden");
	ck_assert_ptr_null(resp_header("Access-Control-Allow-Methods"));
}
END_TEST

START_TEST(test_router_preflight_origin_compared_exactly)
{
	static const char *const near[] = {"https://app.example.org/", "http://app.example.org",
	                                   "https://APP.example.org",
	                                   "https://app.example.org.evil", "null"};
	size_t i;

	for (i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		start_preflight("/v1/meetings", near[i]);
		gw_router_dispatch(x);
		ck_assert_msg(x->resp.status == 403, "%s allowed", near[i]);
	}
}
END_TEST

START_TEST(test_router_preflight_token_origin_allowed)
{
	struct bearer lms;

	add_token("lms", GW_SCOPE_ALL, LMS_ORIGIN, &lms);
	start_preflight("/v1/meetings", LMS_ORIGIN);
	gw_router_dispatch(x);
	ck_assert_int_eq(x->resp.status, 204);
	ck_assert_str_eq(gw_router_cors_origin(&x->req), LMS_ORIGIN);
}
END_TEST

START_TEST(test_router_token_origins_enforced)
{
	struct bearer lms;
	struct bearer other;
	struct bearer plain;

	add_token("lms", GW_SCOPE_ALL, LMS_ORIGIN, &lms);
	add_token("other", GW_SCOPE_ALL, OTHER_ORIGIN, &other);
	add_token("plain", GW_SCOPE_ALL, NULL, &plain);

	/* the token's own origin */
	start("GET", "/v1/meetings");
	set_auth(&lms);
	x->req.origin = xstrdup(LMS_ORIGIN);
	gw_router_dispatch(x);
	assert_bbb_call("getMeetings");
	ck_assert_str_eq(gw_router_cors_origin(&x->req), LMS_ORIGIN);

	/* another token's origin is not this token's */
	start("GET", "/v1/meetings");
	set_auth(&other);
	x->req.origin = xstrdup(LMS_ORIGIN);
	gw_router_dispatch(x);
	assert_problem(403, "forbidden");
	ck_assert_ptr_null(x->bbb.url);
	ck_assert_ptr_null(gw_router_cors_origin(&x->req));

	/* a token's own origins replace the global list for that token */
	start("GET", "/v1/meetings");
	set_auth(&other);
	x->req.origin = xstrdup(APP_ORIGIN);
	gw_router_dispatch(x);
	assert_problem(403, "forbidden");
	ck_assert_ptr_null(gw_router_cors_origin(&x->req));

	/* a token without origins is served but gets no CORS origin for a foreign one */
	start("GET", "/v1/meetings");
	set_auth(&plain);
	x->req.origin = xstrdup(LMS_ORIGIN);
	gw_router_dispatch(x);
	assert_bbb_call("getMeetings");
	ck_assert_ptr_null(gw_router_cors_origin(&x->req));
}
END_TEST

START_TEST(test_router_cors_origin)
{
	start("GET", "/v1/meetings");
	ck_assert_ptr_null(gw_router_cors_origin(&x->req));
	x->req.origin = xstrdup(APP_ORIGIN);
	ck_assert_ptr_eq(gw_router_cors_origin(&x->req), x->req.origin);
	free(x->req.origin);
	x->req.origin = xstrdup(EVIL_ORIGIN);
	ck_assert_ptr_null(gw_router_cors_origin(&x->req));
}
END_TEST

static Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *t = tcase_create("table");
	TCase *m = tcase_create("match");
	TCase *a = tcase_create("auth");
	TCase *d = tcase_create("dispatch");
	TCase *c = tcase_create("cors");

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
	tcase_add_test(m, test_router_find);
	suite_add_tcase(s, m);

	tcase_add_checked_fixture(a, setup, teardown);
	tcase_add_test(a, test_router_dispatch_missing_token_401);
	tcase_add_test(a, test_router_dispatch_unknown_token_401);
	tcase_add_test(a, test_router_dispatch_valid_token_runs_handler);
	tcase_add_test(a, test_router_dispatch_picks_the_right_token);
	tcase_add_test(a, test_router_dispatch_missing_scope_403);
	tcase_add_test(a, test_router_dispatch_every_route_names_its_scope);
	tcase_add_test(a, test_router_dispatch_star_scope_allows_everything);
	tcase_add_test(a, test_router_dispatch_server_needs_any_valid_token);
	tcase_add_test(a, test_router_dispatch_public_routes_need_no_token);
	suite_add_tcase(s, a);

	tcase_add_checked_fixture(d, setup, teardown);
	tcase_add_test(d, test_router_dispatch_non_json_body_415);
	tcase_add_test(d, test_router_dispatch_upload_route_takes_multipart);
	tcase_add_test(d, test_router_dispatch_auth_before_415);
	tcase_add_test(d, test_router_dispatch_json_with_charset_accepted);
	tcase_add_test(d, test_router_dispatch_empty_body_needs_no_content_type);
	tcase_add_test(d, test_router_dispatch_path_param_reaches_handler);
	tcase_add_test(d, test_router_dispatch_head_runs_get_handler);
	tcase_add_test(d, test_router_dispatch_not_found);
	tcase_add_test(d, test_router_dispatch_method_not_allowed_has_allow);
	tcase_add_test(d, test_router_dispatch_allow_lists_only_working_methods);
	tcase_add_test(d, test_router_dispatch_bad_path_param_400);
	suite_add_tcase(s, d);

	tcase_add_checked_fixture(c, setup, teardown);
	tcase_add_test(c, test_router_preflight_allowed_origin);
	tcase_add_test(c, test_router_preflight_needs_no_token_on_any_v1_path);
	tcase_add_test(c, test_router_preflight_disallowed_origin_403);
	tcase_add_test(c, test_router_preflight_without_origin_403);
	tcase_add_test(c, test_router_preflight_origin_compared_exactly);
	tcase_add_test(c, test_router_preflight_token_origin_allowed);
	tcase_add_test(c, test_router_token_origins_enforced);
	tcase_add_test(c, test_router_cors_origin);
	suite_add_tcase(s, c);
	return s;
}

GW_TEST_MAIN(router_suite)
