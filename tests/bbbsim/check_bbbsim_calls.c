/*
 * check_bbbsim_calls.c - tests of the BBB simulator's calls
 * (tests/bbbsim): the API root, create, getMeetingInfo, getMeetings, end,
 * isMeetingRunning, join, sendChatMessage and insertDocument replies byte
 * for byte, the meeting state they share, and unknown calls.
 *
 * Requests go through simfix.h's raw-socket HTTP/1.1 client; checksums
 * are computed there with OpenSSL, independently of both the gateway and
 * the simulator. Each test runs its own simulator in a checked fixture.
 */
#include "simfix.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void create_simple(const char *query)
{
	struct resp r = call("create", query);

	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
}

/* --- calls --------------------------------------------------------------- */

START_TEST(test_bbbsim_api_root)
{
	char want[512];
	struct resp r = get("/bigbluebutton/api");
	struct resp r2 = get("/bigbluebutton/api/");
	char *ct = header(&r, "Content-Type");
	unsigned port = bbbsim_port(sim);

	snprintf(want, sizeof(want),
		 "<response>\n<returncode>SUCCESS</returncode>\n<version>2.0</version>\n"
		 "<apiVersion>2.0</apiVersion>\n<bbbVersion>3.0.0</bbbVersion>\n"
		 "<graphqlWebsocketUrl>ws://127.0.0.1:%u/graphql</graphqlWebsocketUrl>\n"
		 "<graphqlApiUrl>http://127.0.0.1:%u/api/rest</graphqlApiUrl>\n</response>",
		 port, port);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(ct, "text/xml;charset=utf-8");
	ck_assert_str_eq(r.body, want);
	ck_assert_str_eq(r2.body, want);
	free(ct);
	resp_free(&r);
	resp_free(&r2);
}
END_TEST

START_TEST(test_bbbsim_create_first)
{
	struct resp r = call("create", "name=Room+One&meetingID=room-1&voiceBridge=70001"
				       "&attendeePW=ap&moderatorPW=mp&duration=45");
	char *ctime = xml_value(r.body, "createTime");
	char *sha = hexdigest("sha1", "room-1");
	char *date = xml_value(r.body, "createDate");
	char want[2048];

	ck_assert_ptr_nonnull(ctime);
	snprintf(want, sizeof(want),
		 "<response>\n<returncode>SUCCESS</returncode>\n<meetingID>room-1</meetingID>\n"
		 "<internalMeetingID>%s-%s</internalMeetingID>\n"
		 "<parentMeetingID>bbb-none</parentMeetingID>\n<attendeePW>ap</attendeePW>\n"
		 "<moderatorPW>mp</moderatorPW>\n<createTime>%s</createTime>\n"
		 "<voiceBridge>70001</voiceBridge>\n<dialNumber>613-555-1234</dialNumber>\n"
		 "<createDate>%s</createDate>\n<hasUserJoined>false</hasUserJoined>\n"
		 "<duration>45</duration>\n<hasBeenForciblyEnded>false</hasBeenForciblyEnded>\n"
		 "<messageKey></messageKey>\n<message></message>\n</response>",
		 sha, ctime, ctime, date);
	ck_assert_str_eq(r.body, want);
	ck_assert_uint_eq(strlen(date), 28);
	free(ctime);
	free(sha);
	free(date);
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_create_duplicate)
{
	struct resp a = call("create", "name=Dup&meetingID=dup-1");
	struct resp b = call("create", "name=Other+name&meetingID=dup-1&record=true");
	char *apw = xml_value(a.body, "attendeePW");
	char *ia;
	char *ib;
	char *q;
	struct resp c;

	assert_value(b.body, "returncode", "SUCCESS");
	assert_value(b.body, "messageKey", "duplicateWarning");
	assert_value(b.body, "message",
		     "This conference was already in existence and may currently be in progress.");
	ia = xml_value(a.body, "internalMeetingID");
	ib = xml_value(b.body, "internalMeetingID");
	ck_assert_str_eq(ia, ib);
	assert_value(b.body, "meetingID", "dup-1");
	ck_assert_uint_eq(strlen(apw), 8);
	/* matching password: still a duplicate */
	q = malloc(128);
	snprintf(q, 128, "name=Dup&meetingID=dup-1&attendeePW=%s", apw);
	c = call("create", q);
	assert_value(c.body, "messageKey", "duplicateWarning");
	resp_free(&c);
	c = call("create", "name=Dup&meetingID=dup-1&attendeePW=wrong-pw");
	assert_failed(&c, "idNotUnique",
		      "A meeting already exists with that meeting ID. Please use a different "
		      "meeting ID.");
	resp_free(&c);
	free(q);
	free(apw);
	free(ia);
	free(ib);
	resp_free(&a);
	resp_free(&b);
}
END_TEST

START_TEST(test_bbbsim_create_validation)
{
	struct resp r = call("create", "name=Valid");

	assert_failed(&r, "missingParamMeetingID", "You must provide a meeting ID");
	resp_free(&r);
	r = call("create", "name=Valid&meetingID=x");
	assert_failed(&r, "sizeError", "Meeting ID must be between 2 and 256 characters");
	resp_free(&r);
	r = call("create", "name=V&meetingID=valid-id");
	assert_failed(&r, "sizeError", "Meeting name must be between 2 and 256 characters");
	resp_free(&r);
	r = call("create", "name=Valid&meetingID=a%2Cb");
	assert_failed(&r, "validationError", "Meeting ID cannot contain &apos;,&apos;");
	resp_free(&r);
	r = call("create", "name=Valid&meetingID=valid-id&record=maybe");
	assert_value(r.body, "messageKey", "validationError");
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_create_voice_bridge_conflict)
{
	struct resp r;

	create_simple("name=First&meetingID=vb-1&voiceBridge=72000");
	r = call("create", "name=Second&meetingID=vb-2&voiceBridge=72000");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "<response>\n<returncode>FAILED</returncode>\n<errors>\n<error>\n"
				 "<key>nonUniqueVoiceBridge</key>\n"
				 "<message>The selected voice bridge is already in use.</message>\n"
				 "</error>\n</errors>\n</response>");
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_create_post_xml)
{
	static const char modules[] = "<modules><module name=\"presentation\"><document "
				      "url=\"https://example.org/a.pdf\"/></module></modules>";
	char *t = signed_target("create", "name=Posted&meetingID=post-1");
	struct bbbsim_request rec;
	struct resp r = request("POST", t, "application/xml", modules);

	assert_value(r.body, "returncode", "SUCCESS");
	ck_assert(bbbsim_request_get(sim, 0, &rec));
	ck_assert_str_eq(rec.method, "POST");
	ck_assert_str_eq(rec.content_type, "application/xml");
	ck_assert_str_eq(rec.body, modules);
	ck_assert_uint_eq(rec.body_len, strlen(modules));
	bbbsim_request_free(&rec);
	resp_free(&r);
	free(t);
	t = signed_target("create", "name=Posted&meetingID=post-2");
	r = request("POST", t, "text/plain", "hello");
	assert_failed(&r, "unsupportedContentType",
		      "POST request Content-Type is missing or unsupported");
	resp_free(&r);
	r = request("POST", t, "text/xml; charset=UTF-8", modules);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	free(t);
}
END_TEST

START_TEST(test_bbbsim_get_meeting_info_layout)
{
	struct resp c = call("create", "name=Simple+Room&meetingID=simple-1&attendeePW=ap"
				       "&moderatorPW=mp&voiceBridge=71234&meta_Origin=Test&record="
				       "true");
	char *ctime = xml_value(c.body, "createTime");
	char *date = xml_value(c.body, "createDate");
	char *internal = xml_value(c.body, "internalMeetingID");
	char want[4096];
	struct resp r;

	ck_assert(bbbsim_add_attendee(sim, "simple-1", "u1", "Ann", true));
	ck_assert(!bbbsim_add_attendee(sim, "nope", "u2", "Bob", false));
	r = call("getMeetingInfo", "meetingID=simple-1");
	snprintf(want, sizeof(want),
		 "<response>\n<returncode>SUCCESS</returncode>\n"
		 "<meetingName>Simple Room</meetingName>\n<meetingID>simple-1</meetingID>\n"
		 "<internalMeetingID>%s</internalMeetingID>\n<createTime>%s</createTime>\n"
		 "<createDate>%s</createDate>\n<voiceBridge>71234</voiceBridge>\n"
		 "<dialNumber>613-555-1234</dialNumber>\n<attendeePW>ap</attendeePW>\n"
		 "<moderatorPW>mp</moderatorPW>\n<running>true</running>\n"
		 "<duration>0</duration>\n<hasUserJoined>true</hasUserJoined>\n"
		 "<recording>true</recording>\n<hasBeenForciblyEnded>false</hasBeenForciblyEnded>\n"
		 "<startTime>%s</startTime>\n<endTime>0</endTime>\n"
		 "<participantCount>1</participantCount>\n<listenerCount>0</listenerCount>\n"
		 "<voiceParticipantCount>0</voiceParticipantCount>\n<videoCount>0</videoCount>\n"
		 "<maxUsers>0</maxUsers>\n<moderatorCount>1</moderatorCount>\n"
		 "<attendees>\n<attendee>\n<userID>u1</userID>\n<fullName>Ann</fullName>\n"
		 "<role>MODERATOR</role>\n<isPresenter>false</isPresenter>\n"
		 "<isListeningOnly>false</isListeningOnly>\n<hasJoinedVoice>false</"
		 "hasJoinedVoice>\n"
		 "<hasVideo>false</hasVideo>\n<clientType>HTML5</clientType>\n</attendee>\n"
		 "</attendees>\n<metadata>\n<origin>Test</origin>\n</metadata>\n"
		 "<isBreakout>false</isBreakout>\n</response>",
		 internal, ctime, date, ctime);
	ck_assert_str_eq(r.body, want);
	resp_free(&r);
	r = call("getMeetingInfo", "meetingID=missing");
	assert_failed(&r, "notFound", "A meeting with that ID does not exist");
	resp_free(&r);
	free(ctime);
	free(date);
	free(internal);
	resp_free(&c);
}
END_TEST

START_TEST(test_bbbsim_metadata_and_escaping)
{
	struct resp r;

	create_simple("name=O%27Brien+%26++%3CCo%3E+%22x%22&meetingID=esc-1"
		      "&meta_endCallbackUrl=https%3A%2F%2Fa.example%2F%3Fa%3D1%26b%3D2"
		      "&meta_bad_name=1&meta_9x=1&meta_ok-Key2=v&meta_TERM=t1&meta_TERM=t2");
	r = call("getMeetingInfo", "meetingID=esc-1");
	assert_value(r.body, "meetingName", "O&apos;Brien &amp; &lt;Co&gt; &quot;x&quot;");
	ck_assert_ptr_nonnull(strstr(r.body, "<metadata>\n"
					     "<endcallbackurl>https://a.example/?a=1&amp;b=2"
					     "</endcallbackurl>\n<ok-key2>v</ok-key2>\n"
					     "<term>t1</term>\n</metadata>\n"));
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_get_meetings)
{
	struct resp r = call("getMeetings", "");

	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n<meetings/>\n"
				 "<messageKey>noMeetings</messageKey>\n"
				 "<message>no meetings were found on this server</message>\n"
				 "</response>");
	resp_free(&r);
	create_simple("name=One&meetingID=gm-1");
	create_simple("name=Two&meetingID=gm-2");
	r = call("getMeetings", "");
	ck_assert(starts_with(r.body, "<response>\n<returncode>SUCCESS</returncode>\n<meetings>\n"
				      "<meeting>\n<meetingName>One</meetingName>\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "<meeting>\n<meetingName>Two</meetingName>\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "<attendees>\n</attendees>\n<metadata>\n</metadata>"));
	ck_assert_ptr_null(strstr(r.body, "messageKey"));
	ck_assert(ends_with(r.body, "</meeting>\n</meetings>\n</response>"));
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_end)
{
	struct resp a = call("create", "name=Ending&meetingID=end-1");
	struct resp r = call("end", "meetingID=end-1");
	struct resp b;
	char *ia;
	char *ib;

	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n"
				 "<messageKey>sentEndMeetingRequest</messageKey>\n"
				 "<message>A request to end the meeting was sent. Please wait a "
				 "few "
				 "seconds, and then use the getMeetingInfo or isMeetingRunning API "
				 "calls to verify that it was ended.</message>\n</response>");
	resp_free(&r);
	r = call("end", "meetingID=end-1");
	assert_failed(&r, "notFound", "A meeting with that ID does not exist");
	resp_free(&r);
	r = call("getMeetingInfo", "meetingID=end-1");
	assert_failed(&r, "notFound", "A meeting with that ID does not exist");
	resp_free(&r);
	b = call("create", "name=Ending&meetingID=end-1");
	assert_value(b.body, "messageKey", "");
	ia = xml_value(a.body, "internalMeetingID");
	ib = xml_value(b.body, "internalMeetingID");
	ck_assert_str_ne(ia, ib);
	r = call("end", "meetingID=end-1&password=wrong");
	assert_failed(&r, "invalidPassword", "The supplied moderator password is incorrect");
	resp_free(&r);
	free(ia);
	free(ib);
	resp_free(&a);
	resp_free(&b);
}
END_TEST

START_TEST(test_bbbsim_is_meeting_running)
{
	struct resp r = call("isMeetingRunning", "meetingID=run-1");

	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n"
				 "<running>false</running>\n</response>");
	resp_free(&r);
	create_simple("name=Running&meetingID=run-1");
	r = call("isMeetingRunning", "meetingID=run-1");
	assert_value(r.body, "running", "false");
	resp_free(&r);
	ck_assert(bbbsim_add_attendee(sim, "run-1", NULL, "Ann", false));
	r = call("isMeetingRunning", "meetingID=run-1");
	assert_value(r.body, "running", "true");
	resp_free(&r);
	r = call("isMeetingRunning", "");
	assert_failed(&r, "missingParamMeetingID", "You must provide a meeting ID");
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_join_redirect)
{
	struct resp r;
	char *loc;
	char *cookie;
	char prefix[128];

	create_simple("name=Joinable&meetingID=join-1");
	r = call("join", "fullName=Jo+Doe&meetingID=join-1&role=viewer&userID=ext-7"
			 "&userdata-bbb_auto_join_audio=true&userdata-a-b=x");
	ck_assert_int_eq(r.status, 302);
	loc = header(&r, "Location");
	cookie = header(&r, "Set-Cookie");
	snprintf(prefix, sizeof(prefix),
		 "http://127.0.0.1:%u/html5client/join?sessionToken=", bbbsim_port(sim));
	ck_assert(starts_with(loc, prefix));
	ck_assert_uint_eq(strlen(loc), strlen(prefix) + 16);
	ck_assert(starts_with(cookie, "JSESSIONID="));
	resp_free(&r);
	r = call("getMeetingInfo", "meetingID=join-1");
	ck_assert_ptr_nonnull(strstr(r.body, "<attendee>\n<userID>ext-7</userID>\n"
					     "<fullName>Jo Doe</fullName>\n<role>VIEWER</role>\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "<customdata>\n<bbb_auto_join_audio>true"
					     "</bbb_auto_join_audio>\n</customdata>\n</attendee>"));
	assert_value(r.body, "running", "true");
	resp_free(&r);
	/* errors redirect too, carrying errors=[...] */
	r = call("join", "fullName=Jo&meetingID=nope-1&role=viewer"
			 "&errorRedirectUrl=https%3A%2F%2Flms.example%2Ferr");
	ck_assert_int_eq(r.status, 302);
	free(loc);
	loc = header(&r, "Location");
	ck_assert_str_eq(loc, "https://lms.example/err?errors=%5B%7B%22message%22%3A%22A%20meeting"
			      "%20with%20that%20ID%20does%20not%20exist%22%2C%22key%22%3A%22"
			      "invalidMeetingIdentifier%22%7D%5D");
	free(loc);
	free(cookie);
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_join_no_redirect)
{
	struct resp c = call("create", "name=Joinable&meetingID=join-2&attendeePW=ap&moderatorPW="
				       "mp");
	char *internal = xml_value(c.body, "internalMeetingID");
	char *ctime = xml_value(c.body, "createTime");
	char q[256];
	struct resp r;
	char *v;

	snprintf(q, sizeof(q),
		 "fullName=Mo&meetingID=join-2&role=MODERATOR&redirect=false"
		 "&createTime=%s",
		 ctime);
	r = call("join", q);
	ck_assert_int_eq(r.status, 200);
	ck_assert(starts_with(r.body, "<response>\n<returncode>SUCCESS</returncode>\n"
				      "<messageKey>successfullyJoined</messageKey>\n"
				      "<message>You have joined "
				      "successfully.</message>\n<meeting_id>"));
	assert_value(r.body, "meeting_id", internal);
	assert_value(r.body, "guestStatus", "ALLOW");
	v = xml_value(r.body, "user_id");
	ck_assert(starts_with(v, "w_") && strlen(v) == 14);
	free(v);
	v = xml_value(r.body, "auth_token");
	ck_assert_uint_eq(strlen(v), 12);
	free(v);
	v = xml_value(r.body, "session_token");
	ck_assert_uint_eq(strlen(v), 16);
	free(v);
	resp_free(&r);
	r = call("join", "fullName=Pw&meetingID=join-2&password=ap&redirect=false");
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	r = call("join", "fullName=Pw&meetingID=join-2&password=zz&redirect=false");
	assert_value(r.body, "messageKey", "Params required");
	resp_free(&r);
	r = call("join", "fullName=Pw&meetingID=join-2&redirect=false");
	assert_value(r.body, "messageKey", "Params required");
	resp_free(&r);
	r = call("join", "meetingID=join-2&role=VIEWER&redirect=false");
	assert_failed(&r, "missingParamFullName", "You must provide your name");
	resp_free(&r);
	r = call("join", "fullName=X&role=VIEWER&redirect=false");
	assert_failed(&r, "missingParamMeetingID", "You must provide a meeting ID");
	resp_free(&r);
	r = call("join", "fullName=X&meetingID=none-2&role=VIEWER&redirect=false");
	assert_failed(&r, "invalidMeetingIdentifier", "A meeting with that ID does not exist");
	resp_free(&r);
	r = call("join", "fullName=X&meetingID=join-2&role=VIEWER&redirect=false&createTime=1");
	assert_failed(&r, "mismatchCreateTimeParam",
		      "The createTime parameter submitted mismatches with the current meeting.");
	resp_free(&r);
	r = call("getMeetingInfo", "meetingID=join-2");
	assert_value(r.body, "participantCount", "2");
	assert_value(r.body, "moderatorCount", "1");
	resp_free(&r);
	free(internal);
	free(ctime);
	resp_free(&c);
}
END_TEST

START_TEST(test_bbbsim_send_chat_message)
{
	struct resp r;

	create_simple("name=Chat&meetingID=chat-1");
	r = call("sendChatMessage", "meetingID=chat-1&message=Hello+all&userName=Bot");
	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n"
				 "<messageKey></messageKey>\n<message></message>\n</response>");
	resp_free(&r);
	r = call("sendChatMessage", "meetingID=chat-9&message=Hi");
	assert_failed(&r, "notFound", "A meeting with that ID does not exist");
	resp_free(&r);
	r = call("sendChatMessage", "meetingID=chat-1&message=");
	assert_value(r.body, "messageKey", "sizeError");
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_insert_document)
{
	static const char doc[] = "<modules><module name=\"presentation\"/></modules>";
	char *t = signed_target("insertDocument", "meetingID=doc-1");
	struct resp r;

	create_simple("name=Docs&meetingID=doc-1");
	r = request("POST", t, "application/xml", doc);
	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n"
				 "<message>Presentation is being uploaded</message>\n</response>");
	resp_free(&r);
	r = request("POST", t, "application/x-www-form-urlencoded", "a=b");
	assert_failed(&r, "unsupportedContentType",
		      "POST request Content-Type is missing or unsupported");
	resp_free(&r);
	r = get(t);
	ck_assert_int_eq(r.status, 405);
	resp_free(&r);
	free(t);
	t = signed_target("insertDocument", "meetingID=doc-2");
	r = request("POST", t, "text/xml", doc);
	ck_assert_str_eq(r.body, "<response>\n<returncode>FAILED</returncode>\n"
				 "<message>Meeting with id [doc-2] not "
				 "found.</message>\n</response>");
	resp_free(&r);
	free(t);
}
END_TEST

START_TEST(test_bbbsim_unknown_call)
{
	struct resp r = call("getSomething", "meetingID=x1");
	char *t = signed_target("join", "fullName=a&meetingID=b");
	char *ct = header(&r, "Content-Type");

	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(ct, "text/html");
	ck_assert_ptr_nonnull(strstr(r.body, "404 Not Found"));
	free(ct);
	resp_free(&r);
	r = get("/other/path");
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	r = request("POST", t, "application/xml", "<x/>");
	ck_assert_int_eq(r.status, 405);
	resp_free(&r);
	free(t);
}
END_TEST

static Suite *bbbsim_calls_suite(void)
{
	Suite *s = suite_create("bbbsim_calls");
	TCase *tc = tcase_create("bbbsim_calls");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bbbsim_api_root);
	tcase_add_test(tc, test_bbbsim_create_first);
	tcase_add_test(tc, test_bbbsim_create_duplicate);
	tcase_add_test(tc, test_bbbsim_create_validation);
	tcase_add_test(tc, test_bbbsim_create_voice_bridge_conflict);
	tcase_add_test(tc, test_bbbsim_create_post_xml);
	tcase_add_test(tc, test_bbbsim_get_meeting_info_layout);
	tcase_add_test(tc, test_bbbsim_metadata_and_escaping);
	tcase_add_test(tc, test_bbbsim_get_meetings);
	tcase_add_test(tc, test_bbbsim_end);
	tcase_add_test(tc, test_bbbsim_is_meeting_running);
	tcase_add_test(tc, test_bbbsim_join_redirect);
	tcase_add_test(tc, test_bbbsim_join_no_redirect);
	tcase_add_test(tc, test_bbbsim_send_chat_message);
	tcase_add_test(tc, test_bbbsim_insert_document);
	tcase_add_test(tc, test_bbbsim_unknown_call);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbbsim_calls_suite)
