/*
 * tokensfix.c - see tokensfix.h.
 */
#include "tokensfix.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "handlers.h"
#include "jwtutil.h"
#include "log.h"
#include "revoke.h"
#include "router.h"
#include "routes.h"
#include "testutil.h"

_Static_assert(sizeof(MINT_KEY) - 1 == 40, "a 40-byte minting key");

struct gw_config *cfg;
struct gw_exchange *x;
struct gw_services svc;
FILE *log_file;

/* A static token holding every scope but hooks (and tokens:mint, to call the routes). */
static char backend_name[] = "backend";
struct gw_token backend = {
	.name = backend_name,
	.scopes = (GW_SCOPE_ALL & ~GW_SCOPE_HOOKS),
};

/* A static token restricted to one browser origin. */
static char web_name[] = "web";
static char app_origin[] = GW_TEST_APP_ORIGIN;
static char *web_origins[] = {app_origin};
struct gw_token web = {
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
struct gw_token *pupil;
struct gw_token *teacher;
struct gw_token *portal;
long long pupil_exp;

void setup(void)
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

void teardown(void)
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
void start(const char *method, const char *path, const struct gw_token *caller)
{
	unsigned allowed = 0;

	gw_test_restart(&x, cfg, method, path);
	x->req.svc = &svc;
	ck_assert_int_eq(gw_router_match(gw_routes_table(), &x->req, &allowed), GW_OK);
	x->req.token = gw_token_ref(caller);
}

/* POST /v1/tokens by caller with body (NULL: none). */
void mint_as(const struct gw_token *caller, const char *body)
{
	start("POST", "/v1/tokens", caller);
	ck_assert(x->req.route->handler == gw_handle_tokens_mint);
	if (body != NULL)
		gw_test_set_json_body(x, body);
	gw_handle_tokens_mint(x);
}

json_t *parse(const char *text)
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

/*
 * Checks the 201 answer of a mint made between t0 and t1: {token,
 * expiresAt, jti} only; a compact JWT with header {alg HS256, typ JWT}
 * whose HMAC-SHA256 under MINT_KEY is right; iss, aud, jti, iat and exp
 * as they must be. Fills m (release with minted_free).
 */
void minted(long long t0, long long t1, struct minted *m)
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

void minted_free(struct minted *m)
{
	json_decref(m->claims);
	free(m->token);
}
