/*
 * check_upstream.c - the threaded upstream pool against upstreamsrv.c's
 * small HTTP server (libmicrohttpd, 127.0.0.1:0), which can answer slowly,
 * hugely, with an error status, a redirect or not at all, records the raw
 * request target and counts accepted TCP connections: requests as sent
 * (headers, bodies, URLs byte for byte), connection reuse and the
 * bulkhead, deadlines, retries, reply caps, and freeing a pool with calls
 * in flight. The pool in an event loop is check_upstream_loop.c's.
 *
 * Check forks each test, so the server and the pool start in a checked
 * fixture inside the child. The calls and the waiting are upstreamfix's.
 */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "testutil.h"
#include "upstream.h"
#include "upstreamfix.h"
#include "upstreamsrv.h"

static void setup(void)
{
	struct gw_upstream_opts o = {.connect_timeout_ms = 1000, .max_host_connections = 8};

	srv_setup();
	ck_assert_int_eq(gw_upstream_new(&o, &up), GW_OK);
}

static void teardown(void)
{
	gw_upstream_free(up);
	up = NULL;
	srv_teardown();
}

START_TEST(test_upstream_get_ok)
{
	struct tcall t;

	tcall_init(&t, "/ok");
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_OK);
	ck_assert_int_eq(t.c.http_status, 200);
	ck_assert_str_eq(gw_buf_str(&t.c.reply), OK_XML);
	ck_assert_uint_eq(t.c.reply.len, strlen(OK_XML));
	ck_assert_ptr_nonnull(t.c.reply_content_type);
	ck_assert_str_eq(t.c.reply_content_type, OK_CTYPE);
	ck_assert(t.c.total_ms > 0.0 && t.c.total_ms < 5000.0);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

START_TEST(test_upstream_get_sends_accept)
{
	struct tcall t;

	tcall_init(&t, "/echo");
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_OK);
	ck_assert_str_eq(gw_buf_str(&t.c.reply), "M=GET\nCT=-\nA=application/xml\nE=-\nBL=0\nB=");
	gw_upstream_call_deinit(&t.c);

	tcall_init(&t, "/echo");
	t.c.accept = "application/json";
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_OK);
	ck_assert_str_eq(gw_buf_str(&t.c.reply), "M=GET\nCT=-\nA=application/json\nE=-\nBL=0\nB=");
	gw_upstream_call_deinit(&t.c);
}
END_TEST

START_TEST(test_upstream_post_body_and_headers)
{
	static const char body[] = "<modules><module "
				   "name=\"presentation\">\xc3\xa9</module></modules>";
	struct tcall t;
	char want[512];

	tcall_init(&t, "/echo");
	t.c.post = true;
	t.c.body = body;
	t.c.body_len = strlen(body);
	t.c.content_type = "application/xml";
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_OK);
	snprintf(want, sizeof(want),
		 "M=POST\nCT=application/xml\nA=application/xml\nE=-\nBL=%zu\nB=%s", strlen(body),
		 body);
	ck_assert_str_eq(gw_buf_str(&t.c.reply), want);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

/* curl 7.88 would send Expect: 100-continue for bodies over 1 MiB. */
START_TEST(test_upstream_post_large_body_no_expect)
{
	size_t n = 2u * 1024u * 1024u;
	char *body = malloc(n);
	struct tcall t;
	char head[128];
	int hlen;

	ck_assert_ptr_nonnull(body);
	memset(body, 'a', n);
	tcall_init(&t, "/echo");
	t.c.post = true;
	t.c.body = body;
	t.c.body_len = n;
	t.c.content_type = "application/xml";
	t.c.max_reply_bytes = 4u * 1024u * 1024u;
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_OK);
	hlen = snprintf(head, sizeof(head),
			"M=POST\nCT=application/xml\nA=application/xml\nE=-\nBL=%zu\nB=", n);
	ck_assert_uint_eq(t.c.reply.len, (size_t)hlen + n);
	ck_assert_int_eq(memcmp(t.c.reply.data, head, (size_t)hlen), 0);
	ck_assert_int_eq(memcmp(t.c.reply.data + hlen, body, n), 0);
	gw_upstream_call_deinit(&t.c);
	free(body);
}
END_TEST

START_TEST(test_upstream_post_empty_body)
{
	struct tcall t;

	tcall_init(&t, "/echo");
	t.c.post = true;
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_OK);
	ck_assert_str_eq(gw_buf_str(&t.c.reply), "M=POST\nCT=-\nA=application/xml\nE=-\nBL=0\nB=");
	gw_upstream_call_deinit(&t.c);
}
END_TEST

START_TEST(test_upstream_url_sent_verbatim)
{
	static const char *const targets[] = {
		"/echo?name=a%2Bb+c&x=%C3%A9&y=%7E~*'()!&z=%20&checksum=0123456789abcdef",
		"/echo?lower=%2b%c3%a9&empty=&amp=%26&eq=a%3Db",
		"/api/../echo?meetingID=x%2F..%2Fy",
	};
	char got[4096];
	struct tcall t;
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(targets); i++) {
		tcall_init(&t, targets[i]);
		run_call(&t);
		ck_assert_int_eq(t.c.result, GW_OK);
		last_uri(got, sizeof(got));
		ck_assert_str_eq(got, targets[i]);
		gw_upstream_call_deinit(&t.c);
	}
}
END_TEST

START_TEST(test_upstream_keepalive_reuse)
{
	struct tcall t;
	int i;

	for (i = 0; i < 200; i++) {
		tcall_init(&t, "/ok");
		run_call(&t);
		ck_assert_int_eq(t.c.result, GW_OK);
		ck_assert_int_eq(t.c.http_status, 200);
		gw_upstream_call_deinit(&t.c);
	}
	ck_assert_uint_eq(atomic_load(&srv.requests), 200);
	ck_assert_uint_le(atomic_load(&srv.conns), 2);
	ck_assert_uint_ge(gw_upstream_connects(up), 1);
	ck_assert_uint_le(gw_upstream_connects(up), 2);
}
END_TEST

START_TEST(test_upstream_concurrent_calls)
{
	enum { N = 50 };
	struct tcall *t = calloc(N, sizeof(*t));
	int i;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < N; i++) {
		tcall_init(&t[i], "/slow?ms=20");
		submit(&t[i]);
	}
	wait_completed(N);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(t[i].ndone, 1);
		ck_assert_int_eq(t[i].c.result, GW_OK);
		ck_assert_int_eq(t[i].c.http_status, 200);
		ck_assert_str_eq(gw_buf_str(&t[i].c.reply), OK_XML);
		gw_upstream_call_deinit(&t[i].c);
	}
	/* The fixture's max_host_connections (8) is the bulkhead. */
	ck_assert_uint_le(atomic_load(&srv.conns), 8);
	ck_assert_uint_le(gw_upstream_connects(up), 8);
	free(t);
}
END_TEST

START_TEST(test_upstream_timeout)
{
	struct tcall t;

	tcall_init(&t, "/slow?ms=5000");
	t.c.timeout_ms = 300;
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_E_UPSTREAM_TIMEOUT);
	ck_assert_int_eq(t.c.http_status, 0);
	ck_assert_uint_eq(t.c.reply.len, 0);
	ck_assert(t.c.total_ms < 4000.0);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

/* The deadline covers the wait for a free connection behind the bulkhead. */
START_TEST(test_upstream_timeout_includes_bulkhead_wait)
{
	struct gw_upstream_opts o = {.connect_timeout_ms = 1000, .max_host_connections = 1};
	struct gw_upstream *fixture_up = up;
	struct tcall slow;
	struct tcall fast;

	ck_assert_int_eq(gw_upstream_new(&o, &up), GW_OK);
	tcall_init(&slow, "/slow?ms=2000");
	tcall_init(&fast, "/ok");
	fast.c.timeout_ms = 300;
	submit(&slow);
	sleep_ms(100);
	submit(&fast);
	wait_completed(1);
	ck_assert_int_eq(fast.ndone, 1);
	ck_assert_int_eq(fast.c.result, GW_E_UPSTREAM_TIMEOUT);
	ck_assert(fast.c.total_ms < 1500.0); /* not when the slow call frees the connection */
	wait_completed(2);
	ck_assert_int_eq(slow.c.result, GW_OK);
	gw_upstream_call_deinit(&slow.c);
	gw_upstream_call_deinit(&fast.c);
	gw_upstream_free(up);
	up = fixture_up;
}
END_TEST

START_TEST(test_upstream_slow_does_not_delay_fast)
{
	struct tcall slow;
	struct tcall fast;

	tcall_init(&slow, "/slow?ms=1500");
	tcall_init(&fast, "/ok");
	submit(&slow);
	submit(&fast);
	wait_completed(2);
	ck_assert_int_eq(slow.c.result, GW_OK);
	ck_assert_int_eq(fast.c.result, GW_OK);
	ck_assert_int_lt(fast.rank, slow.rank);
	ck_assert(fast.c.total_ms < slow.c.total_ms);
	gw_upstream_call_deinit(&slow.c);
	gw_upstream_call_deinit(&fast.c);
}
END_TEST

START_TEST(test_upstream_connect_refused)
{
	struct tcall t;
	int fd;

	tcall_init_at(&t, refusing_port(&fd), "/ok");
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_E_UPSTREAM_CONNECT);
	ck_assert_int_eq(t.c.http_status, 0);
	gw_upstream_call_deinit(&t.c);
	close(fd);
}
END_TEST

/*
 * The retry starts after its 50-200 ms backoff, not after the thread's idle
 * poll (1 s): with a 600 ms deadline the retried call still succeeds.
 */
START_TEST(test_upstream_retry_within_short_timeout)
{
	struct gw_upstream_opts o = {
		.connect_timeout_ms = 500, .max_host_connections = 8, .retry = true};
	struct gw_upstream *fixture_up = up;
	struct tcall t;

	ck_assert_int_eq(gw_upstream_new(&o, &up), GW_OK);
	tcall_init(&t, "/flaky");
	t.c.timeout_ms = 600;
	t.c.idempotent = true;
	run_call(&t);
	ck_assert_msg(t.c.result == GW_OK, "result %s", gw_err_str(t.c.result));
	ck_assert_int_eq(t.c.http_status, 200);
	ck_assert_uint_eq(t.c.retries, 1);
	ck_assert_uint_eq(atomic_load(&srv.flaky), 2);
	ck_assert(t.c.total_ms < 600.0);
	gw_upstream_call_deinit(&t.c);
	gw_upstream_free(up);
	up = fixture_up;
}
END_TEST

START_TEST(test_upstream_chunked_at_cap)
{
	struct tcall t;

	tcall_init(&t, "/big?n=65536");
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_OK);
	ck_assert_uint_eq(t.c.reply.len, 65536);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

START_TEST(test_upstream_chunked_over_cap)
{
	struct tcall t;

	tcall_init(&t, "/big?n=65537");
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_E_UPSTREAM_TOO_LARGE);
	ck_assert_uint_eq(t.c.reply.len, 0);
	gw_upstream_call_deinit(&t.c);

	/* A huge body is cut off at the cap rather than downloaded. */
	tcall_init(&t, "/big?n=1000000000");
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_E_UPSTREAM_TOO_LARGE);
	ck_assert(t.c.total_ms < 4000.0);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

START_TEST(test_upstream_content_length_over_cap)
{
	struct tcall t;

	tcall_init(&t, "/bigcl?n=1000");
	t.c.max_reply_bytes = 1000;
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_OK);
	ck_assert_uint_eq(t.c.reply.len, 1000);
	gw_upstream_call_deinit(&t.c);

	tcall_init(&t, "/bigcl?n=1000000000");
	t.c.max_reply_bytes = 1000;
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_E_UPSTREAM_TOO_LARGE);
	ck_assert_uint_eq(t.c.reply.len, 0);
	ck_assert(t.c.total_ms < 4000.0);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

START_TEST(test_upstream_close_without_answer)
{
	struct tcall t;

	tcall_init(&t, "/close");
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_E_UPSTREAM_BAD_REPLY);
	ck_assert_int_eq(t.c.http_status, 0);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

START_TEST(test_upstream_http_503_is_ok)
{
	struct tcall t;

	tcall_init(&t, "/status/503");
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_OK);
	ck_assert_int_eq(t.c.http_status, 503);
	ck_assert_str_eq(gw_buf_str(&t.c.reply), "busy");
	gw_upstream_call_deinit(&t.c);
}
END_TEST

START_TEST(test_upstream_redirect_not_followed)
{
	struct tcall t;

	tcall_init(&t, "/redirect");
	run_call(&t);
	ck_assert_int_eq(t.c.result, GW_OK);
	ck_assert_int_eq(t.c.http_status, 302);
	ck_assert_uint_eq(atomic_load(&srv.requests), 1);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

START_TEST(test_upstream_free_completes_in_flight)
{
	enum { N = 8 };
	struct tcall t[N];
	int i;

	for (i = 0; i < N; i++)
		tcall_init(&t[i], "/slow?ms=3000");
	for (i = 0; i < N / 2; i++)
		submit(&t[i]);
	sleep_ms(300); /* the first half is running, the rest may still be queued */
	for (i = N / 2; i < N; i++)
		submit(&t[i]);
	free_cancelling(t, N);
	ck_assert_int_eq(n_completed(), N);
	gw_upstream_free(NULL);
}
END_TEST

/* A done callback that runs during stop submits again: refused, done not run. */
START_TEST(test_upstream_submit_during_stop_fails)
{
	struct tcall first;
	struct tcall second;

	tcall_init(&first, "/slow?ms=3000");
	tcall_init(&second, "/ok");
	first.resubmit = &second;
	first.resubmit_err = GW_OK;
	submit(&first);
	sleep_ms(100);
	free_cancelling(&first, 1);
	ck_assert_int_eq(first.resubmit_err, GW_E_UNAVAILABLE);
	ck_assert_int_eq(second.ndone, 0);
	ck_assert_int_eq(n_completed(), 1);
	gw_upstream_call_deinit(&second.c);
}
END_TEST

static Suite *upstream_suite(void)
{
	Suite *s = suite_create("upstream");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_upstream_get_ok);
	tcase_add_test(tc, test_upstream_get_sends_accept);
	tcase_add_test(tc, test_upstream_post_body_and_headers);
	tcase_add_test(tc, test_upstream_post_large_body_no_expect);
	tcase_add_test(tc, test_upstream_post_empty_body);
	tcase_add_test(tc, test_upstream_url_sent_verbatim);
	tcase_add_test(tc, test_upstream_keepalive_reuse);
	tcase_add_test(tc, test_upstream_concurrent_calls);
	tcase_add_test(tc, test_upstream_timeout);
	tcase_add_test(tc, test_upstream_timeout_includes_bulkhead_wait);
	tcase_add_test(tc, test_upstream_slow_does_not_delay_fast);
	tcase_add_test(tc, test_upstream_connect_refused);
	tcase_add_test(tc, test_upstream_retry_within_short_timeout);
	tcase_add_test(tc, test_upstream_chunked_at_cap);
	tcase_add_test(tc, test_upstream_chunked_over_cap);
	tcase_add_test(tc, test_upstream_content_length_over_cap);
	tcase_add_test(tc, test_upstream_close_without_answer);
	tcase_add_test(tc, test_upstream_http_503_is_ok);
	tcase_add_test(tc, test_upstream_redirect_not_followed);
	tcase_add_test(tc, test_upstream_free_completes_in_flight);
	tcase_add_test(tc, test_upstream_submit_during_stop_fails);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(upstream_suite)
