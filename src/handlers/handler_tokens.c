/*
 * handler_tokens.c - POST /v1/tokens mints a browser token (a JWT signed
 * with tokens_mint's key) never broader than its caller: scopes, meetings,
 * role, origins and bound join values are each within the caller's, and
 * it expires no later than the caller's own JWT. DELETE /v1/tokens/{jti}
 * revokes a token until any token with that jti would have expired (on
 * every gateway sharing state.redis).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "bearer.h"
#include "config.h"
#include "crypto.h"
#include "handlers.h"
#include "gw_jwt.h"
#include "log.h"
#include "revoke.h"
#include "share.h"

#define JTI_BYTES 16u
#define MAX_MEETINGS GW_BEARER_MAX_MEETINGS
#define MAX_ID_LEN GW_BEARER_MAX_MEETING_LEN
#define MAX_STRING_LEN 1024u /* fullName, avatarURL, a userdata value */

static bool bad(struct gw_exchange *x, const char *field, const char *detail)
{
	gw_response_problem(x, GW_E_BAD_REQUEST, detail, field);
	return false;
}

static bool exceeded(struct gw_exchange *x, const char *field, const char *detail)
{
	gw_response_problem(x, GW_E_SCOPE_EXCEEDED, detail, field);
	return false;
}

static const char *const fields[] = {"sub",       "scope",    "meetings", "role", "fullName",
				     "avatarURL", "userdata", "origins",  "ttl_s"};

static bool known_fields(struct gw_exchange *x, json_t *body)
{
	const char *key;
	json_t *v;
	char detail[128];

	json_object_foreach (body, key, v) {
		bool ok = false;

		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			ok = ok || strcmp(key, fields[i]) == 0;
		if (!ok) {
			snprintf(detail, sizeof(detail),
				 "Unknown field (sub, scope, meetings, role, fullName, avatarURL, "
				 "userdata, origins, ttl_s)");
			return bad(x, key, detail);
		}
	}
	return true;
}

/* The scope claim: space-separated names, each one the caller holds; tokens:mint never. */
static bool mint_scope(struct gw_exchange *x, json_t *body, json_t *claims)
{
	const char *text = json_string_value(json_object_get(body, "scope"));
	unsigned have = x->req.token->scopes;
	char name[64];

	if (text == NULL)
		return bad(x, "scope", "'scope' is required: a space-separated list of scopes");
	for (const char *p = text; *p != '\0';) {
		size_t n = strcspn(p, " ");
		unsigned bits;

		if (n > 0) {
			if (n >= sizeof(name))
				return bad(x, "scope", "'scope' holds an unknown scope");
			memcpy(name, p, n);
			name[n] = '\0';
			if (gw_auth_scope_parse(name, &bits) != GW_OK)
				return bad(x, "scope", "'scope' holds an unknown scope");
			if ((bits & GW_SCOPE_TOKENS_MINT) != 0)
				return exceeded(x, "scope", "A minted token cannot mint tokens");
			if ((bits & ~have) != 0)
				return exceeded(x, "scope",
						"'scope' holds a scope the caller lacks");
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return json_object_set_new(claims, "scope", json_string(text)) == 0;
}

/* True when the caller's token covers the meeting entry m (a '*' entry: one of its prefixes). */
static bool meeting_covered(const struct gw_token *caller, const char *m)
{
	const struct gw_token_claims *c = caller->claims;
	size_t len = strlen(m);

	if (!gw_token_meeting_bound(caller))
		return true;
	if (m[len - 1] != '*')
		return gw_token_meeting_allowed(caller, m);
	for (size_t i = 0; i < c->n_meetings; i++) {
		size_t k = strlen(c->meetings[i]);

		if (k > 0 && c->meetings[i][k - 1] == '*' && k - 1 <= len - 1 &&
		    strncmp(m, c->meetings[i], k - 1) == 0)
			return true;
	}
	return false;
}

static bool mint_meetings(struct gw_exchange *x, json_t *body, json_t *bbb)
{
	json_t *list = json_object_get(body, "meetings");
	json_t *out;
	json_t *m;
	size_t i;

	if (list == NULL) {
		if (gw_token_meeting_bound(x->req.token))
			return exceeded(x, "meetings",
					"'meetings' is required: the caller is bound to meetings");
		return true;
	}
	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > MAX_MEETINGS)
		return bad(x, "meetings", "'meetings' must be an array of 1 to 256 meetingIDs");
	out = json_array();
	json_object_set_new(bbb, "meetings", out);
	json_array_foreach (list, i, m) {
		const char *id = json_string_value(m);
		size_t len = id != NULL ? strlen(id) : 0;

		if (len == 0 || len > MAX_ID_LEN || memchr(id, '*', len - 1) != NULL)
			return bad(x, "meetings",
				   "'meetings' entries are meetingIDs of 1 to 256 bytes; '*' only "
				   "last, as a prefix");
		if (!meeting_covered(x->req.token, id))
			return exceeded(x, "meetings",
					"'meetings' names a meeting the caller lacks");
		json_array_append_new(out, json_string(id));
	}
	return true;
}

static bool mint_role(struct gw_exchange *x, json_t *body, json_t *bbb)
{
	const char *r = json_string_value(json_object_get(body, "role"));
	const struct gw_token_claims *c = x->req.token->claims;
	enum gw_role cap = c != NULL ? c->role : GW_ROLE_MODERATOR;
	enum gw_role want = GW_ROLE_VIEWER;

	if (json_object_get(body, "role") != NULL) {
		if (r == NULL || (strcmp(r, "VIEWER") != 0 && strcmp(r, "MODERATOR") != 0))
			return bad(x, "role", "'role' must be \"VIEWER\" or \"MODERATOR\"");
		want = strcmp(r, "MODERATOR") == 0 ? GW_ROLE_MODERATOR : GW_ROLE_VIEWER;
	}
	if (want > cap)
		return exceeded(x, "role", "'role' is above the caller's");
	return json_object_set_new(bbb, "role",
				   json_string(want == GW_ROLE_MODERATOR ? "MODERATOR"
									 : "VIEWER")) == 0;
}

/* A bound string: the caller's own binding is kept (and may not be changed). */
static bool mint_string(struct gw_exchange *x, json_t *body, json_t *dst, const char *field,
			size_t max, const char *bound)
{
	json_t *v = json_object_get(body, field);
	const char *s = json_string_value(v);
	char detail[96];

	if (v != NULL && (s == NULL || s[0] == '\0' || strlen(s) > max)) {
		snprintf(detail, sizeof(detail), "'%s' must be a string of 1 to %zu bytes", field,
			 max);
		return bad(x, field, detail);
	}
	if (bound != NULL && s != NULL && strcmp(s, bound) != 0) {
		snprintf(detail, sizeof(detail), "'%s' differs from the caller's own", field);
		return exceeded(x, field, detail);
	}
	if (s == NULL)
		s = bound;
	return s == NULL || json_object_set_new(dst, field, json_string(s)) == 0;
}

static bool mint_userdata(struct gw_exchange *x, json_t *body, json_t *bbb)
{
	json_t *ud = json_object_get(body, "userdata");
	const struct gw_token_claims *c = x->req.token->claims;
	json_t *out;
	const char *key;
	json_t *v;

	if (ud != NULL && (!json_is_object(ud) || json_object_size(ud) > GW_BEARER_MAX_USERDATA))
		return bad(x, "userdata", "'userdata' must be an object of at most 256 strings");
	out = json_object();
	json_object_set_new(bbb, "userdata", out);
	json_object_foreach (ud, key, v) {
		if (!json_is_string(v) || strlen(json_string_value(v)) > MAX_STRING_LEN)
			return bad(x, "userdata",
				   "'userdata' values must be strings of at most 1024 bytes");
		json_object_set(out, key, v);
	}
	for (size_t i = 0; c != NULL && i < c->n_userdata; i++) {
		const char *have = json_string_value(json_object_get(out, c->userdata_keys[i]));

		if (have != NULL && strcmp(have, c->userdata_values[i]) != 0)
			return exceeded(x, "userdata", "'userdata' differs from the caller's own");
		json_object_set_new(out, c->userdata_keys[i], json_string(c->userdata_values[i]));
	}
	if (json_object_size(out) == 0)
		json_object_del(bbb, "userdata");
	return true;
}

static bool caller_origin(const struct gw_token *t, const char *o)
{
	for (size_t i = 0; i < t->n_origins; i++)
		if (strcmp(t->origins[i], o) == 0)
			return true;
	return false;
}

static bool mint_origins(struct gw_exchange *x, json_t *body, json_t *bbb)
{
	const struct gw_token *t = x->req.token;
	json_t *list = json_object_get(body, "origins");
	json_t *out = json_array();
	json_t *o;
	size_t i;

	json_object_set_new(bbb, "origins", out);
	if (list != NULL && (!json_is_array(list) || json_array_size(list) > 64))
		return bad(x, "origins", "'origins' must be an array of at most 64 origins");
	/* none asked (or an empty list): the caller's own, so that none is ever dropped */
	if (json_array_size(list) == 0) {
		for (i = 0; i < t->n_origins; i++)
			json_array_append_new(out, json_string(t->origins[i]));
	}
	json_array_foreach (list, i, o) {
		const char *s = json_string_value(o);

		if (s == NULL || strlen(s) > GW_BEARER_MAX_ORIGIN_LEN ||
		    gw_config_origin_problem(s) != NULL)
			return bad(x, "origins",
				   "'origins' entries are origins: scheme://host[:port], "
				   "lowercase");
		if (t->n_origins > 0 && !caller_origin(t, s))
			return exceeded(x, "origins", "'origins' names an origin the caller lacks");
		json_array_append_new(out, json_string(s));
	}
	if (json_array_size(out) == 0)
		json_object_del(bbb, "origins");
	return true;
}

/* The lifetime: ttl_s (default and most tokens_mint.max_ttl_s), never past the caller's exp. */
static bool mint_times(struct gw_exchange *x, json_t *body, json_t *claims, long long now,
		       long long *exp)
{
	const struct gw_config *cfg = x->req.cfg;
	json_t *v = json_object_get(body, "ttl_s");
	long long ttl = cfg->mint.max_ttl_s;
	char detail[96];

	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > (json_int_t)cfg->mint.max_ttl_s) {
			snprintf(detail, sizeof(detail), "'ttl_s' must be an integer from 1 to %u",
				 cfg->mint.max_ttl_s);
			return bad(x, "ttl_s", detail);
		}
		ttl = json_integer_value(v);
	}
	*exp = now + ttl;
	/* never past the caller's own end (a JWT's exp, a static token's `expires`) */
	if (x->req.token->expires_at > 0 && x->req.token->expires_at < *exp)
		*exp = x->req.token->expires_at;
	if (*exp <= now) {
		gw_response_problem(x, GW_E_SCOPE_EXCEEDED, "The caller's own token ends now",
				    "ttl_s");
		return false;
	}
	return json_object_set_new(claims, "iat", json_integer(now)) == 0 &&
	       json_object_set_new(claims, "exp", json_integer(*exp)) == 0;
}

static bool mint_claims(struct gw_exchange *x, json_t *body, json_t *claims, long long now,
			long long *exp)
{
	const struct gw_token_claims *c = x->req.token->claims;
	json_t *bbb = json_object();

	json_object_set_new(claims, "bbb", bbb);
	/* a tenant's token mints its tenant's tokens: they see what it sees, never more */
	if (x->req.tenant != NULL &&
	    json_object_set_new(bbb, "tenant", json_string(x->req.tenant->name)) != 0)
		return bad(x, "tenant", "Out of memory");
	if (json_object_get(body, "sub") != NULL && !json_is_string(json_object_get(body, "sub")))
		return bad(x, "sub", "'sub' must be a string");
	return mint_scope(x, body, claims) && mint_meetings(x, body, bbb) &&
	       mint_role(x, body, bbb) &&
	       mint_string(x, body, claims, "sub", GW_BEARER_MAX_SUB_LEN,
			   c != NULL ? c->sub : NULL) &&
	       mint_string(x, body, bbb, "fullName", MAX_STRING_LEN,
			   c != NULL ? c->full_name : NULL) &&
	       mint_string(x, body, bbb, "avatarURL", MAX_STRING_LEN,
			   c != NULL ? c->avatar_url : NULL) &&
	       mint_userdata(x, body, bbb) && mint_origins(x, body, bbb) &&
	       mint_times(x, body, claims, now, exp);
}

static void rfc3339(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool sign(struct gw_exchange *x, json_t *claims, const char *jti, long long exp)
{
	const struct gw_issuer *m = &x->req.cfg->mint;
	char *text = json_dumps(claims, JSON_COMPACT);
	char *token = NULL;
	char when[32];
	enum gw_err err = text != NULL ? gw_jwt_sign_hs256(text, m->key, m->key_len, &token)
				       : GW_E_NOMEM;

	free(text);
	if (err != GW_OK) {
		gw_response_problem(x, err, "The token could not be signed", NULL);
		return false;
	}
	if (strlen(token) > GW_BEARER_MAX_TOKEN_BYTES) {
		explicit_bzero(token, strlen(token));
		free(token);
		gw_response_problem(x, GW_E_BAD_REQUEST,
				    "The token would be longer than 8 KiB: bind fewer or shorter "
				    "values",
				    NULL);
		return false;
	}
	rfc3339(exp, when);
	gw_response_json(x, 201,
			 json_pack("{s:s, s:s, s:s}", "token", token, "expiresAt", when, "jti",
				   jti));
	explicit_bzero(token, strlen(token));
	free(token);
	return true;
}

void gw_handle_tokens_mint(struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;
	json_t *body = NULL;
	json_t *claims = NULL;
	unsigned char raw[JTI_BYTES];
	char jti[2 * JTI_BYTES + 1];
	long long now = (long long)time(NULL);
	long long exp = 0;

	if (cfg->mint.name == NULL || cfg->mint.key == NULL) {
		gw_response_problem(x, GW_E_NOT_FOUND,
				    "Token minting is off (tokens_mint.signing_key_file)", NULL);
		return;
	}
	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	if (gw_crypto_random(raw, sizeof(raw)) != GW_OK) {
		gw_response_problem(x, GW_E_INTERNAL, "No random bytes", NULL);
		goto out;
	}
	gw_crypto_hex(raw, sizeof(raw), jti);
	claims = json_pack("{s:s, s:s, s:s}", "iss", cfg->mint.name, "aud", cfg->auth_audience,
			   "jti", jti);
	if (claims == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		goto out;
	}
	if (!known_fields(x, body) || !mint_claims(x, body, claims, now, &exp))
		goto out;
	if (sign(x, claims, jti, exp))
		gw_log_info("token minted: iss=%s jti=%s sub=%s by %s", cfg->mint.name, jti,
			    json_string_value(json_object_get(claims, "sub")) != NULL
				    ? json_string_value(json_object_get(claims, "sub"))
				    : "-",
			    x->req.token->name);
out:
	json_decref(claims);
	json_decref(body);
}

/* The longest any accepted token lives: a revoked jti is kept that long. */
static long long longest_ttl(const struct gw_config *cfg)
{
	long long t = cfg->mint.name != NULL ? cfg->mint.max_ttl_s : 0;

	for (size_t i = 0; i < cfg->n_issuers; i++)
		if ((long long)cfg->issuers[i].max_ttl_s > t)
			t = cfg->issuers[i].max_ttl_s;
	/* iat may be leeway_s ahead and exp is honoured leeway_s after: twice the leeway */
	return t + 2 * (long long)cfg->auth_leeway_s;
}

static void revoked(struct gw_exchange *x, void *arg)
{
	(void)arg;
	gw_response_raw(x, 204, NULL, "", 0);
}

void gw_handle_token_revoke(struct gw_exchange *x)
{
	const char *jti = x->req.params[0];
	struct gw_revoke *r = x->req.svc != NULL ? x->req.svc->revoke : NULL;
	long long now = (long long)time(NULL);
	size_t len = strlen(jti);
	enum gw_err err;

	if (len == 0 || len > GW_REVOKE_MAX_JTI_LEN) {
		gw_response_problem(x, GW_E_BAD_PATH_PARAM, "A jti has 1 to 128 characters", NULL);
		return;
	}
	if (r == NULL) {
		gw_response_problem(x, GW_E_UNAVAILABLE, "Revocation is not available", NULL);
		return;
	}
	err = gw_revoke_add(r, jti, now + longest_ttl(x->req.cfg), now);
	if (err != GW_OK) {
		gw_response_problem(x, GW_E_UNAVAILABLE,
				    err == GW_E_TOO_LARGE ? "The revocation list is full "
							    "(auth.max_revoked)"
							  : NULL,
				    NULL);
		return;
	}
	/* open event streams of that token end */
	atomic_fetch_add((atomic_uint *)&x->req.svc->auth_epoch, 1);
	gw_log_info("token revoked: jti=%s by %s", jti, x->req.token->name);
	/* with state.redis every gateway learns it before the answer */
	gw_share_then(x,
		      &(struct gw_share_revoke){.jti = jti, .until = now + longest_ttl(x->req.cfg)},
		      NULL, revoked, NULL);
}
