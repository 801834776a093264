/*
 * rawhttp.c - the raw-socket HTTP client of rawhttp.h.
 */
#include "rawhttp.h"

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

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int tcp_connect(unsigned port)
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

void raw_open(struct raw *c)
{
	c->fd = tcp_connect(gw_gateway_port(gw));
	c->len = 0;
	c->eof = false;
}

void raw_close(struct raw *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

bool send_all(int fd, const char *p, size_t n)
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

bool raw_send(struct raw *c, const char *s)
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
const char *rhdr(const struct raw_reply *r, const char *name)
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
int raw_read(struct raw *c, struct raw_reply *r, int timeout_ms)
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
bool raw_wait_closed(struct raw *c, int timeout_ms)
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
int exchange(struct raw *c, const char *req, struct raw_reply *r)
{
	raw_open(c);
	ck_assert(raw_send(c, req));
	return raw_read(c, r, IO_MS);
}

/* Another client is served: /healthz on a fresh connection, and a call that goes to BBB. */
void assert_serving(void)
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
void assert_problem_and_close(struct raw *c, const struct raw_reply *r, int status,
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
void gateway_down(void)
{
	gw_gateway_stop(gw);
	gw = NULL;
}

void gateway_up(void)
{
	ck_assert_int_eq(gw_gateway_start(cfg, -1, &gw), GW_OK);
}

/* "GET <path> HTTP/1.1" plus count headers of size bytes each, in a static buffer. */
const char *padded_request(const char *path, size_t count, size_t size)
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
void post_head(char *out, size_t cap, const char *extra)
{
	snprintf(out, cap,
		 "POST /v1/meetings HTTP/1.1\r\n" HOST "Authorization: Bearer %s\r\n"
		 "Content-Type: application/json\r\n%s\r\n",
		 tok_all, extra);
}

/* Sends n chunks of size bytes each ("{   ..."; JSON does not matter, the size does). */
bool send_chunks(struct raw *c, unsigned n, size_t size)
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

/* Served again within timeout_ms (slots free up once MHD notices the closes). */
void wait_serving(int timeout_ms)
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

/* True when fd was closed by the peer (EOF or reset) within timeout_ms. */
bool fd_closed(int fd, int timeout_ms)
{
	struct raw c = {0};

	c.fd = fd;
	return raw_wait_closed(&c, timeout_ms);
}
