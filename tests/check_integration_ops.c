/*
 * check_integration_ops.c - what operators rely on, end to end: metrics,
 * per-token rate limits, reload without dropping requests, drain on stop,
 * and no secret, token, checksum or BBB query in any log line.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	ck_assert_ptr_nonnull(
		strstr(text, "bbb_gateway_upstream_requests_total{call=\"getMeetings\",outcome=\"ok\"} 1"));
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

static void hash_text(const char *token, char out[72])
{
	unsigned char h[GW_AUTH_HASH_LEN];

	ck_assert_int_eq(gw_auth_hash_token(token, strlen(token), h), GW_OK);
	memcpy(out, "sha256:", 7);
	gw_crypto_hex(h, sizeof(h), out + 7);
}

static void write_config(const char *path, bool with_reader)
{
	char all[72], reader[72];
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	hash_text(tok_all, all);
	hash_text(tok_read, reader);
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

/* Reads everything written to fd (non-blocking) into a malloc'd string. */
static char *slurp(int fd)
{
	struct gw_buf b;
	char tmp[4096];
	ssize_t n;

	gw_buf_init(&b, 1 << 24);
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		ck_assert_int_eq(gw_buf_append(&b, tmp, (size_t)n), GW_OK);
	return gw_buf_take(&b, NULL);
}

START_TEST(test_integration_ops_no_secrets_in_logs)
{
	static const char *const reqs[][3] = {
		{"GET", "/v1/server", NULL},
		{"POST", "/v1/meetings", "{\"name\":\"Secretive\",\"meetingID\":\"sec-1\","
					 "\"moderatorPW\":\"mod-pass-4711\",\"attendeePW\":\"att-pass-4711\"}"},
		{"GET", "/v1/meetings", NULL},
		{"GET", "/v1/meetings/sec-1", NULL},
		{"GET", "/v1/meetings/sec-1/running", NULL},
		{"POST", "/v1/meetings/sec-1/join", "{\"fullName\":\"A\",\"password\":\"mod-pass-4711\"}"},
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
	logs = slurp(fds[0]);
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
	hash_text(tok_all, all);
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
	logs = slurp(fds[0]);
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
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(integration_ops_suite)
