/*
 * check_limits.c - the gateway's defences against hostile clients, driven
 * with a raw-socket HTTP client (exact bytes out, status line and headers
 * parsed back): oversize URL, headers and bodies, Expect: 100-continue,
 * strict framing (CL+TE, unknown codings, repeated or malformed framing
 * headers, missing Host), slowloris and idle clients, the connection caps,
 * keep-alive, HTTP/1.0 and pipelining. Every test ends by checking that
 * other clients are still served. Limits are changed by stopping the
 * harness's gateway, editing its (then unshared) config and starting it
 * again. Upstream faults are in check_faults.c, CORS in check_cors.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

#define IO_MS 5000
#define RAW_BUF (64u * 1024u)
#define HOST "Host: 127.0.0.1\r\n"
#define HEALTHZ "GET /healthz HTTP/1.1\r\n" HOST "\r\n"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* --- raw HTTP client --------------------------------------------------- */

struct raw {
	int fd;
	char buf[RAW_BUF]; /* received, not consumed; inline so a failed assertion leaks nothing */
	size_t len;
	bool eof; /* the peer closed (FIN or RST) */
};

struct raw_reply {
	int status;
	char head[8192]; /* status line and headers, NUL-terminated */
	char body[16384];
	size_t body_len; /* full length; body holds at most sizeof - 1 bytes of it */
};

enum { RAW_OK = 1, RAW_CLOSED = 0, RAW_TIMEOUT = -1, RAW_BAD = -2 };

static int tcp_connect(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct timeval tv = {.tv_sec = IO_MS / 1000};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void raw_open(struct raw *c)
{
	c->fd = tcp_connect(gw_gateway_port(gw));
	c->len = 0;
	c->eof = false;
}

static void raw_close(struct raw *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static bool send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static bool raw_send(struct raw *c, const char *s)
{
	return send_all(c->fd, s, strlen(s));
}

/* Receives what arrives before the deadline; false on timeout. EOF and RST set c->eof. */
static bool fill(struct raw *c, long long deadline)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	long long left = deadline - now_ms();
	ssize_t n;

	if (left <= 0 || poll(&p, 1, (int)left) <= 0)
		return false;
	ck_assert_uint_lt(c->len, RAW_BUF);
	n = recv(c->fd, c->buf + c->len, RAW_BUF - c->len, 0);
	if (n <= 0)
		c->eof = true;
	else
		c->len += (size_t)n;
	return true;
}

static const char *find_head_end(const struct raw *c)
{
	return memmem(c->buf, c->len, "\r\n\r\n", 4);
}

/* A header's value from a parsed head (static buffer), or NULL. */
static const char *rhdr(const struct raw_reply *r, const char *name)
{
	static char value[1024];
	const char *p = strstr(r->head, "\r\n");
	size_t n = strlen(name);

	while (p != NULL && p[2] != '\r' && p[2] != '\0') {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			size_t len = strcspn(v, "\r\n");

			while (len > 0 && *v == ' ') {
				v++;
				len--;
			}
			snprintf(value, sizeof(value), "%.*s", (int)len, v);
			return value;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

/* Waits for the body; returns its length, or -1 when the peer closed or time ran out first. */
static long long read_body(struct raw *c, const struct raw_reply *r, size_t hlen, long long dl)
{
	const char *cl = rhdr(r, "Content-Length");

	ck_assert_msg(rhdr(r, "Transfer-Encoding") == NULL, "chunked reply: not expected");
	if (r->status < 200 || r->status == 204 || r->status == 304)
		return 0;
	if (cl == NULL) {
		while (!c->eof)
			if (!fill(c, dl))
				return -1;
		return (long long)(c->len - hlen);
	}
	while (c->len < hlen + strtoull(cl, NULL, 10)) {
		if (c->eof || !fill(c, dl))
			return -1;
	}
	return (long long)strtoull(cl, NULL, 10);
}

/*
 * Reads the next response (1xx interim responses included). RAW_CLOSED
 * when the peer closed before sending anything.
 */
static int raw_read(struct raw *c, struct raw_reply *r, int timeout_ms)
{
	long long dl = now_ms() + timeout_ms;
	size_t hlen;
	long long blen;

	memset(r, 0, sizeof(*r));
	while (find_head_end(c) == NULL) {
		if (c->eof)
			return c->len == 0 ? RAW_CLOSED : RAW_BAD;
		if (!fill(c, dl))
			return RAW_TIMEOUT;
	}
	hlen = (size_t)(find_head_end(c) + 4 - c->buf);
	ck_assert_uint_lt(hlen, sizeof(r->head));
	memcpy(r->head, c->buf, hlen);
	if (strncmp(r->head, "HTTP/1.", 7) != 0 || strlen(r->head) < 12)
		return RAW_BAD;
	r->status = (int)strtol(r->head + 9, NULL, 10);
	blen = read_body(c, r, hlen, dl);
	if (blen < 0)
		return RAW_BAD;
	r->body_len = (size_t)blen;
	memcpy(r->body, c->buf + hlen,
	       r->body_len < sizeof(r->body) ? r->body_len : sizeof(r->body) - 1);
	c->len -= hlen + r->body_len;
	memmove(c->buf, c->buf + hlen + r->body_len, c->len);
	return RAW_OK;
}

/* True when the peer closes within timeout_ms (whatever it sends first is dropped). */
static bool raw_wait_closed(struct raw *c, int timeout_ms)
{
	long long dl = now_ms() + timeout_ms;

	for (;;) {
		c->len = 0;
		if (c->eof)
			return true;
		if (!fill(c, dl))
			return false;
	}
}

/* Opens a connection, sends req and reads one response. */
static int exchange(struct raw *c, const char *req, struct raw_reply *r)
{
	raw_open(c);
	ck_assert(raw_send(c, req));
	return raw_read(c, r, IO_MS);
}

/* Another client is served: /healthz on a fresh connection, and a call that goes to BBB. */
static void assert_serving(void)
{
	struct raw c;
	struct raw_reply r;
	struct reply rep;

	ck_assert_int_eq(exchange(&c, HEALTHZ, &r), RAW_OK);
	ck_assert_int_eq(r.status, 200);
	raw_close(&c);
	call(&rep, "GET", "/v1/meetings/still-serving/running", tok_read, NULL);
	ck_assert_int_eq(rep.status, 200);
	reply_free(&rep);
}

/* The response is the gateway's problem with this code, then the connection closes. */
static void assert_problem_and_close(struct raw *c, const struct raw_reply *r, int status,
				     const char *code)
{
	char quoted[64];

	ck_assert_int_eq(r->status, status);
	snprintf(quoted, sizeof(quoted), "\"code\":\"%s\"", code);
	ck_assert_msg(strstr(r->body, quoted) != NULL, "body lacks %s: %s", quoted, r->body);
	ck_assert_msg(rhdr(r, "Connection") != NULL && strcmp(rhdr(r, "Connection"), "close") == 0,
		      "%d without Connection: close: the connection stays open (%s)", status,
		      r->body);
	ck_assert(raw_wait_closed(c, 2000));
}

/* Stops the gateway so the test may edit cfg (nothing else holds it then). */
static void gateway_down(void)
{
	gw_gateway_stop(gw);
	gw = NULL;
}

static void gateway_up(void)
{
	ck_assert_int_eq(gw_gateway_start(cfg, -1, &gw), GW_OK);
}

/* "GET <path> HTTP/1.1" plus count headers of size bytes each, in a static buffer. */
static const char *padded_request(const char *path, size_t count, size_t size)
{
	static char s[32 * 1024];
	size_t n;
	size_t i;

	ck_assert_uint_lt(strlen(path) + 64 + count * (size + 16), sizeof(s));
	n = (size_t)snprintf(s, sizeof(s), "GET %s HTTP/1.1\r\n" HOST, path);
	for (i = 0; i < count; i++) {
		n += (size_t)snprintf(s + n, sizeof(s) - n, "X-Pad-%zu: ", i);
		memset(s + n, 'p', size);
		n += size;
		n += (size_t)snprintf(s + n, sizeof(s) - n, "\r\n");
	}
	snprintf(s + n, sizeof(s) - n, "\r\n");
	return s;
}

/* "POST /v1/meetings" head with a token, a JSON content type and extra header lines. */
static void post_head(char *out, size_t cap, const char *extra)
{
	snprintf(out, cap,
		 "POST /v1/meetings HTTP/1.1\r\n" HOST "Authorization: Bearer %s\r\n"
		 "Content-Type: application/json\r\n%s\r\n",
		 tok_all, extra);
}

/* Sends n chunks of size bytes each ("{   ..."; JSON does not matter, the size does). */
static bool send_chunks(struct raw *c, unsigned n, size_t size)
{
	char chunk[8192 + 16];
	int k = snprintf(chunk, sizeof(chunk), "%zx\r\n", size);
	unsigned i;

	ck_assert_uint_le(size, 8192);
	memset(chunk + k, ' ', size);
	memcpy(chunk + k + size, "\r\n", 2);
	for (i = 0; i < n; i++)
		if (!send_all(c->fd, chunk, (size_t)k + size + 2))
			return false;
	return true;
}

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
	assert_framing_rejected("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n",
				"0\r\n\r\n");
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

/* Served again within timeout_ms (slots free up once MHD notices the closes). */
static void wait_serving(int timeout_ms)
{
	long long dl = now_ms() + timeout_ms;
	struct raw c;
	struct raw_reply r;
	int rc;

	do {
		rc = exchange(&c, HEALTHZ, &r);
		raw_close(&c);
		if (rc == RAW_OK && r.status == 200)
			break;
		sleep_ms(50);
	} while (now_ms() < dl);
	assert_serving();
}

START_TEST(test_limits_connection_cap)
{
	int idle[8];
	struct raw extra;
	struct raw_reply r;
	int rc;
	int i;

	gateway_down();
	cfg->max_connections = 8; /* 4 per worker thread: MHD splits the cap */
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

/* True when fd was closed by the peer (EOF or reset) within timeout_ms. */
static bool fd_closed(int fd, int timeout_ms)
{
	struct raw c = {0};

	c.fd = fd;
	return raw_wait_closed(&c, timeout_ms);
}

START_TEST(test_limits_reserve_serves_new_clients)
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

START_TEST(test_limits_header_deadline_ends_trickling_clients)
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
	ck_assert_msg(all_closed, "trickling clients still connected after %lld ms",
		      now_ms() - t0);
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

START_TEST(test_limits_many_arguments_answered_without_leak)
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

START_TEST(test_limits_big_header_create_gets_its_answer)
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

START_TEST(test_limits_ambiguous_heads_are_400)
{
	char req[1024];
	static const char nul_req[] = "GET /healthz HTTP/1.1\r\n" HOST "X-A: a\0b\r\n\r\n";
	struct raw c;
	struct raw_reply r;

	expect_400("GET /healthz HTTP/1.1\r\n" HOST "Host: other.example\r\n\r\n",
		   "Repeated Host");
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

START_TEST(test_limits_expect_checked_before_continue)
{
	static const char body[] = "{\"name\":\"Expecting\",\"meetingID\":\"expect-1\"}";
	char req[1024];
	struct raw c;
	struct raw_reply r;

	/* An unknown expectation: 417, nothing else done. */
	ck_assert_int_eq(exchange(&c, "POST /v1/meetings HTTP/1.1\r\n" HOST
				  "Expect: something-else\r\nContent-Length: 2\r\n\r\n",
				  &r),
			 RAW_OK);
	assert_problem_and_close(&c, &r, 417, "expectation_failed");
	raw_close(&c);
	/* No valid token: 401 at once, no 100 Continue first. */
	ck_assert_int_eq(exchange(&c, "POST /v1/meetings HTTP/1.1\r\n" HOST
				  "Authorization: Bearer bgw_not_a_token\r\n"
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
	tcase_add_test(tc, test_limits_reserve_serves_new_clients);
	tcase_add_test(tc, test_limits_header_deadline_ends_trickling_clients);
	tcase_add_test(tc, test_limits_many_arguments_answered_without_leak);
	tcase_add_test(tc, test_limits_big_header_create_gets_its_answer);
	tcase_add_test(tc, test_limits_ambiguous_heads_are_400);
	tcase_add_test(tc, test_limits_expect_checked_before_continue);
	tcase_add_test(tc, test_limits_keepalive_sequential_requests);
	tcase_add_test(tc, test_limits_http10_closes_after_response);
	tcase_add_test(tc, test_limits_pipelined_requests);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(limits_suite)
