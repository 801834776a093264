/*
 * check_pipeline_jwt.c - the pipeline's JWT paths on in-memory exchanges,
 * with a real verifier and deny list and no network: the four 401 codes
 * with RFC 6750's invalid_token (and a plain 401 for an unknown static
 * token), never echoing the token; a meeting-bound token stopped on
 * another meeting before its handler runs; per-token origins; and the
 * one reference an exchange holds on its JWT's token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "bearer.h"
#include "config.h"
#include "jwtutil.h"
#include "pipeline.h"
#include "request.h"
#include "revoke.h"
#include "testutil.h"

#define LMS_KEY "pipeline-lms-key-0123456789abcdef-0123"
#define ADMIN_KEY "pipeline-admin-key-0123456789abcdef-01"
#define WWW_PLAIN "Bearer realm=\"bbb-gateway\""
#define WWW_INVALID "Bearer realm=\"bbb-gateway\", error=\"invalid_token\""
#define STATIC_UNKNOWN "bgw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static struct gw_config *cfg;
static struct gw_exchange *x;
static struct gw_services svc;
static char reader[GW_TEST_BEARER_LEN]; /* a static token with meetings:read */

static void issuer(struct gw_issuer *e, const char *name, const char *key, unsigned scopes,
		   bool any_meeting)
{
	e->name = gw_test_strdup(name);
	e->alg = GW_JWT_HS256;
	e->key = (unsigned char *)gw_test_strdup(key);
	e->key_len = strlen(key);
	e->scopes = scopes;
	e->max_ttl_s = 3600;
	e->any_meeting = any_meeting;
}

static void setup(void)
{
	cfg = gw_test_api_config();
	cfg->issuers = calloc(2, sizeof(*cfg->issuers));
	ck_assert_ptr_nonnull(cfg->issuers);
	issuer(&cfg->issuers[0], "lms", LMS_KEY,
	       GW_SCOPE_MEETINGS_READ | GW_SCOPE_MEETINGS_JOIN | GW_SCOPE_EVENTS_READ, false);
	issuer(&cfg->issuers[1], "admin", ADMIN_KEY, GW_SCOPE_ALL, true);
	cfg->n_issuers = 2;
	free(cfg->auth_audience);
	cfg->auth_audience = gw_test_strdup("bbb-gateway");
	cfg->auth_leeway_s = 30;
	cfg->generation = 1;
	gw_test_add_token(cfg, "reader", GW_SCOPE_MEETINGS_READ, NULL, reader);

	svc = *gw_test_services();
	svc.revoke = gw_revoke_new_memory(16);
	svc.bearer = gw_bearer_new(16, svc.revoke);
	ck_assert_ptr_nonnull(svc.revoke);
	ck_assert_ptr_nonnull(svc.bearer);
	x = NULL;
}

static void teardown(void)
{
	gw_exchange_free(x);
	gw_bearer_free(svc.bearer);
	gw_revoke_free(svc.revoke);
	gw_config_unref(cfg);
}

/* "Bearer " + an HS256 JWT over the claims (JSON members) with key, made by OpenSSL. */
static char *bearer(const char *key, const char *claims)
{
	char payload[1024];
	char *t;
	char *h;
	size_t n;

	ck_assert_int_lt(snprintf(payload, sizeof(payload), "{%s}", claims), (int)sizeof(payload));
	t = jt_make("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, JT_HS256, key, strlen(key),
		    NULL);
	n = strlen(t) + 8;
	h = malloc(n);
	ck_assert_ptr_nonnull(h);
	snprintf(h, n, "Bearer %s", t);
	free(t);
	return h;
}

/* An lms token (10 minutes) with scope and the bbb claim's members (may be ""). */
static char *lms(const char *scope, const char *bbb)
{
	char claims[768];
	long long now = (long long)time(NULL);

	snprintf(claims, sizeof(claims),
		 "\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"iat\":%lld,\"exp\":%lld,"
		 "\"sub\":\"u1\",\"jti\":\"jti-u1\",\"scope\":\"%s\",\"bbb\":{%s}",
		 now, now + 600, scope, bbb);
	return bearer(LMS_KEY, claims);
}

/* A fresh exchange for method path with authorization (NULL: none), svc and origin. */
static void start(const char *method, const char *path, const char *authorization,
		  const char *origin)
{
	gw_test_restart(&x, cfg, method, path);
	x->req.svc = &svc;
	if (authorization != NULL)
		gw_test_set_auth(x, authorization);
	if (origin != NULL)
		x->req.origin = gw_test_xstrdup(x, origin);
}

/* Asserts that no part of the token (its three parts) shows in the answer. */
static void assert_not_echoed(const char *authorization)
{
	const char *tok = authorization + strlen("Bearer ");
	char *copy = gw_test_strdup(tok);
	char *save = NULL;

	ck_assert_ptr_nonnull(x->resp.body);
	for (char *p = strtok_r(copy, ".", &save); p != NULL; p = strtok_r(NULL, ".", &save))
		ck_assert_msg(strstr(x->resp.body, p) == NULL, "the answer holds %s", p);
	for (size_t i = 0; i < x->resp.n_headers; i++)
		ck_assert_ptr_null(strstr(x->resp.headers[i].value, tok));
	free(copy);
}

/* Dispatches GET /v1/meetings/room-a with authorization; asserts the 401 and its header. */
static void assert_401(const char *authorization, const char *code, const char *www)
{
	json_t *p;

	start("GET", "/v1/meetings/room-a", authorization, NULL);
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 401, code);
	ck_assert_str_eq(gw_test_header(x, "WWW-Authenticate"), www);
	p = gw_test_json_body(x);
	ck_assert_ptr_nonnull(gw_test_jstr(p, "detail"));
	ck_assert_uint_gt(strlen(gw_test_jstr(p, "detail")), 0);
	json_decref(p);
	assert_not_echoed(authorization);
	ck_assert_ptr_null(x->req.token);
	ck_assert_ptr_null(x->up.url); /* the handler never ran */
}

/* ---- 401s ---- */

START_TEST(test_pipeline_jwt_expired_401)
{
	char claims[256];
	long long now = (long long)time(NULL);
	char *b;

	/* beyond the 30 s leeway */
	snprintf(claims, sizeof(claims),
		 "\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"iat\":%lld,\"exp\":%lld,"
		 "\"scope\":\"meetings:read\",\"bbb\":{\"meetings\":[\"room-a\"]}",
		 now - 600, now - 31);
	b = bearer(LMS_KEY, claims);
	assert_401(b, "token_expired", WWW_INVALID);
	free(b);
}
END_TEST

START_TEST(test_pipeline_jwt_not_yet_valid_401)
{
	char claims[256];
	long long now = (long long)time(NULL);
	char *b;

	snprintf(claims, sizeof(claims),
		 "\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"nbf\":%lld,\"exp\":%lld,"
		 "\"scope\":\"meetings:read\",\"bbb\":{\"meetings\":[\"room-a\"]}",
		 now + 300, now + 600);
	b = bearer(LMS_KEY, claims);
	assert_401(b, "token_not_yet_valid", WWW_INVALID);
	free(b);
}
END_TEST

START_TEST(test_pipeline_jwt_invalid_401)
{
	char claims[256];
	long long now = (long long)time(NULL);
	char *b;

	/* signed with the other issuer's key */
	snprintf(claims, sizeof(claims),
		 "\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"exp\":%lld,"
		 "\"scope\":\"meetings:read\",\"bbb\":{\"meetings\":[\"room-a\"]}",
		 now + 600);
	b = bearer(ADMIN_KEY, claims);
	assert_401(b, "token_invalid", WWW_INVALID);
	free(b);
	/* another audience */
	snprintf(claims, sizeof(claims),
		 "\"iss\":\"lms\",\"aud\":\"elsewhere\",\"exp\":%lld,"
		 "\"scope\":\"meetings:read\",\"bbb\":{\"meetings\":[\"room-a\"]}",
		 now + 600);
	b = bearer(LMS_KEY, claims);
	assert_401(b, "token_invalid", WWW_INVALID);
	free(b);
	/* a scope beyond the issuer's */
	b = lms("meetings:read hooks", "\"meetings\":[\"room-a\"]");
	assert_401(b, "token_invalid", WWW_INVALID);
	free(b);
	/* garbled */
	assert_401("Bearer eyJhbGciOiJIUzI1NiJ9.Z2FyYmxlZC1wYXlsb2Fk.c2lnbmF0dXJl", "token_invalid",
		   WWW_INVALID);
}
END_TEST

START_TEST(test_pipeline_jwt_revoked_401)
{
	char *b = lms("meetings:read", "\"meetings\":[\"room-a\"]");

	/* accepted (and cached), then revoked: the deny list is asked on every request */
	start("GET", "/v1/meetings/room-a", b, NULL);
	ck_assert(gw_pipeline_admit(x));
	ck_assert_int_eq(gw_revoke_add(svc.revoke, "jti-u1", (long long)time(NULL) + 900,
				       (long long)time(NULL)),
			 GW_OK);
	assert_401(b, "token_revoked", WWW_INVALID);
	free(b);
}
END_TEST

START_TEST(test_pipeline_jwt_unknown_static_plain_401)
{
	assert_401("Bearer " STATIC_UNKNOWN, "unauthorized", WWW_PLAIN);
	/* no '.': not a JWT, an unknown token */
	assert_401("Bearer not-a-jwt-at-all", "unauthorized", WWW_PLAIN);
}
END_TEST

/* ---- meeting binding ---- */

START_TEST(test_pipeline_jwt_other_meeting_403_before_handler)
{
	static const struct {
		const char *method;
		const char *path;
		const char *scope;
	} routes[] = {
		{"GET", "/v1/meetings/room-b", "meetings:read"},
		{"GET", "/v1/meetings/room-b/running", "meetings:read"},
		{"POST", "/v1/meetings/room-b/join", "meetings:join"},
		{"GET", "/v1/meetings/room-ab", "meetings:read"},
		{"GET", "/v1/meetings/room", "meetings:read"},
	};

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		char *b = lms(routes[i].scope, "\"meetings\":[\"room-a\",\"hall-*\"]");

		start(routes[i].method, routes[i].path, b, NULL);
		if (strcmp(routes[i].method, "POST") == 0)
			gw_test_set_json_body(x, "{\"fullName\":\"Ada\"}");
		gw_pipeline_dispatch(x);
		gw_test_assert_problem(x, 403, "meeting_not_allowed");
		ck_assert_ptr_null(x->up.url);
		ck_assert_ptr_nonnull(x->req.token); /* authenticated, then refused */
		free(b);
	}
}
END_TEST

START_TEST(test_pipeline_jwt_own_meeting_admitted)
{
	static const char *const paths[] = {
		"/v1/meetings/room-a", "/v1/meetings/room%2Da", /* decoded before the check */
		"/v1/meetings/hall-7", "/v1/meetings/hall-",
		"/v1/meetings", /* no meetingID: the handler filters */
	};
	char *b = lms("meetings:read", "\"meetings\":[\"room-a\",\"hall-*\"]");

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		start("GET", paths[i], b, NULL);
		ck_assert_msg(gw_pipeline_admit(x), "%s: %d %s", paths[i], x->resp.status,
			      x->resp.body ? x->resp.body : "");
		ck_assert_int_eq(x->resp.status, 0);
		ck_assert_ptr_nonnull(x->req.token);
		ck_assert_ptr_nonnull(x->req.token->claims);
		ck_assert_str_eq(x->req.token->name, "lms:u1");
	}
	/* and the handler runs */
	start("GET", "/v1/meetings/room-a", b, NULL);
	gw_pipeline_dispatch(x);
	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_ptr_nonnull(x->up.url);
	ck_assert_ptr_nonnull(strstr(x->up.url, "/getMeetingInfo?"));
	ck_assert_ptr_nonnull(strstr(x->up.url, "meetingID=room-a"));
	free(b);
}
END_TEST

START_TEST(test_pipeline_jwt_unbound_and_static_any_meeting)
{
	char claims[256];
	long long now = (long long)time(NULL);
	char *b;

	snprintf(claims, sizeof(claims),
		 "\"iss\":\"admin\",\"aud\":\"bbb-gateway\",\"exp\":%lld,\"scope\":\"*\"",
		 now + 600);
	b = bearer(ADMIN_KEY, claims);
	start("GET", "/v1/meetings/anything", b, NULL);
	ck_assert(gw_pipeline_admit(x));
	ck_assert_ptr_nonnull(x->req.token->claims);
	ck_assert(x->req.token->claims->any_meeting);
	free(b);

	start("GET", "/v1/meetings/anything", reader, NULL);
	ck_assert(gw_pipeline_admit(x));
	ck_assert_ptr_null(x->req.token->claims);
}
END_TEST

/* ---- origins ---- */

START_TEST(test_pipeline_jwt_origins)
{
	char *b = lms("meetings:read", "\"meetings\":[\"room-a\"],\"origins\":["
				       "\"" GW_TEST_LMS_ORIGIN "\"]");

	start("GET", "/v1/meetings/room-a", b, GW_TEST_EVIL_ORIGIN);
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 403, "origin_not_allowed");
	ck_assert_ptr_null(x->up.url);
	/* cors.origins does not widen a token that lists its own */
	start("GET", "/v1/meetings/room-a", b, GW_TEST_APP_ORIGIN);
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 403, "origin_not_allowed");
	/* origins come before the meeting: a foreign page learns nothing of the binding */
	start("GET", "/v1/meetings/room-b", b, GW_TEST_EVIL_ORIGIN);
	gw_pipeline_dispatch(x);
	gw_test_assert_problem(x, 403, "origin_not_allowed");

	start("GET", "/v1/meetings/room-a", b, GW_TEST_LMS_ORIGIN);
	ck_assert(gw_pipeline_admit(x));
	start("GET", "/v1/meetings/room-a", b, NULL); /* not a browser */
	ck_assert(gw_pipeline_admit(x));
	free(b);

	/* a token without origins follows cors.origins: no 403 from the pipeline */
	b = lms("meetings:read", "\"meetings\":[\"room-a\"]");
	start("GET", "/v1/meetings/room-a", b, GW_TEST_EVIL_ORIGIN);
	ck_assert(gw_pipeline_admit(x));
	free(b);
}
END_TEST

/* ---- the exchange's reference ---- */

START_TEST(test_pipeline_jwt_exchange_holds_one_reference)
{
	char *b = lms("meetings:read", "\"meetings\":[\"room-a\"]");
	struct gw_exchange *y;
	const struct gw_token *t;

	start("GET", "/v1/meetings/room-a", b, NULL);
	ck_assert(gw_pipeline_admit(x));
	t = x->req.token;
	/* the verifier's cache holds one, the exchange the other */
	ck_assert_uint_eq(atomic_load(&t->refs), 2);

	/* authenticating again replaces the reference (the cache hands out the same token) */
	ck_assert(gw_pipeline_admit(x));
	ck_assert_ptr_eq(x->req.token, t);
	ck_assert_uint_eq(atomic_load(&t->refs), 2);

	y = gw_test_exchange(cfg, "GET", "/v1/meetings/room-a");
	y->req.svc = &svc;
	gw_test_set_auth(y, b);
	ck_assert(gw_pipeline_admit(y));
	ck_assert_ptr_eq(y->req.token, t);
	ck_assert_uint_eq(atomic_load(&t->refs), 3);
	gw_exchange_free(y);
	ck_assert_uint_eq(atomic_load(&t->refs), 2);

	/* a refused second pass drops the first pass's token */
	x->req.authorization = gw_test_xstrdup(x, "Bearer " STATIC_UNKNOWN);
	ck_assert(!gw_pipeline_admit(x));
	ck_assert_ptr_null(x->req.token);
	ck_assert_uint_eq(atomic_load(&t->refs), 1);
	free(b);
}
END_TEST

START_TEST(test_pipeline_jwt_no_cache_no_leak)
{
	char *b = lms("meetings:read", "\"meetings\":[\"room-a\"]");
	const struct gw_token *first;

	/* without a verifier each pass builds a token: the exchange owns it alone */
	gw_bearer_free(svc.bearer);
	svc.bearer = NULL;
	start("GET", "/v1/meetings/room-a", b, NULL);
	ck_assert(gw_pipeline_admit(x));
	first = x->req.token;
	ck_assert_ptr_nonnull(first);
	ck_assert_uint_eq(atomic_load(&first->refs), 1);
	/* the second pass frees the first token (LeakSanitizer/valgrind see a leak otherwise) */
	ck_assert(gw_pipeline_admit(x));
	ck_assert_ptr_nonnull(x->req.token);
	ck_assert_uint_eq(atomic_load(&x->req.token->refs), 1);
	ck_assert_str_eq(x->req.token->claims->meetings[0], "room-a");
	free(b);
}
END_TEST

static Suite *pipeline_jwt_suite(void)
{
	Suite *s = suite_create("pipeline_jwt");
	TCase *u = tcase_create("401");
	TCase *m = tcase_create("meetings");
	TCase *r = tcase_create("references");

	tcase_add_checked_fixture(u, setup, teardown);
	tcase_add_test(u, test_pipeline_jwt_expired_401);
	tcase_add_test(u, test_pipeline_jwt_not_yet_valid_401);
	tcase_add_test(u, test_pipeline_jwt_invalid_401);
	tcase_add_test(u, test_pipeline_jwt_revoked_401);
	tcase_add_test(u, test_pipeline_jwt_unknown_static_plain_401);
	suite_add_tcase(s, u);

	tcase_add_checked_fixture(m, setup, teardown);
	tcase_add_test(m, test_pipeline_jwt_other_meeting_403_before_handler);
	tcase_add_test(m, test_pipeline_jwt_own_meeting_admitted);
	tcase_add_test(m, test_pipeline_jwt_unbound_and_static_any_meeting);
	tcase_add_test(m, test_pipeline_jwt_origins);
	suite_add_tcase(s, m);

	tcase_add_checked_fixture(r, setup, teardown);
	tcase_add_test(r, test_pipeline_jwt_exchange_holds_one_reference);
	tcase_add_test(r, test_pipeline_jwt_no_cache_no_leak);
	suite_add_tcase(s, r);
	return s;
}

GW_TEST_MAIN(pipeline_jwt_suite)
