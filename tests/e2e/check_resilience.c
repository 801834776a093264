/*
 * check_resilience.c - retries and the circuit breaker, end to end with
 * the simulator: which calls are retried and how often, fail-fast while
 * the breaker is open, the probe, and recovery.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "testutil.h"

static void fast_breaker(struct gw_config *c)
{
	c->breaker_failures = 3;
	c->breaker_cooldown_ms = 300;
	c->breaker_max_cooldown_ms = 600;
}

static void resilience_setup(void)
{
	harness_tweak = fast_breaker;
	harness_sim_opts.recordings_file = NULL;
	setup();
}

START_TEST(test_resilience_read_only_retried_once)
{
	struct bbbsim_fault once = {
		.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 503, .count = 1};
	struct reply r;

	bbbsim_set_fault(sim, "getMeetings", &once);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 2);
}
END_TEST

START_TEST(test_resilience_retry_at_most_once)
{
	struct bbbsim_fault twice = {
		.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 502, .count = 2};
	struct reply r;

	bbbsim_set_fault(sim, "isMeetingRunning", &twice);
	call(&r, "GET", "/v1/meetings/rr-1/running", tok_read, NULL);
	assert_problem(&r, 502, "upstream_http_error");
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 2);
}
END_TEST

START_TEST(test_resilience_writes_not_retried)
{
	struct bbbsim_fault once = {
		.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 503, .count = 1};
	struct bbbsim_fault bad = {
		.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 502, .count = 1};
	struct reply r;

	create_meeting("w-1");
	bbbsim_clear_log(sim);
	bbbsim_set_fault(sim, "sendChatMessage", &once);
	call(&r, "POST", "/v1/meetings/w-1/chat", tok_all, "{\"message\":\"once\"}");
	assert_problem(&r, 502, "upstream_http_error");
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 1);
	bbbsim_clear_log(sim);
	bbbsim_set_fault(sim, "end", &bad);
	call(&r, "POST", "/v1/meetings/w-1/end", tok_all, NULL);
	assert_problem(&r, 502, "upstream_http_error");
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 1);
}
END_TEST

START_TEST(test_resilience_breaker_opens_and_recovers)
{
	struct bbbsim_fault down = {.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 500};
	struct reply r;
	size_t before;
	int i;

	bbbsim_set_fault(sim, "*", &down);
	for (i = 0; i < 3; i++) {
		call(&r, "POST", "/v1/meetings/b-1/chat", tok_all, "{\"message\":\"x\"}");
		assert_problem(&r, 502, "upstream_http_error");
		reply_free(&r);
	}
	before = bbbsim_request_count(sim);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 503, "upstream_circuit_open");
	ck_assert_ptr_nonnull(header(&r, "Retry-After"));
	reply_free(&r);
	call(&r, "GET", "/readyz", NULL, NULL);
	ck_assert_int_eq(r.status, 503);
	reply_free(&r);
	call(&r, "GET", "/metrics", tok_all, NULL);
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&r.body), "bbb_gateway_upstream_circuit_open 1"));
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), before); /* failed fast */
	/* The probe after the cool-down fails: open again, for longer. */
	usleep(350 * 1000);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 502, "upstream_http_error");
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), before + 1);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 503, "upstream_circuit_open");
	reply_free(&r);
	/* BBB recovers; the next probe closes the breaker. */
	bbbsim_set_fault(sim, "*", NULL);
	usleep(650 * 1000);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/b-1/running", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "GET", "/metrics", tok_all, NULL);
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&r.body), "bbb_gateway_upstream_circuit_open 0"));
	reply_free(&r);
}
END_TEST

START_TEST(test_resilience_failed_replies_do_not_open)
{
	struct reply r;
	int i;

	for (i = 0; i < 6; i++) {
		call(&r, "GET", "/v1/meetings/absent-1", tok_read, NULL);
		assert_problem(&r, 404, "bbb_not_found");
		reply_free(&r);
	}
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}
END_TEST

/* A refused connection never reached BBB: even a chat message is tried a second time. */
START_TEST(test_resilience_refused_connection_retried)
{
	struct reply r;
	char logs[8192];
	int fds[2];
	ssize_t n;
	int i;

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	cfg->access_log = true;
	gw_log_set_fd(fds[1]);
	bbbsim_stop(sim);
	sim = NULL;
	call(&r, "POST", "/v1/meetings/x-1/chat", tok_all, "{\"message\":\"x\"}");
	assert_problem(&r, 502, "upstream_unreachable");
	reply_free(&r);
	/* The access line is written when MHD completes the request, maybe after the reply. */
	for (i = 0, n = -1; i < 200 && n <= 0; i++) {
		n = read(fds[0], logs, sizeof(logs) - 1);
		if (n <= 0)
			usleep(5 * 1000);
	}
	gw_log_set_fd(2);
	ck_assert_int_gt(n, 0);
	logs[n] = '\0';
	ck_assert_msg(strstr(logs, "bbb_call=\"sendChatMessage\"") != NULL, "%s", logs);
	ck_assert_msg(strstr(logs, "retries=1") != NULL, "%s", logs);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

START_TEST(test_resilience_heavy_routes_have_their_own_bucket)
{
	struct reply r;
	char body[96];
	int limited = 0;
	int i;

	cfg->heavy_rate_per_s = 0.01;
	cfg->heavy_burst = 2;
	for (i = 0; i < 5; i++) {
		snprintf(body, sizeof(body), "{\"name\":\"Heavy\",\"meetingID\":\"heavy-%d\"}", i);
		call(&r, "POST", "/v1/meetings", tok_all, body);
		if (r.status == 429) {
			limited++;
			ck_assert_ptr_nonnull(header(&r, "Retry-After"));
		} else {
			ck_assert_int_eq(r.status, 201);
		}
		reply_free(&r);
	}
	ck_assert_int_eq(limited, 3);
	/* Cheap routes of the same token are not limited by the heavy bucket. */
	for (i = 0; i < 5; i++) {
		call(&r, "GET", "/v1/meetings/heavy-0/running", tok_all, NULL);
		ck_assert_int_eq(r.status, 200);
		reply_free(&r);
	}
}
END_TEST

static Suite *resilience_suite(void)
{
	Suite *s = suite_create("resilience");
	TCase *tc = tcase_create("resilience");

	tcase_add_checked_fixture(tc, resilience_setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_resilience_read_only_retried_once);
	tcase_add_test(tc, test_resilience_retry_at_most_once);
	tcase_add_test(tc, test_resilience_writes_not_retried);
	tcase_add_test(tc, test_resilience_breaker_opens_and_recovers);
	tcase_add_test(tc, test_resilience_failed_replies_do_not_open);
	tcase_add_test(tc, test_resilience_refused_connection_retried);
	tcase_add_test(tc, test_resilience_heavy_routes_have_their_own_bucket);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(resilience_suite)
