/*
 * sse_load.c - the load client of bench/events: holds STREAMS event
 * streams (GET .../events, text/event-stream) open on one epoll thread and
 * sends bbb-webhooks callbacks (POST /v1/bbb-events) from another, over one
 * keep-alive connection, then reports when each stream received each
 * event.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -pthread bench/sse_load.c -lcrypto -o sse_load
 *   sse_load --port P --token TOKEN --secret BBB_SECRET [--streams 1000]
 *            [--path /v1/meetings/bench-room/events] [--meeting bench-room]
 *            [--checksum-url URL]   (sign callbacks with ?checksum=sha1(URL+body+secret)
 *                                    instead of Authorization: Bearer <secret>)
 *
 * Driven by commands on stdin, one per line; it answers each with one JSON
 * line on stdout:
 *
 *   open                  connect every stream; wait until each answered 200
 *                         and sent its first bytes (the retry line)
 *   burst N US TAG [RAW]  send N callbacks of one user-joined each, one after
 *                         the other (each waits for its 200); US > 0 paces them
 *                         on a fixed schedule, one every US microseconds. Then
 *                         wait until every stream has the N events, and report.
 *                         RAW: a file for the latencies (float64 ms, stream-major)
 *   stats                 totals so far: streams open, events, heartbeats,
 *                         bytes and reads, and the errors
 *   close                 close every stream
 *   quit
 *
 * Checks (counted as errors in the reply, never about speed): every
 * callback is answered 200 with "received": 1; every stream gets every
 * event exactly once, in order, as `event: user-joined` whose data names
 * the user of that callback; the ids are the same on every stream and
 * increase by one per callback; no stream ends or gets anything else than
 * those events, heartbeat comments and its first retry line.
 *
 * Latency = the moment the reader thread's recvmsg() returned the bytes
 * that complete an event (CLOCK_MONOTONIC) - the moment just before the
 * callback's request was written. The kernel's receive timestamp of the
 * same bytes (SO_TIMESTAMPNS, mapped from CLOCK_REALTIME) is reported as
 * well: the difference is the client's own delay (its epoll queue), i.e.
 * how much of the latency is the measuring program rather than the gateway.
 * The same timestamp on each callback's answer gives the server's side of
 * the callback's round trip.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define LINE_MAX_BYTES 8192
#define HEAD_MAX_BYTES 4096
#define READ_BYTES (256 * 1024)
#define MAX_EVENTS_PER_BURST 100000
#define OPEN_TIMEOUT_S 60
#define BURST_TIMEOUT_S 30

enum st { S_HEAD, S_BODY, S_CLOSED };
enum cst { C_SIZE, C_EXT, C_SIZE_LF, C_DATA, C_DATA_CR, C_DATA_LF, C_DONE };

struct stream {
	int fd;
	enum st st;
	bool chunked;
	bool ready; /* 200 and the first body bytes seen */
	enum cst cst;
	uint64_t crem;
	size_t head_len;
	char head[HEAD_MAX_BYTES];
	size_t line_len;
	bool line_long;
	char line[LINE_MAX_BYTES];
	/* the event being read */
	bool has_id;
	uint64_t id;
	bool type_ok;
	bool type_seen;
	long idx; /* the callback index named in its data, -1 = none of this burst */
	/* per burst */
	uint32_t got;
	/* totals */
	uint64_t events;
	uint64_t heartbeats;
	uint64_t bytes;
	uint64_t reads;
};

static struct {
	const char *host;
	int port;
	const char *token;
	const char *secret;
	const char *path;
	const char *meeting;
	const char *checksum_url;
	int n;
} opt = {"127.0.0.1", 0, NULL, NULL, "/v1/meetings/bench-room/events", "bench-room", NULL, 1000};

static struct stream *streams;
static int epfd = -1;
static pthread_t reader;
static atomic_bool reader_stop;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER; /* everything below and stream state */
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int64_t rt_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */

/* the burst in progress (under mu) */
static struct {
	bool active;
	char tag[32];
	size_t tag_len;
	unsigned n;
	uint64_t *recv_ns; /* [stream * n + i], 0 = not yet */
	uint64_t *arr_ns;  /* kernel receive time, 0 = none */
	uint64_t *ids;
	unsigned done_streams;
	uint64_t deliveries;
} burst;

/* errors and what arrived outside a burst (under mu) */
static struct {
	uint64_t http_status; /* streams not answered 200 */
	uint64_t closed;      /* streams that ended */
	uint64_t parse;       /* malformed chunking or lines */
	uint64_t stray;       /* events of no burst, or of another one */
	uint64_t dup;         /* an event a stream already had, or out of order */
	uint64_t wrong_type;  /* not user-joined, or reset */
	uint64_t no_id;
	char first[256];
} err;

static uint64_t ts_ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t now_ns(void)
{
	return ts_ns(CLOCK_MONOTONIC);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "sse_load: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static void note(uint64_t *counter, const char *fmt, ...)
{
	va_list ap;

	(*counter)++;
	if (err.first[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(err.first, sizeof(err.first), fmt, ap);
	va_end(ap);
	/* it goes into a JSON string */
	for (char *p = err.first; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\' ||
		    (unsigned char)*p >= 0x7f)
			*p = ' ';
	}
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		die("out of memory");
	return p;
}

static uint64_t arrival_of(struct msghdr *mh);

/* ---- the reader: HTTP head, chunked framing, SSE lines ---- */

static void close_stream(struct stream *s, bool expected)
{
	if (s->st == S_CLOSED)
		return;
	if (!expected)
		note(&err.closed, "stream %ld ended (%s)", (long)(s - streams),
		     s->ready ? "after it opened" : "before it opened");
	epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	s->fd = -1;
	s->st = S_CLOSED;
	pthread_cond_broadcast(&cv); /* open and burst wait for every stream, closed or not */
}

/* "b<burst>-<i>" of the data's userID, when it is this burst's tag; -1 otherwise */
static long data_index(const char *line, size_t len)
{
	static const char key[] = "\"userID\":\"";
	const char *p = memmem(line, len, key, sizeof(key) - 1);
	const char *end = line + len;
	long v = 0;

	if (p == NULL)
		return -1;
	p += sizeof(key) - 1;
	if (!burst.active || (size_t)(end - p) < burst.tag_len + 2 ||
	    memcmp(p, burst.tag, burst.tag_len) != 0 || p[burst.tag_len] != '-')
		return -1;
	for (p += burst.tag_len + 1; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return p < end && *p == '"' ? v : -1;
}

static void dispatch(struct stream *s, uint64_t t_read, uint64_t t_arr)
{
	size_t k = (size_t)(s - streams);
	size_t slot;

	if (!s->type_seen && !s->has_id)
		return; /* a comment-only block, or the retry line */
	s->events++;
	if (!s->type_ok) {
		note(&err.wrong_type, "stream %zu: an event other than user-joined", k);
		return;
	}
	if (!s->has_id) {
		note(&err.no_id, "stream %zu: an event without id", k);
		return;
	}
	if (s->idx < 0 || (unsigned long)s->idx >= burst.n) {
		note(&err.stray, "stream %zu: event id %llu belongs to no burst in progress", k,
		     (unsigned long long)s->id);
		return;
	}
	if ((uint32_t)s->idx != s->got) {
		note(&err.dup, "stream %zu: callback %ld arrived when %u was due", k, s->idx,
		     s->got);
		if ((uint32_t)s->idx < s->got)
			return;
	}
	slot = k * burst.n + (size_t)s->idx;
	if (burst.recv_ns[slot] != 0) {
		note(&err.dup, "stream %zu: callback %ld twice", k, s->idx);
		return;
	}
	burst.recv_ns[slot] = t_read;
	burst.arr_ns[slot] = t_arr;
	burst.ids[slot] = s->id;
	burst.deliveries++;
	s->got = (uint32_t)s->idx + 1;
	if (s->got == burst.n) {
		burst.done_streams++;
		if (burst.done_streams == (unsigned)opt.n)
			pthread_cond_broadcast(&cv);
	}
}

static void sse_line(struct stream *s, uint64_t t_read, uint64_t t_arr)
{
	const char *l = s->line;
	size_t n = s->line_len;

	if (n > 0 && l[n - 1] == '\r')
		n--;
	if (n == 0) {
		dispatch(s, t_read, t_arr);
		s->has_id = false;
		s->type_seen = false;
		s->type_ok = false;
		s->idx = -1;
		return;
	}
	if (l[0] == ':') {
		if (n >= 11 && memcmp(l, ": heartbeat", 11) == 0)
			s->heartbeats++;
		return;
	}
	if (n > 4 && memcmp(l, "id: ", 4) == 0) {
		uint64_t v = 0;
		size_t i;

		for (i = 4; i < n && l[i] >= '0' && l[i] <= '9'; i++)
			v = v * 10 + (uint64_t)(l[i] - '0');
		s->has_id = i == n;
		s->id = v;
	} else if (n >= 7 && memcmp(l, "event: ", 7) == 0) {
		s->type_seen = true;
		s->type_ok = n == 7 + 11 && memcmp(l + 7, "user-joined", 11) == 0;
	} else if (n >= 6 && memcmp(l, "data: ", 6) == 0) {
		s->idx = data_index(l + 6, n - 6);
	} else if (n >= 7 && memcmp(l, "retry: ", 7) == 0) {
		/* the stream's first line */
	} else {
		note(&err.parse, "stream %ld: unexpected line %.40s", (long)(s - streams), l);
	}
}

static void sse_bytes(struct stream *s, const char *p, size_t n, uint64_t t_read, uint64_t t_arr)
{
	const char *end = p + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t take = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (s->line_len + take >= sizeof(s->line)) {
			s->line_long = true;
			s->line_len = 0;
		} else {
			memcpy(s->line + s->line_len, p, take);
			s->line_len += take;
		}
		if (nl == NULL)
			return;
		if (s->line_long)
			note(&err.parse, "stream %ld: a line over %d bytes", (long)(s - streams),
			     LINE_MAX_BYTES);
		else
			sse_line(s, t_read, t_arr);
		s->line_len = 0;
		s->line_long = false;
		p = nl + 1;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The body bytes: through the chunked framing when there is one. */
static void body_bytes(struct stream *s, const char *p, size_t n, uint64_t t_read, uint64_t t_arr)
{
	const char *end = p + n;

	if (!s->chunked) {
		sse_bytes(s, p, n, t_read, t_arr);
		return;
	}
	while (p < end) {
		switch (s->cst) {
		case C_SIZE: {
			int v = hexval(*p);

			if (v >= 0) {
				s->crem = s->crem * 16 + (uint64_t)v;
			} else if (*p == ';') {
				s->cst = C_EXT;
			} else if (*p == '\r') {
				s->cst = C_SIZE_LF;
			} else {
				note(&err.parse, "stream %ld: bad chunk size", (long)(s - streams));
				close_stream(s, true);
				return;
			}
			p++;
			break;
		}
		case C_EXT:
			if (*p == '\r')
				s->cst = C_SIZE_LF;
			p++;
			break;
		case C_SIZE_LF:
			if (*p != '\n') {
				note(&err.parse, "stream %ld: bad chunk line", (long)(s - streams));
				close_stream(s, true);
				return;
			}
			p++;
			if (s->crem == 0) {
				s->cst = C_DONE;
				close_stream(s, false);
				return;
			}
			s->cst = C_DATA;
			break;
		case C_DATA: {
			size_t take = (size_t)(end - p) < s->crem ? (size_t)(end - p)
								  : (size_t)s->crem;

			sse_bytes(s, p, take, t_read, t_arr);
			p += take;
			s->crem -= take;
			if (s->crem == 0)
				s->cst = C_DATA_CR;
			break;
		}
		case C_DATA_CR:
		case C_DATA_LF:
			if (*p != (s->cst == C_DATA_CR ? '\r' : '\n')) {
				note(&err.parse, "stream %ld: chunk not followed by CRLF",
				     (long)(s - streams));
				close_stream(s, true);
				return;
			}
			s->cst = s->cst == C_DATA_CR ? C_DATA_LF : C_SIZE;
			p++;
			break;
		case C_DONE:
			return;
		}
	}
}

static bool head_has(const char *head, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	size_t i;

	for (i = 0; i + n <= len; i++) {
		if (strncasecmp(head + i, needle, n) == 0)
			return true;
	}
	return false;
}

static void on_bytes(struct stream *s, const char *p, size_t n, uint64_t t_read, uint64_t t_arr)
{
	s->bytes += n;
	s->reads++;
	if (s->st == S_HEAD) {
		size_t take = n;
		char *eoh;

		if (s->head_len + take > sizeof(s->head) - 1)
			take = sizeof(s->head) - 1 - s->head_len;
		memcpy(s->head + s->head_len, p, take);
		s->head_len += take;
		s->head[s->head_len] = '\0';
		eoh = strstr(s->head, "\r\n\r\n");
		if (eoh == NULL) {
			if (s->head_len == sizeof(s->head) - 1) {
				note(&err.parse, "stream %ld: response head too long",
				     (long)(s - streams));
				close_stream(s, true);
			}
			return;
		}
		if (strncmp(s->head, "HTTP/1.1 200 ", 13) != 0) {
			note(&err.http_status, "stream %ld: %.60s", (long)(s - streams), s->head);
			close_stream(s, true);
			return;
		}
		s->chunked = head_has(s->head, (size_t)(eoh - s->head),
				      "\r\nTransfer-Encoding: chunked");
		s->st = S_BODY;
		{
			size_t used = (size_t)(eoh + 4 - s->head);
			size_t before = s->head_len - take; /* head bytes from earlier reads */

			p += used - before;
			n -= used - before;
		}
	}
	if (n > 0) {
		if (!s->ready) {
			s->ready = true;
			pthread_cond_broadcast(&cv);
		}
		body_bytes(s, p, n, t_read, t_arr);
	}
}

static void *reader_main(void *arg)
{
	static char buf[READ_BYTES];
	struct epoll_event evs[512];

	(void)arg;
	while (!atomic_load(&reader_stop)) {
		int n = epoll_wait(epfd, evs, 512, 500);
		int i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		pthread_mutex_lock(&mu);
		for (i = 0; i < n; i++) {
			struct stream *s = &streams[evs[i].data.u32];
			char cbuf[CMSG_SPACE(sizeof(struct timespec)) * 2];
			struct iovec iov = {buf, sizeof(buf)};
			struct msghdr mh;
			uint64_t t_read;
			uint64_t t_arr = 0;
			ssize_t r;

			if (s->st == S_CLOSED)
				continue;
			memset(&mh, 0, sizeof(mh));
			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof(cbuf);
			r = recvmsg(s->fd, &mh, MSG_DONTWAIT);
			t_read = now_ns();
			if (r < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				note(&err.closed, "stream %ld: recv: %s", (long)(s - streams),
				     strerror(errno));
				close_stream(s, true);
				continue;
			}
			if (r == 0) {
				close_stream(s, false);
				continue;
			}
			t_arr = arrival_of(&mh);
			on_bytes(s, buf, (size_t)r, t_read, t_arr);
		}
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

/* ---- connections ---- */

static int connect_to(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)opt.port);
	inet_pton(AF_INET, opt.host, &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect 127.0.0.1:%d: %s", opt.port, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* the kernel's receive time of every segment (see arrival_of) */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	return fd;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

static void json_reply(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void cmd_open(void)
{
	char req[2048];
	int len;
	int i;
	int ready = 0;
	int closed = 0;
	uint64_t t0 = now_ns();
	struct timespec dl;

	len = snprintf(req, sizeof(req),
		       "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
		       "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n",
		       opt.path, opt.host, opt.port, opt.token);
	pthread_mutex_lock(&mu);
	for (i = 0; i < opt.n; i++) {
		struct stream *s = &streams[i];
		struct epoll_event e;

		if (s->st != S_CLOSED)
			continue;
		memset(s, 0, sizeof(*s));
		s->idx = -1;
		pthread_mutex_unlock(&mu); /* the connect may wait for the backlog */
		s->fd = connect_to();
		pthread_mutex_lock(&mu);
		write_all(s->fd, req, (size_t)len);
		fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
		s->st = S_HEAD;
		memset(&e, 0, sizeof(e));
		e.events = EPOLLIN | EPOLLRDHUP;
		e.data.u32 = (uint32_t)i;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &e) != 0)
			die("epoll_ctl: %s", strerror(errno));
	}
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += OPEN_TIMEOUT_S;
	for (;;) {
		ready = 0;
		closed = 0;
		for (i = 0; i < opt.n; i++) {
			ready += streams[i].ready;
			closed += streams[i].st == S_CLOSED;
		}
		if (ready + closed >= opt.n)
			break;
		if (pthread_cond_timedwait(&cv, &mu, &dl) == ETIMEDOUT)
			break;
	}
	json_reply("{\"cmd\":\"open\",\"streams\":%d,\"ready\":%d,\"closed\":%d,\"ms\":%.1f,"
		   "\"http_status_errors\":%llu,\"first_error\":\"%s\"}",
		   opt.n, ready, closed, (double)(now_ns() - t0) / 1e6,
		   (unsigned long long)err.http_status, err.first);
	pthread_mutex_unlock(&mu);
}

static void cmd_close(void)
{
	int i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < opt.n; i++)
		close_stream(&streams[i], true);
	pthread_mutex_unlock(&mu);
	json_reply("{\"cmd\":\"close\"}");
}

/* ---- callbacks ---- */

static size_t url_encode(char *out, const char *in)
{
	static const char hex[] = "0123456789ABCDEF";
	char *o = out;

	for (; *in != '\0'; in++) {
		unsigned char c = (unsigned char)*in;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '*' || c == '-' || c == '.' || c == '_') {
			*o++ = (char)c;
		} else if (c == ' ') {
			*o++ = '+';
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return (size_t)(o - out);
}

static void sha1_hex(const char *a, const char *b, size_t b_len, const char *c, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_MD_CTX *x = EVP_MD_CTX_new();
	unsigned i;

	if (x == NULL || EVP_DigestInit_ex(x, EVP_sha1(), NULL) != 1)
		die("sha1");
	EVP_DigestUpdate(x, a, strlen(a));
	EVP_DigestUpdate(x, b, b_len);
	EVP_DigestUpdate(x, c, strlen(c));
	EVP_DigestFinal_ex(x, md, &len);
	EVP_MD_CTX_free(x);
	for (i = 0; i < len && i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* One callback's request, as bbb-webhooks sends it (a form: domain, event, timestamp). */
static size_t callback_request(char *out, size_t cap, const char *tag, unsigned i)
{
	char ev[1024];
	char enc[3200];
	char body[3400];
	char sum[41];
	char query[64] = "";
	char auth[512] = "";
	uint64_t ms = ts_ns(CLOCK_REALTIME) / 1000000u;
	size_t blen;
	int n;

	snprintf(ev, sizeof(ev),
		 "[{\"data\":{\"type\":\"event\",\"id\":\"user-joined\",\"attributes\":{"
		 "\"meeting\":"
		 "{\"internal-meeting-id\":\"183f0bf3a0982a127bdb8161e0c44eb696b3e75c-"
		 "1700000000000\","
		 "\"external-meeting-id\":\"%s\"},\"user\":{\"internal-user-id\":\"w_%s_%u\","
		 "\"external-user-id\":\"%s-%u\",\"name\":\"Bench User %u\",\"role\":\"VIEWER\","
		 "\"presenter\":false}},\"event\":{\"ts\":%llu}}}]",
		 opt.meeting, tag, i, tag, i, i, (unsigned long long)ms);
	url_encode(enc, ev);
	blen = (size_t)snprintf(body, sizeof(body), "domain=bench.local&event=%s&timestamp=%llu",
				enc, (unsigned long long)ms);
	if (opt.checksum_url != NULL) {
		sha1_hex(opt.checksum_url, body, blen, opt.secret, sum);
		snprintf(query, sizeof(query), "?checksum=%s", sum);
	} else {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", opt.secret);
	}
	n = snprintf(out, cap,
		     "POST /v1/bbb-events%s HTTP/1.1\r\nHost: %s:%d\r\n%s"
		     "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
		     "%zu\r\n\r\n%s",
		     query, opt.host, opt.port, auth, blen, body);
	if (n < 0 || (size_t)n >= cap)
		die("callback request too long");
	return (size_t)n;
}

/* The kernel receive timestamp (CLOCK_MONOTONIC ns) in a recvmsg control buffer, or 0. */
static uint64_t arrival_of(struct msghdr *mh)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			if (ts.tv_sec != 0)
				return (uint64_t)((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec -
						  rt_offset_ns);
		}
	}
	return 0;
}

/*
 * Reads one response; returns its status (0 = connection lost), its body in
 * body, and in *arrived the kernel's receive time of its first bytes (0 if none).
 */
static int read_response(int fd, char *buf, size_t cap, char **body, size_t *body_len,
			 uint64_t *arrived)
{
	size_t have = 0;
	char *eoh = NULL;
	long clen = -1;

	*arrived = 0;
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(struct timespec)) * 2];
		struct iovec iov = {buf + have, cap - 1 - have};
		struct msghdr mh;
		ssize_t r;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		r = recvmsg(fd, &mh, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		if (have == 0)
			*arrived = arrival_of(&mh);
		have += (size_t)r;
		buf[have] = '\0';
		if (eoh == NULL && (eoh = strstr(buf, "\r\n\r\n")) != NULL) {
			const char *cl = strcasestr(buf, "\r\nContent-Length:");

			if (cl == NULL || cl > eoh)
				return 0; /* the gateway always sends a length for these */
			clen = strtol(cl + 17, NULL, 10);
		}
		if (eoh != NULL && have >= (size_t)(eoh + 4 - buf) + (size_t)clen)
			break;
		if (have == cap - 1)
			return 0;
	}
	*body = eoh + 4;
	*body_len = (size_t)clen;
	(*body)[clen] = '\0';
	return atoi(buf + 9);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Percentile of sorted v[n] (nearest rank). */
static double pct(const double *v, size_t n, double p)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static void print_dist(const char *name, double *v, size_t n, bool last)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("\"%s\":{\"n\":%zu,\"min\":%.3f,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f}"
	       "%s",
	       name, n, n ? v[0] : 0, pct(v, n, 50), pct(v, n, 90), pct(v, n, 99), n ? v[n - 1] : 0,
	       last ? "" : ",");
}

static double thread_cpu_ms(pthread_t t)
{
	clockid_t c;
	struct timespec ts;

	if (pthread_getcpuclockid(t, &c) != 0 || clock_gettime(c, &ts) != 0)
		return 0;
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void cmd_burst(unsigned n, unsigned interval_us, const char *tag, const char *raw)
{
	static char req[8192];
	static char resp[8192];
	uint64_t *t_send = xcalloc(n, sizeof(*t_send));
	uint64_t *t_resp = xcalloc(n, sizeof(*t_resp));
	uint64_t *t_ans = xcalloc(n, sizeof(*t_ans)); /* kernel arrival of each answer */
	size_t total = (size_t)opt.n * n;
	int fd = connect_to();
	unsigned bad_status = 0;
	unsigned bad_body = 0;
	uint64_t late_max = 0;
	uint64_t reads0 = 0;
	uint64_t bytes0 = 0;
	uint64_t reads1 = 0;
	uint64_t bytes1 = 0;
	double cpu_r0 = thread_cpu_ms(reader);
	double cpu_s0 = thread_cpu_ms(pthread_self());
	double cpu_r1;
	double cpu_s1;
	uint64_t t_first;
	uint64_t t_all = 0;
	struct timespec dl;
	unsigned closed_streams = 0;
	uint64_t id_errors = 0;
	uint64_t base_id = 0;
	double *lat;
	double *arr;
	double *cdelay;
	double *fanout;
	double *first;
	double *rtt;
	double *ans;
	size_t n_ans = 0;
	size_t n_lat = 0;
	size_t n_arr = 0;
	size_t n_cd = 0;
	unsigned i;
	size_t k;

	pthread_mutex_lock(&mu);
	free(burst.recv_ns);
	free(burst.arr_ns);
	free(burst.ids);
	burst.recv_ns = xcalloc(total, sizeof(uint64_t));
	burst.arr_ns = xcalloc(total, sizeof(uint64_t));
	burst.ids = xcalloc(total, sizeof(uint64_t));
	snprintf(burst.tag, sizeof(burst.tag), "%s", tag);
	burst.tag_len = strlen(burst.tag);
	burst.n = n;
	burst.done_streams = 0;
	burst.deliveries = 0;
	for (k = 0; k < (size_t)opt.n; k++) {
		streams[k].got = 0;
		reads0 += streams[k].reads;
		bytes0 += streams[k].bytes;
	}
	burst.active = true;
	pthread_mutex_unlock(&mu);

	t_first = now_ns();
	for (i = 0; i < n; i++) {
		size_t len = callback_request(req, sizeof(req), tag, i);
		char *body = NULL;
		size_t body_len = 0;
		int status;

		if (interval_us > 0) {
			uint64_t due = t_first + (uint64_t)i * interval_us * 1000u;
			struct timespec ts = {(time_t)(due / 1000000000u),
					      (long)(due % 1000000000u)};
			uint64_t now;

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
			now = now_ns();
			if (now > due && now - due > late_max)
				late_max = now - due;
		}
		t_send[i] = now_ns();
		write_all(fd, req, len);
		status = read_response(fd, resp, sizeof(resp), &body, &body_len, &t_ans[i]);
		t_resp[i] = now_ns();
		if (status == 0) {
			close(fd);
			fd = connect_to();
			bad_status++;
		} else if (status != 200) {
			bad_status++;
		} else if (strstr(body, "\"received\":1") == NULL && strstr(body, "\"received\": "
										  "1") == NULL) {
			bad_body++;
		}
	}
	close(fd);

	/* every stream has every event, or the time is up (soon when callbacks failed) */
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += bad_status > 0 ? 2 : BURST_TIMEOUT_S;
	pthread_mutex_lock(&mu);
	for (;;) {
		closed_streams = 0;
		for (k = 0; k < (size_t)opt.n; k++)
			closed_streams += streams[k].st == S_CLOSED && streams[k].got < n;
		if (burst.done_streams + closed_streams >= (unsigned)opt.n)
			break;
		if (pthread_cond_timedwait(&cv, &mu, &dl) == ETIMEDOUT)
			break;
	}
	burst.active = false;
	cpu_r1 = thread_cpu_ms(reader);
	for (k = 0; k < (size_t)opt.n; k++) {
		reads1 += streams[k].reads;
		bytes1 += streams[k].bytes;
	}
	cpu_s1 = thread_cpu_ms(pthread_self());

	lat = xcalloc(total, sizeof(double));
	arr = xcalloc(total, sizeof(double));
	cdelay = xcalloc(total, sizeof(double));
	fanout = xcalloc(n, sizeof(double));
	first = xcalloc(n, sizeof(double));
	rtt = xcalloc(n, sizeof(double));
	ans = xcalloc(n, sizeof(double));
	for (i = 0; i < n; i++) {
		rtt[i] = (double)(t_resp[i] - t_send[i]) / 1e6;
		if (t_ans[i] != 0)
			ans[n_ans++] = ((double)t_ans[i] - (double)t_send[i]) / 1e6;
	}
	for (k = 0; k < (size_t)opt.n; k++) {
		for (i = 0; i < n; i++) {
			size_t slot = k * n + i;
			uint64_t r = burst.recv_ns[slot];

			if (r == 0)
				continue;
			if (base_id == 0)
				base_id = burst.ids[slot] - i;
			if (burst.ids[slot] != base_id + i)
				id_errors++;
			lat[n_lat++] = (double)(r - t_send[i]) / 1e6;
			if (r > t_all)
				t_all = r;
			if ((double)(r - t_send[i]) / 1e6 > fanout[i])
				fanout[i] = (double)(r - t_send[i]) / 1e6;
			if (first[i] == 0 || (double)(r - t_send[i]) / 1e6 < first[i])
				first[i] = (double)(r - t_send[i]) / 1e6;
			if (burst.arr_ns[slot] != 0) {
				arr[n_arr++] =
					((double)burst.arr_ns[slot] - (double)t_send[i]) / 1e6;
				cdelay[n_cd++] = ((double)r - (double)burst.arr_ns[slot]) / 1e6;
			}
		}
	}
	if (raw != NULL) {
		FILE *f = fopen(raw, "wb");

		if (f == NULL || fwrite(lat, sizeof(double), n_lat, f) != n_lat || fclose(f) != 0)
			die("cannot write %s", raw);
	}
	printf("{\"cmd\":\"burst\",\"tag\":\"%s\",\"streams\":%d,\"events\":%u,\"interval_us\":%u,"
	       "\"deliveries\":%zu,\"expected\":%zu,\"missing\":%zu,\"streams_incomplete\":%u,"
	       "\"id_errors\":%llu,\"first_id\":%llu,\"callback_status_errors\":%u,"
	       "\"callback_body_errors\":%u,\"send_ms\":%.3f,\"all_delivered_ms\":%.3f,"
	       "\"pacing_late_max_ms\":%.3f,\"reader_cpu_ms\":%.3f,\"sender_cpu_ms\":%.3f,"
	       "\"reads\":%llu,\"bytes\":%llu,",
	       tag, opt.n, n, interval_us, n_lat, total, total - n_lat,
	       (unsigned)opt.n - burst.done_streams, (unsigned long long)id_errors,
	       (unsigned long long)base_id, bad_status, bad_body,
	       (double)(t_resp[n - 1] - t_first) / 1e6,
	       t_all > t_first ? (double)(t_all - t_first) / 1e6 : 0.0, (double)late_max / 1e6,
	       cpu_r1 - cpu_r0, cpu_s1 - cpu_s0, (unsigned long long)(reads1 - reads0),
	       (unsigned long long)(bytes1 - bytes0));
	printf("\"errors\":{\"http_status\":%llu,\"closed\":%llu,\"parse\":%llu,\"stray\":%llu,"
	       "\"dup\":%llu,\"wrong_type\":%llu,\"no_id\":%llu,\"first\":\"%s\"},",
	       (unsigned long long)err.http_status, (unsigned long long)err.closed,
	       (unsigned long long)err.parse, (unsigned long long)err.stray,
	       (unsigned long long)err.dup, (unsigned long long)err.wrong_type,
	       (unsigned long long)err.no_id, err.first);
	print_dist("latency_ms", lat, n_lat, false);
	print_dist("kernel_arrival_ms", arr, n_arr, false);
	print_dist("client_delay_ms", cdelay, n_cd, false);
	print_dist("fanout_ms", fanout, n, false);
	print_dist("first_stream_ms", first, n, false);
	print_dist("callback_rtt_ms", rtt, n, false);
	print_dist("callback_answer_arrival_ms", ans, n_ans, true);
	printf("}\n");
	fflush(stdout);
	pthread_mutex_unlock(&mu);
	free(lat);
	free(arr);
	free(cdelay);
	free(fanout);
	free(first);
	free(rtt);
	free(ans);
	free(t_ans);
	free(t_send);
	free(t_resp);
}

static void cmd_stats(void)
{
	uint64_t hb = 0;
	uint64_t ev = 0;
	uint64_t bytes = 0;
	uint64_t reads = 0;
	int open = 0;
	int i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < opt.n; i++) {
		hb += streams[i].heartbeats;
		ev += streams[i].events;
		bytes += streams[i].bytes;
		reads += streams[i].reads;
		open += streams[i].st != S_CLOSED;
	}
	json_reply("{\"cmd\":\"stats\",\"open\":%d,\"events\":%llu,\"heartbeats\":%llu,"
		   "\"bytes\":%llu,\"reads\":%llu,\"reader_cpu_ms\":%.3f,"
		   "\"errors\":{\"http_status\":%llu,\"closed\":%llu,\"parse\":%llu,\"stray\":%llu,"
		   "\"dup\":%llu,\"wrong_type\":%llu,\"no_id\":%llu,\"first\":\"%s\"}}",
		   open, (unsigned long long)ev, (unsigned long long)hb, (unsigned long long)bytes,
		   (unsigned long long)reads, thread_cpu_ms(reader),
		   (unsigned long long)err.http_status, (unsigned long long)err.closed,
		   (unsigned long long)err.parse, (unsigned long long)err.stray,
		   (unsigned long long)err.dup, (unsigned long long)err.wrong_type,
		   (unsigned long long)err.no_id, err.first);
	pthread_mutex_unlock(&mu);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"port", required_argument, NULL, 'p'},
					   {"token", required_argument, NULL, 't'},
					   {"secret", required_argument, NULL, 's'},
					   {"streams", required_argument, NULL, 'n'},
					   {"path", required_argument, NULL, 'P'},
					   {"meeting", required_argument, NULL, 'm'},
					   {"checksum-url", required_argument, NULL, 'c'},
					   {NULL, 0, NULL, 0}};
	struct rlimit rl;
	char line[512];
	int c;
	int i;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			opt.port = atoi(optarg);
			break;
		case 't':
			opt.token = optarg;
			break;
		case 's':
			opt.secret = optarg;
			break;
		case 'n':
			opt.n = atoi(optarg);
			break;
		case 'P':
			opt.path = optarg;
			break;
		case 'm':
			opt.meeting = optarg;
			break;
		case 'c':
			opt.checksum_url = optarg;
			break;
		default:
			die("usage: see the comment at the top of bench/sse_load.c");
		}
	}
	if (opt.port <= 0 || opt.token == NULL || opt.secret == NULL || opt.n < 1 ||
	    opt.n > 1000000)
		die("--port, --token and --secret are required; --streams 1..1000000");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)opt.n + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)opt.n + 64)
			die("RLIMIT_NOFILE %lu is too low for %d streams",
			    (unsigned long)rl.rlim_cur, opt.n);
	}
	{
		/* CLOCK_REALTIME - CLOCK_MONOTONIC, sampled closely */
		int64_t best = INT64_MAX;

		for (i = 0; i < 9; i++) {
			uint64_t m0 = now_ns();
			uint64_t r = ts_ns(CLOCK_REALTIME);
			uint64_t m1 = now_ns();

			if ((int64_t)(m1 - m0) < best) {
				best = (int64_t)(m1 - m0);
				rt_offset_ns = (int64_t)r - (int64_t)(m0 + (m1 - m0) / 2);
			}
		}
	}
	streams = xcalloc((size_t)opt.n, sizeof(*streams));
	for (i = 0; i < opt.n; i++) {
		streams[i].st = S_CLOSED;
		streams[i].fd = -1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1: %s", strerror(errno));
	if (pthread_create(&reader, NULL, reader_main, NULL) != 0)
		die("pthread_create");
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char cmd[32] = "";
		char tag[32] = "";
		char raw[400] = "";
		unsigned n = 0;
		unsigned us = 0;
		int got = sscanf(line, "%31s %u %u %31s %399s", cmd, &n, &us, tag, raw);

		if (strcmp(cmd, "open") == 0) {
			cmd_open();
		} else if (strcmp(cmd, "burst") == 0 && got >= 4 && n >= 1 &&
			   n <= MAX_EVENTS_PER_BURST) {
			cmd_burst(n, us, tag, got == 5 ? raw : NULL);
		} else if (strcmp(cmd, "stats") == 0) {
			cmd_stats();
		} else if (strcmp(cmd, "close") == 0) {
			cmd_close();
		} else if (strcmp(cmd, "quit") == 0) {
			break;
		} else {
			json_reply("{\"cmd\":\"?\",\"error\":\"unknown command\"}");
		}
	}
	atomic_store(&reader_stop, true);
	pthread_join(reader, NULL);
	pthread_mutex_lock(&mu);
	for (i = 0; i < opt.n; i++)
		close_stream(&streams[i], true);
	pthread_mutex_unlock(&mu);
	return 0;
}
