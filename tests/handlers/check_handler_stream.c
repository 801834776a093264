/*
 * check_handler_stream.c - the event streams' handler without a socket:
 * exchanges run through the pipeline (route, ?access_token=, auth, scope)
 * or straight into the handler with a browser token, then the stream the
 * handler hands to the transport is driven here as the transport drives
 * it (fill, due, close) against a real hub and real slots: the retry line,
 * events in order and per type counted, the meeting filter and a bound
 * token's view, passwords, heartbeats, Last-Event-ID, overflow, the caps
 * (429 until a slot is given back), events off, draining, and the
 * credential checked again when the auth epoch moves.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "event.h"
#include "handlers.h"
#include "hub.h"
#include "pipeline.h"
#include "request.h"
#include "slots.h"
#include "testutil.h"

#define BEAT_MS 15000u

static struct gw_config *cfg;     /* the configuration exchanges start with */
static struct gw_config *current; /* what config_get answers (a reload swaps it) */
static struct gw_services svc;
static char reader[GW_TEST_BEARER_LEN]; /* events:read */
static char lister[GW_TEST_BEARER_LEN]; /* meetings:read only */
static char admin[GW_TEST_BEARER_LEN];  /* events:read meetings:passwords */
static unsigned readies;                /* the transport hook's calls */
static struct gw_buf out;

static struct gw_config *config_get(void *arg)
{
	(void)arg;
	return gw_config_ref(current);
}

static void ready(void *arg)
{
	(void)arg;
	readies++;
}

static void setup(void)
{
	cfg = gw_test_api_config();
	cfg->events_callback_url = gw_test_strdup("http://gw.test/v1/bbb-events");
	cfg->events_max_streams = 10;
	cfg->events_max_streams_per_token = 3;
	cfg->events_queue = 4;
	cfg->events_heartbeat_s = BEAT_MS / 1000u;
	gw_test_add_token(cfg, "reader", GW_SCOPE_EVENTS_READ, NULL, reader);
	gw_test_add_token(cfg, "lister", GW_SCOPE_MEETINGS_READ, NULL, lister);
	gw_test_add_token(cfg, "admin", GW_SCOPE_EVENTS_READ | GW_SCOPE_MEETINGS_PASSWORDS, NULL,
			  admin);
	current = gw_config_ref(cfg);
	memset(&svc, 0, sizeof(svc));
	svc.routes = gw_test_services()->routes;
	svc.hub = gw_hub_new(8);
	svc.streams = gw_slots_new();
	ck_assert_ptr_nonnull(svc.hub);
	ck_assert_ptr_nonnull(svc.streams);
	svc.config_get = config_get;
	readies = 0;
	gw_buf_init(&out, 65536);
}

static void teardown(void)
{
	gw_buf_deinit(&out);
	ck_assert_uint_eq(gw_slots_total(svc.streams), 0);
	gw_slots_free(svc.streams);
	gw_hub_free(svc.hub);
	gw_config_unref(current);
	gw_config_unref(cfg);
}

/* An exchange for path (with its query) carrying bearer (NULL = none), routed and handled. */
static struct gw_exchange *open_at(const char *path_query, const char *bearer, const char *last_id)
{
	char path[256];
	const char *q = strchr(path_query, '?');
	size_t n = q != NULL ? (size_t)(q - path_query) : strlen(path_query);
	struct gw_exchange *x;

	ck_assert_uint_lt(n, sizeof(path));
	memcpy(path, path_query, n);
	path[n] = '\0';
	x = gw_test_exchange(cfg, "GET", path);
	x->req.svc = &svc;
	x->stream_ready = ready;
	if (q != NULL)
		ck_assert_int_eq(gw_request_parse_query(&x->req, q + 1), GW_OK);
	if (bearer != NULL)
		gw_test_set_auth(x, bearer);
	if (last_id != NULL)
		x->req.last_event_id = gw_test_xstrdup(x, last_id);
	gw_pipeline_dispatch(x);
	return x;
}

static struct gw_config *without(const char *name);

static struct gw_exchange *open_stream(const char *path, const char *bearer)
{
	struct gw_exchange *x = open_at(path, bearer, NULL);

	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_ptr_nonnull(x->stream_ops);
	return x;
}

/* The stream's next fill at now_ms: its step, the bytes in out. */
static enum gw_stream_step fill(struct gw_exchange *x, uint64_t now_ms)
{
	gw_buf_reset(&out);
	return x->stream_ops->fill(x->stream_state, &out, now_ms);
}

static void publish(enum gw_event_type type, const char *meeting, const char *data,
		    const char *data_pw)
{
	struct gw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	snprintf(ev.meeting_id, sizeof(ev.meeting_id), "%s", meeting);
	ev.data = gw_test_strdup(data);
	ev.data_len = strlen(data);
	if (data_pw != NULL) {
		ev.data_pw = gw_test_strdup(data_pw);
		ev.data_pw_len = strlen(data_pw);
	}
	ck_assert_int_eq(gw_hub_publish(svc.hub, &ev, NULL), GW_OK);
}

static void joined(const char *meeting, int n)
{
	char data[128];

	snprintf(data, sizeof(data), "{\"meetingID\":\"%s\",\"n\":%d}", meeting, n);
	publish(GW_EV_USER_JOINED, meeting, data, NULL);
}

START_TEST(test_stream_opens_and_relays)
{
	struct gw_exchange *x = open_stream("/v1/events", reader);

	ck_assert_str_eq(x->resp.content_type, "text/event-stream");
	ck_assert_str_eq(gw_test_header(x, "X-Accel-Buffering"), "no");
	ck_assert_uint_eq(x->stream_stall_ms, 3u * BEAT_MS);
	ck_assert_ptr_null(x->resp.body);
	ck_assert_uint_eq(gw_slots_held(svc.streams, "reader"), 1);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.opened), 1);

	ck_assert_int_eq(fill(x, 1000), GW_STREAM_MORE);
	ck_assert_str_eq(gw_buf_str(&out), "retry: 3000\n\n");
	ck_assert_int_eq(fill(x, 1001), GW_STREAM_WAIT);

	joined("room-a", 1);
	joined("room-b", 2);
	ck_assert_uint_eq(readies, 2); /* the hub's wake reached the transport's hook */
	ck_assert_int_eq(fill(x, 1002), GW_STREAM_MORE);
	ck_assert_str_eq(gw_buf_str(&out), "id: 1\nevent: user-joined\ndata: "
					   "{\"meetingID\":\"room-a\",\"n\":1}\n\n"
					   "id: 2\nevent: user-joined\ndata: "
					   "{\"meetingID\":\"room-b\",\"n\":2}\n\n");
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.sent[GW_EV_USER_JOINED]), 2);
	ck_assert_int_eq(fill(x, 1003), GW_STREAM_WAIT);
	gw_exchange_free(x); /* the client left: the stream closes with it */
	ck_assert_uint_eq(gw_slots_held(svc.streams, "reader"), 0);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.closed[GW_STREAM_CLOSED_CLIENT]), 1);
	joined("room-a", 3); /* no subscriber is left to wake */
	ck_assert_uint_eq(readies, 2);
}
END_TEST

START_TEST(test_stream_meeting_filter)
{
	struct gw_exchange *x = open_stream("/v1/meetings/room-b/events", reader);

	ck_assert_int_eq(fill(x, 0), GW_STREAM_MORE);
	joined("room-a", 1);
	ck_assert_int_eq(fill(x, 1), GW_STREAM_WAIT);
	joined("room-b", 2);
	ck_assert_int_eq(fill(x, 2), GW_STREAM_MORE);
	ck_assert_str_eq(gw_buf_str(&out), "id: 2\nevent: user-joined\ndata: "
					   "{\"meetingID\":\"room-b\",\"n\":2}\n\n");
	gw_exchange_free(x);
}
END_TEST

/* A bound browser token: /v1/events shows its meetings only; passwords need the scope. */
START_TEST(test_stream_bound_token_and_passwords)
{
	static const char *const rooms[] = {"room-a", "lab-*"};
	struct gw_token *pupil =
		gw_test_jwt_token("u7", GW_SCOPE_EVENTS_READ, rooms, 2, GW_ROLE_VIEWER);
	struct gw_exchange *x = gw_test_exchange(cfg, "GET", "/v1/events");
	struct gw_exchange *y = open_stream("/v1/events", admin);

	x->req.svc = &svc;
	x->req.token = pupil; /* the exchange's reference */
	x->req.authorization = gw_test_xstrdup(x, "Bearer not-checked-here");
	gw_handle_events(x);
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_uint_eq(gw_slots_held(svc.streams, "lms:u7"), 1);
	ck_assert_int_eq(fill(x, 0), GW_STREAM_MORE);
	ck_assert_int_eq(fill(y, 0), GW_STREAM_MORE);
	publish(GW_EV_MEETING_CREATED, "room-a", "{\"meetingID\":\"room-a\"}",
		"{\"meetingID\":\"room-a\",\"attendeePW\":\"ap\"}");
	joined("room-b", 2);
	joined("lab-7", 3);
	ck_assert_int_eq(fill(x, 1), GW_STREAM_MORE);
	ck_assert_str_eq(gw_buf_str(&out), "id: 1\nevent: meeting-created\ndata: "
					   "{\"meetingID\":\"room-a\"}\n\n"
					   "id: 3\nevent: user-joined\ndata: "
					   "{\"meetingID\":\"lab-7\",\"n\":3}\n\n");
	ck_assert_int_eq(fill(y, 1), GW_STREAM_MORE);
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&out), "\"attendeePW\":\"ap\""));
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&out), "id: 2\n"));
	gw_exchange_free(x);
	gw_exchange_free(y);
}
END_TEST

START_TEST(test_stream_heartbeat)
{
	struct gw_exchange *x = open_stream("/v1/events", reader);
	void *st = x->stream_state;

	ck_assert(x->stream_ops->due(st, 0)); /* the retry line is due at once */
	ck_assert_int_eq(fill(x, 5000), GW_STREAM_MORE);
	ck_assert(!x->stream_ops->due(st, 5000 + BEAT_MS - 1));
	ck_assert_int_eq(fill(x, 5000 + BEAT_MS - 1), GW_STREAM_WAIT);
	ck_assert(x->stream_ops->due(st, 5000 + BEAT_MS));
	ck_assert_int_eq(fill(x, 5000 + BEAT_MS), GW_STREAM_MORE);
	ck_assert_str_eq(gw_buf_str(&out), ": heartbeat\n\n");
	/* an event counts as a sign of life: the next heartbeat is a full interval after it */
	joined("room-a", 1);
	ck_assert_int_eq(fill(x, 30000), GW_STREAM_MORE);
	ck_assert_ptr_null(strstr(gw_buf_str(&out), "heartbeat"));
	ck_assert(!x->stream_ops->due(st, 30000 + BEAT_MS - 1));
	gw_exchange_free(x);
}
END_TEST

START_TEST(test_stream_last_event_id)
{
	struct gw_exchange *x;

	joined("room-a", 1);
	joined("room-a", 2);
	joined("room-a", 3);
	x = open_at("/v1/events", reader, "1");
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_int_eq(fill(x, 0), GW_STREAM_MORE);
	ck_assert_str_eq(gw_buf_str(&out), "retry: 3000\n\n"
					   "id: 2\nevent: user-joined\ndata: "
					   "{\"meetingID\":\"room-a\",\"n\":2}\n\n"
					   "id: 3\nevent: user-joined\ndata: "
					   "{\"meetingID\":\"room-a\",\"n\":3}\n\n");
	gw_exchange_free(x);
	/* an id that is not ours cannot be resumed from */
	x = open_at("/v1/events", reader, "not-a-number");
	ck_assert_int_eq(fill(x, 0), GW_STREAM_MORE);
	ck_assert_str_eq(gw_buf_str(&out), "retry: 3000\n\nevent: reset\ndata: {}\n\n");
	gw_exchange_free(x);
	/* evicted from the ring of 8 */
	for (int i = 4; i <= 12; i++)
		joined("room-a", i);
	x = open_at("/v1/events", reader, "2");
	ck_assert_int_eq(fill(x, 0), GW_STREAM_MORE);
	ck_assert_str_eq(gw_buf_str(&out), "retry: 3000\n\nevent: reset\ndata: {}\n\n");
	gw_exchange_free(x);
}
END_TEST

START_TEST(test_stream_overflow_ends_it)
{
	struct gw_exchange *x = open_stream("/v1/events", reader);

	ck_assert_int_eq(fill(x, 0), GW_STREAM_MORE);
	for (int i = 1; i <= 5; i++) /* events.queue is 4 */
		joined("room-a", i);
	ck_assert_int_eq(fill(x, 1), GW_STREAM_END);
	gw_exchange_stream_close(x, GW_STREAM_END_SELF);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.closed[GW_STREAM_CLOSED_OVERFLOW]), 1);
	ck_assert_uint_eq(gw_slots_total(svc.streams), 0);
	gw_exchange_free(x);
}
END_TEST

/* A client that takes no bytes is never asked to fill: the transport asks whether it must end. */
START_TEST(test_stream_doomed_while_blocked)
{
	struct gw_exchange *x = open_stream("/v1/events", reader);
	struct gw_exchange *y = open_stream("/v1/events", admin);

	ck_assert_int_eq(fill(x, 0), GW_STREAM_MORE);
	ck_assert(!x->stream_ops->doomed(x->stream_state, 1));
	ck_assert(!y->stream_ops->doomed(y->stream_state, 1));
	for (int i = 1; i <= 5; i++) /* events.queue is 4 */
		joined("room-a", i);
	ck_assert(x->stream_ops->doomed(x->stream_state, 2));
	gw_exchange_stream_close(x, GW_STREAM_END_SELF);
	ck_assert_int_eq(fill(y, 2), GW_STREAM_END); /* y did not read either */
	gw_exchange_free(y);
	y = open_stream("/v1/events", admin);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.closed[GW_STREAM_CLOSED_OVERFLOW]), 1);
	/* its token removed by a reload while it takes nothing */
	gw_config_unref(current);
	current = without("admin");
	ck_assert(!y->stream_ops->doomed(y->stream_state, 3)); /* the epoch did not move yet */
	atomic_fetch_add(&svc.auth_epoch, 1);
	ck_assert(y->stream_ops->doomed(y->stream_state, 4));
	gw_exchange_stream_close(y, GW_STREAM_END_SELF);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.closed[GW_STREAM_CLOSED_REVOKED]), 1);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.closed[GW_STREAM_CLOSED_OVERFLOW]), 1);
	gw_exchange_free(x);
	gw_exchange_free(y);
}
END_TEST

START_TEST(test_stream_caps)
{
	struct gw_exchange *s[3];
	struct gw_exchange *x;
	struct gw_exchange *y;
	int i;

	for (i = 0; i < 3; i++)
		s[i] = open_stream("/v1/events", reader);
	x = open_at("/v1/events", reader, NULL);
	gw_test_assert_problem(x, 429, "too_many_streams");
	ck_assert_str_eq(gw_test_header(x, "Retry-After"), "5");
	ck_assert_ptr_null(x->stream_ops);
	gw_exchange_free(x);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.refused[GW_STREAM_REFUSED_PER_TOKEN]), 1);
	/* a slot is given back when a stream ends */
	gw_exchange_free(s[0]);
	s[0] = open_stream("/v1/events", reader);
	/* the total cap */
	cfg->events_max_streams = 4;
	y = open_stream("/v1/events", admin);
	x = open_at("/v1/events", admin, NULL);
	gw_test_assert_problem(x, 429, "too_many_streams");
	gw_exchange_free(x);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.refused[GW_STREAM_REFUSED_MAX]), 1);
	gw_exchange_free(y);
	for (i = 0; i < 3; i++)
		gw_exchange_free(s[i]);
}
END_TEST

START_TEST(test_stream_refusals)
{
	struct gw_exchange *x;
	char path[160];

	x = open_at("/v1/events", lister, NULL);
	gw_test_assert_problem(x, 403, "forbidden");
	gw_exchange_free(x);
	x = open_at("/v1/events", NULL, NULL);
	gw_test_assert_problem(x, 401, "unauthorized");
	gw_exchange_free(x);
	/* the token as ?access_token=, on these routes only, and not next to the header */
	snprintf(path, sizeof(path), "/v1/meetings/room-a/events?access_token=%s", reader + 7);
	x = open_stream(path, NULL);
	ck_assert_str_eq(x->req.authorization, reader);
	gw_exchange_free(x);
	x = open_at(path, reader, NULL);
	gw_test_assert_problem(x, 400, "bad_request");
	gw_exchange_free(x);
	snprintf(path, sizeof(path), "/v1/meetings?access_token=%s", reader + 7);
	x = open_at(path, NULL, NULL);
	gw_test_assert_problem(x, 400, "bad_request");
	ck_assert_ptr_null(strstr(x->resp.body, reader + 7));
	gw_exchange_free(x);
	/* draining */
	atomic_store(&svc.draining, true);
	x = open_at("/v1/events", reader, NULL);
	gw_test_assert_problem(x, 503, "unavailable");
	ck_assert_ptr_nonnull(gw_test_header(x, "Retry-After"));
	gw_exchange_free(x);
	atomic_store(&svc.draining, false);
	/* events off */
	free(cfg->events_callback_url);
	cfg->events_callback_url = NULL;
	x = open_at("/v1/events", reader, NULL);
	gw_test_assert_problem(x, 404, "not_found");
	gw_exchange_free(x);
	ck_assert_uint_eq(gw_slots_total(svc.streams), 0);
}
END_TEST

/* A configuration like cfg without the token named name. */
static struct gw_config *without(const char *name)
{
	struct gw_config *c = gw_test_api_config();
	char bearer[GW_TEST_BEARER_LEN];

	c->events_callback_url = gw_test_strdup("http://gw.test/v1/bbb-events");
	for (size_t i = 0; i < cfg->n_tokens; i++) {
		if (strcmp(cfg->tokens[i].name, name) == 0)
			continue;
		gw_test_add_token(c, cfg->tokens[i].name, cfg->tokens[i].scopes, NULL, bearer);
		memcpy(c->tokens[c->n_tokens - 1].hash, cfg->tokens[i].hash, GW_AUTH_HASH_LEN);
	}
	return c;
}

START_TEST(test_stream_recheck_on_epoch)
{
	struct gw_exchange *x = open_stream("/v1/events", reader);
	struct gw_exchange *y = open_stream("/v1/events", admin);

	ck_assert_int_eq(fill(x, 0), GW_STREAM_MORE);
	ck_assert_int_eq(fill(y, 0), GW_STREAM_MORE);
	/* the epoch moves, the token is still configured: nothing changes */
	atomic_fetch_add(&svc.auth_epoch, 1);
	ck_assert(x->stream_ops->due(x->stream_state, 1));
	ck_assert_int_eq(fill(x, 1), GW_STREAM_WAIT);
	ck_assert(!x->stream_ops->due(x->stream_state, 2));
	/* a reload drops "reader": its stream ends, admin's goes on */
	gw_config_unref(current);
	current = without("reader");
	atomic_fetch_add(&svc.auth_epoch, 1);
	joined("room-a", 1);
	ck_assert_int_eq(fill(x, 3), GW_STREAM_END);
	ck_assert_int_eq(fill(y, 3), GW_STREAM_MORE);
	gw_exchange_stream_close(x, GW_STREAM_END_SELF);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.closed[GW_STREAM_CLOSED_REVOKED]), 1);
	/* a reload that turns live events off ends the others */
	gw_config_unref(current);
	current = without("nobody");
	free(current->events_callback_url);
	current->events_callback_url = NULL;
	atomic_fetch_add(&svc.auth_epoch, 1);
	ck_assert_int_eq(fill(y, 4), GW_STREAM_END);
	gw_exchange_free(x);
	gw_exchange_free(y);
}
END_TEST

START_TEST(test_stream_close_reasons)
{
	struct gw_exchange *x = open_stream("/v1/events", reader);

	gw_exchange_stream_close(x, GW_STREAM_END_STALLED);
	gw_exchange_stream_close(x, GW_STREAM_END_DRAIN); /* once only */
	gw_exchange_free(x);
	x = open_stream("/v1/events", reader);
	gw_exchange_stream_close(x, GW_STREAM_END_DRAIN);
	gw_exchange_free(x);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.closed[GW_STREAM_CLOSED_STALLED]), 1);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.closed[GW_STREAM_CLOSED_DRAIN]), 1);
	ck_assert_uint_eq(atomic_load(&svc.stream_counts.closed[GW_STREAM_CLOSED_CLIENT]), 0);
}
END_TEST

static Suite *handler_stream_suite(void)
{
	Suite *s = suite_create("handler_stream");
	TCase *tc = tcase_create("streams");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stream_opens_and_relays);
	tcase_add_test(tc, test_stream_meeting_filter);
	tcase_add_test(tc, test_stream_bound_token_and_passwords);
	tcase_add_test(tc, test_stream_heartbeat);
	tcase_add_test(tc, test_stream_last_event_id);
	tcase_add_test(tc, test_stream_overflow_ends_it);
	tcase_add_test(tc, test_stream_doomed_while_blocked);
	tcase_add_test(tc, test_stream_caps);
	tcase_add_test(tc, test_stream_refusals);
	tcase_add_test(tc, test_stream_recheck_on_epoch);
	tcase_add_test(tc, test_stream_close_reasons);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(handler_stream_suite)
