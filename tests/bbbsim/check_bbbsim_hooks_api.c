/*
 * check_bbbsim_hooks_api.c - tests of the bbb-webhooks API the BBB
 * simulator answers under /bigbluebutton/api/hooks/: create, list,
 * destroy and ping, its own checksum rules and algorithm list, and the
 * routes Express refuses. The callbacks themselves are in
 * check_bbbsim_hooks.c and check_bbbsim_hooks_delivery.c.
 *
 * Each test runs its own simulator seeded from
 * tests/data/bbbsim/recordings.txt in a checked fixture (recfix.h).
 * Requests go through bbbsim_client.h; checksums are computed with
 * OpenSSL, independently of the simulator and the gateway.
 */
#include "recfix.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

/* --- bbb-webhooks ---------------------------------------------------------- */

/* A bbb-webhooks XML reply. */
static void hook_is(struct bbbsim_resp r, const char *want)
{
	content_type(&r, "text/xml; charset=utf-8");
	is(r, want);
}

START_TEST(test_hooks_calls)
{
	struct bbbsim_resp r;

	hook_is(hook("sha1", "list", ""), "<response><returncode>SUCCESS</returncode><hooks></"
					  "hooks></response>");
	hook_is(hook("sha256", "create",
		     "callbackURL=https%3A%2F%2Flms.example%2Fev%3Fa%3D1%26b%3D2&meetingID=bio-101"
		     "&eventID=Meeting-Created,user-joined"),
		"<response><returncode>SUCCESS</returncode><hookID>1</hookID>"
		"<permanentHook>false</permanentHook><rawData>false</rawData></response>");
	has(hook("sha1", "create", "callbackURL=https%3A%2F%2Fglobal.example%2F&getRaw=TRUE"),
	    "<hookID>2</hookID><permanentHook>false</permanentHook><rawData>true</rawData>");
	/* the same URL again, even for another meeting: the existing hook */
	hook_is(hook("sha1", "create", "callbackURL=https%3A%2F%2Fglobal.example%2F&meetingID=x"),
		"<response><returncode>SUCCESS</returncode><hookID>2</hookID><messageKey>"
		"duplicateWarning</messageKey><message>There is already a hook for this callback "
		"URL.</message></response>");
	has(hook("sha1", "create", "callbackURL=http%3A%2F%2Fc.example%2F&meetingID=chem-202"),
	    "<hookID>3</hookID>");
	ck_assert_uint_eq(bbbsim_hook_count(sim), 3);
	/* that meeting's hooks and the global ones; '&' raw in CDATA; eventID lower-cased */
	hook_is(hook("sha1", "list", "meetingID=bio-101"),
		"<response><returncode>SUCCESS</returncode><hooks><hook><hookID>1</hookID>"
		"<callbackURL><![CDATA[https://lms.example/ev?a=1&b=2]]></callbackURL>"
		"<meetingID><![CDATA[bio-101]]></meetingID>"
		"<eventID>meeting-created,user-joined</eventID><permanentHook>false"
		"</permanentHook><rawData>false</rawData></hook><hook><hookID>2</hookID>"
		"<callbackURL><![CDATA[https://global.example/]]></callbackURL><permanentHook>"
		"false</permanentHook><rawData>true</rawData></hook></hooks></response>");
	r = hook("sha1", "list", "");
	ck_assert_uint_eq(count(r.body, "<hook>"), 3);
	bbbsim_resp_free(&r);
	hook_is(hook("sha1", "destroy", "hookID=1"), "<response><returncode>SUCCESS</"
						     "returncode><removed>true</removed></"
						     "response>");
	hook_is(hook("sha1", "destroy", "hookID=1"), "<response><returncode>FAILED</"
						     "returncode><messageKey>destroyMissingHook"
						     "</messageKey><message>The hook informed was "
						     "not found.</message></response>");
	has(hook("sha1", "destroy", ""), "<messageKey>missingParamHookID</messageKey><message>You "
					 "must specify a hookID in the parameters.</message>");
	hook_is(hook("sha1", "create", "meetingID=bio-101"), "<response><returncode>FAILED</"
							     "returncode><messageKey>"
							     "missingParamCallbackURL"
							     "</messageKey><message>You must "
							     "specify a callbackURL in the "
							     "parameters."
							     "</message></response>");
	ck_assert_uint_eq(bbbsim_hook_count(sim), 2);
}
END_TEST

START_TEST(test_hooks_checksum)
{
	static const char *const algs[] = {"sha1", "sha256", "sha384", "sha512"};
	static const char checksum_error[] = "<response><returncode>FAILED</"
					     "returncode><messageKey>checksumError</messageKey>"
					     "<message>You did not pass the checksum security "
					     "check.</message></response>";
	struct bbbsim_opts o = {.hooks_algorithms = "sha256"};
	struct bbbsim_request rec;
	struct bbbsim_resp r;
	char *hex = checksum("sha1", "hooks/list", "meetingID=m1", false);
	char t[256];
	size_t i;

	for (i = 0; i < 4; i++)
		has(hook(algs[i], "list", "meetingID=m1"), "<returncode>SUCCESS</returncode>");
	/* case-sensitive, unlike bbb-web, which takes the same upper-case hex */
	hook_is(call_as("sha256", true, "GET", "hooks/list", "", NULL, NULL, 0), checksum_error);
	ck_assert(bbbsim_request_get(sim, 4, &rec));
	ck_assert(!rec.checksum_ok);
	ck_assert_str_eq(rec.call, "hooks/list");
	ck_assert_str_eq(rec.algorithm, "sha256");
	bbbsim_request_free(&rec);
	has(call_as("sha256", true, "GET", "getMeetings", "", NULL, NULL, 0), "<returncode>SUCCESS<"
									      "/returncode>");
	hook_is(get(API "hooks/list"), checksum_error); /* missing: note the period */
	/* a length no algorithm has: the validator throws, Express answers 500 */
	r = get(API "hooks/list?checksum=abcdef");
	content_type(&r, "text/html; charset=utf-8");
	ck_assert_int_eq(r.status, 500);
	has(r, "<pre>Internal Server Error</pre>");
	/* removed by regex wherever it stands; twice is an array, not a string */
	snprintf(t, sizeof(t), API "hooks/list?checksum=%s&meetingID=m1", hex);
	has(get(t), "<returncode>SUCCESS</returncode>");
	snprintf(t, sizeof(t), API "hooks/list?meetingID=m1&checksum=%s&checksum=%s", hex, hex);
	hook_is(get(t), checksum_error);
	free(hex);
	/* its own algorithm list, separate from bbb-web's */
	restart(o);
	hook_is(hook("sha1", "list", ""), checksum_error);
	has(hook("sha256", "list", ""), "<returncode>SUCCESS</returncode>");
	has(call("getMeetings", ""), "<returncode>SUCCESS</returncode>");
}
END_TEST

START_TEST(test_hooks_ping_and_routes)
{
	struct bbbsim_resp r = get(API "hooks/ping");

	content_type(&r, NULL);
	is(r, "bbb-webhooks API up!");
	r = post("hooks/list", "", FORM, "", 0);
	ck_assert_int_eq(r.status, 404);
	has(r, "<pre>Cannot POST /bigbluebutton/api/hooks/list</pre>");
	r = hook("sha1", "remove", "");
	ck_assert_int_eq(r.status, 404);
	has(r, "<pre>Cannot GET /bigbluebutton/api/hooks/remove</pre>");
}
END_TEST

static Suite *bbbsim_hooks_api_suite(void)
{
	Suite *s = suite_create("bbbsim_hooks_api");
	TCase *tc = tcase_create("bbbsim_hooks_api");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hooks_calls);
	tcase_add_test(tc, test_hooks_checksum);
	tcase_add_test(tc, test_hooks_ping_and_routes);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbbsim_hooks_api_suite)
