/*
 * auth.h - client tokens and scopes; pure, no I/O.
 *
 * A token is "bgw_" followed by 43 base64url characters (32 random bytes,
 * 256 bits). The config stores only "sha256:" + lowercase hex SHA-256 of
 * the whole token string. Lookup hashes the presented token and compares
 * it with every stored digest in constant time.
 */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"
#include "err.h"

#define GW_AUTH_TOKEN_PREFIX "bgw_"
#define GW_AUTH_TOKEN_RANDOM_BYTES 32u
#define GW_AUTH_TOKEN_LEN (4u + 43u) /* prefix + base64url(32 bytes), no padding */
#define GW_AUTH_HASH_LEN 32u

enum gw_scope {
	GW_SCOPE_MEETINGS_READ = 1u << 0,
	GW_SCOPE_MEETINGS_CREATE = 1u << 1,
	GW_SCOPE_MEETINGS_JOIN = 1u << 2,
	GW_SCOPE_MEETINGS_END = 1u << 3,
	GW_SCOPE_MEETINGS_WRITE = 1u << 4,
	GW_SCOPE_RECORDINGS_READ = 1u << 5,
	GW_SCOPE_RECORDINGS_WRITE = 1u << 6,
	GW_SCOPE_HOOKS = 1u << 7,
	GW_SCOPE_METRICS = 1u << 8,
	GW_SCOPE_MEETINGS_PASSWORDS = 1u << 9, /* see attendeePW/moderatorPW */
	GW_SCOPE_TOKENS_MINT = 1u << 10,       /* POST/DELETE /v1/tokens */
	GW_SCOPE_EVENTS_READ = 1u << 11,       /* the event streams */
	GW_SCOPE_SERVERS_ADMIN = 1u << 12,     /* GET /v1/servers, PATCH /v1/servers/{name} */
	GW_SCOPE_ALL = (1u << 13) - 1u,        /* "*" */
};

/* Join roles, ordered: a token allowing MODERATOR allows VIEWER too. */
enum gw_role {
	GW_ROLE_NONE = 0,
	GW_ROLE_VIEWER = 1,
	GW_ROLE_MODERATOR = 2,
};

/* The JWT algorithms an issuer may be configured with. */
enum gw_jwt_alg {
	GW_JWT_ALG_NONE = 0, /* never accepted */
	GW_JWT_HS256,
	GW_JWT_HS384,
	GW_JWT_HS512,
	GW_JWT_RS256,
	GW_JWT_ES256,
};

/*
 * One configured JWT issuer key (issuers[] entry; several entries may share
 * a name with different kids), or the gateway's own minting key
 * (tokens_mint, alg HS256, any_meeting).
 */
struct gw_issuer {
	char *name; /* owned; the iss claim it verifies */
	enum gw_jwt_alg alg;
	/*
	 * owned, zeroed when freed: HS*: the secret's raw bytes (>= 32);
	 * RS256/ES256: the PEM text of the public key, NUL-terminated (key_len
	 * excludes the NUL)
	 */
	unsigned char *key;
	size_t key_len;
	char *kid;          /* owned; NULL = no kid */
	unsigned scopes;    /* the most a token may carry (bit set of enum gw_scope) */
	unsigned max_ttl_s; /* longest lifetime accepted */
	bool any_meeting;   /* tokens need no bbb.meetings claim */
	char *tenant;       /* owned; the tenant its tokens belong to; NULL = none */
	/*
	 * the gateway's own minting key: a token's bbb.tenant claim names its
	 * tenant (the minting caller's); no other issuer's tokens can say so
	 */
	bool tenant_claim;
	double rate_per_s; /* 0 = limits.rate_per_s; per user (iss + sub) */
	unsigned burst;    /* 0 = limits.burst */
};

/*
 * What a verified JWT binds its holder to. Owned by the token that points
 * at it (struct gw_token.claims), freed with it.
 */
struct gw_token_claims {
	char *iss;          /* the issuer's name */
	char *sub;          /* NULL when absent; join's userID when set */
	char *jti;          /* NULL when absent */
	long long iat, nbf; /* 0 when absent */
	bool any_meeting;   /* no meeting binding: every meeting */
	char **meetings;    /* bbb.meetings: IDs; an entry ending in '*' is a prefix */
	size_t n_meetings;
	enum gw_role role;    /* bbb.role; GW_ROLE_VIEWER when absent */
	char *full_name;      /* bbb.fullName or NULL */
	char *avatar_url;     /* bbb.avatarURL or NULL */
	char **userdata_keys; /* bbb.userdata: n_userdata string pairs */
	char **userdata_values;
	size_t n_userdata;
	char *tenant; /* the issuer's tenant or NULL */
};

/* One configured client token. */
struct gw_token {
	char *name;                           /* owned */
	unsigned char hash[GW_AUTH_HASH_LEN]; /* SHA-256 of the token string */
	unsigned scopes;                      /* bit set of enum gw_scope */
	char **origins;                       /* owned; allowed CORS origins, may be NULL */
	size_t n_origins;
	double rate_per_s;    /* 0 = the config's limits.rate_per_s */
	unsigned burst;       /* 0 = the config's limits.burst */
	long long expires_at; /* Unix seconds; 0 = never expires (a JWT's exp) */
	/*
	 * Browser tokens (JWT) only; NULL for configured static tokens. A JWT's
	 * token is built by the verifier (bearer.h): name is "<iss>:<sub or
	 * jti>" (rate limits), origins come from bbb.origins, rate_per_s and
	 * burst from the issuer; it is reference counted (refs) and shared by
	 * the requests that present it.
	 */
	struct gw_token_claims *claims;
	atomic_uint refs;
	char *tenant; /* owned; the tenant (tokens[].tenant) of a static token; NULL = none */
};

/* Parses one scope name ("meetings:read", "*", ...) into its bit(s). GW_E_PARSE if unknown. */
enum gw_err gw_auth_scope_parse(const char *name, unsigned *out) GW_WUR;

/* The name of a single scope bit ("meetings:read"), or NULL when not exactly one known bit. */
const char *gw_auth_scope_name(unsigned scope);

/*
 * Parses "sha256:<64 hex>" (hex either case) into out. GW_E_PARSE if the
 * text has another form.
 */
enum gw_err gw_auth_hash_parse(const char *text, unsigned char out[GW_AUTH_HASH_LEN]) GW_WUR;

/* SHA-256 of the token string. */
enum gw_err gw_auth_hash_token(const char *token, size_t len,
			       unsigned char out[GW_AUTH_HASH_LEN]) GW_WUR;

/*
 * Finds the token presented in an Authorization header value ("Bearer
 * <token>", scheme case-insensitive, one or more spaces). Every stored
 * digest is compared (no early exit). A token past its expires_at is
 * treated as unknown. Returns the matching entry
 * (borrowed from tokens) or NULL when the header is absent, malformed or
 * the token is unknown.
 */
const struct gw_token *gw_auth_lookup(const struct gw_token *tokens, size_t n,
				      const char *authorization);

/* True when the token holds every bit in required. */
bool gw_auth_has_scope(const struct gw_token *tok, unsigned required);

/*
 * Mints a new token: writes GW_AUTH_TOKEN_LEN chars + NUL to token_out and
 * the config form "sha256:<hex>" + NUL (7 + 64 + 1 bytes) to hash_out.
 */
enum gw_err gw_auth_token_new(char token_out[GW_AUTH_TOKEN_LEN + 1],
			      char hash_out[7 + 2 * GW_AUTH_HASH_LEN + 1]) GW_WUR;

/* Frees the strings a token owns (not the struct itself). */
void gw_token_deinit(struct gw_token *tok);

/* Takes a reference to a JWT's token; static tokens (claims NULL) are not counted. Returns tok. */
const struct gw_token *gw_token_ref(const struct gw_token *tok);

/* Drops a reference to a JWT's token, freeing it on the last; static tokens and NULL are fine. */
void gw_token_unref(const struct gw_token *tok);

/* Frees claims and everything they own (secret-free strings). NULL is fine. */
void gw_token_claims_free(struct gw_token_claims *c);

/* Frees what an issuer owns (the key zeroed first), not the struct itself. */
void gw_issuer_deinit(struct gw_issuer *iss);

/* "HS256", ... for an algorithm; NULL for none. */
const char *gw_jwt_alg_name(enum gw_jwt_alg alg);

/* The algorithm named name (exact, upper case), GW_JWT_ALG_NONE when unknown or "none". */
enum gw_jwt_alg gw_jwt_alg_from_name(const char *name);

/*
 * True when the token may touch meetingID: a static token or an unbound
 * JWT always, a bound one when an entry equals it or, ending in '*', is a
 * prefix of it.
 */
bool gw_token_meeting_allowed(const struct gw_token *tok, const char *meeting_id);

/* True when the token is bound to a set of meetings (bbb.meetings). */
bool gw_token_meeting_bound(const struct gw_token *tok);

#endif
