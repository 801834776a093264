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
	GW_SCOPE_ALL = (1u << 9) - 1u, /* "*" */
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
	long long expires_at; /* Unix seconds; 0 = never expires */
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

#endif
