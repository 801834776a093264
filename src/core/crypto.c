/*
 * crypto.c - the gateway's only door to OpenSSL: message digests over a list
 * of parts (EVP), random bytes (RAND_bytes), constant-time comparison
 * (CRYPTO_memcmp), HMAC, the hex form of digests, and the check of a
 * configured public key's kind and size (PEM, EVP_PKEY), plus SipHash (no
 * OpenSSL: a keyed hash for tables). Every function is pure apart from the
 * random generator; outputs are written only on success.
 */
#include "crypto.h"

#include <endian.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <limits.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include <openssl/hmac.h>
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

enum gw_err gw_crypto_hmac(enum gw_digest alg, const void *key, size_t key_len, const void *in,
			   size_t n, unsigned char *out)
{
	const struct digest_info *d = digest_lookup(alg);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	/* HMAC() takes a NULL key as "reuse the last one"; an empty key must be a real one. */
	static const unsigned char empty = 0;

	if (d == NULL || key_len > INT_MAX)
		return GW_E_INTERNAL;
	if (HMAC(d->md(), key_len > 0 ? key : &empty, (int)key_len, in, n, md, &md_len) == NULL ||
	    md_len != d->len) {
		gw_log_err("crypto: HMAC-%s failed", d->name);
		return GW_E_INTERNAL;
	}
	memcpy(out, md, md_len);
	OPENSSL_cleanse(md, sizeof(md));
	return GW_OK;
}

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t load_le64(const unsigned char *p)
{
	uint64_t v;

	/* one unaligned load on the usual hosts; le64toh is a no-op on little-endian ones */
	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL64(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL64(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL64(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL64(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL64(v[2], 32);
}

/* One compression step: two rounds over the 64-bit word m. */
static void sip_compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
}

uint64_t gw_crypto_siphash(const unsigned char key[GW_CRYPTO_SIPHASH_KEY_LEN], const void *in,
			   size_t n)
{
	const unsigned char *p = in;
	uint64_t k0 = load_le64(key);
	uint64_t k1 = load_le64(key + 8);
	uint64_t v[4] = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
			 k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
	uint64_t last = (uint64_t)n << 56;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		sip_compress(v, load_le64(p + i));
	for (size_t k = 0; i + k < n; k++)
		last |= (uint64_t)p[i + k] << (8 * k);
	sip_compress(v, last);
	v[2] ^= 0xff;
	for (int r = 0; r < 4; r++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
