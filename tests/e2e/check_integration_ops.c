/*
 * check_integration_ops.c - what operators rely on, end to end: metrics,
 * per-token rate limits, reload without dropping requests, drain on stop,
 * no secret, token, checksum or BBB query in any log line, and /readyz
 * sending few BBB probes however often it is asked.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "testutil.h"

START_TEST(test_integration_ops_metrics)
{
	struct reply r;
	const char *text;
	int i;

	call(&r, "GET", "/metrics", tok_read, NULL);
	assert_problem(&r, 403, "forbidden");
	ck_assert_str_eq(jstr(&r, "scope"), "metrics");
	reply_free(&r);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "GET", "/v1/nowhere", tok_read, NULL);
	reply_free(&r);
	/* A request is counted when MHD completes it, which may be after the client has its reply. */
	for (i = 0; i < 200; i++) {
		call(&r, "GET", "/metrics", tok_all, NULL);
		if (strstr(gw_buf_str(&r.body), "route=\"(unmatched)\"") != NULL &&
		    strstr(gw_buf_str(&r.body), "route=\"/v1/meetings\",method=\"GET\"") != NULL)
			break;
		reply_free(&r);
		usleep(5 * 1000);
	}
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(header(&r, "Content-Type"), "text/plain"));
	text = gw_buf_str(&r.body);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE bbb_gateway_http_requests_total counter"));
	ck_assert_ptr_nonnull(strstr(text, "bbb_gateway_http_requests_total{route=\"/v1/meetings\","
					   "method=\"GET\",status=\"200\"} 1"));
	ck_assert_ptr_nonnull(strstr(text, "route=\"(unmatched)\""));
	ck_assert_ptr_nonnull(strstr(text, "bbb_gateway_upstream_requests_total{call="
					   "\"getMeetings\",outcome=\"ok\"} 1"));
	ck_assert_ptr_nonnull(strstr(text, "bbb_gateway_build_info{"));
	ck_assert_ptr_null(strstr(text, tok_all));
	ck_assert_ptr_null(strstr(text, HARNESS_SECRET));
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_ops_metrics_public)
{
	struct reply r;

	cfg->metrics_public = true; /* the snapshot is only read by requests */
	call(&r, "GET", "/metrics", NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_ops_rate_limit)
{
	struct reply r;
	int limited = 0;
	int i;

	restart_gateway(HARNESS_SECRET, GW_DIGEST_SHA256);
	/* 0.01/s with a burst of 5: the sixth request within the test is over. */
	cfg->tokens[1].rate_per_s = 0.01;
	cfg->tokens[1].burst = 5;
	for (i = 0; i < 15; i++) {
		call(&r, "GET", "/v1/meetings/r-1/running", tok_read, NULL);
		if (r.status == 429) {
			limited++;
			assert_problem(&r, 429, "rate_limited");
			ck_assert_ptr_nonnull(header(&r, "Retry-After"));
			ck_assert_int_ge(atoi(header(&r, "Retry-After")), 1);
		} else {
			ck_assert_int_eq(r.status, 200);
		}
		reply_free(&r);
	}
	ck_assert_int_eq(limited, 10);
	/* Another token is not affected. */
	call(&r, "GET", "/v1/meetings/r-1/running", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}
END_TEST

struct bg {
	struct reply r;
	const char *path;
};

static void *bg_call(void *p)
{
	struct bg *b = p;

	call(&b->r, "GET", b->path, tok_read, NULL);
	return NULL;
}

START_TEST(test_integration_ops_drain_finishes_in_flight)
{
	struct bbbsim_fault slow = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 800};
	struct bg b = {.path = "/v1/meetings"};
	pthread_t th;

	bbbsim_set_fault(sim, "getMeetings", &slow);
	ck_assert_int_eq(pthread_create(&th, NULL, bg_call, &b), 0);
	while (bbbsim_request_count(sim) < 1)
		usleep(5 * 1000);
	gw_gateway_stop(gw); /* drains: waits for the slow request */
	gw = NULL;
	pthread_join(th, NULL);
	ck_assert_int_eq(b.r.status, 200);
	ck_assert(json_is_array(json_object_get(b.r.json, "meetings")));
	reply_free(&b.r);
}
END_TEST

START_TEST(test_integration_ops_drain_deadline_answers_503)
{
	struct bbbsim_fault slow = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 2500};
	struct bg b = {.path = "/v1/meetings"};
	pthread_t th;

	cfg->shutdown_timeout_ms = 200;
	bbbsim_set_fault(sim, "getMeetings", &slow);
	ck_assert_int_eq(pthread_create(&th, NULL, bg_call, &b), 0);
	while (bbbsim_request_count(sim) < 1)
		usleep(5 * 1000);
	gw_gateway_stop(gw);
	gw = NULL;
	pthread_join(th, NULL);
	assert_problem(&b.r, 503, "unavailable");
	ck_assert_ptr_nonnull(header(&b.r, "Retry-After"));
	reply_free(&b.r);
}
END_TEST

static void write_config(const char *path, bool with_reader)
{
	char all[72], reader[72];
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	harness_token_hash(tok_all, all);
	harness_token_hash(tok_read, reader);
	fprintf(f,
		"listen = { port = 0; threads = 2; };\n"
		"bbb = { url = \"http://127.0.0.1:%u/bigbluebutton/api\"; secret = \"%s\"; };\n"
		"log = { level = \"error\"; access = false; };\n"
		"tokens = ( { name = \"all\"; hash = \"%s\"; scopes = [ \"*\" ]; }%s%s%s );\n",
		bbbsim_port(sim), HARNESS_SECRET, all,
		with_reader ? ", { name = \"reader\"; hash = \"" : "", with_reader ? reader : "",
		with_reader ? "\"; scopes = [ \"meetings:read\" ]; }" : "");
	fclose(f);
}

/*
 * Shared by the main thread and both hammer threads: atomics, not volatile
 * (TSan reported the plain ints as a data race, and two hammers adding to
 * one counter could lose updates).
 */
struct hammer {
	atomic_bool stop;
	atomic_int failures;
	atomic_int done;
};

static void *hammer_run(void *p)
{
	struct hammer *h = p;
	struct reply r;

	while (!atomic_load(&h->stop)) {
		call(&r, "GET", "/v1/meetings/h-1/running", tok_all, NULL);
		if (r.status != 200)
			atomic_fetch_add(&h->failures, 1);
		atomic_fetch_add(&h->done, 1);
		reply_free(&r);
	}
	return NULL;
}

START_TEST(test_integration_ops_reload_under_load)
{
	char path[] = "/tmp/gw-reload-XXXXXX";
	struct gw_config *loaded = NULL;
	struct gw_buf msg;
	struct hammer h = {0};
	pthread_t th[2];
	struct reply r;
	int fd = mkstemp(path);
	int i;

	ck_assert_int_ge(fd, 0);
	close(fd);
	gw_gateway_stop(gw);
	gw_config_unref(cfg);
	write_config(path, false);
	gw_buf_init(&msg, 4096);
	ck_assert_msg(gw_config_load(path, &loaded, &msg) == GW_OK, "%s", gw_buf_str(&msg));
	cfg = loaded;
	ck_assert_int_eq(gw_gateway_start(cfg, -1, &gw), GW_OK);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_int_eq(r.status, 401);
	reply_free(&r);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer_run, &h), 0);
	for (i = 0; i < 6; i++) {
		write_config(path, i % 2 == 0);
		ck_assert_int_eq(gw_gateway_reload(gw), GW_OK);
		call(&r, "GET", "/v1/meetings", tok_read, NULL);
		ck_assert_int_eq(r.status, i % 2 == 0 ? 200 : 401);
		reply_free(&r);
	}
	/* An invalid file is refused and the running configuration stays. */
	write_config(path, true);
	ck_assert_int_eq(gw_gateway_reload(gw), GW_OK);
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, "tokens = ( oops", 15), 15);
	close(fd);
	ck_assert_int_ne(gw_gateway_reload(gw), GW_OK);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	atomic_store(&h.stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_gt(atomic_load(&h.done), 0);
	ck_assert_int_eq(atomic_load(&h.failures), 0);
	gw_buf_deinit(&msg);
	unlink(path);
}
END_TEST

START_TEST(test_integration_ops_no_secrets_in_logs)
{
	static const char *const reqs[][3] = {
		{"GET", "/v1/server", NULL},
		{"POST", "/v1/meetings",
		 "{\"name\":\"Secretive\",\"meetingID\":\"sec-1\","
		 "\"moderatorPW\":\"mod-pass-4711\",\"attendeePW\":\"att-pass-4711\"}"},
		{"GET", "/v1/meetings", NULL},
		{"GET", "/v1/meetings/sec-1", NULL},
		{"GET", "/v1/meetings/sec-1/running", NULL},
		{"POST", "/v1/meetings/sec-1/join",
		 "{\"fullName\":\"A\",\"password\":\"mod-pass-4711\"}"},
		{"POST", "/v1/meetings/sec-1/chat", "{\"message\":\"hi\"}"},
		{"GET", "/v1/recordings", NULL},
		{"GET", "/v1/hooks", NULL},
		{"GET", "/metrics", NULL},
		{"POST", "/v1/meetings/sec-1/end", "{\"password\":\"mod-pass-4711\"}"},
	};
	int fds[2];
	struct reply r;
	char *logs;
	size_t i;

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
	restart_gateway(HARNESS_SECRET, GW_DIGEST_SHA256);
	cfg->access_log = true;
	gw_log_setup(GW_LOG_DEBUG, GW_LOG_FORMAT_JSON);
	gw_log_set_fd(fds[1]);
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		call(&r, reqs[i][0], reqs[i][1], tok_all, reqs[i][2]);
		reply_free(&r);
	}
	call(&r, "GET", "/v1/meetings", "bgw_wrong-token-value", NULL);
	reply_free(&r);
	restart_gateway("wrong-secret-value", GW_DIGEST_SHA256);
	gw_log_setup(GW_LOG_DEBUG, GW_LOG_FORMAT_JSON);
	call(&r, "GET", "/v1/meetings", tok_all, NULL);
	reply_free(&r);
	gw_log_set_fd(2);
	logs = harness_slurp(fds[0]);
	ck_assert_ptr_nonnull(strstr(logs, "\"type\":\"access\""));
	ck_assert_ptr_nonnull(strstr(logs, "/v1/meetings/{meetingID}/join"));
	ck_assert_ptr_null(strstr(logs, tok_all));
	ck_assert_ptr_null(strstr(logs, "bgw_wrong-token-value"));
	ck_assert_ptr_null(strstr(logs, HARNESS_SECRET));
	ck_assert_ptr_null(strstr(logs, "wrong-secret-value"));
	ck_assert_ptr_null(strstr(logs, "mod-pass-4711"));
	ck_assert_ptr_null(strstr(logs, "att-pass-4711"));
	ck_assert_ptr_null(strstr(logs, "checksum="));
	ck_assert_ptr_null(strstr(logs, "meetingID=sec-1"));
	free(logs);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/*
 * bbb.url with user-info (BBB behind a proxy with basic auth): curl uses
 * it, but neither the log nor the join URL (public_url defaults to url)
 * may carry it.
 */
START_TEST(test_integration_ops_url_credentials_hidden)
{
	char path[] = "/tmp/gw-creds-XXXXXX";
	char all[72];
	char want[160];
	struct gw_config *loaded = NULL;
	struct gw_buf msg;
	struct reply r;
	int fds[2];
	char *logs;
	const char *url;
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	close(fd);
	gw_gateway_stop(gw);
	gw = NULL;
	gw_config_unref(cfg);
	harness_token_hash(tok_all, all);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"listen = { port = 0; threads = 2; };\n"
		"bbb = { url = \"http://gw-user:pw-h7Qz@127.0.0.1:%u/bigbluebutton/api\";\n"
		"        secret = \"%s\"; };\n"
		"log = { level = \"debug\"; access = true; };\n"
		"tokens = ( { name = \"all\"; hash = \"%s\"; scopes = [ \"*\" ]; } );\n",
		bbbsim_port(sim), HARNESS_SECRET, all);
	fclose(f);
	gw_buf_init(&msg, 4096);
	ck_assert_msg(gw_config_load(path, &loaded, &msg) == GW_OK, "%s", gw_buf_str(&msg));
	gw_buf_deinit(&msg);
	unlink(path);
	cfg = loaded;
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
	gw_log_set_fd(fds[1]);
	ck_assert_int_eq(gw_gateway_start(cfg, -1, &gw), GW_OK);
	create_meeting("cred-1");
	call(&r, "POST", "/v1/meetings/cred-1/join", tok_all,
	     "{\"fullName\":\"Ada\",\"role\":\"VIEWER\"}");
	ck_assert_int_eq(r.status, 200);
	url = jstr(&r, "url");
	ck_assert_ptr_nonnull(url);
	snprintf(want, sizeof(want), "http://127.0.0.1:%u/bigbluebutton/api/join?",
		 bbbsim_port(sim));
	ck_assert_msg(strncmp(url, want, strlen(want)) == 0, "join URL %s", url);
	ck_assert_ptr_null(strstr(url, "pw-h7Qz"));
	ck_assert_ptr_null(strstr(url, "gw-user"));
	reply_free(&r);
	gw_gateway_stop(gw);
	gw = NULL;
	gw_log_set_fd(2);
	logs = harness_slurp(fds[0]);
	ck_assert_ptr_nonnull(strstr(logs, "BBB at http://***@127.0.0.1:"));
	ck_assert_ptr_null(strstr(logs, "pw-h7Qz"));
	ck_assert_ptr_null(strstr(logs, "gw-user"));
	free(logs);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* Start, serve, drain, stop: many times in a row, as reloads of a unit would. */
START_TEST(test_integration_ops_start_stop_cycles)
{
	struct reply r;
	int i;

	for (i = 0; i < 60; i++) {
		call(&r, "GET", "/healthz", NULL, NULL);
		ck_assert_int_eq(r.status, 200);
		reply_free(&r);
		restart_gateway(HARNESS_SECRET, GW_DIGEST_SHA256);
	}
}
END_TEST

/* ---- /readyz: one probe at a time, answered from a short cache ---- */

/* limits.readyz_cache_ms (the default, 1 s, in these tests). */
static double window_ms(void)
{
	return (double)cfg->readyz_cache_ms;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* BBB API root calls the simulator received (the readiness probes). */
static size_t root_calls(void)
{
	struct bbbsim_request rec;
	size_t n = 0;
	size_t i;

	for (i = 0; bbbsim_request_get(sim, i, &rec); i++) {
		n += strcmp(rec.call, "") == 0;
		bbbsim_request_free(&rec);
	}
	return n;
}

/* Probes allowed in elapsed_ms: one per window, plus the one running when it started. */
static size_t probe_bound(double elapsed_ms)
{
	return 2 + (size_t)(elapsed_ms / window_ms());
}

/* One BBB connection: a BBB call per /readyz would queue real calls behind the flood. */
static void one_bbb_connection(struct gw_config *c)
{
	c->bbb_max_connections = 1;
	c->bbb_timeout_ms = 1500;
}

struct flood {
	atomic_int left; /* /readyz requests still to send, shared by the threads */
	atomic_int ready;
	atomic_int other;
};

static void *flood_run(void *p)
{
	struct flood *f = p;
	struct reply r;

	while (atomic_fetch_sub(&f->left, 1) > 0) {
		call(&r, "GET", "/readyz", NULL, NULL);
		atomic_fetch_add(r.status == 200 ? &f->ready : &f->other, 1);
		reply_free(&r);
	}
	return NULL;
}

START_TEST(test_integration_ops_readyz_flood_sends_few_probes)
{
	struct bbbsim_fault slow = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 200};
	struct flood f;
	pthread_t th[16];
	struct reply r;
	double t0;
	double elapsed;
	size_t probes;
	int real = 0;
	int i;

	harness_tweak = one_bbb_connection;
	restart_gateway(HARNESS_SECRET, GW_DIGEST_SHA256);
	harness_tweak = NULL;
	bbbsim_set_fault(sim, "", &slow);
	atomic_init(&f.left, 200);
	atomic_init(&f.ready, 0);
	atomic_init(&f.other, 0);
	t0 = now_ms();
	call(&r, "GET", "/readyz", NULL, NULL); /* the first probe: BBB is known ready */
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, flood_run, &f), 0);
	/* Authenticated BBB-backed calls during the flood all get through. */
	while (atomic_load(&f.left) > 0 || real == 0) {
		call(&r, "GET", "/v1/meetings/fl-1/running", tok_read, NULL);
		ck_assert_int_eq(r.status, 200);
		reply_free(&r);
		real++;
	}
	for (i = 0; i < 16; i++)
		pthread_join(th[i], NULL);
	elapsed = now_ms() - t0;
	/* BBB is up all along: every answer is ready, from the cache or the last result. */
	ck_assert_int_eq(atomic_load(&f.ready), 200);
	ck_assert_int_eq(atomic_load(&f.other), 0);
	probes = root_calls();
	ck_assert_msg(probes <= probe_bound(elapsed), "%zu probes in %.0f ms", probes, elapsed);
}
END_TEST

/* Polls /readyz until it answers want (at most ~10 s); returns the last reply. */
static void poll_readyz(long want, struct reply *r)
{
	int i;

	for (i = 0; i < 500; i++) {
		call(r, "GET", "/readyz", NULL, NULL);
		if (r->status == want)
			return;
		reply_free(r);
		usleep(20 * 1000);
	}
	ck_abort_msg("/readyz never answered %ld", want);
}

START_TEST(test_integration_ops_readyz_follows_bbb_within_a_window)
{
	struct bbbsim_fault down = {.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 500};
	struct reply r;
	double t0;
	double elapsed;
	size_t probes;
	int i;

	call(&r, "GET", "/readyz", NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	bbbsim_set_fault(sim, "", &down);
	bbbsim_clear_log(sim);
	t0 = now_ms();
	poll_readyz(503, &r);
	elapsed = now_ms() - t0;
	/* Within one window plus one probe (which may take up to bbb.timeout_ms). */
	ck_assert_msg(elapsed < window_ms() + cfg->bbb_timeout_ms, "BBB down seen after %.0f ms",
		      elapsed);
	assert_problem(&r, 503, "unavailable");
	ck_assert_str_eq(header(&r, "Retry-After"), "5");
	ck_assert_ptr_nonnull(strstr(jstr(&r, "detail"), "HTTP 502"));
	reply_free(&r);
	/* Asked again and again, the gateway answers from the failed probe. */
	for (i = 0; i < 30; i++) {
		call(&r, "GET", "/readyz", NULL, NULL);
		assert_problem(&r, 503, "unavailable");
		ck_assert_str_eq(header(&r, "Retry-After"), "5");
		reply_free(&r);
		usleep(10 * 1000);
	}
	/* BBB comes back. */
	bbbsim_set_fault(sim, "", NULL);
	poll_readyz(200, &r);
	reply_free(&r);
	elapsed = now_ms() - t0;
	probes = root_calls();
	ck_assert_msg(probes <= probe_bound(elapsed), "%zu probes in %.0f ms", probes, elapsed);
}
END_TEST

static void *readyz_bg(void *p)
{
	call(p, "GET", "/readyz", NULL, NULL);
	return NULL;
}

START_TEST(test_integration_ops_readyz_unknown_while_first_probe_runs)
{
	struct bbbsim_fault slow = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 500};
	struct reply first;
	struct reply r;
	pthread_t th;

	bbbsim_set_fault(sim, "", &slow);
	ck_assert_int_eq(pthread_create(&th, NULL, readyz_bg, &first), 0);
	while (root_calls() < 1)
		usleep(5 * 1000);
	call(&r, "GET", "/readyz", NULL, NULL);
	assert_problem(&r, 503, "unavailable");
	ck_assert_str_eq(header(&r, "Retry-After"), "1");
	reply_free(&r);
	pthread_join(th, NULL);
	ck_assert_int_eq(first.status, 200);
	reply_free(&first);
	ck_assert_uint_eq(root_calls(), 1);
	/* The probe's result now answers at once. */
	call(&r, "GET", "/readyz", NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_uint_eq(root_calls(), 1);
}
END_TEST

static Suite *integration_ops_suite(void)
{
	Suite *s = suite_create("integration_ops");
	TCase *tc = tcase_create("ops");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_integration_ops_metrics);
	tcase_add_test(tc, test_integration_ops_metrics_public);
	tcase_add_test(tc, test_integration_ops_rate_limit);
	tcase_add_test(tc, test_integration_ops_reload_under_load);
	tcase_add_test(tc, test_integration_ops_drain_finishes_in_flight);
	tcase_add_test(tc, test_integration_ops_drain_deadline_answers_503);
	tcase_add_test(tc, test_integration_ops_no_secrets_in_logs);
	tcase_add_test(tc, test_integration_ops_url_credentials_hidden);
	tcase_add_test(tc, test_integration_ops_start_stop_cycles);
	tcase_add_test(tc, test_integration_ops_readyz_flood_sends_few_probes);
	tcase_add_test(tc, test_integration_ops_readyz_follows_bbb_within_a_window);
	tcase_add_test(tc, test_integration_ops_readyz_unknown_while_first_probe_runs);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(integration_ops_suite)
