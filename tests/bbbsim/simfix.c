/*
 * simfix.c - see simfix.h.
 */
#include "simfix.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct bbbsim *sim;

/* --- HTTP client -------------------------------------------------------- */

struct rbuf {
	char *p;
	size_t len;
	size_t cap;
};

int cli_connect(unsigned port)
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

char *header(const struct resp *r, const char *name)
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
struct resp read_resp(int fd, bool head_only)
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

void send_req(int fd, const char *method, const char *target, const char *ctype, const char *body,
	      size_t body_len, bool keep_alive)
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

struct resp request_on(int fd, const char *method, const char *target, const char *ctype,
		       const char *body, bool keep_alive)
{
	send_req(fd, method, target, ctype, body, body != NULL ? strlen(body) : 0, keep_alive);
	return read_resp(fd, false);
}

struct resp request(const char *method, const char *target, const char *ctype, const char *body)
{
	int fd = cli_connect(bbbsim_port(sim));
	struct resp r = request_on(fd, method, target, ctype, body, false);

	close(fd);
	return r;
}

struct resp get(const char *target)
{
	return request("GET", target, NULL, NULL);
}

void resp_free(struct resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* --- signing and parsing helpers -------------------------------------- */

char *hexdigest(const char *alg, const char *s)
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
char *signed_with(const char *alg, const char *secret, const char *call, const char *query)
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

char *signed_target(const char *call, const char *query)
{
	return signed_with("sha1", SECRET, call, query);
}

struct resp call(const char *call_name, const char *query)
{
	char *t = signed_target(call_name, query);
	struct resp r = get(t);

	free(t);
	return r;
}

/* Text of the first <name>…</name> in doc (malloc'd), NULL when absent. */
char *xml_value(const char *doc, const char *name)
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

void assert_value(const char *doc, const char *name, const char *want)
{
	char *v = xml_value(doc, name);

	ck_assert_msg(v != NULL, "<%s> missing in:\n%s", name, doc);
	ck_assert_str_eq(v, want);
	free(v);
}

void assert_failed(const struct resp *r, const char *key, const char *message)
{
	char want[1024];

	snprintf(want, sizeof(want),
		 "<response>\n<returncode>FAILED</returncode>\n<messageKey>%s</messageKey>\n"
		 "<message>%s</message>\n</response>",
		 key, message);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, want);
}

bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s);
	size_t m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

struct bbbsim *start_with(const char *secret, const char *algorithms)
{
	struct bbbsim_opts o = {.secret = secret, .algorithms = algorithms};
	struct bbbsim *s = bbbsim_start(&o);

	ck_assert_ptr_nonnull(s);
	return s;
}

void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	sim = start_with(SECRET, NULL);
}

void teardown(void)
{
	bbbsim_stop(sim);
	sim = NULL;
}
