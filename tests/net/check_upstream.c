/*
 * check_upstream.c - the upstream pool against a small HTTP server living in
 * this file (libmicrohttpd, one thread per connection, 127.0.0.1:0). The
 * server can answer slowly, hugely, with an error status, a redirect or not
 * at all; it records the raw request target and counts accepted TCP
 * connections, so tests can check URLs byte for byte and connection reuse.
 *
 * Check forks each test, so the server and the pool start in a checked
 * fixture inside the child. The calls and the waiting are upstreamfix's.
 */
#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ev.h"
#include "log.h"
#include "testutil.h"
#include "upstream.h"
#include "upstreamfix.h"

#define OK_XML "<response><returncode>SUCCESS</returncode><running>true</running></response>"
#define OK_CTYPE "text/xml;charset=utf-8"
#define SERVER_MAX_BODY (8u * 1024u * 1024u)

static struct {
	struct MHD_Daemon *d;
	unsigned port;
	atomic_uint conns;
	atomic_uint requests;
	atomic_bool stopping;
	atomic_uint flaky; /* requests /flaky answered so far */
	pthread_mutex_t lock;
	char last_uri[4096]; /* lock */
} srv;

static void *on_uri(void *cls GW_UNUSED, const char *uri, struct MHD_Connection *c GW_UNUSED)
{
	pthread_mutex_lock(&srv.lock);
	snprintf(srv.last_uri, sizeof(srv.last_uri), "%s", uri);
	pthread_mutex_unlock(&srv.lock);
	atomic_fetch_add(&srv.requests, 1);
	return NULL;
}

static void on_conn(void *cls GW_UNUSED, struct MHD_Connection *c GW_UNUSED,
		    void **socket_ctx GW_UNUSED, enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&srv.conns, 1);
}

static void on_completed(void *cls GW_UNUSED, struct MHD_Connection *c GW_UNUSED, void **ctx,
			 enum MHD_RequestTerminationCode toe GW_UNUSED)
{
	struct gw_buf *body = *ctx;

	if (body != NULL) {
		gw_buf_deinit(body);
		free(body);
		*ctx = NULL;
	}
}

static unsigned long query_num(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);

	return v != NULL ? strtoul(v, NULL, 10) : 0;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text,
				  size_t len, const char *ctype)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (ctype != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_str(struct MHD_Connection *c, unsigned status, const char *text,
				 const char *ctype)
{
	return reply_text(c, status, text, strlen(text), ctype);
}

/* Sleeps in steps so that stopping the server does not wait for a whole nap. */
static enum MHD_Result reply_slow(struct MHD_Connection *c)
{
	unsigned long ms = query_num(c, "ms");
	unsigned long slept;

	for (slept = 0; slept < ms && !atomic_load(&srv.stopping); slept += 10)
		sleep_ms(10);
	return reply_str(c, MHD_HTTP_OK, OK_XML, OK_CTYPE);
}

static ssize_t big_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	uint64_t total = *(uint64_t *)cls;
	size_t n = max;

	if (pos >= total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n > total - pos)
		n = (size_t)(total - pos);
	memset(buf, 'x', n);
	return (ssize_t)n;
}

/* n bytes of 'x', chunked (size unknown) or with a Content-Length. */
static enum MHD_Result reply_big(struct MHD_Connection *c, bool chunked)
{
	uint64_t *total = malloc(sizeof(*total));
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (total == NULL)
		return MHD_NO;
	*total = query_num(c, "n");
	r = MHD_create_response_from_callback(chunked ? MHD_SIZE_UNKNOWN : *total, 64 * 1024,
					      big_reader, total, free);
	if (r == NULL) {
		free(total);
		return MHD_NO;
	}
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *header_or_dash(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	return v != NULL ? v : "-";
}

/* Echoes what arrived: method, the headers under test, body length and body. */
static enum MHD_Result reply_echo(struct MHD_Connection *c, const char *method,
				  const struct gw_buf *body)
{
	struct gw_buf out;
	enum MHD_Result ret = MHD_NO;

	gw_buf_init(&out, SERVER_MAX_BODY + 4096);
	if (gw_buf_appendf(&out, "M=%s\nCT=%s\nA=%s\nE=%s\nBL=%zu\nB=", method,
			   header_or_dash(c, "Content-Type"), header_or_dash(c, "Accept"),
			   header_or_dash(c, "Expect"), body->len) == GW_OK &&
	    gw_buf_append(&out, gw_buf_str(body), body->len) == GW_OK)
		ret = reply_text(c, MHD_HTTP_OK, gw_buf_str(&out), out.len, "text/plain");
	gw_buf_deinit(&out);
	return ret;
}

static enum MHD_Result reply_redirect(struct MHD_Connection *c)
{
	char loc[128];
	struct MHD_Response *r;
	enum MHD_Result ret;

	snprintf(loc, sizeof(loc), "http://127.0.0.1:%u/ok", srv.port);
	r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
	ret = MHD_queue_response(c, MHD_HTTP_FOUND, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result route(struct MHD_Connection *c, const char *url, const char *method,
			     const struct gw_buf *body)
{
	if (strcmp(url, "/ok") == 0)
		return reply_str(c, MHD_HTTP_OK, OK_XML, OK_CTYPE);
	if (strcmp(url, "/slow") == 0)
		return reply_slow(c);
	if (strcmp(url, "/big") == 0)
		return reply_big(c, true);
	if (strcmp(url, "/bigcl") == 0)
		return reply_big(c, false);
	if (strcmp(url, "/echo") == 0)
		return reply_echo(c, method, body);
	if (strcmp(url, "/status/503") == 0)
		return reply_str(c, MHD_HTTP_SERVICE_UNAVAILABLE, "busy", "text/plain");
	/* 503 the first time, then OK: a failure worth one retry */
	if (strcmp(url, "/flaky") == 0 && atomic_fetch_add(&srv.flaky, 1) == 0)
		return reply_str(c, MHD_HTTP_SERVICE_UNAVAILABLE, "busy", "text/plain");
	if (strcmp(url, "/flaky") == 0)
		return reply_str(c, MHD_HTTP_OK, OK_XML, OK_CTYPE);
	if (strcmp(url, "/close") == 0)
		return MHD_NO; /* MHD closes the connection without an answer */
	if (strcmp(url, "/redirect") == 0)
		return reply_redirect(c);
	return reply_str(c, MHD_HTTP_NOT_FOUND, "not found", "text/plain");
}

static enum MHD_Result on_request(void *cls GW_UNUSED, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version GW_UNUSED,
				  const char *upload, size_t *upload_size, void **ctx)
{
	struct gw_buf *body = *ctx;

	if (body == NULL) {
		body = calloc(1, sizeof(*body));
		if (body == NULL)
			return MHD_NO;
		gw_buf_init(body, SERVER_MAX_BODY);
		*ctx = body;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (gw_buf_append(body, upload, *upload_size) != GW_OK)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	return route(c, url, method, body);
}

static void srv_start(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	const union MHD_DaemonInfo *info;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	atomic_init(&srv.conns, 0);
	atomic_init(&srv.requests, 0);
	atomic_init(&srv.stopping, false);
	atomic_init(&srv.flaky, 0);
	pthread_mutex_init(&srv.lock, NULL);
	srv.last_uri[0] = '\0';
	srv.d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
				 NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &sin,
				 MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
				 MHD_OPTION_NOTIFY_CONNECTION, on_conn, NULL,
				 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	ck_assert_ptr_nonnull(srv.d);
	info = MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(info);
	srv.port = info->port;
}

static void srv_stop(void)
{
	atomic_store(&srv.stopping, true);
	if (srv.d != NULL)
		MHD_stop_daemon(srv.d);
	srv.d = NULL;
	pthread_mutex_destroy(&srv.lock);
}

/* A GET of path on the test server. */
static void tcall_init(struct tcall *t, const char *path)
{
	tcall_init_at(t, srv.port, path);
}

static void last_uri(char *out, size_t len)
{
	pthread_mutex_lock(&srv.lock);
	snprintf(out, len, "%s", srv.last_uri);
	pthread_mutex_unlock(&srv.lock);
}

static void setup(void)
{
	struct gw_upstream_opts o = {.connect_timeout_ms = 1000, .max_host_connections = 8};

	gw_log_setup(GW_LOG_ERR, GW_LOG_FORMAT_TEXT);
	ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	completions_reset();
	srv_start();
	ck_assert_int_eq(gw_upstream_new(&o, &up), GW_OK);
}

static void teardown(void)
{
	gw_upstream_free(up);
	up = NULL;
	srv_stop();
	curl_global_cleanup();
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

/* --- a pool in an event loop's epoll set, driven by the test's thread ------- */

static struct gw_upstream_group *group;

static void loop_setup(void)
{
	struct gw_upstream_opts o = {.connect_timeout_ms = 1000, .max_host_connections = 3};

	gw_log_setup(GW_LOG_ERR, GW_LOG_FORMAT_TEXT);
	ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	completions_reset();
	srv_start();
	/* Two pools share the bulkhead of 3: pool 0 may open 2 connections, pool 1 one. */
	ck_assert_int_eq(gw_upstream_group_new(&o, 2, &group), GW_OK);
	loop_pool_new(group);
}

static void loop_teardown(void)
{
	pools_free(&group);
	srv_stop();
	curl_global_cleanup();
}

START_TEST(test_upstream_loop_completes_on_driving_thread)
{
	struct tcall t[5];
	unsigned long before = gw_upstream_group_connects(group);
	int i;

	for (i = 0; i < 5; i++) {
		tcall_init(&t[i], "/ok");
		submit(&t[i]);
		drive_until(i + 1);
		ck_assert_int_eq(t[i].ndone, 1);
		ck_assert_int_eq(t[i].c.result, GW_OK);
		ck_assert_str_eq(gw_buf_str(&t[i].c.reply), OK_XML);
		ck_assert(pthread_equal(t[i].thread, pthread_self()));
		gw_upstream_call_deinit(&t[i].c);
	}
	/* One call at a time: the pool keeps reusing its one connection. */
	ck_assert_uint_eq(gw_upstream_group_connects(group) - before, 1);
	ck_assert_uint_eq(atomic_load(&srv.conns), 1);
}
END_TEST

START_TEST(test_upstream_loop_bulkhead_share)
{
	struct tcall t[4];
	int i;

	for (i = 0; i < 4; i++) {
		tcall_init(&t[i], "/slow?ms=300");
		submit(&t[i]);
	}
	drive_until(4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(t[i].c.result, GW_OK);
		gw_upstream_call_deinit(&t[i].c);
	}
	/* Pool 0's share of the 3 connections is 2; the other calls waited for them. */
	ck_assert_uint_eq(atomic_load(&srv.conns), 2);
}
END_TEST

START_TEST(test_upstream_loop_timeout)
{
	struct tcall t;

	tcall_init(&t, "/slow?ms=3000");
	t.c.timeout_ms = 300;
	submit(&t);
	drive_until(1);
	ck_assert_int_eq(t.c.result, GW_E_UPSTREAM_TIMEOUT);
	ck_assert(t.c.total_ms >= 250.0 && t.c.total_ms < 2000.0);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

/* Freeing a loop's pool ends each call in flight once; a call submitted from done is refused. */
START_TEST(test_upstream_loop_free_cancels_once)
{
	struct tcall t[3];
	struct tcall again;
	int i;

	tcall_init(&again, "/ok");
	for (i = 0; i < 3; i++) {
		tcall_init(&t[i], "/slow?ms=3000");
		submit(&t[i]);
	}
	t[0].resubmit = &again;
	for (i = 0; i < 10; i++)
		drive_until(0);
	free_cancelling(t, 3);
	ck_assert_int_eq(n_completed(), 3);
	for (i = 0; i < 3; i++)
		ck_assert(pthread_equal(t[i].thread, pthread_self()));
	ck_assert_int_eq(t[0].resubmit_err, GW_E_UNAVAILABLE);
	ck_assert_int_eq(again.ndone, 0);
	gw_upstream_call_deinit(&again.c);
}
END_TEST

static Suite *upstream_suite(void)
{
	Suite *s = suite_create("upstream");
	TCase *tc = tcase_create("core");
	TCase *lc = tcase_create("loop");

	tcase_add_checked_fixture(lc, loop_setup, loop_teardown);
	tcase_set_timeout(lc, 60);
	tcase_add_test(lc, test_upstream_loop_completes_on_driving_thread);
	tcase_add_test(lc, test_upstream_loop_bulkhead_share);
	tcase_add_test(lc, test_upstream_loop_timeout);
	tcase_add_test(lc, test_upstream_loop_free_cancels_once);
	suite_add_tcase(s, lc);

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
