/*
 * check_fetch_policy.c - the URLs BBB may be told to fetch: every spelling
 * of an internal address that a resolver or a URL parser accepts is
 * refused, public hosts pass, and the operator's allow list (names,
 * addresses, networks) lets chosen internal hosts through.
 */
#include <stdio.h>
#include <string.h>

#include "fetch_policy.h"
#include "testutil.h"

static void assert_refused(const char *url)
{
	ck_assert_msg(gw_fetch_policy_check(url, NULL, 0) != NULL, "accepted: %s", url);
}

static void assert_accepted(const char *url)
{
	const char *why = gw_fetch_policy_check(url, NULL, 0);

	ck_assert_msg(why == NULL, "refused: %s (%s)", url, why != NULL ? why : "");
}

static const char *const loopback[] = {
	"http://127.0.0.1/",
	"http://127.0.0.1:22/",
	"https://127.255.255.254/x",
	"http://2130706433/",
	"http://0x7f000001/",
	"http://0x7f.1/",
	"http://0177.0.0.1/",
	"http://0177.1/",
	"http://127.1/",
	"http://127.0.1/",
	"http://0X7F.0.0.1/",
	"http://017700000001/",
	"http://127.0.0.1./",
	"http://[::1]/",
	"http://[::1]:8080/a",
	"http://[0:0:0:0:0:0:0:1]/",
	"http://[::ffff:127.0.0.1]/",
	"http://[::FFFF:7f00:1]/",
	"http://[::127.0.0.1]/",
	"http://[64:ff9b::127.0.0.1]/",
	"http://localhost/",
	"http://LOCALHOST/",
	"http://localhost./",
	"http://LocalHost:8080/x",
	"http://a.localhost/",
	"http://x.y.LOCALHOST./",
	"HTTP://127.0.0.1/",
};

START_TEST(test_fetch_policy_loopback_spellings)
{
	assert_refused(loopback[_i]);
}
END_TEST

static const char *const internal[] = {
	"http://10.0.0.1/",
	"http://10.255.255.255/",
	"http://172.16.0.1/",
	"http://172.31.255.255/",
	"http://192.168.1.1/",
	"http://100.64.0.1/",
	"http://100.127.255.255/",
	"http://169.254.169.254/latest/meta-data/",
	"http://2852039166/",
	"http://0xa9.0xfe.0xa9.0xfe/",
	"http://0251.0376.0251.0376/",
	"http://0.0.0.0/",
	"http://0/",
	"http://0.1.2.3/",
	"http://[::]/",
	"http://[fe80::1]/",
	"http://[febf::1]/",
	"http://[fc00::1]/",
	"http://[fd12:3456::1]/",
	"http://[::ffff:10.0.0.1]/",
	"http://[::ffff:169.254.169.254]/",
	"http://[::ffff:a9fe:a9fe]/",
	"http://224.0.0.1/",
	"http://255.255.255.255/",
	"http://[ff02::1]/",
	"http://[fec0::1]/",
};

START_TEST(test_fetch_policy_internal_addresses)
{
	assert_refused(internal[_i]);
}
END_TEST

static const char *const malformed[] = {
	"ftp://files.example.org/a.pdf",
	"javascript:alert(1)",
	"http://",
	"http:///a.pdf",
	"http://:80/",
	"//files.example.org/",
	"http://user:pw@files.example.org/a.pdf",
	"http://user@files.example.org/",
	"http://@files.example.org/",
	"http://files.example.org:99999/",
	"http://h:8o/",
	"http://%6c%6f%63%61%6c%68%6f%73%74/",
	"http://127.0.0.%31/",
	"http://[fe80::1%25eth0]/",
	"http://[::1/",
	"http://files example.org/",
	"http://a\\@127.0.0.1/",
	"http://999.1.1.1/",
	"http://1.2.3.4.5/",
	"http://example.123/",
	"http://0x/",
	"http://a..b/",
	"http://[1.2.3.4]/",
	"http://[zz::1]/",
	"http://files.example.org../",
};

START_TEST(test_fetch_policy_malformed_refused)
{
	assert_refused(malformed[_i]);
}
END_TEST

static const char *const public_urls[] = {
	"https://files.example.org/deck.pdf",
	"http://files.example.org:8080/a&b.pdf?x=1#y",
	"https://FILES.Example.ORG./a.pdf",
	"https://8.8.8.8/a.pdf",
	"http://134744072/",
	"https://[2001:db8::1]/a.pdf",
	"https://[::ffff:8.8.8.8]/",
	"http://172.32.0.1/",
	"http://100.128.0.1/",
	"http://192.169.0.1/",
	"https://cafe.be/x",
	"https://localhost.example.org/",
	"https://a-b_c.example.org/",
	"https://h/?next=http://127.0.0.1/",
	"https://h/a@127.0.0.1",
	"https://h:/",
};

START_TEST(test_fetch_policy_public_accepted)
{
	assert_accepted(public_urls[_i]);
}
END_TEST

START_TEST(test_fetch_policy_allow_list)
{
	static char *allow[] = {"files.internal.example", "10.1.2.0/24", "fd00::/8", "127.0.0.2",
				"localhost"};
	const size_t n = sizeof(allow) / sizeof(allow[0]);

	ck_assert_ptr_null(gw_fetch_policy_check("http://files.internal.example/a", allow, n));
	ck_assert_ptr_null(gw_fetch_policy_check("http://FILES.internal.example./a", allow, n));
	ck_assert_ptr_null(gw_fetch_policy_check("http://10.1.2.3:8080/a", allow, n));
	ck_assert_ptr_null(gw_fetch_policy_check("http://0x0a.1.2.3/", allow, n));
	ck_assert_ptr_null(gw_fetch_policy_check("http://[::ffff:10.1.2.200]/", allow, n));
	ck_assert_ptr_null(gw_fetch_policy_check("http://[fd00::5]/", allow, n));
	ck_assert_ptr_null(gw_fetch_policy_check("http://127.0.0.2/", allow, n));
	ck_assert_ptr_null(gw_fetch_policy_check("http://localhost/", allow, n));
	/* Only what is listed. */
	ck_assert_ptr_nonnull(gw_fetch_policy_check("http://10.1.3.1/", allow, n));
	ck_assert_ptr_nonnull(gw_fetch_policy_check("http://127.0.0.1/", allow, n));
	ck_assert_ptr_nonnull(gw_fetch_policy_check("http://[fc00::1]/", allow, n));
	ck_assert_ptr_nonnull(gw_fetch_policy_check("http://a.localhost/", allow, n));
	/* The list never admits user-info or a malformed host. */
	ck_assert_ptr_nonnull(gw_fetch_policy_check("http://u:p@10.1.2.3/", allow, n));
	ck_assert_ptr_nonnull(gw_fetch_policy_check("http://10.1.2.%33/", allow, n));
}
END_TEST

START_TEST(test_fetch_policy_reasons_name_the_class)
{
	ck_assert_ptr_nonnull(strstr(gw_fetch_policy_check("http://127.1/", NULL, 0), "loopback"));
	ck_assert_ptr_nonnull(
		strstr(gw_fetch_policy_check("http://169.254.169.254/", NULL, 0), "link-local"));
	ck_assert_ptr_nonnull(strstr(gw_fetch_policy_check("http://10.0.0.1/", NULL, 0), "privat"
											 "e"));
	ck_assert_ptr_nonnull(
		strstr(gw_fetch_policy_check("http://u:p@example.org/", NULL, 0), "user-info"));
	ck_assert_ptr_nonnull(strstr(gw_fetch_policy_check("http://%41/", NULL, 0), "host"));
}
END_TEST

START_TEST(test_fetch_policy_entries)
{
	static const char *const good[] = {"files.internal.example",
					   "FILES.example.",
					   "10.1.2.0/24",
					   "10.1.2.3",
					   "0.0.0.0/0",
					   "fd00::/8",
					   "::1",
					   "::/0",
					   "192.168.0.0/16",
					   "2001:db8::/32",
					   "localhost"};
	static const char *const bad[] = {"",          "10.1.2.3/24", "10.1.2.0/33", "fd00::/129",
					  "10.1.2.0/", "10.1.2.0/x",  "/8",          "fd00::1/8",
					  "a..b",      "*.example",   "http://x/",   "10.1.2.0/024",
					  "a b",       "0x7f.1",      "127.1",       "10.1.2.0/-1"};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(gw_fetch_policy_entry_problem(good[i]) == NULL, "refused %s",
			      good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(gw_fetch_policy_entry_problem(bad[i]) != NULL, "accepted %s", bad[i]);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *fetch_policy_suite(void)
{
	Suite *s = suite_create("fetch_policy");
	TCase *tc = tcase_create("check");

	tcase_add_loop_test(tc, test_fetch_policy_loopback_spellings, 0, N(loopback));
	tcase_add_loop_test(tc, test_fetch_policy_internal_addresses, 0, N(internal));
	tcase_add_loop_test(tc, test_fetch_policy_malformed_refused, 0, N(malformed));
	tcase_add_loop_test(tc, test_fetch_policy_public_accepted, 0, N(public_urls));
	tcase_add_test(tc, test_fetch_policy_allow_list);
	tcase_add_test(tc, test_fetch_policy_reasons_name_the_class);
	tcase_add_test(tc, test_fetch_policy_entries);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(fetch_policy_suite)
