/*
 * ssefix.c - see ssefix.h.
 */
#include "ssefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gw_limits.h"
#include "harness.h"
#include "jwtutil.h"
#include "rawhttp.h"
#include "testutil.h"

struct sse_knobs sse_knobs;
char tok_events[GW_AUTH_TOKEN_LEN + 1];
char tok_events2[GW_AUTH_TOKEN_LEN + 1];
char tok_evpw[GW_AUTH_TOKEN_LEN + 1];
char tok_tenant[GW_AUTH_TOKEN_LEN + 1];

/* The streams' buffers: far more than any test sends. */
#define SSE_BUF_MAX (8u * 1024u * 1024u)

/* Adds a static token name with scopes to c; its text goes to out (made once per process). */
static void add_token(struct gw_config *c, const char *name, unsigned scopes, char *out)
{
	char hash[72];
	struct gw_token *t;

	if (out[0] == '\0') {
		char unused[7 + 2 * GW_AUTH_HASH_LEN + 1];

		ck_assert_int_eq(gw_auth_token_new(out, unused), GW_OK);
	}
	harness_token_hash(out, hash);
	c->tokens = realloc(c->tokens, (c->n_tokens + 1) * sizeof(*c->tokens));
	ck_assert_ptr_nonnull(c->tokens);
	t = &c->tokens[c->n_tokens++];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	t->scopes = scopes;
	ck_assert_int_eq(gw_auth_hash_parse(hash, t->hash), GW_OK);
}

static void add_issuer(struct gw_config *c)
{
	struct gw_issuer *iss;

	c->issuers = calloc(1, sizeof(*c->issuers));
	ck_assert_ptr_nonnull(c->issuers);
	iss = &c->issuers[0];
	iss->name = strdup("lms");
	iss->alg = GW_JWT_HS256;
	iss->key = (unsigned char *)strdup(SSE_ISSUER_KEY);
	iss->key_len = strlen(SSE_ISSUER_KEY);
	iss->scopes = GW_SCOPE_ALL & ~GW_SCOPE_MEETINGS_PASSWORDS;
	iss->max_ttl_s = 3600;
	c->n_issuers = 1;
	free(c->auth_audience);
	c->auth_audience = strdup("bbb-gateway");
}

/* Tenant "lms" (meetings "lms~..." on BBB) and its token tok_tenant. */
static void add_tenant(struct gw_config *c)
{
	c->tenants = calloc(1, sizeof(*c->tenants));
	ck_assert_ptr_nonnull(c->tenants);
	c->tenants[0].name = strdup("lms");
	c->tenants[0].prefix = strdup("lms~");
	c->tenants[0].prefix_len = 4;
	c->tenants[0].checksums = 0xf;
	c->n_tenants = 1;
	add_token(c, "tenant", GW_SCOPE_EVENTS_READ, tok_tenant);
	c->tokens[c->n_tokens - 1].tenant = strdup("lms");
}

static void sse_tweak(struct gw_config *c)
{
	const struct sse_knobs *k = &sse_knobs;
	char url[128];

	add_token(c, "events", GW_SCOPE_EVENTS_READ, tok_events);
	add_token(c, "events2", GW_SCOPE_EVENTS_READ, tok_events2);
	add_token(c, "evpw", GW_SCOPE_EVENTS_READ | GW_SCOPE_MEETINGS_PASSWORDS, tok_evpw);
	add_tenant(c);
	add_issuer(c);
	if (k->off)
		return;
	if (k->port != 0) {
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/bbb-events", k->port);
		c->listen_port = k->port;
		/* the hook's callback is this gateway on loopback */
		c->fetch_allow = calloc(1, sizeof(char *));
		ck_assert_ptr_nonnull(c->fetch_allow);
		c->fetch_allow[0] = strdup("127.0.0.1");
		c->n_fetch_allow = 1;
	}
	c->events_callback_url = strdup(k->port != 0 ? url : SSE_CALLBACK_URL);
	if (k->heartbeat_s != 0)
		c->events_heartbeat_s = k->heartbeat_s;
	if (k->buffer != 0)
		c->events_buffer = k->buffer;
	if (k->queue != 0)
		c->events_queue = k->queue;
	if (k->max_streams != 0)
		c->events_max_streams = k->max_streams;
	if (k->max_streams_per_token != 0)
		c->events_max_streams_per_token = k->max_streams_per_token;
	/* a drain does not wait long for a client that stopped reading */
	c->shutdown_timeout_ms = 3000;
}

void sse_setup(void)
{
	memset(&sse_knobs, 0, sizeof(sse_knobs));
	harness_sim_opts = (struct bbbsim_opts){.secret = HARNESS_SECRET};
	harness_tweak = sse_tweak;
	setup();
}

void sse_teardown(void)
{
	teardown();
	harness_tweak = NULL;
}

void sse_restart(void)
{
	gw_gateway_stop(gw);
	gw = NULL;
	gw_config_unref(cfg);
	cfg = NULL;
	start_gateway(HARNESS_SECRET, GW_DIGEST_SHA256);
}

void sse_go_live(void)
{
	char live[128];
	long long dl;

	sse_knobs.port = gw_gateway_port(gw);
	sse_restart();
	snprintf(live, sizeof(live), "http://127.0.0.1:%u/v1/bbb-events", sse_knobs.port);
	/* the gateway registers its callback with bbb-webhooks by itself */
	for (dl = now_ms() + SSE_WAIT_MS; !harness_only_hook(live); sleep_ms(20))
		ck_assert_msg(now_ms() < dl, "the gateway's hook was not registered");
}

char *sse_jwt(const char *more)
{
	char payload[2048];
	long long now = (long long)time(NULL);

	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"iat\":%lld,\"exp\":%lld%s%s}", now,
		 now + 600, more[0] != '\0' ? "," : "", more);
	return jt_hs256(payload, SSE_ISSUER_KEY);
}

/* --- the stream client ------------------------------------------------------ */

/* Receives what arrives before the deadline into s->in; false when nothing did. */
static bool receive(struct sse_conn *s, long long deadline)
{
	struct pollfd p = {.fd = s->fd, .events = POLLIN};
	long long left = deadline - now_ms();
	char tmp[16384];
	ssize_t n;

	if (s->eof || left <= 0 || poll(&p, 1, (int)left) <= 0)
		return false;
	n = recv(s->fd, tmp, sizeof(tmp), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0) {
		s->eof = true;
		s->reset = n < 0;
		return true;
	}
	ck_assert_int_eq(gw_buf_append(&s->in, tmp, (size_t)n), GW_OK);
	return true;
}

/* Drops the first n bytes of b. */
static void consume(struct gw_buf *b, size_t n)
{
	if (n == 0)
		return;
	memmove(b->data, b->data + n, b->len - n);
	gw_buf_truncate(b, b->len - n);
}

/* Moves the complete chunks of s->in into s->body. */
static void dechunk(struct sse_conn *s)
{
	while (!s->ended && !s->bad && s->in.len > 0) {
		const char *p = s->in.data;
		const char *eol = memmem(p, s->in.len, "\r\n", 2);
		char *end;
		size_t size;
		size_t hlen;

		if (eol == NULL)
			return;
		size = strtoul(p, &end, 16);
		if (end == p || (end != eol && *end != ';')) {
			s->bad = true;
			return;
		}
		hlen = (size_t)(eol - p) + 2;
		if (s->in.len < hlen + size + 2)
			return;
		if (memcmp(p + hlen + size, "\r\n", 2) != 0) {
			s->bad = true;
			return;
		}
		if (size == 0)
			s->ended = true;
		else
			ck_assert_int_eq(gw_buf_append(&s->body, p + hlen, size), GW_OK);
		consume(&s->in, hlen + size + 2);
	}
}

/* Reads the response head; false when it does not come. */
static bool read_head(struct sse_conn *s, long long dl)
{
	const char *end;
	size_t hlen;

	while ((end = memmem(s->in.data != NULL ? s->in.data : "", s->in.len, "\r\n\r\n", 4)) ==
	       NULL) {
		if (s->eof || !receive(s, dl))
			return false;
	}
	hlen = (size_t)(end + 4 - s->in.data);
	ck_assert_uint_lt(hlen, sizeof(s->head));
	memcpy(s->head, s->in.data, hlen);
	s->head[hlen] = '\0';
	consume(&s->in, hlen);
	ck_assert_msg(strncmp(s->head, "HTTP/1.1 ", 9) == 0, "not a response: %s", s->head);
	s->status = (int)strtol(s->head + 9, NULL, 10);
	return true;
}

/* The whole body of a response that is not a stream (Content-Length or chunked). */
static void read_whole_body(struct sse_conn *s, long long dl)
{
	const char *cl = sse_header(s, "Content-Length");
	size_t want = cl != NULL ? strtoul(cl, NULL, 10) : 0;

	if (s->chunked) {
		for (dechunk(s); !s->ended; dechunk(s))
			ck_assert_msg(!s->bad && receive(s, dl), "the body did not end");
		return;
	}
	while (s->in.len < want)
		ck_assert_msg(receive(s, dl) && !s->eof, "the body did not come");
	if (want > 0)
		ck_assert_int_eq(gw_buf_append(&s->body, s->in.data, want), GW_OK);
	consume(&s->in, want);
}

int sse_open(struct sse_conn *s, const char *path, const char *headers, int rcvbuf)
{
	return sse_open_at(s, gw_gateway_port(gw), path, headers, rcvbuf);
}

int sse_open_at(struct sse_conn *s, unsigned port, const char *path, const char *headers,
		int rcvbuf)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	long long dl = now_ms() + SSE_WAIT_MS;
	char req[16384];
	const char *te;
	int n;

	memset(s, 0, sizeof(*s));
	gw_buf_init(&s->in, SSE_BUF_MAX);
	gw_buf_init(&s->body, SSE_BUF_MAX);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s->fd, 0);
	if (rcvbuf > 0)
		ck_assert_int_eq(setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)),
				 0);
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\n" HOST "Accept: text/event-stream\r\n%s\r\n", path,
		     headers != NULL ? headers : "");
	ck_assert_int_lt(n, (int)sizeof(req));
	ck_assert(send_all(s->fd, req, (size_t)n));
	ck_assert_msg(read_head(s, dl), "no response head for %s", path);
	te = sse_header(s, "Transfer-Encoding");
	s->chunked = te != NULL && strcasecmp(te, "chunked") == 0;
	if (s->status != 200)
		read_whole_body(s, dl);
	return s->status;
}

int sse_open_token(struct sse_conn *s, const char *path, const char *token)
{
	char auth[9000];

	if (token == NULL)
		return sse_open(s, path, NULL, 0);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", token);
	return sse_open(s, path, auth, 0);
}

void sse_open_ok(struct sse_conn *s, const char *path, const char *token)
{
	struct sse_block b;

	ck_assert_msg(sse_open_token(s, path, token) == 200, "%s: %d %s", path, s->status,
		      gw_buf_str(&s->body));
	ck_assert_str_eq(sse_header(s, "Content-Type"), "text/event-stream");
	ck_assert_str_eq(sse_header(s, "X-Accel-Buffering"), "no");
	ck_assert(s->chunked);
	ck_assert(sse_next(s, &b, SSE_WAIT_MS));
	ck_assert_int_eq(b.retry, 3000);
	ck_assert_str_eq(b.id, "");
	ck_assert_str_eq(b.event, "");
}

void sse_close(struct sse_conn *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	gw_buf_deinit(&s->in);
	gw_buf_deinit(&s->body);
}

const char *sse_header(const struct sse_conn *s, const char *name)
{
	static _Thread_local char value[1024];
	const char *p = strstr(s->head, "\r\n");
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

void sse_assert_problem(const struct sse_conn *s, int status, const char *code)
{
	json_t *j = json_loads(gw_buf_str(&s->body), 0, NULL);
	char rid[GW_MAX_REQUEST_ID_LEN + 1];

	ck_assert_msg(s->status == status, "status %d, not %d: %s", s->status, status,
		      gw_buf_str(&s->body));
	ck_assert_str_eq(sse_header(s, "Content-Type"), "application/problem+json");
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), status);
	ck_assert_str_eq(json_string_value(json_object_get(j, "code")), code);
	ck_assert_ptr_nonnull(sse_header(s, "X-Request-Id"));
	snprintf(rid, sizeof(rid), "%s", sse_header(s, "X-Request-Id"));
	ck_assert_str_eq(json_string_value(json_object_get(j, "requestId")), rid);
	json_decref(j);
}

/* Copies the value of a field line into out (cap bytes); asserts it fits. */
static void field(char *out, size_t cap, const char *v, size_t n)
{
	if (n > 0 && *v == ' ') {
		v++;
		n--;
	}
	ck_assert_uint_lt(n, cap);
	memcpy(out, v, n);
	out[n] = '\0';
}

/* Parses the block text p (n bytes, without the blank line) into b. */
static void parse_block(const char *p, size_t n, struct sse_block *b)
{
	const char *end = p + n;

	memset(b, 0, sizeof(*b));
	b->retry = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		const char *colon = memchr(p, ':', len);
		size_t name = colon != NULL ? (size_t)(colon - p) : len;
		const char *v = colon != NULL ? colon + 1 : p + len;
		size_t vlen = len - name - (colon != NULL);

		ck_assert_msg(memchr(p, '\r', len) == NULL, "a CR in the stream");
		if (name == 0) {
			field(b->comment, sizeof(b->comment), v, vlen);
		} else if (name == 2 && memcmp(p, "id", 2) == 0) {
			field(b->id, sizeof(b->id), v, vlen);
		} else if (name == 5 && memcmp(p, "event", 5) == 0) {
			field(b->event, sizeof(b->event), v, vlen);
		} else if (name == 4 && memcmp(p, "data", 4) == 0) {
			ck_assert_msg(b->data[0] == '\0', "two data lines in one event");
			field(b->data, sizeof(b->data), v, vlen);
		} else if (name == 5 && memcmp(p, "retry", 5) == 0) {
			char num[32];

			field(num, sizeof(num), v, vlen);
			b->retry = strtol(num, NULL, 10);
		} else {
			ck_abort_msg("unknown field in the stream: %.*s", (int)len, p);
		}
		p += len + 1;
	}
}

bool sse_next(struct sse_conn *s, struct sse_block *b, int timeout_ms)
{
	long long dl = now_ms() + timeout_ms;
	const char *blank;

	ck_assert_int_eq(s->status, 200);
	for (;;) {
		dechunk(s);
		ck_assert_msg(!s->bad, "the stream's chunks are malformed");
		blank = memmem(s->body.data != NULL ? s->body.data : "", s->body.len, "\n\n", 2);
		if (blank != NULL) {
			size_t n = (size_t)(blank - s->body.data);

			parse_block(s->body.data, n, b);
			consume(&s->body, n + 2);
			return true;
		}
		if (s->ended || s->eof || !receive(s, dl))
			return false;
	}
}

bool sse_next_event(struct sse_conn *s, struct sse_block *b, int timeout_ms)
{
	long long dl = now_ms() + timeout_ms;

	for (;;) {
		long long left = dl - now_ms();

		if (left <= 0 || !sse_next(s, b, (int)left))
			return false;
		if (b->event[0] != '\0' || b->data[0] != '\0' || b->id[0] != '\0')
			return true;
	}
}

bool sse_wait_end(struct sse_conn *s, int timeout_ms)
{
	long long dl = now_ms() + timeout_ms;

	for (;;) {
		dechunk(s);
		gw_buf_reset(&s->body);
		if (s->ended || s->eof)
			return true;
		if (!receive(s, dl))
			return false;
	}
}

void sse_assert_quiet(struct sse_conn *s, int ms)
{
	struct sse_block b;

	ck_assert_msg(!sse_next_event(s, &b, ms), "unexpected event %s: %s", b.event, b.data);
}

json_t *sse_data(const struct sse_block *b)
{
	json_error_t err;
	json_t *j = json_loads(b->data, 0, &err);

	ck_assert_msg(j != NULL, "data is not JSON (%s): %s", err.text, b->data);
	return j;
}

/* --- callbacks --------------------------------------------------------------- */

void sse_bbb_event(char *out, size_t cap, const char *id, const char *meeting, const char *user)
{
	int n = snprintf(out, cap,
			 "{\"data\":{\"type\":\"event\",\"id\":\"%s\",\"attributes\":{\"meeting\":{"
			 "\"internal-meeting-id\":\"int-%s\",\"external-meeting-id\":\"%s\"",
			 id, meeting, meeting);

	if (strcmp(id, "meeting-created") == 0)
		n += snprintf(out + n, cap - (size_t)n,
			      ",\"name\":\"Room %s\",\"is-breakout\":false,\"parent-id\":\"bbb-"
			      "none\",\"create-time\":1700000000000,\"moderator-pass\":\"mp-"
			      "secret\",\"viewer-pass\":\"ap-secret\",\"record\":false,\"dial-"
			      "number\":\"613-555-1234\"",
			      meeting);
	n += snprintf(out + n, cap - (size_t)n, "}");
	if (user != NULL)
		n += snprintf(out + n, cap - (size_t)n,
			      ",\"user\":{\"internal-user-id\":\"w_%s\",\"external-user-id\":\"%"
			      "s\","
			      "\"name\":\"Name %s\",\"role\":\"VIEWER\",\"presenter\":false,"
			      "\"session-token\":\"st-secret\",\"client-ip\":\"10.1.2.3\"}",
			      user, user, user);
	n += snprintf(out + n, cap - (size_t)n, "},\"event\":{\"ts\":1700000000123}}}");
	ck_assert_int_lt(n, (int)cap);
}

/* Hex SHA-1 of URL + body + secret, as bbb-webhooks computes it. */
static void checksum(const char *url, const char *body, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	ck_assert_ptr_nonnull(c);
	ck_assert(EVP_DigestInit_ex(c, EVP_sha1(), NULL) == 1);
	EVP_DigestUpdate(c, url, strlen(url));
	EVP_DigestUpdate(c, body, strlen(body));
	EVP_DigestUpdate(c, HARNESS_SECRET, strlen(HARNESS_SECRET));
	ck_assert(EVP_DigestFinal_ex(c, md, &len) == 1);
	EVP_MD_CTX_free(c);
	for (unsigned i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void sse_post(const char *events, long long received)
{
	struct gw_buf body;
	char path[128];
	char sum[41];
	struct reply r;
	struct req q = {.method = "POST",
			.path = path,
			.content_type = "application/x-www-form-urlencoded"};

	gw_buf_init(&body, SSE_BUF_MAX);
	ck_assert_int_eq(gw_buf_append_str(&body, "domain=bbb.test&event="), GW_OK);
	/* as java.net.URLEncoder (bbb-webhooks' form): alphanumerics and "*-._" stay */
	ck_assert_int_eq(gw_buf_reserve(&body, 3 * strlen(events) + 64), GW_OK);
	for (const char *p = events; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		char *o = body.data + body.len;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '*') {
			o[0] = (char)c;
			body.len++;
		} else {
			o[0] = '%';
			o[1] = "0123456789ABCDEF"[c >> 4];
			o[2] = "0123456789ABCDEF"[c & 15];
			body.len += 3;
		}
	}
	body.data[body.len] = '\0';
	ck_assert_int_eq(gw_buf_append_str(&body, "&timestamp=1700000000001"), GW_OK);
	checksum(SSE_CALLBACK_URL, gw_buf_str(&body), sum);
	snprintf(path, sizeof(path), "/v1/bbb-events?checksum=%s", sum);
	q.body = gw_buf_str(&body);
	do_request(&q, &r);
	ck_assert_msg(r.status == 200, "callback: %ld %s", r.status, gw_buf_str(&r.body));
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "received")), received);
	reply_free(&r);
	gw_buf_deinit(&body);
}

void sse_post_one(const char *id, const char *meeting, const char *user)
{
	char ev[2048];
	char arr[2100];

	sse_bbb_event(ev, sizeof(ev), id, meeting, user);
	snprintf(arr, sizeof(arr), "[%s]", ev);
	sse_post(arr, 1);
}

bool sse_metric_reaches(const char *name, long long want)
{
	long long dl = now_ms() + SSE_WAIT_MS;

	while (harness_metric(name) < want) {
		if (now_ms() > dl)
			return false;
		sleep_ms(20);
	}
	return true;
}

size_t sse_stuck_bytes(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_wmem", "r");
	unsigned long lo = 0;
	unsigned long def = 0;
	unsigned long max = 0;

	if (f == NULL || fscanf(f, "%lu %lu %lu", &lo, &def, &max) != 3)
		max = 4ul << 20; /* Linux's default */
	if (f != NULL)
		fclose(f);
	return max + (1u << 20);
}

int sse_sim_get(const char *target)
{
	struct sse_conn c;
	long long dl = now_ms() + SSE_WAIT_MS;
	char req[4096];
	int n;

	memset(&c, 0, sizeof(c));
	gw_buf_init(&c.in, SSE_BUF_MAX);
	c.fd = tcp_connect(bbbsim_port(sim));
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n",
		     target);
	ck_assert_int_lt(n, (int)sizeof(req));
	ck_assert(send_all(c.fd, req, (size_t)n));
	while (!c.eof)
		ck_assert_msg(receive(&c, dl), "the simulator did not answer %s", target);
	ck_assert_msg(c.in.len > 12 && strncmp(c.in.data, "HTTP/1.1 ", 9) == 0, "%s: %s", target,
		      gw_buf_str(&c.in));
	n = (int)strtol(c.in.data + 9, NULL, 10);
	sse_close(&c);
	return n;
}
