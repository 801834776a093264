/*
 * check_handler_tokens_revoke.c - DELETE /v1/tokens/{jti} called directly
 * on routed exchanges: how long a jti stays on the real in-memory deny
 * list, the jti's length and decoding, no deny list or a full one, and a
 * token minted by POST /v1/tokens (checked as in tokensfix.h) refused
 * once revoked. Minting is in check_handler_tokens.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "bearer.h"
#include "config.h"
#include "handlers.h"
#include "revoke.h"
#include "router.h"
#include "testutil.h"
#include "tokensfix.h"

/* DELETE /v1/tokens/<raw> by the backend token. */
static void revoke_jti(const char *raw)
{
	char path[512];

	ck_assert_int_lt(snprintf(path, sizeof(path), "/v1/tokens/%s", raw), (int)sizeof(path));
	start("DELETE", path, &backend);
	ck_assert(x->req.route->handler == gw_handle_token_revoke);
	gw_handle_token_revoke(x);
}

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

static Suite *tokens_revoke_suite(void)
{
	Suite *s = suite_create("handler_tokens_revoke");
	TCase *r = tcase_create("revoke");

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

GW_TEST_MAIN(tokens_revoke_suite)
