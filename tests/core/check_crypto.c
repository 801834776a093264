/*
 * check_crypto.c - digests against the FIPS 180 "abc" and empty-string
 * vectors, hashing over several parts, digest names, hex both ways, random
 * bytes, constant-time equality, the kind and size of PEM public keys, HMAC
 * against RFC 4231 test case 2 and SipHash-2-4 against the reference
 * implementation's vectors.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "testkeys.h"
#include "testutil.h"

struct vector {
	enum gw_digest alg;
	const char *name;
	size_t len;
	const char *abc;   /* hex digest of "abc" (FIPS 180-2 appendix examples) */
	const char *empty; /* hex digest of "" (cross-checked with coreutils sha*sum) */
};

static const struct vector vectors[] = {
	{GW_DIGEST_SHA1, "sha1", 20, "a9993e364706816aba3e25717850c26c9cd0d89d",
	 "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	{GW_DIGEST_SHA256, "sha256", 32,
	 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{GW_DIGEST_SHA384, "sha384", 48,
	 "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	 "8086072ba1e7cc2358baeca134c825a7",
	 "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
	 "274edebfe76f65fbd51ad2f14898b95b"},
	{GW_DIGEST_SHA512, "sha512", 64,
	 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	 "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	 "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
};

/* Hashes parts with alg and returns the hex form in a static buffer. */
static const char *digest_hex(enum gw_digest alg, const struct gw_iov *parts, size_t n)
{
	static char hex[GW_DIGEST_MAX_HEX];
	unsigned char md[GW_DIGEST_MAX_LEN];

	ck_assert_int_eq(gw_crypto_digest(alg, parts, n, md), GW_OK);
	gw_crypto_hex(md, gw_crypto_digest_len(alg), hex);
	return hex;
}

START_TEST(test_crypto_digest_known_vectors)
{
	const struct vector *v = &vectors[_i];
	struct gw_iov abc = {"abc", 3};

	ck_assert_uint_eq(gw_crypto_digest_len(v->alg), v->len);
	ck_assert_str_eq(digest_hex(v->alg, &abc, 1), v->abc);
	ck_assert_uint_eq(strlen(v->abc), 2 * v->len);
}
END_TEST

START_TEST(test_crypto_digest_empty_input)
{
	const struct vector *v = &vectors[_i];
	struct gw_iov nothing = {NULL, 0};

	ck_assert_str_eq(digest_hex(v->alg, NULL, 0), v->empty);
	ck_assert_str_eq(digest_hex(v->alg, &nothing, 1), v->empty);
}
END_TEST

START_TEST(test_crypto_digest_hashes_concatenation_of_parts)
{
	const struct vector *v = &vectors[_i];
	struct gw_iov parts[] = {{"a", 1}, {"", 0}, {"bc", 2}};

	ck_assert_str_eq(digest_hex(v->alg, parts, 3), v->abc);
}
END_TEST

START_TEST(test_crypto_digest_rejects_unknown_algorithm)
{
	unsigned char md[GW_DIGEST_MAX_LEN];
	struct gw_iov abc = {"abc", 3};

	ck_assert_int_ne(gw_crypto_digest((enum gw_digest)99, &abc, 1, md), GW_OK);
	ck_assert_uint_eq(gw_crypto_digest_len((enum gw_digest)99), 0);
	ck_assert_ptr_null(gw_crypto_digest_name((enum gw_digest)99));
}
END_TEST

START_TEST(test_crypto_digest_name_round_trip)
{
	const struct vector *v = &vectors[_i];
	enum gw_digest alg = GW_DIGEST_SHA1;
	char upper[16];
	size_t i;

	ck_assert_str_eq(gw_crypto_digest_name(v->alg), v->name);
	ck_assert_int_eq(gw_crypto_digest_from_name(v->name, &alg), GW_OK);
	ck_assert_int_eq(alg, v->alg);
	for (i = 0; v->name[i] != '\0'; i++)
		upper[i] = (char)(v->name[i] >= 'a' ? v->name[i] - 'a' + 'A' : v->name[i]);
	upper[i] = '\0';
	alg = GW_DIGEST_SHA1;
	ck_assert_int_eq(gw_crypto_digest_from_name(upper, &alg), GW_OK);
	ck_assert_int_eq(alg, v->alg);
}
END_TEST

START_TEST(test_crypto_digest_from_name_rejects_unknown)
{
	enum gw_digest alg = GW_DIGEST_SHA384;

	ck_assert_int_eq(gw_crypto_digest_from_name("md5", &alg), GW_E_PARSE);
	ck_assert_int_eq(gw_crypto_digest_from_name("sha-256", &alg), GW_E_PARSE);
	ck_assert_int_eq(gw_crypto_digest_from_name("sha256 ", &alg), GW_E_PARSE);
	ck_assert_int_eq(gw_crypto_digest_from_name("", &alg), GW_E_PARSE);
	ck_assert_int_eq(gw_crypto_digest_from_name(NULL, &alg), GW_E_PARSE);
	ck_assert_int_eq(alg, GW_DIGEST_SHA384);
}
END_TEST

START_TEST(test_crypto_hex_is_lowercase)
{
	const unsigned char in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
	char out[2 * sizeof(in) + 1];

	memset(out, 'x', sizeof(out));
	gw_crypto_hex(in, sizeof(in), out);
	ck_assert_str_eq(out, "00017f80abff");
	gw_crypto_hex(in, 0, out);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_crypto_unhex_accepts_both_cases)
{
	unsigned char out[4];
	const unsigned char want[] = {0xde, 0xad, 0xbe, 0xef};

	ck_assert_int_eq(gw_crypto_unhex("deadBEEF", out, sizeof(out)), GW_OK);
	ck_assert_mem_eq(out, want, sizeof(want));
	ck_assert_int_eq(gw_crypto_unhex("", out, 0), GW_OK);
}
END_TEST

START_TEST(test_crypto_unhex_rejects_bad_input)
{
	unsigned char out[4] = {1, 2, 3, 4};
	const unsigned char untouched[] = {1, 2, 3, 4};

	ck_assert_int_eq(gw_crypto_unhex("deadbee", out, 4), GW_E_PARSE);   /* short */
	ck_assert_int_eq(gw_crypto_unhex("deadbeef0", out, 4), GW_E_PARSE); /* long */
	ck_assert_int_eq(gw_crypto_unhex("deadbeeg", out, 4), GW_E_PARSE);  /* non-hex */
	ck_assert_int_eq(gw_crypto_unhex("dead beef", out, 4), GW_E_PARSE); /* space */
	ck_assert_int_eq(gw_crypto_unhex("0xdeadbe", out, 4), GW_E_PARSE);  /* prefix */
	ck_assert_int_eq(gw_crypto_unhex("x", out, 0), GW_E_PARSE);         /* not empty */
	ck_assert_mem_eq(out, untouched, sizeof(untouched));
}
END_TEST

START_TEST(test_crypto_hex_unhex_round_trip)
{
	unsigned char in[256];
	unsigned char back[256];
	char hex[2 * sizeof(in) + 1];
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)i;
	gw_crypto_hex(in, sizeof(in), hex);
	ck_assert_int_eq(gw_crypto_unhex(hex, back, sizeof(back)), GW_OK);
	ck_assert_mem_eq(in, back, sizeof(in));
}
END_TEST

START_TEST(test_crypto_random_fills_and_differs)
{
	unsigned char a[64];
	unsigned char b[64];
	const unsigned char zero[64] = {0};

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	ck_assert_int_eq(gw_crypto_random(a, sizeof(a)), GW_OK);
	ck_assert_int_eq(gw_crypto_random(b, sizeof(b)), GW_OK);
	/* 512 random bits: a collision or an all-zero result means the generator is broken. */
	ck_assert_mem_ne(a, b, sizeof(a));
	ck_assert_mem_ne(a, zero, sizeof(a));
	ck_assert_int_eq(gw_crypto_random(a, 0), GW_OK);
}
END_TEST

static int cmp12(const void *a, const void *b)
{
	return memcmp(a, b, 12);
}

/* Across several refills of the per-thread pool no two 12-byte values repeat. */
START_TEST(test_crypto_random_pooled_never_repeats)
{
	enum { N = 2048, LEN = 12 };
	static unsigned char seen[N][LEN];
	unsigned char big[GW_CRYPTO_POOL_MAX + 1];
	size_t repeats = 0;
	size_t i;

	for (i = 0; i < N; i++)
		ck_assert_int_eq(gw_crypto_random_pooled(seen[i], LEN), GW_OK);
	qsort(seen, N, LEN, cmp12);
	for (i = 1; i < N; i++) {
		if (memcmp(seen[i - 1], seen[i], LEN) == 0)
			repeats++;
	}
	ck_assert_uint_eq(repeats, 0);
	ck_assert_int_eq(gw_crypto_random_pooled(big, GW_CRYPTO_POOL_MAX), GW_OK);
	ck_assert_int_eq(gw_crypto_random_pooled(big, sizeof(big)), GW_E_INTERNAL);
	ck_assert_int_eq(gw_crypto_random_pooled(big, 0), GW_OK);
}
END_TEST

START_TEST(test_crypto_equal_compares_all_bytes)
{
	unsigned char a[32];
	unsigned char b[32];
	size_t i;

	for (i = 0; i < sizeof(a); i++)
		a[i] = (unsigned char)(i * 7);
	memcpy(b, a, sizeof(b));
	ck_assert(gw_crypto_equal(a, b, sizeof(a)));
	ck_assert(gw_crypto_equal(a, b, 0));
	for (i = 0; i < sizeof(a); i++) {
		b[i] ^= 0x01;
		ck_assert_msg(!gw_crypto_equal(a, b, sizeof(a)), "difference at %zu missed", i);
		b[i] ^= 0x01;
	}
	b[31] ^= 0x80;
	ck_assert(gw_crypto_equal(a, b, 31));
}
END_TEST

/* Checks a fresh key of spec: want_ec as given; returns the reason or NULL, bits in *bits. */
static const char *key_problem(const char *spec, bool private_key, bool want_ec, unsigned *bits)
{
	char *pem = gw_test_key_pem(spec, private_key);
	const char *why = NULL;
	enum gw_err err = gw_crypto_public_key_check(pem, strlen(pem), want_ec, bits, &why);

	ck_assert_int_eq(err, why == NULL ? GW_OK : GW_E_PARSE);
	free(pem);
	return why;
}

START_TEST(test_crypto_public_key_check_kinds)
{
	unsigned bits = 0;
	const char *why = NULL;
	const char junk[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";

	ck_assert_ptr_null(key_problem("rsa:2048", false, false, &bits));
	ck_assert_uint_eq(bits, 2048);
	ck_assert_ptr_null(key_problem("rsa:1024", false, false, &bits));
	ck_assert_uint_eq(bits, 1024); /* the caller judges the size */
	ck_assert_ptr_null(key_problem("ec:P-256", false, true, &bits));
	ck_assert_uint_eq(bits, 256);
	ck_assert_str_eq(key_problem("ec:P-384", false, true, &bits), "is not a P-256 (prime256v1) "
								      "EC public key");
	ck_assert_str_eq(key_problem("rsa:2048", false, true, &bits), "is not a P-256 (prime256v1) "
								      "EC public key");
	ck_assert_str_eq(key_problem("ec:P-256", false, false, &bits), "is not an RSA public key");
	ck_assert_pstr_eq(strstr(key_problem("ec:P-256", true, true, &bits), "private key"),
			  "private key: give the public key alone (openssl pkey -pubout)");
	ck_assert_int_eq(gw_crypto_public_key_check(junk, strlen(junk), false, &bits, &why),
			 GW_E_PARSE);
	ck_assert_str_eq(why, "is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
	why = NULL;
	ck_assert_int_eq(gw_crypto_public_key_check("", 0, true, &bits, &why), GW_E_PARSE);
	ck_assert_ptr_nonnull(why);
}
END_TEST

/* RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?". */
static const struct {
	enum gw_digest alg;
	const char *hex;
} hmac_vectors[] = {
	{GW_DIGEST_SHA256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	{GW_DIGEST_SHA384, "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
			   "8e2240ca5e69e2c78b3239ecfab21649"},
	{GW_DIGEST_SHA512, "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
			   "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
};

START_TEST(test_crypto_hmac_rfc4231_vectors)
{
	static const char data[] = "what do ya want for nothing?";
	unsigned char mac[GW_DIGEST_MAX_LEN];
	char hex[GW_DIGEST_MAX_HEX];

	ck_assert_int_eq(gw_crypto_hmac(hmac_vectors[_i].alg, "Jefe", 4, data, sizeof(data) - 1,
					mac),
			 GW_OK);
	gw_crypto_hex(mac, gw_crypto_digest_len(hmac_vectors[_i].alg), hex);
	ck_assert_str_eq(hex, hmac_vectors[_i].hex);
}
END_TEST

START_TEST(test_crypto_hmac_empty_key_differs_from_other_keys)
{
	unsigned char a[32];
	unsigned char b[32];

	ck_assert_int_eq(gw_crypto_hmac(GW_DIGEST_SHA256, "", 0, "x", 1, a), GW_OK);
	ck_assert_int_eq(gw_crypto_hmac(GW_DIGEST_SHA256, "k", 1, "x", 1, b), GW_OK);
	ck_assert(!gw_crypto_equal(a, b, sizeof(a)));
	ck_assert_int_ne(gw_crypto_hmac((enum gw_digest)99, "k", 1, "x", 1, b), GW_OK);
}
END_TEST

/*
 * SipHash-2-4 with key 00 01 .. 0f over the messages 00 01 .. (n-1): the
 * reference implementation's vectors.h, entries 0, 1, 7, 8 and 15.
 */
START_TEST(test_crypto_siphash_reference_vectors)
{
	static const struct {
		size_t n;
		uint64_t h;
	} v[] = {
		{0, 0x726fdb47dd0e0e31ull}, {1, 0x74f839c593dc67fdull},  {7, 0xab0200f58b01d137ull},
		{8, 0x93f5f5799a932462ull}, {15, 0xa129ca6149be45e5ull},
	};
	unsigned char key[GW_CRYPTO_SIPHASH_KEY_LEN];
	unsigned char msg[16];
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)i;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(gw_crypto_siphash(key, msg, v[i].n) == v[i].h, "length %zu", v[i].n);
}
END_TEST

static Suite *crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("core");
	int nv = (int)(sizeof(vectors) / sizeof(vectors[0]));

	tcase_add_loop_test(tc, test_crypto_digest_known_vectors, 0, nv);
	tcase_add_loop_test(tc, test_crypto_digest_empty_input, 0, nv);
	tcase_add_loop_test(tc, test_crypto_digest_hashes_concatenation_of_parts, 0, nv);
	tcase_add_test(tc, test_crypto_digest_rejects_unknown_algorithm);
	tcase_add_loop_test(tc, test_crypto_digest_name_round_trip, 0, nv);
	tcase_add_test(tc, test_crypto_digest_from_name_rejects_unknown);
	tcase_add_test(tc, test_crypto_hex_is_lowercase);
	tcase_add_test(tc, test_crypto_unhex_accepts_both_cases);
	tcase_add_test(tc, test_crypto_unhex_rejects_bad_input);
	tcase_add_test(tc, test_crypto_hex_unhex_round_trip);
	tcase_add_test(tc, test_crypto_random_fills_and_differs);
	tcase_add_test(tc, test_crypto_random_pooled_never_repeats);
	tcase_add_test(tc, test_crypto_equal_compares_all_bytes);
	tcase_add_test(tc, test_crypto_public_key_check_kinds);

	tcase_add_loop_test(tc, test_crypto_hmac_rfc4231_vectors, 0,
			    (int)(sizeof(hmac_vectors) / sizeof(hmac_vectors[0])));
	tcase_add_test(tc, test_crypto_hmac_empty_key_differs_from_other_keys);
	tcase_add_test(tc, test_crypto_siphash_reference_vectors);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(crypto_suite)
