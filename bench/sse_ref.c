/*
 * sse_ref.c - the reference fan-out server of bench/events: the least a
 * server must do to relay a callback to N event streams, for comparison
 * with the gateway (as nginx's proxy_pass is the reference of bench/run).
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -pthread bench/sse_ref.c -o sse_ref
 *   sse_ref --port P [--threads N]      (N: default one per CPU)
 *
 * N threads, each with its own epoll set and its own listening socket on
 * the port (SO_REUSEPORT: the kernel spreads the connections evenly). GET of any path ending in /events answers 200 with a
 * chunked text/event-stream and a `retry:` line, and subscribes the
 * connection. POST /v1/bbb-events (keep-alive, Content-Length body; no
 * checksum check, no form or JSON parsing beyond finding the
 * external-user-id) appends one event to a shared ring, answers
 * {"received":1}, and wakes every thread through its eventfd; each thread
 * then writes, to each of its streams, everything the stream has not had
 * yet as one chunk with one send() (the same framing as the gateway:
 * id/event/data lines). That is the same work per delivery as the gateway's
 * design (one wake per loop, one send per stream per wake), without
 * libmicrohttpd, the hub's filters, token checks or the form and JSON
 * handling of the callback. Nothing here is hardened: loopback benchmarks
 * only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING 4096
#define EV_MAX 512
#define IN_MAX 65536
#define MAX_THREADS 64

struct conn {
	int fd;
	bool stream;
	uint64_t cursor; /* streams: the last seq sent */
	size_t in_len;
	char *in;       /* request bytes (callbacks) */
	size_t out_len; /* bytes a full socket did not take */
	size_t out_off;
	char *out;
	struct conn *next; /* the thread's streams */
	struct conn *prev;
};

struct worker {
	pthread_t th;
	int ep;
	int listen_fd;
	struct conn listen_conn; /* marks the listening socket in epoll data */
	int wake_fd;
	struct conn *streams;
	size_t n_streams;
};

static struct {
	pthread_mutex_t lock;
	uint64_t last;
	size_t len[RING];
	char *text[RING];
} ring = {PTHREAD_MUTEX_INITIALIZER, 0, {0}, {NULL}};

static int n_workers;
static struct worker workers[MAX_THREADS];

static void die(const char *what)
{
	fprintf(stderr, "sse_ref: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void watch(struct worker *w, struct conn *c, uint32_t events, int op)
{
	struct epoll_event e;

	memset(&e, 0, sizeof(e));
	e.events = events;
	e.data.ptr = c;
	if (epoll_ctl(w->ep, op, c->fd, &e) != 0)
		die("epoll_ctl");
}

static void drop(struct worker *w, struct conn *c)
{
	if (c->stream) {
		if (c->prev != NULL)
			c->prev->next = c->next;
		else
			w->streams = c->next;
		if (c->next != NULL)
			c->next->prev = c->prev;
		w->n_streams--;
	}
	epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* Sends what c holds; false when the connection is gone. */
static bool flush_out(struct worker *w, struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN) {
				watch(w, c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
				return true;
			}
			return false;
		}
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
	watch(w, c, EPOLLIN, EPOLL_CTL_MOD);
	return true;
}

/* Writes p (n bytes) now, keeping what the socket does not take. */
static bool put(struct worker *w, struct conn *c, const char *p, size_t n)
{
	ssize_t s = 0;

	if (c->out_len == 0) {
		s = send(c->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (s < 0 && errno != EAGAIN)
			return false;
		if (s < 0)
			s = 0;
		if ((size_t)s == n)
			return true;
	}
	c->out = realloc(c->out, c->out_len + n - (size_t)s);
	if (c->out == NULL)
		die("realloc");
	memcpy(c->out + c->out_len, p + s, n - (size_t)s);
	c->out_len += n - (size_t)s;
	return flush_out(w, c);
}

/* Everything after c->cursor as one chunk. */
static bool feed(struct worker *w, struct conn *c, char *buf, size_t cap)
{
	size_t len = 0;
	int h;

	pthread_mutex_lock(&ring.lock);
	if (ring.last - c->cursor > RING)
		c->cursor = ring.last - RING;
	while (c->cursor < ring.last && len + 2 * ring.len[(c->cursor + 1) % RING] + 32 < cap) {
		uint64_t s = ++c->cursor;

		memcpy(buf + 16 + len, ring.text[s % RING], ring.len[s % RING]);
		len += ring.len[s % RING];
	}
	pthread_mutex_unlock(&ring.lock);
	if (len == 0)
		return true;
	h = snprintf(buf, 17, "%zx\r\n", len);
	memmove(buf + h, buf + 16, len);
	memcpy(buf + h + len, "\r\n", 2);
	return put(w, c, buf, (size_t)h + len + 2);
}

static void feed_all(struct worker *w)
{
	static _Thread_local char buf[1 << 20];
	struct conn *c = w->streams;

	while (c != NULL) {
		struct conn *next = c->next;

		if (!feed(w, c, buf, sizeof(buf)))
			drop(w, c);
		c = next;
	}
}

static void publish(const char *user, size_t user_len)
{
	char text[512];
	struct timespec t;
	uint64_t s;
	int n;
	int i;

	clock_gettime(CLOCK_REALTIME, &t);
	pthread_mutex_lock(&ring.lock);
	s = ++ring.last;
	n = snprintf(text, sizeof(text),
		     "id: %llu\nevent: user-joined\ndata: "
		     "{\"meetingID\":\"bench-room\",\"time\":%lld,"
		     "\"user\":{\"userID\":\"%.*s\",\"fullName\":\"Bench "
		     "User\",\"role\":\"VIEWER\","
		     "\"presenter\":false}}\n\n",
		     (unsigned long long)s, (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000,
		     (int)user_len, user);
	free(ring.text[s % RING]);
	ring.text[s % RING] = strndup(text, (size_t)n);
	ring.len[s % RING] = (size_t)n;
	pthread_mutex_unlock(&ring.lock);
	for (i = 0; i < n_workers; i++) {
		uint64_t one = 1;

		if (write(workers[i].wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			die("eventfd write");
	}
}

/* One complete request at the start of c->in, or 0 bytes used. */
static size_t handle(struct worker *w, struct conn *c)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				 "Content-Length: 26\r\n\r\n{\"received\":1,\"dropped\":0}";
	static const char hdr[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
				  "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "d\r\nretry: 3000\n\n\r\n";
	static const char key[] = "external-user-id%22%3A%22";
	char *eoh = memmem(c->in, c->in_len, "\r\n\r\n", 4);
	char *line_end;
	size_t head;
	size_t body = 0;
	char *cl;

	if (eoh == NULL)
		return 0;
	head = (size_t)(eoh + 4 - c->in);
	line_end = memchr(c->in, '\r', head);
	if (strncmp(c->in, "GET ", 4) == 0) {
		char *sp = memchr(c->in + 4, ' ', (size_t)(line_end - c->in - 4));

		if (sp == NULL || sp - c->in < 11 || memcmp(sp - 7, "/events", 7) != 0)
			return (size_t)-1;
		c->stream = true;
		pthread_mutex_lock(&ring.lock);
		c->cursor = ring.last;
		pthread_mutex_unlock(&ring.lock);
		c->next = w->streams;
		if (w->streams != NULL)
			w->streams->prev = c;
		w->streams = c;
		w->n_streams++;
		return put(w, c, hdr, sizeof(hdr) - 1) ? head : (size_t)-1;
	}
	if (strncmp(c->in, "POST /v1/bbb-events", 19) != 0)
		return (size_t)-1;
	cl = memmem(c->in, head, "Content-Length:", 15);
	if (cl == NULL)
		cl = memmem(c->in, head, "content-length:", 15);
	if (cl != NULL)
		body = strtoul(cl + 15, NULL, 10);
	if (c->in_len < head + body)
		return 0;
	{
		char *u = memmem(eoh + 4, body, key, sizeof(key) - 1);
		char *end;

		if (u == NULL)
			return (size_t)-1;
		u += sizeof(key) - 1;
		end = memmem(u, (size_t)(eoh + 4 + body - u), "%22", 3);
		if (end == NULL)
			return (size_t)-1;
		publish(u, (size_t)(end - u));
	}
	return put(w, c, ok, sizeof(ok) - 1) ? head + body : (size_t)-1;
}

static void on_readable(struct worker *w, struct conn *c)
{
	for (;;) {
		ssize_t n;
		size_t used;

		if (c->in == NULL && (c->in = malloc(IN_MAX)) == NULL)
			die("malloc");
		n = recv(c->fd, c->in + c->in_len, IN_MAX - c->in_len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			drop(w, c);
			return;
		}
		if (n < 0)
			return;
		c->in_len += (size_t)n;
		if (c->stream) {
			c->in_len = 0; /* a stream's client has nothing to say */
			continue;
		}
		while ((used = handle(w, c)) != 0) {
			if (used == (size_t)-1) {
				drop(w, c);
				return;
			}
			memmove(c->in, c->in + used, c->in_len - used);
			c->in_len -= used;
			if (c->stream)
				break;
		}
		if (c->in_len == IN_MAX) {
			drop(w, c);
			return;
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[EV_MAX];
	struct conn wake_conn = {.fd = w->wake_fd};

	watch(w, &wake_conn, EPOLLIN, EPOLL_CTL_ADD);
	w->listen_conn.fd = w->listen_fd;
	watch(w, &w->listen_conn, EPOLLIN, EPOLL_CTL_ADD);
	for (;;) {
		int n = epoll_wait(w->ep, evs, EV_MAX, -1);
		bool woken = false;
		int i;

		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c == &w->listen_conn) {
				int fd = accept4(w->listen_fd, NULL, NULL,
						 SOCK_NONBLOCK | SOCK_CLOEXEC);
				int one = 1;
				struct conn *nc;

				if (fd < 0)
					continue;
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				nc = calloc(1, sizeof(*nc));
				if (nc == NULL)
					die("calloc");
				nc->fd = fd;
				watch(w, nc, EPOLLIN, EPOLL_CTL_ADD);
			} else if (c == &wake_conn) {
				uint64_t v;

				if (read(w->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					die("eventfd read");
				woken = true;
			} else {
				if ((evs[i].events & EPOLLOUT) && !flush_out(w, c)) {
					drop(w, c);
					continue;
				}
				if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
					on_readable(w, c);
			}
		}
		if (woken)
			feed_all(w);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"port", required_argument, NULL, 'p'},
					   {"threads", required_argument, NULL, 't'},
					   {NULL, 0, NULL, 0}};
	struct sockaddr_in a;
	int port = 0;
	int one = 1;
	int c;
	int i;

	n_workers = (int)sysconf(_SC_NPROCESSORS_ONLN);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'p')
			port = atoi(optarg);
		else if (c == 't')
			n_workers = atoi(optarg);
		else
			return 2;
	}
	if (port <= 0 || n_workers < 1 || n_workers > MAX_THREADS) {
		fprintf(stderr, "usage: sse_ref --port P [--threads 1..%d]\n", MAX_THREADS);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n_workers; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket");
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4096) != 0)
			die("bind/listen");
		workers[i].listen_fd = fd;
	}
	for (i = 0; i < n_workers; i++) {
		workers[i].ep = epoll_create1(EPOLL_CLOEXEC);
		workers[i].wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (workers[i].ep < 0 || workers[i].wake_fd < 0)
			die("epoll/eventfd");
		if (pthread_create(&workers[i].th, NULL, worker_main, &workers[i]) != 0)
			die("pthread_create");
	}
	printf("listening on 127.0.0.1:%d, %d threads\n", port, n_workers);
	fflush(stdout);
	pthread_join(workers[0].th, NULL);
	return 0;
}
