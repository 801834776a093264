/*
 * bearer.h - who is calling: the Authorization header's bearer token,
 * either a static "bgw_" token (auth.h) or a JWT from a configured issuer
 * (or the gateway's own minting key), told apart by shape.
 *
 * A JWT is checked as the contract's "Browser credentials" says: at most
 * GW_BEARER_MAX_TOKEN_BYTES, three base64url parts, a header whose alg
 * equals the issuer's configured alg (checked before the signature is
 * trusted: "none" and HS/RS confusion are refused), the key chosen by iss
 * and kid, the signature verified by the jwt module (libjwt), then the
 * claims (aud, exp, nbf, iat with auth.leeway_s, lifetime against the
 * issuer's max_ttl_s, scope within the issuer's, bbb.*) and the deny list.
 *
 * A verified JWT becomes a reference-counted struct gw_token (auth.h)
 * with its claims, cached by the token's text until exp (bounded, LRU,
 * thread-safe) so a repeated token costs a hash and a compare; the cache
 * is tied to one config generation, so a reload never honours a key it
 * removed. Revocations (revoke.h) are checked on every request, cached or
 * not.
 */
#ifndef GW_BEARER_H
#define GW_BEARER_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "compiler.h"
#include "err.h"

struct gw_config;
struct gw_revoke;

#define GW_BEARER_MAX_TOKEN_BYTES 8192u
/* The largest claims a token may carry (the mint route keeps within them too). */
#define GW_BEARER_MAX_MEETINGS 256u    /* bbb.meetings entries */
#define GW_BEARER_MAX_MEETING_LEN 256u /* bytes of one bbb.meetings entry */
#define GW_BEARER_MAX_SUB_LEN 256u     /* bytes of sub */
#define GW_BEARER_MAX_USERDATA 256u    /* bbb.userdata entries */
#define GW_BEARER_MAX_ORIGIN_LEN 256u  /* bytes of one bbb.origins entry */

enum gw_bearer_status {
	GW_BEARER_OK = 0,
	GW_BEARER_MISSING,       /* no Authorization header, or not a Bearer one */
	GW_BEARER_UNKNOWN,       /* unmatched or expired static token; a token without '.' */
	GW_BEARER_INVALID,       /* token_invalid: > 8 KiB, malformed, signature, claims */
	GW_BEARER_EXPIRED,       /* token_expired */
	GW_BEARER_NOT_YET_VALID, /* token_not_yet_valid */
	GW_BEARER_REVOKED,       /* token_revoked */
	GW_BEARER_NOMEM,         /* out of memory: the caller answers 503/500 */
};

/* The verifier: the verified-token cache; one per process, shared by all loops. */
struct gw_bearer;

/*
 * A verifier whose cache holds at most max_entries tokens (0 = no cache)
 * and that checks revocations in revoke (borrowed, may be NULL = none).
 * NULL on OOM.
 */
struct gw_bearer *gw_bearer_new(size_t max_entries, struct gw_revoke *revoke);

/* Frees the verifier and the cache's references. NULL is fine. */
void gw_bearer_free(struct gw_bearer *b);

/*
 * Authenticates the Authorization header value (NULL = absent) at Unix
 * time now against cfg's tokens, issuers and minting key. On GW_BEARER_OK
 * *out is the token: a static one (borrowed from cfg) or a JWT's (one
 * reference for the caller: gw_token_unref). Otherwise *out is NULL and
 * *why (static text, never the token's content) says what was wrong, for
 * the problem body's detail. b may be NULL (no cache, no revocations).
 */
enum gw_bearer_status gw_bearer_authenticate(struct gw_bearer *b, const struct gw_config *cfg,
					     const char *authorization, long long now,
					     const struct gw_token **out, const char **why) GW_WUR;

/* The problem code of a refusal: "token_invalid", ...; NULL for OK/MISSING/UNKNOWN/NOMEM. */
const char *gw_bearer_status_code(enum gw_bearer_status st);

/* Counts for /metrics: cache hits and misses so far. */
void gw_bearer_stats(const struct gw_bearer *b, unsigned long long *hits,
		     unsigned long long *misses);

#endif
