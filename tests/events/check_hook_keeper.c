/*
 * check_hook_keeper.c - the keeper's decision from a hooks/list reply (as
 * the converter shapes it): only a global hook with exactly the gateway's
 * callback URL counts. The rounds themselves run end to end against the
 * simulator (e2e/integration_events).
 */
#include "hook_keeper.h"
#include "testutil.h"

#define URL "http://gateway.internal:8090/v1/bbb-events"

START_TEST(test_hook_keeper_listed)
{
	ck_assert(gw_hook_keeper_listed("{\"hooks\":[{\"hookID\":\"1\",\"callbackURL\":\"" URL
					"\",\"permanentHook\":false,\"rawData\":false}]}",
					URL));
	ck_assert(gw_hook_keeper_listed("{\"hooks\":[{\"callbackURL\":\"http://other/\"},"
					"{\"callbackURL\":\"" URL "\",\"meetingID\":\"\"}]}",
					URL));
	/* a hook for one meeting is not the global one */
	ck_assert(!gw_hook_keeper_listed("{\"hooks\":[{\"callbackURL\":\"" URL "\",\"meetingID\":"
					 "\"m1\"}]}",
					 URL));
	/* exactly the URL: no prefix, no trailing slash, no other case */
	ck_assert(!gw_hook_keeper_listed("{\"hooks\":[{\"callbackURL\":\"" URL "/\"}]}", URL));
	ck_assert(!gw_hook_keeper_listed("{\"hooks\":[{\"callbackURL\":\"http://"
					 "gateway.internal:8090/v1/bbb-event\"}]}",
					 URL));
	ck_assert(!gw_hook_keeper_listed("{\"hooks\":[{\"callbackURL\":\"HTTP://"
					 "GATEWAY.INTERNAL:8090/v1/bbb-events\"}]}",
					 URL));
	/* none, empty, or not what the converter makes */
	ck_assert(!gw_hook_keeper_listed("{\"hooks\":[]}", URL));
	ck_assert(!gw_hook_keeper_listed("{}", URL));
	ck_assert(!gw_hook_keeper_listed("{\"hooks\":{\"callbackURL\":\"" URL "\"}}", URL));
	ck_assert(!gw_hook_keeper_listed("{\"hooks\":[{\"callbackURL\":7}]}", URL));
	ck_assert(!gw_hook_keeper_listed("not json", URL));
}
END_TEST

static Suite *hook_keeper_suite(void)
{
	Suite *s = suite_create("hook_keeper");
	TCase *tc = tcase_create("listed");

	tcase_add_test(tc, test_hook_keeper_listed);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(hook_keeper_suite)
