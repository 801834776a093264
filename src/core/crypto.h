/*
 * crypto.h - digests, HMAC, random bytes, constant-time comparison and a
 * keyed table hash (OpenSSL is included by crypto.c only).
 */
#ifndef GW_CRYPTO_H
#define GW_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"

enum gw_digest {
	GW_DIGEST_SHA1 = 0,
	GW_DIGEST_SHA256,
	GW_DIGEST_SHA384,
	GW_DIGEST_SHA512,
};

#define GW_DIGEST_MAX_LEN 64u                           /* bytes (SHA-512) */
#define GW_DIGEST_MAX_HEX (2u * GW_DIGEST_MAX_LEN + 1u) /* hex + NUL */

/* A piece of input to hash; digests hash the concatenation of parts. */
struct gw_iov {
	const void *p;
	size_t n;
};

/* Output length in bytes of alg (20, 32, 48, 64). */
size_t gw_crypto_digest_len(enum gw_digest alg);

/* Lower-case name: "sha1", "sha256", "sha384", "sha512". */
const char *gw_crypto_digest_name(enum gw_digest alg);

/* Parses a name as above (case-insensitive). GW_E_PARSE if unknown. */
enum gw_err gw_crypto_digest_from_name(const char *name, enum gw_digest *out) GW_WUR;

/*
 * Hashes the concatenation of n parts with alg into out (at least
 * gw_crypto_digest_len(alg) bytes).
 */
enum gw_err gw_crypto_digest(enum gw_digest alg, const struct gw_iov *parts, size_t n,
			     unsigned char *out) GW_WUR;

/* Writes 2*n lower-case hex digits and a NUL to out (2*n+1 bytes). */
void gw_crypto_hex(const unsigned char *in, size_t n, char *out);

/* Parses exactly 2*n hex digits (either case) into out. GW_E_PARSE otherwise. */
enum gw_err gw_crypto_unhex(const char *hex, unsigned char *out, size_t n) GW_WUR;

/* Fills out with n cryptographically secure random bytes. */
enum gw_err gw_crypto_random(void *out, size_t n) GW_WUR;

/*
 * As gw_crypto_random for small n (at most GW_CRYPTO_POOL_MAX bytes), from
 * a per-thread pool refilled from the same generator a few KiB at a time:
 * the same bytes at a fraction of the cost per call (RAND_bytes checks for
 * a fork with getpid on every call). For values such as request ids; not
 * for keys. The process must not fork after a thread has used it.
 */
#define GW_CRYPTO_POOL_MAX 64u
enum gw_err gw_crypto_random_pooled(void *out, size_t n) GW_WUR;

/* Constant-time equality of two n-byte buffers (CRYPTO_memcmp). */
bool gw_crypto_equal(const void *a, const void *b, size_t n);

/*
 * Loads the PEM public key (SubjectPublicKeyInfo, "-----BEGIN PUBLIC
 * KEY-----") in the len bytes at pem (borrowed; need not be NUL-terminated)
 * and checks its kind: an RSA key, or with want_ec a P-256 (prime256v1) EC
 * key. On success writes the key's size in bits to *bits. GW_E_PARSE when
 * the text holds no such key, with *why set to a static reason for
 * "<file>: <why>" (never any of the key's bytes); GW_E_NOMEM on OOM.
 */
enum gw_err gw_crypto_public_key_check(const char *pem, size_t len, bool want_ec, unsigned *bits,
				       const char **why) GW_WUR;

/*
 * HMAC (RFC 2104) of n bytes at in with alg and key_len bytes of key into
 * out (gw_crypto_digest_len(alg) bytes). Compare results with
 * gw_crypto_equal.
 */
enum gw_err gw_crypto_hmac(enum gw_digest alg, const void *key, size_t key_len, const void *in,
			   size_t n, unsigned char *out) GW_WUR;

/*
 * SipHash-2-4 of n bytes at in under a secret 16-byte key (from
 * gw_crypto_random): a keyed hash for tables whose keys a client chooses,
 * so that it cannot aim collisions at one bucket. Not a MAC for secrets.
 */
#define GW_CRYPTO_SIPHASH_KEY_LEN 16u
uint64_t gw_crypto_siphash(const unsigned char key[GW_CRYPTO_SIPHASH_KEY_LEN], const void *in,
			   size_t n);

#endif
