/*
 * check_report.c - what a finished exchange reports: its request counted
 * under its route, method and status, its BBB call under the call and
 * outcome (an unreadable reply after HTTP 200 as bad_reply), nothing
 * counted without metrics, and its access line naming the fleet server
 * its BBB call went to.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "bbb_calls.h"
#include "log.h"
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

/* A stand-in for a fleet server: its name is the string it points at. */
static const char *fake_server_name(const void *server)
{
	return server;
}

/* The access line of x, written to a pipe and read back (a static buffer). */
static const char *access_line(const struct gw_exchange *x)
{
	static char line[4096];
	int fd[2];
	ssize_t n;

	ck_assert_int_eq(pipe(fd), 0);
	ck_assert_int_eq(fcntl(fd[0], F_SETFL, O_NONBLOCK), 0);
	gw_log_set_fd(fd[1]);
	gw_report_request(x, NULL, 1.0, 10);
	gw_log_set_fd(2);
	n = read(fd[0], line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	close(fd[0]);
	close(fd[1]);
	return line;
}

START_TEST(test_report_access_names_the_server)
{
	struct gw_config *cfg = gw_test_config("bbb = { url = \"http://bbb.test/api\"; "
					       "secret = \"s\"; };\n");
	struct gw_exchange *x = gw_test_exchange(cfg, "GET", "/v1/meetings/m1");
	struct gw_services svc = {.server_name = fake_server_name};
	const char *line;

	x->req.svc = &svc;
	x->resp.status = 200;
	x->bbb.name = "getMeetingInfo";
	x->up.url = gw_test_xstrdup(x, "http://bbb.test/api/getMeetingInfo");
	x->up.http_status = 200;
	x->bbb.server = (void *)"bbb2";
	line = access_line(x);
	ck_assert_msg(strstr(line, "bbb_call=\"getMeetingInfo\" server=\"bbb2\" ") != NULL, "%s",
		      line);
	/* the configuration's first server (no fleet) is not named */
	x->bbb.server = NULL;
	line = access_line(x);
	ck_assert_msg(strstr(line, "bbb_call=\"getMeetingInfo\"") != NULL, "%s", line);
	ck_assert_msg(strstr(line, "server=") == NULL, "%s", line);
	/* nor is a server whose call never went out */
	x->bbb.server = (void *)"bbb2";
	x->up.url = NULL;
	line = access_line(x);
	ck_assert_msg(strstr(line, "server=") == NULL, "%s", line);
	x->bbb.server = NULL;
	gw_exchange_free(x);
	gw_config_unref(cfg);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_report_request_counted_by_route);
	tcase_add_test(tc, test_report_upstream_outcomes);
	tcase_add_test(tc, test_report_access_names_the_server);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(report_suite)
