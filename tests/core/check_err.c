/*
 * check_err.c - the error table: every value has a status, a slug and a
 * title; client-visible statuses follow the contract's error table; slugs
 * are unique; out-of-range values fall back to the internal error.
 */
#include <string.h>

#include "err.h"
#include "testutil.h"

/* The status table of api-contract.md, "Errors". */
static const struct {
	enum gw_err err;
	int status;
} contract[] = {
	{GW_E_BAD_REQUEST, 400},        {GW_E_BAD_PATH_PARAM, 400},
	{GW_E_BBB_INVALID_INPUT, 400},  {GW_E_UNAUTHORIZED, 401},
	{GW_E_FORBIDDEN, 403},          {GW_E_NOT_FOUND, 404},
	{GW_E_BBB_NOT_FOUND, 404},      {GW_E_METHOD_NOT_ALLOWED, 405},
	{GW_E_BBB_CONFLICT, 409},       {GW_E_BODY_TOO_LARGE, 413},
	{GW_E_URI_TOO_LONG, 414},       {GW_E_EXPECTATION_FAILED, 417},
	{GW_E_HEADERS_TOO_LARGE, 431},  {GW_E_UNSUPPORTED_MEDIA_TYPE, 415},
	{GW_E_RATE_LIMITED, 429},       {GW_E_BBB_CHECKSUM, 502},
	{GW_E_BBB_FAILED, 502},         {GW_E_UPSTREAM_CONNECT, 502},
	{GW_E_UPSTREAM_TOO_LARGE, 502}, {GW_E_UPSTREAM_BAD_REPLY, 502},
	{GW_E_UPSTREAM_HTTP, 502},      {GW_E_UNAVAILABLE, 503},
	{GW_E_UPSTREAM_TIMEOUT, 504},
};

START_TEST(test_err_every_value_has_an_entry)
{
	const struct gw_err_info *info = gw_err_info((enum gw_err)_i);
	size_t i;

	ck_assert_ptr_nonnull(info);
	ck_assert_ptr_nonnull(info->code);
	ck_assert_ptr_nonnull(info->title);
	ck_assert_uint_gt(strlen(info->code), 0);
	ck_assert_uint_gt(strlen(info->title), 0);
	ck_assert_int_ge(info->status, 200);
	ck_assert_int_le(info->status, 599);
	/* Slugs are stable machine identifiers: lower-case letters and '_'. */
	for (i = 0; info->code[i] != '\0'; i++) {
		char c = info->code[i];

		ck_assert_msg((c >= 'a' && c <= 'z') || c == '_', "bad slug '%s'", info->code);
	}
	ck_assert_str_eq(gw_err_str((enum gw_err)_i), info->title);
	/* Only GW_E_INTERNAL itself may own the fallback entry. */
	if (_i != GW_E_INTERNAL)
		ck_assert_ptr_ne(info, gw_err_info(GW_E_INTERNAL));
}
END_TEST

START_TEST(test_err_ok_and_internal_errors)
{
	ck_assert_int_eq(GW_OK, 0);
	ck_assert_int_eq(gw_err_info(GW_OK)->status, 200);
	ck_assert_int_eq(gw_err_info(GW_E_NOMEM)->status, 500);
	ck_assert_int_eq(gw_err_info(GW_E_INTERNAL)->status, 500);
	ck_assert_int_eq(gw_err_info(GW_E_IO)->status, 500);
	ck_assert_int_eq(gw_err_info(GW_E_CONFIG)->status, 500);
	ck_assert_int_eq(gw_err_info(GW_E_TOO_LARGE)->status, 500);
	ck_assert_int_eq(gw_err_info(GW_E_PARSE)->status, 500);
}
END_TEST

START_TEST(test_err_statuses_follow_contract)
{
	const struct gw_err_info *info = gw_err_info(contract[_i].err);

	ck_assert_msg(info->status == contract[_i].status, "%s: status %d, contract says %d",
		      info->code, info->status, contract[_i].status);
}
END_TEST

START_TEST(test_err_codes_are_unique)
{
	int i;
	int j;

	for (i = 0; i < GW_E__COUNT; i++) {
		for (j = i + 1; j < GW_E__COUNT; j++)
			ck_assert_str_ne(gw_err_info((enum gw_err)i)->code,
					 gw_err_info((enum gw_err)j)->code);
	}
}
END_TEST

START_TEST(test_err_out_of_range_is_internal)
{
	const struct gw_err_info *internal = gw_err_info(GW_E_INTERNAL);

	ck_assert_ptr_eq(gw_err_info(GW_E__COUNT), internal);
	ck_assert_ptr_eq(gw_err_info((enum gw_err)1000), internal);
	ck_assert_ptr_eq(gw_err_info((enum gw_err) - 1), internal);
	ck_assert_str_eq(gw_err_str((enum gw_err)1000), internal->title);
}
END_TEST

static Suite *err_suite(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_err_every_value_has_an_entry, 0, GW_E__COUNT);
	tcase_add_test(tc, test_err_ok_and_internal_errors);
	tcase_add_loop_test(tc, test_err_statuses_follow_contract, 0,
			    (int)(sizeof(contract) / sizeof(contract[0])));
	tcase_add_test(tc, test_err_codes_are_unique);
	tcase_add_test(tc, test_err_out_of_range_is_internal);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(err_suite)
