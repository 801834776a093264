/*
 * check_metrics.c - the Prometheus metrics as counted: request and
 * upstream counters by label set, cumulative histogram buckets with +Inf,
 * _sum and _count, "other" for values outside the fixed tables (so no
 * free text reaches a label), label escaping, outcome words, gauges and
 * reloads, the extra and fleet series. Every render is checked line by
 * line against the text exposition format 0.0.4 by metricsfix.c's
 * checker; rendering as a whole is check_metrics_render.c's.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_version.h"
#include "metrics.h"
#include "metricsfix.h"
#include "testutil.h"

/* ---- tests ---- */

START_TEST(test_metrics_request_counts)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char *t;

	ck_assert_ptr_nonnull(m);
	gw_metrics_request(m, 0, "GET", 200, 0.0001);
	gw_metrics_request(m, 0, "GET", 200, 0.0001);
	gw_metrics_request(m, 1, "GET", 200, 0.02);
	gw_metrics_request(m, 2, "POST", 201, 0.2);
	gw_metrics_request(m, 2, "POST", 409, 0.2);
	gw_metrics_request(m, 3, "GET", 404, 0.003);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/healthz\",method=\"GET\","
		       "status=\"200\"} 2");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/v1/meetings\",method=\"GET\","
		       "status=\"200\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/v1/meetings\",method=\"POST\","
		       "status=\"201\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/v1/meetings\",method=\"POST\","
		       "status=\"409\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/v1/meetings/{meetingID}\","
		       "method=\"GET\",status=\"404\"} 1");
	/* the duplicated template is one histogram series holding both indexes */
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_count{route=\"/v1/meetings\"} 3");
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_count{route=\"/healthz\"} 2");
	/* label sets never counted are left out */
	ASSERT_NO(t, "status=\"500\"");
	ASSERT_NO(t, "(unmatched)");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_histogram_buckets)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	static const char *const want[] = {
		"le=\"0.001\"} 2", "le=\"0.0025\"} 2", "le=\"0.005\"} 3", "le=\"0.01\"} 3",
		"le=\"0.025\"} 3", "le=\"0.05\"} 3",   "le=\"0.1\"} 3",   "le=\"0.25\"} 4",
		"le=\"0.5\"} 4",   "le=\"1\"} 4",      "le=\"2.5\"} 4",   "le=\"5\"} 4",
		"le=\"10\"} 4",    "le=\"+Inf\"} 5",
	};
	char line[256];
	char *t;
	size_t i;

	gw_metrics_request(m, 0, "GET", 200, 0.0005);
	gw_metrics_request(m, 0, "GET", 200, 0.001); /* a bound is inclusive (le) */
	gw_metrics_request(m, 0, "GET", 200, 0.003);
	gw_metrics_request(m, 0, "GET", 200, 0.2);
	gw_metrics_request(m, 0, "GET", 200, 11.0);
	t = render(m, NULL);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(line, sizeof(line),
			 "bbb_gateway_http_request_duration_seconds_bucket{route=\"/healthz\",%s",
			 want[i]);
		ASSERT_LINE(t, line);
	}
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_sum{route=\"/healthz\"} "
		       "11.204500000");
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_count{route=\"/healthz\"} 5");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_bad_durations_count_as_zero)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char *t;

	gw_metrics_request(m, 0, "GET", 200, -1.0);
	gw_metrics_request(m, 0, "GET", 200, NAN);
	gw_metrics_request(m, 0, "GET", 200, INFINITY);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_bucket{route=\"/healthz\","
		       "le=\"0.001\"} 2");
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_bucket{route=\"/healthz\","
		       "le=\"+Inf\"} 3");
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_sum{route=\"/healthz\"} "
		       "1000000000.000000000");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_unknown_values_are_other)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char *t;

	gw_metrics_request(m, 0, "GET", 418, 0.01);
	gw_metrics_request(m, 0, "BREW", 200, 0.01);
	gw_metrics_request(m, 0, NULL, 200, 0.01);
	gw_metrics_request(m, 0, "get", -1, 0.01); /* method names are case-sensitive */
	gw_metrics_request(m, N_ROUTES, "GET", 404, 0.01);
	gw_metrics_request(m, (size_t)-1, "GET", 404, 0.01);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/healthz\",method=\"GET\","
		       "status=\"other\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/healthz\",method=\"other\","
		       "status=\"200\"} 2");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/healthz\",method=\"other\","
		       "status=\"other\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"(unmatched)\",method=\"GET\","
		       "status=\"404\"} 2");
	ASSERT_NO(t, "BREW");
	ASSERT_NO(t, "\"418\""); /* as a label value; a timestamp may hold the digits */
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_every_fixed_status_and_method)
{
	static const int st[] = {200, 201, 202, 204, 400, 401, 403, 404, 405,
				 406, 409, 413, 415, 429, 500, 502, 503, 504};
	static const char *const me[] = {"GET",   "HEAD",   "POST",   "PUT",
					 "PATCH", "DELETE", "OPTIONS"};
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char line[256];
	char *t;
	size_t i;

	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		gw_metrics_request(m, 3, "GET", st[i], 0.01);
	for (i = 0; i < sizeof(me) / sizeof(me[0]); i++)
		gw_metrics_request(m, 0, me[i], 204, 0.01);
	t = render(m, NULL);
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		snprintf(line, sizeof(line),
			 "bbb_gateway_http_requests_total{route=\"/v1/meetings/{meetingID}\","
			 "method=\"GET\",status=\"%d\"} 1",
			 st[i]);
		ASSERT_LINE(t, line);
	}
	for (i = 0; i < sizeof(me) / sizeof(me[0]); i++) {
		snprintf(line, sizeof(line),
			 "bbb_gateway_http_requests_total{route=\"/healthz\",method=\"%s\","
			 "status=\"204\"} 1",
			 me[i]);
		ASSERT_LINE(t, line);
	}
	ASSERT_NO(t, "\"other\"");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_label_escaping)
{
	static const char *const odd[] = {"/a\"b\\c\nd", "/plain"};
	struct gw_metrics *m = gw_metrics_new(odd, 2, calls, N_CALLS);
	char *t;

	gw_metrics_request(m, 0, "GET", 200, 0.01);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/a\\\"b\\\\c\\nd\",method=\"GET\","
		       "status=\"200\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_count{route=\"/"
		       "a\\\"b\\\\c\\nd\"} 1");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_upstream_calls_and_outcomes)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char *t;

	gw_metrics_upstream(m, "getMeetingInfo", "ok", 0.05);
	gw_metrics_upstream(m, "getMeetingInfo", "ok", 0.05);
	gw_metrics_upstream(m, "getMeetingInfo", "timeout", 10.5);
	gw_metrics_upstream(m, "hooks/create", "connect", 0.002);
	/* free text never becomes a label value */
	gw_metrics_upstream(m, "create?name=x&checksum=deadbeef", "ok", 0.1);
	gw_metrics_upstream(m, NULL, "secret-outcome", 0.1);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_upstream_requests_total{call=\"getMeetingInfo\","
		       "outcome=\"ok\"} 2");
	ASSERT_LINE(t, "bbb_gateway_upstream_requests_total{call=\"getMeetingInfo\","
		       "outcome=\"timeout\"} 1");
	ASSERT_LINE(t, "bbb_gateway_upstream_requests_total{call=\"hooks/create\","
		       "outcome=\"connect\"} 1");
	ASSERT_LINE(t, "bbb_gateway_upstream_requests_total{call=\"other\",outcome=\"ok\"} 1");
	ASSERT_LINE(t, "bbb_gateway_upstream_requests_total{call=\"other\",outcome=\"other\"} 1");
	ASSERT_LINE(t, "bbb_gateway_upstream_duration_seconds_bucket{call=\"getMeetingInfo\","
		       "le=\"10\"} 2");
	ASSERT_LINE(t, "bbb_gateway_upstream_duration_seconds_bucket{call=\"getMeetingInfo\","
		       "le=\"+Inf\"} 3");
	ASSERT_LINE(t, "bbb_gateway_upstream_duration_seconds_sum{call=\"getMeetingInfo\"} "
		       "10.600000000");
	ASSERT_LINE(t, "bbb_gateway_upstream_duration_seconds_count{call=\"other\"} 2");
	ASSERT_NO(t, "checksum");
	ASSERT_NO(t, "deadbeef");
	ASSERT_NO(t, "secret");
	ASSERT_NO(t, "call=\"create\"");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_outcome_words)
{
	ck_assert_str_eq(gw_metrics_outcome(GW_OK, 200), "ok");
	ck_assert_str_eq(gw_metrics_outcome(GW_OK, 204), "ok");
	ck_assert_str_eq(gw_metrics_outcome(GW_OK, 404), "http");
	ck_assert_str_eq(gw_metrics_outcome(GW_OK, 500), "http");
	ck_assert_str_eq(gw_metrics_outcome(GW_OK, 0), "http");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UPSTREAM_TIMEOUT, 0), "timeout");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UPSTREAM_CONNECT, 0), "connect");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UPSTREAM_BAD_REPLY, 200), "bad_reply");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UPSTREAM_TOO_LARGE, 200), "too_large");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UPSTREAM_HTTP, 502), "http");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UNAVAILABLE, 0), "unavailable");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_NOMEM, 0), "other");
	ck_assert_str_eq(gw_metrics_outcome(GW_E__COUNT, 200), "other");
}
END_TEST

START_TEST(test_metrics_gauges_and_reloads)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char line[128];
	char *t;

	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_upstream_inflight 0");
	ASSERT_LINE(t, "bbb_gateway_draining 0");
	ASSERT_LINE(t, "bbb_gateway_config_reloads_total{result=\"ok\"} 0");
	ASSERT_LINE(t, "bbb_gateway_config_reloads_total{result=\"failed\"} 0");
	free(t);

	gw_metrics_inflight_add(m, 3);
	gw_metrics_inflight_add(m, -1);
	gw_metrics_reload(m, true);
	gw_metrics_reload(m, true);
	gw_metrics_reload(m, false);
	gw_metrics_set_draining(m, true);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_upstream_inflight 2");
	ASSERT_LINE(t, "bbb_gateway_draining 1");
	ASSERT_LINE(t, "bbb_gateway_config_reloads_total{result=\"ok\"} 2");
	ASSERT_LINE(t, "bbb_gateway_config_reloads_total{result=\"failed\"} 1");
	snprintf(line, sizeof(line), "bbb_gateway_build_info{version=\"%s\"} 1", GW_VERSION);
	ASSERT_LINE(t, line);
	ck_assert_ptr_nonnull(strstr(t, "\nprocess_start_time_seconds "));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE process_start_time_seconds gauge\n"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE bbb_gateway_http_requests_total counter\n"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE bbb_gateway_http_request_duration_seconds "
					"histogram\n"));
	free(t);
	gw_metrics_set_draining(m, false);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_draining 0");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_extra_series)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	struct gw_metrics_extra ex = {.http_active = 7,
				      .upstream_open = 3,
				      .upstream_connects = 42,
				      .circuit_open = 1,
				      .conn_open = 12,
				      .conn_header_timeout = 5,
				      .conn_displaced = 2,
				      .conn_refused = 1,
				      .jwt_cache_hits = 9,
				      .jwt_cache_misses = 4};
	char *t;

	t = render(m, &ex);
	ASSERT_LINE(t, "bbb_gateway_jwt_cache_lookups_total{result=\"hit\"} 9");
	ASSERT_LINE(t, "bbb_gateway_jwt_cache_lookups_total{result=\"miss\"} 4");
	ASSERT_LINE(t, "bbb_gateway_upstream_circuit_open 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_in_flight 7");
	ASSERT_LINE(t, "bbb_gateway_upstream_connections_open 3");
	ASSERT_LINE(t, "bbb_gateway_upstream_connections_opened_total 42");
	ASSERT_LINE(t, "bbb_gateway_http_connections_open 12");
	ASSERT_LINE(t, "bbb_gateway_http_connections_ended_total{reason=\"header_timeout\"} 5");
	ASSERT_LINE(t, "bbb_gateway_http_connections_ended_total{reason=\"displaced\"} 2");
	ASSERT_LINE(t, "bbb_gateway_http_connections_ended_total{reason=\"refused\"} 1");
	free(t);
	ex.upstream_open = -1;
	ex.circuit_open = -1;
	t = render(m, &ex);
	ASSERT_NO(t, "bbb_gateway_upstream_connections_open ");
	ASSERT_NO(t, "circuit_open");
	ASSERT_LINE(t, "bbb_gateway_http_requests_in_flight 7");
	free(t);
	ex.conn_open = -1;
	t = render(m, &ex);
	ASSERT_NO(t, "connections_ended");
	free(t);
	t = render(m, NULL);
	ASSERT_NO(t, "in_flight");
	ASSERT_NO(t, "connections_open");
	ASSERT_NO(t, "connections_opened");
	free(t);
	gw_metrics_free(m);
}
END_TEST

/* The fleet's series: one per server, each server's own breaker among them. */
START_TEST(test_metrics_fleet_series)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	struct gw_metrics_extra ex = {.http_active = -1,
				      .upstream_open = -1,
				      .upstream_connects = -1,
				      .circuit_open = -1,
				      .conn_open = -1,
				      .jwt_cache_hits = -1,
				      .events_received = -1,
				      .n_servers = 2};
	char *t;

	ex.servers[0] = (struct gw_metrics_server){.name = "bbb1",
						   .state = "enabled",
						   .healthy = true,
						   .meetings = 3,
						   .failed_polls = 0};
	ex.servers[1] = (struct gw_metrics_server){
		.name = "bbb2", .state = "cordoned", .failed_polls = 4, .circuit_open = true};
	t = render(m, &ex);
	ASSERT_LINE(t, "bbb_gateway_server_state{server=\"bbb2\",state=\"cordoned\"} 1");
	ASSERT_LINE(t, "bbb_gateway_server_healthy{server=\"bbb1\"} 1");
	ASSERT_LINE(t, "bbb_gateway_server_meetings{server=\"bbb1\"} 3");
	ASSERT_LINE(t, "bbb_gateway_server_failed_polls{server=\"bbb2\"} 4");
	ASSERT_LINE(t, "# TYPE bbb_gateway_server_circuit_open gauge");
	ASSERT_LINE(t, "bbb_gateway_server_circuit_open{server=\"bbb1\"} 0");
	ASSERT_LINE(t, "bbb_gateway_server_circuit_open{server=\"bbb2\"} 1");
	/* the fleet of one's breaker is another series, left out here */
	ASSERT_NO(t, "bbb_gateway_upstream_circuit_open");
	free(t);
	ex.n_servers = 0;
	t = render(m, &ex);
	ASSERT_NO(t, "bbb_gateway_server_");
	free(t);
	gw_metrics_free(m);
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_metrics_request_counts);
	tcase_add_test(tc, test_metrics_histogram_buckets);
	tcase_add_test(tc, test_metrics_bad_durations_count_as_zero);
	tcase_add_test(tc, test_metrics_unknown_values_are_other);
	tcase_add_test(tc, test_metrics_every_fixed_status_and_method);
	tcase_add_test(tc, test_metrics_label_escaping);
	tcase_add_test(tc, test_metrics_upstream_calls_and_outcomes);
	tcase_add_test(tc, test_metrics_outcome_words);
	tcase_add_test(tc, test_metrics_gauges_and_reloads);
	tcase_add_test(tc, test_metrics_extra_series);
	tcase_add_test(tc, test_metrics_fleet_series);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(metrics_suite)
