/*
 * check_handler_tokens.c - POST /v1/tokens called directly on routed
 * exchanges. A minted token is checked here without the gateway's code:
 * split, base64url-decoded (jwtutil.h), its HMAC-SHA256 recomputed with
 * OpenSSL and the minting key, its claims read one by one (tokensfix.h).
 * The caller is a static token or a JWT's token built as the verifier
 * builds it; every way of asking for more than the caller has is refused.
 * DELETE /v1/tokens/{jti} is in check_handler_tokens_revoke.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "bearer.h"
#include "config.h"
#include "handlers.h"
#include "testutil.h"
#include "tokensfix.h"

/* The member key of the token's bbb claim. Borrowed. */
static json_t *bbb(const struct minted *m, const char *key)
{
	return json_object_get(json_object_get(m->claims, "bbb"), key);
}

/* Asserts that json text `want` equals v. */
static void assert_json(json_t *v, const char *want)
{
	json_t *w = parse(want);
	char *got = v != NULL ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	ck_assert_msg(v != NULL && json_equal(v, w), "got %s, want %s", got ? got : "(none)", want);
	free(got);
	json_decref(w);
}

/* Reads the log so far into buf (NUL-terminated). */
static void read_log(char *buf, size_t cap)
{
	ssize_t n = pread(fileno(log_file), buf, cap - 1, 0);

	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
}

/* ---- minting ---- */

START_TEST(test_tokens_mint_claims_signed)
{
	struct minted m;
	long long t0 = (long long)time(NULL);
	long long t1;
	char log[4096];

	mint_as(&backend, "{\"sub\":\"u1\",\"scope\":\"meetings:read  meetings:join\","
			  "\"meetings\":[\"room-a\",\"room-b*\"],\"role\":\"MODERATOR\","
			  "\"fullName\":\"Ada\",\"avatarURL\":\"" AVATAR "\","
			  "\"userdata\":{\"course\":\"bio\",\"lang\":\"en\"},"
			  "\"origins\":[\"" GW_TEST_LMS_ORIGIN "\"],\"ttl_s\":600}");
	t1 = (long long)time(NULL);
	minted(t0, t1, &m);
	ck_assert_int_eq(m.exp - m.iat, 600);
	ck_assert_str_eq(gw_test_jstr(m.claims, "sub"), "u1");
	/* the scope text as asked (the verifier splits it) */
	ck_assert_str_eq(gw_test_jstr(m.claims, "scope"), "meetings:read  meetings:join");
	assert_json(bbb(&m, "meetings"), "[\"room-a\",\"room-b*\"]");
	assert_json(bbb(&m, "role"), "\"MODERATOR\"");
	assert_json(bbb(&m, "fullName"), "\"Ada\"");
	assert_json(bbb(&m, "avatarURL"), "\"" AVATAR "\"");
	assert_json(bbb(&m, "userdata"), "{\"course\":\"bio\",\"lang\":\"en\"}");
	assert_json(bbb(&m, "origins"), "[\"" GW_TEST_LMS_ORIGIN "\"]");
	ck_assert_uint_eq(json_object_size(json_object_get(m.claims, "bbb")), 6);
	/* iss aud jti iat exp sub scope bbb, nothing else */
	ck_assert_uint_eq(json_object_size(m.claims), 8);

	/* logged by jti and minter, never the token */
	read_log(log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "token minted: iss=" MINT_ISS " jti="));
	ck_assert_ptr_nonnull(strstr(log, m.jti));
	ck_assert_ptr_nonnull(strstr(log, "by backend"));
	ck_assert_ptr_null(strstr(log, strrchr(m.token, '.') + 1));
	minted_free(&m);
}
END_TEST

START_TEST(test_tokens_mint_verifies_as_the_gateways_own)
{
	struct minted m;
	const struct gw_token *t = NULL;
	const char *why = NULL;
	char header[4096];

	mint_as(&backend, "{\"sub\":\"u1\",\"scope\":\"meetings:read meetings:join\","
			  "\"meetings\":[\"room-a\"],\"fullName\":\"Ada\"}");
	minted((long long)time(NULL) - 1, (long long)time(NULL), &m);
	snprintf(header, sizeof(header), "Bearer %s", m.token);
	ck_assert_int_eq(gw_bearer_authenticate(NULL, cfg, header, (long long)time(NULL), &t, &why),
			 GW_BEARER_OK);
	ck_assert_ptr_nonnull(t->claims);
	ck_assert_uint_eq(t->scopes, GW_SCOPE_MEETINGS_READ | GW_SCOPE_MEETINGS_JOIN);
	ck_assert_str_eq(t->claims->iss, MINT_ISS);
	ck_assert_str_eq(t->claims->jti, m.jti);
	ck_assert_str_eq(t->claims->sub, "u1");
	ck_assert_str_eq(t->claims->full_name, "Ada");
	ck_assert_int_eq(t->claims->role, GW_ROLE_VIEWER);
	ck_assert(!t->claims->any_meeting);
	ck_assert_uint_eq(t->claims->n_meetings, 1);
	ck_assert_str_eq(t->claims->meetings[0], "room-a");
	ck_assert_int_eq(t->expires_at, m.exp);
	gw_token_unref(t);
	minted_free(&m);
}
END_TEST

START_TEST(test_tokens_mint_defaults)
{
	struct minted a;
	struct minted b;
	long long t0 = (long long)time(NULL);

	mint_as(&backend, "{\"scope\":\"meetings:read\"}");
	minted(t0, (long long)time(NULL), &a);
	mint_as(&backend, "{\"scope\":\"meetings:read\"}");
	minted(t0, (long long)time(NULL), &b);
	ck_assert_int_eq(a.exp - a.iat, MINT_TTL);
	ck_assert_ptr_null(json_object_get(a.claims, "sub"));
	assert_json(bbb(&a, "role"), "\"VIEWER\"");
	/* unbound, with nothing else bound */
	ck_assert_uint_eq(json_object_size(json_object_get(a.claims, "bbb")), 1);
	ck_assert_str_ne(a.jti, b.jti);
	ck_assert_str_ne(a.token, b.token);
	minted_free(&a);
	minted_free(&b);
}
END_TEST

START_TEST(test_tokens_mint_ttl_bounds)
{
	struct minted m;

	mint_as(&backend, "{\"scope\":\"meetings:read\",\"ttl_s\":1}");
	minted((long long)time(NULL) - 1, (long long)time(NULL), &m);
	ck_assert_int_eq(m.exp - m.iat, 1);
	minted_free(&m);
	mint_as(&backend, "{\"scope\":\"meetings:read\",\"ttl_s\":3600}");
	minted((long long)time(NULL) - 1, (long long)time(NULL), &m);
	ck_assert_int_eq(m.exp - m.iat, MINT_TTL);
	minted_free(&m);
}
END_TEST

START_TEST(test_tokens_mint_jwt_caller_bindings_inherited)
{
	struct minted m;

	mint_as(pupil, "{\"scope\":\"meetings:join\",\"meetings\":[\"room-a\"]}");
	minted((long long)time(NULL) - 1, (long long)time(NULL), &m);
	ck_assert_str_eq(gw_test_jstr(m.claims, "sub"), "u7");
	assert_json(bbb(&m, "meetings"), "[\"room-a\"]");
	assert_json(bbb(&m, "role"), "\"VIEWER\"");
	assert_json(bbb(&m, "fullName"), "\"Grace\"");
	assert_json(bbb(&m, "avatarURL"), "\"" AVATAR "\"");
	assert_json(bbb(&m, "userdata"), "{\"dept\":\"cs\"}");
	assert_json(bbb(&m, "origins"), "[\"" GW_TEST_APP_ORIGIN "\"]");
	/* the default ttl would outlive the caller: its exp caps the new one */
	ck_assert_int_eq(m.exp, pupil_exp);
	minted_free(&m);

	/* the same values may be repeated, and more userdata added */
	mint_as(pupil, "{\"scope\":\"meetings:read\",\"meetings\":[\"room-b\"],\"sub\":\"u7\","
		       "\"fullName\":\"Grace\",\"avatarURL\":\"" AVATAR "\","
		       "\"userdata\":{\"dept\":\"cs\",\"seat\":\"12\"},"
		       "\"origins\":[\"" GW_TEST_APP_ORIGIN "\"],\"ttl_s\":60}");
	minted((long long)time(NULL) - 1, (long long)time(NULL), &m);
	assert_json(bbb(&m, "userdata"), "{\"dept\":\"cs\",\"seat\":\"12\"}");
	/* shorter than the caller's rest: not capped */
	ck_assert_int_eq(m.exp - m.iat, 60);
	minted_free(&m);
}
END_TEST

START_TEST(test_tokens_mint_jwt_caller_longer_lived_not_capped)
{
	struct minted m;

	mint_as(portal, "{\"scope\":\"meetings:read hooks\",\"role\":\"MODERATOR\"}");
	minted((long long)time(NULL) - 1, (long long)time(NULL), &m);
	ck_assert_int_eq(m.exp - m.iat, MINT_TTL);
	assert_json(bbb(&m, "role"), "\"MODERATOR\"");
	ck_assert_ptr_null(bbb(&m, "meetings"));
	minted_free(&m);
}
END_TEST

START_TEST(test_tokens_mint_meetings_within_the_callers)
{
	static const char *const ok_pupil[] = {
		"[\"room-a\"]",
		"[\"room-\"]",
		"[\"room-*\"]",
		"[\"room-a*\"]",
		"[\"room-a\",\"room-b*\"]",
	};
	char body[256];
	struct minted m;

	for (size_t i = 0; i < sizeof(ok_pupil) / sizeof(ok_pupil[0]); i++) {
		snprintf(body, sizeof(body), "{\"scope\":\"meetings:join\",\"meetings\":%s}",
			 ok_pupil[i]);
		mint_as(pupil, body);
		minted((long long)time(NULL) - 1, (long long)time(NULL), &m);
		assert_json(bbb(&m, "meetings"), ok_pupil[i]);
		minted_free(&m);
	}
	mint_as(teacher, "{\"scope\":\"meetings:join\",\"meetings\":[\"room-a\"],"
			 "\"role\":\"MODERATOR\"}");
	minted((long long)time(NULL) - 1, (long long)time(NULL), &m);
	assert_json(bbb(&m, "role"), "\"MODERATOR\"");
	minted_free(&m);
	/* an unbound caller may hand out any pattern, "*" included */
	mint_as(portal, "{\"scope\":\"meetings:join\",\"meetings\":[\"*\"]}");
	minted((long long)time(NULL) - 1, (long long)time(NULL), &m);
	assert_json(bbb(&m, "meetings"), "[\"*\"]");
	minted_free(&m);
}
END_TEST

/* ---- refusals ---- */

enum caller { BACKEND, WEB, PUPIL, TEACHER };

static const struct refusal {
	enum caller caller;
	const char *body; /* NULL: no body */
	int status;
	const char *code;
	const char *field; /* NULL: none */
} refusals[] = {
	/* the body */
	{BACKEND, NULL, 400, "bad_request", NULL},
	{BACKEND, "[]", 400, "bad_request", NULL},
	{BACKEND, "{\"scope\":", 400, "bad_request", NULL},
	{BACKEND, "{\"scope\":\"meetings:read\",\"foo\":1}", 400, "bad_request", "foo"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"expiresAt\":1}", 400, "bad_request", "expiresAt"},
	/* scope */
	{BACKEND, "{}", 400, "bad_request", "scope"},
	{BACKEND, "{\"scope\":42}", 400, "bad_request", "scope"},
	{BACKEND, "{\"scope\":\"meetings:fly\"}", 400, "bad_request", "scope"},
	{BACKEND, "{\"scope\":\"meetings:read meetings:\"}", 400, "bad_request", "scope"},
	{BACKEND, "{\"scope\":\"tokens:mint\"}", 403, "scope_exceeded", "scope"},
	{BACKEND, "{\"scope\":\"meetings:read tokens:mint\"}", 403, "scope_exceeded", "scope"},
	{BACKEND, "{\"scope\":\"*\"}", 403, "scope_exceeded", "scope"},
	{BACKEND, "{\"scope\":\"hooks\"}", 403, "scope_exceeded", "scope"},
	{PUPIL, "{\"scope\":\"meetings:end\",\"meetings\":[\"room-a\"]}", 403, "scope_exceeded",
	 "scope"},
	/* meetings */
	{BACKEND, "{\"scope\":\"meetings:read\",\"meetings\":[]}", 400, "bad_request", "meetings"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"meetings\":\"room-a\"}", 400, "bad_request",
	 "meetings"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"meetings\":[\"\"]}", 400, "bad_request",
	 "meetings"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"meetings\":[42]}", 400, "bad_request",
	 "meetings"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"meetings\":[\"a*b\"]}", 400, "bad_request",
	 "meetings"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"meetings\":[\"**\"]}", 400, "bad_request",
	 "meetings"},
	{PUPIL, "{\"scope\":\"meetings:read\"}", 403, "scope_exceeded", "meetings"},
	{PUPIL, "{\"scope\":\"meetings:read\",\"meetings\":[\"hall\"]}", 403, "scope_exceeded",
	 "meetings"},
	{PUPIL, "{\"scope\":\"meetings:read\",\"meetings\":[\"ro*\"]}", 403, "scope_exceeded",
	 "meetings"},
	{PUPIL, "{\"scope\":\"meetings:read\",\"meetings\":[\"*\"]}", 403, "scope_exceeded",
	 "meetings"},
	{PUPIL, "{\"scope\":\"meetings:read\",\"meetings\":[\"room\"]}", 403, "scope_exceeded",
	 "meetings"},
	{PUPIL, "{\"scope\":\"meetings:read\",\"meetings\":[\"room-a\",\"hall\"]}", 403,
	 "scope_exceeded", "meetings"},
	{TEACHER, "{\"scope\":\"meetings:read\",\"meetings\":[\"room-a*\"]}", 403, "scope_exceeded",
	 "meetings"},
	{TEACHER, "{\"scope\":\"meetings:read\",\"meetings\":[\"room-ab\"]}", 403, "scope_exceeded",
	 "meetings"},
	/* role */
	{PUPIL, "{\"scope\":\"meetings:join\",\"meetings\":[\"room-a\"],\"role\":\"MODERATOR\"}",
	 403, "scope_exceeded", "role"},
	{BACKEND, "{\"scope\":\"meetings:join\",\"role\":\"moderator\"}", 400, "bad_request",
	 "role"},
	{BACKEND, "{\"scope\":\"meetings:join\",\"role\":2}", 400, "bad_request", "role"},
	{BACKEND, "{\"scope\":\"meetings:join\",\"role\":\"OWNER\"}", 400, "bad_request", "role"},
	/* ttl_s */
	{BACKEND, "{\"scope\":\"meetings:read\",\"ttl_s\":0}", 400, "bad_request", "ttl_s"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"ttl_s\":-60}", 400, "bad_request", "ttl_s"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"ttl_s\":3601}", 400, "bad_request", "ttl_s"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"ttl_s\":60.5}", 400, "bad_request", "ttl_s"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"ttl_s\":\"60\"}", 400, "bad_request", "ttl_s"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"ttl_s\":null}", 400, "bad_request", "ttl_s"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"ttl_s\":true}", 400, "bad_request", "ttl_s"},
	/* origins */
	{BACKEND, "{\"scope\":\"meetings:read\",\"origins\":[\"not an origin\"]}", 400,
	 "bad_request", "origins"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"origins\":[\"https://App.example.org\"]}", 400,
	 "bad_request", "origins"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"origins\":[\"https://*.example.org\"]}", 400,
	 "bad_request", "origins"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"origins\":\"" GW_TEST_LMS_ORIGIN "\"}", 400,
	 "bad_request", "origins"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"origins\":[7]}", 400, "bad_request", "origins"},
	{WEB, "{\"scope\":\"meetings:read\",\"origins\":[\"" GW_TEST_LMS_ORIGIN "\"]}", 403,
	 "scope_exceeded", "origins"},
	{PUPIL,
	 "{\"scope\":\"meetings:read\",\"meetings\":[\"room-a\"],\"origins\":[\"" GW_TEST_APP_ORIGIN
	 "\",\"" GW_TEST_LMS_ORIGIN "\"]}",
	 403, "scope_exceeded", "origins"},
	/* userdata */
	{BACKEND, "{\"scope\":\"meetings:read\",\"userdata\":{\"k\":1}}", 400, "bad_request",
	 "userdata"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"userdata\":{\"k\":null}}", 400, "bad_request",
	 "userdata"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"userdata\":[\"k\"]}", 400, "bad_request",
	 "userdata"},
	{PUPIL,
	 "{\"scope\":\"meetings:read\",\"meetings\":[\"room-a\"],\"userdata\":{\"dept\":"
	 "\"math\"}}",
	 403, "scope_exceeded", "userdata"},
	/* bound strings */
	{BACKEND, "{\"scope\":\"meetings:read\",\"sub\":5}", 400, "bad_request", "sub"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"sub\":\"\"}", 400, "bad_request", "sub"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"fullName\":\"\"}", 400, "bad_request",
	 "fullName"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"fullName\":[\"Ada\"]}", 400, "bad_request",
	 "fullName"},
	{BACKEND, "{\"scope\":\"meetings:read\",\"avatarURL\":false}", 400, "bad_request",
	 "avatarURL"},
	{PUPIL, "{\"scope\":\"meetings:read\",\"meetings\":[\"room-a\"],\"fullName\":\"Eve\"}", 403,
	 "scope_exceeded", "fullName"},
	{PUPIL, "{\"scope\":\"meetings:read\",\"meetings\":[\"room-a\"],\"sub\":\"u8\"}", 403,
	 "scope_exceeded", "sub"},
	{PUPIL,
	 "{\"scope\":\"meetings:read\",\"meetings\":[\"room-a\"],\"avatarURL\":\"https://x.test/"
	 "\"}",
	 403, "scope_exceeded", "avatarURL"},
};

START_TEST(test_tokens_mint_refused)
{
	const struct refusal *r = &refusals[_i];
	const struct gw_token *callers[] = {&backend, &web, pupil, teacher};
	json_t *p;

	mint_as(callers[r->caller], r->body);
	ck_assert_msg(x->resp.status == r->status, "#%d %s: status %d: %s", _i,
		      r->body ? r->body : "(none)", x->resp.status,
		      x->resp.body ? x->resp.body : "");
	gw_test_assert_problem(x, r->status, r->code);
	p = gw_test_json_body(x);
	if (r->field == NULL)
		ck_assert_ptr_null(json_object_get(p, "field"));
	else
		ck_assert_msg(gw_test_jstr(p, "field") != NULL &&
				      strcmp(gw_test_jstr(p, "field"), r->field) == 0,
			      "#%d %s: field %s, want %s", _i, r->body,
			      gw_test_jstr(p, "field") ? gw_test_jstr(p, "field") : "(none)",
			      r->field);
	ck_assert_ptr_null(json_object_get(p, "token"));
	json_decref(p);
}
END_TEST

START_TEST(test_tokens_mint_off_404)
{
	/* no issuer name: minting is off */
	gw_issuer_deinit(&cfg->mint);
	mint_as(&backend, "{\"scope\":\"meetings:read\"}");
	gw_test_assert_problem(x, 404, "not_found");
	/* a name without a key is off too */
	cfg->mint.name = gw_test_strdup(MINT_ISS);
	mint_as(&backend, "{\"scope\":\"meetings:read\"}");
	gw_test_assert_problem(x, 404, "not_found");
}
END_TEST

static Suite *tokens_suite(void)
{
	Suite *s = suite_create("handler_tokens");
	TCase *m = tcase_create("mint");
	TCase *f = tcase_create("refused");

	tcase_add_checked_fixture(m, setup, teardown);
	tcase_add_test(m, test_tokens_mint_claims_signed);
	tcase_add_test(m, test_tokens_mint_verifies_as_the_gateways_own);
	tcase_add_test(m, test_tokens_mint_defaults);
	tcase_add_test(m, test_tokens_mint_ttl_bounds);
	tcase_add_test(m, test_tokens_mint_jwt_caller_bindings_inherited);
	tcase_add_test(m, test_tokens_mint_jwt_caller_longer_lived_not_capped);
	tcase_add_test(m, test_tokens_mint_meetings_within_the_callers);
	suite_add_tcase(s, m);

	tcase_add_checked_fixture(f, setup, teardown);
	tcase_add_loop_test(f, test_tokens_mint_refused, 0,
			    (int)(sizeof(refusals) / sizeof(refusals[0])));
	tcase_add_test(f, test_tokens_mint_off_404);
	suite_add_tcase(s, f);
	return s;
}

GW_TEST_MAIN(tokens_suite)
