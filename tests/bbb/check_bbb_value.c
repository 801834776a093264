/*
 * check_bbb_value.c - BBB's text values as typed JSON: integers with
 * grouping and sign, the int64 edges, booleans, empty text as null, and
 * text that is not UTF-8.
 */
#include <string.h>

#include "bbb_value.h"
#include "testutil.h"

static json_int_t int_of(const char *s)
{
	json_int_t v = -42;

	ck_assert_msg(gw_bbb_value_int(s, strlen(s), &v), "not an integer: %s", s);
	return v;
}

static bool is_int(const char *s)
{
	json_int_t v;

	return gw_bbb_value_int(s, strlen(s), &v);
}

START_TEST(test_bbb_value_int)
{
	ck_assert_int_eq(int_of("0"), 0);
	ck_assert_int_eq(int_of("-17"), -17);
	ck_assert_int_eq(int_of("1,234,567"), 1234567);
	ck_assert_int_eq(int_of("9223372036854775807"), INT64_MAX);
	ck_assert_int_eq(int_of("-9223372036854775808"), INT64_MIN);
	ck_assert(!is_int("9223372036854775808"));
	ck_assert(!is_int(""));
	ck_assert(!is_int("-"));
	ck_assert(!is_int("1,23"));
	ck_assert(!is_int("1234,567"));
	ck_assert(!is_int(",123"));
	ck_assert(!is_int("12a"));
	ck_assert(!is_int("+5"));
}
END_TEST

START_TEST(test_bbb_value_typed)
{
	json_t *v = NULL;

	ck_assert_int_eq(gw_bbb_value(GW_BBB_VALUE_BOOL, "true", 4, &v), GW_OK);
	ck_assert(json_is_true(v));
	json_decref(v);
	ck_assert_int_eq(gw_bbb_value(GW_BBB_VALUE_BOOL, "false", 5, &v), GW_OK);
	ck_assert(json_is_false(v));
	json_decref(v);
	ck_assert_int_eq(gw_bbb_value(GW_BBB_VALUE_BOOL, "", 0, &v), GW_OK);
	ck_assert(json_is_null(v));
	ck_assert_int_eq(gw_bbb_value(GW_BBB_VALUE_BOOL, "yes", 3, &v), GW_OK);
	ck_assert_str_eq(json_string_value(v), "yes");
	json_decref(v);
	ck_assert_int_eq(gw_bbb_value(GW_BBB_VALUE_INT, "1,500", 5, &v), GW_OK);
	ck_assert_int_eq(json_integer_value(v), 1500);
	json_decref(v);
	ck_assert_int_eq(gw_bbb_value(GW_BBB_VALUE_INT, "", 0, &v), GW_OK);
	ck_assert(json_is_null(v));
	ck_assert_int_eq(gw_bbb_value(GW_BBB_VALUE_INT, "n/a", 3, &v), GW_OK);
	ck_assert_str_eq(json_string_value(v), "n/a");
	json_decref(v);
	/* A string keeps even what looks typed, and the empty string. */
	ck_assert_int_eq(gw_bbb_value(GW_BBB_VALUE_STRING, "42", 2, &v), GW_OK);
	ck_assert_str_eq(json_string_value(v), "42");
	json_decref(v);
	ck_assert_int_eq(gw_bbb_value(GW_BBB_VALUE_STRING, "", 0, &v), GW_OK);
	ck_assert_str_eq(json_string_value(v), "");
	json_decref(v);
	ck_assert_int_eq(gw_bbb_value(GW_BBB_VALUE_STRING, "a\xff", 2, &v),
			 GW_E_UPSTREAM_BAD_REPLY);
}
END_TEST

static Suite *bbb_value_suite(void)
{
	Suite *s = suite_create("bbb_value");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_bbb_value_int);
	tcase_add_test(tc, test_bbb_value_typed);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbb_value_suite)
