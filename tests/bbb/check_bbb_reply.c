/*
 * check_bbb_reply.c - the envelope rules of a converted reply: the first
 * listed error stands in for a missing messageKey, a SUCCESS with a
 * messageKey gets a warning, and deinit releases everything.
 */
#include <string.h>

#include "bbb_reply.h"
#include "buf.h"
#include "testutil.h"

START_TEST(test_bbb_reply_first_error_promoted)
{
	struct gw_bbb_reply r = {0};

	r.errors = json_pack("[{s:s, s:s}, {s:s, s:s}]", "key", "checksumError", "message", "bad",
			     "key", "other", "message", "second");
	ck_assert_int_eq(gw_bbb_reply_promote_first_error(&r), GW_OK);
	ck_assert_str_eq(r.message_key, "checksumError");
	ck_assert_str_eq(r.message, "bad");
	gw_bbb_reply_deinit(&r);
	ck_assert_ptr_null(r.errors);
	ck_assert_ptr_null(r.message_key);
	/* A top-level messageKey wins; no errors, nothing to do. */
	r.message_key = strdup("notFound");
	r.errors = json_pack("[{s:s}]", "key", "other");
	ck_assert_int_eq(gw_bbb_reply_promote_first_error(&r), GW_OK);
	ck_assert_str_eq(r.message_key, "notFound");
	ck_assert_ptr_null(r.message);
	gw_bbb_reply_deinit(&r);
	ck_assert_int_eq(gw_bbb_reply_promote_first_error(&r), GW_OK);
	ck_assert_ptr_null(r.message_key);
}
END_TEST

START_TEST(test_bbb_reply_warning_only_on_success_with_key)
{
	struct gw_bbb_reply r = {0};
	json_t *body = json_object();
	json_t *w;
	struct gw_buf b;

	r.success = true;
	ck_assert_int_eq(gw_bbb_reply_add_warning(&r, body), GW_OK);
	ck_assert_ptr_null(json_object_get(body, "warning"));
	r.message_key = strdup("duplicateWarning");
	ck_assert_int_eq(gw_bbb_reply_add_warning(&r, body), GW_OK);
	w = json_object_get(body, "warning");
	ck_assert_str_eq(json_string_value(json_object_get(w, "messageKey")), "duplicateWarning");
	ck_assert_str_eq(json_string_value(json_object_get(w, "message")), "");
	/* the text form says the same */
	gw_buf_init(&b, 1024);
	ck_assert_int_eq(gw_bbb_reply_write_warning(&r, &b), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), "{\"messageKey\":\"duplicateWarning\",\"message\":\"\"}");
	gw_buf_deinit(&b);
	json_object_del(body, "warning");
	r.success = false;
	ck_assert_int_eq(gw_bbb_reply_add_warning(&r, body), GW_OK);
	ck_assert_ptr_null(json_object_get(body, "warning"));
	ck_assert(!gw_bbb_reply_has_warning(&r));
	json_decref(body);
	gw_bbb_reply_deinit(&r);
	ck_assert_ptr_null(r.body);
}
END_TEST

/* The body is text; the parsed form is made once, on demand, and goes with the text. */
START_TEST(test_bbb_reply_body_json_cached)
{
	struct gw_bbb_reply r = {0};
	json_t *j;
	char *text;
	size_t len;

	ck_assert_ptr_null(gw_bbb_reply_body_json(&r));
	r.success = true;
	r.message_key = strdup("duplicateWarning");
	ck_assert_int_eq(gw_bbb_reply_set_body_json(&r, json_pack("{s:s}", "meetingID", "m")),
			 GW_OK);
	ck_assert_str_eq(r.body, "{\"meetingID\":\"m\",\"warning\":{\"messageKey\":"
				 "\"duplicateWarning\",\"message\":\"\"}}");
	j = gw_bbb_reply_body_json(&r);
	ck_assert_ptr_eq(j, gw_bbb_reply_body_json(&r));
	ck_assert_str_eq(json_string_value(json_object_get(j, "meetingID")), "m");
	text = gw_bbb_reply_take_body(&r, &len);
	ck_assert_uint_eq(len, strlen(text));
	ck_assert_ptr_null(r.body);
	ck_assert_ptr_null(gw_bbb_reply_body_json(&r));
	free(text);
	gw_bbb_reply_deinit(&r);
}
END_TEST

static Suite *bbb_reply_suite(void)
{
	Suite *s = suite_create("bbb_reply");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_bbb_reply_first_error_promoted);
	tcase_add_test(tc, test_bbb_reply_warning_only_on_success_with_key);
	tcase_add_test(tc, test_bbb_reply_body_json_cached);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbb_reply_suite)
