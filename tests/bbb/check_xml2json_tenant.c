/*
 * check_xml2json_tenant.c - a tenant's view of BBB's replies in the
 * converter (gw_xml2json_tenant): the prefix off meetingID,
 * parentMeetingID and recording metadata's meetingId; items of meetings,
 * recordings and hooks kept only when their own meetingID is the
 * tenant's, wherever that element comes in the item; other lists and
 * other elements untouched; the same result whole or byte by byte.
 */
#include <stdlib.h>
#include <string.h>

#include "bbb_reply.h"
#include "testutil.h"
#include "xml2json.h"

static const char meetings[] =
	"<response><returncode>SUCCESS</returncode><meetings>\n"
	"  <meeting><meetingName>A</meetingName><meetingID>lms~a</meetingID>"
	"<attendees><attendee><userID>u1</userID></attendee></attendees></meeting>\n"
	"  <meeting><meetingID>portal~b</meetingID><meetingName>B</meetingName></meeting>\n"
	"  <meeting><meetingName>C</meetingName><isBreakout>true</isBreakout>"
	"<parentMeetingID>lms~a</parentMeetingID><meetingID>lms~c</meetingID></meeting>\n"
	"  <meeting><meetingName>D</meetingName><meetingID>staff</meetingID></meeting>\n"
	"</meetings></response>";

static json_t *convert(const char *xml, const char *prefix, bool bytewise)
{
	struct gw_xml2json *c;
	struct gw_bbb_reply r;
	json_t *out;
	size_t n = strlen(xml);

	ck_assert_int_eq(gw_xml2json_new(0, 1u << 20, &c), GW_OK);
	gw_xml2json_tenant(c, prefix);
	for (size_t i = 0; i < n; i += bytewise ? 1 : n)
		ck_assert_int_eq(gw_xml2json_feed(c, xml + i, bytewise ? 1 : n), GW_OK);
	ck_assert_int_eq(gw_xml2json_finish(c, &r), GW_OK);
	gw_xml2json_free(c);
	out = json_loadb(r.body, r.body_len, 0, NULL);
	ck_assert_ptr_nonnull(out);
	gw_bbb_reply_deinit(&r);
	return out;
}

static void assert_json(json_t *got, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);
	char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);

	ck_assert_ptr_nonnull(w);
	ck_assert_msg(json_equal(got, w), "got %s", g);
	free(g);
	json_decref(w);
	json_decref(got);
}

START_TEST(test_xml2json_tenant_meetings)
{
	static const char want[] = "{\"meetings\":[{\"meetingName\":\"A\",\"meetingID\":\"a\","
				   "\"attendees\":[{\"userID\":\"u1\"}]},"
				   "{\"meetingName\":\"C\",\"isBreakout\":true,\"parentMeetingID\":"
				   "\"a\","
				   "\"meetingID\":\"c\"}]}";

	assert_json(convert(meetings, "lms~", false), want);
	assert_json(convert(meetings, "lms~", true), want);
	assert_json(convert(meetings, "portal~", true), "{\"meetings\":[{\"meetingID\":\"b\","
							"\"meetingName\":\"B\"}]}");
	assert_json(convert(meetings, "none~", false), "{\"meetings\":[]}");
}
END_TEST

START_TEST(test_xml2json_tenant_recordings_and_hooks)
{
	assert_json(convert("<response><returncode>SUCCESS</returncode><recordings>"
			    "<recording><recordID>r1</recordID><meetingID>lms~a</meetingID>"
			    "<metadata><meetingId>lms~a</meetingId><other>lms~x</other></metadata>"
			    "</recording><recording><recordID>r2</recordID>"
			    "<meetingID>portal~b</meetingID></recording></recordings></response>",
			    "lms~", true),
		    "{\"recordings\":[{\"recordID\":\"r1\",\"meetingID\":\"a\","
		    "\"metadata\":{\"meetingId\":\"a\",\"other\":\"lms~x\"}}]}");
	/* a global hook (no meetingID) is no tenant's */
	assert_json(convert("<response><returncode>SUCCESS</returncode><hooks>"
			    "<hook><hookID>1</hookID><callbackURL><![CDATA[https://x/]]></"
			    "callbackURL>"
			    "</hook><hook><hookID>2</hookID><meetingID><![CDATA[lms~a]]></"
			    "meetingID>"
			    "</hook></hooks></response>",
			    "lms~", false),
		    "{\"hooks\":[{\"hookID\":\"2\",\"meetingID\":\"a\"}]}");
	/* one meeting's reply: its id loses the prefix */
	assert_json(convert("<response><returncode>SUCCESS</returncode>"
			    "<meetingID>lms~a</meetingID><running>true</running></response>",
			    "lms~", false),
		    "{\"meetingID\":\"a\",\"running\":true}");
}
END_TEST

static Suite *xml2json_tenant_suite(void)
{
	Suite *s = suite_create("xml2json_tenant");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_xml2json_tenant_meetings);
	tcase_add_test(tc, test_xml2json_tenant_recordings_and_hooks);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(xml2json_tenant_suite)
