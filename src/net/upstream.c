/*
 * upstream.c - the gateway's only libcurl user: one thread, one multi handle
 * and every easy handle, so all BBB calls share one connection cache, DNS
 * cache and set of TLS sessions, and MAX_HOST_CONNECTIONS caps them all.
 *
 * Other threads only touch the submit queue (under `lock`) and wake the
 * thread with curl_multi_wakeup(). The thread loops: take the queue, start
 * its calls, curl_multi_perform, finish what is done, curl_multi_poll.
 * A finished call's result is written, its easy handle goes back to a free
 * list (connections stay in the multi's cache), and only then does done()
 * run; after done() the call belongs to the caller again. On stop, every
 * queued or running call completes with GW_E_UNAVAILABLE.
 *
 * URLs are never logged: they carry the BBB checksum and passwords.
 */
#include "upstream.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "breaker.h"
#include "crypto.h"
#include "gw_limits.h"
#include "log.h"

#define POLL_MS 1000
#define DEFAULT_MAXAGE_CONN_S 60L
#define MAXLIFETIME_CONN_S 300L
#define KEEPIDLE_S 30L
#define KEEPINTVL_S 10L
#define KEEPCNT 3
#define MIN_IDLE_HANDLES 16u

/* One easy handle and what a transfer on it needs. Upstream thread only. */
struct xfer {
	CURL *easy;
	struct curl_slist *headers;
	struct gw_upstream_call *call; /* NULL while idle */
	enum gw_err write_err;         /* why on_write refused data */
	bool sink_failed;              /* ... because the sink refused it */
	bool begun;                    /* the attempt's first body byte was seen */
	size_t received;               /* body bytes of this attempt */
	double deadline;               /* monotonic ms */
	struct xfer *prev;             /* active list only */
	struct xfer *next;             /* active or idle list */
};

struct gw_upstream {
	pthread_mutex_t lock;
	struct gw_upstream_call *queue_head; /* lock */
	struct gw_upstream_call *queue_tail; /* lock */
	bool stopping;                       /* lock */

	pthread_t thread;
	CURLM *multi;
	struct xfer *active;
	struct xfer *idle;
	unsigned n_idle;
	unsigned max_idle;
	long connect_timeout_ms;
	long maxage_conn_s;
	atomic_ulong connects;
	bool retry;
	struct gw_upstream_call *delayed; /* retries waiting for their backoff; thread only */
	struct gw_breaker breaker;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What an attempt says about BBB's health (a FAILED reply is a healthy transport). */
static enum gw_breaker_outcome outcome_of(enum gw_err result, long status)
{
	switch (result) {
	case GW_OK:
		return status >= 500 ? GW_BREAKER_FAILURE : GW_BREAKER_SUCCESS;
	case GW_E_UPSTREAM_CONNECT:
	case GW_E_UPSTREAM_TIMEOUT:
	case GW_E_UPSTREAM_BAD_REPLY:
		return GW_BREAKER_FAILURE;
	default:
		return GW_BREAKER_NEUTRAL;
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* The head is read: the sink may take the body from here on. */
static void begin_body(struct xfer *x)
{
	struct gw_upstream_call *call = x->call;
	const struct gw_upstream_sink *sink = call->sink;
	long status = 0;
	char *ctype = NULL;

	x->begun = true;
	if (sink == NULL || sink->begin == NULL || sink->data == NULL)
		return;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
	call->sunk = sink->begin(sink->arg, status, ctype);
}

/*
 * The cap is enforced here because curl 7.88's MAXFILESIZE ignores chunked
 * replies; returning 0 makes curl fail with CURLE_WRITE_ERROR.
 */
static size_t on_write(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct gw_upstream_call *call = x->call;
	size_t len = size * n;
	enum gw_err err;

	if (!x->begun)
		begin_body(x);
	if (len > call->reply.max - x->received) {
		err = GW_E_TOO_LARGE;
	} else if (call->sunk) {
		err = call->sink->data(call->sink->arg, p, len);
		x->sink_failed = err != GW_OK;
	} else {
		err = gw_buf_append(&call->reply, p, len);
	}
	if (err != GW_OK) {
		x->write_err = err;
		return 0;
	}
	x->received += len;
	return len;
}

/* Counts connects, and adds what curl 7.88 cannot set: CLOEXEC, TCP_KEEPCNT. */
static curl_socket_t on_opensocket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct gw_upstream *up = arg;
	int cnt = KEEPCNT;
	int fd;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	if (fd < 0)
		return CURL_SOCKET_BAD;
	if (addr->socktype == SOCK_STREAM)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	atomic_fetch_add(&up->connects, 1);
	return fd;
}

/* Builds the request headers; NULL on OOM. */
static struct curl_slist *make_headers(const struct gw_upstream_call *call)
{
	struct gw_buf b;
	struct curl_slist *list = NULL;
	struct curl_slist *t;

	gw_buf_init(&b, GW_MAX_URL_BYTES);
	if (gw_buf_appendf(&b, "Accept: %s", call->accept ? call->accept : "application/xml") !=
	    GW_OK)
		goto fail;
	t = curl_slist_append(list, gw_buf_str(&b));
	if (t == NULL)
		goto fail;
	list = t;
	if (call->post) {
		gw_buf_reset(&b);
		/* A bare "Content-Type:" removes curl's form-urlencoded default. */
		if (gw_buf_appendf(&b, "Content-Type:%s%s", call->content_type ? " " : "",
		                   call->content_type ? call->content_type : "") != GW_OK)
			goto fail;
		t = curl_slist_append(list, gw_buf_str(&b));
		if (t == NULL)
			goto fail;
		list = t;
		/* curl 7.88 waits for a 100-continue above 1 MiB: a round trip for nothing. */
		t = curl_slist_append(list, "Expect:");
		if (t == NULL)
			goto fail;
		list = t;
	}
	gw_buf_deinit(&b);
	return list;
fail:
	gw_buf_deinit(&b);
	curl_slist_free_all(list);
	return NULL;
}

/* Options that do not depend on the call. */
static void set_common(struct gw_upstream *up, struct xfer *x)
{
	CURL *e = x->easy;

	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	/* The signed URL must reach BBB unchanged, dot segments included. */
	curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
	/* A pool of HTTP/1.1 connections is predictable and easy to cap. */
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, up->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, KEEPIDLE_S);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, KEEPINTVL_S);
	/* Below nginx's 75 s keepalive_timeout, so curl never reuses a dying connection. */
	curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, up->maxage_conn_s);
	curl_easy_setopt(e, CURLOPT_MAXLIFETIME_CONN, MAXLIFETIME_CONN_S);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, up);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
}

/* Options of this call; left_ms is what remains of its deadline. */
static enum gw_err set_call(struct xfer *x, struct gw_upstream_call *call, long left_ms)
{
	CURL *e = x->easy;

	x->headers = make_headers(call);
	if (x->headers == NULL)
		return GW_E_NOMEM;
	curl_easy_setopt(e, CURLOPT_URL, call->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, call);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left_ms);
	/*
	 * No low-speed limit: curl's window also covers the wait for BBB's first
	 * byte, which would cut slow but healthy calls (a large getRecordings)
	 * short of their deadline. The deadline alone bounds every call.
	 */
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)call->reply.max);
	if (call->post) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
		/* Borrowed until done runs; "" because NULL would mean "no body given". */
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, call->body ? call->body : "");
	}
	return GW_OK;
}

/* Takes an idle easy handle (or a new one) and links it into the active list. */
static struct xfer *xfer_get(struct gw_upstream *up)
{
	struct xfer *x = up->idle;

	if (x != NULL) {
		up->idle = x->next;
		up->n_idle--;
	} else {
		x = calloc(1, sizeof(*x));
		if (x == NULL)
			return NULL;
		x->easy = curl_easy_init();
		if (x->easy == NULL) {
			free(x);
			return NULL;
		}
	}
	x->write_err = GW_OK;
	x->sink_failed = false;
	x->begun = false;
	x->received = 0;
	x->prev = NULL;
	x->next = up->active;
	if (up->active != NULL)
		up->active->prev = x;
	up->active = x;
	return x;
}

static void xfer_destroy(struct xfer *x)
{
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	free(x);
}

/*
 * Detaches x from its call and parks it. The connection stays in the multi's
 * cache; curl_easy_reset drops every pointer into the call's memory.
 */
static void xfer_put(struct gw_upstream *up, struct xfer *x, bool in_multi)
{
	if (in_multi)
		curl_multi_remove_handle(up->multi, x->easy);
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		up->active = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->call->priv_easy = NULL;
	x->call = NULL;
	curl_easy_reset(x->easy);
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	if (up->n_idle >= up->max_idle) {
		xfer_destroy(x);
		return;
	}
	x->next = up->idle;
	up->idle = x;
	up->n_idle++;
}

/* The last touch of a call: after done() it belongs to the caller again. */
static void complete(struct gw_upstream *up, struct gw_upstream_call *call, enum gw_err result)
{
	/* a body the sink refused came over a healthy transport */
	gw_breaker_record(&up->breaker,
			  outcome_of(call->sink_failed ? GW_OK : result, call->http_status),
			  call->priv_probe, now_ns());
	call->priv_probe = false;
	call->result = result;
	if (result != GW_OK)
		gw_buf_deinit(&call->reply);
	call->total_ms = now_ms() - call->total_ms;
	call->done(call, call->arg);
}

/* Moves one submitted call into the multi handle, or completes it at once. */
static void start_call(struct gw_upstream *up, struct gw_upstream_call *call)
{
	unsigned timeout = call->timeout_ms ? call->timeout_ms : GW_DEFAULT_BBB_TIMEOUT_MS;
	double left = (double)timeout - (now_ms() - call->total_ms);
	struct xfer *x;
	enum gw_err err;

	if (left < 1.0) {
		gw_log_warn("upstream: call timed out in the queue");
		complete(up, call, GW_E_UPSTREAM_TIMEOUT);
		return;
	}
	x = xfer_get(up);
	if (x == NULL) {
		gw_log_err("upstream: out of memory starting a call");
		complete(up, call, GW_E_NOMEM);
		return;
	}
	x->call = call;
	x->deadline = call->total_ms + (double)timeout;
	call->priv_easy = x;
	set_common(up, x);
	err = set_call(x, call, (long)left);
	if (err == GW_OK && curl_multi_add_handle(up->multi, x->easy) != CURLM_OK)
		err = GW_E_NOMEM;
	if (err != GW_OK) {
		gw_log_err("upstream: cannot start a call: %s", gw_err_str(err));
		xfer_put(up, x, false);
		complete(up, call, err);
	}
}

static enum gw_err map_error(CURLcode code, enum gw_err write_err, bool sink_failed)
{
	if (code == CURLE_WRITE_ERROR && sink_failed)
		return write_err;
	switch (code) {
	case CURLE_OK:
		return GW_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return GW_E_UPSTREAM_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return GW_E_UPSTREAM_CONNECT;
	case CURLE_FILESIZE_EXCEEDED:
		return GW_E_UPSTREAM_TOO_LARGE;
	case CURLE_WRITE_ERROR:
		return write_err == GW_E_TOO_LARGE ? GW_E_UPSTREAM_TOO_LARGE : GW_E_NOMEM;
	case CURLE_OUT_OF_MEMORY:
		return GW_E_NOMEM;
	default:
		return GW_E_UPSTREAM_BAD_REPLY;
	}
}

static double call_deadline(const struct gw_upstream_call *call)
{
	/* Until completion total_ms holds the submit time. */
	return call->total_ms +
	       (double)(call->timeout_ms ? call->timeout_ms : GW_DEFAULT_BBB_TIMEOUT_MS);
}

/*
 * Retries only where it is safe (engineering notes §3.6): any call whose
 * connection could not be made, and idempotent calls after a reset, an
 * unreadable reply or a 502/503/504. Once, after 50-200 ms, inside the
 * call's deadline, and only while the breaker is closed. True when the
 * call was queued for its retry.
 */
static bool retry_later(struct gw_upstream *up, struct gw_upstream_call *call, enum gw_err result)
{
	long st = call->http_status;
	bool safe = result == GW_E_UPSTREAM_CONNECT ||
		    (call->idempotent && (result == GW_E_UPSTREAM_BAD_REPLY ||
					  (result == GW_OK && (st == 502 || st == 503 || st == 504))));
	double now = now_ms();
	unsigned char r = 0;
	double backoff;

	if (!up->retry || !safe || call->retries > 0 || call->priv_probe || call->sink_failed ||
	    gw_breaker_state(&up->breaker) != GW_BREAKER_CLOSED)
		return false;
	if (gw_crypto_random(&r, 1) != GW_OK)
		r = 128;
	backoff = 50.0 + 150.0 * (double)r / 255.0;
	if (now + backoff + 50.0 >= call_deadline(call))
		return false;
	/* The failed attempt still counts; if it opened the breaker, give up. */
	gw_breaker_record(&up->breaker, outcome_of(result, st), false, now_ns());
	if (gw_breaker_state(&up->breaker) != GW_BREAKER_CLOSED)
		return false;
	call->retries++;
	call->http_status = 0;
	gw_buf_reset(&call->reply);
	if (call->sunk && call->sink->reset != NULL)
		call->sink->reset(call->sink->arg);
	call->sunk = false;
	free(call->reply_content_type);
	call->reply_content_type = NULL;
	call->priv_due = now + backoff;
	call->priv_next = up->delayed;
	up->delayed = call;
	return true;
}

/* Starts the retries whose backoff is over. */
static void start_due(struct gw_upstream *up)
{
	struct gw_upstream_call **pp = &up->delayed;
	double now = now_ms();

	while (*pp != NULL) {
		struct gw_upstream_call *call = *pp;

		if (call->priv_due <= now) {
			*pp = call->priv_next;
			call->priv_next = NULL;
			start_call(up, call);
		} else {
			pp = &call->priv_next;
		}
	}
}

/* Ms until the next delayed retry is due, or POLL_MS when none waits. */
static long next_due(const struct gw_upstream *up)
{
	const struct gw_upstream_call *call;
	double now = now_ms();
	double next = now + POLL_MS;

	for (call = up->delayed; call != NULL; call = call->priv_next)
		if (call->priv_due < next)
			next = call->priv_due;
	return next > now ? (long)(next - now) + 1 : 0;
}

/* Writes the result of a finished transfer, recycles its handle, runs done. */
static void finish(struct gw_upstream *up, struct xfer *x, CURLcode code)
{
	struct gw_upstream_call *call = x->call;
	enum gw_err result = map_error(code, x->write_err, x->sink_failed);
	long status = 0;
	char *ctype = NULL;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	call->http_status = status;
	call->sink_failed = x->sink_failed;
	if (result == GW_OK) {
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
		free(call->reply_content_type);
		call->reply_content_type = NULL;
		/* curl's string dies with the handle reset below. */
		if (ctype != NULL) {
			call->reply_content_type = strdup(ctype);
			if (call->reply_content_type == NULL)
				result = GW_E_NOMEM;
		}
	} else {
		/* The error kind only: curl's error buffer could name the URL. */
		gw_log_warn("upstream: %s (curl: %s)", gw_err_str(result),
		            curl_easy_strerror(code));
	}
	xfer_put(up, x, true);
	if (retry_later(up, call, result))
		return;
	complete(up, call, result);
}

static void reap(struct gw_upstream *up)
{
	CURLMsg *msg;
	CURLcode code;
	char *priv;
	struct gw_upstream_call *call;
	int left;

	for (;;) {
		msg = curl_multi_info_read(up->multi, &left);
		if (msg == NULL)
			break;
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg dies with curl_multi_remove_handle in finish: copy first. */
		code = msg->data.result;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		call = (struct gw_upstream_call *)(void *)priv;
		finish(up, call->priv_easy, code);
	}
}

/*
 * curl 7.88 checks the TIMEOUT_MS of a transfer waiting for a connection
 * (MAX_HOST_CONNECTIONS) only once a connection frees up, so the deadline is
 * enforced here too. Returns how long the thread may sleep.
 */
static long expire(struct gw_upstream *up)
{
	double now = now_ms();
	double next = now + POLL_MS;
	struct xfer *x;
	struct xfer *nx;

	for (x = up->active; x != NULL; x = nx) {
		nx = x->next;
		if (x->deadline <= now)
			finish(up, x, CURLE_OPERATION_TIMEDOUT);
		else if (x->deadline < next)
			next = x->deadline;
	}
	return (long)(next - now) + 1;
}

/* Stop: fails the calls never started, then every running transfer. */
static void cancel_all(struct gw_upstream *up, struct gw_upstream_call *queued)
{
	struct gw_upstream_call *call;
	unsigned n = 0;

	while (queued != NULL) {
		call = queued;
		queued = call->priv_next;
		call->priv_next = NULL;
		complete(up, call, GW_E_UNAVAILABLE);
		n++;
	}
	while (up->active != NULL) {
		call = up->active->call;
		xfer_put(up, up->active, true);
		complete(up, call, GW_E_UNAVAILABLE);
		n++;
	}
	while (up->delayed != NULL) {
		call = up->delayed;
		up->delayed = call->priv_next;
		call->priv_next = NULL;
		complete(up, call, GW_E_UNAVAILABLE);
		n++;
	}
	if (n > 0)
		gw_log_notice("upstream: stopping, %u calls cancelled", n);
}

/* Everything curl stays on this thread, including the final cleanup. */
static void *run(void *arg)
{
	struct gw_upstream *up = arg;
	struct gw_upstream_call *queued;
	struct gw_upstream_call *call;
	bool stop;
	int running;
	long wait_ms;
	long retry_ms;

	for (;;) {
		pthread_mutex_lock(&up->lock);
		queued = up->queue_head;
		up->queue_head = NULL;
		up->queue_tail = NULL;
		stop = up->stopping;
		pthread_mutex_unlock(&up->lock);
		if (stop)
			break;
		while (queued != NULL) {
			call = queued;
			queued = call->priv_next;
			call->priv_next = NULL;
			start_call(up, call);
		}
		start_due(up);
		curl_multi_perform(up->multi, &running);
		reap(up);
		/* After reap: no message of a finished transfer is pending now. */
		wait_ms = expire(up);
		/*
		 * After reap and expire, which may have queued a retry: its backoff
		 * (50-200 ms), not the idle poll, decides how long to sleep.
		 */
		retry_ms = next_due(up);
		if (retry_ms < wait_ms)
			wait_ms = retry_ms;
		curl_multi_poll(up->multi, NULL, 0, (int)wait_ms, NULL);
	}
	cancel_all(up, queued);
	while (up->idle != NULL) {
		struct xfer *x = up->idle;

		up->idle = x->next;
		xfer_destroy(x);
	}
	curl_multi_cleanup(up->multi);
	up->multi = NULL;
	return NULL;
}

static CURLM *make_multi(const struct gw_upstream_opts *opts)
{
	CURLM *m = curl_multi_init();

	if (m == NULL)
		return NULL;
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)opts->max_host_connections);
	/* The idle cache must hold the whole bulkhead, or reuse breaks under load. */
	if (opts->max_host_connections > 0)
		curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)opts->max_host_connections);
	return m;
}

enum gw_err gw_upstream_new(const struct gw_upstream_opts *opts, struct gw_upstream **out)
{
	struct gw_upstream *up = calloc(1, sizeof(*up));
	enum gw_err err = GW_E_NOMEM;

	if (up == NULL)
		return GW_E_NOMEM;
	up->connect_timeout_ms =
	    opts->connect_timeout_ms ? opts->connect_timeout_ms : GW_DEFAULT_BBB_CONNECT_TIMEOUT_MS;
	up->maxage_conn_s = opts->maxage_conn_s ? (long)opts->maxage_conn_s : DEFAULT_MAXAGE_CONN_S;
	up->retry = opts->retry;
	gw_breaker_init(&up->breaker, opts->breaker_failures, opts->breaker_cooldown_ms,
			opts->breaker_max_cooldown_ms);
	up->max_idle = opts->max_host_connections > MIN_IDLE_HANDLES ? opts->max_host_connections
	                                                             : MIN_IDLE_HANDLES;
	atomic_init(&up->connects, 0);
	up->multi = make_multi(opts);
	if (up->multi == NULL)
		goto out_free;
	if (pthread_mutex_init(&up->lock, NULL) != 0) {
		err = GW_E_INTERNAL;
		goto out_multi;
	}
	if (pthread_create(&up->thread, NULL, run, up) != 0) {
		gw_log_err("upstream: cannot start the thread");
		err = GW_E_INTERNAL;
		goto out_lock;
	}
	*out = up;
	return GW_OK;
out_lock:
	pthread_mutex_destroy(&up->lock);
out_multi:
	curl_multi_cleanup(up->multi);
out_free:
	free(up);
	return err;
}

static bool header_value_ok(const char *s)
{
	return s == NULL || strpbrk(s, "\r\n") == NULL;
}

enum gw_err gw_upstream_submit(struct gw_upstream *up, struct gw_upstream_call *call)
{
	enum gw_breaker_verdict verdict;
	uint64_t retry_after_ms = 0;
	bool was_empty;

	if (call->url == NULL || call->done == NULL || !header_value_ok(call->accept) ||
	    !header_value_ok(call->content_type))
		return GW_E_INTERNAL;
	call->reply.max =
	    call->max_reply_bytes ? call->max_reply_bytes : GW_DEFAULT_BBB_MAX_REPLY_BYTES;
	gw_buf_reset(&call->reply);
	call->http_status = 0;
	call->sunk = false;
	call->sink_failed = false;
	call->priv_easy = NULL;
	call->priv_next = NULL;
	call->retries = 0;
	call->retry_after_s = 0;
	verdict = gw_breaker_allow(&up->breaker, now_ns(), &retry_after_ms);
	if (verdict == GW_BREAKER_REJECT) {
		call->retry_after_s = (unsigned)((retry_after_ms + 999) / 1000);
		return GW_E_CIRCUIT_OPEN;
	}
	call->priv_probe = verdict == GW_BREAKER_ALLOW_PROBE;
	/* Until completion total_ms holds the submit time. */
	call->total_ms = now_ms();
	call->started_ms = call->total_ms;

	pthread_mutex_lock(&up->lock);
	if (up->stopping) {
		pthread_mutex_unlock(&up->lock);
		return GW_E_UNAVAILABLE;
	}
	was_empty = up->queue_head == NULL;
	if (was_empty)
		up->queue_head = call;
	else
		up->queue_tail->priv_next = call;
	up->queue_tail = call;
	/*
	 * Woken under the lock, so the multi handle cannot be cleaned up in
	 * between. A non-empty queue means a wake-up is already pending.
	 */
	if (was_empty)
		curl_multi_wakeup(up->multi);
	pthread_mutex_unlock(&up->lock);
	return GW_OK;
}

void gw_upstream_call_init(struct gw_upstream_call *call)
{
	call->result = GW_OK;
	call->http_status = 0;
	gw_buf_init(&call->reply, 0);
	call->sink = NULL;
	call->sunk = false;
	call->sink_failed = false;
	call->reply_content_type = NULL;
	call->total_ms = 0.0;
	call->started_ms = 0.0;
	call->priv_easy = NULL;
	call->priv_next = NULL;
}

uint64_t gw_upstream_deadline_ms(const struct gw_upstream_call *call)
{
	unsigned timeout = call->timeout_ms ? call->timeout_ms : GW_DEFAULT_BBB_TIMEOUT_MS;

	if (call->started_ms <= 0.0)
		return 0;
	return (uint64_t)call->started_ms + timeout;
}

void gw_upstream_call_deinit(struct gw_upstream_call *call)
{
	gw_buf_deinit(&call->reply);
	free(call->reply_content_type);
	call->reply_content_type = NULL;
}

void gw_upstream_free(struct gw_upstream *up)
{
	if (up == NULL)
		return;
	pthread_mutex_lock(&up->lock);
	up->stopping = true;
	curl_multi_wakeup(up->multi);
	pthread_mutex_unlock(&up->lock);
	pthread_join(up->thread, NULL);
	pthread_mutex_destroy(&up->lock);
	free(up);
}

bool gw_upstream_breaker_open(struct gw_upstream *up)
{
	return gw_breaker_state(&up->breaker) == GW_BREAKER_OPEN;
}

unsigned long gw_upstream_connects(struct gw_upstream *up)
{
	return atomic_load(&up->connects);
}

enum gw_err gw_upstream_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? GW_OK : GW_E_INTERNAL;
}

void gw_upstream_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t probe_sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

enum gw_err gw_upstream_probe(const char *url, unsigned timeout_ms, long *status)
{
	CURL *e = curl_easy_init();
	CURLcode rc;

	if (e == NULL)
		return GW_E_NOMEM;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, probe_sink);
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(e);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return GW_E_UPSTREAM_TIMEOUT;
	return rc == CURLE_OK ? GW_OK : GW_E_UPSTREAM_CONNECT;
}
