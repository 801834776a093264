/*
 * bearer_int.h - what the verifier's files share (bearer.c: the header,
 * the token's parts and its key; bearer_claims.c: the claims into a
 * struct gw_token; bearer_cache.c: verified tokens by their text). Not
 * for use outside src/auth/bearer*.c.
 */
#ifndef GW_BEARER_INT_H
#define GW_BEARER_INT_H

#include <jansson.h>
#include <stddef.h>

#include "auth.h"
#include "bearer.h"

/* Latest NumericDate accepted (9999-12-31T23:59:59Z): keeps time arithmetic far from overflow. */
#define GW_BEARER_MAX_TIME 253402300799LL

/* What the claims are checked against besides the issuer. */
struct gw_bearer_rules {
	const char *audience; /* auth.audience; NULL accepts none */
	long long leeway;     /* auth.leeway_s */
	long long now;        /* Unix seconds, within [0, GW_BEARER_MAX_TIME] */
};

/*
 * Checks the claims of payload (a JSON object; borrowed) of a token whose
 * signature by iss (borrowed) was verified, and builds its token: on
 * GW_BEARER_OK *out is a new token with one reference (free with
 * gw_token_unref) whose hash is left for the caller to fill. Otherwise
 * *why is a static reason and *out is untouched.
 */
enum gw_bearer_status gw_bearer_claims(json_t *payload, const struct gw_issuer *iss,
				       const struct gw_bearer_rules *rules, struct gw_token **out,
				       const char **why) GW_WUR;

/* The verified-token cache: at most max entries, least recently used out first. */
struct gw_bearer_cache;

/* A cache of max (> 0) entries; NULL on OOM. */
struct gw_bearer_cache *gw_bearer_cache_new(size_t max);

/* Frees the cache and drops its references. NULL is fine. */
void gw_bearer_cache_free(struct gw_bearer_cache *c);

enum gw_bearer_cache_result {
	GW_BEARER_CACHE_MISS = 0,
	GW_BEARER_CACHE_HIT,     /* *out is the token, one reference for the caller */
	GW_BEARER_CACHE_EXPIRED, /* cached, but past its exp + leeway (dropped) */
};

/*
 * Finds the token whose text is the len bytes at text, verified under
 * config generation: an entry of another generation is dropped and
 * missed. No allocation.
 */
enum gw_bearer_cache_result gw_bearer_cache_get(struct gw_bearer_cache *c, const char *text,
						size_t len, unsigned long long generation,
						long long now, long long leeway,
						const struct gw_token **out);

/*
 * Keeps tok (the cache takes its own reference) under its text and
 * generation, dropping the least recently used entry when full. Nothing
 * happens when memory is short or an entry for the text exists already.
 */
void gw_bearer_cache_put(struct gw_bearer_cache *c, const char *text, size_t len,
			 unsigned long long generation, const struct gw_token *tok);

#endif
