/*
 * check_fleet_bus.c - what two gateway processes share through a real
 * redis-server besides placements (fleet_bus.h): live events that reach
 * one gateway's callback stream on both, with one id, resumable on either
 * and after a restart; a token revoked on one refused by the other and by
 * a gateway started later; a server cordoned on one cordoned on both; and
 * with Redis down a revocation answers 503 while it holds where it was
 * made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleetfix.h"
#include "jwtutil.h"
#include "ssefix.h"
#include "testutil.h"

#define ISSUER_KEY "fleet-bus-issuer-key-of-at-least-32-bytes"

/* Both gateways with extra, every server healthy on both. */
static void both_up(const char *extra)
{
	fleetfix_sims_start();
	fleetfix_redis_start();
	for (int g = 1; g <= 2; g++) {
		fleetfix_gateway_start(g, extra);
		for (int i = 1; i <= FLEETFIX_SIMS; i++)
			fleetfix_wait_health(g, fleetfix_sim_name(i), true);
	}
}

/* Both gateways relaying events, with gateway 1's address as the callback (a load balancer's). */
static void both_live(void)
{
	char extra[256];
	char line[96];

	both_up(FLEETFIX_BBB);
	snprintf(extra, sizeof(extra),
		 FLEETFIX_BBB " events = { callback_url = "
			      "\"http://127.0.0.1:%u/v1/bbb-events\"; };",
		 fleetfix_gateway_port(1));
	for (int g = 1; g <= 2; g++) {
		fleetfix_gateway_reconfigure(g, extra);
		for (int i = 1; i <= FLEETFIX_SIMS; i++)
			fleetfix_wait_health(g, fleetfix_sim_name(i), true);
	}
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		snprintf(line, sizeof(line), "callback registered with bbb-webhooks on %s",
			 fleetfix_sim_name(i));
		fleetfix_wait_log(1, line);
	}
}

/* An event stream of every meeting on gateway g, resuming after last (NULL: from now). */
static void open_stream(struct sse_conn *s, int g, const char *last)
{
	char headers[512];

	snprintf(headers, sizeof(headers), "Authorization: Bearer %s\r\n%s%s%s", fleetfix_tok_all,
		 last != NULL ? "Last-Event-ID: " : "", last != NULL ? last : "",
		 last != NULL ? "\r\n" : "");
	ck_assert_int_eq(sse_open_at(s, fleetfix_gateway_port(g), "/v1/events", headers, 0), 200);
}

/* The next meeting-created on s; its meetingID into id, its event id into ev_id. */
static void next_created(struct sse_conn *s, char *id, size_t id_cap, char *ev_id, size_t ev_cap)
{
	struct sse_block b;
	json_t *data;

	for (;;) {
		ck_assert_msg(sse_next_event(s, &b, FLEETFIX_WAIT_MS), "no meeting-created came");
		if (strcmp(b.event, "meeting-created") == 0)
			break;
	}
	data = sse_data(&b);
	snprintf(id, id_cap, "%s", json_string_value(json_object_get(data, "meetingID")));
	snprintf(ev_id, ev_cap, "%s", b.id);
	json_decref(data);
}

START_TEST(test_bus_events_on_both_gateways)
{
	struct sse_conn s1, s2, again;
	char m[2][64], id1[2][32], id2[2][32];

	both_live();
	open_stream(&s1, 1, NULL);
	open_stream(&s2, 2, NULL);
	/* created through gateway 2; the servers call gateway 1 back */
	ck_assert_int_eq(fleetfix_create(2, "live-a", NULL), 201);
	ck_assert_int_eq(fleetfix_create(2, "live-b", NULL), 201);
	for (int k = 0; k < 2; k++) {
		next_created(&s2, m[k], sizeof(m[k]), id2[k], sizeof(id2[k]));
		ck_assert_str_eq(m[k], k == 0 ? "live-a" : "live-b");
		next_created(&s1, m[k], sizeof(m[k]), id1[k], sizeof(id1[k]));
		ck_assert_str_eq(m[k], k == 0 ? "live-a" : "live-b");
		/* one id on both gateways */
		ck_assert_str_eq(id1[k], id2[k]);
	}
	ck_assert(strtoull(id1[1], NULL, 10) > strtoull(id1[0], NULL, 10));
	printf("# live-a and live-b have ids %s and %s on both gateways\n", id1[0], id1[1]);
	sse_close(&s1);
	sse_close(&s2);
	/* a page that read live-a on gateway 2 resumes on gateway 1 */
	open_stream(&again, 1, id2[0]);
	next_created(&again, m[0], sizeof(m[0]), id1[0], sizeof(id1[0]));
	ck_assert_str_eq(m[0], "live-b");
	ck_assert_str_eq(id1[0], id2[1]);
	sse_close(&again);
	/* and on gateway 2 after it restarted: it read the stream's last events back */
	ck_assert_int_eq(fleetfix_gateway_stop(2), 0);
	fleetfix_gateway_restart(2);
	open_stream(&again, 2, id2[0]);
	next_created(&again, m[0], sizeof(m[0]), id1[0], sizeof(id1[0]));
	ck_assert_str_eq(m[0], "live-b");
	ck_assert_str_eq(id1[0], id2[1]);
	sse_close(&again);
}
END_TEST

/* A JWT of issuer "lms" with jti, valid for ten minutes. malloc'd. */
static char *jwt_with(const char *jti)
{
	char payload[256];
	long long now = (long long)time(NULL);

	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"iat\":%lld,\"exp\":%lld,"
		 "\"jti\":\"%s\",\"sub\":\"u1\",\"scope\":\"meetings:read\"}",
		 now, now + 600, jti);
	return jt_hs256(payload, ISSUER_KEY);
}

static long call_status(int g, const char *method, const char *path, const char *token,
			const char *body, char *retry, size_t retry_cap)
{
	struct reply r;
	long st;

	fleetfix_call(&r, g, method, path, token, body);
	st = r.status;
	if (retry != NULL) {
		const char *h = header(&r, "Retry-After");

		snprintf(retry, retry_cap, "%s", h != NULL ? h : "");
	}
	reply_free(&r);
	return st;
}

/* Waits until path with token on gateway g answers want. */
static void wait_status(int g, const char *path, const char *token, long want)
{
	long st = 0;

	for (unsigned waited = 0; (st = call_status(g, "GET", path, token, NULL, NULL, 0)) != want;
	     waited += 50) {
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "%s on gateway %d: %ld, not %ld", path, g,
			      st, want);
		fleetfix_sleep_ms(50);
	}
}

/* The state gateway g shows for server name. */
static char *server_state(int g, const char *name)
{
	static char state[32];
	struct reply r;
	json_t *doc;
	json_t *list;
	size_t i;
	json_t *v;

	fleetfix_call(&r, g, "GET", "/v1/servers", fleetfix_tok_admin, NULL);
	ck_assert_int_eq(r.status, 200);
	doc = json_loads(gw_buf_str(&r.body), 0, NULL);
	ck_assert_ptr_nonnull(doc);
	list = json_object_get(doc, "servers");
	state[0] = '\0';
	json_array_foreach (list, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
			snprintf(state, sizeof(state), "%s",
				 json_string_value(json_object_get(v, "state")));
	}
	json_decref(doc);
	reply_free(&r);
	return state;
}

START_TEST(test_bus_revocations_and_states)
{
	char *jwt = jwt_with("bus-1");
	char *other = jwt_with("bus-2");
	char retry[16];

	both_up(FLEETFIX_BBB " auth = { audience = \"bbb-gateway\"; }; "
			     "issuers = ( { name = \"lms\"; alg = \"HS256\"; secret = \"" ISSUER_KEY
			     "\"; "
			     "any_meeting = true; } );");
	ck_assert_int_eq(call_status(1, "GET", "/v1/meetings/none", jwt, NULL, NULL, 0), 404);
	ck_assert_int_eq(call_status(2, "GET", "/v1/meetings/none", jwt, NULL, NULL, 0), 404);
	/* revoked on gateway 1: gateway 2 refuses it too, and so does a gateway started later */
	ck_assert_int_eq(
		call_status(1, "DELETE", "/v1/tokens/bus-1", fleetfix_tok_all, NULL, NULL, 0), 204);
	ck_assert_int_eq(call_status(1, "GET", "/v1/meetings/none", jwt, NULL, NULL, 0), 401);
	wait_status(2, "/v1/meetings/none", jwt, 401);
	ck_assert_int_eq(fleetfix_gateway_stop(2), 0);
	fleetfix_gateway_restart(2);
	ck_assert_int_eq(call_status(2, "GET", "/v1/meetings/none", jwt, NULL, NULL, 0), 401);
	ck_assert_int_eq(call_status(2, "GET", "/v1/meetings/none", other, NULL, NULL, 0), 404);

	/* cordoned on gateway 1: gateway 2 places nothing there either, also after a restart */
	ck_assert_int_eq(call_status(1, "PATCH", "/v1/servers/bbb1", fleetfix_tok_admin,
				     "{\"state\":\"cordoned\"}", NULL, 0),
			 200);
	for (unsigned waited = 0; strcmp(server_state(2, "bbb1"), "cordoned") != 0; waited += 50) {
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "gateway 2 never saw bbb1 cordoned");
		fleetfix_sleep_ms(50);
	}
	for (int k = 0; k < 4; k++) {
		char id[16];

		snprintf(id, sizeof(id), "cord-%d", k);
		ck_assert_int_eq(fleetfix_create(2, id, NULL), 201);
		ck_assert(!fleetfix_sim_has_meeting(1, id));
	}
	ck_assert_int_eq(fleetfix_gateway_stop(2), 0);
	fleetfix_gateway_restart(2);
	ck_assert_str_eq(server_state(2, "bbb1"), "cordoned");

	/* Redis down: the revocation holds here, and says it was not shared */
	fleetfix_redis_kill();
	ck_assert_int_eq(call_status(1, "DELETE", "/v1/tokens/bus-2", fleetfix_tok_all, NULL, retry,
				     sizeof(retry)),
			 503);
	ck_assert_str_eq(retry, "2");
	ck_assert_int_eq(call_status(1, "GET", "/v1/meetings/none", other, NULL, NULL, 0), 401);
	ck_assert_int_eq(call_status(2, "GET", "/v1/meetings/none", other, NULL, NULL, 0), 404);
	/* repeated once Redis is back, it reaches gateway 2 */
	fleetfix_redis_restart();
	for (unsigned waited = 0;
	     call_status(1, "DELETE", "/v1/tokens/bus-2", fleetfix_tok_all, NULL, NULL, 0) != 204;
	     waited += 200) {
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "the revocation was never shared");
		fleetfix_sleep_ms(200);
	}
	wait_status(2, "/v1/meetings/none", other, 401);
	free(jwt);
	free(other);
}
END_TEST

static Suite *fleet_bus_suite(void)
{
	Suite *s = suite_create("fleet_bus");
	TCase *tc = tcase_create("bus");

	tcase_add_checked_fixture(tc, fleetfix_setup, fleetfix_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_bus_events_on_both_gateways);
	tcase_add_test(tc, test_bus_revocations_and_states);
	suite_add_tcase(s, tc);
	return s;
}

FLEETFIX_MAIN(fleet_bus_suite, true)
