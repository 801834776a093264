/*
 * check_str.c - percent-decoding (query and path modes), UTF-8 validation,
 * decimal parsing, visible-ASCII checks, media type comparison and strict
 * base64url decoding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "str.h"
#include "testutil.h"

/* Decodes the whole of s; returns the error and stores the result (or NULL) in *out. */
static enum gw_err decode(const char *s, bool plus_is_space, char **out)
{
	*out = NULL;
	return gw_str_pct_decode(s, strlen(s), plus_is_space, out);
}

/* Asserts that s decodes to want in the given mode. */
static void assert_decodes(const char *s, bool plus_is_space, const char *want)
{
	char *out = NULL;

	ck_assert_msg(decode(s, plus_is_space, &out) == GW_OK, "'%s' should decode", s);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, want);
	free(out);
}

/* Asserts that s is rejected with GW_E_PARSE and that out is left alone. */
static void assert_rejected(const char *s, bool plus_is_space)
{
	char *sentinel = (char *)"untouched";
	char *out = sentinel;

	ck_assert_msg(gw_str_pct_decode(s, strlen(s), plus_is_space, &out) == GW_E_PARSE,
		      "'%s' should be rejected", s);
	ck_assert_ptr_eq(out, sentinel);
}

START_TEST(test_str_pct_decode_plain_text_unchanged)
{
	assert_decodes("hello-world_1.2~x", false, "hello-world_1.2~x");
	assert_decodes("hello-world_1.2~x", true, "hello-world_1.2~x");
	assert_decodes("", true, "");
}
END_TEST

START_TEST(test_str_pct_decode_plus_is_space_in_query_mode)
{
	assert_decodes("a+b+", true, "a b ");
	assert_decodes("%2B", true, "+");
}
END_TEST

START_TEST(test_str_pct_decode_plus_kept_in_path_mode)
{
	assert_decodes("a+b", false, "a+b");
	assert_decodes("%20", false, " ");
}
END_TEST

START_TEST(test_str_pct_decode_slash_escape_is_decoded)
{
	assert_decodes("a%2Fb", false, "a/b");
	assert_decodes("a%2fb", true, "a/b");
}
END_TEST

START_TEST(test_str_pct_decode_hex_either_case)
{
	assert_decodes("%4a%4A%7e%7E", false, "JJ~~");
	assert_decodes("%c3%A9", false, "\xc3\xa9");
}
END_TEST

START_TEST(test_str_pct_decode_escape_at_end)
{
	assert_decodes("ab%41", false, "abA");
	assert_decodes("%41", true, "A");
}
END_TEST

START_TEST(test_str_pct_decode_only_n_bytes)
{
	char *out = NULL;

	/* The bytes after n are not part of the input, even an escape. */
	ck_assert_int_eq(gw_str_pct_decode("abc%41", 3, false, &out), GW_OK);
	ck_assert_str_eq(out, "abc");
	free(out);
	/* A '%' whose hex digits lie past n is broken, not read beyond the end. */
	out = NULL;
	ck_assert_int_eq(gw_str_pct_decode("ab%41", 4, false, &out), GW_E_PARSE);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_str_pct_decode_broken_escapes_rejected)
{
	assert_rejected("%", false);
	assert_rejected("%4", false);
	assert_rejected("%zz", false);
	assert_rejected("%4g", true);
	assert_rejected("%g4", true);
	assert_rejected("abc%", true);
	assert_rejected("a%%41", false);
}
END_TEST

START_TEST(test_str_pct_decode_nul_rejected)
{
	assert_rejected("%00", false);
	assert_rejected("a%00b", true);
}
END_TEST

START_TEST(test_str_pct_decode_invalid_utf8_rejected)
{
	assert_rejected("%FF", false);
	assert_rejected("%C3", false);       /* truncated sequence */
	assert_rejected("%C3%28", true);     /* bad continuation byte */
	assert_rejected("%80", false);       /* lone continuation byte */
	assert_rejected("%ED%A0%80", false); /* UTF-16 surrogate U+D800 */
	assert_rejected("caf\xc3", false);   /* raw invalid byte, not an escape */
}
END_TEST

START_TEST(test_str_pct_decode_overlong_rejected)
{
	assert_rejected("%C0%AF", false); /* overlong '/' */
	assert_rejected("%C1%BF", false);
	assert_rejected("%E0%80%AF", false); /* 3-byte overlong '/' */
	assert_rejected("%F0%80%80%AF", true);
}
END_TEST

START_TEST(test_str_pct_decode_multibyte_accepted)
{
	assert_decodes("caf%C3%A9", false, "caf\xc3\xa9");         /* U+00E9 */
	assert_decodes("%E2%82%AC", true, "\xe2\x82\xac");         /* U+20AC */
	assert_decodes("%F0%9F%98%80", false, "\xf0\x9f\x98\x80"); /* U+1F600 */
	assert_decodes("caf\xc3\xa9", false, "caf\xc3\xa9");       /* raw UTF-8 */
}
END_TEST

static bool utf8(const char *s)
{
	return gw_str_utf8_valid(s, strlen(s));
}

START_TEST(test_str_utf8_valid_accepts_well_formed)
{
	ck_assert(utf8(""));
	ck_assert(utf8("plain ascii"));
	ck_assert(utf8("\xc2\x80"));         /* U+0080, smallest 2-byte */
	ck_assert(utf8("\xdf\xbf"));         /* U+07FF */
	ck_assert(utf8("\xe0\xa0\x80"));     /* U+0800, smallest 3-byte */
	ck_assert(utf8("\xed\x9f\xbf"));     /* U+D7FF, just below surrogates */
	ck_assert(utf8("\xee\x80\x80"));     /* U+E000, just above */
	ck_assert(utf8("\xef\xbf\xbf"));     /* U+FFFF */
	ck_assert(utf8("\xf0\x90\x80\x80")); /* U+10000 */
	ck_assert(utf8("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last code point */
}
END_TEST

START_TEST(test_str_utf8_valid_rejects_surrogates)
{
	ck_assert(!utf8("\xed\xa0\x80")); /* U+D800 */
	ck_assert(!utf8("\xed\xbf\xbf")); /* U+DFFF */
	ck_assert(!utf8("a\xed\xb0\x80z"));
}
END_TEST

START_TEST(test_str_utf8_valid_rejects_above_max)
{
	ck_assert(!utf8("\xf4\x90\x80\x80")); /* U+110000 */
	ck_assert(!utf8("\xf5\x80\x80\x80"));
	ck_assert(!utf8("\xf8\x88\x80\x80\x80"));
}
END_TEST

START_TEST(test_str_utf8_valid_rejects_truncated)
{
	ck_assert(!utf8("\xc3"));
	ck_assert(!utf8("\xe2\x82"));
	ck_assert(!utf8("\xf0\x9f\x98"));
	/* n cuts a valid sequence short */
	ck_assert(!gw_str_utf8_valid("\xe2\x82\xac", 2));
	ck_assert(gw_str_utf8_valid("\xe2\x82\xac", 3));
}
END_TEST

START_TEST(test_str_utf8_valid_rejects_overlongs_and_stray_bytes)
{
	ck_assert(!utf8("\xc0\xaf"));
	ck_assert(!utf8("\xc1\x81"));
	ck_assert(!utf8("\xe0\x9f\xbf"));
	ck_assert(!utf8("\xf0\x8f\xbf\xbf"));
	ck_assert(!utf8("\x80"));
	ck_assert(!utf8("\xbf"));
	ck_assert(!utf8("\xfe"));
	ck_assert(!utf8("\xff"));
	ck_assert(!utf8("\xc3\x41")); /* continuation byte missing */
}
END_TEST

START_TEST(test_str_utf8_valid_embedded_nul_is_valid)
{
	/* NUL is a valid code point; rejecting it is the decoder's job. */
	ck_assert(gw_str_utf8_valid("a\0b", 3));
}
END_TEST

START_TEST(test_str_parse_u64_valid)
{
	uint64_t v = 7;

	ck_assert_int_eq(gw_str_parse_u64("0", &v), GW_OK);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(gw_str_parse_u64("42", &v), GW_OK);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(gw_str_parse_u64("0042", &v), GW_OK);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(gw_str_parse_u64("1715261728123", &v), GW_OK);
	ck_assert_uint_eq(v, UINT64_C(1715261728123));
}
END_TEST

START_TEST(test_str_parse_u64_max_and_overflow)
{
	uint64_t v = 7;

	ck_assert_int_eq(gw_str_parse_u64("18446744073709551615", &v), GW_OK);
	ck_assert(v == UINT64_MAX);
	v = 7;
	ck_assert_int_eq(gw_str_parse_u64("18446744073709551616", &v), GW_E_PARSE);
	ck_assert_int_eq(gw_str_parse_u64("18446744073709551620", &v), GW_E_PARSE);
	ck_assert_int_eq(gw_str_parse_u64("99999999999999999999", &v), GW_E_PARSE);
	ck_assert_int_eq(gw_str_parse_u64("184467440737095516150", &v), GW_E_PARSE);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_str_parse_u64_rejects_sign_space_empty)
{
	static const char *const bad[] = {"",     "-1",  "+1",  " 1",  "1 ", "1\n",
					  "0x10", "1.0", "1e3", "12a", "-0"};
	uint64_t v = 7;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(gw_str_parse_u64(bad[i], &v) == GW_E_PARSE, "'%s' accepted", bad[i]);
	ck_assert_int_eq(gw_str_parse_u64(NULL, &v), GW_E_PARSE);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_str_is_visible_ascii_accepts)
{
	ck_assert(gw_str_is_visible_ascii("a", 128));
	ck_assert(gw_str_is_visible_ascii("!~azAZ09-_.:/{}", 128));
	ck_assert(gw_str_is_visible_ascii("abc", 3));
}
END_TEST

START_TEST(test_str_is_visible_ascii_length_cap)
{
	char s[130];

	memset(s, 'x', 128);
	s[128] = '\0';
	ck_assert(gw_str_is_visible_ascii(s, 128));
	s[128] = 'x';
	s[129] = '\0';
	ck_assert(!gw_str_is_visible_ascii(s, 128));
	ck_assert(!gw_str_is_visible_ascii("abcd", 3));
}
END_TEST

START_TEST(test_str_is_visible_ascii_rejects)
{
	ck_assert(!gw_str_is_visible_ascii("", 128));
	ck_assert(!gw_str_is_visible_ascii(NULL, 128));
	ck_assert(!gw_str_is_visible_ascii("a b", 128));
	ck_assert(!gw_str_is_visible_ascii(" ", 128));
	ck_assert(!gw_str_is_visible_ascii("a\tb", 128));
	ck_assert(!gw_str_is_visible_ascii("a\r\nX-Evil: 1", 128));
	ck_assert(!gw_str_is_visible_ascii("\x7f", 128));
	ck_assert(!gw_str_is_visible_ascii("caf\xc3\xa9", 128));
}
END_TEST

START_TEST(test_str_case_prefix)
{
	ck_assert(gw_str_case_prefix("Bearer abc", "bearer"));
	ck_assert(gw_str_case_prefix("abc", ""));
	ck_assert(!gw_str_case_prefix("Bear", "bearer"));
	ck_assert(!gw_str_case_prefix("Basic x", "bearer"));
}
END_TEST

START_TEST(test_str_media_type_is_matches)
{
	ck_assert(gw_str_media_type_is("application/json", "application/json"));
	ck_assert(gw_str_media_type_is("application/json; charset=utf-8", "application/json"));
	ck_assert(gw_str_media_type_is("application/json;charset=UTF-8", "application/json"));
	ck_assert(gw_str_media_type_is("APPLICATION/JSON", "application/json"));
	ck_assert(gw_str_media_type_is(" application/json ", "application/json"));
	ck_assert(gw_str_media_type_is("\tapplication/json\t; q=1", "application/json"));
}
END_TEST

START_TEST(test_str_media_type_is_rejects)
{
	ck_assert(!gw_str_media_type_is("application/jsonx", "application/json"));
	ck_assert(!gw_str_media_type_is("application/jso", "application/json"));
	ck_assert(!gw_str_media_type_is("text/plain", "application/json"));
	ck_assert(!gw_str_media_type_is("application/problem+json", "application/json"));
	ck_assert(!gw_str_media_type_is("", "application/json"));
	ck_assert(!gw_str_media_type_is("; charset=utf-8", "application/json"));
	ck_assert(!gw_str_media_type_is("application/ json", "application/json"));
	ck_assert(!gw_str_media_type_is(NULL, "application/json"));
}
END_TEST

START_TEST(test_str_copy_fits)
{
	char dst[8];

	memset(dst, 'Z', sizeof(dst));
	gw_str_copy(dst, sizeof(dst), "abc");
	ck_assert_str_eq(dst, "abc");
	gw_str_copy(dst, sizeof(dst), "1234567"); /* exactly size - 1 */
	ck_assert_str_eq(dst, "1234567");
	gw_str_copy(dst, sizeof(dst), "");
	ck_assert_str_eq(dst, "");
}
END_TEST

START_TEST(test_str_copy_truncates_ascii)
{
	char dst[8];

	memset(dst, 'Z', sizeof(dst));
	gw_str_copy(dst, 4, "abcdefgh");
	ck_assert_str_eq(dst, "abc");
	ck_assert_int_eq(dst[4], 'Z');
	gw_str_copy(dst, 1, "abc");
	ck_assert_str_eq(dst, "");
}
END_TEST

START_TEST(test_str_copy_truncates_on_utf8_boundary)
{
	/* "a" + U+00E9 (2 bytes) + U+20AC (3 bytes) + U+1F600 (4 bytes) */
	static const char src[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	static const char *const want[] = {
		"",                                      /* size 1 */
		"a",                                     /* size 2: U+00E9 would be cut */
		"a",                                     /* size 3 */
		"a\xc3\xa9",                             /* size 4 */
		"a\xc3\xa9",                             /* size 5 */
		"a\xc3\xa9",                             /* size 6 */
		"a\xc3\xa9\xe2\x82\xac",                 /* size 7 */
		"a\xc3\xa9\xe2\x82\xac",                 /* size 8 */
		"a\xc3\xa9\xe2\x82\xac",                 /* size 9 */
		"a\xc3\xa9\xe2\x82\xac",                 /* size 10 */
		"a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", /* size 11: all of it */
	};
	char dst[16];
	size_t size = (size_t)_i + 1;

	memset(dst, 'Z', sizeof(dst));
	gw_str_copy(dst, size, src);
	ck_assert_str_eq(dst, want[_i]);
	ck_assert_uint_lt(strlen(dst), size);
	ck_assert(gw_str_utf8_valid(dst, strlen(dst)));
}
END_TEST

START_TEST(test_str_is_http_url)
{
	ck_assert(gw_str_is_http_url("https://files.example.org/a.pdf"));
	ck_assert(gw_str_is_http_url("http://x"));
	ck_assert(!gw_str_is_http_url("https://"));
	ck_assert(!gw_str_is_http_url("ftp://x/a.pdf"));
	ck_assert(!gw_str_is_http_url("javascript:alert(1)"));
	ck_assert(!gw_str_is_http_url("HTTPS//x"));
	ck_assert(!gw_str_is_http_url(""));
}
END_TEST

/* The host (and port) of url as split, as "host|port" or "host" in buf. */
static const char *split_host(const char *url, char *buf, size_t size)
{
	struct gw_str_url u;

	ck_assert_int_eq(gw_str_url_split(url, &u), GW_OK);
	if (u.has_port)
		snprintf(buf, size, "%.*s|%.*s", (int)u.host_len, url + u.host, (int)u.port_len,
			 url + u.port);
	else
		snprintf(buf, size, "%.*s", (int)u.host_len, url + u.host);
	return buf;
}

START_TEST(test_str_url_split)
{
	static const char *const bad[] = {"",
					  "http:/x",
					  "://x",
					  "1http://x",
					  "http://[::1/x",
					  "http://[::1]x/",
					  "files.example.org/a.pdf"};
	struct gw_str_url u;
	char b[128];
	size_t i;

	ck_assert_str_eq(split_host("http://h.example.org/a?b#c", b, sizeof(b)), "h.example.org");
	ck_assert_str_eq(split_host("https://H:8443", b, sizeof(b)), "H|8443");
	ck_assert_str_eq(split_host("http://[::ffff:127.0.0.1]:80/", b, sizeof(b)), "[::ffff:127.0."
										    "0.1]|80");
	ck_assert_str_eq(split_host("http://a:b@c@d:1/", b, sizeof(b)), "d|1");
	ck_assert_str_eq(split_host("http://h?x=@y", b, sizeof(b)), "h");
	ck_assert_str_eq(split_host("http://h:/", b, sizeof(b)), "h|");
	ck_assert_int_eq(gw_str_url_split("http://u:p@h/", &u), GW_OK);
	ck_assert(u.has_userinfo);
	ck_assert_uint_eq(u.userinfo, 7);
	ck_assert_uint_eq(u.userinfo_len, 3);
	ck_assert_uint_eq(u.end, 12);
	ck_assert_int_eq(gw_str_url_split("http://@h/", &u), GW_OK);
	ck_assert(u.has_userinfo);
	ck_assert_uint_eq(u.userinfo_len, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(gw_str_url_split(bad[i], &u) == GW_E_PARSE, "%s", bad[i]);
}
END_TEST

START_TEST(test_str_url_mask_userinfo)
{
	static const char *const cases[][3] = {
		{"http://u:p@h:8080/api", "***", "http://***@h:8080/api"},
		{"http://u:p@h:8080/api", "", "http://h:8080/api"},
		{"https://a%40b:c@d@h/x?y=@z", "", "https://h/x?y=@z"},
		{"https://h/x?y=u:p@z", "***", "https://h/x?y=u:p@z"},
		{"http://@h", "", "http://h"},
		{"no-scheme-u:p@h", "***", "***"},
		{"no-scheme", "***", "no-scheme"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *m = gw_str_url_mask_userinfo(cases[i][0], cases[i][1]);

		ck_assert_ptr_nonnull(m);
		ck_assert_str_eq(m, cases[i][2]);
		free(m);
	}
}
END_TEST

START_TEST(test_str_hex_digit)
{
	ck_assert_int_eq(gw_str_hex_digit('0'), 0);
	ck_assert_int_eq(gw_str_hex_digit('9'), 9);
	ck_assert_int_eq(gw_str_hex_digit('a'), 10);
	ck_assert_int_eq(gw_str_hex_digit('F'), 15);
	ck_assert_int_eq(gw_str_hex_digit('g'), -1);
	ck_assert_int_eq(gw_str_hex_digit('/'), -1);
	ck_assert_int_eq(gw_str_hex_digit(0xc3), -1);
	ck_assert_int_eq(gw_str_hex_digit('\0'), -1);
}
END_TEST

/* Decodes text strictly; returns the decoded length or -1 (parse) / -2 (too large). */
static long b64(const char *text, unsigned char *out, size_t cap)
{
	size_t n = 99;
	enum gw_err err = gw_str_b64url_decode(text, strlen(text), out, cap, &n);

	if (err == GW_E_PARSE)
		return -1;
	if (err == GW_E_TOO_LARGE)
		return -2;
	ck_assert_int_eq(err, GW_OK);
	return (long)n;
}

START_TEST(test_str_b64url_decode_rfc4648_vectors)
{
	/* RFC 4648 §10 without padding; "-" and "_" stand for "+" and "/". */
	static const struct {
		const char *enc;
		const char *dec;
	} v[] = {
		{"", ""},           {"Zg", "f"},          {"Zm8", "fo"},          {"Zm9v", "foo"},
		{"Zm9vYg", "foob"}, {"Zm9vYmE", "fooba"}, {"Zm9vYmFy", "foobar"},
	};
	unsigned char out[16];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		long n = b64(v[i].enc, out, sizeof(out));

		ck_assert_int_eq(n, (long)strlen(v[i].dec));
		ck_assert(memcmp(out, v[i].dec, (size_t)n) == 0);
		ck_assert_uint_eq(GW_STR_B64URL_DECODED_LEN(strlen(v[i].enc)), strlen(v[i].dec));
	}
	ck_assert_int_eq(b64("-_8", out, sizeof(out)), 2);
	ck_assert_uint_eq(out[0], 0xfb);
	ck_assert_uint_eq(out[1], 0xff);
}
END_TEST

START_TEST(test_str_b64url_decode_strict)
{
	unsigned char out[16];

	ck_assert_int_eq(b64("Zg==", out, sizeof(out)), -1);  /* padding */
	ck_assert_int_eq(b64("+/8", out, sizeof(out)), -1);   /* base64, not base64url */
	ck_assert_int_eq(b64("Zm 9v", out, sizeof(out)), -1); /* whitespace */
	ck_assert_int_eq(b64("Zm9v\n", out, sizeof(out)), -1);
	ck_assert_int_eq(b64("Z", out, sizeof(out)), -1);   /* 1 mod 4 */
	ck_assert_int_eq(b64("Zh", out, sizeof(out)), -1);  /* "f" with a low bit set */
	ck_assert_int_eq(b64("Zm9", out, sizeof(out)), -1); /* "fo" with a low bit set */
	ck_assert_int_eq(b64("Zm8", out, sizeof(out)), 2);
	ck_assert_int_eq(b64("Zm9vYmFy", out, 5), -2);
	ck_assert_int_eq(b64("Zm9vYmFy", out, 6), 6);
}
END_TEST

START_TEST(test_str_remove_all)
{
	char a[] = "a&checksum=x&b&checksum=x";
	char b[] = "aaaa";
	char c[] = "keep";

	ck_assert_uint_eq(gw_str_remove_all(a, "&checksum=x"), 3);
	ck_assert_str_eq(a, "a&b");
	/* left to right, no overlaps: as Java's String.replace */
	ck_assert_uint_eq(gw_str_remove_all(b, "aa"), 0);
	ck_assert_str_eq(b, "");
	ck_assert_uint_eq(gw_str_remove_all(c, ""), 4);
	ck_assert_uint_eq(gw_str_remove_all(c, "x"), 4);
	ck_assert_str_eq(c, "keep");
}
END_TEST

START_TEST(test_str_xml_escape)
{
	struct gw_buf b;

	gw_buf_init(&b, 64);
	ck_assert_int_eq(gw_str_xml_escape(&b, "a<b>&\"c'd"), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), "a&lt;b&gt;&amp;&quot;c&apos;d");
	ck_assert_int_eq(gw_str_xml_escape(&b, ""), GW_OK);
	ck_assert_uint_eq(b.len, 29);
	gw_buf_deinit(&b);
	/* past the cap */
	gw_buf_init(&b, 4);
	ck_assert_int_eq(gw_str_xml_escape(&b, "<<"), GW_E_TOO_LARGE);
	gw_buf_deinit(&b);
}
END_TEST

static Suite *str_suite(void)
{
	Suite *s = suite_create("str");
	TCase *pct = tcase_create("pct_decode");
	TCase *u8 = tcase_create("utf8");
	TCase *num = tcase_create("parse_u64");
	TCase *tok = tcase_create("tokens");
	TCase *url = tcase_create("url");

	tcase_add_test(pct, test_str_hex_digit);
	tcase_add_test(pct, test_str_pct_decode_plain_text_unchanged);
	tcase_add_test(pct, test_str_pct_decode_plus_is_space_in_query_mode);
	tcase_add_test(pct, test_str_pct_decode_plus_kept_in_path_mode);
	tcase_add_test(pct, test_str_pct_decode_slash_escape_is_decoded);
	tcase_add_test(pct, test_str_pct_decode_hex_either_case);
	tcase_add_test(pct, test_str_pct_decode_escape_at_end);
	tcase_add_test(pct, test_str_pct_decode_only_n_bytes);
	tcase_add_test(pct, test_str_pct_decode_broken_escapes_rejected);
	tcase_add_test(pct, test_str_pct_decode_nul_rejected);
	tcase_add_test(pct, test_str_pct_decode_invalid_utf8_rejected);
	tcase_add_test(pct, test_str_pct_decode_overlong_rejected);
	tcase_add_test(pct, test_str_pct_decode_multibyte_accepted);
	suite_add_tcase(s, pct);

	tcase_add_test(u8, test_str_utf8_valid_accepts_well_formed);
	tcase_add_test(u8, test_str_utf8_valid_rejects_surrogates);
	tcase_add_test(u8, test_str_utf8_valid_rejects_above_max);
	tcase_add_test(u8, test_str_utf8_valid_rejects_truncated);
	tcase_add_test(u8, test_str_utf8_valid_rejects_overlongs_and_stray_bytes);
	tcase_add_test(u8, test_str_utf8_valid_embedded_nul_is_valid);
	suite_add_tcase(s, u8);

	tcase_add_test(num, test_str_parse_u64_valid);
	tcase_add_test(num, test_str_parse_u64_max_and_overflow);
	tcase_add_test(num, test_str_parse_u64_rejects_sign_space_empty);
	suite_add_tcase(s, num);

	tcase_add_test(tok, test_str_is_visible_ascii_accepts);
	tcase_add_test(tok, test_str_is_visible_ascii_length_cap);
	tcase_add_test(tok, test_str_is_visible_ascii_rejects);
	tcase_add_test(tok, test_str_case_prefix);
	tcase_add_test(tok, test_str_b64url_decode_rfc4648_vectors);
	tcase_add_test(tok, test_str_b64url_decode_strict);
	tcase_add_test(tok, test_str_media_type_is_matches);
	tcase_add_test(tok, test_str_media_type_is_rejects);
	tcase_add_test(tok, test_str_copy_fits);
	tcase_add_test(tok, test_str_copy_truncates_ascii);
	tcase_add_loop_test(tok, test_str_copy_truncates_on_utf8_boundary, 0, 11);
	tcase_add_test(tok, test_str_remove_all);
	tcase_add_test(tok, test_str_xml_escape);
	suite_add_tcase(s, tok);
	tcase_add_test(url, test_str_is_http_url);
	tcase_add_test(url, test_str_url_split);
	tcase_add_test(url, test_str_url_mask_userinfo);
	suite_add_tcase(s, url);
	return s;
}

GW_TEST_MAIN(str_suite)
