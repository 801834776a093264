/*
 * tokensfix.h - what the handler_tokens and handler_tokens_revoke suites
 * share (tokensfix.c): per test (checked fixture) a config with a minting
 * issuer, an in-memory deny list, the callers (static tokens, and JWTs'
 * tokens built as the verifier builds them) and the handlers' log in a
 * temporary file; a routed exchange per request; POST /v1/tokens; and a
 * 201 answer checked without the gateway's code: split, base64url-decoded
 * (jwtutil.h), its HMAC-SHA256 recomputed with OpenSSL and the minting
 * key, its claims read one by one.
 */
#ifndef GW_TEST_TOKENSFIX_H
#define GW_TEST_TOKENSFIX_H

#include <jansson.h>
#include <stdio.h>

#include "auth.h"
#include "config.h"
#include "request.h"

#define MINT_KEY "mint-key-0123456789abcdef-0123456789abcd" /* 40 bytes */
#define MINT_ISS "bbb-gateway"
#define AUDIENCE "gw-audience-test" /* not the issuer's name: aud comes from auth.audience */
#define LEEWAY 30
#define MINT_TTL 3600
#define MINT_SCOPES (GW_SCOPE_ALL & ~GW_SCOPE_TOKENS_MINT)
#define AVATAR "https://img.example.org/grace.png"

/* The test's config, exchange (start makes it; teardown frees it), services and log. */
extern struct gw_config *cfg;
extern struct gw_exchange *x;
extern struct gw_services svc;
extern FILE *log_file;

/* A static token holding every scope but hooks (and tokens:mint, to call the routes). */
extern struct gw_token backend;

/* A static token restricted to one browser origin. */
extern struct gw_token web;

/*
 * JWT callers (one reference each, dropped in teardown): bound to room-*
 * as VIEWER with every join value bound and 600 s left; bound to room-a
 * exactly as MODERATOR; unbound.
 */
extern struct gw_token *pupil;
extern struct gw_token *teacher;
extern struct gw_token *portal;
extern long long pupil_exp;

void setup(void);

void teardown(void);

/* A fresh exchange for method path, routed, with caller (a reference is taken). */
void start(const char *method, const char *path, const struct gw_token *caller);

/* POST /v1/tokens by caller with body (NULL: none). */
void mint_as(const struct gw_token *caller, const char *body);

/* text as JSON (any value); the test fails when it is not. Caller decrefs. */
json_t *parse(const char *text);

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
void minted(long long t0, long long t1, struct minted *m);

void minted_free(struct minted *m);

#endif
