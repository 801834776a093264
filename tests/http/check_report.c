/*
 * check_report.c - what a finished exchange reports: its request counted
 * under its route, method and status, its BBB call under the call and
 * outcome (an unreadable reply after HTTP 200 as bad_reply), nothing
 * counted without metrics.
 */
#include <string.h>

#include "config.h"
#include "metrics.h"
#include "report.h"
#include "request.h"
#include "router.h"
#include "testutil.h"

static struct gw_metrics *metrics(void)
{
	const char *pats[64];
	size_t n;
	size_t i;
	const struct gw_route *routes = gw_router_routes(&n);

	for (i = 0; i < n && i < GW_ARRAY_SIZE(pats); i++)
		pats[i] = routes[i].pattern;
	return gw_metrics_new(pats, i);
}

static char *render(const struct gw_metrics *m)
{
	struct gw_buf b;

	gw_buf_init(&b, 1u << 20);
	ck_assert_int_eq(gw_metrics_render(m, NULL, &b), GW_OK);
	return gw_buf_take(&b, NULL);
}

static struct gw_exchange *exchange(void)
{
	struct gw_config *cfg = gw_config_new_defaults();
	struct gw_exchange *x;

	ck_assert_ptr_nonnull(cfg);
	cfg->access_log = false;
	x = gw_exchange_new(cfg);
	gw_config_unref(cfg);
	ck_assert_ptr_nonnull(x);
	return x;
}

START_TEST(test_report_request_counted_by_route)
{
	struct gw_metrics *m = metrics();
	struct gw_exchange *x = exchange();
	char *t;

	x->req.method_name = "GET";
	x->req.route = gw_router_find(GW_METHOD_GET, "/healthz");
	ck_assert_ptr_nonnull(x->req.route);
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
	struct gw_exchange *x = exchange();
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
