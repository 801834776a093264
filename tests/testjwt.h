/*
 * testjwt.h - compact JWTs made for tests with OpenSSL directly (HMAC),
 * independent of the gateway's own JWT code.
 */
#ifndef GW_TEST_JWT_H
#define GW_TEST_JWT_H

#include <stddef.h>

/*
 * header.payload.signature with the header {"alg":alg,"typ":"JWT"} (plus
 * "kid" when kid is not NULL), the payload text as given, signed with
 * HMAC (HS256/HS384/HS512 by alg) and key. Returns a malloc'd string.
 */
char *testjwt_hs(const char *alg, const char *kid, const char *payload, const unsigned char *key,
		 size_t key_len);

/* base64url without padding of n bytes; malloc'd. */
char *testjwt_b64url(const unsigned char *p, size_t n);

#endif
