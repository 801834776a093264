/*
 * check_bbb_verify.c - a BBB API request's checksum verified as bbb-web
 * verifies it (gw_bbb_checksum_verify): the algorithm told by the
 * checksum's length and limited to the allowed ones, hex in either case,
 * the checksum first, in the middle or last, the empty query, missing,
 * empty and repeated checksums, wrong lengths, digits, secrets and calls,
 * the rest of the query byte for byte (percent-encoding untouched, and
 * Java's String.replace removing the checksum's text wherever it stands),
 * and BBB's official vectors. Expected checksums are computed here with
 * OpenSSL's EVP directly, never with bbb_sign.c.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "bbb_sign.h"
#include "testutil.h"

/* Vector 1: BBB API docs, "API Security Model" (create). */
#define V1_SECRET "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
#define V1_QUERY "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
#define V1_SHA1 "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"

/* Vector 2: BBB API docs before 2.4 (setConfigXML). */
#define V2_SECRET "aae06642a13942004fd83b3ba6e4o9s8"
#define V2_QUERY                                                                       \
	"configXML=%3Cconfig%3E%3Clocaleversion+suppressWarning%3D%22false%22%3E0.9.0" \
	"%3C%2Flocaleversion%3E%3C%2Fmodules%3E%3C%2Fconfig%3E&meetingID=random-8228800"
#define V2_SHA1 "51db6f55ffa080f42f5727386beb66adb4e5cf81"

/*
 * Vector 1 with the other algorithms (printf '%s' "$s" | sha256sum, sha384sum,
 * sha512sum; coreutils 9.1), as in check_bbb_sign.c, and the empty query
 * (printf '%s' 'getMeetings<V1_SECRET>' | sha1sum).
 */
#define V1_SHA256 "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e"
#define V1_SHA384                                                          \
	"891ac633df39d0a1b4f8d597f3e190833216c4b29c4fb51ea3ca72757eeb958d" \
	"6e7b49a845cf29f5c6019c7d29d029d1"
#define V1_SHA512                                                          \
	"de73ad61d11a5c801b68d4bd6ec5248546085cefb0b25c85f3c46249ea93a3a4" \
	"b120f92c0a8a58d7512cb77821884951a3b01245f3435dbbef49fff3cc3988b4"
#define GETMEETINGS_SHA1 "2027baa7771026e9e93392f55031535d1444c41f"

#define SECRET V1_SECRET
#define ALL                                                                             \
	((1u << GW_DIGEST_SHA1) | (1u << GW_DIGEST_SHA256) | (1u << GW_DIGEST_SHA384) | \
	 (1u << GW_DIGEST_SHA512))

/* What rest holds before each call: success appends after it, failure leaves it alone. */
#define KEEP "kept|"

#define HEX_MAX (2 * EVP_MAX_MD_SIZE + 1)
#define RAW_MAX 2048

static const struct {
	enum gw_digest alg;
	const char *md; /* OpenSSL's name */
	size_t hex_len;
	const char *v1; /* vector 1's checksum */
} algs[] = {
	{GW_DIGEST_SHA1, "SHA1", 40, V1_SHA1},
	{GW_DIGEST_SHA256, "SHA256", 64, V1_SHA256},
	{GW_DIGEST_SHA384, "SHA384", 96, V1_SHA384},
	{GW_DIGEST_SHA512, "SHA512", 128, V1_SHA512},
};

#define NALGS ((int)(sizeof(algs) / sizeof(algs[0])))

/* hex(H(call + query + secret)) in lower case with OpenSSL's EVP, H being algs[i]. */
static void evp_hex(int i, const char *call, const char *query, const char *secret,
		    char hex[HEX_MAX])
{
	const EVP_MD *md = EVP_get_digestbyname(algs[i].md);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	ck_assert_ptr_nonnull(md);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestInit_ex(ctx, md, NULL), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, call, strlen(call)), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, query, strlen(query)), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, secret, strlen(secret)), 1);
	ck_assert_int_eq(EVP_DigestFinal_ex(ctx, out, &n), 1);
	EVP_MD_CTX_free(ctx);
	ck_assert_uint_eq(2 * n, algs[i].hex_len);
	for (unsigned int k = 0; k < n; k++)
		snprintf(hex + 2 * k, 3, "%02x", out[k]);
}

static void upper(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
	}
}

/* Asserts that raw verifies under allowed and leaves exactly want_rest after KEEP. */
static void expect_ok(const char *call, const char *raw, const char *secret, unsigned allowed,
		      const char *want_rest)
{
	const char *why = NULL;
	struct gw_buf rest;
	enum gw_err err;

	gw_buf_init(&rest, 4 * RAW_MAX);
	ck_assert_int_eq(gw_buf_append_str(&rest, KEEP), GW_OK);
	err = gw_bbb_checksum_verify(call, raw, secret, allowed, &rest, &why);
	ck_assert_msg(err == GW_OK, "%s?%s refused (%d, %s)", call, raw, err,
		      why != NULL ? why : "-");
	ck_assert_uint_eq(rest.len, strlen(KEEP) + strlen(want_rest));
	ck_assert_mem_eq(rest.data, KEEP, strlen(KEEP));
	ck_assert_str_eq(rest.data + strlen(KEEP), want_rest);
	gw_buf_deinit(&rest);
}

/* Asserts that raw is refused under allowed with want_why, rest untouched. */
static void expect_refused(const char *call, const char *raw, const char *secret, unsigned allowed,
			   const char *want_why)
{
	const char *why = NULL;
	struct gw_buf rest;
	enum gw_err err;

	gw_buf_init(&rest, 4 * RAW_MAX);
	ck_assert_int_eq(gw_buf_append_str(&rest, KEEP), GW_OK);
	err = gw_bbb_checksum_verify(call, raw, secret, allowed, &rest, &why);
	ck_assert_msg(err == GW_E_UNAUTHORIZED, "%s?%s: %d, not refused", call, raw, err);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strcmp(why, want_why) == 0, "%s?%s: \"%s\", not \"%s\"", call, raw, why,
		      want_why);
	ck_assert_str_eq(gw_buf_str(&rest), KEEP);
	ck_assert_uint_eq(rest.len, strlen(KEEP));
	gw_buf_deinit(&rest);
}

#define MISSING GW_BBB_CHECKSUM_MISSING
#define MISMATCH GW_BBB_CHECKSUM_MISMATCH

/* query + "&checksum=" + hex (just "checksum=" + hex for an empty query) into raw. */
static void append_sum(char raw[RAW_MAX], const char *query, const char *hex)
{
	int n = snprintf(raw, RAW_MAX, "%s%schecksum=%s", query, query[0] != '\0' ? "&" : "", hex);

	ck_assert(n > 0 && n < RAW_MAX);
}

#define CALL "getMeetingInfo"
#define QUERY "meetingID=abc&password=mp"

START_TEST(test_bbb_verify_each_algorithm_by_length)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(_i, CALL, QUERY, SECRET, hex);
	ck_assert_uint_eq(strlen(hex), algs[_i].hex_len);
	append_sum(raw, QUERY, hex);
	expect_ok(CALL, raw, SECRET, ALL, QUERY);
	/* Its own bit is enough, and bits past the four digests change nothing. */
	expect_ok(CALL, raw, SECRET, 1u << algs[_i].alg, QUERY);
	expect_ok(CALL, raw, SECRET, (1u << algs[_i].alg) | 0xfffffff0u, QUERY);
}
END_TEST

START_TEST(test_bbb_verify_disallowed_algorithm_refused)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(_i, CALL, QUERY, SECRET, hex);
	append_sum(raw, QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL & ~(1u << algs[_i].alg), MISMATCH);
	expect_refused(CALL, raw, SECRET, 0, MISMATCH);
	expect_refused(CALL, raw, SECRET, 0xfffffff0u, MISMATCH);
}
END_TEST

START_TEST(test_bbb_verify_length_tells_algorithm)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	/*
	 * The first 40 digits of the SHA-256 checksum are taken for a SHA-1 one (and
	 * do not match); the SHA-1 checksum padded to 64 digits is taken for SHA-256.
	 */
	evp_hex(1, CALL, QUERY, SECRET, hex);
	hex[40] = '\0';
	append_sum(raw, QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISMATCH);
	evp_hex(0, CALL, QUERY, SECRET, hex);
	memset(hex + 40, '0', 24);
	hex[64] = '\0';
	append_sum(raw, QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISMATCH);
}
END_TEST

START_TEST(test_bbb_verify_upper_case_hex_accepted)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];
	size_t k;

	evp_hex(_i, CALL, QUERY, SECRET, hex);
	upper(hex);
	append_sum(raw, QUERY, hex);
	expect_ok(CALL, raw, SECRET, ALL, QUERY);
	/* Mixed case: every other letter lower again. */
	for (k = 0; hex[k] != '\0'; k += 2) {
		if (hex[k] >= 'A' && hex[k] <= 'F')
			hex[k] = (char)(hex[k] - 'A' + 'a');
	}
	append_sum(raw, QUERY, hex);
	expect_ok(CALL, raw, SECRET, 1u << algs[_i].alg, QUERY);
}
END_TEST

START_TEST(test_bbb_verify_checksum_first)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(_i, CALL, QUERY, SECRET, hex);
	snprintf(raw, sizeof(raw), "checksum=%s&%s", hex, QUERY);
	expect_ok(CALL, raw, SECRET, ALL, QUERY);
}
END_TEST

START_TEST(test_bbb_verify_checksum_middle)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(_i, CALL, "meetingID=abc&password=mp&full=true", SECRET, hex);
	snprintf(raw, sizeof(raw), "meetingID=abc&checksum=%s&password=mp&full=true", hex);
	expect_ok(CALL, raw, SECRET, ALL, "meetingID=abc&password=mp&full=true");
}
END_TEST

START_TEST(test_bbb_verify_checksum_last)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(_i, CALL, QUERY, SECRET, hex);
	snprintf(raw, sizeof(raw), "%s&checksum=%s", QUERY, hex);
	expect_ok(CALL, raw, SECRET, ALL, QUERY);
}
END_TEST

START_TEST(test_bbb_verify_empty_query)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	/* H(call + "" + secret) */
	evp_hex(_i, "getMeetings", "", SECRET, hex);
	append_sum(raw, "", hex);
	expect_ok("getMeetings", raw, SECRET, ALL, "");
	/* Signed over anything else, it does not verify. */
	evp_hex(_i, "getMeetings", "&", SECRET, hex);
	append_sum(raw, "", hex);
	expect_refused("getMeetings", raw, SECRET, ALL, MISMATCH);
}
END_TEST

START_TEST(test_bbb_verify_missing_checksum)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(0, CALL, QUERY, SECRET, hex);
	expect_refused(CALL, "", SECRET, ALL, MISSING);
	expect_refused(CALL, QUERY, SECRET, ALL, MISSING);
	expect_refused(CALL, "checksum", SECRET, ALL, MISSING);
	expect_refused(CALL, QUERY "&checksum", SECRET, ALL, MISSING);
	/* Parameter names are case-sensitive, and only a whole name counts. */
	snprintf(raw, sizeof(raw), "%s&Checksum=%s", QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISSING);
	snprintf(raw, sizeof(raw), "%s&xchecksum=%s", QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISSING);
	snprintf(raw, sizeof(raw), "%s&checksum%%3D%s", QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISSING);
	snprintf(raw, sizeof(raw), "%s&a=checksum=%s", QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISSING);
}
END_TEST

START_TEST(test_bbb_verify_empty_checksum)
{
	expect_refused(CALL, "checksum=", SECRET, ALL, MISSING);
	expect_refused(CALL, QUERY "&checksum=", SECRET, ALL, MISSING);
	expect_refused(CALL, "checksum=&" QUERY, SECRET, ALL, MISSING);
	expect_refused(CALL, "meetingID=abc&checksum=&password=mp", SECRET, ALL, MISSING);
}
END_TEST

START_TEST(test_bbb_verify_duplicate_checksum)
{
	char hex[HEX_MAX];
	char other[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(_i, CALL, QUERY, SECRET, hex);
	evp_hex(_i, CALL, "", SECRET, other);
	/* The right checksum twice, with an empty one, with a wrong one, in any order. */
	snprintf(raw, sizeof(raw), "%s&checksum=%s&checksum=%s", QUERY, hex, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISSING);
	snprintf(raw, sizeof(raw), "checksum=%s&%s&checksum=%s", hex, QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISSING);
	snprintf(raw, sizeof(raw), "%s&checksum=%s&checksum=", QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISSING);
	snprintf(raw, sizeof(raw), "checksum=&%s&checksum=%s", QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISSING);
	snprintf(raw, sizeof(raw), "%s&checksum=%s&checksum=%s", QUERY, other, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISSING);
	snprintf(raw, sizeof(raw), "%s&checksum=%s&checksum=%s", QUERY, hex, other);
	expect_refused(CALL, raw, SECRET, ALL, MISSING);
}
END_TEST

START_TEST(test_bbb_verify_wrong_length)
{
	static const size_t lens[] = {1, 20, 32, 39, 41, 48, 63, 65, 80, 95, 97, 127, 129, 256};
	char hex[HEX_MAX];
	char sum[300];
	char raw[RAW_MAX];
	size_t k;

	/* Prefixes of the right SHA-512 checksum, or it padded with its own digits. */
	evp_hex(3, CALL, QUERY, SECRET, hex);
	for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t n = lens[k];

		for (size_t j = 0; j < n; j++)
			sum[j] = hex[j % 128];
		sum[n] = '\0';
		append_sum(raw, QUERY, sum);
		expect_refused(CALL, raw, SECRET, ALL, MISMATCH);
	}
}
END_TEST

START_TEST(test_bbb_verify_non_hex)
{
	/* Other bytes in place of one digit of the right checksum. */
	static const char bad[] = {'g', 'G', 'z', 'Z', ' ', '%', '+', '-', '.', '\x80', '\xff'};
	char hex[HEX_MAX];
	char sum[HEX_MAX];
	char raw[RAW_MAX];
	size_t at = 0;
	size_t k;

	evp_hex(_i, CALL, QUERY, SECRET, hex);
	while (hex[at] < '0' || hex[at] > '9')
		at++;
	for (k = 0; k < sizeof(bad); k++) {
		memcpy(sum, hex, sizeof(sum));
		sum[at] = bad[k];
		append_sum(raw, QUERY, sum);
		expect_refused(CALL, raw, SECRET, ALL, MISMATCH);
	}
	/* The digit minus 0x20 (0x10..0x19): a compare folding case with `| 0x20` would match. */
	memcpy(sum, hex, sizeof(sum));
	sum[at] = (char)(sum[at] - 0x20);
	append_sum(raw, QUERY, sum);
	expect_refused(CALL, raw, SECRET, ALL, MISMATCH);
	/* Entirely not hex, of a valid length. */
	append_sum(raw, QUERY, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
	expect_refused(CALL, raw, SECRET, ALL, MISMATCH);
}
END_TEST

START_TEST(test_bbb_verify_any_digit_changed)
{
	char hex[HEX_MAX];
	char sum[HEX_MAX];
	char raw[RAW_MAX];

	/* Each digit, first to last, changed to another hex digit. */
	evp_hex(_i, CALL, QUERY, SECRET, hex);
	for (size_t at = 0; at < algs[_i].hex_len; at++) {
		memcpy(sum, hex, sizeof(sum));
		sum[at] = sum[at] == '0' ? 'F' : '0';
		append_sum(raw, QUERY, sum);
		expect_refused(CALL, raw, SECRET, ALL, MISMATCH);
	}
}
END_TEST

START_TEST(test_bbb_verify_wrong_secret)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(_i, CALL, QUERY, SECRET, hex);
	append_sum(raw, QUERY, hex);
	expect_refused(CALL, raw, SECRET "x", ALL, MISMATCH);
	expect_refused(CALL, raw, "", ALL, MISMATCH);
	expect_refused(CALL, raw, "639259d4-9dd8-4b25-bf01-95f9567eaf4B", ALL, MISMATCH);
	/* Signed with no secret, checked with one. */
	evp_hex(_i, CALL, QUERY, "", hex);
	append_sum(raw, QUERY, hex);
	expect_refused(CALL, raw, SECRET, ALL, MISMATCH);
	expect_ok(CALL, raw, "", ALL, QUERY);
}
END_TEST

START_TEST(test_bbb_verify_wrong_call)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(_i, CALL, QUERY, SECRET, hex);
	append_sum(raw, QUERY, hex);
	expect_refused("getMeetings", raw, SECRET, ALL, MISMATCH);
	expect_refused("getmeetinginfo", raw, SECRET, ALL, MISMATCH);
	expect_refused("", raw, SECRET, ALL, MISMATCH);
	/* The call and the query are simply concatenated: moving bytes across still matches. */
	expect_ok("getMeetingInfom", raw + 1, SECRET, ALL, QUERY + 1);
}
END_TEST

START_TEST(test_bbb_verify_rest_exact_and_appended)
{
	static const char *const queries[] = {
		"a=1",
		"a=1&b=2&c=3",
		"a=&=b&&c",
		"&&a=1&&",
		"meetingID=x&meetingID=y",
		"name=%E2%82%AC+%26&x=%2",
	};
	char hex[HEX_MAX];
	char raw[RAW_MAX];
	size_t k;

	for (k = 0; k < sizeof(queries) / sizeof(queries[0]); k++) {
		evp_hex(1, "create", queries[k], SECRET, hex);
		append_sum(raw, queries[k], hex);
		expect_ok("create", raw, SECRET, ALL, queries[k]);
	}
}
END_TEST

START_TEST(test_bbb_verify_rest_unchanged_on_failure)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];
	const char *why = "untouched";
	struct gw_buf rest;

	/* expect_refused checks KEEP; here from an empty buffer that stays unallocated */
	evp_hex(0, CALL, QUERY, SECRET, hex);
	append_sum(raw, QUERY, hex);
	gw_buf_init(&rest, 4096);
	ck_assert_int_eq(gw_bbb_checksum_verify(CALL, raw, "other", ALL, &rest, &why),
			 GW_E_UNAUTHORIZED);
	ck_assert_str_eq(why, MISMATCH);
	ck_assert_uint_eq(rest.len, 0);
	ck_assert_str_eq(gw_buf_str(&rest), "");
	ck_assert_int_eq(gw_bbb_checksum_verify(CALL, QUERY, SECRET, ALL, &rest, &why),
			 GW_E_UNAUTHORIZED);
	ck_assert_str_eq(why, MISSING);
	ck_assert_uint_eq(rest.len, 0);
	ck_assert_int_eq(gw_bbb_checksum_verify(CALL, raw, SECRET, 1u << GW_DIGEST_SHA256, &rest,
						&why),
			 GW_E_UNAUTHORIZED);
	ck_assert_str_eq(why, MISMATCH);
	ck_assert_uint_eq(rest.len, 0);
	ck_assert_int_eq(gw_bbb_checksum_verify(CALL, raw, SECRET, ALL, &rest, &why), GW_OK);
	ck_assert_str_eq(gw_buf_str(&rest), QUERY);
	gw_buf_deinit(&rest);
}
END_TEST

START_TEST(test_bbb_verify_rest_too_large)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];
	const char *why = NULL;
	struct gw_buf rest;

	/* The rest does not fit: refused as too large, the buffer as it was. */
	evp_hex(0, CALL, QUERY, SECRET, hex);
	append_sum(raw, QUERY, hex);
	gw_buf_init(&rest, strlen(KEEP) + strlen(QUERY) - 1);
	ck_assert_int_eq(gw_buf_append_str(&rest, KEEP), GW_OK);
	ck_assert_int_eq(gw_bbb_checksum_verify(CALL, raw, SECRET, ALL, &rest, &why),
			 GW_E_TOO_LARGE);
	ck_assert_str_eq(gw_buf_str(&rest), KEEP);
	gw_buf_deinit(&rest);
	/* Exactly at the cap it fits. */
	gw_buf_init(&rest, strlen(KEEP) + strlen(QUERY));
	ck_assert_int_eq(gw_buf_append_str(&rest, KEEP), GW_OK);
	ck_assert_int_eq(gw_bbb_checksum_verify(CALL, raw, SECRET, ALL, &rest, &why), GW_OK);
	ck_assert_str_eq(gw_buf_str(&rest), KEEP QUERY);
	gw_buf_deinit(&rest);
}
END_TEST

/* tmpl with every "<v>" replaced by hex, into raw. */
static void subst(char raw[RAW_MAX], const char *tmpl, const char *hex)
{
	size_t n = 0;

	while (*tmpl != '\0') {
		const char *add = tmpl;
		size_t len = 1;

		if (strncmp(tmpl, "<v>", 3) == 0) {
			add = hex;
			len = strlen(hex);
			tmpl += 3;
		} else {
			tmpl++;
		}
		ck_assert_uint_lt(n + len, RAW_MAX);
		memcpy(raw + n, add, len);
		n += len;
	}
	raw[n] = '\0';
}

/*
 * tmpl with its "<v>" the checksum signed over want_rest: bbb-web's
 * String.replace removes "&checksum=<v>", then "checksum=<v>&", then
 * "checksum=<v>" wherever they stand, other parameters' text included. The
 * rests below are what OpenJDK 17's String.replace gave for these queries (a
 * throwaway Rep.java applying bbb-web's three replaces, run with `java`).
 */
static void check_java_removal(const char *tmpl, const char *want_rest)
{
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(0, "create", want_rest, SECRET, hex);
	subst(raw, tmpl, hex);
	expect_ok("create", raw, SECRET, ALL, want_rest);
}

START_TEST(test_bbb_verify_checksum_text_in_values_removed_as_java)
{
	check_java_removal("meta_note=checksum=<v>&meetingID=abc&checksum=<v>", "meta_note="
										"meetingID=abc");
	check_java_removal("meta_x=checksum=<v>&checksum=<v>", "meta_x=");
	check_java_removal("xchecksum=<v>&checksum=<v>", "x");
	check_java_removal("checksum=<v>&a=checksum=<v>&b=1", "a=b=1");
	check_java_removal("&&a=1&&checksum=<v>&", "&&a=1&&");
	check_java_removal("a=1&checksum=<v>&b=2", "a=1&b=2");
}
END_TEST

START_TEST(test_bbb_verify_checksum_text_other_spelling_kept)
{
	char lower[HEX_MAX];
	char up[HEX_MAX];
	char raw[RAW_MAX];

	/*
	 * Java's replace is exact: with the checksum sent as V, the text
	 * "checksum=<v>" in another case stays in the rest (and the reverse), so a
	 * checksum signed over the rest without it ("a=") does not verify. Removing
	 * it regardless of case would accept these.
	 */
	evp_hex(_i, "create", "a=", SECRET, lower);
	memcpy(up, lower, sizeof(up));
	upper(up);
	snprintf(raw, sizeof(raw), "a=checksum=%s&checksum=%s", lower, up);
	expect_refused("create", raw, SECRET, ALL, MISMATCH);
	snprintf(raw, sizeof(raw), "a=checksum=%s&checksum=%s", up, lower);
	expect_refused("create", raw, SECRET, ALL, MISMATCH);
	/* The same text in the same case is removed, in either case. */
	snprintf(raw, sizeof(raw), "a=checksum=%s&checksum=%s", up, up);
	expect_ok("create", raw, SECRET, ALL, "a=");
	snprintf(raw, sizeof(raw), "a=checksum=%s&checksum=%s", lower, lower);
	expect_ok("create", raw, SECRET, ALL, "a=");
	/*
	 * Nor is it decoded first: Java leaves "a=checksum%3D<v>" (it printed so), so
	 * a checksum over "a=checksum%3D" does not verify.
	 */
	evp_hex(_i, "create", "a=checksum%3D", SECRET, lower);
	subst(raw, "a=checksum%3D<v>&checksum=<v>", lower);
	expect_refused("create", raw, SECRET, ALL, MISMATCH);
}
END_TEST

START_TEST(test_bbb_verify_percent_encoding_byte_for_byte)
{
	static const char q[] = "name=Caf%C3%a9+%26+co&meetingID=a%2Fb%20c%2&meta_x=%e2%82%AC"
				"&userdata-y=%7E~%2B+&z=%";
	char hex[HEX_MAX];
	char raw[RAW_MAX];

	evp_hex(_i, "create", q, SECRET, hex);
	append_sum(raw, q, hex);
	expect_ok("create", raw, SECRET, ALL, q);
	/* Signed over the decoded text, or over a different but equivalent encoding: refused. */
	evp_hex(_i, "create", "name=Café & co&meetingID=a/b c%2&meta_x=€&userdata-y=~~+ &z=%",
		SECRET, hex);
	append_sum(raw, q, hex);
	expect_refused("create", raw, SECRET, ALL, MISMATCH);
	evp_hex(_i, "create",
		"name=Caf%C3%A9+%26+co&meetingID=a%2Fb%20c%2&meta_x=%E2%82%AC"
		"&userdata-y=%7E~%2B+&z=%",
		SECRET, hex);
	append_sum(raw, q, hex);
	expect_refused("create", raw, SECRET, ALL, MISMATCH);
}
END_TEST

START_TEST(test_bbb_verify_official_vectors)
{
	char hex[HEX_MAX];

	/* The docs' vectors, and EVP agreeing with them. */
	evp_hex(_i, "create", V1_QUERY, V1_SECRET, hex);
	ck_assert_str_eq(hex, algs[_i].v1);
	expect_ok("create", V1_QUERY "&checksum=" V1_SHA1, V1_SECRET, ALL, V1_QUERY);
	expect_ok("create", "checksum=" V1_SHA1 "&" V1_QUERY, V1_SECRET, ALL, V1_QUERY);
	expect_ok("setConfigXML", V2_QUERY "&checksum=" V2_SHA1, V2_SECRET, ALL, V2_QUERY);
	expect_ok("getMeetings", "checksum=" GETMEETINGS_SHA1, V1_SECRET, ALL, "");
	expect_refused("create", V1_QUERY "&checksum=" V1_SHA1, V1_SECRET,
		       ALL & ~(1u << GW_DIGEST_SHA1), MISMATCH);
	expect_refused("create", V1_QUERY "&checksum=" V1_SHA1, V2_SECRET, ALL, MISMATCH);
}
END_TEST

START_TEST(test_bbb_verify_official_vector_every_algorithm)
{
	char raw[RAW_MAX];

	append_sum(raw, V1_QUERY, algs[_i].v1);
	expect_ok("create", raw, V1_SECRET, 1u << algs[_i].alg, V1_QUERY);
	expect_refused("create", raw, V1_SECRET, ALL & ~(1u << algs[_i].alg), MISMATCH);
}
END_TEST

static Suite *bbb_verify_suite(void)
{
	Suite *s = suite_create("bbb_verify");
	TCase *alg = tcase_create("algorithm");
	TCase *where = tcase_create("placement");
	TCase *refuse = tcase_create("refusals");
	TCase *rest = tcase_create("rest");
	TCase *vec = tcase_create("vectors");

	tcase_add_loop_test(alg, test_bbb_verify_each_algorithm_by_length, 0, NALGS);
	tcase_add_loop_test(alg, test_bbb_verify_disallowed_algorithm_refused, 0, NALGS);
	tcase_add_test(alg, test_bbb_verify_length_tells_algorithm);
	tcase_add_loop_test(alg, test_bbb_verify_upper_case_hex_accepted, 0, NALGS);
	suite_add_tcase(s, alg);

	tcase_add_loop_test(where, test_bbb_verify_checksum_first, 0, NALGS);
	tcase_add_loop_test(where, test_bbb_verify_checksum_middle, 0, NALGS);
	tcase_add_loop_test(where, test_bbb_verify_checksum_last, 0, NALGS);
	tcase_add_loop_test(where, test_bbb_verify_empty_query, 0, NALGS);
	suite_add_tcase(s, where);

	tcase_add_test(refuse, test_bbb_verify_missing_checksum);
	tcase_add_test(refuse, test_bbb_verify_empty_checksum);
	tcase_add_loop_test(refuse, test_bbb_verify_duplicate_checksum, 0, NALGS);
	tcase_add_test(refuse, test_bbb_verify_wrong_length);
	tcase_add_loop_test(refuse, test_bbb_verify_non_hex, 0, NALGS);
	tcase_add_loop_test(refuse, test_bbb_verify_any_digit_changed, 0, NALGS);
	tcase_add_loop_test(refuse, test_bbb_verify_wrong_secret, 0, NALGS);
	tcase_add_loop_test(refuse, test_bbb_verify_wrong_call, 0, NALGS);
	suite_add_tcase(s, refuse);

	tcase_add_test(rest, test_bbb_verify_rest_exact_and_appended);
	tcase_add_test(rest, test_bbb_verify_rest_unchanged_on_failure);
	tcase_add_test(rest, test_bbb_verify_rest_too_large);
	tcase_add_test(rest, test_bbb_verify_checksum_text_in_values_removed_as_java);
	tcase_add_loop_test(rest, test_bbb_verify_checksum_text_other_spelling_kept, 0, NALGS);
	tcase_add_loop_test(rest, test_bbb_verify_percent_encoding_byte_for_byte, 0, NALGS);
	suite_add_tcase(s, rest);

	tcase_add_loop_test(vec, test_bbb_verify_official_vectors, 0, NALGS);
	tcase_add_loop_test(vec, test_bbb_verify_official_vector_every_algorithm, 0, NALGS);
	suite_add_tcase(s, vec);
	return s;
}

GW_TEST_MAIN(bbb_verify_suite)
