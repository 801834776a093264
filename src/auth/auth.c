/*
 * auth.c - client tokens and scopes; pure, no I/O. A token is only ever held
 * as the SHA-256 of its whole string. Lookup parses a Bearer header, hashes
 * the token it carries and compares that digest with every configured
 * digest in constant time, without stopping at a match, so the time taken
 * does not depend on which entry (if any) matched. Scopes are bits; "*" is
 * all of them.
 */
#include "auth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto.h"
#include "gw_limits.h"

#define HASH_PREFIX "sha256:"
#define HASH_PREFIX_LEN (sizeof(HASH_PREFIX) - 1)
#define BEARER "Bearer"
#define BEARER_LEN (sizeof(BEARER) - 1)

_Static_assert(GW_AUTH_TOKEN_LEN ==
		       sizeof(GW_AUTH_TOKEN_PREFIX) - 1 + (4 * GW_AUTH_TOKEN_RANDOM_BYTES + 2) / 3,
	       "GW_AUTH_TOKEN_LEN must be the prefix plus unpadded base64url of the random bytes");
_Static_assert(HASH_PREFIX_LEN == 7, "auth.h sizes hash_out for a 7-byte prefix");

struct scope_entry {
	const char *name;
	unsigned bits;
};

static const struct scope_entry scopes[] = {
	{"meetings:read", GW_SCOPE_MEETINGS_READ},
	{"meetings:create", GW_SCOPE_MEETINGS_CREATE},
	{"meetings:join", GW_SCOPE_MEETINGS_JOIN},
	{"meetings:end", GW_SCOPE_MEETINGS_END},
	{"meetings:write", GW_SCOPE_MEETINGS_WRITE},
	{"recordings:read", GW_SCOPE_RECORDINGS_READ},
	{"recordings:write", GW_SCOPE_RECORDINGS_WRITE},
	{"hooks", GW_SCOPE_HOOKS},
	{"metrics", GW_SCOPE_METRICS},
	{"meetings:passwords", GW_SCOPE_MEETINGS_PASSWORDS},
	{"tokens:mint", GW_SCOPE_TOKENS_MINT},
	{"events:read", GW_SCOPE_EVENTS_READ},
	{"servers:admin", GW_SCOPE_SERVERS_ADMIN},
	{"*", GW_SCOPE_ALL},
};

enum gw_err gw_auth_scope_parse(const char *name, unsigned *out)
{
	size_t i;

	if (name == NULL)
		return GW_E_PARSE;
	for (i = 0; i < GW_ARRAY_SIZE(scopes); i++) {
		if (strcmp(name, scopes[i].name) == 0) {
			*out = scopes[i].bits;
			return GW_OK;
		}
	}
	return GW_E_PARSE;
}

const char *gw_auth_scope_name(unsigned scope)
{
	size_t i;

	/* "*" is several bits, so it never matches a single-bit request. */
	for (i = 0; i < GW_ARRAY_SIZE(scopes); i++) {
		if (scopes[i].bits == scope && scope != GW_SCOPE_ALL)
			return scopes[i].name;
	}
	return NULL;
}

enum gw_err gw_auth_hash_parse(const char *text, unsigned char out[GW_AUTH_HASH_LEN])
{
	if (text == NULL || strncmp(text, HASH_PREFIX, HASH_PREFIX_LEN) != 0)
		return GW_E_PARSE;
	return gw_crypto_unhex(text + HASH_PREFIX_LEN, out, GW_AUTH_HASH_LEN);
}

enum gw_err gw_auth_hash_token(const char *token, size_t len, unsigned char out[GW_AUTH_HASH_LEN])
{
	struct gw_iov part = {token, len};

	return gw_crypto_digest(GW_DIGEST_SHA256, &part, 1, out);
}

/*
 * Finds the token in "Bearer <token>" and stores its start and length.
 * False when the value has any other shape.
 */
static bool parse_bearer(const char *value, const char **tok, size_t *len)
{
	const char *p = value;
	size_t n = 0;

	if (strncasecmp(p, BEARER, BEARER_LEN) != 0 || p[BEARER_LEN] != ' ')
		return false;
	p += BEARER_LEN;
	while (*p == ' ')
		p++;
	while (p[n] > ' ' && p[n] < 0x7f)
		n++;
	if (n == 0 || n > GW_MAX_TOKEN_LEN)
		return false;
	*tok = p;
	*len = n;
	p += n;
	while (*p == ' ')
		p++;
	return *p == '\0';
}

const struct gw_token *gw_auth_lookup(const struct gw_token *tokens, size_t n,
				      const char *authorization)
{
	unsigned char hash[GW_AUTH_HASH_LEN];
	long long now = (long long)time(NULL);
	const char *tok;
	size_t len;
	size_t found = 0; /* index + 1 of the first match, 0 for none */
	size_t i;

	if (authorization == NULL || tokens == NULL || !parse_bearer(authorization, &tok, &len))
		return NULL;
	if (gw_auth_hash_token(tok, len, hash) != GW_OK)
		return NULL;
	/*
	 * Every entry is compared and the first live match is kept with masks
	 * rather than an early return, so timing does not reveal the position.
	 * An entry whose expires_at has come counts as no match at all.
	 */
	for (i = 0; i < n; i++) {
		size_t eq = (size_t)gw_crypto_equal(hash, tokens[i].hash, GW_AUTH_HASH_LEN);
		long long expires = tokens[i].expires_at;
		size_t live = (size_t)(expires == 0) | (size_t)(expires > now);
		size_t unset = (size_t)(found == 0);
		size_t mask = (size_t)0 - (eq & live & unset);

		found |= (i + 1) & mask;
	}
	if (found == 0)
		return NULL;
	return &tokens[found - 1];
}

bool gw_auth_has_scope(const struct gw_token *tok, unsigned required)
{
	return tok != NULL && (tok->scopes & required) == required;
}

/* base64url without padding (RFC 4648 §5) of n bytes; out gets 4*n/3 rounded up chars + NUL. */
static void base64url(const unsigned char *in, size_t n, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456"
				       "789-_";
	uint32_t v;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = alphabet[v >> 18 & 63];
		*out++ = alphabet[v >> 12 & 63];
		*out++ = alphabet[v >> 6 & 63];
		*out++ = alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		*out++ = alphabet[v >> 18 & 63];
		*out++ = alphabet[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*out++ = alphabet[v >> 18 & 63];
		*out++ = alphabet[v >> 12 & 63];
		*out++ = alphabet[v >> 6 & 63];
	}
	*out = '\0';
}

enum gw_err gw_auth_token_new(char token_out[GW_AUTH_TOKEN_LEN + 1],
			      char hash_out[7 + 2 * GW_AUTH_HASH_LEN + 1])
{
	unsigned char rnd[GW_AUTH_TOKEN_RANDOM_BYTES];
	unsigned char hash[GW_AUTH_HASH_LEN];
	char token[GW_AUTH_TOKEN_LEN + 1];
	char hex[2 * GW_AUTH_HASH_LEN + 1];
	enum gw_err err;

	err = gw_crypto_random(rnd, sizeof(rnd));
	if (err != GW_OK)
		goto out;
	memcpy(token, GW_AUTH_TOKEN_PREFIX, sizeof(GW_AUTH_TOKEN_PREFIX) - 1);
	base64url(rnd, sizeof(rnd), token + sizeof(GW_AUTH_TOKEN_PREFIX) - 1);
	err = gw_auth_hash_token(token, GW_AUTH_TOKEN_LEN, hash);
	if (err != GW_OK)
		goto out;
	gw_crypto_hex(hash, sizeof(hash), hex);
	memcpy(token_out, token, sizeof(token));
	memcpy(hash_out, HASH_PREFIX, HASH_PREFIX_LEN);
	memcpy(hash_out + HASH_PREFIX_LEN, hex, sizeof(hex));
out:
	/* The random bytes and the token are the secret; leave no copy on the stack. */
	explicit_bzero(rnd, sizeof(rnd));
	explicit_bzero(token, sizeof(token));
	return err;
}

void gw_token_deinit(struct gw_token *tok)
{
	size_t i;

	if (tok == NULL)
		return;
	free(tok->name);
	free(tok->tenant);
	tok->tenant = NULL;
	for (i = 0; i < tok->n_origins; i++)
		free(tok->origins[i]);
	free(tok->origins);
	tok->name = NULL;
	tok->origins = NULL;
	tok->n_origins = 0;
	tok->scopes = 0;
	memset(tok->hash, 0, sizeof(tok->hash));
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void gw_token_claims_free(struct gw_token_claims *c)
{
	if (c == NULL)
		return;
	free(c->iss);
	free(c->sub);
	free(c->jti);
	free_strv(c->meetings, c->n_meetings);
	free(c->full_name);
	free(c->avatar_url);
	free_strv(c->userdata_keys, c->n_userdata);
	free_strv(c->userdata_values, c->n_userdata);
	free(c->tenant);
	free(c);
}

const struct gw_token *gw_token_ref(const struct gw_token *tok)
{
	struct gw_token *t = (struct gw_token *)(uintptr_t)tok;

	if (t != NULL && t->claims != NULL)
		atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	return tok;
}

void gw_token_unref(const struct gw_token *tok)
{
	struct gw_token *t = (struct gw_token *)(uintptr_t)tok;

	if (t == NULL || t->claims == NULL)
		return;
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
		return;
	gw_token_claims_free(t->claims);
	t->claims = NULL;
	gw_token_deinit(t);
	free(t);
}

void gw_issuer_deinit(struct gw_issuer *iss)
{
	if (iss == NULL)
		return;
	free(iss->name);
	if (iss->key != NULL) {
		explicit_bzero(iss->key, iss->key_len);
		free(iss->key);
	}
	free(iss->kid);
	free(iss->tenant);
	memset(iss, 0, sizeof(*iss));
}

static const char *const alg_names[] = {
	[GW_JWT_HS256] = "HS256", [GW_JWT_HS384] = "HS384", [GW_JWT_HS512] = "HS512",
	[GW_JWT_RS256] = "RS256", [GW_JWT_ES256] = "ES256",
};

const char *gw_jwt_alg_name(enum gw_jwt_alg alg)
{
	if ((size_t)alg >= GW_ARRAY_SIZE(alg_names))
		return NULL;
	return alg_names[alg];
}

enum gw_jwt_alg gw_jwt_alg_from_name(const char *name)
{
	if (name == NULL)
		return GW_JWT_ALG_NONE;
	for (size_t i = 1; i < GW_ARRAY_SIZE(alg_names); i++) {
		if (alg_names[i] != NULL && strcmp(name, alg_names[i]) == 0)
			return (enum gw_jwt_alg)i;
	}
	return GW_JWT_ALG_NONE;
}

bool gw_token_meeting_bound(const struct gw_token *tok)
{
	return tok != NULL && tok->claims != NULL && !tok->claims->any_meeting;
}

bool gw_token_meeting_allowed(const struct gw_token *tok, const char *meeting_id)
{
	const struct gw_token_claims *c;

	if (!gw_token_meeting_bound(tok))
		return true;
	if (meeting_id == NULL)
		return false;
	c = tok->claims;
	for (size_t i = 0; i < c->n_meetings; i++) {
		const char *m = c->meetings[i];
		size_t len = strlen(m);

		if (len > 0 && m[len - 1] == '*' ? strncmp(meeting_id, m, len - 1) == 0
						 : strcmp(meeting_id, m) == 0)
			return true;
	}
	return false;
}
