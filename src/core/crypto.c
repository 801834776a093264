/*
 * crypto.c - the gateway's only door to OpenSSL: message digests over a list
 * of parts (EVP), random bytes (RAND_bytes), constant-time comparison
 * (CRYPTO_memcmp), the hex form of digests, and the check of a configured
 * public key's kind and size (PEM, EVP_PKEY). Every function is pure apart
 * from the random generator; outputs are written only on success.
 */
#include "crypto.h"

#include <string.h>
#include <strings.h>

#include <limits.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "log.h"
#include "str.h"

struct digest_info {
	const char *name;
	size_t len;
	const EVP_MD *(*md)(void);
};

static const struct digest_info digests[] = {
	[GW_DIGEST_SHA1] = {"sha1", 20, EVP_sha1},
	[GW_DIGEST_SHA256] = {"sha256", 32, EVP_sha256},
	[GW_DIGEST_SHA384] = {"sha384", 48, EVP_sha384},
	[GW_DIGEST_SHA512] = {"sha512", 64, EVP_sha512},
};

static const struct digest_info *digest_lookup(enum gw_digest alg)
{
	if ((unsigned)alg >= GW_ARRAY_SIZE(digests))
		return NULL;
	return &digests[alg];
}

size_t gw_crypto_digest_len(enum gw_digest alg)
{
	const struct digest_info *d = digest_lookup(alg);

	return d != NULL ? d->len : 0;
}

const char *gw_crypto_digest_name(enum gw_digest alg)
{
	const struct digest_info *d = digest_lookup(alg);

	return d != NULL ? d->name : NULL;
}

enum gw_err gw_crypto_digest_from_name(const char *name, enum gw_digest *out)
{
	size_t i;

	if (name == NULL)
		return GW_E_PARSE;
	for (i = 0; i < GW_ARRAY_SIZE(digests); i++) {
		if (strcasecmp(name, digests[i].name) == 0) {
			*out = (enum gw_digest)i;
			return GW_OK;
		}
	}
	return GW_E_PARSE;
}

/* RAND_bytes takes an int length; larger requests are split into chunks of this size. */
#define RANDOM_CHUNK (1 << 30)

enum gw_err gw_crypto_digest(enum gw_digest alg, const struct gw_iov *parts, size_t n,
			     unsigned char *out)
{
	const struct digest_info *d = digest_lookup(alg);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_MD_CTX *ctx;
	enum gw_err err = GW_E_INTERNAL;
	size_t i;

	if (d == NULL)
		return GW_E_INTERNAL;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return GW_E_NOMEM;
	if (EVP_DigestInit_ex(ctx, d->md(), NULL) != 1)
		goto out;
	for (i = 0; i < n; i++) {
		if (parts[i].n > 0 && EVP_DigestUpdate(ctx, parts[i].p, parts[i].n) != 1)
			goto out;
	}
	if (EVP_DigestFinal_ex(ctx, md, &md_len) != 1 || md_len != d->len)
		goto out;
	memcpy(out, md, md_len);
	err = GW_OK;
out:
	if (err != GW_OK)
		gw_log_err("crypto: %s digest failed (disabled by the OpenSSL configuration?)",
			   d->name);
	EVP_MD_CTX_free(ctx);
	return err;
}

void gw_crypto_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

enum gw_err gw_crypto_unhex(const char *hex, unsigned char *out, size_t n)
{
	size_t i;

	/* Validate everything first so that out is untouched on failure. */
	for (i = 0; i < 2 * n; i++) {
		if (gw_str_hex_digit((unsigned char)hex[i]) < 0)
			return GW_E_PARSE;
	}
	if (hex[2 * n] != '\0')
		return GW_E_PARSE;
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)(gw_str_hex_digit((unsigned char)hex[2 * i]) << 4 |
					 gw_str_hex_digit((unsigned char)hex[2 * i + 1]));
	return GW_OK;
}

enum gw_err gw_crypto_random(void *out, size_t n)
{
	unsigned char *p = out;
	int chunk;

	while (n > 0) {
		chunk = n > RANDOM_CHUNK ? RANDOM_CHUNK : (int)n;
		if (RAND_bytes(p, chunk) != 1) {
			gw_log_err("crypto: RAND_bytes failed (no entropy source?)");
			return GW_E_INTERNAL;
		}
		p += chunk;
		n -= (size_t)chunk;
	}
	return GW_OK;
}

/* The per-thread pool of gw_crypto_random_pooled: pool_len unread bytes at the end. */
#define POOL_BYTES 4096u
static _Thread_local unsigned char pool[POOL_BYTES];
static _Thread_local size_t pool_len;

enum gw_err gw_crypto_random_pooled(void *out, size_t n)
{
	enum gw_err err;

	if (n > GW_CRYPTO_POOL_MAX)
		return GW_E_INTERNAL;
	if (pool_len < n) {
		err = gw_crypto_random(pool, POOL_BYTES);
		if (err != GW_OK)
			return err;
		pool_len = POOL_BYTES;
	}
	pool_len -= n;
	memcpy(out, pool + pool_len, n);
	/* what was handed out is never handed out again */
	OPENSSL_cleanse(pool + pool_len, n);
	return GW_OK;
}

bool gw_crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/* A public key never needs a passphrase; refuse one rather than prompt on a terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Why key is not of the kind wanted, or NULL when it is. */
static const char *key_kind_problem(EVP_PKEY *key, bool want_ec)
{
	char group[64];
	size_t glen = 0;

	if (!want_ec)
		return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? NULL
								 : "is not an RSA public key";
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) != 1 ||
	    strcmp(group, SN_X9_62_prime256v1) != 0)
		return "is not a P-256 (prime256v1) EC public key";
	return NULL;
}

enum gw_err gw_crypto_public_key_check(const char *pem, size_t len, bool want_ec, unsigned *bits,
				       const char **why)
{
	const char *problem = NULL;
	EVP_PKEY *key = NULL;
	BIO *bio;
	int n;

	if (len > INT_MAX) {
		*why = "is too large for a public key";
		return GW_E_PARSE;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return GW_E_NOMEM;
	key = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	if (key == NULL && memmem(pem, len, "PRIVATE KEY", 11) != NULL)
		problem = "holds a private key: give the public key alone "
			  "(openssl pkey -pubout)";
	else if (key == NULL)
		problem = "is not a PEM public key (-----BEGIN PUBLIC KEY-----)";
	else
		problem = key_kind_problem(key, want_ec);
	n = key != NULL ? EVP_PKEY_get_bits(key) : 0;
	EVP_PKEY_free(key);
	BIO_free(bio);
	/* A failed parse leaves errors queued on this thread; they would confuse its next caller. */
	ERR_clear_error();
	if (problem == NULL && n <= 0)
		problem = "has no readable key size";
	if (problem != NULL) {
		*why = problem;
		return GW_E_PARSE;
	}
	*bits = (unsigned)n;
	return GW_OK;
}
