/*
 * bearer.c - who is calling (bearer.h). The Authorization header's token
 * is told apart by shape: "bgw_..." is a static token (auth.h's lookup),
 * a token with a '.' is a JWT, anything else is unknown.
 *
 * A JWT is first looked up in the cache (bearer_cache.c) by its whole
 * text: a hit costs a hash, a constant-time compare and a reference, with
 * no allocation, base64 or JSON. A miss is checked in full: three
 * non-empty parts, the header and payload decoded strictly (base64url
 * without padding, JSON objects without duplicate keys, the header at
 * most 2 KiB), the header's alg/kid/typ/crit, the issuer entries named by
 * iss (and kid), the header's alg against the entry's configured alg
 * before any signature check, the signature (gw_jwt.h), then the claims
 * (bearer_claims.c). Revocations are checked on every call, hit or not;
 * only tokens accepted in full enter the cache.
 *
 * This file reads struct gw_config (issuers, audience, leeway,
 * generation), a layer above auth/: the verifier's interface takes the
 * config snapshot the request holds, so that a reload swaps keys and
 * cache generation together.
 */
#include "bearer.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bearer_int.h"
#include "config.h"
#include "gw_jwt.h"
#include "revoke.h"
#include "str.h"

_Static_assert(GW_BEARER_MAX_TOKEN_BYTES == GW_JWT_MAX_TOKEN_BYTES, "the verifier and the JWS "
								    "checks must agree on the "
								    "longest token");

#define BEARER "Bearer"
#define BEARER_LEN (sizeof(BEARER) - 1)
#define STATIC_PREFIX_LEN (sizeof(GW_AUTH_TOKEN_PREFIX) - 1)
#define MAX_HEADER_JSON 2048u

#define INVALID(text)                     \
	do {                              \
		*why = (text);            \
		return GW_BEARER_INVALID; \
	} while (0)

struct gw_bearer {
	struct gw_bearer_cache *cache; /* NULL: no cache */
	struct gw_revoke *revoke;      /* borrowed; NULL: none */
	atomic_ullong hits;
	atomic_ullong misses;
};

/* A JWT taken apart; the strings point into header and payload. */
struct parsed {
	char *text; /* the token, NUL-terminated for gw_jwt_verify */
	json_t *header;
	json_t *payload;
	const char *alg;
	const char *kid; /* NULL when absent */
	const char *iss;
};

struct gw_bearer *gw_bearer_new(size_t max_entries, struct gw_revoke *revoke)
{
	struct gw_bearer *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	if (max_entries > 0) {
		b->cache = gw_bearer_cache_new(max_entries);
		if (b->cache == NULL) {
			free(b);
			return NULL;
		}
	}
	b->revoke = revoke;
	atomic_init(&b->hits, 0);
	atomic_init(&b->misses, 0);
	return b;
}

void gw_bearer_free(struct gw_bearer *b)
{
	if (b == NULL)
		return;
	gw_bearer_cache_free(b->cache);
	free(b);
}

const char *gw_bearer_status_code(enum gw_bearer_status st)
{
	switch (st) {
	case GW_BEARER_INVALID:
		return "token_invalid";
	case GW_BEARER_EXPIRED:
		return "token_expired";
	case GW_BEARER_NOT_YET_VALID:
		return "token_not_yet_valid";
	case GW_BEARER_REVOKED:
		return "token_revoked";
	default:
		return NULL;
	}
}

void gw_bearer_stats(const struct gw_bearer *b, unsigned long long *hits,
		     unsigned long long *misses)
{
	*hits = b != NULL ? atomic_load_explicit(&b->hits, memory_order_relaxed) : 0;
	*misses = b != NULL ? atomic_load_explicit(&b->misses, memory_order_relaxed) : 0;
}

/*
 * The token of "Bearer <token>": scheme in any case, one or more spaces,
 * trailing spaces ignored (the token itself is judged by its kind).
 */
static bool bearer_token(const char *value, const char **tok, size_t *len)
{
	const char *p = value;
	const char *end;

	if (strncasecmp(p, BEARER, BEARER_LEN) != 0 || p[BEARER_LEN] != ' ')
		return false;
	p += BEARER_LEN;
	while (*p == ' ')
		p++;
	end = p + strlen(p);
	while (end > p && end[-1] == ' ')
		end--;
	*tok = p;
	*len = (size_t)(end - p);
	return end > p;
}

enum part_problem { PART_OK, PART_BASE64, PART_SIZE, PART_JSON, PART_NOMEM };

/* The n base64url characters at p as a JSON object of at most cap bytes. */
static enum part_problem decode_object(const char *p, size_t n, size_t cap, json_t **out)
{
	unsigned char *buf;
	size_t dec = 0;
	enum gw_err err;
	json_t *j;

	if (n % 4 == 1)
		return PART_BASE64;
	if (GW_STR_B64URL_DECODED_LEN(n) > cap)
		return PART_SIZE;
	buf = malloc(GW_STR_B64URL_DECODED_LEN(n) + 1);
	if (buf == NULL)
		return PART_NOMEM;
	err = gw_str_b64url_decode(p, n, buf, cap, &dec);
	j = err == GW_OK ? json_loadb((const char *)buf, dec, JSON_REJECT_DUPLICATES, NULL) : NULL;
	free(buf);
	if (err != GW_OK)
		return PART_BASE64;
	if (!json_is_object(j)) {
		json_decref(j);
		return PART_JSON;
	}
	*out = j;
	return PART_OK;
}

/* The reason for a part's problem: reasons[] is {base64, size, json}. */
static enum gw_bearer_status part_status(enum part_problem pp, const char *const reasons[3],
					 const char **why)
{
	if (pp == PART_OK)
		return GW_BEARER_OK;
	if (pp == PART_NOMEM) {
		*why = "Out of memory";
		return GW_BEARER_NOMEM;
	}
	*why = reasons[pp - PART_BASE64];
	return GW_BEARER_INVALID;
}

static const char *const header_reasons[3] = {
	"The token's header is not base64url",
	"The token's header is too large",
	"The token's header is not a JSON object",
};

static const char *const payload_reasons[3] = {
	"The token's payload is not base64url",
	"The token's payload is too large",
	"The token's payload is not a JSON object",
};

/* The header's alg, kid, typ and crit, and the payload's iss. */
static enum gw_bearer_status check_header(struct parsed *p, const char **why)
{
	json_t *alg = json_object_get(p->header, "alg");
	json_t *kid = json_object_get(p->header, "kid");
	json_t *typ = json_object_get(p->header, "typ");
	json_t *iss = json_object_get(p->payload, "iss");

	if (!json_is_string(alg))
		INVALID("The token's header has no alg");
	p->alg = json_string_value(alg);
	if (strcasecmp(p->alg, "none") == 0)
		INVALID("The token is not signed");
	if (kid != NULL && !json_is_string(kid))
		INVALID("The token's kid is not a string");
	p->kid = kid != NULL ? json_string_value(kid) : NULL;
	if (typ != NULL && (!json_is_string(typ) || strcasecmp(json_string_value(typ), "JWT") != 0))
		INVALID("The token's typ is not JWT");
	if (json_object_get(p->header, "crit") != NULL)
		INVALID("The token has critical header parameters");
	if (!json_is_string(iss))
		INVALID("The token has no iss claim");
	p->iss = json_string_value(iss);
	return GW_BEARER_OK;
}

static enum gw_bearer_status parse(const char *tok, size_t len, struct parsed *p, const char **why)
{
	const char *end = tok + len;
	const char *d1 = memchr(tok, '.', len);
	const char *d2 = d1 != NULL ? memchr(d1 + 1, '.', (size_t)(end - d1 - 1)) : NULL;
	enum gw_bearer_status st;

	if (d2 == NULL || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) != NULL)
		INVALID("The token is not a JWT of three parts");
	if (d1 == tok || d2 == d1 + 1 || d2 + 1 == end)
		INVALID("The token has an empty part");
	st = part_status(decode_object(tok, (size_t)(d1 - tok), MAX_HEADER_JSON, &p->header),
			 header_reasons, why);
	if (st != GW_BEARER_OK)
		return st;
	st = part_status(decode_object(d1 + 1, (size_t)(d2 - d1 - 1), GW_BEARER_MAX_TOKEN_BYTES,
				       &p->payload),
			 payload_reasons, why);
	if (st != GW_BEARER_OK)
		return st;
	p->text = malloc(len + 1);
	if (p->text == NULL) {
		*why = "Out of memory";
		return GW_BEARER_NOMEM;
	}
	memcpy(p->text, tok, len);
	p->text[len] = '\0';
	return check_header(p, why);
}

/* The issuer entries of cfg: issuers[], then the minting key when minting is on. */
static size_t n_entries(const struct gw_config *cfg)
{
	return cfg->n_issuers + (cfg->mint.name != NULL ? 1 : 0);
}

static const struct gw_issuer *entry_at(const struct gw_config *cfg, size_t i)
{
	return i < cfg->n_issuers ? &cfg->issuers[i] : &cfg->mint;
}

/*
 * The issuer entry whose key signed the token: among the entries named
 * by iss, the one with the token's kid (when it has one) or each in turn,
 * and only one whose configured alg is exactly the header's.
 */
static enum gw_bearer_status find_signer(const struct gw_config *cfg, const struct parsed *p,
					 const struct gw_issuer **out, const char **why)
{
	enum gw_jwt_alg alg = gw_jwt_alg_from_name(p->alg);
	bool named = false;
	bool kid_found = false;
	bool alg_matched = false;
	const struct gw_issuer *e;

	for (size_t i = 0; i < n_entries(cfg); i++) {
		e = entry_at(cfg, i);
		if (e->name == NULL || strcmp(e->name, p->iss) != 0)
			continue;
		named = true;
		if (p->kid != NULL && (e->kid == NULL || strcmp(e->kid, p->kid) != 0))
			continue;
		kid_found = true;
		if (alg == GW_JWT_ALG_NONE || e->alg != alg)
			continue;
		alg_matched = true;
		if (gw_jwt_verify(p->text, alg, e->key, e->key_len)) {
			*out = e;
			return GW_BEARER_OK;
		}
	}
	if (!named)
		INVALID("The token's issuer is not known");
	if (!kid_found)
		INVALID("The token's key id is not known");
	if (!alg_matched)
		INVALID("The token's alg does not match its issuer");
	INVALID("The token's signature is not valid");
}

/* A JWT checked in full; on GW_BEARER_OK *out has one reference. */
static enum gw_bearer_status verify(const struct gw_config *cfg, const char *tok, size_t len,
				    long long now, struct gw_token **out, const char **why)
{
	struct gw_bearer_rules rules = {cfg->auth_audience, cfg->auth_leeway_s, now};
	const struct gw_issuer *iss = NULL;
	struct parsed p = {0};
	enum gw_bearer_status st;

	st = parse(tok, len, &p, why);
	if (st == GW_BEARER_OK)
		st = find_signer(cfg, &p, &iss, why);
	if (st == GW_BEARER_OK)
		st = gw_bearer_claims(p.payload, iss, &rules, out, why);
	if (st == GW_BEARER_OK && gw_auth_hash_token(tok, len, (*out)->hash) != GW_OK)
		memset((*out)->hash, 0, sizeof((*out)->hash));
	json_decref(p.header);
	json_decref(p.payload);
	if (p.text != NULL)
		explicit_bzero(p.text, len);
	free(p.text);
	return st;
}

/* The last check, made on every call: the deny list. Takes over t's reference. */
static enum gw_bearer_status admit(struct gw_bearer *b, const struct gw_token *t, long long now,
				   const struct gw_token **out, const char **why)
{
	if (b != NULL && gw_revoke_is_revoked(b->revoke, t->claims->jti, now)) {
		gw_token_unref(t);
		*why = "The token has been revoked";
		return GW_BEARER_REVOKED;
	}
	*out = t;
	return GW_BEARER_OK;
}

static enum gw_bearer_status authenticate_jwt(struct gw_bearer *b, const struct gw_config *cfg,
					      const char *tok, size_t len, long long now,
					      const struct gw_token **out, const char **why)
{
	struct gw_bearer_cache *cache = b != NULL ? b->cache : NULL;
	const struct gw_token *hit = NULL;
	struct gw_token *fresh = NULL;
	enum gw_bearer_status st;

	if (cache != NULL) {
		switch (gw_bearer_cache_get(cache, tok, len, cfg->generation, now,
					    cfg->auth_leeway_s, &hit)) {
		case GW_BEARER_CACHE_HIT:
			atomic_fetch_add_explicit(&b->hits, 1, memory_order_relaxed);
			return admit(b, hit, now, out, why);
		case GW_BEARER_CACHE_EXPIRED:
			atomic_fetch_add_explicit(&b->hits, 1, memory_order_relaxed);
			*why = "The token has expired";
			return GW_BEARER_EXPIRED;
		default:
			break;
		}
	}
	if (b != NULL)
		atomic_fetch_add_explicit(&b->misses, 1, memory_order_relaxed);
	st = verify(cfg, tok, len, now, &fresh, why);
	if (st != GW_BEARER_OK)
		return st;
	st = admit(b, fresh, now, out, why);
	if (st == GW_BEARER_OK && cache != NULL)
		gw_bearer_cache_put(cache, tok, len, cfg->generation, fresh);
	return st;
}

enum gw_bearer_status gw_bearer_authenticate(struct gw_bearer *b, const struct gw_config *cfg,
					     const char *authorization, long long now,
					     const struct gw_token **out, const char **why)
{
	const char *tok;
	size_t len;

	*out = NULL;
	*why = NULL;
	if (authorization == NULL) {
		*why = "A bearer token is required";
		return GW_BEARER_MISSING;
	}
	if (!bearer_token(authorization, &tok, &len)) {
		*why = "The Authorization header does not carry a bearer token";
		return GW_BEARER_MISSING;
	}
	if (len >= STATIC_PREFIX_LEN && memcmp(tok, GW_AUTH_TOKEN_PREFIX, STATIC_PREFIX_LEN) == 0) {
		*out = gw_auth_lookup(cfg->tokens, cfg->n_tokens, authorization);
		*why = *out == NULL ? "The bearer token is not valid" : NULL;
		return *out == NULL ? GW_BEARER_UNKNOWN : GW_BEARER_OK;
	}
	if (len > GW_BEARER_MAX_TOKEN_BYTES) {
		*why = "The token is longer than 8 KiB";
		return GW_BEARER_INVALID;
	}
	if (memchr(tok, '.', len) == NULL) {
		*why = "The bearer token is not valid";
		return GW_BEARER_UNKNOWN;
	}
	/* keeps the claims' time arithmetic in range whatever the caller passes */
	if (now < 0)
		now = 0;
	if (now > GW_BEARER_MAX_TIME)
		now = GW_BEARER_MAX_TIME;
	return authenticate_jwt(b, cfg, tok, len, now, out, why);
}
