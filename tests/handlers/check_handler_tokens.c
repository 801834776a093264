/*
 * check_handler_tokens.c - POST /v1/tokens and DELETE /v1/tokens/{jti}
 * called directly on routed exchanges. A minted token is checked here
 * without the gateway's code: split, base64url-decoded (jwtutil.h), its
 * HMAC-SHA256 recomputed with OpenSSL and the minting key, its claims
 * read one by one. The caller is a static token or a JWT's token built
 * as the verifier builds it; every way of asking for more than the caller
 * has is refused. Revocation goes to a real in-memory deny list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "bearer.h"
#include "config.h"
#include "handlers.h"
#include "jwtutil.h"
#include "log.h"
#include "request.h"
#include "revoke.h"
#include "router.h"
#include "routes.h"
#include "testutil.h"

#define MINT_KEY "mint-key-0123456789abcdef-0123456789abcd" /* 40 bytes */
#define MINT_ISS "bbb-gateway"
#define AUDIENCE "gw-audience-test" /* not the issuer's name: aud comes from auth.audience */
#define LEEWAY 30
#define MINT_TTL 3600
#define MINT_SCOPES (GW_SCOPE_ALL & ~GW_SCOPE_TOKENS_MINT)
#define AVATAR "https://img.example.org/grace.png"

_Static_assert(sizeof(MINT_KEY) - 1 == 40, "a 40-byte minting key");

static struct gw_config *cfg;
static struct gw_exchange *x;
static struct gw_services svc;
static FILE *log_file;

/* A static token holding every scope but hooks (and tokens:mint, to call the routes). */
static char backend_name[] = "backend";
static struct gw_token backend = {
	.name = backend_name,
	.scopes = (GW_SCOPE_ALL & ~GW_SCOPE_HOOKS),
};

/* A static token restricted to one browser origin. */
static char web_name[] = "web";
static char app_origin[] = GW_TEST_APP_ORIGIN;
static char *web_origins[] = {app_origin};
static struct gw_token web = {
	.name = web_name,
	.scopes = GW_SCOPE_MEETINGS_READ | GW_SCOPE_MEETINGS_JOIN | GW_SCOPE_TOKENS_MINT,
	.origins = web_origins,
	.n_origins = 1,
};

/*
 * JWT callers (one reference each, dropped in teardown): bound to room-*
 * as VIEWER with every join value bound and 600 s left; bound to room-a
 * exactly as MODERATOR; unbound.
 */
static struct gw_token *pupil;
static struct gw_token *teacher;
static struct gw_token *portal;
static long long pupil_exp;

static void setup(void)
{
	static const char *const room_star[] = {"room-*"};
	static const char *const room_a[] = {"room-a"};
	const unsigned jwt_scopes = GW_SCOPE_MEETINGS_READ | GW_SCOPE_MEETINGS_JOIN |
				    GW_SCOPE_TOKENS_MINT;

	cfg = gw_test_api_config();
	cfg->mint.name = gw_test_strdup(MINT_ISS);
	cfg->mint.alg = GW_JWT_HS256;
	cfg->mint.key = (unsigned char *)gw_test_strdup(MINT_KEY);
	cfg->mint.key_len = strlen(MINT_KEY);
	cfg->mint.max_ttl_s = MINT_TTL;
	cfg->mint.any_meeting = true;
	cfg->mint.scopes = MINT_SCOPES;
	free(cfg->auth_audience);
	cfg->auth_audience = gw_test_strdup(AUDIENCE);
	cfg->auth_leeway_s = LEEWAY;

	svc = *gw_test_services();
	svc.revoke = gw_revoke_new_memory(100);
	ck_assert_ptr_nonnull(svc.revoke);
	x = NULL;

	pupil = gw_test_jwt_token("u7", jwt_scopes, room_star, 1, GW_ROLE_VIEWER);
	pupil->claims->sub = gw_test_strdup("u7");
	pupil->claims->full_name = gw_test_strdup("Grace");
	pupil->claims->avatar_url = gw_test_strdup(AVATAR);
	gw_test_jwt_userdata(pupil, "dept", "cs");
	gw_test_token_origin(pupil, GW_TEST_APP_ORIGIN);
	pupil_exp = (long long)time(NULL) + 600;
	pupil->expires_at = pupil_exp;
	teacher = gw_test_jwt_token("t1", jwt_scopes, room_a, 1, GW_ROLE_MODERATOR);
	teacher->expires_at = (long long)time(NULL) + 86400;
	portal = gw_test_jwt_token("p1", MINT_SCOPES | GW_SCOPE_TOKENS_MINT, NULL, 0,
				   GW_ROLE_MODERATOR);
	portal->expires_at = (long long)time(NULL) + 86400;

	/* the handlers' log lines go to a file the tests read */
	log_file = tmpfile();
	ck_assert_ptr_nonnull(log_file);
	gw_log_set_fd(fileno(log_file));
}

static void teardown(void)
{
	gw_log_set_fd(2);
	fclose(log_file);
	gw_exchange_free(x);
	gw_token_unref(pupil);
	gw_token_unref(teacher);
	gw_token_unref(portal);
	gw_revoke_free(svc.revoke);
	gw_config_unref(cfg);
}

/* A fresh exchange for method path, routed, with caller (a reference is taken). */
static void start(const char *method, const char *path, const struct gw_token *caller)
{
	unsigned allowed = 0;

	gw_test_restart(&x, cfg, method, path);
	x->req.svc = &svc;
	ck_assert_int_eq(gw_router_match(gw_routes_table(), &x->req, &allowed), GW_OK);
	x->req.token = gw_token_ref(caller);
}

/* POST /v1/tokens by caller with body (NULL: none). */
static void mint_as(const struct gw_token *caller, const char *body)
{
	start("POST", "/v1/tokens", caller);
	ck_assert(x->req.route->handler == gw_handle_tokens_mint);
	if (body != NULL)
		gw_test_set_json_body(x, body);
	gw_handle_tokens_mint(x);
}

/* DELETE /v1/tokens/<raw> by the backend token. */
static void revoke_jti(const char *raw)
{
	char path[512];

	ck_assert_int_lt(snprintf(path, sizeof(path), "/v1/tokens/%s", raw), (int)sizeof(path));
	start("DELETE", path, &backend);
	ck_assert(x->req.route->handler == gw_handle_token_revoke);
	gw_handle_token_revoke(x);
}

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	ck_assert_msg(j != NULL, "not JSON (%s): %s", e.text, text);
	return j;
}

static void rfc3339(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
	ck_assert_uint_eq(strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm), 20);
}

static bool lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	return strspn(s, "0123456789abcdef") == n;
}

/* What a 201 answer held, checked against the contract's shape. */
struct minted {
	json_t *claims; /* the decoded payload */
	char *token;
	char jti[64];
	long long iat, exp;
};

/*
 * Checks the 201 answer of a mint made between t0 and t1: {token,
 * expiresAt, jti} only; a compact JWT with header {alg HS256, typ JWT}
 * whose HMAC-SHA256 under MINT_KEY is right; iss, aud, jti, iat and exp
 * as they must be. Fills m (release with minted_free).
 */
static void minted(long long t0, long long t1, struct minted *m)
{
	json_t *body;
	json_t *head;
	json_t *want_head;
	const char *tok;
	const char *d1;
	const char *d2;
	char *text;
	char *sig_b64;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	char when[32];
	const char *scope;

	ck_assert_msg(x->resp.status == 201, "status %d: %s", x->resp.status,
		      x->resp.body != NULL ? x->resp.body : "");
	body = gw_test_json_body(x);
	ck_assert_uint_eq(json_object_size(body), 3);
	tok = gw_test_jstr(body, "token");
	ck_assert_ptr_nonnull(tok);
	m->token = gw_test_strdup(tok);
	ck_assert_ptr_nonnull(gw_test_jstr(body, "jti"));
	ck_assert_int_lt(snprintf(m->jti, sizeof(m->jti), "%s", gw_test_jstr(body, "jti")),
			 (int)sizeof(m->jti));
	ck_assert_msg(lower_hex(m->jti, 32), "jti %s", m->jti);

	d1 = strchr(m->token, '.');
	ck_assert_ptr_nonnull(d1);
	d2 = strchr(d1 + 1, '.');
	ck_assert_ptr_nonnull(d2);
	ck_assert_ptr_null(strchr(d2 + 1, '.'));

	text = jt_b64url_decode(m->token, (size_t)(d1 - m->token), NULL);
	head = parse(text);
	want_head = parse("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
	ck_assert_msg(json_equal(head, want_head), "header %s", text);
	json_decref(head);
	json_decref(want_head);
	free(text);

	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), MINT_KEY, (int)strlen(MINT_KEY),
				   (const unsigned char *)m->token, (size_t)(d2 - m->token), mac,
				   &mac_len));
	ck_assert_uint_eq(mac_len, 32);
	sig_b64 = jt_b64url(mac, mac_len);
	ck_assert_str_eq(d2 + 1, sig_b64);
	free(sig_b64);

	text = jt_b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), NULL);
	m->claims = parse(text);
	free(text);
	ck_assert_str_eq(gw_test_jstr(m->claims, "iss"), MINT_ISS);
	ck_assert_str_eq(gw_test_jstr(m->claims, "aud"), AUDIENCE);
	ck_assert_str_eq(gw_test_jstr(m->claims, "jti"), m->jti);
	ck_assert(json_is_integer(json_object_get(m->claims, "iat")));
	ck_assert(json_is_integer(json_object_get(m->claims, "exp")));
	m->iat = json_integer_value(json_object_get(m->claims, "iat"));
	m->exp = json_integer_value(json_object_get(m->claims, "exp"));
	ck_assert_int_ge(m->iat, t0);
	ck_assert_int_le(m->iat, t1);
	rfc3339(m->exp, when);
	ck_assert_str_eq(gw_test_jstr(body, "expiresAt"), when);
	/* a minted token never mints */
	scope = gw_test_jstr(m->claims, "scope");
	ck_assert_ptr_nonnull(scope);
	ck_assert_ptr_null(strstr(scope, "tokens:mint"));
	json_decref(body);
}

static void minted_free(struct minted *m)
{
	json_decref(m->claims);
	free(m->token);
}

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

/* ---- revocation ---- */

/* Adds issuers with the given max_ttl_s to cfg. */
static void add_issuers(const unsigned *ttls, size_t n)
{
	cfg->issuers = calloc(n, sizeof(*cfg->issuers));
	ck_assert_ptr_nonnull(cfg->issuers);
	for (size_t i = 0; i < n; i++) {
		struct gw_issuer *e = &cfg->issuers[i];

		e->name = gw_test_strdup(i == 0 ? "lms" : "portal");
		e->alg = GW_JWT_HS256;
		e->key = (unsigned char *)gw_test_strdup("issuer-key-0123456789abcdef-0123456789");
		e->key_len = strlen((const char *)e->key);
		e->max_ttl_s = ttls[i];
	}
	cfg->n_issuers = n;
}

/* Revokes jti and asserts 204, and that it is revoked until exactly now + keep (the longest max_ttl_s and twice the leeway). */
static void assert_revoked_for(const char *jti, long long keep)
{
	long long t0 = (long long)time(NULL);
	long long t1;

	revoke_jti(jti);
	t1 = (long long)time(NULL);
	ck_assert_msg(x->resp.status == 204, "status %d: %s", x->resp.status,
		      x->resp.body ? x->resp.body : "");
	ck_assert_uint_eq(x->resp.body_len, 0);
	ck_assert(gw_revoke_is_revoked(svc.revoke, jti, t1));
	ck_assert(gw_revoke_is_revoked(svc.revoke, jti, t0 + keep - 1));
	/* asked last: a lookup past the entry's end drops it */
	ck_assert(!gw_revoke_is_revoked(svc.revoke, jti, t1 + keep));
}

START_TEST(test_tokens_revoke_until_longest_issuer_ttl)
{
	static const unsigned ttls[] = {600, 7200};

	add_issuers(ttls, 2);
	assert_revoked_for("jti-1", 7200 + 2 * LEEWAY);
	ck_assert(!gw_revoke_is_revoked(svc.revoke, "jti-2", (long long)time(NULL)));
}
END_TEST

START_TEST(test_tokens_revoke_until_mint_ttl)
{
	static const unsigned ttls[] = {600};

	add_issuers(ttls, 1);
	assert_revoked_for("0123456789abcdef0123456789abcdef", MINT_TTL + 2 * LEEWAY);
}
END_TEST

START_TEST(test_tokens_revoke_jti_length)
{
	char jti[130];

	memset(jti, 'j', 128);
	jti[128] = '\0';
	assert_revoked_for(jti, MINT_TTL + 2 * LEEWAY);
	jti[128] = 'j';
	jti[129] = '\0';
	/* refused before the deny list is asked: 400 even without one */
	gw_revoke_free(svc.revoke);
	svc.revoke = NULL;
	revoke_jti(jti);
	gw_test_assert_problem(x, 400, "bad_path_parameter");
}
END_TEST

START_TEST(test_tokens_revoke_decoded_jti)
{
	revoke_jti("a%2Fb%20c");
	ck_assert_int_eq(x->resp.status, 204);
	ck_assert(gw_revoke_is_revoked(svc.revoke, "a/b c", (long long)time(NULL)));
	ck_assert(!gw_revoke_is_revoked(svc.revoke, "a%2Fb%20c", (long long)time(NULL)));
}
END_TEST

START_TEST(test_tokens_revoke_without_service_503)
{
	struct gw_revoke *r = svc.revoke;

	svc.revoke = NULL;
	revoke_jti("jti-1");
	gw_test_assert_problem(x, 503, "unavailable");
	svc.revoke = r;

	/* nor without any services */
	start("DELETE", "/v1/tokens/jti-1", &backend);
	x->req.svc = NULL;
	gw_handle_token_revoke(x);
	gw_test_assert_problem(x, 503, "unavailable");
	ck_assert(!gw_revoke_is_revoked(r, "jti-1", (long long)time(NULL)));
}
END_TEST

START_TEST(test_tokens_revoke_list_full_503)
{
	json_t *p;

	gw_revoke_free(svc.revoke);
	svc.revoke = gw_revoke_new_memory(1);
	ck_assert_ptr_nonnull(svc.revoke);
	revoke_jti("first");
	ck_assert_int_eq(x->resp.status, 204);
	revoke_jti("first"); /* again: the same entry */
	ck_assert_int_eq(x->resp.status, 204);
	revoke_jti("second");
	gw_test_assert_problem(x, 503, "unavailable");
	p = gw_test_json_body(x);
	ck_assert_ptr_nonnull(strstr(gw_test_jstr(p, "detail"), "auth.max_revoked"));
	json_decref(p);
	ck_assert(!gw_revoke_is_revoked(svc.revoke, "second", (long long)time(NULL)));
}
END_TEST

START_TEST(test_tokens_minted_then_revoked_refused)
{
	struct minted m;
	struct gw_bearer *b = gw_bearer_new(0, svc.revoke);
	const struct gw_token *t = NULL;
	const char *why = NULL;
	char header[4096];
	char path_jti[64];

	ck_assert_ptr_nonnull(b);
	mint_as(&backend, "{\"scope\":\"meetings:read\"}");
	minted((long long)time(NULL) - 1, (long long)time(NULL), &m);
	snprintf(header, sizeof(header), "Bearer %s", m.token);
	ck_assert_int_eq(gw_bearer_authenticate(b, cfg, header, (long long)time(NULL), &t, &why),
			 GW_BEARER_OK);
	gw_token_unref(t);
	snprintf(path_jti, sizeof(path_jti), "%s", m.jti);
	revoke_jti(path_jti);
	ck_assert_int_eq(x->resp.status, 204);
	t = NULL;
	ck_assert_int_eq(gw_bearer_authenticate(b, cfg, header, (long long)time(NULL), &t, &why),
			 GW_BEARER_REVOKED);
	ck_assert_ptr_null(t);
	gw_bearer_free(b);
	minted_free(&m);
}
END_TEST

static Suite *tokens_suite(void)
{
	Suite *s = suite_create("handler_tokens");
	TCase *m = tcase_create("mint");
	TCase *f = tcase_create("refused");
	TCase *r = tcase_create("revoke");

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

	tcase_add_checked_fixture(r, setup, teardown);
	tcase_add_test(r, test_tokens_revoke_until_longest_issuer_ttl);
	tcase_add_test(r, test_tokens_revoke_until_mint_ttl);
	tcase_add_test(r, test_tokens_revoke_jti_length);
	tcase_add_test(r, test_tokens_revoke_decoded_jti);
	tcase_add_test(r, test_tokens_revoke_without_service_503);
	tcase_add_test(r, test_tokens_revoke_list_full_503);
	tcase_add_test(r, test_tokens_minted_then_revoked_refused);
	suite_add_tcase(s, r);
	return s;
}

GW_TEST_MAIN(tokens_suite)
