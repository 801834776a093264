/*
 * check_http_head.c - the request-head checks: sizes (414, 431), framing
 * (repeated or conflicting Content-Length/Transfer-Encoding), repeated
 * Host and Authorization, control characters in the target and in
 * values, malformed names and Expect (417).
 */
#include <string.h>

#include "http_head.h"
#include "testutil.h"

#define F(n, v)                                    \
	{                                          \
		n, sizeof(n) - 1, v, sizeof(v) - 1 \
	}

static struct gw_head_verdict check(const struct gw_head_field *f, size_t n)
{
	struct gw_head_verdict v;

	gw_http_head_check("/v1/meetings", 12, "a=1", 3, f, n, 8192, &v);
	return v;
}

START_TEST(test_http_head_plain_request_passes)
{
	const struct gw_head_field f[] = {F("Host", "x"), F("Authorization", "Bearer t"),
					  F("Content-Length", "12"), F("X-Tab", "a\tb")};
	struct gw_head_verdict v = check(f, 4);

	ck_assert_int_eq(v.err, GW_OK);
	ck_assert(!v.close);
	ck_assert(!v.expect_continue);
}
END_TEST

START_TEST(test_http_head_repeats_are_400)
{
	const struct gw_head_field hosts[] = {F("Host", "x"), F("host", "y")};
	const struct gw_head_field auths[] = {F("Authorization", "Bearer a"),
					      F("AUTHORIZATION", "Bearer b")};
	const struct gw_head_field cls[] = {F("Content-Length", "1"), F("Content-Length", "1")};
	const struct gw_head_field tes[] = {F("Transfer-Encoding", "chunked"),
					    F("Transfer-Encoding", "chunked")};
	const struct gw_head_field both[] = {F("Content-Length", "1"), F("Transfer-Encoding", "chun"
											      "ke"
											      "d")};
	struct gw_head_verdict v;

	v = check(hosts, 2);
	ck_assert_int_eq(v.err, GW_E_BAD_REQUEST);
	ck_assert(v.close);
	ck_assert_str_eq(v.detail, "Repeated Host header");
	v = check(auths, 2);
	ck_assert_str_eq(v.detail, "Repeated Authorization header");
	ck_assert_int_eq(check(cls, 2).err, GW_E_BAD_REQUEST);
	ck_assert_int_eq(check(tes, 2).err, GW_E_BAD_REQUEST);
	ck_assert_int_eq(check(both, 2).err, GW_E_BAD_REQUEST);
}
END_TEST

START_TEST(test_http_head_control_characters_are_400)
{
	const struct gw_head_field cr[] = {F("X-A", "a\rb")};
	const struct gw_head_field lf[] = {F("X-A", "a\nb")};
	const struct gw_head_field nul[] = {{"X-A", 3, "a\0b", 3}};
	const struct gw_head_field del[] = {F("X-A", "a\x7f")};
	const struct gw_head_field name[] = {F("X A", "v")};
	const struct gw_head_field empty[] = {{"", 0, "v", 1}};
	struct gw_head_verdict v;

	ck_assert_int_eq(check(cr, 1).err, GW_E_BAD_REQUEST);
	ck_assert_int_eq(check(lf, 1).err, GW_E_BAD_REQUEST);
	ck_assert_int_eq(check(nul, 1).err, GW_E_BAD_REQUEST);
	ck_assert_int_eq(check(del, 1).err, GW_E_BAD_REQUEST);
	ck_assert_str_eq(check(name, 1).detail, "Malformed header name");
	ck_assert_int_eq(check(empty, 1).err, GW_E_BAD_REQUEST);
	gw_http_head_check("/a\tb", 4, "", 0, NULL, 0, 8192, &v);
	ck_assert_int_eq(v.err, GW_E_BAD_REQUEST);
	gw_http_head_check("/a", 2, "q=\x01", 3, NULL, 0, 8192, &v);
	ck_assert_int_eq(v.err, GW_E_BAD_REQUEST);
}
END_TEST

START_TEST(test_http_head_framing_values)
{
	const struct gw_head_field gzip[] = {F("Transfer-Encoding", "gzip")};
	const struct gw_head_field chunked[] = {F("Transfer-Encoding", "Chunked")};
	const struct gw_head_field neg[] = {F("Content-Length", "-1")};
	const struct gw_head_field huge[] = {F("Content-Length", "123456789012345678901")};

	ck_assert_str_eq(check(gzip, 1).detail, "Unsupported Transfer-Encoding");
	ck_assert_int_eq(check(chunked, 1).err, GW_OK);
	ck_assert_str_eq(check(neg, 1).detail, "Malformed Content-Length");
	ck_assert_int_eq(check(huge, 1).err, GW_E_BAD_REQUEST);
}
END_TEST

START_TEST(test_http_head_expect)
{
	const struct gw_head_field cont[] = {F("Expect", "100-Continue")};
	const struct gw_head_field other[] = {F("Expect", "200-ok")};
	const struct gw_head_field two[] = {F("Expect", "100-continue"), F("Expect", "100-"
										     "continue")};
	struct gw_head_verdict v = check(cont, 1);

	ck_assert_int_eq(v.err, GW_OK);
	ck_assert(v.expect_continue);
	v = check(other, 1);
	ck_assert_int_eq(v.err, GW_E_EXPECTATION_FAILED);
	ck_assert(v.close);
	ck_assert_int_eq(check(two, 2).err, GW_E_BAD_REQUEST);
}
END_TEST

START_TEST(test_http_head_sizes)
{
	static char big[9000];
	struct gw_head_field f[200];
	struct gw_head_verdict v;
	size_t i;

	memset(big, 'a', sizeof(big));
	gw_http_head_check(big, 8000, "", 0, NULL, 0, 8192, &v);
	ck_assert_int_eq(v.err, GW_OK);
	gw_http_head_check(big, 8200, "", 0, NULL, 0, 8192, &v);
	ck_assert_int_eq(v.err, GW_E_URI_TOO_LONG);
	gw_http_head_check("/", 1, big, 8200, NULL, 0, 8192, &v);
	ck_assert_int_eq(v.err, GW_E_URI_TOO_LONG);
	/* Many small fields count with their bookkeeping. */
	for (i = 0; i < 200; i++)
		f[i] = (struct gw_head_field){"X-A", 3, "b", 1};
	gw_http_head_check("/", 1, "", 0, f, 100, 8192, &v);
	ck_assert_int_eq(v.err, GW_OK);
	gw_http_head_check("/", 1, "", 0, f, 200, 8192, &v);
	ck_assert_int_eq(v.err, GW_E_HEADERS_TOO_LARGE);
	ck_assert(v.close);
	f[0] = (struct gw_head_field){"X-Big", 5, big, 8100};
	gw_http_head_check("/", 1, "", 0, f, 1, 8192, &v);
	ck_assert_int_eq(v.err, GW_E_HEADERS_TOO_LARGE);
}
END_TEST

static Suite *http_head_suite(void)
{
	Suite *s = suite_create("http_head");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_http_head_plain_request_passes);
	tcase_add_test(tc, test_http_head_repeats_are_400);
	tcase_add_test(tc, test_http_head_control_characters_are_400);
	tcase_add_test(tc, test_http_head_framing_values);
	tcase_add_test(tc, test_http_head_expect);
	tcase_add_test(tc, test_http_head_sizes);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(http_head_suite)
