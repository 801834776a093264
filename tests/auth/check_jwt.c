/*
 * check_jwt.c - the libjwt wrapper: signatures made by OpenSSL directly
 * (jwtutil.c) verify for each supported alg and fail with another key, a
 * changed payload or part, a header naming another alg (libjwt would
 * verify an HS256 token with an RSA or EC key's PEM text as the HMAC key:
 * the wrapper must not), a DER ES256 signature, an unsigned token and
 * malformed shapes; HS256 signing round-trips against OpenSSL's HMAC.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "gw_jwt.h"
#include "jwtutil.h"
#include "str.h"
#include "testutil.h"

#define HEADER(alg) "{\"alg\":\"" alg "\",\"typ\":\"JWT\"}"
#define PAYLOAD "{\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"exp\":1800000000}"

static const unsigned char secret[] = "0123456789abcdef0123456789abcdef-lms";
static const unsigned char other[] = "fedcba9876543210fedcba9876543210-lms";
#define SECRET_LEN (sizeof(secret) - 1)

/* Made once per test case in the parent process (RSA key generation is slow under valgrind). */
static EVP_PKEY *rsa;
static EVP_PKEY *rsa2;
static EVP_PKEY *ec;
static EVP_PKEY *ec2;
static char *rsa_pem;
static char *rsa2_pem;
static char *ec_pem;
static char *ec2_pem;
static size_t rsa_pem_len;
static size_t rsa2_pem_len;
static size_t ec_pem_len;
static size_t ec2_pem_len;

static void keys_setup(void)
{
	rsa = jt_rsa_key();
	rsa2 = jt_rsa_key();
	ec = jt_ec_key();
	ec2 = jt_ec_key();
	rsa_pem = jt_public_pem(rsa, &rsa_pem_len);
	rsa2_pem = jt_public_pem(rsa2, &rsa2_pem_len);
	ec_pem = jt_public_pem(ec, &ec_pem_len);
	ec2_pem = jt_public_pem(ec2, &ec2_pem_len);
}

static void keys_teardown(void)
{
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ec2);
	free(rsa_pem);
	free(rsa2_pem);
	free(ec_pem);
	free(ec2_pem);
}

static bool verify_pem(const char *token, enum gw_jwt_alg alg, const char *pem, size_t len)
{
	return gw_jwt_verify(token, alg, (const unsigned char *)pem, len);
}

START_TEST(test_jwt_verify_hs_algs)
{
	static const struct {
		const char *header;
		enum jt_alg make;
		enum gw_jwt_alg alg;
	} v[] = {
		{HEADER("HS256"), JT_HS256, GW_JWT_HS256},
		{HEADER("HS384"), JT_HS384, GW_JWT_HS384},
		{HEADER("HS512"), JT_HS512, GW_JWT_HS512},
	};
	char *t = jt_make(v[_i].header, PAYLOAD, v[_i].make, secret, SECRET_LEN, NULL);
	char *wrong = jt_make(v[_i].header, PAYLOAD, v[_i].make, other, SECRET_LEN, NULL);

	ck_assert(gw_jwt_verify(t, v[_i].alg, secret, SECRET_LEN));
	ck_assert(!gw_jwt_verify(wrong, v[_i].alg, secret, SECRET_LEN));
	/* a shorter key that is a prefix of the right one */
	ck_assert(!gw_jwt_verify(t, v[_i].alg, secret, SECRET_LEN - 1));
	/* the right key, the wrong expected alg */
	ck_assert(!gw_jwt_verify(t, v[_i].alg == GW_JWT_HS256 ? GW_JWT_HS512 : GW_JWT_HS256, secret,
				 SECRET_LEN));
	free(t);
	free(wrong);
}
END_TEST

START_TEST(test_jwt_verify_rs256)
{
	char *t = jt_make(HEADER("RS256"), PAYLOAD, JT_RS256, NULL, 0, rsa);

	ck_assert(verify_pem(t, GW_JWT_RS256, rsa_pem, rsa_pem_len));
	ck_assert(!verify_pem(t, GW_JWT_RS256, rsa2_pem, rsa2_pem_len));
	ck_assert(!verify_pem(t, GW_JWT_ES256, ec_pem, ec_pem_len));
	ck_assert(!verify_pem(t, GW_JWT_RS256, ec_pem, ec_pem_len));
	free(t);
}
END_TEST

START_TEST(test_jwt_verify_es256_raw_signature)
{
	char *t = jt_make(HEADER("ES256"), PAYLOAD, JT_ES256, NULL, 0, ec);
	char *der = jt_make(HEADER("ES256"), PAYLOAD, JT_ES256_DER, NULL, 0, ec);
	const char *sig = strrchr(t, '.') + 1;

	/* 64 bytes of R || S are 86 base64url characters */
	ck_assert_uint_eq(strlen(sig), 86);
	ck_assert(verify_pem(t, GW_JWT_ES256, ec_pem, ec_pem_len));
	ck_assert(!verify_pem(t, GW_JWT_ES256, ec2_pem, ec2_pem_len));
	ck_assert(!verify_pem(der, GW_JWT_ES256, ec_pem, ec_pem_len));
	ck_assert(!verify_pem(t, GW_JWT_RS256, rsa_pem, rsa_pem_len));
	free(t);
	free(der);
}
END_TEST

/*
 * The classic confusion: an HS256 token whose HMAC key is the issuer's
 * public PEM text. libjwt alone accepts it when handed the PEM as the key;
 * the wrapper must refuse it for an RS256 or ES256 issuer.
 */
START_TEST(test_jwt_verify_refuses_hs256_signed_with_public_pem)
{
	char *t_rsa = jt_make(HEADER("HS256"), PAYLOAD, JT_HS256, rsa_pem, rsa_pem_len, NULL);
	char *t_ec = jt_make(HEADER("HS256"), PAYLOAD, JT_HS256, ec_pem, ec_pem_len, NULL);

	ck_assert(!verify_pem(t_rsa, GW_JWT_RS256, rsa_pem, rsa_pem_len));
	ck_assert(!verify_pem(t_ec, GW_JWT_ES256, ec_pem, ec_pem_len));
	/* the tokens are well made: as HS256 with that key they verify */
	ck_assert(verify_pem(t_rsa, GW_JWT_HS256, rsa_pem, rsa_pem_len));
	free(t_rsa);
	free(t_ec);
}
END_TEST

START_TEST(test_jwt_verify_refuses_other_header_algs)
{
	char *rs384 = jt_make(HEADER("RS384"), PAYLOAD, JT_RS256, NULL, 0, rsa);
	char *lower = jt_make(HEADER("hs256"), PAYLOAD, JT_HS256, secret, SECRET_LEN, NULL);
	char *none = jt_make("{\"alg\":\"none\"}", PAYLOAD, JT_NONE, NULL, 0, NULL);

	ck_assert(!verify_pem(rs384, GW_JWT_RS256, rsa_pem, rsa_pem_len));
	/* libjwt reads alg names case-insensitively; the caller checks the exact name first */
	ck_assert(gw_jwt_verify(lower, GW_JWT_HS256, secret, SECRET_LEN));
	ck_assert(!gw_jwt_verify(none, GW_JWT_HS256, secret, SECRET_LEN));
	ck_assert(!gw_jwt_verify(none, GW_JWT_ALG_NONE, secret, SECRET_LEN));
	free(rs384);
	free(lower);
	free(none);
}
END_TEST

/* A copy of t with byte i changed to c. */
static char *with_char(const char *t, size_t i, char c)
{
	char *s = gw_test_strdup(t);

	s[i] = c;
	return s;
}

/* a "." b "." c, each given as [start, end). malloc'd. */
static char *join3(const char *a, const char *ae, const char *b, const char *be, const char *c,
		   const char *ce)
{
	size_t na = (size_t)(ae - a);
	size_t nb = (size_t)(be - b);
	size_t nc = (size_t)(ce - c);
	char *s = malloc(na + nb + nc + 3);

	ck_assert_ptr_nonnull(s);
	memcpy(s, a, na);
	s[na] = '.';
	memcpy(s + na + 1, b, nb);
	s[na + 1 + nb] = '.';
	memcpy(s + na + 2 + nb, c, nc);
	s[na + nb + nc + 2] = '\0';
	return s;
}

START_TEST(test_jwt_verify_refuses_changed_parts)
{
	char *t = jt_make(HEADER("HS256"), PAYLOAD, JT_HS256, secret, SECRET_LEN, NULL);
	char *u = jt_make(HEADER("HS256"), "{\"iss\":\"lms\",\"exp\":1900000000}", JT_HS256, secret,
			  SECRET_LEN, NULL);
	const char *t1 = strchr(t, '.');
	const char *t2 = strrchr(t, '.');
	const char *u1 = strchr(u, '.');
	const char *u2 = strrchr(u, '.');
	size_t d1 = (size_t)(t1 - t);
	size_t d2 = (size_t)(t2 - t);
	char *tampered = with_char(t, d1 + 3, t[d1 + 3] == 'A' ? 'B' : 'A');
	char *bad_sig = with_char(t, d2 + 1, t[d2 + 1] == 'A' ? 'B' : 'A');
	/* another good token's payload under this token's signature */
	char *mixed = join3(t, t1, u1 + 1, u2, t2 + 1, t + strlen(t));

	ck_assert(gw_jwt_verify(u, GW_JWT_HS256, secret, SECRET_LEN));
	ck_assert(!gw_jwt_verify(tampered, GW_JWT_HS256, secret, SECRET_LEN));
	ck_assert(!gw_jwt_verify(bad_sig, GW_JWT_HS256, secret, SECRET_LEN));
	ck_assert(!gw_jwt_verify(mixed, GW_JWT_HS256, secret, SECRET_LEN));
	free(t);
	free(u);
	free(tampered);
	free(bad_sig);
	free(mixed);
}
END_TEST

/* t with text inserted at position i. */
static char *with_insert(const char *t, size_t i, const char *text)
{
	size_t n = strlen(t);
	size_t k = strlen(text);
	char *s = malloc(n + k + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, t, i);
	memcpy(s + i, text, k);
	memcpy(s + i + k, t + i, n - i + 1);
	return s;
}

START_TEST(test_jwt_verify_refuses_malformed_shapes)
{
	char *t = jt_make(HEADER("HS256"), PAYLOAD, JT_HS256, secret, SECRET_LEN, NULL);
	size_t d1 = (size_t)(strchr(t, '.') - t);
	size_t n = strlen(t);
	char *cases[] = {
		with_insert(t, n, "="),      with_insert(t, d1, "="),
		with_insert(t, n, ".x"),     with_insert(t, 0, " "),
		with_insert(t, d1 + 1, "."), with_insert(t, d1, "+"),
		with_insert(t, d1 + 4, "/"), gw_test_strdup(strchr(t, '.')),
		gw_test_strdup(""),          gw_test_strdup("a.b"),
		gw_test_strdup("a.b.c.d.e"),
	};
	char *big = malloc(GW_JWT_MAX_TOKEN_BYTES + 2);

	ck_assert(gw_jwt_verify(t, GW_JWT_HS256, secret, SECRET_LEN));
	ck_assert(!gw_jwt_verify(t, GW_JWT_HS256, secret, 0));
	ck_assert(!gw_jwt_verify(t, GW_JWT_HS256, NULL, 32));
	ck_assert(!gw_jwt_verify(NULL, GW_JWT_HS256, secret, SECRET_LEN));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(!gw_jwt_verify(cases[i], GW_JWT_HS256, secret, SECRET_LEN),
			      "case %zu", i);
		free(cases[i]);
	}
	memset(big, 'A', GW_JWT_MAX_TOKEN_BYTES + 1);
	big[10] = '.';
	big[20] = '.';
	big[GW_JWT_MAX_TOKEN_BYTES + 1] = '\0';
	ck_assert(!gw_jwt_verify(big, GW_JWT_HS256, secret, SECRET_LEN));
	free(big);
	free(t);
}
END_TEST

/* The decoded text of one base64url part [p, end). malloc'd. */
static char *decode_part(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);
	char *out = malloc(n + 1);
	size_t len = 0;

	ck_assert_int_eq(gw_str_b64url_decode(p, n, (unsigned char *)out, n, &len), GW_OK);
	out[len] = '\0';
	return out;
}

START_TEST(test_jwt_sign_hs256_round_trip)
{
	static const char claims[] = "{\"iss\":\"bbb-gateway\",\"aud\":\"bbb-gateway\",\"exp\":"
				     "1800000000,"
				     "\"bbb\":{\"meetings\":[\"m1\",\"m2*\"],\"role\":"
				     "\"MODERATOR\"},\"sub\":\"u\\u00e9\"}";
	unsigned char mac[64];
	char *token = NULL;
	const char *d1;
	const char *d2;
	char *header;
	char *payload;
	char *sig;
	json_t *h;
	json_t *p;
	json_t *want;

	ck_assert_int_eq(gw_jwt_sign_hs256(claims, secret, SECRET_LEN, &token), GW_OK);
	d1 = strchr(token, '.');
	d2 = strrchr(token, '.');
	ck_assert_ptr_ne(d1, d2);
	header = decode_part(token, d1);
	payload = decode_part(d1 + 1, d2);
	h = json_loads(header, JSON_REJECT_DUPLICATES, NULL);
	p = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
	want = json_loads(claims, 0, NULL);
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(json_string_value(json_object_get(h, "alg")), "HS256");
	ck_assert_str_eq(json_string_value(json_object_get(h, "typ")), "JWT");
	ck_assert_uint_eq(json_object_size(h), 2);
	ck_assert(json_equal(p, want));
	/* the signature is OpenSSL's HMAC-SHA256 of the first two parts */
	ck_assert_uint_eq(jt_hmac(256, secret, SECRET_LEN, token, (size_t)(d2 - token), mac), 32);
	sig = jt_b64url(mac, 32);
	ck_assert_str_eq(d2 + 1, sig);
	ck_assert(gw_jwt_verify(token, GW_JWT_HS256, secret, SECRET_LEN));
	json_decref(h);
	json_decref(p);
	json_decref(want);
	free(header);
	free(payload);
	free(sig);
	free(token);
}
END_TEST

START_TEST(test_jwt_sign_hs256_refusals)
{
	char *token = NULL;

	ck_assert_int_eq(gw_jwt_sign_hs256("[1]", secret, SECRET_LEN, &token), GW_E_PARSE);
	ck_assert_int_eq(gw_jwt_sign_hs256("{", secret, SECRET_LEN, &token), GW_E_PARSE);
	ck_assert_int_eq(gw_jwt_sign_hs256("{}", secret, 31, &token), GW_E_CONFIG);
	ck_assert_ptr_null(token);
}
END_TEST

static Suite *jwt_suite(void)
{
	Suite *s = suite_create("jwt");
	TCase *v = tcase_create("verify");
	TCase *sg = tcase_create("sign");

	tcase_add_unchecked_fixture(v, keys_setup, keys_teardown);
	tcase_add_loop_test(v, test_jwt_verify_hs_algs, 0, 3);
	tcase_add_test(v, test_jwt_verify_rs256);
	tcase_add_test(v, test_jwt_verify_es256_raw_signature);
	tcase_add_test(v, test_jwt_verify_refuses_hs256_signed_with_public_pem);
	tcase_add_test(v, test_jwt_verify_refuses_other_header_algs);
	tcase_add_test(v, test_jwt_verify_refuses_changed_parts);
	tcase_add_test(v, test_jwt_verify_refuses_malformed_shapes);
	suite_add_tcase(s, v);
	tcase_add_test(sg, test_jwt_sign_hs256_round_trip);
	tcase_add_test(sg, test_jwt_sign_hs256_refusals);
	suite_add_tcase(s, sg);
	return s;
}

GW_TEST_MAIN(jwt_suite)
