/*
 * check_integration_jwt.c - browser tokens end to end against the BBB
 * simulator: JWTs from a configured issuer (made here with OpenSSL, not
 * the gateway's code), their refusals (RFC 6750), meeting binding on every
 * meeting route, filtered lists, join binding, hidden passwords, per-token
 * origins, and minting and revoking through /v1/tokens.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "jwtutil.h"
#include "log.h"
#include "testutil.h"

#define ISSUER_KEY "issuer-key-0123456789abcdef-0123456789abcdef"
#define MINT_KEY "mint-key-0123456789abcdef-0123456789abcdef-xyz"

static struct gw_issuer make_issuer(const char *name, const char *key, unsigned scopes,
				    bool any_meeting)
{
	struct gw_issuer iss = {0};

	iss.name = strdup(name);
	iss.alg = GW_JWT_HS256;
	iss.key = (unsigned char *)strdup(key);
	iss.key_len = strlen(key);
	iss.scopes = scopes;
	iss.max_ttl_s = 3600;
	iss.any_meeting = any_meeting;
	return iss;
}

static void jwt_tweak(struct gw_config *c)
{
	c->issuers = calloc(2, sizeof(*c->issuers));
	ck_assert_ptr_nonnull(c->issuers);
	c->issuers[0] =
		make_issuer("lms", ISSUER_KEY, GW_SCOPE_ALL & ~GW_SCOPE_MEETINGS_PASSWORDS, false);
	c->issuers[1] = make_issuer("admin", ISSUER_KEY "-admin", GW_SCOPE_ALL, true);
	c->n_issuers = 2;
	c->mint = make_issuer("bbb-gateway", MINT_KEY, GW_SCOPE_ALL & ~GW_SCOPE_TOKENS_MINT, true);
	free(c->auth_audience);
	c->auth_audience = strdup("bbb-gateway");
	c->auth_leeway_s = 30;
}

static void jwt_setup(void)
{
	harness_tweak = jwt_tweak;
	setup();
}

/* A token of issuer "lms" with the claims in `more` (JSON members, may be ""). */
static char *lms_token(const char *more)
{
	char payload[2048];
	long long now = (long long)time(NULL);

	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"iat\":%lld,\"exp\":%lld%s%s}", now,
		 now + 600, more[0] != '\0' ? "," : "", more);
	return jt_hs256(payload, ISSUER_KEY);
}

static char *raw_token(const char *payload)
{
	return jt_hs256(payload, ISSUER_KEY);
}

static bool has_member(const struct reply *r, const char *key)
{
	return r->json != NULL && json_object_get(r->json, key) != NULL;
}

START_TEST(test_jwt_accepted_and_refused)
{
	struct reply r;
	long long now = (long long)time(NULL);
	char payload[512];
	char *t = lms_token("\"scope\":\"meetings:read\",\"bbb\":{\"meetings\":[\"room-a\"]}");
	char *bad;

	call(&r, "GET", "/v1/server", t, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "GET", "/v1/server", t, NULL); /* the second time from the cache */
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "GET", "/metrics", tok_all, NULL);
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&r.body), "bbb_gateway_jwt_cache_lookups_total{"
							  "result=\"hit\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&r.body), "bbb_gateway_jwt_cache_lookups_total{"
							  "result=\"miss\"} 1\n"));
	reply_free(&r);

	/* expired beyond the leeway */
	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"exp\":%lld,\"bbb\":{\"meetings\":["
		 "\"a\"]}}",
		 now - 120);
	bad = raw_token(payload);
	call(&r, "GET", "/v1/server", bad, NULL);
	assert_problem(&r, 401, "token_expired");
	ck_assert_ptr_nonnull(strstr(header(&r, "WWW-Authenticate"), "error=\"invalid_token\""));
	ck_assert_ptr_null(strstr(gw_buf_str(&r.body), bad));
	reply_free(&r);
	free(bad);

	/* not yet valid */
	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"nbf\":%lld,\"exp\":%lld,"
		 "\"bbb\":{\"meetings\":[\"a\"]}}",
		 now + 300, now + 600);
	bad = raw_token(payload);
	call(&r, "GET", "/v1/server", bad, NULL);
	assert_problem(&r, 401, "token_not_yet_valid");
	reply_free(&r);
	free(bad);

	/* garbled: never echoed back */
	call(&r, "GET", "/v1/server", "eyJhbGciOi.garbled-payload-XYZ.c2ln", NULL);
	assert_problem(&r, 401, "token_invalid");
	ck_assert_ptr_null(strstr(gw_buf_str(&r.body), "garbled-payload-XYZ"));
	ck_assert_ptr_nonnull(strstr(header(&r, "WWW-Authenticate"), "invalid_token"));
	reply_free(&r);

	/* signed with another key */
	bad = jt_hs256("{\"iss\":\"lms\"}", "another-key-0123456789abcdef0123456789");
	call(&r, "GET", "/v1/server", bad, NULL);
	assert_problem(&r, 401, "token_invalid");
	reply_free(&r);
	free(bad);

	/* an unknown static token stays a plain 401 */
	call(&r, "GET", "/v1/server", "bgw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
	assert_problem(&r, 401, "unauthorized");
	ck_assert_ptr_null(strstr(header(&r, "WWW-Authenticate"), "invalid_token"));
	reply_free(&r);

	/* a scope the token lacks */
	call(&r, "POST", "/v1/meetings/room-a/end", t, "{}");
	assert_problem(&r, 403, "forbidden");
	reply_free(&r);
	free(t);
}
END_TEST

/* Every route naming a meeting checks the binding before BBB is asked. */
START_TEST(test_jwt_meeting_binding_every_route)
{
	static const struct {
		const char *method, *suffix, *body;
	} routes[] = {
		{"GET", "", NULL},
		{"GET", "/running", NULL},
		{"POST", "/join", "{\"fullName\":\"Ada\"}"},
		{"POST", "/end", "{}"},
		{"POST", "/documents",
		 "{\"presentations\":[{\"url\":\"https://x.example/a.pdf\"}]}"},
		{"POST", "/chat", "{\"message\":\"hi\"}"},
	};
	char *t = lms_token("\"scope\":\"*\",\"bbb\":{\"meetings\":[\"room-a\",\"team-*\"]}");
	char path[128];
	struct reply r;
	size_t calls;

	create_meeting("room-a");
	create_meeting("team-7");
	create_meeting("other");
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		calls = bbbsim_request_count(sim);
		snprintf(path, sizeof(path), "/v1/meetings/other%s", routes[i].suffix);
		call(&r, routes[i].method, path, t, routes[i].body);
		assert_problem(&r, 403, "meeting_not_allowed");
		reply_free(&r);
		ck_assert_uint_eq(bbbsim_request_count(sim), calls);
		snprintf(path, sizeof(path), "/v1/meetings/tea%s", routes[i].suffix);
		call(&r, routes[i].method, path, t, routes[i].body);
		assert_problem(&r, 403, "meeting_not_allowed"); /* "tea" is not within "team-*" */
		reply_free(&r);
		snprintf(path, sizeof(path), "/v1/meetings/%s%s", i == 3 ? "team-7" : "room-a",
			 routes[i].suffix);
		call(&r, routes[i].method, path, t, routes[i].body);
		ck_assert_msg(r.status >= 200 && r.status < 300, "%s %s: %ld %s", routes[i].method,
			      path, r.status, gw_buf_str(&r.body));
		reply_free(&r);
	}
	free(t);
}
END_TEST

START_TEST(test_jwt_list_and_create_limited)
{
	char *t = lms_token("\"scope\":\"meetings:read meetings:create\","
			    "\"bbb\":{\"meetings\":[\"room-a\",\"team-*\"]}");
	struct reply r;
	json_t *list;
	size_t i;
	json_t *m;

	create_meeting("room-a");
	create_meeting("team-1");
	create_meeting("other");
	call(&r, "GET", "/v1/meetings", t, NULL);
	ck_assert_int_eq(r.status, 200);
	list = json_object_get(r.json, "meetings");
	ck_assert_uint_eq(json_array_size(list), 2);
	json_array_foreach (list, i, m) {
		const char *id = json_string_value(json_object_get(m, "meetingID"));

		ck_assert(strcmp(id, "room-a") == 0 || strcmp(id, "team-1") == 0);
		ck_assert_ptr_null(json_object_get(m, "attendeePW"));
		ck_assert_ptr_null(json_object_get(m, "moderatorPW"));
	}
	reply_free(&r);
	call(&r, "GET", "/v1/meetings", tok_all, NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "meetings")), 3);
	ck_assert_ptr_nonnull(
		json_object_get(json_array_get(json_object_get(r.json, "meetings"), 0), "attendeeP"
											"W"));
	reply_free(&r);

	call(&r, "POST", "/v1/meetings", t, "{\"name\":\"Xy\",\"meetingID\":\"other-2\"}");
	assert_problem(&r, 403, "meeting_not_allowed");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings", t, "{\"name\":\"Xy\"}");
	assert_problem(&r, 403, "meeting_not_allowed");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings", t, "{\"name\":\"Xy\",\"meetingID\":\"team-9\"}");
	ck_assert_int_eq(r.status, 201);
	ck_assert(!has_member(&r, "attendeePW") && !has_member(&r, "moderatorPW"));
	reply_free(&r);
	free(t);
}
END_TEST

static char *join_url(const char *token, const char *meeting, const char *body, long *status)
{
	struct reply r;
	char path[128];
	char *url = NULL;

	snprintf(path, sizeof(path), "/v1/meetings/%s/join", meeting);
	call(&r, "POST", path, token, body);
	*status = r.status;
	if (r.status == 200)
		url = strdup(jstr(&r, "url"));
	else
		ck_assert_str_eq(header(&r, "Content-Type"), "application/problem+json");
	if (r.status == 403)
		ck_assert_ptr_nonnull(jstr(&r, "code"));
	reply_free(&r);
	return url;
}

START_TEST(test_jwt_join_binding)
{
	char *t = lms_token("\"sub\":\"u-42\",\"scope\":\"meetings:join\","
			    "\"bbb\":{\"meetings\":[\"room-a\"],\"fullName\":\"Ada L\","
			    "\"avatarURL\":\"https://img.example/a.png\","
			    "\"userdata\":{\"color\":\"blue\"}}");
	char *mod = lms_token("\"scope\":\"meetings:join\",\"bbb\":{\"meetings\":[\"room-a\"],"
			      "\"role\":\"MODERATOR\"}");
	struct reply r;
	long st;
	char *url;

	create_meeting("room-a");
	url = join_url(t, "room-a", "{}", &st);
	ck_assert_int_eq(st, 200);
	ck_assert_ptr_nonnull(strstr(url, "role=VIEWER"));
	ck_assert_ptr_nonnull(strstr(url, "fullName=Ada+L"));
	ck_assert_ptr_nonnull(strstr(url, "userID=u-42"));
	ck_assert_ptr_nonnull(strstr(url, "userdata-color=blue"));
	ck_assert_ptr_nonnull(strstr(url, "avatarURL=https%3A%2F%2Fimg.example%2Fa.png"));
	free(url);
	url = join_url(t, "room-a", "{\"fullName\":\"Ada L\",\"role\":\"VIEWER\"}", &st);
	ck_assert_int_eq(st, 200);
	free(url);

	call(&r, "POST", "/v1/meetings/room-a/join", t, "{\"role\":\"MODERATOR\"}");
	assert_problem(&r, 403, "role_not_allowed");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/room-a/join", t, "{\"password\":\"mp\"}");
	assert_problem(&r, 403, "role_not_allowed");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/room-a/join", t, "{\"fullName\":\"Eve\"}");
	assert_problem(&r, 403, "claim_mismatch");
	ck_assert_str_eq(jstr(&r, "field"), "fullName");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/room-a/join", t, "{\"userID\":\"u-1\"}");
	assert_problem(&r, 403, "claim_mismatch");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/room-a/join", t, "{\"avatarURL\":\"https://x.example/\"}");
	assert_problem(&r, 403, "claim_mismatch");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/room-a/join", t, "{\"userdata\":{\"color\":\"red\"}}");
	assert_problem(&r, 403, "claim_mismatch");
	ck_assert_str_eq(jstr(&r, "field"), "userdata.color");
	reply_free(&r);

	/* no bound fullName: the body must give one; the role defaults to the token's */
	call(&r, "POST", "/v1/meetings/room-a/join", mod, "{}");
	assert_problem(&r, 400, "bad_request");
	reply_free(&r);
	url = join_url(mod, "room-a", "{\"fullName\":\"Mo\"}", &st);
	ck_assert_int_eq(st, 200);
	ck_assert_ptr_nonnull(strstr(url, "role=MODERATOR"));
	free(url);
	url = join_url(mod, "room-a", "{\"fullName\":\"Mo\",\"role\":\"viewer\"}", &st);
	ck_assert_int_eq(st, 200);
	ck_assert_ptr_nonnull(strstr(url, "role=VIEWER"));
	free(url);

	/* static tokens are not bound */
	url = join_url(tok_all, "room-a", "{\"fullName\":\"Op\",\"role\":\"MODERATOR\"}", &st);
	ck_assert_int_eq(st, 200);
	free(url);
	free(t);
	free(mod);
}
END_TEST

START_TEST(test_jwt_passwords_hidden)
{
	char *t = lms_token("\"scope\":\"meetings:read meetings:create\","
			    "\"bbb\":{\"meetings\":[\"room-*\"]}");
	char *admin;
	char payload[256];
	long long now = (long long)time(NULL);
	struct reply r;
	struct req q = {.method = "GET",
			.path = "/v1/meetings/room-a",
			.token = t,
			.extra_header = "Accept: application/xml"};

	call(&r, "POST", "/v1/meetings", t, "{\"name\":\"Room A\",\"meetingID\":\"room-a\"}");
	ck_assert_int_eq(r.status, 201);
	ck_assert(!has_member(&r, "attendeePW") && !has_member(&r, "moderatorPW"));
	ck_assert_ptr_null(strstr(gw_buf_str(&r.body), "PW"));
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/room-a", t, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert(!has_member(&r, "attendeePW") && !has_member(&r, "moderatorPW"));
	ck_assert_str_eq(jstr(&r, "meetingID"), "room-a");
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/room-a", tok_read, NULL);
	ck_assert(!has_member(&r, "attendeePW")); /* a static token without the scope */
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/room-a", tok_all, NULL);
	ck_assert(has_member(&r, "attendeePW") && has_member(&r, "moderatorPW"));
	reply_free(&r);

	/* BBB's XML would show them */
	do_request(&q, &r);
	assert_problem(&r, 403, "forbidden");
	ck_assert_str_eq(jstr(&r, "scope"), "meetings:passwords");
	reply_free(&r);
	q.token = tok_all;
	do_request(&q, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&r.body), "<moderatorPW>"));
	reply_free(&r);

	/* an issuer token with meetings:passwords sees them */
	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"admin\",\"aud\":[\"x\",\"bbb-gateway\"],\"exp\":%lld,"
		 "\"scope\":\"meetings:read meetings:passwords\"}",
		 now + 300);
	admin = jt_hs256(payload, ISSUER_KEY "-admin");
	call(&r, "GET", "/v1/meetings/room-a", admin, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert(has_member(&r, "attendeePW") && has_member(&r, "moderatorPW"));
	reply_free(&r);
	free(admin);
	free(t);
}
END_TEST

START_TEST(test_jwt_routes_for_every_meeting_refused)
{
	char *t = lms_token("\"scope\":\"*\",\"bbb\":{\"meetings\":[\"room-a\"]}");
	struct reply r;

	call(&r, "GET", "/v1/hooks", t, NULL);
	assert_problem(&r, 403, "meeting_not_allowed");
	reply_free(&r);
	call(&r, "DELETE", "/v1/recordings/abc-1", t, NULL);
	assert_problem(&r, 403, "meeting_not_allowed");
	reply_free(&r);
	call(&r, "GET", "/v1/recordings?meetingID=room-a,other", t, NULL);
	assert_problem(&r, 403, "meeting_not_allowed");
	reply_free(&r);
	call(&r, "GET", "/v1/recordings?meetingID=room-a", t, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	free(t);
}
END_TEST

START_TEST(test_jwt_origins)
{
	char *t = lms_token("\"scope\":\"meetings:read\",\"bbb\":{\"meetings\":[\"room-a\"],"
			    "\"origins\":[\"https://app.example.org\"]}");
	struct reply r;
	struct req q = {.method = "GET",
			.path = "/v1/server",
			.token = t,
			.extra_header = "Origin: https://evil.example.org"};

	do_request(&q, &r);
	assert_problem(&r, 403, "origin_not_allowed");
	reply_free(&r);
	q.extra_header = "Origin: https://app.example.org";
	do_request(&q, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(header(&r, "Access-Control-Allow-Origin"), "https://app.example.org");
	reply_free(&r);
	free(t);
}
END_TEST

static char *mint(const char *caller, const char *body, long status, char *jti_out)
{
	struct reply r;
	char *tok = NULL;

	call(&r, "POST", "/v1/tokens", caller, body);
	ck_assert_msg(r.status == status, "mint: %ld %s", r.status, gw_buf_str(&r.body));
	if (status == 201) {
		tok = strdup(jstr(&r, "token"));
		ck_assert_uint_eq(strlen(jstr(&r, "expiresAt")), 20);
		ck_assert_int_eq(jstr(&r, "expiresAt")[19], 'Z');
		ck_assert_uint_eq(strlen(jstr(&r, "jti")), 32);
		if (jti_out != NULL)
			strcpy(jti_out, jstr(&r, "jti"));
	}
	reply_free(&r);
	return tok;
}

START_TEST(test_jwt_mint_and_revoke)
{
	char jti[64];
	char jti2[64];
	char path[128];
	struct reply r;
	char *t;
	char *t2;
	char *minter = lms_token("\"scope\":\"meetings:read meetings:join tokens:mint\","
				 "\"bbb\":{\"meetings\":[\"room-*\"]}");

	create_meeting("room-a");
	create_meeting("other");
	t = mint(tok_all,
		 "{\"sub\":\"u1\",\"scope\":\"meetings:read meetings:join\","
		 "\"meetings\":[\"room-a\"],\"fullName\":\"Ada\",\"ttl_s\":600}",
		 201, jti);
	call(&r, "GET", "/v1/meetings/room-a", t, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert(!has_member(&r, "attendeePW"));
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/other", t, NULL);
	assert_problem(&r, 403, "meeting_not_allowed");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/room-a/join", t, "{}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(jstr(&r, "url"), "fullName=Ada"));
	ck_assert_ptr_nonnull(strstr(jstr(&r, "url"), "userID=u1"));
	reply_free(&r);
	/* a minted token cannot mint */
	call(&r, "POST", "/v1/tokens", t, "{\"scope\":\"meetings:read\"}");
	assert_problem(&r, 403, "forbidden");
	reply_free(&r);

	/* never broader than the caller */
	ck_assert_ptr_null(mint(tok_all, "{\"scope\":\"tokens:mint\"}", 403, NULL));
	ck_assert_ptr_null(
		mint(minter, "{\"scope\":\"meetings:end\",\"meetings\":[\"room-a\"]}", 403, NULL));
	ck_assert_ptr_null(
		mint(minter, "{\"scope\":\"meetings:read\",\"meetings\":[\"other\"]}", 403, NULL));
	ck_assert_ptr_null(mint(minter, "{\"scope\":\"meetings:read\"}", 403, NULL));
	ck_assert_ptr_null(
		mint(minter, "{\"scope\":\"meetings:read\",\"meetings\":[\"*\"]}", 403, NULL));
	ck_assert_ptr_null(mint(minter,
				"{\"scope\":\"meetings:join\",\"meetings\":[\"room-a\"],"
				"\"role\":\"MODERATOR\"}",
				403, NULL));
	ck_assert_ptr_null(
		mint(tok_all, "{\"scope\":\"meetings:read\",\"ttl_s\":999999}", 400, NULL));
	ck_assert_ptr_null(mint(tok_all, "{\"scope\":\"meetings:read\",\"bogus\":1}", 400, NULL));
	t2 = mint(minter, "{\"scope\":\"meetings:read\",\"meetings\":[\"room-a\",\"room-b*\"]}",
		  201, jti2);
	call(&r, "GET", "/v1/meetings/room-a", t2, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);

	/* revoke */
	snprintf(path, sizeof(path), "/v1/tokens/%s", jti);
	call(&r, "DELETE", path, tok_read, NULL);
	assert_problem(&r, 403, "forbidden");
	reply_free(&r);
	call(&r, "DELETE", path, tok_all, NULL);
	ck_assert_int_eq(r.status, 204);
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/room-a", t, NULL);
	assert_problem(&r, 401, "token_revoked");
	ck_assert_ptr_nonnull(strstr(header(&r, "WWW-Authenticate"), "invalid_token"));
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/room-a", t2, NULL);
	ck_assert_int_eq(r.status, 200); /* the other one still works */
	reply_free(&r);
	free(t);
	free(t2);
	free(minter);
}
END_TEST

/* The access log names a JWT by iss, sub and jti; no token, signature or key ever. */
START_TEST(test_jwt_never_logged)
{
	char *t = lms_token("\"sub\":\"user-77\",\"jti\":\"jti-77\",\"scope\":\"meetings:read\","
			    "\"bbb\":{\"meetings\":[\"room-a\"]}");
	char jti[64];
	char *minted;
	char *logs;
	struct reply r;
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
	cfg->access_log = true;
	gw_log_setup(GW_LOG_DEBUG, GW_LOG_FORMAT_JSON);
	gw_log_set_fd(fds[1]);
	call(&r, "GET", "/v1/meetings/room-a", t, NULL);
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/other", t, NULL);
	reply_free(&r);
	call(&r, "GET", "/v1/server", "eyJhbGciOiJIUzI1NiJ9.Z2FyYmxlZA.bm8tc2lnbmF0dXJlLWhlcmU",
	     NULL);
	reply_free(&r);
	minted = mint(tok_all, "{\"sub\":\"user-88\",\"scope\":\"meetings:read\"}", 201, jti);
	call(&r, "GET", "/v1/server", minted, NULL);
	reply_free(&r);
	gw_log_set_fd(2);
	logs = harness_slurp(fds[0]);
	ck_assert_ptr_nonnull(strstr(logs, "\"iss\":\"lms\""));
	ck_assert_ptr_nonnull(strstr(logs, "\"sub\":\"user-77\""));
	ck_assert_ptr_nonnull(strstr(logs, "\"jti\":\"jti-77\""));
	ck_assert_ptr_nonnull(strstr(logs, jti));
	ck_assert_ptr_null(strstr(logs, strrchr(t, '.') + 1));
	ck_assert_ptr_null(strstr(logs, strrchr(minted, '.') + 1));
	ck_assert_ptr_null(strstr(logs, "bm8tc2lnbmF0dXJlLWhlcmU"));
	ck_assert_ptr_null(strstr(logs, "Z2FyYmxlZA"));
	ck_assert_ptr_null(strstr(logs, "eyJ"));
	ck_assert_ptr_null(strstr(logs, ISSUER_KEY));
	ck_assert_ptr_null(strstr(logs, MINT_KEY));
	ck_assert_ptr_null(strstr(logs, tok_all));
	free(logs);
	close(fds[0]);
	close(fds[1]);
	free(minted);
	free(t);
}
END_TEST

/* What a meeting-bound token cannot reach beyond its meetings, whatever its scopes. */
START_TEST(test_jwt_bound_token_stays_in_its_meetings)
{
	char payload[512];
	char *t;
	char *none = lms_token("\"bbb\":{\"meetings\":[\"room-a\"]}");
	struct reply r;
	struct req q = {
		.method = "GET", .path = "/v1/meetings", .extra_header = "Accept: application/xml"};

	/* the admin issuer allows meetings:passwords; bbb.meetings binds even there */
	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"admin\",\"aud\":\"bbb-gateway\",\"exp\":%lld,\"scope\":\"meetings:"
		 "read "
		 "meetings:create meetings:join meetings:passwords recordings:read\","
		 "\"bbb\":{\"meetings\":[\"room-a\"]}}",
		 (long long)time(NULL) + 600);
	t = jt_hs256(payload, ISSUER_KEY "-admin");
	q.token = t;
	create_meeting("other");
	call(&r, "POST", "/v1/meetings", t, "{\"name\":\"Room A\",\"meetingID\":\"room-a\"}");
	ck_assert_int_eq(r.status, 201);
	ck_assert(has_member(&r, "moderatorPW")); /* it has meetings:passwords */
	reply_free(&r);

	/* BBB's unfiltered XML: only on a route that names its meeting */
	do_request(&q, &r);
	assert_problem(&r, 403, "meeting_not_allowed");
	reply_free(&r);
	q.path = "/v1/recordings";
	do_request(&q, &r);
	assert_problem(&r, 403, "meeting_not_allowed");
	reply_free(&r);
	q.path = "/v1/meetings/room-a";
	do_request(&q, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&r.body), "<meetingID>room-a</meetingID>"));
	reply_free(&r);

	/* parameters that reach other meetings, and unknown ones, are not forwarded */
	call(&r, "POST", "/v1/meetings", t,
	     "{\"name\":\"Room A\",\"meetingID\":\"room-a\",\"voiceBridge\":71234}");
	assert_problem(&r, 403, "meeting_not_allowed");
	ck_assert_str_eq(jstr(&r, "field"), "voiceBridge");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings", t,
	     "{\"name\":\"Room A\",\"meetingID\":\"room-a\",\"somethingNew\":\"x\"}");
	assert_problem(&r, 403, "meeting_not_allowed");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings", t,
	     "{\"name\":\"Room A\",\"meetingID\":\"room-a\",\"bbb\":{\"somethingNew\":\"x\"}}");
	assert_problem(&r, 403, "meeting_not_allowed");
	ck_assert_str_eq(jstr(&r, "field"), "bbb.somethingNew");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/room-a/join", t,
	     "{\"fullName\":\"Ada\",\"bbb\":{\"somethingNew\":\"x\"}}");
	assert_problem(&r, 403, "meeting_not_allowed");
	ck_assert_str_eq(jstr(&r, "field"), "bbb.somethingNew");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/room-a/join", t,
	     "{\"fullName\":\"Ada\",\"webVoiceConf\":\"70001\"}");
	assert_problem(&r, 403, "meeting_not_allowed");
	ck_assert_str_eq(jstr(&r, "field"), "webVoiceConf");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/room-a/join", tok_all,
	     "{\"fullName\":\"Op\",\"role\":\"VIEWER\",\"webVoiceConf\":\"70001\"}");
	ck_assert_int_eq(r.status, 200); /* a static token still may */
	reply_free(&r);

	/* no scope claim: no scopes */
	call(&r, "GET", "/v1/server", none, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/room-a", none, NULL);
	assert_problem(&r, 403, "forbidden");
	reply_free(&r);
	free(t);
	free(none);
}
END_TEST

/* A minted token keeps its minter's origins, even when asked for none. */
START_TEST(test_jwt_mint_keeps_origins)
{
	char *minter = lms_token("\"scope\":\"meetings:read tokens:mint\","
				 "\"bbb\":{\"meetings\":[\"room-a\"],"
				 "\"origins\":[\"https://app.example.org\"]}");
	char *t;
	struct reply r;
	struct req q = {.method = "GET",
			.path = "/v1/server",
			.extra_header = "Origin: https://evil.example.org"};
	char big[600];

	t = mint(minter, "{\"scope\":\"meetings:read\",\"meetings\":[\"room-a\"],\"origins\":[]}",
		 201, NULL);
	q.token = t;
	do_request(&q, &r);
	assert_problem(&r, 403, "origin_not_allowed");
	reply_free(&r);
	free(t);
	ck_assert_ptr_null(mint(minter,
				"{\"scope\":\"meetings:read\",\"meetings\":[\"room-a\"],"
				"\"origins\":[\"https://evil.example.org\"]}",
				403, NULL));
	/* what the verifier would refuse is not minted */
	memset(big, 'u', sizeof(big));
	memcpy(big, "{\"scope\":\"meetings:read\",\"sub\":\"", 31);
	memcpy(big + sizeof(big) - 3, "\"}", 3);
	ck_assert_ptr_null(mint(tok_all, big, 400, NULL));
	free(minter);
}
END_TEST

static Suite *integration_jwt_suite(void)
{
	Suite *s = suite_create("integration_jwt");
	TCase *tc = tcase_create("jwt");

	tcase_add_checked_fixture(tc, jwt_setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_jwt_accepted_and_refused);
	tcase_add_test(tc, test_jwt_meeting_binding_every_route);
	tcase_add_test(tc, test_jwt_list_and_create_limited);
	tcase_add_test(tc, test_jwt_join_binding);
	tcase_add_test(tc, test_jwt_passwords_hidden);
	tcase_add_test(tc, test_jwt_routes_for_every_meeting_refused);
	tcase_add_test(tc, test_jwt_origins);
	tcase_add_test(tc, test_jwt_mint_and_revoke);
	tcase_add_test(tc, test_jwt_bound_token_stays_in_its_meetings);
	tcase_add_test(tc, test_jwt_mint_keeps_origins);
	tcase_add_test(tc, test_jwt_never_logged);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(integration_jwt_suite)
