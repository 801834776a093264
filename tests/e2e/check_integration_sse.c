/*
 * check_integration_sse.c - the live event streams (GET /v1/events and
 * GET /v1/meetings/{meetingID}/events) end to end, read as a browser's
 * EventSource reads them, from a plain socket: the simulator's own
 * webhooks relayed in order, what each token sees (meeting filter, bound
 * JWTs, scopes, passwords), ?access_token=, Last-Event-ID replays and
 * resets, heartbeats, and the routes' 404 with live events off. Limits,
 * revocation and the ways a stream ends are in check_integration_sse_limits.c.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "rawhttp.h"
#include "ssefix.h"
#include "testutil.h"

/* The next event is type for meeting; returns its id (and its data in *data when not NULL). */
static unsigned long long expect(struct sse_conn *s, const char *type, const char *meeting,
				 json_t **data)
{
	struct sse_block b;
	json_t *d;
	unsigned long long id;

	ck_assert_msg(sse_next_event(s, &b, SSE_WAIT_MS), "no %s event for %s", type, meeting);
	ck_assert_str_eq(b.event, type);
	ck_assert_msg(b.id[0] >= '1' && b.id[0] <= '9', "id \"%s\"", b.id);
	id = strtoull(b.id, NULL, 10);
	d = sse_data(&b);
	ck_assert_str_eq(json_string_value(json_object_get(d, "meetingID")), meeting);
	ck_assert(json_is_integer(json_object_get(d, "time")));
	/* never in an event, whatever the token */
	ck_assert_ptr_null(strstr(b.data, "st-secret"));
	ck_assert_ptr_null(strstr(b.data, "sessionToken"));
	ck_assert_ptr_null(strstr(b.data, "10.1.2.3"));
	ck_assert_ptr_null(strstr(b.data, "613-555"));
	ck_assert_ptr_null(strstr(b.data, "int-")); /* internal meeting ID */
	ck_assert_ptr_null(strstr(b.data, "\"w_")); /* internal user ID */
	if (data != NULL)
		*data = d;
	else
		json_decref(d);
	return id;
}

static const char *user_str(json_t *d, const char *key)
{
	return json_string_value(json_object_get(json_object_get(d, "user"), key));
}

/* A join through the gateway, opened on the simulator as a browser would (302 to the client). */
static void join_on_simulator(const char *meeting, const char *user, const char *name)
{
	char path[128];
	char body[256];
	char target[2048];
	struct reply r;
	const char *q;

	snprintf(path, sizeof(path), "/v1/meetings/%s/join", meeting);
	snprintf(body, sizeof(body), "{\"fullName\":\"%s\",\"role\":\"VIEWER\",\"userID\":\"%s\"}",
		 name, user);
	call(&r, "POST", path, tok_all, body);
	ck_assert_int_eq(r.status, 200);
	q = strchr(jstr(&r, "url"), '?');
	ck_assert_ptr_nonnull(q);
	snprintf(target, sizeof(target), "/bigbluebutton/api/join%s", q);
	reply_free(&r);
	ck_assert_int_eq(sse_sim_get(target), 302);
}

/* create -> join -> leave -> end on the simulator, relayed by its webhooks to two streams. */
START_TEST(test_sse_events_from_the_simulator)
{
	struct sse_conn all;
	struct sse_conn one;
	struct reply r;
	unsigned long long id[5];
	unsigned long long prev = 0;
	json_t *d;

	sse_go_live();
	sse_open_ok(&all, "/v1/events", tok_all);
	sse_open_ok(&one, "/v1/meetings/live-1/events", tok_events);
	create_meeting("live-1");
	create_meeting("live-2");
	join_on_simulator("live-1", "u-1", "Ada Lovelace");
	ck_assert_int_eq(sse_sim_get("/bigbluebutton/api/sim/leave?meetingID=live-1&userID=u-1"),
			 200);
	call(&r, "POST", "/v1/meetings/live-1/end", tok_all, "{}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);

	/* every meeting, in order, with increasing ids; "*" sees the passwords */
	id[0] = expect(&all, "meeting-created", "live-1", &d);
	ck_assert_str_eq(json_string_value(json_object_get(d, "name")), "Meeting live-1");
	ck_assert(json_is_string(json_object_get(d, "attendeePW")));
	ck_assert(json_is_string(json_object_get(d, "moderatorPW")));
	json_decref(d);
	id[1] = expect(&all, "meeting-created", "live-2", NULL);
	id[2] = expect(&all, "user-joined", "live-1", &d);
	ck_assert_str_eq(user_str(d, "userID"), "u-1");
	ck_assert_str_eq(user_str(d, "fullName"), "Ada Lovelace");
	ck_assert_str_eq(user_str(d, "role"), "VIEWER");
	ck_assert(json_is_false(json_object_get(json_object_get(d, "user"), "presenter")));
	json_decref(d);
	id[3] = expect(&all, "user-left", "live-1", &d);
	ck_assert_str_eq(user_str(d, "userID"), "u-1");
	json_decref(d);
	id[4] = expect(&all, "meeting-ended", "live-1", NULL);
	for (int i = 0; i < 5; i++) {
		ck_assert_uint_gt(id[i], prev);
		prev = id[i];
	}

	/* one meeting: the same events with the same ids, live-2 left out, no passwords */
	ck_assert_uint_eq(expect(&one, "meeting-created", "live-1", &d), id[0]);
	ck_assert_ptr_null(json_object_get(d, "attendeePW"));
	ck_assert_ptr_null(json_object_get(d, "moderatorPW"));
	json_decref(d);
	ck_assert_uint_eq(expect(&one, "user-joined", "live-1", NULL), id[2]);
	ck_assert_uint_eq(expect(&one, "user-left", "live-1", NULL), id[3]);
	ck_assert_uint_eq(expect(&one, "meeting-ended", "live-1", NULL), id[4]);
	sse_assert_quiet(&one, SSE_QUIET_MS);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total"), 5);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total{type=\"meeting-"
					"created\"}"),
			 2);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_sent_total"), 9);
	sse_close(&one);
	sse_close(&all);
}
END_TEST

START_TEST(test_sse_meeting_stream_filters)
{
	struct sse_conn all;
	struct sse_conn a;
	unsigned long long ids[4];

	sse_open_ok(&all, "/v1/events", tok_events);
	sse_open_ok(&a, "/v1/meetings/room-a/events", tok_events);
	sse_post_one("user-joined", "room-b", "u-1");
	sse_post_one("user-joined", "room-a", "u-2");
	sse_post_one("user-audio-voice-enabled", "room-b", "u-1");
	sse_post_one("user-left", "room-a", "u-2");
	ids[0] = expect(&all, "user-joined", "room-b", NULL);
	ids[1] = expect(&all, "user-joined", "room-a", NULL);
	ids[2] = expect(&all, "user-audio-joined", "room-b", NULL);
	ids[3] = expect(&all, "user-left", "room-a", NULL);
	ck_assert_uint_eq(ids[1], ids[0] + 1);
	ck_assert_uint_eq(ids[2], ids[1] + 1);
	ck_assert_uint_eq(ids[3], ids[2] + 1);
	ck_assert_uint_eq(expect(&a, "user-joined", "room-a", NULL), ids[1]);
	ck_assert_uint_eq(expect(&a, "user-left", "room-a", NULL), ids[3]);
	sse_assert_quiet(&a, SSE_QUIET_MS);
	sse_close(&a);
	sse_close(&all);
}
END_TEST

/* A tenant's streams: its meetings only, named without its prefix. */
START_TEST(test_sse_tenant)
{
	struct sse_conn all;
	struct sse_conn a;
	json_t *d;

	sse_open_ok(&all, "/v1/events", tok_tenant);
	sse_open_ok(&a, "/v1/meetings/room-a/events", tok_tenant);
	sse_post_one("user-joined", "room-a", "u-1");
	sse_post_one("user-joined", "lms~room-a", "u-2");
	sse_post_one("user-joined", "other~room-a", "u-3");
	sse_post_one("meeting-created", "lms~room-c", NULL);
	sse_post_one("user-left", "lms~room-a", "u-2");
	ck_assert_uint_eq(expect(&all, "user-joined", "room-a", &d),
			  expect(&a, "user-joined", "room-a", NULL));
	ck_assert_str_eq(user_str(d, "userID"), "u-2");
	json_decref(d);
	expect(&all, "meeting-created", "room-c", &d);
	ck_assert_ptr_null(json_object_get(d, "attendeePW"));
	json_decref(d);
	expect(&all, "user-left", "room-a", NULL);
	expect(&a, "user-left", "room-a", NULL);
	sse_assert_quiet(&all, SSE_QUIET_MS);
	sse_assert_quiet(&a, SSE_QUIET_MS);
	sse_close(&a);
	sse_close(&all);
	/* the tenant's caller names meetings without any prefix */
	ck_assert_int_eq(sse_open_token(&a, "/v1/meetings/lms~room-a/events", tok_tenant), 400);
	sse_assert_problem(&a, 400, "param_denied");
	sse_close(&a);
}
END_TEST

/* A meeting-bound JWT: /v1/events shows its meetings only, another meeting's stream is 403. */
START_TEST(test_sse_bound_token)
{
	char *t = sse_jwt("\"sub\":\"u-9\",\"scope\":\"events:read\","
			  "\"bbb\":{\"meetings\":[\"room-a\",\"team-*\"]}");
	struct sse_conn s;
	struct sse_conn m;

	sse_open_ok(&s, "/v1/events", t);
	sse_open_ok(&m, "/v1/meetings/team-7/events", t);
	sse_post_one("meeting-created", "room-b", NULL);
	sse_post_one("meeting-created", "team-7", NULL);
	sse_post_one("user-joined", "room-b", "u-1");
	sse_post_one("user-joined", "room-a", "u-2");
	sse_post_one("meeting-ended", "team-70", NULL);
	expect(&s, "meeting-created", "team-7", NULL);
	expect(&s, "user-joined", "room-a", NULL);
	expect(&s, "meeting-ended", "team-70", NULL);
	sse_assert_quiet(&s, SSE_QUIET_MS);
	expect(&m, "meeting-created", "team-7", NULL);
	sse_assert_quiet(&m, SSE_QUIET_MS);
	sse_close(&m);
	sse_close(&s);

	ck_assert_int_eq(sse_open_token(&s, "/v1/meetings/room-b/events", t), 403);
	sse_assert_problem(&s, 403, "meeting_not_allowed");
	sse_close(&s);
	ck_assert_int_eq(sse_open_token(&s, "/v1/meetings/team/events", t), 403);
	sse_assert_problem(&s, 403, "meeting_not_allowed");
	sse_close(&s);
	free(t);
}
END_TEST

START_TEST(test_sse_needs_events_read)
{
	char *t = sse_jwt("\"sub\":\"u-1\",\"scope\":\"meetings:read\",\"bbb\":{\"meetings\":["
			  "\"room-a\"]}");
	struct sse_conn s;

	ck_assert_int_eq(sse_open_token(&s, "/v1/events", tok_read), 403);
	sse_assert_problem(&s, 403, "forbidden");
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&s.body), "events:read"));
	sse_close(&s);
	ck_assert_int_eq(sse_open_token(&s, "/v1/meetings/room-a/events", t), 403);
	sse_assert_problem(&s, 403, "forbidden");
	sse_close(&s);
	ck_assert_int_eq(sse_open_token(&s, "/v1/events", NULL), 401);
	sse_assert_problem(&s, 401, "unauthorized");
	sse_close(&s);
	ck_assert_int_eq(sse_open_token(&s, "/v1/events", "bgw_not-a-token"), 401);
	sse_close(&s);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_opened_total"), 0);
	free(t);
}
END_TEST

/* ?access_token= on the two stream routes only, never next to the header, never logged. */
START_TEST(test_sse_access_token)
{
	char *t = sse_jwt("\"sub\":\"u-3\",\"scope\":\"events:read\",\"bbb\":{\"meetings\":["
			  "\"room-a\"]}");
	char path[2048];
	char auth[128];
	struct sse_conn s;
	struct sse_conn m;
	struct reply r;
	char *logs;
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
	cfg->access_log = true;
	gw_log_setup(GW_LOG_INFO, GW_LOG_FORMAT_JSON);
	gw_log_set_fd(fds[1]);

	snprintf(path, sizeof(path), "/v1/events?access_token=%s", tok_events);
	sse_open_ok(&s, path, NULL);
	snprintf(path, sizeof(path), "/v1/meetings/room-a/events?access_token=%s", t);
	sse_open_ok(&m, path, NULL);
	sse_post_one("user-joined", "room-a", "u-1");
	expect(&s, "user-joined", "room-a", NULL);
	expect(&m, "user-joined", "room-a", NULL);
	sse_close(&m);
	sse_close(&s);

	/* another route: 400, whether the token is good or not */
	snprintf(path, sizeof(path), "/v1/meetings?access_token=%s", tok_all);
	call(&r, "GET", path, NULL, NULL);
	assert_problem(&r, 400, "bad_request");
	reply_free(&r);
	snprintf(path, sizeof(path), "/v1/server?access_token=%s", tok_all);
	call(&r, "GET", path, tok_all, NULL);
	assert_problem(&r, 400, "bad_request");
	reply_free(&r);
	/* both at once */
	snprintf(path, sizeof(path), "/v1/events?access_token=%s", tok_events);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", tok_events);
	ck_assert_int_eq(sse_open(&s, path, auth, 0), 400);
	sse_assert_problem(&s, 400, "bad_request");
	sse_close(&s);
	/* a bad one is refused as a bad header would be */
	ck_assert_int_eq(sse_open(&s, "/v1/events?access_token=bgw_nope", NULL, 0), 401);
	sse_close(&s);
	snprintf(path, sizeof(path), "/v1/events?access_token=%s", tok_read);
	ck_assert_int_eq(sse_open(&s, path, NULL, 0), 403);
	sse_assert_problem(&s, 403, "forbidden");
	sse_close(&s);

	/* the streams' access lines are written when they close */
	ck_assert(sse_metric_reaches("bbb_gateway_event_streams_closed_total", 2));
	call(&r, "GET", "/healthz", NULL, NULL);
	reply_free(&r);
	gw_log_set_fd(2);
	gw_log_setup(GW_LOG_ERR, GW_LOG_FORMAT_TEXT);
	logs = harness_slurp(fds[0]);
	ck_assert_ptr_nonnull(strstr(logs, "/v1/events"));
	ck_assert_ptr_null(strstr(logs, tok_events));
	ck_assert_ptr_null(strstr(logs, tok_all));
	ck_assert_ptr_null(strstr(logs, strrchr(t, '.') + 1));
	ck_assert_ptr_null(strstr(logs, "access_token"));
	free(logs);
	close(fds[0]);
	close(fds[1]);
	free(t);
}
END_TEST

/* Posts n user-joined events for meeting (users u-0...); returns nothing, ids come from streams. */
static void post_joins(const char *meeting, int n)
{
	char user[16];

	for (int i = 0; i < n; i++) {
		snprintf(user, sizeof(user), "u-%d", i);
		sse_post_one("user-joined", meeting, user);
	}
}

/* Opens a stream with Last-Event-ID: last. */
static void open_after(struct sse_conn *s, const char *path, const char *last)
{
	char hdrs[256];
	struct sse_block b;

	snprintf(hdrs, sizeof(hdrs), "Authorization: Bearer %s\r\nLast-Event-ID: %s\r\n",
		 tok_events, last);
	ck_assert_int_eq(sse_open(s, path, hdrs, 0), 200);
	ck_assert(sse_next(s, &b, SSE_WAIT_MS));
	ck_assert_int_eq(b.retry, 3000);
}

/* The next block is `event: reset` with `data: {}` and no id. */
static void expect_reset(struct sse_conn *s)
{
	struct sse_block b;

	ck_assert(sse_next_event(s, &b, SSE_WAIT_MS));
	ck_assert_str_eq(b.event, "reset");
	ck_assert_str_eq(b.data, "{}");
	ck_assert_str_eq(b.id, "");
}

START_TEST(test_sse_last_event_id)
{
	struct sse_conn live;
	struct sse_conn s;
	unsigned long long ids[5];
	char last[32];

	sse_open_ok(&live, "/v1/events", tok_events2);
	post_joins("room-a", 3);
	sse_post_one("meeting-created", "room-b", NULL);
	sse_post_one("meeting-ended", "room-a", NULL);
	for (int i = 0; i < 3; i++)
		ids[i] = expect(&live, "user-joined", "room-a", NULL);
	ids[3] = expect(&live, "meeting-created", "room-b", NULL);
	ids[4] = expect(&live, "meeting-ended", "room-a", NULL);

	/* the events after that id, then the new ones */
	snprintf(last, sizeof(last), "%llu", ids[1]);
	open_after(&s, "/v1/events", last);
	ck_assert_uint_eq(expect(&s, "user-joined", "room-a", NULL), ids[2]);
	ck_assert_uint_eq(expect(&s, "meeting-created", "room-b", NULL), ids[3]);
	ck_assert_uint_eq(expect(&s, "meeting-ended", "room-a", NULL), ids[4]);
	sse_post_one("user-left", "room-a", "u-0");
	ck_assert_uint_eq(expect(&s, "user-left", "room-a", NULL), ids[4] + 1);
	sse_close(&s);

	/* a meeting's stream replays that meeting's only */
	snprintf(last, sizeof(last), "%llu", ids[0]);
	open_after(&s, "/v1/meetings/room-b/events", last);
	ck_assert_uint_eq(expect(&s, "meeting-created", "room-b", NULL), ids[3]);
	sse_assert_quiet(&s, SSE_QUIET_MS);
	sse_close(&s);

	/* the newest id: nothing to replay */
	snprintf(last, sizeof(last), "%llu", ids[4] + 1);
	open_after(&s, "/v1/events", last);
	sse_assert_quiet(&s, SSE_QUIET_MS);
	sse_post_one("meeting-ended", "room-b", NULL);
	ck_assert_uint_eq(expect(&s, "meeting-ended", "room-b", NULL), ids[4] + 2);
	sse_close(&s);

	/* not one of ours: another run's id, or not a number */
	open_after(&s, "/v1/events", "987654321");
	expect_reset(&s);
	sse_post_one("meeting-created", "room-c", NULL);
	ck_assert_uint_eq(expect(&s, "meeting-created", "room-c", NULL), ids[4] + 3);
	sse_close(&s);
	open_after(&s, "/v1/events", "abc");
	expect_reset(&s);
	sse_assert_quiet(&s, SSE_QUIET_MS);
	sse_close(&s);
	sse_close(&live);
}
END_TEST

/* A resume point the ring no longer holds (events.buffer = 3) starts with a reset. */
START_TEST(test_sse_last_event_id_gap)
{
	struct sse_conn live;
	struct sse_conn s;
	unsigned long long ids[6];
	char last[32];

	sse_knobs.buffer = 3;
	sse_restart();
	sse_open_ok(&live, "/v1/events", tok_events2);
	/* one at a time: a reader more than a ring of 3 behind would be dropped itself */
	for (int i = 0; i < 6; i++) {
		char user[16];

		snprintf(user, sizeof(user), "u-%d", i);
		sse_post_one("user-joined", "room-a", user);
		ids[i] = expect(&live, "user-joined", "room-a", NULL);
	}
	snprintf(last, sizeof(last), "%llu", ids[1]);
	open_after(&s, "/v1/events", last);
	expect_reset(&s);
	sse_assert_quiet(&s, SSE_QUIET_MS); /* no replay after a reset */
	sse_post_one("user-left", "room-a", "u-1");
	ck_assert_uint_eq(expect(&s, "user-left", "room-a", NULL), ids[5] + 1);
	sse_close(&s);
	/* still in the ring: a replay */
	snprintf(last, sizeof(last), "%llu", ids[4]);
	open_after(&s, "/v1/events", last);
	ck_assert_uint_eq(expect(&s, "user-joined", "room-a", NULL), ids[5]);
	ck_assert_uint_eq(expect(&s, "user-left", "room-a", NULL), ids[5] + 1);
	sse_close(&s);
	sse_close(&live);
}
END_TEST

START_TEST(test_sse_heartbeat)
{
	struct sse_conn s;
	struct sse_block b;
	int beats = 0;

	sse_knobs.heartbeat_s = 1;
	sse_restart();
	sse_open_ok(&s, "/v1/events", tok_events);
	while (beats < 2) {
		ck_assert_msg(sse_next(&s, &b, SSE_WAIT_MS), "no heartbeat");
		ck_assert_str_eq(b.comment, "heartbeat");
		ck_assert_str_eq(b.event, "");
		ck_assert_str_eq(b.data, "");
		beats++;
	}
	/* events still come between heartbeats */
	sse_post_one("user-joined", "room-a", "u-1");
	expect(&s, "user-joined", "room-a", NULL);
	ck_assert(sse_next(&s, &b, SSE_WAIT_MS));
	ck_assert_str_eq(b.comment, "heartbeat");
	sse_close(&s);
}
END_TEST

/* Passwords only with meetings:passwords; session tokens and addresses never. */
START_TEST(test_sse_passwords)
{
	struct sse_conn pw;
	struct sse_conn plain;
	char *t = sse_jwt("\"sub\":\"u-4\",\"scope\":\"events:read meetings:read\","
			  "\"bbb\":{\"meetings\":[\"room-a\"]}");
	struct sse_conn jwt;
	json_t *d;

	sse_open_ok(&pw, "/v1/events", tok_evpw);
	sse_open_ok(&plain, "/v1/meetings/room-a/events", tok_events);
	sse_open_ok(&jwt, "/v1/events", t);
	sse_post_one("meeting-created", "room-a", NULL);
	sse_post_one("user-joined", "room-a", "u-1");

	expect(&pw, "meeting-created", "room-a", &d);
	ck_assert_str_eq(json_string_value(json_object_get(d, "attendeePW")), "ap-secret");
	ck_assert_str_eq(json_string_value(json_object_get(d, "moderatorPW")), "mp-secret");
	ck_assert_str_eq(json_string_value(json_object_get(d, "name")), "Room room-a");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "time")), 1700000000123LL);
	json_decref(d);
	for (int i = 0; i < 2; i++) {
		struct sse_conn *s = i == 0 ? &plain : &jwt;

		expect(s, "meeting-created", "room-a", &d);
		ck_assert_ptr_null(json_object_get(d, "attendeePW"));
		ck_assert_ptr_null(json_object_get(d, "moderatorPW"));
		json_decref(d);
	}
	for (int i = 0; i < 3; i++) {
		struct sse_conn *s = i == 0 ? &pw : i == 1 ? &plain : &jwt;

		/* expect() checks that no session token, address or dial-in number is there */
		expect(s, "user-joined", "room-a", &d);
		ck_assert_str_eq(user_str(d, "userID"), "u-1");
		ck_assert_str_eq(user_str(d, "fullName"), "Name u-1");
		ck_assert_uint_eq(json_object_size(json_object_get(d, "user")), 4);
		json_decref(d);
	}
	sse_close(&jwt);
	sse_close(&plain);
	sse_close(&pw);
	free(t);
}
END_TEST

/* HEAD answers the stream's head and no body: the connection's next response follows at once. */
START_TEST(test_sse_head)
{
	char req[512];
	struct raw c;
	struct raw_reply r;

	snprintf(req, sizeof(req),
		 "HEAD /v1/events HTTP/1.1\r\n" HOST "Authorization: Bearer %s\r\n\r\n" HEALTHZ,
		 tok_events);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(rhdr(&r, "Content-Type"), "text/event-stream");
	ck_assert_uint_eq(r.body_len, 0);
	ck_assert_int_eq(raw_read(&c, &r, IO_MS), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"status\":\"ok\"}");
	raw_close(&c);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_opened_total"), 0);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 0);
}
END_TEST

/* limits.idle_timeout_s does not end a stream of a quiet meeting. */
START_TEST(test_sse_not_idle)
{
	struct sse_conn s;

	gateway_down();
	cfg->idle_timeout_s = 1;
	cfg->header_timeout_s = 1;
	gateway_up();
	sse_open_ok(&s, "/v1/events", tok_events);
	sleep_ms(3000); /* past both, with no byte either way */
	sse_post_one("user-joined", "room-a", "u-1");
	expect(&s, "user-joined", "room-a", NULL);
	sse_close(&s);
}
END_TEST

static void off_setup(void)
{
	sse_setup();
	sse_knobs.off = true;
	sse_restart();
}

START_TEST(test_sse_events_off)
{
	struct sse_conn s;

	ck_assert_int_eq(sse_open_token(&s, "/v1/events", tok_events), 404);
	sse_assert_problem(&s, 404, "not_found");
	sse_close(&s);
	ck_assert_int_eq(sse_open_token(&s, "/v1/meetings/room-a/events", tok_all), 404);
	sse_assert_problem(&s, 404, "not_found");
	sse_close(&s);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_opened_total"), 0);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_refused_total"), 0);
}
END_TEST

static Suite *integration_sse_suite(void)
{
	Suite *s = suite_create("integration_sse");
	TCase *tc = tcase_create("streams");
	TCase *off = tcase_create("off");

	tcase_add_checked_fixture(tc, sse_setup, sse_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sse_events_from_the_simulator);
	tcase_add_test(tc, test_sse_meeting_stream_filters);
	tcase_add_test(tc, test_sse_bound_token);
	tcase_add_test(tc, test_sse_tenant);
	tcase_add_test(tc, test_sse_needs_events_read);
	tcase_add_test(tc, test_sse_access_token);
	tcase_add_test(tc, test_sse_last_event_id);
	tcase_add_test(tc, test_sse_last_event_id_gap);
	tcase_add_test(tc, test_sse_heartbeat);
	tcase_add_test(tc, test_sse_passwords);
	tcase_add_test(tc, test_sse_head);
	tcase_add_test(tc, test_sse_not_idle);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(off, off_setup, sse_teardown);
	tcase_add_test(off, test_sse_events_off);
	suite_add_tcase(s, off);
	return s;
}

GW_TEST_MAIN(integration_sse_suite)
