/*
 * check_event_verify.c - the callback's form and its verification: form
 * decoding (URLSearchParams' encoding, fields in any order, unknown and
 * repeated fields, refusals), the event and size caps, checksums computed
 * here with OpenSSL's EVP directly for every digest, an empty body, and
 * the Bearer mode. Mapping, stripping and the golden fixtures are in
 * check_event_norm.c; the shared fixture in normfix.c.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normfix.h"
#include "testutil.h"

/* The error of parsing the callback carrying array. */
static enum gw_err parse_array_err(const char *array, size_t max_events)
{
	char *body = callback_body(array);
	struct gw_event_batch b = {NULL, 7, 7, 7};
	enum gw_err err = gw_event_parse_callback(body, strlen(body), max_events, &b);

	if (err == GW_OK) {
		gw_event_batch_deinit(&b);
	} else {
		/* out is written on success only */
		ck_assert_ptr_null(b.events);
		ck_assert_uint_eq(b.n, 7);
	}
	free(body);
	return err;
}

/* A file of tests/data as lines (newline-terminated, the last one possibly not). */
static enum gw_err raw_len(const char *body, size_t len, size_t max_events, size_t *n)
{
	struct gw_event_batch b = {NULL, 7, 7, 7};
	enum gw_err err = gw_event_parse_callback(body, len, max_events, &b);

	if (err == GW_OK) {
		if (n != NULL)
			*n = b.n;
		gw_event_batch_deinit(&b);
	} else {
		ck_assert_ptr_null(b.events);
		ck_assert_uint_eq(b.n, 7);
	}
	return err;
}

static enum gw_err raw(const char *body)
{
	return raw_len(body, strlen(body), MAX_EVENTS, NULL);
}

START_TEST(test_event_norm_form_decoding)
{
	char *el = user_joined("{\"external-user-id\":\"u 1\",\"name\":\"A+B C&D=E%\"}");
	char *array = malloc(strlen(el) + 3);
	char *enc;
	char body[2048];
	struct gw_event_batch b;
	size_t n = 9;

	ck_assert_ptr_nonnull(array);
	snprintf(array, strlen(el) + 3, "[%s]", el);
	enc = form_encode(array);
	/* URLSearchParams' '+' for spaces and %XX for the rest, either case of hex */
	ck_assert_ptr_nonnull(strstr(enc, "A%2BB+C%26D%3DE%25"));
	snprintf(body, sizeof(body), "event=%s", enc);
	ck_assert_int_eq(parse_body(body, &b), GW_OK);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_str_eq(b.events[0].data, "{\"meetingID\":\"m\",\"time\":1,\"user\":{\"userID\":"
					   "\"u "
					   "1\",\"fullName\":\"A+B C&D=E%\"}}");
	gw_event_batch_deinit(&b);
	ck_assert_int_eq(raw_len("event=%5b%5d", 12, MAX_EVENTS, &n), GW_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(raw("event=[]"), GW_OK);
	ck_assert_int_eq(raw("event=+[+%0A]+"), GW_OK); /* JSON whitespace */
	ck_assert_int_eq(raw("ev%65nt=[]"), GW_OK);     /* names are decoded too */
	/* len bounds the body: no NUL needed after it */
	ck_assert_int_eq(raw_len("event=[]&event=[]", 8, MAX_EVENTS, NULL), GW_OK);
	ck_assert_int_eq(raw_len("event=[]", 7, MAX_EVENTS, NULL), GW_E_BAD_REQUEST);
	free(enc);
	free(array);
	free(el);
}
END_TEST

START_TEST(test_event_norm_form_fields_in_any_order)
{
	static const char *const orders[][3] = {
		{DOMAIN_FIELD, "E", TIMESTAMP_FIELD}, {DOMAIN_FIELD, TIMESTAMP_FIELD, "E"},
		{"E", DOMAIN_FIELD, TIMESTAMP_FIELD}, {"E", TIMESTAMP_FIELD, DOMAIN_FIELD},
		{TIMESTAMP_FIELD, DOMAIN_FIELD, "E"}, {TIMESTAMP_FIELD, "E", DOMAIN_FIELD},
	};
	char *el = user_joined("{\"external-user-id\":\"u\"}");
	char *array = malloc(strlen(el) + 3);
	char *enc;
	char event[1024];
	char body[4096];
	size_t i;

	ck_assert_ptr_nonnull(array);
	snprintf(array, strlen(el) + 3, "[%s]", el);
	enc = form_encode(array);
	snprintf(event, sizeof(event), "event=%s", enc);
	for (i = 0; i < GW_ARRAY_SIZE(orders); i++) {
		const char *f[3];
		struct gw_event_batch b;
		size_t k;

		for (k = 0; k < 3; k++)
			f[k] = strcmp(orders[i][k], "E") == 0 ? event : orders[i][k];
		snprintf(body, sizeof(body), "%s&%s&%s", f[0], f[1], f[2]);
		ck_assert_int_eq(parse_body(body, &b), GW_OK);
		ck_assert_uint_eq(b.n, 1);
		ck_assert_str_eq(b.events[0].data, "{\"meetingID\":\"m\",\"time\":1,\"user\":{"
						   "\"userID\":\"u\"}}");
		gw_event_batch_deinit(&b);
	}
	/* unknown fields, empty pairs and a name without a value are ignored */
	snprintf(body, sizeof(body), "&checksum=abc&&x&=&%s&foo=%%ZZ&domain2=&", event);
	ck_assert_int_eq(raw(body), GW_OK);
	free(enc);
	free(array);
	free(el);
}
END_TEST

START_TEST(test_event_norm_form_refusals)
{
	static const char *const bad[] = {
		"",
		"domain=a&timestamp=1",
		"eventx=[]",
		"event",
		"event=",
		"event=[]&event=[]",
		"event=[]&ev%65nt=[]",
		"domain=a&domain=b&event=[]",
		"timestamp=1&event=[]&timestamp=2",
		"event=%7B%7D",
		"event=%22x%22",
		"event=1",
		"event=null",
		"event=[]x",
		"event=[1]",
		"event=[null]",
		"event=[[]]",
		"event=[%22x%22]",
		"event=[{},2]",
		"event=%5",
		"event=%GG",
		"event=[%00]",
		"event=[%22%FF%22]",
		"event=[%22%C3%28%22]",
		"event=[{%22a%22:1,%22a%22:2}]",
		"event=[{%22data%22:{%22a%22:1,%22a%22:2}}]",
		"event=[{%22a%22:%22%5Cu0000%22}]",
	};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(bad); i++)
		ck_assert_msg(raw(bad[i]) == GW_E_BAD_REQUEST, "accepted: %s", bad[i]);
	ck_assert_int_eq(raw_len(NULL, 0, MAX_EVENTS, NULL), GW_E_BAD_REQUEST);
}
END_TEST

START_TEST(test_event_norm_max_events_and_size)
{
	size_t n = 9;
	char *big;

	ck_assert_int_eq(parse_array_err("[{},{},{}]", 2), GW_E_BAD_REQUEST);
	ck_assert_int_eq(parse_array_err("[{},{},{}]", 3), GW_OK);
	ck_assert_int_eq(parse_array_err("[]", 0), GW_OK);
	ck_assert_int_eq(parse_array_err("[{}]", 0), GW_E_BAD_REQUEST);
	{
		struct gw_event_batch b;

		parse_array("[{},{},{}]", &b);
		ck_assert_uint_eq(b.n, 0);
		ck_assert_uint_eq(b.dropped, 3);
		ck_assert_uint_eq(b.dropped_by_type_unknown, 3);
		gw_event_batch_deinit(&b);
	}
	/* the ceiling: up to it a body is read, past it refused unread */
	big = malloc(GW_EVENT_MAX_CALLBACK_BYTES + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', GW_EVENT_MAX_CALLBACK_BYTES + 1);
	memcpy(big, "event=[]&", 9);
	ck_assert_int_eq(raw_len(big, GW_EVENT_MAX_CALLBACK_BYTES, MAX_EVENTS, &n), GW_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(raw_len(big, GW_EVENT_MAX_CALLBACK_BYTES + 1, MAX_EVENTS, NULL),
			 GW_E_BODY_TOO_LARGE);
	free(big);
}
END_TEST

/* ---- signatures -------------------------------------------------------- */

#define CB_URL "https://gateway.example.org/v1/bbb-events"
#define CB_SECRET "8cd8ef52e8e101574e400365b55e11a6"

static const struct {
	enum gw_digest alg;
	const char *name; /* OpenSSL's */
} algs[] = {
	{GW_DIGEST_SHA1, "SHA1"},
	{GW_DIGEST_SHA256, "SHA256"},
	{GW_DIGEST_SHA384, "SHA384"},
	{GW_DIGEST_SHA512, "SHA512"},
};

/* hex(alg(url + body + secret)) with OpenSSL's EVP, lower case, into hex. */
static void evp_hex(const char *name, const char *url, const char *body, const char *secret,
		    char hex[2 * EVP_MAX_MD_SIZE + 1])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = EVP_get_digestbyname(name);
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	unsigned int i;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_nonnull(md);
	ck_assert_int_eq(EVP_DigestInit_ex(ctx, md, NULL), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, url, strlen(url)), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, body, strlen(body)), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, secret, strlen(secret)), 1);
	ck_assert_int_eq(EVP_DigestFinal_ex(ctx, out, &n), 1);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	hex[2 * n] = '\0';
}

static bool verify(const char *url, const char *body, const char *secret, enum gw_digest alg,
		   const char *checksum)
{
	return gw_event_verify_checksum(url, body, strlen(body), secret, alg, checksum);
}

START_TEST(test_event_norm_checksum)
{
	enum gw_digest alg = algs[_i].alg;
	struct lines in;
	char *body;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	char other[2 * EVP_MAX_MD_SIZE + 1];
	char edit[2 * EVP_MAX_MD_SIZE + 2];
	size_t len;
	size_t i;

	read_lines("events/mapped-events.json", &in);
	{
		size_t n = strlen(in.line[1]) + 3;
		char *array = malloc(n);

		ck_assert_ptr_nonnull(array);
		snprintf(array, n, "[%s]", in.line[1]);
		body = callback_body(array);
		free(array);
	}
	free(in.text);
	evp_hex(algs[_i].name, CB_URL, body, CB_SECRET, hex);
	len = strlen(hex);
	ck_assert_uint_eq(len, 2 * gw_crypto_digest_len(alg));
	ck_assert(verify(CB_URL, body, CB_SECRET, alg, hex));
	for (i = 0; i < len; i++)
		edit[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 'a' + 'A' : hex[i]);
	edit[len] = '\0';
	ck_assert(verify(CB_URL, body, CB_SECRET, alg, edit)); /* upper-case hex */

	ck_assert(!verify(CB_URL, body, CB_SECRET "x", alg, hex));
	ck_assert(!verify(CB_URL "/", body, CB_SECRET, alg, hex));
	ck_assert(!verify(CB_URL "?checksum=", body, CB_SECRET, alg, hex));
	body[strlen(body) - 1] ^= 1; /* the timestamp's last digit */
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, hex));
	body[strlen(body) - 1] ^= 1;
	ck_assert(!gw_event_verify_checksum(CB_URL, body, strlen(body) - 1, CB_SECRET, alg, hex));
	/* one digit off; one digit short or long; not hex; empty; NULL */
	memcpy(edit, hex, len + 1);
	edit[len / 2] = edit[len / 2] == '0' ? '1' : '0';
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, edit));
	memcpy(edit, hex, len + 1);
	edit[len - 1] = '\0';
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, edit));
	memcpy(edit, hex, len);
	edit[len] = '0';
	edit[len + 1] = '\0';
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, edit));
	memcpy(edit, hex, len + 1);
	edit[0] = 'g';
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, edit));
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, ""));
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, NULL));
	/* another algorithm's digest has another length: refused */
	evp_hex(algs[((size_t)_i + 1) % GW_ARRAY_SIZE(algs)].name, CB_URL, body, CB_SECRET, other);
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, other));
	/* an empty secret signs nothing, even when the checksum matches it */
	evp_hex(algs[_i].name, CB_URL, body, "", other);
	ck_assert(!verify(CB_URL, body, "", alg, other));
	ck_assert(!verify(CB_URL, body, NULL, alg, hex));
	ck_assert(!verify(NULL, body, CB_SECRET, alg, hex));
	ck_assert(!gw_event_verify_checksum(CB_URL, NULL, 1, CB_SECRET, alg, hex));
	ck_assert(!verify(CB_URL, body, CB_SECRET, (enum gw_digest)99, hex));
	free(body);
}
END_TEST

START_TEST(test_event_norm_checksum_of_an_empty_body)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	evp_hex("SHA256", CB_URL, "", CB_SECRET, hex);
	ck_assert(gw_event_verify_checksum(CB_URL, NULL, 0, CB_SECRET, GW_DIGEST_SHA256, hex));
	ck_assert(gw_event_verify_checksum(CB_URL, "", 0, CB_SECRET, GW_DIGEST_SHA256, hex));
}
END_TEST

START_TEST(test_event_norm_bearer)
{
	static const struct {
		const char *authorization;
		bool ok;
	} cases[] = {
		{"Bearer " CB_SECRET, true},
		{"bearer " CB_SECRET, true},
		{"BEARER " CB_SECRET, true},
		{"Bearer   " CB_SECRET, true},
		{"Bearer " CB_SECRET " ", false},
		{"Bearer " CB_SECRET "0", false},
		{"Bearer 8cd8ef52e8e101574e400365b55e11a", false},
		{"Bearer 8CD8EF52E8E101574E400365B55E11A6", false},
		{"Bearer", false},
		{"Bearer ", false},
		{"Bearer" CB_SECRET, false},
		{"Basic " CB_SECRET, false},
		{CB_SECRET, false},
		{"", false},
	};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(cases); i++)
		ck_assert_msg(gw_event_verify_bearer(cases[i].authorization, CB_SECRET) ==
				      cases[i].ok,
			      "%s", cases[i].authorization);
	ck_assert(!gw_event_verify_bearer(NULL, CB_SECRET));
	ck_assert(!gw_event_verify_bearer("Bearer " CB_SECRET, NULL));
	ck_assert(!gw_event_verify_bearer("Bearer ", ""));
	ck_assert(!gw_event_verify_bearer("Bearer x", ""));
}
END_TEST

static Suite *event_verify_suite(void)
{
	Suite *s = suite_create("event_verify");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_event_norm_form_decoding);
	tcase_add_test(tc, test_event_norm_form_fields_in_any_order);
	tcase_add_test(tc, test_event_norm_form_refusals);
	tcase_add_test(tc, test_event_norm_max_events_and_size);
	tcase_add_loop_test(tc, test_event_norm_checksum, 0, (int)GW_ARRAY_SIZE(algs));
	tcase_add_test(tc, test_event_norm_checksum_of_an_empty_body);
	tcase_add_test(tc, test_event_norm_bearer);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(event_verify_suite)
