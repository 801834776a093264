/*
 * bearer_claims.c - the claims of a JWT whose signature was verified,
 * checked as the contract's "Browser credentials" says and turned into a
 * reference-counted struct gw_token with its struct gw_token_claims.
 *
 * Order: aud, then the times (exp, nbf, iat, the lifetime against the
 * issuer's max_ttl_s), then jti, sub, scope and bbb. A claim of the wrong
 * type makes the token invalid, with a reason naming the claim; unknown
 * claims are ignored. The reasons are static texts: nothing of the
 * token's content reaches a client or a log through them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bearer_int.h"
#include "gw_limits.h"
#include "revoke.h"
#include "str.h"

#define MAX_MEETINGS GW_BEARER_MAX_MEETINGS
#define MAX_MEETING_LEN GW_BEARER_MAX_MEETING_LEN
#define MAX_SUB_LEN GW_BEARER_MAX_SUB_LEN
#define MAX_USERDATA GW_BEARER_MAX_USERDATA
#define MAX_ORIGIN_LEN GW_BEARER_MAX_ORIGIN_LEN
#define SCOPE_NAME_MAX 32u

#define INVALID(text)                     \
	do {                              \
		*why = (text);            \
		return GW_BEARER_INVALID; \
	} while (0)

/* How a NumericDate claim was found. */
enum presence { BAD = -1, ABSENT = 0, PRESENT = 1 };

/*
 * The NumericDate claim key of o: an integer, or a real rounded down
 * (exp) or up (nbf, iat), so that rounding never lengthens a token's
 * validity. BAD when it is not a number in [0, GW_BEARER_MAX_TIME].
 */
static enum presence numeric_date(json_t *o, const char *key, bool round_up, long long *out)
{
	json_t *v = json_object_get(o, key);
	long long t;
	double d;

	if (v == NULL)
		return ABSENT;
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0 || i > GW_BEARER_MAX_TIME)
			return BAD;
		*out = (long long)i;
		return PRESENT;
	}
	if (!json_is_real(v))
		return BAD;
	d = json_real_value(v);
	if (!(d >= 0.0 && d <= (double)GW_BEARER_MAX_TIME))
		return BAD;
	t = (long long)d;
	if (round_up && (double)t < d)
		t++;
	*out = t;
	return PRESENT;
}

static enum gw_bearer_status check_audience(json_t *payload, const char *want, const char **why)
{
	json_t *aud = json_object_get(payload, "aud");
	bool found = false;
	json_t *v;
	size_t i;

	if (aud == NULL)
		INVALID("The token has no aud claim");
	if (json_is_string(aud)) {
		found = want != NULL && strcmp(json_string_value(aud), want) == 0;
	} else if (json_is_array(aud)) {
		json_array_foreach (aud, i, v) {
			if (!json_is_string(v))
				INVALID("The token's aud claim is not a string or a list of "
					"strings");
			found |= want != NULL && strcmp(json_string_value(v), want) == 0;
		}
	} else {
		INVALID("The token's aud claim is not a string or a list of strings");
	}
	if (!found)
		INVALID("The token's audience is not accepted");
	return GW_BEARER_OK;
}

static enum gw_bearer_status check_times(json_t *payload, const struct gw_issuer *iss,
					 const struct gw_bearer_rules *r, struct gw_token *tok,
					 const char **why)
{
	struct gw_token_claims *c = tok->claims;
	long long exp = 0;
	enum presence has_nbf;
	enum presence has_iat;

	switch (numeric_date(payload, "exp", false, &exp)) {
	case ABSENT:
		INVALID("The token has no exp claim");
	case BAD:
		INVALID("The token's exp claim is not a valid time");
	default:
		break;
	}
	has_nbf = numeric_date(payload, "nbf", true, &c->nbf);
	has_iat = numeric_date(payload, "iat", true, &c->iat);
	if (has_nbf == BAD)
		INVALID("The token's nbf claim is not a valid time");
	if (has_iat == BAD)
		INVALID("The token's iat claim is not a valid time");
	if (exp + r->leeway <= r->now) {
		*why = "The token has expired";
		return GW_BEARER_EXPIRED;
	}
	if (has_nbf == PRESENT && c->nbf - r->leeway > r->now) {
		*why = "The token is not valid yet";
		return GW_BEARER_NOT_YET_VALID;
	}
	if (has_iat == PRESENT && c->iat - r->leeway > r->now)
		INVALID("The token's iat claim is in the future");
	if ((has_iat == PRESENT ? exp - c->iat : exp - r->now) > (long long)iss->max_ttl_s)
		INVALID("The token's lifetime exceeds its issuer's max_ttl_s");
	tok->expires_at = exp;
	return GW_BEARER_OK;
}

/*
 * A copy of the optional string claim key of o (NULL when absent): 1..max
 * bytes, else BAD. GW_BEARER_NOMEM when the copy fails.
 */
static enum gw_bearer_status opt_string(json_t *o, const char *key, size_t max, char **out,
					bool *bad)
{
	json_t *v = json_object_get(o, key);

	*bad = false;
	if (v == NULL)
		return GW_BEARER_OK;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max) {
		*bad = true;
		return GW_BEARER_INVALID;
	}
	*out = strdup(json_string_value(v));
	return *out != NULL ? GW_BEARER_OK : GW_BEARER_NOMEM;
}

static enum gw_bearer_status parse_ids(json_t *payload, struct gw_token_claims *c, const char **why)
{
	enum gw_bearer_status st;
	bool bad;

	st = opt_string(payload, "jti", GW_REVOKE_MAX_JTI_LEN, &c->jti, &bad);
	if (bad)
		INVALID("The token's jti claim is not a string of 1 to 128 bytes");
	if (st != GW_BEARER_OK)
		return st;
	st = opt_string(payload, "sub", MAX_SUB_LEN, &c->sub, &bad);
	if (bad)
		INVALID("The token's sub claim is not a string of 1 to 256 bytes");
	return st;
}

/*
 * The scope claim: space-separated names, each allowed by the issuer; "*" is
 * all it allows. No claim grants nothing (least privilege: a token says what
 * it is for).
 */
static enum gw_bearer_status parse_scope(json_t *payload, unsigned allowed, unsigned *out,
					 const char **why)
{
	json_t *v = json_object_get(payload, "scope");
	unsigned bits = 0;
	const char *p;

	if (v == NULL) {
		*out = 0;
		return GW_BEARER_OK;
	}
	if (!json_is_string(v))
		INVALID("The token's scope claim is not a string");
	for (p = json_string_value(v); *p != '\0';) {
		char name[SCOPE_NAME_MAX + 1];
		size_t n = strcspn(p, " ");
		unsigned bit = 0;

		if (n == 0) {
			p++;
			continue;
		}
		if (n > SCOPE_NAME_MAX)
			INVALID("The token's scope claim names an unknown scope");
		memcpy(name, p, n);
		name[n] = '\0';
		if (gw_auth_scope_parse(name, &bit) != GW_OK)
			INVALID("The token's scope claim names an unknown scope");
		bits |= bit == GW_SCOPE_ALL ? allowed : bit;
		p += n;
	}
	if ((bits & ~allowed) != 0)
		INVALID("The token's scope exceeds what its issuer allows");
	*out = bits;
	return GW_BEARER_OK;
}

static bool meeting_ok(const char *s)
{
	const char *star = strchr(s, '*');

	return star == NULL || star[1] == '\0';
}

static bool origin_ok(const char *s)
{
	return gw_str_is_visible_ascii(s, MAX_ORIGIN_LEN) && strchr(s, '*') == NULL;
}

/*
 * Copies the array v of strings, 1..max_n of them (0 allowed when
 * !nonempty), each 1..max_len bytes and accepted by ok, into a new vector.
 * GW_BEARER_INVALID for anything else.
 */
static enum gw_bearer_status strv(json_t *v, size_t max_n, size_t max_len, bool nonempty,
				  bool (*ok)(const char *), char ***out, size_t *n_out)
{
	size_t n = json_array_size(v);
	char **vec;
	json_t *e;
	size_t i;

	if (!json_is_array(v) || n > max_n || (nonempty && n == 0))
		return GW_BEARER_INVALID;
	json_array_foreach (v, i, e) {
		if (!json_is_string(e) || json_string_length(e) == 0 ||
		    json_string_length(e) > max_len || !ok(json_string_value(e)))
			return GW_BEARER_INVALID;
	}
	vec = calloc(n > 0 ? n : 1, sizeof(*vec));
	if (vec == NULL)
		return GW_BEARER_NOMEM;
	*out = vec;
	json_array_foreach (v, i, e) {
		vec[i] = strdup(json_string_value(e));
		if (vec[i] == NULL)
			return GW_BEARER_NOMEM;
		*n_out = i + 1;
	}
	return GW_BEARER_OK;
}

/* A userdata value as join's text: strings as they are, numbers and booleans as JSON writes them. */
static enum gw_bearer_status scalar_text(json_t *v, char **out)
{
	char tmp[64];

	if (json_is_string(v))
		*out = strdup(json_string_value(v));
	else if (json_is_integer(v))
		*out = snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v)) >
				       0
			       ? strdup(tmp)
			       : NULL;
	else if (json_is_real(v))
		*out = snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(v)) > 0 ? strdup(tmp)
										   : NULL;
	else if (json_is_boolean(v))
		*out = strdup(json_is_true(v) ? "true" : "false");
	else
		return GW_BEARER_INVALID;
	return *out != NULL ? GW_BEARER_OK : GW_BEARER_NOMEM;
}

static enum gw_bearer_status parse_userdata(json_t *ud, struct gw_token_claims *c)
{
	size_t n = json_object_size(ud);
	enum gw_bearer_status st;
	const char *key;
	json_t *v;

	if (!json_is_object(ud) || n > MAX_USERDATA)
		return GW_BEARER_INVALID;
	json_object_foreach (ud, key, v) {
		if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v))
			return GW_BEARER_INVALID;
	}
	c->userdata_keys = calloc(n > 0 ? n : 1, sizeof(char *));
	c->userdata_values = calloc(n > 0 ? n : 1, sizeof(char *));
	if (c->userdata_keys == NULL || c->userdata_values == NULL)
		return GW_BEARER_NOMEM;
	json_object_foreach (ud, key, v) {
		/* counted before the strings so that a failure frees what was made */
		size_t i = c->n_userdata++;

		c->userdata_keys[i] = strdup(key);
		if (c->userdata_keys[i] == NULL)
			return GW_BEARER_NOMEM;
		st = scalar_text(v, &c->userdata_values[i]);
		if (st != GW_BEARER_OK)
			return st;
	}
	return GW_BEARER_OK;
}

/* bbb.role, bbb.fullName, bbb.avatarURL. */
static enum gw_bearer_status parse_join_values(json_t *bbb, struct gw_token_claims *c,
					       const char **why)
{
	json_t *role = json_object_get(bbb, "role");
	enum gw_bearer_status st;
	bool bad;

	if (role != NULL) {
		const char *r = json_is_string(role) ? json_string_value(role) : "";

		if (strcmp(r, "MODERATOR") == 0)
			c->role = GW_ROLE_MODERATOR;
		else if (strcmp(r, "VIEWER") != 0)
			INVALID("The token's bbb.role claim is not VIEWER or MODERATOR");
	}
	st = opt_string(bbb, "fullName", GW_BEARER_MAX_TOKEN_BYTES, &c->full_name, &bad);
	if (bad)
		INVALID("The token's bbb.fullName claim is not a non-empty string");
	if (st != GW_BEARER_OK)
		return st;
	st = opt_string(bbb, "avatarURL", GW_BEARER_MAX_TOKEN_BYTES, &c->avatar_url, &bad);
	if (bad)
		INVALID("The token's bbb.avatarURL claim is not a non-empty string");
	return st;
}

static enum gw_bearer_status parse_bbb(json_t *payload, const struct gw_issuer *iss,
				       struct gw_token *tok, const char **why)
{
	json_t *bbb = json_object_get(payload, "bbb");
	struct gw_token_claims *c = tok->claims;
	enum gw_bearer_status st;
	json_t *v;

	c->role = GW_ROLE_VIEWER;
	if (bbb != NULL && !json_is_object(bbb))
		INVALID("The token's bbb claim is not an object");
	v = bbb != NULL ? json_object_get(bbb, "meetings") : NULL;
	c->any_meeting = v == NULL;
	if (v == NULL && !iss->any_meeting)
		INVALID("The token's bbb.meetings claim is required by its issuer");
	if (v != NULL) {
		st = strv(v, MAX_MEETINGS, MAX_MEETING_LEN, false, meeting_ok, &c->meetings,
			  &c->n_meetings);
		if (st == GW_BEARER_INVALID)
			INVALID("The token's bbb.meetings claim is not a list of meeting IDs");
		if (st != GW_BEARER_OK)
			return st;
	}
	if (bbb == NULL)
		return GW_BEARER_OK;
	st = parse_join_values(bbb, c, why);
	if (st != GW_BEARER_OK)
		return st;
	v = json_object_get(bbb, "userdata");
	st = v != NULL ? parse_userdata(v, c) : GW_BEARER_OK;
	if (st == GW_BEARER_INVALID)
		INVALID("The token's bbb.userdata claim is not an object of strings, numbers or "
			"booleans");
	if (st != GW_BEARER_OK)
		return st;
	v = json_object_get(bbb, "origins");
	st = v != NULL ? strv(v, GW_MAX_CORS_ORIGINS, MAX_ORIGIN_LEN, true, origin_ok,
			      &tok->origins, &tok->n_origins)
		       : GW_BEARER_OK;
	if (st == GW_BEARER_INVALID)
		INVALID("The token's bbb.origins claim is not a list of origins");
	return st;
}

/*
 * "<iss>:<sub>", "<iss>:<jti>" or "<iss>:": the name rate limits use. The
 * ':' keeps it apart from every static token's name (which has none).
 */
static char *token_name(const struct gw_token_claims *c)
{
	const char *who = c->sub != NULL ? c->sub : c->jti != NULL ? c->jti : "";
	size_t n = strlen(c->iss) + 1 + strlen(who) + 1;
	char *name = malloc(n);

	if (name != NULL)
		snprintf(name, n, "%s:%s", c->iss, who);
	return name;
}

/*
 * Everything after the claims' checks: names, copies of the issuer's
 * values. The tenant is the issuer's; a token the gateway minted carries
 * its minting caller's as bbb.tenant.
 */
static enum gw_bearer_status finish(json_t *payload, struct gw_token *tok,
				    const struct gw_issuer *iss)
{
	struct gw_token_claims *c = tok->claims;
	const char *tenant = iss->tenant;

	if (iss->tenant_claim)
		tenant = json_string_value(json_object_get(json_object_get(payload, "bbb"), "tenan"
											    "t"));
	c->iss = strdup(iss->name);
	if (c->iss == NULL)
		return GW_BEARER_NOMEM;
	if (tenant != NULL) {
		c->tenant = strdup(tenant);
		if (c->tenant == NULL)
			return GW_BEARER_NOMEM;
	}
	tok->name = token_name(c);
	if (tok->name == NULL)
		return GW_BEARER_NOMEM;
	tok->rate_per_s = iss->rate_per_s;
	tok->burst = iss->burst;
	return GW_BEARER_OK;
}

enum gw_bearer_status gw_bearer_claims(json_t *payload, const struct gw_issuer *iss,
				       const struct gw_bearer_rules *rules, struct gw_token **out,
				       const char **why)
{
	struct gw_token *tok = calloc(1, sizeof(*tok));
	enum gw_bearer_status st;

	if (tok != NULL)
		tok->claims = calloc(1, sizeof(*tok->claims));
	if (tok == NULL || tok->claims == NULL) {
		free(tok);
		*why = "Out of memory";
		return GW_BEARER_NOMEM;
	}
	atomic_init(&tok->refs, 1);
	st = check_audience(payload, rules->audience, why);
	if (st == GW_BEARER_OK)
		st = check_times(payload, iss, rules, tok, why);
	if (st == GW_BEARER_OK)
		st = parse_ids(payload, tok->claims, why);
	if (st == GW_BEARER_OK)
		st = parse_scope(payload, iss->scopes, &tok->scopes, why);
	if (st == GW_BEARER_OK)
		st = parse_bbb(payload, iss, tok, why);
	if (st == GW_BEARER_OK)
		st = finish(payload, tok, iss);
	if (st == GW_BEARER_NOMEM)
		*why = "Out of memory";
	if (st != GW_BEARER_OK) {
		gw_token_unref(tok);
		return st;
	}
	*out = tok;
	return GW_BEARER_OK;
}
