/*
 * fuzz_bearer.c - the Authorization header's verifier (bearer.c,
 * bearer_claims.c, bearer_cache.c, jwt.c) under a fixed config: HS256
 * issuers with and without kids, an RS256 and an ES256 issuer (public
 * keys only: their tokens never verify), the minting key and a static
 * token, at a fixed time.
 *
 * The first byte picks the mode, so that seeds read like text:
 *   'S' - signed: the second byte picks an HS256 secret ('0'..'3': lms,
 *         rot k1, rot k2, the minting key; others by value); the rest is
 *         header JSON, a newline, payload JSON. The harness encodes and
 *         signs them, so the claims' checks are reached.
 *   'H' - the rest (up to a NUL) is the whole Authorization value.
 *   else - the whole input (up to a NUL) follows "Bearer ".
 *
 * Checks: the status is a known one; a token comes back exactly with OK,
 * a reason exactly without it, a problem code exactly for the four
 * refusals; an accepted JWT stays within its issuer (scopes, meetings
 * binding, lifetime) and the time rules, its meetings, role, origins,
 * jti and sub have the documented shapes, and its name starts with its
 * iss; asking again gives the same verdict and (from the cache) the same
 * token; a verifier without a cache agrees; once its jti is revoked it is
 * refused as revoked.
 */
#include <stdlib.h>
#include <string.h>

#include "bearer.h"
#include "config.h"
#include "crypto.h"
#include "fuzz.h"
#include "revoke.h"

#define NOW 1800000000LL
#define LEEWAY 30u

static const char *const secrets[] = {
	"fuzz-lms-secret-0123456789abcdef-0123",
	"fuzz-rot-k1-secret-0123456789abcdef-01",
	"fuzz-rot-k2-secret-0123456789abcdef-01",
	"fuzz-mint-secret-0123456789abcdef-0123",
};

static const char rsa_pem[] = "-----BEGIN PUBLIC KEY-----\n"
			      "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4upSrP7Fk4i+DGn0Auxe\n"
			      "GvGZsL/HFruESEr5V6T8lTCQOZtRGhjYJXLs8/h9pRr5kYMi0F5iAgAF3WDyjXQO\n"
			      "XF6SGov9EHvrwaeP03OWvJFEI3cR7auNvfzw+HdjM/vXRaAyf06EpJb5cxPeFfu5\n"
			      "NHxHVKbxVLOhDgyivZZlnESN0WLshB+KLvoQ6NywKEvk/mMLRdBd1mqKvk5op0y6\n"
			      "Y124O5S+Ztte+vs1xyg1bhGxCePTuGjUXDBWDDe8KbllRSPCa8v29UZh/wit44fA\n"
			      "goDj6KttADcijc9lQS/oAxwxOWjn4SscrN5/W1b/fZ2SQ4AuFRpLZFx+sSgqM8ri\n"
			      "CQIDAQAB\n"
			      "-----END PUBLIC KEY-----\n";

static const char ec_pem[] = "-----BEGIN PUBLIC KEY-----\n"
			     "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAERdtGov+r56iQEqyt97xDLPYfyB3E\n"
			     "DUte8MsGEehUU5HVLMeDesGma6A4YdQE6i98Z7aQLZKJRi3wScFVz6wxkQ==\n"
			     "-----END PUBLIC KEY-----\n";

#define STATIC_TOKEN "bgw_fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuz"

static struct gw_config *cfg;

static void issuer(struct gw_issuer *e, const char *name, enum gw_jwt_alg alg, const char *key,
		   const char *kid, unsigned scopes, bool any_meeting)
{
	e->name = strdup(name);
	e->alg = alg;
	e->key = (unsigned char *)strdup(key);
	e->key_len = strlen(key);
	e->kid = kid != NULL ? strdup(kid) : NULL;
	e->scopes = scopes;
	e->max_ttl_s = 3600;
	e->any_meeting = any_meeting;
	FUZZ_CHECK(e->name != NULL && e->key != NULL && (kid == NULL || e->kid != NULL));
}

/* Frees the JWT fields this harness fills, so that gw_config_unref never sees them. */
static void clear_jwt(struct gw_config *c)
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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned few = GW_SCOPE_MEETINGS_READ | GW_SCOPE_MEETINGS_JOIN | GW_SCOPE_EVENTS_READ;

	(void)argc;
	(void)argv;
	cfg = gw_config_new_defaults();
	FUZZ_CHECK(cfg != NULL);
	clear_jwt(cfg);
	cfg->issuers = calloc(5, sizeof(*cfg->issuers));
	FUZZ_CHECK(cfg->issuers != NULL);
	issuer(&cfg->issuers[0], "lms", GW_JWT_HS256, secrets[0], NULL, few, false);
	issuer(&cfg->issuers[1], "rot", GW_JWT_HS256, secrets[1], "k1", GW_SCOPE_ALL, true);
	issuer(&cfg->issuers[2], "rot", GW_JWT_HS256, secrets[2], "k2", GW_SCOPE_ALL, true);
	issuer(&cfg->issuers[3], "portal", GW_JWT_RS256, rsa_pem, "r1", few, true);
	issuer(&cfg->issuers[4], "edge", GW_JWT_ES256, ec_pem, NULL, few, false);
	cfg->n_issuers = 5;
	issuer(&cfg->mint, "bbb-gateway", GW_JWT_HS256, secrets[3], NULL,
	       GW_SCOPE_ALL & ~GW_SCOPE_TOKENS_MINT, true);
	cfg->auth_audience = strdup("bbb-gateway");
	cfg->auth_leeway_s = LEEWAY;
	cfg->generation = 1;
	cfg->tokens = calloc(1, sizeof(*cfg->tokens));
	FUZZ_CHECK(cfg->auth_audience != NULL && cfg->tokens != NULL);
	cfg->tokens[0].name = strdup("static");
	FUZZ_CHECK(gw_auth_hash_token(STATIC_TOKEN, strlen(STATIC_TOKEN), cfg->tokens[0].hash) ==
		   GW_OK);
	cfg->n_tokens = 1;
	return 0;
}

void fuzz_cleanup(void)
{
	clear_jwt(cfg);
	gw_config_unref(cfg);
	cfg = NULL;
}

/* Unpadded base64url of n bytes into out (4 * n / 3 + 4 bytes); returns the length. */
static size_t b64url(const unsigned char *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t j = 0;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
				  in[i + 2];

		out[j++] = a[v >> 18 & 63];
		out[j++] = a[v >> 12 & 63];
		out[j++] = a[v >> 6 & 63];
		out[j++] = a[v & 63];
	}
	if (n - i >= 1) {
		unsigned long v = (unsigned long)in[i] << 16 |
				  (n - i == 2 ? (unsigned long)in[i + 1] << 8 : 0ul);

		out[j++] = a[v >> 18 & 63];
		out[j++] = a[v >> 12 & 63];
		if (n - i == 2)
			out[j++] = a[v >> 6 & 63];
	}
	return j;
}

/* "Bearer " + base64url(header) "." base64url(payload) "." HMAC-SHA256 with secret. */
static char *signed_header(const uint8_t *data, size_t size, const char *secret)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t hn = nl != NULL ? (size_t)(nl - data) : size;
	size_t pn = nl != NULL ? size - hn - 1 : 0;
	char *out = malloc(7 + (hn / 3 + 1) * 4 + 1 + (pn / 3 + 1) * 4 + 1 + 44 + 1);
	unsigned char mac[32];
	size_t j = 7;

	FUZZ_CHECK(out != NULL);
	memcpy(out, "Bearer ", 7);
	j += b64url(data, hn, out + j);
	out[j++] = '.';
	j += b64url(nl != NULL ? nl + 1 : data, pn, out + j);
	FUZZ_CHECK(gw_crypto_hmac(GW_DIGEST_SHA256, secret, strlen(secret), out + 7, j - 7, mac) ==
		   GW_OK);
	out[j++] = '.';
	j += b64url(mac, sizeof(mac), out + j);
	out[j] = '\0';
	return out;
}

static const struct gw_issuer *issuer_named(const char *name)
{
	for (size_t i = 0; i < cfg->n_issuers; i++) {
		if (strcmp(cfg->issuers[i].name, name) == 0)
			return &cfg->issuers[i];
	}
	return strcmp(cfg->mint.name, name) == 0 ? &cfg->mint : NULL;
}

static void check_strv(char *const *v, size_t n, size_t max_len, bool meetings)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]);
		const char *star = strchr(v[i], '*');

		FUZZ_CHECK(len > 0 && len <= max_len);
		FUZZ_CHECK(meetings ? star == NULL || star == v[i] + len - 1 : star == NULL);
	}
}

/* What an accepted JWT must look like. */
static void check_jwt_token(const struct gw_token *t)
{
	const struct gw_token_claims *c = t->claims;
	const struct gw_issuer *iss = issuer_named(c->iss);
	long long lifetime = c->iat != 0 ? t->expires_at - c->iat : t->expires_at - NOW;

	FUZZ_CHECK(iss != NULL);
	FUZZ_CHECK((t->scopes & ~iss->scopes) == 0);
	FUZZ_CHECK(t->expires_at + LEEWAY > NOW);
	FUZZ_CHECK(c->nbf - (long long)LEEWAY <= NOW && c->iat - (long long)LEEWAY <= NOW);
	FUZZ_CHECK(lifetime <= (long long)iss->max_ttl_s);
	FUZZ_CHECK(!c->any_meeting || iss->any_meeting);
	FUZZ_CHECK(!c->any_meeting || c->n_meetings == 0);
	FUZZ_CHECK(c->n_meetings <= 256);
	check_strv(c->meetings, c->n_meetings, 256, true);
	check_strv(t->origins, t->n_origins, 256, false);
	FUZZ_CHECK(c->role == GW_ROLE_VIEWER || c->role == GW_ROLE_MODERATOR);
	FUZZ_CHECK(c->jti == NULL ||
		   (c->jti[0] != '\0' && strlen(c->jti) <= GW_REVOKE_MAX_JTI_LEN));
	FUZZ_CHECK(c->sub == NULL || (c->sub[0] != '\0' && strlen(c->sub) <= 256));
	FUZZ_CHECK(strncmp(t->name, c->iss, strlen(c->iss)) == 0);
	for (size_t i = 0; i < c->n_userdata; i++)
		FUZZ_CHECK(c->userdata_keys[i] != NULL && c->userdata_values[i] != NULL);
}

static void check_result(enum gw_bearer_status st, const struct gw_token *t, const char *why)
{
	bool refusal = st == GW_BEARER_INVALID || st == GW_BEARER_EXPIRED ||
		       st == GW_BEARER_NOT_YET_VALID || st == GW_BEARER_REVOKED;

	FUZZ_CHECK(st >= GW_BEARER_OK && st <= GW_BEARER_NOMEM);
	FUZZ_CHECK((st == GW_BEARER_OK) == (t != NULL));
	FUZZ_CHECK((st == GW_BEARER_OK) == (why == NULL));
	FUZZ_CHECK((gw_bearer_status_code(st) != NULL) == refusal);
	if (t != NULL && t->claims != NULL)
		check_jwt_token(t);
	if (t != NULL && t->claims == NULL)
		FUZZ_CHECK(t == &cfg->tokens[0]);
}

static void run(const char *authorization)
{
	struct gw_revoke *revoke = gw_revoke_new_memory(8);
	struct gw_bearer *b = gw_bearer_new(8, revoke);
	const struct gw_token *t1 = NULL;
	const struct gw_token *t2 = NULL;
	const struct gw_token *t3 = NULL;
	const char *why = NULL;
	enum gw_bearer_status s1;
	enum gw_bearer_status s2;
	enum gw_bearer_status s3;

	FUZZ_CHECK(revoke != NULL && b != NULL);
	s1 = gw_bearer_authenticate(b, cfg, authorization, NOW, &t1, &why);
	check_result(s1, t1, why);
	s2 = gw_bearer_authenticate(b, cfg, authorization, NOW, &t2, &why);
	check_result(s2, t2, why);
	s3 = gw_bearer_authenticate(NULL, cfg, authorization, NOW, &t3, &why);
	check_result(s3, t3, why);
	FUZZ_CHECK(s1 == s2 && s1 == s3);
	FUZZ_CHECK(t1 == t2);
	if (s1 == GW_BEARER_OK && t1->claims != NULL && t1->claims->jti != NULL) {
		const struct gw_token *t4 = NULL;

		FUZZ_CHECK(gw_revoke_add(revoke, t1->claims->jti, NOW + 7200, NOW) == GW_OK);
		FUZZ_CHECK(gw_bearer_authenticate(b, cfg, authorization, NOW, &t4, &why) ==
			   GW_BEARER_REVOKED);
		FUZZ_CHECK(t4 == NULL);
	}
	gw_token_unref(t1);
	gw_token_unref(t2);
	gw_token_unref(t3);
	gw_bearer_free(b);
	gw_revoke_free(revoke);
}

/* prefix followed by the input's bytes up to a NUL. malloc'd. */
static char *text_of(const char *prefix, const uint8_t *data, size_t size)
{
	size_t pn = strlen(prefix);
	size_t n = strnlen((const char *)data, size);
	char *text = malloc(pn + n + 1);

	FUZZ_CHECK(text != NULL);
	memcpy(text, prefix, pn);
	memcpy(text + pn, data, n);
	text[pn + n] = '\0';
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size == 0 || size > 3 * GW_BEARER_MAX_TOKEN_BYTES)
		return 0;
	if (data[0] == 'S' && size >= 2)
		text = signed_header(data + 2, size - 2, secrets[(unsigned)(data[1] - '0') & 3u]);
	else if (data[0] == 'H')
		text = text_of("", data + 1, size - 1);
	else
		text = text_of("Bearer ", data, size);
	run(text);
	free(text);
	return 0;
}
