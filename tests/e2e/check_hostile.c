/*
 * check_hostile.c - hostile request heads and slow clients, over raw
 * sockets (rawhttp.h): 150 query arguments answered without leaking a
 * request, a head near the connection's memory refused before any BBB
 * call while one under it gets its answer, repeated Host/Authorization,
 * control characters and bare LF refused, Expect checked before 100
 * Continue, and the connection guard: header deadline, reserve for new
 * clients. The size and framing limits themselves are in check_limits.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "rawhttp.h"
#include "testutil.h"

START_TEST(test_hostile_reserve_serves_new_clients)
{
	int slow[16];
	struct raw c;
	struct raw_reply r;
	int i;
	int k;

	gateway_down();
	cfg->max_connections = 16;
	cfg->connection_reserve = 4;
	cfg->per_ip_connections = 0;
	gateway_up();
	/* Slow clients hold every connection with half a request line. */
	for (i = 0; i < 16; i++) {
		slow[i] = tcp_connect(gw_gateway_port(gw));
		ck_assert(send_all(slow[i], "GET /hea", 8));
		sleep_ms(5);
	}
	sleep_ms(200);
	/* Each new client displaces the slowest waiting one and is served. */
	for (k = 0; k < 6; k++) {
		ck_assert_int_eq(exchange(&c, HEALTHZ, &r), RAW_OK);
		ck_assert_int_eq(r.status, 200);
		raw_close(&c);
	}
	ck_assert(fd_closed(slow[0], 2000));
	for (i = 0; i < 16; i++)
		close(slow[i]);
	wait_serving(3000);
}
END_TEST

START_TEST(test_hostile_header_deadline_ends_trickling_clients)
{
	static const char line[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
	int fds[8];
	long long t0;
	int i;
	int step;
	bool all_closed = false;

	gateway_down();
	cfg->header_timeout_s = 1;
	cfg->idle_timeout_s = 30;
	gateway_up();
	for (i = 0; i < 8; i++) {
		fds[i] = tcp_connect(gw_gateway_port(gw));
		ck_assert(send_all(fds[i], line, sizeof(line) - 1));
	}
	/* One byte each every 200 ms: never idle, so only a header deadline ends them. */
	t0 = now_ms();
	for (step = 0; step < 40 && !all_closed; step++) {
		all_closed = true;
		for (i = 0; i < 8; i++)
			all_closed &= !send_all(fds[i], "a", 1) || fd_closed(fds[i], 0);
		sleep_ms(200);
	}
	ck_assert_msg(all_closed, "trickling clients still connected after %lld ms", now_ms() - t0);
	for (i = 0; i < 8; i++)
		close(fds[i]);
	assert_serving();
}
END_TEST

/* --- hostile heads ------------------------------------------------------ */

/* /metrics' requests_in_flight gauge (the scrape itself counts one). */
static long long http_in_flight(void)
{
	struct reply rep;
	const char *p;
	long long v;

	call(&rep, "GET", "/metrics", tok_all, NULL);
	ck_assert_int_eq(rep.status, 200);
	p = strstr(gw_buf_str(&rep.body), "\nbbb_gateway_http_requests_in_flight ");
	ck_assert_ptr_nonnull(p);
	v = strtoll(p + strlen("\nbbb_gateway_http_requests_in_flight "), NULL, 10);
	reply_free(&rep);
	return v;
}

START_TEST(test_hostile_many_arguments_answered_without_leak)
{
	char path[4096];
	size_t n = 0;
	struct raw c;
	struct raw_reply r;
	long long inflight;
	int i;
	int k;

	n += (size_t)snprintf(path, sizeof(path), "/healthz?");
	for (i = 0; i < 150; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "%sp%d=x", i ? "&" : "", i);
	for (k = 0; k < 50; k++) {
		ck_assert_int_eq(exchange(&c, padded_request(path, 0, 0), &r), RAW_OK);
		ck_assert_int_eq(r.status, 400);
		ck_assert_ptr_nonnull(strstr(r.body, "Too many query parameters"));
		raw_close(&c);
	}
	/*
	 * Every request ended: nothing left counted as in flight but the
	 * scrape. A completion may trail its response by a moment (the
	 * previous scrape's too), so poll; a leaked request would keep the
	 * gauge above 1 for good.
	 */
	inflight = http_in_flight();
	for (k = 0; k < 500 && inflight != 1; k++) {
		sleep_ms(20);
		inflight = http_in_flight();
	}
	ck_assert_int_eq(inflight, 1);
	assert_serving();
}
END_TEST

START_TEST(test_hostile_big_header_create_gets_its_answer)
{
	static const char body[] = "{\"name\":\"Big header\",\"meetingID\":\"big-hdr\"}";
	char pad[8300];
	char extra[8400];
	char req[12000];
	struct raw c;
	struct raw_reply r;
	size_t before;

	memset(pad, 'h', 5000);
	pad[5000] = '\0';
	snprintf(extra, sizeof(extra), "X-Big: %s\r\nContent-Length: %zu\r\n", pad,
		 sizeof(body) - 1);
	post_head(req, sizeof(req), extra);
	snprintf(req + strlen(req), sizeof(req) - strlen(req), "%s", body);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 201);
	raw_close(&c);
	/*
	 * Past the limit (the 7,400-byte header that once created a meeting
	 * and lost the answer): refused before any BBB call, and the refusal
	 * arrives.
	 */
	memset(pad, 'h', 7400);
	pad[7400] = '\0';
	snprintf(extra, sizeof(extra), "X-Big: %s\r\nContent-Length: %zu\r\n", pad,
		 sizeof(body) - 1);
	post_head(req, sizeof(req), extra);
	snprintf(req + strlen(req), sizeof(req) - strlen(req), "%s", body);
	before = bbbsim_request_count(sim);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	assert_problem_and_close(&c, &r, 431, "headers_too_large");
	raw_close(&c);
	ck_assert_uint_eq(bbbsim_request_count(sim), before);
	assert_serving();
}
END_TEST

/* Sends req on a fresh connection and expects a 400 problem, then close. */
static void expect_400(const char *req, const char *detail)
{
	struct raw c;
	struct raw_reply r;

	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_msg(strstr(r.body, detail) != NULL, "%s: %s", detail, r.body);
	assert_problem_and_close(&c, &r, 400, "bad_request");
	raw_close(&c);
}

START_TEST(test_hostile_ambiguous_heads_are_400)
{
	char req[1024];
	static const char nul_req[] = "GET /healthz HTTP/1.1\r\n" HOST "X-A: a\0b\r\n\r\n";
	struct raw c;
	struct raw_reply r;

	expect_400("GET /healthz HTTP/1.1\r\n" HOST "Host: other.example\r\n\r\n", "Repeated Host");
	snprintf(req, sizeof(req),
		 "GET /v1/meetings HTTP/1.1\r\n" HOST "Authorization: Bearer %s\r\n"
		 "Authorization: Bearer bgw_x\r\n\r\n",
		 tok_all);
	expect_400(req, "Repeated Authorization");
	expect_400("GET /healthz HTTP/1.1\r\n" HOST "X-A: a\rb\r\n\r\n", "Control character");
	raw_open(&c);
	ck_assert(send_all(c.fd, nul_req, sizeof(nul_req) - 1));
	ck_assert_int_eq(raw_read(&c, &r, IO_MS), RAW_OK);
	assert_problem_and_close(&c, &r, 400, "bad_request");
	raw_close(&c);
	/* Bare LF after the request line or a header line. */
	expect_400("GET /healthz HTTP/1.1\n" HOST "\r\n", "line ending");
	expect_400("GET /healthz HTTP/1.1\r\nX-A: a\n" HOST "\r\n", "line ending");
	assert_serving();
}
END_TEST

START_TEST(test_hostile_expect_checked_before_continue)
{
	static const char body[] = "{\"name\":\"Expecting\",\"meetingID\":\"expect-1\"}";
	char req[1024];
	struct raw c;
	struct raw_reply r;

	/* An unknown expectation: 417, nothing else done. */
	ck_assert_int_eq(exchange(&c,
				  "POST /v1/meetings HTTP/1.1\r\n" HOST "Expect: "
				  "something-else\r\nContent-"
				  "Length: 2\r\n\r\n",
				  &r),
			 RAW_OK);
	assert_problem_and_close(&c, &r, 417, "expectation_failed");
	raw_close(&c);
	/* No valid token: 401 at once, no 100 Continue first. */
	ck_assert_int_eq(exchange(&c,
				  "POST /v1/meetings HTTP/1.1\r\n" HOST "Authorization: Bearer "
				  "bgw_not_a_token\r\n"
				  "Content-Type: application/json\r\n"
				  "Expect: 100-continue\r\nContent-Length: 20\r\n\r\n",
				  &r),
			 RAW_OK);
	ck_assert_int_eq(r.status, 401);
	raw_close(&c);
	/* A token without the scope: 403 at once. */
	snprintf(req, sizeof(req),
		 "POST /v1/meetings HTTP/1.1\r\n" HOST "Authorization: Bearer %s\r\n"
		 "Content-Type: application/json\r\n"
		 "Expect: 100-continue\r\nContent-Length: 20\r\n\r\n",
		 tok_read);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 403);
	raw_close(&c);
	/* A good token: 100 Continue, then the answer. */
	snprintf(req, sizeof(req),
		 "POST /v1/meetings HTTP/1.1\r\n" HOST "Authorization: Bearer %s\r\n"
		 "Content-Type: application/json\r\n"
		 "Expect: 100-continue\r\nContent-Length: %zu\r\n\r\n",
		 tok_all, strlen(body));
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 100);
	ck_assert(send_all(c.fd, body, strlen(body)));
	ck_assert_int_eq(raw_read(&c, &r, IO_MS), RAW_OK);
	ck_assert_int_eq(r.status, 201);
	raw_close(&c);
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("client");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_hostile_reserve_serves_new_clients);
	tcase_add_test(tc, test_hostile_header_deadline_ends_trickling_clients);
	tcase_add_test(tc, test_hostile_many_arguments_answered_without_leak);
	tcase_add_test(tc, test_hostile_big_header_create_gets_its_answer);
	tcase_add_test(tc, test_hostile_ambiguous_heads_are_400);
	tcase_add_test(tc, test_hostile_expect_checked_before_continue);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(hostile_suite)
