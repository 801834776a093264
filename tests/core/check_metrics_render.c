/*
 * check_metrics_render.c - the Prometheus metrics rendered as a whole:
 * exact totals while several threads count and another scrapes,
 * deterministic output in table order, the buffer cap, a fresh registry's
 * output, NULL as a no-op, and the exposition checker itself rejecting
 * what the format forbids (or it would prove nothing).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"
#include "metricsfix.h"
#include "testutil.h"

#define N_THREADS 8

#define N_PER_THREAD 50000

static void *hammer(void *arg)
{
	struct gw_metrics *m = arg;
	int i;

	for (i = 0; i < N_PER_THREAD; i++) {
		gw_metrics_request(m, (size_t)(i % 2), "GET", 200, 0.001);
		gw_metrics_upstream(m, "getMeetings", "ok", 0.001);
		gw_metrics_inflight_add(m, 1);
		gw_metrics_inflight_add(m, -1);
		if (i % 1000 == 0)
			gw_metrics_reload(m, true);
	}
	return NULL;
}

/* A scrape while other threads count must still be valid (it is checked by render()). */
static void *scrape(void *arg)
{
	int i;

	for (i = 0; i < 20; i++)
		free(render(arg, NULL));
	return NULL;
}

START_TEST(test_metrics_concurrent_totals_exact)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	pthread_t th[N_THREADS + 1];
	char line[256];
	char *t;
	int i;

	for (i = 0; i < N_THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, m), 0);
	ck_assert_int_eq(pthread_create(&th[N_THREADS], NULL, scrape, m), 0);
	for (i = 0; i <= N_THREADS; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	t = render(m, NULL);
	snprintf(line, sizeof(line),
		 "bbb_gateway_http_requests_total{route=\"/"
		 "healthz\",method=\"GET\",status=\"200\"} "
		 "%d",
		 N_THREADS * N_PER_THREAD / 2);
	ASSERT_LINE(t, line);
	snprintf(line, sizeof(line),
		 "bbb_gateway_http_request_duration_seconds_count{route=\"/v1/meetings\"} %d",
		 N_THREADS * N_PER_THREAD / 2);
	ASSERT_LINE(t, line);
	snprintf(line, sizeof(line),
		 "bbb_gateway_upstream_requests_total{call=\"getMeetings\",outcome=\"ok\"} %d",
		 N_THREADS * N_PER_THREAD);
	ASSERT_LINE(t, line);
	snprintf(line, sizeof(line),
		 "bbb_gateway_upstream_duration_seconds_sum{call=\"getMeetings\"} "
		 "%d.000000000",
		 N_THREADS * N_PER_THREAD / 1000);
	ASSERT_LINE(t, line);
	snprintf(line, sizeof(line), "bbb_gateway_config_reloads_total{result=\"ok\"} %d",
		 N_THREADS * N_PER_THREAD / 1000);
	ASSERT_LINE(t, line);
	ASSERT_LINE(t, "bbb_gateway_upstream_inflight 0");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_render_is_deterministic)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char *a;
	char *b;

	gw_metrics_request(m, 3, "DELETE", 204, 0.3);
	gw_metrics_request(m, 1, "GET", 200, 0.01);
	gw_metrics_upstream(m, "end", "ok", 0.3);
	gw_metrics_upstream(m, "create", "http", 0.3);
	a = render(m, NULL);
	b = render(m, NULL);
	ck_assert_str_eq(a, b);
	/* table order, not the order of first use */
	ck_assert(strstr(a, "route=\"/v1/meetings\",method") < strstr(a, "route=\"/v1/meetings/"
									 "{meetingID}\",method"));
	ck_assert(strstr(a, "call=\"create\",outcome") < strstr(a, "call=\"end\",outcome"));
	free(a);
	free(b);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_render_respects_cap)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	struct gw_buf b;

	gw_metrics_request(m, 0, "GET", 200, 0.01);
	gw_buf_init(&b, 256);
	ck_assert_int_eq(gw_metrics_render(m, NULL, &b), GW_E_TOO_LARGE);
	ck_assert_uint_le(b.len, 256);
	gw_buf_deinit(&b);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_fresh_output_is_valid)
{
	struct gw_metrics *m = gw_metrics_new(NULL, 0, NULL, 0);
	char *t;

	ck_assert_ptr_nonnull(m);
	t = render(m, NULL);
	ASSERT_NO(t, "bbb_gateway_http_requests_total{");
	ASSERT_NO(t, "_bucket");
	free(t);
	gw_metrics_request(m, 0, "GET", 404, 0.01); /* with no routes, everything is unmatched */
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"(unmatched)\",method=\"GET\","
		       "status=\"404\"} 1");
	free(t);
	gw_metrics_free(m);
}
END_TEST

/* The checker itself must reject what the format forbids, or it proves nothing. */
START_TEST(test_metrics_checker_rejects_bad_text)
{
	static const char *const bad[] = {
		"x 1\n",                                        /* no TYPE */
		"# TYPE x gauge\nx 1\n",                        /* TYPE without HELP */
		"# HELP x h\n# TYPE x gauge\nx{a=\"1\"} one\n", /* bad value */
		"# HELP x h\n# TYPE x gauge\nx{a=\"\\q\"} 1\n", /* bad escape */
		"# HELP x h\n# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n",
		"# HELP x h\n# TYPE x gauge\nx 1\nx 2\n", /* duplicate series */
		"# HELP x h\n# TYPE x gauge\ny 1\n",      /* wrong family */
		"# HELP x h\n# TYPE x counter\nx -1\n",   /* negative counter */
		"# HELP x h\n# TYPE x histogram\nx_bucket{le=\"1\"} 2\n"
		"x_bucket{le=\"+Inf\"} 1\nx_sum 1\nx_count 1\n", /* not cumulative */
		"# HELP x h\n# TYPE x histogram\nx_bucket{le=\"+Inf\"} 2\n"
		"x_sum 1\nx_count 1\n",            /* count != +Inf */
		"# HELP x h\n# TYPE x gauge\nx 1", /* no final newline */
	};
	struct checker *c = malloc(sizeof(*c));
	size_t i;

	ck_assert_ptr_nonnull(c);
	ck_assert(check_exposition(c, "# HELP x h\n# TYPE x histogram\nx_bucket{a=\"b\",le=\"1\"} "
				      "1\n"
				      "x_bucket{a=\"b\",le=\"+Inf\"} 2\nx_sum{a=\"b\"} 0.5\n"
				      "x_count{a=\"b\"} 2\n"));
	checker_free(c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!check_exposition(c, bad[i]), "accepted bad text %zu", i);
		checker_free(c);
	}
	free(c);
}
END_TEST

START_TEST(test_metrics_null_is_noop)
{
	gw_metrics_request(NULL, 0, "GET", 200, 0.1);
	gw_metrics_upstream(NULL, "create", "ok", 0.1);
	gw_metrics_inflight_add(NULL, 1);
	gw_metrics_reload(NULL, true);
	gw_metrics_set_draining(NULL, true);
	gw_metrics_free(NULL);
}
END_TEST

static Suite *metrics_render_suite(void)
{
	Suite *s = suite_create("metrics_render");
	TCase *threads = tcase_create("threads");
	TCase *tc = tcase_create("render");

	/* Eight threads counting 50,000 times each take seconds under the sanitizers. */
	tcase_set_timeout(tc, 60);
	tcase_set_timeout(threads, 60);
	tcase_add_test(threads, test_metrics_concurrent_totals_exact);
	suite_add_tcase(s, threads);
	tcase_add_test(tc, test_metrics_render_is_deterministic);
	tcase_add_test(tc, test_metrics_render_respects_cap);
	tcase_add_test(tc, test_metrics_fresh_output_is_valid);
	tcase_add_test(tc, test_metrics_null_is_noop);
	tcase_add_test(tc, test_metrics_checker_rejects_bad_text);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(metrics_render_suite)
