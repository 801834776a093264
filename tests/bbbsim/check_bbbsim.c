/*
 * check_bbbsim.c - tests of the BBB simulator (tests/bbbsim): checksum
 * verification, the call replies byte for byte, state, faults, the
 * request log, connection counting and the bbb-sim program.
 *
 * The client is a small raw-socket HTTP/1.1 client (so keep-alive and the
 * exact bytes on the wire are under the test's control) and checksums are
 * computed here with OpenSSL, independently of both the gateway and the
 * simulator. Each test runs its own simulator in a checked fixture.
 */
#include "bbbsim.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SECRET "test-secret-0123"

static struct bbbsim *sim;

/* --- HTTP client -------------------------------------------------------- */

struct resp {
	int status; /* 0 when the connection closed before a status line */
	char *head; /* status line and headers */
	char *body;
	size_t body_len;
};

struct rbuf {
	char *p;
	size_t len;
	size_t cap;
};

static int cli_connect(unsigned port)
{
	struct sockaddr_in sa = {0};
	struct timeval tv = {.tv_sec = 20};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Reads more bytes; returns what read(2) returned. */
static ssize_t fill(int fd, struct rbuf *b)
{
	ssize_t n;

	if (b->cap - b->len < 65536) {
		b->cap = b->cap * 2 + 65536;
		b->p = realloc(b->p, b->cap + 1);
		ck_assert_ptr_nonnull(b->p);
	}
	n = read(fd, b->p + b->len, b->cap - b->len);
	if (n > 0)
		b->len += (size_t)n;
	b->p[b->len] = '\0';
	return n;
}

/* Position just past the next CRLF at or after from, reading as needed; 0 on EOF. */
static size_t line_end(int fd, struct rbuf *b, size_t from)
{
	for (;;) {
		char *crlf = b->len > from ? strstr(b->p + from, "\r\n") : NULL;

		if (crlf != NULL)
			return (size_t)(crlf - b->p) + 2;
		if (fill(fd, b) <= 0)
			return 0;
	}
}

static bool need(int fd, struct rbuf *b, size_t n)
{
	while (b->len < n)
		if (fill(fd, b) <= 0)
			return false;
	return true;
}

static char *header(const struct resp *r, const char *name)
{
	size_t n = strlen(name);
	const char *p = r->head;

	while (p != NULL && *p != '\0') {
		const char *eol = strstr(p, "\r\n");

		if (eol == NULL)
			break;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			return strndup(p, (size_t)(eol - p));
		}
		p = eol + 2;
	}
	return NULL;
}

static void read_chunked(int fd, struct rbuf *b, size_t pos, struct resp *r)
{
	for (;;) {
		size_t eol = line_end(fd, b, pos);
		unsigned long size;

		ck_assert_uint_gt(eol, 0);
		size = strtoul(b->p + pos, NULL, 16);
		pos = eol;
		if (size == 0) {
			ck_assert_uint_gt(line_end(fd, b, pos), 0);
			return;
		}
		ck_assert(need(fd, b, pos + size + 2));
		r->body = realloc(r->body, r->body_len + size + 1);
		memcpy(r->body + r->body_len, b->p + pos, size);
		r->body_len += size;
		r->body[r->body_len] = '\0';
		pos += size + 2;
	}
}

/* Reads exactly one response from fd. */
static struct resp read_resp(int fd, bool head_only)
{
	struct rbuf b = {0};
	struct resp r = {0};
	char *hend = NULL;
	char *v;
	size_t hl;

	while (hend == NULL) {
		if (fill(fd, &b) <= 0) {
			free(b.p);
			return r;
		}
		hend = strstr(b.p, "\r\n\r\n");
	}
	hl = (size_t)(hend - b.p) + 4;
	r.head = strndup(b.p, hl);
	ck_assert_int_eq(sscanf(r.head, "HTTP/1.%*d %d", &r.status), 1);
	r.body = calloc(1, 1);
	v = header(&r, "Transfer-Encoding");
	if (head_only) {
		/* no body */
	} else if (v != NULL && strcasecmp(v, "chunked") == 0) {
		read_chunked(fd, &b, hl, &r);
	} else {
		free(v);
		v = header(&r, "Content-Length");
		if (v != NULL) {
			r.body_len = strtoul(v, NULL, 10);
			ck_assert(need(fd, &b, hl + r.body_len));
		} else {
			while (fill(fd, &b) > 0)
				;
			r.body_len = b.len - hl;
		}
		r.body = realloc(r.body, r.body_len + 1);
		memcpy(r.body, b.p + hl, r.body_len);
		r.body[r.body_len] = '\0';
	}
	free(v);
	free(b.p);
	return r;
}

static void send_req(int fd, const char *method, const char *target, const char *ctype,
		     const char *body, size_t body_len, bool keep_alive)
{
	char head[8192 * 8];
	int n;

	n = snprintf(head, sizeof(head),
		     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nAccept: */*\r\n%s%s%s"
		     "Content-Length: %zu\r\n%s\r\n",
		     method, target, bbbsim_port(sim), ctype != NULL ? "Content-Type: " : "",
		     ctype != NULL ? ctype : "", ctype != NULL ? "\r\n" : "", body_len,
		     keep_alive ? "" : "Connection: close\r\n");
	ck_assert(n > 0 && (size_t)n < sizeof(head));
	ck_assert_int_eq(write(fd, head, (size_t)n), n);
	if (body_len > 0)
		ck_assert_int_eq(write(fd, body, body_len), (ssize_t)body_len);
}

static struct resp request_on(int fd, const char *method, const char *target, const char *ctype,
			      const char *body, bool keep_alive)
{
	send_req(fd, method, target, ctype, body, body != NULL ? strlen(body) : 0, keep_alive);
	return read_resp(fd, false);
}

static struct resp request(const char *method, const char *target, const char *ctype,
			   const char *body)
{
	int fd = cli_connect(bbbsim_port(sim));
	struct resp r = request_on(fd, method, target, ctype, body, false);

	close(fd);
	return r;
}

static struct resp get(const char *target)
{
	return request("GET", target, NULL, NULL);
}

static void resp_free(struct resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* --- signing and parsing helpers -------------------------------------- */

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

static char *concat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a);
	size_t lb = strlen(b);
	size_t lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc);
	s[la + lb + lc] = '\0';
	return s;
}

/* "/bigbluebutton/api/<call>?<query>&checksum=<H(call+query+secret)>", malloc'd. */
static char *signed_with(const char *alg, const char *secret, const char *call, const char *query)
{
	char *input = concat3(call, query, secret);
	char *hex;
	size_t n;
	char *t;

	hex = hexdigest(alg, input);
	n = strlen(call) + strlen(query) + strlen(hex) + 64;
	t = malloc(n);
	snprintf(t, n, "/bigbluebutton/api/%s?%s%schecksum=%s", call, query,
		 query[0] != '\0' ? "&" : "", hex);
	free(hex);
	free(input);
	return t;
}

static char *signed_target(const char *call, const char *query)
{
	return signed_with("sha1", SECRET, call, query);
}

static struct resp call(const char *call_name, const char *query)
{
	char *t = signed_target(call_name, query);
	struct resp r = get(t);

	free(t);
	return r;
}

/* Text of the first <name>…</name> in doc (malloc'd), NULL when absent. */
static char *xml_value(const char *doc, const char *name)
{
	char open[128];
	char close_tag[128];
	const char *a;
	const char *b;

	snprintf(open, sizeof(open), "<%s>", name);
	snprintf(close_tag, sizeof(close_tag), "</%s>", name);
	a = strstr(doc, open);
	if (a == NULL)
		return NULL;
	a += strlen(open);
	b = strstr(a, close_tag);
	return b != NULL ? strndup(a, (size_t)(b - a)) : NULL;
}

static void assert_value(const char *doc, const char *name, const char *want)
{
	char *v = xml_value(doc, name);

	ck_assert_msg(v != NULL, "<%s> missing in:\n%s", name, doc);
	ck_assert_str_eq(v, want);
	free(v);
}

static void assert_failed(const struct resp *r, const char *key, const char *message)
{
	char want[1024];

	snprintf(want, sizeof(want),
		 "<response>\n<returncode>FAILED</returncode>\n<messageKey>%s</messageKey>\n"
		 "<message>%s</message>\n</response>",
		 key, message);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, want);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s);
	size_t m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static struct bbbsim *start_with(const char *secret, const char *algorithms)
{
	struct bbbsim_opts o = {.secret = secret, .algorithms = algorithms};
	struct bbbsim *s = bbbsim_start(&o);

	ck_assert_ptr_nonnull(s);
	return s;
}

static void restart(const char *secret, const char *algorithms)
{
	bbbsim_stop(sim);
	sim = start_with(secret, algorithms);
}

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	sim = start_with(SECRET, NULL);
}

static void teardown(void)
{
	bbbsim_stop(sim);
	sim = NULL;
}

static void create_simple(const char *query)
{
	struct resp r = call("create", query);

	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* --- checksums ----------------------------------------------------------- */

START_TEST(test_bbbsim_official_vector)
{
	static const char query[] = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&"
				    "moderatorPW=333444";
	static const char secret[] = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";
	struct bbbsim_request rec;
	struct resp r;
	char *t = signed_with("sha1", secret, "create", query);

	ck_assert_str_eq(strrchr(t, '=') + 1, "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17");
	restart(secret, NULL);
	r = get(t);
	assert_value(r.body, "returncode", "SUCCESS");
	assert_value(r.body, "attendeePW", "111222");
	assert_value(r.body, "moderatorPW", "333444");
	ck_assert(bbbsim_request_get(sim, 0, &rec));
	ck_assert(rec.checksum_ok);
	ck_assert_str_eq(rec.algorithm, "sha1");
	bbbsim_request_free(&rec);
	resp_free(&r);
	free(t);
}
END_TEST

START_TEST(test_bbbsim_each_algorithm)
{
	static const char *const algs[] = {"sha1", "sha256", "sha384", "sha512"};
	struct bbbsim_request rec;
	size_t i;

	for (i = 0; i < 4; i++) {
		char *t = signed_with(algs[i], SECRET, "getMeetings", "");
		struct resp r = get(t);

		assert_value(r.body, "returncode", "SUCCESS");
		ck_assert(bbbsim_request_get(sim, i, &rec));
		ck_assert(rec.checksum_ok);
		ck_assert_str_eq(rec.algorithm, algs[i]);
		bbbsim_request_free(&rec);
		resp_free(&r);
		free(t);
	}
}
END_TEST

START_TEST(test_bbbsim_wrong_checksum)
{
	struct bbbsim_request rec;
	struct resp r = get("/bigbluebutton/api/getMeetings?checksum="
			    "0000000000000000000000000000000000000000");

	assert_failed(&r, "checksumError", "Checksums do not match");
	resp_free(&r);
	/* signed with another secret */
	{
		char *t = signed_with("sha256", "other", "getMeetings", "");

		r = get(t);
		assert_failed(&r, "checksumError", "Checksums do not match");
		resp_free(&r);
		free(t);
	}
	r = get("/bigbluebutton/api/getMeetings?checksum=abc");
	assert_failed(&r, "checksumError", "Checksums do not match");
	resp_free(&r);
	r = get("/bigbluebutton/api/getMeetings");
	assert_failed(&r, "checksumError", "You must provide the checksum");
	resp_free(&r);
	r = get("/bigbluebutton/api/create?meetingID=x1&name=x1&checksum=");
	assert_failed(&r, "checksumError", "You must provide the checksum");
	resp_free(&r);
	ck_assert(bbbsim_request_get(sim, 0, &rec));
	ck_assert(!rec.checksum_ok);
	ck_assert_str_eq(rec.algorithm, "sha1");
	bbbsim_request_free(&rec);
	ck_assert(bbbsim_request_get(sim, 2, &rec));
	ck_assert_ptr_null(rec.algorithm);
	bbbsim_request_free(&rec);
}
END_TEST

START_TEST(test_bbbsim_checksum_position)
{
	char input[256];
	char target[512];
	char *hex;
	struct resp r;

	snprintf(input, sizeof(input), "isMeetingRunningmeetingID=m1&x=%%41b%s", SECRET);
	hex = hexdigest("sha1", input);
	snprintf(target, sizeof(target),
		 "/bigbluebutton/api/isMeetingRunning?meetingID=m1&checksum=%s&x=%%41b", hex);
	r = get(target);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	snprintf(target, sizeof(target),
		 "/bigbluebutton/api/isMeetingRunning?checksum=%s&meetingID=m1&x=%%41b", hex);
	r = get(target);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	/* the raw bytes are hashed: re-encoding %41 as A breaks the checksum */
	snprintf(target, sizeof(target),
		 "/bigbluebutton/api/isMeetingRunning?meetingID=m1&x=Ab&checksum=%s", hex);
	r = get(target);
	assert_failed(&r, "checksumError", "Checksums do not match");
	resp_free(&r);
	free(hex);
}
END_TEST

START_TEST(test_bbbsim_disabled_algorithm)
{
	char *t1;
	char *t256;
	struct resp r;

	restart(SECRET, "sha256,sha512");
	t1 = signed_with("sha1", SECRET, "getMeetings", "");
	t256 = signed_with("sha256", SECRET, "getMeetings", "");
	r = get(t1);
	assert_failed(&r, "checksumError", "Checksums do not match");
	resp_free(&r);
	r = get(t256);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	free(t1);
	free(t256);
}
END_TEST

START_TEST(test_bbbsim_empty_secret)
{
	struct bbbsim_request rec;
	struct resp r;

	restart("", NULL);
	r = get("/bigbluebutton/api/getMeetings");
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	r = get("/bigbluebutton/api/getMeetings?checksum=1234");
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	ck_assert(bbbsim_request_get(sim, 0, &rec));
	ck_assert(rec.checksum_ok);
	bbbsim_request_free(&rec);
}
END_TEST

/* --- calls --------------------------------------------------------------- */

START_TEST(test_bbbsim_api_root)
{
	char want[512];
	struct resp r = get("/bigbluebutton/api");
	struct resp r2 = get("/bigbluebutton/api/");
	char *ct = header(&r, "Content-Type");
	unsigned port = bbbsim_port(sim);

	snprintf(want, sizeof(want),
		 "<response>\n<returncode>SUCCESS</returncode>\n<version>2.0</version>\n"
		 "<apiVersion>2.0</apiVersion>\n<bbbVersion>3.0.0</bbbVersion>\n"
		 "<graphqlWebsocketUrl>ws://127.0.0.1:%u/graphql</graphqlWebsocketUrl>\n"
		 "<graphqlApiUrl>http://127.0.0.1:%u/api/rest</graphqlApiUrl>\n</response>",
		 port, port);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(ct, "text/xml;charset=utf-8");
	ck_assert_str_eq(r.body, want);
	ck_assert_str_eq(r2.body, want);
	free(ct);
	resp_free(&r);
	resp_free(&r2);
}
END_TEST

START_TEST(test_bbbsim_create_first)
{
	struct resp r = call("create", "name=Room+One&meetingID=room-1&voiceBridge=70001"
				       "&attendeePW=ap&moderatorPW=mp&duration=45");
	char *ctime = xml_value(r.body, "createTime");
	char *sha = hexdigest("sha1", "room-1");
	char *date = xml_value(r.body, "createDate");
	char want[2048];

	ck_assert_ptr_nonnull(ctime);
	snprintf(want, sizeof(want),
		 "<response>\n<returncode>SUCCESS</returncode>\n<meetingID>room-1</meetingID>\n"
		 "<internalMeetingID>%s-%s</internalMeetingID>\n"
		 "<parentMeetingID>bbb-none</parentMeetingID>\n<attendeePW>ap</attendeePW>\n"
		 "<moderatorPW>mp</moderatorPW>\n<createTime>%s</createTime>\n"
		 "<voiceBridge>70001</voiceBridge>\n<dialNumber>613-555-1234</dialNumber>\n"
		 "<createDate>%s</createDate>\n<hasUserJoined>false</hasUserJoined>\n"
		 "<duration>45</duration>\n<hasBeenForciblyEnded>false</hasBeenForciblyEnded>\n"
		 "<messageKey></messageKey>\n<message></message>\n</response>",
		 sha, ctime, ctime, date);
	ck_assert_str_eq(r.body, want);
	ck_assert_uint_eq(strlen(date), 28);
	free(ctime);
	free(sha);
	free(date);
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_create_duplicate)
{
	struct resp a = call("create", "name=Dup&meetingID=dup-1");
	struct resp b = call("create", "name=Other+name&meetingID=dup-1&record=true");
	char *apw = xml_value(a.body, "attendeePW");
	char *ia;
	char *ib;
	char *q;
	struct resp c;

	assert_value(b.body, "returncode", "SUCCESS");
	assert_value(b.body, "messageKey", "duplicateWarning");
	assert_value(b.body, "message",
		     "This conference was already in existence and may currently be in progress.");
	ia = xml_value(a.body, "internalMeetingID");
	ib = xml_value(b.body, "internalMeetingID");
	ck_assert_str_eq(ia, ib);
	assert_value(b.body, "meetingID", "dup-1");
	ck_assert_uint_eq(strlen(apw), 8);
	/* matching password: still a duplicate */
	q = malloc(128);
	snprintf(q, 128, "name=Dup&meetingID=dup-1&attendeePW=%s", apw);
	c = call("create", q);
	assert_value(c.body, "messageKey", "duplicateWarning");
	resp_free(&c);
	c = call("create", "name=Dup&meetingID=dup-1&attendeePW=wrong-pw");
	assert_failed(&c, "idNotUnique",
		      "A meeting already exists with that meeting ID. Please use a different "
		      "meeting ID.");
	resp_free(&c);
	free(q);
	free(apw);
	free(ia);
	free(ib);
	resp_free(&a);
	resp_free(&b);
}
END_TEST

START_TEST(test_bbbsim_create_validation)
{
	struct resp r = call("create", "name=Valid");

	assert_failed(&r, "missingParamMeetingID", "You must provide a meeting ID");
	resp_free(&r);
	r = call("create", "name=Valid&meetingID=x");
	assert_failed(&r, "sizeError", "Meeting ID must be between 2 and 256 characters");
	resp_free(&r);
	r = call("create", "name=V&meetingID=valid-id");
	assert_failed(&r, "sizeError", "Meeting name must be between 2 and 256 characters");
	resp_free(&r);
	r = call("create", "name=Valid&meetingID=a%2Cb");
	assert_failed(&r, "validationError", "Meeting ID cannot contain &apos;,&apos;");
	resp_free(&r);
	r = call("create", "name=Valid&meetingID=valid-id&record=maybe");
	assert_value(r.body, "messageKey", "validationError");
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_create_voice_bridge_conflict)
{
	struct resp r;

	create_simple("name=First&meetingID=vb-1&voiceBridge=72000");
	r = call("create", "name=Second&meetingID=vb-2&voiceBridge=72000");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "<response>\n<returncode>FAILED</returncode>\n<errors>\n<error>\n"
				 "<key>nonUniqueVoiceBridge</key>\n"
				 "<message>The selected voice bridge is already in use.</message>\n"
				 "</error>\n</errors>\n</response>");
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_create_post_xml)
{
	static const char modules[] = "<modules><module name=\"presentation\"><document "
				      "url=\"https://example.org/a.pdf\"/></module></modules>";
	char *t = signed_target("create", "name=Posted&meetingID=post-1");
	struct bbbsim_request rec;
	struct resp r = request("POST", t, "application/xml", modules);

	assert_value(r.body, "returncode", "SUCCESS");
	ck_assert(bbbsim_request_get(sim, 0, &rec));
	ck_assert_str_eq(rec.method, "POST");
	ck_assert_str_eq(rec.content_type, "application/xml");
	ck_assert_str_eq(rec.body, modules);
	ck_assert_uint_eq(rec.body_len, strlen(modules));
	bbbsim_request_free(&rec);
	resp_free(&r);
	free(t);
	t = signed_target("create", "name=Posted&meetingID=post-2");
	r = request("POST", t, "text/plain", "hello");
	assert_failed(&r, "unsupportedContentType",
		      "POST request Content-Type is missing or unsupported");
	resp_free(&r);
	r = request("POST", t, "text/xml; charset=UTF-8", modules);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	free(t);
}
END_TEST

START_TEST(test_bbbsim_get_meeting_info_layout)
{
	struct resp c = call("create", "name=Simple+Room&meetingID=simple-1&attendeePW=ap"
				       "&moderatorPW=mp&voiceBridge=71234&meta_Origin=Test&record="
				       "true");
	char *ctime = xml_value(c.body, "createTime");
	char *date = xml_value(c.body, "createDate");
	char *internal = xml_value(c.body, "internalMeetingID");
	char want[4096];
	struct resp r;

	ck_assert(bbbsim_add_attendee(sim, "simple-1", "u1", "Ann", true));
	ck_assert(!bbbsim_add_attendee(sim, "nope", "u2", "Bob", false));
	r = call("getMeetingInfo", "meetingID=simple-1");
	snprintf(want, sizeof(want),
		 "<response>\n<returncode>SUCCESS</returncode>\n"
		 "<meetingName>Simple Room</meetingName>\n<meetingID>simple-1</meetingID>\n"
		 "<internalMeetingID>%s</internalMeetingID>\n<createTime>%s</createTime>\n"
		 "<createDate>%s</createDate>\n<voiceBridge>71234</voiceBridge>\n"
		 "<dialNumber>613-555-1234</dialNumber>\n<attendeePW>ap</attendeePW>\n"
		 "<moderatorPW>mp</moderatorPW>\n<running>true</running>\n"
		 "<duration>0</duration>\n<hasUserJoined>true</hasUserJoined>\n"
		 "<recording>true</recording>\n<hasBeenForciblyEnded>false</hasBeenForciblyEnded>\n"
		 "<startTime>%s</startTime>\n<endTime>0</endTime>\n"
		 "<participantCount>1</participantCount>\n<listenerCount>0</listenerCount>\n"
		 "<voiceParticipantCount>0</voiceParticipantCount>\n<videoCount>0</videoCount>\n"
		 "<maxUsers>0</maxUsers>\n<moderatorCount>1</moderatorCount>\n"
		 "<attendees>\n<attendee>\n<userID>u1</userID>\n<fullName>Ann</fullName>\n"
		 "<role>MODERATOR</role>\n<isPresenter>false</isPresenter>\n"
		 "<isListeningOnly>false</isListeningOnly>\n<hasJoinedVoice>false</"
		 "hasJoinedVoice>\n"
		 "<hasVideo>false</hasVideo>\n<clientType>HTML5</clientType>\n</attendee>\n"
		 "</attendees>\n<metadata>\n<origin>Test</origin>\n</metadata>\n"
		 "<isBreakout>false</isBreakout>\n</response>",
		 internal, ctime, date, ctime);
	ck_assert_str_eq(r.body, want);
	resp_free(&r);
	r = call("getMeetingInfo", "meetingID=missing");
	assert_failed(&r, "notFound", "A meeting with that ID does not exist");
	resp_free(&r);
	free(ctime);
	free(date);
	free(internal);
	resp_free(&c);
}
END_TEST

START_TEST(test_bbbsim_metadata_and_escaping)
{
	struct resp r;

	create_simple("name=O%27Brien+%26++%3CCo%3E+%22x%22&meetingID=esc-1"
		      "&meta_endCallbackUrl=https%3A%2F%2Fa.example%2F%3Fa%3D1%26b%3D2"
		      "&meta_bad_name=1&meta_9x=1&meta_ok-Key2=v&meta_TERM=t1&meta_TERM=t2");
	r = call("getMeetingInfo", "meetingID=esc-1");
	assert_value(r.body, "meetingName", "O&apos;Brien &amp; &lt;Co&gt; &quot;x&quot;");
	ck_assert_ptr_nonnull(strstr(r.body, "<metadata>\n"
					     "<endcallbackurl>https://a.example/?a=1&amp;b=2"
					     "</endcallbackurl>\n<ok-key2>v</ok-key2>\n"
					     "<term>t1</term>\n</metadata>\n"));
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_get_meetings)
{
	struct resp r = call("getMeetings", "");

	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n<meetings/>\n"
				 "<messageKey>noMeetings</messageKey>\n"
				 "<message>no meetings were found on this server</message>\n"
				 "</response>");
	resp_free(&r);
	create_simple("name=One&meetingID=gm-1");
	create_simple("name=Two&meetingID=gm-2");
	r = call("getMeetings", "");
	ck_assert(starts_with(r.body, "<response>\n<returncode>SUCCESS</returncode>\n<meetings>\n"
				      "<meeting>\n<meetingName>One</meetingName>\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "<meeting>\n<meetingName>Two</meetingName>\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "<attendees>\n</attendees>\n<metadata>\n</metadata>"));
	ck_assert_ptr_null(strstr(r.body, "messageKey"));
	ck_assert(ends_with(r.body, "</meeting>\n</meetings>\n</response>"));
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_end)
{
	struct resp a = call("create", "name=Ending&meetingID=end-1");
	struct resp r = call("end", "meetingID=end-1");
	struct resp b;
	char *ia;
	char *ib;

	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n"
				 "<messageKey>sentEndMeetingRequest</messageKey>\n"
				 "<message>A request to end the meeting was sent. Please wait a "
				 "few "
				 "seconds, and then use the getMeetingInfo or isMeetingRunning API "
				 "calls to verify that it was ended.</message>\n</response>");
	resp_free(&r);
	r = call("end", "meetingID=end-1");
	assert_failed(&r, "notFound", "A meeting with that ID does not exist");
	resp_free(&r);
	r = call("getMeetingInfo", "meetingID=end-1");
	assert_failed(&r, "notFound", "A meeting with that ID does not exist");
	resp_free(&r);
	b = call("create", "name=Ending&meetingID=end-1");
	assert_value(b.body, "messageKey", "");
	ia = xml_value(a.body, "internalMeetingID");
	ib = xml_value(b.body, "internalMeetingID");
	ck_assert_str_ne(ia, ib);
	r = call("end", "meetingID=end-1&password=wrong");
	assert_failed(&r, "invalidPassword", "The supplied moderator password is incorrect");
	resp_free(&r);
	free(ia);
	free(ib);
	resp_free(&a);
	resp_free(&b);
}
END_TEST

START_TEST(test_bbbsim_is_meeting_running)
{
	struct resp r = call("isMeetingRunning", "meetingID=run-1");

	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n"
				 "<running>false</running>\n</response>");
	resp_free(&r);
	create_simple("name=Running&meetingID=run-1");
	r = call("isMeetingRunning", "meetingID=run-1");
	assert_value(r.body, "running", "false");
	resp_free(&r);
	ck_assert(bbbsim_add_attendee(sim, "run-1", NULL, "Ann", false));
	r = call("isMeetingRunning", "meetingID=run-1");
	assert_value(r.body, "running", "true");
	resp_free(&r);
	r = call("isMeetingRunning", "");
	assert_failed(&r, "missingParamMeetingID", "You must provide a meeting ID");
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_join_redirect)
{
	struct resp r;
	char *loc;
	char *cookie;
	char prefix[128];

	create_simple("name=Joinable&meetingID=join-1");
	r = call("join", "fullName=Jo+Doe&meetingID=join-1&role=viewer&userID=ext-7"
			 "&userdata-bbb_auto_join_audio=true&userdata-a-b=x");
	ck_assert_int_eq(r.status, 302);
	loc = header(&r, "Location");
	cookie = header(&r, "Set-Cookie");
	snprintf(prefix, sizeof(prefix),
		 "http://127.0.0.1:%u/html5client/join?sessionToken=", bbbsim_port(sim));
	ck_assert(starts_with(loc, prefix));
	ck_assert_uint_eq(strlen(loc), strlen(prefix) + 16);
	ck_assert(starts_with(cookie, "JSESSIONID="));
	resp_free(&r);
	r = call("getMeetingInfo", "meetingID=join-1");
	ck_assert_ptr_nonnull(strstr(r.body, "<attendee>\n<userID>ext-7</userID>\n"
					     "<fullName>Jo Doe</fullName>\n<role>VIEWER</role>\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "<customdata>\n<bbb_auto_join_audio>true"
					     "</bbb_auto_join_audio>\n</customdata>\n</attendee>"));
	assert_value(r.body, "running", "true");
	resp_free(&r);
	/* errors redirect too, carrying errors=[...] */
	r = call("join", "fullName=Jo&meetingID=nope-1&role=viewer"
			 "&errorRedirectUrl=https%3A%2F%2Flms.example%2Ferr");
	ck_assert_int_eq(r.status, 302);
	free(loc);
	loc = header(&r, "Location");
	ck_assert_str_eq(loc, "https://lms.example/err?errors=%5B%7B%22message%22%3A%22A%20meeting"
			      "%20with%20that%20ID%20does%20not%20exist%22%2C%22key%22%3A%22"
			      "invalidMeetingIdentifier%22%7D%5D");
	free(loc);
	free(cookie);
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_join_no_redirect)
{
	struct resp c = call("create", "name=Joinable&meetingID=join-2&attendeePW=ap&moderatorPW="
				       "mp");
	char *internal = xml_value(c.body, "internalMeetingID");
	char *ctime = xml_value(c.body, "createTime");
	char q[256];
	struct resp r;
	char *v;

	snprintf(q, sizeof(q),
		 "fullName=Mo&meetingID=join-2&role=MODERATOR&redirect=false"
		 "&createTime=%s",
		 ctime);
	r = call("join", q);
	ck_assert_int_eq(r.status, 200);
	ck_assert(starts_with(r.body, "<response>\n<returncode>SUCCESS</returncode>\n"
				      "<messageKey>successfullyJoined</messageKey>\n"
				      "<message>You have joined "
				      "successfully.</message>\n<meeting_id>"));
	assert_value(r.body, "meeting_id", internal);
	assert_value(r.body, "guestStatus", "ALLOW");
	v = xml_value(r.body, "user_id");
	ck_assert(starts_with(v, "w_") && strlen(v) == 14);
	free(v);
	v = xml_value(r.body, "auth_token");
	ck_assert_uint_eq(strlen(v), 12);
	free(v);
	v = xml_value(r.body, "session_token");
	ck_assert_uint_eq(strlen(v), 16);
	free(v);
	resp_free(&r);
	r = call("join", "fullName=Pw&meetingID=join-2&password=ap&redirect=false");
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	r = call("join", "fullName=Pw&meetingID=join-2&password=zz&redirect=false");
	assert_value(r.body, "messageKey", "Params required");
	resp_free(&r);
	r = call("join", "fullName=Pw&meetingID=join-2&redirect=false");
	assert_value(r.body, "messageKey", "Params required");
	resp_free(&r);
	r = call("join", "meetingID=join-2&role=VIEWER&redirect=false");
	assert_failed(&r, "missingParamFullName", "You must provide your name");
	resp_free(&r);
	r = call("join", "fullName=X&role=VIEWER&redirect=false");
	assert_failed(&r, "missingParamMeetingID", "You must provide a meeting ID");
	resp_free(&r);
	r = call("join", "fullName=X&meetingID=none-2&role=VIEWER&redirect=false");
	assert_failed(&r, "invalidMeetingIdentifier", "A meeting with that ID does not exist");
	resp_free(&r);
	r = call("join", "fullName=X&meetingID=join-2&role=VIEWER&redirect=false&createTime=1");
	assert_failed(&r, "mismatchCreateTimeParam",
		      "The createTime parameter submitted mismatches with the current meeting.");
	resp_free(&r);
	r = call("getMeetingInfo", "meetingID=join-2");
	assert_value(r.body, "participantCount", "2");
	assert_value(r.body, "moderatorCount", "1");
	resp_free(&r);
	free(internal);
	free(ctime);
	resp_free(&c);
}
END_TEST

START_TEST(test_bbbsim_send_chat_message)
{
	struct resp r;

	create_simple("name=Chat&meetingID=chat-1");
	r = call("sendChatMessage", "meetingID=chat-1&message=Hello+all&userName=Bot");
	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n"
				 "<messageKey></messageKey>\n<message></message>\n</response>");
	resp_free(&r);
	r = call("sendChatMessage", "meetingID=chat-9&message=Hi");
	assert_failed(&r, "notFound", "A meeting with that ID does not exist");
	resp_free(&r);
	r = call("sendChatMessage", "meetingID=chat-1&message=");
	assert_value(r.body, "messageKey", "sizeError");
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_insert_document)
{
	static const char doc[] = "<modules><module name=\"presentation\"/></modules>";
	char *t = signed_target("insertDocument", "meetingID=doc-1");
	struct resp r;

	create_simple("name=Docs&meetingID=doc-1");
	r = request("POST", t, "application/xml", doc);
	ck_assert_str_eq(r.body, "<response>\n<returncode>SUCCESS</returncode>\n"
				 "<message>Presentation is being uploaded</message>\n</response>");
	resp_free(&r);
	r = request("POST", t, "application/x-www-form-urlencoded", "a=b");
	assert_failed(&r, "unsupportedContentType",
		      "POST request Content-Type is missing or unsupported");
	resp_free(&r);
	r = get(t);
	ck_assert_int_eq(r.status, 405);
	resp_free(&r);
	free(t);
	t = signed_target("insertDocument", "meetingID=doc-2");
	r = request("POST", t, "text/xml", doc);
	ck_assert_str_eq(r.body, "<response>\n<returncode>FAILED</returncode>\n"
				 "<message>Meeting with id [doc-2] not "
				 "found.</message>\n</response>");
	resp_free(&r);
	free(t);
}
END_TEST

START_TEST(test_bbbsim_unknown_call)
{
	struct resp r = call("getSomething", "meetingID=x1");
	char *t = signed_target("join", "fullName=a&meetingID=b");
	char *ct = header(&r, "Content-Type");

	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(ct, "text/html");
	ck_assert_ptr_nonnull(strstr(r.body, "404 Not Found"));
	free(ct);
	resp_free(&r);
	r = get("/other/path");
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	r = request("POST", t, "application/xml", "<x/>");
	ck_assert_int_eq(r.status, 405);
	resp_free(&r);
	free(t);
}
END_TEST

/* --- faults -------------------------------------------------------------- */

START_TEST(test_bbbsim_fault_delay)
{
	struct bbbsim_fault f = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 600};
	char *slow = signed_target("getMeetings", "");
	char *fast = signed_target("isMeetingRunning", "meetingID=x1");
	int fd = cli_connect(bbbsim_port(sim));
	double t0 = now_ms();
	double fast_done;
	struct resp r;

	bbbsim_set_fault(sim, "getMeetings", &f);
	send_req(fd, "GET", slow, NULL, NULL, 0, false);
	/* another connection is not held up by the sleeping one */
	r = get(fast);
	fast_done = now_ms() - t0;
	assert_value(r.body, "running", "false");
	resp_free(&r);
	r = read_resp(fd, false);
	ck_assert_msg(now_ms() - t0 >= 590.0, "answered after %.0f ms", now_ms() - t0);
	ck_assert_msg(fast_done < 400.0, "other connection took %.0f ms", fast_done);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	close(fd);
	free(slow);
	free(fast);
}
END_TEST

START_TEST(test_bbbsim_fault_failed_and_count)
{
	struct bbbsim_fault f = {.kind = BBBSIM_FAULT_FAILED,
				 .message_key = "tooBusy",
				 .message = "Try & later",
				 .count = 2};
	struct resp r;
	int i;

	bbbsim_set_fault(sim, "getMeetings", &f);
	for (i = 0; i < 2; i++) {
		r = call("getMeetings", "");
		assert_failed(&r, "tooBusy", "Try &amp; later");
		resp_free(&r);
	}
	r = call("getMeetings", "");
	assert_value(r.body, "messageKey", "noMeetings");
	resp_free(&r);
	/* "*" matches every call; a NULL fault clears it */
	bbbsim_set_fault(sim, "*", &f);
	r = call("isMeetingRunning", "meetingID=abc");
	assert_value(r.body, "messageKey", "tooBusy");
	resp_free(&r);
	bbbsim_set_fault(sim, "*", NULL);
	r = call("isMeetingRunning", "meetingID=abc");
	assert_value(r.body, "running", "false");
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_fault_garbage_body_status)
{
	struct bbbsim_fault g = {.kind = BBBSIM_FAULT_GARBAGE, .body = "}{ not xml"};
	struct bbbsim_fault b = {.kind = BBBSIM_FAULT_BODY,
				 .body = "<response><x>1</x></response>"};
	struct bbbsim_fault s = {.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 503};
	struct bbbsim_request rec;
	struct resp r;
	char *ct;

	bbbsim_set_fault(sim, "getMeetings", &g);
	r = call("getMeetings", "");
	ct = header(&r, "Content-Type");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(ct, "text/plain;charset=utf-8");
	ck_assert_str_eq(r.body, "}{ not xml");
	free(ct);
	resp_free(&r);
	bbbsim_set_fault(sim, "getMeetings", &b);
	r = call("getMeetings", "");
	ct = header(&r, "Content-Type");
	ck_assert_str_eq(ct, "text/xml;charset=utf-8");
	ck_assert_str_eq(r.body, "<response><x>1</x></response>");
	free(ct);
	resp_free(&r);
	bbbsim_set_fault(sim, "getMeetings", &s);
	r = call("getMeetings", "");
	ck_assert_int_eq(r.status, 503);
	ck_assert_ptr_nonnull(strstr(r.body, "503 Service Unavailable"));
	resp_free(&r);
	/* faults apply after the request is recorded, even with a bad checksum */
	r = get("/bigbluebutton/api/getMeetings?checksum=bad");
	ck_assert_int_eq(r.status, 503);
	resp_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 4);
	ck_assert(bbbsim_request_get(sim, 3, &rec));
	ck_assert(!rec.checksum_ok);
	bbbsim_request_free(&rec);
	/* the API root is addressed as "" */
	bbbsim_set_fault(sim, "", &s);
	r = get("/bigbluebutton/api");
	ck_assert_int_eq(r.status, 503);
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_fault_huge)
{
	struct bbbsim_fault f = {.kind = BBBSIM_FAULT_HUGE, .huge_bytes = 3u << 20};
	struct resp r;
	char *te;

	bbbsim_set_fault(sim, "getMeetings", &f);
	r = call("getMeetings", "");
	te = header(&r, "Transfer-Encoding");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(te, "chunked");
	ck_assert_uint_eq(r.body_len, 3u << 20);
	ck_assert_uint_eq(strlen(r.body), r.body_len);
	ck_assert(starts_with(r.body, "<response>\n<returncode>SUCCESS</"
				      "returncode>\n<meetings>\n"));
	ck_assert(ends_with(r.body, "</meetings>\n</response>"));
	free(te);
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_fault_close)
{
	struct bbbsim_fault f = {.kind = BBBSIM_FAULT_CLOSE, .count = 1};
	struct resp r;

	bbbsim_set_fault(sim, "getMeetings", &f);
	r = call("getMeetings", "");
	ck_assert_int_eq(r.status, 0);
	resp_free(&r);
	r = call("getMeetings", "");
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_fault_delay_then_kind)
{
	struct bbbsim_fault f = {
		.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 502, .delay_ms = 300};
	double t0 = now_ms();
	struct resp r;

	bbbsim_set_fault(sim, "create", &f);
	r = call("create", "name=Late&meetingID=late-1");
	ck_assert(now_ms() - t0 >= 290.0);
	ck_assert_int_eq(r.status, 502);
	resp_free(&r);
}
END_TEST

/* --- log, connections, helpers -------------------------------------------- */

START_TEST(test_bbbsim_request_recording)
{
	size_t big_len = 300 * 1024;
	char *big = malloc(big_len + 1);
	char *t = signed_with("sha256", SECRET, "insertDocument", "meetingID=rec-1");
	struct bbbsim_request rec;
	struct resp r;

	memset(big, 'x', big_len);
	big[big_len] = '\0';
	memcpy(big, "<modules>", 9);
	r = call("getMeetingInfo", "meetingID=rec%2D1&x=a+b");
	resp_free(&r);
	r = request("POST", t, "application/xml", big);
	resp_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 2);
	ck_assert(bbbsim_request_get(sim, 0, &rec));
	ck_assert_str_eq(rec.method, "GET");
	ck_assert_str_eq(rec.call, "getMeetingInfo");
	ck_assert(starts_with(rec.query, "meetingID=rec%2D1&x=a+b&checksum="));
	ck_assert_ptr_null(rec.content_type);
	ck_assert_ptr_null(rec.body);
	ck_assert_uint_eq(rec.body_len, 0);
	bbbsim_request_free(&rec);
	ck_assert(bbbsim_request_get(sim, 1, &rec));
	ck_assert_str_eq(rec.method, "POST");
	ck_assert_str_eq(rec.call, "insertDocument");
	ck_assert_str_eq(rec.query, strchr(t, '?') + 1);
	ck_assert_str_eq(rec.content_type, "application/xml");
	ck_assert_uint_eq(rec.body_len, big_len);
	ck_assert_str_eq(rec.body, big);
	ck_assert(rec.checksum_ok);
	ck_assert_str_eq(rec.algorithm, "sha256");
	bbbsim_request_free(&rec);
	ck_assert(!bbbsim_request_get(sim, 2, &rec));
	bbbsim_clear_log(sim);
	ck_assert_uint_eq(bbbsim_request_count(sim), 0);
	bbbsim_request_free(NULL);
	free(big);
	free(t);
}
END_TEST

START_TEST(test_bbbsim_keep_alive_connections)
{
	char *t = signed_target("getMeetings", "");
	int fd = cli_connect(bbbsim_port(sim));
	struct resp r;
	int i;

	for (i = 0; i < 3; i++) {
		r = request_on(fd, "GET", t, NULL, NULL, true);
		ck_assert_int_eq(r.status, 200);
		assert_value(r.body, "returncode", "SUCCESS");
		resp_free(&r);
	}
	ck_assert_uint_eq(bbbsim_connections(sim), 1);
	ck_assert_uint_eq(bbbsim_request_count(sim), 3);
	close(fd);
	r = get(t);
	resp_free(&r);
	ck_assert_uint_eq(bbbsim_connections(sim), 2);
	free(t);
}
END_TEST

START_TEST(test_bbbsim_query_param)
{
	char *v;

	v = bbbsim_query_param("a=1&b=x+y%21%zz&a=2&c&%41=z", "a");
	ck_assert_str_eq(v, "1");
	free(v);
	v = bbbsim_query_param("a=1&b=x+y%21%zz&a=2&c&%41=z", "b");
	ck_assert_str_eq(v, "x y!%zz");
	free(v);
	v = bbbsim_query_param("a=1&b=x+y%21%zz&a=2&c&%41=z", "c");
	ck_assert_str_eq(v, "");
	free(v);
	v = bbbsim_query_param("a=1&b=x+y%21%zz&a=2&c&%41=z", "A");
	ck_assert_str_eq(v, "z");
	free(v);
	ck_assert_ptr_null(bbbsim_query_param("a=1", "d"));
	ck_assert_ptr_null(bbbsim_query_param("", "a"));
}
END_TEST

START_TEST(test_bbbsim_start_failure)
{
	struct bbbsim_opts bad = {.address = "not-an-address", .secret = "s"};
	struct bbbsim_opts taken = {.secret = "s", .port = bbbsim_port(sim)};

	ck_assert_ptr_null(bbbsim_start(&bad));
	ck_assert_ptr_null(bbbsim_start(&taken));
	bbbsim_stop(NULL);
}
END_TEST

/* Path of the bbb-sim program: $GW_BBBSIM_BINARY, else next to this test binary. */
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

START_TEST(test_bbbsim_program)
{
	char path[PATH_MAX + 32];
	char line[256] = {0};
	unsigned port = 0;
	int pipefd[2];
	int status;
	pid_t pid;
	FILE *out;
	struct resp r;
	int fd;

	sim_binary(path, sizeof(path));
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execl(path, path, "--port", "0", "--secret", SECRET, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	out = fdopen(pipefd[0], "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), out));
	ck_assert_int_eq(sscanf(line, "bbb-sim listening on http://127.0.0.1:%u/bigbluebutton/api",
				&port),
			 1);
	fd = cli_connect(port);
	send_req(fd, "GET", "/bigbluebutton/api", NULL, NULL, 0, false);
	r = read_resp(fd, false);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	close(fd);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	fclose(out);
}
END_TEST

static Suite *bbbsim_suite(void)
{
	Suite *s = suite_create("bbbsim");
	TCase *tc = tcase_create("bbbsim");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bbbsim_official_vector);
	tcase_add_test(tc, test_bbbsim_each_algorithm);
	tcase_add_test(tc, test_bbbsim_wrong_checksum);
	tcase_add_test(tc, test_bbbsim_checksum_position);
	tcase_add_test(tc, test_bbbsim_disabled_algorithm);
	tcase_add_test(tc, test_bbbsim_empty_secret);
	tcase_add_test(tc, test_bbbsim_api_root);
	tcase_add_test(tc, test_bbbsim_create_first);
	tcase_add_test(tc, test_bbbsim_create_duplicate);
	tcase_add_test(tc, test_bbbsim_create_validation);
	tcase_add_test(tc, test_bbbsim_create_voice_bridge_conflict);
	tcase_add_test(tc, test_bbbsim_create_post_xml);
	tcase_add_test(tc, test_bbbsim_get_meeting_info_layout);
	tcase_add_test(tc, test_bbbsim_metadata_and_escaping);
	tcase_add_test(tc, test_bbbsim_get_meetings);
	tcase_add_test(tc, test_bbbsim_end);
	tcase_add_test(tc, test_bbbsim_is_meeting_running);
	tcase_add_test(tc, test_bbbsim_join_redirect);
	tcase_add_test(tc, test_bbbsim_join_no_redirect);
	tcase_add_test(tc, test_bbbsim_send_chat_message);
	tcase_add_test(tc, test_bbbsim_insert_document);
	tcase_add_test(tc, test_bbbsim_unknown_call);
	tcase_add_test(tc, test_bbbsim_fault_delay);
	tcase_add_test(tc, test_bbbsim_fault_failed_and_count);
	tcase_add_test(tc, test_bbbsim_fault_garbage_body_status);
	tcase_add_test(tc, test_bbbsim_fault_huge);
	tcase_add_test(tc, test_bbbsim_fault_close);
	tcase_add_test(tc, test_bbbsim_fault_delay_then_kind);
	tcase_add_test(tc, test_bbbsim_request_recording);
	tcase_add_test(tc, test_bbbsim_keep_alive_connections);
	tcase_add_test(tc, test_bbbsim_query_param);
	tcase_add_test(tc, test_bbbsim_start_failure);
	tcase_add_test(tc, test_bbbsim_program);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbbsim_suite)
