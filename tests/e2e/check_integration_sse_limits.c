/*
 * check_integration_sse_limits.c - how many event streams a gateway and a
 * token may hold (429 too_many_streams with Retry-After, a slot back as
 * soon as its client leaves), and every way a stream ends: its JWT revoked
 * (DELETE /v1/tokens/{jti}) or its static token removed by a reload, a
 * client that falls events.queue behind (overflow) or takes no bytes for
 * three heartbeats (stalled), and the gateway's drain; each counted in
 * /metrics. Streams are read from plain sockets (ssefix.h); a client that
 * "does not read" is one with a small receive buffer that does not call
 * recv (until the test lets it read what the buffers held). To block such
 * a stream takes more bytes than the kernel's send buffer of the gateway's
 * socket may grow to (sse_stuck_bytes), so the bursts are megabytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "rawhttp.h"
#include "ssefix.h"
#include "testutil.h"

/* The receive buffer of a client that does not read (the kernel's minimum is about 2 KiB). */
#define SMALL_RCVBUF 1024

/* The next event's id, after checking its type. */
static unsigned long long next_id(struct sse_conn *s, const char *type)
{
	struct sse_block b;

	ck_assert_msg(sse_next_event(s, &b, SSE_WAIT_MS), "no %s event", type);
	ck_assert_str_eq(b.event, type);
	return strtoull(b.id, NULL, 10);
}

/* Opens a stream for token, retrying while it is refused with 429 (a slot frees up). */
static void open_when_free(struct sse_conn *s, const char *token)
{
	long long dl = now_ms() + SSE_WAIT_MS;

	while (sse_open_token(s, "/v1/events", token) == 429) {
		sse_close(s);
		ck_assert_msg(now_ms() < dl, "the slot was not given back");
		sleep_ms(20);
	}
	ck_assert_int_eq(s->status, 200);
}

START_TEST(test_sse_max_streams_per_token)
{
	struct sse_conn s[3];
	struct sse_conn other;

	sse_knobs.max_streams_per_token = 2;
	sse_knobs.heartbeat_s = 3600; /* only the hang-up watch frees a slot here */
	sse_restart();
	sse_open_ok(&s[0], "/v1/events", tok_events);
	sse_open_ok(&s[1], "/v1/meetings/room-a/events", tok_events);
	ck_assert_int_eq(sse_open_token(&s[2], "/v1/events", tok_events), 429);
	sse_assert_problem(&s[2], 429, "too_many_streams");
	ck_assert_ptr_nonnull(sse_header(&s[2], "Retry-After"));
	ck_assert_int_gt(atoi(sse_header(&s[2], "Retry-After")), 0);
	sse_close(&s[2]);
	/* another token has its own slots */
	sse_open_ok(&other, "/v1/events", tok_events2);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 3);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_refused_total{reason=\"per_"
					"token\"}"),
			 1);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_refused_total{reason=\"max_"
					"streams\"}"),
			 0);

	/* a client that leaves gives its slot back at once, not at the next heartbeat */
	sse_close(&s[0]);
	open_when_free(&s[0], tok_events);
	ck_assert(
		sse_metric_reaches("bbb_gateway_event_streams_closed_total{reason=\"client\"}", 1));
	sse_post_one("user-joined", "room-a", "u-1");
	ck_assert_uint_gt(next_id(&s[0], "user-joined"), 0);
	ck_assert_uint_gt(next_id(&s[1], "user-joined"), 0);
	ck_assert_uint_gt(next_id(&other, "user-joined"), 0);
	sse_close(&s[1]);
	sse_close(&s[0]);
	sse_close(&other);
	ck_assert(
		sse_metric_reaches("bbb_gateway_event_streams_closed_total{reason=\"client\"}", 4));
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 0);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_opened_total"), 4);
}
END_TEST

START_TEST(test_sse_max_streams)
{
	struct sse_conn a;
	struct sse_conn b;
	struct sse_conn c;

	sse_knobs.max_streams = 2;
	sse_restart();
	sse_open_ok(&a, "/v1/events", tok_events);
	sse_open_ok(&b, "/v1/events", tok_events2);
	ck_assert_int_eq(sse_open_token(&c, "/v1/meetings/room-a/events", tok_evpw), 429);
	sse_assert_problem(&c, 429, "too_many_streams");
	ck_assert_ptr_nonnull(sse_header(&c, "Retry-After"));
	sse_close(&c);
	ck_assert_int_eq(sse_open_token(&c, "/v1/events", tok_events), 429);
	sse_close(&c);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_refused_total{reason=\"max_"
					"streams\"}"),
			 2);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_refused_total"), 2);
	/* other requests are not streams */
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 2);
	sse_close(&b);
	open_when_free(&c, tok_evpw);
	sse_close(&c);
	sse_close(&a);
}
END_TEST

/* DELETE /v1/tokens/{jti} ends that JWT's open stream; another token's stays. */
START_TEST(test_sse_revoked_jwt_ends_its_stream)
{
	char *t1 = sse_jwt("\"sub\":\"u-1\",\"jti\":\"sse-jti-1\",\"scope\":\"events:read\","
			   "\"bbb\":{\"meetings\":[\"room-*\"]}");
	char *t2 = sse_jwt("\"sub\":\"u-2\",\"jti\":\"sse-jti-2\",\"scope\":\"events:read\","
			   "\"bbb\":{\"meetings\":[\"room-*\"]}");
	struct sse_conn s1;
	struct sse_conn s2;
	struct sse_conn st;
	struct reply r;

	sse_open_ok(&s1, "/v1/events", t1);
	sse_open_ok(&s2, "/v1/meetings/room-a/events", t2);
	sse_open_ok(&st, "/v1/events", tok_events);
	call(&r, "DELETE", "/v1/tokens/sse-jti-1", tok_all, NULL);
	ck_assert_int_eq(r.status, 204);
	reply_free(&r);
	ck_assert_msg(sse_wait_end(&s1, SSE_WAIT_MS), "the revoked token's stream goes on");
	ck_assert_msg(s1.ended && !s1.reset, "the stream did not end cleanly");
	ck_assert(sse_metric_reaches("bbb_gateway_event_streams_closed_total{reason=\"revoked\"}",
				     1));
	sse_post_one("user-joined", "room-a", "u-5");
	ck_assert_uint_gt(next_id(&s2, "user-joined"), 0);
	ck_assert_uint_gt(next_id(&st, "user-joined"), 0);
	/* the revoked token opens no new one */
	sse_close(&s1);
	ck_assert_int_eq(sse_open_token(&s1, "/v1/events", t1), 401);
	sse_assert_problem(&s1, 401, "token_revoked");
	sse_close(&s1);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_closed_total{reason="
					"\"revoked\"}"),
			 1);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 2);
	sse_close(&st);
	sse_close(&s2);
	free(t2);
	free(t1);
}
END_TEST

/* The file a reload reads: the harness's BBB, tokens all and events, and events2 when asked. */
static void write_config(const char *path, bool with_events2)
{
	char all[72];
	char ev[72];
	char ev2[72];
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	harness_token_hash(tok_all, all);
	harness_token_hash(tok_events, ev);
	harness_token_hash(tok_events2, ev2);
	fprintf(f,
		"listen = { port = 0; threads = 2; };\n"
		"bbb = { url = \"http://127.0.0.1:%u/bigbluebutton/api\"; secret = \"%s\"; };\n"
		"log = { level = \"error\"; access = false; };\n"
		"events = { callback_url = \"" SSE_CALLBACK_URL "\"; };\n"
		"tokens = ( { name = \"all\"; hash = \"%s\"; scopes = [ \"*\" ]; },\n"
		"  { name = \"events\"; hash = \"%s\"; scopes = [ \"events:read\" ]; }",
		bbbsim_port(sim), HARNESS_SECRET, all, ev);
	if (with_events2)
		fprintf(f,
			",\n  { name = \"events2\"; hash = \"%s\"; scopes = [ \"events:read\" ]; }",
			ev2);
	fprintf(f, " );\n");
	fclose(f);
}

/* A reload that removes a static token ends its streams; the others go on. */
START_TEST(test_sse_reload_removing_token_ends_its_stream)
{
	char path[] = "/tmp/gw-sse-reload-XXXXXX";
	struct gw_config *loaded = NULL;
	struct gw_buf msg;
	struct sse_conn kept;
	struct sse_conn gone;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	gw_gateway_stop(gw);
	gw = NULL;
	gw_config_unref(cfg);
	write_config(path, true);
	gw_buf_init(&msg, 4096);
	ck_assert_msg(gw_config_load(path, &loaded, &msg) == GW_OK, "%s", gw_buf_str(&msg));
	cfg = loaded;
	ck_assert_int_eq(gw_gateway_start(cfg, -1, &gw), GW_OK);
	sse_open_ok(&kept, "/v1/events", tok_events);
	sse_open_ok(&gone, "/v1/events", tok_events2);

	/* a reload that changes nothing for them ends nothing */
	ck_assert_int_eq(gw_gateway_reload(gw), GW_OK);
	sse_post_one("user-joined", "room-a", "u-1");
	ck_assert_uint_gt(next_id(&kept, "user-joined"), 0);
	ck_assert_uint_gt(next_id(&gone, "user-joined"), 0);

	write_config(path, false);
	ck_assert_int_eq(gw_gateway_reload(gw), GW_OK);
	ck_assert_msg(sse_wait_end(&gone, SSE_WAIT_MS), "the removed token's stream goes on");
	ck_assert(gone.ended);
	ck_assert(sse_metric_reaches("bbb_gateway_event_streams_closed_total{reason=\"revoked\"}",
				     1));
	sse_post_one("user-left", "room-a", "u-1");
	ck_assert_uint_gt(next_id(&kept, "user-left"), 0);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 1);
	sse_close(&gone);
	sse_close(&kept);
	gw_buf_deinit(&msg);
	unlink(path);
}
END_TEST

/* Events per callback in a burst (under the reading client's events.queue). */
#define BURST_EVENTS 50
/* Bytes of a burst event's user ID (fullName is "Name " + it: at most 1024). */
#define BURST_USER 1000

/* One callback of BURST_EVENTS user-joined events of room-a with long user IDs. */
static void post_burst(unsigned *serial)
{
	struct gw_buf arr;
	char user[BURST_USER + 1];
	char ev[3 * BURST_USER + 1024];

	gw_buf_init(&arr, 1u << 20);
	ck_assert_int_eq(gw_buf_append_str(&arr, "["), GW_OK);
	for (int i = 0; i < BURST_EVENTS; i++) {
		int k = snprintf(user, sizeof(user), "u%u-", (*serial)++);

		memset(user + k, 'x', BURST_USER - (size_t)k);
		user[BURST_USER] = '\0';
		sse_bbb_event(ev, sizeof(ev), "user-joined", "room-a", user);
		ck_assert_int_eq(gw_buf_appendf(&arr, "%s%s", i > 0 ? "," : "", ev), GW_OK);
	}
	ck_assert_int_eq(gw_buf_append_str(&arr, "]"), GW_OK);
	sse_post(gw_buf_str(&arr), BURST_EVENTS);
	gw_buf_deinit(&arr);
}

/* The ids a reading client saw of a burst: the first, the last, and how many. */
struct seen {
	unsigned long long first;
	unsigned long long last;
	unsigned n;
};

/* Takes the next event of s, which must follow the ones seen (no gap, no reset). */
static void see(struct sse_conn *s, struct seen *v, int timeout_ms)
{
	struct sse_block b;
	unsigned long long id;

	ck_assert_msg(sse_next_event(s, &b, timeout_ms), "event %u of the burst did not come",
		      v->n);
	ck_assert_str_eq(b.event, "user-joined");
	id = strtoull(b.id, NULL, 10);
	if (v->n == 0)
		v->first = id;
	else
		ck_assert_uint_eq(id, v->last + 1);
	v->last = id;
	v->n++;
}

/*
 * Posts callbacks until more than sse_stuck_bytes() of events went out,
 * the reading client fast taking each callback's events before the next.
 * Returns how many events were posted.
 */
static unsigned burst(struct sse_conn *fast, struct seen *v)
{
	size_t want = sse_stuck_bytes();
	size_t sent = 0;
	unsigned serial = 0;

	while (sent < want) {
		post_burst(&serial);
		for (int i = 0; i < BURST_EVENTS; i++)
			see(fast, v, SSE_WAIT_MS);
		sent += BURST_EVENTS * (2 * BURST_USER + 100);
	}
	ck_assert_uint_eq(v->n, serial);
	return serial;
}

/* A stream whose client has a small receive buffer and (for now) does not read. */
static void open_slow(struct sse_conn *s)
{
	char auth[128];

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", tok_events);
	ck_assert_int_eq(sse_open(s, "/v1/events", auth, SMALL_RCVBUF), 200);
}

/*
 * A client that stops reading falls more than events.queue behind and is
 * dropped: when it reads again it gets what the buffers held, without a
 * gap, then the end of the stream. A reading client gets every event.
 * (The gateway notices the overflow when it next asks the stream for
 * bytes; while the socket stays full only the stall rule ends it, which
 * the long heartbeat keeps out of this test.)
 */
START_TEST(test_sse_overflow_drops_the_slow_client)
{
	struct sse_conn slow;
	struct sse_conn fast;
	struct seen f = {0};
	struct seen v = {0};
	struct sse_block b;
	unsigned posted;

	sse_knobs.queue = BURST_EVENTS + 10;
	sse_knobs.heartbeat_s = 3600; /* never stalled here, however slow the machine */
	sse_restart();
	open_slow(&slow);
	sse_open_ok(&fast, "/v1/events", tok_events2);
	posted = burst(&fast, &f);
	/* more than events.queue behind now */
	post_burst(&posted);
	for (int i = 0; i < BURST_EVENTS; i++)
		see(&fast, &f, SSE_WAIT_MS);
	ck_assert(sse_next(&slow, &b, SSE_WAIT_MS));
	ck_assert_int_eq(b.retry, 3000);
	while (sse_next_event(&slow, &b, SSE_WAIT_MS)) {
		ck_assert_str_eq(b.event, "user-joined");
		if (v.n == 0)
			v.first = strtoull(b.id, NULL, 10);
		/* what it got before it was dropped has no gap */
		ck_assert_uint_eq(strtoull(b.id, NULL, 10), v.first + v.n);
		v.n++;
	}
	/*
	 * Dropped while it read (a clean end after what it holds) or while its
	 * socket was full (the connection is closed): either way it ends.
	 */
	ck_assert_msg(slow.ended || slow.eof, "the dropped stream did not end");
	/* a connection closed under a full socket may lose what it held (a reset) */
	ck_assert_uint_lt(v.n, f.n);
	ck_assert(sse_metric_reaches("bbb_gateway_event_streams_closed_total{reason="
				     "\"overflow\"}",
				     1));
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_closed_total"), 1);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 1);
	/* the reading client goes on */
	sse_post_one("user-left", "room-a", "u-1");
	ck_assert_uint_eq(next_id(&fast, "user-left"), f.last + 1);
	sse_close(&fast);
	sse_close(&slow);
}
END_TEST

/* A client that takes no bytes for three heartbeats is shut (stalled); the others go on. */
START_TEST(test_sse_stalled_client_is_shut)
{
	struct sse_conn slow;
	struct sse_conn fast;
	struct seen f = {0};
	struct sse_block b;

	sse_knobs.heartbeat_s = 1;
	sse_knobs.queue = 100000; /* only the stall rule ends it */
	sse_knobs.buffer = 100000;
	sse_restart();
	open_slow(&slow);
	sse_open_ok(&fast, "/v1/events", tok_events2);
	burst(&fast, &f);
	ck_assert(sse_metric_reaches("bbb_gateway_event_streams_closed_total{reason="
				     "\"stalled\"}",
				     1));
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_closed_total"), 1);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 1);
	/* the shut client reads what its buffer held, then the connection ends: no clean end */
	ck_assert(sse_wait_end(&slow, SSE_WAIT_MS));
	ck_assert(slow.eof);
	ck_assert(!slow.ended);
	/* the reading client has its heartbeats and events */
	ck_assert(sse_next(&fast, &b, SSE_WAIT_MS));
	ck_assert_str_eq(b.comment, "heartbeat");
	sse_post_one("user-left", "room-a", "u-1");
	ck_assert_uint_eq(next_id(&fast, "user-left"), f.last + 1);
	sse_close(&fast);
	sse_close(&slow);
}
END_TEST

/* Stopping the gateway ends open streams cleanly (their last chunk), whatever they wait for. */
START_TEST(test_sse_drain_ends_streams)
{
	struct sse_conn a;
	struct sse_conn m;
	struct sse_block b;

	sse_open_ok(&a, "/v1/events", tok_events);
	sse_open_ok(&m, "/v1/meetings/room-a/events", tok_events2);
	sse_post_one("user-joined", "room-a", "u-1");
	ck_assert_uint_gt(next_id(&a, "user-joined"), 0);
	ck_assert_uint_gt(next_id(&m, "user-joined"), 0);
	gw_gateway_stop(gw); /* drains */
	gw = NULL;
	ck_assert(!sse_next(&a, &b, SSE_WAIT_MS));
	ck_assert_msg(a.ended && !a.reset, "no clean end: ended %d reset %d", a.ended, a.reset);
	ck_assert(sse_wait_end(&m, SSE_WAIT_MS));
	ck_assert_msg(m.ended && !m.reset, "no clean end: ended %d reset %d", m.ended, m.reset);
	sse_close(&m);
	sse_close(&a);
}
END_TEST

/* The series are there, and count: opened, open now, sent and received by type. */
START_TEST(test_sse_metrics)
{
	struct sse_conn s[3];

	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 0);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_opened_total"), 0);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_sent_total"), 0);
	for (int i = 0; i < 5; i++) {
		static const char *const reasons[] = {"client", "overflow", "stalled", "revoked",
						      "drain"};
		char name[128];

		snprintf(name, sizeof(name),
			 "bbb_gateway_event_streams_closed_total{reason=\"%s\"}", reasons[i]);
		ck_assert_int_eq(harness_metric(name), 0);
	}
	sse_open_ok(&s[0], "/v1/events", tok_events);
	sse_open_ok(&s[1], "/v1/meetings/room-a/events", tok_events);
	sse_open_ok(&s[2], "/v1/meetings/room-b/events", tok_evpw);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 3);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_opened_total"), 3);
	sse_post_one("meeting-created", "room-a", NULL);
	sse_post_one("user-joined", "room-a", "u-1");
	sse_post_one("user-joined", "room-b", "u-2");
	sse_post_one("user-audio-muted", "room-b", "u-2");
	ck_assert_uint_gt(next_id(&s[0], "meeting-created"), 0);
	ck_assert_uint_gt(next_id(&s[0], "user-joined"), 0);
	ck_assert_uint_gt(next_id(&s[0], "user-joined"), 0);
	ck_assert_uint_gt(next_id(&s[0], "user-muted"), 0);
	ck_assert_uint_gt(next_id(&s[1], "meeting-created"), 0);
	ck_assert_uint_gt(next_id(&s[1], "user-joined"), 0);
	ck_assert_uint_gt(next_id(&s[2], "user-joined"), 0);
	ck_assert_uint_gt(next_id(&s[2], "user-muted"), 0);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total"), 4);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total{type=\"user-joined\"}"),
			 2);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total{type=\"user-muted\"}"),
			 1);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total{type=\"meeting-"
					"ended\"}"),
			 0);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_sent_total"), 8);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_sent_total{type=\"meeting-created\"}"),
			 2);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_sent_total{type=\"user-joined\"}"), 4);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_sent_total{type=\"user-muted\"}"), 2);
	for (int i = 0; i < 3; i++)
		sse_close(&s[i]);
	ck_assert(
		sse_metric_reaches("bbb_gateway_event_streams_closed_total{reason=\"client\"}", 3));
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_closed_total"), 3);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 0);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_refused_total"), 0);
}
END_TEST

/* events.max_streams = 0: no stream at all (the documented meaning), callbacks still taken. */
START_TEST(test_sse_max_streams_zero)
{
	struct sse_conn s;

	gateway_down();
	cfg->events_max_streams = 0;
	gateway_up();
	ck_assert_int_eq(sse_open_token(&s, "/v1/events", tok_events), 429);
	sse_assert_problem(&s, 429, "too_many_streams");
	ck_assert_ptr_nonnull(sse_header(&s, "Retry-After"));
	sse_close(&s);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams_refused_total{reason=\"max_"
					"streams\"}"),
			 1);
	sse_post_one("user-joined", "room-a", "u-1");
	ck_assert_int_eq(harness_metric("bbb_gateway_event_streams"), 0);
}
END_TEST

static Suite *integration_sse_limits_suite(void)
{
	Suite *s = suite_create("integration_sse_limits");
	TCase *tc = tcase_create("limits");
	TCase *ends = tcase_create("ends");

	tcase_add_checked_fixture(tc, sse_setup, sse_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sse_max_streams_per_token);
	tcase_add_test(tc, test_sse_max_streams);
	tcase_add_test(tc, test_sse_max_streams_zero);
	tcase_add_test(tc, test_sse_metrics);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ends, sse_setup, sse_teardown);
	tcase_set_timeout(ends, 240);
	tcase_add_test(ends, test_sse_revoked_jwt_ends_its_stream);
	tcase_add_test(ends, test_sse_reload_removing_token_ends_its_stream);
	tcase_add_test(ends, test_sse_overflow_drops_the_slow_client);
	tcase_add_test(ends, test_sse_stalled_client_is_shut);
	tcase_add_test(ends, test_sse_drain_ends_streams);
	suite_add_tcase(s, ends);
	return s;
}

GW_TEST_MAIN(integration_sse_limits_suite)
