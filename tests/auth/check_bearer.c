/*
 * check_bearer.c - the verifier of Authorization headers: static "bgw_"
 * tokens through the table lookup, and JWTs signed by OpenSSL directly
 * (bearerfix.c, jwtutil.c) against a table of good and bad tokens covering
 * each rule (algs, keys and kids, times and leeway, lifetime, audience,
 * scopes, bbb claims, header checks), strict base64url and shapes, sizes,
 * header forms, and the token built from the claims.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bearerfix.h"
#include "testutil.h"

struct row {
	const char *what;
	const char *header;
	const char *payload;
	enum jt_alg alg;
	enum key key;
	enum gw_bearer_status want;
	const char *why; /* the exact reason; NULL for OK */
};

#define OK GW_BEARER_OK, NULL
#define BAD(why) GW_BEARER_INVALID, why

static const struct row rows[] = {
	/* algorithms and keys */
	{"HS256", H256, LMS, JT_HS256, K_LMS, OK},
	{"HS384", H384, ISS("lms384"), JT_HS384, K_LMS,
	 BAD("The token's bbb.meetings claim is required by its issuer")},
	{"HS384 bound", H384,
	 "{'iss':'lms384','aud':'bbb-gateway'," TIMES ",'bbb':{'meetings':['m*']}}", JT_HS384,
	 K_LMS, OK},
	{"HS512 bound", H512,
	 "{'iss':'lms512','aud':'bbb-gateway'," TIMES ",'bbb':{'meetings':['m1','m2']}}", JT_HS512,
	 K_LMS, OK},
	{"RS256 kid k1", RS_K1, ISS("portal"), JT_RS256, K_RSA, OK},
	{"RS256 kid k2 picks the second key", RS_K2, ISS("portal"), JT_RS256, K_RSA2, OK},
	{"RS256 kid k1 signed by k2's key", RS_K1, ISS("portal"), JT_RS256, K_RSA2,
	 BAD("The token's signature is not valid")},
	{"RS256 unknown kid", "{'alg':'RS256','kid':'k9'}", ISS("portal"), JT_RS256, K_RSA,
	 BAD("The token's key id is not known")},
	{"RS256 no kid tries each key (k2's)", "{'alg':'RS256'}", ISS("portal"), JT_RS256, K_RSA2,
	 OK},
	{"RS256 signed by a key not configured", RS_K1, ISS("portal"), JT_RS256, K_EC,
	 BAD("The token's signature is not valid")},
	{"kid on an issuer without kids", "{'alg':'HS256','kid':'x'}", LMS, JT_HS256, K_LMS,
	 BAD("The token's key id is not known")},
	{"ES256", ES, ISS("edge"), JT_ES256, K_EC, OK},
	{"ES256 other key", ES, ISS("edge"), JT_ES256, K_EC2,
	 BAD("The token's signature is not valid")},
	{"ES256 DER signature", ES, ISS("edge"), JT_ES256_DER, K_EC,
	 BAD("The token's signature is not valid")},
	{"two keys without kid: first", H256, ISS("rot"), JT_HS256, K_ROT_A, OK},
	{"two keys without kid: second", H256, ISS("rot"), JT_HS256, K_ROT_B, OK},
	{"two keys without kid: neither", H256, ISS("rot"), JT_HS256, K_LMS,
	 BAD("The token's signature is not valid")},
	{"HS256 wrong secret", H256, LMS, JT_HS256, K_OTHER,
	 BAD("The token's signature is not valid")},
	{"minting key", H256, ISS("bbb-gateway"), JT_HS256, K_MINT, OK},
	{"minting issuer, other key", H256, ISS("bbb-gateway"), JT_HS256, K_LMS,
	 BAD("The token's signature is not valid")},
	/* alg none and confusion */
	{"alg none", "{'alg':'none'}", LMS, JT_NONE, K_NONE, BAD("The token has an empty part")},
	{"alg None with a signature", "{'alg':'None'}", LMS, JT_HS256, K_LMS,
	 BAD("The token is not signed")},
	{"HS256 keyed with the RS256 issuer's PEM", "{'alg':'HS256','kid':'k1'}", ISS("portal"),
	 JT_HS256, K_RSA_PEM_HMAC, BAD("The token's alg does not match its issuer")},
	{"HS256 keyed with the ES256 issuer's PEM", H256, ISS("edge"), JT_HS256, K_EC_PEM_HMAC,
	 BAD("The token's alg does not match its issuer")},
	{"RS384 for an RS256 issuer", "{'alg':'RS384','kid':'k1'}", ISS("portal"), JT_RS256, K_RSA,
	 BAD("The token's alg does not match its issuer")},
	{"HS256 for an RS256 issuer", "{'alg':'HS256','kid':'k1'}", ISS("portal"), JT_HS256, K_LMS,
	 BAD("The token's alg does not match its issuer")},
	{"HS384 for an HS256 issuer", H384, LMS, JT_HS384, K_LMS,
	 BAD("The token's alg does not match its issuer")},
	{"alg in lower case", "{'alg':'hs256'}", LMS, JT_HS256, K_LMS,
	 BAD("The token's alg does not match its issuer")},
	{"alg not a string", "{'alg':256}", LMS, JT_HS256, K_LMS,
	 BAD("The token's header has no alg")},
	{"no alg", "{'typ':'JWT'}", LMS, JT_HS256, K_LMS, BAD("The token's header has no alg")},
	/* header */
	{"typ jwt, any case", "{'alg':'HS256','typ':'jwt'}", LMS, JT_HS256, K_LMS, OK},
	{"typ JWS", "{'alg':'HS256','typ':'JWS'}", LMS, JT_HS256, K_LMS,
	 BAD("The token's typ is not JWT")},
	{"crit", "{'alg':'HS256','crit':['exp']}", LMS, JT_HS256, K_LMS,
	 BAD("The token has critical header parameters")},
	{"kid a number", "{'alg':'HS256','kid':1}", LMS, JT_HS256, K_LMS,
	 BAD("The token's kid is not a string")},
	{"header an array", "['HS256']", LMS, JT_HS256, K_LMS,
	 BAD("The token's header is not a JSON object")},
	{"header not JSON", "{alg:HS256}", LMS, JT_HS256, K_LMS,
	 BAD("The token's header is not a JSON object")},
	{"header duplicate key", "{'alg':'HS256','alg':'HS256'}", LMS, JT_HS256, K_LMS,
	 BAD("The token's header is not a JSON object")},
	{"payload duplicate key", H256,
	 "{'iss':'lms','iss':'lms','aud':'bbb-gateway'," TIMES ",'bbb':{'meetings':['m1']}}",
	 JT_HS256, K_LMS, BAD("The token's payload is not a JSON object")},
	{"payload an array", H256, "['lms']", JT_HS256, K_LMS,
	 BAD("The token's payload is not a JSON object")},
	{"payload trailing text", H256, LMS " x", JT_HS256, K_LMS,
	 BAD("The token's payload is not a JSON object")},
	/* iss, aud */
	{"no iss", H256, "{'aud':'bbb-gateway'," TIMES "}", JT_HS256, K_LMS,
	 BAD("The token has no iss claim")},
	{"iss not a string", H256, "{'iss':['lms'],'aud':'bbb-gateway'," TIMES "}", JT_HS256, K_LMS,
	 BAD("The token has no iss claim")},
	{"unknown iss", H256, ISS("nobody"), JT_HS256, K_LMS,
	 BAD("The token's issuer is not known")},
	{"no aud", H256, "{'iss':'lms'," TIMES ",'bbb':{'meetings':['m1']}}", JT_HS256, K_LMS,
	 BAD("The token has no aud claim")},
	{"wrong aud", H256, "{'iss':'lms','aud':'other'," TIMES ",'bbb':{'meetings':['m1']}}",
	 JT_HS256, K_LMS, BAD("The token's audience is not accepted")},
	{"aud array with ours", H256,
	 "{'iss':'lms','aud':['x','bbb-gateway'],'bbb':{'meetings':['m1']}," TIMES "}", JT_HS256,
	 K_LMS, OK},
	{"aud array without ours", H256,
	 "{'iss':'lms','aud':['x','y'],'bbb':{'meetings':['m1']}," TIMES "}", JT_HS256, K_LMS,
	 BAD("The token's audience is not accepted")},
	{"aud empty array", H256, "{'iss':'lms','aud':[],'bbb':{'meetings':['m1']}," TIMES "}",
	 JT_HS256, K_LMS, BAD("The token's audience is not accepted")},
	{"aud a number", H256, "{'iss':'lms','aud':1,'bbb':{'meetings':['m1']}," TIMES "}",
	 JT_HS256, K_LMS, BAD("The token's aud claim is not a string or a list of strings")},
	{"aud array with a number", H256,
	 "{'iss':'lms','aud':['bbb-gateway',1],'bbb':{'meetings':['m1']}," TIMES "}", JT_HS256,
	 K_LMS, BAD("The token's aud claim is not a string or a list of strings")},
	/* times (NOW = 1800000000, leeway 30, max_ttl_s 3600) */
	{"no exp", H256, "{'iss':'lms','aud':'bbb-gateway','bbb':{'meetings':['m1']}}", JT_HS256,
	 K_LMS, BAD("The token has no exp claim")},
	{"exp a string", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':'1800000600','bbb':{'meetings':['m1']}}", JT_HS256,
	 K_LMS, BAD("The token's exp claim is not a valid time")},
	{"exp negative", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':-1,'bbb':{'meetings':['m1']}}", JT_HS256, K_LMS,
	 BAD("The token's exp claim is not a valid time")},
	{"exp past year 9999", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':9223372036854775807,'bbb':{'meetings':['m1']}}",
	 JT_HS256, K_LMS, BAD("The token's exp claim is not a valid time")},
	{"exp with a fraction", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1800000600.75,'bbb':{'meetings':['m1']}}",
	 JT_HS256, K_LMS, OK},
	{"expired", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1799999900,'bbb':{'meetings':['m1']}}", JT_HS256,
	 K_LMS, GW_BEARER_EXPIRED, "The token has expired"},
	{"expired at exp + leeway", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1799999970,'bbb':{'meetings':['m1']}}", JT_HS256,
	 K_LMS, GW_BEARER_EXPIRED, "The token has expired"},
	{"expired within the leeway", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1799999971,'bbb':{'meetings':['m1']}}", JT_HS256,
	 K_LMS, OK},
	{"nbf beyond the leeway", H256, LMS_WITH("'nbf':1800000031"), JT_HS256, K_LMS,
	 GW_BEARER_NOT_YET_VALID, "The token is not valid yet"},
	{"nbf within the leeway", H256, LMS_WITH("'nbf':1800000030"), JT_HS256, K_LMS, OK},
	{"nbf a fraction beyond the leeway", H256, LMS_WITH("'nbf':1800000030.5"), JT_HS256, K_LMS,
	 GW_BEARER_NOT_YET_VALID, "The token is not valid yet"},
	{"nbf not a number", H256, LMS_WITH("'nbf':true"), JT_HS256, K_LMS,
	 BAD("The token's nbf claim is not a valid time")},
	{"iat in the future", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1800000600,'iat':1800000031,"
	 "'bbb':{'meetings':['m1']}}",
	 JT_HS256, K_LMS, BAD("The token's iat claim is in the future")},
	{"iat within the leeway", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1800000600,'iat':1800000030,"
	 "'bbb':{'meetings':['m1']}}",
	 JT_HS256, K_LMS, OK},
	{"iat not a number", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1800000600,'iat':'now',"
	 "'bbb':{'meetings':['m1']}}",
	 JT_HS256, K_LMS, BAD("The token's iat claim is not a valid time")},
	{"lifetime exp - iat over max_ttl_s", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1800003601,'iat':1800000000,"
	 "'bbb':{'meetings':['m1']}}",
	 JT_HS256, K_LMS, BAD("The token's lifetime exceeds its issuer's max_ttl_s")},
	{"lifetime exp - iat at max_ttl_s", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1800003600,'iat':1800000000,"
	 "'bbb':{'meetings':['m1']}}",
	 JT_HS256, K_LMS, OK},
	{"lifetime from an old iat", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1800000600,'iat':1799990000,"
	 "'bbb':{'meetings':['m1']}}",
	 JT_HS256, K_LMS, BAD("The token's lifetime exceeds its issuer's max_ttl_s")},
	{"lifetime exp - now over max_ttl_s", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1800003601,'bbb':{'meetings':['m1']}}", JT_HS256,
	 K_LMS, BAD("The token's lifetime exceeds its issuer's max_ttl_s")},
	{"lifetime exp - now at max_ttl_s", H256,
	 "{'iss':'lms','aud':'bbb-gateway','exp':1800003600,'bbb':{'meetings':['m1']}}", JT_HS256,
	 K_LMS, OK},
	/* jti, sub */
	{"jti of 128 bytes", H256,
	 LMS_WITH("'jti':'0123456789012345678901234567890123456789012345678901234567890123"
		  "0123456789012345678901234567890123456789012345678901234567890123'"),
	 JT_HS256, K_LMS, OK},
	{"jti of 129 bytes", H256,
	 LMS_WITH("'jti':'0123456789012345678901234567890123456789012345678901234567890123"
		  "01234567890123456789012345678901234567890123456789012345678901234'"),
	 JT_HS256, K_LMS, BAD("The token's jti claim is not a string of 1 to 128 bytes")},
	{"jti a number", H256, LMS_WITH("'jti':7"), JT_HS256, K_LMS,
	 BAD("The token's jti claim is not a string of 1 to 128 bytes")},
	{"sub empty", H256, LMS_BBB("{'meetings':['m1']},'sub':''"), JT_HS256, K_LMS,
	 BAD("The token's sub claim is not a string of 1 to 256 bytes")},
	/* scope */
	{"scope within the issuer's", H256, LMS_WITH("'scope':'meetings:read events:read'"),
	 JT_HS256, K_LMS, OK},
	{"scope beyond the issuer's", H256, LMS_WITH("'scope':'meetings:read meetings:create'"),
	 JT_HS256, K_LMS, BAD("The token's scope exceeds what its issuer allows")},
	{"scope *", H256, LMS_WITH("'scope':'*'"), JT_HS256, K_LMS, OK},
	{"scope tokens:mint, issuer without it", H256, LMS_WITH("'scope':'tokens:mint'"), JT_HS256,
	 K_LMS, BAD("The token's scope exceeds what its issuer allows")},
	{"scope tokens:mint from the minting key", H256,
	 "{'iss':'bbb-gateway','aud':'bbb-gateway'," TIMES ",'scope':'tokens:mint'}", JT_HS256,
	 K_MINT, BAD("The token's scope exceeds what its issuer allows")},
	{"scope tokens:mint, issuer with it", H256,
	 "{'iss':'admin','aud':'bbb-gateway'," TIMES ",'scope':'tokens:mint'}", JT_HS256, K_LMS,
	 OK},
	{"scope unknown", H256, LMS_WITH("'scope':'meetings:read bogus'"), JT_HS256, K_LMS,
	 BAD("The token's scope claim names an unknown scope")},
	{"scope a list", H256, LMS_WITH("'scope':['meetings:read']"), JT_HS256, K_LMS,
	 BAD("The token's scope claim is not a string")},
	/* bbb */
	{"no bbb, issuer needs meetings", H256, ISS("lms"), JT_HS256, K_LMS,
	 BAD("The token's bbb.meetings claim is required by its issuer")},
	{"bbb without meetings", H256, LMS_BBB("{'role':'VIEWER'}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.meetings claim is required by its issuer")},
	{"no bbb, any_meeting issuer", H256, ISS("rot"), JT_HS256, K_ROT_A, OK},
	{"bbb not an object", H256, LMS_BBB("['m1']"), JT_HS256, K_LMS,
	 BAD("The token's bbb claim is not an object")},
	{"meetings not a list", H256, LMS_BBB("{'meetings':'m1'}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.meetings claim is not a list of meeting IDs")},
	{"meetings with an empty ID", H256, LMS_BBB("{'meetings':['m1','']}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.meetings claim is not a list of meeting IDs")},
	{"meetings with * inside", H256, LMS_BBB("{'meetings':['a*b']}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.meetings claim is not a list of meeting IDs")},
	{"meetings with a number", H256, LMS_BBB("{'meetings':[1]}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.meetings claim is not a list of meeting IDs")},
	{"role MODERATOR", H256, LMS_BBB("{'meetings':['m1'],'role':'MODERATOR'}"), JT_HS256, K_LMS,
	 OK},
	{"role unknown", H256, LMS_BBB("{'meetings':['m1'],'role':'ADMIN'}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.role claim is not VIEWER or MODERATOR")},
	{"role in lower case", H256, LMS_BBB("{'meetings':['m1'],'role':'moderator'}"), JT_HS256,
	 K_LMS, BAD("The token's bbb.role claim is not VIEWER or MODERATOR")},
	{"fullName a number", H256, LMS_BBB("{'meetings':['m1'],'fullName':1}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.fullName claim is not a non-empty string")},
	{"avatarURL a list", H256, LMS_BBB("{'meetings':['m1'],'avatarURL':[]}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.avatarURL claim is not a non-empty string")},
	{"userdata nested object", H256, LMS_BBB("{'meetings':['m1'],'userdata':{'a':{'b':1}}}"),
	 JT_HS256, K_LMS,
	 BAD("The token's bbb.userdata claim is not an object of strings, numbers or booleans")},
	{"userdata nested list", H256, LMS_BBB("{'meetings':['m1'],'userdata':{'a':[1]}}"),
	 JT_HS256, K_LMS,
	 BAD("The token's bbb.userdata claim is not an object of strings, numbers or booleans")},
	{"userdata null", H256, LMS_BBB("{'meetings':['m1'],'userdata':{'a':null}}"), JT_HS256,
	 K_LMS,
	 BAD("The token's bbb.userdata claim is not an object of strings, numbers or booleans")},
	{"userdata a string", H256, LMS_BBB("{'meetings':['m1'],'userdata':'a'}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.userdata claim is not an object of strings, numbers or booleans")},
	{"origins empty", H256, LMS_BBB("{'meetings':['m1'],'origins':[]}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.origins claim is not a list of origins")},
	{"origins wildcard", H256, LMS_BBB("{'meetings':['m1'],'origins':['*']}"), JT_HS256, K_LMS,
	 BAD("The token's bbb.origins claim is not a list of origins")},
	{"origins with a space", H256, LMS_BBB("{'meetings':['m1'],'origins':['https://a b']}"),
	 JT_HS256, K_LMS, BAD("The token's bbb.origins claim is not a list of origins")},
	{"unknown claims ignored", H256, LMS_WITH("'x':{'y':[1,2]},'bbb2':1"), JT_HS256, K_LMS, OK},
};

START_TEST(test_bearer_table)
{
	const struct row *r = &rows[_i];
	char *token = make(r->header, r->payload, r->alg, r->key);
	const char *why = NULL;
	enum gw_bearer_status st = status_of(token, &why);

	ck_assert_msg(st == r->want, "%s: status %d, want %d (%s)", r->what, st, r->want,
		      why != NULL ? why : "-");
	if (r->why != NULL)
		ck_assert_msg(strcmp(why, r->why) == 0, "%s: why '%s', want '%s'", r->what, why,
			      r->why);
	free(token);
}
END_TEST

/* The three parts of a token as copies. */
struct parts {
	char *h, *p, *s;
};

static struct parts split(const char *t)
{
	const char *d1 = strchr(t, '.');
	const char *d2 = strrchr(t, '.');
	struct parts x;

	x.h = strndup(t, (size_t)(d1 - t));
	x.p = strndup(d1 + 1, (size_t)(d2 - d1 - 1));
	x.s = gw_test_strdup(d2 + 1);
	return x;
}

static void parts_free(struct parts *x)
{
	free(x->h);
	free(x->p);
	free(x->s);
}

/* a "." b, HS256-signed with the lms secret. */
static char *sign2(const char *a, const char *b)
{
	size_t na = strlen(a);
	size_t nb = strlen(b);
	char *in = malloc(na + nb + 2);
	char *t;

	ck_assert_ptr_nonnull(in);
	memcpy(in, a, na);
	in[na] = '.';
	memcpy(in + na + 1, b, nb + 1);
	t = jt_sign(in, JT_HS256, LMS_SECRET, strlen(LMS_SECRET), NULL);
	free(in);
	return t;
}

/* Base64 with '+' '/' and padding for bytes whose base64url has '-' or '_'. */
static char *std_b64(const char *b64url)
{
	char *s = malloc(strlen(b64url) + 3);
	size_t n = 0;

	for (const char *p = b64url; *p != '\0'; p++)
		s[n++] = *p == '-' ? '+' : *p == '_' ? '/' : *p;
	while (n % 4 != 0)
		s[n++] = '=';
	s[n] = '\0';
	return s;
}

/*
 * Odd encodings carrying good signatures over their own text: a lenient
 * decoder would accept each of them; the verifier must not.
 */
START_TEST(test_bearer_strict_base64url)
{
	/* 28 bytes: the base64url ends with a character holding 4 unused bits */
	char *hj = dq("{'alg':'HS256','typ':'JWT' }");
	char *pj = dq(LMS);
	char *h = jt_b64url(hj, strlen(hj));
	char *p = jt_b64url(pj, strlen(pj));
	char *good = sign2(h, p);
	char *cases[8];
	size_t hl = strlen(h);
	const char *why = NULL;
	char *tmp;

	ck_assert_uint_eq(hl % 4, 2);
	ck_assert_int_eq(status_of(good, &why), GW_BEARER_OK);
	/* padding */
	tmp = malloc(hl + 3);
	memcpy(tmp, h, hl);
	memcpy(tmp + hl, "==", 3);
	cases[0] = sign2(tmp, p);
	/* non-canonical trailing bits: 'w' (48) -> 'x' (49) decodes to the same bytes */
	ck_assert_int_eq(h[hl - 1], 'Q');
	tmp[hl - 1] = 'R';
	tmp[hl] = '\0';
	cases[1] = sign2(tmp, p);
	free(tmp);
	/* '+' and '/' with padding (standard base64) */
	tmp = std_b64(p);
	cases[2] = sign2(h, tmp);
	free(tmp);
	/* whitespace inside a part */
	tmp = malloc(hl + 2);
	memcpy(tmp, h, 4);
	tmp[4] = ' ';
	memcpy(tmp + 5, h + 4, hl - 4 + 1);
	cases[3] = sign2(tmp, p);
	tmp[4] = '\t';
	cases[4] = sign2(tmp, p);
	free(tmp);
	/* empty header and payload parts */
	cases[5] = sign2("", p);
	cases[6] = sign2(h, "");
	cases[7] = NULL;
	for (size_t i = 0; cases[i] != NULL; i++) {
		ck_assert_msg(status_of(cases[i], &why) == GW_BEARER_INVALID, "case %zu: %s", i,
			      why);
		free(cases[i]);
	}
	free(hj);
	free(pj);
	free(h);
	free(p);
	free(good);
}
END_TEST

START_TEST(test_bearer_standard_base64_payload_refused)
{
	/* a payload whose base64url has '-' or '_', so that its base64 differs */
	char *t = make(H256, LMS_WITH("'fullName':'\\u00ff\\u00ff\\u00ff~~~>>>'"), JT_HS256, K_LMS);
	struct parts x = split(t);
	const char *why = NULL;
	char *std = std_b64(x.p);
	char *bad = sign2(x.h, std);

	ck_assert_int_eq(status_of(t, &why), GW_BEARER_OK);
	ck_assert_str_ne(std, x.p);
	ck_assert_int_eq(status_of(bad, &why), GW_BEARER_INVALID);
	ck_assert_str_eq(why, "The token's payload is not base64url");
	free(t);
	free(std);
	free(bad);
	parts_free(&x);
}
END_TEST

START_TEST(test_bearer_shapes)
{
	char *t = make(H256, LMS, JT_HS256, K_LMS);
	struct parts x = split(t);
	char buf[512];
	const char *why = NULL;

	snprintf(buf, sizeof(buf), "%s.%s", x.h, x.p);
	ck_assert_int_eq(status_of(buf, &why), GW_BEARER_INVALID);
	ck_assert_str_eq(why, "The token is not a JWT of three parts");
	snprintf(buf, sizeof(buf), "%s.%s.%s.%s.%s", x.h, x.p, x.s, x.p, x.s);
	ck_assert_int_eq(status_of(buf, &why), GW_BEARER_INVALID);
	ck_assert_str_eq(why, "The token is not a JWT of three parts");
	snprintf(buf, sizeof(buf), "%s.%s.", x.h, x.p);
	ck_assert_int_eq(status_of(buf, &why), GW_BEARER_INVALID);
	ck_assert_str_eq(why, "The token has an empty part");
	snprintf(buf, sizeof(buf), "%s..%s", x.h, x.s);
	ck_assert_int_eq(status_of(buf, &why), GW_BEARER_INVALID);
	snprintf(buf, sizeof(buf), ".%s.%s", x.p, x.s);
	ck_assert_int_eq(status_of(buf, &why), GW_BEARER_INVALID);
	ck_assert_int_eq(status_of("..", &why), GW_BEARER_INVALID);
	/* a token with no dot is neither kind: unknown, like a wrong static token */
	ck_assert_int_eq(status_of("opaque-token-without-dots", &why), GW_BEARER_UNKNOWN);
	ck_assert_ptr_null(gw_bearer_status_code(GW_BEARER_UNKNOWN));
	/* the signature part checked strictly too */
	snprintf(buf, sizeof(buf), "%s.%s.%s=", x.h, x.p, x.s);
	ck_assert_int_eq(status_of(buf, &why), GW_BEARER_INVALID);
	ck_assert_str_eq(why, "The token's signature is not valid");
	free(t);
	parts_free(&x);
}
END_TEST

START_TEST(test_bearer_tampered_payload)
{
	char *t = make(H256, LMS, JT_HS256, K_LMS);
	char *u = make(H256, LMS_BBB("{'meetings':['*'],'role':'MODERATOR'}"), JT_HS256, K_OTHER);
	struct parts a = split(t);
	struct parts b = split(u);
	char buf[1024];
	const char *why = NULL;

	/* another payload under the original signature */
	snprintf(buf, sizeof(buf), "%s.%s.%s", a.h, b.p, a.s);
	ck_assert_int_eq(status_of(buf, &why), GW_BEARER_INVALID);
	ck_assert_str_eq(why, "The token's signature is not valid");
	/* one character of the payload changed */
	snprintf(buf, sizeof(buf), "%s.%s.%s", a.h, a.p, a.s);
	buf[strlen(a.h) + 5] = buf[strlen(a.h) + 5] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(status_of(buf, &why), GW_BEARER_INVALID);
	free(t);
	free(u);
	parts_free(&a);
	parts_free(&b);
}
END_TEST

START_TEST(test_bearer_oversized_without_parsing)
{
	size_t n = GW_BEARER_MAX_TOKEN_BYTES + 1;
	char *big = malloc(n + 1);
	const char *why = NULL;

	/* not even valid base64url: only the size is looked at */
	memset(big, '!', n);
	big[100] = '.';
	big[200] = '.';
	big[n] = '\0';
	ck_assert_int_eq(status_of(big, &why), GW_BEARER_INVALID);
	ck_assert_str_eq(why, "The token is longer than 8 KiB");
	/* no dot at all: still refused by its size */
	memset(big, 'A', n);
	ck_assert_int_eq(status_of(big, &why), GW_BEARER_INVALID);
	ck_assert_str_eq(why, "The token is longer than 8 KiB");
	/* 8 KiB exactly is parsed */
	big[GW_BEARER_MAX_TOKEN_BYTES] = '\0';
	big[100] = '.';
	big[200] = '.';
	ck_assert_int_eq(status_of(big, &why), GW_BEARER_INVALID);
	ck_assert_str_ne(why, "The token is longer than 8 KiB");
	free(big);
}
END_TEST

/* A good lms token of at most the limit, padded with a long fullName. */
START_TEST(test_bearer_large_good_token)
{
	char payload[8192];
	char name[5000];
	const char *why = NULL;
	char *t;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(payload, sizeof(payload), LMS_BBB("{'meetings':['m1'],'fullName':'%s'}"), name);
	t = make(H256, payload, JT_HS256, K_LMS);
	ck_assert_uint_le(strlen(t), GW_BEARER_MAX_TOKEN_BYTES);
	ck_assert_int_eq(status_of(t, &why), GW_BEARER_OK);
	free(t);
}
END_TEST

START_TEST(test_bearer_header_forms)
{
	char *t = make(H256, LMS, JT_HS256, K_LMS);
	char h[1024];
	const struct gw_token *tok = NULL;
	const char *why = NULL;

	ck_assert_int_eq(gw_bearer_authenticate(bt_bearer, bt_cfg, NULL, NOW, &tok, &why),
			 GW_BEARER_MISSING);
	ck_assert_str_eq(why, "A bearer token is required");
	ck_assert_int_eq(gw_bearer_authenticate(bt_bearer, bt_cfg, "Basic dXNlcjpwYXNz", NOW, &tok,
						&why),
			 GW_BEARER_MISSING);
	ck_assert_int_eq(gw_bearer_authenticate(bt_bearer, bt_cfg, "Bearer", NOW, &tok, &why),
			 GW_BEARER_MISSING);
	ck_assert_int_eq(gw_bearer_authenticate(bt_bearer, bt_cfg, "Bearer    ", NOW, &tok, &why),
			 GW_BEARER_MISSING);
	ck_assert_int_eq(gw_bearer_authenticate(bt_bearer, bt_cfg, "Bearerx a.b.c", NOW, &tok,
						&why),
			 GW_BEARER_MISSING);
	ck_assert_ptr_null(gw_bearer_status_code(GW_BEARER_MISSING));
	snprintf(h, sizeof(h), "bEARER   %s  ", t);
	ck_assert_int_eq(gw_bearer_authenticate(bt_bearer, bt_cfg, h, NOW, &tok, &why),
			 GW_BEARER_OK);
	ck_assert_ptr_nonnull(tok);
	gw_token_unref(tok);
	snprintf(h, sizeof(h), "Bearer %s junk", t);
	ck_assert_int_eq(gw_bearer_authenticate(bt_bearer, bt_cfg, h, NOW, &tok, &why),
			 GW_BEARER_INVALID);
	ck_assert_ptr_null(tok);
	free(t);
}
END_TEST

START_TEST(test_bearer_static_tokens)
{
	const struct gw_token *tok = NULL;
	const char *why = NULL;

	ck_assert_int_eq(auth_at(bt_bearer, STATIC_TOKEN, NOW, &tok, &why), GW_BEARER_OK);
	ck_assert_ptr_eq(tok, &bt_cfg->tokens[0]);
	ck_assert_ptr_null(tok->claims);
	gw_token_unref(tok); /* a no-op for static tokens */
	ck_assert_str_eq(bt_cfg->tokens[0].name, "static");
	ck_assert_int_eq(auth_at(bt_bearer, "bgw_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPX", NOW,
				 &tok, &why),
			 GW_BEARER_UNKNOWN);
	ck_assert_str_eq(why, "The bearer token is not valid");
	/* bgw_ with dots is still a static token */
	ck_assert_int_eq(auth_at(bt_bearer, "bgw_a.b.c", NOW, &tok, &why), GW_BEARER_UNKNOWN);
	/* no cache traffic for static tokens */
	ck_assert_int_eq(auth_at(NULL, STATIC_TOKEN, NOW, &tok, &why), GW_BEARER_OK);
	{
		unsigned long long hits;
		unsigned long long misses;

		gw_bearer_stats(bt_bearer, &hits, &misses);
		ck_assert_uint_eq(hits + misses, 0);
	}
}
END_TEST

START_TEST(test_bearer_token_fields)
{
	char *t = make(H256,
		       "{'iss':'lms','aud':'bbb-gateway','exp':1800000600,'iat':1799999990,"
		       "'nbf':1799999995,'sub':'user-7','jti':'j-1','scope':'meetings:join',"
		       "'bbb':{'meetings':['m1','room-*'],'role':'MODERATOR','fullName':'Ada',"
		       "'avatarURL':'https://a.example/x.png','userdata':{'bbb_a':'x','n':5,"
		       "'r':1.5,'b':true},'origins':['https://app.example']}}",
		       JT_HS256, K_LMS);
	const struct gw_token *tok = NULL;
	const struct gw_token_claims *c;
	const char *why = NULL;
	unsigned char hash[32];

	ck_assert_int_eq(auth_at(bt_bearer, t, NOW, &tok, &why), GW_BEARER_OK);
	c = tok->claims;
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(tok->name, "lms:user-7");
	ck_assert_uint_eq(tok->scopes, GW_SCOPE_MEETINGS_JOIN);
	ck_assert_int_eq(tok->expires_at, 1800000600);
	ck_assert(tok->rate_per_s == 5.0);
	ck_assert_uint_eq(tok->burst, 10);
	ck_assert_uint_eq(tok->n_origins, 1);
	ck_assert_str_eq(tok->origins[0], "https://app.example");
	ck_assert_int_eq(gw_auth_hash_token(t, strlen(t), hash), GW_OK);
	ck_assert_mem_eq(tok->hash, hash, 32);
	ck_assert_str_eq(c->iss, "lms");
	ck_assert_str_eq(c->sub, "user-7");
	ck_assert_str_eq(c->jti, "j-1");
	ck_assert_int_eq(c->iat, 1799999990);
	ck_assert_int_eq(c->nbf, 1799999995);
	ck_assert(!c->any_meeting);
	ck_assert_uint_eq(c->n_meetings, 2);
	ck_assert_str_eq(c->meetings[1], "room-*");
	ck_assert_int_eq(c->role, GW_ROLE_MODERATOR);
	ck_assert_str_eq(c->full_name, "Ada");
	ck_assert_str_eq(c->avatar_url, "https://a.example/x.png");
	ck_assert_uint_eq(c->n_userdata, 4);
	for (size_t i = 0; i < c->n_userdata; i++) {
		const char *k = c->userdata_keys[i];
		const char *v = c->userdata_values[i];

		if (strcmp(k, "bbb_a") == 0)
			ck_assert_str_eq(v, "x");
		else if (strcmp(k, "n") == 0)
			ck_assert_str_eq(v, "5");
		else if (strcmp(k, "r") == 0)
			ck_assert_str_eq(v, "1.5");
		else
			ck_assert_str_eq(v, "true");
	}
	ck_assert_str_eq(c->tenant, "lms");
	ck_assert(gw_token_meeting_allowed(tok, "room-12"));
	ck_assert(!gw_token_meeting_allowed(tok, "m2"));
	gw_token_unref(tok);
	free(t);
}
END_TEST

START_TEST(test_bearer_token_defaults_and_names)
{
	char *a = make(H256, "{'iss':'rot','aud':'bbb-gateway','exp':1800000600,'jti':'J'}",
		       JT_HS256, K_ROT_A);
	char *b =
		make(H256, "{'iss':'rot','aud':'bbb-gateway','exp':1800000600}", JT_HS256, K_ROT_B);
	char *s = make(H256, LMS_WITH("'scope':'*'"), JT_HS256, K_LMS);
	const struct gw_token *tok = NULL;
	const char *why = NULL;

	ck_assert_int_eq(auth_at(bt_bearer, a, NOW, &tok, &why), GW_BEARER_OK);
	ck_assert_str_eq(tok->name, "rot:J");
	ck_assert_uint_eq(tok->scopes, 0); /* no scope claim: no scopes */
	ck_assert(tok->claims->any_meeting);
	ck_assert(!gw_token_meeting_bound(tok));
	ck_assert_int_eq(tok->claims->role, GW_ROLE_VIEWER);
	ck_assert_ptr_null(tok->claims->sub);
	ck_assert_ptr_null(tok->claims->tenant);
	ck_assert_uint_eq(tok->n_origins, 0);
	gw_token_unref(tok);
	ck_assert_int_eq(auth_at(bt_bearer, b, NOW, &tok, &why), GW_BEARER_OK);
	ck_assert_str_eq(tok->name, "rot:"); /* ':' keeps it apart from static names */
	ck_assert_int_eq(tok->claims->iat, 0);
	gw_token_unref(tok);
	ck_assert_int_eq(auth_at(bt_bearer, s, NOW, &tok, &why), GW_BEARER_OK);
	ck_assert_uint_eq(tok->scopes, ISSUER_SCOPES);
	gw_token_unref(tok);
	free(a);
	free(b);
	free(s);
}
END_TEST

START_TEST(test_bearer_status_codes)
{
	ck_assert_str_eq(gw_bearer_status_code(GW_BEARER_INVALID), "token_invalid");
	ck_assert_str_eq(gw_bearer_status_code(GW_BEARER_EXPIRED), "token_expired");
	ck_assert_str_eq(gw_bearer_status_code(GW_BEARER_NOT_YET_VALID), "token_not_yet_valid");
	ck_assert_str_eq(gw_bearer_status_code(GW_BEARER_REVOKED), "token_revoked");
	ck_assert_ptr_null(gw_bearer_status_code(GW_BEARER_OK));
	ck_assert_ptr_null(gw_bearer_status_code(GW_BEARER_NOMEM));
}
END_TEST

/* Reasons never carry the token's content. */
START_TEST(test_bearer_reasons_are_static)
{
	char *t = make(H256, LMS_BBB("{'meetings':['secret-meeting'],'role':'SECRET'}"), JT_HS256,
		       K_LMS);
	const char *why = NULL;

	ck_assert_int_eq(status_of(t, &why), GW_BEARER_INVALID);
	ck_assert_ptr_null(strstr(why, "SECRET"));
	ck_assert_ptr_null(strstr(why, "secret"));
	free(t);
}
END_TEST

static Suite *bearer_suite(void)
{
	Suite *s = suite_create("bearer");
	TCase *tbl = tcase_create("table");
	TCase *shape = tcase_create("shapes");
	TCase *tok = tcase_create("token");
	TCase *all[] = {tbl, shape, tok};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_unchecked_fixture(all[i], keys_setup,
					    i + 1 == sizeof(all) / sizeof(all[0]) ? keys_teardown
										  : NULL);
		tcase_add_checked_fixture(all[i], config_setup, config_teardown);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_loop_test(tbl, test_bearer_table, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(shape, test_bearer_strict_base64url);
	tcase_add_test(shape, test_bearer_standard_base64_payload_refused);
	tcase_add_test(shape, test_bearer_shapes);
	tcase_add_test(shape, test_bearer_tampered_payload);
	tcase_add_test(shape, test_bearer_oversized_without_parsing);
	tcase_add_test(shape, test_bearer_large_good_token);
	tcase_add_test(shape, test_bearer_header_forms);
	tcase_add_test(shape, test_bearer_static_tokens);
	tcase_add_test(tok, test_bearer_token_fields);
	tcase_add_test(tok, test_bearer_token_defaults_and_names);
	tcase_add_test(tok, test_bearer_status_codes);
	tcase_add_test(tok, test_bearer_reasons_are_static);
	return s;
}

GW_TEST_MAIN(bearer_suite)
