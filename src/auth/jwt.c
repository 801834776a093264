/*
 * jwt.c - JWS checks and HS256 signing of compact JWTs; the only file that
 * includes <jwt.h> (libjwt 1.10.2).
 *
 * libjwt's jwt_decode() verifies a token with whatever alg its header
 * names, so it is only ever asked after the caller matched that alg to
 * the issuer's, and its answer is trusted only when jwt_get_alg() then
 * agrees with the expected alg too. Before libjwt sees a token this file
 * checks its shape (three non-empty base64url parts, at most
 * GW_JWT_MAX_TOKEN_BYTES) because libjwt's own base64 decoding is lenient.
 * Two things are done here rather than left to libjwt: an HS* signature
 * is compared in constant time (libjwt 1.10.2 compares the base64 text
 * with strcmp), and an ES256 signature must be the 64-byte R || S of
 * RFC 7518 §3.4 (libjwt accepts whatever length the key's curve implies).
 */
#include "gw_jwt.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <jwt.h>

#include "crypto.h"
#include "str.h"

/* The longest signature accepted: RSA with an 8192-bit key. */
#define SIG_MAX 1024u
#define ES256_SIG_LEN 64u
#define MIN_HS_KEY 32u

static jwt_alg_t lib_alg(enum gw_jwt_alg alg)
{
	switch (alg) {
	case GW_JWT_HS256:
		return JWT_ALG_HS256;
	case GW_JWT_HS384:
		return JWT_ALG_HS384;
	case GW_JWT_HS512:
		return JWT_ALG_HS512;
	case GW_JWT_RS256:
		return JWT_ALG_RS256;
	case GW_JWT_ES256:
		return JWT_ALG_ES256;
	default:
		return JWT_ALG_INVAL;
	}
}

static bool b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/*
 * True when token[0..len) is three non-empty runs of base64url characters
 * joined by '.'; *sig points at the third.
 */
static bool split(const char *token, size_t len, const char **sig)
{
	size_t dots = 0;
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		if (token[i] == '.') {
			dots++;
			if (run == 0 || dots > 2)
				return false;
			run = 0;
			*sig = token + i + 1;
		} else if (b64url_char(token[i])) {
			run++;
		} else {
			return false;
		}
	}
	return dots == 2 && run > 0;
}

/* The HMAC of the signing input (everything before the last '.') equals sig. */
static bool hmac_ok(enum gw_jwt_alg alg, const char *token, const char *sig_text,
		    const unsigned char *sig, size_t sig_len, const unsigned char *key,
		    size_t key_len)
{
	enum gw_digest d = alg == GW_JWT_HS256   ? GW_DIGEST_SHA256
			   : alg == GW_JWT_HS384 ? GW_DIGEST_SHA384
						 : GW_DIGEST_SHA512;
	unsigned char mac[GW_DIGEST_MAX_LEN];
	size_t input_len = (size_t)(sig_text - 1 - token);

	if (gw_crypto_hmac(d, key, key_len, token, input_len, mac) != GW_OK)
		return false;
	/* The length is public (the alg fixes it); only the bytes need constant time. */
	return sig_len == gw_crypto_digest_len(d) && gw_crypto_equal(mac, sig, sig_len);
}

/* The checks made before libjwt sees the token; see the file comment. */
static bool precheck(const char *token, enum gw_jwt_alg alg, const unsigned char *key,
		     size_t key_len)
{
	unsigned char sig[SIG_MAX];
	const char *sig_text = NULL;
	size_t sig_len = 0;
	size_t len;

	if (token == NULL || key == NULL || key_len == 0 || key_len > INT_MAX)
		return false;
	len = strnlen(token, GW_JWT_MAX_TOKEN_BYTES + 1);
	if (len > GW_JWT_MAX_TOKEN_BYTES || !split(token, len, &sig_text))
		return false;
	if (gw_str_b64url_decode(sig_text, len - (size_t)(sig_text - token), sig, sizeof(sig),
				 &sig_len) != GW_OK)
		return false;
	switch (alg) {
	case GW_JWT_HS256:
	case GW_JWT_HS384:
	case GW_JWT_HS512:
		return hmac_ok(alg, token, sig_text, sig, sig_len, key, key_len);
	case GW_JWT_ES256:
		return sig_len == ES256_SIG_LEN;
	case GW_JWT_RS256:
		return true;
	default:
		return false;
	}
}

bool gw_jwt_verify(const char *token, enum gw_jwt_alg alg, const unsigned char *key, size_t key_len)
{
	jwt_t *jwt = NULL;
	bool ok;

	if (!precheck(token, alg, key, key_len))
		return false;
	if (jwt_decode(&jwt, token, key, (int)key_len) != 0 || jwt == NULL)
		return false;
	/* jwt_decode verified with the header's alg: it must be the one expected. */
	ok = jwt_get_alg(jwt) == lib_alg(alg);
	jwt_free(jwt);
	return ok;
}

enum gw_err gw_jwt_sign_hs256(const char *claims_json, const unsigned char *key, size_t key_len,
			      char **out)
{
	jwt_t *jwt = NULL;
	enum gw_err err = GW_E_INTERNAL;
	char *token;
	int rc;

	if (claims_json == NULL || key == NULL || key_len < MIN_HS_KEY || key_len > INT_MAX)
		return claims_json == NULL ? GW_E_PARSE : GW_E_CONFIG;
	rc = jwt_new(&jwt);
	if (rc != 0)
		return rc == ENOMEM ? GW_E_NOMEM : GW_E_INTERNAL;
	/* EINVAL both for text that is not a JSON object and for OOM inside jansson. */
	if (jwt_add_grants_json(jwt, claims_json) != 0) {
		err = GW_E_PARSE;
		goto out;
	}
	rc = jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)key_len);
	if (rc != 0) {
		err = rc == ENOMEM ? GW_E_NOMEM : GW_E_INTERNAL;
		goto out;
	}
	/* malloc'd by libjwt with the C allocator: the caller frees it with free(). */
	token = jwt_encode_str(jwt);
	if (token == NULL) {
		err = errno == ENOMEM ? GW_E_NOMEM : GW_E_INTERNAL;
		goto out;
	}
	*out = token;
	err = GW_OK;
out:
	/* jwt_free scrubs its copy of the key. */
	jwt_free(jwt);
	return err;
}
