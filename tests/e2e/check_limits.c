/*
 * check_limits.c - the gateway's defences against hostile clients, driven
 * with the raw-socket HTTP client of rawhttp.h: oversize URL, headers and bodies, Expect: 100-continue,
 * strict framing (CL+TE, unknown codings, repeated or malformed framing
 * headers, missing Host), slowloris and idle clients, the connection caps,
 * keep-alive, HTTP/1.0 and pipelining. Every test ends by checking that
 * other clients are still served. Limits are changed by stopping the
 * harness's gateway, editing its (then unshared) config and starting it
 * again. Hostile heads and the connection guard are in check_hostile.c,
 * upstream faults in check_faults.c, CORS in check_cors.c.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "rawhttp.h"
#include "testutil.h"

/* --- URL, header and body size ---------------------------------------- */

static void small_headers(void)
{
	gateway_down();
	cfg->max_header_bytes = 8 * 1024;
	gateway_up();
}

START_TEST(test_limits_url_over_header_limit_is_414)
{
	char path[24000];
	struct raw c;
	struct raw_reply r;
	const char *req;

	small_headers();
	memcpy(path, "/healthz?q=", 11);
	memset(path + 11, 'a', 3000);
	path[3011] = '\0';
	req = padded_request(path, 0, 0);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 200); /* 3 KB: under the configured 8 KiB */
	raw_close(&c);
	/* Over the limit (8 KiB less 2 KiB) but within the connection's memory: the gateway's 414. */
	memset(path + 11, 'a', 7000);
	path[7011] = '\0';
	req = padded_request(path, 0, 0);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	assert_problem_and_close(&c, &r, 414, "uri_too_long");
	raw_close(&c);
	/* Far over: the HTTP library's plain 414. */
	memset(path + 11, 'a', sizeof(path) - 12);
	path[sizeof(path) - 1] = '\0';
	req = padded_request(path, 0, 0);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 414);
	ck_assert(raw_wait_closed(&c, 2000));
	raw_close(&c);
	assert_serving();
}
END_TEST

START_TEST(test_limits_headers_over_limit_is_431)
{
	struct raw c;
	struct raw_reply r;
	const char *req = padded_request("/healthz", 8, 250);

	small_headers();
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 200); /* 2 KB of headers */
	raw_close(&c);
	/* Over 8 KiB less the 2 KiB kept for the answer: the gateway's own 431. */
	req = padded_request("/healthz", 24, 250);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	assert_problem_and_close(&c, &r, 431, "headers_too_large");
	raw_close(&c);
	/* Over the connection's memory: the HTTP library's plain 431. */
	req = padded_request("/healthz", 40, 250);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 431);
	ck_assert(raw_wait_closed(&c, 2000));
	raw_close(&c);
	assert_serving();
}
END_TEST

/* 413 is the first response: no "100 Continue" invites the body, none of it was sent. */
START_TEST(test_limits_body_over_limit_refused_before_sent)
{
	static const char *const extra[] = {
		"Content-Length: 1048576\r\nExpect: 100-continue\r\n",
		"Content-Length: 1048576\r\n",
	};
	char req[512];
	struct raw c;
	struct raw_reply r;
	size_t i;

	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		long long t0 = now_ms();

		post_head(req, sizeof(req), extra[i]);
		ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
		ck_assert_int_lt(now_ms() - t0, 1000);
		assert_problem_and_close(&c, &r, 413, "body_too_large");
		raw_close(&c);
	}
	/* Past 2^64: MHD answers its own 413 before the gateway sees the request. */
	post_head(req, sizeof(req), "Content-Length: 99999999999999999999999\r\n");
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 413);
	ck_assert(raw_wait_closed(&c, 2000));
	raw_close(&c);
	assert_serving();
}
END_TEST

/* The control for the test above: under the limit, the client is invited to send. */
START_TEST(test_limits_expect_continue_under_limit)
{
	const char *body = "{\"name\":\"Limits\",\"meetingID\":\"lim-continue\"}";
	char extra[128];
	char req[512];
	struct raw c;
	struct raw_reply r;

	snprintf(extra, sizeof(extra), "Content-Length: %zu\r\nExpect: 100-continue\r\n",
		 strlen(body));
	post_head(req, sizeof(req), extra);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 100);
	ck_assert(raw_send(&c, body));
	ck_assert_int_eq(raw_read(&c, &r, IO_MS), RAW_OK);
	ck_assert_int_eq(r.status, 201);
	raw_close(&c);
	assert_serving();
}
END_TEST

START_TEST(test_limits_chunked_body_over_limit_is_413)
{
	char req[512];
	struct raw c;
	struct raw_reply r;

	post_head(req, sizeof(req), "Transfer-Encoding: chunked\r\n");
	raw_open(&c);
	ck_assert(raw_send(&c, req));
	ck_assert(send_chunks(&c, 8, 1024)); /* 8 KiB > limits.max_body_bytes = 4 KiB */
	ck_assert(raw_send(&c, "0\r\n\r\n"));
	ck_assert_int_eq(raw_read(&c, &r, IO_MS), RAW_OK);
	assert_problem_and_close(&c, &r, 413, "body_too_large");
	raw_close(&c);
	assert_serving();
}
END_TEST

/*
 * A chunked body that never ends must not be read forever once it is far
 * over the limit: the gateway should answer 413 or, since MHD 0.9.75
 * refuses MHD_queue_response() while a body is being received, at least
 * close the connection. 256 KiB is 64 times the limit.
 */
START_TEST(test_limits_endless_chunked_body_is_cut_off)
{
	char req[512];
	struct raw c;
	struct raw_reply r;
	int rc;

	post_head(req, sizeof(req), "Transfer-Encoding: chunked\r\n");
	raw_open(&c);
	ck_assert(raw_send(&c, req));
	(void)send_chunks(&c, 32, 8192); /* may fail once the gateway closes */
	rc = raw_read(&c, &r, 2000);
	ck_assert_msg(rc == RAW_CLOSED || (rc == RAW_OK && r.status == 413),
		      "still reading an endless body 64x over the limit (rc %d, status %d)", rc,
		      r.status);
	raw_close(&c);
	assert_serving();
}
END_TEST

/* --- strict framing ----------------------------------------------------- */

static void assert_framing_rejected(const char *extra, const char *body)
{
	char req[1024];
	struct raw c;
	struct raw_reply r;
	long long t0 = now_ms();

	post_head(req, sizeof(req), extra);
	raw_open(&c);
	ck_assert(raw_send(&c, req));
	(void)send_all(c.fd, body, strlen(body));
	ck_assert_int_eq(raw_read(&c, &r, IO_MS), RAW_OK);
	ck_assert_int_lt(now_ms() - t0, 1000);
	assert_problem_and_close(&c, &r, 400, "bad_request");
	raw_close(&c);
	assert_serving();
}

START_TEST(test_limits_cl_with_te_is_400_and_closed)
{
	assert_framing_rejected("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n");
	assert_framing_rejected("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n", "0\r\n\r\n");
}
END_TEST

START_TEST(test_limits_unknown_transfer_coding_is_400_fast)
{
	assert_framing_rejected("Transfer-Encoding: gzip\r\n", "abc");
	assert_framing_rejected("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n");
	assert_framing_rejected("Transfer-Encoding: identity\r\n", "");
}
END_TEST

/*
 * RFC 9112 6.3: differing Content-Length values are an unrecoverable
 * framing error. Read with the first value, the rest of the body would be
 * taken for a second request on the same connection (smuggling).
 */
START_TEST(test_limits_conflicting_content_lengths_are_400)
{
	assert_framing_rejected("Content-Length: 2\r\nContent-Length: 44\r\n", "{}" HEALTHZ);
}
END_TEST

/*
 * Two Transfer-Encoding fields form the list "chunked, gzip": chunked is
 * not the final coding, so the framing is invalid (RFC 9112 6.3). A proxy
 * in front may read the list while MHD reads the first field only.
 */
START_TEST(test_limits_repeated_transfer_encoding_is_400)
{
	assert_framing_rejected("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", "0\r\n"
											     "\r"
											     "\n");
}
END_TEST

/*
 * RFC 9112 5.1: whitespace between a field name and the colon MUST get 400.
 * MHD 0.9.75 files "Content-Length " as another header, so the gateway
 * reads no body and takes "{}" for the next request, while a proxy in
 * front may have honoured the length.
 */
START_TEST(test_limits_space_before_colon_is_400)
{
	assert_framing_rejected("Content-Length : 2\r\n", "{}");
}
END_TEST

START_TEST(test_limits_http11_without_host_is_400)
{
	struct raw c;
	struct raw_reply r;

	ck_assert_int_eq(exchange(&c, "GET /healthz HTTP/1.1\r\n\r\n", &r), RAW_OK);
	ck_assert_int_eq(r.status, 400);
	ck_assert(raw_wait_closed(&c, 2000));
	raw_close(&c);
	/* HTTP/1.0 needs no Host. */
	ck_assert_int_eq(exchange(&c, "GET /healthz HTTP/1.0\r\n\r\n", &r), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	raw_close(&c);
	assert_serving();
}
END_TEST

/* --- slow and idle clients, connection caps ------------------------------ */

#define N_SLOW 50

/* True when the peer closes fd before the deadline (data it sends first is dropped). */
static bool closed_by(int fd, long long deadline)
{
	char sink[512];

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return false;
		if (recv(fd, sink, sizeof(sink), 0) <= 0)
			return true;
	}
}

START_TEST(test_limits_slowloris_does_not_starve_others)
{
	static const char line[] = "GET /healthz HTTP/1.1\r\n";
	int fds[N_SLOW];
	struct raw c;
	struct raw_reply r;
	size_t step;
	int i;

	for (i = 0; i < N_SLOW; i++)
		fds[i] = tcp_connect(gw_gateway_port(gw));
	for (step = 0; step < 8; step++) {
		long long t0 = now_ms();

		for (i = 0; i < N_SLOW; i++)
			ck_assert(send_all(fds[i], line + step, 1));
		ck_assert_int_eq(exchange(&c, HEALTHZ, &r), RAW_OK);
		ck_assert_int_eq(r.status, 200);
		ck_assert_int_lt(now_ms() - t0, 1000);
		raw_close(&c);
		sleep_ms(150);
	}
	for (i = 0; i < N_SLOW; i++)
		close(fds[i]);
	assert_serving();
}
END_TEST

START_TEST(test_limits_idle_connections_closed_at_timeout)
{
	int fds[N_SLOW];
	long long t0;
	int i;

	gateway_down();
	cfg->idle_timeout_s = 1;
	gateway_up();
	for (i = 0; i < N_SLOW; i++) {
		fds[i] = tcp_connect(gw_gateway_port(gw));
		ck_assert(send_all(fds[i], "GET /hea", 8));
	}
	t0 = now_ms();
	for (i = 0; i < N_SLOW; i++) {
		ck_assert_msg(closed_by(fds[i], t0 + 5000), "idle connection %d still open", i);
		close(fds[i]);
	}
	assert_serving();
}
END_TEST

START_TEST(test_limits_connection_cap)
{
	int idle[8];
	struct raw extra;
	struct raw_reply r;
	int rc;
	int i;

	gateway_down();
	cfg->max_connections = 8;    /* 4 per worker thread: MHD splits the cap */
	cfg->connection_reserve = 0; /* no displacing: the hard cap alone */
	gateway_up();
	for (i = 0; i < 8; i++)
		idle[i] = tcp_connect(gw_gateway_port(gw));
	sleep_ms(300);
	raw_open(&extra);
	(void)raw_send(&extra, HEALTHZ);
	/* Over the cap: left in the listen backlog (or closed), not served. */
	rc = raw_read(&extra, &r, 1000);
	ck_assert_int_ne(rc, RAW_OK);
	for (i = 0; i < 8; i++)
		close(idle[i]);
	if (rc == RAW_TIMEOUT) {
		rc = raw_read(&extra, &r, 3000);
		ck_assert_msg(rc == RAW_CLOSED || (rc == RAW_OK && r.status == 200),
			      "backlogged client: rc %d status %d", rc, r.status);
	}
	raw_close(&extra);
	wait_serving(3000);
}
END_TEST

START_TEST(test_limits_per_ip_cap)
{
	int idle[4];
	struct raw extra;
	struct raw_reply r;
	int i;

	gateway_down();
	cfg->per_ip_connections = 4;
	gateway_up();
	for (i = 0; i < 4; i++) {
		idle[i] = tcp_connect(gw_gateway_port(gw));
		sleep_ms(20);
	}
	sleep_ms(300);
	/* A fifth connection from 127.0.0.1 displaces the oldest idle one and is served. */
	ck_assert_int_eq(exchange(&extra, HEALTHZ, &r), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	raw_close(&extra);
	ck_assert(fd_closed(idle[0], 2000));
	for (i = 0; i < 4; i++)
		close(idle[i]);
	wait_serving(3000);
}
END_TEST

/* --- keep-alive and pipelining ----------------------------------------- */

static void running_request(char *out, size_t cap, const char *id)
{
	snprintf(out, cap,
		 "GET /v1/meetings/%s/running HTTP/1.1\r\n" HOST "Authorization: Bearer %s\r\n\r\n",
		 id, tok_read);
}

START_TEST(test_limits_keepalive_sequential_requests)
{
	char req[256];
	struct raw c;
	struct raw_reply r;

	running_request(req, sizeof(req), "ka-1");
	ck_assert_int_eq(exchange(&c, HEALTHZ, &r), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(rhdr(&r, "Connection"));
	ck_assert(raw_send(&c, req)); /* suspended while BBB answers, then resumed */
	ck_assert_int_eq(raw_read(&c, &r, IO_MS), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"running\""));
	ck_assert(raw_send(&c, HEALTHZ));
	ck_assert_int_eq(raw_read(&c, &r, IO_MS), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	raw_close(&c);
	assert_serving();
}
END_TEST

START_TEST(test_limits_http10_closes_after_response)
{
	struct raw c;
	struct raw_reply r;

	ck_assert_int_eq(exchange(&c, "GET /healthz HTTP/1.0\r\n\r\n", &r), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert(raw_wait_closed(&c, 2000));
	raw_close(&c);
	assert_serving();
}
END_TEST

START_TEST(test_limits_pipelined_requests)
{
	char req[512];
	struct raw c;
	struct raw_reply r;
	size_t n;

	running_request(req, sizeof(req), "pipe-1");
	n = strlen(req);
	snprintf(req + n, sizeof(req) - n, "%s", HEALTHZ);
	ck_assert_int_eq(exchange(&c, req, &r), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"running\""));
	ck_assert_int_eq(raw_read(&c, &r, IO_MS), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"ok\""));
	raw_close(&c);
	assert_serving();
}
END_TEST

static Suite *limits_suite(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("client");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_limits_url_over_header_limit_is_414);
	tcase_add_test(tc, test_limits_headers_over_limit_is_431);
	tcase_add_test(tc, test_limits_body_over_limit_refused_before_sent);
	tcase_add_test(tc, test_limits_expect_continue_under_limit);
	tcase_add_test(tc, test_limits_chunked_body_over_limit_is_413);
	tcase_add_test(tc, test_limits_endless_chunked_body_is_cut_off);
	tcase_add_test(tc, test_limits_cl_with_te_is_400_and_closed);
	tcase_add_test(tc, test_limits_unknown_transfer_coding_is_400_fast);
	tcase_add_test(tc, test_limits_conflicting_content_lengths_are_400);
	tcase_add_test(tc, test_limits_repeated_transfer_encoding_is_400);
	tcase_add_test(tc, test_limits_space_before_colon_is_400);
	tcase_add_test(tc, test_limits_http11_without_host_is_400);
	tcase_add_test(tc, test_limits_slowloris_does_not_starve_others);
	tcase_add_test(tc, test_limits_idle_connections_closed_at_timeout);
	tcase_add_test(tc, test_limits_connection_cap);
	tcase_add_test(tc, test_limits_per_ip_cap);
	tcase_add_test(tc, test_limits_keepalive_sequential_requests);
	tcase_add_test(tc, test_limits_http10_closes_after_response);
	tcase_add_test(tc, test_limits_pipelined_requests);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(limits_suite)
