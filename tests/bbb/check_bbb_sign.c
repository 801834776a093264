/*
 * check_bbb_sign.c - BBB's official checksum vectors, SHA-2 variants of the
 * create vector derived with coreutils, java.net.URLEncoder's form encoding
 * and the signed URL layout.
 */
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
 * Vector 1 hashed with the other algorithms, derived outside the gateway:
 *   s='createname=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444'\
 *     '639259d4-9dd8-4b25-bf01-95f9567eaf4b'
 *   printf '%s' "$s" | sha256sum   (and sha384sum, sha512sum; coreutils 9.1)
 * and cross-checked with `openssl dgst -sha256/-sha384/-sha512` (OpenSSL 3.0 CLI).
 */
#define V1_SHA256 "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e"
#define V1_SHA384                                                          \
	"891ac633df39d0a1b4f8d597f3e190833216c4b29c4fb51ea3ca72757eeb958d" \
	"6e7b49a845cf29f5c6019c7d29d029d1"
#define V1_SHA512                                                          \
	"de73ad61d11a5c801b68d4bd6ec5248546085cefb0b25c85f3c46249ea93a3a4" \
	"b120f92c0a8a58d7512cb77821884951a3b01245f3435dbbef49fff3cc3988b4"

/*
 * An empty query hashes call + secret only:
 *   printf '%s' 'getMeetings639259d4-9dd8-4b25-bf01-95f9567eaf4b' | sha1sum
 */
#define GETMEETINGS_SHA1 "2027baa7771026e9e93392f55031535d1444c41f"

#define BASE "https://bbb.example.org/bigbluebutton/api"

static const struct {
	enum gw_digest alg;
	const char *hex;
} v1_all[] = {
	{GW_DIGEST_SHA1, V1_SHA1},
	{GW_DIGEST_SHA256, V1_SHA256},
	{GW_DIGEST_SHA384, V1_SHA384},
	{GW_DIGEST_SHA512, V1_SHA512},
};

/* Encodes s into a fresh buffer and checks the result. */
static void check_encode(const char *s, size_t n, const char *want)
{
	struct gw_buf b;

	gw_buf_init(&b, 4096);
	ck_assert_int_eq(gw_bbb_encode(&b, s, n), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), want);
	ck_assert_uint_eq(b.len, strlen(want));
	gw_buf_deinit(&b);
}

/* Encodes a string literal, embedded NULs included. */
#define ENC(lit, want) check_encode(lit, sizeof(lit) - 1, want)

START_TEST(test_bbb_sign_checksum_official_create_vector)
{
	char hex[GW_DIGEST_MAX_HEX];

	ck_assert_int_eq(gw_bbb_checksum(GW_DIGEST_SHA1, "create", V1_QUERY, V1_SECRET, hex),
			 GW_OK);
	ck_assert_str_eq(hex, V1_SHA1);
}
END_TEST

START_TEST(test_bbb_sign_checksum_official_setconfigxml_vector)
{
	char hex[GW_DIGEST_MAX_HEX];

	ck_assert_int_eq(gw_bbb_checksum(GW_DIGEST_SHA1, "setConfigXML", V2_QUERY, V2_SECRET, hex),
			 GW_OK);
	ck_assert_str_eq(hex, V2_SHA1);
}
END_TEST

START_TEST(test_bbb_sign_checksum_every_algorithm)
{
	char hex[GW_DIGEST_MAX_HEX];

	ck_assert_int_eq(gw_bbb_checksum(v1_all[_i].alg, "create", V1_QUERY, V1_SECRET, hex),
			 GW_OK);
	ck_assert_str_eq(hex, v1_all[_i].hex);
	ck_assert_uint_eq(strlen(hex), 2 * gw_crypto_digest_len(v1_all[_i].alg));
}
END_TEST

START_TEST(test_bbb_sign_checksum_empty_query)
{
	char hex[GW_DIGEST_MAX_HEX];

	ck_assert_int_eq(gw_bbb_checksum(GW_DIGEST_SHA1, "getMeetings", "", V1_SECRET, hex), GW_OK);
	ck_assert_str_eq(hex, GETMEETINGS_SHA1);
}
END_TEST

START_TEST(test_bbb_sign_checksum_depends_on_every_input)
{
	char hex[GW_DIGEST_MAX_HEX];

	ck_assert_int_eq(gw_bbb_checksum(GW_DIGEST_SHA1, "Create", V1_QUERY, V1_SECRET, hex),
			 GW_OK);
	ck_assert_str_ne(hex, V1_SHA1);
	ck_assert_int_eq(gw_bbb_checksum(GW_DIGEST_SHA1, "create", V1_QUERY "&", V1_SECRET, hex),
			 GW_OK);
	ck_assert_str_ne(hex, V1_SHA1);
	ck_assert_int_eq(gw_bbb_checksum(GW_DIGEST_SHA1, "create", V1_QUERY, V1_SECRET "x", hex),
			 GW_OK);
	ck_assert_str_ne(hex, V1_SHA1);
}
END_TEST

START_TEST(test_bbb_sign_query_add_builds_official_query)
{
	struct gw_buf q;
	char hex[GW_DIGEST_MAX_HEX];

	gw_buf_init(&q, 1024);
	ck_assert_int_eq(gw_bbb_query_add(&q, "name", "Test Meeting"), GW_OK);
	ck_assert_int_eq(gw_bbb_query_add(&q, "meetingID", "abc123"), GW_OK);
	ck_assert_int_eq(gw_bbb_query_add(&q, "attendeePW", "111222"), GW_OK);
	ck_assert_int_eq(gw_bbb_query_add(&q, "moderatorPW", "333444"), GW_OK);
	ck_assert_str_eq(gw_buf_str(&q), V1_QUERY);
	ck_assert_int_eq(gw_bbb_checksum(GW_DIGEST_SHA1, "create", gw_buf_str(&q), V1_SECRET, hex),
			 GW_OK);
	ck_assert_str_eq(hex, V1_SHA1);
	gw_buf_deinit(&q);
}
END_TEST

START_TEST(test_bbb_sign_query_add_builds_setconfigxml_query)
{
	const char *xml = "<config><localeversion suppressWarning=\"false\">0.9.0"
			  "</localeversion></modules></config>";
	struct gw_buf q;
	char hex[GW_DIGEST_MAX_HEX];

	gw_buf_init(&q, 1024);
	ck_assert_int_eq(gw_bbb_query_add(&q, "configXML", xml), GW_OK);
	ck_assert_int_eq(gw_bbb_query_add(&q, "meetingID", "random-8228800"), GW_OK);
	ck_assert_str_eq(gw_buf_str(&q), V2_QUERY);
	ck_assert_int_eq(gw_bbb_checksum(GW_DIGEST_SHA1, "setConfigXML", gw_buf_str(&q), V2_SECRET,
					 hex),
			 GW_OK);
	ck_assert_str_eq(hex, V2_SHA1);
	gw_buf_deinit(&q);
}
END_TEST

START_TEST(test_bbb_sign_query_add_encodes_names_and_empty_values)
{
	struct gw_buf q;

	gw_buf_init(&q, 1024);
	ck_assert_int_eq(gw_bbb_query_add(&q, "meta_bbb-origin", "a&b=c"), GW_OK);
	ck_assert_int_eq(gw_bbb_query_add(&q, "userdata-x y", ""), GW_OK);
	ck_assert_str_eq(gw_buf_str(&q), "meta_bbb-origin=a%26b%3Dc&userdata-x+y=");
	gw_buf_deinit(&q);
}
END_TEST

START_TEST(test_bbb_sign_encode_unreserved_unchanged)
{
	const char *s = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-*_";

	check_encode(s, strlen(s), s);
}
END_TEST

START_TEST(test_bbb_sign_encode_space_is_plus)
{
	ENC(" a  b ", "+a++b+");
}
END_TEST

START_TEST(test_bbb_sign_encode_reserved_chars)
{
	ENC("&=+/?%#", "%26%3D%2B%2F%3F%25%23");
	ENC(":;,@$!'()[]<>\"\\", "%3A%3B%2C%40%24%21%27%28%29%5B%5D%3C%3E%22%5C");
}
END_TEST

START_TEST(test_bbb_sign_encode_tilde_is_encoded)
{
	/* URLEncoder encodes '~' although RFC 3986 lists it as unreserved. */
	ENC("~", "%7E");
}
END_TEST

START_TEST(test_bbb_sign_encode_utf8_bytes)
{
	ENC("\xc3\xa9", "%C3%A9"); /* é */
	ENC("caf\xc3\xa9 ol\xc3\xa9", "caf%C3%A9+ol%C3%A9");
	ENC("\xf0\x9f\x98\x80", "%F0%9F%98%80"); /* U+1F600 */
	ENC("\xe2\x82\xac", "%E2%82%AC");        /* € */
}
END_TEST

START_TEST(test_bbb_sign_encode_control_and_nul_bytes)
{
	ENC("a\0b", "a%00b");
	ENC("\r\n\t\x7f\xff", "%0D%0A%09%7F%FF");
	ENC("", "");
}
END_TEST

START_TEST(test_bbb_sign_encode_matches_java_urlencoder)
{
	/*
	 * Bytes 0x01..0x7f and a UTF-8 sample, expected values printed by OpenJDK 17's
	 * java.net.URLEncoder.encode(s, "UTF-8") (a throwaway Enc.java run with `java Enc.java`).
	 */
	static const char want_ascii[] = "%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%"
					 "13%14%15%16%17%18"
					 "%19%1A%1B%1C%1D%1E%1F+%21%22%23%24%25%26%27%28%29*%2B%2C-"
					 ".%2F0123456789%"
					 "3A%3B%3C%3D%3E%3F%40ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%"
					 "5E_%60abcdefghij"
					 "klmnopqrstuvwxyz%7B%7C%7D%7E%7F";
	char ascii[127];
	size_t i;

	for (i = 0; i < sizeof(ascii); i++)
		ascii[i] = (char)(i + 1);
	check_encode(ascii, sizeof(ascii), want_ascii);
	ENC("caf\xc3\xa9 ol\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 ~", "caf%C3%A9+ol%C3%A9+%E2%82%"
								      "AC+%F0%9F%98%80+%7E");
}
END_TEST

START_TEST(test_bbb_sign_encode_every_byte_decodes_back)
{
	static const char digits[] = "0123456789ABCDEF";
	char in[256];
	struct gw_buf b;
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)i;
	gw_buf_init(&b, 4096);
	ck_assert_int_eq(gw_bbb_encode(&b, in, sizeof(in)), GW_OK);
	/* 67 bytes keep one character (66 unreserved, space as '+'), 189 become %XX. */
	ck_assert_uint_eq(b.len, 67 + 3 * 189);
	p = gw_buf_str(&b);
	for (i = 0; i < sizeof(in); i++) {
		unsigned char c = (unsigned char)i;

		if (*p == '%') {
			ck_assert_int_eq(p[1], digits[c >> 4]);
			ck_assert_int_eq(p[2], digits[c & 15]);
			p += 3;
		} else if (*p == '+') {
			ck_assert_uint_eq(c, ' ');
			p++;
		} else {
			ck_assert_uint_eq((unsigned char)*p, c);
			p++;
		}
	}
	ck_assert_int_eq(*p, '\0');
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_bbb_sign_encode_appends)
{
	struct gw_buf b;

	gw_buf_init(&b, 64);
	ck_assert_int_eq(gw_buf_append_str(&b, "x="), GW_OK);
	ck_assert_int_eq(gw_bbb_encode(&b, "a b", 3), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), "x=a+b");
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_bbb_sign_encode_too_large_leaves_buffer_unchanged)
{
	char big[1000];
	struct gw_buf b;

	/* Long enough that part of the output is flushed before the cap is hit. */
	memset(big, '/', sizeof(big));
	gw_buf_init(&b, 900);
	ck_assert_int_eq(gw_buf_append_str(&b, "keep"), GW_OK);
	ck_assert_int_eq(gw_bbb_encode(&b, big, sizeof(big)), GW_E_TOO_LARGE);
	ck_assert_str_eq(gw_buf_str(&b), "keep");
	ck_assert_uint_eq(b.len, 4);
	/* Exactly at the cap is fine: 4 + 3 * 298 + 2 = 900. */
	memset(big, 'a', sizeof(big));
	memset(big, '/', 298);
	ck_assert_int_eq(gw_bbb_encode(&b, big, 300), GW_OK);
	ck_assert_uint_eq(b.len, 900);
	ck_assert_int_eq(gw_bbb_encode(&b, "a", 1), GW_E_TOO_LARGE);
	ck_assert_uint_eq(b.len, 900);
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_bbb_sign_query_add_too_large_leaves_buffer_unchanged)
{
	struct gw_buf q;

	gw_buf_init(&q, 20);
	ck_assert_int_eq(gw_bbb_query_add(&q, "a", "1"), GW_OK);
	ck_assert_int_eq(gw_bbb_query_add(&q, "name", "Test Meeting"), GW_E_TOO_LARGE);
	ck_assert_str_eq(gw_buf_str(&q), "a=1");
	ck_assert_int_eq(gw_bbb_query_add(&q, "b", "2"), GW_OK);
	ck_assert_str_eq(gw_buf_str(&q), "a=1&b=2");
	gw_buf_deinit(&q);
}
END_TEST

START_TEST(test_bbb_sign_signed_url_format)
{
	struct gw_buf u;

	gw_buf_init(&u, 4096);
	ck_assert_int_eq(gw_bbb_signed_url(&u, BASE, "create", V1_QUERY, GW_DIGEST_SHA1, V1_SECRET),
			 GW_OK);
	ck_assert_str_eq(gw_buf_str(&u), BASE "/create?" V1_QUERY "&checksum=" V1_SHA1);
	gw_buf_deinit(&u);
}
END_TEST

START_TEST(test_bbb_sign_signed_url_every_algorithm)
{
	struct gw_buf u;
	char want[512];

	snprintf(want, sizeof(want), "%s/create?%s&checksum=%s", BASE, V1_QUERY, v1_all[_i].hex);
	gw_buf_init(&u, 4096);
	ck_assert_int_eq(gw_bbb_signed_url(&u, BASE, "create", V1_QUERY, v1_all[_i].alg, V1_SECRET),
			 GW_OK);
	ck_assert_str_eq(gw_buf_str(&u), want);
	gw_buf_deinit(&u);
}
END_TEST

START_TEST(test_bbb_sign_signed_url_empty_query)
{
	struct gw_buf u;

	gw_buf_init(&u, 4096);
	ck_assert_int_eq(gw_bbb_signed_url(&u, BASE, "getMeetings", "", GW_DIGEST_SHA1, V1_SECRET),
			 GW_OK);
	ck_assert_str_eq(gw_buf_str(&u), BASE "/getMeetings?checksum=" GETMEETINGS_SHA1);
	gw_buf_deinit(&u);
}
END_TEST

START_TEST(test_bbb_sign_signed_url_trailing_slash_tolerated)
{
	struct gw_buf u;

	gw_buf_init(&u, 4096);
	ck_assert_int_eq(gw_bbb_signed_url(&u, BASE "/", "getMeetings", "", GW_DIGEST_SHA1,
					   V1_SECRET),
			 GW_OK);
	ck_assert_str_eq(gw_buf_str(&u), BASE "/getMeetings?checksum=" GETMEETINGS_SHA1);
	gw_buf_deinit(&u);
}
END_TEST

START_TEST(test_bbb_sign_signed_url_keeps_slash_in_call)
{
	struct gw_buf u;
	char hex[GW_DIGEST_MAX_HEX];
	char want[512];

	/* bbb-webhooks calls are named "hooks/create": the slash is part of what is hashed. */
	ck_assert_int_eq(gw_bbb_checksum(GW_DIGEST_SHA1, "hooks/list", "", V1_SECRET, hex), GW_OK);
	snprintf(want, sizeof(want), "%s/hooks/list?checksum=%s", BASE, hex);
	gw_buf_init(&u, 4096);
	ck_assert_int_eq(gw_bbb_signed_url(&u, BASE, "hooks/list", "", GW_DIGEST_SHA1, V1_SECRET),
			 GW_OK);
	ck_assert_str_eq(gw_buf_str(&u), want);
	gw_buf_deinit(&u);
}
END_TEST

START_TEST(test_bbb_sign_signed_url_too_large_leaves_buffer_unchanged)
{
	struct gw_buf u;

	gw_buf_init(&u, 64);
	ck_assert_int_eq(gw_buf_append_str(&u, "prefix:"), GW_OK);
	ck_assert_int_eq(gw_bbb_signed_url(&u, BASE, "create", V1_QUERY, GW_DIGEST_SHA1, V1_SECRET),
			 GW_E_TOO_LARGE);
	ck_assert_str_eq(gw_buf_str(&u), "prefix:");
	gw_buf_deinit(&u);
}
END_TEST

static Suite *bbb_sign_suite(void)
{
	Suite *s = suite_create("bbb_sign");
	TCase *sum = tcase_create("checksum");
	TCase *enc = tcase_create("encode");
	TCase *url = tcase_create("signed_url");
	int nalg = (int)(sizeof(v1_all) / sizeof(v1_all[0]));

	tcase_add_test(sum, test_bbb_sign_checksum_official_create_vector);
	tcase_add_test(sum, test_bbb_sign_checksum_official_setconfigxml_vector);
	tcase_add_loop_test(sum, test_bbb_sign_checksum_every_algorithm, 0, nalg);
	tcase_add_test(sum, test_bbb_sign_checksum_empty_query);
	tcase_add_test(sum, test_bbb_sign_checksum_depends_on_every_input);
	suite_add_tcase(s, sum);

	tcase_add_test(enc, test_bbb_sign_query_add_builds_official_query);
	tcase_add_test(enc, test_bbb_sign_query_add_builds_setconfigxml_query);
	tcase_add_test(enc, test_bbb_sign_query_add_encodes_names_and_empty_values);
	tcase_add_test(enc, test_bbb_sign_encode_unreserved_unchanged);
	tcase_add_test(enc, test_bbb_sign_encode_space_is_plus);
	tcase_add_test(enc, test_bbb_sign_encode_reserved_chars);
	tcase_add_test(enc, test_bbb_sign_encode_tilde_is_encoded);
	tcase_add_test(enc, test_bbb_sign_encode_utf8_bytes);
	tcase_add_test(enc, test_bbb_sign_encode_control_and_nul_bytes);
	tcase_add_test(enc, test_bbb_sign_encode_matches_java_urlencoder);
	tcase_add_test(enc, test_bbb_sign_encode_every_byte_decodes_back);
	tcase_add_test(enc, test_bbb_sign_encode_appends);
	tcase_add_test(enc, test_bbb_sign_encode_too_large_leaves_buffer_unchanged);
	tcase_add_test(enc, test_bbb_sign_query_add_too_large_leaves_buffer_unchanged);
	suite_add_tcase(s, enc);

	tcase_add_test(url, test_bbb_sign_signed_url_format);
	tcase_add_loop_test(url, test_bbb_sign_signed_url_every_algorithm, 0, nalg);
	tcase_add_test(url, test_bbb_sign_signed_url_empty_query);
	tcase_add_test(url, test_bbb_sign_signed_url_trailing_slash_tolerated);
	tcase_add_test(url, test_bbb_sign_signed_url_keeps_slash_in_call);
	tcase_add_test(url, test_bbb_sign_signed_url_too_large_leaves_buffer_unchanged);
	suite_add_tcase(s, url);
	return s;
}

GW_TEST_MAIN(bbb_sign_suite)
