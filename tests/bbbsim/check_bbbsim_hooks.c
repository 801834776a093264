/*
 * check_bbbsim_hooks.c - the simulator's bbb-webhooks callbacks on the
 * wire: which events it sends (meeting-created, user-joined, user-left,
 * meeting-ended) and when, to which hooks, in which order, with which
 * bytes (the form body, the mapped event's JSON, the checksum for every
 * digest or the Bearer token), breakout rooms and hook filters. Delivery
 * (retry, 401, slow receiver, stop), sim/leave, the client page and the
 * bbb-sim program are in check_bbbsim_hooks_delivery.c; the receiver and
 * the decoding in hooksfix.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hooksfix.h"
#include "testutil.h"

#define MEETING_QUERY                                                                        \
	"name=Ann%27s+%22big%22+M%C3%BC%2Fx%5Cy&meetingID=ev-1&attendeePW=ap&moderatorPW=mp" \
	"&voiceBridge=71347&duration=30&maxParticipants=5&record=true&meta_Course=Bio+101"   \
	"&meta_lang=de"

START_TEST(test_bbbsim_hooks_events)
{
	struct bbbsim_resp r;
	char want[2048];
	char *internal;
	char *create_time;
	char *create_date;
	char *viewer;
	char ids[512];
	struct cb c;
	size_t i;

	hook("global", "");
	hook("meeting?x=1", "&meetingID=ev-1");
	r = call("create", MEETING_QUERY);
	internal = xml_value(r.body, "internalMeetingID");
	create_time = xml_value(r.body, "createTime");
	create_date = xml_value(r.body, "createDate");
	bbbsim_resp_free(&r);
	ok("create", "name=Other&meetingID=ev-2");
	ok("create", MEETING_QUERY); /* a duplicate: no event */
	/* join with redirect (the browser's way) and without */
	r = call("join", "meetingID=ev-1&fullName=Ann+O%27Brien&role=MODERATOR&userID=u-1");
	ck_assert_int_eq(r.status, 302);
	bbbsim_resp_free(&r);
	r = call("join", "meetingID=ev-1&fullName=Bob&password=ap&redirect=false");
	viewer = xml_value(r.body, "user_id");
	ck_assert_int_eq(strncmp(viewer, "w_", 2), 0);
	bbbsim_resp_free(&r);
	r = call("getMeetingInfo", "meetingID=ev-1");
	ck_assert_uint_eq(count(r.body, "<attendee>"), 2);
	bbbsim_resp_free(&r);
	/* the simulator's leave: no checksum */
	r = get_on(bbbsim_port(sim), API "sim/leave?meetingID=ev-1&userID=u-1");
	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n<messageKey>"
				 "userLeft</messageKey>\n<message>The user left the meeting."
				 "</message>\n</response>");
	bbbsim_resp_free(&r);
	r = call("getMeetingInfo", "meetingID=ev-1");
	ck_assert_uint_eq(count(r.body, "<attendee>"), 1);
	ck_assert_ptr_nonnull(strstr(r.body, "<fullName>Bob</fullName>"));
	ck_assert_ptr_nonnull(strstr(r.body, "<hasUserJoined>true</hasUserJoined>"));
	bbbsim_resp_free(&r);
	ok("end", "meetingID=ev-1");

	settle(13);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 13);
	ck_assert_uint_eq(bbbsim_callbacks_failed(sim), 0);
	ck_assert_uint_eq(rx_count(), 13);
	ids_at("/global", ids, sizeof(ids));
	ck_assert_str_eq(ids, "meeting-created meeting-created user-joined user-joined user-left "
			      "user-left meeting-ended");
	ids_at("/meeting?x=1", ids, sizeof(ids));
	ck_assert_str_eq(ids, "meeting-created user-joined user-joined user-left user-left "
			      "meeting-ended");

	/*
	 * The bytes of the events (JSON.stringify's layout and key order). In
	 * queue order, global hook first: 0-1 created ev-1, 2 created ev-2 (global
	 * only), 3-4 u-1 joined, 5-6 Bob joined, 7-8 u-1 left, 9-10 Bob left,
	 * 11-12 ev-1 ended.
	 */
	for (i = 0; i < 13; i++) {
		c = cb_get(i, "sha1", false);
		ck_assert_str_eq(c.domain, "127.0.0.1");
		ck_assert_str_eq(c.path, i == 0 || i == 2 || (i > 2 && i % 2 == 1) ? "/global"
										   : "/meeting?x="
										     "1");
		ck_assert_int_ge(c.stamp, cb_ts(&c));
		if (i == 0 || i == 1) {
			snprintf(want, sizeof(want),
				 "{\"data\":{\"type\":\"event\",\"id\":\"meeting-created\","
				 "\"attributes\":{\"meeting\":{\"internal-meeting-id\":\"%s\","
				 "\"external-meeting-id\":\"ev-1\",\"name\":\"Ann's \\\"big\\\" "
				 "M\xc3\xbc/"
				 "x\\\\y\",\"is-breakout\":false,\"parent-id\":\"bbb-none\","
				 "\"duration\":30,\"create-time\":%s,\"create-date\":\"%s\","
				 "\"moderator-pass\":\"mp\",\"viewer-pass\":\"ap\",\"record\":true,"
				 "\"voice-conf\":\"71347\",\"dial-number\":\"613-555-1234\","
				 "\"max-users\":5,\"metadata\":{\"course\":\"Bio 101\",\"lang\":"
				 "\"de\"}}},\"event\":{\"ts\":%lld}}}",
				 internal, create_time, create_date, cb_ts(&c));
		} else if (i == 5 || i == 6) {
			snprintf(want, sizeof(want),
				 "{\"data\":{\"type\":\"event\",\"id\":\"user-joined\","
				 "\"attributes\":"
				 "{\"meeting\":{\"internal-meeting-id\":\"%s\",\"external-meeting-"
				 "id\":"
				 "\"ev-1\"},\"user\":{\"internal-user-id\":\"%s\","
				 "\"external-user-id\":\"%s\",\"name\":\"Bob\",\"role\":\"VIEWER\","
				 "\"presenter\":false,\"guest\":false}},\"event\":{\"ts\":%lld}}}",
				 internal, viewer, viewer, cb_ts(&c));
		} else if (i == 9 || i == 10) {
			snprintf(want, sizeof(want),
				 "{\"data\":{\"type\":\"event\",\"id\":\"user-left\","
				 "\"attributes\":"
				 "{\"meeting\":{\"internal-meeting-id\":\"%s\",\"external-meeting-"
				 "id\":"
				 "\"ev-1\"},\"user\":{\"internal-user-id\":\"%s\","
				 "\"external-user-id\":\"%s\",\"guest\":false}},\"event\":{\"ts\":"
				 "%lld}}}",
				 internal, viewer, viewer, cb_ts(&c));
		} else if (i == 11 || i == 12) {
			snprintf(want, sizeof(want),
				 "{\"data\":{\"type\":\"event\",\"id\":\"meeting-ended\","
				 "\"attributes\":{\"meeting\":{\"internal-meeting-id\":\"%s\","
				 "\"external-meeting-id\":\"ev-1\"}},\"event\":{\"ts\":%lld}}}",
				 internal, cb_ts(&c));
		} else {
			want[0] = '\0';
		}
		if (want[0] != '\0')
			ck_assert_str_eq(c.event, want);
		cb_free(&c);
	}
	/* the moderator: an external user ID, an internal w_ one */
	c = cb_get(3, "sha1", false);
	{
		json_t *u = json_object_get(json_object_get(json_object_get(c.json, "data"), "attri"
											     "bute"
											     "s"),
					    "user");

		ck_assert_str_eq(c.id, "user-joined");
		ck_assert_str_eq(gw_test_jstr(u, "external-user-id"), "u-1");
		ck_assert_str_eq(gw_test_jstr(u, "name"), "Ann O'Brien");
		ck_assert_str_eq(gw_test_jstr(u, "role"), "MODERATOR");
		ck_assert_int_eq(strncmp(gw_test_jstr(u, "internal-user-id"), "w_", 2), 0);
		ck_assert_uint_eq(strlen(gw_test_jstr(u, "internal-user-id")), 14);
	}
	cb_free(&c);
	free(viewer);
	free(internal);
	free(create_time);
	free(create_date);
}
END_TEST

START_TEST(test_bbbsim_hooks_breakout)
{
	struct bbbsim_resp r;
	char query[256];
	char ids[256];
	char *parent;
	struct cb c;

	hook("all", "");
	r = call("create", "name=Parent&meetingID=par-1");
	parent = xml_value(r.body, "internalMeetingID");
	bbbsim_resp_free(&r);
	snprintf(query, sizeof(query),
		 "name=Room+1&meetingID=room-1&isBreakout=true&parentMeetingID=%s&sequence=1",
		 parent);
	ok("create", query);
	ck_assert(bbbsim_add_attendee(sim, "room-1", "r-1", "Rita", false));
	ok("end", "meetingID=par-1");
	settle(6);
	ids_at("/all", ids, sizeof(ids));
	/* the breakout room ends first, with its users */
	ck_assert_str_eq(ids, "meeting-created meeting-created user-joined user-left "
			      "meeting-ended meeting-ended");
	c = cb_get(1, "sha1", false);
	ck_assert_ptr_nonnull(strstr(c.event, "\"is-breakout\":true"));
	snprintf(query, sizeof(query), "\"parent-id\":\"%s\"", parent);
	ck_assert_ptr_nonnull(strstr(c.event, query));
	cb_free(&c);
	c = cb_get(4, "sha1", false);
	ck_assert_ptr_nonnull(strstr(c.event, "\"external-meeting-id\":\"room-1\""));
	cb_free(&c);
	c = cb_get(5, "sha1", false);
	ck_assert_ptr_nonnull(strstr(c.event, "\"external-meeting-id\":\"par-1\""));
	cb_free(&c);
	free(parent);
}
END_TEST

/* A hook for another meeting, one with an eventID list, a raw one: what each gets. */
START_TEST(test_bbbsim_hooks_filters)
{
	char ids[256];

	hook("other", "&meetingID=nope");
	hook("joins", "&eventID=USER-JOINED,meeting-ended");
	hook("raw", "&getRaw=true");
	hook("mine", "&meetingID=f-1");
	ok("create", "name=Filtered&meetingID=f-1");
	ck_assert(bbbsim_add_attendee(sim, "f-1", NULL, "Zoe", true));
	ck_assert(bbbsim_user_leave(sim, "f-1", "nobody") == false);
	ok("end", "meetingID=f-1");
	/* joins: user-joined and meeting-ended; mine: all four */
	settle(6);
	usleep(300000); /* nothing else comes */
	ck_assert_uint_eq(rx_count(), 6);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 6);
	ids_at("/other", ids, sizeof(ids));
	ck_assert_str_eq(ids, "");
	ids_at("/raw", ids, sizeof(ids));
	ck_assert_str_eq(ids, "");
	ids_at("/joins", ids, sizeof(ids));
	ck_assert_str_eq(ids, "user-joined meeting-ended");
	ids_at("/mine", ids, sizeof(ids));
	ck_assert_str_eq(ids, "meeting-created user-joined user-left meeting-ended");
}
END_TEST

/* --- signing modes ----------------------------------------------------------- */

START_TEST(test_bbbsim_hooks_bearer)
{
	struct bbbsim_opts o = {.secret = SECRET, .hooks_bearer = true, .domain = "bbb.example"};
	struct cb c;

	start(&o);
	hook("b", "");
	hook("q?k=v", "");
	ok("create", "name=Bearer&meetingID=b-1");
	settle(2);
	c = cb_get(0, NULL, true);
	ck_assert_str_eq(c.path, "/b");
	ck_assert_str_eq(c.domain, "bbb.example");
	ck_assert_str_eq(c.id, "meeting-created");
	cb_free(&c);
	c = cb_get(1, NULL, true);
	ck_assert_str_eq(c.path, "/q?k=v");
	cb_free(&c);
}
END_TEST

START_TEST(test_bbbsim_hooks_algorithms)
{
	static const char *const algs[] = {"sha256", "sha384", "sha512"};
	struct bbbsim_opts bad = {.secret = SECRET, .hooks_checksum = "md5"};
	size_t i;

	ck_assert_ptr_null(bbbsim_start(&bad));
	for (i = 0; i < 3; i++) {
		struct bbbsim_opts o = {.secret = SECRET, .hooks_checksum = algs[i]};
		char id[32];
		char q[64];
		struct cb c;

		start(&o);
		snprintf(id, sizeof(id), "alg-%zu", i);
		hook(id, "");
		snprintf(q, sizeof(q), "name=Alg&meetingID=%s", id);
		ok("create", q);
		settle(1);
		c = cb_get(i, algs[i], false); /* cb_get recomputes it with that algorithm */
		cb_free(&c);
	}
}
END_TEST

/* --- delivery ------------------------------------------------------------------ */

static Suite *bbbsim_hooks_suite(void)
{
	Suite *s = suite_create("bbbsim_hooks");
	TCase *tc = tcase_create("bbbsim_hooks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bbbsim_hooks_events);
	tcase_add_test(tc, test_bbbsim_hooks_breakout);
	tcase_add_test(tc, test_bbbsim_hooks_filters);
	tcase_add_test(tc, test_bbbsim_hooks_bearer);
	tcase_add_test(tc, test_bbbsim_hooks_algorithms);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbbsim_hooks_suite)
