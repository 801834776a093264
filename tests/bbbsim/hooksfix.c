/*
 * hooksfix.c - see hooksfix.h.
 */
#include "hooksfix.h"

#include <arpa/inet.h>
#include <check.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

struct bbbsim *sim;

/* --- the receiver --------------------------------------------------------- */

struct rx_state rx;

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static bool rx_stopping(void)
{
	bool s;

	pthread_mutex_lock(&rx.lock);
	s = rx.stop;
	pthread_mutex_unlock(&rx.lock);
	return s;
}

/* The value of header name in head (malloc'd), NULL when absent. */
static char *head_value(const char *head, const char *name)
{
	size_t n = strlen(name);
	const char *p = strstr(head, "\r\n");

	while (p != NULL && p[2] != '\0' && p[2] != '\r') {
		const char *line = p + 2;
		const char *eol = strstr(line, "\r\n");

		if (eol == NULL)
			break;
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;

			while (*v == ' ')
				v++;
			return strndup(v, (size_t)(eol - v));
		}
		p = eol;
	}
	return NULL;
}

/* Reads one request from c; false when it is incomplete. */
static bool rx_read(int c, struct rx_req *out)
{
	static char buf[256 * 1024];
	size_t len = 0;
	char *end = NULL;
	char *cl;
	size_t want;
	char *sp;

	while (end == NULL) {
		ssize_t got = read(c, buf + len, sizeof(buf) - 1 - len);

		if (got <= 0)
			return false;
		len += (size_t)got;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	end[2] = '\0'; /* the head keeps its last CRLF */
	cl = head_value(buf, "Content-Length");
	want = (size_t)(end + 4 - buf) + (cl != NULL ? strtoul(cl, NULL, 10) : 0);
	free(cl);
	while (len < want) {
		ssize_t got = read(c, buf + len, sizeof(buf) - 1 - len);

		if (got <= 0)
			return false;
		len += (size_t)got;
	}
	buf[len] = '\0';
	sp = strchr(buf, ' ');
	out->method = strndup(buf, (size_t)(sp - buf));
	out->target = strndup(sp + 1, strcspn(sp + 1, " "));
	out->ctype = head_value(buf, "Content-Type");
	out->auth = head_value(buf, "Authorization");
	out->body = strdup(end + 4);
	return true;
}

static void rx_serve(int c)
{
	struct rx_req r = {0};
	char answer[128];
	unsigned waited;
	int status = 200;
	size_t i;

	if (!rx_read(c, &r))
		return;
	pthread_mutex_lock(&rx.lock);
	i = rx.n;
	if (rx.n < MAX_REQS)
		rx.reqs[rx.n++] = r;
	if (i < rx.nstatuses)
		status = rx.statuses[i];
	pthread_mutex_unlock(&rx.lock);
	if (i >= MAX_REQS) {
		free(r.target);
		free(r.method);
		free(r.ctype);
		free(r.auth);
		free(r.body);
	}
	for (waited = 0; waited < rx.delay_ms && !rx_stopping(); waited += 10)
		usleep(10000);
	snprintf(answer, sizeof(answer),
		 "HTTP/1.1 %d X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", status);
	if (write(c, answer, strlen(answer)) < 0)
		return; /* the sender gave up: nothing to do */
}

static void *rx_main(void *arg)
{
	(void)arg;
	while (!rx_stopping()) {
		struct pollfd p = {.fd = rx.fd, .events = POLLIN};
		int c;

		if (poll(&p, 1, 20) <= 0)
			continue;
		c = accept(rx.fd, NULL, NULL);
		if (c < 0)
			continue;
		rx_serve(c);
		close(c);
	}
	return NULL;
}

void rx_start(void)
{
	struct sockaddr_in sa = {0};
	socklen_t sl = sizeof(sa);

	memset(&rx, 0, sizeof(rx));
	pthread_mutex_init(&rx.lock, NULL);
	rx.fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(rx.fd, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(rx.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(rx.fd, 16), 0);
	ck_assert_int_eq(getsockname(rx.fd, (struct sockaddr *)&sa, &sl), 0);
	rx.port = ntohs(sa.sin_port);
	ck_assert_int_eq(pthread_create(&rx.thread, NULL, rx_main, NULL), 0);
}

void rx_stop(void)
{
	size_t i;

	pthread_mutex_lock(&rx.lock);
	rx.stop = true;
	pthread_mutex_unlock(&rx.lock);
	pthread_join(rx.thread, NULL);
	close(rx.fd);
	for (i = 0; i < rx.n; i++) {
		free(rx.reqs[i].target);
		free(rx.reqs[i].method);
		free(rx.reqs[i].ctype);
		free(rx.reqs[i].auth);
		free(rx.reqs[i].body);
	}
	pthread_mutex_destroy(&rx.lock);
}

size_t rx_count(void)
{
	size_t n;

	pthread_mutex_lock(&rx.lock);
	n = rx.n;
	pthread_mutex_unlock(&rx.lock);
	return n;
}

void rx_script(unsigned delay_ms, int s1, int s2)
{
	pthread_mutex_lock(&rx.lock);
	rx.delay_ms = delay_ms;
	rx.statuses[0] = s1;
	rx.statuses[1] = s2;
	rx.nstatuses = 2;
	pthread_mutex_unlock(&rx.lock);
}

/* --- requests to the simulator --------------------------------------------- */

static char *hexdigest(const char *alg, const char *s)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	unsigned int i;
	char *hex;

	ck_assert_int_eq(EVP_Digest(s, strlen(s), md, &n, EVP_get_digestbyname(alg), NULL), 1);
	hex = malloc(2 * n + 1);
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
}

struct bbbsim_resp get_on(unsigned port, const char *target)
{
	struct bbbsim_resp r = bbbsim_http(port, "GET", target, NULL, NULL, 0);

	ck_assert_msg(r.status != 0, "no response to %s", target);
	return r;
}

/* GET /bigbluebutton/api/<call>?<query>&checksum=sha1(call + query + SECRET). */
struct bbbsim_resp call_on(unsigned port, const char *call, const char *query)
{
	char in[2048];
	char target[2048];
	char *hex;
	struct bbbsim_resp r;

	snprintf(in, sizeof(in), "%s%s%s", call, query, SECRET);
	hex = hexdigest("sha1", in);
	snprintf(target, sizeof(target), API "%s?%s&checksum=%s", call, query, hex);
	r = get_on(port, target);
	free(hex);
	return r;
}

struct bbbsim_resp call(const char *call_name, const char *query)
{
	return call_on(bbbsim_port(sim), call_name, query);
}

/* Calls and expects SUCCESS. */
void ok(const char *call_name, const char *query)
{
	struct bbbsim_resp r = call(call_name, query);

	ck_assert_msg(strstr(r.body, "<returncode>SUCCESS</returncode>") != NULL, "%s: %s",
		      call_name, r.body);
	bbbsim_resp_free(&r);
}

/* Registers http://127.0.0.1:<rx>/<path_query>, percent-encoded, with extra parameters. */
void hook_on(unsigned port, const char *path_query, const char *extra)
{
	char url[256];
	char enc[768];
	char query[1024];
	struct bbbsim_resp r;
	size_t i;
	size_t o = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/%s", rx.port, path_query);
	for (i = 0; url[i] != '\0'; i++) {
		unsigned char c = (unsigned char)url[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			enc[o++] = (char)c;
		else
			o += (size_t)snprintf(enc + o, sizeof(enc) - o, "%%%02X", c);
	}
	enc[o] = '\0';
	snprintf(query, sizeof(query), "callbackURL=%s%s", enc, extra);
	r = call_on(port, "hooks/create", query);
	ck_assert_msg(strstr(r.body, "<returncode>SUCCESS</returncode>") != NULL, "%s", r.body);
	bbbsim_resp_free(&r);
}

void hook(const char *path_query, const char *extra)
{
	hook_on(bbbsim_port(sim), path_query, extra);
}

/* Text of the first <name>...</name> of doc (malloc'd). */
char *xml_value(const char *doc, const char *name)
{
	char open[64];
	char close_tag[64];
	const char *a;
	const char *b;

	snprintf(open, sizeof(open), "<%s>", name);
	snprintf(close_tag, sizeof(close_tag), "</%s>", name);
	a = strstr(doc, open);
	ck_assert_msg(a != NULL, "no <%s> in %s", name, doc);
	a += strlen(open);
	b = strstr(a, close_tag);
	ck_assert_ptr_nonnull(b);
	return strndup(a, (size_t)(b - a));
}

unsigned count(const char *s, const char *needle)
{
	unsigned n = 0;

	for (s = strstr(s, needle); s != NULL; s = strstr(s + 1, needle))
		n++;
	return n;
}

void start(const struct bbbsim_opts *o)
{
	bbbsim_stop(sim);
	sim = bbbsim_start(o);
	ck_assert_ptr_nonnull(sim);
}

void setup(void)
{
	struct bbbsim_opts o = {.secret = SECRET};

	signal(SIGPIPE, SIG_IGN);
	rx_start();
	sim = NULL;
	start(&o);
}

void teardown(void)
{
	bbbsim_stop(sim);
	sim = NULL;
	rx_stop();
}

/* Waits until n callbacks settled and the receiver saw at least n requests. */
void settle(size_t n)
{
	ck_assert_msg(bbbsim_callbacks_wait(sim, n, WAIT_MS), "%zu of %zu callbacks",
		      bbbsim_callbacks_sent(sim) + bbbsim_callbacks_failed(sim), n);
}

/* --- decoding what arrived -------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1; /* URLSearchParams writes capitals only */
}

/* Form-decodes s[0..n) ('+' is space, %XX a byte), malloc'd. */
static char *form_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t i;
	size_t o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			ck_assert_msg(i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0,
				      "bad escape in %s", s);
			out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			ck_assert_msg(strchr("*-._", s[i]) != NULL ||
					      (s[i] >= '0' && s[i] <= '9') ||
					      (s[i] >= 'a' && s[i] <= 'z') ||
					      (s[i] >= 'A' && s[i] <= 'Z'),
				      "'%c' left unescaped", s[i]);
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* One callback as the receiver saw it, checked and decoded. */

/* Checks request i's method, headers, field order and signature, and decodes it. */
struct cb cb_get(size_t i, const char *alg, bool bearer)
{
	struct rx_req *r;
	struct cb c = {0};
	const char *amp1;
	const char *amp2;
	char *events;
	char *cs;
	json_error_t err;
	json_t *arr;

	pthread_mutex_lock(&rx.lock);
	ck_assert_uint_lt(i, rx.n);
	r = &rx.reqs[i];
	pthread_mutex_unlock(&rx.lock);
	ck_assert_str_eq(r->method, "POST");
	ck_assert_str_eq(r->ctype, "application/x-www-form-urlencoded;charset=UTF-8");
	/* domain=..&event=..&timestamp=.., in that order */
	ck_assert_msg(strncmp(r->body, "domain=", 7) == 0, "%s", r->body);
	amp1 = strstr(r->body, "&event=");
	ck_assert_ptr_nonnull(amp1);
	amp2 = strstr(amp1 + 1, "&timestamp=");
	ck_assert_ptr_nonnull(amp2);
	ck_assert_ptr_null(strchr(amp2 + 1, '&'));
	c.domain = form_decode(r->body + 7, (size_t)(amp1 - r->body - 7));
	events = form_decode(amp1 + 7, (size_t)(amp2 - amp1 - 7));
	c.stamp = strtoll(amp2 + 11, NULL, 10);
	ck_assert_int_gt(c.stamp, 1600000000000LL);
	ck_assert_msg(events[0] == '[' && events[strlen(events) - 1] == ']', "%s", events);
	c.event = strndup(events + 1, strlen(events) - 2);
	arr = json_loads(events, 0, &err);
	ck_assert_msg(arr != NULL && json_is_array(arr) && json_array_size(arr) == 1, "%s", events);
	c.json = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	c.id = json_string_value(json_object_get(json_object_get(c.json, "data"), "id"));
	ck_assert_ptr_nonnull(c.id);
	free(events);
	if (bearer) {
		ck_assert_str_eq(r->auth, "Bearer " SECRET);
		ck_assert_ptr_null(strstr(r->target, "checksum="));
		c.path = strdup(r->target);
		return c;
	}
	ck_assert_ptr_null(r->auth);
	cs = strstr(r->target, "checksum=");
	ck_assert_ptr_nonnull(cs);
	ck_assert(cs[-1] == '?' || cs[-1] == '&');
	c.path = strndup(r->target, (size_t)(cs - 1 - r->target));
	{
		char url[512];
		char *in;
		char *want;
		size_t n;

		/* hash(callbackURL + body + secret), the callbackURL as registered */
		snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", rx.port, c.path);
		n = strlen(url) + strlen(r->body) + strlen(SECRET) + 1;
		in = malloc(n);
		snprintf(in, n, "%s%s%s", url, r->body, SECRET);
		want = hexdigest(alg, in);
		ck_assert_str_eq(cs + 9, want);
		ck_assert_int_eq(cs[-1], strchr(c.path, '?') != NULL ? '&' : '?');
		free(want);
		free(in);
	}
	return c;
}

void cb_free(struct cb *c)
{
	free(c->path);
	free(c->domain);
	free(c->event);
	json_decref(c->json);
	memset(c, 0, sizeof(*c));
}

/* data.event.ts of the event. */
long long cb_ts(const struct cb *c)
{
	json_t *ev = json_object_get(json_object_get(c->json, "data"), "event");

	return (long long)json_integer_value(json_object_get(ev, "ts"));
}

/* The event ids the receiver got at path, in order, joined by spaces, into out. */
void ids_at(const char *path, char *out, size_t n)
{
	size_t i;
	size_t total = rx_count();

	out[0] = '\0';
	for (i = 0; i < total; i++) {
		struct cb c = cb_get(i, "sha1", false);

		if (strcmp(c.path, path) == 0) {
			if (out[0] != '\0')
				strncat(out, " ", n - strlen(out) - 1);
			strncat(out, c.id, n - strlen(out) - 1);
		}
		cb_free(&c);
	}
}

/* --- the events, end to end ------------------------------------------------- */
