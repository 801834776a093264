/*
 * jwtutil.h - compact JWTs made for the tests without the gateway's code
 * or libjwt: JSON text base64url-encoded here, signed with OpenSSL
 * directly (HMAC for HS*, RSA PKCS#1 v1.5 for RS256, ECDSA P-256 with the
 * DER signature turned into R || S for ES256), keys generated at test time.
 */
#ifndef GW_TEST_JWTUTIL_H
#define GW_TEST_JWTUTIL_H

#include <stddef.h>

#include <openssl/evp.h>

enum jt_alg {
	JT_NONE, /* an empty signature */
	JT_HS256,
	JT_HS384,
	JT_HS512,
	JT_RS256,
	JT_ES256,
	JT_ES256_DER, /* ES256 with the DER signature left as it is (wrong) */
};

/* base64url without padding of n bytes; malloc'd, caller frees. */
char *jt_b64url(const void *p, size_t n);

/*
 * The bytes of n characters of base64url without padding, NUL-terminated
 * (so that JSON parts read as text); *len gets their number when len is
 * not NULL. malloc'd; fails the test on a character outside the alphabet
 * or a length no encoder writes (n % 4 == 1).
 */
char *jt_b64url_decode(const char *s, size_t n, size_t *len);

/*
 * base64url(header) "." base64url(payload) "." base64url(signature), the
 * signature over the first two parts with alg: HS* with secret/secret_len,
 * RS256/ES256 with the private key pkey. malloc'd; fails the test on error.
 */
char *jt_make(const char *header, const char *payload, enum jt_alg alg, const void *secret,
	      size_t secret_len, EVP_PKEY *pkey);

/*
 * input "." base64url(signature of input with alg, keys as for jt_make):
 * signs any text, so that odd encodings can carry good signatures.
 */
char *jt_sign(const char *input, enum jt_alg alg, const void *secret, size_t secret_len,
	      EVP_PKEY *pkey);

/* An HS256 JWT with the header {"alg":"HS256","typ":"JWT"} over payload, signed with key (a string). */
char *jt_hs256(const char *payload, const char *key);

/* A fresh RSA 2048 or EC P-256 key pair; caller frees with EVP_PKEY_free. */
EVP_PKEY *jt_rsa_key(void);
EVP_PKEY *jt_ec_key(void);

/* The public key's PEM text ("-----BEGIN PUBLIC KEY-----"); malloc'd, *len excludes the NUL. */
char *jt_public_pem(EVP_PKEY *k, size_t *len);

/* HMAC with the SHA-2 of bits (256/384/512) into out; returns its length. */
size_t jt_hmac(int bits, const void *key, size_t key_len, const void *in, size_t n,
	       unsigned char *out);

#endif
