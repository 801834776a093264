/*
 * jwtutil.c - see jwtutil.h. Independent of src/: its own base64url and
 * OpenSSL's signing calls, so that a bug in the verifier's decoding or
 * libjwt's encoding cannot cancel out in the tests.
 */
#include "jwtutil.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

char *jt_b64url(const void *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *in = p;
	char *out = malloc(n / 3 * 4 + 5);
	size_t j = 0;
	size_t i;

	ck_assert_ptr_nonnull(out);
	for (i = 0; i + 3 <= n; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
				  in[i + 2];

		out[j++] = a[v >> 18 & 63];
		out[j++] = a[v >> 12 & 63];
		out[j++] = a[v >> 6 & 63];
		out[j++] = a[v & 63];
	}
	if (n - i == 1) {
		out[j++] = a[in[i] >> 2];
		out[j++] = a[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		out[j++] = a[in[i] >> 2];
		out[j++] = a[((in[i] & 3) << 4) | in[i + 1] >> 4];
		out[j++] = a[(in[i + 1] & 15) << 2];
	}
	out[j] = '\0';
	return out;
}

static int b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

char *jt_b64url_decode(const char *s, size_t n, size_t *len)
{
	char *out = malloc(n / 4 * 3 + 3);
	unsigned long acc = 0;
	unsigned bits = 0;
	size_t j = 0;

	ck_assert_ptr_nonnull(out);
	ck_assert_msg(n % 4 != 1, "base64url of %zu characters", n);
	for (size_t i = 0; i < n; i++) {
		int v = b64url_value(s[i]);

		ck_assert_msg(v >= 0, "not base64url: '%c'", s[i]);
		acc = (acc << 6 | (unsigned long)v) & 0xffffffUL;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[j++] = (char)(acc >> bits & 0xff);
		}
	}
	out[j] = '\0';
	if (len != NULL)
		*len = j;
	return out;
}

size_t jt_hmac(int bits, const void *key, size_t key_len, const void *in, size_t n,
	       unsigned char *out)
{
	const EVP_MD *md = bits == 256 ? EVP_sha256() : bits == 384 ? EVP_sha384() : EVP_sha512();
	unsigned int len = 0;

	ck_assert_ptr_nonnull(HMAC(md, key, (int)key_len, in, n, out, &len));
	return len;
}

/* Signs in with pkey (SHA-256); returns the DER or PKCS#1 signature's length. */
static size_t sign_pkey(EVP_PKEY *pkey, const char *in, unsigned char *out, size_t cap)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = cap;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, out, &len, (const unsigned char *)in, strlen(in)), 1);
	EVP_MD_CTX_free(ctx);
	return len;
}

/* DER ECDSA-Sig-Value to the 64-byte R || S of RFC 7518 §3.4, in place. */
static size_t der_to_raw(unsigned char *sig, size_t len)
{
	const unsigned char *p = sig;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r = NULL;
	const BIGNUM *ss = NULL;

	ck_assert_ptr_nonnull(s);
	ECDSA_SIG_get0(s, &r, &ss);
	ck_assert_int_eq(BN_bn2binpad(r, sig, 32), 32);
	ck_assert_int_eq(BN_bn2binpad(ss, sig + 32, 32), 32);
	ECDSA_SIG_free(s);
	return 64;
}

static size_t sign(enum jt_alg alg, const char *input, const void *secret, size_t secret_len,
		   EVP_PKEY *pkey, unsigned char *sig, size_t cap)
{
	switch (alg) {
	case JT_HS256:
		return jt_hmac(256, secret, secret_len, input, strlen(input), sig);
	case JT_HS384:
		return jt_hmac(384, secret, secret_len, input, strlen(input), sig);
	case JT_HS512:
		return jt_hmac(512, secret, secret_len, input, strlen(input), sig);
	case JT_RS256:
	case JT_ES256_DER:
		return sign_pkey(pkey, input, sig, cap);
	case JT_ES256:
		return der_to_raw(sig, sign_pkey(pkey, input, sig, cap));
	default:
		return 0;
	}
}

char *jt_sign(const char *input, enum jt_alg alg, const void *secret, size_t secret_len,
	      EVP_PKEY *pkey)
{
	unsigned char sig[1024];
	size_t in_len = strlen(input);
	size_t sig_len = sign(alg, input, secret, secret_len, pkey, sig, sizeof(sig));
	char *s = jt_b64url(sig, sig_len);
	char *out = malloc(in_len + 1 + strlen(s) + 1);

	ck_assert_ptr_nonnull(out);
	memcpy(out, input, in_len);
	out[in_len] = '.';
	memcpy(out + in_len + 1, s, strlen(s) + 1);
	free(s);
	return out;
}

char *jt_make(const char *header, const char *payload, enum jt_alg alg, const void *secret,
	      size_t secret_len, EVP_PKEY *pkey)
{
	char *h = jt_b64url(header, strlen(header));
	char *p = jt_b64url(payload, strlen(payload));
	size_t hl = strlen(h);
	char *input = malloc(hl + 1 + strlen(p) + 1);
	char *out;

	ck_assert_ptr_nonnull(input);
	memcpy(input, h, hl);
	input[hl] = '.';
	memcpy(input + hl + 1, p, strlen(p) + 1);
	out = jt_sign(input, alg, secret, secret_len, pkey);
	free(h);
	free(p);
	free(input);
	return out;
}

EVP_PKEY *jt_rsa_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);

	ck_assert_ptr_nonnull(k);
	return k;
}

EVP_PKEY *jt_ec_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

char *jt_public_pem(EVP_PKEY *k, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	char *out;
	long n;

	ck_assert_ptr_nonnull(bio);
	ck_assert_int_eq(PEM_write_bio_PUBKEY(bio, k), 1);
	n = BIO_get_mem_data(bio, &data);
	ck_assert_int_gt(n, 0);
	out = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	BIO_free(bio);
	if (len != NULL)
		*len = (size_t)n;
	return out;
}

char *jt_hs256(const char *payload, const char *key)
{
	return jt_make("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, JT_HS256, key, strlen(key),
		       NULL);
}
