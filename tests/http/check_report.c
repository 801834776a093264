/*
 * check_report.c - what a finished exchange reports: its request counted
 * under its route, method and status, its BBB call under the call and
 * outcome (an unreadable reply after HTTP 200 as bad_reply), nothing
 * counted without metrics.
 */
#include <string.h>

#include "config.h"
#include "bbb_calls.h"
#include "metrics.h"
#include "report.h"
#include "request.h"
#include "router.h"
#include "routes.h"
#include "testutil.h"

static struct gw_metrics *metrics(void)
{
	const char *pats[64];
	const char *calls[GW_BBB_N_CALLS];
	size_t n = gw_router_patterns(gw_routes_table(), pats, GW_ARRAY_SIZE(pats));

	return gw_metrics_new(pats, n, calls, gw_bbb_call_labels(calls, GW_ARRAY_SIZE(calls)));
}

static char *render(const struct gw_metrics *m)
{
	struct gw_buf b;

	gw_buf_init(&b, 1u << 20);
	ck_assert_int_eq(gw_metrics_render(m, NULL, &b), GW_OK);
	return gw_buf_take(&b, NULL);
}

static struct gw_exchange *exchange(const char *method, const char *path)
{
	struct gw_config *cfg = gw_test_config("bbb = { url = \"http://bbb.test/api\"; "
					       "secret = \"s\"; };\nlog = { access = false; };\n");
	struct gw_exchange *x = gw_test_exchange(cfg, method, path);

	gw_config_unref(cfg);
	return x;
}

START_TEST(test_report_request_counted_by_route)
{
	struct gw_metrics *m = metrics();
	struct gw_exchange *x = exchange("GET", "/healthz");
	unsigned allowed = 0;
	char *t;

	ck_assert_int_eq(gw_router_match(gw_routes_table(), &x->req, &allowed), GW_OK);
	x->resp.status = 200;
	gw_report_request(x, m, 1.5, 15);
	gw_report_request(x, NULL, 1.5, 15); /* no metrics: nothing, no crash */
	x->req.route = NULL;
	x->resp.status = 404;
	gw_report_request(x, m, 0.2, 100);
	t = render(m);
	ck_assert_ptr_nonnull(strstr(t, "bbb_gateway_http_requests_total{route=\"/healthz\","
					"method=\"GET\",status=\"200\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "bbb_gateway_http_requests_total{route=\"(unmatched)\","
					"method=\"GET\",status=\"404\"} 1\n"));
	free(t);
	gw_exchange_free(x);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_report_upstream_outcomes)
{
	struct gw_metrics *m = metrics();
	struct gw_exchange *x = exchange("GET", "/v1/meetings");
	char *t;

	x->bbb.name = "getMeetings";
	x->up.result = GW_OK;
	x->up.http_status = 200;
	x->resp.status = 200;
	gw_report_upstream(x, m);
	x->resp.status = 502; /* unreadable reply after a clean HTTP 200 */
	gw_report_upstream(x, m);
	x->up.result = GW_E_UPSTREAM_TIMEOUT;
	x->up.http_status = 0;
	x->resp.status = 504;
	gw_report_upstream(x, m);
	gw_report_upstream(x, NULL);
	t = render(m);
	ck_assert_ptr_nonnull(strstr(t, "call=\"getMeetings\",outcome=\"bad_reply\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "call=\"getMeetings\",outcome=\"timeout\"} 1\n"));
	free(t);
	gw_exchange_free(x);
	gw_metrics_free(m);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_report_request_counted_by_route);
	tcase_add_test(tc, test_report_upstream_outcomes);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(report_suite)
