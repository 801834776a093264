/*
 * jwt.h - the one module that includes libjwt: JWS signature checks and
 * HS256 signing of compact JWTs. It knows nothing of claims or issuers;
 * bearer.c decides which key and algorithm a token must have and calls
 * this only after the header's alg matched.
 */
#ifndef GW_JWT_H
#define GW_JWT_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "compiler.h"
#include "err.h"

/*
 * True when token (compact form, NUL-terminated) carries a valid
 * signature made with alg and key (HS*: the secret's bytes; RS256/ES256:
 * the public key's PEM text). The caller has checked that the header's
 * alg is alg. False for anything else, never crashing on malformed input.
 */
bool gw_jwt_verify(const char *token, enum gw_jwt_alg alg, const unsigned char *key,
		   size_t key_len);

/*
 * Signs the claims (a JSON object's text) with HS256 and key, header
 * {"alg":"HS256","typ":"JWT"}; *out is a malloc'd compact token.
 */
enum gw_err gw_jwt_sign_hs256(const char *claims_json, const unsigned char *key, size_t key_len,
			      char **out) GW_WUR;

#endif
