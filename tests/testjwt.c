/*
 * testjwt.c - see testjwt.h.
 */
#include "testjwt.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *testjwt_b64url(const unsigned char *p, size_t n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"
				  "_";
	char *out = malloc(4 * n / 3 + 4);
	size_t o = 0;
	size_t i;

	if (out == NULL)
		abort();
	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = abc[(v >> 6) & 63];
		out[o++] = abc[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;

		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;

		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = abc[(v >> 6) & 63];
	}
	out[o] = '\0';
	return out;
}

char *testjwt_hs(const char *alg, const char *kid, const char *payload, const unsigned char *key,
		 size_t key_len)
{
	const EVP_MD *md = strcmp(alg, "HS512") == 0   ? EVP_sha512()
			   : strcmp(alg, "HS384") == 0 ? EVP_sha384()
						       : EVP_sha256();
	char header[256];
	char *h;
	char *b;
	char *s;
	char *input;
	char *out;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	size_t n;

	if (kid != NULL)
		snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
			 alg, kid);
	else
		snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
	h = testjwt_b64url((const unsigned char *)header, strlen(header));
	b = testjwt_b64url((const unsigned char *)payload, strlen(payload));
	n = strlen(h) + strlen(b) + 2;
	input = malloc(n);
	if (input == NULL)
		abort();
	snprintf(input, n, "%s.%s", h, b);
	if (HMAC(md, key, (int)key_len, (const unsigned char *)input, strlen(input), mac,
		 &mac_len) == NULL)
		abort();
	s = testjwt_b64url(mac, mac_len);
	n = strlen(input) + strlen(s) + 2;
	out = malloc(n);
	if (out == NULL)
		abort();
	snprintf(out, n, "%s.%s", input, s);
	free(h);
	free(b);
	free(s);
	free(input);
	return out;
}
