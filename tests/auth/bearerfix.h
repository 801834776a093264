/*
 * bearerfix.h - what the verifier's suites share: keys made at test time,
 * a config of issuers for every case (HS256/384/512 with one key, RS256
 * with two kids, ES256, two HS256 keys without kids, one allowing
 * tokens:mint, the minting key, a static token), a verifier with a deny
 * list, and tokens made from readable JSON (' for ") signed by OpenSSL
 * directly (jwtutil.h).
 */
#ifndef GW_TEST_BEARERFIX_H
#define GW_TEST_BEARERFIX_H

#include "bearer.h"
#include "config.h"
#include "jwtutil.h"
#include "revoke.h"

#define NOW 1800000000LL
#define AUD "bbb-gateway"

/* Static token "bgw_" + 43 characters, configured by its hash. */
#define STATIC_TOKEN "bgw_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"

#define LMS_SECRET "lms-secret-0123456789abcdef-0123456789"

#define ISSUER_SCOPES (GW_SCOPE_MEETINGS_READ | GW_SCOPE_MEETINGS_JOIN | GW_SCOPE_EVENTS_READ)
#define MINT_SCOPES (GW_SCOPE_ALL & ~GW_SCOPE_TOKENS_MINT)

/* The fixture's config, deny list and verifier (cache of 100); set by config_setup. */
extern struct gw_config *bt_cfg;
extern struct gw_revoke *bt_revoke;
extern struct gw_bearer *bt_bearer;

/* The signing keys of make(). */
enum key {
	K_LMS,
	K_OTHER,
	K_RSA,
	K_RSA2,
	K_EC,
	K_EC2,
	K_RSA_PEM_HMAC, /* the RS256 issuer's public PEM text as an HMAC key */
	K_EC_PEM_HMAC,
	K_MINT,
	K_ROT_A,
	K_ROT_B,
	K_NONE,
};

/* Unchecked fixture: the RSA and EC keys, made once and kept until keys_teardown. */
void keys_setup(void);
void keys_teardown(void);

/* Checked fixture: the config, the deny list (100 entries) and the verifier. */
void config_setup(void);
void config_teardown(void);

/* text with every ' turned into " (readable JSON in C strings). malloc'd. */
char *dq(const char *text);

/* A token signed with alg and key k over header and payload (' for "). malloc'd. */
char *make(const char *header, const char *payload, enum jt_alg alg, enum key k);

/*
 * "Bearer " + token through b at now; asserts that a token comes back
 * exactly on OK and a reason otherwise.
 */
enum gw_bearer_status auth_at(struct gw_bearer *b, const char *token, long long now,
			      const struct gw_token **out, const char **why);

/* The status of token through the fixture's verifier at NOW; the token is released. */
enum gw_bearer_status status_of(const char *token, const char **why);

#define H256 "{'alg':'HS256','typ':'JWT'}"
#define H384 "{'alg':'HS384','typ':'JWT'}"
#define H512 "{'alg':'HS512','typ':'JWT'}"
#define RS_K1 "{'alg':'RS256','typ':'JWT','kid':'k1'}"
#define RS_K2 "{'alg':'RS256','kid':'k2'}"
#define ES "{'alg':'ES256','typ':'JWT'}"
/* exp NOW + 600, iat NOW */
#define TIMES "'exp':1800000600,'iat':1800000000"
#define LMS "{'iss':'lms','aud':'bbb-gateway'," TIMES ",'sub':'u1','bbb':{'meetings':['m1']}}"
#define LMS_WITH(extra) \
	"{'iss':'lms','aud':'bbb-gateway'," TIMES ",'sub':'u1','bbb':{'meetings':['m1']}," extra "}"
#define LMS_BBB(bbb) "{'iss':'lms','aud':'bbb-gateway'," TIMES ",'bbb':" bbb "}"
#define ISS(name) "{'iss':'" name "','aud':'bbb-gateway'," TIMES "}"

#endif
