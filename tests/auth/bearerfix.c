/*
 * bearerfix.c - see bearerfix.h.
 */
#include "bearerfix.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char other_secret[] = "other-secret-0123456789abcdef-01234567";
static const char mint_secret[] = "mint-secret-0123456789abcdef-012345678";
static const char rot_a[] = "rotation-a-0123456789abcdef-0123456789";
static const char rot_b[] = "rotation-b-0123456789abcdef-0123456789";

/*
 * Keys made once, in the parent process, by the first test case's
 * unchecked fixture and freed after the last one (RSA key generation is
 * slow under valgrind). A run of some cases only leaves them reachable.
 */
static EVP_PKEY *rsa;
static EVP_PKEY *rsa2;
static EVP_PKEY *ec;
static EVP_PKEY *ec2;
static char *rsa_pem;
static char *rsa2_pem;
static char *ec_pem;
static size_t rsa_pem_len;
static size_t rsa2_pem_len;
static size_t ec_pem_len;

void keys_setup(void)
{
	if (rsa != NULL)
		return;
	rsa = jt_rsa_key();
	rsa2 = jt_rsa_key();
	ec = jt_ec_key();
	ec2 = jt_ec_key();
	rsa_pem = jt_public_pem(rsa, &rsa_pem_len);
	rsa2_pem = jt_public_pem(rsa2, &rsa2_pem_len);
	ec_pem = jt_public_pem(ec, &ec_pem_len);
}

void keys_teardown(void)
{
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ec2);
	free(rsa_pem);
	free(rsa2_pem);
	free(ec_pem);
	rsa = NULL;
}

struct gw_config *bt_cfg;
struct gw_revoke *bt_revoke;
struct gw_bearer *bt_bearer;

static void issuer(struct gw_issuer *e, const char *name, enum gw_jwt_alg alg, const void *key,
		   size_t key_len, const char *kid, unsigned scopes, bool any_meeting)
{
	e->name = gw_test_strdup(name);
	e->alg = alg;
	e->key = malloc(key_len + 1);
	ck_assert_ptr_nonnull(e->key);
	memcpy(e->key, key, key_len);
	e->key[key_len] = '\0';
	e->key_len = key_len;
	e->kid = kid != NULL ? gw_test_strdup(kid) : NULL;
	e->scopes = scopes;
	e->max_ttl_s = 3600;
	e->any_meeting = any_meeting;
}

/*
 * Frees what the tests put in the config's JWT fields and clears them, so
 * that gw_config_unref never frees them a second time, whether or not it
 * frees these fields itself.
 */
static void config_clear_jwt(struct gw_config *c)
{
	for (size_t i = 0; i < c->n_issuers; i++)
		gw_issuer_deinit(&c->issuers[i]);
	free(c->issuers);
	c->issuers = NULL;
	c->n_issuers = 0;
	gw_issuer_deinit(&c->mint);
	free(c->auth_audience);
	c->auth_audience = NULL;
}

#define N_ISSUERS 9

void config_setup(void)
{
	struct gw_issuer *is;

	bt_cfg = gw_config_new_defaults();
	ck_assert_ptr_nonnull(bt_cfg);
	config_clear_jwt(bt_cfg);
	is = calloc(N_ISSUERS, sizeof(*is));
	ck_assert_ptr_nonnull(is);
	issuer(&is[0], "lms", GW_JWT_HS256, LMS_SECRET, strlen(LMS_SECRET), NULL, ISSUER_SCOPES,
	       false);
	is[0].tenant = gw_test_strdup("lms");
	is[0].rate_per_s = 5.0;
	is[0].burst = 10;
	issuer(&is[1], "lms384", GW_JWT_HS384, LMS_SECRET, strlen(LMS_SECRET), NULL, ISSUER_SCOPES,
	       false);
	issuer(&is[2], "lms512", GW_JWT_HS512, LMS_SECRET, strlen(LMS_SECRET), NULL, ISSUER_SCOPES,
	       false);
	issuer(&is[3], "portal", GW_JWT_RS256, rsa_pem, rsa_pem_len, "k1", MINT_SCOPES, true);
	issuer(&is[4], "portal", GW_JWT_RS256, rsa2_pem, rsa2_pem_len, "k2", MINT_SCOPES, true);
	issuer(&is[5], "edge", GW_JWT_ES256, ec_pem, ec_pem_len, NULL, ISSUER_SCOPES, true);
	issuer(&is[6], "rot", GW_JWT_HS256, rot_a, strlen(rot_a), NULL, ISSUER_SCOPES, true);
	issuer(&is[7], "rot", GW_JWT_HS256, rot_b, strlen(rot_b), NULL, ISSUER_SCOPES, true);
	issuer(&is[8], "admin", GW_JWT_HS256, LMS_SECRET, strlen(LMS_SECRET), NULL, GW_SCOPE_ALL,
	       true);
	bt_cfg->issuers = is;
	bt_cfg->n_issuers = N_ISSUERS;
	issuer(&bt_cfg->mint, "bbb-gateway", GW_JWT_HS256, mint_secret, strlen(mint_secret), NULL,
	       MINT_SCOPES, true);
	bt_cfg->auth_audience = gw_test_strdup(AUD);
	bt_cfg->auth_leeway_s = 30;
	bt_cfg->generation = 1;
	bt_cfg->tokens = calloc(1, sizeof(*bt_cfg->tokens));
	ck_assert_ptr_nonnull(bt_cfg->tokens);
	bt_cfg->tokens[0].name = gw_test_strdup("static");
	bt_cfg->tokens[0].scopes = GW_SCOPE_MEETINGS_READ;
	ck_assert_int_eq(gw_auth_hash_token(STATIC_TOKEN, strlen(STATIC_TOKEN),
					    bt_cfg->tokens[0].hash),
			 GW_OK);
	bt_cfg->n_tokens = 1;
	bt_revoke = gw_revoke_new_memory(100);
	bt_bearer = gw_bearer_new(100, bt_revoke);
	ck_assert_ptr_nonnull(bt_revoke);
	ck_assert_ptr_nonnull(bt_bearer);
}

void config_teardown(void)
{
	gw_bearer_free(bt_bearer);
	gw_revoke_free(bt_revoke);
	config_clear_jwt(bt_cfg);
	gw_config_unref(bt_cfg);
	bt_bearer = NULL;
	bt_revoke = NULL;
	bt_cfg = NULL;
}

/* text with every ' turned into " (readable JSON in C strings). malloc'd. */
char *dq(const char *text)
{
	char *s = gw_test_strdup(text);

	for (char *p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	return s;
}

/* A token signed with alg and key k over header and payload (' for "). malloc'd. */
char *make(const char *header, const char *payload, enum jt_alg alg, enum key k)
{
	char *h = dq(header);
	char *p = dq(payload);
	const char *secret = NULL;
	size_t len = 0;
	EVP_PKEY *pkey = NULL;
	char *t;

	switch (k) {
	case K_LMS:
		secret = LMS_SECRET;
		break;
	case K_OTHER:
		secret = other_secret;
		break;
	case K_MINT:
		secret = mint_secret;
		break;
	case K_ROT_A:
		secret = rot_a;
		break;
	case K_ROT_B:
		secret = rot_b;
		break;
	case K_RSA_PEM_HMAC:
		secret = rsa_pem;
		break;
	case K_EC_PEM_HMAC:
		secret = ec_pem;
		break;
	case K_RSA:
		pkey = rsa;
		break;
	case K_RSA2:
		pkey = rsa2;
		break;
	case K_EC:
		pkey = ec;
		break;
	case K_EC2:
		pkey = ec2;
		break;
	default:
		break;
	}
	if (secret != NULL)
		len = strlen(secret);
	t = jt_make(h, p, alg, secret, len, pkey);
	free(h);
	free(p);
	return t;
}

/* "Bearer " + token, authenticated at now; why is returned through *why. */
enum gw_bearer_status auth_at(struct gw_bearer *b, const char *token, long long now,
			      const struct gw_token **out, const char **why)
{
	size_t n = strlen(token);
	char *h = malloc(n + 8);
	enum gw_bearer_status st;

	ck_assert_ptr_nonnull(h);
	memcpy(h, "Bearer ", 7);
	memcpy(h + 7, token, n + 1);
	st = gw_bearer_authenticate(b, bt_cfg, h, now, out, why);
	free(h);
	if (st == GW_BEARER_OK) {
		ck_assert_ptr_nonnull(*out);
	} else {
		ck_assert_ptr_null(*out);
		ck_assert_ptr_nonnull(*why);
	}
	return st;
}

/* The status of token at NOW; the token is released. */
enum gw_bearer_status status_of(const char *token, const char **why)
{
	const struct gw_token *t = NULL;
	enum gw_bearer_status st = auth_at(bt_bearer, token, NOW, &t, why);

	gw_token_unref(t);
	return st;
}
