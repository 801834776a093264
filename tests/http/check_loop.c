/*
 * check_loop.c - the HTTP server's event loops (loop.c) through a real
 * gateway and the BBB simulator: a BBB call completes on the thread of the
 * loop that accepted its request (each loop counts the exchanges that
 * ended on its own thread and on others), requests from many clients at
 * once spread over the loops, stopping with calls in flight answers each
 * of them 503 once, and each loop reuses its own upstream connections
 * (the simulator counts the connections it accepted).
 */
#include <check.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gateway.h"
#include "harness.h"
#include "http_server.h"
#include "testutil.h"

#define N_LOOPS 2u
#define MAX_LOOPS 8u

static void two_loops(struct gw_config *c)
{
	c->threads = N_LOOPS;
	c->shutdown_timeout_ms = 200;
}

static void shared_pool(struct gw_config *c)
{
	two_loops(c);
	c->bbb_shared_pool = true;
}

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static struct curl_slist *hdrs; /* made in the fixture, before any client thread */

static void make_headers(void)
{
	char auth[128];

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok_all);
	hdrs = curl_slist_append(NULL, auth);
	ck_assert_ptr_nonnull(hdrs);
}

/* A kept-alive client connection to the gateway. */
static CURL *client_new(void)
{
	CURL *e = curl_easy_init();

	ck_assert_ptr_nonnull(e);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
	return e;
}

/* One GET of the running route on client e; the HTTP status (0 = no answer). */
static long get_running(CURL *e)
{
	char url[256];
	long status = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/meetings/loop-m/running",
		 gw_gateway_port(gw));
	curl_easy_setopt(e, CURLOPT_URL, url);
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static unsigned loop_stats(struct gw_http_loop_stats *st)
{
	unsigned n = MAX_LOOPS;

	memset(st, 0, sizeof(*st) * MAX_LOOPS);
	gw_gateway_loop_stats(gw, st, &n);
	return n;
}

static void setup_loops(void)
{
	harness_tweak = two_loops;
	setup();
	make_headers();
}

static void teardown_loops(void)
{
	curl_slist_free_all(hdrs);
	hdrs = NULL;
	teardown();
}

static void setup_shared(void)
{
	harness_tweak = shared_pool;
	setup();
	make_headers();
}

START_TEST(test_loop_call_completes_on_accepting_thread)
{
	struct gw_http_loop_stats st[MAX_LOOPS];
	unsigned long local = 0;
	unsigned long foreign = 0;
	CURL *e = client_new();
	unsigned n;
	unsigned i;

	for (i = 0; i < 20; i++)
		ck_assert_int_eq(get_running(e), 200);
	curl_easy_cleanup(e);
	n = loop_stats(st);
	ck_assert_uint_eq(n, N_LOOPS);
	for (i = 0; i < n; i++) {
		local += st[i].local_done;
		foreign += st[i].foreign_done;
	}
	ck_assert_uint_eq(local, 20);
	ck_assert_uint_eq(foreign, 0);
}
END_TEST

struct client_job {
	unsigned requests;
	atomic_uint *ok;
};

static void *client_main(void *arg)
{
	struct client_job *j = arg;
	CURL *e = client_new();
	unsigned i;

	for (i = 0; i < j->requests; i++)
		if (get_running(e) == 200)
			atomic_fetch_add(j->ok, 1);
	curl_easy_cleanup(e);
	return NULL;
}

/* n clients at once, each with its own connection, each doing per requests. */
static unsigned run_clients(unsigned n, unsigned per)
{
	pthread_t t[32];
	struct client_job job;
	atomic_uint ok;
	unsigned i;

	atomic_init(&ok, 0);
	job.requests = per;
	job.ok = &ok;
	ck_assert_uint_le(n, 32);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, client_main, &job), 0);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return atomic_load(&ok);
}

START_TEST(test_loop_many_clients_across_loops)
{
	struct gw_http_loop_stats st[MAX_LOOPS];
	unsigned long total = 0;
	unsigned long foreign = 0;
	unsigned round;
	unsigned busy;
	unsigned i;

	/*
	 * Every loop accepts from the one listening socket; which loop takes a
	 * connection is the kernel's choice, so rounds continue until each loop
	 * has served some (a few rounds at most in practice).
	 */
	for (round = 0; round < 10; round++) {
		ck_assert_uint_eq(run_clients(16, 25), 16 * 25);
		loop_stats(st);
		for (i = 0, busy = 0; i < N_LOOPS; i++)
			busy += st[i].requests > 0;
		if (busy == N_LOOPS)
			break;
	}
	ck_assert_uint_eq(busy, N_LOOPS);
	for (i = 0; i < N_LOOPS; i++) {
		total += st[i].local_done;
		foreign += st[i].foreign_done;
		ck_assert_uint_eq(st[i].requests, st[i].local_done);
	}
	ck_assert_uint_eq(total, (round + 1) * 16 * 25);
	ck_assert_uint_eq(foreign, 0);
}
END_TEST

struct slow_job {
	long status;
};

static void *slow_main(void *arg)
{
	struct slow_job *j = arg;
	CURL *e = client_new();

	j->status = get_running(e);
	curl_easy_cleanup(e);
	return NULL;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

START_TEST(test_loop_stop_with_calls_in_flight)
{
	struct bbbsim_fault slow = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 4000};
	struct slow_job jobs[12];
	pthread_t t[12];
	unsigned waited;
	unsigned i;

	bbbsim_set_fault(sim, "isMeetingRunning", &slow);
	bbbsim_clear_log(sim);
	for (i = 0; i < 12; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, slow_main, &jobs[i]), 0);
	for (waited = 0; bbbsim_request_count(sim) < 12 && waited < 5000; waited += 10)
		sleep_ms(10);
	ck_assert_uint_eq(bbbsim_request_count(sim), 12);
	/* shutdown_timeout_ms is 200: every call is still waiting on BBB then. */
	gw_gateway_stop(gw);
	gw = NULL;
	for (i = 0; i < 12; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(jobs[i].status, 503);
	}
}
END_TEST

START_TEST(test_loop_reuses_its_upstream_connections)
{
	CURL *e[6];
	unsigned long before = bbbsim_connections(sim);
	unsigned i;
	unsigned k;

	for (i = 0; i < 6; i++)
		e[i] = client_new();
	/* One request at a time: no loop ever needs a second connection to BBB. */
	for (k = 0; k < 30; k++)
		for (i = 0; i < 6; i++)
			ck_assert_int_eq(get_running(e[i]), 200);
	for (i = 0; i < 6; i++)
		curl_easy_cleanup(e[i]);
	ck_assert_uint_le(bbbsim_connections(sim) - before, N_LOOPS);
	ck_assert_uint_ge(bbbsim_connections(sim) - before, 1);
}
END_TEST

START_TEST(test_loop_shared_pool_hands_off)
{
	struct gw_http_loop_stats st[MAX_LOOPS];
	unsigned long foreign = 0;
	unsigned i;

	ck_assert_uint_eq(run_clients(4, 10), 40);
	loop_stats(st);
	for (i = 0; i < N_LOOPS; i++)
		foreign += st[i].foreign_done;
	ck_assert_uint_eq(foreign, 40);
}
END_TEST

static Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("loops");
	TCase *sh = tcase_create("shared_pool");

	tcase_add_checked_fixture(tc, setup_loops, teardown_loops);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_loop_call_completes_on_accepting_thread);
	tcase_add_test(tc, test_loop_many_clients_across_loops);
	tcase_add_test(tc, test_loop_stop_with_calls_in_flight);
	tcase_add_test(tc, test_loop_reuses_its_upstream_connections);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(sh, setup_shared, teardown_loops);
	tcase_set_timeout(sh, 60);
	tcase_add_test(sh, test_loop_shared_pool_hands_off);
	suite_add_tcase(s, sh);
	return s;
}

GW_TEST_MAIN(loop_suite)
