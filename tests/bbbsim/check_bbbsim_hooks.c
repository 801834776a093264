/*
 * check_bbbsim_hooks.c - tests of the simulator's bbb-webhooks callbacks:
 * which events it sends (meeting-created, user-joined, user-left,
 * meeting-ended) and when, to which hooks, in which order, with which
 * bytes (the form body, the mapped event's JSON, the checksum or the
 * Bearer token), its retry, its 401 rule, that a slow receiver never slows
 * the simulator's answers, sim/leave, the client page and the bbb-sim
 * options.
 *
 * The receiver is a small HTTP server in a thread on 127.0.0.1:0 that
 * records each request and answers with scripted statuses after an
 * optional delay. Form bodies are decoded, checksums computed (OpenSSL)
 * and JSON parsed (jansson) here, independently of the simulator.
 */
#include "bbbsim.h"
#include "bbbsim_client.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SECRET "hook-secret-7"
#define API "/bigbluebutton/api/"
#define MAX_REQS 64
#define WAIT_MS 15000u

static struct bbbsim *sim;

/* --- the receiver --------------------------------------------------------- */

struct rx_req {
	char *target; /* request-target as received */
	char *method;
	char *ctype;
	char *auth; /* Authorization, or NULL */
	char *body;
};

static struct {
	int fd;
	unsigned port;
	pthread_t thread;
	pthread_mutex_t lock;
	bool stop;
	struct rx_req reqs[MAX_REQS];
	size_t n;
	int statuses[8]; /* answers in turn; 200 once they run out */
	size_t nstatuses;
	unsigned delay_ms;
} rx;

static double now_ms(void)
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

static void rx_start(void)
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

static void rx_stop(void)
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

static size_t rx_count(void)
{
	size_t n;

	pthread_mutex_lock(&rx.lock);
	n = rx.n;
	pthread_mutex_unlock(&rx.lock);
	return n;
}

static void rx_script(unsigned delay_ms, int s1, int s2)
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

static struct bbbsim_resp get_on(unsigned port, const char *target)
{
	struct bbbsim_resp r = bbbsim_http(port, "GET", target, NULL, NULL, 0);

	ck_assert_msg(r.status != 0, "no response to %s", target);
	return r;
}

/* GET /bigbluebutton/api/<call>?<query>&checksum=sha1(call + query + SECRET). */
static struct bbbsim_resp call_on(unsigned port, const char *call, const char *query)
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

static struct bbbsim_resp call(const char *call_name, const char *query)
{
	return call_on(bbbsim_port(sim), call_name, query);
}

/* Calls and expects SUCCESS. */
static void ok(const char *call_name, const char *query)
{
	struct bbbsim_resp r = call(call_name, query);

	ck_assert_msg(strstr(r.body, "<returncode>SUCCESS</returncode>") != NULL, "%s: %s",
		      call_name, r.body);
	bbbsim_resp_free(&r);
}

/* Registers http://127.0.0.1:<rx>/<path_query>, percent-encoded, with extra parameters. */
static void hook_on(unsigned port, const char *path_query, const char *extra)
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

static void hook(const char *path_query, const char *extra)
{
	hook_on(bbbsim_port(sim), path_query, extra);
}

/* Text of the first <name>...</name> of doc (malloc'd). */
static char *xml_value(const char *doc, const char *name)
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

static unsigned count(const char *s, const char *needle)
{
	unsigned n = 0;

	for (s = strstr(s, needle); s != NULL; s = strstr(s + 1, needle))
		n++;
	return n;
}

static void start(const struct bbbsim_opts *o)
{
	bbbsim_stop(sim);
	sim = bbbsim_start(o);
	ck_assert_ptr_nonnull(sim);
}

static void setup(void)
{
	struct bbbsim_opts o = {.secret = SECRET};

	signal(SIGPIPE, SIG_IGN);
	rx_start();
	sim = NULL;
	start(&o);
}

static void teardown(void)
{
	bbbsim_stop(sim);
	sim = NULL;
	rx_stop();
}

/* Waits until n callbacks settled and the receiver saw at least n requests. */
static void settle(size_t n)
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
struct cb {
	char *path;      /* the target without its checksum */
	char *domain;    /* form fields, decoded */
	char *event;     /* the JSON text of the one event, brackets stripped */
	long long stamp; /* timestamp field */
	json_t *json;    /* the event parsed */
	const char *id;  /* data.id, borrowed from json */
};

/* Checks request i's method, headers, field order and signature, and decodes it. */
static struct cb cb_get(size_t i, const char *alg, bool bearer)
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

static void cb_free(struct cb *c)
{
	free(c->path);
	free(c->domain);
	free(c->event);
	json_decref(c->json);
	memset(c, 0, sizeof(*c));
}

/* data.event.ts of the event. */
static long long cb_ts(const struct cb *c)
{
	json_t *ev = json_object_get(json_object_get(c->json, "data"), "event");

	return (long long)json_integer_value(json_object_get(ev, "ts"));
}

/* The event ids the receiver got at path, in order, joined by spaces, into out. */
static void ids_at(const char *path, char *out, size_t n)
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

#define MEETING_QUERY                                                                        \
	"name=Ann%27s+%22big%22+M%C3%BC%2Fx%5Cy&meetingID=ev-1&attendeePW=ap&moderatorPW=mp" \
	"&voiceBridge=71347&duration=30&maxParticipants=5&record=true&meta_Course=Bio+101"   \
	"&meta_lang=de"

START_TEST(test_bbbsim_hooks_events)
{
	struct bbbsim_resp r;
	char want[2048];
	char *internal;
	char *create_time;
	char *create_date;
	char *viewer;
	char ids[512];
	struct cb c;
	size_t i;

	hook("global", "");
	hook("meeting?x=1", "&meetingID=ev-1");
	r = call("create", MEETING_QUERY);
	internal = xml_value(r.body, "internalMeetingID");
	create_time = xml_value(r.body, "createTime");
	create_date = xml_value(r.body, "createDate");
	bbbsim_resp_free(&r);
	ok("create", "name=Other&meetingID=ev-2");
	ok("create", MEETING_QUERY); /* a duplicate: no event */
	/* join with redirect (the browser's way) and without */
	r = call("join", "meetingID=ev-1&fullName=Ann+O%27Brien&role=MODERATOR&userID=u-1");
	ck_assert_int_eq(r.status, 302);
	bbbsim_resp_free(&r);
	r = call("join", "meetingID=ev-1&fullName=Bob&password=ap&redirect=false");
	viewer = xml_value(r.body, "user_id");
	ck_assert_int_eq(strncmp(viewer, "w_", 2), 0);
	bbbsim_resp_free(&r);
	r = call("getMeetingInfo", "meetingID=ev-1");
	ck_assert_uint_eq(count(r.body, "<attendee>"), 2);
	bbbsim_resp_free(&r);
	/* the simulator's leave: no checksum */
	r = get_on(bbbsim_port(sim), API "sim/leave?meetingID=ev-1&userID=u-1");
	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n<messageKey>"
				 "userLeft</messageKey>\n<message>The user left the meeting."
				 "</message>\n</response>");
	bbbsim_resp_free(&r);
	r = call("getMeetingInfo", "meetingID=ev-1");
	ck_assert_uint_eq(count(r.body, "<attendee>"), 1);
	ck_assert_ptr_nonnull(strstr(r.body, "<fullName>Bob</fullName>"));
	ck_assert_ptr_nonnull(strstr(r.body, "<hasUserJoined>true</hasUserJoined>"));
	bbbsim_resp_free(&r);
	ok("end", "meetingID=ev-1");

	settle(13);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 13);
	ck_assert_uint_eq(bbbsim_callbacks_failed(sim), 0);
	ck_assert_uint_eq(rx_count(), 13);
	ids_at("/global", ids, sizeof(ids));
	ck_assert_str_eq(ids, "meeting-created meeting-created user-joined user-joined user-left "
			      "user-left meeting-ended");
	ids_at("/meeting?x=1", ids, sizeof(ids));
	ck_assert_str_eq(ids, "meeting-created user-joined user-joined user-left user-left "
			      "meeting-ended");

	/*
	 * The bytes of the events (JSON.stringify's layout and key order). In
	 * queue order, global hook first: 0-1 created ev-1, 2 created ev-2 (global
	 * only), 3-4 u-1 joined, 5-6 Bob joined, 7-8 u-1 left, 9-10 Bob left,
	 * 11-12 ev-1 ended.
	 */
	for (i = 0; i < 13; i++) {
		c = cb_get(i, "sha1", false);
		ck_assert_str_eq(c.domain, "127.0.0.1");
		ck_assert_str_eq(c.path, i == 0 || i == 2 || (i > 2 && i % 2 == 1) ? "/global"
										   : "/meeting?x="
										     "1");
		ck_assert_int_ge(c.stamp, cb_ts(&c));
		if (i == 0 || i == 1) {
			snprintf(want, sizeof(want),
				 "{\"data\":{\"type\":\"event\",\"id\":\"meeting-created\","
				 "\"attributes\":{\"meeting\":{\"internal-meeting-id\":\"%s\","
				 "\"external-meeting-id\":\"ev-1\",\"name\":\"Ann's \\\"big\\\" "
				 "M\xc3\xbc/"
				 "x\\\\y\",\"is-breakout\":false,\"parent-id\":\"bbb-none\","
				 "\"duration\":30,\"create-time\":%s,\"create-date\":\"%s\","
				 "\"moderator-pass\":\"mp\",\"viewer-pass\":\"ap\",\"record\":true,"
				 "\"voice-conf\":\"71347\",\"dial-number\":\"613-555-1234\","
				 "\"max-users\":5,\"metadata\":{\"course\":\"Bio 101\",\"lang\":"
				 "\"de\"}}},\"event\":{\"ts\":%lld}}}",
				 internal, create_time, create_date, cb_ts(&c));
		} else if (i == 5 || i == 6) {
			snprintf(want, sizeof(want),
				 "{\"data\":{\"type\":\"event\",\"id\":\"user-joined\","
				 "\"attributes\":"
				 "{\"meeting\":{\"internal-meeting-id\":\"%s\",\"external-meeting-"
				 "id\":"
				 "\"ev-1\"},\"user\":{\"internal-user-id\":\"%s\","
				 "\"external-user-id\":\"%s\",\"name\":\"Bob\",\"role\":\"VIEWER\","
				 "\"presenter\":false,\"guest\":false}},\"event\":{\"ts\":%lld}}}",
				 internal, viewer, viewer, cb_ts(&c));
		} else if (i == 9 || i == 10) {
			snprintf(want, sizeof(want),
				 "{\"data\":{\"type\":\"event\",\"id\":\"user-left\","
				 "\"attributes\":"
				 "{\"meeting\":{\"internal-meeting-id\":\"%s\",\"external-meeting-"
				 "id\":"
				 "\"ev-1\"},\"user\":{\"internal-user-id\":\"%s\","
				 "\"external-user-id\":\"%s\",\"guest\":false}},\"event\":{\"ts\":"
				 "%lld}}}",
				 internal, viewer, viewer, cb_ts(&c));
		} else if (i == 11 || i == 12) {
			snprintf(want, sizeof(want),
				 "{\"data\":{\"type\":\"event\",\"id\":\"meeting-ended\","
				 "\"attributes\":{\"meeting\":{\"internal-meeting-id\":\"%s\","
				 "\"external-meeting-id\":\"ev-1\"}},\"event\":{\"ts\":%lld}}}",
				 internal, cb_ts(&c));
		} else {
			want[0] = '\0';
		}
		if (want[0] != '\0')
			ck_assert_str_eq(c.event, want);
		cb_free(&c);
	}
	/* the moderator: an external user ID, an internal w_ one */
	c = cb_get(3, "sha1", false);
	{
		json_t *u = json_object_get(json_object_get(json_object_get(c.json, "data"), "attri"
											     "bute"
											     "s"),
					    "user");

		ck_assert_str_eq(c.id, "user-joined");
		ck_assert_str_eq(gw_test_jstr(u, "external-user-id"), "u-1");
		ck_assert_str_eq(gw_test_jstr(u, "name"), "Ann O'Brien");
		ck_assert_str_eq(gw_test_jstr(u, "role"), "MODERATOR");
		ck_assert_int_eq(strncmp(gw_test_jstr(u, "internal-user-id"), "w_", 2), 0);
		ck_assert_uint_eq(strlen(gw_test_jstr(u, "internal-user-id")), 14);
	}
	cb_free(&c);
	free(viewer);
	free(internal);
	free(create_time);
	free(create_date);
}
END_TEST

START_TEST(test_bbbsim_hooks_breakout)
{
	struct bbbsim_resp r;
	char query[256];
	char ids[256];
	char *parent;
	struct cb c;

	hook("all", "");
	r = call("create", "name=Parent&meetingID=par-1");
	parent = xml_value(r.body, "internalMeetingID");
	bbbsim_resp_free(&r);
	snprintf(query, sizeof(query),
		 "name=Room+1&meetingID=room-1&isBreakout=true&parentMeetingID=%s&sequence=1",
		 parent);
	ok("create", query);
	ck_assert(bbbsim_add_attendee(sim, "room-1", "r-1", "Rita", false));
	ok("end", "meetingID=par-1");
	settle(6);
	ids_at("/all", ids, sizeof(ids));
	/* the breakout room ends first, with its users */
	ck_assert_str_eq(ids, "meeting-created meeting-created user-joined user-left "
			      "meeting-ended meeting-ended");
	c = cb_get(1, "sha1", false);
	ck_assert_ptr_nonnull(strstr(c.event, "\"is-breakout\":true"));
	snprintf(query, sizeof(query), "\"parent-id\":\"%s\"", parent);
	ck_assert_ptr_nonnull(strstr(c.event, query));
	cb_free(&c);
	c = cb_get(4, "sha1", false);
	ck_assert_ptr_nonnull(strstr(c.event, "\"external-meeting-id\":\"room-1\""));
	cb_free(&c);
	c = cb_get(5, "sha1", false);
	ck_assert_ptr_nonnull(strstr(c.event, "\"external-meeting-id\":\"par-1\""));
	cb_free(&c);
	free(parent);
}
END_TEST

/* A hook for another meeting, one with an eventID list, a raw one: what each gets. */
START_TEST(test_bbbsim_hooks_filters)
{
	char ids[256];

	hook("other", "&meetingID=nope");
	hook("joins", "&eventID=USER-JOINED,meeting-ended");
	hook("raw", "&getRaw=true");
	hook("mine", "&meetingID=f-1");
	ok("create", "name=Filtered&meetingID=f-1");
	ck_assert(bbbsim_add_attendee(sim, "f-1", NULL, "Zoe", true));
	ck_assert(bbbsim_user_leave(sim, "f-1", "nobody") == false);
	ok("end", "meetingID=f-1");
	/* joins: user-joined and meeting-ended; mine: all four */
	settle(6);
	usleep(300000); /* nothing else comes */
	ck_assert_uint_eq(rx_count(), 6);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 6);
	ids_at("/other", ids, sizeof(ids));
	ck_assert_str_eq(ids, "");
	ids_at("/raw", ids, sizeof(ids));
	ck_assert_str_eq(ids, "");
	ids_at("/joins", ids, sizeof(ids));
	ck_assert_str_eq(ids, "user-joined meeting-ended");
	ids_at("/mine", ids, sizeof(ids));
	ck_assert_str_eq(ids, "meeting-created user-joined user-left meeting-ended");
}
END_TEST

/* --- signing modes ----------------------------------------------------------- */

START_TEST(test_bbbsim_hooks_bearer)
{
	struct bbbsim_opts o = {.secret = SECRET, .hooks_bearer = true, .domain = "bbb.example"};
	struct cb c;

	start(&o);
	hook("b", "");
	hook("q?k=v", "");
	ok("create", "name=Bearer&meetingID=b-1");
	settle(2);
	c = cb_get(0, NULL, true);
	ck_assert_str_eq(c.path, "/b");
	ck_assert_str_eq(c.domain, "bbb.example");
	ck_assert_str_eq(c.id, "meeting-created");
	cb_free(&c);
	c = cb_get(1, NULL, true);
	ck_assert_str_eq(c.path, "/q?k=v");
	cb_free(&c);
}
END_TEST

START_TEST(test_bbbsim_hooks_algorithms)
{
	static const char *const algs[] = {"sha256", "sha384", "sha512"};
	struct bbbsim_opts bad = {.secret = SECRET, .hooks_checksum = "md5"};
	size_t i;

	ck_assert_ptr_null(bbbsim_start(&bad));
	for (i = 0; i < 3; i++) {
		struct bbbsim_opts o = {.secret = SECRET, .hooks_checksum = algs[i]};
		char id[32];
		char q[64];
		struct cb c;

		start(&o);
		snprintf(id, sizeof(id), "alg-%zu", i);
		hook(id, "");
		snprintf(q, sizeof(q), "name=Alg&meetingID=%s", id);
		ok("create", q);
		settle(1);
		c = cb_get(i, algs[i], false); /* cb_get recomputes it with that algorithm */
		cb_free(&c);
	}
}
END_TEST

/* --- delivery ------------------------------------------------------------------ */

START_TEST(test_bbbsim_hooks_retry)
{
	struct cb a;
	struct cb b;

	/* 500 twice: one retry, then given up and the hook removed, as bbb-webhooks does */
	rx_script(0, 500, 500);
	hook("flaky", "");
	ok("create", "name=Retry&meetingID=r-1");
	settle(1);
	ck_assert_uint_eq(bbbsim_callbacks_failed(sim), 1);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 0);
	ck_assert_uint_eq(rx_count(), 2);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 0);
	a = cb_get(0, "sha1", false);
	b = cb_get(1, "sha1", false);
	ck_assert_str_eq(a.event, b.event); /* the same request again */
	ck_assert_int_eq(a.stamp, b.stamp);
	cb_free(&a);
	cb_free(&b);
	/* then nothing for that hook */
	ok("end", "meetingID=r-1");
	usleep(300000);
	ck_assert_uint_eq(rx_count(), 2);

	/* 503 then 200: delivered by the retry */
	pthread_mutex_lock(&rx.lock);
	rx.statuses[2] = 503;
	rx.nstatuses = 3;
	pthread_mutex_unlock(&rx.lock);
	hook("flaky", "");
	ok("create", "name=Retry&meetingID=r-2");
	settle(2);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 1);
	ck_assert_uint_eq(rx_count(), 4);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 1);
}
END_TEST

START_TEST(test_bbbsim_hooks_401_delivered)
{
	rx_script(0, 401, 401);
	hook("denied", "");
	ok("create", "name=Denied&meetingID=d-1");
	settle(1);
	usleep(300000); /* no retry comes */
	ck_assert_uint_eq(rx_count(), 1);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 1);
	ck_assert_uint_eq(bbbsim_callbacks_failed(sim), 0);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 1);
}
END_TEST

/* A receiver that takes 2 s per callback never slows the simulator's answers. */
START_TEST(test_bbbsim_hooks_slow_receiver)
{
	double t0;
	int i;

	rx_script(2000, 200, 200);
	hook("slow", "");
	for (i = 0; i < 2; i++) {
		char q[64];

		snprintf(q, sizeof(q), "name=Slow&meetingID=s-%d", i);
		t0 = now_ms();
		ok("create", q);
		ck_assert_msg(now_ms() - t0 < 500.0, "create took %.0f ms", now_ms() - t0);
	}
	t0 = now_ms();
	ok("getMeetings", "");
	ck_assert(bbbsim_add_attendee(sim, "s-0", "u", "U", false));
	ck_assert_msg(now_ms() - t0 < 500.0, "took %.0f ms", now_ms() - t0);
	ck_assert_uint_le(rx_count(), 1);
	ck_assert(!bbbsim_callbacks_wait(sim, 1, 100)); /* the first is still being answered */
	settle(3);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 3);
}
END_TEST

/* Stopping aborts a callback in flight and frees what is queued. */
START_TEST(test_bbbsim_hooks_stop_while_sending)
{
	double t0;

	rx_script(3000, 200, 200);
	hook("slow", "");
	ok("create", "name=Stop&meetingID=st-1");
	ok("create", "name=Stop&meetingID=st-2");
	t0 = now_ms();
	while (rx_count() == 0 && now_ms() - t0 < 5000.0)
		usleep(10000);
	ck_assert_uint_eq(rx_count(), 1);
	t0 = now_ms();
	bbbsim_stop(sim);
	sim = NULL;
	ck_assert_msg(now_ms() - t0 < 2000.0, "stop took %.0f ms", now_ms() - t0);
}
END_TEST

/* --- leaving ------------------------------------------------------------------- */

static void leave_is(const char *query, const char *key)
{
	char target[256];
	struct bbbsim_resp r;
	char *v;

	snprintf(target, sizeof(target), API "sim/leave?%s", query);
	r = get_on(bbbsim_port(sim), target);
	ck_assert_int_eq(r.status, 200);
	v = xml_value(r.body, "messageKey");
	ck_assert_str_eq(v, key);
	free(v);
	bbbsim_resp_free(&r);
}

START_TEST(test_bbbsim_hooks_leave)
{
	struct bbbsim_resp r;
	char *internal;
	char target[256];

	ok("create", "name=Leave&meetingID=l-1");
	r = call("join", "meetingID=l-1&fullName=Ann&role=viewer&userID=ann&redirect=false");
	internal = xml_value(r.body, "user_id");
	bbbsim_resp_free(&r);
	ck_assert(bbbsim_add_attendee(sim, "l-1", "bob", "Bob", false));
	ck_assert(bbbsim_add_attendee(sim, "l-1", "bob", "Bob again", false));
	leave_is("userID=ann", "missingParamMeetingID");
	leave_is("meetingID=l-1", "missingParamUserID");
	leave_is("meetingID=l-1&userID=", "missingParamUserID");
	leave_is("meetingID=nope&userID=ann", "notFound");
	leave_is("meetingID=l-1&userID=carol", "userNotFound");
	/* by the internal ID too */
	snprintf(target, sizeof(target), "meetingID=l-1&userID=%s", internal);
	leave_is(target, "userLeft");
	leave_is(target, "userNotFound");
	/* both of bob's sessions */
	ck_assert(bbbsim_user_leave(sim, "l-1", "bob"));
	ck_assert(!bbbsim_user_leave(sim, "l-1", "bob"));
	ck_assert(!bbbsim_user_leave(sim, "nope", "bob"));
	ck_assert(!bbbsim_user_leave(sim, NULL, "bob"));
	r = call("getMeetingInfo", "meetingID=l-1");
	ck_assert_ptr_nonnull(strstr(r.body, "<attendees>\n</attendees>"));
	ck_assert_ptr_nonnull(strstr(r.body, "<running>true</running>"));
	ck_assert_ptr_nonnull(strstr(r.body, "<hasUserJoined>true</hasUserJoined>"));
	bbbsim_resp_free(&r);
	r = bbbsim_http(bbbsim_port(sim), "POST", API "sim/leave?meetingID=l-1&userID=x",
			"application/x-www-form-urlencoded", "", 0);
	ck_assert_int_eq(r.status, 405);
	bbbsim_resp_free(&r);
	free(internal);
}
END_TEST

/* A browser sent to the client URL sees a page with a link that makes it leave. */
START_TEST(test_bbbsim_hooks_client_page)
{
	struct bbbsim_resp r;
	char *loc;
	char *path;
	char *href;
	char *end;
	char *amp;
	char ids[128];

	hook("page", "");
	ok("create", "name=A+%3Cb%3E+%26+Co&meetingID=p+1");
	r = call("join", "meetingID=p+1&fullName=Ann+%3CO%3E&role=MODERATOR");
	ck_assert_int_eq(r.status, 302);
	loc = bbbsim_resp_header(&r, "Location");
	bbbsim_resp_free(&r);
	path = strstr(loc, "/html5client/join?sessionToken=");
	ck_assert_ptr_nonnull(path);
	r = get_on(bbbsim_port(sim), path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "<title>A &lt;b&gt; &amp; Co</title>"));
	ck_assert_ptr_nonnull(strstr(r.body, "as <b>Ann &lt;O&gt;</b> (moderator)"));
	href = strstr(r.body, "<a href=\"/bigbluebutton/api/sim/leave?meetingID=p+1&amp;userID=w_");
	ck_assert_msg(href != NULL, "%s", r.body);
	href = strdup(href + 9);
	end = strchr(href, '"');
	*end = '\0';
	amp = strstr(href, "&amp;");
	memmove(amp + 1, amp + 5, strlen(amp + 5) + 1); /* the one &amp; -> & */
	bbbsim_resp_free(&r);
	r = get_on(bbbsim_port(sim), href);
	ck_assert_ptr_nonnull(strstr(r.body, "<messageKey>userLeft</messageKey>"));
	bbbsim_resp_free(&r);
	r = get_on(bbbsim_port(sim), path); /* gone */
	ck_assert_int_eq(r.status, 404);
	bbbsim_resp_free(&r);
	r = get_on(bbbsim_port(sim), "/html5client/join?sessionToken=nope");
	ck_assert_int_eq(r.status, 404);
	bbbsim_resp_free(&r);
	settle(3);
	ids_at("/page", ids, sizeof(ids));
	ck_assert_str_eq(ids, "meeting-created user-joined user-left");
	free(href);
	free(loc);
}
END_TEST

/* --- bbb-sim ------------------------------------------------------------------ */

static void sim_binary(char *out, size_t n)
{
	const char *env = getenv("GW_BBBSIM_BINARY");
	char self[PATH_MAX];
	ssize_t len;
	char *slash;

	if (env != NULL && env[0] != '\0') {
		snprintf(out, n, "%s", env);
		return;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(len, 0);
	self[len] = '\0';
	slash = strrchr(self, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	snprintf(out, n, "%s/bbbsim/bbb-sim", self);
}

/* Runs bbb-sim with args; its port, its pid in *pid. */
static unsigned run_sim(const char *const *args, pid_t *pid, FILE **out)
{
	char path[PATH_MAX + 32];
	char line[256] = {0};
	const char *argv[16];
	unsigned port = 0;
	int pipefd[2];
	size_t i;

	sim_binary(path, sizeof(path));
	argv[0] = path;
	for (i = 0; args[i] != NULL && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	ck_assert_int_eq(pipe(pipefd), 0);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	*out = fdopen(pipefd[0], "r");
	if (fgets(line, sizeof(line), *out) != NULL)
		sscanf(line, "bbb-sim listening on http://127.0.0.1:%u/", &port);
	return port;
}

static int wait_exit(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_bbbsim_hooks_program)
{
	static const char *const args[] = {
		"--port",           "0",      "--secret", SECRET, "--domain", "demo.example",
		"--hooks-checksum", "sha384", NULL};
	static const char *const bad[] = {"--port",           "0",   "--secret", SECRET,
					  "--hooks-checksum", "md5", NULL};
	static const char *const bearer[] = {"--port",         "0", "--secret", SECRET,
					     "--hooks-bearer", NULL};
	struct bbbsim_resp r;
	unsigned port;
	FILE *out;
	pid_t pid;
	struct cb c;

	port = run_sim(args, &pid, &out);
	ck_assert_uint_gt(port, 0);
	hook_on(port, "cli", "");
	r = call_on(port, "create", "name=Cli&meetingID=cli-1");
	bbbsim_resp_free(&r);
	{
		double t0 = now_ms();

		while (rx_count() < 1 && now_ms() - t0 < 10000.0)
			usleep(10000);
	}
	c = cb_get(0, "sha384", false);
	ck_assert_str_eq(c.domain, "demo.example");
	ck_assert_str_eq(c.id, "meeting-created");
	cb_free(&c);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);
	fclose(out);

	port = run_sim(bearer, &pid, &out);
	ck_assert_uint_gt(port, 0);
	hook_on(port, "cli-bearer", "");
	r = call_on(port, "create", "name=Cli&meetingID=cli-2");
	bbbsim_resp_free(&r);
	{
		double t0 = now_ms();

		while (rx_count() < 2 && now_ms() - t0 < 10000.0)
			usleep(10000);
	}
	c = cb_get(1, NULL, true);
	ck_assert_str_eq(c.path, "/cli-bearer");
	ck_assert_str_eq(c.domain, "127.0.0.1");
	cb_free(&c);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);
	fclose(out);

	ck_assert_uint_eq(run_sim(bad, &pid, &out), 0);
	ck_assert_int_eq(wait_exit(pid), 2);
	fclose(out);
}
END_TEST

static Suite *bbbsim_hooks_suite(void)
{
	Suite *s = suite_create("bbbsim_hooks");
	TCase *tc = tcase_create("bbbsim_hooks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bbbsim_hooks_events);
	tcase_add_test(tc, test_bbbsim_hooks_breakout);
	tcase_add_test(tc, test_bbbsim_hooks_filters);
	tcase_add_test(tc, test_bbbsim_hooks_bearer);
	tcase_add_test(tc, test_bbbsim_hooks_algorithms);
	tcase_add_test(tc, test_bbbsim_hooks_retry);
	tcase_add_test(tc, test_bbbsim_hooks_401_delivered);
	tcase_add_test(tc, test_bbbsim_hooks_slow_receiver);
	tcase_add_test(tc, test_bbbsim_hooks_stop_while_sending);
	tcase_add_test(tc, test_bbbsim_hooks_leave);
	tcase_add_test(tc, test_bbbsim_hooks_client_page);
	tcase_add_test(tc, test_bbbsim_hooks_program);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbbsim_hooks_suite)
