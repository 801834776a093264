/*
 * check_handler_meetings_raw.c - the BBB parameters create and join pass on
 * beyond the ones they type: unknown top-level scalars (forwarded, or
 * refused with forward_unknown_params off) and the `bbb` object of raw
 * parameters, which never stands in for a member the gateway checks
 * itself and follows the tenant's create policy. Called directly on a
 * routed exchange, as in check_handler_meetings.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "meetingsfix.h"
#include "router.h"
#include "routes.h"
#include "testutil.h"

/* ---- create ---- */

START_TEST(test_handler_meetings_create_forwards_unknown_scalars)
{
	set_body("{\"name\":\"n\",\"meetingID\":\"m\",\"newBbbParam\":\"v w\",\"newCount\":5,"
		 "\"newFlag\":true,\"new-dash_name\":\"x\"}");
	gw_handle_meetings_create(x);
	assert_call("create");
	ck_assert_str_eq(qget("newBbbParam"), "v w");
	ck_assert_str_eq(qget("newCount"), "5");
	ck_assert_str_eq(qget("newFlag"), "true");
	ck_assert_str_eq(qget("new-dash_name"), "x");
}
END_TEST

START_TEST(test_handler_meetings_create_unknown_rejected_when_off)
{
	cfg->forward_unknown_params = false;
	set_body("{\"name\":\"n\",\"meetingID\":\"m\",\"newBbbParam\":\"v\"}");
	gw_handle_meetings_create(x);
	assert_bad_request("newBbbParam");

	/* known parameters still pass */
	restart();
	set_body("{\"name\":\"n\",\"meetingID\":\"m\",\"record\":false}");
	gw_handle_meetings_create(x);
	assert_call("create");
	ck_assert_str_eq(qget("record"), "false");
}
END_TEST

START_TEST(test_handler_meetings_create_raw_bbb_params)
{
	set_body("{\"name\":\"n\",\"meetingID\":\"m\",\"record\":true,"
		 "\"bbb\":{\"newBbbParam\":\"v w\",\"newCount\":5,\"newFlag\":false,"
		 "\"new-dash_name\":\"x\"}}");
	gw_handle_meetings_create(x);
	assert_call("create");
	ck_assert_str_eq(qget("record"), "true");
	ck_assert_str_eq(qget("newBbbParam"), "v w");
	ck_assert_str_eq(qget("newCount"), "5");
	ck_assert_str_eq(qget("newFlag"), "false");
	ck_assert_str_eq(qget("new-dash_name"), "x");
	ck_assert_ptr_null(qget("bbb"));
	ck_assert_uint_eq(q.n, 7);

	/* an empty object forwards nothing */
	restart();
	set_body("{\"name\":\"n\",\"meetingID\":\"m\",\"bbb\":{}}");
	gw_handle_meetings_create(x);
	assert_call("create");
	ck_assert_uint_eq(q.n, 2);
}
END_TEST

/* Raw parameters never stand in for a member the gateway checks itself. */
static const struct {
	const char *body;
	const char *field;
} raw_bad[] = {
	{"{\"name\":\"n\",\"bbb\":\"record=true\"}", "bbb"},
	{"{\"name\":\"n\",\"bbb\":[\"x\"]}", "bbb"},
	{"{\"name\":\"n\",\"bbb\":null}", "bbb"},
	{"{\"name\":\"n\",\"bbb\":{\"record\":\"yes\"}}", "bbb.record"},
	{"{\"name\":\"n\",\"bbb\":{\"meetingEndedURL\":\"http://127.0.0.1/\"}}", "bbb."
										 "meetingEndedURL"},
	{"{\"name\":\"n\",\"bbb\":{\"name\":\"other\"}}", "bbb.name"},
	{"{\"name\":\"n\",\"bbb\":{\"meetingID\":\"other\"}}", "bbb.meetingID"},
	{"{\"name\":\"n\",\"bbb\":{\"metadata\":\"x\"}}", "bbb.metadata"},
	{"{\"name\":\"n\",\"bbb\":{\"bbb\":\"x\"}}", "bbb.bbb"},
	{"{\"name\":\"n\",\"newThing\":1,\"bbb\":{\"newThing\":2}}", "bbb.newThing"},
	{"{\"name\":\"n\",\"bbb\":{\"checksum\":\"x\"}}", "bbb.checksum"},
	{"{\"name\":\"n\",\"bbb\":{\"meta_x\":\"y\"}}", "bbb.meta_x"},
	{"{\"name\":\"n\",\"bbb\":{\"userdata-x\":\"y\"}}", "bbb.userdata-x"},
	{"{\"name\":\"n\",\"bbb\":{\"bad name\":\"y\"}}", "bbb.bad name"},
	{"{\"name\":\"n\",\"bbb\":{\"obj\":{\"a\":1}}}", "bbb.obj"},
	{"{\"name\":\"n\",\"bbb\":{\"arr\":[1]}}", "bbb.arr"},
	{"{\"name\":\"n\",\"bbb\":{\"real\":1.5}}", "bbb.real"},
	{"{\"name\":\"n\",\"bbb\":{\"nothing\":null}}", "bbb.nothing"},
};

START_TEST(test_handler_meetings_create_raw_bbb_rejected)
{
	set_body(raw_bad[_i].body);
	gw_handle_meetings_create(x);
	assert_bad_request(raw_bad[_i].field);
}
END_TEST

START_TEST(test_handler_meetings_create_raw_bbb_off)
{
	cfg->forward_unknown_params = false;
	set_body("{\"name\":\"n\",\"meetingID\":\"m\",\"bbb\":{\"newBbbParam\":\"v\"}}");
	gw_handle_meetings_create(x);
	assert_bad_request("bbb.newBbbParam");
}
END_TEST

START_TEST(test_handler_meetings_create_raw_bbb_tenant_policy)
{
	gw_config_unref(cfg);
	cfg = gw_test_config("bbb = { url = \"" BBB_URL "\"; secret = \"" SECRET "\"; };\n"
			     "tenants = ( { name = \"lms\"; meeting_prefix = \"lms~\";\n"
			     "  create = { defaults = { newDefault = \"d\"; };\n"
			     "             overrides = { newOverride = \"o\"; };\n"
			     "             deny = [ \"newDenied\" ]; }; } );\n");
	restart();
	x->req.tenant = gw_config_tenant(cfg, "lms");
	set_body("{\"name\":\"n\",\"meetingID\":\"m\","
		 "\"bbb\":{\"newDefault\":\"mine\",\"newOverride\":\"mine\",\"newOther\":\"x\"}}");
	gw_handle_meetings_create(x);
	assert_call("create");
	ck_assert_str_eq(qget("meetingID"), "lms~m");
	/* the caller's value stands for a default, an override replaces it */
	ck_assert_str_eq(qget("newDefault"), "mine");
	ck_assert_str_eq(qget("newOverride"), "o");
	ck_assert_str_eq(qget("newOther"), "x");
	ck_assert_uint_eq(q.n, 6); /* name, meetingID, three, meta_bbb-gateway-tenant */

	restart();
	x->req.tenant = gw_config_tenant(cfg, "lms");
	set_body("{\"name\":\"n\",\"meetingID\":\"m\",\"bbb\":{\"newDenied\":\"x\"}}");
	gw_handle_meetings_create(x);
	ck_assert_int_eq(x->resp.status, 400);
	ck_assert_ptr_null(x->up.url);
	ck_assert_ptr_nonnull(strstr(x->resp.body, "\"param_denied\""));
	ck_assert_ptr_nonnull(strstr(x->resp.body, "\"bbb.newDenied\""));
}
END_TEST

/* ---- join ---- */

START_TEST(test_handler_meetings_join_unknown_rejected_when_off)
{
	cfg->forward_unknown_params = false;
	set_meeting("m1");
	set_body("{\"fullName\":\"Ada\",\"role\":\"VIEWER\",\"newJoinParam\":\"v\"}");
	gw_handle_meeting_join(x);
	assert_bad_request("newJoinParam");
}
END_TEST

/* Join members the gateway handles or types itself are no raw parameters either. */
static const char *const join_raw_bad[][2] = {
	{"{\"fullName\":\"Ada\",\"role\":\"VIEWER\",\"bbb\":{\"role\":\"MODERATOR\"}}", "bbb.role"},
	{"{\"fullName\":\"Ada\",\"role\":\"VIEWER\",\"bbb\":{\"userID\":\"u\"}}", "bbb.userID"},
	{"{\"fullName\":\"Ada\",\"role\":\"VIEWER\",\"bbb\":{\"fullName\":\"Eve\"}}", "bbb."
										      "fullName"},
	{"{\"fullName\":\"Ada\",\"role\":\"VIEWER\",\"bbb\":{\"password\":\"x\"}}", "bbb.password"},
	{"{\"fullName\":\"Ada\",\"role\":\"VIEWER\",\"bbb\":{\"userdata-x\":\"y\"}}", "bbb."
										      "userdata-x"},
	{"{\"fullName\":\"Ada\",\"role\":\"VIEWER\",\"bbb\":7}", "bbb"},
};

START_TEST(test_handler_meetings_join_raw_bbb_params)
{
	json_t *j;
	size_t i;

	set_meeting("m1");
	set_body("{\"fullName\":\"Ada\",\"role\":\"VIEWER\",\"guest\":true,"
		 "\"bbb\":{\"newJoinParam\":\"v\",\"newJoinFlag\":true}}");
	gw_handle_meeting_join(x);
	j = join_ok();
	json_decref(j);
	ck_assert_str_eq(qget("guest"), "true");
	ck_assert_str_eq(qget("newJoinParam"), "v");
	ck_assert_str_eq(qget("newJoinFlag"), "true");
	ck_assert_ptr_null(qget("bbb"));

	for (i = 0; i < sizeof(join_raw_bad) / sizeof(join_raw_bad[0]); i++) {
		restart();
		set_meeting("m1");
		set_body(join_raw_bad[i][0]);
		gw_handle_meeting_join(x);
		assert_bad_request(join_raw_bad[i][1]);
	}
}
END_TEST

static Suite *handler_meetings_raw_suite(void)
{
	Suite *s = suite_create("handler_meetings_raw");
	TCase *c = tcase_create("create");
	TCase *j = tcase_create("join");

	tcase_add_checked_fixture(c, setup, teardown);
	tcase_add_test(c, test_handler_meetings_create_forwards_unknown_scalars);
	tcase_add_test(c, test_handler_meetings_create_unknown_rejected_when_off);
	tcase_add_test(c, test_handler_meetings_create_raw_bbb_params);
	tcase_add_loop_test(c, test_handler_meetings_create_raw_bbb_rejected, 0,
			    sizeof(raw_bad) / sizeof(raw_bad[0]));
	tcase_add_test(c, test_handler_meetings_create_raw_bbb_off);
	tcase_add_test(c, test_handler_meetings_create_raw_bbb_tenant_policy);
	suite_add_tcase(s, c);
	tcase_add_checked_fixture(j, setup, teardown);
	tcase_add_test(j, test_handler_meetings_join_unknown_rejected_when_off);
	tcase_add_test(j, test_handler_meetings_join_raw_bbb_params);
	suite_add_tcase(s, j);
	return s;
}

GW_TEST_MAIN(handler_meetings_raw_suite)
