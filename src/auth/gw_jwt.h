/*
 * gw_jwt.h - the one module that includes libjwt: JWS signature checks and
 * HS256 signing of compact JWTs. It knows nothing of claims or issuers;
 * bearer.c decides which key and algorithm a token must have and calls
 * this only after the header's alg matched. (Named gw_jwt.h so that it
 * does not shadow libjwt's <jwt.h>, as gw_limits.h does for <limits.h>.)
 */
#ifndef GW_GW_JWT_H
#define GW_GW_JWT_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "compiler.h"
#include "err.h"

/* The longest token gw_jwt_verify looks at (bearer.h's limit too). */
#define GW_JWT_MAX_TOKEN_BYTES 8192u

/*
 * True when token (compact form, NUL-terminated) carries a valid
 * signature made with alg and key (HS*: the secret's bytes; RS256/ES256:
 * the public key's PEM text). The caller has checked that the header's
 * alg is alg. False for anything else, never crashing on malformed input:
 * not three non-empty base64url parts, longer than GW_JWT_MAX_TOKEN_BYTES,
 * a header naming another alg, an ES256 signature that is not the 64-byte
 * R || S of RFC 7518 §3.4, an empty key. HS* signatures are compared in
 * constant time.
 */
bool gw_jwt_verify(const char *token, enum gw_jwt_alg alg, const unsigned char *key,
		   size_t key_len);

/*
 * Signs the claims (a JSON object's text) with HS256 and key, header
 * {"alg":"HS256","typ":"JWT"}; *out is a malloc'd compact token (caller
 * frees). GW_E_PARSE when claims_json is not a JSON object, GW_E_CONFIG
 * for a key shorter than 32 bytes, GW_E_NOMEM, GW_E_INTERNAL.
 */
enum gw_err gw_jwt_sign_hs256(const char *claims_json, const unsigned char *key, size_t key_len,
			      char **out) GW_WUR;

#endif
